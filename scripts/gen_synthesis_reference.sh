#!/usr/bin/env bash
# Synthesizes every configuration of cost/library/fit_set.txt onto sky130 and ASAP7
# (`arithsim synth --liberty`, yosys + OpenSTA, per-net activity) into
# cost/library/synthesis_reference.json, a PPA database: what the fitted analytical model is
# fitted to and checked against (docs/cost.md § "Fitted to synthesis"). Entries are keyed by the
# RTL's and libraries' content, so a changed RTL file makes the tests say this is stale. Needs a
# built tree (scripts/build.sh), yosys, opensta and ../shared/pdk (or PDK=DIR). About 15 minutes
# on one core.
set -euo pipefail
cd "$(dirname "$0")/.."
pdk=${PDK:-../shared/pdk}
bin=./build/sim/arithsim
out=cost/library/synthesis_reference.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
asap7=()
for f in "$pdk"/asap7sc7p5t_*.lib.gz; do asap7+=(--liberty "$f"); done
# A fresh database (entries of RTL that changed would otherwise stay), moved into place at the
# end; SEED=FILE starts it from FILE (an interrupted run's database of the same RTL).
[ -z "${SEED:-}" ] || cp "$SEED" "$tmp/ref.json"
grep -v '^#' cost/library/fit_set.txt | while read -r role pe rest; do
  [ -n "$role" ] || continue
  args=()
  for kv in $rest; do args+=(--param "$kv"); done
  for lib in sky130 asap7; do
    if [ $lib = sky130 ]; then libs=(--liberty "$pdk/sky130hd_tt.lib.gz"); else libs=("${asap7[@]}"); fi
    echo "gen_synthesis_reference: $role $pe $rest on $lib" >&2
    "$bin" synth "$pe" "${args[@]}" "${libs[@]}" --ppa-db "$tmp/ref.json" >/dev/null
  done
done
mv "$tmp/ref.json" "$out"
echo "$out: $(grep -c '"module"' "$out") entries" >&2
