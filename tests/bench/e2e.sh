#!/bin/bash
# tests/bench/e2e.sh - smtp-source -> private Postfix -> smtp-sink, with no
# milter, with the no-op milter and with portrole, in one run.
#
# SYNOPSIS
#	bash tests/bench/e2e.sh [BUILDDIR]              ("make bench-e2e")
#
# DESCRIPTION
#	Starts the integration fixture's Postfix (tests/integration/
#	postfix-fixture.sh) on loopback ports 12xxx, replaces its dumping
#	smtp-sink with one that only counts, and starts both milters at once:
#	noop-milter on inet:12098 and portrole-milter on inet:12099. Each
#	round, in alternating order, main.cf's smtpd_milters is switched
#	(postconf -e + postfix reload) to none, noop or portrole, and
#	smtp-source sends BENCH_E2E_MESSAGES 2 KB messages over 20 sessions
#	to the port-25-role listener, one foreign recipient each (the client,
#	127.0.0.1, is in portrole's default TrustedNetworks, so it may relay);
#	Postfix relays every message to smtp-sink. Two rates per run: SMTP
#	accept (smtp-source's wall time) and end-to-end (until the queue is
#	empty). Every message must be sent ("status=sent" in the maillog).
#	Output ends with the ratios, medians of the per-round ratios.
#
#	Needs root, Postfix and smtp-source; exits 77 (skip) without them.
#	Environment: BENCH_E2E_ROUNDS (3), BENCH_E2E_MESSAGES (2000).
#
# DIAGNOSTICS
#	Exit 1 when something does not start or a message is lost. Every
#	process started here is stopped by PID, also on failure.

# (no set -u: the fixture is not written for it)

B=${1:-.}
B=$(cd "$B" && pwd) || exit 1
ROUNDS=${BENCH_E2E_ROUNDS:-3}
MSGS=${BENCH_E2E_MESSAGES:-2000}
SESSIONS=20
HERE=$(cd "$(dirname "$0")" && pwd)
NOOP=$B/tests/bench/noop-milter
export PORTROLE_MILTER=${PORTROLE_MILTER:-$B/portrole-milter}

[ "$(id -u)" = 0 ] || { echo "e2e: needs root (Postfix)"; exit 77; }
command -v smtp-source >/dev/null && command -v postfix >/dev/null ||
    { echo "e2e: no Postfix or smtp-source"; exit 77; }
[ -x "$NOOP" ] && [ -x "$PORTROLE_MILTER" ] || { echo "e2e: build first (make)"; exit 1; }

# shellcheck source=../integration/postfix-fixture.sh
. "$HERE/../integration/postfix-fixture.sh"
# Our own ports, so that the integration tests may run at the same time.
PF_PORT_MX=12025 PF_PORT_MXAUTH=12026 PF_PORT_SUB=12587 PF_PORT_SUBMAY=12588
PF_PORT_SUBS=12465 PF_PORT_SINK=12525 PF_PORT_MILTER=12099
NOOP_PORT=12098

T=$(mktemp -d /tmp/portrole-e2e.XXXXXX) || exit 1
chmod 755 "$T"   # Postfix runs as postfix and must reach the spool
NOOP_PID=
COUNT_SINK_PID=

cleanup() {
    trap - EXIT INT TERM
    [ -n "$NOOP_PID" ] && kill "$NOOP_PID" 2>/dev/null
    [ -n "$COUNT_SINK_PID" ] && { kill "$COUNT_SINK_PID" 2>/dev/null; pf_wait_gone "$COUNT_SINK_PID" 10; }
    pf_stop
    [ -n "$NOOP_PID" ] && { pf_wait_gone "$NOOP_PID" 15 || kill -9 "$NOOP_PID" 2>/dev/null; }
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

cat >"$T/portrole.conf" <<EOF
Socket inet:$PF_PORT_MILTER@127.0.0.1
LocalDomains example.test
Listener $PF_PORT_MX mx
Listener $PF_PORT_SUB submission
Listener $PF_PORT_SUBS submissions
SPF off
DKIM off
EOF
pf_milter_start "$T/portrole.conf" || fail "portrole-milter did not start"
"$NOOP" -p "inet:$NOOP_PORT@127.0.0.1" >"$T/noop.log" 2>&1 &
NOOP_PID=$!
pf_wait_port up 15 $NOOP_PORT || fail "noop-milter did not start"

# use MILTER - point smtpd at none|noop|portrole and reload Postfix.
use() {
    local sock=
    case $1 in
    noop) sock=inet:127.0.0.1:$NOOP_PORT ;;
    portrole) sock=inet:127.0.0.1:$PF_PORT_MILTER ;;
    esac
    postconf -c "$PF_DIR/etc" -e "smtpd_milters = $sock" "non_smtpd_milters = $sock" || return 1
    pf_backdate "$PF_DIR/etc/main.cf"
    postfix -c "$PF_DIR/etc" reload >/dev/null 2>&1 || return 1
    sleep 1
}

