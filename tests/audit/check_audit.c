/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_audit - portrole-audit: line formats, aggregation, reader, command line.
 *
 * DESCRIPTION
 *	Table-driven cases run every prefix form (RFC 3164, RFC 5424,
 *	rsyslog ISO, journalctl short and short-iso, -f, bare) with kv and
 *	JSON decisions and Postfix's own lines through auditlog_parse(); a
 *	Postfix + portrole session through the aggregator; the year
 *	rollover; the streaming reader on gzip, NUL bytes, 100 KB lines,
 *	invalid UTF-8 and binary garbage; and the built portrole-audit for
 *	--ref, the three formats and the exit codes. Every fixture is made
 *	here from documentation addresses and example domains. TZ is UTC so
 *	that local time stamps have one answer.
 */
#include "acconfig.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

#include "audit/auditlog_agg.h"
#include "audit/auditlog_reader.h"
#include "log.h"

#define REF_2024_12_01  1733011200      /* clock references, UTC */
#define REF_2025_01_05  1736035200
#define REF_2025_03_10  1741564800

#define KV_BODY "4XyZb1: role=mx port=25 client=mail.example.net[192.0.2.1] auth=none " \
    "tls=TLSv1.3 from=<a@example.net> rcpt=<b@example.org> action=reject " \
    "violation=unauth-relay mode=enforce ref=3f9c2a7b41d0"
#define JSON_BODY "{\"queueid\":\"NOQUEUE\",\"role\":\"submission\",\"port\":587," \
    "\"client_name\":\"pc.example.net\",\"client_addr\":\"2001:db8::5\",\"auth\":\"PLAIN\"," \
    "\"login\":\"alice\",\"tls\":\"TLSv1.3\",\"from\":\"bob@example.org\"," \
    "\"rcpt\":[\"c@example.com\",\"d@example.com\"],\"action\":\"tag\"," \
    "\"violation\":[\"sender-mismatch\"],\"would\":\"reject\",\"mode\":\"audit\"," \
    "\"ref\":\"0123456789ab\"}"

static char tmpdir[64];

