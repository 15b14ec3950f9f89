#!/usr/bin/env python3
"""Validates Vigil's SARIF, CycloneDX and SPDX output against the official JSON schemas.

Vigil's own JSON forms (vigil.report/v1, vigil.sbom/v1) are checked against the schemas in
vigil/, which state the contract of docs/report-format.md in machine-checkable form.

Offline by construction: every $ref is resolved from the schema files in this folder, and any
attempt to fetch a schema over the network fails the run instead of silently downloading.

Modes:
  validate.py emit --emit BIN --cases DIR --out DIR
      Runs `BIN DIR OUT` (report_emit) and validates every emitted *.sarif.json,
      *.cdx.json, *.spdx.json, out.json and out.sbom.json; each kind must be present.
  validate.py self-test --emit BIN --cases DIR --out DIR
      Emits as above, then breaks copies of one document of each kind in ways the schemas
      forbid and requires the validator to reject every one (and accept the originals), so a
      validator that accepts everything cannot pass.
  validate.py check KIND FILE...
      Validates files as KIND (sarif, cyclonedx, spdx, vigil-report, vigil-sbom).

Exit status: 0 valid, 1 invalid or the validator is unavailable (never a silent pass).
"""

import argparse
import copy
import json
import os
import pathlib
import subprocess
import sys
import urllib.request
import warnings

HERE = pathlib.Path(__file__).resolve().parent

try:
    import jsonschema
except ImportError:
    print("FAIL: the python3 module 'jsonschema' is missing; install Debian's "
          "python3-jsonschema (apt-get install python3-jsonschema)", file=sys.stderr)
    sys.exit(1)


def _no_network(*args, **kwargs):
    raise RuntimeError(f"schema validation tried to fetch {args[0]!r}: every $ref must "
                       "resolve to a file under testdata/schemas")


urllib.request.urlopen = _no_network

SCHEMAS = {
    "sarif": ("sarif", "sarif-2.1.0-rtm.5.json"),
    "cyclonedx": ("cyclonedx", "bom-1.5.SNAPSHOT.schema.json"),
    "spdx": ("spdx", "spdx-schema.json"),
    "vigil-report": ("vigil", "report-v1.schema.json"),
    "vigil-sbom": ("vigil", "sbom-v1.schema.json"),
}
SUFFIXES = {".sarif.json": "sarif", ".cdx.json": "cyclonedx", ".spdx.json": "spdx"}
# report_emit's names for Vigil's own JSON forms.
EXACT_NAMES = {"out.json": "vigil-report", "out.sbom.json": "vigil-sbom"}


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def make_validator(kind):
    folder, main = SCHEMAS[kind]
    schema_dir = HERE / folder
    schema = load_json(schema_dir / main)
    base = schema.get("$id") or schema.get("id") or (schema_dir / main).as_uri()
    # Each sibling file is reachable both by its own $id and by its file name relative to the
    # main schema's base URI, which is how the CycloneDX schema refers to spdx and jsf.
    store = {}
    base_dir = base.rsplit("/", 1)[0] + "/"
    for path in schema_dir.glob("*.json"):
        doc = load_json(path)
        store[base_dir + path.name] = doc
        store[path.resolve().as_uri()] = doc
        for key in ("$id", "id"):
            if isinstance(doc.get(key), str):
                store[doc[key].rstrip("#")] = doc
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = jsonschema.RefResolver(base, schema, store=store)
    return cls(schema, resolver=resolver, format_checker=jsonschema.FormatChecker())


_VALIDATORS = {}


