#!/usr/bin/env python3
"""Independent oracle for the vulnerability-matching acceptance tests.

Given installed packages (TSV: ecosystem, name, version) and the advisory snapshots in
../shared/vulndata, prints every advisory that applies: "ecosystem<TAB>name<TAB>version<TAB>
advisory-id<TAB>comma-separated aliases". It shares no code with Vigil: its own semver,
PEP 440 (the subset the snapshot uses) and npm-range evaluation, written from the specs.

Usage: expected_advisories.py VULNDATA PACKAGES.tsv
"""
import json
import os
import re
import sys

import yaml


# --- SemVer 2.0.0 (Go: optional "v", pre-releases such as "-0" sort first) -----------------
def semver_key(v):
    v = v.strip().lstrip("v=").split("+", 1)[0]
    core, _, pre = v.partition("-")
    nums = [int(x) for x in core.split(".")]
    while len(nums) < 3:
        nums.append(0)
    if not pre:
        return (nums, 1, [])
    ids = []
    for part in pre.split("."):
        ids.append((0, int(part), "") if part.isdigit() else (1, 0, part))
    return (nums, 0, ids)


# --- PEP 440 (epoch, release, pre, post, dev; local versions ignored) ----------------------
PEP440 = re.compile(
    r"^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d*))?"
    r"(?:-(\d+)|[-_.]?(?:post|rev|r)[-_.]?(\d*))?(?:[-_.]?dev[-_.]?(\d*))?(?:\+.*)?$",
    re.IGNORECASE)


def pep440_key(v):
    m = PEP440.match(v.strip().lower())
    if not m:
        raise ValueError("not PEP 440: " + v)
    epoch = int(m.group(1) or 0)
    release = [int(x) for x in m.group(2).split(".")]
    while release and release[-1] == 0:
        release.pop()
    pre = None
    if m.group(3):
        letter = {"alpha": "a", "beta": "b", "c": "rc", "pre": "rc", "preview": "rc"}.get(
            m.group(3), m.group(3))
        pre = ({"a": 0, "b": 1, "rc": 2}[letter], int(m.group(4) or 0))
    post = None
    if m.group(5) is not None or m.group(6) is not None:
        post = int(m.group(5) or m.group(6) or 0)
    dev = int(m.group(7) or 0) if re.search(r"dev", v, re.I) else None
    # Ordering of packaging's _cmpkey: dev-only releases before pre-releases.
    pre_key = pre if pre is not None else ((-1, 0) if (post is None and dev is not None)
                                           else (9, 0))
    post_key = post if post is not None else -1
    dev_key = dev if dev is not None else float("inf")
    return (epoch, release, pre_key, post_key, dev_key)


def osv_affected(events, key, version):
    """OSV range evaluation (introduced / fixed / last_affected / limit)."""
    v = key(version)
    affected = False
    ordered = []
    for e in events:
        (kind, val), = e.items()
        ordered.append((kind, val))
    def k(item):
        kind, val = item
        if kind == "introduced" and val == "0":
            return (0, None)
        return (1, key(val))
    limits = [key(val) for kind, val in ordered if kind == "limit" and val != "*"]
    for kind, val in sorted((e for e in ordered if e[0] != "limit"),
                            key=lambda item: (k(item)[0], k(item)[1] if k(item)[1] else [])):
        if kind == "introduced":
            if val == "0" or key(val) <= v:
                affected = True
        elif kind == "fixed":
            if key(val) <= v:
                affected = False
        elif kind == "last_affected":
            if key(val) < v:
                affected = False
    if affected and limits:
        affected = any(v < lim for lim in limits)
    return affected


# --- npm ranges as the Node.js security WG writes them --------------------------------------
def npm_satisfies(rng, version):
    v = semver_key(version)
    for alt in rng.split("||"):
        tokens = re.findall(r"(<=|>=|<|>|=)?\s*([0-9x*][^\s]*)", alt.strip())
        ok = True
        for op, ver in tokens:
            if "x" in ver or "*" in ver:
                parts = [p for p in ver.split(".") if p not in ("x", "*", "X")]
                lo = ".".join(parts + ["0"] * (3 - len(parts)))
                if op in (">=", ""):
                    ok &= v >= semver_key(lo)
                else:
                    raise ValueError("unsupported x-range: " + alt)
                continue
            c = semver_key(ver)
            ok &= {"<": v < c, "<=": v <= c, ">": v > c, ">=": v >= c,
                   "=": v == c, "": v == c}[op or ""]
        if tokens and ok:
            return True
    return False


def norm_pypi(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def main():
    root, packages_path = sys.argv[1], sys.argv[2]
    packages = []
    with open(packages_path) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                eco, name, version = line.rstrip("\n").split("\t")[:3]
                packages.append((eco, name, version))
    out = []
    wanted = {(e, norm_pypi(n) if e == "PyPI" else n): (n, v) for e, n, v in packages}

    def emit(eco, key, rec_id, aliases):
        name, version = wanted[(eco, key)]
        out.append("\t".join([eco, name, version, rec_id, ",".join(sorted(aliases))]))

    pypa = os.path.join(root, "pypa-advisory-database", "vulns")
    for eco, name, version in packages:
        if eco != "PyPI":
            continue
        for d in os.listdir(pypa):
            if norm_pypi(d) != norm_pypi(name):
                continue
            for fn in sorted(os.listdir(os.path.join(pypa, d))):
                rec = yaml.safe_load(open(os.path.join(pypa, d, fn)))
                if rec.get("withdrawn"):
                    continue
                for aff in rec.get("affected", []):
                    if norm_pypi(aff["package"]["name"]) != norm_pypi(name):
                        continue
                    hit = version in (aff.get("versions") or [])
                    for r in aff.get("ranges", []):
                        if r["type"] == "ECOSYSTEM" and osv_affected(r["events"], pep440_key,
                                                                       version):
                            hit = True
                    if hit:
                        emit("PyPI", norm_pypi(name), rec["id"], rec.get("aliases") or [])
                        break

    go_dir = os.path.join(root, "golang-vulndb", "data", "osv")
    go_pkgs = {n: v for e, n, v in packages if e == "Go"}
    if go_pkgs:
        for fn in sorted(os.listdir(go_dir)):
            rec = json.load(open(os.path.join(go_dir, fn)))
            if rec.get("withdrawn"):
                continue
            for aff in rec.get("affected", []):
                name = aff["package"]["name"]
                if name not in go_pkgs:
                    continue
                if any(r["type"] == "SEMVER" and osv_affected(r["events"], semver_key,
                                                              go_pkgs[name])
                       for r in aff.get("ranges", [])):
                    emit("Go", name, rec["id"], rec.get("aliases") or [])
                    break

    npm_dir = os.path.join(root, "nodejs-security-wg", "vuln", "npm")
    npm_pkgs = {n: v for e, n, v in packages if e == "npm"}
    for fn in sorted(os.listdir(npm_dir)):
        if not fn.endswith(".json") or fn == "index.json":
            continue
        rec = json.load(open(os.path.join(npm_dir, fn)))
        name = rec.get("module_name")
        if name in npm_pkgs and npm_satisfies(rec["vulnerable_versions"], npm_pkgs[name]):
            emit("npm", name, "NSWG-ECO-%s" % rec["id"], rec.get("cves") or [])

    for line in sorted(set(out)):
        print(line)


if __name__ == "__main__":
    main()
