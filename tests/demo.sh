#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# tests/demo.sh - portrole in front of a real Postfix, in under a minute.
#
#	tests/demo.sh [--no-deps] [--no-build] [--keep]
#
# Runs as root; started by another user it runs itself again through sudo.
# Installs what it needs (tests/deps.sh), builds out of tree (autoreconf,
# configure and make in _build-demo/), starts a private Postfix on
# 127.0.0.1 (tests/integration/postfix-fixture.sh: ports 10025 and 10026
# stand for port 25, 10587 for 587, 10465 for 465) with portrole-milter
# running the sample conf/portrole.conf, sends one message per scenario,
# and prints what each client was told and what was delivered with which
# header. Then portrole-audit reads the run's logs, and everything stops.
# Nothing leaves 127.0.0.1 and no DNS is asked. A scenario that does not
# end as SPEC says is named with one line why (the client's own error, else
# the reply it got), and only its log lines are shown.
# A tree configured in place (the README's build section) is first cleaned
# with "make distclean": an out-of-tree build needs an unconfigured tree.
#
# Environment: BUILD_DIR (default _build-demo), PORTROLE_MILTER and
# PORTROLE_AUDIT (binaries to use with --no-build).

set -u
srcdir=$(cd "$(dirname "$0")/.." && pwd)
deps=1 build=1 keep=0
for a in "$@"; do
    case $a in
    --no-deps) deps=0 ;;
    --no-build) build=0 ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "demo: unknown option $a (see --help)" >&2; exit 2 ;;
    esac
done
die() { echo "demo: $*" >&2; exit 1; }
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 && exec sudo "$0" "$@"
    die "runs a private Postfix: run it as root (there is no sudo here)"