/* setup - UTC, and a scratch directory outside the source tree */
static void setup(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    strcpy(tmpdir, "/tmp/check_audit.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

/* teardown - remove the scratch directory */
static void teardown(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* ------------------------------------------------------ line formats */

static const struct parse_case {
    const char *line;
    enum audit_kind kind;
    long        when;           /* 0: no time stamp */
    const char *tag, *queueid, *addr, *login;
    int         role, port, action;
    unsigned    cats;
    const char *ref;
} parse_cases[] = {
    /* RFC 3164 syslog and journalctl -o short, kv */
    {"Nov 28 13:14:38 mx portrole-milter[1234]: " KV_BODY, AUDIT_DECISION, 1732799678,
     "portrole-milter", "4XyZb1", "192.0.2.1", "", ROLE_MX, 25, ACT_REJECT,
     1u << V_UNAUTH_RELAY, "3f9c2a7b41d0"},
    {"Nov  8 09:05:01 mx portrole-milter[1234]: " KV_BODY, AUDIT_DECISION, 1731056701,
     "portrole-milter", "4XyZb1", "192.0.2.1", "", ROLE_MX, 25, ACT_REJECT,
     1u << V_UNAUTH_RELAY, "3f9c2a7b41d0"},
    /* rsyslog high precision, journalctl -o short-iso, RFC 5424 */
    {"2024-11-28T13:14:38.123456+01:00 mx portrole-milter[1234]: " KV_BODY, AUDIT_DECISION,
     1732796078, "portrole-milter", "4XyZb1", "192.0.2.1", "", ROLE_MX, 25, ACT_REJECT,
     1u << V_UNAUTH_RELAY, "3f9c2a7b41d0"},
    {"2024-11-28T13:14:38+0100 mx portrole-milter[1234]: " KV_BODY, AUDIT_DECISION,
     1732796078, "portrole-milter", "4XyZb1", "192.0.2.1", "", ROLE_MX, 25, ACT_REJECT,
     1u << V_UNAUTH_RELAY, "3f9c2a7b41d0"},
    {"<22>1 2024-11-28T13:14:38.003Z mx portrole-milter 1234 - [meta x=\"a]b\"] " KV_BODY,
     AUDIT_DECISION, 1732799678, "portrole-milter", "4XyZb1", "192.0.2.1", "", ROLE_MX, 25,
     ACT_REJECT, 1u << V_UNAUTH_RELAY, "3f9c2a7b41d0"},
    /* -f on stderr, and the bare line */
    {"portrole-milter[1234]: " KV_BODY, AUDIT_DECISION, 0, "portrole-milter", "4XyZb1",
     "192.0.2.1", "", ROLE_MX, 25, ACT_REJECT, 1u << V_UNAUTH_RELAY, "3f9c2a7b41d0"},
    {KV_BODY, AUDIT_DECISION, 0, "", "4XyZb1", "192.0.2.1", "", ROLE_MX, 25, ACT_REJECT,
     1u << V_UNAUTH_RELAY, "3f9c2a7b41d0"},
    /* kv: port unknown, login, two violations, escaped name */
    {"NOQUEUE: role=unknown port=- client=a\\x20b[192.0.2.7] auth=LOGIN login=bob tls=none "
     "from=<> rcpt=<x@example.org> action=tag violation=unknown-listener,auth-on-mx "
     "mode=audit ref=aaaaaaaaaaaa", AUDIT_DECISION, 0, "", "NOQUEUE", "192.0.2.7", "bob",
     ROLE_UNKNOWN, -1, ACT_TAG, 1u << V_UNKNOWN_LISTENER | 1u << V_AUTH_ON_MX, "aaaaaaaaaaaa"},
    /* LogFormat json, in syslog and bare */
    {"Nov 28 13:14:38 mx portrole-milter[1234]: " JSON_BODY, AUDIT_DECISION, 1732799678,
     "portrole-milter", "NOQUEUE", "2001:db8::5", "alice", ROLE_SUBMISSION, 587, ACT_TAG,
     1u << V_SENDER_MISMATCH, "0123456789ab"},
    {JSON_BODY, AUDIT_DECISION, 0, "", "NOQUEUE", "2001:db8::5", "alice", ROLE_SUBMISSION,
     587, ACT_TAG, 1u << V_SENDER_MISMATCH, "0123456789ab"},
    /* Postfix's own lines */
    {"Nov 28 13:14:38 mx postfix/smtpd[99]: NOQUEUE: reject: RCPT from x.example.net"
     "[192.0.2.9]: 554 5.7.1 <c@example.com>: Relay access denied; from=<a@example.net> "
     "to=<c@example.com> proto=ESMTP helo=<x>", AUDIT_POSTFIX, 1732799678, "postfix/smtpd",
     "NOQUEUE", "192.0.2.9", "", ROLE_MX, 25, -1, 1u << V_UNAUTH_RELAY, ""},
    {"Nov 28 13:14:38 mx postfix/submission/smtpd[99]: warning: unknown[198.51.100.4]: "
     "SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=carol", AUDIT_POSTFIX,
     1732799678, "postfix/submission/smtpd", "", "198.51.100.4", "carol", ROLE_SUBMISSION,
     587, -1, 1u << AUDIT_CAT_AUTH_FAILED, ""},
    {"Nov 28 13:14:38 mx postfix/smtpd[99]: warning: unknown[198.51.100.4]: SASL PLAIN "
     "authentication failed: authentication failure", AUDIT_POSTFIX, 1732799678,
     "postfix/smtpd", "", "198.51.100.4", "", ROLE_MX, 25, -1, 1u << AUDIT_CAT_AUTH_FAILED, ""},
    {"Nov 28 13:14:38 mx postfix/smtps/smtpd[99]: lost connection after AUTH from "
     "unknown[203.0.113.8]", AUDIT_POSTFIX, 1732799678, "postfix/smtps/smtpd", "",
     "203.0.113.8", "", ROLE_SUBMISSIONS, 465, -1, 1u << AUDIT_CAT_AUTH_LOST, ""},
    {"Nov 28 13:14:38 mx postfix/submission/smtpd[99]: NOQUEUE: reject: MAIL from "
     "phone.example.net[203.0.113.5]:4711: 530 5.7.0 Must issue a STARTTLS command first; "
     "proto=ESMTP helo=<phone>", AUDIT_POSTFIX, 1732799678, "postfix/submission/smtpd",
     "NOQUEUE", "203.0.113.5", "", ROLE_SUBMISSION, 587, -1, 1u << V_CLEARTEXT_SUBMISSION, ""},
    {"2024-11-28T13:14:38+0100 mx postfix/smtpd[99]: NOQUEUE: reject: AUTH from "
     "laptop.example.net[192.0.2.10]: 503 5.5.1 Error: authentication not enabled; "
     "proto=ESMTP helo=<laptop>", AUDIT_POSTFIX, 1732796078, "postfix/smtpd", "NOQUEUE",
     "192.0.2.10", "", ROLE_MX, 25, -1, 1u << V_AUTH_ON_MX, ""},
    {"postfix-out/10587/smtpd[7]: 4AbCd: reject: RCPT from x[192.0.2.3]: 553 5.7.1 "
     "<e@example.org>: Sender address rejected: not owned by user dave; from=<e@example.org>",
     AUDIT_POSTFIX, 0, "postfix-out/10587/smtpd", "4AbCd", "192.0.2.3", "dave", ROLE_UNKNOWN,
     10587, -1, 1u << V_SENDER_MISMATCH, ""},
    {"NOQUEUE: reject: RCPT from x[192.0.2.9]: 554 5.7.1 <c@example.com>: Relay access "
     "denied; from=<> to=<c@example.com>", AUDIT_POSTFIX, 0, "", "NOQUEUE", "192.0.2.9", "",
     -1, -1, -1, 1u << V_UNAUTH_RELAY, ""},
    /* hostile client text: only Postfix's reply at its place counts (issue 13.3) */
    {"Nov 28 13:14:38 mx postfix/submission/smtpd[99]: NOQUEUE: reject: MAIL from "
     "x[203.0.113.5]: 530 5.7.0 Must issue a STARTTLS command first; proto=ESMTP "
     "helo=<Relay access denied>", AUDIT_POSTFIX, 1732799678, "postfix/submission/smtpd",
     "NOQUEUE", "203.0.113.5", "", ROLE_SUBMISSION, 587, -1, 1u << V_CLEARTEXT_SUBMISSION, ""},
    {"Nov 28 13:14:38 mx postfix/smtpd[99]: NOQUEUE: reject: RCPT from x[192.0.2.9]: "
     "450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.9]; "
     "from=<a@example.net> to=<c@example.com> proto=ESMTP helo=<x>: Relay access denied>",
     AUDIT_SKIP, 1732799678, "postfix/smtpd", "", "", "", -1, -1, -1, 0, ""},
    {"Nov 28 13:14:38 mx postfix/smtpd[99]: NOQUEUE: reject: RCPT from x[192.0.2.9]: "
     "550 5.1.1 <\"x>: Relay access denied; \"@example.org>: Recipient address rejected: "
     "User unknown in local recipient table; from=<a@example.net> "
     "to=<\"x>: Relay access denied; \"@example.org> proto=ESMTP helo=<x>",
     AUDIT_SKIP, 1732799678, "postfix/smtpd", "", "", "", -1, -1, -1, 0, ""},
    {"Nov 28 13:14:38 mx postfix/smtpd[99]: NOQUEUE: reject: RCPT from x[192.0.2.9]: "
     "554 5.7.1 <c@example.com>: Relay access denied; from=<a@example.net> "
     "to=<c@example.com> proto=ESMTP helo=<4X: milter-reject: >", AUDIT_POSTFIX,
     1732799678, "postfix/smtpd", "NOQUEUE", "192.0.2.9", "", ROLE_MX, 25, -1,
     1u << V_UNAUTH_RELAY, ""},
    {"Nov 28 13:14:38 mx postfix/smtpd[99]: warning: Illegal address syntax from "
     "x[192.0.2.9] in MAIL command: <Must.issue.a.STARTTLS.command.first@x> "
     "authentication not enabled", AUDIT_SKIP, 1732799678, "postfix/smtpd", "", "", "",
     -1, -1, -1, 0, ""},
    {"Nov 28 13:14:38 mx postfix/smtpd[99]: NOQUEUE: reject: RCPT from x[192.0.2.9]: "
     "450 4.1.8 <a@b.example>: Sender address rejected: Domain not found; "
     "from=<a@b.example> to=<c@example.com> proto=ESMTP helo=<warning: y[192.0.2.66]: "
     "SASL LOGIN authentication failed>", AUDIT_SKIP, 1732799678, "postfix/smtpd", "",
     "", "", -1, -1, -1, 0, ""},
    /* skipped: portrole's reply repeated by Postfix, diagnostics, other programs */
    {"Nov 28 13:14:38 mx postfix/cleanup[9]: 4XyZb1: milter-reject: END-OF-MESSAGE from "
     "x[192.0.2.1]: 5.7.1 <c@example.com>: Relay access denied (ref 3f9c2a7b41d0)",
     AUDIT_SKIP, 1732799678, "postfix/cleanup", "", "", "", -1, -1, -1, 0, ""},
    {"Nov 28 13:14:38 mx postfix/smtpd[9]: connect from x[192.0.2.1]", AUDIT_SKIP,
     1732799678, "postfix/smtpd", "", "", "", -1, -1, -1, 0, ""},
    {"Nov 28 13:14:38 mx portrole-milter[1]: starting portrole-milter 0.1.0", AUDIT_SKIP,
     1732799678, "portrole-milter", "", "", "", -1, -1, -1, 0, ""},
    {"portrole-milter[1]: warning: listener macros missing", AUDIT_SKIP, 0,
     "portrole-milter", "", "", "", -1, -1, -1, 0, ""},
    {"Nov 28 13:14:38 mx sshd[5]: Accepted publickey for root", AUDIT_SKIP, 1732799678,
     "sshd", "", "", "", -1, -1, -1, 0, ""},
    {"Nov 28 13:14:38 mx last message repeated 3 times", AUDIT_SKIP, 1732799678, "", "",
     "", "", -1, -1, -1, 0, ""},
    {"-- Logs begin at Thu 2024-11-28 00:00:01 UTC, end at Thu 2024-11-28 23:00:00 UTC. --",
     AUDIT_SKIP, 0, "", "", "", "", -1, -1, -1, 0, ""},
    {"", AUDIT_SKIP, 0, "", "", "", "", -1, -1, -1, 0, ""},
    /* unparsable */
    {"garbage \x01\xff\xfe", AUDIT_UNPARSABLE, 0, "", "", "", "", -1, -1, -1, 0, ""},
    {"4X: role=bogus port=25 client=x[192.0.2.1] action=pass", AUDIT_UNPARSABLE, 0, "", "",
     "", "", -1, -1, -1, 0, ""},
    {"Nov 28 13:14:38 mx portrole-milter[1]: 4X: role=mx port=25 action=pass",
     AUDIT_UNPARSABLE, 1732799678, "portrole-milter", "", "", "", -1, -1, -1, 0, ""},
    {"{\"role\":\"mx\",\"action\":", AUDIT_UNPARSABLE, 0, "", "", "", "", -1, -1, -1, 0, ""},
    {"Nov 28 13:14:38 mx portrole-milter[1]: {\"role\":\"mx\",\"action\":\"pass\"}",
     AUDIT_UNPARSABLE, 1732799678, "portrole-milter", "", "", "", -1, -1, -1, 0, ""},
};

START_TEST(test_parse_formats)
{
    const struct parse_case *c = &parse_cases[_i];
    struct audit_clock clk;
    struct audit_rec rec;

    auditlog_clock_init(&clk, REF_2024_12_01);
    ck_assert_msg(auditlog_parse(c->line, &clk, &rec) == c->kind,
                  "case %d: kind %d, want %d", _i, rec.kind, c->kind);
    ck_assert_int_eq((long) rec.when, c->when);
    ck_assert_str_eq(rec.tag, c->tag);
    if (c->kind != AUDIT_DECISION && c->kind != AUDIT_POSTFIX)
        return;
    ck_assert_str_eq(rec.queueid, c->queueid);
    ck_assert_str_eq(rec.client_addr, c->addr);
    ck_assert_str_eq(rec.login, c->login);
    ck_assert_int_eq(rec.role, c->role);
    ck_assert_int_eq(rec.port, c->port);
    ck_assert_int_eq(rec.action, c->action);
    ck_assert_uint_eq(rec.cats, c->cats);
    ck_assert_str_eq(rec.ref, c->ref);
}
END_TEST

/* Outbound delivery lines (issue 17.1), hostile recipients included. */
static const struct smtp_case {
    int         sendmail;
    const char *msg;
    int         rc;
    enum audit_conn result;
    const char *host, *addr;
    int         port;
} smtp_cases[] = {
    {0, "connect to mx1.dest.example[203.0.113.5]:25: Connection timed out", 0,
     AUDIT_CONN_TIMEOUT, "mx1.dest.example", "203.0.113.5", 25},
    {0, "connect to mx.dest.example[2001:db8::25]:25: Network is unreachable", 0,
     AUDIT_CONN_UNREACHABLE, "mx.dest.example", "2001:db8::25", 25},
    {0, "connect to mx.dest.example[203.0.113.6]:25: Connection refused", 0,
     AUDIT_CONN_REFUSED, "mx.dest.example", "203.0.113.6", 25},
    {0, "4XyZb1: to=<bob@dest.example>, relay=mx.dest.example[203.0.113.5]:25, delay=1.2, "
     "delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 9F)", 0,
     AUDIT_CONN_REACHED, "mx.dest.example", "203.0.113.5", 25},
    {0, "4XyZb1: to=<bob@dest.example>, orig_to=<bob@alias.example>, relay=smtp.provider."
     "example[198.51.100.7]:587, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)",
     0, AUDIT_CONN_REACHED, "smtp.provider.example", "198.51.100.7", 587},
    {0, "4XyZb1: to=<bob@dest.example>, relay=mx.dest.example[203.0.113.5]:25, delay=3, "
     "delays=0/0/1/2, dsn=4.7.1, status=deferred (host mx.dest.example[203.0.113.5] said: "
     "450 4.7.1 try later (in reply to RCPT TO command))", 0, AUDIT_CONN_REACHED,
     "mx.dest.example", "203.0.113.5", 25},
    /* the deferral repeats the last failed connect: not counted twice */
    {0, "4XyZb1: to=<bob@dest.example>, relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, "
     "status=deferred (connect to mx.dest.example[203.0.113.5]:25: Connection timed out)",
     -1, 0, "", "", 0},
    /* content filter on loopback, local delivery */
    {0, "4XyZb1: to=<bob@dest.example>, relay=127.0.0.1[127.0.0.1]:10024, delay=1, "
     "delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)", -1, 0, "", "", 0},
    /* a recipient that carries the words of another line */
    {0, "4XyZb1: to=<\"x>, relay=mx.evil.example[192.0.2.66]:25, status=sent \"@dest.example>, "
     "relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to "
     "mx.dest.example[203.0.113.5]:25: Connection timed out)", -1, 0, "", "", 0},
    {0, "4XyZb1: to=<connect to mx[192.0.2.1]:25: Connection timed out@x>, relay=none, "
     "status=deferred (x)", -1, 0, "", "", 0},
    {1, "wASM00001: to=<bob@dest.example>, delay=00:00:30, xdelay=00:00:30, mailer=esmtp, "
     "pri=120481, relay=mx1.dest.example. [203.0.113.5], dsn=4.0.0, stat=Deferred: "
     "Connection timed out with mx1.dest.example.", 0, AUDIT_CONN_TIMEOUT,
     "mx1.dest.example", "203.0.113.5", 25},
    {1, "wASM00002: to=<bob@dest.example>, delay=00:00:01, xdelay=00:00:01, mailer=relay, "
     "pri=120481, relay=smart.provider.example. [198.51.100.7], dsn=2.0.0, stat=Sent (ok)",
     0, AUDIT_CONN_REACHED, "smart.provider.example", "198.51.100.7", 0},
    {1, "wASM00003: to=/var/mail/bob, delay=00:00:00, mailer=local, pri=30000, dsn=2.0.0, "
     "stat=Sent", -1, 0, "", "", 0},
};

START_TEST(test_parse_smtp)
{
    const struct smtp_case *c = &smtp_cases[_i];
    struct audit_out out;
    int rc = c->sendmail ? auditlog_smtp_sendmail(c->msg, &out)
        : auditlog_smtp_postfix(c->msg, &out);

    ck_assert_msg(rc == c->rc, "case %d: rc %d", _i, rc);
    if (rc < 0)
        return;
    ck_assert_int_eq(out.result, c->result);
    ck_assert_str_eq(out.host, c->host);
    ck_assert_str_eq(out.addr, c->addr);
    ck_assert_int_eq(out.port, c->port);
}
END_TEST

/* auditlog_hostaddr: the one reader of "NAME[ADDR]:PORT" (client and server) */
START_TEST(test_hostaddr)
{
    static const struct { const char *in, *name, *addr; int port; const char *rest; } t[] = {
        {"mail.example[192.0.2.1]: SASL", "mail.example", "192.0.2.1", 0, ": SASL"},
        {"unknown[2001:db8::1]:587, x", "unknown", "2001:db8::1", 587, ", x"},
        {"[192.0.2.9]", "", "192.0.2.9", 0, ""},
        {"h[192.0.2.1]:0: x", "h", "192.0.2.1", -1, ": x"},
        {"h[192.0.2.1]:655350", "h", "192.0.2.1", -1, ""},
        {"h[192.0.2.1]:65535", "h", "192.0.2.1", 65535, ""},
        {"h[]", NULL, NULL, 0, NULL},
        {"h[192.0.2.1", NULL, NULL, 0, NULL},
        {"h [192.0.2.1]", NULL, NULL, 0, NULL},
        {"a,b[192.0.2.1]", NULL, NULL, 0, NULL},
        {"h[192.0 .2.1]", NULL, NULL, 0, NULL},
    };
    struct audit_hostaddr ha;
    struct audit_out out;
    struct audit_rec rec;
    struct audit_clock clk;

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        const char *p = auditlog_hostaddr(t[i].in, &ha);

        if (t[i].name == NULL) {
            ck_assert_msg(p == NULL, "%s", t[i].in);
            continue;
        }
        ck_assert_msg(p != NULL, "%s", t[i].in);
        ck_assert_uint_eq(ha.name_len, strlen(t[i].name));
        ck_assert(strncmp(ha.name, t[i].name, ha.name_len) == 0);
        ck_assert_uint_eq(ha.addr_len, strlen(t[i].addr));
        ck_assert(strncmp(ha.addr, t[i].addr, ha.addr_len) == 0);
        ck_assert_int_eq(ha.port, t[i].port);
        ck_assert_str_eq(p, t[i].rest);
    }
    /* the server: a port must be valid, a ':' must start one */
    ck_assert_int_eq(auditlog_smtp_postfix("connect to mx.example[192.0.2.7]:25: "
                                           "Connection timed out", &out), 0);
    ck_assert_int_eq(out.port, 25);
    ck_assert_int_eq(auditlog_smtp_postfix("connect to mx.example[192.0.2.7]: "
                                           "Connection timed out", &out), -1);
    ck_assert_int_eq(auditlog_smtp_postfix("connect to mx.example[192.0.2.7]:0: "
                                           "Connection timed out", &out), -1);
    /* the client: the same reading, with its port skipped */
    auditlog_clock_init(&clk, REF_2024_12_01);
    ck_assert_int_eq(auditlog_parse("Dec  1 10:00:00 mx postfix/smtpd[1]: warning: "
                                    "c.example[192.0.2.8]:41234: SASL LOGIN authentication "
                                    "failed: x, sasl_username=bob", &clk, &rec), AUDIT_POSTFIX);
    ck_assert_str_eq(rec.client_name, "c.example");
    ck_assert_str_eq(rec.client_addr, "192.0.2.8");
    ck_assert_str_eq(rec.login, "bob");
}
END_TEST

START_TEST(test_parse_values)
{
    struct audit_clock clk;
    struct audit_rec rec;

    auditlog_clock_init(&clk, REF_2024_12_01);
    ck_assert_int_eq(auditlog_parse(KV_BODY, &clk, &rec), AUDIT_DECISION);
    ck_assert_str_eq(rec.client_name, "mail.example.net");
    ck_assert_str_eq(rec.tls, "TLSv1.3");
    ck_assert_str_eq(rec.from, "a@example.net");
    ck_assert_str_eq(rec.rcpt, "<b@example.org>");
    ck_assert_int_eq(rec.audit_mode, 0);
    ck_assert_int_eq(rec.would, -1);
    ck_assert_int_eq(auditlog_parse(JSON_BODY, &clk, &rec), AUDIT_DECISION);
    ck_assert_int_eq(rec.json, 1);
    ck_assert_str_eq(rec.rcpt, "c@example.com,d@example.com");
    ck_assert_int_eq(rec.would, ACT_REJECT);
    ck_assert_int_eq(rec.audit_mode, 1);
    /* 8-bit and control bytes come out as \xHH, whichever format carried them */
    ck_assert_int_eq(auditlog_parse("{\"role\":\"mx\",\"action\":\"pass\",\"client_addr\":"
                                    "\"192.0.2.1\",\"client_name\":\"a\\u00e9\\n\",\"login\":"
                                    "\"\xc3\x28\"}", &clk, &rec), AUDIT_DECISION);
    ck_assert_str_eq(rec.client_name, "a\\xe9\\x0a");
    ck_assert_str_eq(rec.login, "\\xc3(");
    ck_assert_str_eq(rec.queueid, "NOQUEUE");
}
END_TEST

/* ------------------------------------------------------ year and time */

static const struct year_case {
    time_t      reference;
    const char *lines[4];
    long        when[4];
} year_cases[] = {
    /* written in January, starts in December: Dec is the year before */
    {REF_2025_01_05, {"Dec 31 23:59:59 mx a: x", "Jan  1 00:00:01 mx a: x",
                      "Dec 31 23:59:59 mx a: late", "Jan  1 00:00:01 mx a: x"},
     {1735689599, 1735689601, 1735689599, 1735689601}},
    /* read in March, a December to January file */
    {REF_2025_03_10, {"Dec 31 23:59:59 mx a: x", "Jan  1 00:00:01 mx a: x",
                      "Jan  1 00:00:01 mx a: x", "Jan  1 00:00:01 mx a: x"},
     {1735689599, 1735689601, 1735689601, 1735689601}},
    /* same year all along */
    {REF_2024_12_01, {"Nov 28 13:14:38 mx a: x", "Nov 28 13:14:38 mx a: x",
                      "Nov 28 13:14:38 mx a: x", "Nov 28 13:14:38 mx a: x"},
     {1732799678, 1732799678, 1732799678, 1732799678}},
};

START_TEST(test_year_rollover)
{
    const struct year_case *c = &year_cases[_i];
    struct audit_clock clk;
    struct audit_rec rec;

    auditlog_clock_init(&clk, c->reference);
    for (int i = 0; i < 4; i++) {
        auditlog_parse(c->lines[i], &clk, &rec);
        ck_assert_msg((long) rec.when == c->when[i], "case %d line %d: %ld, want %ld",
                      _i, i, (long) rec.when, c->when[i]);
    }
}
END_TEST

static const struct time_case {
    const char *text;
    int         rc;
    long        want;           /* relative to now = 1733011200 */
} time_cases[] = {
    {"2024-11-28", 0, 1732752000},
    {"2024-11-28T13:00", 0, 1732798800},
    {"2024-11-28 13:00:00", 0, 1732798800},
    {"2024-11-28T14:00:00+01:00", 0, 1732798800},
    {"2024-11-28T13:00:00Z", 0, 1732798800},
    {"-7d", 0, 1733011200 - 7 * 86400},
    {"-12h", 0, 1733011200 - 12 * 3600},
    {"-30m", 0, 1733011200 - 1800},
    {"-2w", 0, 1733011200 - 14 * 86400},
    {"7d", 0, 1733011200 - 7 * 86400},
    {"-7", -1, 0}, {"-7x", -1, 0}, {"yesterday", -1, 0}, {"", -1, 0},
    {"2024-13-01", -1, 0},
};

START_TEST(test_time_parse)
{
    const struct time_case *c = &time_cases[_i];
    time_t got = 0;

    ck_assert_msg(auditlog_time_parse(c->text, 1733011200, &got) == c->rc, "%s", c->text);
    if (c->rc == 0)
        ck_assert_int_eq((long) got, c->want);
}
END_TEST

/* ---------------------------------------------------------- aggregate */

/* One client set up to submit on port 25, as Postfix and portrole both see it. */
static const char *const session[] = {
    "Nov 28 10:00:00 mx postfix/smtpd[7]: connect from laptop.example.net[192.0.2.10]",
    "Nov 28 10:00:01 mx postfix/smtpd[7]: warning: laptop.example.net[192.0.2.10]: SASL "
    "LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=alice",
    "Nov 28 10:00:02 mx portrole-milter[3]: NOQUEUE: role=mx port=25 client=laptop.example.net"
    "[192.0.2.10] auth=PLAIN login=alice tls=TLSv1.3 from=<alice@example.org> "
    "rcpt=<x@example.com> action=tag violation=auth-on-mx would=reject mode=audit "
    "ref=111111111111",
    "Nov 28 10:00:03 mx postfix/smtpd[7]: NOQUEUE: reject: RCPT from laptop.example.net"
    "[192.0.2.10]: 554 5.7.1 <y@example.net>: Relay access denied; from=<alice@example.org>",
    "Nov 28 10:00:04 mx portrole-milter[3]: 4AbC: role=mx port=25 client=laptop.example.net"
    "[192.0.2.10] auth=PLAIN login=alice tls=TLSv1.3 from=<alice@example.org> "
    "rcpt=<x@example.com> action=tag violation=auth-on-mx would=reject mode=audit "
    "ref=111111111111",
    "Nov 28 10:00:05 mx postfix/smtpd[7]: disconnect from laptop.example.net[192.0.2.10]",
    "Nov 28 11:00:00 mx portrole-milter[3]: 4DeF: role=submission port=587 client=pc.example"
    ".net[198.51.100.2] auth=PLAIN login=bob tls=TLSv1.3 from=<bob@example.org> "
    "rcpt=<z@example.com> action=pass mode=enforce ref=222222222222",
    "Nov 28 11:00:01 mx portrole-milter[3]: 4GhI: role=mx port=25 client=relay.example.net"
    "[203.0.113.1] auth=none tls=none from=<q@example.net> rcpt=<r@example.org> "
    "action=pass mode=enforce ref=333333333333",
    "Nov 28 12:00:00 mx portrole-milter[3]: NOQUEUE: role=mx port=25 client=unknown"
    "[192.0.2.66] auth=none tls=none from=<s@example.net> rcpt=<t@example.com> "
    "action=reject violation=unauth-relay mode=enforce ref=444444444444",
    "Nov 28 12:00:00 mx portrole-milter[3]: NOQUEUE: role=mx port=25 client=unknown"
    "[192.0.2.66] auth=none tls=none from=<s@example.net> rcpt=<u@example.com> "
    "action=reject violation=unauth-relay mode=enforce ref=444444444444",
    "not a log line",
};

/* feed_session - the session above into a new aggregate */
static struct audit_agg *feed_session(time_t since, time_t until)
{
    struct audit_agg *agg = auditlog_agg_new();
    struct audit_clock clk;

    auditlog_clock_init(&clk, REF_2024_12_01);
    auditlog_agg_window(agg, since, until);
    for (size_t i = 0; i < sizeof(session) / sizeof(session[0]); i++)
        auditlog_agg_feed(agg, &clk, session[i], 0, "session.log", i + 1);
    return agg;
}

START_TEST(test_mixed_session)
{
    struct audit_agg *agg = feed_session(0, 0);
    const struct audit_summary *s = auditlog_agg_summary(agg);
    const struct audit_entry *e;
    struct audit_entry **v;
    size_t n;

    ck_assert_uint_eq(s->lines, 11);
    ck_assert_uint_eq(s->decisions, 6);
    ck_assert_uint_eq(s->postfix_events, 2);
    ck_assert_uint_eq(s->skipped, 2);
    ck_assert_uint_eq(s->unparsable, 1);
    ck_assert_int_eq(s->nexamples, 1);
    ck_assert_str_eq(s->examples[0].text, "not a log line");
    ck_assert_uint_eq(s->examples[0].lineno, 11);
    ck_assert_uint_eq(s->messages, 4);          /* four refs */
    ck_assert_uint_eq(s->role_messages[ROLE_MX], 3);
    ck_assert_uint_eq(s->role_messages[ROLE_SUBMISSION], 1);
    ck_assert_uint_eq(s->actions[ACT_PASS], 2);
    ck_assert_uint_eq(s->actions[ACT_TAG], 2);
    ck_assert_uint_eq(s->actions[ACT_REJECT], 2);
    ck_assert_uint_eq(s->would[ACT_REJECT], 2);

    e = auditlog_agg_find(agg, AUDIT_BY_ADDR, "192.0.2.10");
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->count[V_AUTH_ON_MX], 2);
    ck_assert_uint_eq(e->count[V_UNAUTH_RELAY], 1);
    ck_assert_uint_eq(e->count[AUDIT_CAT_AUTH_FAILED], 1);
    ck_assert_uint_eq(e->total, 4);
    ck_assert_str_eq(e->other, "laptop.example.net");
    ck_assert_int_eq((long) e->first, 1732788001);
    ck_assert_int_eq((long) e->last, 1732788004);
    ck_assert_int_eq(e->nports, 1);
    ck_assert_str_eq(e->ports[0], "25");
    ck_assert_int_eq(auditlog_entry_main_cat(e), V_AUTH_ON_MX);

    e = auditlog_agg_find(agg, AUDIT_BY_LOGIN, "alice");
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->count[V_AUTH_ON_MX], 2);
    ck_assert_uint_eq(e->count[AUDIT_CAT_AUTH_FAILED], 1);
    ck_assert_str_eq(e->other, "192.0.2.10");
    ck_assert_ptr_null(auditlog_agg_find(agg, AUDIT_BY_LOGIN, "bob"));   /* no violation */
    ck_assert_ptr_null(auditlog_agg_find(agg, AUDIT_BY_ADDR, "203.0.113.1"));

    n = auditlog_agg_sorted(agg, AUDIT_BY_ADDR, &v);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(v[0]->key, "192.0.2.10");  /* 4 events before 2 */
    ck_assert_str_eq(v[1]->key, "192.0.2.66");
    ck_assert_uint_eq(v[1]->count[V_UNAUTH_RELAY], 2);
    free(v);
    auditlog_agg_free(agg);
}
END_TEST

