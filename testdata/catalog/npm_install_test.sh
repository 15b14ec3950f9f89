#!/bin/bash
# The npm cataloger against a tree the real npm client installed: `npm install lodash@4.17.15
# minimist@0.0.8` into a temp dir, then `vigil sbom <dir> --format json` must list each
# package exactly once from node_modules/<name>/package.json and exactly once from
# package-lock.json (a directory is a filesystem scan, so lock files count), with the right
# purls, and nothing from npm's hidden lockfile node_modules/.package-lock.json.
# Exit 77 (skipped) without npm or without access to the npm registry.
set -u
VIGIL=${VIGIL_BIN:?}
[ -x "$VIGIL" ] || { echo "FAIL: $VIGIL is not built (ninja vigil)"; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "SKIP: npm is not installed"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is not installed"; exit 77; }
WORK=$(mktemp -d /tmp/vigil-npm-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
APP="$WORK/app"
mkdir -p "$APP"
printf '{\n  "name": "vigil-npm-check",\n  "version": "1.0.0",\n  "private": true\n}\n' \
  >"$APP/package.json"
if ! (cd "$APP" && timeout 90 npm install --no-audit --no-fund --ignore-scripts \
        --loglevel=error lodash@4.17.15 minimist@0.0.8) >"$WORK/npm.log" 2>&1; then
  echo "SKIP: npm install failed (no registry access?):"
  tail -5 "$WORK/npm.log"
  exit 77
fi
[ -f "$APP/node_modules/lodash/package.json" ] && [ -f "$APP/package-lock.json" ] || {
  echo "FAIL: npm install left no node_modules/lodash or package-lock.json"; exit 1; }

if ! "$VIGIL" sbom "$APP" --format json -o "$WORK/sbom.json" 2>"$WORK/err"; then
  echo "FAIL: vigil sbom exited non-zero:"; cat "$WORK/err"; exit 1
fi
python3 - "$WORK/sbom.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
comps = doc.get("components")
if comps is None:
    comps = doc.get("sbom", {}).get("components", [])
npm = [c for c in comps if c.get("ecosystem") == "npm"]
passed = failed = 0
def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name} {detail}")
for name, version, purl in [("lodash", "4.17.15", "pkg:npm/lodash@4.17.15"),
                            ("minimist", "0.0.8", "pkg:npm/minimist@0.0.8")]:
    found = [c for c in npm if c["name"] == name]
    locs = sorted(c.get("location", "") for c in found)
    want = sorted(["/node_modules/%s/package.json" % name, "/package-lock.json"])
    check(f"{name} locations", locs == want, f"got {locs}, want {want}")
    check(f"{name} versions", all(c["version"] == version for c in found),
          str([c["version"] for c in found]))
    check(f"{name} purls", all(c.get("purl") == purl for c in found),
          str([c.get("purl") for c in found]))
    check(f"{name} not dev", not any(c.get("dev") for c in found))
    installed = [c for c in found if c.get("location", "").startswith("/node_modules/")]
    check(f"{name} licence", all(c.get("licenses") == ["MIT"] for c in installed),
          str([c.get("licenses") for c in installed]))
hidden = [c for c in npm if ".package-lock.json" in c.get("location", "")]
check("hidden lockfile ignored", not hidden, str(hidden))
others = sorted({c["name"] for c in npm} - {"lodash", "minimist"})
check("nothing else", not others, str(others))
print(f"npm_install: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
