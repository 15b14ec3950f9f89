#!/bin/bash
# Records podman-httpd.vgl: `vigil agent --record` capturing a real podman container (a
# busybox rootfs, --network none) that starts busybox httpd on port 8080 and fetches a page
# from it twenty times with wget over loopback, plus podman/conmon/crun around it. The
# recording is then cut to the events of the container's cgroup and of the host processes
# that started it (conmon, crun), so the committed file is small and holds nothing else of
# the host. Writes <out>/podman-httpd.vgl (capture format version 2: its container records,
# kept by the filter, name the container "vigil-ml-httpd") and <out>/podman-httpd.vgl.workloads
# (the container's cgroup id named "httpd": the sidecar override, which the tests check on this
# real file).
#
# Usage: record.sh VIGIL FILTER OUT_DIR
#   VIGIL   the vigil binary; FILTER the ml_capture_filter test tool (build dir src/ml/)
# Needs root, podman and the eBPF probe; exits 77 (skip) when one is missing.
set -u
VIGIL=${1:?vigil binary}
FILTER=${2:?ml_capture_filter binary}
OUT=${3:?output directory}
[ "$(id -u)" = 0 ] || { echo "skip: recording needs root"; exit 77; }
command -v podman >/dev/null || { echo "skip: podman not installed"; exit 77; }
[ -x /bin/busybox ] || { echo "skip: /bin/busybox missing"; exit 77; }

T=$(mktemp -d /tmp/vigil-ml-record-XXXXXX)
# As the runtime's podman test: ulimits this VM's crun may set (scripts/prepare-host writes
# /etc/vigil/containers.conf; without it, a local copy).
CONF=/etc/vigil/containers.conf
if [ ! -f "$CONF" ]; then
  CONF="$T/containers.conf"
  printf '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n' >"$CONF"
fi
PODMAN="env CONTAINERS_CONF=$CONF podman --root $T/storage --runroot $T/runroot --storage-driver overlay"
cleanup() {
  $PODMAN rm -f -t 0 vigil-ml-httpd >/dev/null 2>&1
  $PODMAN rmi -a -f >/dev/null 2>&1
  umount -R "$T/storage/overlay" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

mkdir -p "$T/rootfs/bin" "$T/rootfs/www" "$T/rootfs/tmp"
cp /bin/busybox "$T/rootfs/bin/busybox"
for app in sh httpd wget sleep cat kill; do ln -s busybox "$T/rootfs/bin/$app"; done
echo '<h1>vigil</h1>' >"$T/rootfs/www/index.html"
tar -C "$T/rootfs" -cf "$T/rootfs.tar" . || exit 1
$PODMAN import -q "$T/rootfs.tar" localhost/vigil-ml-httpd:1 >/dev/null ||
  { echo "skip: podman cannot import an image here"; exit 77; }

"$VIGIL" agent --duration 14s --record "$T/all.vgl" -o /dev/null 2>"$T/agent.err" &
agent=$!
sleep 2
kill -0 $agent 2>/dev/null || { echo "skip: $(cat "$T/agent.err")"; exit 77; }

$PODMAN run -d --name vigil-ml-httpd --network none localhost/vigil-ml-httpd:1 sh -c '
  sleep 3
  httpd -f -p 8080 -h /www & server=$!
  sleep 1
  i=0
  while [ $i -lt 20 ]; do
    wget -q -O /tmp/page http://127.0.0.1:8080/index.html
    i=$((i + 1))
    sleep 0.2
  done
  cat /tmp/page >/tmp/last
  kill $server' >/dev/null || { echo "FAIL podman run"; exit 1; }
pid=$($PODMAN inspect -f '{{.State.Pid}}' vigil-ml-httpd)
cgroup=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
# The cgroup v2 mount (/sys/fs/cgroup, or .../unified on a hybrid hierarchy): the id the
# probe reports is the inode of the container's directory there.
v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
cgroup_id=$(stat -c %i "$v2$cgroup") || { echo "FAIL no cgroup directory $v2$cgroup"; exit 1; }
wait $agent

mkdir -p "$OUT"
"$FILTER" "$T/all.vgl" "$OUT/podman-httpd.vgl" "$cgroup_id" conmon crun || exit 1
printf '# cgroup id of the recorded container (record.sh)\n%s httpd\n' "$cgroup_id" \
  >"$OUT/podman-httpd.vgl.workloads"
echo "recorded $(stat -c %s "$OUT/podman-httpd.vgl") bytes; container cgroup $cgroup_id"
