#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# tests/bench/stack.sh - portrole with SPF and DKIM against the stack an
# admin would run instead: Postfix + OpenDKIM + postfix-policyd-spf-python.
#
# SYNOPSIS
#	bash tests/bench/stack.sh [BUILDDIR]            ("make bench-stack")
#
# DESCRIPTION
#	One private Postfix (tests/integration/postfix-fixture.sh, ports
#	13xxx) and, per round in an order that rotates by one each round,
#	smtp-source sends BENCH_STACK_MESSAGES DKIM-signed 2 KB messages over
#	20 sessions to the port-25 listener, relayed to a counting smtp-sink,
#	through one of:
#
#	  stack         Debian's opendkim (Mode v, milter on a unix socket,
#	                Authentication-Results added) and policyd-spf
#	                (postfix-policyd-spf-python, check_policy_service
#	                through a spawn service, Received-SPF prepended), both
#	                asking nsd, an authoritative server on 127.0.0.1:53
#	                that serves the test zone
#	  portrole      portrole-milter, SPF on, DKIM verify, AuthResults yes,
#	                the same zone from TestDNSData
#	  portrole-off  portrole-milter, SPF off, DKIM off (the goal: SPF and
#	                DKIM on within 10 % of this)
#
#	The messages are signed once, rsa-sha256 relaxed/relaxed, by
#	tests/data/spfdkim/dkimsign.py with a key made here; the sender
#	domain example.net publishes "v=spf1 ip4:127.0.0.2 -all" and the key.
#	The client must not be loopback's 127.0.0.1, which both SPF checkers
#	pass without a look-up: inside its own network namespace the script
#	gives lo the address 127.0.0.2 and makes it the source of every
#	loopback connection. Before the rounds, one message per variant goes
#	to a dumping sink and must carry spf=pass and dkim=pass (the stack:
#	"Received-SPF: Pass" and OpenDKIM's dkim=pass), so every variant is
#	known to do the checks it is timed for.
#
#	The script re-executes itself in a private network and mount
#	namespace (unshare -n -m): nothing leaves loopback, and a private
#	/etc/resolv.conf (nameserver 127.0.0.1) is bind-mounted for the stack
#	only there. Real DNS is never asked.
#
#	Headline: portrole/stack SMTP accept rate (median (min..max) of the
#	per-round ratios; the goal is >= 1.3) and portrole/portrole-off.
#	The machine is checked first (bench-lib.sh): CPU model, load before
#	and after; a 1-minute load above 1.5 refuses, BENCH_ALLOW_LOADED=1
#	marks the figures LOADED.
#
#	Needs root, Postfix, smtp-source, opendkim, policyd-spf, nsd, openssl
#	and python3 ("tests/deps.sh --bench" installs them); exits 77 without.
#	Environment: BENCH_STACK_ROUNDS (3), BENCH_STACK_MESSAGES (2000).
#
# DIAGNOSTICS
#	Exit 1 when something does not start, a check is missing from the
#	delivered message, or a message is lost; 75 on a loaded machine.
#	Every process started here is stopped by PID, also on failure.

B=${1:-.}
B=$(cd "$B" && pwd) || exit 1
HERE=$(cd "$(dirname "$0")" && pwd)

[ "$(id -u)" = 0 ] || { echo "stack: needs root (Postfix, namespaces)"; exit 77; }
for t in postfix smtp-source smtp-sink opendkim policyd-spf nsd openssl python3 unshare ip; do
    command -v "$t" >/dev/null || PATH=$PATH:/usr/sbin:/sbin
    command -v "$t" >/dev/null ||
        { echo "stack: $t missing (tests/deps.sh --bench installs the benchmark's packages)"; exit 77; }
done

if [ "${PORTROLE_STACK_NS:-}" != inside ]; then
    # Our own network namespace (the route change below must not touch the
    # host) and mount namespace (the private resolv.conf).
    exec unshare -n -m env PORTROLE_STACK_NS=inside bash "$0" "$B"
fi

