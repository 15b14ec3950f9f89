#!/bin/bash
# Drives the real `vigil` binary: every subcommand documents its flags, exit codes follow
# docs/cli.md (0 ok, N gated, 2 usage, 3 runtime), unimplemented commands say so.
set -u
VIGIL=${VIGIL_BIN:?VIGIL_BIN not set}
fails=0
pass=0
check() {  # check NAME EXPECTED_RC CMD...
  local name=$1 want=$2
  shift 2
  "$@" >/tmp/vigil-cli-test.out 2>&1
  local rc=$?
  if [ "$rc" != "$want" ]; then
    echo "FAIL $name: exit $rc, want $want"; sed 's/^/    /' /tmp/vigil-cli-test.out | head -20
    fails=$((fails + 1))
  else
    pass=$((pass + 1))
  fi
}
expect_text() {  # expect_text NAME TEXT  (in the last command's output)
  if ! grep -q -- "$2" /tmp/vigil-cli-test.out; then
    echo "FAIL $1: output lacks '$2'"; sed 's/^/    /' /tmp/vigil-cli-test.out | head -20
    fails=$((fails + 1))
  else
    pass=$((pass + 1))
  fi
}

check help 0 "$VIGIL" --help
for cmd in image fs sbom db config agent ml respond server version debug; do
  expect_text "help lists $cmd" "^  $cmd"
done
for cmd in image fs sbom db config agent version debug; do
  check "$cmd --help" 0 "$VIGIL" "$cmd" --help
done
for sub in build info update; do
  check "db $sub --help" 0 "$VIGIL" db "$sub" --help
done
check "db without a subcommand is a usage error" 2 "$VIGIL" db
check "db info on a missing file" 3 "$VIGIL" db info --db /nonexistent/vigil.db
expect_text "db info names the file" "/nonexistent/vigil.db"
check "image help documents --exit-code" 0 "$VIGIL" image --help
expect_text "image --exit-code" "--exit-code"
expect_text "image --severity" "--severity"
expect_text "image --scanners" "--scanners"
expect_text "image --cache-dir" "--cache-dir"
expect_text "image --format" "--format"
expect_text "image --output" "--output"

check "no subcommand is a usage error" 2 "$VIGIL"
check "unknown subcommand" 2 "$VIGIL" frobnicate
check "unknown flag" 2 "$VIGIL" version --no-such-flag
check "reserved exit code" 2 "$VIGIL" fs / --exit-code 3
for cmd in respond server; do
  check "$cmd is pending" 3 "$VIGIL" "$cmd"
  expect_text "$cmd says so" "not implemented yet"
done
check "ml without a subcommand" 2 "$VIGIL" ml
check "ml models" 0 "$VIGIL" ml models
expect_text "ml models lists stide" "stide"
check version 0 "$VIGIL" version
expect_text "version prints it" "vigil "
check "version json" 0 "$VIGIL" version --format json
expect_text "version json" '"version"'
check "bad format" 2 "$VIGIL" version --format yaml

echo "$pass passed, $fails failed"
[ "$fails" = 0 ]
