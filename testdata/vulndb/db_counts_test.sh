#!/bin/sh
# Acceptance (issue 5): a database built from all of ../shared/vulndata reports, through
# `vigil db info --format json`, exactly the counts count_vulndata.py computes from the files
# on its own (per source and format, per table, per ecosystem). Exit 77 = skipped.
set -eu
src=${VIGIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${VIGIL_BIN:-$src/build/src/cli/vigil}
data=$src/../shared/vulndata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# CLI contract over the committed samples (no shared data needed).
"$bin" db build --from "$src/testdata/vulndb/osv" --out "$tmp/s/sample.db" >"$tmp/s.out" 2>"$tmp/s.err" || {
  echo "FAIL: db build over testdata/vulndb/osv"; cat "$tmp/s.err"; exit 1; }
grep -q "malformed/truncated.json" "$tmp/s.err" || { echo "FAIL: no warning naming the bad file"; cat "$tmp/s.err"; exit 1; }
"$bin" db info --db "$tmp/s/sample.db" >"$tmp/s.info"
grep -q "^Schema version: 1" "$tmp/s.info" || { echo "FAIL: table info"; cat "$tmp/s.info"; exit 1; }
rc=0; "$bin" db info --db "$tmp/s/sample.db" --format xml >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || { echo "FAIL: unknown --format exited $rc, want 2"; exit 1; }
rc=0; "$bin" db info --db "$tmp/absent.db" 2>"$tmp/e" || rc=$?
[ "$rc" = 3 ] && grep -q "vigil db build" "$tmp/e" || { echo "FAIL: missing DB exited $rc"; cat "$tmp/e"; exit 1; }
echo "not a database" >"$tmp/text.db"
rc=0; "$bin" db info --db "$tmp/text.db" 2>"$tmp/e" || rc=$?
[ "$rc" = 3 ] && grep -q "text.db" "$tmp/e" || { echo "FAIL: non-DB file exited $rc"; cat "$tmp/e"; exit 1; }

if [ ! -d "$data" ]; then
  echo "SKIP: $data is absent (shared advisory snapshots)"
  exit 77
fi
if ! python3 -c "import yaml" 2>/dev/null; then
  echo "SKIP: PyYAML is not installed (python3-yaml), needed to count the YAML feeds"
  exit 77
fi
python3 "$src/testdata/vulndb/count_vulndata.py" "$data" >"$tmp/expected.json" &
counter=$!
start=$(date +%s)
"$bin" db build --from "$data" --out "$tmp/tmp.db" >"$tmp/build.out" 2>"$tmp/build.err" || {
  echo "FAIL: vigil db build exited $?"; cat "$tmp/build.err"; exit 1; }
end=$(date +%s)
echo "db build: $((end - start)) s, $(wc -c <"$tmp/tmp.db") bytes"
cat "$tmp/build.out"
wait "$counter" || { echo "FAIL: count_vulndata.py failed"; exit 1; }
"$bin" db info --db "$tmp/tmp.db" --format json >"$tmp/info.json"

# A second build over an existing file replaces it atomically; a failed build leaves it.
"$bin" db build --from "$src/testdata/vulndb/osv" --out "$tmp/tmp.db" >/dev/null 2>&1 || {
  echo "FAIL: rebuilding over an existing database"; exit 1; }
before=$(cksum <"$tmp/tmp.db")
mkdir "$tmp/empty"
if "$bin" db build --from "$tmp/empty" --out "$tmp/tmp.db" 2>"$tmp/empty.err"; then
  echo "FAIL: an input without advisories must fail the build"; exit 1
fi
grep -q "$tmp/empty" "$tmp/empty.err" || { echo "FAIL: error does not name the input"; cat "$tmp/empty.err"; exit 1; }
[ "$(cksum <"$tmp/tmp.db")" = "$before" ] || { echo "FAIL: failed build changed the DB"; exit 1; }
ls "$tmp" | grep -q building && { echo "FAIL: temporary file left behind"; exit 1; }

python3 - "$tmp/expected.json" "$tmp/info.json" "$tmp/build.out" <<'PY'
import json, sys
expected = json.load(open(sys.argv[1]))
info = json.load(open(sys.argv[2]))
bad = 0
def check(what, want, got):
    global bad
    if want != got:
        bad += 1
        print(f"MISMATCH {what}: counted {want}, vigil db info says {got}")
# Files no importer reads (documentation, unknown formats) appear only in the build summary.
unrecognised = [l.split() for l in open(sys.argv[3]) if l.startswith("unrecognised ")]
check("unrecognised files (build summary)", expected["unrecognised_files"],
      int(unrecognised[0][1]) if unrecognised else 0)
if info["schema_version"] != 1:
    check("schema_version", 1, info["schema_version"])
got = {}
for s in info["sources"]:
    key = s["name"] + "|" + s["format"]
    row = got.setdefault(key, {k: 0 for k in ("advisories", "withdrawn", "affected", "severities", "skipped")})
    for k in row:
        row[k] += s[k]
for key in sorted(set(expected["sources"]) | set(got)):
    want = expected["sources"].get(key)
    have = got.get(key)
    if want is None or have is None:
        check(f"source {key}", want, have)
        continue
    for k in sorted(want):
        check(f"{key} {k}", want[k], have[k])
for k in ("advisories", "affected", "severities"):
    check(f"table {k}", expected["tables"][k], info["tables"][k])
for eco in sorted(set(expected["ecosystems"]) | set(info["ecosystems"])):
    check(f"ecosystem {eco}", expected["ecosystems"].get(eco), info["ecosystems"].get(eco))
n = sum(len(v) for v in expected["sources"].values()) + 3 + len(expected["ecosystems"])
print(f"{n} counts compared, {bad} mismatches")
for key, v in sorted(expected["sources"].items()):
    print(f"  {key:32s} {v}")
sys.exit(1 if bad else 0)
PY