START_TEST(test_window)
{
    /* 10:30 to 11:30 keeps the two passes only */
    struct audit_agg *agg = feed_session(1732789800, 1732793400);
    const struct audit_summary *s = auditlog_agg_summary(agg);
    struct audit_entry **v;

    ck_assert_uint_eq(s->decisions, 2);
    ck_assert_uint_eq(s->actions[ACT_PASS], 2);
    ck_assert_uint_eq(s->filtered, 6);
    ck_assert_uint_eq(auditlog_agg_sorted(agg, AUDIT_BY_ADDR, &v), 0);
    free(v);
    auditlog_agg_free(agg);
}
END_TEST

START_TEST(test_message_dedup_is_bounded)
{
    /* far more refs than the memory of recent refs: each is still one message */
    struct audit_agg *agg = auditlog_agg_new();
    struct audit_clock clk;
    char line[256];

    auditlog_clock_init(&clk, REF_2024_12_01);
    for (int i = 0; i < 50000; i++) {
        for (int twice = 0; twice < 2; twice++) {
            snprintf(line, sizeof(line), "Q%d: role=mx port=25 client=x[192.0.2.1] auth=none "
                     "tls=none from=<> rcpt=<a@example.org> action=pass mode=enforce "
                     "ref=%012x", i, i);
            auditlog_agg_feed(agg, &clk, line, 0, "-", (unsigned long) i);
        }
    }
    ck_assert_uint_eq(auditlog_agg_summary(agg)->messages, 50000);
    ck_assert_uint_eq(auditlog_agg_summary(agg)->decisions, 100000);
    auditlog_agg_free(agg);
}
END_TEST