def errors_for(kind, doc):
    if kind not in _VALIDATORS:
        _VALIDATORS[kind] = make_validator(kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return sorted(_VALIDATORS[kind].iter_errors(doc), key=lambda e: list(e.absolute_path))


def kind_of(path):
    if path.name in EXACT_NAMES:
        return EXACT_NAMES[path.name]
    for suffix, kind in SUFFIXES.items():
        if path.name.endswith(suffix):
            return kind
    return None


def emit(args):
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([args.emit, args.cases, str(out)], capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"FAIL: {args.emit} exited {proc.returncode}: {proc.stderr.strip()}",
              file=sys.stderr)
        sys.exit(1)
    files = sorted(p for p in out.rglob("*.json") if kind_of(p))
    return files


def report(path, kind, errs):
    for e in errs[:10]:
        where = "/".join(str(p) for p in e.absolute_path) or "(document)"
        print(f"  {path}: {kind}: at {where}: {e.message[:300]}", file=sys.stderr)


def cmd_emit(args):
    files = emit(args)
    seen = set()
    failed = 0
    for path in files:
        kind = kind_of(path)
        seen.add(kind)
        errs = errors_for(kind, load_json(path))
        if errs:
            failed += 1
            print(f"INVALID {path} ({kind}, {len(errs)} errors)", file=sys.stderr)
            report(path, kind, errs)
        else:
            print(f"valid   {path.relative_to(args.out)} ({kind})")
    missing = set(SCHEMAS) - seen
    if missing:
        print(f"FAIL: no emitted document of kind {sorted(missing)}", file=sys.stderr)
        return 1
    print(f"{len(files) - failed} passed, {failed} failed")
    return 1 if failed else 0


def _mutations():
    def sarif_no_version(d):
        del d["version"]

    def sarif_bad_level(d):
        d["runs"][0]["results"][0]["level"] = "fatal"

    def sarif_line_zero(d):
        d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] = {
            "startLine": 0}

    def cdx_bad_format(d):
        d["bomFormat"] = "SPDX"

    def cdx_bad_serial(d):
        d["serialNumber"] = "not-a-uuid"

    def cdx_bad_type(d):
        d["components"][0]["type"] = "widget"

    def cdx_bad_license_id(d):
        d["components"][0]["licenses"] = [{"license": {"id": "Not-A-Real-License"}}]

    def spdx_bad_id(d):
        d["packages"][0]["SPDXID"] = "SPDXRef-bad id!"

    def spdx_bad_created(d):
        d["creationInfo"]["created"] = "2026-11-24 06:00"

    def spdx_no_version(d):
        del d["spdxVersion"]

    def vigil_bad_severity(d):
        d["findings"][0]["severity"] = "urgent"

    def vigil_empty_optional(d):
        d["findings"][0]["title"] = ""

    def vigil_sbom_no_version(d):
        del d["components"][0]["version"]

    return {
        "sarif": [sarif_no_version, sarif_bad_level, sarif_line_zero],
        "cyclonedx": [cdx_bad_format, cdx_bad_serial, cdx_bad_type, cdx_bad_license_id],
        "spdx": [spdx_bad_id, spdx_bad_created, spdx_no_version],
        "vigil-report": [vigil_bad_severity, vigil_empty_optional],
        "vigil-sbom": [vigil_sbom_no_version],
    }


def cmd_self_test(args):
    files = emit(args)
    originals = {}
    for path in files:
        doc = load_json(path)
        kind = kind_of(path)
        # A document with a result/component to break.
        if kind == "sarif" and not doc["runs"][0]["results"]:
            continue
        if kind in ("cyclonedx", "vigil-sbom") and not doc.get("components"):
            continue
        if kind == "vigil-report" and not doc.get("findings"):
            continue
        originals.setdefault(kind, (path, doc))
    failed = 0
    passed = 0
    for kind, mutations in _mutations().items():
        if kind not in originals:
            print(f"FAIL: no emitted {kind} document to break", file=sys.stderr)
            return 1
        path, doc = originals[kind]
        if errors_for(kind, doc):
            print(f"FAIL: original {path} is already invalid", file=sys.stderr)
            failed += 1
            continue
        for mutate in mutations:
            broken = copy.deepcopy(doc)
            mutate(broken)
            if errors_for(kind, broken):
                passed += 1
                print(f"rejected as expected: {kind} {mutate.__name__}")
            else:
                failed += 1
                print(f"FAIL: validator accepted broken {kind} document ({mutate.__name__})",
                      file=sys.stderr)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def cmd_check(args):
    failed = 0
    for f in args.files:
        errs = errors_for(args.kind, load_json(f))
        if errs:
            failed += 1
            print(f"INVALID {f}", file=sys.stderr)
            report(f, args.kind, errs)
        else:
            print(f"valid   {f}")
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    for mode in ("emit", "self-test"):
        p = sub.add_parser(mode)
        p.add_argument("--emit", required=True, help="path to the report_emit binary")
        p.add_argument("--cases", required=True, help="testdata/report")
        p.add_argument("--out", required=True, help="scratch folder for emitted files")
    p = sub.add_parser("check")
    p.add_argument("kind", choices=sorted(SCHEMAS))
    p.add_argument("files", nargs="+")
    args = parser.parse_args()
    if args.mode == "emit":
        return cmd_emit(args)
    if args.mode == "self-test":
        return cmd_self_test(args)
    return cmd_check(args)


if __name__ == "__main__":
    sys.exit(main())
