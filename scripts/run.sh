#!/usr/bin/env bash
# Installs what is missing, builds the arithsim program, and runs the main job on its
# embedded default workload (arguments go to `arithsim run`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh main
bash scripts/build.sh main
./build/sim/arithsim run "$@"
