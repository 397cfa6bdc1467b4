#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/deps.sh - install every Debian package that building, the demo and
# the whole test suite need, on Debian 13 (trixie) or 12 (bookworm), and say
# which ones it installs.
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
#
# No name is tied to one release: the one package whose name carries a
# version, clang's sanitizer and libFuzzer runtime, is chosen by what is
# installed and what apt offers (clang_rt below). After apt-get update, and
# before anything is installed, every missing package is looked up in
# apt: on a release that lacks one (a future Debian, a derivative), deps.sh
# names each package it cannot find and installs nothing.
#   python3-spf ships the RFC 7208 and RFC 4408 SPF test suites
#          (/usr/share/doc/python3-spf/*-tests.yml.gz) that make check runs
#   locales, gettext, autopoint: the Japanese catalogue and the ja_JP.UTF-8
#          locale its tests run under (deps.sh generates it, every run, when
#          it is missing); fonts-ipafont-gothic: a CJK font for the browser
#          test of the Japanese HTML report, fontconfig for its fc-list
# Keep one package a word in PKGS, so that lists merge easily.
set -e

# clang_rt - the clang runtime package (ASan, UBSan, libFuzzer) that goes
# with the clang this machine has: libclang-rt-N-dev for an installed
# clang N when apt offers it, else the unversioned libclang-rt-dev, which
# follows the release's default clang, the one "clang" installs.
clang_rt() {
    v=
    if command -v clang >/dev/null 2>&1; then
        v=$(clang --version 2>/dev/null | sed -n 's/.*clang version \([0-9][0-9]*\).*/\1/p' | head -1)
    fi
    if [ -n "$v" ] && [ -n "$(candidate "libclang-rt-$v-dev")" ]; then
        echo "libclang-rt-$v-dev"
    else
        echo libclang-rt-dev
    fi
}

# candidate PKG - the version apt would install, empty when it offers none.
candidate() {
    apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '^(none)$' || true
}

PKGS="
 build-essential autoconf automake libtool pkg-config m4 dpkg-dev
 clang $(clang_rt)
 libmilter-dev check miltertest libspf2-dev libopendkim-dev opendkim-tools
 zlib1g-dev libidn2-dev
 util-linux mount debootstrap
 prometheus debhelper lintian
 postfix ca-certificates
 swaks libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl
 libio-socket-inet6-perl
 libsasl2-modules libsasl2-modules-db sasl2-bin
 openssl iproute2 python3 python3-yaml python3-spf valgrind
 chromium
 locales gettext autopoint fonts-ipafont-gothic fontconfig
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
# ja_locale - generate ja_JP.UTF-8 (the Japanese tests run under it) when
# this machine does not have it yet.
ja_locale() {
    locale -a 2>/dev/null | grep -qix 'ja_JP\.utf-\{0,1\}8' && return 0
    command -v locale-gen >/dev/null 2>&1 || return 0
    if [ -f /etc/locale.gen ] && grep -q '^# *ja_JP.UTF-8 UTF-8' /etc/locale.gen; then
        $SUDO sed -i 's/^# *\(ja_JP.UTF-8 UTF-8\)/\1/' /etc/locale.gen
    elif ! grep -qs '^ja_JP.UTF-8 UTF-8' /etc/locale.gen; then
        echo 'ja_JP.UTF-8 UTF-8' | $SUDO tee -a /etc/locale.gen >/dev/null
    fi
    $SUDO locale-gen >/dev/null && echo "deps.sh: generated the ja_JP.UTF-8 locale"
}
missing=$(for p in $PKGS; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
    grep -q 'install ok installed' || echo "$p"; done)
if [ -z "$missing" ]; then
    echo "deps.sh: all $(echo $PKGS | wc -w) packages are installed"
    ja_locale
    exit 0
fi
echo "deps.sh: missing" $missing
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
# Every name must be known to this release before anything is installed.
unknown=$(for p in $missing; do [ -n "$(candidate "$p")" ] || echo "$p"; done)
if [ -n "$unknown" ]; then
    rel=$(sed -n 's/^PRETTY_NAME=//p' /etc/os-release 2>/dev/null | tr -d '"')
    echo "deps.sh: ${rel:-this system} offers no package named:" $unknown >&2
    echo "deps.sh: nothing was installed. deps.sh knows Debian 13 (trixie) and 12 (bookworm);" >&2
    echo "deps.sh: on another release, install the equivalents of these by hand (or add them here)." >&2
    exit 1
fi
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
echo "deps.sh: installing" $missing
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
ja_locale
