#!/usr/bin/env bash
# Installs the build into a temporary staging prefix, builds examples/ against that prefix (the
# CMake package, and the C example with pkg-config alone), and runs each example against the
# busybox image under a temporary state root. Proves an installed, moved tree works: the
# examples get no helper path, so the library must find the staged bin/mydocker-helper by itself.
# Each example also runs an image that is missing: its real message and exit status 125. (The
# Python example runs against a staged install in tests/python/run_example_staged.sh.)
#
# usage: examples_installed.sh BUILD_DIR SOURCE_DIR BUSYBOX_TAR
set -euo pipefail
build=$1 src=$2 tar=$3
[ "$(id -u)" = 0 ] || { echo "skipped: needs root"; exit 77; }
work=$(mktemp -d /tmp/mydocker-examples-XXXXXX)
failed=0
cleanup() {
  if grep -F "$work" /proc/self/mountinfo; then echo "FAIL: mounts left under $work"; failed=1; fi
  rm -rf "$work"
  exit $failed
}
trap cleanup EXIT
unset MYDOCKER_HELPER MYDOCKER_ROOT

stage=$work/stage
cmake --install "$build" --prefix "$stage" >/dev/null
cmake -S "$src/examples" -B "$work/build" -DCMAKE_PREFIX_PATH="$stage" >/dev/null
cmake --build "$work/build" -j2 >/dev/null

version=$(sed -n 's/^project(mydocker VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
pc=$(find "$stage" -name mydocker.pc)
export PKG_CONFIG_PATH=$(dirname "$pc")
libdir=$(pkg-config --variable=libdir mydocker)
# shellcheck disable=SC2046  # the flags are words
cc -std=c99 -Wall -Wextra -Werror "$src/examples/c/run.c" $(pkg-config --cflags --libs mydocker) \
  -Wl,-rpath,"$libdir" -o "$work/build/run_c_pkgconfig"

check() {  # check NAME EXPECTED-SUBSTRING...
  local name=$1 prog=$work/build/$1 root=$work/state-$1 out
  shift
  local lib
  lib=$(ldd "$prog" | awk '$1 == "libmydocker.so.1" {print $3}')
  # The library's file carries the project's version (libmydocker.so.MAJOR.MINOR.PATCH).
  if [ -z "$lib" ] || [ "$(realpath "$lib")" != "$(realpath "$stage")/lib/libmydocker.so.$version" ]; then
    echo "FAIL: $name loads \"$lib\", not the staged library"; failed=1; return
  fi
  if ! out=$("$prog" "$root" "$tar" 2>&1); then
    echo "FAIL: $name exited with $?:"; echo "$out"; failed=1; return
  fi
  for want in "$@"; do
    grep -qF -- "$want" <<<"$out" || { echo "FAIL: $name: no \"$want\" in:"; echo "$out"; failed=1; }
  done
  # (.list-cache is the listing cache `ps` keeps there, not a container.)
  if [ -n "$(ls -A "$root/containers" 2>/dev/null | grep -vxF .list-cache)" ]; then
    echo "FAIL: $name left containers: $(ls "$root/containers")"; failed=1
  fi
  echo "ok: $name"
}
# The failure path: an image that is not there gives the library's own message and Docker's
# exit status 125, and leaves nothing.
check_fails() {  # check_fails NAME
  local name=$1 prog=$work/build/$1 root=$work/fail-$1 out status=0
  out=$("$prog" "$root" "" no-such-image 2>&1) || status=$?
  if [ "$status" != 125 ]; then
    echo "FAIL: $name with a missing image exited with $status, want 125:"; echo "$out"; failed=1
  elif ! grep -qF "no such image: no-such-image" <<<"$out"; then
    echo "FAIL: $name: no \"no such image: no-such-image\" in:"; echo "$out"; failed=1
  elif [ -n "$(ls -A "$root/containers" 2>/dev/null | grep -vxF .list-cache)" ]; then
    echo "FAIL: $name left containers after a failed run: $(ls "$root/containers")"; failed=1
  else
    echo "ok: $name with a missing image: $(grep -F "no such image" <<<"$out")"
  fi
}
helper="helper $stage/lib/../bin/mydocker-helper"
check run_c "$helper" "hello 1 from" "hello 3 from" "exited with 0"
check run_c_pkgconfig "$helper" "hello 2 from" "exited with 0"
check run_cpp "line 1" "line 3" "done" "exited with 0"
check_fails run_c
check_fails run_c_pkgconfig
check_fails run_cpp
