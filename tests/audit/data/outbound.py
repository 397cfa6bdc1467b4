#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/audit/data/outbound.py - generate the outbound delivery logs of
Postfix's smtp(8) and of Sendmail that portrole-audit's OP25B rule is
tested on, in the exact forms those programs write:

  op25b      a server whose provider blocks port 25: every connection to
             port 25 of 12 different MX hosts times out (Postfix logs
             each failed connection, then the deferral that repeats the
             last one); one delivery to the provider's own MX and three
             through its submission port get through.
  slow       a healthy server: 60 deliveries to 10 MX hosts sent, one
             receiver whose single MX times out 8 times.
  few        every connection times out, but to 4 servers only (below
             the rule's minimum of 5 different servers).
  relayhost  relayhost = [smtp.provider.example]:587 that works: 60
             deliveries sent on port 587, none on port 25.
  sendmail   Sendmail (sm-mta) on a blocked line: "stat=Deferred:
             Connection timed out with HOST." for 8 different MX hosts.
  week       a week of portrole-milter decisions in Mode audit (the
             sample report's chart): auth-on-mx, unauth-relay,
             cleartext-submission, local-sender-on-mx on each day.
  HOST       (optional second argument) the syslog host name.

Usage: outbound.py SCENARIO [HOST] > mail.log
"""
import sys

scenario = sys.argv[1]
host = sys.argv[2] if len(sys.argv) > 2 else "mail"
qn = [0]
pid = [4000]


def stamp(i):
    """Nov 28 HH:MM:SS, one minute per step, in order."""
    return "Nov 28 %02d:%02d:%02d" % (8 + i // 3600 % 12, i // 60 % 60, i % 60)


def qid():
    qn[0] += 1
    return "4N%07X" % (0x1A2B00 + qn[0])


def line(i, tag, msg):
    print("%s %s %s[%d]: %s" % (stamp(i), host, tag, pid[0], msg))


def mx(n):
    return "mx%d.dest%d.example" % (n % 2 + 1, n), "203.0.113.%d" % (10 + n)


def pf_timeout(i, q, rcpt, name, addr, port=25):
    why = "connect to %s[%s]:%d: Connection timed out" % (name, addr, port)
    line(i, "postfix/smtp", why)
    line(i + 1, "postfix/smtp",
         "%s: to=<%s>, relay=none, delay=%d, delays=0.02/0.01/30/0, dsn=4.4.1, "
         "status=deferred (%s)" % (q, rcpt, 30 + i % 7, why))


def pf_sent(i, q, rcpt, name, addr, port=25, queued="4XyZb1"):
    line(i, "postfix/smtp",
         "%s: to=<%s>, relay=%s[%s]:%d, delay=1.4, delays=0.05/0.01/0.61/0.73, "
         "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as %s)" % (q, rcpt, name, addr, port,
                                                                  queued))


def sm_line(i, q, rcpt, mailer, relay, stat):
    line(i, "sm-mta", "%s: to=<%s>, delay=00:00:30, xdelay=00:00:30, mailer=%s, pri=120481, "
         "relay=%s, dsn=4.0.0, stat=%s" % (q, rcpt, mailer, relay, stat))


i = 0
if scenario == "op25b":
    for m in range(40):
        q, n = qid(), m % 12
        name, addr = mx(n)
        for attempt in range(2):
            pf_timeout(i, q, "user%d@dest%d.example" % (m, n), name, addr)
            i += 61
    pf_sent(i, qid(), "friend@isp.example", "mx.isp.example", "198.51.100.25")
    for m in range(3):
        i += 61
        pf_sent(i, qid(), "list%d@elsewhere.example" % m, "smtp.provider.example",
                "198.51.100.7", 587)
elif scenario == "slow":
    for m in range(60):
        name, addr = mx(m % 10)
        pf_sent(i, qid(), "user%d@dest%d.example" % (m, m % 10), name, addr)
        i += 61
    q = qid()
    for attempt in range(8):
        pf_timeout(i, q, "boss@slow.example", "mx.slow.example", "192.0.2.200")
        i += 300
elif scenario == "few":
    for m in range(30):
        name, addr = mx(m % 4)
        pf_timeout(i, qid(), "user%d@dest%d.example" % (m, m % 4), name, addr)
        i += 61
elif scenario == "relayhost":
    for m in range(60):
        pf_sent(i, qid(), "user%d@dest%d.example" % (m, m % 10), "smtp.provider.example",
                "198.51.100.7", 587)
        i += 61
elif scenario == "sendmail":
    for m in range(30):
        name, addr = mx(m % 8)
        sm_line(i, "wASM%05d" % m, "user%d@dest%d.example" % (m, m % 8), "esmtp",
                "%s. [%s]" % (name, addr), "Deferred: Connection timed out with %s." % name)
        i += 61
    sm_line(i, "wASM99999", "friend@isp.example", "esmtp", "mx.isp.example. [198.51.100.25]",
            "Sent (Ok: queued as 4XyZb1)")
elif scenario == "week":
    kinds = [("auth-on-mx", 25, "192.0.2.10", "laptop.example.net", "PLAIN", "alice"),
             ("unauth-relay", 25, "198.51.100.23", "unknown", "none", ""),
             ("cleartext-submission", 587, "203.0.113.5", "phone.example.net", "none", ""),
             ("local-sender-on-mx", 25, "192.0.2.77", "printer.example.net", "none", "")]
    n = 0
    for day in range(7):
        for k, (viol, port, addr, name, auth, login) in enumerate(kinds):
            for j in range((day * 3 + k * 5) % 7 + 1):
                n += 1
                print("Nov %2d %02d:%02d:%02d %s portrole-milter[77]: 4W%06X: role=%s port=%d "
                      "client=%s[%s] auth=%s%s tls=none from=<user@example.org> "
                      "rcpt=<x@example.net> action=tag violation=%s would=reject mode=audit "
                      "ref=%012x" % (21 + day, 8 + j, k * 7, j, host, n,
                                     "submission" if port == 587 else "mx", port, name, addr,
                                     auth, " login=" + login if login else "", viol, n))
else:
    sys.exit("unknown scenario " + scenario)
