#!/bin/sh
# vigil config --policy / --ignorefile end to end: custom findings in JSON and SARIF with
# their own ids and lines, --standard selecting them by control, the ignore file keyed by
# id + resource glob, a bad policy rejected with file:line (exit 2). Exit 77 without the
# binary (VIGIL_BIN unset).
set -u
BIN=${VIGIL_BIN:-}
[ -n "$BIN" ] && [ -x "$BIN" ] || { echo "SKIP: VIGIL_BIN not built"; exit 77; }
SRC=${VIGIL_SOURCE_DIR:-$(pwd)}
CASE="$SRC/testdata/config/policy/cases/images"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
check() { # description, python expression over the JSON report `r`
  if ! python3 -c "import json,sys; r=json.load(open('$TMP/out.json')); sys.exit(0 if ($2) else 1)"; then
    echo "FAIL: $1"; fail=1
  else
    echo "ok: $1"
  fi
}
cd "$TMP" || exit 1
cp "$CASE/workloads.yaml" .
mkdir policies && cp "$CASE/policy.yaml" policies/

"$BIN" config workloads.yaml --policy "$CASE/policy.yaml" -f json -o out.json 2>err.txt
check "custom findings at their lines" \
  "sorted((f['location']['line'], f['location']['resource']) for f in r['findings'] if f['id']=='ACME-IMG-001') == [(13, 'Deployment/prod/web'), (22, 'Pod/default/debug'), (37, 'CronJob/default/report')]"
check "built-in checks still run" "any(f['id'].startswith('VGL-K8S-') for f in r['findings'])"
check "controls and message carried" \
  "all('acme/1.2' in f.get('controls', []) and 'is not from registry.acme.io' in f.get('description','') for f in r['findings'] if f['id']=='ACME-IMG-001')"

rm -f out.json
"$BIN" config workloads.yaml --policy policies --standard acme -f json -o out.json 2>err.txt
check "--standard acme selects only the custom checks" \
  "{f['id'] for f in r['findings']} == {'ACME-IMG-001'}"

cat > ignore.yaml <<'YAML'
misconfigurations:
- id: ACME-IMG-001
  resources: ["Deployment/prod/*", "CronJob/**"]
  statement: accepted until migration
YAML
"$BIN" config workloads.yaml --policy "$CASE/policy.yaml" --standard acme --ignorefile ignore.yaml \
  -f json -o out.json 2>err.txt
check "ignore file suppresses by resource glob, keeps the finding" \
  "sorted((f['location']['resource'], f['status']) for f in r['findings']) == [('CronJob/default/report', 'suppressed'), ('Deployment/prod/web', 'suppressed'), ('Pod/default/debug', 'fail')]"

"$BIN" config workloads.yaml --policy "$CASE/policy.yaml" -f sarif -o out.sarif 2>err.txt
if grep -q '"ruleId": *"ACME-IMG-001"' out.sarif; then echo "ok: SARIF rule id"; else echo "FAIL: SARIF rule id"; fail=1; fi

"$BIN" config workloads.yaml --policy "$SRC/testdata/config/policy/bad/unknown_operator.yaml" \
  -o out.txt 2>err.txt
rc=$?
if [ "$rc" = 2 ] && grep -q "unknown_operator.yaml:9: policy ACME-1: unknown operator 'eq'" err.txt; then
  echo "ok: bad policy is a usage error naming file:line"
else
  echo "FAIL: bad policy: exit $rc"; cat err.txt; fail=1
fi
exit $fail
