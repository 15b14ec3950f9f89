#!/bin/bash
# `vigil image REF --scanners secret` over an image built with umoci: layer 1 plants a GitHub
# token and a private key, layer 2 deletes the token file (a whiteout). Both secrets must be
# found, each naming the layer that holds it, the token although the merged image no longer
# shows it; the output never holds a secret in full; `vigil fs` finds the same in a tree.
set -euo pipefail
VIGIL=${VIGIL_BIN:?}
for tool in umoci python3 openssl; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool missing (make deps installs it)"; exit 77; }
done
WORK=$(mktemp -d /tmp/vigil-imgsec-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
# Synthetic credentials, generated per run: the right alphabet and length, never real.
TOKEN="ghp_$(python3 -c 'import random,string; r=random.Random(7); print("".join(r.choice(string.ascii_letters+string.digits) for _ in range(36)))')"
openssl genpkey -algorithm ed25519 -out key.pem 2>/dev/null
umoci init --layout oci >/dev/null
umoci new --image oci:app >/dev/null
umoci unpack --rootless --image oci:app bundle >/dev/null
mkdir -p bundle/rootfs/app bundle/rootfs/root/.ssh
printf 'NODE_ENV=production\nGITHUB_TOKEN=%s\n' "$TOKEN" > bundle/rootfs/app/.env
cp key.pem bundle/rootfs/root/.ssh/id_ed25519
umoci repack --refresh-bundle --image oci:app bundle >/dev/null
rm bundle/rootfs/app/.env
umoci repack --refresh-bundle --image oci:app bundle >/dev/null

"$VIGIL" image "oci:$WORK/oci:app" --scanners secret -f json -o image.json
"$VIGIL" fs "$WORK/bundle/rootfs" --scanners secret -f json -o fs.json
python3 - image.json fs.json oci "$TOKEN" "$(sed -n 2p key.pem)" <<'PY'
import json, sys
image, fs, layout, token, key_line = sys.argv[1:6]
idx = json.load(open(f"{layout}/index.json"))
man = json.load(open(f"{layout}/blobs/sha256/" + idx["manifests"][0]["digest"].split(":")[1]))
cfg = json.load(open(f"{layout}/blobs/sha256/" + man["config"]["digest"].split(":")[1]))
diff_ids = cfg["rootfs"]["diff_ids"]
r = json.load(open(image))
got = sorted((f["location"]["path"], f["location"].get("layer")) for f in r["findings"])
want = sorted([("/app/.env", diff_ids[0]), ("/root/.ssh/id_ed25519", diff_ids[0])])
ok = True
if [f["kind"] for f in r["findings"]] != ["secret"] * len(r["findings"]) or got != want:
    print(f"FAIL image: {got}, want {want}"); ok = False
for name in (image, fs):
    text = open(name).read()
    if token in text or key_line in text:
        print(f"FAIL {name}: a secret appears in full"); ok = False
f = json.load(open(fs))
fs_paths = sorted(x["location"]["path"] for x in f["findings"])
if fs_paths != ["/root/.ssh/id_ed25519"]:  # the tree no longer has .env
    print(f"FAIL fs: {fs_paths}"); ok = False
print("ok: secrets in every layer, deleted ones included" if ok else "")
sys.exit(0 if ok else 1)
PY
