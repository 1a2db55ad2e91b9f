#!/usr/bin/env bash
# Writes the tensor_core presets table (arithsim pe presets tensor_core --format markdown)
# into docs/pe/tensor_core.md between "<!-- presets:tensor_core -->" and
# "<!-- /presets:tensor_core -->", so that the table is never typed by hand. Needs a built
# tree (scripts/build.sh); the CLI test checks that the docs hold the current table.
set -euo pipefail
cd "$(dirname "$0")/.."
doc=docs/pe/tensor_core.md
table=$(mktemp)
tmp=$(mktemp docs/pe/.tensor_core.md.XXXXXX)
trap 'rm -f "$table" "$tmp"' EXIT
build/sim/arithsim pe presets tensor_core --format markdown >"$table"
awk -v file="$table" '
  $0 == "<!-- presets:tensor_core -->" { print; while ((getline l < file) > 0) print l; skip = 1; next }
  $0 == "<!-- /presets:tensor_core -->" { skip = 0 }
  !skip { print }' "$doc" >"$tmp"
mv "$tmp" "$doc"
trap - EXIT
rm -f "$table"
echo "tensor_core_docs: $doc updated" >&2
