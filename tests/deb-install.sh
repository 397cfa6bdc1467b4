#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/deb-install.sh [--suite SUITE] DEB - the Debian package in a fresh
# root of SUITE (trixie or bookworm; default: the host's own release), with
# that release's stock Postfix (issue 18 item 1, issue 24 item 5). Run by
# "make check-deb" (not by "make check"), and by tests/fresh.sh's "deb"
# scenario for the package it built in a root of the other release: it
# needs root, debootstrap (or the cached root) and the Debian mirror.
#
# The fresh root and the namespaces are tests/root-lib.sh's (shared with
# tests/fresh.sh): the tarball
# ${PORTROLE_FRESH_CACHE:-/var/cache/portrole-fresh}/SUITE-base.tar, built
# once by debootstrap from the host's mirror, unpacked for each run.
#
#   phase 1, the host's network (apt needs the mirror): Debian's own
#	postfix in its default "Internet Site" configuration, swaks and the
#	SASL and certificate packages port 587 needs, then the .deb;
#	the user, group, conffile, socket directory and unit are checked;
#   phase 2, loopback only (a private network namespace, empty
#	resolv.conf): the two main.cf lines read from the installed
#	README.Debian, a minimal submission service (master.cf "submission"
#	with TLS from Debian's snakeoil certificate and SASL from a sasldb),
#	Postfix started as its unit does, the milter started as the unit's
#	ExecStart as user portrole; one message to port 25, one to 587
#	(STARTTLS + AUTH PLAIN); both delivered with their X-Port-Role
#	header, both decisions in the milter's log in audit mode, the
#	metrics file written through its link; everything stopped by PID;
#   phase 3: apt-get purge, and nothing of the package is left (no path
#	naming portrole, no user or group, no conffile, no socket directory,
#	no metrics link).
#
# Every phase runs chrooted in private mount and PID namespaces; when its
# shell ends the kernel ends every process left in it. The root is then
# removed. Exit 0 pass, 1 fail, 77 not root / no debootstrap / no cache.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
WORKBASE=${PORTROLE_FRESH_WORK:-/var/tmp}
CHECKS=0 FAILED=0 ROOT=
ROOT_TAG=deb-install
. "$top/tests/root-lib.sh"
SUITE=$(root_host_suite)
if [ "${1:-}" = --suite ]; then
    SUITE=${2:-}; shift 2 2>/dev/null || shift
fi
DEB=${1:-}

say() { echo "deb-install: $*" >&2; }
ok() { CHECKS=$((CHECKS + 1)); echo "ok $CHECKS - $1"; }
not_ok() { CHECKS=$((CHECKS + 1)); FAILED=$((FAILED + 1)); echo "not ok $CHECKS - $1${2:+: $2}"; }

if [ -z "$DEB" ] || [ ! -s "$DEB" ]; then
    echo "usage: tests/deb-install.sh [--suite trixie|bookworm] portrole_VERSION_ARCH.deb (make check-deb)" >&2
    exit 2
fi
if ! root_suite_ok "$SUITE"; then
    echo "deb-install.sh: suite '$SUITE' is not trixie or bookworm (this host: $(root_host_suite))" >&2
    exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: deb-install.sh: needs root (chroot, namespaces)"
    exit 77
fi
if [ ! -s "$PORTROLE_FRESH_CACHE/$SUITE-base.tar" ] && ! command -v debootstrap >/dev/null 2>&1; then
    echo "SKIP: deb-install.sh: no cached $SUITE root in $PORTROLE_FRESH_CACHE and no debootstrap"
    exit 77
fi

# inside NET SCRIPT - run SCRIPT (a file in the root) chrooted, in private
# mount and PID namespaces; NET=private: loopback only
inside() {
    root_run "$ROOT" "$1" /dev/stdout "/bin/sh $2"
}

teardown() {
    keep=
    [ "$FAILED" -gt 0 ] && [ -n "${KEEP_ROOT:-}" ] && keep=1
    root_teardown "$ROOT" $keep
}
trap teardown EXIT
trap 'exit 1' INT TERM HUP

ROOT=$(mktemp -d "$WORKBASE/portrole-deb.XXXXXX") || exit 1
say "fresh root in $ROOT"
root_unpack "$SUITE" "$ROOT" || { not_ok "a fresh $SUITE root"; exit 1; }
ok "a fresh $SUITE root (Debian $(cat "$ROOT/etc/debian_version"))"
root_sources "$SUITE" "$ROOT"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mkdir -p "$ROOT/root/t"
# Named without "portrole", so that phase 3's search finds only what the package left.
cp "$DEB" "$ROOT/root/t/pkg.deb"
T=$ROOT/root/t

