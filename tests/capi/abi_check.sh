#!/usr/bin/env bash
# The ABI check of libmydocker.so.1: fails on any difference between the exported dynamic
# symbols (with their version nodes) and the committed capi/abi/symbols.txt, and, when abidiff
# (Debian's abigail-tools) is installed, on any change abidiff finds against the committed
# ABI dump capi/abi/libmydocker.abi (types of the public functions and structs included).
# An intended change is recorded with capi/abi/update.sh.
#
# usage: abi_check.sh LIBRARY ABI_DIR HEADERS_DIR
#        abi_check.sh --print-symbols LIBRARY
set -euo pipefail

symbols() {  # "TYPE NAME[@@VERSION]" of every defined dynamic symbol, sorted
  LC_ALL=C nm -D --defined-only "$1" | awk '{print $2, $3}' | LC_ALL=C sort
}

if [ "$1" = --print-symbols ]; then
  symbols "$2"
  exit 0
fi
lib=$1 abi_dir=$2 headers=$3
status=0

if ! diff -u "$abi_dir/symbols.txt" <(symbols "$lib"); then
  echo "FAIL: the exported symbols of $lib differ from $abi_dir/symbols.txt (- committed, + built)"
  status=1
else
  echo "ok: exported symbols match $abi_dir/symbols.txt ($(wc -l <"$abi_dir/symbols.txt") lines)"
fi
if grep -v -E '^(A MYDOCKER_[0-9.]+|T mydocker_[a-z0-9_]+@@MYDOCKER_[0-9.]+)$' <(symbols "$lib"); then
  echo "FAIL: the symbols above are not mydocker_* functions under a MYDOCKER_* version node"
  status=1
fi
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
if [ "$soname" != libmydocker.so.1 ]; then
  echo "FAIL: SONAME is \"$soname\", want libmydocker.so.1"
  status=1
fi

if command -v abidiff >/dev/null; then
  if abidiff --headers-dir2 "$headers" "$abi_dir/libmydocker.abi" "$lib"; then
    echo "ok: abidiff finds no change against $abi_dir/libmydocker.abi"
  else
    echo "FAIL: abidiff reports an ABI change against $abi_dir/libmydocker.abi (exit $?)"
    status=1
  fi
else
  echo "note: abidiff not installed (apt-get install abigail-tools); the type check was not run"
fi
exit $status
