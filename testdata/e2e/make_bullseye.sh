#!/bin/sh
# Builds the Debian 11 (bullseye) backport fixture once per build dir (~40 s):
#   OUT/oci  OCI layout, tag bullseye, three layers:
#     1. mmdebstrap --variant=minbase bullseye + python3-yaml (a dpkg-owned Python dist) and
#        fzf (a dpkg-owned Go binary), from the Debian mirror: real, fully patched packages
#     2. /app: the same PyYAML egg-info and the fzf binary copied outside dpkg's knowledge
#     3. synthetic dpkg status entries whose *source* versions sit below DSA fixes
#        (testdata/e2e/bullseye/synthetic-status), appended to /var/lib/dpkg/status
#   OUT/installed.tsv  dpkg-query inside the image after layer 3: package, version, source,
#                      source version
# Usage: make_bullseye.sh OUT. Exit 77 (skip) when a tool or the mirror is missing.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(realpath -m "$1")
STAMP="$OUT/.complete-v1"
[ -f "$STAMP" ] && exit 0
for tool in mmdebstrap umoci; do
  command -v "$tool" >/dev/null 2>&1 || { echo "make_bullseye: $tool not installed" >&2; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "make_bullseye: needs root (mmdebstrap --mode=root)" >&2; exit 77; }
rm -rf "$OUT"
mkdir -p "$OUT"
cd "$OUT"
if ! mmdebstrap --quiet --variant=minbase --mode=root --include=python3-yaml,fzf bullseye \
    rootfs http://deb.debian.org/debian >mmdebstrap.log 2>&1; then
  echo "make_bullseye: mmdebstrap bullseye failed (is the Debian mirror reachable?):" >&2
  tail -5 mmdebstrap.log >&2
  exit 77
fi
umoci init --layout oci >/dev/null
umoci new --image oci:bullseye >/dev/null
umoci unpack --image oci:bullseye bundle >/dev/null
rm -rf bundle/rootfs
mv rootfs bundle/rootfs
umoci repack --refresh-bundle --image oci:bullseye bundle >/dev/null

egg=$(ls -d bundle/rootfs/usr/lib/python3/dist-packages/PyYAML-*.egg-info)
mkdir -p bundle/rootfs/app/lib/python3/site-packages bundle/rootfs/app/bin
cp -a "$egg" bundle/rootfs/app/lib/python3/site-packages/
cp bundle/rootfs/usr/bin/fzf bundle/rootfs/app/bin/fzf
umoci repack --refresh-bundle --image oci:bullseye bundle >/dev/null

cat "$HERE/bullseye/synthetic-status" >> bundle/rootfs/var/lib/dpkg/status
chroot bundle/rootfs dpkg-query -W \
  -f '${Package}\t${Version}\t${source:Package}\t${source:Version}\n' | sort > installed.tsv
umoci repack --refresh-bundle --image oci:bullseye bundle >/dev/null
umoci gc --layout oci
rm -rf bundle
touch "$STAMP"
