#!/usr/bin/env bash
# Configures and builds into build/ (the CLI is build/bin/mydocker) and makes build/busybox.tar.
set -euo pipefail
cd "$(dirname "$0")/.."
# The same configure command as docs/getting-started.md: CMake chooses the Python for the
# bindings itself (cmake/PythonForBindings.cmake).
# MYDOCKER_HOT_TEXT=ON links the CLI with its code-order list (tools/mydocker/CMakeLists.txt):
# for release builds and the benchmarks.
cmake -S . -B build -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" \
  -DMYDOCKER_HOT_TEXT="${MYDOCKER_HOT_TEXT:-OFF}" >/dev/null
cmake --build build -j"$(nproc)"
