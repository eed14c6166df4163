#!/usr/bin/env bash
# Builds the unit tests with AddressSanitizer (and LeakSanitizer) and UndefinedBehaviorSanitizer
# and runs them: the fuzzing build's configuration (build-fuzz/, clang, -DMYDOCKER_FUZZ=ON, any
# UBSan report aborts), so the library's objects are shared with tools/fuzz.sh. See
# docs/fuzzing.md. Usage: tools/sanitize-unit-tests.sh [GTEST_FILTER]
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build-fuzz
if ! { CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
         -DMYDOCKER_FUZZ=ON &&
       cmake --build build-fuzz -j"$(nproc)" --target unit_tests; } \
     >build-fuzz/unit-build.log 2>&1; then
  grep -E "error|Error" build-fuzz/unit-build.log | head -20 >&2
  echo "sanitize-unit-tests.sh: the sanitized build failed (build-fuzz/unit-build.log)" >&2
  exit 1
fi
# halt_on_error: the first report fails the run; detect_leaks: LeakSanitizer at exit.
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
if ! build-fuzz/bin/unit_tests --gtest_filter="${1:-*}" --gtest_brief=1 \
    >build-fuzz/unit-tests.log 2>&1; then
  grep -E "ERROR: |runtime error|FAILED|Failure" build-fuzz/unit-tests.log | head -30 >&2
  echo "sanitize-unit-tests.sh: the unit tests failed under ASan/UBSan (build-fuzz/unit-tests.log)" >&2
  exit 1
fi
tail -3 build-fuzz/unit-tests.log
