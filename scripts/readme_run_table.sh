#!/usr/bin/env bash
# Regenerates the README's `arithsim run` table (between the "arithsim run table" markers) from
# the built binary's output on the embedded default job. Cli.ReadmeTableIsTheRunOutput fails
# when the two differ. Needs a built tree (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
./build/sim/arithsim run --out "$out/report" | sed -n '2,/^$/p' | sed '/^$/d' >"$out/table"
tmp=$(mktemp README.md.XXXXXX)
awk -v table="$out/table" '
  /<!-- arithsim run table: begin/ { print; print "```"; while ((getline l < table) > 0) print l; print "```"; skip = 1; next }
  /<!-- arithsim run table: end/ { skip = 0 }
  !skip { print }' README.md >"$tmp"
grep -q 'arithsim run table: end' "$tmp" || { rm -f "$tmp"; echo "README.md has no run-table markers" >&2; exit 1; }
chmod --reference=README.md "$tmp"
mv "$tmp" README.md
echo "README.md: run table regenerated ($(wc -l <"$out/table") lines)"
