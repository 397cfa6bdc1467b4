#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# tests/bench/e2e.sh - how much slower does Postfix accept mail with a
# milter in front: no milter, the floor milter, the no-op milter and
# portrole, through one private Postfix, in one run.
#
# SYNOPSIS
#	bash tests/bench/e2e.sh [BUILDDIR]              ("make bench-e2e")
#
# DESCRIPTION
#	Starts the integration fixture's Postfix (tests/integration/
#	postfix-fixture.sh) on loopback ports 12xxx and replaces its dumping
#	smtp-sink with one that only counts. For each socket type in
#	BENCH_E2E_SOCKETS ("unix inet": unix first, the one to deploy) it
#	starts the milters on that transport - floor-milter (every stage
#	negotiated away but end of message, one header inserted), the same
#	with -d, "decide" (MAIL and RCPT also sent and answered: the floor of
#	a milter that decides at both stages), "rcpt" (floor-milter -r: RCPT
#	alone sent and answered continue, one header at end of message: the
#	cheapest milter that can refuse relay per recipient, and the stage
#	portrole gives every refusal at by default; on inet with -n, so
#	TCP_NODELAY on its listening socket), noop-milter
#	(every callback, a reply to each) and three portrole-milters, all
#	with SPF off and DKIM off: "portrole" (Mode enforce, the default),
#	"audit" (Mode audit: nothing can be refused at MAIL or RCPT, so those
#	stages are negotiated "no reply") and "stats" (enforce with
#	StatsFile, StatsInterval 1: the metrics' cost) - then
#	runs BENCH_E2E_ROUNDS rounds. A round switches main.cf's
#	smtpd_milters (postconf -e + postfix reload) to none, floor, decide,
#	rcpt, noop, portrole, audit and stats, in an order that rotates by one each
#	round, and smtp-source sends BENCH_E2E_MESSAGES 2 KB messages over 20
#	sessions to the port-25-role listener, one foreign recipient each
#	(the client, 127.0.0.1, is in portrole's default TrustedNetworks, so
#	it may relay); Postfix relays every message to smtp-sink.
#
#	Two rates per variant: the SMTP accept rate (messages / smtp-source's
#	wall time: what a sender sees on port 25, the headline) and end to
#	end (until the queue is empty, bound by Postfix's own delivery).
#	Beside the rates, from the first byte smtp-source sends until the
#	queue is empty: how busy the machine was (the busy ticks of /proc/stat
#	over cores x wall time; near 100 % the rates are CPU-bound, and every
#	microsecond a variant adds anywhere slows them) and the milter
#	process's own CPU time per message (/proc/PID/stat, user + system).
#	The milter's CPU does not wait for the scheduler as wall-clock rates
#	do, so it shows what a milter costs far below the rates' round-to-round
#	noise; the summary gives its per-round differences (portrole-floor:
#	what portrole's process spends over the cheapest milter's).
#	Every message must be delivered ("status=sent" in the maillog).
#	Each socket type ends with the per-round ratios portrole/none and
#	portrole/rcpt (also portrole/floor, portrole/decide, rcpt/none,
#	rcpt/floor, floor/none, decide/floor, noop/none, audit/floor and
#	stats/portrole): median (min..max), and the milter CPU differences
#	(portrole-rcpt: what portrole's process spends per message over the
#	RCPT-only floor's). The stats variant must have written its metrics
#	file. With both socket types, a last block compares them (inet/unix
#	of each variant's median accept rate: what the transport costs) and
#	checks issue 26's bars: portrole >= 0.97 x the RCPT-only floor on
#	unix, >= 0.95 x on inet, milter CPU portrole-rcpt <= 150 us/msg.
#
#	The machine is checked first (tests/bench/bench-lib.sh): CPU model,
#	load average before and after; a 1-minute load above 1.5 refuses,
#	BENCH_ALLOW_LOADED=1 runs and marks every figure LOADED.
#
#	Needs root, Postfix and smtp-source; exits 77 (skip) without them.
#	Run it in a private network namespace when anything else may use the
#	ports: unshare -n sh -c 'ip link set lo up && exec "$@"' x make bench-e2e
#	Environment: BENCH_E2E_ROUNDS (3), BENCH_E2E_MESSAGES (2000),
#	BENCH_E2E_SOCKETS ("unix inet").
#
# DIAGNOSTICS
#	Exit 1 when something does not start or a message is lost, 75 when
#	the machine is loaded. Every process started here is stopped by PID,
#	also on failure.

