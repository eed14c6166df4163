#!/usr/bin/env bash
# The C tests of the C ABI under valgrind's memcheck: no invalid access, no use of an
# uninitialised value, no leak (definite, indirect or possible) in the test process, the
# library included. Under valgrind the kernel gives no pidfd (pidfd_open is ENOSYS there), so
# this is also the run of every container, exec and log follow on the /proc fallback
# (src/host/pidfd.h). The helper processes the library starts run natively (no
# --trace-children).
#
# usage: valgrind.sh HELPER BUSYBOX_TAR TEST_BINARY...  (each test is run as TEST HELPER TAR)
set -uo pipefail
helper=$1 tar=$2
shift 2
[ "$(id -u)" = 0 ] || { echo "skipped: needs root"; exit 77; }
command -v valgrind >/dev/null || { echo "skipped: valgrind is not installed"; exit 77; }
status=0
for test in "$@"; do
  log=$(mktemp /tmp/mydocker-valgrind-XXXXXX)
  start=$(date +%s)
  valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
    --errors-for-leak-kinds=definite,indirect,possible --track-fds=no --num-callers=30 \
    --log-file="$log" "$test" "$helper" "$tar"
  rc=$?
  if [ $rc = 77 ]; then
    echo "skipped: $(basename "$test")"
  elif [ $rc != 0 ]; then
    echo "FAIL: $(basename "$test") exited with $rc under valgrind (99: memcheck errors):"
    cat "$log"
    status=1
  else
    echo "ok: $(basename "$test") under valgrind in $(($(date +%s) - start)) s:" \
      "$(grep -E 'ERROR SUMMARY|definitely lost|in use at exit' "$log" | sed 's/^==[0-9]*== *//' | tr '\n' ' ')"
  fi
  rm -f "$log"
done
exit $status
