#!/bin/bash
# The vulnerability scanner through the real binary: a DB built with `vigil db build` from
# the small advisory samples in testdata/e2e/vuln/advisories (see its README), a directory
# with real npm package.json files and a Python dist-info scanned with `vigil fs`, and the
# CI knobs: --severity, --exit-code, --ignore-unfixed, .trivyignore (default and explicit,
# with expiry), .trivyignore.yaml, OpenVEX, json/sarif/cyclonedx validity, re-matching a
# stored SBOM with `vigil image sbom:FILE`, and a missing DB.
#
# Expected findings, computed by hand from the samples for the fixture's packages:
#   lodash 4.17.15   CVE-2020-8203 (GHSA-p6mc-m468-83gw, HIGH)  fixed 4.17.19
#                    CVE-2021-23337 (GHSA-35jh-r3h4-6jhm, HIGH) fixed 4.17.21
#                    NSWG-ECO-516 (CVSS 7.4 -> high)            patched >=4.17.19
#   request 2.88.2   CVE-2023-28155 (GHSA-p8p7-x288-28g6, MODERATE), no fix (last_affected)
#   ms 0.7.0         CVE-2015-8315 (NSWG-ECO-46, CVSS 5.3 -> medium), patched >0.7.0
#   requests 2.25.0  CVE-2023-32681 (PYSEC-2023-74, CVSS 5.9 -> medium) fixed 2.31.0
set -u
VIGIL=${VIGIL_BIN:?}
SRC=${VIGIL_SOURCE_DIR:?}
D="$SRC/testdata/e2e/vuln"
VALIDATE="$SRC/testdata/schemas/validate.py"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
WORK=$(mktemp -d /tmp/vigil-vuln-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
pass=0
fails=0
expect() {  # expect NAME RC CMD...
  local name=$1 want=$2
  shift 2
  "$@" >"$WORK/out" 2>"$WORK/err"
  local rc=$?
  if [ "$rc" = "$want" ]; then pass=$((pass + 1)); else
    echo "FAIL $name: exit $rc, want $want"; head -c 3000 "$WORK/out"; head -20 "$WORK/err"
    fails=$((fails + 1))
  fi
}
contains() {  # contains NAME FILE TEXT
  if grep -q -- "$3" "$2"; then pass=$((pass + 1)); else
    echo "FAIL $1: '$3' not in $2:"; head -20 "$2"; fails=$((fails + 1))
  fi
}
# check NAME FILE PYTHON-EXPR-OVER-r(report)-and-v(findings by (id, package) -> finding)
check() {
  if "$PY" - "$2" "$3" <<'PY'; then pass=$((pass + 1)); else echo "FAIL $1"; fails=$((fails + 1)); fi
import json, sys
r = json.load(open(sys.argv[1]))
v = {(f["id"], f.get("package", {}).get("name")): f for f in r["findings"]}
ok = eval(sys.argv[2])
if not ok:
    print("  findings:", sorted((k, f.get("severity"), f.get("status"), f.get("fixed_version"))
                                for k, f in v.items()), file=sys.stderr)
    print("  warnings:", r.get("warnings"), file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}
# The fixture is copied so the scan's working directory holds no stray .trivyignore.
cp -r "$D/fixture" "$WORK/app"
DB="$WORK/vigil.db"
cd "$WORK" || exit 1

# --- the database ------------------------------------------------------------------------
expect "db build" 0 "$VIGIL" db build --from "$D/advisories" --out "$DB"
if [ ! -s "$DB" ]; then
  echo "FAIL: vigil db build produced no database; remaining checks cannot run"
  cat "$WORK/err"
  exit 1
fi

# --- findings -------------------------------------------------------------------------
ALL='{("CVE-2020-8203","lodash"),("CVE-2021-23337","lodash"),("NSWG-ECO-516","lodash"),("CVE-2023-28155","request"),("CVE-2015-8315","ms"),("CVE-2023-32681","requests")}'
expect "fs json" 0 "$VIGIL" fs app --db "$DB" --scanners vuln -f json
cp "$WORK/out" "$WORK/all.json"
check "exactly the applicable advisories" "$WORK/all.json" "set(v) == $ALL"
check "fixed versions" "$WORK/all.json" \
  'v[("CVE-2020-8203","lodash")]["fixed_version"] == "4.17.19" and v[("CVE-2021-23337","lodash")]["fixed_version"] == "4.17.21" and v[("CVE-2023-32681","requests")]["fixed_version"] == "2.31.0" and not v[("CVE-2023-28155","request")].get("fixed_version")'
check "aliases and severities" "$WORK/all.json" \
  '"GHSA-p6mc-m468-83gw" in v[("CVE-2020-8203","lodash")]["aliases"] and "NSWG-ECO-46" in v[("CVE-2015-8315","ms")]["aliases"] and v[("CVE-2020-8203","lodash")]["severity"] == "high" and v[("CVE-2023-28155","request")]["severity"] == "medium" and v[("CVE-2023-32681","requests")]["severity"] == "medium"'
check "statuses and package data" "$WORK/all.json" \
  'v[("CVE-2020-8203","lodash")]["status"] == "fixed" and v[("CVE-2023-28155","request")]["status"] != "fixed" and v[("CVE-2020-8203","lodash")]["package"]["purl"] == "pkg:npm/lodash@4.17.15" and v[("CVE-2020-8203","lodash")]["package"]["version"] == "4.17.15" and v[("CVE-2020-8203","lodash")]["location"]["path"].endswith("node_modules/lodash/package.json") and r["target_kind"] == "filesystem" and r["summary"]["total"] == 6'
expect "table" 0 "$VIGIL" fs app --db "$DB" --scanners vuln
contains "table lists lodash" "$WORK/out" "CVE-2021-23337"
contains "table total" "$WORK/out" "Total: 6"

# --- --severity, --exit-code, --ignore-unfixed --------------------------------------------
expect "severity HIGH" 0 "$VIGIL" fs app --db "$DB" --scanners vuln -f json --severity HIGH
check "only high findings" "$WORK/out" \
  'set(v) == {("CVE-2020-8203","lodash"),("CVE-2021-23337","lodash"),("NSWG-ECO-516","lodash")}'
expect "gate: high present" 1 "$VIGIL" fs app --db "$DB" --scanners vuln --severity HIGH,CRITICAL --exit-code 1
expect "gate: no critical" 0 "$VIGIL" fs app --db "$DB" --scanners vuln --severity CRITICAL --exit-code 1
expect "gate: any, code 9" 9 "$VIGIL" fs app --db "$DB" --scanners vuln --exit-code 9
expect "bad severity" 2 "$VIGIL" fs app --db "$DB" --scanners vuln --severity urgent
expect "bad format" 2 "$VIGIL" fs app --db "$DB" --scanners vuln -f yaml
expect "ignore-unfixed" 0 "$VIGIL" fs app --db "$DB" --scanners vuln -f json --ignore-unfixed
check "unfixed request gone, rest kept" "$WORK/out" \
  '("CVE-2023-28155","request") not in v and ("CVE-2020-8203","lodash") in v and len(v) == 5'

# --- ignore files -------------------------------------------------------------------------
printf '# accepted\nCVE-2020-8203\nGHSA-35jh-r3h4-6jhm\nCVE-2023-32681 exp:2001-01-01\n' >"$WORK/.trivyignore"
expect "default ./.trivyignore" 0 "$VIGIL" fs app --db "$DB" --scanners vuln -f json
check "ignored by id and alias, expired entry not applied" "$WORK/out" \
  'v[("CVE-2020-8203","lodash")]["status"] == "suppressed" and v[("CVE-2021-23337","lodash")]["status"] == "suppressed" and v[("CVE-2023-32681","requests")]["status"] == "fixed" and r["summary"]["suppressed"] == 2 and r["summary"]["total"] == 4 and any("expired on 2001-01-01" in w for w in r["warnings"])'
contains "expiry warning on stderr" "$WORK/err" "expired on 2001-01-01"
expect "an unsuppressed HIGH still gates" 1 "$VIGIL" fs app --db "$DB" --scanners vuln --severity HIGH --ignorefile "$WORK/.trivyignore" \
  --exit-code 1 --ignore-unfixed -f json
check "NSWG-ECO-516 still counted under HIGH" "$WORK/out" 'v[("NSWG-ECO-516","lodash")]["status"] != "suppressed"'
printf 'CVE-2020-8203\nCVE-2021-23337\nNSWG-ECO-516\n' >"$WORK/high.ignore"
expect "all HIGH ignored: gate passes" 0 "$VIGIL" fs app --db "$DB" --scanners vuln --severity HIGH --ignorefile "$WORK/high.ignore" --exit-code 1
printf 'CVE-2020-8203 exp:2999-12-31\nCVE-2021-23337 exp:2999-12-31\nNSWG-ECO-516 exp:2000-01-01\n' >"$WORK/exp.ignore"
expect "an expired entry gates again" 1 "$VIGIL" fs app --db "$DB" --scanners vuln --severity HIGH --ignorefile "$WORK/exp.ignore" --exit-code 1
printf 'CVE-2020-8203 exp:2026-02-30\n' >"$WORK/bad.ignore"
expect "bad expiry is an error" 3 "$VIGIL" fs app --db "$DB" --scanners vuln --ignorefile "$WORK/bad.ignore"
contains "bad expiry names file and line" "$WORK/err" "bad.ignore:1:"
expect "missing ignore file" 3 "$VIGIL" fs app --db "$DB" --scanners vuln --ignorefile "$WORK/none.ignore"
cat >"$WORK/ignore.yaml" <<'EOF'
vulnerabilities:
  - id: CVE-2015-8315
    paths: ["**/node_modules/ms/package.json"]
    statement: ms only parses constants here
  - id: CVE-2023-32681
    purls: ["pkg:pypi/urllib3"]
EOF
rm -f "$WORK/.trivyignore"
expect "yaml ignore" 0 "$VIGIL" fs app --db "$DB" --scanners vuln -f json --ignorefile "$WORK/ignore.yaml"
check "yaml: path-scoped entry applies, purl-scoped one does not" "$WORK/out" \
  'v[("CVE-2015-8315","ms")]["status"] == "suppressed" and "ms only parses constants here" in v[("CVE-2015-8315","ms")]["remediation"] and v[("CVE-2023-32681","requests")]["status"] == "fixed"'

# --- VEX --------------------------------------------------------------------------------
cat >"$WORK/app.vex.json" <<'EOF'
{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/app-1",
  "author": "App security team",
  "timestamp": "2026-05-01T00:00:00Z",
  "version": 1,
  "statements": [
    {
      "vulnerability": {"name": "GHSA-p6mc-m468-83gw"},
      "products": [{"@id": "pkg:npm/lodash@4.17.15"}],
      "status": "not_affected",
      "justification": "vulnerable_code_not_in_execute_path",
      "impact_statement": "zipObjectDeep is never called"
    },
    {
      "vulnerability": {"name": "CVE-2023-32681"},
      "products": [{"@id": "pkg:oci/app", "subcomponents": [{"@id": "pkg:pypi/requests"}]}],
      "status": "fixed"
    },
    {
      "vulnerability": {"name": "CVE-2021-23337"},
      "products": [{"@id": "pkg:npm/lodash@4.17.21"}],
      "status": "not_affected",
      "justification": "vulnerable_code_not_present"
    }
  ]
}
EOF
expect "vex" 0 "$VIGIL" fs app --db "$DB" --scanners vuln -f json --vex "$WORK/app.vex.json"
check "vex suppresses by alias and subcomponent, not another version" "$WORK/out" \
  'v[("CVE-2020-8203","lodash")]["status"] == "suppressed" and "vulnerable_code_not_in_execute_path" in v[("CVE-2020-8203","lodash")]["remediation"] and v[("CVE-2023-32681","requests")]["status"] == "suppressed" and v[("CVE-2021-23337","lodash")]["status"] == "fixed" and r["summary"]["suppressed"] == 2'
expect "vex cyclonedx" 0 "$VIGIL" fs app --db "$DB" --scanners vuln -f cyclonedx --vex "$WORK/app.vex.json" -o "$WORK/vex.cdx.json"
printf '{"statements": [{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:npm/x"}], "status": "safe"}]}' >"$WORK/bad.vex.json"
expect "bad vex" 3 "$VIGIL" fs app --db "$DB" --scanners vuln --vex "$WORK/bad.vex.json"
contains "bad vex names file and field" "$WORK/err" "bad.vex.json: statements\[0\].status"

# --- output formats -------------------------------------------------------------------
expect "sarif" 0 "$VIGIL" fs app --db "$DB" --scanners vuln -f sarif -o "$WORK/out.sarif.json"
expect "sarif valid" 0 "$PY" "$VALIDATE" check sarif "$WORK/out.sarif.json"
expect "cyclonedx" 0 "$VIGIL" fs app --db "$DB" --scanners vuln -f cyclonedx -o "$WORK/out.cdx.json"
expect "cyclonedx valid" 0 "$PY" "$VALIDATE" check cyclonedx "$WORK/out.cdx.json"
expect "cyclonedx with vex valid" 0 "$PY" "$VALIDATE" check cyclonedx "$WORK/vex.cdx.json"
"$PY" - "$WORK/out.cdx.json" "$WORK/vex.cdx.json" <<'PY' && pass=$((pass + 1)) || fails=$((fails + 1))
import json, sys
d = json.load(open(sys.argv[1]))
refs = {c["bom-ref"]: c for c in d["components"]}
vulns = {v["id"]: v for v in d["vulnerabilities"]}
problems = []
if set(vulns) != {"CVE-2020-8203", "CVE-2021-23337", "NSWG-ECO-516", "CVE-2023-28155",
                  "CVE-2015-8315", "CVE-2023-32681"}:
    problems.append(f"vulnerabilities {sorted(vulns)}")
lodash = vulns.get("CVE-2020-8203", {})
ref = lodash.get("affects", [{}])[0].get("ref")
if refs.get(ref, {}).get("name") != "lodash":
    problems.append(f"affects ref {ref} is not the lodash component")
if lodash.get("recommendation") != "Upgrade lodash to 4.17.19":
    problems.append(f"recommendation {lodash.get('recommendation')}")
if not lodash.get("source", {}).get("url"):
    problems.append("no source url")
scored = [r for r in lodash.get("ratings", []) if r.get("vector", "").startswith("CVSS:3.1/")]
if not scored or scored[0].get("method") != "CVSSv31":
    problems.append(f"no CVSS 3.1 rating: {lodash.get('ratings')}")
v = {x["id"]: x for x in json.load(open(sys.argv[2]))["vulnerabilities"]}
a = v.get("CVE-2020-8203", {}).get("analysis", {})
if a.get("state") != "not_affected" or a.get("justification") != "code_not_reachable":
    problems.append(f"VEX analysis {a}")
if v.get("CVE-2023-32681", {}).get("analysis", {}).get("state") != "resolved":
    problems.append("VEX fixed is not resolved")
print("FAIL cyclonedx content: " + "; ".join(problems) if problems else "ok cyclonedx content")
sys.exit(1 if problems else 0)
PY
expect "json report valid" 0 "$VIGIL" fs app --db "$DB" --scanners vuln -f json -o "$WORK/report.json"
cp "$WORK/report.json" "$WORK/out.json"
expect "vigil json valid" 0 "$PY" "$VALIDATE" check vigil-report "$WORK/out.json"
expect "junit" 0 "$VIGIL" fs app --db "$DB" --scanners vuln -f junit
contains "junit testsuite" "$WORK/out" "<testsuite"

# --- re-matching a stored SBOM ----------------------------------------------------------
expect "sbom json" 0 "$VIGIL" sbom app -f json -o "$WORK/app.sbom.json"
expect "sbom cyclonedx" 0 "$VIGIL" sbom app -f cyclonedx -o "$WORK/app.cdx.json"
for s in app.sbom.json app.cdx.json; do
  expect "image sbom:$s" 0 "$VIGIL" image "sbom:$WORK/$s" --db "$DB" -f json
  "$PY" - "$WORK/all.json" "$WORK/out" <<'PY' && pass=$((pass + 1)) || { echo "FAIL re-match $s"; fails=$((fails + 1)); }
import json, sys
key = lambda f: (f["id"], f["package"]["name"], f["package"]["version"], f.get("fixed_version"),
                 f.get("severity"), f.get("status"))
a = sorted(map(key, json.load(open(sys.argv[1]))["findings"]))
b = sorted(map(key, json.load(open(sys.argv[2]))["findings"]))
if a != b:
    print("  fs:  ", a, "\n  sbom:", b, file=sys.stderr)
sys.exit(0 if a == b else 1)
PY
done
expect "sbom: missing file" 3 "$VIGIL" image "sbom:$WORK/none.json" --db "$DB"
echo '{"spdxVersion": "SPDX-2.3"}' >"$WORK/x.spdx.json"
expect "sbom: SPDX refused" 3 "$VIGIL" image "sbom:$WORK/x.spdx.json" --db "$DB"
contains "SPDX refusal says why" "$WORK/err" "SPDX"

# --- missing DB; pending scanners ---------------------------------------------------------
expect "missing db" 3 "$VIGIL" fs app --db "$WORK/nope.db" --scanners vuln
contains "missing db names the fix" "$WORK/err" "vigil db update"
contains "missing db names build" "$WORK/err" "vigil db build"
expect "missing default db" 3 "$VIGIL" fs app --cache-dir "$WORK/empty-cache" --scanners vuln
contains "default db path" "$WORK/err" "empty-cache/db/vigil.db"
expect "vuln and malware" 0 "$VIGIL" fs app --db "$DB" --scanners vuln,malware -f json
check "vuln,malware: the vuln findings, no malware in the app" "$WORK/out" \
  'len(v) == 6 and not any(f["kind"] == "malware" for f in r["findings"])'
expect "default scanners run all" 0 "$VIGIL" fs app --db "$DB" -f json
check "default scanners: the vuln findings, no scanner pending" "$WORK/out" \
  'len([f for f in r["findings"] if f["kind"] == "vulnerability"]) == 6 and not any("not implemented yet" in w for w in r["warnings"])'

echo "$pass passed, $fails failed"
[ "$fails" = 0 ]
