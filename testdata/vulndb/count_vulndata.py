#!/usr/bin/env python3
"""Independent count of a vulnerability-data tree, following the importer conventions of
docs/db.md ("Counts"). `vigil db build` + `vigil db info --format json` must report the
same numbers (testdata/vulndb/db_counts_test.sh compares them).

Usage: count_vulndata.py DIR   -> JSON on stdout:
  {"sources": {"<name>|<format>": {advisories, withdrawn, affected, severities, skipped}},
   "tables": {advisories, affected, severities}, "ecosystems": {eco: affected rows},
   "unrecognised_files": n}
Exit 77 when PyYAML is missing (the caller skips).

Written from the format descriptions (OSV schema, secdb, the tracker's list format, the
Node.js security-wg layout), not from the C++ importers: only the Python standard library
and PyYAML.
"""
import json
import os
import re
import sys

try:
    import yaml
    YamlLoader = getattr(yaml, "CBaseLoader", None) or yaml.BaseLoader
except ImportError:  # pragma: no cover
    print("PyYAML is not installed: cannot count YAML feeds", file=sys.stderr)
    sys.exit(77)

MAX_FILE = 256 << 20
HEAD = 4096

OSV_ECOSYSTEMS = [
    "AlmaLinux", "Alpine", "Android", "Bioconductor", "Bitnami", "Chainguard", "ConanCenter",
    "CRAN", "crates.io", "Debian", "GHC", "GitHub Actions", "Go", "Hackage", "Hex", "Linux",
    "Maven", "Mageia", "MinimOS", "npm", "NuGet", "openSUSE", "OSS-Fuzz", "Packagist",
    "Photon OS", "Pub", "PyPI", "Red Hat", "Rocky Linux", "RubyGems", "SUSE", "SwiftURL",
    "Ubuntu", "Wolfi",
]

DEBIAN_RELEASES = {
    "buzz": "1.1", "rex": "1.2", "bo": "1.3", "hamm": "2.0", "slink": "2.1", "potato": "2.2",
    "woody": "3.0", "sarge": "3.1", "etch": "4", "lenny": "5", "squeeze": "6", "wheezy": "7",
    "jessie": "8", "stretch": "9", "buster": "10", "bullseye": "11", "bookworm": "12",
    "trixie": "13", "forky": "14",
}
DEBIAN_STATES = {"<not-affected>", "<end-of-life>", "<unfixed>", "<no-dsa>", "<ignored>",
                 "<postponed>"}
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def canonical_ecosystem(eco):
    base, sep, release = eco.partition(":")
    for known in OSV_ECOSYSTEMS:
        if known.lower() == base.lower():
            base = known
            break
    if not sep:
        return base
    if base == "Alpine" and release and not release.startswith("v"):
        release = "v" + release
    return base + ":" + release


class Counts:
    def __init__(self):
        self.sources = {}
        self.ecosystems = {}
        self.unrecognised = 0

    def src(self, name, fmt):
        return self.sources.setdefault(name + "|" + fmt, {
            "advisories": 0, "withdrawn": 0, "affected": 0, "severities": 0, "skipped": 0})

    def advisory(self, name, fmt, withdrawn, ecosystems):
        s = self.src(name, fmt)
        s["advisories"] += 1
        s["withdrawn"] += 1 if withdrawn else 0
        s["affected"] += len(ecosystems)
        for e in ecosystems:
            self.ecosystems[e] = self.ecosystems.get(e, 0) + 1

    def skipped(self, name, fmt, n=1):
        self.src(name, fmt)["skipped"] += n


# ---------------------------------------------------------------- detection

def json_key(head, key):
    return re.search(r'"' + re.escape(key) + r'"\s*:', head) is not None


def yaml_key(head, key):
    return re.search(r"(?m)^" + re.escape(key) + ":", head) is not None


def detect(path, head):
    name = os.path.basename(path).lower()
    if name.endswith(".zip"):
        return "osv-zip"
    body = head.lstrip("\ufeff").lstrip()
    if not body:
        return ""
    first = next((l.strip() for l in body.splitlines() if l.strip()), "")
    if re.match(r"\[\d\d [A-Za-z]{3} \d{4}\] D[SL]A-", first):
        return "debian-dsa-list"
    if body[0] in "{[":
        if json_key(body, "packages") and (json_key(body, "distroversion") or
                                           json_key(body, "reponame")):
            return "alpine-secdb"
        if json_key(body, "module_name") or json_key(body, "vulnerable_versions"):
            return "nswg-json"
        if (json_key(body, "vulnerabilities") and json_key(body, "cve")) or \
                (json_key(body, "format") and '"NVD_CVE"' in body):
            return "nvd-json"
        if re.match(r'\{\s*"[^"]*"\s*:\s*\{\s*"(CVE-|TEMP-)', body):
            return "debian-tracker-json"
        if json_key(body, "id") and any(json_key(body, k) for k in
                                        ("affected", "modified", "schema_version")):
            return "osv-json"
        return ""
    if yaml_key(head, "packages") and (yaml_key(head, "distroversion") or
                                       yaml_key(head, "reponame")):
        return "alpine-secdb"
    if yaml_key(head, "id") and any(yaml_key(head, k) for k in
                                    ("affected", "modified", "schema_version")):
        return "osv-yaml"
    return ""