# (no set -u: the fixture is not written for it)

B=${1:-.}
B=$(cd "$B" && pwd) || exit 1
ROUNDS=${BENCH_E2E_ROUNDS:-3}
MSGS=${BENCH_E2E_MESSAGES:-2000}
SOCKETS=${BENCH_E2E_SOCKETS:-unix inet}
SESSIONS=20
TICK_US=$((1000000 / $(getconf CLK_TCK)))
VARIANTS="none floor decide rcpt noop portrole audit stats"
PORTROLES="portrole audit stats"
RATIOS="portrole/none portrole/rcpt portrole/floor portrole/decide rcpt/none rcpt/floor floor/none decide/floor noop/none audit/floor stats/portrole"
HERE=$(cd "$(dirname "$0")" && pwd)
NOOP=$B/tests/bench/noop-milter
FLOOR=$B/tests/bench/floor-milter
export PORTROLE_MILTER=${PORTROLE_MILTER:-$B/portrole-milter}

[ "$(id -u)" = 0 ] || { echo "e2e: needs root (Postfix)"; exit 77; }
command -v smtp-source >/dev/null && command -v postfix >/dev/null ||
    { echo "e2e: no Postfix or smtp-source"; exit 77; }
for p in "$NOOP" "$FLOOR" "$PORTROLE_MILTER"; do
    [ -x "$p" ] || { echo "e2e: $p missing: build first (make)"; exit 1; }
done
for s in $SOCKETS; do
    case $s in unix|inet) ;; *) echo "e2e: BENCH_E2E_SOCKETS: unix or inet, not $s"; exit 2 ;; esac
done

# shellcheck source=bench-lib.sh
. "$HERE/bench-lib.sh"
# shellcheck source=../integration/postfix-fixture.sh
. "$HERE/../integration/postfix-fixture.sh"
# Our own ports, so that the integration tests may run at the same time.
PF_PORT_MX=12025 PF_PORT_MXAUTH=12026 PF_PORT_SUB=12587 PF_PORT_SUBMAY=12588
PF_PORT_SUBS=12465 PF_PORT_SINK=12525 PF_PORT_MILTER=12099
NOOP_PORT=12098 FLOOR_PORT=12097 AUDIT_PORT=12096 STATS_PORT=12095 DECIDE_PORT=12094
RCPT_PORT=12093

bench_header "Postfix accept rate: $ROUNDS rounds x $MSGS messages x 2 KB, $SESSIONS sessions, sockets: $SOCKETS"
echo "$(postconf -d mail_version 2>/dev/null | sed 's/ = / /'), $(dpkg-query -W -f='libmilter ${Version}' libmilter1.0.1 2>/dev/null)"

T=$(mktemp -d /tmp/portrole-e2e.XXXXXX) || exit 1
chmod 755 "$T"   # Postfix runs as postfix and must reach the spool
mkdir -m 755 "$T/sock"
declare -A MPID     # variant -> the PID of its milter (none has none)
COUNT_SINK_PID=

