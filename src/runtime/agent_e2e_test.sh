#!/bin/bash
# `vigil agent` end to end through the real binary: --replay of a committed recording with
# --events, --record of the replay (replayed again: identical lines), --format text, the
# metrics endpoint over HTTP while the agent runs, exit codes (docs/agent.md).
set -u
VIGIL=${VIGIL_BIN:?VIGIL_BIN not set}
SRC=${VIGIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CAPTURE=$SRC/testdata/runtime/replay/basic/capture.vgl
[ -f "$CAPTURE" ] || { echo "skip: $CAPTURE absent"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

"$VIGIL" agent --replay "$CAPTURE" --events --record "$T/again.vgl" -o "$T/a.jsonl" 2>"$T/err"
rc=$?
[ $rc = 0 ] || fail "replay exit $rc: $(cat "$T/err")"
[ "$(wc -l <"$T/a.jsonl")" = 17 ] ||
  fail "want 14 events + 2 alerts of the built-in rules + 1 drop alert, got $(wc -l <"$T/a.jsonl")"
python3 - "$T/a.jsonl" <<'PY' || fail "lines are not the expected JSON"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[1]["type"] == "exec" and lines[1]["args"] == ["sh", "-c", "id"], lines[1]
# Each rule alert follows the event that raised it: the shadow read, the memfd execution.
assert lines[3]["rule"] == "Read sensitive file untrusted", lines[3]
assert lines[3]["output_fields"]["fd.name"] == "/etc/shadow", lines[3]
assert lines[5]["syscall"] == "connect" and lines[5]["addr"] == "10.1.2.3:443", lines[5]
assert lines[12]["rule"] == "Fileless execution via memfd_create", lines[12]
alert = lines[-1]
for k in ("output", "priority", "rule", "time", "output_fields", "source", "tags", "hostname"):
    assert k in alert, k
assert alert["rule"] == "Falco internal: syscall event drop"
assert alert["output_fields"]["n_drops"] == "17"
PY
"$VIGIL" agent --replay "$T/again.vgl" --events -o "$T/b.jsonl" 2>/dev/null || fail "re-replay"
cmp -s "$T/a.jsonl" "$T/b.jsonl" || fail "the recording of a replay gives different events"
"$VIGIL" agent --replay "$CAPTURE" --format text 2>/dev/null | grep -q ': Critical Falco internal: syscall event drop. 17 system calls' ||
  fail "text alert"

# Exit codes: usage 2, runtime 3 with a message naming the problem.
"$VIGIL" agent --replay "$CAPTURE" --format yaml >/dev/null 2>&1; [ $? = 2 ] || fail "bad format not 2"
"$VIGIL" agent --replay "$CAPTURE" --duration 5parsecs >/dev/null 2>&1; [ $? = 2 ] || fail "bad duration not 2"
"$VIGIL" agent --replay "$SRC/testdata/runtime/replay/truncated/capture.vgl" >/dev/null 2>"$T/err"
[ $? = 3 ] || fail "truncated recording not 3"
grep -q "offset 69: truncated block" "$T/err" || fail "truncation message: $(cat "$T/err")"
"$VIGIL" agent --replay /nonexistent.vgl >/dev/null 2>"$T/err"; [ $? = 3 ] || fail "missing file not 3"
echo "not a capture" >"$T/x.vgl"
"$VIGIL" agent --replay "$T/x.vgl" >/dev/null 2>"$T/err"; [ $? = 3 ] || fail "foreign file not 3"
grep -q "not a Vigil capture" "$T/err" || fail "foreign file message"

# Metrics while a paced replay runs (14 events 1 us apart at 1e-6 speed ~ 14 s; stopped early).
"$VIGIL" agent --replay "$CAPTURE" --pace 0.000001 --metrics 127.0.0.1:0 -o /dev/null 2>"$T/err" &
pid=$!
port=""
for _ in $(seq 50); do
  port=$(sed -n 's/.*metrics on port \([0-9]*\).*/\1/p' "$T/err")
  [ -n "$port" ] && break
  sleep 0.1
done
sleep 1.2
if [ -n "$port" ]; then
  curl -fsS "http://127.0.0.1:$port/metrics" >"$T/metrics" || fail "GET /metrics"
  grep -q '^vigil_agent_events_total{type="syscall"} ' "$T/metrics" || fail "metrics page: $(head -5 "$T/metrics")"
  grep -q '^process_resident_memory_bytes ' "$T/metrics" || fail "memory metric"
else
  fail "no metrics port announced: $(cat "$T/err")"
fi
kill -TERM $pid
wait $pid
rc=$?
[ $rc = 0 ] || fail "SIGTERM should end the agent with 0, got $rc"

echo "$fails failed"
[ $fails = 0 ]
