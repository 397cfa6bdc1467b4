#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# tests/bench/run-bench.sh - portrole against the no-op milter, same machine,
# same run, over the milter protocol; then portrole's memory.
#
# SYNOPSIS
#	bash tests/bench/run-bench.sh [BUILDDIR]        ("make bench" does this)
#
# DESCRIPTION
#	Starts tests/bench/noop-milter and portrole-milter (SPF off, DKIM off,
#	LocalDomains example.test), each on its own unix socket under a fresh
#	/tmp directory, and, when portrole is built with them, a second
#	portrole with SPF on and DKIM verify answering DNS from a TestDNSData
#	file, and a third with StatsFile written every second (StatsInterval 1:
#	the metrics' cost, portrole+statsfile/portrole; its file must count the
#	messages). Then, BENCH_ROUNDS times, alternating which milter goes first,
#	tests/bench/pr-load drives BENCH_MESSAGES messages through each with
#	16 connections, 1 recipient and a 2 KB body, in two scenarios:
#	  mx25     port 25, unauthenticated client, local recipient
#	  sub587   port 587, STARTTLS (two HELOs), AUTH PLAIN, local sender
#	Every portrole message must be accepted with its header inserted, or
#	the run fails. Then portrole's VmRSS: idle, before and after a
#	BENCH_LONG-message run, and with BENCH_HOLD sessions held open at HELO.
#	Output ends with the ratios (medians of the per-round ratios).
#
#	Without a portrole-milter, noop is measured against itself: a ratio
#	near 1.00 shows the tool's own noise.
#
#	Environment: BENCH_ROUNDS (5), BENCH_MESSAGES (5000), BENCH_LONG
#	(200000, 0 skips), BENCH_HOLD (1000, 0 skips), PORTROLE_MILTER (binary).
#	The machine is checked first (bench-lib.sh): a 1-minute load average
#	above 1.5 refuses (exit 75); BENCH_ALLOW_LOADED=1 marks figures LOADED.
#
# DIAGNOSTICS
#	Exit 75 on a loaded machine; exit 1 when a milter does not start, a run has a protocol error, or
#	portrole does not accept every message. Every process started here is
#	stopped here, by PID, also on failure.

set -u

B=${1:-.}
B=$(cd "$B" && pwd) || exit 1
ROUNDS=${BENCH_ROUNDS:-5}
MSGS=${BENCH_MESSAGES:-5000}
LONG=${BENCH_LONG:-200000}
HOLD=${BENCH_HOLD:-1000}
PRLOAD=$B/tests/bench/pr-load
NOOP=$B/tests/bench/noop-milter
PORTROLE=${PORTROLE_MILTER:-$B/portrole-milter}

T=$(mktemp -d /tmp/portrole-bench.XXXXXX) || exit 1
chmod 755 "$T"
PIDS=()
NAMES=()

say() { printf '%s\n' "$*"; }
fail() { say "bench: FAIL: $*" >&2; exit 1; }

# alive PID - true while PID runs (a zombie is dead).
alive() {
    local st
    [ -r "/proc/$1/stat" ] || return 1
    st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# stop_pid PID - SIGTERM, wait (libmilter takes ~5 s), then SIGKILL.
stop_pid() {
    local i=0
    kill "$1" 2>/dev/null || return 0
    while alive "$1" && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
    alive "$1" && kill -9 "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

# cleanup - stop everything started here, in parallel, then remove $T.
cleanup() {
    local p
    trap - EXIT INT TERM
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do stop_pid "$p"; done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# rss PID - VmRSS in KiB.
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# start NAME CMD... - run a milter in the background, wait for its socket.
start() {
    local name=$1 sock=$T/$1.sock i=0
    shift
    "$@" >"$T/$name.log" 2>&1 &
    PIDS+=($!)
    NAMES+=("$name")
    eval "PID_$name=$!"
    while [ ! -S "$sock" ]; do
        alive "$!" || fail "$name did not start: $(tail -3 "$T/$name.log")"
        [ $i -ge 100 ] && fail "$name: no socket $sock after 10 s"
        sleep 0.1; i=$((i + 1))
    done
}

# portrole_conf NAME [LINES] - a config for one portrole instance.
portrole_conf() {
    {
        echo "Socket unix:$T/$1.sock"
        echo "LocalDomains example.test"
        echo "${2:-SPF off
DKIM off}"
    } >"$T/$1.conf"
}

# scenario NAME - pr-load options of a scenario.
scenario() {
    case $1 in
    mx25)   echo "--port 25" ;;
    sub587) echo "--port 587 --tls --auth alice@example.test" ;;
    esac
}

