#!/usr/bin/env bash
# The parsers' libFuzzer harnesses (tests/fuzz, docs/fuzzing.md): configures build-fuzz/ with
# clang-14 (-DARITHSIM_FUZZ=ON: ASan + UBSan + coverage on the libraries), builds only the
# harnesses (target fuzz_all) and runs `ctest -L fuzz`: each harness runs its regressions and
# its seed corpus, then fuzzes for ARITHSIM_FUZZ_SECONDS (default 15) seconds.
# Needs clang-14 and libclang-rt-14-dev (scripts/setup.sh); installs nothing itself.
#   FUZZ_SECONDS=60 bash scripts/fuzz.sh     # longer bounded runs
#   FUZZ_JOBS=2 bash scripts/fuzz.sh         # harnesses in parallel (default: one at a time)
#   bash scripts/fuzz.sh -R trace            # extra arguments go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in clang-14 clang++-14; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool not found (Debian: apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 1; }
done
if ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
     clang++-14 -x c++ -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
  echo "fuzz: clang++-14 cannot link libFuzzer (Debian: apt-get install libclang-rt-14-dev)" >&2
  exit 1
fi
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DARITHSIM_FUZZ=ON -DARITHSIM_BUILD_TESTS=OFF -DARITHSIM_BUILD_BENCH=OFF \
  -DARITHSIM_FUZZ_SECONDS="${FUZZ_SECONDS:-15}" >/dev/null
cmake --build build-fuzz -j "${FUZZ_BUILD_JOBS:-$(nproc)}" --target fuzz_all
ctest --test-dir build-fuzz -L fuzz --output-on-failure -j "${FUZZ_JOBS:-1}" "$@"
