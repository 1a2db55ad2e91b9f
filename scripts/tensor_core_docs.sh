#!/usr/bin/env bash
# Writes two generated tables into docs/pe/tensor_core.md, so that neither is typed by hand:
#  - between "<!-- presets:tensor_core -->" and "<!-- /presets:tensor_core -->": the presets
#    (arithsim pe presets tensor_core --format markdown; the CLI test checks it is current);
#  - between "<!-- h200:sets -->" and "<!-- /h200:sets -->": every H200 set with its
#    mismatch count, as tests/tensor_core/h200_recorded_test.cpp prints it;
#  - between "<!-- example:h100_fp8_k -->" and its end marker: the worked example (H100 FP8
#    GEMM error vs K, with and without promotion), from `arithsim gemm --json`.
# Needs a built tree (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
doc=docs/pe/tensor_core.md
table=$(mktemp)
tmp=$(mktemp docs/pe/.tensor_core.md.XXXXXX)
trap 'rm -f "$table" "$tmp"' EXIT
splice() {  # splice MARK: replace the block between <!-- MARK --> and <!-- /MARK --> with $table
  awk -v file="$table" -v mark="$1" '
    $0 == "<!-- " mark " -->" { print; while ((getline l < file) > 0) print l; skip = 1; next }
    $0 == "<!-- /" mark " -->" { skip = 0 }
    !skip { print }' "$doc" >"$tmp"
  mv "$tmp" "$doc"
  tmp=$(mktemp docs/pe/.tensor_core.md.XXXXXX)
}
build/sim/arithsim pe presets tensor_core --format markdown >"$table"
splice presets:tensor_core
mkdir -p build/tests/h200-sets
tar xJf tests/data/tensor_core/h200.tar.xz -C build/tests/h200-sets
{
  echo "| set | instruction | schedule | outputs | mismatches |"
  echo "|---|---|---|---:|---:|"
  build/tests/tensor_core_h200_test --gtest_filter='H200Recorded.*' | grep '^| '
} >"$table"
splice h200:sets
# The worked example: H100 FP8 (wgmma) GEMM error against the exact product, vs K, without
# and with FP32 promotion every 128 (DeepSeek-V3's N_C; cuBLASLt without fast accumulation).
{
  echo "| K | accumulation | exact match | mean rel. error | max rel. error | Frobenius rel. error |"
  echo "|---:|---|---:|---:|---:|---:|"
  for k in 128 512 1024 4096 16384; do
    for p in 0 128; do
      build/sim/arithsim gemm --pe tensor_core --param gpu=h100 --param instr=wgmma --param in=e4m3 \
        --param promote=$p --m 32 --n 32 --k $k --seed 7 --json |
        python3 -c 'import json, sys; j = json.load(sys.stdin); p = sys.argv[2]
print("| %s | %s | %.4f | %.3g | %.3g | %.3g |" % (sys.argv[1], "wgmma chain (fast accumulation)" if p == "0" else "FP32 promotion every " + p,
      j["exact_match_rate"], j["mean_rel_error_vs_exact"], j["max_rel_error_vs_exact"], j["norm_rel_error_vs_exact"]))' "$k" "$p"
    done
  done
} >"$table"
splice example:h100_fp8_k
trap - EXIT
rm -f "$table" "$tmp"
echo "tensor_core_docs: $doc updated" >&2
