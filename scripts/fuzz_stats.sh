#!/usr/bin/env bash
# Writes the harness table of docs/fuzzing.md (between its "fuzz_stats.sh" markers) from
# measurements, never by hand:
#   - the bounded run: the "fuzz-stats:" lines of the last `ctest -L fuzz` in build-fuzz/
#     (scripts/fuzz.sh; tests/fuzz/run_fuzz.sh prints them);
#   - the campaigns: the last "fuzz-stats:" line of each harness in
#     bench/results/fuzz_campaigns.log (tests/fuzz/campaign.sh appends one per run).
#   bash scripts/fuzz.sh && bash scripts/fuzz_stats.sh
set -euo pipefail
cd "$(dirname "$0")/.."
doc=docs/fuzzing.md
ctest_log=build-fuzz/Testing/Temporary/LastTest.log
[ -f "$ctest_log" ] || { echo "fuzz_stats: no $ctest_log (run bash scripts/fuzz.sh first)" >&2; exit 1; }
grep -q '<!-- BEGIN fuzz_stats.sh' "$doc" || { echo "fuzz_stats: no markers in $doc" >&2; exit 1; }

seconds=$(sed -n 's/^ARITHSIM_FUZZ_SECONDS:STRING=//p' build-fuzz/CMakeCache.txt)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
table=$(mktemp)
trap 'rm -f "$table"' EXIT
{
  echo "Measured on $(nproc) cores ($cpu), one harness at a time, ASan + UBSan + libFuzzer, clang-14"
  echo "RelWithDebInfo; $(date -u +%Y-%m-%d). Bounded run: \`ctest -L fuzz\` with ARITHSIM_FUZZ_SECONDS=$seconds"
  echo "(its seed corpus, then fuzzing; the regressions run before and are not counted). Campaign:"
  echo "\`tests/fuzz/campaign.sh NAME\` from the seeds (a resumed campaign counts its last run only)."
  echo
  echo "| harness | bounded run: executions | exec/s | campaign: executions | seconds | exec/s | corpus after | campaign date |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
  for src in tests/fuzz/*_fuzz.cpp; do
    name=$(basename "$src" _fuzz.cpp)
    ci=$(grep "^fuzz-stats: $name " "$ctest_log" | tail -1 || true)
    camp=$(grep "^fuzz-stats: $name " bench/results/fuzz_campaigns.log 2>/dev/null | tail -1 || true)
    awk -v name="$name" -v ci="$ci" -v camp="$camp" '
      function field(line, key,   n, i, parts, kv) {
        n = split(line, parts, " ")
        for (i = 1; i <= n; i++) { split(parts[i], kv, "="); if (kv[1] == key) return kv[2] }
        return ""
      }
      function rate(e, s) { return (s > 0) ? sprintf("%.0f", e / s) : "" }
      BEGIN {
        ce = field(ci, "execs"); cs = field(ci, "seconds")
        ke = field(camp, "execs"); ks = field(camp, "seconds"); kc = field(camp, "corpus"); kd = field(camp, "date"); krc = field(camp, "rc")
        note = (krc != "" && krc != "0") ? sprintf(" (stopped: rc %s)", krc) : ""
        printf "| `%s` | %s | %s | %s%s | %s | %s | %s | %s |\n", name, (ce == "" ? "not run" : ce), rate(ce, cs),
               (ke == "" ? "not run" : ke), note, ks, rate(ke, ks), kc, kd
      }'
  done
} > "$table"

# The goal of the robustness issue: every harness's campaign >= 10^6 executions, rc 0.
missing=$(awk -F'|' 'NR > 7 && NF > 5 {
    gsub(/ /, "", $5); split($5, a, "("); if (a[1] !~ /^[0-9]+$/ || a[1] < 1000000 || $5 ~ /stopped/) print $2 }' "$table" |
  tr -d ' `' | paste -sd, - | sed 's/,/, /g')
{
  echo
  if [ -z "$missing" ]; then
    echo "Goal (0 failures over >= 10^6 executions per harness in a campaign): met by every harness."
  else
    echo "Goal (0 failures over >= 10^6 executions per harness in a campaign): not met by $missing."
  fi
} >> "$table"

# The same block in docs/fuzzing.md and docs/benchmarks.md.
for d in "$doc" docs/benchmarks.md; do
  grep -q '<!-- BEGIN fuzz_stats.sh' "$d" || { echo "fuzz_stats: no markers in $d" >&2; exit 1; }
  tmp=$(mktemp "$d.XXXXXX")
  awk -v table="$table" '
    /<!-- BEGIN fuzz_stats.sh/ { print; while ((getline line < table) > 0) print line; close(table); skip = 1; next }
    /<!-- END fuzz_stats.sh/ { skip = 0 }
    !skip { print }' "$d" > "$tmp"
  mv "$tmp" "$d"
  echo "fuzz_stats: $d updated"
done
