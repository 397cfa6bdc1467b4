#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# tests/fresh.sh - the README's quick start on a freshly built Debian 12.
#
# SYNOPSIS
#	tests/fresh.sh [SCENARIO...]	(default: default)
#	tests/fresh.sh --root DIR	unpack a fresh base root into DIR, exit
#	tests/fresh.sh --list		the scenarios
#
# DESCRIPTION
#	Builds a Debian 12 (bookworm) root with debootstrap (default variant)
#	from the host's configured Debian mirror, caches it as a tarball in
#	$PORTROLE_FRESH_CACHE (default /var/cache/portrole-fresh), and for each
#	scenario unpacks a new copy, copies this work tree in (the files git
#	tracks plus untracked ones not ignored: no build products), and runs
#	the two commands of the README's "Quick start" block, read from
#	README.md at run time so that they are exactly what the README says,
#	as root (a fresh root has no sudo), then tears everything down.
#
#	Namespaces, and why there are two phases: the README's commands
#	install packages from the mirror (tests/deps.sh), and a loopback-only
#	network namespace cannot reach it. So:
#	  phase 1, private mount and PID namespaces, the host's network:
#	    tests/deps.sh and tests/integration/sendmail-fixture.sh fetch,
#	    the two steps of the commands that download;
#	  phase 2, private mount, PID and network namespaces (loopback only),
#	    the root's resolv.conf emptied: the README's two commands, whose
#	    tests/deps.sh is then a no-op ("all N packages are installed").
#	Both phases chroot into the root (bind-mounted on itself, so that its
#	/ is a mount point as on a real machine) with /proc, /sys, a minimal /dev
#	(tmpfs with null, zero, full, random, urandom, tty, a private devpts)
#	and /dev/shm mounted inside the namespace; when its first process
#	ends every other one is killed by the kernel and every mount goes.
#	The root is then removed (after checking no mount is left under it).
#
#	Every scenario checks after phase 1 that tests/deps.sh left no
#	system service enabled (no new link under /etc/systemd/system).
#
#	Scenarios:
#	  default  checkout in /srv/portrole; the README's commands in full
#	  root     checkout in /root/portrole (a 0700 home directory)
#	  build    the README's build line in the tree first, then the quick
#	           start
#	  exim     exim4-daemon-light installed first; both commands must
#	           stop at tests/deps.sh's refusal (installing postfix would
#	           remove exim4), and afterwards exim4-daemon-light must still
#	           be installed, with /etc/exim4 unchanged and no postfix
#	Only "default" runs the test command in full. The others set
#	FUZZ_SECONDS=5 and PORTROLE_SKIP_FAULTS=1 (both documented knobs of
#	tests/run-all.sh) so that four scenarios fit in well under an hour: what
#	they check is the location, the order and the host, not the load.
#
#	--root DIR is for other tests that need a fresh Debian 12 (the Debian
#	package test): it unpacks the cached base root (building it first if
#	needed) into the empty or missing DIR and exits 0. The caller mounts,
#	chroots and removes it.
#
#	Logs go to $PORTROLE_FRESH_LOGS (default _build/fresh/ in this tree),
#	one directory per scenario: phase1.log, demo.log, test.log. The script
#	prints the demo's table and the test command's last lines, and ends
#	with "fresh: N of M scenarios passed". On this machine the base root
#	takes ~5 minutes once, a scenario's phase 1 ~5 minutes, the default
#	scenario's commands 20-30 minutes.
#
# ENVIRONMENT
#	PORTROLE_FRESH_CACHE  the cache directory (flock'ed while used)
#	PORTROLE_FRESH_WORK   where roots are unpacked (default /var/tmp)
#	PORTROLE_FRESH_LOGS   the log directory
#	PORTROLE_FRESH_MIRROR the mirror (default: the host's first Debian URI)
#	PORTROLE_FRESH_QUICK  1: the default scenario too runs with the knobs
#			      of the others (FUZZ_SECONDS=5 PORTROLE_SKIP_FAULTS=1)
#
# EXIT STATUS
#	0 every scenario passed, 1 one failed, 77 not root or no debootstrap.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${PORTROLE_FRESH_CACHE:-/var/cache/portrole-fresh}
WORKBASE=${PORTROLE_FRESH_WORK:-/var/tmp}
LOGS=${PORTROLE_FRESH_LOGS:-$top/_build/fresh}
BASE=$CACHE/bookworm-base.tar
SCENARIOS="default root build exim"

