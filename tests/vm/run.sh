#!/usr/bin/env bash
# The cgroup v2 lane: boots Debian's kernel under qemu with cgroup v1 switched off
# (cgroup_no_v1=all), as most users' hosts run, with an initramfs holding busybox, the project's
# static mydocker and mydocker-helper, the busybox image and the kernel modules it needs, and
# runs tests/vm/cases.sh there as PID 1's child. Results come back over the serial console as
# "VMTEST ok|fail NAME" lines; this script prints them, a closing "N passed, M failed" line, and
# exits non-zero unless every case passed and the guest finished.
#
#   tests/vm/run.sh [BUILD_DIR]        (default: build)
#
# The kernel package is fetched with `apt-get download` (Debian's registry) and unpacked with
# `dpkg-deb -x`, never installed; it is kept in BUILD_DIR/vm-kernel for later runs. Needs
# qemu-system-x86 and cpio. Software emulation (TCG) only: KVM guests hung on these machines.
# Environment: MYDOCKER_VM_KERNEL_PKG (a linux-image-* package name), MYDOCKER_VM_TIMEOUT
# (seconds, default 900), MYDOCKER_VM_KEEP=1 keeps the work directory, MYDOCKER_VM_SKIP=1 skips
# the lane (exit 77, which CTest reports as skipped).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
timeout_s=${MYDOCKER_VM_TIMEOUT:-900}

die() {
  echo "vm: $*" >&2
  exit 1
}
if [ "${MYDOCKER_VM_SKIP:-}" = 1 ]; then
  echo "vm: skipped (MYDOCKER_VM_SKIP=1)" >&2
  exit 77
fi

# What this machine lacks skips the lane (exit 77), except in CI, where it must run.
unavailable() {
  if [ "${CI:-}" = true ]; then die "$*"; fi
  echo "vm: skipped: $*" >&2
  exit 77
}
for tool in qemu-system-x86_64 cpio apt-get apt-cache dpkg-deb readelf; do
  command -v "$tool" >/dev/null || unavailable "$tool not found (tools/install-deps.sh installs it)"
done
for bin in "$build/bin/mydocker" "$build/bin/mydocker-helper"; do
  [ -x "$bin" ] || die "$bin is missing: build first (tools/build.sh)"
  # The initramfs has no shared libraries: the binaries must not need a dynamic loader.
  if readelf -l "$bin" | grep -q 'Requesting program interpreter'; then
    die "$bin is dynamically linked; the VM lane needs the static build (docs/performance.md)"
  fi
done
[ -f "$build/busybox.tar" ] || die "$build/busybox.tar is missing: build first"
busybox=$(dpkg -L busybox-static 2>/dev/null | grep -E '^(/usr)?/bin/busybox$' | head -n 1 || true)
[ -n "$busybox" ] || die "busybox-static is not installed"

# The kernel: the versioned package linux-image-amd64 points at.
pkg=${MYDOCKER_VM_KERNEL_PKG:-}
if [ -z "$pkg" ]; then
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
        awk '/Depends: linux-image-[0-9]/ {print $2; exit}' || true)
  [ -n "$pkg" ] ||
    unavailable "cannot tell which kernel linux-image-amd64 depends on (apt-get update?)"
fi
kdir="$build/vm-kernel/$pkg"
if [ ! -f "$kdir/.unpacked" ]; then
  rm -rf "$kdir"
  mkdir -p "$kdir/deb"
  (cd "$kdir/deb" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
    unavailable "apt-get download $pkg failed (no access to Debian's registry?)"
  dpkg-deb -x "$kdir"/deb/*.deb "$kdir/root"
  rm -rf "$kdir/deb"
  touch "$kdir/.unpacked"
fi
vmlinuz=$(ls "$kdir"/root/boot/vmlinuz-* | head -n 1)
moddir=$(ls -d "$kdir"/root/lib/modules/* | head -n 1)

work=$(mktemp -d "${TMPDIR:-/tmp}/mydocker-vm.XXXXXX")
cleanup() {
  if [ "${MYDOCKER_VM_KEEP:-}" = 1 ]; then echo "vm: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The initramfs.
init="$work/initramfs"
mkdir -p "$init"/{bin,sbin,proc,sys,dev,tmp,run,mnt,modules,mydocker}
cp "$busybox" "$init/bin/busybox"
cp "$here/init.sh" "$init/init"
cp "$here/cases.sh" "$init/cases.sh"
chmod 755 "$init/init" "$init/cases.sh"
cp "$build/bin/mydocker" "$build/bin/mydocker-helper" "$init/bin/"
cp "$build/busybox.tar" "$init/mydocker/busybox.tar"

# Modules and what they depend on, in load order (a module's "depends=" in its .modinfo).
declare -A loaded=()
add_module() {
  local name=$1 file dep
  [ -n "${loaded[$name]:-}" ] && return 0
  local n
  for n in "$name" "${name//_/-}"; do
    file=$(find "$moddir/kernel" \( -name "$n.ko" -o -name "$n.ko.xz" -o -name "$n.ko.zst" \) \
           -print -quit)
    [ -n "$file" ] && break
  done
  [ -n "$file" ] || die "module $name not found in $pkg"
  loaded[$name]=1
  # Busybox's insmod takes plain modules: newer kernel packages compress them.
  case "$file" in
    *.xz) xz -dc "$file" >"$init/modules/$name.ko" ;;
    *.zst) zstd -qdc "$file" >"$init/modules/$name.ko" ;;
    *) cp "$file" "$init/modules/$name.ko" ;;
  esac
  for dep in $(tr '\0' '\n' <"$init/modules/$name.ko" | sed -n 's/^depends=//p' | tr ',' ' '); do
    add_module "$dep"
  done
  echo "$name.ko" >>"$init/modules/order"
}
: >"$init/modules/order"
for m in overlay loop; do add_module "$m"; done

(cd "$init" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$work/initramfs.cpio"

log="$work/console.log"
echo "vm: booting $pkg (cgroup_no_v1=all) under qemu (TCG)" >&2
set +e
timeout --foreground "$timeout_s" qemu-system-x86_64 -accel tcg -m 1536 -smp 2 -nodefaults \
  -no-user-config -display none -serial stdio -nic none -no-reboot \
  -kernel "$vmlinuz" -initrd "$work/initramfs.cpio" \
  -append "console=ttyS0 panic=-1 cgroup_no_v1=all rdinit=/init quiet" \
  </dev/null >"$log" 2>&1
qemu_rc=$?
set -e

# The console may carry the BIOS's escape sequences and carriage returns.
tr -d '\r' <"$log" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' | grep -a '^VMTEST ' >"$work/results" || true
sed -n 's/^VMTEST //p' "$work/results" | grep -v '^done' || true
passed=$(grep -c '^VMTEST ok ' "$work/results" || true)
failed=$(grep -c '^VMTEST fail ' "$work/results" || true)
ran=$(sed -n 's/^VMTEST done \([0-9]*\)$/\1/p' "$work/results")
if [ -z "$ran" ]; then
  echo "vm: the guest did not finish its cases (qemu exit $qemu_rc); console:" >&2
  tail -n 60 "$log" >&2
  failed=$((failed + 1))
elif [ "$ran" -ne $((passed + failed)) ]; then
  echo "vm: the guest ran $ran checks but $((passed + failed)) results arrived; console:" >&2
  tail -n 60 "$log" >&2
  failed=$((failed + 1))
elif [ "$failed" -ne 0 ]; then
  echo "vm: console of the failing run:" >&2
  tr -d '\r' <"$log" | grep -a -v '^VMTEST ok ' | tail -n 80 >&2
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
