#!/usr/bin/env python3
"""Differential check of vigil's version ordering against the native tools.

Generates random version pairs from each ecosystem's alphabet, orders them with the native
tool and with `vigil debug version-compare --batch`, and prints the disagreements.

  src/match/native_diff.py dpkg  [--pairs N] [--seed S]   # needs dpkg
  src/match/native_diff.py rpm                            # needs rpm (lua rpm.vercmp)
  src/match/native_diff.py pypi                           # needs pip (vendored packaging)
  src/match/native_diff.py maven                          # needs maven-artifact jar + java

VIGIL_BIN (default build/src/cli/vigil) names the binary. Exit status 1 on any mismatch.
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile

ALPHABETS = {
    "dpkg": (["0:", "1:", "2:"], ["1", "2", "0", "10"],
             ["0", "1", "2", "10", "01", "a", "b", "z", "~", "+", ".", "-", "~~", "rc", "A"]),
    "rpm": (["0:", "1:", "2:"], ["1", "2", "0", "10", "a"],
            ["0", "1", "2", "10", "01", "a", "b", "~", "^", ".", "-", "_", "+", "rc", "el8", ":"]),
    "pypi": (["v", "1!", "V"], ["1", "2", "0", "10", "1.0"],
             ["0", "1", "2", "10", "01", "a", "b", "c", "rc", "alpha", "beta", "pre", "preview",
              "post", "rev", "r", "dev", ".", "-", "_", "+", "!", "local", "x", "A", "*", ":"]),
    "maven": ([], ["1", "2", "0", "1.0", "10"],
              ["0", "1", "01", "2", "10", "a", "b", "m", "alpha", "beta", "milestone", "rc", "cr",
               "snapshot", "ga", "final", "release", "sp", "foo", ".", "-"]),
}
ECOSYSTEM = {"dpkg": "Debian", "rpm": "Red Hat", "pypi": "PyPI", "maven": "Maven"}


def generate(kind, rng):
    prefixes, starts, parts = ALPHABETS[kind]
    s = rng.choice(prefixes) if prefixes and rng.random() < 0.2 else ""
    s += rng.choice(starts)
    for _ in range(rng.randint(0, 5)):
        s += rng.choice(parts)
    return s


def sign(n):
    return "<" if n < 0 else ">" if n > 0 else "="


def native_dpkg(pairs):
    out = []
    for a, b in pairs:
        lt = subprocess.run(["dpkg", "--compare-versions", a, "lt", b], capture_output=True)
        if lt.returncode == 2:  # bad syntax (warnings alone still compare)
            out.append(None)
        elif lt.returncode == 0:
            out.append("<")
        else:
            eq = subprocess.run(["dpkg", "--compare-versions", a, "eq", b], capture_output=True)
            out.append("=" if eq.returncode == 0 else ">")
    return out


def native_rpm(pairs):
    lua = "".join('print(rpm.vercmp("%s", "%s") .. "\\n") ' % (a, b) for a, b in pairs)
    res = subprocess.run(["rpm", "--eval", "%{lua: " + lua + "}"], capture_output=True, text=True)
    return [sign(int(x)) for x in res.stdout.split()]


def native_pypi(pairs):
    import warnings
    warnings.simplefilter("ignore")
    from pip._vendor.packaging.version import parse  # packaging 21.x keeps LegacyVersion
    return [sign((parse(a) > parse(b)) - (parse(a) < parse(b))) for a, b in pairs]


def native_maven(pairs):
    jar = os.environ.get("MAVEN_ARTIFACT_JAR", "/usr/share/maven/lib/maven-artifact-3.x.jar")
    out = []
    for a, b in pairs:
        res = subprocess.run(["java", "-cp", jar,
                              "org.apache.maven.artifact.versioning.ComparableVersion", a, b],
                             capture_output=True, text=True)
        ops = [l.split()[1] for l in res.stdout.splitlines()
               if l.startswith("   ") and len(l.split()) == 3]
        out.append({"==": "="}.get(ops[0], ops[0]) if ops else None)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=sorted(ALPHABETS))
    ap.add_argument("--pairs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    pairs = [(generate(args.kind, rng), generate(args.kind, rng)) for _ in range(args.pairs)]
    native = globals()["native_" + args.kind](pairs)
    vigil = os.environ.get("VIGIL_BIN", "build/src/cli/vigil")
    with tempfile.NamedTemporaryFile("w", suffix=".tsv") as f:
        f.write("".join("%s\t%s\n" % p for p in pairs))
        f.flush()
        res = subprocess.run([vigil, "debug", "version-compare", "--ecosystem",
                              ECOSYSTEM[args.kind], "--batch", f.name],
                             capture_output=True, text=True)
    ours = res.stdout.splitlines()
    if len(ours) != len(pairs):
        sys.exit("vigil printed %d lines for %d pairs: %s" % (len(ours), len(pairs), res.stderr))
    bad = 0
    for (a, b), n, m in zip(pairs, native, ours):
        if n is None:  # the native tool rejects the pair; vigil must report an error too
            if not m.startswith("error"):
                bad += 1
                print("native rejects %r %r, vigil says %s" % (a, b, m))
        elif n != m:
            bad += 1
            print("%r %s %r  vigil: %s" % (a, n, b, m))
    print("%s: %d pairs, %d mismatches" % (args.kind, len(pairs), bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
