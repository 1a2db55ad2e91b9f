#!/usr/bin/env bash
# Regenerates the node-scaling table of docs/cost.md (between the "node scaling" markers) from
# its PPA table (scripts/gen_ppa_table.sh, which calls this): for every PE, the ratio of its
# sky130 (130 nm) to its ASAP7 (7 nm) area, critical path (1 / fmax) and energy per cycle,
# beside the same ratio of cost/library/technology.yaml's 130 nm and 7 nm factors (Stillmaker &
# Baas), which the analytical model scales by. Needs a built tree (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
factors=$(./build/sim/arithsim cost --library | awk '$1 == "130" || $1 == "7" { print $1, $5, $7, $9 }')
awk -v factors="$factors" '
  BEGIN {
    n = split(factors, f, "\n")
    for (i = 1; i <= n; i++) { split(f[i], x, " "); area[x[1]] = x[2]; energy[x[1]] = x[3]; delay[x[1]] = x[4] }
    ma = area["130"] / area["7"]; md = delay["130"] / delay["7"]; me = energy["130"] / energy["7"]
  }
  /<!-- ppa table: begin/ { on = 1; next }
  /<!-- ppa table: end/ { on = 0 }
  on && /^\| [a-z0-9_]+ \| (sky130|asap7) \|/ {
    split($0, c, "|")
    pe = c[2]; lib = c[3]; gsub(/ /, "", pe); gsub(/ /, "", lib)
    a[pe, lib] = c[6]; fm[pe, lib] = c[8]; e[pe, lib] = c[9]
    if (!(pe in seen)) { seen[pe] = 1; order[++k] = pe }
  }
  END {
    for (i = 1; i <= k; i++) {
      pe = order[i]
      if (a[pe, "asap7"] == 0 || fm[pe, "sky130"] == 0 || e[pe, "asap7"] == 0) continue
      printf "| %s | %.1f | %.1f | %.2f | %.2f | %.1f | %.1f |\n", pe, a[pe, "sky130"] / a[pe, "asap7"], ma,
             fm[pe, "asap7"] / fm[pe, "sky130"], md, e[pe, "sky130"] / e[pe, "asap7"], me
    }
  }' docs/cost.md >"$rows"
bash scripts/replace_table.sh docs/cost.md "node scaling" \
  '| PE | area sky130 / ASAP7 | model 130 / 7 nm | critical path sky130 / ASAP7 | model | energy per cycle sky130 / ASAP7 | model |\n|---|---:|---:|---:|---:|---:|---:|' \
  "$rows"
