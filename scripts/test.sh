#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (CTest) three ways:
#   1. the Release build (build/), every test but the `long` ones;
#   2. the same suite built with ASan + UBSan (build-asan/, scripts/sanitize.sh);
#   3. every parser's libFuzzer harness over its corpus and for a bounded time (build-fuzz/,
#      scripts/fuzz.sh; label `fuzz`).
# Any failure stops it with a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)" -LE long
bash scripts/sanitize.sh
bash scripts/fuzz.sh
