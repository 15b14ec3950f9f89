#!/bin/sh
# `vigil image --running` (issue #3): starts a real container (podman, the minbase fixture's
# private storage, no network), checks that its image is inventoried and matched and that
# findings name the container; after the container stops, the report says nothing runs.
set -eu
: "${VIGIL_BIN:?}" "${VIGIL_BUILD_DIR:?}" "${VIGIL_SOURCE_DIR:?}"
FIX="$VIGIL_BUILD_DIR/fixtures/minbase"
[ -f "$FIX/podman.ok" ] || { echo "SKIP: minbase fixture without podman storage (make fixtures)"; exit 77; }
command -v podman >/dev/null || { echo "SKIP: podman not installed"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (rootful podman)"; exit 77; }
export CONTAINERS_CONF="$FIX/containers.conf"
PODMAN="podman --root $FIX/storage --storage-driver overlay"
NAME="vigil-running-$$"
TMP=$(mktemp -d)
trap '$PODMAN rm -f "$NAME" >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$VIGIL_BIN" db build --from "$VIGIL_SOURCE_DIR/testdata/e2e/running" --out "$TMP/db" >/dev/null ||
  fail "db build"
if ! $PODMAN run -d --name "$NAME" --network none localhost/vigil-minbase:bookworm sleep 300 \
    >"$TMP/run.log" 2>&1; then
  echo "SKIP: podman cannot start a container here:"; tail -3 "$TMP/run.log"; exit 77
fi
"$VIGIL_BIN" image --running --storage-root "$FIX/storage" --db "$TMP/db" --format json \
  -o "$TMP/running.json" --exit-code 5 && rc=0 || rc=$?
[ "$rc" = 5 ] || fail "expected the gate's exit code 5 with a finding, got $rc"
python3 - "$TMP/running.json" "$NAME" <<'PY' || fail "running report"
import json, sys
r = json.load(open(sys.argv[1]))
hits = [f for f in r["findings"] if f["id"] == "VGL-TEST-0001"]
assert len(hits) == 1, r["findings"]
f = hits[0]
assert f["package"]["name"] == "bash" and f["status"] == "fixed", f
assert "localhost/vigil-minbase:bookworm" in f["location"]["resource"], f["location"]
assert sys.argv[2] in f["location"]["resource"], f["location"]
print("running:", r["target"], "->", f["id"], f["package"]["version"], f["location"]["resource"])
PY
$PODMAN rm -f "$NAME" >/dev/null 2>&1
"$VIGIL_BIN" image --running --storage-root "$FIX/storage" --db "$TMP/db" --format json \
  -o "$TMP/none.json" --exit-code 5 || fail "nothing running should exit 0"
grep -q "no running podman containers" "$TMP/none.json" || fail "no 'nothing runs' warning"
echo PASS
