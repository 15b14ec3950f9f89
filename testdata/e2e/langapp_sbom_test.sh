#!/bin/sh
# Acceptance of the language-package issue (#4): the langapp image (make_langapp.sh) holds
# packages of every language ecosystem in their real installed formats; its SBOM must list
# each of them exactly once, with the exact purl and the file it was read from (purls.tsv),
# and nothing else of a language ecosystem. Also checks the same through CycloneDX.
set -eu
: "${VIGIL_BIN:?}" "${VIGIL_BUILD_DIR:?}" "${VIGIL_SOURCE_DIR:?}"
FIX="$VIGIL_BUILD_DIR/fixtures/langapp"
rc=0
"$VIGIL_SOURCE_DIR/testdata/e2e/make_langapp.sh" "$FIX" || rc=$?
[ $rc = 0 ] || { echo "SKIP: langapp fixture unavailable (exit $rc)"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

"$VIGIL_BIN" sbom "oci:$FIX/oci:app" --format json -o "$TMP/sbom.json" 2>"$TMP/err" ||
  { cat "$TMP/err" >&2; echo "FAIL: vigil sbom"; exit 1; }
"$VIGIL_BIN" sbom "oci:$FIX/oci:app" --format cyclonedx -o "$TMP/sbom.cdx.json" 2>/dev/null ||
  { echo "FAIL: vigil sbom --format cyclonedx"; exit 1; }
python3 - "$FIX/purls.tsv" "$TMP/sbom.json" "$TMP/sbom.cdx.json" <<'PY'
import collections, json, sys
want = collections.Counter(tuple(l.rstrip("\n").split("\t")) for l in open(sys.argv[1]) if l.strip())
sbom = json.load(open(sys.argv[2]))
lang = {"npm", "pypi", "golang", "maven", "gem", "cargo", "composer"}
got = collections.Counter((c["purl"], c.get("location", ""))
                          for c in sbom["components"] if c.get("ecosystem") in lang)
errors = []
for key in sorted(set(want) | set(got)):
    if want[key] != 1 or got[key] != 1:
        errors.append("%s at %s: expected %d, listed %d" % (key[0], key[1], want[key], got[key]))
ecosystems = collections.Counter(c.get("ecosystem") for c in sbom["components"])
cdx = json.load(open(sys.argv[3]))
cdx_purls = collections.Counter(c.get("purl") for c in cdx.get("components", []))
for purl, _ in want:
    if cdx_purls[purl] < 1:
        errors.append("%s missing from CycloneDX" % purl)
print("%d language packages expected, %d listed; ecosystems: %s"
      % (sum(want.values()), sum(got.values()), dict(sorted(ecosystems.items()))))
for e in errors:
    print("FAIL:", e)
sys.exit(1 if errors else 0)
PY
echo PASS
