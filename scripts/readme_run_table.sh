#!/usr/bin/env bash
# Regenerates the README's main-job outputs from the built binary: the `arithsim run` table on
# the embedded default job (between the "arithsim run table" markers), and the example sweep's
# Pareto front (between the "arithsim sweep front" markers) with its plot
# (docs/img/pe-by-array-energy-vs-latency.svg). Cli.ReadmeTableIsTheRunOutput and
# Cli.ReadmeSweepFrontIsTheSweepOutput fail when they differ. Needs a built tree (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
./build/sim/arithsim run --out "$out/report" | sed -n '2,/^$/p' | sed '/^$/d' >"$out/table"
./build/sim/arithsim sweep sweeps/pe-by-array.yaml --out "$out/sweep" --progress never >/dev/null
# The report's front table: from its header row to the first blank line after it.
awk '/^## Pareto front/ { on = 1; next } on && /^\|/ { print; seen = 1; next } on && seen { exit }' "$out/sweep/report.md" >"$out/front"
mkdir -p docs/img
cp "$out/sweep/plots/energy_mj-vs-latency_ms.svg" docs/img/pe-by-array-energy-vs-latency.svg
splice() {  # splice MARKER FILE FENCE
  local marker=$1 file=$2 fence=$3 tmp
  tmp=$(mktemp README.md.XXXXXX)
  awk -v table="$file" -v m="$marker" -v fence="$fence" '
    index($0, "<!-- " m ": begin") { print; if (fence) print "```"; while ((getline l < table) > 0) print l; if (fence) print "```"; skip = 1; next }
    index($0, "<!-- " m ": end") { skip = 0 }
    !skip { print }' README.md >"$tmp"
  grep -q "$marker: end" "$tmp" || { rm -f "$tmp"; echo "README.md has no '$marker' markers" >&2; exit 1; }
  chmod --reference=README.md "$tmp"
  mv "$tmp" README.md
}
splice "arithsim run table" "$out/table" 1
splice "arithsim sweep front" "$out/front" ""
echo "README.md: run table ($(wc -l <"$out/table") lines) and sweep front ($(($(wc -l <"$out/front") - 2)) rows) regenerated"
