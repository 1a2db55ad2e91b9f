#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job on its embedded default workload.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
./build/sim/arithsim run "$@"
