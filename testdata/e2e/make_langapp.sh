#!/bin/sh
# Builds the language-package image fixture once per build dir (~20 s):
#   OUT/oci  OCI layout, tag app: layer 1 busybox-static; layer 2 the application (one
#            package manager each, in their real on-disk formats):
#            /app/node_modules   real npm packages from the npm registry (lodash 4.17.15,
#                                minimist 0.0.8, node-fetch 2.6.0, jquery 3.4.1) + lock file
#            /opt/venv           a Python venv whose site-packages holds dist-info METADATA
#                                of real releases (PyPI is unreachable here: the dists are
#                                written in the real on-disk format from langapp/dists.tsv)
#            /usr/local/bin/goapp  a Go binary built with Debian's golang-go against a
#                                vendored golang.org/x/text v0.3.7 (outside dpkg)
#            /app/lib/*.jar      jars (zip) with Maven pom.properties, one nested in a war
#            /usr/local/bundle/specifications/*.gemspec  installed gems
#            /app/vendor/composer/installed.json  Composer v2 packages
#            /usr/local/bin/rustapp  an executable with a cargo-auditable .dep-v0 section
#   OUT/packages.tsv  what the application layer installed: ecosystem, name, version
#   OUT/purls.tsv     every language package the layer holds: purl, location (the SBOM must
#                     list each exactly once)
# Usage: make_langapp.sh OUT. Exit 77 (skip) when a tool, the npm registry or Go is missing.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(realpath -m "$1")
STAMP="$OUT/.complete-v2"
[ -f "$STAMP" ] && exit 0
for tool in umoci npm go busybox zip objcopy; do
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

# Java: a jar per library with its Maven pom.properties, and a war nesting one of them.
jar() {  # jar OUT.jar GROUP ARTIFACT VERSION
  d=$(mktemp -d "$OUT/work/jar.XXXXXX")
  mkdir -p "$d/META-INF/maven/$2/$3"
  printf 'Manifest-Version: 1.0\nImplementation-Title: %s\nImplementation-Version: %s\n' \
    "$3" "$4" > "$d/META-INF/MANIFEST.MF"
  printf 'groupId=%s\nartifactId=%s\nversion=%s\n' "$2" "$3" "$4" \
    > "$d/META-INF/maven/$2/$3/pom.properties"
  (cd "$d" && zip -qr "$1" META-INF)
  rm -rf "$d"
}
mkdir -p javaapp/lib war/WEB-INF/lib
jar "$OUT/work/javaapp/lib/log4j-core-2.14.1.jar" org.apache.logging.log4j log4j-core 2.14.1
jar "$OUT/work/war/WEB-INF/lib/jackson-databind-2.9.10.jar" com.fasterxml.jackson.core \
  jackson-databind 2.9.10
(cd war && zip -qr "$OUT/work/javaapp/lib/shop.war" WEB-INF)

# Ruby: installed gem specifications as RubyGems writes them.
mkdir -p gems
for g in "rack 2.2.3 MIT" "nokogiri 1.13.9 MIT"; do
  set -- $g
  printf '# -*- encoding: utf-8 -*-\n# stub: %s %s ruby lib\n\nGem::Specification.new do |s|\n  s.name = "%s".freeze\n  s.version = "%s"\n  s.licenses = ["%s".freeze]\nend\n' \
    "$1" "$2" "$1" "$2" "$3" > "gems/$1-$2.gemspec"
done

# PHP: Composer 2's installed.json.
mkdir -p composer
cat > composer/installed.json <<'JSON'
{
    "packages": [
        {"name": "guzzlehttp/guzzle", "version": "7.4.0", "version_normalized": "7.4.0.0",
         "type": "library", "license": ["MIT"], "install-path": "../guzzlehttp/guzzle"},
        {"name": "symfony/http-kernel", "version": "v5.4.19", "version_normalized": "5.4.19.0",
         "type": "library", "license": ["MIT"], "install-path": "../symfony/http-kernel"}
    ],
    "dev": false,
    "dev-package-names": []
}
JSON

# Rust: cargo-auditable embeds zlib(JSON) of the dependency tree in a .dep-v0 section;
# there is no cargo here, so the section is added to a real executable with objcopy.
python3 - "$OUT/work/dep-v0" <<'PY'
import json, sys, zlib
pkgs = [{"name": "rustapp", "version": "0.1.0", "source": "local", "kind": "runtime",
         "root": True, "dependencies": [1, 2]},
        {"name": "smallvec", "version": "1.6.0", "source": "crates.io", "kind": "runtime"},
        {"name": "regex", "version": "1.5.4", "source": "crates.io", "kind": "runtime"}]
open(sys.argv[1], "wb").write(zlib.compress(json.dumps({"packages": pkgs}).encode()))
PY
objcopy --add-section .dep-v0="$OUT/work/dep-v0" --set-section-flags .dep-v0=noload,readonly \
  /bin/busybox rustapp

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
cp rustapp bundle/rootfs/usr/local/bin/rustapp
cp -a javaapp/lib bundle/rootfs/app/lib
mkdir -p bundle/rootfs/usr/local/bundle/specifications bundle/rootfs/app/vendor/composer
cp gems/*.gemspec bundle/rootfs/usr/local/bundle/specifications/
cp composer/installed.json bundle/rootfs/app/vendor/composer/installed.json
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

# Every language package of the layer with its exact purl and where it was read from.
{
  for pj in app/node_modules/*/package.json; do
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("pkg:npm/%s@%s\t/app/%s" % (d["name"], d["version"], sys.argv[1][4:]))' "$pj"
  done
  grep -v '^#' "$HERE/langapp/dists.tsv" | awk -F'\t' 'NF>=2 {
    n = tolower($1); gsub(/[-_.]+/, "-", n)
    printf "pkg:pypi/%s@%s\t/opt/venv/lib/python3.11/site-packages/%s-%s.dist-info/METADATA\n", n, $2, $1, $2 }'
  printf 'pkg:golang/golang.org/x/text@v0.3.7\t/usr/local/bin/goapp\n'
  printf 'pkg:golang/stdlib@%s\t/usr/local/bin/goapp\n' "${GOVERSION#go}"
  printf 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1\t/app/lib/log4j-core-2.14.1.jar\n'
  printf 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.10\t/app/lib/shop.war!/WEB-INF/lib/jackson-databind-2.9.10.jar\n'
  printf 'pkg:gem/rack@2.2.3\t/usr/local/bundle/specifications/rack-2.2.3.gemspec\n'
  printf 'pkg:gem/nokogiri@1.13.9\t/usr/local/bundle/specifications/nokogiri-1.13.9.gemspec\n'
  printf 'pkg:composer/guzzlehttp/guzzle@7.4.0\t/app/vendor/composer/installed.json\n'
  printf 'pkg:composer/symfony/http-kernel@v5.4.19\t/app/vendor/composer/installed.json\n'
  printf 'pkg:cargo/rustapp@0.1.0\t/usr/local/bin/rustapp\n'
  printf 'pkg:cargo/smallvec@1.6.0\t/usr/local/bin/rustapp\n'
  printf 'pkg:cargo/regex@1.5.4\t/usr/local/bin/rustapp\n'
} | sort > "$OUT/purls.tsv"
rm -rf "$OUT/work"
touch "$STAMP"