# sent - how many deliveries the maillog shows so far.
sent() { grep -c ' status=sent ' "$PF_DIR/log/maillog" 2>/dev/null || true; }

# run MILTER ROUND - one smtp-source run; prints "accept/s end-to-end/s".
run() {
    local before t0 t1 t2 after
    use "$1" || fail "could not switch Postfix to $1"
    before=$(sent)
    t0=$(date +%s.%N)
    smtp-source -s $SESSIONS -m "$MSGS" -l 2048 -f sender@example.net \
        -t user@example.org -M client.example.net "127.0.0.1:$PF_PORT_MX" \
        >"$T/source.$1.$2" 2>&1 || { cat "$T/source.$1.$2" >&2; fail "smtp-source ($1)"; }
    t1=$(date +%s.%N)
    pf_wait_queue_empty 120 || fail "queue not empty ($1)"
    t2=$(date +%s.%N)
    after=$(sent)
    [ $((after - before)) -ge "$MSGS" ] ||
        fail "$1: $((after - before)) of $MSGS messages delivered; see $(grep -m3 -E 'milter|reject|defer' "$PF_DIR/log/maillog")"
    awk -v n="$MSGS" -v a="$t0" -v b="$t1" -v c="$t2" \
        'BEGIN { printf "%.1f %.1f\n", n / (b - a), n / (c - a) }'
}

stats() {
    sort -g | awk '{ v[NR] = $1 } END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.4g %.4g %.4g\n", v[1], m, v[NR] }'
}

echo "== Postfix end to end: $ROUNDS rounds x $MSGS messages x 2 KB, $SESSIONS sessions"
echo "   ($(postconf -d mail_version 2>/dev/null | sed 's/ = / /'), $(nproc) cores)"
for r in $(seq 1 "$ROUNDS"); do
    order="none noop portrole"
    [ $((r % 2)) = 0 ] && order="portrole noop none"
    for m in $order; do
        set -- $(run "$m" "$r")
        [ $# = 2 ] || exit 1
        echo "$1" >>"$T/acc.$m"; echo "$2" >>"$T/e2e.$m"
        printf '  round %d %-9s SMTP accept %7.1f msg/s   end to end %7.1f msg/s\n' "$r" "$m" "$1" "$2"
    done
    for k in acc e2e; do
        for m in noop portrole; do
            paste -d' ' <(tail -1 "$T/$k.$m") <(tail -1 "$T/$k.none") |
                awk '{ printf "%.4f\n", $1 / $2 }' >>"$T/ratio.$k.$m"
        done
        paste -d' ' <(tail -1 "$T/$k.portrole") <(tail -1 "$T/$k.noop") |
            awk '{ printf "%.4f\n", $1 / $2 }' >>"$T/ratio.$k.pn"
    done
done

echo "== rates (msg/s: min median max)"
for m in none noop portrole; do
    printf '  %-9s SMTP accept %s   end to end %s\n' "$m" "$(stats <"$T/acc.$m")" "$(stats <"$T/e2e.$m")"
done
echo "== ratios (median of the per-round ratios; min..max)"
for k in e2e acc; do
    label=end-to-end; [ $k = acc ] && label="SMTP accept"
    for m in portrole noop; do
        set -- $(stats <"$T/ratio.$k.$m")
        printf '%s/no-milter %s = %.2f  (%.2f..%.2f)\n' "$m" "$label" "$2" "$1" "$3"
    done
    set -- $(stats <"$T/ratio.$k.pn")
    printf 'portrole/noop %s = %.2f  (%.2f..%.2f)\n' "$label" "$2" "$1" "$3"
done
exit 0