ROUNDS=${BENCH_STACK_ROUNDS:-3}
MSGS=${BENCH_STACK_MESSAGES:-2000}
SESSIONS=20
VARIANTS="stack portrole portrole-off"
export PORTROLE_MILTER=${PORTROLE_MILTER:-$B/portrole-milter}
[ -x "$PORTROLE_MILTER" ] || { echo "stack: $PORTROLE_MILTER missing: build first (make)"; exit 1; }
grep -q '^#define WITH_SPF 1' "$B/acconfig.h" 2>/dev/null &&
    grep -q '^#define WITH_DKIM 1' "$B/acconfig.h" 2>/dev/null ||
    { echo "stack: portrole was built without SPF or DKIM"; exit 77; }

# shellcheck source=bench-lib.sh
. "$HERE/bench-lib.sh"
# shellcheck source=../integration/postfix-fixture.sh
. "$HERE/../integration/postfix-fixture.sh"
PF_PORT_MX=13025 PF_PORT_MXAUTH=13026 PF_PORT_SUB=13587 PF_PORT_SUBMAY=13588
PF_PORT_SUBS=13465 PF_PORT_SINK=13525 PF_PORT_MILTER=13099

bench_header "SPF + DKIM stacks: $ROUNDS rounds x $MSGS signed messages, $SESSIONS sessions, unix sockets"
echo "$(postconf -d mail_version 2>/dev/null | sed 's/ = / /'); $(dpkg-query -W -f='${Package} ${Version}; ' \
    opendkim postfix-policyd-spf-python nsd 2>/dev/null)"

mount --make-rprivate / || exit 1
ip link set lo up || exit 1
ip addr add 127.0.0.2/32 dev lo || exit 1
ip route replace table local local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.2 &&
    ip route replace table local local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.2 ||
    { echo "stack: cannot make 127.0.0.2 the loopback source" >&2; exit 1; }

T=$(mktemp -d /tmp/portrole-stack.XXXXXX) || exit 1
chmod 755 "$T"
mkdir -m 755 "$T/sock" "$T/nsd"
PIDS=
COUNT_SINK_PID=

cleanup() {
    local p
    trap - EXIT INT TERM
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do pf_wait_gone "$p" 15 || kill -9 "$p" 2>/dev/null; done
    [ -n "$COUNT_SINK_PID" ] && { kill "$COUNT_SINK_PID" 2>/dev/null; pf_wait_gone "$COUNT_SINK_PID" 10; }
    pf_stop
    umount /etc/resolv.conf 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "stack: FAIL: $*" >&2; exit 1; }

# --- the signed message and the zone -------------------------------------
openssl genrsa -out "$T/key.pem" 2048 >/dev/null 2>&1 || fail "openssl genrsa"
PUB=$(openssl rsa -in "$T/key.pem" -pubout -outform DER 2>/dev/null | base64 -w0)
[ -n "$PUB" ] || fail "no public key"
{
    printf '%s\n' "From: Sender <sender@example.net>" "To: <user@example.org>" \
        "Subject: benchmark" "Date: Tue, 01 Dec 2026 12:00:00 +0000" \
        "Message-ID: <bench@example.net>" "MIME-Version: 1.0" ""
    awk 'BEGIN { for (i = 0; i < 28; i++) printf "%072d\n", i }'
} >"$T/plain.eml"
python3 "$HERE/../data/spfdkim/dkimsign.py" "$T/key.pem" example.net bench relaxed/relaxed \
    from:to:subject:date:message-id <"$T/plain.eml" >"$T/signed.eml" || fail "dkimsign.py"

# portrole's TestDNSData: one TXT string each.
cat >"$T/zone.txt" <<EOF
example.net TXT "v=spf1 ip4:127.0.0.2 -all"
bench._domainkey.example.net TXT "v=DKIM1; k=rsa; p=$PUB"
EOF
# nsd's zone: the same records, the key split into 200-byte strings.
{
    printf '$ORIGIN example.net.\n$TTL 3600\n'
    printf '@ IN SOA ns.example.net. hostmaster.example.net. 1 3600 600 86400 3600\n'
    printf '@ IN NS ns.example.net.\nns IN A 127.0.0.1\n'
    printf '@ IN TXT "v=spf1 ip4:127.0.0.2 -all"\n'
    printf 'bench._domainkey IN TXT ( "v=DKIM1; k=rsa; "'
    echo "p=$PUB" | fold -w 200 | sed 's/.*/ "&"/' | tr -d '\n'
    printf ' )\n'
} >"$T/nsd/example.net.zone"
cat >"$T/nsd/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1
    port: 53
    username: ""
    chroot: ""
    zonesdir: "$T/nsd"
    database: ""
    zonelistfile: "$T/nsd/zone.list"
    xfrdfile: "$T/nsd/xfrd.state"
    pidfile: "$T/nsd/nsd.pid"
    logfile: "$T/nsd/nsd.log"
    server-count: 1
    verbosity: 0
