#!/bin/sh
# Renders the HTML audit report of testdata/config/standards/audit/manifests (two standards)
# in headless Chromium and checks what a reader sees: the screenshot is a real, non-blank
# 1280x2000 PNG, and the DOM Chromium built holds each standard's score (as the JSON report
# computes it) and a failing control with its resource. Usage: $0 BUILD_DIR
# Exit 77 (skip) only when chromium is not installed.
set -eu
OUT=${1:?build dir}/audit-html
VIGIL=${VIGIL_BIN:?}
SRC=${VIGIL_SOURCE_DIR:?}
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  echo "SKIP: chromium is not installed (scripts/install-deps installs it)"
  exit 77
fi
rm -rf "$OUT" && mkdir -p "$OUT/profile"
cd "$SRC/testdata/config/standards/audit"
for fmt in html json; do
  rc=0
  "$VIGIL" config manifests --standard pss-restricted --standard nsa -f "$fmt" \
    -o "$OUT/report.$fmt" || rc=$?
  [ "$rc" -eq 0 ] || { echo "FAIL: vigil config -f $fmt exited $rc"; exit 1; }
done
chrome() {
  HOME="$OUT/profile" timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
    --user-data-dir="$OUT/profile" --window-size=1280,2000 "$@" "file://$OUT/report.html"
}
chrome --screenshot="$OUT/audit.png" >"$OUT/chromium.log" 2>&1 || {
  cat "$OUT/chromium.log"; echo "FAIL: chromium --screenshot"; exit 1; }
chrome --dump-dom >"$OUT/dom.html" 2>>"$OUT/chromium.log" || {
  cat "$OUT/chromium.log"; echo "FAIL: chromium --dump-dom"; exit 1; }
python3 - "$OUT" <<'PY'
import json, struct, sys, zlib
out = sys.argv[1]
png = open(f"{out}/audit.png", "rb").read()
assert png[:8] == b"\x89PNG\r\n\x1a\n", "screenshot is not a PNG"
assert len(png) > 20000, f"screenshot suspiciously small: {len(png)} bytes"
pos, idat, width = 8, b"", 0
while pos < len(png):
    n, kind = struct.unpack(">I4s", png[pos:pos + 8])
    body = png[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
assert (width, height) == (1280, 2000), f"screenshot is {width}x{height}"
raw = zlib.decompress(idat)
# Distinct bytes over the decoded scanlines: a blank page has almost none.
distinct = len(set(raw[:: max(1, len(raw) // 200000)]))
assert distinct > 20, f"screenshot looks blank ({distinct} distinct byte values)"
dom = open(f"{out}/dom.html", encoding="utf-8").read()
report = json.load(open(f"{out}/report.json"))
audits = {a["id"]: a for a in report["compliance"]}
assert set(audits) == {"pss-restricted", "nsa"}, audits.keys()
for std_id, a in audits.items():
    assert a["score"] is not None, f"{std_id}: no score"
    shown = f"Score: <strong>{a['score']:.1f} %</strong>"
    assert shown in dom, f"{std_id}: DOM lacks {shown!r}"
    assert f'id="std-{std_id}"' in dom, f"{std_id}: no section"
failing = [c for c in audits["pss-restricted"]["controls"] if c["status"] == "fail"]
assert any(c["id"] == "privileged" for c in failing), "privileged should fail"
assert "<h4>privileged Privileged Containers</h4>" in dom, "failing control not rendered"
assert "Deployment/shop/web" in dom, "affected resource not rendered"
assert "<svg" in dom and "<script" not in dom.lower(), "chart missing or script present"
print(f"ok: {len(png)} byte screenshot, {distinct} distinct values; scores " +
      ", ".join(f"{k} {v['score']}" for k, v in sorted(audits.items())))
PY
echo "screenshot: $OUT/audit.png"