# milters_stop - stop the milters (libmilter takes up to ~5 s).
milters_stop() {
    local p
    for p in "${MPID[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${MPID[@]}"; do pf_wait_gone "$p" 15 || kill -9 "$p" 2>/dev/null; done
    MPID=()
    rm -f "$T"/sock/*.sock
}

cleanup() {
    trap - EXIT INT TERM
    milters_stop
    [ -n "$COUNT_SINK_PID" ] && { kill "$COUNT_SINK_PID" 2>/dev/null; pf_wait_gone "$COUNT_SINK_PID" 10; }
    pf_stop
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "e2e: FAIL: $*" >&2; exit 1; }

pf_start "$T/pf" || fail "Postfix fixture did not start"
# The fixture's sink writes every message to disk; count only, as the
# Postfix timings in the fixture notes did.
kill "$PF_SINK_PID"; pf_wait_gone "$PF_SINK_PID" 10; PF_SINK_PID=
pf_wait_port free 15 $PF_PORT_SINK || fail "sink port busy"
smtp-sink -u nobody -c 127.0.0.1:$PF_PORT_SINK 256 >"$T/sink.log" 2>&1 &
COUNT_SINK_PID=$!
pf_wait_port up 15 $PF_PORT_SINK || fail "smtp-sink did not start: $(cat "$T/sink.log")"

# sock_of TRANSPORT MILTER SIDE - the milter's address, as libmilter
# (SIDE=milter) or Postfix (SIDE=postfix) spells it.
sock_of() {
    local port
    case $2 in
    floor) port=$FLOOR_PORT ;; decide) port=$DECIDE_PORT ;; noop) port=$NOOP_PORT ;;
    rcpt) port=$RCPT_PORT ;;
    audit) port=$AUDIT_PORT ;; stats) port=$STATS_PORT ;; *) port=$PF_PORT_MILTER ;;
    esac
    if [ "$1" = unix ]; then echo "unix:$T/sock/$2.sock"
    elif [ "$3" = milter ]; then echo "inet:$port@127.0.0.1"
    else echo "inet:127.0.0.1:$port"; fi
}

# wait_sock TRANSPORT MILTER - wait until the milter listens.
wait_sock() {
    local i=0
    if [ "$1" = inet ]; then
        pf_wait_port up 15 "$(sock_of inet "$2" milter | sed 's/^inet:\([0-9]*\)@.*/\1/')"
        return
    fi
    while [ ! -S "$T/sock/$2.sock" ]; do
        [ $i -ge 150 ] && { echo "e2e: $T/sock/$2.sock did not appear" >&2; return 1; }
        sleep 0.1; i=$((i + 1))
    done
}

# milters_start TRANSPORT - floor, decide, rcpt, noop and the three portroles on that
# transport; unix sockets world-writable (umask 0) so that user postfix may
# connect.
milters_start() {
    local s
    for s in $PORTROLES; do
        cat >"$T/$s.conf" <<EOF
Socket $(sock_of "$1" "$s" milter)
UMask 000
LocalDomains example.test
Listener $PF_PORT_MX mx
Listener $PF_PORT_SUB submission
Listener $PF_PORT_SUBS submissions
SPF off
DKIM off
EOF
    done
    echo "Mode audit" >>"$T/audit.conf"
    printf 'StatsFile %s\nStatsInterval 1\n' "$T/portrole.prom" >>"$T/stats.conf"
    (umask 0; exec "$FLOOR" -p "$(sock_of "$1" floor milter)") >"$T/floor.log" 2>&1 &
    MPID[floor]=$!
    (umask 0; exec "$FLOOR" -d -p "$(sock_of "$1" decide milter)") >"$T/decide.log" 2>&1 &
    MPID[decide]=$!
    # The RCPT-only floor: on inet with TCP_NODELAY on its listening socket.
    local nodelay=
    [ "$1" = inet ] && nodelay=-n
    (umask 0; exec "$FLOOR" -r $nodelay -p "$(sock_of "$1" rcpt milter)") >"$T/rcpt.log" 2>&1 &
    MPID[rcpt]=$!
    (umask 0; exec "$NOOP" -p "$(sock_of "$1" noop milter)") >"$T/noop.log" 2>&1 &
    MPID[noop]=$!
    for s in $PORTROLES; do
        "$PORTROLE_MILTER" -c "$T/$s.conf" -f >"$T/$s.log" 2>&1 &
        MPID[$s]=$!
    done
    for s in "${!MPID[@]}"; do
        wait_sock "$1" "$s" || fail "$s did not start on $1: $(tail -3 "$T/$s.log")"
    done
    if [ "$1" = inet ]; then
        # It says so right after listen(), which wait_sock may beat.
        local i=0
        until grep -q 'TCP_NODELAY on the listening socket' "$T/rcpt.log"; do
            [ $i -ge 150 ] && fail "the RCPT-only floor did not set TCP_NODELAY: $(cat "$T/rcpt.log")"
            sleep 0.1; i=$((i + 1))
        done
    fi
}