# load MILTER SCENARIO ROUND [EXTRA] - one pr-load run; prints the rate.
load() {
    local m=$1 s=$2 r=$3 out=$T/out.$1.$2.$3 opts
    opts="-c 16 -r 1 -s 2048 -n $MSGS --expect-pass $(scenario "$s")"
    # shellcheck disable=SC2086
    if ! "$PRLOAD" $opts "unix:$T/$m.sock" >"$out" 2>&1; then
        cat "$out" >&2
        fail "pr-load against $m ($s, round $r)"
    fi
    case $VALIDATE$m in
    portrole*)
        grep -q "insheader $MSGS\b" "$out" ||
            fail "$m ($s): not every message got its header: $(grep '^replies' "$out")" ;;
    esac
    sed -n 's/^RESULT rate=\([0-9.]*\) .*p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\).*/\1 \2 \3/p' "$out"
}

# stats - "min median max" of the numbers on stdin.
stats() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "- - -"; exit }
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.4g %.4g %.4g\n", v[1], m, v[NR] }'
}

for f in "$PRLOAD" "$NOOP"; do
    [ -x "$f" ] || fail "$f not built (run make)"
done
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null

# shellcheck source=bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
bench_header "machine"
say "libmilter: $(dpkg-query -W -f '${Version}' libmilter1.0.1 2>/dev/null || echo '?')"

MILTERS="noop portrole"
VALIDATE=
start noop "$NOOP" -p "unix:$T/noop.sock"
if [ -x "$PORTROLE" ]; then
    portrole_conf portrole
    start portrole "$PORTROLE" -c "$T/portrole.conf" -f -p "unix:$T/portrole.sock"
    # The metrics' cost: the same with StatsFile written every second.
    portrole_conf portrole_stats "SPF off
DKIM off
StatsFile $T/stats.prom
StatsInterval 1"
    start portrole_stats "$PORTROLE" -c "$T/portrole_stats.conf" -f -p "unix:$T/portrole_stats.sock"
    MILTERS="$MILTERS portrole_stats"
    if grep -q '^#define WITH_SPF 1' "$B/acconfig.h" 2>/dev/null &&
       grep -q '^#define WITH_DKIM 1' "$B/acconfig.h" 2>/dev/null; then
        printf '%s\n' 'example.net TXT "v=spf1 ip4:192.0.2.0/24 -all"' >"$T/dns.zone"
        portrole_conf portrole_spf "SPF on
DKIM verify
TestDNSData $T/dns.zone"
        start portrole_spf "$PORTROLE" -c "$T/portrole_spf.conf" -f -p "unix:$T/portrole_spf.sock"
        MILTERS="$MILTERS portrole_spf"
    fi
else
    say "(no $PORTROLE: measuring noop against a second noop to show the tool's noise)"
    VALIDATE=noop-as-
    start portrole "$NOOP" -p "unix:$T/portrole.sock"
fi
IDLE=$(rss "$PID_portrole")
IDLE_NOOP=$(rss "$PID_noop")

say "== milter protocol: $ROUNDS rounds x $MSGS messages, 16 connections, 1 rcpt, 2 KB"
for r in $(seq 1 "$ROUNDS"); do
    order=$MILTERS
    [ $((r % 2)) = 0 ] && order=$(echo "$MILTERS" | tr ' ' '\n' | tac | tr '\n' ' ')
    for s in mx25 sub587; do
        for m in $order; do
            [ "$m" = portrole_spf ] && [ "$s" != mx25 ] && continue
            set -- $(load "$m" "$s" "$r")
            echo "$1" >>"$T/rate.$m.$s"
            echo "$2" >>"$T/p50.$m.$s"
            echo "$3" >>"$T/p99.$m.$s"
            printf '  round %d %-7s %-13s %8.1f msg/s  p50 %6.3f ms  p99 %6.3f ms\n' \
                "$r" "$s" "$m" "$1" "$2" "$3"
        done
        for m in $MILTERS; do
            [ "$m" = noop ] && continue
            [ -s "$T/rate.$m.$s" ] || continue
            bench_ratio "$(tail -1 "$T/rate.$m.$s")" "$(tail -1 "$T/rate.noop.$s")" >>"$T/ratio.$m.$s"
        done
        if [ -s "$T/rate.portrole_stats.$s" ]; then
            bench_ratio "$(tail -1 "$T/rate.portrole_stats.$s")" "$(tail -1 "$T/rate.portrole.$s")" \
                >>"$T/statsratio.$s"
        fi
    done
