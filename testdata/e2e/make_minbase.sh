#!/bin/sh
# Builds the Debian minbase image fixture once per build dir (it takes ~40 s):
#   OUT/rootfs        mmdebstrap --variant=minbase bookworm (the host's Debian mirror)
#   OUT/expected.tsv  dpkg-query -W run INSIDE the image (name, version, source, source version)
#   OUT/oci           OCI layout, tag bookworm (umoci; one gzip layer)
#   OUT/docker.tar    docker-archive (skopeo)      OUT/oci.tar   oci-archive (skopeo)
#   OUT/storage       a private containers-storage root holding localhost/vigil-minbase:bookworm
#                     (marker OUT/podman.ok; the host's own store is never touched)
# Usage: make_minbase.sh OUT. Exit 77 (skip) when a tool is missing or the mirror is
# unreachable; the message says which.
set -eu
OUT=$(realpath -m "$1")
STAMP="$OUT/.complete-v1"
[ -f "$STAMP" ] && exit 0
for tool in mmdebstrap umoci skopeo; do
  command -v "$tool" >/dev/null 2>&1 || { echo "make_minbase: $tool not installed" >&2; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "make_minbase: needs root (mmdebstrap --mode=root, chroot)" >&2; exit 77; }

rm -rf "$OUT"
mkdir -p "$OUT"
cd "$OUT"
if ! mmdebstrap --quiet --variant=minbase --mode=root bookworm rootfs >mmdebstrap.log 2>&1; then
  echo "make_minbase: mmdebstrap failed (is the Debian mirror reachable?):" >&2
  tail -5 mmdebstrap.log >&2
  exit 77
fi
chroot rootfs dpkg-query -W \
  -f '${Package}\t${Version}\t${source:Package}\t${source:Version}\n' | sort > expected.tsv

umoci init --layout oci
umoci new --image oci:bookworm
umoci unpack --image oci:bookworm bundle >/dev/null
rm -rf bundle/rootfs
mv rootfs bundle/rootfs
umoci repack --image oci:bookworm bundle
umoci gc --layout oci
mv bundle/rootfs rootfs
rm -rf bundle

skopeo copy -q oci:oci:bookworm docker-archive:docker.tar:localhost/vigil-minbase:bookworm
skopeo copy -q oci:oci:bookworm oci-archive:oci.tar:bookworm

printf '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n' \
  > containers.conf
if command -v podman >/dev/null 2>&1 &&
   CONTAINERS_CONF="$OUT/containers.conf" podman --root "$OUT/storage" --runroot "$OUT/runroot" \
     --storage-driver overlay load -q -i docker.tar >podman.log 2>&1; then
  touch podman.ok
fi
touch "$STAMP"
