#include <arithsim/cost/expression.hpp>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include <arithsim/models/io/escape.hpp>

namespace arithsim::cost {

// Recursive descent over: expr = term {(+|-) term}; term = unary {(*|/) unary};
// unary = - unary | power; power = primary [^ unary]; primary = number | name | name(args) | (expr).
// Every recursion passes through unary(), which bounds the nesting (parentheses, function
// arguments, unary minus, the right operand of ^) at Expression::kMaxNesting levels.
class ExpressionParser {
 public:
  ExpressionParser(std::string_view s, const std::vector<std::string>& vars,
                   const std::map<std::string, double, std::less<>>& constants, Expression& out)
      : s_(s), vars_(vars), constants_(constants), out_(out) {}

  void run() {
    expr();
    skip();
    if (i_ != s_.size()) fail("unexpected '" + io::escape(s_.substr(i_, 1)) + "'");
    if (depth_max_ > Expression::kMaxStack)
      fail("expression needs more than " + std::to_string(Expression::kMaxStack) + " values at once: '" +
           io::escape(s_, 60) + "'");
  }

 private:
  using Op = Expression::Op;
  std::string_view s_;
  const std::vector<std::string>& vars_;
  const std::map<std::string, double, std::less<>>& constants_;
  Expression& out_;
  size_t i_ = 0;
  int depth_ = 0, depth_max_ = 0;  // evaluation stack
  int nesting_ = 0;

  [[noreturn]] void fail(const std::string& why) { throw std::invalid_argument(why); }
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool eat(char c) {
    skip();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void emit(Op op, uint32_t slot = 0, double v = 0) {
    out_.code_.push_back({op, slot, v});
    depth_ += (op == Op::Num || op == Op::Var) ? 1
              : (op == Op::Neg || op == Op::Log2 || op == Op::Sqrt || op == Op::Ceil || op == Op::Floor) ? 0
                                                                                                            : -1;
    depth_max_ = std::max(depth_max_, depth_);
  }
  void expr() {
    term();
    for (;;) {
      if (eat('+')) term(), emit(Op::Add);
      else if (eat('-')) term(), emit(Op::Sub);
      else return;
    }
  }
  void term() {
    unary();
    for (;;) {
      if (eat('*')) unary(), emit(Op::Mul);
      else if (eat('/')) unary(), emit(Op::Div);
      else return;
    }
  }
  void unary() {
    if (++nesting_ > Expression::kMaxNesting)
      fail("expression nested more than " + std::to_string(Expression::kMaxNesting) +
           " levels deep (parentheses, unary minus, powers): '" + io::escape(s_, 60) + "'");
    if (eat('-')) {
      unary();
      emit(Op::Neg);
    } else {
      primary();
      if (eat('^')) unary(), emit(Op::Pow);
    }
    --nesting_;
  }
  void primary() {
    skip();
    if (i_ >= s_.size()) fail("unexpected end");
    const char c = s_[i_];
    if (eat('(')) {
      expr();
      if (!eat(')')) fail("expected ')'");
      return;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      // strtod reads the number from a copy of its characters only (digits, letters, '.', and a
      // sign right after an exponent letter), so that parsing stays linear in the text.
      size_t j = i_;
      while (j < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '.' ||
                               ((s_[j] == '+' || s_[j] == '-') && std::string_view("eEpP").find(s_[j - 1]) != std::string_view::npos)))
        ++j;
      const std::string rest(s_.substr(i_, j - i_));
      char* end = nullptr;
      const double v = std::strtod(rest.c_str(), &end);
      if (end == rest.c_str()) fail("bad number");
      i_ += size_t(end - rest.c_str());
      emit(Op::Num, 0, v);
      return;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const size_t b = i_;
      while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) ++i_;
      const std::string_view name = s_.substr(b, i_ - b);
      if (eat('(')) return call(name);
      for (size_t k = 0; k < vars_.size(); ++k)
        if (vars_[k] == name) return emit(Op::Var, uint32_t(k));
      if (const auto it = constants_.find(name); it != constants_.end()) return emit(Op::Num, 0, it->second);
      fail("unknown name '" + std::string(name) + "'");
    }
    fail("unexpected '" + io::escape(s_.substr(i_, 1)) + "'");
  }
  void call(std::string_view f) {
    static const struct {
      std::string_view name;
      Op op;
      int args;
    } fns[] = {{"log2", Op::Log2, 1}, {"sqrt", Op::Sqrt, 1}, {"ceil", Op::Ceil, 1},
               {"floor", Op::Floor, 1}, {"min", Op::Min, 2}, {"max", Op::Max, 2}};
    for (const auto& fn : fns) {
      if (fn.name != f) continue;
      expr();
      for (int a = 1; a < fn.args; ++a) {
        if (!eat(',')) fail(std::string(f) + " takes " + std::to_string(fn.args) + " arguments");
        expr();
      }
      if (!eat(')')) fail("expected ')' after the arguments of " + std::string(f));
      emit(fn.op);
      return;
    }
    fail("unknown function '" + std::string(f) + "'");
  }
};

Expression Expression::parse(std::string_view text, const std::vector<std::string>& vars,
                             const std::map<std::string, double, std::less<>>& constants) {
  Expression e;
  e.text_ = std::string(text);
  ExpressionParser(text, vars, constants, e).run();
  return e;
}

bool Expression::uses(size_t slot) const {
  for (const auto& in : code_)
    if (in.op == Op::Var && in.slot == slot) return true;
  return false;
}

double Expression::eval(const double* slots) const {
  double st[kMaxStack];
  int sp = 0;
  for (const auto& in : code_) {
    switch (in.op) {
      case Op::Num: st[sp++] = in.value; break;
      case Op::Var: st[sp++] = slots[in.slot]; break;
      case Op::Add: --sp, st[sp - 1] += st[sp]; break;
      case Op::Sub: --sp, st[sp - 1] -= st[sp]; break;
      case Op::Mul: --sp, st[sp - 1] *= st[sp]; break;
      case Op::Div: --sp, st[sp - 1] /= st[sp]; break;
      case Op::Pow: --sp, st[sp - 1] = std::pow(st[sp - 1], st[sp]); break;
      case Op::Min: --sp, st[sp - 1] = std::min(st[sp - 1], st[sp]); break;
      case Op::Max: --sp, st[sp - 1] = std::max(st[sp - 1], st[sp]); break;
      case Op::Neg: st[sp - 1] = -st[sp - 1]; break;
      case Op::Log2: st[sp - 1] = std::log2(st[sp - 1]); break;
      case Op::Sqrt: st[sp - 1] = std::sqrt(st[sp - 1]); break;
      case Op::Ceil: st[sp - 1] = std::ceil(st[sp - 1]); break;
      case Op::Floor: st[sp - 1] = std::floor(st[sp - 1]); break;
    }
  }
  return st[0];
}

}  // namespace arithsim::cost
