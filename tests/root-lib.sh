# SPDX-License-Identifier: BSD-2-Clause
# tests/root-lib.sh - fresh Debian roots for the tests that need a new machine.
#
# SYNOPSIS
#	. tests/root-lib.sh
#	root_suite_ok SUITE		trixie or bookworm (the releases we support)
#	root_host_suite			the host's own release codename
#	root_mirror			the host's Debian mirror
#	root_unpack SUITE DIR		a fresh base root of SUITE in the empty DIR
#	root_sources SUITE DIR		SUITE's mirror, -updates and -security in DIR
#	root_inside DIR NET CMD		CMD as root in DIR (background; ROOT_PID)
#	root_run DIR NET LOG CMD	root_inside, output to LOG, wait, its status
#	root_teardown DIR [KEEP]	no process, no mount left; remove DIR
#
# DESCRIPTION
#	Shared by tests/fresh.sh (the README's commands on a new machine) and
#	tests/deb-install.sh (the Debian package on one), so that building,
#	entering and removing a root is one piece of code.
#
#	The base root of each suite is made once by debootstrap (default
#	variant) from the host's mirror and cached as a tarball,
#	$PORTROLE_FRESH_CACHE/SUITE-base.tar (default /var/cache/portrole-fresh),
#	built under an exclusive flock on $CACHE/lock-SUITE and unpacked under
#	a shared one, so that concurrent runs neither build it twice nor read a
#	half-written one.
#
#	root_inside runs CMD with bash, chrooted into DIR, in private mount and
#	PID namespaces (NET=private adds a network namespace with loopback
#	only; NET=host keeps the host's network, for apt). The root is bind-
#	mounted on itself, so that its / is a mount point as on a real
#	machine, with /proc, a read-only /sys, a minimal /dev (null, zero,
#	full, random, urandom, tty, a private devpts) and /dev/shm, all mounted
#	inside the namespace: when its first process ends the kernel kills
#	every other one and every mount goes. $ROOT_ENV (words NAME=VALUE) is
#	added to the clean environment. root_teardown then checks that no
#	mount is left under DIR before it removes it.

: "${PORTROLE_FRESH_CACHE:=/var/cache/portrole-fresh}"
ROOT_PID=

root_msg() { echo "${ROOT_TAG:-root}: $*" >&2; }

# root_suite_ok SUITE - true for a release we build roots of.
root_suite_ok() {
    case $1 in trixie|bookworm) return 0 ;; *) return 1 ;; esac
}

# root_host_suite - the codename of the release this machine runs.
root_host_suite() {
    sed -n 's/^VERSION_CODENAME=//p' /etc/os-release 2>/dev/null | head -1
}

# root_mirror - the Debian mirror the host's apt uses.
root_mirror() {
    local m
    m=${PORTROLE_FRESH_MIRROR:-}
    [ -n "$m" ] || m=$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' \
        /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
    [ -n "$m" ] || m=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\/debian\) [a-z]* .*/\2/p' \
        /etc/apt/sources.list 2>/dev/null | head -1)
    echo "${m:-http://deb.debian.org/debian}"
}

# root_base SUITE - make sure the cached base root of SUITE exists.
root_base() {
    local suite=$1 cache=$PORTROLE_FRESH_CACHE
    mkdir -p "$cache" || { root_msg "cannot create $cache"; return 1; }
    (
        flock -w 1800 9 || { root_msg "cannot lock $cache/lock-$suite"; exit 1; }
        [ -s "$cache/$suite-base.tar" ] && exit 0
        tmp=$cache/$suite.tmp
        root_msg "debootstrap $suite from $(root_mirror) (once; cached in $cache/$suite-base.tar)"
        rm -rf "$tmp"
        if ! debootstrap "$suite" "$tmp" "$(root_mirror)" >"$cache/debootstrap-$suite.log" 2>&1; then
            tail -5 "$cache/debootstrap-$suite.log" >&2; rm -rf "$tmp"
            root_msg "debootstrap $suite failed"; exit 1
        fi
        tar -C "$tmp" --numeric-owner -cf "$cache/$suite-base.tar.part" . &&
            mv "$cache/$suite-base.tar.part" "$cache/$suite-base.tar" ||
            { rm -rf "$tmp"; root_msg "cannot write $cache/$suite-base.tar"; exit 1; }
        rm -rf "$tmp"
    ) 9>"$cache/lock-$suite"
}

