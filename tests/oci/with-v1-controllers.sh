#!/usr/bin/env bash
# with-v1-controllers.sh CMD [ARGS...]: runs CMD in a private mount namespace where every cgroup v1
# controller the kernel has but this host leaves unmounted (hugetlb, net_cls, net_prio: hierarchy
# 0 in /proc/cgroups) is mounted under /sys/fs/cgroup, as a cgroup v1 host normally has them
# (systemd mounts every v1 controller, net_cls and net_prio together with a symlink each).
# Exit status: CMD's, or 1 when a new hierarchy could not be ended cleanly.
#
# The host's own mounts under /sys/fs/cgroup are untouched: the namespace gets a tmpfs of its own
# over /sys/fs/cgroup with the existing hierarchies bound back into it, so nothing is created on
# the host's /sys/fs/cgroup. The new hierarchies exist while they are mounted; at the end every
# cgroup left in them is removed and each is unmounted and checked gone.
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: with-v1-controllers.sh CMD [ARGS...]" >&2; exit 2; }
if [[ -z ${MYDOCKER_V1_CONTROLLERS_NS:-} ]]; then
  MYDOCKER_V1_CONTROLLERS_NS=1 exec unshare --mount --propagation private -- "$0" "$@"
fi

unmounted=()
while read -r name hierarchy _ enabled; do
  case $name in
    hugetlb | net_cls | net_prio) [[ $hierarchy == 0 && $enabled == 1 ]] && unmounted+=("$name") ;;
  esac
done </proc/cgroups
if [[ ${#unmounted[@]} == 0 ]]; then exec "$@"; fi

keep=$(mktemp -d "${TMPDIR:-/tmp}/cgroup-v1.XXXXXX")
# A step failing below (set -e) must not leave this directory on the host's /tmp.
trap 'umount -l "$keep" 2>/dev/null; rmdir "$keep" 2>/dev/null' EXIT
mount --rbind /sys/fs/cgroup "$keep"
mount -t tmpfs -o mode=755,size=64k cgroup-v1 /sys/fs/cgroup
for entry in "$keep"/*; do
  name=${entry##*/}
  if [[ -L $entry ]]; then
    ln -s "$(readlink "$entry")" "/sys/fs/cgroup/$name"
  elif [[ -d $entry ]]; then
    mkdir "/sys/fs/cgroup/$name"
    mount --rbind "$entry" "/sys/fs/cgroup/$name"
  fi
done
umount -l "$keep"
rmdir "$keep"
trap - EXIT

has() { [[ " ${unmounted[*]} " == *" $1 "* ]]; }
mounted=()
mount_hierarchy() {  # DIR OPTIONS
  mkdir "/sys/fs/cgroup/$1"
  if mount -t cgroup -o "$2" cgroup "/sys/fs/cgroup/$1"; then
    mounted+=("/sys/fs/cgroup/$1")
  else
    echo "with-v1-controllers: cannot mount the $2 hierarchy; going on without it" >&2
  fi
}
if has hugetlb; then mount_hierarchy hugetlb hugetlb; fi
if has net_cls && has net_prio; then
  mount_hierarchy net_cls,net_prio net_cls,net_prio
  ln -s net_cls,net_prio /sys/fs/cgroup/net_cls
  ln -s net_cls,net_prio /sys/fs/cgroup/net_prio
elif has net_cls; then
  mount_hierarchy net_cls net_cls
elif has net_prio; then
  mount_hierarchy net_prio net_prio
fi

status=0
"$@" || status=$?
# A hierarchy ends when its last mount goes and it has no cgroup below its root. A cgroup just
# removed stays on that list until the kernel has released it, and a hierarchy unmounted before
# then outlives the namespace, unmounted but still listed in every process's /proc/PID/cgroup
# (which breaks readers such as containerd's). So: remove the cgroups, unmount, and check in
# /proc/cgroups that each hierarchy is gone, mounting it again to retry the end if it is not.
gone() {  # CONTROLLER: true when no hierarchy holds it
  awk -v c="$1" '$1 == c {exit !($2 == 0)}' /proc/cgroups
}
for dir in "${mounted[@]}"; do
  find "$dir" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
  if [[ -n $(find "$dir" -mindepth 1 -type d -print -quit) ]]; then
    echo "with-v1-controllers: cgroups left in $dir:" $(find "$dir" -mindepth 1 -type d) >&2
    status=${status/#0/1}
  fi
  options=${dir##*/}
  umount "$dir" || umount -l "$dir"
  controller=${options%%,*}
  for attempt in $(seq 1 50); do
    gone "$controller" && break
    sleep 0.1
    if (( attempt % 10 == 0 )); then
      mount -t cgroup -o "$options" cgroup "$dir" 2>/dev/null && umount "$dir"
    fi
  done
  if ! gone "$controller"; then
    echo "with-v1-controllers: the $options hierarchy outlives its mount" >&2
    status=${status/#0/1}
  fi
done
exit "$status"