/*
 * Issue 13.2: portrole-milter's own line for 1,000 recipients and a forged
 * local sender, as a syslog daemon passes it on (rsyslog cuts at 8 KiB by
 * default), is counted as one message with its violation.
 */
START_TEST(test_bounded_decision_counted)
{
    static char rcpt_store[1000][48];
    const char *rcpts[1000];
    struct pr_facts f = {0};
    struct log_decision d = {0};
    struct audit_agg *agg = auditlog_agg_new();
    struct audit_clock clk;
    const struct audit_summary *sum;
    const struct audit_entry *e;
    strbuf line = STRBUF_INIT;

    for (int i = 0; i < 1000; i++) {
        snprintf(rcpt_store[i], sizeof(rcpt_store[i]), "recipient%04d@customer.example", i);
        rcpts[i] = rcpt_store[i];
    }
    f.role = ROLE_MX;
    f.port = 25;
    f.client_name = "client.remote.test";
    f.client_addr = "192.0.2.9";
    f.sender = "alice@example.test";
    d.queueid = "4XyZb1";
    d.facts = &f;
    d.rcpts = rcpts;
    d.nrcpts = 1000;
    d.action = ACT_TAG;
    d.violations = VBIT(V_LOCAL_SENDER_ON_MX);
    d.ref = "3f9c2a7b41d0";
    strbuf_puts(&line, "Nov 28 13:14:38 mx portrole-milter[7]: ");
    log_format_decision(_i, &d, &line);
    if (line.len > 8192)
        strbuf_truncate(&line, 8192);           /* what rsyslog passes on */
    auditlog_clock_init(&clk, REF_2024_12_01);
    ck_assert_int_eq(auditlog_agg_feed(agg, &clk, strbuf_str(&line), 0, "-", 1), AUDIT_DECISION);
    sum = auditlog_agg_summary(agg);
    ck_assert_uint_eq(sum->unparsable, 0);
    ck_assert_uint_eq(sum->messages, 1);
    ck_assert_uint_eq(sum->actions[ACT_TAG], 1);
    ck_assert_uint_eq(sum->cats[V_LOCAL_SENDER_ON_MX], 1);
    ck_assert_ptr_nonnull(e = auditlog_agg_find(agg, AUDIT_BY_ADDR, "192.0.2.9"));
    ck_assert_uint_eq(e->count[V_LOCAL_SENDER_ON_MX], 1);
    strbuf_release(&line);
    auditlog_agg_free(agg);
}
END_TEST

