#!/usr/bin/env bash
# Installs the Debian packages arithsim needs. Idempotent and quiet when everything is there.
# Run as root on Debian 12.
#   setup.sh main   what `arithsim run` and `sweep` need (compiler, CMake, libraries, gnuplot for
#                   plots, OpenMPI for sweeps across machines)
#   setup.sh        everything: also Verilator, SystemC, yosys, the test and benchmark
#                   libraries, clang (fuzzing), ccache
set -euo pipefail
main_pkgs=(
  g++ cmake ninja-build pkg-config git ccache
  libfmt-dev libcli11-dev nlohmann-json3-dev libyaml-cpp-dev
  gnuplot-nox openmpi-bin libopenmpi-dev
)
full_pkgs=(
  libsystemc-dev verilator yosys opensta
  libboost1.81-dev libboost-program-options1.81-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev libopenblas-dev
  clang-14 libclang-rt-14-dev
)
pkgs=("${main_pkgs[@]}")
[ "${1:-}" = main ] || pkgs+=("${full_pkgs[@]}")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages (${missing[*]}); run this script as root" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