fr_msg() { echo "fresh: $*" >&2; }
fr_die() { fr_msg "$*"; exit 1; }

# fr_mirror - the Debian mirror the host's apt uses.
fr_mirror() {
    local m
    m=${PORTROLE_FRESH_MIRROR:-}
    [ -n "$m" ] || m=$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' \
        /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
    [ -n "$m" ] || m=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\/debian\) bookworm .*/\2/p' \
        /etc/apt/sources.list 2>/dev/null | head -1)
    echo "${m:-http://deb.debian.org/debian}"
}

# fr_base - make sure the cached base root exists (exclusive lock).
fr_base() {
    mkdir -p "$CACHE" || fr_die "cannot create $CACHE"
    (
        flock -w 1800 9 || fr_die "cannot lock $CACHE/lock"
        [ -s "$BASE" ] && exit 0
        local tmp=$CACHE/bookworm.tmp mirror
        mirror=$(fr_mirror)
        fr_msg "debootstrap bookworm from $mirror (once; cached in $BASE)"
        rm -rf "$tmp"
        debootstrap bookworm "$tmp" "$mirror" >"$CACHE/debootstrap.log" 2>&1 ||
            { tail -5 "$CACHE/debootstrap.log" >&2; rm -rf "$tmp"; fr_die "debootstrap failed"; }
        tar -C "$tmp" --numeric-owner -cf "$BASE.part" . && mv "$BASE.part" "$BASE" ||
            fr_die "cannot write $BASE"
        rm -rf "$tmp"
    ) 9>"$CACHE/lock"
}

# fr_unpack DIR - a fresh copy of the base root in DIR (shared lock).
fr_unpack() {
    fr_base || return 1
    mkdir -p "$1" || return 1
    [ -z "$(ls -A "$1")" ] || { fr_msg "$1 is not empty"; return 1; }
    (
        flock -s -w 1800 9 || fr_die "cannot lock $CACHE/lock"
        tar -C "$1" --numeric-owner -xpf "$BASE"
    ) 9>"$CACHE/lock"
}

# fr_readme_block HEADING [N] - the command lines of the Nth (default 1st)
# indented code block of the README section HEADING, continuation lines
# (ending in a backslash) joined.
fr_readme_block() {
    awk -v h="## $1" -v want="${2:-1}" '
        $0 == h { on = 1; next }
        on && /^## / { exit }
        on && /^    [^ ]/ { if (!inblk) { blk++; inblk = 1 } }
        on && /^[^ ]/ { inblk = 0 }
        on && inblk && blk == want && /^    / {
            sub(/^    /, ""); sub(/^ +/, " ")
            if (sub(/\\$/, "")) { cont = cont $0; next }
            print cont $0; cont = ""
        }
    ' "$top/README.md"
}

