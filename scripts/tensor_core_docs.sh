#!/usr/bin/env bash
# Writes two generated tables into docs/pe/tensor_core.md, so that neither is typed by hand:
#  - between "<!-- presets:tensor_core -->" and "<!-- /presets:tensor_core -->": the presets
#    (arithsim pe presets tensor_core --format markdown; the CLI test checks it is current);
#  - between "<!-- h200:sets -->" and "<!-- /h200:sets -->": every H200 set with its
#    mismatch count, as tests/tensor_core/h200_recorded_test.cpp prints it.
# Needs a built tree (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
doc=docs/pe/tensor_core.md
table=$(mktemp)
tmp=$(mktemp docs/pe/.tensor_core.md.XXXXXX)
trap 'rm -f "$table" "$tmp"' EXIT
splice() {  # splice MARK: replace the block between <!-- MARK --> and <!-- /MARK --> with $table
  awk -v file="$table" -v mark="$1" '
    $0 == "<!-- " mark " -->" { print; while ((getline l < file) > 0) print l; skip = 1; next }
    $0 == "<!-- /" mark " -->" { skip = 0 }
    !skip { print }' "$doc" >"$tmp"
  mv "$tmp" "$doc"
  tmp=$(mktemp docs/pe/.tensor_core.md.XXXXXX)
}
build/sim/arithsim pe presets tensor_core --format markdown >"$table"
splice presets:tensor_core
mkdir -p build/tests/h200-sets
tar xJf tests/data/tensor_core/h200.tar.xz -C build/tests/h200-sets
{
  echo "| set | instruction | schedule | outputs | mismatches |"
  echo "|---|---|---|---:|---:|"
  build/tests/tensor_core_h200_test --gtest_filter='H200Recorded.*' | grep '^| '
} >"$table"
splice h200:sets
trap - EXIT
rm -f "$table" "$tmp"
echo "tensor_core_docs: $doc updated" >&2
