#!/usr/bin/env bash
# Regenerates the SCALE-Sim comparison table of docs/estimator.md (between the
# "scalesim table" markers) from Mapper.CyclesBesideScaleSimsFormula, which asserts every row.
# Needs a built tree (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
ARITHSIM_SCALESIM_TABLE="$rows" ./build/tests/mapper_test --gtest_filter='Mapper.CyclesBesideScaleSimsFormula' >/dev/null
bash scripts/replace_table.sh docs/estimator.md scalesim \
  '| shape | dataflow | M×N×K | array | folds | arithsim cycles | SCALE-Sim cycles | SCALE-Sim vs arithsim |\n|---|---|---|---|---:|---:|---:|---:|' \
  "$rows"
