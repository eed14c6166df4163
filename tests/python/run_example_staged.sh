#!/usr/bin/env bash
# Runs examples/python/run_busybox.py against a staged install, not the build tree:
# `cmake --install BUILD --prefix STAGE`, then PYTHONPATH into STAGE, without MYDOCKER_HELPER:
# the package must find the staged bin/mydocker-helper relative to itself (the prefix it was
# configured for is not STAGE).
# Usage: run_example_staged.sh CMAKE BUILD_DIR PYTHON SITE_DIR(relative) EXAMPLE
# Needs root and MYDOCKER_BUSYBOX_TAR. Leaves nothing behind.
set -euo pipefail
cmake=$1 build=$2 python=$3 site=$4 example=$5
stage=$(mktemp -d /tmp/pymydocker-stage-XXXXXX)
root=$(mktemp -d /tmp/pymydocker-example-XXXXXX)
trap 'rm -rf "$stage" "$root"' EXIT
"$cmake" --install "$build" --prefix "$stage" >/dev/null
unset MYDOCKER_HELPER
test -f "$stage/$site/pymydocker/_core.pyi" && test -f "$stage/$site/pymydocker/py.typed"
# -s keeps user site-packages out: only the staged package may be found.
PYTHONPATH="$stage/$site" "$python" -s -c '
import os, sys, tempfile, pymydocker
assert pymydocker.__file__.startswith(sys.argv[1]), pymydocker.__file__
helper = pymydocker.Runtime(tempfile.mkdtemp(dir=sys.argv[2])).helper
assert os.path.realpath(helper) == os.path.join(sys.argv[1], "bin/mydocker-helper"), helper
' "$stage" "$root"
status=0
output=$(PYTHONPATH="$stage/$site" "$python" -s "$example" --root "$root" \
  --image-tar "$MYDOCKER_BUSYBOX_TAR") || status=$?
printf '%s\n' "$output"
for expected in "hello from busybox 1" "hello from busybox 3" "container exited with 3"; do
  if ! grep -qxF "$expected" <<<"$output"; then
    echo "missing from the example's output: $expected" >&2
    status=1
  fi
done
# The failure path: a missing image gives the library's message and Docker's exit status 125.
fail_status=0
fail_output=$(PYTHONPATH="$stage/$site" "$python" -s "$example" --root "$root" \
  --image no-such-image 2>&1) || fail_status=$?
printf '%s\n' "$fail_output"
if [ "$fail_status" != 125 ] || ! grep -qxF "error: no such image: no-such-image" <<<"$fail_output"; then
  echo "with a missing image the example exited with $fail_status, want 125 and its message" >&2
  status=1
fi
# (.list-cache is the listing cache `ps` keeps there, not a container.)
if [ -n "$(ls -A "$root/containers" 2>/dev/null | grep -vxF .list-cache)" ]; then
  echo "example left containers behind: $(ls "$root/containers")" >&2
  status=1
fi
if grep -q "$root" /proc/self/mountinfo; then
  echo "example left mounts behind" >&2
  status=1
fi
exit $status
