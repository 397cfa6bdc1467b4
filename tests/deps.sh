#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/deps.sh - install every Debian 12 package that building, the demo
# and the whole test suite need, and say which ones it installs.
#
#	tests/deps.sh [--list] [--bench]
#
# --bench adds what only the benchmarks use ("make bench-stack": the stack
# portrole replaces, and perf for profiling).
#
# Safe to run again: it installs only what is missing and is silent (but for
# one line) when nothing is. Needs root; as another user it runs apt-get
# through sudo, and says so when sudo is missing. --list prints the list.
#
# apt-get runs with --no-install-recommends, so every "Recommends" a tool
# needs on the paths the tests use is listed here by name:
#   swaks: libnet-ssleay-perl + libio-socket-ssl-perl (STARTTLS, --tlsc),
#          libauthen-sasl-perl (AUTH mechanisms beyond PLAIN/LOGIN),
#          libio-socket-inet6-perl (::1); not libnet-dns-perl (the tests
#          always name the server: swaks asks no DNS)
#   Cyrus SASL: libsasl2-modules (PLAIN, LOGIN), libsasl2-modules-db
#          (the sasldb the fixtures keep their users in), sasl2-bin
#          (saslpasswd2)
#   postfix: ca-certificates (its recommends; python3 is listed anyway)
#   Sendmail fixture: m4, dpkg-dev (dpkg-architecture); its .debs are
#          fetched by the fixture, never installed
# It never removes a package: when postfix would replace the host's MTA
# (exim4, Sendmail...), it stops with the names of what would go. Nothing it
# installs runs as a system service (the tests start their own instances):
# a policy-rc.d keeps the maintainer scripts from starting any during the
# install (only when the host has none of its own), and every systemd unit
# of the packages it installed, dependencies included, is disabled (and
# stopped) afterwards: postfix, prometheus (a server on *:9090), man-db's
# timer, and with --bench opendkim and nsd.
# Keep one package a word in PKGS, so that lists merge easily.
set -e
PKGS="
 build-essential autoconf automake libtool pkg-config m4 dpkg-dev
 clang libclang-rt-14-dev
 libmilter-dev check miltertest libspf2-dev libopendkim-dev opendkim-tools
 zlib1g-dev libidn2-dev
 util-linux mount debootstrap
 prometheus debhelper lintian
 postfix ca-certificates
 swaks libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl
 libio-socket-inet6-perl
 libsasl2-modules libsasl2-modules-db sasl2-bin
 openssl iproute2 python3 python3-yaml valgrind
 chromium
"
for a in "$@"; do
    if [ "$a" = --bench ]; then
        PKGS="$PKGS opendkim postfix-policyd-spf-python nsd linux-perf"
    fi
done
case " $* " in *" --list "*)
    echo $PKGS | tr ' ' '\n'
    exit 0 ;;
esac
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 ||
        { echo "deps.sh: not root and no sudo: run it as root" >&2; exit 1; }
    SUDO=sudo
else
    SUDO=
fi
missing=$(for p in $PKGS; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
    grep -q 'install ok installed' || echo "$p"; done)
if [ -z "$missing" ]; then
    echo "deps.sh: all $(echo $PKGS | wc -w) packages are installed"
    exit 0
fi
echo "deps.sh: installing" $missing
# Postfix must install without configuring a system instance: the tests
# run their own private one on loopback.
echo 'postfix postfix/main_mailer_type select No configuration' | $SUDO debconf-set-selections
# Never remove anything: postfix conflicts with every other MTA (exim4,
# Sendmail, ...), and apt-get -y would remove the host's mail server.
# Asked before apt-get update (the lists there may do) and after it.
no_removal() {
    removed=$(apt-get -s install -y --no-install-recommends $missing 2>/dev/null |
        sed -n 's/^Remv \([^ ]*\) .*/\1/p' | tr '\n' ' ')
    [ -z "$removed" ] && return 0
    echo "deps.sh: refusing: installing these packages would remove $removed(postfix" >&2
    echo "deps.sh: conflicts with any other MTA). Run the tests on a machine or root without it." >&2
    exit 1
}
no_removal
$SUDO apt-get update -qq
no_removal
# No service starts while installing (invoke-rc.d and deb-systemd-invoke
# ask policy-rc.d; 101 = "not allowed"), unless the host has its own policy.
prc=/usr/sbin/policy-rc.d
if [ ! -e $prc ]; then
    printf '#!/bin/sh\n# tests/deps.sh: no service starts during its install\nexit 101\n' |
        $SUDO tee $prc >/dev/null
    $SUDO chmod 755 $prc
    trap '$SUDO rm -f $prc' EXIT
fi
installed() { dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | sed -n 's/^ii  *//p' | sort; }
before=$(mktemp)
installed >"$before"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
# The tests run their own Postfix, Prometheus, ...: no system service stays
# on, neither of the packages named here nor of those they pulled in
# (debhelper brings man-db and its daily timer).
new=$(installed | comm -13 "$before" -)
rm -f "$before"
units=$(for p in $new; do dpkg-query -L "$p" 2>/dev/null; done |
    sed -n 's#^\(/usr\)\{0,1\}/lib/systemd/system/\([^/@]*\.\(service\|socket\|timer\)\)$#\2#p' | sort -u)
off=
if command -v systemctl >/dev/null 2>&1; then
    for u in $units; do
        [ ! -d /run/systemd/system ] || $SUDO systemctl stop "$u" >/dev/null 2>&1 || true
        if [ "$(systemctl is-enabled "$u" 2>/dev/null)" = enabled ]; then
            $SUDO systemctl disable "$u" >/dev/null 2>&1 && off="$off $u"
        fi
    done
fi
[ -z "$off" ] || echo "deps.sh: disabled$off (the tests run private instances)"
echo "deps.sh: installed" $missing