fi
T0=$(date +%s.%N)
# The demo speaks the locale's language (issue 27): its headings and
# explanations go through gettext(1) with portrole's catalogue, compiled
# from po/ja.po into the build directory below, so that the demo's own
# portrole-audit and portrole-doctor find it too (PORTROLE_LOCALEDIR). What
# the clients were told, the headers and the log lines stay as they are.
export TEXTDOMAIN=portrole
# t MSGID - the translation, or MSGID itself
t() { if command -v gettext >/dev/null 2>&1; then gettext "$1"; else printf '%s' "$1"; fi; }
# cols TEXT - its terminal columns; pad TEXT WIDTH - TEXT and spaces to WIDTH
# columns: bash's printf counts bytes, and a Japanese character is three
# bytes and two columns (wide characters other than "…" count two)
cols() { local s=$1 wide; wide=${s//[[:ascii:]…]/}; echo $((${#s} + ${#wide})); }
pad() { local w; w=$(cols "$1"); printf '%s%*s' "$1" $(($2 > w ? $2 - w : 0)) ''; }
step() { printf '== %s (%5.1f s)\n' "$(pad "$1" 52)" "$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')"; }
# catalogue DIR - po/ja.po compiled into DIR, used by gettext and the tools
catalogue() {
    command -v msgfmt >/dev/null 2>&1 || return 0
    mkdir -p "$1/ja/LC_MESSAGES" &&
        msgfmt -o "$1/ja/LC_MESSAGES/portrole.mo" "$srcdir/po/ja.po" 2>/dev/null || return 0
    export TEXTDOMAINDIR=$1 PORTROLE_LOCALEDIR=$1
}

# ------------------------------------------------------------ deps, build
if [ $deps = 1 ]; then
    step "$(t 'installing dependencies (tests/deps.sh)')"
    sh "$srcdir/tests/deps.sh" || die "tests/deps.sh failed"
fi
BUILD_DIR=${BUILD_DIR:-$srcdir/_build-demo}
mkdir -p "$BUILD_DIR" && catalogue "$BUILD_DIR/locale"
# build_step LOG CMD... - run CMD with its output in LOG; on failure, die
# with the last lines of LOG (the real error, not a later consequence).
build_step() {
    local log=$1
    shift
    "$@" >>"$log" 2>&1 && return 0
    tail -n 15 "$log" | sed 's/^/  | /' >&2
    die "build failed: $* (whole output in $log)"
}
if [ $build = 1 ]; then
    step "$(printf "$(t 'building in %s')" "${BUILD_DIR#$srcdir/}")"
    mkdir -p "$BUILD_DIR" || die "cannot create $BUILD_DIR"
    blog=$BUILD_DIR/build.out
    : >"$blog"
    cd "$srcdir" || die "cannot enter $srcdir"
    if [ -f config.status ] && [ "$BUILD_DIR" != "$srcdir" ]; then
        echo "demo: the tree is configured in place (./configure): make distclean first"
        build_step "$blog" make distclean
    fi
    if [ ! -x configure ] || [ configure.ac -nt configure ]; then
        build_step "$blog" autoreconf -fi
    fi
    cd "$BUILD_DIR" || die "cannot enter $BUILD_DIR"
    [ -f Makefile ] || build_step "$blog" "$srcdir/configure"
    build_step "$blog" make -j2 portrole-milter
    make -j2 portrole-audit >>"$blog" 2>&1 || echo "demo: portrole-audit did not build; no audit view (see $blog)" >&2
    make -j2 portrole-doctor >>"$blog" 2>&1 || echo "demo: portrole-doctor did not build; no doctor report (see $blog)" >&2
    cd "$srcdir" || die "cannot enter $srcdir"
fi
PORTROLE_MILTER=${PORTROLE_MILTER:-$BUILD_DIR/portrole-milter}
PORTROLE_AUDIT=${PORTROLE_AUDIT:-$BUILD_DIR/portrole-audit}
[ -x "$PORTROLE_MILTER" ] || die "no $PORTROLE_MILTER (build first, or drop --no-build)"

# ------------------------------------------------------------ Postfix
. "$srcdir/tests/integration/postfix-fixture.sh"
exec 9>/tmp/portrole-postfix-fixture.lock
flock -w 300 9 || die "another demo or postfix.test holds the fixture ports"
WORK=$(mktemp -d /tmp/portrole-demo.XXXXXX)
chmod 755 "$WORK"
PF_MILTER_LOG=$WORK/milter.log
finish() {
    pf_stop
    if [ $keep = 1 ]; then echo "demo: kept $WORK"; else rm -rf "$WORK"; fi
}
trap finish EXIT
trap 'exit 1' INT TERM HUP

# The sample config, with the fixture's ports, domain and loopback network.
# SPF and DKIM are off: the demo asks no DNS.
grep -Ev '^[[:space:]]*(Socket|Listener|LocalDomains|TrustedNetworks|SPF|DKIM|TestDNSData|LogFormat)[[:space:]]' \
    "$srcdir/conf/portrole.conf" > "$WORK/portrole.conf"
cat >> "$WORK/portrole.conf" <<EOF
# --- tests/demo.sh: the fixture's ports stand for 25, 587 and 465
Socket inet:$PF_PORT_MILTER@127.0.0.1
Listener $PF_PORT_MX mx
Listener $PF_PORT_MXAUTH mx
Listener $PF_PORT_SUB submission
Listener $PF_PORT_SUBMAY submission
Listener $PF_PORT_SUBS submissions
LocalDomains $PF_DOMAIN
TrustedNetworks 127.0.0.1/32
SPF off
DKIM off
LogFormat kv
EOF
"$PORTROLE_MILTER" -c "$WORK/portrole.conf" -n >/dev/null 2>"$WORK/conf-check.txt" ||
    die "the adapted sample config is refused: $(cat "$WORK/conf-check.txt")"

step "$(t 'starting Postfix, smtp-sink and portrole-milter')"
pf_start "$WORK/pf" || die "the private Postfix did not start (see $WORK/pf/log)"
pf_milter_start "$WORK/portrole.conf" || die "portrole-milter did not start"

# The rollout's first step: portrole-doctor reads this Postfix the way
# Postfix does and judges each listener against the two hops. The fixture's
# port $PF_PORT_SUBMAY is a deliberately lax submission port (cleartext allowed).
step "$(t "portrole-doctor: the demo's own Postfix against its portrole.conf")"
PORTROLE_DOCTOR=${PORTROLE_DOCTOR:-$BUILD_DIR/portrole-doctor}
if [ ! -x "$PORTROLE_DOCTOR" ]; then
    echo "demo: no $PORTROLE_DOCTOR: no doctor report"
elif "$PORTROLE_DOCTOR" -c "$WORK/portrole.conf" --postfix "$WORK/pf/etc"; then
    :
else
    rc=$?
    if [ $rc = 2 ]; then
        # shellcheck disable=SC2059  # the format is the catalogue's
        printf "$(t 'demo: portrole-doctor exited 2 (it found errors): expected here, since this Postfix is
      misconfigured on purpose (port %s offers AUTH on a port-25 role, port
      %s takes submission without STARTTLS); on your server, fix each error first')\n" \
            "$PF_PORT_MXAUTH" "$PF_PORT_SUBMAY"
    else
        # shellcheck disable=SC2059
        printf "$(t 'demo: portrole-doctor exited %s (1: warnings, 2: errors; see above)')\n" "$rc"
    fi
fi

# ------------------------------------------------------------ scenarios
step "$(t 'sending one message per scenario')"
U=127.0.0.9             # an internet client
PW=$PF_PASSWORD
NAMES=() PORTS=()
scenario() { NAMES+=("$1"); PORTS+=("$2"); }

scenario "$(t 'Mail client on 587: STARTTLS + AUTH')" "587"
pf_send s1 --port $PF_PORT_SUB --local-interface $U --tls --auth PLAIN \
    --auth-user alice@example.test --auth-password $PW \
    --from alice@example.test --to friend@elsewhere.test
scenario "$(t 'Mail client on 465: TLS + AUTH')" "465"
pf_send s2 --port $PF_PORT_SUBS --local-interface $U --tlsc --auth LOGIN \
    --auth-user bob@example.test --auth-password $PW \
    --from bob@example.test --to friend@elsewhere.test
scenario "$(t 'Phone set to send on port 25, with AUTH')" "25*"
pf_send s3 --port $PF_PORT_MXAUTH --local-interface $U --auth PLAIN \
    --auth-user alice@example.test --auth-password $PW \
    --from alice@example.test --to friend@elsewhere.test
scenario "$(t 'Open-relay attempt')" "25"
pf_send s4 --port $PF_PORT_MX --local-interface $U \
    --from spammer@bad.test --to victim@elsewhere.test
scenario "$(t 'Spoofed local sender from the internet')" "25"
pf_send s5 --port $PF_PORT_MX --local-interface $U \
    --from alice@example.test --to bob@example.test
scenario "$(t 'Server-to-server delivery to our domain')" "25"
pf_send s6 --port $PF_PORT_MX --local-interface $U \
    --from news@remote.test --to alice@example.test
pf_wait_queue_empty 30

# ------------------------------------------------------------ the table
# told NAME - the reply that decided: the first 4xx/5xx, else the 250 of DATA.
told() {
    local r
    r=$(pf_replies "$1" | grep -E '^[45][0-9][0-9] ' | head -1)
    [ -n "$r" ] || r=$(pf_replies "$1" | grep -E '^250 2\.0\.0 Ok: queued' | tail -1)
    echo "${r:-(no reply)}"
}
# told_at NAME - the SMTP command whose reply told the client (MAIL, RCPT,
# or DATA for the end of the message): a MAIL-stage refusal is given at
# RCPT by default (DelayReject yes), so this is where the client hears it.
told_at() {
    awk '/^ *[-~*]*> / { line = $0; sub(/^ *[-~*]*> */, "", line); v = toupper(substr(line, 1, 4))
                         c = (v == "MAIL" || v == "RCPT" || v == "EHLO" || v == "HELO" || v == "AUTH" \
                              || v == "STAR" || v == "QUIT") ? v : "DATA"; next }
         /^ *<[-*~]* *[45][0-9][0-9] / { print c; found = 1; exit }
         /^ *<[-*~]* *250 2\.0\.0 Ok: queued/ { last = "DATA" }
         END { if (!found) print (last ? last : "-") }' "$PF_DIR/out/$1.txt" 2>/dev/null
}
# delivered NAME - where the message ended.
delivered() {
    local m s
    m=$(pf_find_msg "$1" mail | grep -c .); s=$(pf_find_msg "$1" sink | grep -c .)
    if [ "$m" -gt 0 ]; then
        t "local mailbox"
    elif [ "$s" -gt 0 ]; then
        t "relayed onward"
    else
        t "nothing"
    fi
    echo
}
# verdict NAME - role, auth, tls and verdict from the X-Port-Role header.
verdict() {
    local f h
    f=$(pf_find_msg "$1" | head -1)
    [ -n "$f" ] || { echo "-"; return; }
    h=$(pf_header "$f" X-Port-Role | head -1)
    printf '%s\n' "$h" | sed -E 's/^[^;]*; //; s/ \(.*//; s/port=[0-9]+; //; s/client=[^;]*; //; s/; /,/g'
}

# why NAME - one line on how the session ended: the client's own error
# (swaks prints "*** ..."), else the first refusal, else the last reply.
why() {
    local r
    r=$(grep -m1 -E '^\*\*\* ' "$PF_DIR/out/$1.txt" 2>/dev/null | sed 's/^\*\*\* *//')
    [ -z "$r" ] || { echo "swaks: $r"; return; }
    r=$(pf_replies "$1" | grep -m1 -E '^[45][0-9][0-9] ')
    [ -z "$r" ] || { echo "the server said: $r"; return; }
    r=$(pf_replies "$1" | tail -1)
    echo "last reply: ${r:-(none)}"
}

trunc() { local s=$1 w=$2; [ ${#s} -le $w ] && echo "$s" || echo "${s:0:$((w - 1))}…"; }
# row SCENARIO PORT TOLD DELIVERED HEADER - one line of the table
# (the port column is as wide as its heading, in any language)
PW=$(cols "$(t PORT)")
[ "$PW" -ge 4 ] || PW=4
AW=$(cols "$(t AT)")
[ "$AW" -ge 4 ] || AW=4
row() { printf '%s %s %s %s %s %s\n' "$(pad "$1" 41)" "$(pad "$2" $PW)" "$(pad "$3" $AW)" "$(pad "$4" 54)" "$(pad "$5" 15)" "$6"; }
echo
row "$(t SCENARIO)" "$(t PORT)" "$(t AT)" "$(t 'CLIENT WAS TOLD')" "$(t DELIVERED)" "X-PORT-ROLE"
row ----------------------------------------- "$(printf '%*s' $PW '' | tr ' ' -)" \
    "$(printf '%*s' $AW '' | tr ' ' -)" \
    ------------------------------------------------------ --------------- ------------------------------
for i in "${!NAMES[@]}"; do
    n=s$((i + 1))
    row "${NAMES[$i]}" "${PORTS[$i]}" "$(told_at $n)" "$(trunc "$(told $n)" 54)" "$(delivered $n)" "$(verdict $n)"
done
t "(25* = a port 25 that wrongly offers AUTH; the demo's ports are 10025/10026, 10587, 10465)"
echo
t "(AT = the command whose reply told the client: portrole decides a port's rule at MAIL and, as Postfix's smtpd_delay_reject does, gives the refusal at each RCPT; DelayReject no: at MAIL)"
echo
echo
t "In full:"
echo
# The labels of the "In full" lines, padded to the widest in any language;
# continuation lines indent two columns past them.
L_TOLD=$(t 'told:') L_HEADER=$(t 'header:') L_LOG=$(t 'log:') LW=0
for l in "$L_TOLD" "$L_HEADER" "$L_LOG"; do
    w=$(cols "$l")
    [ "$w" -le $LW ] || LW=$w
done
L_TOLD=$(pad "$L_TOLD" $LW) L_HEADER=$(pad "$L_HEADER" $LW) L_LOG=$(pad "$L_LOG" $LW)
L_CONT=$(pad '' $((LW + 7)))
for i in "${!NAMES[@]}"; do
    n=s$((i + 1))
    # shellcheck disable=SC2059
    echo "  ${NAMES[$i]} ($(printf "$(t 'port %s')" "${PORTS[$i]}"))"
    # shellcheck disable=SC2059
    echo "    $L_TOLD $(printf "$(t 'at %s:')" "$(told_at $n)") $(told $n)"
    f=$(pf_find_msg $n | head -1)
    if [ -n "$f" ]; then
        pf_header "$f" X-Port-Role | head -1 | fold -s -w 100 |
            sed "1s/^/    $L_HEADER X-Port-Role: /; 2,\$s/^/$L_CONT/"
    else
        echo "    $L_HEADER $(t '(nothing delivered)')"
    fi
    # The decision line: by the ref the client was told, else the queue id;
    # a session with neither (it never got that far) has no line of its own.
    key=$(told $n | sed -n 's/.*(ref \([0-9a-f]*\))$/ref=\1/p')
    q=$(pf_queue_id $n)
    [ -n "$key" ] || [ -z "$q" ] || key="$q: role="
    if [ -z "$key" ]; then
        # shellcheck disable=SC2059
        echo "    $L_LOG $(printf "$(t '(none: %s)')" "$(why $n)")"
        continue
    fi
    grep -F -- "$key" "$PF_MILTER_LOG" | sed 's/^[^ ]*portrole-milter\[[0-9]*\]: //' |
        fold -s -w 100 | sed "1s/^/    $L_LOG /; 2,\$s/^/$L_CONT/"
done

# ------------------------------------------------------------ audit view
echo
if [ -x "$PORTROLE_AUDIT" ]; then
    step "$(t "portrole-audit on this run's logs")"
    "$PORTROLE_AUDIT" "$PF_MILTER_LOG" "$PF_DIR/log/maillog" || echo "demo: portrole-audit exited $?"
    ref=$(told s4 | sed -n 's/.*(ref \([0-9a-f]*\))$/\1/p')
    if [ -n "$ref" ]; then
        echo
        # shellcheck disable=SC2059
        printf "$(t 'The open-relay sender quotes "ref %s"; the admin runs: portrole-audit --ref %s')\n" "$ref" "$ref"
        "$PORTROLE_AUDIT" --ref "$ref" "$PF_MILTER_LOG" "$PF_DIR/log/maillog" | sed 's/^/  /'
    fi
else
    echo "(portrole-audit is not built: no audit view)"
fi

# The demo doubles as a smoke test: each scenario must end as SPEC says.
bad= whys=
expect() {  # expect N REGEX - what the client was told + the header verdict
    local got
    got=$(printf '%s %s\n' "$(told $1)" "$(verdict $1)")
    printf '%s\n' "$got" | grep -Eq -- "$2" && return 0
    bad="$bad $1"
    whys="$whys$1 (${NAMES[${1#s} - 1]}): $(why $1); got \"$got\"
"
}
expect s1 '^250 .*role=submission,.*verdict=pass$'
expect s2 '^250 .*role=submissions,.*verdict=pass$'
expect s3 '^550 5\.7\.1 Port 25 is for server-to-server delivery.*\(ref [0-9a-f]{12}\) -$'
# The MAIL-stage refusal reaches the client at RCPT (DelayReject yes).
if [ "$(told_at s3)" != RCPT ]; then
    bad="$bad s3"
    whys="${whys}s3: auth-on-mx was told at $(told_at s3), not at RCPT (DelayReject yes)
"
fi
expect s4 '^554 5\.7\.1 <victim@elsewhere\.test>: Relay access denied.*\(ref [0-9a-f]{12}\) -$'
expect s5 '^250 .*role=mx,.*verdict=tag,violations=local-sender-on-mx$'
expect s6 '^250 .*role=mx,.*verdict=pass$'

step "$(t 'stopping everything')"
pf_stop
step "$(t 'done')"
if [ -n "$bad" ]; then
    echo "demo: these scenarios did not end as expected:$bad (run with --keep to look)" >&2
    printf '%s' "$whys" | sed 's/^/demo:   /' >&2
    exit 1
fi
