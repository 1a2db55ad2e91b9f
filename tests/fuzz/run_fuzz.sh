#!/usr/bin/env bash
# One bounded fuzzing run of one harness (the CTest test fuzz_<name>, tests/fuzz/CMakeLists.txt):
#   run_fuzz.sh HARNESS CORPUS REGRESSIONS ARTIFACTS SECONDS RSS_MB TIMEOUT_S [DICT]
# 1. runs every file of REGRESSIONS once (crashes found and fixed; some are far larger than
#    the inputs the fuzzer makes, so they are not part of the corpus);
# 2. runs every input of CORPUS (the seeds), then fuzzes for SECONDS.
# A crash, a sanitizer report, a leak, a timeout or memory over RSS_MB in either step fails
# the test. New inputs go to a temporary directory that is removed afterwards, so the
# repository is never written; a crash reproducer goes to ARTIFACTS/.
# The last line printed is "fuzz-stats: NAME execs=N seconds=S ..." (scripts/fuzz_stats.sh).
set -euo pipefail
harness=$1 corpus=$2 regressions=$3 artifacts=$4 seconds=$5 rss=$6 timeout=$7 dict=${8:-}
name=$(basename "$harness")
name=${name%_fuzz}
mkdir -p "$artifacts"
new=$(mktemp -d "${TMPDIR:-/tmp}/arithsim-fuzz-$name.XXXXXX")
log="$new.log"
trap 'rm -rf "$new" "$log"' EXIT
limits=(-rss_limit_mb="$rss" -malloc_limit_mb="$rss" -timeout="$timeout" -artifact_prefix="$artifacts/")

if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
  echo "== $name: regressions ($regressions)"
  "$harness" "${limits[@]}" "$regressions"/*
fi

echo "== $name: corpus ($corpus), then fuzzing for ${seconds}s"
# A fixed seed: the suite's bounded run explores the same inputs each time (as far as its time
# allows), so a failure there is reproducible and CI does not flake on an input found by
# chance; campaigns (tests/fuzz/campaign.sh) use fresh seeds. ARITHSIM_FUZZ_SEED overrides.
args=("${limits[@]}" -seed="${ARITHSIM_FUZZ_SEED:-1}" -max_total_time="$seconds" -print_final_stats=1)
[ -n "$dict" ] && args+=(-dict="$dict")
start=$(date +%s.%N)
set +e
"$harness" "${args[@]}" "$new" "$corpus" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
end=$(date +%s.%N)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
echo "fuzz-stats: $name execs=${execs:-0} seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')" \
     "corpus=$(find "$corpus" -type f | wc -l) rc=$rc"
exit "$rc"
