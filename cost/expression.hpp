// The small formula language of the component library: scaling laws, size laws and stage
// widths ("w * ceil(log2(r + 1))", "min(m + 3, 2 ^ e)"). Parsed once when a library is loaded,
// evaluated per query from a flat instruction list (no allocation).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace arithsim::cost {

class Expression {
 public:
  Expression() = default;
  // Limits of a formula: nesting depth (parentheses, function arguments, unary minus, the
  // right operand of ^) and values held at once while evaluating.
  static constexpr int kMaxNesting = 64;
  static constexpr int kMaxStack = 64;
  // `vars` name the evaluation slots (eval's `slots[i]` is vars[i]); `constants` are folded in.
  // Throws std::invalid_argument with a short one-line reason ("unknown name 'x'", "expected
  // ')'"; beyond a limit, the reason and the formula).
  static Expression parse(std::string_view text, const std::vector<std::string>& vars,
                          const std::map<std::string, double, std::less<>>& constants);
  double eval(const double* slots) const;
  const std::string& text() const { return text_; }
  bool empty() const { return code_.empty(); }
  bool uses(size_t slot) const;  // whether eval reads slots[slot]

 private:
  enum class Op : uint8_t { Num, Var, Add, Sub, Mul, Div, Pow, Neg, Log2, Sqrt, Ceil, Floor, Min, Max };
  struct Ins {
    Op op;
    uint32_t slot;
    double value;
  };
  friend class ExpressionParser;
  std::vector<Ins> code_;
  std::string text_;
};

}  // namespace arithsim::cost
