#!/bin/bash
# Acceptance of secret scanning in images (issue 7): an image built with umoci holds a planted
# synthetic secret of EVERY rule in data/secrets/rules.toml (testdata/secrets/positive, one
# per rule, generated from the rules' formats by testdata/secrets/generate.py; never real
# credentials) and the negative corpus (testdata/secrets/negative):
#   layer 1: two thirds of the positive files and the negative corpus;
#   layer 2: deletes a quarter of layer 1's positive files (whiteouts: still shipped) and adds
#            the remaining third; its history line carries a secret too;
#   config:  secrets in ENV, in a label and in a history line of no layer.
# `vigil image --format json --scanners secret` must report exactly the planted set: every
# (rule id, path, line, layer), nothing from the negative corpus, and no secret in full.
set -euo pipefail
VIGIL=${VIGIL_BIN:?}
SRC=${VIGIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
for tool in umoci python3; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool missing (make deps installs it)"; exit 77; }
done
POS="$SRC/testdata/secrets/positive"
NEG="$SRC/testdata/secrets/negative"
RULES="$SRC/data/secrets/rules.toml"
[ -f "$POS/expected.tsv" ] && [ -d "$NEG" ] && [ -f "$RULES" ] || {
  echo "FAIL: $POS/expected.tsv, $NEG or $RULES missing"; exit 1; }
WORK=$(mktemp -d /tmp/vigil-secacc-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# The plan: which positive directory goes to which layer, which are deleted, and the lines
# planted in ENV, a label and the history (taken from positive files of the right shape).
python3 - "$POS" plan.json <<'PY'
import json, sys
pos, out = sys.argv[1:3]
rows = [l.rstrip("\n").split("\t") for l in open(f"{pos}/expected.tsv") if not l.startswith("#")]
dirs = sorted({r[0].split("/")[0] for r in rows})
layer1 = [d for i, d in enumerate(dirs) if i % 3 != 2]
layer2 = [d for i, d in enumerate(dirs) if i % 3 == 2]
deleted = [d for i, d in enumerate(layer1) if i % 4 == 0]
def line3(rel):
    return open(f"{pos}/{rel}").read().split("\n")[2]
by_rule = {r[2]: r[0] for r in rows}
env = [line3(by_rule[r]) for r in ("github-pat", "stripe-secret-key", "openai-api-key",
                                    "anthropic-api-key", "datadog-api-key")]
label = line3(by_rule["gitlab-pat"])
history_config = "RUN /bin/sh -c " + line3(by_rule["slack-webhook"])
history_layer = "RUN /bin/sh -c npm config set //registry.npmjs.org/:_authToken " + \
    line3(by_rule["npm-access-token"]).split("=", 1)[1]
json.dump({"layer1": layer1, "layer2": layer2, "deleted": deleted, "env": env,
           "label": label, "history_config": history_config,
           "history_layer": history_layer}, open(out, "w"))
PY
plan() { python3 -c "import json,sys; v=json.load(open('plan.json'))['$1']; print('\n'.join(v) if isinstance(v, list) else v)"; }

umoci init --layout oci >/dev/null
umoci new --image oci:planted >/dev/null
umoci unpack --rootless --image oci:planted bundle >/dev/null
mkdir -p bundle/rootfs/srv/positive bundle/rootfs/srv/negative
for d in $(plan layer1); do cp -r "$POS/$d" bundle/rootfs/srv/positive/; done
cp -r "$NEG/." bundle/rootfs/srv/negative/
umoci repack --refresh-bundle --image oci:planted bundle >/dev/null
for d in $(plan deleted); do rm -r "bundle/rootfs/srv/positive/$d"; done
for d in $(plan layer2); do cp -r "$POS/$d" bundle/rootfs/srv/positive/; done
umoci repack --refresh-bundle --image oci:planted \
  --history.created_by "$(plan history_layer)" bundle >/dev/null
env_args=()
while IFS= read -r e; do env_args+=(--config.env "$e"); done < <(plan env)
umoci config --image oci:planted --no-history --config.env PATH=/usr/bin "${env_args[@]}" \
  --config.label "ci.token=$(plan label)" >/dev/null
umoci config --image oci:planted --history.created_by "$(plan history_config)" >/dev/null

"$VIGIL" image "oci:$WORK/oci:planted" --scanners secret -f json -o report.json
python3 - "$POS" "$RULES" oci plan.json report.json <<'PY'
import json, sys, tomllib
pos, rules_path, layout, plan_path, report_path = sys.argv[1:6]
plan = json.load(open(plan_path))
idx = json.load(open(f"{layout}/index.json"))
blob = lambda d: json.load(open(f"{layout}/blobs/sha256/" + d.split(":")[1]))
cfg = blob(blob(idx["manifests"][0]["digest"])["config"]["digest"])
diff_ids = cfg["rootfs"]["diff_ids"]
rows = [l.rstrip("\n").split("\t") for l in open(f"{pos}/expected.tsv") if not l.startswith("#")]
rule_of_dir = {}
want = set()
for rel, line, rule in rows:
    d = rel.split("/")[0]
    rule_of_dir[d] = rule
    layer = diff_ids[0] if d in plan["layer1"] else diff_ids[1]
    want.add((rule, "/srv/positive/" + rel, int(line), layer))
# The config: positions are the entries' places in the config as written.
env = cfg["config"]["Env"]
for e, rule in zip(plan["env"], ("github-pat", "stripe-secret-key", "openai-api-key",
                                 "anthropic-api-key", "datadog-api-key")):
    want.add((rule, "image-config:ENV", env.index(e) + 1, ""))
labels = sorted(cfg["config"]["Labels"])
want.add(("gitlab-pat", "image-config:LABEL", labels.index("ci.token") + 1, ""))
hist = [h.get("created_by", "") for h in cfg["history"]]
want.add(("slack-webhook", "image-config:history", hist.index(plan["history_config"]) + 1, ""))
want.add(("npm-access-token", "image-config:history", hist.index(plan["history_layer"]) + 1,
          diff_ids[1]))

rules = {r["id"] for r in tomllib.load(open(rules_path, "rb"))["rules"]}
ok = True
if not rules <= set(rule_of_dir.values()):
    print(f"FAIL: rules without a planted secret: {sorted(rules - set(rule_of_dir.values()))}")
    ok = False
report = json.load(open(report_path))
text = open(report_path).read()
got = set()
for f in report["findings"]:
    if f["kind"] != "secret":
        print(f"FAIL: a finding of kind {f['kind']}: {f['id']}"); ok = False
    loc = f["location"]
    got.add((f["id"], loc["path"], loc.get("line", 0), loc.get("layer", "")))
for m in sorted(want - got):
    print(f"FAIL: missed {m}"); ok = False
for m in sorted(got - want):
    print(f"FAIL: unexpected {m}"); ok = False
if len(report["findings"]) != len(got):
    print(f"FAIL: {len(report['findings'])} findings, {len(got)} distinct"); ok = False
for e in plan["env"] + [plan["label"]]:
    value = e.split("=", 1)[1]
    if value in text:
        print(f"FAIL: a planted secret appears in full ({value[:4]}...)"); ok = False
deleted = sum(1 for w in want if w[1].split("/")[3:4] and w[1].split("/")[3] in plan["deleted"])
print(f"{len(want)} planted secrets ({len(rules)} rules; {deleted} in files a later layer "
      f"deletes; {len(plan['env']) + 3} in the config), {len(got & want)} found, "
      f"{len(got - want)} unexpected")
print("ok: every planted secret found, the negative corpus clean" if ok else "")
sys.exit(0 if ok else 1)
PY