def is_doc(name):
    n = name.lower()
    return n.endswith(".md") or n.startswith(("license", "notice", "readme"))


# ---------------------------------------------------------------- OSV

def scalar_ok(v, from_yaml):
    """A version/ecosystem value the importer keeps: JSON strings and numbers; any YAML
    scalar (YAML is read as text)."""
    if v is None or isinstance(v, (list, dict)):
        return False
    if from_yaml:
        return True
    return isinstance(v, str) or (isinstance(v, (int, float)) and not isinstance(v, bool))


def text(v):
    if v is None or isinstance(v, (list, dict, bool)):
        return ""
    return str(v)


def osv_record(c, fmt, rec, from_yaml):
    if not isinstance(rec, dict) or not isinstance(rec.get("id"), str) or not rec["id"]:
        c.skipped("osv", fmt)
        return
    w = rec.get("withdrawn")
    withdrawn = w is not None and w != ""
    ecos = []
    affected = rec.get("affected")
    for a in affected if isinstance(affected, list) else []:
        if not isinstance(a, dict) or not isinstance(a.get("package"), dict):
            continue
        pkg = a["package"]
        eco, name = pkg.get("ecosystem"), pkg.get("name")
        if not scalar_ok(eco, from_yaml) or not scalar_ok(name, from_yaml):
            continue
        if text(eco) == "" or text(name) == "":
            continue
        ranges = a.get("ranges")
        keeps = any(isinstance(r, dict) and isinstance(r.get("type"), str) and
                    r["type"].lower() in ("ecosystem", "semver")
                    for r in (ranges if isinstance(ranges, list) else []))
        versions = a.get("versions")
        if not keeps and isinstance(versions, list):
            keeps = any(scalar_ok(v, from_yaml) for v in versions)
        if keeps:
            ecos.append(canonical_ecosystem(text(eco)))
    c.advisory("osv", fmt, withdrawn, ecos)


def osv_doc(c, fmt, doc, from_yaml):
    if isinstance(doc, list):
        for rec in doc:
            osv_record(c, fmt, rec, from_yaml)
    elif isinstance(doc, dict):
        osv_record(c, fmt, doc, from_yaml)
    else:
        c.skipped("osv", fmt)


def count_osv(c, fmt, data):
    try:
        if fmt == "osv-json":
            doc, from_yaml = json.loads(data), False
        else:
            doc, from_yaml = yaml.load(data, Loader=YamlLoader), True
    except Exception:  # unreadable file: skipped as a whole
        c.skipped("osv", fmt)
        return
    osv_doc(c, fmt, doc, from_yaml)


# ---------------------------------------------------------------- Alpine secdb

def count_alpine(c, path, data):
    fmt = "alpine-secdb"
    try:
        if data.lstrip()[:1] == b"{":
            doc = json.loads(data)
        else:
            doc = yaml.load(data, Loader=YamlLoader)
    except Exception:
        c.skipped("alpine-secdb", fmt)
        return
    release = text(doc.get("distroversion")) if isinstance(doc, dict) else ""
    if not release:
        c.skipped("alpine-secdb", fmt)
        return
    eco = canonical_ecosystem("Alpine:" + release)
    for item in doc.get("packages") or []:
        pkg = item.get("pkg") if isinstance(item, dict) else None
        name = pkg.get("name") if isinstance(pkg, dict) else None
        if not name or isinstance(name, (list, dict)):
            c.skipped("alpine-secdb", fmt)
            continue
        secfixes = pkg.get("secfixes")
        if secfixes is None or secfixes == "":
            continue
        if not isinstance(secfixes, dict):
            c.skipped("alpine-secdb", fmt)
            continue
        for version, lines in secfixes.items():
            if text(version) == "" or not isinstance(lines, list):
                c.skipped("alpine-secdb", fmt)
                continue
            for line in lines:
                # One advisory per id line; "(note)" text is not an id.
                if line is None or isinstance(line, (list, dict)) or \
                        not str(line).split("(")[0].split():
                    c.skipped("alpine-secdb", fmt)
                    continue
                c.advisory("alpine-secdb", fmt, False, [eco])


