#!/usr/bin/env bash
# Installs what is missing, builds the arithsim program, and runs the main job: `arithsim run`
# on its embedded default workload (arguments go to `arithsim run`), then the example
# design-space sweep (sweeps/pe-by-array.yaml: PE x weight format x array shape on LLaMA-2-7B
# decode and prefill) with its Pareto front plotted, into ./pe-by-array/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh main
bash scripts/build.sh main
./build/sim/arithsim run "$@"
echo
./build/sim/arithsim sweep sweeps/pe-by-array.yaml --out pe-by-array