/* ----------------------------------------------------------- reader */

/* write_file - bytes into tmpdir/name; the path */
static const char *write_file(const char *name, const void *data, size_t len)
{
    static char path[128];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    ck_assert_ptr_nonnull(fp = fopen(path, "wb"));
    ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
    ck_assert_int_eq(fclose(fp), 0);
    return path;
}

/* session_text - the session as one log text */
static char *session_text(size_t *len)
{
    strbuf sb = STRBUF_INIT;

    for (size_t i = 0; i < sizeof(session) / sizeof(session[0]); i++) {
        strbuf_puts(&sb, session[i]);
        strbuf_putc(&sb, '\n');
    }
    *len = sb.len;
    return strbuf_detach(&sb);
}

/* read_all - feed a file through the reader; the aggregate, or NULL when it failed */
static struct audit_agg *read_all(const char *path, strbuf *err)
{
    struct audit_reader *rd = auditlog_reader_open(path, err);
    struct audit_agg *agg;
    struct audit_clock clk;
    unsigned long n = 0;
    char *line;
    size_t len;
    int trunc, got;

    if (rd == NULL)
        return NULL;
    agg = auditlog_agg_new();
    auditlog_clock_init(&clk, REF_2024_12_01);
    while ((got = auditlog_reader_line(rd, &line, &len, &trunc)) > 0) {
        ck_assert_uint_eq(strlen(line), len);
        ck_assert_uint_lt(len, AUDIT_LINE_MAX);
        auditlog_agg_feed(agg, &clk, line, trunc, path, ++n);
    }
    if (got < 0) {
        strbuf_puts(err, auditlog_reader_error(rd));
        auditlog_agg_free(agg);
        agg = NULL;
    }
    auditlog_reader_close(rd);
    return agg;
}

