#!/usr/bin/env bash
# Replaces the lines between "<!-- NAME table: begin" and "<!-- NAME table: end" of DOC with
# HEADER (a markdown header and separator, "\n" between them) and the rows of ROWS, atomically.
#   replace_table.sh DOC NAME HEADER ROWS
set -euo pipefail
doc=$1 name=$2 header=$3 rows=$4
tmp=$(mktemp "$(dirname "$doc")/.$(basename "$doc").XXXXXX")
awk -v rows="$rows" -v header="$header" -v begin="<!-- $name table: begin" -v end="<!-- $name table: end" '
  index($0, begin) == 1 { print; n = split(header, h, "\\\\n"); for (i = 1; i <= n; i++) print h[i]; while ((getline l < rows) > 0) print l; skip = 1; next }
  index($0, end) == 1 { skip = 0 }
  !skip { print }' "$doc" >"$tmp"
grep -q "$name table: end" "$tmp" || { rm -f "$tmp"; echo "$doc has no $name table markers" >&2; exit 1; }
chmod --reference="$doc" "$tmp"
mv "$tmp" "$doc"
echo "$doc: $name table regenerated ($(wc -l <"$rows") rows)"
