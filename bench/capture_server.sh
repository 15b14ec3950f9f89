#!/bin/sh
# Benchmark (1) of issue 8 (label slow, needs root): a real server under load, with and without
# the live capture. SERVER picks it:
#  - redis (default, bench_capture_redis): Debian's redis-server on loopback (own port, no
#    persistence) driven by its own client, redis-benchmark (SET and GET, 50 clients);
#  - nginx (bench_capture_nginx): Debian's nginx, one worker, serving a 4 KiB static page with
#    its default access log, driven by wrk (one thread, 50 keep-alive connections). Every
#    request opens, reads and closes the file and writes a log line: two captured calls
#    (openat, close) among seven, where a redis request makes only counted calls.
# Each round runs three sides back to back, in an order that rotates from round to round:
#  - none: nothing attached;
#  - floor: bench_capture_agent --floor $FLOOR, a program that returns at once on the raw
#    sys_exit tracepoint (tp_btf, the default) — the cost of the hook itself, which on this
#    kind of VM puts every syscall of every task on the kernel's slow path;
#  - agent: bench_capture_agent, the eBPF source with default settings drained as the agent
#    does.
# Prints, for each side over ROUNDS rounds, the median requests/s with its min-max spread and
# the median CPU time the server spent per request (all its threads' on-CPU nanoseconds from
# /proc/PID/task/*/schedstat; clock ticks from /proc/PID/stat where schedstat is missing; for
# nginx, its worker's); the slowdown of the floor and of the agent against none, of the agent
# against the floor, and the agent's own CPU (draining, and loading the probe). Then, outside
# the timed rounds, one more run with kernel.bpf_stats_enabled (restored afterwards) prints each
# probe program's runs and nanoseconds per run, a figure that depends little on the machine's
# load (bpftool needed; skipped otherwise).
# Throughput on a shared 2-core machine swings far more than 5 % between runs; the server's CPU
# per request is what the probe adds to the traced server and is steadier under others' load,
# so that is what the target is asserted on. The client runs on the same machine and its own
# system calls pass through the hook too, which the throughput also reflects.
# The server, the client and the agent run at nice -10 so that other work on a shared machine
# (builds) perturbs the measurement less.
# Target (issue 8): the agent's CPU per request <= 5 % over none; the script fails above it,
# whatever the floor. Exit 77 = skipped.
set -eu

SERVER=${SERVER:-redis}
ROUNDS=${ROUNDS:-9}
FLOOR=${FLOOR:-tp_btf}
REQUESTS=${REQUESTS:-20000}  # redis: SET and GET requests per run, each
DURATION=${DURATION:-2}      # nginx: seconds of wrk per run
PORT=${PORT:-16399}
AGENT=${VIGIL_BUILD_DIR:-build}/bench/bench_capture_agent
PATH="$PATH:/usr/sbin"  # nginx
me="capture_$SERVER"

case "$SERVER" in
  redis) tools="redis-server redis-benchmark redis-cli" ;;
  nginx) tools="nginx wrk curl" ;;
  *) echo "$me: SERVER must be redis or nginx"; exit 1 ;;
esac
if [ "$(id -u)" != 0 ]; then echo "$me: skipped: needs root (loads the eBPF probe)"; exit 77; fi
for tool in $tools; do
  command -v $tool >/dev/null || { echo "$me: skipped: $tool missing (scripts/install-deps)"; exit 77; }
done
[ -x "$AGENT" ] || { echo "$me: $AGENT not built"; exit 1; }

tmp=$(mktemp -d)
server_pid=""  # the process started here (nginx: its master, whose exit stops the worker)
agent_pid=""
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

if [ "$SERVER" = redis ]; then
  nice -n -10 redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp" \
    --daemonize no --loglevel warning >"$tmp/server.log" 2>&1 &
  server_pid=$!
  ready() { redis-cli -p "$PORT" ping >/dev/null 2>&1; }
else
  # One worker, so that its CPU per request compares with redis's one thread; the access log
  # stays on, as nginx ships.
  mkdir -p "$tmp/html" "$tmp/logs" "$tmp/temp/body" "$tmp/temp/proxy" "$tmp/temp/fastcgi" \
    "$tmp/temp/uwsgi" "$tmp/temp/scgi"
  head -c 3072 /dev/urandom | base64 -w 76 >"$tmp/html/index.html"
  chmod a+rx "$tmp" "$tmp/html" && chmod a+r "$tmp/html/index.html"  # the worker's user reads it
  cat >"$tmp/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log $tmp/logs/access.log;
  client_body_temp_path $tmp/temp/body;
  proxy_temp_path $tmp/temp/proxy;
  fastcgi_temp_path $tmp/temp/fastcgi;
  uwsgi_temp_path $tmp/temp/uwsgi;
  scgi_temp_path $tmp/temp/scgi;
  server { listen 127.0.0.1:$PORT; root $tmp/html; }
}
EOF
  nice -n -10 nginx -c "$tmp/nginx.conf" -p "$tmp" >"$tmp/server.log" 2>&1 &
  server_pid=$!
  ready() { curl -sf -o /dev/null "http://127.0.0.1:$PORT/index.html"; }
