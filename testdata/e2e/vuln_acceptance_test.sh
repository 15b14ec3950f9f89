#!/bin/sh
# Acceptance of the vulnerability matching issue (#5) and the OS-ownership point of #4, on
# real images and the real advisory snapshots in ../shared/vulndata:
#  1. langapp image (real npm packages, Python dists in a venv, a Go binary outside dpkg):
#     the findings are exactly the advisories an independent oracle
#     (expected_advisories.py: its own semver / PEP 440 / npm-range code) says apply.
#  2. bullseye image (mmdebstrap from the Debian mirror, + synthetic dpkg entries): the
#     Debian findings are exactly what `dpkg --compare-versions` over the DSA/DLA lists says
#     (expected_debian.py): none for the real, backport-patched packages; the synthetic
#     entries below a fix are found, the one at the fix is not.
#  3. dpkg-owned Python dists and Go binaries are attributed to their Debian package (SBOM
#     owner_purl) and never matched as PyPI/Go packages; the same files copied to /app are.
# Fixtures: make_langapp.sh and make_bullseye.sh (built by `make fixtures`, or here).
set -eu
: "${VIGIL_BIN:?}" "${VIGIL_BUILD_DIR:?}" "${VIGIL_SOURCE_DIR:?}"
HERE="$VIGIL_SOURCE_DIR/testdata/e2e"
SHARED="$VIGIL_SOURCE_DIR/../shared/vulndata"
[ -d "$SHARED" ] || { echo "SKIP: ../shared/vulndata absent"; exit 77; }
python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: python3-yaml absent"; exit 77; }
FIX="$VIGIL_BUILD_DIR/fixtures"
rc=0
"$HERE/make_langapp.sh" "$FIX/langapp" || rc=$?
[ $rc = 0 ] || { echo "SKIP: langapp fixture unavailable (exit $rc)"; exit 77; }
"$HERE/make_bullseye.sh" "$FIX/bullseye" || rc=$?
[ $rc = 0 ] || { echo "SKIP: bullseye fixture unavailable (exit $rc)"; exit 77; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$VIGIL_BIN" db build --from "$SHARED" --out "$TMP/vuln.db" >"$TMP/build.log" 2>&1 ||
  { cat "$TMP/build.log" >&2; fail "vigil db build"; }

# Finding sets as "ecosystem<TAB>package<TAB>version<TAB>location<TAB>id,alias,..." lines.
findings() {
  python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for f in r["findings"]:
    p = f.get("package", {})
    ids = [f["id"]] + f.get("aliases", [])
    print("\t".join([p.get("ecosystem", ""), p.get("name", ""), p.get("version", ""),
                     f.get("location", {}).get("path", ""), ",".join(ids)]))
PY
}

# Every expected advisory is covered by exactly one finding of its package, and every
# finding of the compared ecosystems covers at least one expected advisory.
compare() {  # compare EXPECTED FINDINGS ECOSYSTEM-REGEX
  python3 - "$1" "$2" "$3" <<'PY'
import re, sys
expected, found, eco = sys.argv[1], sys.argv[2], re.compile(sys.argv[3])
want = {}
for line in open(expected):
    e, name, version, adv = line.rstrip("\n").split("\t")[:4]
    want.setdefault((name, version), set()).add(adv)
got = {}
for line in open(found):
    e, name, version, path, ids = line.rstrip("\n").split("\t")
    if eco.match(e):
        got.setdefault((name, version), []).append(set(ids.split(",")))
errors = []
for key, advs in sorted(want.items()):
    for adv in sorted(advs):
        n = sum(1 for ids in got.get(key, []) if adv in ids)
        if n != 1:
            errors.append("%s %s: advisory %s covered by %d findings" % (key + (adv, n)))
for key, sets in sorted(got.items()):
    for ids in sets:
        if not ids & want.get(key, set()):
            errors.append("%s %s: unexpected finding %s" % (key + (sorted(ids)[0],)))
total = sum(len(v) for v in want.values())
print("compared %d expected advisories, %d findings" % (total, sum(len(v) for v in got.values())))
for e in errors:
    print("  " + e)
sys.exit(1 if errors else 0)
PY
}

echo "== 1. langapp: npm, PyPI, Go"
"$VIGIL_BIN" image "oci:$FIX/langapp/oci:app" --db "$TMP/vuln.db" --format json \
  -o "$TMP/langapp.json" || fail "vigil image langapp"
findings "$TMP/langapp.json" > "$TMP/langapp.found"
python3 "$HERE/expected_advisories.py" "$SHARED" "$FIX/langapp/packages.tsv" |
  awk -F'\t' '{print $1 "\t" $2 "\t" $3 "\t" $4}' > "$TMP/langapp.expected"
[ -s "$TMP/langapp.expected" ] || fail "oracle found nothing for langapp"
compare "$TMP/langapp.expected" "$TMP/langapp.found" '^(npm|PyPI|Go)$' ||
  fail "langapp findings differ from the oracle"
# The Go findings name the binary, the npm ones their package.json.
grep -q "	/usr/local/bin/goapp	" "$TMP/langapp.found" || fail "Go findings lack the binary path"

echo "== 2. bullseye: Debian backports"
"$VIGIL_BIN" image "oci:$FIX/bullseye/oci:bullseye" --db "$TMP/vuln.db" --format json \
  -o "$TMP/bullseye.json" || fail "vigil image bullseye"
findings "$TMP/bullseye.json" > "$TMP/bullseye.found"
D="$SHARED/debian-security-tracker-2023-04/data"
python3 "$HERE/expected_debian.py" bullseye "$FIX/bullseye/installed.tsv" "$D/DSA/list" \
  "$D/DLA/list" > "$TMP/debian.oracle"
# The oracle names binary packages; pair them with their installed version.
awk -F'\t' 'NR==FNR {v[$1]=$2; next} {print "Debian:11\t" $1 "\t" v[$1] "\t" $2}' \
  "$FIX/bullseye/installed.tsv" "$TMP/debian.oracle" > "$TMP/bullseye.expected"
grep -q "vigil-synthetic-xserver	.*	DSA-5380-1" "$TMP/bullseye.expected" ||
  fail "oracle lost the synthetic xorg-server entry"
compare "$TMP/bullseye.expected" "$TMP/bullseye.found" '^Debian' ||
  fail "Debian findings differ from the oracle"
if grep -q "^Debian[^	]*	vigil-synthetic-fixed	" "$TMP/bullseye.found"; then
  fail "a package at the fixed version was reported"
fi

echo "== 3. OS ownership"
# The dpkg-owned PyYAML and fzf are never matched as language packages; the /app copies are.
if grep -E "^(PyPI|Go)	" "$TMP/bullseye.found" | grep -q "	/usr/"; then
  grep -E "^(PyPI|Go)	" "$TMP/bullseye.found" | grep "	/usr/" >&2
  fail "a dpkg-owned language package was matched"
fi
grep -q "^PyPI	PyYAML	5.3.1	/app/.*PYSEC-2021-142" "$TMP/bullseye.found" ||
  fail "PyYAML copied to /app was not matched (PYSEC-2021-142)"
grep -q "^Go	stdlib	.*	/app/bin/fzf	" "$TMP/bullseye.found" ||
  fail "fzf copied to /app was not matched as a Go binary"
"$VIGIL_BIN" sbom "oci:$FIX/bullseye/oci:bullseye" --format json -o "$TMP/bullseye.sbom.json" ||
  fail "vigil sbom bullseye"
python3 - "$TMP/bullseye.sbom.json" <<'PY' || fail "SBOM ownership"
import json, sys
s = json.load(open(sys.argv[1]))
comps = s["components"]
def find(eco, pred):
    return [c for c in comps if c.get("ecosystem") == eco and pred(c)]
owned_py = find("pypi", lambda c: c.get("location", "").startswith("/usr/lib/python3/"))
app_py = find("pypi", lambda c: c.get("location", "").startswith("/app/"))
owned_go = find("golang", lambda c: c.get("location", "") == "/usr/bin/fzf")
app_go = find("golang", lambda c: c.get("location", "") == "/app/bin/fzf")
assert owned_py and all(c.get("owner_purl", "").startswith("pkg:deb/debian/python3-yaml@")
                        for c in owned_py), owned_py
assert app_py and not any(c.get("owner_purl") for c in app_py), app_py
assert owned_go and all(c.get("owner_purl", "").startswith("pkg:deb/debian/fzf@")
                        for c in owned_go), owned_go
assert app_go and not any(c.get("owner_purl") for c in app_go), app_go
print("ownership: %d owned PyPI, %d owned Go, %d + %d unowned copies"
      % (len(owned_py), len(owned_go), len(app_py), len(app_go)))
PY
echo "PASS"