remote-control:
    control-enable: no
zone:
    name: example.net
    zonefile: example.net.zone
EOF
nsd -d -c "$T/nsd/nsd.conf" >"$T/nsd/stderr" 2>&1 &
PIDS="$PIDS $!"
echo "nameserver 127.0.0.1" >"$T/resolv.conf"
mount --bind "$T/resolv.conf" /etc/resolv.conf || fail "cannot bind-mount a private resolv.conf"
pf_wait_port up 15 53 2>/dev/null || true
i=0
until /usr/bin/python3 - <<'EOF' 2>/dev/null
import sys, spf
r = spf.check2(i="127.0.0.2", s="sender@example.net", h="client.example.net")
sys.exit(0 if r[0] == "pass" else 1)
EOF
do
    [ $i -ge 50 ] && fail "nsd does not answer the SPF query: $(cat "$T/nsd/stderr" "$T/nsd/nsd.log" 2>/dev/null | tail -3)"
    sleep 0.2; i=$((i + 1))
done

# --- the checkers -----------------------------------------------------------
cat >"$T/opendkim.conf" <<EOF
Mode v
Socket local:$T/sock/opendkim.sock
UMask 000
Background no
Syslog no
AuthservID mx.example.test
Nameservers 127.0.0.1
PidFile $T/opendkim.pid
EOF
opendkim -x "$T/opendkim.conf" >"$T/opendkim.log" 2>&1 &
PIDS="$PIDS $!"
cat >"$T/policyd-spf.conf" <<EOF
debugLevel = 0
TestOnly = 1
HELO_reject = Fail
Mail_From_reject = Fail
PermError_reject = False
TempError_Defer = False
skip_addresses = 127.0.0.1/32,::1
EOF
cat >"$T/portrole.conf" <<EOF
Socket unix:$T/sock/portrole.sock
UMask 000
Listener $PF_PORT_MX mx
LocalDomains example.org
TrustedNetworks 127.0.0.1/32
AuthservID mx.example.test
AuthResults yes
SPF on
DKIM verify
TestDNSData $T/zone.txt
EOF
sed -e '/^Socket/s/portrole.sock/portrole-off.sock/' -e 's/^SPF on/SPF off/' -e 's/^DKIM verify/DKIM off/' \
    -e '/^TestDNSData/d' "$T/portrole.conf" >"$T/portrole-off.conf"
for v in portrole portrole-off; do
    "$PORTROLE_MILTER" -c "$T/$v.conf" -f >"$T/$v.log" 2>&1 &
    PIDS="$PIDS $!"
done
for s in opendkim portrole portrole-off; do
    i=0
    while [ ! -S "$T/sock/$s.sock" ]; do
        [ $i -ge 150 ] && fail "$s did not start: $(tail -3 "$T/$s.log")"
        sleep 0.1; i=$((i + 1))
    done
done

# --- Postfix ---------------------------------------------------------------
PF_MILTER=no
pf_start "$T/pf" || fail "Postfix fixture did not start"
cat >>"$T/pf/etc/master.cf" <<EOF
policyd-spf unix -      n       n       -       0       spawn
  user=nobody argv=/usr/bin/policyd-spf $T/policyd-spf.conf
EOF
postconf -c "$T/pf/etc" -e "policyd-spf_time_limit = 3600" "milter_default_action = tempfail" || fail postconf
pf_backdate "$T/pf/etc/main.cf" "$T/pf/etc/master.cf"

# use VARIANT - point smtpd at the variant's checkers and reload Postfix.
use() {
    local milt=unix:$T/sock/$1.sock pol=
    [ "$1" = stack ] && { milt=unix:$T/sock/opendkim.sock; pol="check_policy_service unix:private/policyd-spf"; }
    postconf -c "$PF_DIR/etc" -e "smtpd_milters = $milt" "non_smtpd_milters = $milt" \
        "smtpd_recipient_restrictions = $pol" || return 1
    pf_backdate "$PF_DIR/etc/main.cf"
    postfix -c "$PF_DIR/etc" reload >/dev/null 2>&1 || return 1
    sleep 1
}

