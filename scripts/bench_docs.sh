#!/usr/bin/env bash
# Runs the benchmark programs and writes their tables into docs/benchmarks.md between
# "<!-- bench:NAME -->" and "<!-- /bench:NAME -->" (NAME: machine, formats_bench, pe_bench,
# array_bench, cost_bench, estimator_bench, numbers_bench, tensor_core_bench, gemm_bench, sweep_bench, newcomer; the fuzzing table is scripts/fuzz_stats.sh's), so that no
# figure in the docs is typed by hand. Needs a built tree (scripts/build.sh).
#   bench_docs.sh [NAME...]   only these (default: all programs)
set -euo pipefail
cd "$(dirname "$0")/.."
names=("$@")
((${#names[@]})) || names=(formats_bench pe_bench array_bench cost_bench estimator_bench numbers_bench tensor_core_bench gemm_bench sweep_bench)
mkdir -p bench/results
{
  echo "Measured $(date -u +%Y-%m-%d) on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "($(nproc) cores; flags: $(grep -m1 '^flags' /proc/cpuinfo | grep -ow 'avx2\|avx512f\|f16c\|fma' | sort -u | tr '\n' ' '| sed 's/ $//')),"
  echo "$(g++ --version | head -1), Release build (CMake's -O3 -DNDEBUG), one thread."
} >bench/results/machine.md
for n in "${names[@]}"; do
  echo "bench_docs: $n" >&2
  if [ "$n" = newcomer ]; then
    # The README's first command from a fresh clone of HEAD, compiler cache off (packages
    # already installed: apt-get time not included).
    d=$(mktemp -d)
    git clone -q . "$d/arithsim"
    s0=$(date +%s.%N)
    (cd "$d/arithsim" && CCACHE_DISABLE=1 bash scripts/run.sh >/dev/null 2>&1)
    s1=$(date +%s.%N)
    rm -rf "$d"
    awk -v a="$s0" -v b="$s1" -v c="$(git rev-parse --short HEAD)" 'BEGIN {
      printf "| step | wall time | target |\n|---|---:|---:|\n"
      printf "| `bash scripts/run.sh` from a fresh clone of %s (configure, build `arithsim` only, run the default job; ccache off) | %.0f s | < 300 s |\n", c, b - a }' \
      >bench/results/newcomer.md
    continue
  fi
  if [ "$n" = array_bench ]; then  # with the 32x32 arrays, which the default build leaves out
    cmake -S . -B build -DARITHSIM_BENCH_LARGE_ARRAYS=ON >/dev/null
    cmake --build build --target array_bench >/dev/null
  fi
  "build/bench/$n" --markdown "bench/results/$n.md" >/dev/null
done
splice() {  # splice NAME FILE: replace the marked block of docs/benchmarks.md with FILE
  local name=$1 file=$2 doc=docs/benchmarks.md tmp
  tmp=$(mktemp docs/.benchmarks.md.XXXXXX)
  awk -v name="$name" -v file="$file" '
    $0 == "<!-- bench:" name " -->" { print; while ((getline l < file) > 0) print l; skip = 1; next }
    $0 == "<!-- /bench:" name " -->" { skip = 0 }
    !skip { print }' "$doc" >"$tmp"
  mv "$tmp" "$doc"
}
for f in bench/results/*.md; do splice "$(basename "$f" .md)" "$f"; done
echo "bench_docs: docs/benchmarks.md updated" >&2
