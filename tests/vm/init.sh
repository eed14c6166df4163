#!/bin/busybox sh
# PID 1 of the cgroup v2 test VM (tests/vm/run.sh): mounts the kernel file systems with cgroup2
# alone at /sys/fs/cgroup, loads the modules, runs /cases.sh and powers off. "/" stays the
# initramfs, so every container also exercises the runtime's fallback from pivot_root.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# Kernel messages (an OOM kill) must not interleave with the result lines.
dmesg -n 1
# The first line may be glued to the firmware's escape sequences.
echo
while read -r module; do
  insmod "/modules/$module" || echo "VMTEST fail insmod-$module"
done </modules/order
for c in cpu memory pids cpuset io; do
  echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control || echo "VMTEST note: no $c controller"
done
mkdir -p /state
mount -t tmpfs -o size=768m tmpfs /state
sh /cases.sh
sync
poweroff -f