# use TRANSPORT MILTER - point smtpd at MILTER (or none) and reload Postfix.
use() {
    local sock=
    [ "$2" = none ] || sock=$(sock_of "$1" "$2" postfix)
    postconf -c "$PF_DIR/etc" -e "smtpd_milters = $sock" "non_smtpd_milters = $sock" || return 1
    pf_backdate "$PF_DIR/etc/main.cf"
    postfix -c "$PF_DIR/etc" reload >/dev/null 2>&1 || return 1
    sleep 1
}

# cpu_busy - the CPU time the whole machine has been busy, in clock ticks
# (user, nice, system, irq, softirq of /proc/stat's "cpu" line).
cpu_busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat; }

# cpu_proc PID - the CPU time of one process (user + system, every
# thread), in clock ticks; 0 without a PID.
cpu_proc() {
    local st
    [ -n "$1" ] || { echo 0; return; }
    st=$(sed 's/^.*) //' "/proc/$1/stat") || fail "milter $1 is gone"
    set -- $st
    echo $(( ${12} + ${13} ))
}

# run TRANSPORT MILTER ROUND - one smtp-source run; prints "accept/s e2e/s
# busy-% milter-us/msg": the two rates, then from the first byte sent
# until the queue is empty the machine's busy share and the milter's CPU
# time per message.
run() {
    local c0 c1 m0 m1
    use "$1" "$2" || fail "could not switch Postfix to $2 ($1)"
    m0=$(cpu_proc "${MPID[$2]}") c0=$(cpu_busy)
    bench_timed_send "$MSGS" "$T/source.$1.$2.$3" smtp-source -s $SESSIONS -m "$MSGS" -l 2048 \
        -f sender@example.net -t user@example.org -M client.example.net \
        "127.0.0.1:$PF_PORT_MX" || fail "$2 ($1): see above"
    c1=$(cpu_busy) m1=$(cpu_proc "${MPID[$2]}")
    awk -v n="$MSGS" -v s="$BENCH_SECONDS" -v tick="$TICK_US" \
        -v c="$((c1 - c0))" -v m="$((m1 - m0))" -v cores="$(nproc)" \
        -v acc="$BENCH_ACCEPT" -v e2e="$BENCH_E2E" \
        'BEGIN { printf "%s %s %.0f %.0f\n", acc, e2e, 100 * c * tick / 1e6 / (cores * s), m * tick / n }'
}

