# SPDX-License-Identifier: BSD-2-Clause
# tests/integration/postfix-fixture.sh - a private Postfix on loopback.
#
# SYNOPSIS
#	. tests/integration/postfix-fixture.sh
#	pf_start DIR                 # Postfix + smtp-sink, milter wired in
#	pf_milter_start CONF         # portrole-milter -f, stderr to a log
#	pf_send NAME [swaks args]    # one SMTP session, transcript kept
#	pf_wait_queue_empty
#	pf_stop                      # everything, by PID (also from the trap)
#
# DESCRIPTION
#	Everything lives under DIR: etc/ (main.cf, master.cf, TLS, SASL),
#	spool/, data/, mail/ (the maildir of the local domain example.test),
#	sink/ (what smtp-sink received for every other domain) and log/.
#	Postfix listens on 127.0.0.1 only, one port per role:
#
#	  PF_PORT_MX      10025  mx, no AUTH (conf/postfix/master.cf "smtp")
#	  PF_PORT_MXAUTH  10026  mx with AUTH offered: the misconfigured server
#	  PF_PORT_SUB     10587  submission, STARTTLS required ("submission")
#	  PF_PORT_SUBMAY  10588  submission where Postfix allows cleartext
#	  PF_PORT_SUBS    10465  submissions, implicit TLS ("submissions")
#	  PF_PORT_SINK    10525  smtp-sink: every non-local domain ends here
#	  PF_PORT_MILTER  10099  portrole-milter (inet:10099@127.0.0.1)
#
#	main.cf and master.cf are built from conf/postfix/main.cf and
#	conf/postfix/master.cf, the snippets the docs show: only the milter
#	socket and the service names (ports) are replaced. PF_EXPLICIT_MACROS=1
#	also enables the commented milter_*_macros lines of the snippet.
#	PF_MILTER=no builds a Postfix without any milter. PF_MAIN_EDITS, one
#	"name = value" a line, is applied last with postconf -e (relay.test
#	adds a mydestination domain that way).
#
#	Nothing leaves loopback and nothing asks DNS: smtpd_peername_lookup=no,
#	smtp_dns_support_level=disabled and a bracketed numeric nexthop.
#	Postfix's relay restrictions are "permit" (test only) so that the milter
#	is the one that decides; the docs' snippet leaves them at the site's.
#
#	Every process is started here and stopped here by PID; pf_stop waits
#	until none is left (not even a zombie) and every port is free.
#
# DIAGNOSTICS
#	Functions print "fixture: ..." to stderr and return non-zero on failure.

PF_PORT_MX=10025
PF_PORT_MXAUTH=10026
PF_PORT_SUB=10587
PF_PORT_SUBMAY=10588
PF_PORT_SUBS=10465
PF_PORT_SINK=10525
PF_PORT_MILTER=10099
PF_DOMAIN=example.test
PF_HOST=mx.example.test
PF_PASSWORD=portrole-test-secret

