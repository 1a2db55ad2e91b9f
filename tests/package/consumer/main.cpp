// Uses three layers of the installed arithsim: a value type, a PE model, the cost library.
// Prints "ok" and exits 0 only when each gives the value known from its definition.
#include <arithsim/cost/component_library.hpp>
#include <arithsim/models/numbers/posit.hpp>
#include <arithsim/models/numbers/quire.hpp>
#include <arithsim/models/pe/pe.hpp>

#include <cstdio>
#include <vector>

int main() {
  using P = arithsim::posit<16, 1>;
  P a = 1.5, b = 2, c = 0.25;
  c = a * b + c;  // 3.25, exactly representable
  std::vector<P> x(4, P(0.5)), y(4, P(3));
  const P d = arithsim::fdp<P>(x, y);  // 6
  const auto pe = arithsim::pe::make_pe("int_mac", {});
  // absmax 127: the symmetric INT8 scale is 1, so the values are exact and the dot is 16167.
  std::vector<float> va{1, 2, 3, 127}, vw{5, 6, 7, 127};
  const double dot = pe->dot(pe->quantize_a(va), pe->quantize_w(vw));
  const auto lib = arithsim::cost::ComponentLibrary::builtin();
  const bool priced = !lib.names().empty();
  std::printf("posit %g fdp %g int_mac %g library %s\n", double(c), double(d), dot, priced ? "yes" : "no");
  const bool ok = double(c) == 3.25 && double(d) == 6 && dot == 16167 && priced;
  std::puts(ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
