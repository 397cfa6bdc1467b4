#!/bin/sh
# tests/deps.sh - install every Debian 12 package that building, the demo
# and the whole test suite need. Safe to run again; needs root (or sudo).
# "tests/deps.sh --bench" adds what only the benchmarks use ("make
# bench-stack": the stack portrole replaces, and perf for profiling).
set -e
PKGS="build-essential autoconf automake libtool pkg-config clang
 libclang-rt-14-dev libmilter-dev check miltertest libspf2-dev
 libopendkim-dev opendkim-tools zlib1g-dev libidn2-dev postfix swaks
 libsasl2-modules sasl2-bin openssl iproute2 python3 python3-yaml valgrind m4 util-linux mount
 prometheus debhelper lintian dpkg-dev debootstrap chromium"
if [ "${1:-}" = --bench ]; then
    PKGS="$PKGS opendkim postfix-policyd-spf-python nsd linux-perf"
fi
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
missing=$(for p in $PKGS; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
    grep -q 'install ok installed' || echo "$p"; done)
[ -z "$missing" ] && exit 0
# Postfix must install without configuring a system instance: the tests
# run their own private one on loopback.
echo 'postfix postfix/main_mailer_type select No configuration' | $SUDO debconf-set-selections
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
