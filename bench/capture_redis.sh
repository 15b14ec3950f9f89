#!/bin/sh
# Benchmark (1) of issue 8 (label slow, needs root): a real server under load, with and without
# the live capture. Debian's redis-server on loopback (own port, no persistence) is driven by
# redis-benchmark (SET and GET, 50 clients); each round runs once without and once with
# bench_capture_agent (the eBPF source with default settings, drained as the agent does),
# interleaved so that drift in the machine's load hits both alike. Prints, for each side over
# ROUNDS rounds, the median requests/s with its min-max spread and the median CPU time
# redis-server spent per request (all its threads' on-CPU nanoseconds from
# /proc/PID/task/*/schedstat; clock ticks from /proc/PID/stat where schedstat is missing), and the
# slowdown of each. Then, outside the timed rounds, one more run with kernel.bpf_stats_enabled
# (restored afterwards) prints each probe program's runs and nanoseconds per run, a figure that
# depends little on the machine's load (bpftool needed; skipped otherwise).
# Throughput on a shared 2-core machine swings far more than 5 % between runs; redis-server's
# CPU per request is what the probe adds to the traced server and is stable under others'
# load, so that is what the target is asserted on.
# The server, the client and the agent run at nice -10 so that other work on a shared machine
# (builds) perturbs the measurement less.
# Target (issue 8): <= 5 % slowdown; the script fails above it. Exit 77 = skipped.
set -eu

ROUNDS=${ROUNDS:-5}
REQUESTS=${REQUESTS:-30000}
PORT=${PORT:-16399}
AGENT=${VIGIL_BUILD_DIR:-build}/bench/bench_capture_agent

if [ "$(id -u)" != 0 ]; then echo "capture_redis: skipped: needs root (loads the eBPF probe)"; exit 77; fi
for tool in redis-server redis-benchmark redis-cli; do
  command -v $tool >/dev/null || { echo "capture_redis: skipped: $tool missing (scripts/install-deps)"; exit 77; }
done
[ -x "$AGENT" ] || { echo "capture_redis: $AGENT not built"; exit 1; }

tmp=$(mktemp -d)
redis_pid=""
agent_pid=""
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

nice -n -10 redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp" \
  --daemonize no --loglevel warning >"$tmp/redis.log" 2>&1 &
redis_pid=$!
i=0
until redis-cli -p "$PORT" ping >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt 100 ] || { echo "capture_redis: redis-server did not start"; cat "$tmp/redis.log"; exit 1; }
  sleep 0.05
done

