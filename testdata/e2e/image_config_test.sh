#!/bin/bash
# `vigil image REF --scanners misconfig` over an image built for the purpose with umoci
# (busybox-static as its only content): root user, a password in ENV, SSH exposed, a token
# in the build history, no healthcheck. Asserts the image-configuration findings, that the
# credentials never appear in the output, the exit-code gate, and a hardened variant clean.
set -euo pipefail
VIGIL=${VIGIL_BIN:?}
for tool in umoci busybox python3; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool missing (make deps installs it)"; exit 77; }
done
WORK=$(mktemp -d /tmp/vigil-imgcfg-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
umoci init --layout oci >/dev/null
umoci new --image oci:risky >/dev/null
umoci unpack --rootless --image oci:risky bundle >/dev/null
mkdir -p bundle/rootfs/bin
cp "$(command -v busybox)" bundle/rootfs/bin/busybox
umoci repack --refresh-bundle --image oci:risky bundle >/dev/null
umoci config --image oci:risky --config.user root --config.env DB_PASSWORD=Zq8-real-Pa55 \
  --config.env PATH=/bin --config.exposedports 22/tcp \
  --history.created_by 'RUN |1 NPM_TOKEN=npm_Zx9aQ2wE4rT6yU8iO0pA1sD3fG5hJ7kL /bin/sh -c npm ci' \
  >/dev/null
# Built separately: a tag derived from risky would inherit its history (and its token).
umoci new --image oci:base >/dev/null
umoci unpack --rootless --image oci:base bundle2 >/dev/null
mkdir -p bundle2/rootfs/bin
cp "$(command -v busybox)" bundle2/rootfs/bin/busybox
umoci repack --refresh-bundle --image oci:base bundle2 >/dev/null
umoci config --image oci:base --tag hardened --config.user 10001 --config.env PATH=/bin \
  >/dev/null

fails=0
set +e
"$VIGIL" image "oci:$WORK/oci:risky" --scanners misconfig -f json -o risky.json --exit-code 5
rc=$?
"$VIGIL" image "oci:$WORK/oci:hardened" --scanners misconfig -f json -o hardened.json \
  --severity HIGH,CRITICAL --exit-code 5
rc_hardened=$?
set -e
[ "$rc" = 5 ] || { echo "FAIL: exit code $rc for the risky image, want 5"; fails=$((fails + 1)); }
[ "$rc_hardened" = 0 ] || { echo "FAIL: exit $rc_hardened for the hardened image"; fails=$((fails + 1)); }
python3 - risky.json hardened.json <<'PY' || fails=$((fails + 1))
import json, sys
risky = json.load(open(sys.argv[1]))
ids = sorted(f["id"] for f in risky["findings"])
want = ["VGL-IMG-001", "VGL-IMG-002", "VGL-IMG-004", "VGL-IMG-006", "VGL-IMG-007"]
text = open(sys.argv[1]).read()
ok = True
if ids != want:
    print(f"FAIL: risky image findings {ids}, want {want}"); ok = False
for secret in ("Zq8-real-Pa55", "npm_Zx9aQ2wE4rT6yU8iO0pA1sD3fG5hJ7kL"):
    if secret in text:
        print(f"FAIL: the report contains the credential {secret[:4]}..."); ok = False
hardened = json.load(open(sys.argv[2]))
left = sorted(f["id"] for f in hardened["findings"])
if left:  # --severity HIGH,CRITICAL leaves out the LOW missing-HEALTHCHECK finding
    print(f"FAIL: hardened image findings {left}, want none at HIGH/CRITICAL"); ok = False
print("ok: image configuration findings" if ok else "")
sys.exit(0 if ok else 1)
PY
[ "$fails" = 0 ]
