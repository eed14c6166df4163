#!/usr/bin/env bash
# Runs every fuzz target (fuzz/targets/) under libFuzzer with ASan and UBSan, from its seed
# corpus, for a fixed number of inputs with a fixed seed (a bounded run, nearly the same inputs
# each time: a failure is a finding). Usage: tools/fuzz.sh [RUNS_PER_TARGET] [TARGET...]
# Builds into build-fuzz/ with clang. A crashing input is written to build-fuzz/crashes/; add it
# to fuzz/corpus/<target>/ with the fix, where the ordinary build's CTest keeps running it.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20000}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=($(sed -n 's/^set(MYDOCKER_FUZZ_TARGETS \(.*\))$/\1/p' fuzz/CMakeLists.txt))
fi
mkdir -p build-fuzz/crashes
if ! { CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
         -DMYDOCKER_FUZZ=ON &&
       cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]/#/fuzz_}"; } \
     >build-fuzz/build.log 2>&1; then
  grep -E "error|Error" build-fuzz/build.log | head -20 >&2
  echo "fuzz.sh: the fuzzing build failed (build-fuzz/build.log)" >&2
  exit 1
fi
status=0
for t in "${targets[@]}"; do
  work=$(mktemp -d /tmp/mydocker-fuzz-XXXXXX)
  # New inputs go to a scratch directory; the seeds stay as they are.
  if ! build-fuzz/bin/fuzz_"$t" -seed=1 -runs="$runs" -max_len=65536 -timeout=10 \
      -rss_limit_mb=2048 -artifact_prefix=build-fuzz/crashes/"$t"- "$work" fuzz/corpus/"$t" \
      >"build-fuzz/$t.log" 2>&1; then
    echo "fuzz_$t: FAILED (see build-fuzz/$t.log and build-fuzz/crashes/)" >&2
    tail -30 "build-fuzz/$t.log" >&2
    status=1
  else
    echo "fuzz_$t: $runs inputs, $(grep -c . <(ls "$work")) new corpus entries, no finding"
  fi
  rm -rf "$work"
done
exit $status
