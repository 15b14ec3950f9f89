#!/usr/bin/env python3
"""Independent oracle for the Debian backport acceptance test.

Reads dpkg-query output from inside an image (TSV: package, version, source, source
version) and Debian's DSA/DLA list files, and prints every advisory that applies to an
installed binary package of release RELEASE (e.g. bullseye):
"package<TAB>advisory-id<TAB>state" where state is "fixed" (installed source version is
below the fixed version, decided by the real `dpkg --compare-versions`) or the tracker's
state (unfixed, end-of-life, ...). <not-affected> never applies. Shares no code with Vigil.

Usage: expected_debian.py RELEASE INSTALLED.tsv LIST [LIST...]
"""
import re
import subprocess
import sys

ENTRY = re.compile(r"^\[(\d{1,2} \w{3} \d{4})\] ((?:DSA|DLA)-\d+(?:-\d+)?) ")
LINE = re.compile(r"^\s+\[([a-z]+)\] - (\S+)(?:\s+(\S+))?")


def dpkg_lt(a, b):
    return subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0


def main():
    release, installed_path, lists = sys.argv[1], sys.argv[2], sys.argv[3:]
    by_source = {}
    for line in open(installed_path):
        pkg, _, src, src_ver = line.rstrip("\n").split("\t")[:4]
        by_source.setdefault(src or pkg, []).append((pkg, src_ver))
    out = set()
    for path in lists:
        current = None
        for line in open(path, encoding="utf-8", errors="replace"):
            m = ENTRY.match(line)
            if m:
                current = m.group(2)
                continue
            m = LINE.match(line)
            if not m or current is None or m.group(1) != release:
                continue
            src, what = m.group(2), m.group(3) or ""
            if src not in by_source or what == "<not-affected>":
                continue
            for pkg, src_ver in by_source[src]:
                if what.startswith("<"):
                    out.add((pkg, current, what.strip("<>")))
                elif dpkg_lt(src_ver, what):
                    out.add((pkg, current, "fixed"))
    for pkg, adv, state in sorted(out):
        print("%s\t%s\t%s" % (pkg, adv, state))


if __name__ == "__main__":
    main()