# ---- phase 1: install (network) -------------------------------------------------
cat >"$T/phase1.sh" <<'EOF'
set -e
echo "postfix postfix/main_mailer_type select Internet Site" | debconf-set-selections
echo "postfix postfix/mailname string mx.example.test" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends postfix swaks ssl-cert sasl2-bin libsasl2-modules \
    libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl >/dev/null
postconf -n >/root/t/main.cf.default
postconf -h mail_version >/root/t/mail_version
apt-get install -y -qq /root/t/pkg.deb >/root/t/install.out 2>&1
EOF
say "phase 1: postfix and the package from the mirror"
if inside host /root/t/phase1.sh >"$T/phase1.log" 2>&1; then
    ok "apt-get installs Debian's postfix $(cat "$T/mail_version" 2>/dev/null), then the package"
else
    not_ok "phase 1: apt-get install" "$(tail -5 "$T/phase1.log")"
    exit 1
fi
grep -q "portrole" "$ROOT/etc/passwd" && ok "system user portrole exists" || not_ok "system user portrole exists"
grep -Eq '^portrole:x:[0-9]+:(.*,)?postfix(,|$)' "$ROOT/etc/group" &&
    ok "postfix is in group portrole" || not_ok "postfix is in group portrole" "$(grep '^portrole:' "$ROOT/etc/group")"
uid=$(awk -F: '$1 == "portrole" {print $3}' "$ROOT/etc/passwd")
[ -n "$uid" ] && [ "$uid" -lt 1000 ] && ok "portrole is a system user (uid $uid)" || not_ok "portrole is a system user" "uid $uid"
grep -qx '/etc/portrole.conf' "$ROOT/var/lib/dpkg/info/portrole.conffiles" 2>/dev/null &&
    ok "/etc/portrole.conf is a conffile" || not_ok "/etc/portrole.conf is a conffile"
head -5 "$ROOT/etc/portrole.conf" | grep -q 'AUDIT MODE' &&
    ok "the config says audit mode in its first lines" || not_ok "the config says audit mode in its first lines"
head -12 "$ROOT/etc/portrole.conf" | grep -q '"Mode enforce"' &&
    ok "... and how to enforce" || not_ok "the config says how to enforce"
grep -qx 'Mode audit' "$ROOT/etc/portrole.conf" && ok "the config is in Mode audit" || not_ok "Mode audit"
d=$ROOT/var/spool/postfix/portrole
# Numeric: the host's names for the root's ids differ.
pfgid=$(awk -F: '$1 == "postfix" {print $3}' "$ROOT/etc/group")
[ "$(stat -c '%u:%g %a' "$d" 2>/dev/null)" = "$uid:$pfgid 2750" ] &&
    ok "socket directory inside Postfix's chroot (portrole:postfix 2750)" ||
    not_ok "socket directory inside Postfix's chroot" "$(stat -c '%u:%g %a' "$d" 2>&1), want $uid:$pfgid 2750"
for f in lib/systemd/system/portrole-milter.service usr/lib/tmpfiles.d/portrole.conf \
    usr/share/man/man8/portrole-milter.8.gz usr/share/man/man5/portrole.conf.5.gz \
    usr/share/man/man1/portrole-audit.1.gz usr/share/doc/portrole/README.Debian; do
    [ -s "$ROOT/$f" ] && ok "installed /$f" || not_ok "installed /$f"
done
[ -L "$ROOT/var/lib/prometheus/node-exporter/portrole.prom" ] &&
    ok "StatsFile link in node-exporter's textfile directory" || not_ok "StatsFile link"

# ---- phase 2: mail through a stock chrooted Postfix (loopback only) ----------------
cp "$top/tests/swaks.sh" "$T/swaks.sh"
cat >"$T/phase2.sh" <<'EOF'
set -u
: >/etc/resolv.conf
cd /root/t
. /root/t/swaks.sh
# The two main.cf lines, as README.Debian gives them.
sed -n 's/^    \(smtpd_milters = .*\)$/\1/p; s/^    \(non_smtpd_milters = .*\)$/\1/p' \
    /usr/share/doc/portrole/README.Debian >milter.lines
