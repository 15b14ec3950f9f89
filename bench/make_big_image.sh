#!/bin/sh
# Builds the benchmark image once per build dir: Debian bookworm minbase plus a toolchain
# (gcc, g++, llvm, python3, perl, git), ≥ 500 MB uncompressed, as an OCI layout with two
# gzip layers (minbase; the packages on top). Takes a few minutes (Debian mirror).
# Usage: make_big_image.sh OUT    (exit 77 when root, tools or the mirror are missing)
set -eu
OUT=$(realpath -m "$1")
STAMP="$OUT/.complete-v1"
[ -f "$STAMP" ] && exit 0
for tool in mmdebstrap umoci; do
  command -v "$tool" >/dev/null 2>&1 || { echo "make_big_image: $tool missing" >&2; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "make_big_image: needs root" >&2; exit 77; }
rm -rf "$OUT"
mkdir -p "$OUT"
cd "$OUT"
if ! mmdebstrap --quiet --variant=minbase --mode=root bookworm base >log 2>&1; then
  echo "make_big_image: mmdebstrap failed:" >&2; tail -5 log >&2; exit 77
fi
if ! mmdebstrap --quiet --variant=minbase --mode=root \
    --include=gcc,g++,libllvm14,python3,perl,git,curl bookworm full >>log 2>&1; then
  echo "make_big_image: mmdebstrap failed:" >&2; tail -5 log >&2; exit 77
fi
umoci init --layout oci
umoci new --image oci:big
umoci unpack --image oci:big bundle >/dev/null
rm -rf bundle/rootfs && mv base bundle/rootfs
umoci repack --image oci:big bundle
rm -rf bundle
umoci unpack --image oci:big bundle >/dev/null
# The second layer is the difference between the minbase and the full tree.
rm -rf bundle/rootfs && mv full bundle/rootfs
umoci repack --image oci:big bundle
rm -rf bundle
umoci gc --layout oci
du -sb oci | cut -f1 > stored_bytes
touch "$STAMP"
