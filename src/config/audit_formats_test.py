#!/usr/bin/env python3
"""`vigil config --standard` end to end: the same audit in json, sarif, junit and table, a
framework file next to a built-in standard, usage errors for bad standards (exit 2, the
framework file's line named), and exit codes still gated on findings. Usage: $0 OUT_DIR"""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

out_dir = os.path.join(sys.argv[1], "audit-formats")
os.makedirs(out_dir, exist_ok=True)
vigil = os.environ["VIGIL_BIN"]
cwd = os.path.join(os.environ["VIGIL_SOURCE_DIR"], "testdata/config/standards")
STD = ["--standard", "pss-restricted", "--standard", "frameworks/acme.yaml"]


def run(*args, code=0):
    p = subprocess.run([vigil, "config", *args], cwd=cwd, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == code, f"{args}: exit {p.returncode}, want {code}\n{p.stderr}"
    return p


def emit(fmt):
    path = os.path.join(out_dir, f"report.{fmt}")
    run("audit/manifests", *STD, "-f", fmt, "-o", path)
    return open(path, encoding="utf-8").read()


report = json.loads(emit("json"))
audits = {a["id"]: a for a in report["compliance"]}
assert list(audits) == ["pss-restricted", "acme-baseline"], list(audits)
acme = audits["acme-baseline"]
assert acme["source"] == "frameworks/acme.yaml" and acme["version"] == "2026.1"
status = {c["id"]: c["status"] for c in acme["controls"]}
assert status == {"1.1": "fail", "1.2": "fail", "1.3": "fail", "2.1": "manual"}, status
assert acme["score"] == 0.0, acme["score"]
# Only the standards' checks ran: no RBAC finding although rbac.yaml grants secrets/*.
ids = {f["id"] for f in report["findings"]}
assert ids and all(i in {f"VGL-K8S-{n:03d}" for n in range(1, 18)} for i in ids), ids

sarif = json.loads(emit("sarif"))
props = sarif["runs"][0]["properties"]["compliance"]
assert [p["id"] for p in props] == ["pss-restricted", "acme-baseline"]
assert props[0]["score"] == audits["pss-restricted"]["score"]

suites = {s.get("name"): s for s in ET.fromstring(emit("junit")).iter("testsuite")}
for std_id, a in audits.items():
    s = suites[f"compliance:{std_id}"]
    assert int(s.get("tests")) == len(a["controls"]), std_id
    assert int(s.get("failures")) == a["counts"]["fail"], std_id
    assert int(s.get("skipped")) == a["counts"]["manual"] + a["counts"]["not_applicable"]
    assert len(s.findall("testcase/failure")) == a["counts"]["fail"]

table = emit("table")
assert f"(pss-restricted): score {audits['pss-restricted']['score']:.1f}%" in table, table
assert "Failing controls (" in table

html = emit("html")
assert "<script" not in html.lower() and 'id="std-acme-baseline"' in html

# Usage errors name the problem; a bad framework file names its line.
err = run("audit/manifests", "--standard", "frameworks/bad/unknown-check.yaml", code=2).stderr
assert "unknown-check.yaml:5:" in err, err
err = run("audit/manifests", "--standard", "nist-800-190", code=2).stderr
assert 'unknown standard "nist-800-190"' in err, err
run("audit/manifests", "--standard", "nsa", "--standard", "nsa", code=2)
# The gate still counts findings, not controls.
run("audit/manifests", *STD, "--exit-code", "5", "-o", os.devnull, code=5)
run("audit/manifests/api.yaml", *STD, "--exit-code", "5", "-o", os.devnull, code=0)
print("ok: json, sarif, junit, table, html audits agree; usage errors and gate checked")
