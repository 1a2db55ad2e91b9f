#!/usr/bin/env bash
# The installed package as a user meets it: `cmake --install` of this build into a temporary
# prefix, then a project outside the tree configured with find_package(arithsim), built and
# run; then the same program built by hand from pkg-config's flags; then the installed CLI.
#   tests/package/package_test.sh BUILD_DIR SOURCE_DIR
# CONSUMER_FLAGS: compiler flags the consumer needs to link this build's libraries (the
# sanitizer flags of an ASan/UBSan build).
set -euo pipefail
build=$1 src=$2 flags_extra=${CONSUMER_FLAGS:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/arithsim-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
# Public headers only: the YAML helpers stay private.
test -f "$prefix/include/arithsim/models/numbers/posit.hpp"
test -f "$prefix/include/arithsim/cost/component_library.hpp"
test ! -e "$prefix/include/arithsim/cost/yaml_fields.hpp"
test ! -e "$prefix/include/arithsim/models/io/yaml_document.hpp"
test -f "$prefix/lib/cmake/arithsim/arithsimConfig.cmake"
test -f "$prefix/lib/pkgconfig/arithsim.pc"
test -x "$prefix/bin/arithsim"

cmake -S "$src/tests/package/consumer" -B "$work/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_FLAGS="$flags_extra" > "$work/configure.log"
cmake --build "$work/consumer" > "$work/build.log"
out=$("$work/consumer/consumer")
echo "find_package consumer: $out"
[ "$(echo "$out" | tail -1)" = ok ]

# pkg-config: the flags alone build the same program (the .pc file is relocatable).
flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs arithsim)
c++ $flags_extra "$src/tests/package/consumer/main.cpp" $flags -o "$work/consumer-pc"
out=$("$work/consumer-pc")
echo "pkg-config consumer: $out"
[ "$(echo "$out" | tail -1)" = ok ]

# Every installed header compiles on its own with only the prefix on the include path
# (no header relies on the source tree or on a private one).
hdrs=$(cd "$prefix/include" && find arithsim -name '*.hpp' | sort)
[ -n "$hdrs" ]
for h in $hdrs; do echo "#include <$h>"; done > "$work/all_headers.cpp"
echo 'int main() { return 0; }' >> "$work/all_headers.cpp"
c++ -std=c++20 -fsyntax-only -Wall -Wextra -Werror -I"$prefix/include" $(pkg-config --cflags fmt yaml-cpp) \
    "$work/all_headers.cpp"
for h in $hdrs; do printf '#include <%s>\n' "$h" | c++ -std=c++20 -fsyntax-only -x c++ -I"$prefix/include" - ; done
echo "headers: $(echo "$hdrs" | wc -l) compile alone and together"

# The installed program runs from its prefix (the cost library is embedded).
"$prefix/bin/arithsim" format list > /dev/null
echo "package: OK"
