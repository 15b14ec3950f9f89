#!/usr/bin/env bash
# `vigil db update` against a local HTTPS server serving the shared data (issue 5).
#
# A throwaway CA signs a certificate for 127.0.0.1; https_server.py serves an OSV.dev-style
# all.zip (golang-vulndb records), alpine-secdb v3.11 main.yaml and the Debian DSA list, with
# ETag/Last-Modified and a request log. Checked: a verified update builds a DB with records
# from every source; a second run downloads nothing (304s) and still rebuilds; a wrong
# sha256, an untrusted certificate and a truncated body each fail naming the feed and leave
# the old DB byte-identical; --skip-failed builds from the rest; a 503 is retried; local paths
# work as feeds. Exit 77 when the shared data, openssl or python3 is absent.
set -u

SRC=${VIGIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
VIGIL=${VIGIL_BIN:-}
SHARED="$SRC/../shared/vulndata"
HERE="$SRC/testdata/vulndb"

if [ -z "$VIGIL" ] || [ ! -x "$VIGIL" ]; then echo "SKIP: VIGIL_BIN not set"; exit 77; fi
for tool in openssl python3 sha256sum; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
for f in golang-vulndb/data/osv alpine-secdb-legacy/v3.11/main.yaml \
         debian-security-tracker-2023-04/data/DSA/list; do
  [ -e "$SHARED/$f" ] || { echo "SKIP: $SHARED/$f absent (../shared/vulndata)"; exit 77; }
done

TMP=$(mktemp -d /tmp/vigil-db-update.XXXXXX)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }

# ---- certificates: a CA and a server certificate for 127.0.0.1 ----
cd "$TMP"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=vigil test CA" -keyout ca.key -out ca.pem 2>/dev/null || { echo "openssl CA failed"; exit 1; }
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -subj "/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null || exit 1
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > ext.cnf
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
  -extfile ext.cnf -out server.pem 2>/dev/null || { echo "openssl sign failed"; exit 1; }

# ---- what the server publishes ----
mkdir -p www/osv/Go www/alpine/v3.11 www/debian/DSA
# An OSV.dev-style export: the first 300 golang-vulndb records in one zip.
python3 - "$SHARED/golang-vulndb/data/osv" www/osv/Go/all.zip <<'EOF' || exit 1
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
names = sorted(n for n in os.listdir(src) if n.endswith(".json"))[:300]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for n in names:
        z.write(os.path.join(src, n), n)
EOF
cp "$SHARED/alpine-secdb-legacy/v3.11/main.yaml" www/alpine/v3.11/main.yaml
cp "$SHARED/debian-security-tracker-2023-04/data/DSA/list" www/debian/DSA/list
ZIP_SHA=$(sha256sum www/osv/Go/all.zip | cut -d' ' -f1)
ZIP_SIZE=$(stat -c %s www/osv/Go/all.zip)
# NVD .meta style for the zip (upper-case hex, as NVD writes it) ...
printf 'lastModifiedDate:2026-11-24T09:00:00-05:00\r\nsize:%s\r\nsha256:%s\r\n' \
  "$ZIP_SIZE" "$(echo "$ZIP_SHA" | tr a-f A-F)" > www/osv/Go/all.zip.meta
# ... SHA256SUMS for the Alpine tree ...
(cd www/alpine && sha256sum v3.11/main.yaml > SHA256SUMS)
# ... and the DSA list's sha256 and size inline in the sources file.
DSA_SHA=$(sha256sum www/debian/DSA/list | cut -d' ' -f1)
DSA_SIZE=$(stat -c %s www/debian/DSA/list)

python3 "$HERE/https_server.py" --dir www --cert server.pem --key server.key \
  --log requests.log --port-file port &
SERVER_PID=$!
for _ in $(seq 1 100); do [ -s port ] && break; sleep 0.1; done
[ -s port ] || { echo "FAIL: the HTTPS server did not start"; exit 1; }
PORT=$(cat port)
BASE="https://127.0.0.1:$PORT"

