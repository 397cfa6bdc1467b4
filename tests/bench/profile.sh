#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# tests/bench/profile.sh - what portrole does per message that the floor
# milter does not: negotiation, round trips, syscalls, where the CPU goes.
#
# SYNOPSIS
#	bash tests/bench/profile.sh [BUILDDIR]          ("make bench-profile")
#
# DESCRIPTION
#	Starts floor-milter, the RCPT-only floor (floor-milter -r: what
#	portrole is compared with since DelayReject) and portrole-milter
#	(SPF off, DKIM off, DelayReject yes, the defaults) on unix
#	sockets under a fresh /tmp directory and drives BENCH_PROFILE_MESSAGES
#	messages (mx25 scenario: port 25, 1 recipient, 2 KB, 16 connections)
#	through each with pr-load, the MTA's side of the protocol. For each
#	milter it prints:
#	  - what was negotiated: stages off, stages without a reply, macros
#	    requested (pr-load's report), and every reply by kind, so the
#	    round trips per message can be read off;
#	  - perf stat of the milter process: task clock, context switches,
#	    migrations, page faults, system calls;
#	  - perf record -g of the milter process, reported by shared object
#	    and by symbol (the top BENCH_PROFILE_TOP lines).
#	The perf data stays in BENCH_PROFILE_KEEP (when set) for perf report.
#	On a loaded machine the timing means little, but what is called, and
#	how often, still shows; the figures are marked LOADED as elsewhere
#	(bench-lib.sh), and the profile is printed anyway.
#
#	Needs perf (linux-perf; "tests/deps.sh --bench"); exits 77 without.
#	Environment: BENCH_PROFILE_MESSAGES (20000), BENCH_PROFILE_TOP (25),
#	BENCH_PROFILE_KEEP (directory).
#
# DIAGNOSTICS
#	Exit 1 when a milter does not start or pr-load reports an error.
#	Every process started here is stopped by PID, also on failure.

B=${1:-.}
B=$(cd "$B" && pwd) || exit 1
HERE=$(cd "$(dirname "$0")" && pwd)
MSGS=${BENCH_PROFILE_MESSAGES:-20000}
TOP=${BENCH_PROFILE_TOP:-25}
PRLOAD=$B/tests/bench/pr-load
FLOOR=$B/tests/bench/floor-milter
PORTROLE=${PORTROLE_MILTER:-$B/portrole-milter}

command -v perf >/dev/null || { echo "profile: no perf (tests/deps.sh --bench installs linux-perf)"; exit 77; }
for f in "$PRLOAD" "$FLOOR" "$PORTROLE"; do
    [ -x "$f" ] || { echo "profile: $f missing: build first (make)"; exit 1; }
done

# shellcheck source=bench-lib.sh
. "$HERE/bench-lib.sh"
BENCH_ALLOW_LOADED=1     # a profile is still worth reading on a busy machine
bench_header "profile: floor-milter, floor-milter -r and portrole-milter, $MSGS messages each (mx25)"

T=$(mktemp -d /tmp/portrole-profile.XXXXXX) || exit 1
PIDS=
cleanup() {
    local p
    trap - EXIT INT TERM
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    if [ -n "${BENCH_PROFILE_KEEP:-}" ]; then
        mkdir -p "$BENCH_PROFILE_KEEP" && cp "$T"/perf.*.data "$BENCH_PROFILE_KEEP"/ 2>/dev/null
    fi
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "profile: FAIL: $*" >&2; exit 1; }

cat >"$T/portrole.conf" <<EOF
LocalDomains example.test
SPF off
DKIM off
EOF

# start NAME CMD... - start a milter on unix:$T/NAME.sock, wait for it.
start() {
    local name=$1 i=0
    shift
    "$@" >"$T/$name.log" 2>&1 &
    PIDS="$PIDS $!"
    eval "PID_$name=$!"
    while [ ! -S "$T/$name.sock" ]; do
        [ $i -ge 150 ] && fail "$name did not start: $(tail -3 "$T/$name.log")"
        sleep 0.1; i=$((i + 1))
    done
}
start floor "$FLOOR" -p "unix:$T/floor.sock"
start rcpt "$FLOOR" -r -p "unix:$T/rcpt.sock"
start portrole "$PORTROLE" -c "$T/portrole.conf" -f -p "unix:$T/portrole.sock"

LOAD=(-c 16 --port 25 --from sender@example.net --rcpt-domain example.test --client-addr 192.0.2.10)

# profile NAME - pr-load against NAME under perf stat and perf record.
profile() {
    local pid
    eval "pid=\$PID_$1"
    echo "== $1"
    # A warm-up, so that thread pools and caches are there for both.
    "$PRLOAD" "${LOAD[@]}" -n 500 "unix:$T/$1.sock" >/dev/null 2>&1 || fail "$1: warm-up"
    perf stat -e task-clock,context-switches,cpu-migrations,page-faults,raw_syscalls:sys_enter -p "$pid" \
        -o "$T/stat.$1" &
    local st=$!
    perf record -q -g -p "$pid" -o "$T/perf.$1.data" >/dev/null 2>&1 &
    local rec=$!
    sleep 0.5
    "$PRLOAD" "${LOAD[@]}" -n "$MSGS" "unix:$T/$1.sock" >"$T/load.$1" 2>&1 ||
        { cat "$T/load.$1" >&2; fail "$1: pr-load"; }
    kill -INT "$st" "$rec"; wait "$st" "$rec" 2>/dev/null
    grep -E '^negotiated|^  (stages off|no reply|macros requested)|^replies|^messages' "$T/load.$1" |
        sed "s/^/  $(bench_tag)/"
    grep -E 'task-clock|context-switches|cpu-migrations|page-faults|raw_syscalls' "$T/stat.$1" |
        awk -v n="$MSGS" -v tag="$(bench_tag)" '{ v = $1; gsub(",", "", v);
            printf "  %s%-18s %14s   %.2f per message\n", tag, $2, $1, v / n }'
    echo "  -- by shared object (share of $1's samples)"
    perf report -i "$T/perf.$1.data" --stdio --no-children --sort dso 2>/dev/null |
        grep -E '^ +[0-9]' | head -8
    echo "  -- top symbols"
    perf report -i "$T/perf.$1.data" --stdio --no-children --sort dso,sym -g none 2>/dev/null |
        grep -E '^ +[0-9]' | head -"$TOP"
}

profile floor
profile rcpt
profile portrole
bench_load_line after
exit 0
