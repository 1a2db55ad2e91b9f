// The default component library and technology file, embedded at build time from
// cost/library/*.yaml (cost/CMakeLists.txt), so the binary works from any directory.
#pragma once

#include <string_view>

namespace arithsim::cost::builtin {

std::string_view components_yaml();  // cost/library/components.yaml
std::string_view technology_yaml();  // cost/library/technology.yaml
std::string_view fitted_yaml();      // cost/library/fitted.yaml (arithsim fit)
inline constexpr std::string_view components_name = "components.yaml";
inline constexpr std::string_view fitted_name = "fitted.yaml";
inline constexpr std::string_view technology_name = "technology.yaml";

}  // namespace arithsim::cost::builtin
