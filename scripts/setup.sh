#!/usr/bin/env bash
# Installs every Debian package arithsim needs (build, tests, RTL flow, benchmarks).
# Idempotent and quiet when everything is already there. Run as root on Debian 12.
set -euo pipefail
pkgs=(
  g++ cmake ninja-build pkg-config git
  libsystemc-dev verilator yosys
  libboost1.81-dev libboost-program-options1.81-dev
  libfmt-dev libcli11-dev nlohmann-json3-dev libyaml-cpp-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  gnuplot-nox
)
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
