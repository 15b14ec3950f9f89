#!/bin/bash
# Each package is attributed to the layer that added it: the image fixture of
# testdata/images (4 layers; the dpkg database is in layer 1 only, later layers whiteout a
# file, replace a dir and os-release) must attribute busybox to the first layer's diff-id,
# through the real `vigil sbom`, from every transport.
set -u
VIGIL=${VIGIL_BIN:?}
FIX=${VIGIL_BUILD_DIR:?}/fixtures/images
"${VIGIL_SOURCE_DIR:?}/testdata/images/make_fixtures.sh" "$FIX" || exit $?
WORK=$(mktemp -d /tmp/vigil-attr-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fails=0
pass=0
for ref in "oci:$FIX/oci:v1" "docker-archive:$FIX/docker.tar" "oci-archive:$FIX/oci.tar:v1"; do
  if ! "$VIGIL" -q sbom "$ref" -f json -o "$WORK/sbom.json" --cache-dir "$WORK/cache"; then
    echo "FAIL $ref: vigil sbom failed"; fails=$((fails + 1)); continue
  fi
  if python3 - "$ref" "$WORK/sbom.json" "$FIX/oci" <<'PY'
import json, sys
ref, sbom_path, layout = sys.argv[1:]
idx = json.load(open(f"{layout}/index.json"))
man = json.load(open(f"{layout}/blobs/sha256/" + idx["manifests"][0]["digest"].split(":")[1]))
cfg = json.load(open(f"{layout}/blobs/sha256/" + man["config"]["digest"].split(":")[1]))
diff_ids = cfg["rootfs"]["diff_ids"]
sbom = json.load(open(sbom_path))
comps = {c["name"]: c for c in sbom["components"]}
bb = comps.get("busybox")
ok = bb is not None and bb.get("layer") == diff_ids[0] and len(diff_ids) == 4
print(("ok " if ok else "FAIL ") + f"{ref}: busybox layer {bb and bb.get('layer')}, want {diff_ids[0]}")
sys.exit(0 if ok else 1)
PY
  then pass=$((pass + 1)); else fails=$((fails + 1)); fi
done
# A relative --cache-dir works: the second load reads every layer from the cache.
(
  cd "$WORK" || exit 1
  "$VIGIL" debug layers "oci:$FIX/oci:v1" --cache-dir rel-cache >/dev/null &&
    "$VIGIL" debug layers "oci:$FIX/oci:v1" --cache-dir rel-cache
) > "$WORK/layers.txt" 2>&1
if grep -q "layers from cache: 4, walked: 0" "$WORK/layers.txt"; then pass=$((pass + 1)); else
  echo "FAIL relative --cache-dir not used:"; cat "$WORK/layers.txt"; fails=$((fails + 1))
fi

echo "$pass passed, $fails failed"
[ "$fails" = 0 ]
