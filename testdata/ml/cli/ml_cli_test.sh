#!/usr/bin/env bash
# `vigil ml` end to end over the fixtures in testdata/ml/datasets: models, train, score (exit
# 1 on alarm), eval JSON, merge, and the error exits (2 usage, 3 runtime).
set -u
VIGIL=${1:-${VIGIL_BIN:?VIGIL_BIN is not set}}
SRC=${VIGIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../../.." && pwd)}
DATA=$SRC/testdata/ml/datasets
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect CODE CMD... : runs CMD, stores stdout/stderr in $TMP/out and $TMP/err.
expect() {
  local want=$1; shift
  "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  if [ "$got" != "$want" ]; then
    fail "exit $got (want $want): $*"
    sed 's/^/  stdout: /' "$TMP/out" | head -20
    sed 's/^/  stderr: /' "$TMP/err" | head -20
  fi
}
contains() {  # FILE TEXT
  grep -qF -- "$2" "$1" || { fail "$1 lacks '$2'"; sed 's/^/  | /' "$1" | head -20; }
}

expect 0 "$VIGIL" ml models
contains "$TMP/out" "stide"
expect 0 "$VIGIL" ml models --format json
python3 -c 'import json,sys; names=[m["name"] for m in json.load(open(sys.argv[1]))]; assert "stide" in names, names' "$TMP/out" || fail "models json"

# Train STIDE on the ADFA-like fixtures, calibrated on their validation traces.
expect 0 "$VIGIL" ml train --dataset-format adfa-ld --train "$DATA/adfa/Training_Data_Master" \
  --validation "$DATA/adfa/Validation_Data_Master" --model stide --param n=3 -o "$TMP/a.vml"
contains "$TMP/out" "trained stide on 3 traces (44 calls, x86_32 syscalls)"
contains "$TMP/out" "calibrated on 2 validation traces"

# Normal traces do not alarm (exit 0); the attack traces, full of unseen calls, do (exit 1).
expect 0 "$VIGIL" ml score --model-file "$TMP/a.vml" --dataset-format adfa-ld \
  "$DATA/adfa/Validation_Data_Master"
contains "$TMP/out" "0 of 2 traces alarm"
expect 1 "$VIGIL" ml score --model-file "$TMP/a.vml" --dataset-format adfa-ld \
  "$DATA/adfa/Attack_Data_Master" --format json
python3 - "$TMP/out" <<'PY' || fail "score json"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["model"] == "stide" and r["far"] == 0.05, r
assert len(r["traces"]) == 3, r
assert all(t["alarm"] for t in r["traces"]), r["traces"]
assert r["traces"][0]["group"] == "Adduser" and r["traces"][0]["label"] == "attack"
assert r["traces"][0]["reasons"], "an alarm comes with its explanation"
PY
# A rate that was not calibrated is a runtime error naming the calibrated ones.
expect 3 "$VIGIL" ml score --model-file "$TMP/a.vml" --dataset-format adfa-ld --far 0.2 \
  "$DATA/adfa/Attack_Data_Master"
contains "$TMP/err" "calibrated: 0.01, 0.05, 0.1"

# eval prints the figures issue 10 asks for.
expect 0 "$VIGIL" ml eval --dataset-format adfa-ld --train "$DATA/adfa/Training_Data_Master" \
  --validation "$DATA/adfa/Validation_Data_Master" --attack "$DATA/adfa/Attack_Data_Master" \
  --model stide --param n=3 --format json
python3 - "$TMP/out" <<'PY' || fail "eval json"
import json, sys
r = json.load(open(sys.argv[1]))
assert set(r["dr_at_far"]) == {"0.01", "0.05", "0.10"}, r["dr_at_far"]
assert r["auc"] == 1.0, r["auc"]
assert r["counts"]["train_traces"] == 3 and r["counts"]["attack_traces"] == 3, r["counts"]
assert r["classes"]["Adduser"]["traces"] == 2 and r["classes"]["Hydra_FTP"]["traces"] == 1
assert "lidds" not in r
PY

# LID-DS recordings: the exploit time gives the LID-DS metrics.
expect 0 "$VIGIL" ml eval --dataset-format lid-ds --train "$DATA/lidds/training" \
  --validation "$DATA/lidds/training" --attack "$DATA/lidds/test" --model profile --format json
python3 - "$TMP/out" <<'PY' || fail "lid-ds eval json"
import json, sys
r = json.load(open(sys.argv[1]))
l = r["lidds"]
assert l["attack_recordings"] == 1 and l["detected"] == 1 and l["detection_rate"] == 1.0, l
PY

# Merge two replicas: the calibration is dropped unless recalibrated.
expect 0 "$VIGIL" ml train --dataset-format adfa-ld --train "$DATA/adfa/Validation_Data_Master" \
  --model stide --param n=3 -o "$TMP/b.vml"
contains "$TMP/out" "not calibrated"
expect 0 "$VIGIL" ml merge "$TMP/a.vml" "$TMP/b.vml" -o "$TMP/m.vml"
contains "$TMP/out" "calibration dropped"
expect 3 "$VIGIL" ml score --model-file "$TMP/m.vml" --dataset-format adfa-ld "$DATA/adfa"
contains "$TMP/err" "no calibrated thresholds"
expect 0 "$VIGIL" ml merge "$TMP/a.vml" "$TMP/b.vml" -o "$TMP/m2.vml" \
  --validation "$DATA/adfa/Validation_Data_Master" --dataset-format adfa-ld
contains "$TMP/out" "recalibrated on 2 validation traces"
expect 0 "$VIGIL" ml score --model-file "$TMP/m2.vml" --dataset-format adfa-ld --threshold 1 \
  "$DATA/adfa/Validation_Data_Master"
# Different options do not merge.
expect 0 "$VIGIL" ml train --dataset-format adfa-ld --train "$DATA/adfa/Training_Data_Master" \
  --model stide --param n=4 -o "$TMP/c.vml"
expect 3 "$VIGIL" ml merge "$TMP/a.vml" "$TMP/c.vml" -o "$TMP/x.vml"

# Errors: usage (2) and runtime (3), each with a message.
expect 2 "$VIGIL" ml train --dataset-format adfa --train "$DATA/adfa" -o "$TMP/x.vml"
contains "$TMP/err" "unknown dataset format 'adfa'"
expect 2 "$VIGIL" ml eval --dataset-format adfa-ld --train x --validation y --far 0,0.5
expect 3 "$VIGIL" ml train --dataset-format adfa-ld --train "$DATA/adfa" --model nosuch \
  -o "$TMP/x.vml"
contains "$TMP/err" "unknown model 'nosuch'"
expect 3 "$VIGIL" ml train --dataset-format unm --train "$DATA/adfa" -o "$TMP/x.vml"
contains "$TMP/err" "expected 'PID syscall'"
head -c 100 "$TMP/a.vml" > "$TMP/cut.vml"
expect 3 "$VIGIL" ml score --model-file "$TMP/cut.vml" --dataset-format adfa-ld "$DATA/adfa"
contains "$TMP/err" "cut.vml: checksum mismatch"
expect 3 "$VIGIL" ml score --model-file "$TMP/a.vml" --dataset-format unm "$DATA/unm"
contains "$TMP/err" "syscall table sunos differs from the model's x86_32"

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "ml_cli: all checks passed"
