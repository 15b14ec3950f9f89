#!/bin/bash
# `vigil agent` live (label kernel): capture for 2 s while this script opens a file and runs a
# process, record it, and check that the recording replays to exactly the lines the live run
# wrote (issue 8: "a recording replayed yields the same events"). Skips (77) without root or
# when the live source cannot load (the message says why). Rules are off (--no-rules): live,
# the State also knows the host's processes from /proc (ancestry, exe), which a replay, built
# from the recorded events alone, does not; src/rules/live_rules_test.sh compares the
# container-attributed alerts of a replay with the live run's.
set -u
VIGIL=${VIGIL_BIN:?VIGIL_BIN not set}
[ "$(id -u)" = 0 ] || { echo "skip: live capture needs root"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$VIGIL" agent --no-rules --duration 2s --events --record "$T/live.vgl" -o "$T/live.jsonl" 2>"$T/err" &
pid=$!
sleep 0.7
marker="$T/vigil-live-marker"
echo x >"$marker"
cat "$marker" >/dev/null
/bin/true vigil-live-arg
wait $pid
rc=$?
if [ $rc != 0 ]; then
  if grep -q "live capture:" "$T/err"; then echo "skip: $(cat "$T/err")"; exit 77; fi
  echo "FAIL live run exit $rc: $(cat "$T/err")"; exit 1
fi
fails=0
[ -s "$T/live.jsonl" ] || { echo "FAIL no events captured"; fails=1; }
grep -q "vigil-live-marker" "$T/live.jsonl" || { echo "FAIL the marker file's open was not seen"; fails=1; }
"$VIGIL" agent --no-rules --replay "$T/live.vgl" --events -o "$T/replayed.jsonl" 2>/dev/null ||
  { echo "FAIL replay of the live recording"; fails=1; }
cmp -s "$T/live.jsonl" "$T/replayed.jsonl" ||
  { echo "FAIL the replay differs from the live run"; diff "$T/live.jsonl" "$T/replayed.jsonl" | head; fails=1; }
echo "$(wc -l <"$T/live.jsonl") events; $fails failed"
[ $fails = 0 ]
