#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/integration/sendmail-fixture.sh - a private Sendmail 8.17 on loopback.
#
# SYNOPSIS
#	sendmail-fixture.sh fetch
#	sendmail-fixture.sh setup DIR
#	sendmail-fixture.sh start DIR
#	sendmail-fixture.sh milter DIR COMMAND [ARG...]
#	sendmail-fixture.sh milter-stop DIR
#	sendmail-fixture.sh stop DIR
#	sendmail-fixture.sh check
#	sendmail-fixture.sh tmpdir NAME
#
# DESCRIPTION
#	Debian's sendmail-bin conflicts with postfix, so it is never installed:
#	"fetch" downloads sendmail-bin, sendmail-base, sendmail-cf and libwrap0
#	with apt-get download into $SM_CACHE, and "setup" unpacks them with
#	dpkg -x into DIR/root, builds DIR/etc/sendmail.cf with m4 from the
#	packaged tree (sendmail-fixture.mc, which includes conf/sendmail/
#	portrole.mc with ports and socket moved to test values), a self-signed
#	certificate and a sasldb holding alice@example.test / $SM_PASSWORD.
#
#	"start" runs, all bound to 127.0.0.1:
#	  - a syslog listener (sendmail-syslogd.py) writing DIR/log/maillog;
#	  - smtp-sink on port 11525, keeping each message in DIR/sink/;
#	  - sendmail -bd with listeners MTA 11025, MSA 11587 (M=Ea),
#	    MSA-E 11588 (M=E, no `a': portrole answers the unauthenticated),
#	    SMTPS 11465 (M=s); example.test is delivered to DIR/mail/LOCAL.*,
#	    every other domain goes to the sink; the milter socket is
#	    DIR/run/milter.sock.
#	Sendmail runs inside "unshare -m --propagation private" with private
#	/etc/hosts, /etc/nsswitch.conf, /etc/resolv.conf, /dev/log and SASL
#	config directory bind-mounted over the system ones: it resolves the
#	host name before reading any .cf option, logs only to /dev/log and
#	reads Sendmail.conf only from fixed paths.  Nothing on the host
#	changes, and no DNS query or connection leaves loopback.
#
#	"milter" starts COMMAND (it must listen on unix:DIR/run/milter.sock)
#	with stdout and stderr to DIR/log/milter.log, replacing a running one.
#	Every process is stopped by its PID by "stop" ("milter-stop" for the
#	milter alone).  "check" tells whether this host can run the fixture.
#
#	"tmpdir" makes and prints a new DIR for a test that names none:
#	${TMPDIR:-/tmp}/portrole-NAME.XXXXXX, mode 0755 whoever runs it, since
#	smtp-sink and the local mailer run as unprivileged users, who cannot
#	enter a checkout under a 0700 home directory such as /root.
#
# DIAGNOSTICS
#	Exit 77 when the host cannot run the fixture (not root, no unshare,
#	packages cannot be fetched); 1 on any other failure, with the reason.
#
# ENVIRONMENT
#	SM_CACHE	where the .deb files are kept
#			(default ${XDG_CACHE_HOME:-$HOME/.cache}/portrole/sendmail)
#	SM_PASSWORD	alice's SASL password (default "portrole-test")
#	SM_EXPLICIT_MACROS  0: drop portrole.mc's confMILTER_MACROS_* lines
#			and keep Sendmail's default macro lists (default 1)
#	SM_VIRTUSER	at setup: a file of virtusertable lines ("key value");
#			the fixture builds it with makemap and turns on
#			FEATURE(virtusertable) (default: none)
#	SM_LOCAL_LMTP	at setup: 1 makes local delivery go through a mailer
#			named "lmtp" (F=z, LMTP over TCP) to an smtp-sink -L
#			on 127.0.0.1:11524 that "start" runs, keeping each
#			message in DIR/lmtp/; {rcpt_mailer} is then "lmtp" and
#			{rcpt_addr} the bare user, as with cyrusv2 (default 0)
#	top_srcdir	the source tree (default: two levels above this script)

set -u
umask 022
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH

