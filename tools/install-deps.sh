#!/usr/bin/env bash
# Installs everything mydocker needs to build, test and benchmark, from Debian's packages only
# (python3-venv, -pip, -setuptools, -wheel and -build for pymydocker's package test; strace
# for a test that delays system calls; skopeo and umoci for the image interoperability tests;
# crun, runc, hyperfine and time for bench/; qemu-system-x86 and cpio for the cgroup v2 lane
# (tests/vm/run.sh); clang-format for the format check (tools/check-format.sh); abigail-tools
# for the ABI check of libmydocker; clang and libclang-rt-dev (libFuzzer and the sanitizers)
# for tools/fuzz.sh, see docs/fuzzing.md; valgrind runs the C API tests under memcheck
# (tests/capi/valgrind.sh); musl-tools builds a musl program that
# test_seccomp_libc.py runs under the default seccomp profile; golang-go builds the OCI validation suite (tests/oci);
# podman (with conmon) and catatonit (its pods' infra), and containerd (with ctr and its runc
# shim) drive mydocker-runc in tests/integration;
# the zstd, lz4 and acl archives let the CLI be linked
# statically, see docs/performance.md; libmnl and libnftables for networks, see
# docs/networking.md; libcurl for registries, and docker-registry, openssl, apache2-utils and
# python3-cryptography (the token server's JWT signatures) for their tests, see docs/registries.md;
# fuse-overlayfs, the storage driver of a state root on overlayfs, see docs/images.md; dpkg-dev
# (dpkg-shlibdeps) and man-db for the Debian package and its test, see docs/packaging.md).
set -euo pipefail
if [ "$(id -u)" != 0 ]; then
  echo "install-deps.sh: run as root (it calls apt-get)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
  g++ cmake make pkg-config git ca-certificates \
  libabsl-dev rapidjson-dev libcli11-dev libarchive-dev libssl-dev libseccomp-dev \
  nettle-dev zlib1g-dev libzstd-dev liblz4-dev libacl1-dev libmnl-dev libnftables-dev \
  libcurl4-openssl-dev \
  libgtest-dev libgmock-dev googletest libbenchmark-dev \
  python3 python3-dev python3-pytest pybind11-dev \
  python3-venv python3-pip python3-setuptools python3-wheel python3-build \
  busybox-static iproute2 procps util-linux \
  docker-registry openssl apache2-utils python3-cryptography \
  strace skopeo umoci crun runc podman catatonit containerd hyperfine time abigail-tools \
  qemu-system-x86 cpio golang-go \
  clang-format clang libclang-rt-dev musl-tools valgrind \
  fuse-overlayfs dpkg-dev man-db