# root_unpack SUITE DIR - a fresh copy of SUITE's base root in DIR.
root_unpack() {
    root_suite_ok "$1" || { root_msg "unknown suite $1 (trixie or bookworm)"; return 1; }
    root_base "$1" || return 1
    mkdir -p "$2" || return 1
    [ -z "$(ls -A "$2")" ] || { root_msg "$2 is not empty"; return 1; }
    (
        flock -s -w 1800 9 || exit 1
        tar -C "$2" --numeric-owner -xpf "$PORTROLE_FRESH_CACHE/$1-base.tar"
    ) 9>"$PORTROLE_FRESH_CACHE/lock-$1"
}

# root_sources SUITE DIR - the root's apt sources: SUITE, SUITE-updates and
# SUITE-security from the host's mirrors (never the host's own suites).
root_sources() {
    local m sec
    m=$(root_mirror)
    sec=$(sed -n 's/^URIs: *\([^ ]*\/debian-security\)$/\1/p' \
        /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
    [ -n "$sec" ] || sec=${m%/debian}/debian-security
    rm -f "$2/etc/apt/sources.list"
    mkdir -p "$2/etc/apt/sources.list.d"
    cat >"$2/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $m
Suites: $1 $1-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $sec
Suites: $1-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
}

# root_inside DIR NET CMD - CMD (a bash command line) as root in DIR, in the
# background; sets ROOT_PID.
root_inside() {
    local nsopt="--mount --pid --fork --kill-child"
    [ "$2" = private ] && nsopt="$nsopt --net"
    # shellcheck disable=SC2086
    ROOT_NET=$2 ROOT_ENV=${ROOT_ENV:-} unshare $nsopt -- /bin/sh -c '
        set -e
        R=$1; shift
        [ "$ROOT_NET" != private ] || ip link set lo up
        mount --make-rprivate /
        mount --bind "$R" "$R"
        mount -t proc proc "$R/proc"
        mount -t sysfs -o ro sysfs "$R/sys"
        mount -t tmpfs -o mode=755,nosuid dev "$R/dev"
        for n in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" "urandom 1 9" "tty 5 0"; do
            d=${n%% *}; mm=${n#* }
            mknod -m 666 "$R/dev/$d" c $mm
        done
        mkdir -m 755 "$R/dev/pts"; mkdir -m 1777 "$R/dev/shm"
        mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$R/dev/pts"
        ln -s pts/ptmx "$R/dev/ptmx"; ln -s /proc/self/fd "$R/dev/fd"
        ln -s /proc/self/fd/0 "$R/dev/stdin"; ln -s /proc/self/fd/1 "$R/dev/stdout"
        ln -s /proc/self/fd/2 "$R/dev/stderr"
        mount -t tmpfs -o mode=1777 shm "$R/dev/shm"
        exec chroot "$R" /usr/bin/env -i HOME=/root USER=root LOGNAME=root \
            SHELL=/bin/bash TERM=dumb LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            $ROOT_ENV /bin/bash -c "$1"
    ' root-ns "$1" "$3" &
    ROOT_PID=$!
}

# root_run DIR NET LOG CMD - root_inside with output to LOG; CMD's status.
root_run() {
    local rc
    root_inside "$1" "$2" "$4" >"$3" 2>&1 </dev/null
    wait "$ROOT_PID"
    rc=$?
    ROOT_PID=
    return $rc
}

# root_teardown DIR [KEEP] - end the namespace left running, check that no
# mount is left under DIR, remove it (kept, and said, when KEEP is set).
root_teardown() {
    [ -n "${ROOT_PID:-}" ] && kill -TERM "$ROOT_PID" 2>/dev/null && wait "$ROOT_PID" 2>/dev/null
    ROOT_PID=
    [ -n "$1" ] && [ -d "$1" ] || return 0
    if findmnt -rn -o TARGET | grep -q "^$1/"; then
        root_msg "mounts left under $1 (not removed):"; findmnt -rn -o TARGET | grep "^$1/" >&2
        return 1
    fi
    if [ -n "${2:-}" ]; then
        root_msg "kept $1"
    else
        rm -rf --one-file-system "$1"
    fi
}
