#!/usr/bin/env bash
# One-step set-up on a fresh Debian 12 machine, as root: install dependencies, build, make the
# default busybox image and run a first container.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh
build/bin/mydocker image import build/busybox.tar busybox
build/bin/mydocker run --rm busybox echo hello
