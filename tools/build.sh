#!/usr/bin/env bash
# Configures and builds into build/ (the CLI is build/bin/mydocker) and makes build/busybox.tar.
set -euo pipefail
cd "$(dirname "$0")/.."
# The first python3 on PATH may be a separate interpreter without pytest or pybind11; the
# bindings and tests use Debian's.
# MYDOCKER_HOT_TEXT=ON links the CLI with its code-order list (tools/mydocker/CMakeLists.txt):
# for release builds and the benchmarks.
cmake -S . -B build -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" \
  -DMYDOCKER_HOT_TEXT="${MYDOCKER_HOT_TEXT:-OFF}" \
  -DPYBIND11_FINDPYTHON=ON -DPython_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build build -j"$(nproc)"
