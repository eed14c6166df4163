#!/usr/bin/env bash
# Builds (if needed) and runs the whole test suite: unit tests and integration tests with real
# containers (root required). Every integration test uses its own temporary state root.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
ctest --test-dir build --output-on-failure "$@"
