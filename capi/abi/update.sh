#!/usr/bin/env bash
# Regenerates the committed ABI of libmydocker from a build: the exported symbol list
# (symbols.txt) and the abigail ABI dump (libmydocker.abi). Run it only for an intended, reviewed
# ABI change (a new function in a new version node of libmydocker.map), never to make the
# abi_check test pass after an accident.
#
# usage: capi/abi/update.sh [BUILD_DIR]   (default: build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lib=$(cd "${1:-$here/../../build}" && pwd)/lib/libmydocker.so.1
"$here/../../tests/capi/abi_check.sh" --print-symbols "$lib" >"$here/symbols.txt"
"$here/../../tests/capi/abi_check.sh" --dump "$lib" "$here/../include" "$here/libmydocker.abi"
echo "updated $here/symbols.txt and $here/libmydocker.abi"
