#!/bin/sh
# `vigil config` on REAL `podman inspect` output. Starts three busybox containers in a private
# containers-storage root (the host's store is never touched): a risky one (--privileged,
# --pid host, -v /var/run:/x, seccomp=unconfined), one adding capabilities and mounting /etc
# (podman lists no CapAdd for a privileged container, which has them all anyway) and a
# hardened one; inspects them into one file and checks the VGL-DKR-1xx findings per container.
# Exit 77 (skip) only when podman is not installed. Needs root (rootful podman).
set -eu
command -v podman >/dev/null 2>&1 || { echo "podman_inspect: podman not installed" >&2; exit 77; }
VIGIL=${VIGIL_BIN:?VIGIL_BIN must name the vigil binary}
[ -x /bin/busybox ] || { echo "podman_inspect: /bin/busybox (busybox-static) missing" >&2; exit 1; }

T=$(mktemp -d /tmp/vigil-dkr-podman.XXXXXX)
P="podman --root $T/root --runroot $T/runroot --storage-driver vfs"
export CONTAINERS_CONF="$T/containers.conf"
RISKY=vigil-dkr-risky-$$
SAFE=vigil-dkr-safe-$$
CAPS=vigil-dkr-caps-$$
cleanup() {
  $P rm -f -t 0 "$RISKY" "$SAFE" "$CAPS" >/dev/null 2>&1 || true
  $P rmi -f localhost/vigil-dkr-busybox:1 >/dev/null 2>&1 || true
  rm -rf "$T"
}
trap cleanup EXIT

# Rootful podman here needs lower default rlimits and (crun) the hugetlb controller on v1.
printf '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n' \
  > "$CONTAINERS_CONF"
if [ -d /sys/fs/cgroup ] && ! mountpoint -q /sys/fs/cgroup/hugetlb 2>/dev/null; then
  mkdir -p /sys/fs/cgroup/hugetlb 2>/dev/null &&
    mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb 2>/dev/null || true
fi

mkdir -p "$T/rootfs/bin"
cp /bin/busybox "$T/rootfs/bin/busybox"
ln -s busybox "$T/rootfs/bin/sh"
ln -s busybox "$T/rootfs/bin/sleep"
ln -s busybox "$T/rootfs/bin/true"
tar -C "$T/rootfs" -cf "$T/rootfs.tar" .
$P import -q "$T/rootfs.tar" localhost/vigil-dkr-busybox:1 >/dev/null

$P run -d --name "$RISKY" --network none --privileged --pid host -v /var/run:/x:ro \
  --security-opt seccomp=unconfined localhost/vigil-dkr-busybox:1 sleep 60 >/dev/null
$P run -d --name "$CAPS" --network none --cap-add SYS_ADMIN,NET_ADMIN -v /etc:/host-etc:ro \
  localhost/vigil-dkr-busybox:1 sleep 60 >/dev/null
# Without systemd podman cannot schedule the health timer and says so on stderr; the
# Healthcheck configuration is recorded all the same.
$P run -d --name "$SAFE" --network none --read-only --user 1000:1000 --memory 64m \
  --cpu-shares 512 --pids-limit 50 --security-opt no-new-privileges --cap-drop ALL \
  --health-cmd true --restart on-failure:5 \
  localhost/vigil-dkr-busybox:1 sleep 60 >/dev/null 2>"$T/safe.err"
$P inspect "$RISKY" "$SAFE" "$CAPS" > "$T/inspect.json"

# Findings exit non-zero only with --exit-code; any other failure is a test failure.
"$VIGIL" config "$T/inspect.json" --format json > "$T/report.json"

python3 - "$T/report.json" "$RISKY" "$SAFE" "$CAPS" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
risky, safe, caps = ("DockerContainer/" + n for n in sys.argv[2:5])
got = {}
for f in report["findings"]:
    loc = f.get("location", {})
    assert loc.get("line", 0) > 0, ("finding without a line", f["id"])
    got.setdefault(loc.get("resource"), set()).add(f["id"])
want_risky = {"VGL-DKR-101", "VGL-DKR-103", "VGL-DKR-104", "VGL-DKR-107",
              "VGL-DKR-111", "VGL-DKR-113", "VGL-DKR-116", "VGL-DKR-117", "VGL-DKR-122"}
clean_safe = {"VGL-DKR-101", "VGL-DKR-102", "VGL-DKR-103", "VGL-DKR-104", "VGL-DKR-107",
              "VGL-DKR-111", "VGL-DKR-112", "VGL-DKR-113", "VGL-DKR-114", "VGL-DKR-115",
              "VGL-DKR-116", "VGL-DKR-117", "VGL-DKR-118", "VGL-DKR-122"}
want_caps = {"VGL-DKR-102", "VGL-DKR-112"}
problems = []
missing = want_risky - got.get(risky, set())
if missing: problems.append("risky container: missing " + ", ".join(sorted(missing)))
missing = want_caps - got.get(caps, set())
if missing: problems.append("capability container: missing " + ", ".join(sorted(missing)))
wrong = clean_safe & got.get(safe, set())
if wrong: problems.append("hardened container: unexpected " + ", ".join(sorted(wrong)))
print("risky:", " ".join(sorted(got.get(risky, set()))))
print("safe: ", " ".join(sorted(got.get(safe, set()))))
print("caps: ", " ".join(sorted(got.get(caps, set()))))
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
EOF
echo "podman_inspect: ok"
