#!/bin/sh
# Builds a minimal busybox root filesystem tarball from Debian's busybox-static package, for
# `mydocker image import OUTPUT.tar busybox`. Nothing is downloaded.
#
#   tools/make-busybox-rootfs.sh OUTPUT.tar
#
# The archive is reproducible: sorted names, numeric root ownership, fixed mtimes (those of the
# busybox binary, or $SOURCE_DATE_EPOCH when set).
set -eu

usage() {
  echo "usage: $0 OUTPUT.tar" >&2
  exit 2
}
die() {
  echo "make-busybox-rootfs: $*" >&2
  exit 1
}

[ $# -eq 1 ] || usage
output=$1
[ -n "$output" ] || usage

dpkg -L busybox-static >/dev/null 2>&1 ||
  die "the busybox-static package is not installed (apt-get install busybox-static)"
busybox=$(dpkg -L busybox-static | grep -E '^(/usr)?/bin/busybox$' | head -n 1)
if [ -z "$busybox" ] || [ ! -x "$busybox" ]; then
  die "busybox-static is installed but lists no executable /bin/busybox"
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/busybox-rootfs.XXXXXX")
tmp_output=
cleanup() {
  rm -rf "$stage"
  [ -z "$tmp_output" ] || rm -f "$tmp_output"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
umask 022

mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/usr/sbin" "$stage/etc" \
  "$stage/proc" "$stage/sys" "$stage/dev" "$stage/tmp" "$stage/root"
chmod 0755 "$stage"  # mktemp made it 0700; it becomes the image root
chmod 1777 "$stage/tmp"
chmod 0700 "$stage/root"
cp "$busybox" "$stage/bin/busybox"
chmod 0755 "$stage/bin/busybox"

# Every applet at the path busybox expects, as a hard link to the one binary (as Docker's busybox
# image does). Names without a directory (linuxrc) are for initramfs use only.
"$stage/bin/busybox" --list-full | while IFS= read -r applet; do
  case $applet in
  bin/busybox | "" | */ | /* | *..*) continue ;;
  */*) ;;
  *) continue ;;
  esac
  mkdir -p "$stage/$(dirname "$applet")"
  [ -e "$stage/$applet" ] || ln "$stage/bin/busybox" "$stage/$applet"
done
[ -e "$stage/bin/sh" ] || die "busybox provides no bin/sh applet"

cat >"$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$stage/etc/group" <<'EOF'
root:x:0:
tty:x:5:
nogroup:x:65534:
EOF

mtime=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$busybox")}
tmp_output=$(mktemp "$(dirname -- "$output")/.busybox-rootfs.XXXXXX")
tar --create --file "$tmp_output" --directory "$stage" --format=gnu --sort=name \
  --numeric-owner --owner=0 --group=0 --mtime="@$mtime" .
chmod 0644 "$tmp_output"
mv -f "$tmp_output" "$output"
tmp_output=
echo "$output"
