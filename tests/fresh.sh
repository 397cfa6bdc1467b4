#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# tests/fresh.sh - the README's quick start on a freshly built Debian 13 or 12.
#
# SYNOPSIS
#	tests/fresh.sh [--suite trixie|bookworm] [SCENARIO...]	(default: default)
#	tests/fresh.sh [--suite SUITE] --root DIR	unpack a fresh base root into DIR, exit
#	tests/fresh.sh --list		the scenarios
#
# DESCRIPTION
#	Builds a root of the suite (default trixie, Debian 13, the current
#	stable; bookworm is Debian 12) with debootstrap (default variant)
#	from the host's configured Debian mirror, caches it as a tarball per
#	suite in $PORTROLE_FRESH_CACHE (default /var/cache/portrole-fresh),
#	and for each scenario unpacks a new copy, gives it the suite's own apt
#	sources (SUITE, SUITE-updates, SUITE-security on the host's mirrors),
#	copies this work tree in (the files git tracks plus untracked ones not
#	ignored: no build products), and runs the two commands of the README's
#	"Quick start" block, read from README.md at run time so that they are
#	exactly what the README says, as root (a fresh root has no sudo), then
#	tears everything down. Roots, namespaces and teardown are
#	tests/root-lib.sh's, shared with tests/deb-install.sh.
#
#	Why there are two phases: the README's commands install packages
#	from the mirror (tests/deps.sh), and a loopback-only network namespace
#	cannot reach it. So:
#	  phase 1, private mount and PID namespaces, the host's network:
#	    tests/deps.sh and tests/integration/sendmail-fixture.sh fetch,
#	    the two steps of the commands that download;
#	  phase 2, private mount, PID and network namespaces (loopback only),
#	    the root's resolv.conf emptied: the README's two commands, whose
#	    tests/deps.sh is then a no-op ("all N packages are installed").
#
#	Every scenario checks after phase 1 that tests/deps.sh left no
#	system service enabled (no new link under /etc/systemd/system).
#	The RFC 7208 and RFC 4408 SPF suites come from the root's own
#	python3-spf (tests/deps.sh installs it), so no suite skips for want of
#	../shared beside the tree.
#
#	Scenarios:
#	  default  checkout in /srv/portrole; the README's commands in full
#	  root     checkout in /root/portrole (a 0700 home directory)
#	  build    the README's package line (apt-get install ...) in phase 1,
#	           its build line in the tree, then the quick start
#	  exim     exim4-daemon-light installed first; both commands must
#	           stop at tests/deps.sh's refusal (installing postfix would
#	           remove exim4), and afterwards exim4-daemon-light must still
#	           be installed, with /etc/exim4 unchanged and no postfix
#	  deb      the README's package lines in the root (tests/deps.sh, the
#	           build, "make deb": the .deb of that release), then
#	           tests/deb-install.sh --suite SUITE installs it in a second
#	           fresh root of the same suite with its stock Postfix (what
#	           "make check-deb" does on a machine of that release)
#	"default" runs the test command in full. root, build and exim set
#	FUZZ_SECONDS=5 and PORTROLE_SKIP_FAULTS=1 (both documented knobs of
#	tests/run-all.sh): what they check is the location, the order and the
#	host, not the load.
#
#	--root DIR is for other tests that need a fresh root: it unpacks the
#	cached base root of the suite (building it first if needed) into the
#	empty or missing DIR and exits 0. The caller mounts, chroots and
#	removes it.
#
#	Logs go to $PORTROLE_FRESH_LOGS (default _build/fresh/SUITE/ in this
#	tree), one directory per scenario: phase1.log, demo.log, test.log. The
#	script prints the demo's table and the test command's last lines, and
#	ends with "fresh: N of M scenarios passed (SUITE)". On this machine a
#	base root takes ~5 minutes once, a scenario's phase 1 ~5 minutes, the
#	default scenario's commands 25-40 minutes.
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
#	0 every scenario passed, 1 one failed, 2 usage, 77 not root or no
#	debootstrap.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${PORTROLE_FRESH_CACHE:-/var/cache/portrole-fresh}
WORKBASE=${PORTROLE_FRESH_WORK:-/var/tmp}
SUITE=trixie
SCENARIOS="default root build exim deb"