# redis-server's CPU time so far in nanoseconds: the sum over its threads of schedstat's
# on-CPU time, or utime + stime in clock ticks (10 ms resolution) without schedstat.
server_ns() {
  if [ -r "/proc/$redis_pid/schedstat" ]; then
    cat /proc/"$redis_pid"/task/*/schedstat | awk '{ s += $1 } END { printf "%.0f", s }'
  else
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1e9 / hz }' "/proc/$redis_pid/stat"
  fi
}

# One redis-benchmark run: "<requests/s> <server CPU nanoseconds per request>", the rate being
# the mean of its SET and GET rates.
bench() {
  t0=$(server_ns)
  rps=$(nice -n -10 redis-benchmark -p "$PORT" -t set,get -n "$REQUESTS" -c 50 -q --csv 2>/dev/null |
    awk -F'"' '$2 == "SET" || $2 == "GET" { s += $4; n++ } END { if (n) printf "%.0f", s / n }')
  t1=$(server_ns)
  echo "$rps $(( (t1 - t0) / (2 * REQUESTS) ))"
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
bench >/dev/null  # warm-up
: >"$tmp/base"; : >"$tmp/agent"
r=1
while [ $r -le "$ROUNDS" ]; do
  bench >>"$tmp/base"
  nice -n -10 "$AGENT" >"$tmp/agent.out" 2>&1 &
  agent_pid=$!
  i=0
  until grep -q ready "$tmp/agent.out" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 200 ] || { echo "capture_redis: agent did not start"; cat "$tmp/agent.out"; exit 1; }
    kill -0 "$agent_pid" 2>/dev/null || { echo "capture_redis: agent failed"; cat "$tmp/agent.out"; exit 1; }
    sleep 0.02
  done
  bench >>"$tmp/agent"
  kill -TERM "$agent_pid"; wait "$agent_pid" || true; agent_pid=""
  echo "round $r: without $(sed -n "${r}p" "$tmp/base"), with $(sed -n "${r}p" "$tmp/agent") (req/s, server ns/req); agent: $(grep events "$tmp/agent.out")"
  r=$((r + 1))
done

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
python3 - "$tmp/base" "$tmp/agent" <<'PY' || status=$?
import statistics, sys
def load(path):
    rows = [line.split() for line in open(path) if line.strip()]
    return [float(r[0]) for r in rows], [float(r[1]) for r in rows]
base_rps, base_cpu = load(sys.argv[1])
agent_rps, agent_cpu = load(sys.argv[2])
# Each round's two runs are back to back, so their ratio cancels most of the drift in the
# machine's load; the slowdown is the median of the per-round ratios.
slow = 100 * (1 - statistics.median(a / b for a, b in zip(agent_rps, base_rps)))
cpu_slow = 100 * (statistics.median(a / b for a, b in zip(agent_cpu, base_cpu)) - 1)
mb, ma = statistics.median(base_rps), statistics.median(agent_rps)
cb, ca = statistics.median(base_cpu), statistics.median(agent_cpu)
print(f"redis-benchmark SET+GET x{len(base_rps)} rounds: without capture median {mb:.0f} req/s "
      f"(spread {min(base_rps):.0f}-{max(base_rps):.0f}), with capture {ma:.0f} req/s "
      f"(spread {min(agent_rps):.0f}-{max(agent_rps):.0f}): throughput slowdown {slow:.1f}% "
      f"(median of paired rounds)")
print(f"redis-server CPU per request: without {cb:.0f} ns (spread {min(base_cpu):.0f}-"
      f"{max(base_cpu):.0f}), with {ca:.0f} ns (spread {min(agent_cpu):.0f}-{max(agent_cpu):.0f}): "
      f"{cpu_slow:+.1f}% (median of paired rounds; target <= 5%)")
sys.exit(0 if cpu_slow <= 5 else 1)
PY

# The probe's own cost per program run, from the kernel's BPF run-time statistics.
stats=/proc/sys/kernel/bpf_stats_enabled
if command -v bpftool >/dev/null && [ -w "$stats" ]; then
  was=$(cat "$stats")
  ids() { bpftool prog show --json | python3 -c 'import json, sys; print(" ".join(str(p["id"]) for p in json.load(sys.stdin)))'; }
  old_ids=$(ids)
  echo 1 >"$stats"
  nice -n -10 "$AGENT" >"$tmp/agent.out" 2>&1 &
  agent_pid=$!
  i=0
  until grep -q ready "$tmp/agent.out" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 200 ] || break
    sleep 0.02
  done
  bpftool prog show --json >"$tmp/progs0.json"
  stats_run=$(bench)
  bpftool prog show --json >"$tmp/progs1.json"
  kill -TERM "$agent_pid"; wait "$agent_pid" || true; agent_pid=""
  echo "$was" >"$stats"
  python3 - "$old_ids" "$tmp/progs0.json" "$tmp/progs1.json" "$stats_run" <<'PY'
import json, sys
old = set(int(x) for x in sys.argv[1].split())
before = {p["id"]: p for p in json.load(open(sys.argv[2]))}
after = {p["id"]: p for p in json.load(open(sys.argv[3]))}
print(f"probe programs during one more run ({sys.argv[4]} req/s, server ns/req), "
      "kernel.bpf_stats_enabled (adds ~20-40 ns of clock reads to each run):")
for pid, p in sorted(after.items()):
    if pid in old or pid not in before or not p.get("name", "").startswith("vigil"):
        continue
    runs = p.get("run_cnt", 0) - before[pid].get("run_cnt", 0)
    ns = p.get("run_time_ns", 0) - before[pid].get("run_time_ns", 0)
    if runs:
        print(f"  {p['name']:16s} {runs:9d} runs (machine-wide) {ns / runs:7.1f} ns/run")
PY
fi
exit $status