SM_HERE=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$SM_HERE/../..}"
: "${SM_CACHE:=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/portrole/sendmail}"
: "${SM_PASSWORD:=portrole-test}"
: "${SM_EXPLICIT_MACROS:=1}"
SM_PKGS="sendmail-bin sendmail-base sendmail-cf libwrap0"
SM_PORTS="11025 11587 11588 11465 11525"
SM_MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null ||
    echo x86_64-linux-gnu)

sm_die() { echo "sendmail-fixture: $*" >&2; exit 1; }
sm_skip() { echo "sendmail-fixture: SKIP: $*" >&2; exit 77; }

# sm_alive PID: true while PID runs; a zombie (not yet reaped) is dead.
sm_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	_st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$_st" ] && [ "$_st" != Z ] && [ "$_st" != X ]
}

# sm_stop NAME PIDFILE: SIGTERM, up to 5 s, then SIGKILL; removes PIDFILE.
sm_stop() {
	[ -s "$2" ] || return 0
	_pid=$(head -n 1 "$2")
	case $_pid in ''|*[!0-9]*) rm -f "$2"; return 0;; esac
	if sm_alive "$_pid"; then
		kill -TERM "$_pid" 2>/dev/null
		_n=0
		while sm_alive "$_pid" && [ $_n -lt 50 ]; do
			sleep 0.1; _n=$((_n + 1))
		done
		if sm_alive "$_pid"; then
			echo "sendmail-fixture: $1 ($_pid) ignored SIGTERM, killing" >&2
			kill -KILL "$_pid" 2>/dev/null
		fi
	fi
	rm -f "$2"
}

# sm_wait SECONDS COMMAND...: poll COMMAND every 0.1 s until true.
sm_wait() {
	_limit=$(($1 * 10)); shift; _n=0
	until "$@"; do
		_n=$((_n + 1))
		[ $_n -ge $_limit ] && return 1
		sleep 0.1
	done
}