# bench TRANSPORT - every round on one transport, then its summary.
bench() {
    local x=$1 r m k a b label
    echo "== milters on $x sockets"
    milters_start "$x"
    for r in $(seq 1 "$ROUNDS"); do
        for m in $(bench_order "$r" $VARIANTS); do
            set -- $(run "$x" "$m" "$r")
            [ $# = 4 ] || exit 1
            echo "$1" >>"$T/acc.$x.$m"; echo "$2" >>"$T/e2e.$x.$m"
            echo "$3" >>"$T/busy.$x.$m"; echo "$4" >>"$T/mcpu.$x.$m"
            printf '  %sround %d %-9s SMTP accept %7.1f msg/s   end to end %7.1f msg/s   busy %3d %%   milter CPU %4d us/msg\n' \
                "$(bench_tag)" "$r" "$m" "$1" "$2" "$3" "$4"
        done
        for k in acc e2e; do
            for a in $RATIOS; do
                bench_ratio "$(tail -1 "$T/$k.$x.${a%/*}")" "$(tail -1 "$T/$k.$x.${a#*/}")" \
                    >>"$T/ratio.$k.$x.${a%/*}.${a#*/}"
            done
        done
        for a in $RATIOS; do
            echo $(( $(tail -1 "$T/mcpu.$x.${a%/*}") - $(tail -1 "$T/mcpu.$x.${a#*/}") )) \
                >>"$T/diff.mcpu.$x.${a%/*}.${a#*/}"
        done
    done
    grep -q '^portrole_messages_total{' "$T/portrole.prom" 2>/dev/null ||
        fail "the stats variant wrote no metrics to $T/portrole.prom"
    milters_stop
    echo "== rates, $x sockets (msg/s: min median max)"
    for m in $VARIANTS; do
        printf '  %s%-9s SMTP accept %s   end to end %s\n' "$(bench_tag)" "$m" \
            "$(bench_stats <"$T/acc.$x.$m")" "$(bench_stats <"$T/e2e.$x.$m")"
    done
    echo "== machine busy (%) and milter CPU (us/msg), $x sockets (min median max)"
    for m in $VARIANTS; do
        printf '  %s%-9s busy %s   milter CPU %s\n' "$(bench_tag)" "$m" \
            "$(bench_stats %.0f <"$T/busy.$x.$m")" "$(bench_stats %.0f <"$T/mcpu.$x.$m")"
    done
    echo "== ratios, $x sockets (median of the per-round ratios (min..max))"
    for k in acc e2e; do
        label="SMTP accept"; [ $k = e2e ] && label="end to end"
        for a in $RATIOS; do
            set -- $(bench_stats <"$T/ratio.$k.$x.${a%/*}.${a#*/}")
            printf '%s%s %s (%s) = %.2f  (%.2f..%.2f)\n' "$(bench_tag)" "$a" "$label" "$x" "$2" "$1" "$3"
        done
    done
    echo "== milter CPU per message, differences, $x sockets (us: median of the per-round differences (min..max))"
    for a in $RATIOS; do
        set -- $(bench_stats %.0f <"$T/diff.mcpu.$x.${a%/*}.${a#*/}")
        printf '%s%s milter CPU (%s) = %+d us/msg  (%+d..%+d)\n' "$(bench_tag)" "${a/\//-}" "$x" "$2" "$1" "$3"
    done
}

# median FILE - the median of the numbers in FILE.
median() { set -- $(bench_stats <"$1"); echo "$2"; }

# bar NAME VALUE OP LIMIT - one of issue 26's bars: "meets" or "short".
bar() {
    if awk -v v="$2" -v l="$4" -v op="$3" 'BEGIN { exit !(op == ">=" ? v >= l : v <= l) }'; then
        printf '%sbar %s: %s %s %s: meets\n' "$(bench_tag)" "$1" "$2" "$3" "$4"
    else
        printf '%sbar %s: %s %s %s: short\n' "$(bench_tag)" "$1" "$2" "$3" "$4"
    fi
}

for x in $SOCKETS; do bench "$x"; done
if [ -e "$T/acc.unix.rcpt" ] && [ -e "$T/acc.inet.rcpt" ]; then
    echo "== inet against unix (the ratio of the median SMTP accept rates)"
    for m in $VARIANTS; do
        printf '%s%s inet/unix SMTP accept = %.2f\n' "$(bench_tag)" "$m" \
            "$(bench_ratio "$(median "$T/acc.inet.$m")" "$(median "$T/acc.unix.$m")")"
    done
fi
echo "== issue 26's bars (medians of the per-round figures)"
for x in $SOCKETS; do
    case $x in unix) lim=0.97 ;; *) lim=0.95 ;; esac
    bar "portrole/rcpt SMTP accept ($x)" "$(median "$T/ratio.acc.$x.portrole.rcpt")" ">=" $lim
    bar "milter CPU portrole-rcpt ($x, us/msg)" "$(median "$T/diff.mcpu.$x.portrole.rcpt")" "<=" 150
done
bench_load_line after
[ "$BENCH_LOADED" = 1 ] && echo "LOADED: these figures were taken on a loaded machine; do not quote them"
exit 0