# send N - smtp-source sends N signed messages (HELO client.example.net).
send() {
    smtp-source -s $SESSIONS -m "$1" -F "$T/signed.eml" -f sender@example.net \
        -t user@example.org -M client.example.net "127.0.0.1:$PF_PORT_MX"
}

# Preflight: each variant's delivered message carries both results.
for v in $VARIANTS; do
    use "$v" || fail "could not switch Postfix to $v"
    rm -f "$PF_DIR"/sink/*
    send 1 >"$T/pre.$v" 2>&1 || { cat "$T/pre.$v" >&2; fail "smtp-source ($v preflight)"; }
    pf_wait_queue_empty 60 || fail "queue not empty ($v preflight)"
    f=$(ls "$PF_DIR"/sink/* 2>/dev/null | head -1)
    [ -n "$f" ] || fail "$v: nothing reached the sink: $(grep -m3 -E 'reject|milter|warning' "$PF_DIR/log/maillog")"
    case $v in
    stack) want='^Received-SPF: Pass|dkim=pass' ;;
    portrole) want='spf=pass|dkim=pass' ;;
    *) want='^X-Port-Role:' ;;
    esac
    for w in ${want//|/ }; do
        grep -qiE "$w" "$f" || fail "$v: the delivered message has no $w: $(sed -n '1,/^\r\?$/p' "$f" | head -20)"
    done
done
echo "preflight: stack (Received-SPF: Pass, dkim=pass), portrole (spf=pass, dkim=pass), portrole-off: checked"
kill "$PF_SINK_PID"; pf_wait_gone "$PF_SINK_PID" 10; PF_SINK_PID=
pf_wait_port free 15 $PF_PORT_SINK || fail "sink port busy"
smtp-sink -u nobody -c 127.0.0.1:$PF_PORT_SINK 256 >"$T/sink.log" 2>&1 &
COUNT_SINK_PID=$!
pf_wait_port up 15 $PF_PORT_SINK || fail "smtp-sink did not start"

# run VARIANT ROUND - one timed run (bench-lib.sh); prints "accept/s e2e/s".
run() {
    use "$1" || fail "could not switch Postfix to $1"
    bench_timed_send "$MSGS" "$T/source.$1.$2" send "$MSGS" || fail "$1: see above"
    echo "$BENCH_ACCEPT $BENCH_E2E"
}

RATIOS="portrole/stack portrole/portrole-off portrole-off/stack"
for r in $(seq 1 "$ROUNDS"); do
    for v in $(bench_order "$r" $VARIANTS); do
        set -- $(run "$v" "$r")
        [ $# = 2 ] || exit 1
        echo "$1" >>"$T/acc.$v"; echo "$2" >>"$T/e2e.$v"
        printf '  %sround %d %-13s SMTP accept %7.1f msg/s   end to end %7.1f msg/s\n' \
            "$(bench_tag)" "$r" "$v" "$1" "$2"
    done
    for k in acc e2e; do
        for a in $RATIOS; do
            bench_ratio "$(tail -1 "$T/$k.${a%/*}")" "$(tail -1 "$T/$k.${a#*/}")" >>"$T/ratio.$k.${a%/*}.${a#*/}"
        done
    done
done

echo "== rates (msg/s: min median max)"
for v in $VARIANTS; do
    printf '  %s%-13s SMTP accept %s   end to end %s\n' "$(bench_tag)" "$v" \
        "$(bench_stats <"$T/acc.$v")" "$(bench_stats <"$T/e2e.$v")"
done
echo "== ratios (median of the per-round ratios (min..max))"
for k in acc e2e; do
    label="SMTP accept"; [ $k = e2e ] && label="end to end"
    for a in $RATIOS; do
        set -- $(bench_stats <"$T/ratio.$k.${a%/*}.${a#*/}")
        printf '%s%s %s = %.2f  (%.2f..%.2f)\n' "$(bench_tag)" "$a" "$label" "$2" "$1" "$3"
    done
done
bench_load_line after
[ "$BENCH_LOADED" = 1 ] && echo "LOADED: these figures were taken on a loaded machine; do not quote them"
exit 0
