#!/bin/sh
# Builds the language-package image fixture once per build dir (~20 s):
#   OUT/oci  OCI layout, tag app: layer 1 busybox-static; layer 2 the application:
#            /app/node_modules   real npm packages from the npm registry (lodash 4.17.15,
#                                minimist 0.0.8, node-fetch 2.6.0, jquery 3.4.1) + lock file
#            /opt/venv           a Python venv whose site-packages holds dist-info METADATA
#                                of real releases (PyPI is unreachable here: the dists are
#                                written in the real on-disk format from langapp/dists.tsv)
#            /usr/local/bin/goapp  a Go binary built with Debian's golang-go against a
#                                vendored golang.org/x/text v0.3.7 (outside dpkg)
#   OUT/packages.tsv  what the application layer installed: ecosystem, name, version
# Usage: make_langapp.sh OUT. Exit 77 (skip) when a tool, the npm registry or Go is missing.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(realpath -m "$1")
STAMP="$OUT/.complete-v1"
[ -f "$STAMP" ] && exit 0
for tool in umoci npm go busybox; do
  command -v "$tool" >/dev/null 2>&1 || { echo "make_langapp: $tool not installed" >&2; exit 77; }
done
rm -rf "$OUT"
mkdir -p "$OUT/work"
cd "$OUT/work"

# The application tree, built outside the image first.
mkdir -p app
(cd app && printf '{"name":"vulnapp","version":"1.0.0","private":true}\n' > package.json &&
  npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
    lodash@4.17.15 minimist@0.0.8 node-fetch@2.6.0 jquery@3.4.1 >../npm.log 2>&1) || {
  echo "make_langapp: npm install failed (is the npm registry reachable?):" >&2
  tail -5 npm.log >&2
  exit 77
}

SITE=venv/lib/python3.11/site-packages
mkdir -p venv/bin "$SITE"
printf 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n' > venv/pyvenv.cfg
ln -s /usr/bin/python3 venv/bin/python3
while IFS="$(printf '\t')" read -r name version license; do
  case "$name" in ''|'#'*) continue ;; esac
  dist="$SITE/$name-$version.dist-info"
  mkdir -p "$dist"
  printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\nLicense: %s\n\n' \
    "$name" "$version" "$name for the Vigil fixture" "$license" > "$dist/METADATA"
  printf 'pip\n' > "$dist/INSTALLER"
  printf '%s-%s.dist-info/METADATA,,\n' "$name" "$version" > "$dist/RECORD"
done < "$HERE/langapp/dists.tsv"

# A Go program with a vendored dependency: no module proxy is reachable, and vendoring is a
# real way Go builds record their dependencies in the binary's build info.
mkdir -p goapp/vendor/golang.org/x/text/language
cp "$HERE/langapp/main.go" goapp/main.go
cp "$HERE/langapp/language.go" goapp/vendor/golang.org/x/text/language/language.go
printf 'module example.com/goapp\n\ngo 1.19\n\nrequire golang.org/x/text v0.3.7\n' > goapp/go.mod
printf '# golang.org/x/text v0.3.7\n## explicit; go 1.17\ngolang.org/x/text/language\n' \
  > goapp/vendor/modules.txt
(cd goapp && GOFLAGS=-mod=vendor GOPROXY=off CGO_ENABLED=0 GOCACHE="$OUT/work/gocache" \
  HOME="$OUT/work" go build -trimpath -o ../goapp.bin . >../go.log 2>&1) || {
  echo "make_langapp: go build failed:" >&2
  tail -5 go.log >&2
  exit 77
}
GOVERSION=$(GOCACHE="$OUT/work/gocache" HOME="$OUT/work" go env GOVERSION)

umoci init --layout "$OUT/oci" >/dev/null
umoci new --image "$OUT/oci:app" >/dev/null
umoci unpack --image "$OUT/oci:app" bundle >/dev/null
mkdir -p bundle/rootfs/bin bundle/rootfs/etc
cp /bin/busybox bundle/rootfs/bin/busybox
ln -s busybox bundle/rootfs/bin/sh
umoci repack --image "$OUT/oci:app" bundle >/dev/null
rm -rf bundle
umoci unpack --image "$OUT/oci:app" bundle >/dev/null
mkdir -p bundle/rootfs/app bundle/rootfs/opt bundle/rootfs/usr/local/bin
cp -a app/. bundle/rootfs/app/
cp -a venv bundle/rootfs/opt/venv
cp goapp.bin bundle/rootfs/usr/local/bin/goapp
umoci repack --image "$OUT/oci:app" bundle >/dev/null
umoci gc --layout "$OUT/oci"
rm -rf bundle

# What the application layer holds, read back from the installed trees.
{
  for pj in app/node_modules/*/package.json; do
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("npm\t%s\t%s" % (d["name"], d["version"]))' "$pj"
  done
  grep -v '^#' "$HERE/langapp/dists.tsv" | awk -F'\t' 'NF>=2 {print "PyPI\t" $1 "\t" $2}'
  echo "Go	golang.org/x/text	v0.3.7"
  echo "Go	stdlib	${GOVERSION#go}"
} | sort > "$OUT/packages.tsv"
rm -rf "$OUT/work"
touch "$STAMP"