START_TEST(test_reader_gzip)
{
    size_t len;
    char *text = session_text(&len), path[128];
    strbuf err = STRBUF_INIT;
    struct audit_agg *agg;

    snprintf(path, sizeof(path), "%s/mail.log.gz", tmpdir);
#ifdef HAVE_ZLIB
    gzFile gz = gzopen(path, "wb");

    ck_assert_ptr_nonnull(gz);
    ck_assert_int_eq(gzwrite(gz, text, (unsigned) len), (int) len);
    ck_assert_int_eq(gzclose(gz), Z_OK);
    agg = read_all(path, &err);
    ck_assert_ptr_nonnull(agg);
    ck_assert_uint_eq(auditlog_agg_summary(agg)->lines, 11);
    ck_assert_uint_eq(auditlog_agg_summary(agg)->decisions, 6);
    ck_assert_uint_eq(auditlog_agg_find(agg, AUDIT_BY_ADDR, "192.0.2.10")->total, 4);
    auditlog_agg_free(agg);
    /* a truncated gzip file is a read error, not a crash */
    {
        FILE *fp = fopen(path, "r+b");

        ck_assert_ptr_nonnull(fp);
        ck_assert_int_eq(ftruncate(fileno(fp), 30), 0);
        fclose(fp);
    }
    strbuf_reset(&err);
    ck_assert_ptr_null(read_all(path, &err));
    ck_assert_ptr_nonnull(strstr(strbuf_str(&err), "mail.log.gz"));
#else
    write_file("mail.log.gz", "\x1f\x8b\x08\x00\x00\x00\x00\x00", 8);
    agg = read_all(path, &err);
    ck_assert_ptr_null(agg);
    ck_assert_ptr_nonnull(strstr(strbuf_str(&err), "without zlib"));
#endif
    strbuf_release(&err);
    free(text);
}
END_TEST

