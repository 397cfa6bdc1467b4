#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# debian/mkconf.sh SAMPLE - Debian's /etc/portrole.conf from the sample,
# on stdout. Every change is checked: a sample that no longer has the line
# to change fails the build instead of shipping an unsafe file.
set -e
sample=$1
for re in '^Socket ' '^Mode enforce$' '^LocalDomains ' '^#StatsFile '; do
    grep -q "$re" "$sample" || { echo "mkconf.sh: no line /$re/ in $sample" >&2; exit 1; }
done
cat <<'HEAD'
# /etc/portrole.conf - portrole-milter(8) configuration; see portrole.conf(5).
#
# AUDIT MODE: as installed, portrole rejects nothing ("Mode audit" below).
# Each message it would refuse is accepted, tagged in its X-Port-Role
# header and logged with would=reject in /var/log/mail.log; read them with
#     portrole-audit /var/log/mail.log
# To enforce: change "Mode audit" to "Mode enforce" below, then
#     portrole-milter -n -c /etc/portrole.conf && systemctl reload portrole-milter
#
# Postfix: add the two main.cf lines in /usr/share/doc/portrole/README.Debian.
# Debian's changes to the upstream sample: Mode audit, LocalDomains postfix,
# the socket inside Postfix's chroot, and the metrics file for
# node-exporter's textfile collector.
HEAD
sed -e '1d' \
    -e 's|^Socket .*|Socket unix:/var/spool/postfix/portrole/portrole.sock|' \
    -e 's|^Mode enforce$|Mode audit|' \
    -e 's|^LocalDomains .*|LocalDomains postfix|' \
    -e 's|^#StatsFile .*|StatsFile /var/lib/prometheus/node-exporter/portrole.prom|' \
    "$sample"