fr_msg() { echo "fresh: $*" >&2; }
fr_die() { fr_msg "$*"; exit 1; }
ROOT_TAG=fresh
. "$top/tests/root-lib.sh"

# fr_readme_block HEADING [N] - the command lines of the Nth (default 1st)
# indented code block of the README section HEADING (## or ###, up to the
# next heading), continuation lines (ending in a backslash) joined.
fr_readme_block() {
    awk -v h="$1" -v want="${2:-1}" '
        /^##+ / { t = $0; sub(/^#+ /, "", t); if (on) exit; if (t == h) { on = 1; next } }
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

# fr_scenario NAME - one scenario; 0 when it passed.
fr_scenario() {
    local name=$1 dest=/srv/portrole log=$LOGS/$1 root pre="" post="" quick=""
    local t0 rc=0 cmds c i=0 pkgline=""
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
        esac
        # ... and its package line first, as a user types it (apt-get
        # asks; the root answers yes through an apt.conf snippet).
        pkgline=$(fr_readme_block "Build and install" 1 | sed 's/^sudo //')
        case $pkgline in "apt-get install "*) ;;
        *) fr_msg "build: the README's package line is not an apt-get install: $pkgline"; return 1 ;;
        esac ;;
    exim) quick=1 ;;
    deb) ;;
    *) fr_msg "unknown scenario $name (see --list)"; return 1 ;;
    esac
    rm -rf "$log" && mkdir -p "$log" || return 1
    root=$(mktemp -d "$WORKBASE/portrole-fresh-$name.XXXXXX") || return 1
    FR_ROOT=$root
    fr_msg "$name: root $root, tree in $dest"
    root_unpack "$SUITE" "$root" || { root_teardown "$root"; return 1; }
    # The root gets its own suite's sources on the host's mirrors.
    root_sources "$SUITE" "$root"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    fr_copy_tree "$root" "$dest" || { fr_msg "$name: cannot copy the tree"; root_teardown "$root"; return 1; }

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
    if [ -n "$pkgline" ]; then
        local yes=/etc/apt/apt.conf.d/90portrole-fresh
        p1="$units && echo 'APT::Get::Assume-Yes \"true\";' >$yes && apt-get update -qq &&
            $pkgline && rm -f $yes && cd $dest && tests/deps.sh && tests/integration/sendmail-fixture.sh fetch"
    fi
    if [ "$name" = deb ]; then
        # The README's package lines, then the package in a second root.
        p1="$units && cd $dest && $(fr_readme_block "Debian package" | paste -sd'&' | sed 's/&/ \&\& /g')"
        case $p1 in *"make deb"*) ;;
        *) fr_msg "deb: the README's \"Debian package\" block has no make deb: $p1"; root_teardown "$root"; return 1 ;;
        esac
    fi
    fr_msg "$name: phase 1 (network): ${p1##*&& }"
    if ! ROOT_ENV="" root_run "$root" host "$log/phase1.log" "$p1"; then
        tail -n 20 "$log/phase1.log" | sed 's/^/  | /' >&2
        fr_msg "$name: phase 1 failed (log: $log/phase1.log)"; root_teardown "$root"; return 1
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
    if [ "$name" = deb ]; then
        local deb
        deb=$(ls "$root$dest"/portrole_*.deb 2>/dev/null | head -1)
        tail -n 3 "$log/phase1.log"
        [ -z "$deb" ] || { cp "$deb" "$log/" && deb=$log/${deb##*/}; }
        # The build root goes before the install root is made (disk).
        root_teardown "$root" || rc=1
        FR_ROOT=
        if [ -z "$deb" ]; then
            fr_msg "deb: make deb made no .deb (log: $log/phase1.log)"; rc=1
        else
            fr_msg "deb: $(basename "$deb") built in the $SUITE root; Depends: $(dpkg-deb -f "$deb" Depends)"
            "$top/tests/deb-install.sh" --suite "$SUITE" "$deb" >"$log/deb-install.log" 2>&1 || rc=1
            grep -E '^(not )?ok |^deb-install: (PASS|FAIL)' "$log/deb-install.log" | tail -n 40
        fi
        fr_msg "$name: $([ $rc = 0 ] && echo passed || echo FAILED) in $(( ($(date +%s) - t0) / 60 )) min"
        return $rc
    fi

    # Phase 2: the README's commands, loopback only.
    local env=""
    [ -n "$quick" ] && env="FUZZ_SECONDS=5 PORTROLE_SKIP_FAULTS=1"
    mapfile -t cmds < <(fr_readme_block "Quick start")
    [ ${#cmds[@]} -eq 2 ] || { fr_msg "the README's quick start has ${#cmds[@]} commands, not 2"; root_teardown "$root"; return 1; }
    if [ -n "$pre" ]; then
        fr_msg "$name: the build section's line: $pre"
        ROOT_ENV=$env root_run "$root" private "$log/build.log" "cd $dest && $pre" ||
            { tail -n 20 "$log/build.log" | sed 's/^/  | /' >&2; fr_msg "$name: the build line failed"; rc=1; }
    fi
    for c in "${cmds[@]}"; do
        i=$((i + 1))
        local out=$log/test.log
        [ $i = 1 ] && out=$log/demo.log
        fr_msg "$name: phase 2 (loopback only): $c${env:+ (with $env)}"
        ROOT_ENV=$env root_run "$root" private "$out" "cd $dest && $c"
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
    root_teardown "$root" || rc=1
    FR_ROOT=
    fr_msg "$name: $([ $rc = 0 ] && echo passed || echo FAILED) in $(( ($(date +%s) - t0) / 60 )) min"
    return $rc
}

usage() { echo "usage: tests/fresh.sh [--suite trixie|bookworm] [--root DIR | SCENARIO...]" >&2; exit 2; }
ROOTDIR=
args=()
while [ $# -gt 0 ]; do
    case $1 in
    --list) echo "$SCENARIOS"; exit 0 ;;
    -h|--help) sed -n '2,85p' "$0"; exit 0 ;;
    --suite) [ $# -ge 2 ] || usage; SUITE=$2; shift 2 ;;
    --suite=*) SUITE=${1#--suite=}; shift ;;
    --root) [ $# -ge 2 ] || usage; ROOTDIR=$2; shift 2 ;;
    -*) usage ;;
    *) args+=("$1"); shift ;;
    esac
done
root_suite_ok "$SUITE" || { fr_msg "unknown suite $SUITE: trixie (Debian 13) or bookworm (Debian 12)"; exit 2; }
LOGS=${PORTROLE_FRESH_LOGS:-$top/_build/fresh/$SUITE}
[ "$(id -u)" = 0 ] || { echo "fresh: SKIP: needs root (debootstrap, namespaces, chroot)"; exit 77; }
command -v debootstrap >/dev/null || { echo "fresh: SKIP: debootstrap not installed"; exit 77; }
if [ -n "$ROOTDIR" ]; then
    root_unpack "$SUITE" "$ROOTDIR"
    exit $?
fi

FR_ROOT= ROOT_PID=
trap 'root_teardown "$FR_ROOT"' EXIT
trap 'exit 1' INT TERM HUP
passed=0 total=0
for s in "${args[@]:-default}"; do
    total=$((total + 1))
    fr_msg "suite $SUITE, scenario $s"
    fr_scenario "$s" && passed=$((passed + 1))
done
echo "fresh: $passed of $total scenarios passed ($SUITE)"
[ $passed = $total ]
