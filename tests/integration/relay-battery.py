#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""relay-battery.py - the classic open-relay forms over SMTP, for relay.test.

usage: relay-battery.py HOST PORT SOURCE_ADDR SERVER_NAME TAG [DOMAINS [LOCALS]]

DOMAINS (comma-separated) are the server's own domains the forms are aimed
at, default local.test,example.test; its address literal [127.0.0.1] is
always added. LOCALS (comma-separated) are the legitimate recipients.

The forms are those relay testers use (nmap's smtp-open-relay, Metasploit's
smtp_relay: percent hack, quoted local part, two '@', source routes, bang
paths), each against the MTA's mydestination domain, its virtual domain and
its address literal, plus the bare forms, each also upper-cased and with a
trailing dot on the final domain. They were written down here from reading
those tools; no code of theirs is used.

For each sender (null, foreign, local) one SMTP session sends every form and
every legitimate local recipient as RCPTs, then DATA when any was accepted.
Prints one line per RCPT, tab-separated:

    RESULT  SENDER  KIND  RECIPIENT  REPLY

KIND is relay (must never be accepted), literal (the server's address
literal: refused, or delivered here) or local (must be accepted); REPLY
is the server's reply, code first. Exit 0 when the sessions ran (the
judging is relay.test's), 1 on an SMTP failure.
"""
import smtplib
import sys

HOST, PORT, SOURCE, SERVER, TAG = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
OURS = sys.argv[6].split(",") if len(sys.argv) > 6 else ["local.test", "example.test"]
U = "relaytest"
FOREIGN = "relay.example"          # smtp-sink gets every such message
LITERAL = "[127.0.0.1]"
DOMAINS = OURS + [LITERAL]


def forms():
    """Every relay form once, before the case and dot variants."""
    out = []
    for d in DOMAINS:
        out += [
            f"{U}%{FOREIGN}@{d}",               # percent hack
            f"{U}%{FOREIGN}%{d}@{d}",           # percent hack, twice
            f'"{U}@{FOREIGN}"@{d}',             # quoted address as local part
            f'"{U}%{FOREIGN}"@{d}',             # quoted percent hack
            f"{U}@{FOREIGN}@{d}",               # two '@'
            f"@{d}:{U}@{FOREIGN}",              # source route through us
            f"{FOREIGN}!{U}@{d}",               # bang path behind our domain
        ]
    out += [
        f"{U}@{FOREIGN}",                       # plain relay
        f'"{U}@{FOREIGN}"',                     # quoted, no domain
        f'"{U}%{FOREIGN}"',                     # quoted percent, no domain
        f"{FOREIGN}!{U}",                       # bare bang path
        f"@{LITERAL},@{SERVER}:{U}@{FOREIGN}",  # two-hop source route
    ]
    return out


def variants(addr):
    """The form, upper-cased, and with a trailing dot on a final domain name."""
    out = [addr, addr.upper()]
    if addr[-1].isalpha():
        out.append(addr + ".")
    return out


LOCAL = (sys.argv[7].split(",") if len(sys.argv) > 7 else
         ["carol@local.test", "carol@example.test", "CAROL@LOCAL.TEST", "carol@local.test.",
          "Carol@Example.Test.", "postmaster", "postmaster@local.test"])
SENDERS = [("null", ""), ("foreign", f"someone@{FOREIGN}"), ("local", f"alice@{OURS[0]}")]


def session(sname, sender):
    s = smtplib.SMTP(HOST, PORT, source_address=(SOURCE, 0), timeout=30)
    s.ehlo("client.test")
    code, msg = s.docmd("MAIL", f"FROM:<{sender}>")
    if code != 250:
        print(f"MAIL\t{sname}\t-\t<{sender}>\t{code} {msg.decode()}")
        s.quit()
        return
    accepted = 0
    # The server's address literal: not a LocalDomains name, so portrole
    # refuses it - unless the MTA resolves it to its local mailer
    # (Sendmail): judged by relay.test as "never reaches the sink".
    cases = ([("relay", v) for f in forms() for v in variants(f)]
             + [("literal", v) for v in variants(f"{U}@{LITERAL}")]
             + [("local", a) for a in LOCAL])
    for kind, rcpt in cases:
        code, msg = s.docmd("RCPT", f"TO:<{rcpt}>")
        text = msg.decode(errors="replace").replace("\n", " | ")
        print(f"RCPT\t{sname}\t{kind}\t<{rcpt}>\t{code} {text}")
        accepted += code // 100 == 2
    if accepted:
        code, msg = s.data(f"Subject: relay battery\r\nX-Test-Case: {TAG}-{sname}\r\n\r\nbattery\r\n")
        print(f"DATA\t{sname}\t-\t-\t{code} {msg.decode()}")
    s.quit()


def main():
    try:
        for sname, sender in SENDERS:
            session(sname, sender)
    except (OSError, smtplib.SMTPException) as e:
        print(f"ERROR\t-\t-\t-\t{e}")
        return 1
    return 0


sys.exit(main())
