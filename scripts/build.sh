#!/usr/bin/env bash
# Configures (once) and builds arithsim into ./build (Release, Ninja, ccache when installed).
#   build.sh                 everything: the tools, the co-simulation models, tests, benchmarks
#   build.sh main            the arithsim program alone (no Verilator needed), for the main job
# A build directory configured by an earlier `build.sh` (either kind) is reused as it is
# configured; `build.sh` after `build.sh main` turns the tests and models on.
set -euo pipefail
cd "$(dirname "$0")/.."
args=(-G Ninja -DCMAKE_BUILD_TYPE=Release)
command -v ccache >/dev/null && args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [ "${1:-}" = main ]; then
  if [ ! -f build/CMakeCache.txt ]; then
    cmake -S . -B build "${args[@]}" -DARITHSIM_COSIM=OFF -DARITHSIM_BUILD_TESTS=OFF -DARITHSIM_BUILD_BENCH=OFF >/dev/null
  fi
  cmake --build build -j "$(nproc)" --target arithsim
else
  cmake -S . -B build "${args[@]}" -DARITHSIM_COSIM=ON -DARITHSIM_BUILD_TESTS=ON -DARITHSIM_BUILD_BENCH=ON >/dev/null
  cmake --build build -j "$(nproc)"
fi