done

if [ -n "${PID_portrole_stats:-}" ]; then
    sleep 1.5
    grep -q '^portrole_messages_total{' "$T/stats.prom" 2>/dev/null ||
        fail "portrole_stats wrote no portrole_messages_total to $T/stats.prom"
fi

say "== throughput (msg/s: min median max over $ROUNDS rounds), latency p50/p99 (ms, medians)"
for s in mx25 sub587; do
    for m in $MILTERS; do
        [ -s "$T/rate.$m.$s" ] || continue
        printf '  %-7s %-13s %s   p50 %s  p99 %s\n' "$s" "$m" \
            "$(stats <"$T/rate.$m.$s")" \
            "$(stats <"$T/p50.$m.$s" | cut -d' ' -f2)" "$(stats <"$T/p99.$m.$s" | cut -d' ' -f2)"
    done
done

if [ "$LONG" -gt 0 ]; then
    say "== memory over a $LONG-message run (mx25, 16 connections)"
    BEFORE=$(rss "$PID_portrole")
    "$PRLOAD" -c 16 -n "$LONG" --expect-pass --port 25 "unix:$T/portrole.sock" >"$T/long.out" 2>&1 ||
        { cat "$T/long.out" >&2; fail "long run"; }
    AFTER=$(rss "$PID_portrole")
    say "  $(grep '^messages:' "$T/long.out")"
fi

if [ "$HOLD" -gt 0 ]; then
    say "== memory with $HOLD sessions open (negotiated, CONNECT and HELO done)"
    "$PRLOAD" --hold "$HOLD" --hold-time 120 --port 25 "unix:$T/portrole.sock" >"$T/hold.out" 2>&1 &
    HPID=$!
    PIDS+=($HPID)
    i=0
    until grep -q '^holding' "$T/hold.out"; do
        alive "$HPID" || break
        [ $i -ge 600 ] && break
        sleep 0.1; i=$((i + 1))
    done
    grep -q "^holding $HOLD\$" "$T/hold.out" || { cat "$T/hold.out" >&2; fail "could not hold $HOLD sessions"; }
    sleep 0.5
    HELD=$(rss "$PID_portrole")
    THREADS=$(awk '/^Threads:/ { print $2 }' "/proc/$PID_portrole/status")
    stop_pid "$HPID"
    grep -q '^protocol errors: 0' "$T/hold.out" || { cat "$T/hold.out" >&2; fail "errors while holding"; }
fi

mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
say "== portrole-milter VmRSS"
printf '  %-28s %s   (noop-milter: %s)\n' "idle at start" "$(mib "$IDLE")" "$(mib "$IDLE_NOOP")"
if [ "$LONG" -gt 0 ]; then
    printf '  %-28s %s\n' "before $LONG messages" "$(mib "$BEFORE")"
    printf '  %-28s %s   change %s\n' "after $LONG messages" "$(mib "$AFTER")" \
        "$(awk -v a="$BEFORE" -v b="$AFTER" 'BEGIN { printf "%+.1f %%", (b - a) * 100 / a }')"
fi
[ "$HOLD" -gt 0 ] && printf '  %-28s %s   (%s threads)\n' "$HOLD sessions open" "$(mib "$HELD")" "$THREADS"

say "== ratios (median of the per-round ratios; min..max)"
for m in $MILTERS; do
    [ "$m" = noop ] && continue
    for s in mx25 sub587; do
        [ -s "$T/ratio.$m.$s" ] || continue
        set -- $(stats <"$T/ratio.$m.$s")
        n=${m/_spf/+spf+dkim}
        printf '%s%s/noop throughput (%s) = %.2f  (%.2f..%.2f)\n' "$(bench_tag)" "${n/_stats/+statsfile}" "$s" "$2" "$1" "$3"
    done
done
for s in mx25 sub587; do
    [ -s "$T/statsratio.$s" ] || continue
    set -- $(stats <"$T/statsratio.$s")
    printf '%sportrole+statsfile/portrole throughput (%s) = %.2f  (%.2f..%.2f)\n' "$(bench_tag)" "$s" "$2" "$1" "$3"
done
set -- $(cat "$T"/ratio.portrole.* | stats)
printf '%sportrole/noop throughput = %.2f\n' "$(bench_tag)" "$2"
bench_load_line after
[ "$BENCH_LOADED" = 1 ] && say "LOADED: these figures were taken on a loaded machine; do not quote them"
exit 0
