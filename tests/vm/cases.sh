#!/bin/sh
# The cases of the cgroup v2 lane, run inside the VM by init.sh: every limit written to and
# enforced by a real cgroup v2 kernel, live updates, the freezer, stats, exec's placement, the
# eBPF device policy, and nothing left behind. One "VMTEST ok|fail NAME" line per check.
MD="mydocker --root /state"
# The VM has no nftables program and no bridge or veth modules: its containers have only lo
# (--network none; the CLI's default is the bridge network).
CG=/sys/fs/cgroup/mydocker

checks=0
ok() { checks=$((checks + 1)); echo "VMTEST ok $1"; }
fail() { checks=$((checks + 1)); echo "VMTEST fail $1: $2"; }
# expect NAME EXPECTED ACTUAL
expect() {
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "expected [$2], got [$3]"; fi
}
# expect_match NAME PATTERN ACTUAL (grep -E)
expect_match() {
  if printf '%s\n' "$3" | grep -Eq "$2"; then ok "$1"; else fail "$1" "[$3] does not match $2"; fi
}
cg() { cat "$CG/$1/$2" 2>&1; }
json_field() { printf '%s\n' "$2" | sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }

$MD image import /mydocker/busybox.tar busybox >/dev/null 2>&1 || fail import "image import failed"

# --- run on an initramfs root (pivot_root fails there: the runtime moves the root instead) ---
expect run "hello" "$($MD run --network none --rm busybox echo hello 2>&1)"
expect root-is-the-image "no" "$($MD run --network none --rm busybox sh -c 'test -e /cases.sh && echo yes || echo no' 2>&1)"
expect cgroup-namespace "0::/" "$($MD run --network none --rm busybox cat /proc/self/cgroup 2>&1)"
# Below the moved root the initramfs stays reachable to chroot: nothing in the container may call
# it (init and exec alike), so the classic climb out fails at its first step.
expect no-chroot-in-run "chroot: can't change root directory to '/': Operation not permitted" \
  "$($MD run --network none --rm busybox chroot / true 2>&1)"

# --- limits written at create ---
id=$($MD run --network none -d -m 32m --memory-swap 48m --cpus 0.5 --cpu-shares 512 --pids-limit 20 \
      busybox sleep 600 2>&1)
expect memory.max 33554432 "$(cg "$id" memory.max)"
expect memory.swap.max 16777216 "$(cg "$id" memory.swap.max)"
expect cpu.max "50000 100000" "$(cg "$id" cpu.max)"
expect cpu.weight 20 "$(cg "$id" cpu.weight)"
expect pids.max 20 "$(cg "$id" pids.max)"
expect init-in-its-cgroup "0::/mydocker/$id" "$(grep '^0::' "/proc/$(cat "$CG/$id/cgroup.procs" | head -n 1)/cgroup")"

# --- update, live ---
$MD update -m 64m --memory-swap 128m --cpus 1 --pids-limit 30 "$id" >/dev/null 2>&1 ||
  fail update "update exited $?"
expect update-memory.max 67108864 "$(cg "$id" memory.max)"
expect update-memory.swap.max 67108864 "$(cg "$id" memory.swap.max)"
expect update-cpu.max "100000 100000" "$(cg "$id" cpu.max)"
expect update-pids.max 30 "$(cg "$id" pids.max)"

# --- pause through cgroup.freeze ---
$MD pause "$id" >/dev/null 2>&1
expect pause-freeze 1 "$(cg "$id" cgroup.freeze)"
expect pause-frozen "frozen 1" "$(grep frozen "$CG/$id/cgroup.events")"
expect_match pause-inspect '"Paused": true' "$($MD inspect "$id" 2>&1)"
$MD unpause "$id" >/dev/null 2>&1
expect unpause-frozen "frozen 0" "$(grep frozen "$CG/$id/cgroup.events")"

# --- stats from memory.current and cpu.stat ---
stats=$($MD stats --no-stream --format json "$id" 2>&1)
expect stats-memory-limit 67108864 "$(json_field MemoryLimit "$stats")"
expect_match stats-memory-usage '^[1-9][0-9]*$' "$(json_field MemoryUsage "$stats")"
expect_match stats-cpu-usage '^[1-9][0-9]*$' "$(json_field CPUUsageNs "$stats")"
expect stats-pids 1 "$(json_field PidsCurrent "$stats")"