# ---------------------------------------------------------------- Debian DSA/DLA lists

HEADER = re.compile(r"^\[(\d{1,2}) ([A-Za-z]{3}) (\d{4})\]\s+(D[SL]A-\d+(?:-\d+)?)(?:\s|$)")


def count_dsa_list(c, data):
    fmt = "debian-dsa-list"
    lines = data.decode("utf-8", "replace").split("\n")
    current = None  # [source, affected ecosystems]
    in_skipped = False
    entries = []
    skipped = {}

    def skip(name):
        skipped[name] = skipped.get(name, 0) + 1

    default = "debian-dla" if "DLA" in os.path.basename(os.path.dirname(c.path)) else "debian-dsa"
    for raw in lines:
        raw = raw.rstrip("\r")
        line = raw.strip()
        if not line:
            continue
        indented = raw[0] in " \t"
        if not indented and raw[0] == "[":
            m = HEADER.match(line)
            if m and m.group(2) in MONTHS and 1 <= int(m.group(1)) <= 31:
                current = ["debian-dsa" if m.group(4).startswith("DSA") else "debian-dla", []]
                entries.append(current)
                in_skipped = False
            else:
                skip(current[0] if current else default)
                in_skipped = True
            continue
        if not indented:
            skip(current[0] if current else default)
            continue
        if in_skipped or line.startswith("NOTE:"):
            continue
        if current is None:
            skip(default)
            continue
        if line[0] == "{":
            if not line.endswith("}"):
                skip(current[0])
            continue
        if line[0] == "[":
            m = re.match(r"^\[([^\]]*)\](.*)$", line)
            rest = m.group(2).split("(")[0].split() if m else []
            codename = m.group(1).strip() if m else ""
            ok = (len(rest) == 3 and rest[0] == "-" and codename in DEBIAN_RELEASES and
                  (rest[2] in DEBIAN_STATES or rest[2][0].isalnum()))
            if ok:
                current[1].append("Debian:" + DEBIAN_RELEASES[codename])
            else:
                skip(current[0])
            continue
        skip(current[0])
    if not entries:
        c.skipped(default, fmt)
        return
    for source, ecos in entries:
        c.advisory(source, fmt, False, ecos)
    for source, n in skipped.items():
        c.skipped(source, fmt, n)


# ---------------------------------------------------------------- NSWG

def count_nswg(c, data):
    fmt = "nswg-json"
    try:
        doc = json.loads(data)
    except Exception:
        c.skipped("nswg", fmt)
        return
    if not isinstance(doc, dict):
        c.skipped("nswg", fmt)
        return
    module = doc.get("module_name")
    vid = doc.get("id")
    vid_ok = (isinstance(vid, int) and not isinstance(vid, bool)) or (isinstance(vid, str) and vid)
    if not isinstance(module, str) or not module or not vid_ok or \
            not isinstance(doc.get("vulnerable_versions"), str):
        c.skipped("nswg", fmt)
        return
    c.advisory("nswg", fmt, False, ["npm"])


# ---------------------------------------------------------------- walk

def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = sys.argv[1]
    c = Counts()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        for fn in sorted(filenames):
            path = os.path.join(dirpath, fn)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            c.path = path
            if is_doc(fn) or os.path.getsize(path) > MAX_FILE:
                c.unrecognised += 1
                continue
            with open(path, "rb") as f:
                data = f.read()
            fmt = detect(path, data[:HEAD].decode("utf-8", "replace"))
            if fmt in ("osv-json", "osv-yaml"):
                count_osv(c, fmt, data)
            elif fmt == "alpine-secdb":
                count_alpine(c, path, data)
            elif fmt == "debian-dsa-list":
                count_dsa_list(c, data)
            elif fmt == "nswg-json":
                count_nswg(c, data)
            elif fmt == "":
                c.unrecognised += 1
            else:
                print(f"{path}: format {fmt} is not counted by this script", file=sys.stderr)
                return 1
    tables = {
        "advisories": sum(s["advisories"] for s in c.sources.values()),
        "affected": sum(s["affected"] for s in c.sources.values()),
        "severities": sum(s["severities"] for s in c.sources.values()),
    }
    json.dump({"sources": c.sources, "tables": tables,
               "ecosystems": dict(sorted(c.ecosystems.items())),
               "unrecognised_files": c.unrecognised}, sys.stdout, indent=2, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
