#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/doctor/debian-stock.sh - the files Debian's postfix package installs
# for its stock configuration, for the running release or another one.
#
# SYNOPSIS
#	debian-stock.sh fetch [SUITE]
#	debian-stock.sh share SUITE
#
# DESCRIPTION
#	doctor.test builds Debian's stock configuration the way the postfix
#	package's postinst does for "Internet Site": main.cf.debian, then
#	main.cf.tls, master.cf.dist, from /usr/share/postfix. To check the
#	doctor on another release's stock files than the host's, "fetch"
#	downloads that release's postfix package (default SUITE: trixie)
#	with apt-get download, through a private sources list and private
#	lists under the cache (the host's apt configuration is not touched),
#	and unpacks it with dpkg-deb into $DOCTOR_CACHE/SUITE/root. On a host
#	that runs SUITE itself there is nothing to fetch.
#
#	"share SUITE" prints the directory holding that release's
#	main.cf.debian, main.cf.tls and master.cf.dist: the host's own
#	/usr/share/postfix when the host runs SUITE (so a Debian 13 host
#	tests its own postfix), else the fetched copy. Only data files are
#	taken from the package; postconf is always the host's.
#
#	The tests run offline: only "fetch" uses the network (Debian's
#	mirror), run it before the tests (tests/run-all.sh does).
#
# DIAGNOSTICS
#	Exit 77 when the files are not there ("share") or cannot be fetched
#	("fetch"), with the reason; 2 for a usage error.
#
# ENVIRONMENT
#	DOCTOR_CACHE	where fetched packages live
#			(default ${XDG_CACHE_HOME:-$HOME/.cache}/portrole/postfix-stock)
#	DEBIAN_MIRROR	default http://deb.debian.org/debian

set -u
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
: "${DOCTOR_CACHE:=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/portrole/postfix-stock}"
: "${DEBIAN_MIRROR:=http://deb.debian.org/debian}"

skip() { echo "debian-stock: SKIP: $*" >&2; exit 77; }

# host_suite - the running release's code name, "" when not Debian
host_suite() {
	[ -r /etc/os-release ] || return 0
	sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"'
}

# have DIR: DIR holds the three stock files
have() {
	[ -r "$1/main.cf.debian" ] && [ -r "$1/main.cf.tls" ] && [ -r "$1/master.cf.dist" ]
}

cmd_share() {
	[ -n "${1:-}" ] || { echo "usage: $0 share SUITE" >&2; exit 2; }
	if [ "$(host_suite)" = "$1" ]; then
		have /usr/share/postfix || skip "this $1 host has no postfix package installed"
		echo /usr/share/postfix
		return 0
	fi
	have "$DOCTOR_CACHE/$1/root/usr/share/postfix" ||
		skip "no $1 postfix files in $DOCTOR_CACHE/$1 (run: tests/doctor/debian-stock.sh fetch $1)"
	echo "$DOCTOR_CACHE/$1/root/usr/share/postfix"
}

cmd_fetch() {
	_s=${1:-trixie}
	_c=$DOCTOR_CACHE/$_s
	[ "$(host_suite)" = "$_s" ] && return 0
	have "$_c/root/usr/share/postfix" && return 0
	command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
		skip "apt-get and dpkg-deb are needed to fetch $_s's postfix"
	mkdir -p "$_c/lists/partial" "$_c/cache/archives/partial" "$_c/deb" ||
		skip "cannot create $_c"
	_key=/usr/share/keyrings/debian-archive-keyring.gpg
	echo "deb [signed-by=$_key] $DEBIAN_MIRROR $_s main" >"$_c/sources.list"
	set -- -o "Dir::Etc::sourcelist=$_c/sources.list" -o Dir::Etc::sourceparts=- \
	    -o "Dir::State::Lists=$_c/lists" -o "Dir::Cache=$_c/cache" \
	    -o Debug::NoLocking=1 -o APT::Sandbox::User=root
	if ! { timeout 300 apt-get -q "$@" update &&
	    (cd "$_c/deb" && timeout 300 apt-get -q "$@" download "postfix/$_s"); } \
	    >"$_c/fetch.log" 2>&1; then
		grep '^[EW]:' "$_c/fetch.log" | head -n 4 | sed 's/^/  /' >&2
		skip "cannot fetch postfix/$_s with apt-get download (no route to $DEBIAN_MIRROR?)"
	fi
	rm -rf "$_c/root"
	for _deb in "$_c"/deb/postfix_*.deb; do
		dpkg-deb -x "$_deb" "$_c/root" && dpkg-deb -e "$_deb" "$_c/root/DEBIAN" ||
			skip "cannot unpack $_deb"
	done
	have "$_c/root/usr/share/postfix" || skip "the $_s package has no stock files"
	echo "debian-stock: $(basename "$_c"/deb/postfix_*.deb) unpacked in $_c/root"
}

case ${1:-} in
fetch)	shift; cmd_fetch "$@" ;;
share)	shift; cmd_share "$@" ;;
*)	echo "usage: $0 fetch [SUITE] | share SUITE" >&2; exit 2 ;;
esac
