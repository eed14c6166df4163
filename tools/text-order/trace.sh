#!/usr/bin/env bash
# Regenerates tools/mydocker/hot-text.ld, the list of the CLI's code that its common commands run,
# which the static-pie link places first (docs/performance.md, "Resident code of the CLI").
#
#   sudo tools/text-order/trace.sh          # after tools/build.sh; BUILD=dir for another tree
#
# Needs root (it runs containers), valgrind, and perf if available. Works in a temporary state
# root that it removes and a network namespace of its own; the build tree is not changed (the
# binaries it links are temporary).
# 1. links the CLI without the list and with a link map, and runs each command under valgrind's
#    lackey, which prints every instruction executed;
# 2. links the CLI with the list made from that, and runs the commands natively under perf,
#    recording the page faults on code: what valgrind's environment never reaches (the vDSO
#    set-up, the CPU's own string functions, exec) faults outside the listed code; repeated
#    for a few rounds (ROUNDS, default 5), since a round finds one section per 64 KiB window;
# 3. writes the list from all of them.
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$PWD
build=$(cd "${BUILD:-build}" && pwd)
out=$src/tools/mydocker/hot-text.ld
[[ $(id -u) == 0 ]] || { echo "trace.sh: needs root (it runs containers)" >&2; exit 1; }
# The containers get the default bridge network: in a network namespace of its own, so that the
# bridge, its addresses and its nftables rules never reach the host's interfaces, and go with it.
if [[ ${MYDOCKER_TRACE_NETNS:-} != 1 ]]; then
  exec env MYDOCKER_TRACE_NETNS=1 unshare --net -- "$0" "$@"
fi
ip link set lo up
command -v valgrind >/dev/null || { echo "trace.sh: needs valgrind" >&2; exit 1; }
link_txt=$build/tools/mydocker/CMakeFiles/mydocker.dir/link.txt
[[ -f $link_txt ]] || { echo "trace.sh: no CLI link command in $build" >&2; exit 1; }

work=$(mktemp -d /tmp/mydocker-text-order.XXXXXX)
root=$work/root
cli=
cleanup() {
  if [[ -n $cli && -d $root ]]; then
    "$cli" --root "$root" rm -f t >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# link OUTPUT [SCRIPT]: the CLI's own link command, writing OUTPUT and OUTPUT.map.
link() {
  local cmd
  cmd=$(sed -e 's# -Wl,-T,[^ ]*hot-text.ld##' \
            -e "s# -o ../../bin/mydocker # -o $1 -Wl,-Map=$1.map ${2:+-Wl,-T,$2} #" "$link_txt")
  (cd "$build/tools/mydocker" && eval "$cmd") 2>&1 | grep -v -e 'statically linked' \
      -e 'in function' >&2 || true
  [[ -x $1 ]] || { echo "trace.sh: linking $1 failed" >&2; exit 1; }
}

# The commands traced, most important first: the order is the order in the list.
commands() {  # commands RUNNER... (each command is RUNNER... ARGS)
  "$@" run --rm busybox true
  "$@" --version
  "$@" run -d --name t busybox sleep 60
  "$@" ps
  "$@" ps -a
  "$@" exec t true
  "$@" logs t
  "$@" inspect t
  "$@" images
  "$@" stop -t 1 t
  "$@" start t
  "$@" rm -f t
}

n=0
lackey() {  # the first address of every instruction executed, in order, once each
  n=$((n + 1))
  valgrind --tool=lackey --trace-mem=yes --log-fd=9 "$plain" --root "$root" "$@" 9>&1 \
      >/dev/null 2>&1 | awk '/^I/ { split($2, a, ","); if (!(a[1] in s)) { s[a[1]] = 1; print "SB " a[1] } }' \
      > "$work/lackey.$n" || true  # valgrind 3.19 lacks pidfd_open: exec fails there, perf sees it
}
faults() {  # instruction page faults of the CLI process itself (not the helpers it starts)
  n=$((n + 1))
  perf record -q -o "$work/perf.data" -e exceptions:page_fault_user -- "$hot" --root "$root" "$@" \
      >/dev/null 2>&1 || true
  perf script -i "$work/perf.data" -F pid,trace 2>/dev/null | python3 -c '
import re, sys
pid = None
for line in sys.stdin:
    m = re.search(r"address=0x([0-9a-f]+) ip=0x[0-9a-f]+ error_code=0x([0-9a-f]+)", line)
    if not m:
        continue
    pid = pid or line.split()[0]
    if line.split()[0] == pid and int(m.group(2), 16) & 0x10:  # an instruction fetch
        print("SB " + m.group(1))' \
      > "$work/perf.$n"
}

plain=$work/mydocker-plain
link "$plain"
cp "$build/bin/mydocker-helper" "$work/"  # the CLI starts the helper beside itself
cli=$plain
"$plain" --root "$root" image import "$build/busybox.tar" busybox >/dev/null
echo "tracing with valgrind..." >&2
commands lackey
traces=(--map "$plain.map")
for ((i = 1; i <= n; i++)); do traces+=("$work/lackey.$i"); done  # in the order of commands()
python3 "$src/tools/text-order/gen.py" "${traces[@]}" > "$work/hot1.ld"
if command -v perf >/dev/null; then
  # Each native run shows only the first fault in every 64 KiB window of code that is not yet
  # listed (the kernel maps the rest of the window with it), so a command valgrind cannot run
  # (exec: valgrind 3.19 lacks pidfd_open) is found a section per window per round: relink
  # with what is known and run again, a few rounds.
  for ((round = 1; round <= ${ROUNDS:-5}; round++)); do
    hot=$work/mydocker-hot$round
    link "$hot" "$work/hot$round.ld"
    cli=$hot
    echo "tracing page faults with perf, round $round..." >&2
    n=0
    commands faults
    traces+=(--map "$hot.map")
    for ((i = 1; i <= n; i++)); do
      mv "$work/perf.$i" "$work/perf$round.$i"
      traces+=("$work/perf$round.$i")
    done
    python3 "$src/tools/text-order/gen.py" "${traces[@]}" > "$work/hot$((round + 1)).ld"
  done
else
  echo "trace.sh: no perf; the list misses what only runs natively" >&2
fi
python3 "$src/tools/text-order/gen.py" "${traces[@]}" > "$out"
head -1 "$out" >&2
echo "wrote $out" >&2