# fr_copy_tree ROOT DEST - this tree's source files into ROOT/DEST.
fr_copy_tree() {
    mkdir -p "$1$2" || return 1
    if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
        (cd "$top" && git ls-files -z --cached --others --exclude-standard |
            tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -C "$1$2" -xf -
    else
        tar -C "$top" --exclude='./_build*' -cf - . | tar -C "$1$2" -xf -
    fi
}

# fr_inside ROOT NET CMD - run the shell command CMD as root in ROOT, in
# private mount and PID namespaces (and network, NET=private), in the
# background; sets FR_PID. Mounts are made inside the namespaces only.
fr_inside() {
    local root=$1 net=$2 cmd=$3 nsopt="--mount --pid --fork --kill-child"
    [ "$net" = private ] && nsopt="$nsopt --net"
    # shellcheck disable=SC2086
    FR_NET=$net FR_ENV=${FR_ENV:-} unshare $nsopt -- /bin/sh -c '
        set -e
        R=$1; shift
        [ "$FR_NET" != private ] || ip link set lo up
        mount --make-rprivate /
        # The root a mount point of its own, as / is on a real machine:
        # "unshare -m --propagation private" (the Sendmail fixture) needs it.
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
            SHELL=/bin/bash TERM=dumb LANG=C.UTF-8 \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            $FR_ENV /bin/bash -c "$1"
    ' fresh-ns "$root" "$cmd" &
    FR_PID=$!
}

# fr_run ROOT NET LOG CMD - fr_inside, output to LOG, wait; its exit status.
fr_run() {
    fr_inside "$1" "$2" "$4" >"$3" 2>&1 </dev/null
    wait "$FR_PID"
    local rc=$?
    FR_PID=
    return $rc
}

# fr_teardown ROOT - no process, no mount left; remove ROOT.
fr_teardown() {
    [ -n "${FR_PID:-}" ] && kill -TERM "$FR_PID" 2>/dev/null && wait "$FR_PID" 2>/dev/null
    FR_PID=
    [ -n "$1" ] && [ -d "$1" ] || return 0
    if findmnt -rn -o TARGET | grep -q "^$1/"; then
        fr_msg "mounts left under $1 (not removed):"; findmnt -rn -o TARGET | grep "^$1/" >&2
        return 1
    fi
    rm -rf --one-file-system "$1"
}

# fr_scenario NAME - one scenario; 0 when it passed.
fr_scenario() {
    local name=$1 dest=/srv/portrole log=$LOGS/$1 root pre="" post="" quick=""
    local t0 rc=0 cmds c i=0
    t0=$(date +%s)
    case $name in
    default) quick=${PORTROLE_FRESH_QUICK:-} ;;
    root) dest=/root/portrole; quick=1 ;;
    build) quick=1
        # The build section's commands, as root: "sudo X" runs X (a fresh
        # root has no sudo); its in-tree "make check" is left out (the
        # test command runs every test right after).
        pre=$(fr_readme_block "Build and install" 2 | grep -vx 'make check' |
            sed 's/^sudo //' | paste -sd'&' | sed 's/&/ \&\& /g')
        case $pre in autoreconf*configure*make*) ;;
        *) fr_msg "build: the README's build commands are not autoreconf, configure, make: $pre"; return 1 ;;
        esac ;;
    exim) quick=1 ;;
    *) fr_msg "unknown scenario $name (see --list)"; return 1 ;;
    esac
    rm -rf "$log" && mkdir -p "$log" || return 1
    root=$(mktemp -d "$WORKBASE/portrole-fresh-$name.XXXXXX") || return 1
    FR_ROOT=$root
    fr_msg "$name: root $root, tree in $dest"
    fr_unpack "$root" || { fr_teardown "$root"; return 1; }
    # The root gets the host's Debian sources (mirror, updates, security).
    if [ -s /etc/apt/sources.list.d/debian.sources ]; then
        cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/" &&
            rm -f "$root/etc/apt/sources.list"
    fi
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    fr_copy_tree "$root" "$dest" || { fr_msg "$name: cannot copy the tree"; fr_teardown "$root"; return 1; }

    # Phase 1: downloads, with the host's network.
    local units="find /etc/systemd/system -type l | sort >/root/units.before"
    local p1="$units && cd $dest && tests/deps.sh && tests/integration/sendmail-fixture.sh fetch"
    if [ "$name" = exim ]; then
        # deps.sh must refuse here (postfix would replace exim4): phase 1
        # records that and goes on.
        p1="apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq exim4-daemon-light &&
            find /etc/exim4 -type f -exec md5sum {} + | sort >/root/exim4.before && $units &&
            cd $dest && { tests/deps.sh; echo deps.sh exited \$?; }"
    fi
    fr_msg "$name: phase 1 (network): tests/deps.sh, Sendmail packages"
    if ! FR_ENV="" fr_run "$root" host "$log/phase1.log" "$p1"; then
        tail -n 20 "$log/phase1.log" | sed 's/^/  | /' >&2
        fr_msg "$name: phase 1 failed (log: $log/phase1.log)"; fr_teardown "$root"; return 1
    fi
    : >"$root/etc/resolv.conf"
    # Nothing deps.sh installed may be enabled as a system service.
    local enabled
    enabled=$(chroot "$root" sh -c 'find /etc/systemd/system -type l | sort | comm -13 /root/units.before -')
    if [ -n "$enabled" ]; then
        fr_msg "$name: tests/deps.sh left services enabled:" $enabled; rc=1
    else
        fr_msg "$name: no service enabled by tests/deps.sh ($(grep -m1 '^deps.sh: disabled' "$log/phase1.log" || echo 'none to disable'))"
    fi

    # Phase 2: the README's commands, loopback only.
    local env=""
    [ -n "$quick" ] && env="FUZZ_SECONDS=5 PORTROLE_SKIP_FAULTS=1"
    mapfile -t cmds < <(fr_readme_block "Quick start")
    [ ${#cmds[@]} -eq 2 ] || { fr_msg "the README's quick start has ${#cmds[@]} commands, not 2"; fr_teardown "$root"; return 1; }
    if [ -n "$pre" ]; then
        fr_msg "$name: the build section's line: $pre"
        FR_ENV=$env fr_run "$root" private "$log/build.log" "cd $dest && $pre" ||
            { tail -n 20 "$log/build.log" | sed 's/^/  | /' >&2; fr_msg "$name: the build line failed"; rc=1; }
    fi
    for c in "${cmds[@]}"; do
        i=$((i + 1))
        local out=$log/test.log
        [ $i = 1 ] && out=$log/demo.log
        fr_msg "$name: phase 2 (loopback only): $c${env:+ (with $env)}"
        FR_ENV=$env fr_run "$root" private "$out" "cd $dest && $c"
        local crc=$?
        if [ $i = 1 ]; then
            sed -n '/^SCENARIO /,/^(25\* = /p' "$out"
            grep '^demo:' "$out"
        else
            tail -n 8 "$out"
        fi
        if [ "$name" = exim ]; then
            # With exim4 installed the commands stop at deps.sh's refusal.
            if [ $crc != 0 ] && grep -q '^deps.sh: refusing: .*would remove .*exim4-daemon-light' "$out"; then
                fr_msg "$name: \"$c\" refused as it must: $(grep -m1 '^deps.sh: refusing' "$out")"
            else
                fr_msg "$name: \"$c\" exited $crc without deps.sh's refusal (log: $out)"; rc=1
            fi
            continue
        fi
        [ $crc = 0 ] || { fr_msg "$name: \"$c\" exited $crc (log: $out)"; rc=1; }
    done
    if [ "$name" = exim ]; then
        if ! chroot "$root" dpkg-query -W -f='${Status}\n' exim4-daemon-light 2>/dev/null |
            grep -q 'install ok installed'; then
            fr_msg "exim: exim4-daemon-light is no longer installed"; rc=1
        elif ! chroot "$root" sh -c 'find /etc/exim4 -type f -exec md5sum {} + | sort | cmp -s - /root/exim4.before'; then
            fr_msg "exim: /etc/exim4 changed"; rc=1
        elif chroot "$root" dpkg-query -W -f='${Status}\n' postfix 2>/dev/null | grep -q 'install ok installed'; then
            fr_msg "exim: postfix got installed"; rc=1
        else
            fr_msg "exim: exim4-daemon-light still installed, /etc/exim4 unchanged, no postfix"
        fi
    fi
    fr_teardown "$root" || rc=1
    FR_ROOT=
    fr_msg "$name: $([ $rc = 0 ] && echo passed || echo FAILED) in $(( ($(date +%s) - t0) / 60 )) min"
    return $rc
}

case ${1:-} in
--list) echo "$SCENARIOS"; exit 0 ;;
-h|--help) sed -n '2,70p' "$0"; exit 0 ;;
esac
[ "$(id -u)" = 0 ] || { echo "fresh: SKIP: needs root (debootstrap, namespaces, chroot)"; exit 77; }
command -v debootstrap >/dev/null || { echo "fresh: SKIP: debootstrap not installed"; exit 77; }
if [ "${1:-}" = --root ]; then
    [ -n "${2:-}" ] || fr_die "--root needs a directory"
    fr_unpack "$2"
    exit $?
fi

FR_ROOT= FR_PID=
trap 'fr_teardown "$FR_ROOT"' EXIT
trap 'exit 1' INT TERM HUP
passed=0 total=0
for s in "${@:-default}"; do
    total=$((total + 1))
    fr_scenario "$s" && passed=$((passed + 1))
done
echo "fresh: $passed of $total scenarios passed"
[ $passed = $total ]