fi
i=0
until ready; do
  i=$((i + 1)); [ $i -lt 100 ] || { echo "$me: $SERVER did not start"; cat "$tmp/server.log" "$tmp"/logs/*.log 2>/dev/null; exit 1; }
  sleep 0.05
done
# The process whose CPU is measured: redis-server itself, or nginx's one worker.
measured_pid=$server_pid
if [ "$SERVER" = nginx ]; then
  measured_pid=$(pgrep -P "$server_pid" | head -1)
  [ -n "$measured_pid" ] || { echo "$me: no nginx worker"; exit 1; }
fi

# The server's CPU time so far in nanoseconds: the sum over its threads of schedstat's on-CPU
# time, or utime + stime in clock ticks (10 ms resolution) without schedstat.
server_ns() {
  if [ -r "/proc/$measured_pid/schedstat" ]; then
    cat /proc/"$measured_pid"/task/*/schedstat | awk '{ s += $1 } END { printf "%.0f", s }'
  else
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1e9 / hz }' "/proc/$measured_pid/stat"
  fi
}

# One client run: "<requests/s> <server CPU nanoseconds per request>". redis: the mean of
# redis-benchmark's SET and GET rates, over 2 x REQUESTS requests; nginx: wrk's rate over
# DURATION seconds, and the requests it completed. A client that reports nothing, or nginx
# answers other than 2xx, end the run with an error: the figures would mean nothing.
bench() {
  t0=$(server_ns)
  if [ "$SERVER" = redis ]; then
    n=$((2 * REQUESTS))
    rps=$(nice -n -10 redis-benchmark -p "$PORT" -t set,get -n "$REQUESTS" -c 50 -q --csv 2>/dev/null |
      awk -F'"' '$2 == "SET" || $2 == "GET" { s += $4; n++ } END { if (n) printf "%.0f", s / n }')
  else
    out=$(nice -n -10 wrk -t1 -c50 -d"${DURATION}s" "http://127.0.0.1:$PORT/index.html")
    if echo "$out" | grep -q 'Non-2xx'; then echo "$me: wrk saw errors: $out" >&2; exit 1; fi
    rps=$(echo "$out" | awk '$1 == "Requests/sec:" { printf "%.0f", $2 }')
    n=$(echo "$out" | awk '/requests in/ { print $1 }')
  fi
  t1=$(server_ns)
  if [ -z "$rps" ] || [ "${n:-0}" -le 0 ]; then echo "$me: the client reported nothing" >&2; exit 1; fi
  echo "$rps $(( (t1 - t0) / n ))"
}

# Programs on the syscall tracepoints that this script did not attach (another agent or test,
# a leftover loader) put the "none" side on the slow path too and hide the cost: name them.
tracers() {
  command -v bpftool >/dev/null || return 0
  bpftool prog show 2>/dev/null | awk '$2 == "tracing" || $2 == "raw_tracepoint" || $2 == "tracepoint" { print $4 }' | sort | uniq -c | tr '\n' ' '
}
others=$(tracers)
[ -z "$others" ] || echo "$me: WARNING: tracing programs already loaded (count name): $others- the figures below are skewed"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
bench >/dev/null  # warm-up
: >"$tmp/none"; : >"$tmp/floor"; : >"$tmp/agent"

# Runs one side of a round: nothing attached, the floor program, or the agent. Appends
# "<req/s> <server ns/req>" to $tmp/<side> (and, for the agent, its drain CPU % of a core and
# its load CPU seconds).
side() {
  if [ "$1" = none ]; then bench >>"$tmp/none"; return; fi
  if [ "$1" = floor ]; then
    nice -n -10 "$AGENT" --floor "$FLOOR" >"$tmp/side.out" 2>&1 &
  else
    nice -n -10 "$AGENT" >"$tmp/side.out" 2>&1 &
  fi
  agent_pid=$!
  i=0
  until grep -q ready "$tmp/side.out" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 200 ] || { echo "$me: $1 did not start"; cat "$tmp/side.out"; exit 1; }
    kill -0 "$agent_pid" 2>/dev/null || { echo "$me: $1 failed"; cat "$tmp/side.out"; exit 1; }
    sleep 0.02
  done
  result=$(bench)
  kill -TERM "$agent_pid"; wait "$agent_pid" || true; agent_pid=""
  if [ "$1" = agent ]; then
    echo "$result $(sed -n 's/.*load cpu \([0-9.]*\)s drain cpu .*(\([0-9.]*\)% of a core).*/\2 \1/p' "$tmp/side.out")" >>"$tmp/agent"
    echo "$(grep events "$tmp/side.out")" >"$tmp/agent.line"
  else
    echo "$result" >>"$tmp/floor"
  fi
}

