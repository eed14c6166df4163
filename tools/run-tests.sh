#!/usr/bin/env bash
# Builds (if needed) and runs the whole test suite: unit tests and integration tests with real
# containers (root required). Every integration test uses its own temporary state root.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
ctest --test-dir build --output-on-failure "$@"
# Then every fuzz target under libFuzzer, ASan and UBSan for a fixed number of inputs
# (docs/fuzzing.md); MYDOCKER_FUZZ_RUNS=0 skips it.
if [ "${MYDOCKER_FUZZ_RUNS:-20000}" != 0 ]; then
  tools/fuzz.sh "${MYDOCKER_FUZZ_RUNS:-20000}"
fi
# Then the unit tests under ASan, LeakSanitizer and UBSan, in the same build-fuzz/ tree
# (docs/fuzzing.md); MYDOCKER_SANITIZE_UNIT=0 skips it.
if [ "${MYDOCKER_SANITIZE_UNIT:-1}" != 0 ]; then
  tools/sanitize-unit-tests.sh
fi
