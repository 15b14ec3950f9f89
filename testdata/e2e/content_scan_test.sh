#!/bin/bash
# The content scanners' CLI wiring through the real binary over a real tree: `vigil fs` runs
# secret and malware in one walk by default, --scanners selects them, --secret-config and
# --malware-rules add rules (a custom secret rule and a custom YARA rule each find their
# marker), a rule flag without its scanner and a broken rule file are exit 2, --exit-code
# gates on the content findings. Synthetic values only.
set -euo pipefail
VIGIL=${VIGIL_BIN:?}
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
WORK=$(mktemp -d /tmp/vigil-content-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
pass=0 fails=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }
# expect NAME CODE CMD...: exit code CODE, stdout in out.json, stderr in err.
expect() {
  local name=$1 want=$2 rc=0
  shift 2
  "$@" >out.json 2>err || rc=$?
  if [ "$rc" = "$want" ]; then ok; else bad "$name: exit $rc, want $want"; sed 's/^/  /' err; fi
}
# kinds NAME EXPR: a python expression over `ids` (a sorted list of (kind, id, path)).
kinds() {
  if python3 - out.json "$2" <<'PY'; then ok; else bad "$1"; fi
import json, sys
r = json.load(open(sys.argv[1]))
ids = sorted((f["kind"], f["id"], f["location"]["path"]) for f in r["findings"])
if not eval(sys.argv[2]):
    print("  findings:", ids, "\n  warnings:", r.get("warnings"), file=sys.stderr)
    sys.exit(1)
PY
}

mkdir -p tree/app tree/srv
TOKEN="ghp_$(python3 -c 'import random,string; r=random.Random(11); print("".join(r.choice(string.ascii_letters+string.digits) for _ in range(36)))')"
printf 'GITHUB_TOKEN=%s\n' "$TOKEN" > tree/app/.env
# The EICAR anti-virus test file, assembled here so this script itself does not contain it.
python3 -c 'import sys; sys.stdout.write("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")' > tree/srv/eicar.com
printf 'widget id: acme_%s\n' "$(python3 -c 'print("Q7" * 16)')" > tree/app/widget.conf
printf 'build tag: vigil-test-marker-%s\n' "7f3a9c" > tree/srv/build.txt
cat > secrets.toml <<'EOF'
[[rules]]
id = "acme-widget-id"
title = "ACME widget id"
severity = "medium"
keywords = ["acme_"]
regex = '''\b(acme_[A-Za-z0-9]{32})\b'''
EOF
cat > custom.yar <<'EOF'
rule Test_Custom_Marker
{
  meta:
    category = "test"
    description = "the content e2e test's marker"
    severity = "low"
  strings:
    $m = /vigil-test-mark[e]r-[0-9a-f]{6}/
  condition:
    $m
}
EOF
printf 'rule broken {\n  strings: $a = "x"\n  condition: $b\n}\n' > broken.yar

expect "default scanners (no DB: vuln left out)" 0 "$VIGIL" fs tree --scanners secret,malware -f json
kinds "secret and EICAR in one walk" \
  '("secret", "github-pat", "/app/.env") in ids and any(k == "malware" and p == "/srv/eicar.com" for k, _, p in ids)'
expect "secret only" 0 "$VIGIL" fs tree --scanners secret -f json
kinds "secret only: no malware" 'all(k == "secret" for k, _, _ in ids) and len(ids) == 1'
expect "malware only" 0 "$VIGIL" fs tree --scanners malware -f json
kinds "malware only: no secret" 'all(k != "secret" for k, _, _ in ids) and any(k == "malware" for k, _, _ in ids)'
expect "custom rules" 0 "$VIGIL" fs tree --scanners secret,malware --secret-config secrets.toml \
  --malware-rules custom.yar -f json
kinds "custom secret and YARA rules find their markers" \
  '("secret", "acme-widget-id", "/app/widget.conf") in ids and ("malware", "Test_Custom_Marker", "/srv/build.txt") in ids'
mkdir rules && cp custom.yar rules/
expect "rules dir" 0 "$VIGIL" fs tree --scanners malware --malware-rules rules -f json
kinds "a directory of rules" '("malware", "Test_Custom_Marker", "/srv/build.txt") in ids'
if grep -q "$TOKEN" out.json err; then bad "the token appears in full"; else ok; fi

expect "--secret-config without the secret scanner" 2 "$VIGIL" fs tree --scanners malware \
  --secret-config secrets.toml
expect "--malware-rules without the malware scanner" 2 "$VIGIL" fs tree --scanners secret \
  --malware-rules custom.yar
expect "broken YARA rule" 2 "$VIGIL" fs tree --scanners malware --malware-rules broken.yar
if grep -q "broken.yar" err; then ok; else bad "the YARA error does not name the file"; cat err; fi
printf '[[rules]]\nid = "x"\nregex = "(unclosed"\n' > broken.toml
expect "broken secret rule file" 2 "$VIGIL" fs tree --scanners secret --secret-config broken.toml
if grep -q "broken.toml:" err; then ok; else bad "the rule error does not name file:line"; cat err; fi
expect "unknown scanner" 2 "$VIGIL" fs tree --scanners secrets

expect "gate on a content finding" 4 "$VIGIL" fs tree --scanners secret --exit-code 4 -f json
rm tree/app/.env
expect "gate: nothing left at HIGH" 0 "$VIGIL" fs tree --scanners secret --severity HIGH,CRITICAL \
  --exit-code 4 -f json

echo "$pass passed, $fails failed"
[ "$fails" = 0 ]
