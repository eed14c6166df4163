#!/usr/bin/env bash
# The ABI check of libmydocker.so.1: fails on any difference between the exported dynamic
# symbols (with their version nodes) and the committed capi/abi/symbols.txt, and, when abidiff
# (Debian's abigail-tools) is installed, on any change abidiff finds against the committed
# ABI dump capi/abi/libmydocker.abi (types of the public functions and structs included).
# An intended change is recorded with capi/abi/update.sh.
#
# usage: abi_check.sh LIBRARY ABI_DIR HEADERS_DIR
#        abi_check.sh --print-symbols LIBRARY
#        abi_check.sh --dump LIBRARY HEADERS_DIR OUT   (the abidw dump, as committed)
set -euo pipefail

symbols() {  # "TYPE NAME[@@VERSION]" of every defined dynamic symbol, sorted
  LC_ALL=C nm -D --defined-only "$1" | awk '{print $2, $3}' | LC_ALL=C sort
}

dump() {  # dump LIBRARY HEADERS_DIR OUT: only the types the public header declares
  abidw --headers-dir "$2" --drop-private-types --exported-interfaces-only \
    --no-corpus-path --no-show-locs --no-comp-dir-path --no-elf-needed --out-file "$3" "$1"
  # Source paths relative to the checkout, so the dump does not depend on where it lies.
  sed -i "s|path='$(realpath "$2/../..")/|path='|" "$3"
}

case "$1" in
  --print-symbols) symbols "$2"; exit 0 ;;
  --dump) dump "$2" "$3" "$4"; exit 0 ;;
esac
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
  # Both sides dumped the same way. (abidiff --headers-dir2 straight against the ELF file
  # filters out real changes, such as a field inserted into a public struct.)
  built=$(mktemp /tmp/libmydocker-abi-XXXXXX)
  trap 'rm -f "$built"' EXIT
  dump "$lib" "$headers" "$built"
  if abidiff "$abi_dir/libmydocker.abi" "$built"; then
    echo "ok: abidiff finds no change against $abi_dir/libmydocker.abi"
  else
    echo "FAIL: abidiff reports an ABI change against $abi_dir/libmydocker.abi (exit $?)"
    status=1
  fi
else
  echo "note: abidiff not installed (apt-get install abigail-tools); the type check was not run"
fi
exit $status
