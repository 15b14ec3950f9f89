#!/bin/bash
# Builds the registry test fixtures into OUT (default $VIGIL_BUILD_DIR/fixtures/registry):
#   OUT/oci/       an OCI layout: tag "small" (busybox + one file, two layers), tags "amd64"
#                  and "arm64" (same layers, configs for each architecture) and tag "multi"
#                  (a hand-written image index listing the two with their platforms);
#   OUT/storage/   a docker-registry filesystem storage holding, after pushes with skopeo:
#                  vigil/small:1.0 (+ tags t1..t5)  OCI media types
#                  vigil/small-docker:1.0           Docker schema 2 (skopeo --format v2s2)
#                  vigil/multi:1.0                  OCI index, linux/amd64 + linux/arm64
#                  vigil/extra1:1, vigil/extra2:1   more repositories for _catalog paging
#   OUT/certs/     tls.{crt,key}: self-signed for 127.0.0.1/localhost (the https registry);
#                  token.{crt,key}: the token server's signing key, trusted by the registry
#   OUT/auth/htpasswd  user "alice", password "wonderland" (bcrypt)
# Tests copy OUT/storage and start their own registries over the copy, so pushing happens
# once per build dir. Rebuilt when this script changes (its sha256 is the stamp).
# Needs: docker-registry skopeo umoci busybox-static python3 openssl apache2-utils.
set -euo pipefail

OUT="${1:-${VIGIL_BUILD_DIR:?set VIGIL_BUILD_DIR or pass OUT}/fixtures/registry}"
SELF_HASH="$(sha256sum "$0" | cut -d' ' -f1)"
mkdir -p "$(dirname "$OUT")"
# Concurrent test processes wait for the one that builds.
exec 9>"$OUT.lock"
flock 9
if [[ -f "$OUT/stamp" && "$(cat "$OUT/stamp")" == "$SELF_HASH" ]]; then
  exit 0
fi
for tool in docker-registry skopeo umoci busybox python3 openssl htpasswd; do
  command -v "$tool" >/dev/null || { echo "make_fixtures: missing $tool" >&2; exit 77; }
done

rm -rf "$OUT.tmp"
mkdir -p "$OUT.tmp"
WORK="$OUT.tmp"
REG_PID=""
cleanup() {
  if [[ -n "$REG_PID" ]]; then
    kill "$REG_PID" 2>/dev/null || true
    wait "$REG_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT

mkdir -p "$WORK/certs" "$WORK/auth"
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=127.0.0.1 \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -keyout "$WORK/certs/tls.key" -out "$WORK/certs/tls.crt" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=vigil test token issuer" \
  -keyout "$WORK/certs/token.key" -out "$WORK/certs/token.crt" 2>/dev/null
htpasswd -Bbn alice wonderland > "$WORK/auth/htpasswd"

# Layer 1: busybox and its applet links; layer 2: one extra file.
ROOT="$WORK/rootfs"
mkdir -p "$ROOT/bin" "$ROOT/etc"
cp "$(command -v busybox)" "$ROOT/bin/busybox"
for applet in sh ls cat echo; do ln -s busybox "$ROOT/bin/$applet"; done
echo "vigil registry fixture" > "$WORK/motd"

umoci init --layout "$WORK/oci"
umoci new --image "$WORK/oci:small"
umoci insert --image "$WORK/oci:small" "$ROOT" / >/dev/null
umoci insert --image "$WORK/oci:small" "$WORK/motd" /etc/motd >/dev/null
umoci config --image "$WORK/oci:small" --os linux --architecture amd64 --config.cmd /bin/sh
umoci tag --image "$WORK/oci:small" amd64
umoci config --image "$WORK/oci:small" --tag arm64 --os linux --architecture arm64 \
  --config.label org.vigil.arch=arm64
umoci gc --layout "$WORK/oci"

# An index listing the two platform manifests; the layout's own index.json names it "multi".
python3 - "$WORK/oci" <<'PY'
import hashlib, json, os, sys
layout = sys.argv[1]
with open(os.path.join(layout, "index.json")) as f:
    top = json.load(f)
def by_tag(tag):
    for m in top["manifests"]:
        if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag:
            return m
    raise SystemExit("no tag " + tag)
entries = []
for arch in ("amd64", "arm64"):
    d = dict(by_tag(arch))
    d.pop("annotations", None)
    d["platform"] = {"os": "linux", "architecture": arch}
    if arch == "arm64":
        d["platform"]["variant"] = "v8"
    entries.append(d)
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
         "manifests": entries}
blob = json.dumps(index, indent=2).encode()
digest = hashlib.sha256(blob).hexdigest()
with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
    f.write(blob)
top["manifests"].append({"mediaType": "application/vnd.oci.image.index.v1+json",
                         "digest": "sha256:" + digest, "size": len(blob),
                         "annotations": {"org.opencontainers.image.ref.name": "multi"}})
with open(os.path.join(layout, "index.json"), "w") as f:
    json.dump(top, f)
PY

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$WORK/storage"
cat > "$WORK/config.yml" <<YML
version: 0.1
log: {level: error}
storage:
  filesystem: {rootdirectory: $WORK/storage}
  delete: {enabled: true}
http: {addr: 127.0.0.1:$PORT}
YML
docker-registry serve "$WORK/config.yml" >"$WORK/registry.log" 2>&1 &
REG_PID=$!
for _ in $(seq 1 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null && break
  sleep 0.1
done

DEST="docker://127.0.0.1:$PORT"
COPY=(skopeo copy -q --dest-tls-verify=false --insecure-policy)
"${COPY[@]}" "oci:$WORK/oci:small" "$DEST/vigil/small:1.0"
for t in t1 t2 t3 t4 t5; do "${COPY[@]}" "oci:$WORK/oci:small" "$DEST/vigil/small:$t"; done
"${COPY[@]}" --format v2s2 "oci:$WORK/oci:small" "$DEST/vigil/small-docker:1.0"
"${COPY[@]}" --all "oci:$WORK/oci:multi" "$DEST/vigil/multi:1.0"
"${COPY[@]}" "oci:$WORK/oci:small" "$DEST/vigil/extra1:1"
"${COPY[@]}" "oci:$WORK/oci:small" "$DEST/vigil/extra2:1"

cleanup
REG_PID=""
rm -rf "$WORK/rootfs" "$WORK/motd" "$WORK/config.yml"
echo "$SELF_HASH" > "$WORK/stamp"
rm -rf "$OUT"
mv "$WORK" "$OUT"
