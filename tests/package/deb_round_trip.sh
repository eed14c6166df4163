#!/usr/bin/env bash
# The Debian package's round trip (docs/packaging.md): build it (tools/package-deb.sh, in a tree
# of its own), check what it holds and depends on, dpkg -i, run a container with the installed
# mydocker against a temporary state root, use the installed man pages, completions, library
# files and Python package, dpkg -r, and check that none of the files dpkg -L listed is left.
# Usage: deb_round_trip.sh SOURCE_DIR BUSYBOX_TAR BUILD_DIR
# MYDOCKER_PACKAGE_SKIP=1 skips it (exit status 77, which CTest reports as skipped): most of its
# time is the package's own build.
set -euo pipefail
if [ "${MYDOCKER_PACKAGE_SKIP:-}" = 1 ]; then
  echo "deb_round_trip: skipped (MYDOCKER_PACKAGE_SKIP=1)" >&2
  exit 77
fi
src=$1
busybox=$2
dir=$3
fail() {
  echo "deb_round_trip: $*" >&2
  exit 1
}
status() { dpkg-query -W -f '${Status}' mydocker 2>/dev/null || true; }
case "$(status)" in
  *" installed") fail "a mydocker package is installed already: not replacing it (dpkg -r mydocker first)" ;;
  *config-files) dpkg -P mydocker >/dev/null ;;  # removed before, not purged: nothing of it is left
esac
started=$(date +%s)
deb=$("$src/tools/package-deb.sh" "$dir" | tail -n 1)
built=$(date +%s)
echo "package built in $((built - started)) s: $deb"

contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for want in ./usr/bin/mydocker ./usr/bin/mydocker-helper ./usr/bin/mydocker-runc \
  ./usr/include/mydocker.h ./usr/include/mydocker.hpp ./usr/share/man/man1/mydocker.1.gz \
  ./usr/share/man/man1/mydocker-run.1.gz ./usr/share/bash-completion/completions/mydocker \
  ./usr/share/zsh/vendor-completions/_mydocker ./usr/share/doc/mydocker/README.md \
  ./usr/share/doc/mydocker/packaging.md ./usr/lib/python3/dist-packages/pymydocker/__init__.py; do
  grep -qxF "$want" <<<"$contents" || fail "the package lacks $want"
done
for pattern in '/libmydocker\.so\.1$' '/pkgconfig/mydocker\.pc$' '/cmake/mydocker/mydockerConfig\.cmake$' \
  '/pymydocker/_core\..*\.so$'; do
  grep -qE "$pattern" <<<"$contents" || fail "the package lacks a file matching $pattern"
done
depends=$(dpkg-deb -f "$deb" Depends)
for dep in libc6 python3; do
  grep -qE "(^|, )$dep( |,|$)" <<<"$depends" || fail "Depends ($depends) lacks $dep"
done

root=$(mktemp -d /tmp/mydocker-deb-XXXXXX)
cleanup() {
  /usr/bin/mydocker --root "$root" rm -f deb-test >/dev/null 2>&1 || true
  rm -rf "$root"
  dpkg -P mydocker >/dev/null 2>&1 || true
}
trap cleanup EXIT
dpkg -i "$deb" >/dev/null
files=$(dpkg -L mydocker)
[ "$(wc -l <<<"$files")" -gt 50 ] || fail "dpkg -L lists too little: $files"

# The installed programs, with nothing of the build tree's in the environment, in a network
# namespace of their own: the default bridge and its rules must not touch the host's.
unshare --net -- env -u MYDOCKER_HELPER -u MYDOCKER_BIN -u PYTHONPATH -u MYDOCKER_NFT /bin/bash -euo pipefail -c '
  trap '\''echo "deb_round_trip: failed: $BASH_COMMAND" >&2'\'' ERR
  root=$1 busybox=$2
  [ "$(command -v mydocker)" = /usr/bin/mydocker ]
  mydocker --root "$root" image import "$busybox" busybox >/dev/null
  out=$(mydocker --root "$root" run --name deb-test busybox sh -c "echo hello from the package")
  [ "$out" = "hello from the package" ] || { echo "run printed: $out" >&2; exit 1; }
  mydocker --root "$root" rm deb-test >/dev/null
  [ "$(man -w mydocker-run)" = /usr/share/man/man1/mydocker-run.1.gz ]
  man mydocker-ps 2>/dev/null | grep -c -- "--all" >/dev/null
  source /usr/share/bash-completion/completions/mydocker
  [[ "$(complete -p mydocker)" == "complete -F _mydocker mydocker" ]]
  [ "$(pkg-config --modversion mydocker)" = "$(mydocker --version | awk "{print \$NF}")" ]
  [ "$(realpath "$(pkg-config --variable=includedir mydocker)")" = /usr/include ]
  cd /
  # Debian'\''s interpreter (not one on PATH from elsewhere) finds the package and its helper.
  /usr/bin/python3 -c "
import os, sys, pymydocker
assert pymydocker.__file__.startswith(\"/usr/lib/python3/dist-packages/\"), pymydocker.__file__
r = pymydocker.Runtime(root=sys.argv[1])
assert os.path.realpath(r.helper) == \"/usr/bin/mydocker-helper\", r.helper
" "$root"
' bash "$root" "$busybox" || fail "the installed package does not work"

dpkg -r mydocker >/dev/null
left=()
while IFS= read -r f; do
  if [ -e "$f" ] && [ ! -d "$f" ]; then left+=("$f"); fi
done <<<"$files"
[ "${#left[@]}" -eq 0 ] || fail "dpkg -r left ${left[*]}"
case "$(status)" in *" installed") fail "mydocker is still installed" ;; esac
dpkg -P mydocker >/dev/null  # its maintainer scripts (ldconfig), kept by -r
[ -z "$(status)" ] || [ "$(status)" = "unknown ok not-installed" ] || fail "dpkg still knows mydocker: $(status)"
echo "round trip passed in $(($(date +%s) - started)) s (the build $((built - started)) s)"