# --- exec: created in the container's cgroup (CLONE_INTO_CGROUP) and its cgroup namespace ---
expect exec-cgroup "0::/" "$($MD exec "$id" cat /proc/self/cgroup 2>&1)"
expect no-chroot-in-exec "chroot: can't change root directory to '/': Operation not permitted" \
  "$($MD exec "$id" chroot / true 2>&1)"
$MD exec -d "$id" sleep 300 >/dev/null 2>&1
expect exec-in-cgroup.procs 2 "$(wc -l <"$CG/$id/cgroup.procs")"
expect exec-device-policy "head: /tmp/e: Operation not permitted" \
  "$($MD exec "$id" sh -c 'mknod /tmp/e b 7 0 && head -c 6 /tmp/e' 2>&1)"

$MD rm -f "$id" >/dev/null 2>&1
expect rm-removes-cgroup gone "$(test -d "$CG/$id" && echo present || echo gone)"

# --- enforcement ---
$MD run --network none --name oom -m 16m --memory-swap 16m busybox dd if=/dev/zero of=/dev/null bs=64M count=1 \
  >/dev/null 2>&1
expect oom-exit 137 "$?"
expect_match oom-record '"OOMKilled": true' "$($MD inspect oom 2>&1)"
$MD rm oom >/dev/null 2>&1

out=$($MD run --network none --rm --pids-limit 5 busybox sh -c \
      'for i in 1 2 3 4 5 6 7 8; do sleep 3 & done 2>&1; wait' 2>&1)
expect_match pids-enforced "can't fork" "$out"

expect cpuset "1" "$($MD run --network none --rm --cpuset-cpus 1 busybox sh -c \
  'sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" /proc/self/status' 2>&1)"

id=$($MD run --network none -d --cpus 0.2 busybox sh -c 'while :; do :; done' 2>&1)
sleep 3
expect_match cpu-throttled '^nr_throttled [1-9]' "$(grep nr_throttled "$CG/$id/cpu.stat")"
$MD rm -f "$id" >/dev/null 2>&1

# --- the device policy (eBPF): a host disk made with mknod cannot be opened ---
dd if=/dev/zero of=/tmp/disk.img bs=1024 count=64 2>/dev/null
printf MYDISK | dd of=/tmp/disk.img conv=notrunc 2>/dev/null
losetup /dev/loop0 /tmp/disk.img
expect host-reads-disk MYDISK "$(head -c 6 /dev/loop0)"
expect mknod-disk-denied "head: /tmp/disk: Operation not permitted" \
  "$($MD run --network none --rm busybox sh -c 'mknod /tmp/disk b 7 0 && head -c 6 /tmp/disk' 2>&1)"
expect standard-devices ok "$($MD run --network none --rm busybox sh -c \
  'echo x >/dev/null && head -c 1 /dev/zero >/dev/null && head -c 1 /dev/urandom >/dev/null &&
   echo ok' 2>&1)"
expect pty "/dev/pts/0 ok" "$($MD run --network none --rm -t busybox sh -c 'echo x >/dev/tty && echo $(tty) ok' \
  </dev/null 2>&1 | tr -d '\r' | tail -n 1)"
expect device-grants-one MYDISK "$($MD run --network none --rm --device /dev/loop0:/dev/xvdc:r busybox \
  head -c 6 /dev/xvdc 2>&1)"
expect device-read-only "sh: can't create /dev/xvdc: Operation not permitted" \
  "$($MD run --network none --rm --device /dev/loop0:/dev/xvdc:r busybox sh -c 'echo x >/dev/xvdc' 2>&1)"
expect device-cgroup-rule MYDISK "$($MD run --network none --rm --device-cgroup-rule 'b 7:0 r' busybox sh -c \
  'mknod /tmp/d b 7 0 && head -c 6 /tmp/d' 2>&1)"
losetup -d /dev/loop0

# --- nothing left ---
expect no-containers "" "$($MD ps -aq 2>&1)"
expect no-cgroups "" "$(find "$CG" -mindepth 1 -type d 2>&1)"
expect no-mounts "" "$(grep -E ' /state/containers/' /proc/self/mountinfo)"

# How many checks ran: run.sh compares it with the lines it received.
echo "VMTEST done $checks"
