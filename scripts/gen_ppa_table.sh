#!/usr/bin/env bash
# Regenerates the PPA table of docs/cost.md (between the "ppa table" markers): every PE in its
# default configuration synthesized onto sky130 and ASAP7 by `arithsim synth --liberty`
# (yosys + OpenSTA; power at the fmax with the input activity the PE's cycle model measures on
# random operands): every net's activity from the zero-delay simulation of the netlist, and,
# for comparison, OpenSTA's propagation from the input ports. Needs a built tree (scripts/build.sh), yosys, opensta and ../shared/pdk
# (or PDK=DIR). Minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
pdk=${PDK:-../shared/pdk}
bin=./build/sim/arithsim
rows=$(mktemp)
db=$(mktemp -d)
trap 'rm -rf "$rows" "$db"' EXIT
asap7=()
for f in "$pdk"/asap7sc7p5t_*.lib.gz; do asap7+=(--liberty "$f"); done
field() { sed -n "s/^  \"$1\": \\([^,]*\\),\\?$/\\1/p" <<<"$2"; }
for pe in int_mac fp8_mac lmul_pe mixpe lut_tensor_core rmmec; do
  for lib in sky130 asap7; do
    if [ $lib = sky130 ]; then args=(--liberty "$pdk/sky130hd_tt.lib.gz"); else args=("${asap7[@]}"); fi
    j=$("$bin" synth "$pe" "${args[@]}" --json --ppa-db "$db/ppa.json")
    jp=$("$bin" synth "$pe" "${args[@]}" --json --ppa-db "$db/ppa.json" --activity-from ports)
    area=$(field area_um2 "$j")
    seq=$(sed -n 's/^    "sequential": \([^,]*\),\?$/\1/p' <<<"$j")
    awk -v pe="$pe" -v lib="$lib" -v cells="$(field total_cells "$j")" -v ff="$(field flops "$j")" -v area="$area" \
        -v seq="$seq" -v fmax="$(field fmax_hz "$j")" -v e="$(field energy_per_cycle_pj "$j")" \
        -v ep="$(field energy_per_cycle_pj "$jp")" -v act="$(field input_activity "$j")" -v net="$(field net_activity "$j")" \
        'BEGIN { printf "| %s | %s | %d | %d | %.1f | %.0f %% | %.3f | %.3f | %.3f | %.2f | %.3f |\n", pe, lib, cells, ff, area, 100 * seq / area, fmax / 1e9, e, ep, act, net }' >>"$rows"
  done
done
bash scripts/replace_table.sh docs/cost.md ppa \
  '| PE | library | cells | flip-flops | area µm² | sequential | fmax GHz | pJ per cycle at fmax | propagated from the ports | input activity | net activity |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|' \
  "$rows"
bash scripts/gen_node_scaling_table.sh
