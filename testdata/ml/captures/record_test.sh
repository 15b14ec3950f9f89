#!/bin/bash
# ml_capture_record (labels kernel, integration): records a fresh podman-httpd capture with
# record.sh into a temporary directory and runs the capture test's real-recording case on
# it (VIGIL_ML_CAPTURE), so the committed fixture can be regenerated and is known to match
# what the live probe produces. Skips (77) where record.sh cannot record.
set -u
VIGIL=${1:?vigil}; FILTER=${2:?ml_capture_filter}; TEST=${3:?ml_capture_test}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$HERE/record.sh" "$VIGIL" "$FILTER" "$T"
rc=$?
[ $rc = 0 ] || exit $rc
VIGIL_ML_CAPTURE="$T/podman-httpd.vgl" "$TEST" --gtest_filter='CaptureTest.RealPodmanRecording'