START_TEST(test_reader_hostile)
{
    strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
    struct audit_agg *agg;
    const struct audit_summary *s;
    char *big = malloc(100 * 1024);
    unsigned seed = 12345;

    ck_assert_ptr_nonnull(big);
    /* NUL bytes inside a line */
    strbuf_append(&sb, "garbage\0with\0nuls\n", 18);
    /* a 100 KB line, then a good one */
    memset(big, 'x', 100 * 1024);
    strbuf_append(&sb, big, 100 * 1024);
    strbuf_puts(&sb, "\n" KV_BODY "\n");
    /* a 100 KB line that starts as a decision */
    strbuf_puts(&sb, "Q: role=mx port=25 client=x[192.0.2.1] rcpt=");
    strbuf_append(&sb, big, 100 * 1024);
    strbuf_puts(&sb, " action=pass\n");
    /* invalid UTF-8 in values, CRLF */
    strbuf_puts(&sb, "Q2: role=mx port=25 client=\xff\xfe[192.0.2.2] auth=none login=\xc3\x28 "
                "tls=none from=<> rcpt=<a@b> action=tag violation=auth-on-mx mode=audit "
                "ref=bbbbbbbbbbbb\r\n");
    /* 256 KB of binary garbage, then a last line without a newline */
    for (int i = 0; i < 256 * 1024; i++) {
        seed = seed * 1103515245u + 12345u;
        strbuf_putc(&sb, (int) (seed >> 16 & 0xff));
    }
    strbuf_puts(&sb, "\n" KV_BODY);
    agg = read_all(write_file("hostile.log", sb.data, sb.len), &err);
    ck_assert_ptr_nonnull(agg);
    s = auditlog_agg_summary(agg);
    ck_assert_uint_eq(s->overlong, 2);
    ck_assert_uint_eq(s->decisions, 3);         /* two KV_BODY and Q2 */
    ck_assert_uint_ge(s->unparsable, 3);        /* NULs, x..., the cut decision */
    ck_assert_int_le(s->nexamples, AUDIT_EXAMPLES);
    ck_assert_str_eq(s->examples[0].text, "garbage?with?nuls");
    ck_assert_uint_eq(auditlog_agg_find(agg, AUDIT_BY_ADDR, "192.0.2.2")->count[V_AUTH_ON_MX], 1);
    ck_assert_ptr_nonnull(auditlog_agg_find(agg, AUDIT_BY_LOGIN, "\\xc3("));
    for (int i = 0; i < s->nexamples; i++)
        for (const char *p = s->examples[i].text; *p; p++)
            ck_assert(*p >= 0x20 && *p < 0x7f);
    auditlog_agg_free(agg);
    strbuf_release(&sb);
    strbuf_release(&err);
    free(big);
}
END_TEST

/* lines_of - every line a reader gives, "T" before a cut one; -1 on a read error */
static int lines_of(struct audit_reader *rd, strbuf *out)
{
    char *line;
    size_t len;
    int trunc, got;

    while ((got = auditlog_reader_line(rd, &line, &len, &trunc)) > 0) {
        ck_assert_uint_eq(strlen(line), len);
        ck_assert_uint_lt(len, AUDIT_LINE_MAX);
        if (trunc)
            strbuf_putc(out, 'T');
        strbuf_append(out, line, len);
        strbuf_putc(out, '\n');
    }
    return got;
}