# sources.yaml from a template in testdata/vulndb/update: @BASE@, @DSA_SHA@, @DSA_SIZE@.
config() {  # config TEMPLATE OUT [DSA_SHA]
  sed -e "s|@BASE@|$BASE|g" -e "s|@DSA_SHA@|${3:-$DSA_SHA}|g" -e "s|@DSA_SIZE@|$DSA_SIZE|g" \
    -e "s|@SHARED@|$SHARED|g" "$HERE/update/$1" > "$2"
}
count() { grep -c "^GET $1 $2\$" requests.log; }  # count PATH STATUS
dbsum() { sha256sum "$1" 2>/dev/null | cut -d' ' -f1; }

# Per-source advisory counts of a DB as "name=count ..." (sorted).
sources_of() {
  "$VIGIL" db info --db "$1" --format json 2>/dev/null |
    python3 2>/dev/null -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(sorted("%s=%d" % (s["name"], s["advisories"]) for s in d["sources"])))'
}
# Every listed source present with advisories > 0.
check_sources() {  # check_sources DB label source...
  local db=$1 label=$2; shift 2
  local got; got=$(sources_of "$db") || { fail "$label: vigil db info failed"; return; }
  for s in "$@"; do
    if ! echo " $got " | grep -Eq " $s=[1-9][0-9]* "; then fail "$label: source $s missing or empty in: $got"; return; fi
  done
  pass "$label: $got"
}

config good.yaml good.yaml
UPDATE=("$VIGIL" db update --retries 0)

# ---- 1. first update: everything downloaded and verified ----
"${UPDATE[@]}" --cache-dir "$TMP/cache" --config good.yaml --cacert ca.pem --db out.db >run1.out 2>run1.err
rc=$?
if [ $rc -ne 0 ]; then fail "first update exited $rc"; cat run1.err; else pass "first update"; fi
check_sources out.db "first update" osv alpine-secdb debian-dsa
[ "$(count /osv/Go/all.zip 200)" = 1 ] || fail "all.zip not downloaded exactly once"
[ "$(count /osv/Go/all.zip.meta 200)" = 1 ] || fail "the .meta checksum file was not fetched"
[ "$(count /alpine/SHA256SUMS 200)" = 1 ] || fail "SHA256SUMS was not fetched"
grep -q "osv-go *downloaded" run1.err || fail "no per-feed line for osv-go: $(cat run1.err)"

# ---- 2. second update: conditional GETs, nothing downloaded again, DB rebuilt ----
BEFORE_MTIME=$(stat -c %Y.%N out.db)
sleep 1
"${UPDATE[@]}" --cache-dir "$TMP/cache" --config good.yaml --cacert ca.pem --db out.db >run2.out 2>run2.err
rc=$?
[ $rc -eq 0 ] || { fail "second update exited $rc"; cat run2.err; }
for p in /osv/Go/all.zip /alpine/v3.11/main.yaml /debian/DSA/list; do
  if [ "$(count "$p" 304)" = 1 ] && [ "$(count "$p" 200)" = 1 ]; then
    pass "second update: $p answered 304 (one 200 in total)"
  else
    fail "second update: $p: $(count "$p" 200) x 200, $(count "$p" 304) x 304"
  fi
done
grep -q "osv-go *unchanged" run2.err || fail "osv-go not reported unchanged: $(cat run2.err)"
[ "$(stat -c %Y.%N out.db)" != "$BEFORE_MTIME" ] || fail "the DB was not rebuilt from unchanged feeds"
check_sources out.db "after the second update" osv alpine-secdb debian-dsa
GOOD_SUM=$(dbsum out.db)

# ---- 3. a wrong sha256 fails, names the feed, leaves the DB as it was ----
config good.yaml badsha.yaml 0000000000000000000000000000000000000000000000000000000000000000
"${UPDATE[@]}" --config badsha.yaml --cacert ca.pem --db out.db --cache-dir "$TMP/cache-bad" \
  >bad.out 2>bad.err
rc=$?
if [ $rc -eq 3 ] && grep -q "feed debian-dsa ($BASE/debian/DSA/list): sha256 mismatch" bad.err; then
  pass "wrong sha256: $(grep -m1 "feed " bad.err)"
else
  fail "wrong sha256: exit $rc: $(cat bad.err)"
fi
[ "$(dbsum out.db)" = "$GOOD_SUM" ] || fail "wrong sha256: the DB changed"
ls "$TMP/cache-bad/db/feeds/debian-dsa/" 2>/dev/null | grep -q . &&
  fail "wrong sha256: a download was kept: $(ls "$TMP/cache-bad/db/feeds/debian-dsa/")"

