// Divider: the exact quotient of two unrounded values, truncated to 64 significant bits
// with sticky, so that one rounding to any format of <= 62 bits gives the correctly
// rounded quotient (the value types' operator/ is this followed by the format's encode).
#pragma once

#include <arithsim/models/formats/unrounded.hpp>

namespace arithsim::units {

// NaN for NaN, 0/0 and inf/inf; +-inf for x/0 (x != 0) and inf/x; +-0 for 0/x and x/inf;
// the sign is the XOR of the operands' signs. Inputs must be exact (no sticky).
formats::Unrounded divide(const formats::Unrounded& a, const formats::Unrounded& b);

}  // namespace arithsim::units