/* same_lines - the memory reader gives a file's lines, byte for byte */
static void same_lines(const char *name, const char *data, size_t len)
{
    strbuf a = STRBUF_INIT, b = STRBUF_INIT, err = STRBUF_INIT;
    struct audit_reader *rd = auditlog_reader_open(write_file(name, data, len), &err);

    ck_assert_ptr_nonnull(rd);
    ck_assert_int_eq(lines_of(rd, &a), 0);
    auditlog_reader_close(rd);
    ck_assert_ptr_nonnull(rd = auditlog_reader_open_mem(name, data, len, &err));
    ck_assert_int_eq(lines_of(rd, &b), 0);
    auditlog_reader_close(rd);
    ck_assert_uint_eq(a.len, b.len);
    ck_assert(a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
    strbuf_release(&a);
    strbuf_release(&b);
    strbuf_release(&err);
}

START_TEST(test_reader_mem)
{
    size_t len;
    char *text = session_text(&len), *big = malloc(3 * AUDIT_LINE_MAX);
    strbuf sb = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT;
    struct audit_reader *rd;

    ck_assert_ptr_nonnull(big);
    same_lines("session.log", text, len);
    same_lines("empty.log", "", 0);
    {
        static const char nonl[] = "one\r\ntwo\0nul\nlast";

        same_lines("nonl.log", nonl, sizeof(nonl) - 1);
    }
    /* lines longer than AUDIT_LINE_MAX, one at the very end */
    memset(big, 'x', 3 * AUDIT_LINE_MAX);
    strbuf_append(&sb, big, AUDIT_LINE_MAX + 10);
    strbuf_puts(&sb, "\nshort\n");
    strbuf_append(&sb, big, AUDIT_LINE_MAX - 1);
    strbuf_puts(&sb, "\n");
    strbuf_append(&sb, big, 2 * AUDIT_LINE_MAX);
    same_lines("long.log", sb.data, sb.len);
    ck_assert_ptr_nonnull(rd = auditlog_reader_open_mem("long.log", sb.data, sb.len, &err));
    ck_assert_int_eq(lines_of(rd, &out), 0);
    auditlog_reader_close(rd);
    ck_assert_ptr_nonnull(strstr(out.data, "\nshort\n"));
    ck_assert_uint_eq(out.data[0], 'T');
#ifdef HAVE_ZLIB
    {
        /* gzip in memory: two members, then bytes that are not gzip (ignored) */
        char path[128];
        gzFile gz;
        FILE *fp;
        strbuf gzt = STRBUF_INIT;
        char buf[4096];
        size_t n;

        snprintf(path, sizeof(path), "%s/mem.log.gz", tmpdir);
        for (int member = 0; member < 2; member++) {
            ck_assert_ptr_nonnull(gz = gzopen(path, "wb"));
            ck_assert_int_eq(gzwrite(gz, text, (unsigned) len), (int) len);
            ck_assert_int_eq(gzclose(gz), Z_OK);
            ck_assert_ptr_nonnull(fp = fopen(path, "rb"));
            while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
                strbuf_append(&gzt, buf, n);
            fclose(fp);
        }
        strbuf_puts(&gzt, "junk");
        strbuf_reset(&out);
        ck_assert_ptr_nonnull(rd = auditlog_reader_open_mem("mem.log.gz", gzt.data, gzt.len, &err));
        ck_assert_int_eq(lines_of(rd, &out), 0);
        auditlog_reader_close(rd);
        ck_assert_uint_eq(out.len, 2 * len);
        ck_assert(memcmp(out.data, text, len) == 0 && memcmp(out.data + len, text, len) == 0);
        /* cut short: a read error that names the input, never a crash */
        for (size_t cut = 2; cut < gzt.len / 2; cut += 7) {
            strbuf_reset(&out);
            ck_assert_ptr_nonnull(rd = auditlog_reader_open_mem("cut.gz", gzt.data, cut, &err));
            ck_assert_int_eq(lines_of(rd, &out), -1);
            ck_assert_ptr_nonnull(strstr(auditlog_reader_error(rd), "cut.gz: "));
            auditlog_reader_close(rd);
        }
        strbuf_release(&gzt);
    }
#else
    ck_assert_ptr_null(auditlog_reader_open_mem("x.gz", "\x1f\x8b\x08\x00", 4, &err));
    ck_assert_ptr_nonnull(strstr(strbuf_str(&err), "without zlib"));
#endif
    strbuf_release(&sb);
    strbuf_release(&out);
    strbuf_release(&err);
    free(big);
    free(text);
}
END_TEST

START_TEST(test_reader_errors)
{
    strbuf err = STRBUF_INIT;

    ck_assert_ptr_null(auditlog_reader_open("/nonexistent/mail.log", &err));
    ck_assert_ptr_nonnull(strstr(strbuf_str(&err), "/nonexistent/mail.log"));
    strbuf_reset(&err);
    ck_assert_ptr_null(auditlog_reader_open(tmpdir, &err));
    ck_assert_ptr_nonnull(strstr(strbuf_str(&err), "directory"));
    strbuf_release(&err);
    auditlog_reader_close(NULL);
    auditlog_agg_free(NULL);
}
END_TEST

/* ------------------------------------------------- the command line */

/* run - portrole-audit with args, stdout into out; the exit status */
static int run(const char *args, strbuf *out)
{
    const char *dir = getenv("top_builddir");
    char cmd[1024], buf[4096];
    FILE *fp;
    size_t n;
    int st;

    snprintf(cmd, sizeof(cmd), "'%s/portrole-audit' %s 2>&1", dir ? dir : ".", args);
    ck_assert_ptr_nonnull(fp = popen(cmd, "r"));
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
        strbuf_append(out, buf, n);
    st = pclose(fp);
    ck_assert(WIFEXITED(st));
    return WEXITSTATUS(st);
}

/* session_file - the session in tmpdir, stamped so that its year is 2024 */
static const char *session_file(void)
{
    size_t len;
    char *text = session_text(&len), cmd[256];
    static char path[128];

    snprintf(path, sizeof(path), "%s", write_file("session.log", text, len));
    free(text);
    snprintf(cmd, sizeof(cmd), "touch -d 2024-12-01 '%s'", path);
    ck_assert_int_eq(system(cmd), 0);
    return path;
}

START_TEST(test_cli_ref)
{
    strbuf out = STRBUF_INIT;
    char args[256];

    snprintf(args, sizeof(args), "--ref 111111111111 '%s'", session_file());
    ck_assert_int_eq(run(args, &out), 0);
    /* both decision lines of the transaction and the explanation */
    ck_assert_ptr_nonnull(strstr(out.data, "NOQUEUE: role=mx"));
    ck_assert_ptr_nonnull(strstr(out.data, "4AbC: role=mx"));
    ck_assert_ptr_null(strstr(out.data, "4DeF"));
    ck_assert_ptr_nonnull(strstr(out.data, "Decision 2: queue id 4AbC"));
    ck_assert_ptr_nonnull(strstr(out.data, "auth-on-mx: the client authenticated"));
    ck_assert_ptr_nonnull(strstr(out.data, "Mode audit: enforce mode would have answered reject"));
    strbuf_reset(&out);
    snprintf(args, sizeof(args), "--ref 999999999999 '%s'", session_file());
    ck_assert_int_eq(run(args, &out), 0);
    ck_assert_ptr_nonnull(strstr(out.data, "No line mentions ref 999999999999"));
    strbuf_release(&out);
}
END_TEST

START_TEST(test_cli_formats)
{
    strbuf out = STRBUF_INIT;
    char args[256];
    const char *line;

    snprintf(args, sizeof(args), "'%s'", session_file());
    ck_assert_int_eq(run(args, &out), 0);
    ck_assert_ptr_nonnull(strstr(out.data, "Summary: 4 messages seen, 2 passed, 2 tagged, "
                                 "2 rejected, 0 tempfailed"));
    ck_assert_ptr_nonnull(strstr(out.data, "mx: 3 messages seen"));
    ck_assert_ptr_nonnull(strstr(out.data, "     4  192.0.2.10 "));
    ck_assert_ptr_nonnull(strstr(out.data, "fix: the client authenticates on port 25"));
    ck_assert_ptr_nonnull(strstr(out.data, "Unparsable lines: 1"));
    for (line = out.data; *line; ) {            /* the table fits 100 columns */
        size_t w = strcspn(line, "\n");

        ck_assert_msg(w <= 100, "line over 100 columns: %.*s", (int) w, line);
        line += w + (line[w] ? 1 : 0);
    }
    strbuf_reset(&out);
    snprintf(args, sizeof(args), "--format json --top 1 '%s'", session_file());
    ck_assert_int_eq(run(args, &out), 0);
    ck_assert_ptr_nonnull(strstr(out.data, "{\"version\":1,\"lines\":11,\"decisions\":6,"));
    ck_assert_ptr_nonnull(strstr(out.data, "{\"address\":\"192.0.2.10\",\"name\":"
                                 "\"laptop.example.net\",\"events\":4,\"violations\":"
                                 "{\"auth-on-mx\":2,\"unauth-relay\":1,\"auth-failed\":1},"
                                 "\"ports\":[\"25\"],\"first\":\"2024-11-28T10:00:01Z\""));
    ck_assert_ptr_null(strstr(out.data, "192.0.2.66"));        /* --top 1 */
    strbuf_reset(&out);
    snprintf(args, sizeof(args), "-f csv '%s'", session_file());
    ck_assert_int_eq(run(args, &out), 0);
    ck_assert_ptr_nonnull(strstr(out.data, "kind,key,other,events,unknown-listener,"));
    ck_assert_ptr_nonnull(strstr(out.data, "\r\naddress,192.0.2.66,,2,0,0,0,0,0,0,0,2,0,0,25,"));
    ck_assert_ptr_nonnull(strstr(out.data, "\r\nlogin,alice,192.0.2.10,3,"));
    strbuf_release(&out);
}
END_TEST

static const struct exit_case {
    const char *args;
    int         status;
} exit_cases[] = {
    {"/nonexistent/mail.log", 1},
    {"--format xml /dev/null", 2},
    {"--top -1 /dev/null", 2},
    {"--since yesterday /dev/null", 2},
    {"--since -1d --until -2d /dev/null", 2},
    {"--ref not-hex /dev/null", 2},
    {"--bogus", 2},
    {"/dev/null", 0},
    {"--since 2024-11-28 --until -1h --format csv /dev/null", 0},
    {"--version", 0},
};

START_TEST(test_cli_exit)
{
    strbuf out = STRBUF_INIT;

    ck_assert_msg(run(exit_cases[_i].args, &out) == exit_cases[_i].status, "%s: %s",
                  exit_cases[_i].args, strbuf_str(&out));
    strbuf_release(&out);
}
END_TEST

#define N(a) ((int) (sizeof(a) / sizeof((a)[0])))

/* audit_suite - every case */
static Suite *audit_suite(void)
{
    Suite *s = suite_create("audit");
    TCase *tc = tcase_create("parse");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_parse_formats, 0, N(parse_cases));
    tcase_add_test(tc, test_parse_values);
    tcase_add_test(tc, test_hostaddr);
    tcase_add_loop_test(tc, test_parse_smtp, 0, N(smtp_cases));
    tcase_add_loop_test(tc, test_year_rollover, 0, N(year_cases));
    tcase_add_loop_test(tc, test_time_parse, 0, N(time_cases));
    suite_add_tcase(s, tc);
    tc = tcase_create("aggregate");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_mixed_session);
    tcase_add_test(tc, test_window);
    tcase_add_test(tc, test_message_dedup_is_bounded);
    tcase_add_loop_test(tc, test_bounded_decision_counted, 0, 2);
    suite_add_tcase(s, tc);
    tc = tcase_create("reader");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_reader_gzip);
    tcase_add_test(tc, test_reader_hostile);
    tcase_add_test(tc, test_reader_errors);
    tcase_add_test(tc, test_reader_mem);
    suite_add_tcase(s, tc);
    tc = tcase_create("cli");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_cli_ref);
    tcase_add_test(tc, test_cli_formats);
    tcase_add_loop_test(tc, test_cli_exit, 0, N(exit_cases));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(audit_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
