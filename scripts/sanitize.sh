#!/usr/bin/env bash
# Builds the test suite with AddressSanitizer + UndefinedBehaviorSanitizer into ./build-asan
# (gcc, -O1; Verilator's generated code and runtime stay unsanitized, see
# cmake/ArithsimVerilate.cmake) and runs every test but the `long` ones under them. Any
# sanitizer report fails the test that triggered it (-fno-sanitize-recover=all).
set -euo pipefail
cd "$(dirname "$0")/.."
args=(-G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" -DARITHSIM_SANITIZE=ON
      -DARITHSIM_COSIM=ON -DARITHSIM_BUILD_TESTS=ON -DARITHSIM_BUILD_BENCH=OFF)
command -v ccache >/dev/null && args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build-asan "${args[@]}" >/dev/null
cmake --build build-asan -j "$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -LE long
