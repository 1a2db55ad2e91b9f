#!/usr/bin/env bash
# Out-of-range template arguments of the value types stop compilation with a message naming
# the limit (models/numbers/*.hpp static_asserts); a valid instantiation compiles.
#   static_assert_test.sh CXX INCLUDE_DIR
set -uo pipefail
cxx=$1 inc=$2
check() {  # check TYPE EXPECTED-MESSAGE (empty: must compile)
  local out rc
  out=$(printf '#include <arithsim/models/numbers/posit.hpp>\n#include <arithsim/models/numbers/minifloat.hpp>\n#include <arithsim/models/numbers/integer.hpp>\nint main() { %s x = 1; return int(double(x)); }\n' "$1" |
        "$cxx" -std=c++20 -fsyntax-only -I"$inc" -x c++ - 2>&1)
  rc=$?
  if [ -z "$2" ]; then
    [ $rc -eq 0 ] || { echo "FAIL: $1 does not compile: $out"; exit 1; }
  else
    [ $rc -ne 0 ] || { echo "FAIL: $1 compiled"; exit 1; }
    grep -qF "$2" <<<"$out" || { echo "FAIL: $1: no '$2' in: $out"; exit 1; }
  fi
  echo "ok: $1"
}
check 'arithsim::posit<16, 1>' ''
check 'arithsim::posit<33, 2>' 'posit<N, ES>: N must be 2..32'
check 'arithsim::posit<16, 5>' 'posit<N, ES>: ES must be 0..4'
check 'arithsim::minifloat<9, 2>' 'minifloat<E, M>: E must be 1..8'
check 'arithsim::minifloat<4, 24>' 'minifloat<E, M>: M must be 0..23'
check 'arithsim::minifloat<5, 0, arithsim::FloatConvention::IEEE>' 'IEEE needs M >= 1'
check 'arithsim::minifloat<4, 3, arithsim::FloatConvention::UE>' 'needs M == 0'
check 'arithsim::integer<33>' 'integer<N>: N must be 1..32'
