#!/bin/sh
# CTest smoke test for bench/compare: it runs (--quick) and prints its table. No timing is
# asserted. Skipped (exit 77) when not root, as the benchmark starts real containers.
set -u
[ "$(id -u)" = 0 ] || { echo "bench_compare_smoke: needs root, skipped"; exit 77; }
out=$("$(dirname "$0")/compare" --quick 2>&1)
rc=$?
printf '%s\n' "$out"
[ "$rc" = 0 ] || { echo "bench_compare_smoke: bench/compare exited with $rc"; exit 1; }
for want in '| command ' '| mydocker run --rm ' '| mydocker median / crun run median '; do
  printf '%s\n' "$out" | grep -qF -- "$want" || { echo "bench_compare_smoke: no '$want' in the output"; exit 1; }
done
echo "bench_compare_smoke: ok"