# ---- 4. TLS is verified: without --cacert the private CA is not trusted ----
"${UPDATE[@]}" --config good.yaml --db out.db --cache-dir "$TMP/cache-notrust" >tls.out 2>tls.err
rc=$?
if [ $rc -eq 3 ] && grep -q "feed osv-go ($BASE/osv/Go/all.zip)" tls.err &&
   grep -qi "TLS verification failed" tls.err; then
  pass "untrusted certificate: $(grep -m1 "feed " tls.err)"
else
  fail "untrusted certificate: exit $rc: $(cat tls.err)"
fi
[ "$(dbsum out.db)" = "$GOOD_SUM" ] || fail "untrusted certificate: the DB changed"

# ---- 5. a truncated body (Content-Length announced, connection cut) fails ----
config truncated.yaml truncated.yaml
"${UPDATE[@]}" --config truncated.yaml --cacert ca.pem --db out.db --cache-dir "$TMP/cache-trunc" \
  >trunc.out 2>trunc.err
rc=$?
if [ $rc -eq 3 ] && grep -q "feed debian-dsa ($BASE/truncate/debian/DSA/list)" trunc.err; then
  pass "truncated body: $(grep -m1 "feed " trunc.err)"
else
  fail "truncated body: exit $rc: $(cat trunc.err)"
fi
[ "$(dbsum out.db)" = "$GOOD_SUM" ] || fail "truncated body: the DB changed"

# ---- 6. --skip-failed builds from the feeds that worked, and warns ----
"${UPDATE[@]}" --config truncated.yaml --cacert ca.pem --db skip.db --cache-dir "$TMP/cache-trunc" \
  --skip-failed >skip.out 2>skip.err
rc=$?
if [ $rc -eq 0 ] && grep -q "warning: skipped: feed debian-dsa" skip.err; then
  pass "--skip-failed"
else
  fail "--skip-failed: exit $rc: $(cat skip.err)"
fi
check_sources skip.db "--skip-failed" osv alpine-secdb
sources_of skip.db | grep -q "debian-dsa" && fail "--skip-failed: the failed feed is in the DB"

# ---- 7. a 503 is retried with backoff ----
config flaky.yaml flaky.yaml
"$VIGIL" db update --cache-dir "$TMP/cache-flaky" --retries 2 --config flaky.yaml --cacert ca.pem \
  --db flaky.db >flaky.out 2>flaky.err
rc=$?
if [ $rc -eq 0 ] && [ "$(count /flaky/alpine/v3.11/main.yaml 503)" = 1 ] &&
   [ "$(count /flaky/alpine/v3.11/main.yaml 200)" = 1 ]; then
  pass "503 retried"
else
  fail "503 retry: exit $rc: $(cat flaky.err)"
fi

# ---- 8. local paths (relative to the sources file, and file://) need no server ----
config local.yaml local.yaml
"$VIGIL" db update --cache-dir "$TMP/cache-local" --config local.yaml --db local.db \
  >local.out 2>local.err
rc=$?
[ $rc -eq 0 ] || fail "local feeds: exit $rc: $(cat local.err)"
check_sources local.db "local feeds" osv alpine-secdb debian-dsa

# ---- 9. --list-sources prints a file --config reads back ----
"$VIGIL" db update --list-sources > defaults.yaml || fail "--list-sources failed"
grep -q "https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip" defaults.yaml ||
  fail "--list-sources: no OSV npm feed"
"$VIGIL" db update --config defaults.yaml --list-sources > defaults2.yaml || fail "--list-sources re-read"
diff <(grep -v '^#' defaults.yaml) <(grep -v '^#' defaults2.yaml) >/dev/null ||
  fail "--list-sources output does not round-trip"
printf 'feeds:\n  - name: x\n    url: %s/x\n    sha265: 00\n' "$BASE" > typo.yaml
"$VIGIL" db update --config typo.yaml --db typo.db 2>typo.err
rc=$?
{ [ $rc -eq 2 ] && grep -q "typo.yaml:4: unknown key 'sha265'" typo.err; } ||
  fail "bad sources file: exit $rc: $(cat typo.err)"

if [ "$FAILS" -ne 0 ]; then
  echo "--- request log"; cat requests.log
  echo "$FAILS check(s) failed"
  exit 1
fi
echo "all checks passed"
