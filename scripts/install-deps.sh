#!/usr/bin/env bash
# Installs, from Debian 12's packages, whatever p88 needs to build, test and package that is not
# already installed. Safe to run again: it installs nothing when everything is present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libpoco-dev libpq-dev libsqlite3-dev
  libboost-dev libboost-filesystem-dev
  nlohmann-json3-dev libhowardhinnant-date-dev tzdata libsystemd-dev
  libgtest-dev libgmock-dev prometheus-cpp-dev
  postgresql-15 postgresql-client-15
  curl ca-certificates jq sqlite3
)
# What only the test suite needs (scripts/test.sh sets P88_WITH_TEST_TOOLS=1): the packages and
# their test (cpack's deb and rpm, lintian, a Debian 12 booted under systemd-nspawn), a real
# browser for the status page (headless Chromium) and promtool (Debian's prometheus) for the
# metrics and the alert rules.
[ "${P88_WITH_TEST_TOOLS:-0}" = 1 ] && packages+=(rpm dpkg-dev fakeroot lintian mmdebstrap systemd-container chromium prometheus)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root (or install them) first" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# postgresql-15 must not start the system cluster: tests run their own private server.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -q --no-install-recommends "${missing[@]}"
