#!/usr/bin/env bash
# A longer fuzzing campaign of one harness (docs/fuzzing.md), after scripts/fuzz.sh has built
# build-fuzz/:
#   tests/fuzz/campaign.sh NAME [SECONDS] [RUNS]     # defaults: 3600 s, no limit on runs
# The working corpus is build-fuzz/campaign/corpus/NAME (seeded from tests/fuzz/corpus/NAME
# on the first run, kept between runs, so a campaign resumes where it stopped); crashes go to
# build-fuzz/campaign/artifacts/NAME/, the log to build-fuzz/campaign/NAME.log, whose last
# line is "fuzz-stats: NAME execs=N seconds=S ...". That line is also appended to
# bench/results/fuzz_campaigns.log, the committed record of campaigns (build-fuzz/ does not
# outlive a clone) that scripts/fuzz_stats.sh reads: commit it with the docs it regenerates.
# One process (-jobs is not used: the machine is shared); stops at the first crash.
set -euo pipefail
cd "$(dirname "$0")/../.."
name=$1 seconds=${2:-3600} runs=${3:--1}
harness=build-fuzz/tests/fuzz/${name}_fuzz
[ -x "$harness" ] || { echo "campaign: $harness not built (bash scripts/fuzz.sh, or cmake --build build-fuzz --target ${name}_fuzz)" >&2; exit 1; }
work=build-fuzz/campaign
mkdir -p "$work/corpus/$name" "$work/artifacts/$name"
[ -n "$(ls -A "$work/corpus/$name")" ] || cp tests/fuzz/corpus/"$name"/* "$work/corpus/$name/"
args=(-max_total_time="$seconds" -runs="$runs" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10
      -artifact_prefix="$work/artifacts/$name/" -print_final_stats=1)
[ -f "tests/fuzz/dict/$name.dict" ] && args+=(-dict="tests/fuzz/dict/$name.dict")
log="$work/$name.log"
start=$(date +%s.%N)
set +e
"$harness" "${args[@]}" "$work/corpus/$name" > "$log" 2>&1
rc=$?
set -e
end=$(date +%s.%N)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
echo "fuzz-stats: $name execs=${execs:-0} seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')" \
     "corpus=$(find "$work/corpus/$name" -type f | wc -l) rc=$rc date=$(date -u +%Y-%m-%d)" | tee -a "$log" bench/results/fuzz_campaigns.log
exit "$rc"
