#!/bin/bash
# Issue acceptance: the inventory of a Debian minbase image equals `dpkg-query -W` run inside
# it (name, version, source name, source version), and is the same whether the image comes
# from a registry, a docker-archive, an OCI layout, an oci-archive, a rootfs directory or
# podman's containers-storage. Drives the real `vigil sbom` binary.
# The fixture is built by `make fixtures` (testdata/e2e/make_minbase.sh) before ctest runs.
set -u
VIGIL=${VIGIL_BIN:?}
FIX=${VIGIL_BUILD_DIR:?}/fixtures/minbase
if [ ! -f "$FIX/.complete-v1" ]; then
  echo "SKIP: minbase fixture missing ($FIX); run 'make fixtures' (needs root, mmdebstrap, umoci, skopeo and the Debian mirror)"
  exit 77
fi
WORK=$(mktemp -d /tmp/vigil-minbase-XXXXXX)
REGISTRY_PID=""
cleanup() {
  [ -n "$REGISTRY_PID" ] && kill "$REGISTRY_PID" 2>/dev/null && wait "$REGISTRY_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

pass=0
fails=0
compare() {  # compare NAME SBOM_JSON
  python3 - "$1" "$2" "$FIX/expected.tsv" <<'PY'
import json, sys
name, sbom_path, expected_path = sys.argv[1:]
sbom = json.load(open(sbom_path))
got = sorted("\t".join([c["name"], c["version"], c.get("source_name", ""),
                        c.get("source_version", "")])
             for c in sbom["components"] if c.get("ecosystem") == "deb")
want = sorted(l.rstrip("\n") for l in open(expected_path) if l.strip())
if got != want:
    missing = sorted(set(want) - set(got))[:10]
    extra = sorted(set(got) - set(want))[:10]
    print(f"FAIL {name}: {len(got)} packages, want {len(want)}; missing {missing}; extra {extra}")
    sys.exit(1)
if sbom.get("os", {}).get("id") != "debian" or sbom["os"].get("version_id") != "12":
    print(f"FAIL {name}: os {sbom.get('os')}")
    sys.exit(1)
print(f"ok {name}: {len(got)} packages equal dpkg-query -W inside the image")
PY
}
scan() {  # scan NAME REF [flags...]
  local name=$1 ref=$2
  shift 2
  if ! "$VIGIL" sbom "$ref" -f json -o "$WORK/$name.json" --cache-dir "$WORK/cache-$name" "$@" \
      2>"$WORK/$name.err"; then
    echo "FAIL $name: vigil sbom $ref exited non-zero:"; cat "$WORK/$name.err"
    fails=$((fails + 1))
    return
  fi
  if compare "$name" "$WORK/$name.json"; then pass=$((pass + 1)); else fails=$((fails + 1)); fi
}

scan oci "oci:$FIX/oci:bookworm"
# A warm rescan with the same cache is answered from the inventory cache (the layers are
# not read) and must equal the cold scan in everything but its timestamp.
if "$VIGIL" sbom "oci:$FIX/oci:bookworm" -f json -o "$WORK/oci-warm.json" \
    --cache-dir "$WORK/cache-oci" 2>"$WORK/oci-warm.err" &&
    ls "$WORK"/cache-oci/inventory/v*/*.json >/dev/null 2>&1 &&
    python3 - "$WORK/oci.json" "$WORK/oci-warm.json" <<'PY'
import json, sys
cold, warm = (json.load(open(p)) for p in sys.argv[1:3])
for doc in (cold, warm):
    doc.pop("created_at", None)
sys.exit(0 if cold == warm else 1)
PY
then
  echo "ok oci-warm: the cached inventory equals the cold scan"; pass=$((pass + 1))
else
  echo "FAIL oci-warm: warm rescan differs from the cold scan or left no inventory cache"
  cat "$WORK/oci-warm.err"; fails=$((fails + 1))
fi
scan oci-archive "oci-archive:$FIX/oci.tar:bookworm"
scan docker-archive "docker-archive:$FIX/docker.tar"
scan dir "dir:$FIX/rootfs"
scan path-detected "$FIX/docker.tar"
if [ -f "$FIX/podman.ok" ]; then
  scan containers-storage "containers-storage:localhost/vigil-minbase:bookworm" \
    --storage-root "$FIX/storage"
else
  echo "note: containers-storage form not checked: podman could not load the fixture ($FIX/podman.log)"
fi

# A real registry on loopback: docker-registry with filesystem storage in $WORK.
if command -v docker-registry >/dev/null && command -v skopeo >/dev/null; then
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat > "$WORK/registry.yml" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: $WORK/registry
http:
  addr: 127.0.0.1:$PORT
log:
  level: error
YML
  docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
  REGISTRY_PID=$!
  for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$PORT/v2/" >/dev/null 2>&1 && break
    sleep 0.1
  done
  if skopeo copy -q --dest-tls-verify=false "oci:$FIX/oci:bookworm" \
      "docker://127.0.0.1:$PORT/vigil/minbase:bookworm" 2>"$WORK/push.err"; then
    scan registry "127.0.0.1:$PORT/vigil/minbase:bookworm"
  else
    echo "FAIL registry: push failed"; cat "$WORK/push.err"; fails=$((fails + 1))
  fi
else
  echo "FAIL registry: docker-registry or skopeo missing (make deps installs them)"
  fails=$((fails + 1))
fi

echo "$pass passed, $fails failed"
[ "$fails" = 0 ]
