#!/usr/bin/env bash
# `mpirun -np 2 arithsim sweep` (issue #15): the outputs equal a one-process run's byte for
# byte (grid and adaptive), rank 1 evaluates a share of the points, and an MPI run resumes a
# journal a killed run left. Usage: mpi_sweep_test.sh ARITHSIM SOURCE_DIR
set -euo pipefail
arithsim=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# As root (CI) OpenMPI needs to be told; 2 ranks on 2 cores, oversubscribed when fewer.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# Containers often forbid the cross-process memory copy OpenMPI's shared-memory transport uses
# for large messages ("Read -1, expected ..., errno = 1"): copy through the shared segment.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
mpi=(mpirun --oversubscribe -np 2)

same() {  # every output file of $1 equals $2's
  local a=$1 b=$2 f
  for f in points.csv front.csv points.json report.md; do cmp "$a/$f" "$b/$f"; done
  if [ -d "$a/plots" ]; then
    diff <(cd "$a/plots" && ls) <(cd "$b/plots" && ls)
    for f in "$a"/plots/*; do cmp "$f" "$b/plots/$(basename "$f")"; done
  fi
}

for sweep in pe-by-array adaptive-array; do
  "$arithsim" sweep "$src/sweeps/$sweep.yaml" --out "$work/$sweep-one" --jobs 1 --progress never > "$work/one.log"
  "${mpi[@]}" "$arithsim" sweep "$src/sweeps/$sweep.yaml" --out "$work/$sweep-mpi" --jobs 1 --progress never > "$work/mpi.log"
  cat "$work/mpi.log"
  same "$work/$sweep-one" "$work/$sweep-mpi"
  # Rank 1 took part: "rank 1: N (...)" with N > 0.
  n=$(sed -n 's/.*rank 1: \([0-9]*\) .*/\1/p' "$work/mpi.log")
  [ -n "$n" ] && [ "$n" -gt 0 ] || { echo "rank 1 evaluated no point of $sweep" >&2; exit 1; }
  # One process prints the summary: rank 1 prints nothing.
  [ "$(grep -c '^sweep ' "$work/mpi.log")" -eq 1 ]
done

# A journal cut by a kill (half its records, the last one cut), resumed under mpirun.
mkdir "$work/cut"
cp "$work/pe-by-array-one/.arithsim-output" "$work/cut/"
lines=$(wc -l < "$work/pe-by-array-one/journal.jsonl")
head -n $((lines / 2)) "$work/pe-by-array-one/journal.jsonl" > "$work/cut/journal.jsonl"
sed -n "$((lines / 2 + 1))p" "$work/pe-by-array-one/journal.jsonl" | head -c 40 >> "$work/cut/journal.jsonl"
"${mpi[@]}" "$arithsim" sweep "$src/sweeps/pe-by-array.yaml" --out "$work/cut" --resume --jobs 1 --progress never > "$work/resume.log"
cat "$work/resume.log"
grep -q "from the journal" "$work/resume.log"
same "$work/pe-by-array-one" "$work/cut"

# merge is one process's job.
if "${mpi[@]}" "$arithsim" sweep merge "$src/sweeps/pe-by-array.yaml" "$work/cut" --out "$work/m" 2> "$work/merge.err"; then
  echo "sweep merge under mpirun was not refused" >&2; exit 1
fi
grep -q "not under mpirun" "$work/merge.err"
[ ! -e "$work/m" ]
echo "mpi sweep: OK"