PF_DIR=
PF_SRCDIR=${PF_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$PF_SRCDIR/tests/swaks.sh"
PF_SINK_PID=
PF_MILTER_PID=
PF_MASTER_PID=
PF_MILTER=${PF_MILTER:-yes}
PF_MILTER_LOG=${PF_MILTER_LOG:-}
PF_EXPLICIT_MACROS=${PF_EXPLICIT_MACROS:-0}

pf_msg() { echo "fixture: $*" >&2; }

# pf_ports - the Postfix listener ports, one per line.
pf_ports() {
    printf '%s\n' $PF_PORT_MX $PF_PORT_MXAUTH $PF_PORT_SUB $PF_PORT_SUBMAY $PF_PORT_SUBS
}

# pf_port_busy PORT - true when something listens on 127.0.0.1:PORT.
pf_port_busy() {
    [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
}

# pf_alive PID - true while PID exists and is not a zombie.
pf_alive() {
    local st
    [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
    st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# pf_wait_gone PID SECONDS - wait until PID is dead (zombie counts as dead).
pf_wait_gone() {
    local i=0 n=$(( $2 * 10 ))
    while pf_alive "$1"; do
        [ $i -ge $n ] && return 1
        sleep 0.1; i=$((i + 1))
    done
    return 0
}

# pf_wait_port STATE SECONDS PORT... - wait until every port is up|free.
pf_wait_port() {
    local want=$1 n=$(( $2 * 10 )) i=0 p ok
    shift 2
    while :; do
        ok=1
        for p in "$@"; do
            if [ "$want" = up ]; then pf_port_busy "$p" || ok=0
            else ! pf_port_busy "$p" || ok=0; fi
        done
        [ $ok = 1 ] && return 0
        [ $i -ge $n ] && { pf_msg "ports $* not $want after $((n / 10)) s"; return 1; }
        sleep 0.1; i=$((i + 1))
    done
}

# pf_backdate FILE... - Postfix ignores a main.cf younger than ~2 s.
pf_backdate() {
    touch -d "@$(( $(date +%s) - 10 ))" "$@"
}

# pf_master_block NAME - the lines of service NAME (type inet) in the
# conf/postfix/master.cf snippet, without the service name itself.
pf_master_block() {
    awk -v svc="$1" '
        /^[ \t]*#/ || /^[ \t]*$/ { next }
        /^[^ \t]/ { on = ($1 == svc && $2 == "inet") }
        on { if (/^[^ \t]/) sub(/^[^ \t]+[ \t]+/, ""); print }
    ' "$PF_SRCDIR/conf/postfix/master.cf"
}

# pf_main_snippet SOCKET - the conf/postfix/main.cf snippet with the milter
# socket replaced; PF_EXPLICIT_MACROS=1 enables the macro lines.
pf_main_snippet() {
    sed -e "s|^smtpd_milters = .*|smtpd_milters = $1|" \
        -e "$( [ "$PF_EXPLICIT_MACROS" = 1 ] && echo 's|^#\(milter_[a-z_]*_macros = \)|\1|' )" \
        "$PF_SRCDIR/conf/postfix/main.cf"
}

# pf_write_config - etc/main.cf and etc/master.cf.
pf_write_config() {
    local d=$PF_DIR e=$PF_DIR/etc nobody_uid nobody_gid
    nobody_uid=$(id -u nobody); nobody_gid=$(id -g nobody)
    cat > "$e/main.cf" <<EOF
# Generated by tests/integration/postfix-fixture.sh: the fixture's base.
compatibility_level = 3.6
queue_directory = $d/spool
data_directory = $d/data
myhostname = $PF_HOST
mydomain = $PF_DOMAIN
myorigin = \$mydomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
# Test only: Postfix lets every recipient through so that portrole decides.
# (smtpd refuses a list without reject_unauth_destination, even one that is
# never reached: the static:OK access map answers first.)
smtpd_relay_restrictions = check_recipient_access static:OK, reject_unauth_destination
smtpd_recipient_restrictions =
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
default_transport = smtp:[127.0.0.1]:$PF_PORT_SINK
relay_transport = smtp:[127.0.0.1]:$PF_PORT_SINK
smtp_tls_security_level = none
virtual_mailbox_domains = $PF_DOMAIN
virtual_mailbox_base = $d/mail
virtual_mailbox_maps = static:$PF_DOMAIN/
virtual_uid_maps = static:$nobody_uid
virtual_gid_maps = static:$nobody_gid
alias_maps =
alias_database =
biff = no
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
maillog_file = $d/log/maillog
maillog_file_prefixes = $d
smtpd_tls_security_level = may
smtpd_tls_chain_files = $e/tls/key.pem, $e/tls/cert.pem
smtpd_tls_session_cache_database =
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $e/sasl
smtpd_sasl_auth_enable = no
EOF
    if [ "$PF_MILTER" != no ]; then
        echo "# From conf/postfix/main.cf (socket replaced):" >> "$e/main.cf"
        pf_main_snippet "inet:127.0.0.1:$PF_PORT_MILTER" >> "$e/main.cf"
    fi
    {
        cat <<'EOF'
# Generated by tests/integration/postfix-fixture.sh.
# The listeners come from conf/postfix/master.cf, name -> 127.0.0.1:PORT.
EOF
        echo "127.0.0.1:$PF_PORT_MX $(pf_master_block smtp)"
        echo "127.0.0.1:$PF_PORT_SUB $(pf_master_block submission)"
        echo "127.0.0.1:$PF_PORT_SUBS $(pf_master_block submissions)"
        echo "# Fixture only: port 25 misconfigured with AUTH offered."
        echo "127.0.0.1:$PF_PORT_MXAUTH $(pf_master_block smtp)"
        echo "  -o smtpd_sasl_auth_enable=yes"
        echo "# Fixture only: submission where Postfix itself allows cleartext."
        echo "127.0.0.1:$PF_PORT_SUBMAY $(pf_master_block submission)"
        echo "  -o smtpd_tls_security_level=may"
        echo "  -o smtpd_tls_auth_only=no"
        cat <<'EOF'
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
    } > "$e/master.cf"
    if [ -n "${PF_MAIN_EDITS:-}" ]; then
        local edit
        while IFS= read -r edit; do
            [ -n "$edit" ] || continue
            postconf -c "$e" -e "$edit" || { pf_msg "postconf -e '$edit' failed"; return 1; }
        done <<<"$PF_MAIN_EDITS"
    fi
    pf_backdate "$e/main.cf" "$e/master.cf"
}

# pf_init DIR - create the instance's directories, certificate and users.
pf_init() {
    PF_DIR=$1
    local e=$PF_DIR/etc
    mkdir -p "$PF_DIR" || return 1
    chmod 755 "$PF_DIR"
    mkdir -p "$e/tls" "$e/sasl" "$PF_DIR/spool" "$PF_DIR/data" \
        "$PF_DIR/mail" "$PF_DIR/sink" "$PF_DIR/log" "$PF_DIR/out" || return 1
    chown root:root "$PF_DIR/spool" && chmod 755 "$PF_DIR/spool"
    chown postfix "$PF_DIR/data"
    chown nobody "$PF_DIR/mail" "$PF_DIR/sink"
    if [ ! -s "$e/tls/cert.pem" ]; then
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$PF_HOST" \
            -keyout "$e/tls/key.pem" -out "$e/tls/cert.pem" >/dev/null 2>&1 ||
            { pf_msg "openssl failed"; return 1; }
        chmod 600 "$e/tls/key.pem"
    fi
    cat > "$e/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN
sasldb_path: $e/sasl/sasldb2
EOF
    if [ ! -s "$e/sasl/sasldb2" ]; then
        local u
        for u in alice bob; do
            echo "$PF_PASSWORD" | saslpasswd2 -p -c -f "$e/sasl/sasldb2" -u "$PF_DOMAIN" "$u" ||
                { pf_msg "saslpasswd2 failed"; return 1; }
        done
    fi
    chown root:postfix "$e/sasl/sasldb2" && chmod 640 "$e/sasl/sasldb2"
    pf_write_config
}

# pf_start DIR - initialise DIR, start smtp-sink and Postfix, wait for ports.
pf_start() {
    pf_init "$1" || return 1
    local p
    for p in $(pf_ports) $PF_PORT_SINK; do
        pf_wait_port free 15 "$p" || return 1
    done
    smtp-sink -u nobody -d "$PF_DIR/sink/%H%M%S." -h sink.test \
        127.0.0.1:$PF_PORT_SINK 16 >"$PF_DIR/log/sink.log" 2>&1 &
    PF_SINK_PID=$!
    # "postfix start" runs its own checks; their warnings go to the maillog.
    postfix -c "$PF_DIR/etc" start >"$PF_DIR/log/start.log" 2>&1 ||
        { pf_msg "postfix start failed: $(tail -5 "$PF_DIR/log/start.log")"; return 1; }
    PF_MASTER_PID=$(sed -n '1s/ //gp' "$PF_DIR/spool/pid/master.pid" 2>/dev/null)
    pf_wait_port up 15 $(pf_ports) $PF_PORT_SINK || return 1
    pf_alive "$PF_SINK_PID" || { pf_msg "smtp-sink died: $(cat "$PF_DIR/log/sink.log")"; return 1; }
}

# pf_postfix_stop - stop Postfix and wait until its ports are free.
pf_postfix_stop() {
    [ -n "$PF_MASTER_PID" ] || return 0
    postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1 || kill "$PF_MASTER_PID" 2>/dev/null
    pf_wait_gone "$PF_MASTER_PID" 15 || { pf_msg "master $PF_MASTER_PID will not stop"; kill -9 "$PF_MASTER_PID" 2>/dev/null; }
    PF_MASTER_PID=
    pf_wait_port free 15 $(pf_ports)
}

# pf_milter_bin - the portrole-milter to test: $PORTROLE_MILTER, else
# $top_builddir's (set by make check).
pf_milter_bin() {
    local b
    for b in "${PORTROLE_MILTER:-}" "${top_builddir:+$top_builddir/portrole-milter}"; do
        [ -n "$b" ] && [ -x "$b" ] && { echo "$b"; return 0; }
    done
    return 1
}

# pf_milter_start CONF - run portrole-milter -f on PF_PORT_MILTER; its
# stderr (the decision log) goes to PF_MILTER_LOG (default
# DIR/log/milter.log). The milter may outlive one Postfix (pf_postfix_stop).
pf_milter_start() {
    local bin
    bin=$(pf_milter_bin) || { pf_msg "no portrole-milter binary"; return 1; }
    pf_wait_port free 15 $PF_PORT_MILTER || return 1
    PF_MILTER_LOG=${PF_MILTER_LOG:-$PF_DIR/log/milter.log}
    "$bin" -c "$1" -f -p "inet:$PF_PORT_MILTER@127.0.0.1" \
        >>"$PF_MILTER_LOG" 2>&1 &
    PF_MILTER_PID=$!
    if ! pf_wait_port up 15 $PF_PORT_MILTER || ! pf_alive "$PF_MILTER_PID"; then
        pf_msg "portrole-milter did not start: $(tail -5 "$PF_MILTER_LOG")"
        return 1
    fi
}

# pf_milter_hup - make the milter re-read its config and wait for it to
# say so (or 2 s when it logs nothing about reloads).
pf_milter_hup() {
    local before i=0
    before=$(grep -ci 'reload' "$PF_MILTER_LOG")
    kill -HUP "$PF_MILTER_PID" || return 1
    while [ "$(grep -ci 'reload' "$PF_MILTER_LOG")" = "$before" ]; do
        [ $i -ge 20 ] && break
        sleep 0.1; i=$((i + 1))
    done
    pf_alive "$PF_MILTER_PID"
}

# pf_milter_stop - SIGTERM; libmilter takes up to ~5 s to leave smfi_main.
pf_milter_stop() {
    [ -n "$PF_MILTER_PID" ] || return 0
    kill "$PF_MILTER_PID" 2>/dev/null
    pf_wait_gone "$PF_MILTER_PID" 15 || { pf_msg "milter will not stop"; kill -9 "$PF_MILTER_PID" 2>/dev/null; pf_wait_gone "$PF_MILTER_PID" 5; }
    PF_MILTER_PID=
    pf_wait_port free 15 $PF_PORT_MILTER
}

# pf_stop - stop everything this fixture started. Safe to call twice.
pf_stop() {
    [ -n "$PF_DIR" ] || return 0
    pf_postfix_stop
    pf_milter_stop
    pf_sink_stop
    return 0
}

# pf_sink_stop - stop smtp-sink and wait until its port is free.
pf_sink_stop() {
    [ -n "$PF_SINK_PID" ] || return 0
    kill "$PF_SINK_PID" 2>/dev/null
    pf_wait_gone "$PF_SINK_PID" 10 || kill -9 "$PF_SINK_PID" 2>/dev/null
    wait "$PF_SINK_PID" 2>/dev/null
    PF_SINK_PID=
    pf_wait_port free 15 $PF_PORT_SINK
}

# pf_queue_count - messages still in Postfix's queue.
pf_queue_count() {
    local q n=0
    for q in maildrop incoming active deferred hold; do
        [ -d "$PF_DIR/spool/$q" ] || continue
        n=$(( n + $(find "$PF_DIR/spool/$q" -type f | wc -l) ))
    done
    echo $n
}

# pf_wait_queue_empty [SECONDS] - wait until every message is delivered.
pf_wait_queue_empty() {
    local n=$(( ${1:-30} * 10 )) i=0
    while [ "$(pf_queue_count)" != 0 ]; do
        [ $i -ge $n ] && { pf_msg "queue not empty after ${1:-30} s"; return 1; }
        sleep 0.1; i=$((i + 1))
    done
}

# pf_log_trouble - of the maillog lines on stdin, those that concern what
# the tests test: a warning or error about a milter or portrole, a deferral
# or a bounce, a fatal error or a panic (a Postfix process that died). The
# rest of Postfix's house-keeping (clock skew, "resetting file time
# stamps", a slow disk) is the machine's business, not a failure.
pf_log_trouble() {
    grep -iE '(warning|error): .*(milter|portrole)|status=(deferred|bounced)|(fatal|panic): '
}

# pf_send NAME [swaks options] - one SMTP session from swaks. Adds the header
# "X-Test-Case: NAME" to find the message later; the transcript goes to
# DIR/out/NAME.txt. Returns swaks' exit status.
pf_send() {
    local name=$1; shift
    swaks_run --server 127.0.0.1 --helo client.test --timeout 20 \
        --add-header "X-Test-Case: $name" "$@" \
        >"$PF_DIR/out/$name.txt" 2>&1
}

# pf_sendmail NAME FROM TO - a local submission through sendmail(1), the
# non_smtpd_milters path.
pf_sendmail() {
    printf 'From: %s\nTo: %s\nSubject: %s\nX-Test-Case: %s\n\nlocal submission\n' \
        "$2" "$3" "$1" "$1" |
        sendmail -C "$PF_DIR/etc" -f "$2" "$3" >"$PF_DIR/out/$1.txt" 2>&1
}

# pf_replies NAME - the server's replies in a swaks transcript, one a line.
pf_replies() {
    sed -n 's/^ *<[-*~]* *//p' "$PF_DIR/out/$1.txt"
}

# pf_ref_reply NAME TEXT - true when the server answered exactly
# "TEXT (ref XXXXXXXXXXXX)"; prints the ref.
pf_ref_reply() {
    local line ref
    while IFS= read -r line; do
        case $line in
        "$2 (ref "*")")
            ref=${line#"$2 (ref "}; ref=${ref%)}
            if [[ $ref =~ ^[0-9a-f]{12}$ ]]; then echo "$ref"; return 0; fi ;;
        esac
    done < <(pf_replies "$1")
    return 1
}

# pf_queue_id NAME - the queue id from "250 2.0.0 Ok: queued as ID".
pf_queue_id() {
    pf_replies "$1" | sed -n 's/^250 2\.0\.0 Ok: queued as \([0-9A-Za-z]*\).*/\1/p' | tail -1
}

# pf_find_msg NAME [mail|sink] - the delivered files that carry NAME.
pf_find_msg() {
    local where=${2:-mail sink} w
    for w in $where; do
        grep -rlx "X-Test-Case: $1" "$PF_DIR/$w" 2>/dev/null
    done | sort
}

# pf_header FILE NAME - every NAME: header of FILE, unfolded, one a line,
# in the order they appear (headers end at the first empty line).
pf_header() {
    awk -v want="$2" '
        BEGIN { want = tolower(want) ":" }
        /^\r?$/ { if (inhdr) flush(); exit }
        /^[ \t]/ { if (cur != "") { sub(/^[ \t]+/, " "); cur = cur $0 }; next }
        { flush(); inhdr = 1
          if (tolower(substr($0, 1, length(want))) == want) cur = $0 }
        function flush() { if (cur != "") print cur; cur = "" }
        END { flush() }
    ' "$1" | tr -d '\r' | sed 's/^[^:]*: *//'
}

# pf_log_lines PATTERN - decision lines of the milter log matching PATTERN
# (extended regexp).
pf_log_lines() {
    grep -E -- "$1" "$PF_MILTER_LOG"
}
