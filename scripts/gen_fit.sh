#!/usr/bin/env bash
# Fits the analytical model to the synthesis reference (`arithsim fit`): writes
# cost/library/fitted.yaml (built into arithsim: `--cost fitted:sky130|asap7`), rebuilds, and
# regenerates docs/cost.md's residual and factor tables. Run after
# scripts/gen_synthesis_reference.sh. Needs a built tree (scripts/build.sh). Seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./build/sim/arithsim
"$bin" fit --out cost/library/fitted.yaml >/dev/null
cmake --build build --target arithsim >/dev/null
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
"$bin" fit --table residuals | tail -n +3 >"$rows"
bash scripts/replace_table.sh docs/cost.md "fit residual" "$("$bin" fit --table residuals | head -2 | sed ':a;N;$!ba;s/\n/\\n/')" "$rows"
"$bin" fit --table factors | tail -n +3 >"$rows"
bash scripts/replace_table.sh docs/cost.md "fit factor" "$("$bin" fit --table factors | head -2 | sed ':a;N;$!ba;s/\n/\\n/')" "$rows"