cat milter.lines >>/etc/postfix/main.cf
# A log file instead of syslog (no syslog daemon here), and port 587:
# STARTTLS with the snakeoil certificate Debian's main.cf names, SASL from a sasldb.
postconf -e maillog_file=/var/log/postfix.log
postconf -M submission/inet="submission inet n - y - - smtpd"
postconf -P submission/inet/syslog_name=postfix/submission \
    submission/inet/smtpd_tls_security_level=encrypt \
    submission/inet/smtpd_sasl_auth_enable=yes \
    submission/inet/smtpd_client_restrictions=permit_sasl_authenticated,reject \
    submission/inet/smtpd_relay_restrictions=permit_sasl_authenticated,reject \
    submission/inet/milter_macro_daemon_name=ORIGINATING
printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\nsasldb_path: /etc/sasldb2\n' \
    >/etc/postfix/sasl/smtpd.conf
echo secret | saslpasswd2 -p -c -u mx.example.test alice
mkdir -p /var/spool/postfix/etc
cp /etc/sasldb2 /var/spool/postfix/etc/sasldb2
chown root:postfix /etc/sasldb2 /var/spool/postfix/etc/sasldb2
chmod 640 /etc/sasldb2 /var/spool/postfix/etc/sasldb2
# The milter as the unit's ExecStart, as the unit's User=/Group=.
cmd=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/portrole-milter.service)
user=$(sed -n 's/^User=//p' /lib/systemd/system/portrole-milter.service)
group=$(sed -n 's/^Group=//p' /lib/systemd/system/portrole-milter.service)
echo "milter: setpriv as $user:$group: $cmd"
# shellcheck disable=SC2086
setpriv --reuid="$user" --regid="$group" --init-groups --inh-caps=-all -- $cmd 2>milter.log &
MPID=$!
i=0
while [ ! -S /var/spool/postfix/portrole/portrole.sock ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ls -l /var/spool/postfix/portrole/ >socket.ls
# Postfix as its unit starts it (Debian's chroot set-up, then postfix start).
/usr/lib/postfix/configure-instance.sh - >/dev/null 2>&1 || true
postfix start >postfix.start 2>&1
i=0
while ! swaks_run --server 127.0.0.1 --port 25 --quit-after CONNECT >/dev/null 2>&1 && [ $i -lt 100 ]; do
    sleep 0.1; i=$((i + 1))
done
swaks_run --server 127.0.0.1 --port 25 --helo client.example.net --from sender@example.net \
    --to root@localhost --header 'Subject: via port 25' >swaks25.out 2>&1
echo "swaks 25: $?"
swaks_run --server 127.0.0.1 --port 587 --tls --auth PLAIN --auth-user alice@mx.example.test \
    --auth-password secret --helo laptop.example.net --from alice@mx.example.test \
    --to root@localhost --header 'Subject: via port 587' >swaks587.out 2>&1
echo "swaks 587: $?"
i=0
while [ "$(grep -c '^Subject: via port' /var/mail/root 2>/dev/null)" != 2 ] && [ $i -lt 150 ]; do
    sleep 0.2; i=$((i + 1))
done
cp /var/mail/root mailbox 2>/dev/null
postfix stop >/dev/null 2>&1
kill -TERM "$MPID"
wait "$MPID"
echo "milter exit: $?"
cp /var/lib/prometheus/node-exporter/portrole.prom metrics.prom 2>/dev/null
cp /var/log/postfix.log postfix.log 2>/dev/null
exit 0
EOF
say "phase 2: one message to port 25, one to 587 (loopback only)"
inside private /root/t/phase2.sh >"$T/phase2.log" 2>&1
grep -q 'smtpd_milters = unix:/portrole/portrole.sock' "$T/milter.lines" &&
    ok "README.Debian gives the main.cf lines" || not_ok "README.Debian gives the main.cf lines" "$(cat "$T/milter.lines")"
grep -q 'srwxrwx--- .* portrole postfix .*portrole.sock' "$T/socket.ls" &&
    ok "the socket is portrole:postfix 770" || not_ok "the socket is portrole:postfix 770" "$(cat "$T/socket.ls")"
grep -qx 'swaks 25: 0' "$T/phase2.log" && ok "port 25: message accepted" ||
    not_ok "port 25: message accepted" "$(tail -8 "$T/swaks25.out")"
grep -qx 'swaks 587: 0' "$T/phase2.log" && ok "port 587: STARTTLS, AUTH PLAIN, message accepted" ||
    not_ok "port 587: message accepted" "$(tail -8 "$T/swaks587.out")"
# unfold - each header on one line
unfold() { awk '/^[ \t]/ { sub(/^[ \t]+/, " "); line = line $0; next } { if (line != "") print line; line = $0 } END { print line }' "$1"; }
unfold "$T/mailbox" >"$T/mailbox.1" 2>/dev/null
grep -Eq '^X-Port-Role: [^;]+; role=mx; port=25; client=[^;]*\[127\.0\.0\.1\]; auth=none; tls=none;.* verdict=pass' "$T/mailbox.1" &&
    ok "port 25: delivered with X-Port-Role role=mx" ||
    not_ok "port 25: X-Port-Role role=mx" "$(grep -E '^(X-Port-Role|Subject)' "$T/mailbox.1" | head -4)"
grep -Eq '^X-Port-Role: [^;]+; role=submission; port=587; client=[^;]*; auth=PLAIN; tls=TLSv1\.[23];.* verdict=pass' "$T/mailbox.1" &&
    ok "port 587: delivered with X-Port-Role role=submission, auth=PLAIN, TLS" ||
    not_ok "port 587: X-Port-Role role=submission" "$(grep -E '^(X-Port-Role|Subject)' "$T/mailbox.1" | head -4)"
grep -Eq ': role=mx port=25 client=[^ ]*\[127\.0\.0\.1\] auth=none tls=none from=<sender@example\.net> rcpt=<root@localhost> action=pass mode=audit ref=[0-9a-f]{12}$' "$T/milter.log" &&
    ok "log: the port-25 decision, mode=audit" || not_ok "log: port-25 decision" "$(grep action= "$T/milter.log" | head -3)"
grep -Eq ': role=submission port=587 .* auth=PLAIN login=alice@mx\.example\.test tls=TLSv1\.[23] from=<alice@mx\.example\.test> rcpt=<root@localhost> action=pass mode=audit ref=' "$T/milter.log" &&
    ok "log: the port-587 decision, login and TLS" || not_ok "log: port-587 decision" "$(grep action= "$T/milter.log" | head -3)"
grep -q 'starting portrole-milter .* on unix:/var/spool/postfix/portrole/portrole.sock (mode audit)' "$T/milter.log" &&
    ok "log: started in audit mode on the chroot socket" || not_ok "log: start line" "$(head -3 "$T/milter.log")"
grep -qx 'milter exit: 0' "$T/phase2.log" && ok "SIGTERM stops the milter (exit 0)" || not_ok "milter stops" "$(grep 'milter exit' "$T/phase2.log")"
grep -Eq 'warning: .*milter' "$T/postfix.log" 2>/dev/null &&
    not_ok "Postfix logs no milter warning" "$(grep -E 'warning: .*milter' "$T/postfix.log" | head -3)" ||
    ok "Postfix logs no milter warning"
grep -qx 'portrole_messages_total{role="mx",verdict="pass"} 1' "$T/metrics.prom" 2>/dev/null &&
    grep -qx 'portrole_messages_total{role="submission",verdict="pass"} 1' "$T/metrics.prom" &&
    ok "metrics through the node-exporter link: one mx and one submission message" ||
    not_ok "metrics file" "$(grep messages_total "$T/metrics.prom" 2>&1 | head -3)"

# ---- phase 3: purge -----------------------------------------------------------------
cat >"$T/phase3.sh" <<'EOF'
apt-get purge -y -qq portrole >/root/t/purge.out 2>&1
echo "purge: $?"
rm -f /root/t/pkg.deb
find / -xdev -path /proc -prune -o -path /root/t -prune -o -name '*portrole*' -print >/root/t/left
getent passwd portrole >>/root/t/left
getent group portrole >>/root/t/left
dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' portrole >>/root/t/left 2>/dev/null
[ -e /var/lib/prometheus ] && echo /var/lib/prometheus >>/root/t/left
exit 0
EOF
say "phase 3: apt-get purge"
inside host /root/t/phase3.sh >"$T/phase3.log" 2>&1
grep -qx 'purge: 0' "$T/phase3.log" && ok "apt-get purge portrole" || not_ok "apt-get purge" "$(tail -5 "$T/purge.out")"
if [ -f "$T/left" ] && [ ! -s "$T/left" ]; then
    ok "nothing is left: no file naming portrole, no user, no group, no dpkg record, no metrics directory"
else
    not_ok "nothing is left after purge" "$(head -10 "$T/left" 2>&1)"
fi
grep -q 'smtpd_milters' "$ROOT/etc/postfix/main.cf" && echo "# main.cf keeps the admin's two lines (the package never edits it)"

echo "deb-install: $((CHECKS - FAILED)) of $CHECKS checks passed"
[ "$FAILED" -eq 0 ]