# The three sides run back to back in each round, in an order that rotates from round to
# round, so that drift in the machine's load and any order effect hit all three alike.
r=1
while [ $r -le "$ROUNDS" ]; do
  case $((r % 3)) in
    1) order="none floor agent" ;;
    2) order="floor agent none" ;;
    0) order="agent none floor" ;;
  esac
  for s in $order; do side "$s"; done
  echo "round $r ($order): none $(sed -n "${r}p" "$tmp/none"), floor $(sed -n "${r}p" "$tmp/floor"), agent $(sed -n "${r}p" "$tmp/agent" | cut -d' ' -f1-2) (req/s, server ns/req); $(cat "$tmp/agent.line")"
  r=$((r + 1))
done

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
sleep 1  # a detached program is freed after an RCU grace period: not listed as loaded then
others=$(tracers)
[ -z "$others" ] || echo "$me: WARNING: tracing programs loaded at the end (count name): $others"
status=0
python3 - "$tmp/none" "$tmp/floor" "$tmp/agent" "$FLOOR" "$SERVER" <<'PY' || status=$?
import statistics, sys
def load(path):
    return [[float(x) for x in line.split()] for line in open(path) if line.strip()]
none, floor, agent = load(sys.argv[1]), load(sys.argv[2]), load(sys.argv[3])
med = statistics.median
def spread(v):
    return f"{min(v):.0f}-{max(v):.0f}"
# The sides of one round run back to back, so their ratio cancels most of the drift in the
# machine's load; each slowdown is the median of the per-round ratios.
def slowdowns(side, base):
    rps = 100 * (1 - med(s[0] / b[0] for s, b in zip(side, base)))
    cpu = 100 * (med(s[1] / b[1] for s, b in zip(side, base)) - 1)
    return rps, cpu
client = {"redis": "redis-benchmark SET+GET on redis-server",
          "nginx": "wrk on nginx (one worker)"}[sys.argv[5]]
print(f"{client}, {len(none)} rounds, medians (spread) of req/s and of the server's CPU ns per "
      "request:")
for name, rows in (("none", none), (f"floor ({sys.argv[4]})", floor), ("agent", agent)):
    rps, cpu = [r[0] for r in rows], [r[1] for r in rows]
    print(f"  {name:15s} {med(rps):8.0f} req/s ({spread(rps)})  {med(cpu):6.0f} ns/req "
          f"({spread(cpu)})")
f_rps, f_cpu = slowdowns(floor, none)
a_rps, a_cpu = slowdowns(agent, none)
o_rps, o_cpu = slowdowns(agent, floor)
print(f"floor against none: CPU per request {f_cpu:+.1f}%, throughput change {-f_rps:+.1f}% "
      "(the hook alone: a program that returns at once)")
print(f"agent against none: CPU per request {a_cpu:+.1f}%, throughput change {-a_rps:+.1f}% "
      "(target: CPU per request <= +5%)")
print(f"agent against floor: CPU per request {o_cpu:+.1f}%, throughput change {-o_rps:+.1f}% "
      "(what the probe's work and the reader add to the hook)")
if 0 < f_cpu <= a_cpu:
    print(f"of the agent's {a_cpu:+.1f}% CPU per request, {f_cpu:+.1f}% is the hook itself "
          f"({100 * f_cpu / a_cpu:.0f}%)")
elif f_cpu <= 0:
    print("the floor measured no cost against none in this run: noise at this load, no split")
else:
    print("the agent measured below the floor in this run: noise at this load, no split")
drain = [r[2] for r in agent if len(r) > 2]
load_cpu = [r[3] for r in agent if len(r) > 3]
if drain:
    print(f"agent's own CPU while draining: median {med(drain):.2f}% of a core "
          f"({min(drain):.2f}-{max(drain):.2f}); loading and attaching the probe "
          f"(once per start, before the benchmark): median {med(load_cpu):.3f} s")
sys.exit(0 if a_cpu <= 5 else 1)
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
      "kernel.bpf_stats_enabled (its clock reads add ~55 ns to each run on the development VM: "
      "bench_capture_mix measures them with the floor program):")
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