sm_port_free() {
	! bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

cmd_check() {
	[ "$(id -u)" -eq 0 ] ||
	    sm_skip "needs root (private mount namespace, sendmail runs as root)"
	command -v unshare >/dev/null || sm_skip "unshare(1) not found"
	unshare -m --propagation private true 2>/dev/null ||
	    sm_skip "unshare -m does not work here (no mount namespaces)"
	for _t in m4 dpkg apt-get smtp-sink swaks saslpasswd2 openssl \
	    python3 bash; do
		command -v $_t >/dev/null || sm_skip "$_t not found"
	done
	[ -d /usr/lib/sasl2 ] ||
	    sm_skip "/usr/lib/sasl2 missing: nowhere to mount the SASL config"
	[ -e "/usr/lib/$SM_MULTIARCH/sasl2/libsasldb.so.2" ] ||
	    sm_skip "Cyrus SASL sasldb plugin missing (libsasl2-modules-db)"
	[ -d "$top_srcdir/conf/sendmail" ] ||
	    sm_die "top_srcdir=$top_srcdir has no conf/sendmail"
}

sm_debs_present() {
	for _p in $SM_PKGS; do
		ls "$SM_CACHE/${_p}_"*.deb >/dev/null 2>&1 || return 1
	done
}

cmd_fetch() {
	sm_debs_present && return 0
	mkdir -p "$SM_CACHE" || sm_die "cannot create $SM_CACHE"
	if ! (cd "$SM_CACHE" && timeout 180 apt-get download -q $SM_PKGS) \
	    >"$SM_CACHE/fetch.log" 2>&1; then
		grep '^E:' "$SM_CACHE/fetch.log" | head -n 4 | sed 's/^/  /' >&2
		sm_skip "cannot fetch $SM_PKGS with apt-get download" \
		    "(no route to the Debian mirror, or apt lists not fetched: apt-get update)"
	fi
	sm_debs_present || sm_skip "apt-get download left no .deb in $SM_CACHE"
}

# sm_subst FILE: replace @DIR@ and @CF@ from stdin to FILE.
sm_subst() {
	sed -e "s|@DIR@|$DIR|g" -e "s|@CF@|$ROOT/usr/share/sendmail/cf|g" >"$1"
}

# The conf/sendmail/portrole.mc lines with test ports, loopback and socket.
# Each rewrite must match exactly once, so the file cannot drift silently.
sm_portrole_mc() {
	_src="$top_srcdir/conf/sendmail/portrole.mc"
	[ -r "$_src" ] || sm_die "cannot read $_src"
	sed -e 's/Name=MTA, Port=smtp\([,'"'"']\)/Name=MTA, Port=11025, Addr=127.0.0.1\1/' \
	    -e 's/Name=MSA, Port=submission\([,'"'"']\)/Name=MSA, Port=11587, Addr=127.0.0.1\1/' \
	    -e 's/Name=SMTPS, Port=submissions\([,'"'"']\)/Name=SMTPS, Port=11465, Addr=127.0.0.1\1/' \
	    -e "s|S=local:/run/portrole/portrole.sock|S=local:$DIR/run/milter.sock|" \
	    "$_src" >"$DIR/etc/portrole.mc"
	for _want in 'Name=MTA, Port=11025, Addr=127.0.0.1' \
	    'Name=MSA, Port=11587, Addr=127.0.0.1, M=Ea' \
	    'Name=SMTPS, Port=11465, Addr=127.0.0.1, M=s' \
	    "INPUT_MAIL_FILTER(\`portrole', \`S=local:$DIR/run/milter.sock" \
	    "define(\`confMILTER_MACROS_CONNECT'" \
	    "define(\`confMILTER_MACROS_ENVFROM'" \
	    "define(\`confMILTER_MACROS_EOH'"; do
		[ "$(grep -v '^dnl' "$DIR/etc/portrole.mc" |
		    grep -cF "$_want")" -eq 1 ] ||
		    sm_die "conf/sendmail/portrole.mc: expected one line with '$_want'"
	done
	[ "$(grep -c '^DAEMON_OPTIONS' "$DIR/etc/portrole.mc")" -eq 3 ] ||
	    sm_die "conf/sendmail/portrole.mc: expected 3 DAEMON_OPTIONS lines"
	# SM_EXPLICIT_MACROS=0: Sendmail's default macro lists, so that the
	# milter gets what it needs only by asking (smfi_setsymlist).
	if [ "$SM_EXPLICIT_MACROS" = 0 ]; then
		sed -i "/^define(\`confMILTER_MACROS_/d" "$DIR/etc/portrole.mc"
	fi
}

cmd_setup() {
	cmd_check
	cmd_fetch
	rm -rf "$DIR/root" "$DIR/etc" "$DIR/queue"
	mkdir -p "$DIR/root" "$DIR/etc/sasl" "$DIR/etc/tls" "$DIR/bin" \
	    "$DIR/run" "$DIR/log" "$DIR/mail" "$DIR/sink" "$DIR/ns/dev" \
	    "$DIR/queue" || sm_die "cannot create $DIR"
	chmod 700 "$DIR/queue" "$DIR/etc/sasl" "$DIR/etc/tls"
	# smtp-sink drops to nobody before it writes its files.
	chown nobody "$DIR/sink"
	for _p in $SM_PKGS; do
		dpkg -x "$(ls "$SM_CACHE/${_p}_"*.deb | tail -n 1)" "$DIR/root" ||
		    sm_die "dpkg -x $_p failed"
	done
	SENDMAIL=$ROOT/usr/libexec/sendmail/sendmail
	[ -x "$SENDMAIL" ] || sm_die "no $SENDMAIL in the packages"
	# setgid mail: ld.so would ignore LD_LIBRARY_PATH (libwrap.so.0).
	chmod g-s "$SENDMAIL"

	_host=$(hostname 2>/dev/null || echo localhost)
	printf '127.0.0.1\tlocalhost mx.example.test %s\n' "$_host" \
	    >"$DIR/etc/hosts"
	printf '%s\n' 'passwd: files' 'group: files' 'shadow: files' \
	    'hosts: files' 'networks: files' 'services: files' \
	    'protocols: files' >"$DIR/etc/nsswitch.conf"
	printf '%s\n' 'nameserver 127.0.0.1' 'options timeout:1 attempts:1' \
	    >"$DIR/etc/resolv.conf"
	printf '%s\n' 'hosts files' 'aliases files' >"$DIR/etc/service.switch"
	printf '%s\n' 'postmaster: root' 'MAILER-DAEMON: postmaster' \
	    >"$DIR/etc/aliases"
	: >"$DIR/etc/local-host-names"
	: >"$DIR/etc/helpfile"
	sm_extra_mc
	cat >"$DIR/etc/sasl/Sendmail.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN
sasldb_path: $DIR/etc/sasl/sasldb2
EOF
	printf '%s' "$SM_PASSWORD" | timeout 20 saslpasswd2 -p -c \
	    -f "$DIR/etc/sasl/sasldb2" -u example.test alice ||
	    sm_die "saslpasswd2 failed"
	chmod 600 "$DIR/etc/sasl/sasldb2"
	timeout 60 openssl req -x509 -newkey ec \
	    -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
	    -subj /CN=mx.example.test -keyout "$DIR/etc/tls/key.pem" \
	    -out "$DIR/etc/tls/cert.pem" >"$DIR/log/openssl.log" 2>&1 ||
	    sm_die "openssl req failed: $(cat "$DIR/log/openssl.log")"
	chmod 600 "$DIR/etc/tls/key.pem"

	# The local mailer: one file per message, DIR/mail/LOCALPART.TIME.PID.
	cat >"$DIR/bin/deliver" <<EOF
#!/bin/sh
# Local mailer of the portrole Sendmail fixture (sendmail wipes PATH).
f="$DIR/mail/\$1.\$(/bin/date +%s).\$\$"
/bin/cat >"\$f.tmp" && /bin/mv "\$f.tmp" "\$f"
EOF
	chmod 755 "$DIR/bin/deliver"

	sm_portrole_mc
	sm_subst "$DIR/etc/sendmail.mc" <"$SM_HERE/sendmail-fixture.mc"
	m4 -D_CF_DIR_="$ROOT/usr/share/sendmail/cf/" "$DIR/etc/sendmail.mc" \
	    >"$DIR/etc/sendmail.cf" 2>"$DIR/log/m4.log" ||
	    sm_die "m4 failed: $(cat "$DIR/log/m4.log")"
	[ -s "$DIR/log/m4.log" ] &&
	    sm_die "m4 warnings: $(cat "$DIR/log/m4.log")"
	chmod 644 "$DIR/etc/sendmail.cf"
	if [ -n "${SM_VIRTUSER:-}" ]; then
		LD_LIBRARY_PATH="$ROOT/usr/lib/$SM_MULTIARCH" \
		    "$ROOT/usr/libexec/sendmail/makemap" -C "$DIR/etc/sendmail.cf" \
		    hash "$DIR/etc/virtusertable" <"$DIR/etc/virtusertable" \
		    >"$DIR/log/makemap.log" 2>&1 ||
		    sm_die "makemap of $DIR/etc/virtusertable failed: $(cat "$DIR/log/makemap.log")"
	fi
	if [ "$SM_EXPLICIT_MACROS" = 0 ]; then
		_macros="O Milter.macros.connect=j, _, {daemon_name}, {if_name}, {if_addr}"
	else
		_macros="O Milter.macros.connect=j, _, {daemon_name}, {daemon_addr}, {daemon_port},"
	fi
	for _want in "O DaemonPortOptions=Family=inet, Name=MTA, Port=11025" \
	    "O InputMailFilters=portrole" "$_macros" \
	    "O HostsFile=$DIR/etc/hosts" "DSrelay:[127.0.0.1]"; do
		grep -qF "$_want" "$DIR/etc/sendmail.cf" ||
		    sm_die "sendmail.cf lacks '$_want'"
	done
	grep -q '^O DaemonPortOptions=.*Port=587, Name=MSA' \
	    "$DIR/etc/sendmail.cf" && sm_die "sendmail.cf has a default MSA on 587"
	echo "sendmail-fixture: set up in $DIR"
}

# sm_extra_mc: DIR/etc/extra.mc for the optional routing (SM_VIRTUSER,
# SM_LOCAL_LMTP); empty when neither is asked for.
sm_extra_mc() {
	: >"$DIR/etc/extra.mc"
	rm -f "$DIR/etc/lmtp-sink"
	if [ -n "${SM_VIRTUSER:-}" ]; then
		# makemap runs once sendmail.cf exists (it reads its options).
		cp "$SM_VIRTUSER" "$DIR/etc/virtusertable" ||
		    sm_die "cannot read SM_VIRTUSER=$SM_VIRTUSER"
		echo "FEATURE(\`virtusertable', \`hash -o $DIR/etc/virtusertable')dnl" \
		    >>"$DIR/etc/extra.mc"
	fi
	if [ "${SM_LOCAL_LMTP:-0}" = 1 ]; then
		mkdir -p "$DIR/lmtp" && chown nobody "$DIR/lmtp" ||
		    sm_die "cannot create $DIR/lmtp"
		: >"$DIR/etc/lmtp-sink"
		cat >>"$DIR/etc/extra.mc" <<'EOF'
define(`confLOCAL_MAILER', `lmtp')dnl
MAILER_DEFINITIONS
Mlmtp,	P=[IPC], F=lsADFMnqXz, S=EnvFromSMTP/HdrFromL, R=EnvToL/HdrToL, E=\r\n,
	T=DNS/RFC822/SMTP, A=TCP 127.0.0.1 11524
EOF
	fi
}

# Runs inside the private mount namespace (see cmd_start).
cmd_ns() {
	set -e
	mount --bind "$DIR/etc/hosts" /etc/hosts
	mount --bind "$DIR/etc/nsswitch.conf" /etc/nsswitch.conf
	mount --bind "$DIR/etc/resolv.conf" /etc/resolv.conf
	mount --bind "$DIR/etc/sasl" /usr/lib/sasl2
	# A private /dev: the original nodes, plus /dev/log to our listener.
	mount --bind /dev "$DIR/ns/dev"
	mount -t tmpfs -o mode=755,size=64k portrole-dev /dev
	for _n in null zero full random urandom tty; do
		: >"/dev/$_n"; mount --bind "$DIR/ns/dev/$_n" "/dev/$_n"
	done
	mkdir /dev/pts /dev/shm
	mount --bind "$DIR/ns/dev/pts" /dev/pts
	mount --bind "$DIR/ns/dev/shm" /dev/shm
	ln -s /proc/self/fd /dev/fd
	ln -s /proc/self/fd/0 /dev/stdin
	ln -s /proc/self/fd/1 /dev/stdout
	ln -s /proc/self/fd/2 /dev/stderr
	: >/dev/log; mount --bind "$DIR/log/syslog.sock" /dev/log
	set +e
	export LD_LIBRARY_PATH="$ROOT/usr/lib/$SM_MULTIARCH"
	timeout 30 "$SENDMAIL" -C "$DIR/etc/sendmail.cf" -bi -L sm-fixture ||
	    { echo "sendmail-fixture: newaliases failed" >&2; exit 1; }
	exec "$SENDMAIL" -C "$DIR/etc/sendmail.cf" -bd -L sm-fixture
}

sm_started() {
	[ -s "$DIR/run/sendmail.pid" ] &&
	    sm_alive "$(head -n 1 "$DIR/run/sendmail.pid")" &&
	    grep -q 'starting daemon' "$DIR/log/maillog"
}

sm_sock_exists() { [ -S "$1" ]; }

cmd_start() {
	cmd_check
	[ -s "$DIR/etc/sendmail.cf" ] || sm_die "run: $0 setup $DIR"
	for _p in $SM_PORTS; do
		sm_port_free $_p || sm_die "port 127.0.0.1:$_p is in use"
	done
	: >"$DIR/log/maillog"
	python3 "$SM_HERE/sendmail-syslogd.py" "$DIR/log/syslog.sock" \
	    "$DIR/log/maillog" >"$DIR/log/syslogd.err" 2>&1 &
	echo $! >"$DIR/run/syslogd.pid"
	sm_wait 10 sm_sock_exists "$DIR/log/syslog.sock" ||
	    { cmd_stop; sm_die "syslog listener did not start"; }

	smtp-sink -u nobody -d "$DIR/sink/%H%M%S." 127.0.0.1:11525 16 \
	    >"$DIR/log/sink.log" 2>&1 &
	echo $! >"$DIR/run/sink.pid"
	if [ -e "$DIR/etc/lmtp-sink" ]; then
		sm_port_free 11524 || { cmd_stop; sm_die "port 127.0.0.1:11524 is in use"; }
		smtp-sink -L -u nobody -d "$DIR/lmtp/%H%M%S." 127.0.0.1:11524 16 \
		    >"$DIR/log/lmtp-sink.log" 2>&1 &
		echo $! >"$DIR/run/lmtp-sink.pid"
	fi

	rm -f "$DIR/run/sendmail.pid"
	# -bd forks: the daemon writes its pid file and unshare returns.  The
	# namespace lives as long as the daemon.
	timeout 60 unshare -m --propagation private /bin/sh "$0" _ns "$DIR" \
	    >"$DIR/log/sendmail.err" 2>&1
	if ! sm_wait 20 sm_started; then
		cat "$DIR/log/sendmail.err" "$DIR/log/maillog" >&2
		cmd_stop
		sm_die "sendmail did not start"
	fi
	echo "sendmail-fixture: sendmail $(head -n 1 "$DIR/run/sendmail.pid") on 127.0.0.1 ports 11025 11587 11588 11465, sink 11525"
}

cmd_milter() {
	cmd_milter_stop
	rm -f "$DIR/run/milter.sock"
	"$@" >>"$DIR/log/milter.log" 2>&1 &
	echo $! >"$DIR/run/milter.pid"
	if ! sm_wait 15 sm_sock_exists "$DIR/run/milter.sock"; then
		tail -n 20 "$DIR/log/milter.log" >&2
		cmd_milter_stop
		sm_die "milter did not create $DIR/run/milter.sock"
	fi
}

cmd_milter_stop() { sm_stop milter "$DIR/run/milter.pid"; }

cmd_stop() {
	sm_stop sendmail "$DIR/run/sendmail.pid"
	cmd_milter_stop
	sm_stop smtp-sink "$DIR/run/sink.pid"
	sm_stop lmtp-sink "$DIR/run/lmtp-sink.pid"
	sm_stop syslogd "$DIR/run/syslogd.pid"
	rm -f "$DIR/log/syslog.sock"
}

sm_setdir() {
	[ -n "${1:-}" ] || sm_die "missing DIR"
	mkdir -p "$1" || sm_die "cannot create $1"
	DIR=$(cd "$1" && pwd)
	ROOT=$DIR/root
	SENDMAIL=$ROOT/usr/libexec/sendmail/sendmail
}

cmd_tmpdir() {
	[ -n "${1:-}" ] || sm_die "missing NAME"
	_t=$(mktemp -d "${TMPDIR:-/tmp}/portrole-$1.XXXXXX") || sm_die "cannot create a directory in ${TMPDIR:-/tmp}"
	chmod 755 "$_t" || sm_die "cannot chmod $_t"
	echo "$_t"
}

sm_main() {
	_cmd=${1:-}; [ $# -gt 0 ] && shift
	case $_cmd in
	check)	cmd_check ;;
	fetch)	cmd_fetch ;;
	setup)	sm_setdir "${1:-}"; cmd_setup ;;
	start)	sm_setdir "${1:-}"; cmd_start ;;
	_ns)	sm_setdir "${1:-}"; cmd_ns ;;
	milter)	sm_setdir "${1:-}"; shift; cmd_milter "$@" ;;
	milter-stop) sm_setdir "${1:-}"; cmd_milter_stop ;;
	stop)	sm_setdir "${1:-}"; cmd_stop ;;
	tmpdir)	cmd_tmpdir "${1:-}" ;;
	*)	echo "usage: $0 fetch|check|tmpdir NAME|setup DIR|start DIR|milter DIR CMD...|milter-stop DIR|stop DIR" >&2
		exit 2 ;;
	esac
}

sm_main "$@"
