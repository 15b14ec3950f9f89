#!/bin/bash
# The CI contract through the real binary, on real manifests: exit 0 / N (--exit-code) / 2 / 3,
# --severity selecting what counts, suppression kept and counted, malformed YAML reported
# with file and line and a non-zero exit, and SARIF output valid against SARIF 2.1.0.
set -u
VIGIL=${VIGIL_BIN:?}
SRC=${VIGIL_SOURCE_DIR:?}
D="$SRC/testdata/e2e/config"
WORK=$(mktemp -d /tmp/vigil-config-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
pass=0
fails=0
expect() {  # expect NAME RC CMD...
  local name=$1 want=$2
  shift 2
  "$@" >"$WORK/out" 2>"$WORK/err"
  local rc=$?
  if [ "$rc" = "$want" ]; then pass=$((pass + 1)); else
    echo "FAIL $name: exit $rc, want $want"; head -20 "$WORK/out" "$WORK/err"; fails=$((fails + 1))
  fi
}
contains() {  # contains NAME FILE TEXT
  if grep -q -- "$3" "$2"; then pass=$((pass + 1)); else
    echo "FAIL $1: '$3' not in $2:"; head -20 "$2"; fails=$((fails + 1))
  fi
}

# compliant.yaml meets the Pod Security Standards (restricted); the wider default check set
# (probes, resource limits, NetworkPolicy coverage) still has findings for it.
expect "PSS-compliant pod, gated on pss-restricted" 0 "$VIGIL" config "$D/compliant.yaml" \
  --standard pss-restricted --exit-code 1
expect "PSS-compliant pod, gated on every check" 1 "$VIGIL" config "$D/compliant.yaml" \
  --exit-code 1
expect "privileged, not gated" 0 "$VIGIL" config "$D/privileged.yaml"
expect "privileged, gated" 1 "$VIGIL" config "$D/privileged.yaml" --exit-code 1
expect "privileged, gated with 7" 7 "$VIGIL" config "$D/privileged.yaml" --exit-code 7
expect "only CRITICAL counts" 0 "$VIGIL" config "$D/privileged.yaml" --severity CRITICAL --exit-code 1
expect "HIGH counts" 1 "$VIGIL" config "$D/privileged.yaml" --severity high,critical --exit-code 1
expect "bad severity is a usage error" 2 "$VIGIL" config "$D/privileged.yaml" --severity urgent
expect "bad format is a usage error" 2 "$VIGIL" config "$D/privileged.yaml" -f yaml

expect "json" 1 "$VIGIL" config "$D/privileged.yaml" -f json --exit-code 1
python3 - "$WORK/out" <<'PY' && pass=$((pass + 1)) || fails=$((fails + 1))
import json, sys
r = json.load(open(sys.argv[1]))
ids = {f["id"] for f in r["findings"]}
f = next(f for f in r["findings"] if f["id"] == "VGL-K8S-001")
ok = (r["schema"] == "vigil.report/v1" and f["kind"] == "misconfig" and f["severity"] == "high"
      and f["location"]["line"] == 13 and f["location"]["resource"] == "Deployment/shop/web"
      and "pss-baseline/privileged" in f["controls"])
print("ok json" if ok else f"FAIL json: {f}")
sys.exit(0 if ok else 1)
PY

# `vigil fs --scanners misconfig` runs the same checks over a tree.
expect "fs misconfig, gated" 1 "$VIGIL" fs "$D" --scanners misconfig --exit-code 1 -f json
contains "fs misconfig finds privileged" "$WORK/out" "VGL-K8S-001"
expect "fs with a pending scanner" 3 "$VIGIL" fs "$D" --scanners vuln

# Suppressed findings are kept, marked and not counted.
expect "ignored, gated" 0 "$VIGIL" config "$D/privileged.yaml" --severity HIGH --exit-code 1 \
  --ignore VGL-K8S-001 -f json
contains "suppressed kept" "$WORK/out" '"suppressed"'

# SARIF 2.1.0, validated against the official schema.
expect "sarif" 0 "$VIGIL" config "$D/privileged.yaml" -f sarif -o "$WORK/out.sarif"
expect "sarif valid" 0 python3 "$SRC/testdata/schemas/validate.py" check sarif "$WORK/out.sarif"
contains "sarif region" "$WORK/out.sarif" '"startLine": 13'

# An audit (--standard) adds the compliance section, which the report schema describes.
expect "audit json" 0 "$VIGIL" config "$D/privileged.yaml" --standard pss-baseline \
  --standard nsa -f json -o "$WORK/audit.json"
expect "audit json valid" 0 python3 "$SRC/testdata/schemas/validate.py" check vigil-report \
  "$WORK/audit.json"
contains "audit scores pss-baseline" "$WORK/audit.json" '"id": "pss-baseline"'

# Writing to a device writes through it; the atomic rename must never replace the node.
expect "output to /dev/null" 0 "$VIGIL" config "$D/privileged.yaml" -f json -o /dev/null
if [ -c /dev/null ]; then pass=$((pass + 1)); else
  echo "FAIL /dev/null is no longer a character device"; fails=$((fails + 1))
fi

# Malformed YAML: file and line named, report still written, exit 3.
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers: [unclosed\n' \
  > "$WORK/bad.yaml"
expect "malformed yaml" 3 "$VIGIL" config "$WORK/bad.yaml" -f json
contains "malformed names file:line" "$WORK/err" "bad.yaml:7"
expect "missing path" 3 "$VIGIL" config "$WORK/does-not-exist.yaml"

echo "$pass passed, $fails failed"
[ "$fails" = 0 ]
