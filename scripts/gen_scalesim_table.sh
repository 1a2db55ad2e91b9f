#!/usr/bin/env bash
# Regenerates the SCALE-Sim comparison table of docs/estimator.md (between the
# "scalesim table" markers) from Mapper.CyclesBesideScaleSimsFormula, which asserts every row.
# Needs a built tree (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
ARITHSIM_SCALESIM_TABLE="$rows" ./build/tests/mapper_test --gtest_filter='Mapper.CyclesBesideScaleSimsFormula' >/dev/null
doc=docs/estimator.md
tmp=$(mktemp docs/.estimator.md.XXXXXX)
awk -v rows="$rows" '
  /<!-- scalesim table: begin/ { print; print "| shape | dataflow | M×N×K | array | folds | arithsim cycles | SCALE-Sim cycles | SCALE-Sim vs arithsim |"; print "|---|---|---|---|---:|---:|---:|---:|"; while ((getline l < rows) > 0) print l; skip = 1; next }
  /<!-- scalesim table: end/ { skip = 0 }
  !skip { print }' "$doc" >"$tmp"
grep -q 'scalesim table: end' "$tmp" || { rm -f "$tmp"; echo "$doc has no scalesim table markers" >&2; exit 1; }
chmod --reference="$doc" "$tmp"
mv "$tmp" "$doc"
echo "$doc: SCALE-Sim table regenerated ($(wc -l <"$rows") rows)"
