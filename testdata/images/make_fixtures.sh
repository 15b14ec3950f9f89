#!/bin/sh
# Builds the image fixtures for src/image's integration tests, once per build dir:
#   OUT/oci            OCI layout, tag v1, 4 gzip layers (umoci)
#   OUT/oci-zstd       the same image with zstd layers (skopeo)
#   OUT/docker.tar     docker-archive of it (skopeo; uncompressed layers)
#   OUT/oci.tar        oci-archive of it (skopeo)
#   OUT/rootfs         the expected final tree (for dir: comparisons)
#   OUT/storage        a private containers-storage root holding docker.io/vigil/test:v1
#                      (when podman works; marker OUT/podman.ok)
# Layers: 1 base (busybox-static, /bin/sh symlink, /bin/ls hard link, os-release, a secret,
# /opt/dir/{a,b}, a symlink loop); 2 whiteout of the secret; 3 opaque /opt/dir with only c;
# 4 a new os-release.
# Usage: make_fixtures.sh OUT   (exit 77 when umoci/skopeo/busybox are missing)
set -eu
OUT=$1
STAMP="$OUT/.complete-v1"
# Concurrent callers (ctest -j, script tests) build once: the others wait, then see the stamp.
mkdir -p "$(dirname "$OUT")"
exec 9>"$OUT.lock"
flock 9
[ -f "$STAMP" ] && exit 0
for tool in umoci skopeo; do
  command -v "$tool" >/dev/null 2>&1 || { echo "make_fixtures: $tool not installed" >&2; exit 77; }
done
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || { echo "make_fixtures: busybox-static not installed" >&2; exit 77; }

# A container a crashed test left running would keep overlay mounts in the old store.
if [ -d "$OUT/storage" ] && command -v podman >/dev/null 2>&1; then
  CONTAINERS_CONF="$OUT/containers.conf" podman --root "$OUT/storage" --runroot "$OUT/runroot" \
    rm -af -t 0 >/dev/null 2>&1 || true
fi
rm -rf "$OUT"
mkdir -p "$OUT"
W="$OUT/work"
mkdir -p "$W/l1/bin" "$W/l1/etc" "$W/l1/opt/dir" "$W/l1/loop" "$W/l1/var/lib/dpkg" "$W/l3" "$W/l4"
cp "$BUSYBOX" "$W/l1/bin/busybox"
ln -s busybox "$W/l1/bin/sh"
ln "$W/l1/bin/busybox" "$W/l1/bin/ls"
printf 'NAME="Vigil Test"\nID=vigiltest\nVERSION_ID=1\n' > "$W/l1/etc/os-release"
printf 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n' > "$W/l1/etc/secret.key"
printf 'Package: busybox\nStatus: install ok installed\nVersion: 1:1.35.0-4\nArchitecture: amd64\n\n' \
  > "$W/l1/var/lib/dpkg/status"
echo a > "$W/l1/opt/dir/a"
echo b > "$W/l1/opt/dir/b"
ln -s b "$W/l1/loop/a"
ln -s a "$W/l1/loop/b"
echo c > "$W/l3/c"
printf 'NAME="Vigil Test"\nID=vigiltest\nVERSION_ID=2\n' > "$W/l4/os-release"

cd "$OUT"
umoci init --layout oci
umoci new --image oci:v1
umoci insert --image oci:v1 work/l1 /
umoci insert --image oci:v1 --whiteout /etc/secret.key
umoci insert --image oci:v1 --opaque work/l3 /opt/dir
umoci insert --image oci:v1 work/l4/os-release /etc/os-release
umoci gc --layout oci

skopeo copy -q oci:oci:v1 docker-archive:docker.tar:vigil/test:v1
skopeo copy -q oci:oci:v1 oci-archive:oci.tar:v1
skopeo copy -q --dest-compress-format zstd --dest-compress oci:oci:v1 oci:oci-zstd:v1 2>/dev/null ||
  skopeo copy -q --dest-compress-format zstd oci:oci:v1 oci:oci-zstd:v1

umoci unpack --image oci:v1 bundle >/dev/null
mv bundle/rootfs rootfs
rm -rf bundle work

# containers-storage: a private podman store (never the host's), loaded from the archive.
# Optional: without a usable podman the tests that need it skip.
printf '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n' > containers.conf
if command -v podman >/dev/null 2>&1 &&
   CONTAINERS_CONF="$OUT/containers.conf" podman --root "$OUT/storage" --runroot "$OUT/runroot" \
     --storage-driver overlay load -q -i docker.tar >podman.log 2>&1; then
  touch podman.ok
fi
touch "$STAMP"
