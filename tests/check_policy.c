/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_policy - the port-role policy, table-driven.
 *
 * DESCRIPTION
 *	Four tables: role resolution; hand-written cases with SPEC's exact
 *	reply texts; the relay forms (routed addresses and the MTA's
 *	resolved {rcpt_addr} {rcpt_mailer} {rcpt_host}); and the full matrix role x auth x TLS x trusted x
 *	local/foreign recipient x local/foreign sender x mode, each row's
 *	expectation derived from SPEC's violation table by expect() below.
 */
#include "acconfig.h"

#include <check.h>
#include <regex.h>

#include "config.h"
#include "policy.h"
#include "testconf.h"

static const char base_conf[] =
    "Listener 25 mx\n"
    "Listener 587 submission\n"
    "Listener 465 submissions\n"
    "Listener 127.0.0.1:10026 internal\n"
    "Listener [::1]:2525 mx\n"
    "Listener ORIGINATING submission\n"
    "LocalDomains example.org, .example.net\n"
    "TrustedNetworks 127.0.0.0/8, ::1, 10.0.0.0/8\n"
    "SPF off\nDKIM off\n";

static struct pr_config *cfg_enforce, *cfg_audit;

/* judge_raw - policy_rcpt() for an MTA that sent no {rcpt_addr} */
static void judge_raw(const struct pr_config *cfg, const struct pr_facts *f,
                      const char *raw, struct pr_verdict *v)
{
    struct pr_rcpt r = {raw, NULL, NULL, NULL};

    policy_rcpt(cfg, f, &r, v);
}

static void setup(void)
{
    strbuf err = STRBUF_INIT;
    strbuf conf = STRBUF_INIT;

    cfg_enforce = testconf_load(base_conf, &err);
    ck_assert_msg(cfg_enforce != NULL, "%s", strbuf_str(&err));
    strbuf_printf(&conf, "%sMode audit\n", base_conf);
    cfg_audit = testconf_load(conf.data, &err);
    ck_assert_msg(cfg_audit != NULL, "%s", strbuf_str(&err));
    strbuf_release(&err);
    strbuf_release(&conf);
}

static void teardown(void)
{
    config_free(cfg_enforce);
    config_free(cfg_audit);
}

/* ---- role resolution ---- */

static const struct role_case {
    const char *name, *addr, *port;
    enum pr_role role;
} role_cases[] = {
    {NULL, "127.0.0.1", "25", ROLE_MX},
    {NULL, "192.0.2.1", "587", ROLE_SUBMISSION},
    {NULL, NULL, "465", ROLE_SUBMISSIONS},
    {NULL, "127.0.0.1", "10026", ROLE_INTERNAL},
    {NULL, "127.0.0.2", "10026", ROLE_UNKNOWN},     /* ADDR:PORT wants that address */
    {NULL, "::1", "2525", ROLE_MX},
    {NULL, "IPv6:::1", "2525", ROLE_MX},            /* Sendmail's form */
    {"originating", "127.0.0.1", "25", ROLE_SUBMISSION},  /* name first, any case */
    {"mx.example.org", "127.0.0.1", "25", ROLE_MX},  /* unknown name falls through */
    {NULL, NULL, NULL, ROLE_LOCAL},                 /* no listener macro at all */
    {"pickup", NULL, "0", ROLE_LOCAL},              /* port 0 */
    {"smtpd", "127.0.0.1", NULL, ROLE_UNKNOWN},     /* Postfix default macros: no port */
    {NULL, "127.0.0.1", "2626", ROLE_UNKNOWN},
    {NULL, "127.0.0.1", "abc", ROLE_UNKNOWN},
    {NULL, "127.0.0.1", "-1", ROLE_UNKNOWN},
    {NULL, "127.0.0.1", "99999", ROLE_UNKNOWN},
};

START_TEST(test_role)
{
    const struct role_case *c = &role_cases[_i];
    const struct pr_listener *m;

    ck_assert_int_eq(policy_role(cfg_enforce, c->name, c->addr, c->port, &m), c->role);
    if (c->role == ROLE_LOCAL || c->role == ROLE_UNKNOWN)
        ck_assert_ptr_null(m);
    else
        ck_assert_ptr_nonnull(m);
}
END_TEST

/* ---- exact replies ---- */

static const struct reply_case {
    enum pr_role role;
    int port, auth, tls, trusted;
    const char *sender, *rcpt;          /* rcpt NULL: MAIL stage */
    const char *reply;                  /* NULL: pass */
} reply_cases[] = {
    {ROLE_MX, 25, 0, 1, 0, "a@example.com", "b@example.com",
     "554 5.7.1 <b@example.com>: Relay access denied; port 25 takes mail for this server's "
     "own domains only - to send elsewhere, submit on port 587 or 465 with authentication"},
    {ROLE_MX, 25, 0, 1, 0, "a@example.com", "b@example.org", NULL},
    {ROLE_MX, 25, 0, 1, 0, "a@example.com", "b@mail.example.net", NULL},
    {ROLE_MX, 25, 0, 1, 0, "a@example.com", "b@example.net",       /* .example.net is subdomains only */
     "554 5.7.1 <b@example.net>: Relay access denied; port 25 takes mail for this server's "
     "own domains only - to send elsewhere, submit on port 587 or 465 with authentication"},
    {ROLE_MX, 25, 0, 1, 0, "a@example.com", "B@EXAMPLE.ORG", NULL},
    {ROLE_MX, 25, 0, 1, 0, "a@example.com", "postmaster", NULL},
    {ROLE_MX, 25, 0, 1, 1, "a@example.com", "b@example.com", NULL},   /* trusted relays */
    {ROLE_MX, 25, 1, 1, 0, "a@example.com", NULL,
     "550 5.7.1 Port 25 is for server-to-server delivery; authenticated clients must submit "
     "on port 587 (STARTTLS) or 465 (TLS)"},
    {ROLE_SUBMISSION, 587, 0, 1, 0, "a@example.org", NULL,
     "530 5.7.0 Authentication required: port 587 is for authenticated submission"},
    {ROLE_SUBMISSION, 587, 1, 0, 0, "a@example.org", NULL,
     "530 5.7.0 Must issue a STARTTLS command first"},
    {ROLE_SUBMISSIONS, 465, 1, 0, 0, "a@example.org", NULL,
     "530 5.7.0 Encryption required: port 465 expects TLS from the first byte"},
    {ROLE_SUBMISSIONS, 465, 0, 1, 0, "a@example.org", NULL,
     "530 5.7.0 Authentication required: port 465 is for authenticated submission"},
    {ROLE_SUBMISSION, 587, 1, 1, 0, "a@example.org", "x@example.com", NULL},
    {ROLE_UNKNOWN, 2626, 0, 0, 0, "a@example.com", NULL, NULL},       /* tag by default */
    {ROLE_LOCAL, -1, 0, 0, 0, "root@example.org", "x@example.com", NULL},
    {ROLE_INTERNAL, 10026, 0, 0, 0, "a@example.com", "x@example.com", NULL},
};

/* reply_of - run the stage a case names; "" for pass */
static void reply_of(const struct pr_config *cfg, const struct reply_case *c, strbuf *out)
{
    struct pr_facts f = {0};
    struct pr_verdict v;
    strbuf text = STRBUF_INIT;

    f.role = c->role;
    f.port = c->port;
    f.client_addr = c->trusted ? "10.1.2.3" : "192.0.2.9";
    f.trusted = c->trusted;
    f.auth_type = c->auth ? "PLAIN" : NULL;
    f.login = c->auth ? "alice@example.org" : NULL;
    f.tls_version = c->tls ? "TLSv1.3" : NULL;
    f.sender = c->sender;
    policy_mail(cfg, &f, &v);
    if (v.action < ACT_TEMPFAIL && c->rcpt)
        judge_raw(cfg, &f, c->rcpt, &v);
    if (v.action >= ACT_TEMPFAIL) {
        policy_reply(cfg, &v, &f, c->rcpt, "0123456789ab", &text);
        strbuf_printf(out, "%s %s %s", v.code, v.xcode, strbuf_str(&text));
    }
    strbuf_release(&text);
}

START_TEST(test_reply)
{
    const struct reply_case *c = &reply_cases[_i];
    strbuf got = STRBUF_INIT, want = STRBUF_INIT;

    reply_of(cfg_enforce, c, &got);
    if (c->reply)
        strbuf_printf(&want, "%s (ref 0123456789ab)", c->reply);
    ck_assert_str_eq(strbuf_str(&got), strbuf_str(&want));
    /* Audit mode never rejects. */
    strbuf_reset(&got);
    reply_of(cfg_audit, c, &got);
    ck_assert_str_eq(strbuf_str(&got), "");
    strbuf_release(&got);
    strbuf_release(&want);
}
END_TEST

/* ---- relay forms: routed addresses and the MTA's resolution ---- */

#define RELAY_TEXT "Relay access denied; port 25 takes mail for this server's own " \
    "domains only - to send elsewhere, submit on port 587 or 465 with authentication"
#define ROUTED_TEXT "Relay access denied; routed addresses are not accepted on port 25 " \
    "- write the recipient as user@domain, or submit on port 587 or 465 with authentication"

static const struct relay_case {
    const char *raw, *addr, *mailer, *host;
    int verdict;                        /* 0 pass, 1 relay, 2 routed */
} relay_cases[] = {
    /* issue 12's forms, behind Postfix (full address resolved) */
    {"carol%foreign.example@example.org", "carol@foreign.example", "smtp", "foreign.example", 2},
    {"foreign.example!carol@example.org", "carol@foreign.example", "smtp", "foreign.example", 2},
    {"foreign.example!carol", "carol@foreign.example", "smtp", "foreign.example", 2},
    {"\"carol@foreign.example\"@example.org", "carol@foreign.example", "smtp", "foreign.example", 2},
    {"carol@foreign.example@example.org", "carol@foreign.example", "smtp", "foreign.example", 2},
    {"carol%foreign.example%example.org@example.org", "carol@foreign.example", "smtp", "x", 2},
    {"@a.example,@b.example:carol@foreign.example", "carol@foreign.example", "smtp", "x", 2},
    {"CAROL%FOREIGN.EXAMPLE@EXAMPLE.ORG.", "carol@foreign.example", "smtp", "x", 2},
    {"carol%foreign.example@[127.0.0.1]", "carol@foreign.example", "smtp", "x", 2},
    /* nmap's and Metasploit's quoted forms without a domain */
    {"\"relaytest@foreign.example\"", "relaytest@foreign.example", "smtp", "x", 2},
    {"\"relaytest%foreign.example\"", "relaytest@foreign.example", "smtp", "x", 2},
    {"relaytest\\@foreign.example@example.org", NULL, NULL, NULL, 2},
    {"@[127.0.0.1]:relaytest@foreign.example", "relaytest@foreign.example", "smtp", "x", 2},
    {"carol@foreign.example%example.org", NULL, NULL, NULL, 2},
    /* routed even where the MTA would deliver locally: strangers do not route */
    {"carol%x@example.org", "carol%x@example.org", "local", "mx.example.org", 2},
    {"\"a!b\"@example.org", NULL, NULL, NULL, 2},
    /* the same forms without {rcpt_addr}: the strict raw parse */
    {"carol%foreign.example@example.org", NULL, NULL, NULL, 2},
    {"foreign.example!carol", NULL, NULL, NULL, 2},
    {"carol@foreign.example@example.org", NULL, NULL, NULL, 2},
    /* resolved elsewhere, and the client did not name a local domain */
    {"postmaster", "postmaster@elsewhere.example", "smtp", "elsewhere.example", 1},
    {"carol@[127.0.0.1]", "carol@[127.0.0.1]", "local", "mx.example.org", 1},
    {"carol@foreign.example", "carol", "lmtp", "", 1},    /* a foreign name stays foreign */
    {"carol@foreign.example", "carol@example.org", "local", "", 0},   /* delivered here */
    /* issue 25 item 7: the admin's own tables move a local address, not relay */
    {"alias@example.org", "carol@foreign.example", "esmtp", "foreign.example", 0},
    {"alias@example.org", "carol@foreign.example", "smtp", "foreign.example", 0},
    {"carol@example.org", "carol", "esmtp", "foreign.example", 0},
    {"carol@example.org", "carol", "lmtp", "localhost", 0},
    {"carol@example.org", "carol", "cyrusv2", "", 0},
    {"carol@Example.ORG", "carol", "procmail", "", 0},
    {"carol@sub.example.net", "carol", "lmtp", "", 0},        /* .example.net: subdomains */
    {"u@example.com", "u", "cyrusv2", "", 1},                 /* not in LocalDomains */
    {"postmaster", "root", "lmtp", "", 0},                    /* the MTA's own, via an alias */
    {"postmaster", "root", "cyrusv2", NULL, 0},
    {"postmaster", "root", "esmtp", "foreign.example", 1},    /* a host to go to */
    {"postmaster", "root@foreign.example", "lmtp", "", 1},
    /* a backslash escapes one character: not routing unless it escapes '@' */
    {"\\carol", "carol", "lmtp", "", 0},                     /* Sendmail's no-alias form */
    {"\\\\carol", "\\carol", "cyrusv2", "", 0},              /* one literal backslash */
    {"\\carol", "carol", "esmtp", "foreign.example", 1},      /* a host to go to */
    {"carol\\@foreign.example", "carol@foreign.example", "smtp", "foreign.example", 2},
    /* local */
    {"postmaster", "postmaster@example.org", "local", "mx.example.org", 0},
    {"postmaster", NULL, NULL, NULL, 0},
    {"carol@EXAMPLE.ORG.", "carol@example.org", "local", "x", 0},
    {"carol@mail.example.net", "carol@mail.example.net", "virtual", "x", 0},
    {"carol@example.org", "carol", "local", "", 0},                 /* Sendmail local mailer */
    {"carol@[127.0.0.1]", "carol", "local", "", 0},
    {"\"carol smith\"@example.org", "\"carol smith\"@example.org", "local", "x", 0},
    {"nobody@example.org", "nobody@example.org", "error", "", 0},     /* bounced, not relayed */
    {"x@elsewhere.example", "x@elsewhere.example", "discard", "", 0},
    {"x@elsewhere.example", "x@elsewhere.example", "DISCARD", "", 0},
    {"carol@foreign.example", NULL, NULL, NULL, 1},
    {"carol@foreign.example", "", "", "", 1},                         /* empty = not sent */
};

START_TEST(test_relay_forms)
{
    const struct relay_case *c = &relay_cases[_i];
    struct pr_rcpt r = {c->raw, c->addr, c->mailer, c->host};
    struct pr_facts f = {0};
    struct pr_verdict v;
    strbuf text = STRBUF_INIT;
    static const enum pr_role roles[] = {ROLE_MX, ROLE_UNKNOWN};

    f.port = 25;
    f.client_addr = "192.0.2.9";
    f.sender = "";
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        f.role = roles[i];
        policy_rcpt(cfg_enforce, &f, &r, &v);
        ck_assert_msg((v.action == ACT_REJECT) == (c->verdict != 0), "%s -> %s: action %s",
                      c->raw, c->addr ? c->addr : "(none)", vocab_action_name(v.action));
        ck_assert_int_eq(v.routed, c->verdict == 2);
        ck_assert_int_eq(policy_rcpt_routed(c->raw), c->verdict == 2);
        if (c->verdict) {
            strbuf_reset(&text);
            policy_reply(cfg_enforce, &v, &f, c->raw, "0123456789ab", &text);
            ck_assert_str_eq(v.code, "554");
            /* the reply quotes what the client wrote */
            ck_assert_msg(strncmp(text.data, "<", 1) == 0
                          && strncmp(text.data + 1, c->raw, strlen(c->raw)) == 0,
                          "reply %s does not quote %s", text.data, c->raw);
            ck_assert_ptr_nonnull(strstr(text.data, c->verdict == 2 ? ROUTED_TEXT : RELAY_TEXT));
            ck_assert_ptr_nonnull(strstr(text.data, " (ref 0123456789ab)"));
        }
    }
    /* a trusted or authenticated client may route; local and internal are not judged */
    f.role = ROLE_MX;
    f.trusted = 1;
    policy_rcpt(cfg_enforce, &f, &r, &v);
    ck_assert_int_eq(v.action, ACT_PASS);
    f.trusted = 0;
    f.auth_type = "PLAIN";
    policy_rcpt(cfg_enforce, &f, &r, &v);
    ck_assert_int_eq(v.action, ACT_PASS);
    f.auth_type = NULL;
    f.role = ROLE_LOCAL;
    policy_rcpt(cfg_enforce, &f, &r, &v);
    ck_assert_int_eq(v.action, ACT_PASS);
    strbuf_release(&text);
}
END_TEST

START_TEST(test_relay_reply_key)
{
    strbuf err = STRBUF_INIT, text = STRBUF_INIT;
    struct pr_config *cfg = testconf_load(
        "LocalDomains example.org\nSPF off\nDKIM off\nAction unauth-relay tempfail\n"
        "Reply unauth-relay \"No relay for <${rcpt}>\"\n", &err);
    struct pr_rcpt r = {"a%b@example.org", "a@b", "smtp", "b"};
    struct pr_facts f = {0};
    struct pr_verdict v;

    ck_assert_msg(cfg != NULL, "%s", strbuf_str(&err));
    f.role = ROLE_MX;
    f.port = 25;
    f.client_addr = "192.0.2.9";
    /* one Action and one Reply key govern the routed refusal too */
    policy_rcpt(cfg, &f, &r, &v);
    ck_assert_int_eq(v.action, ACT_TEMPFAIL);
    ck_assert_str_eq(v.code, "454");
    policy_reply(cfg, &v, &f, r.raw, "0123456789ab", &text);
    ck_assert_str_eq(text.data, "No relay for <a%b@example.org> (ref 0123456789ab)");
    ck_assert_int_eq(policy_rcpt_resolved_differs(&r), 1);
    r.addr = "A%B@EXAMPLE.ORG";
    ck_assert_int_eq(policy_rcpt_resolved_differs(&r), 0);
    r.addr = NULL;
    ck_assert_int_eq(policy_rcpt_resolved_differs(&r), 0);
    config_free(cfg);
    strbuf_release(&err);
    strbuf_release(&text);
}
END_TEST

/* ---- the matrix ---- */

#define NROLES 6
#define MATRIX_SIZE (NROLES * 2 * 2 * 2 * 2 * 2 * 2)

/* expect - SPEC's violation table, restated: the violations a case must raise */
static unsigned expect(enum pr_role role, int auth, int tls, int trusted, int local_rcpt,
                       int local_sender)
{
    unsigned v = 0;

    switch (role) {
    case ROLE_MX:
        if (auth)
            v |= VBIT(V_AUTH_ON_MX);
        if (!auth && !trusted && !local_rcpt)
            v |= VBIT(V_UNAUTH_RELAY);
        if (!auth && !trusted && local_sender)
            v |= VBIT(V_LOCAL_SENDER_ON_MX);
        break;
    case ROLE_SUBMISSION:
    case ROLE_SUBMISSIONS:
        if (!auth)
            v |= VBIT(V_UNAUTH_SUBMISSION);
        if (!tls)
            v |= VBIT(V_CLEARTEXT_SUBMISSION);
        break;
    case ROLE_UNKNOWN:
        v |= VBIT(V_UNKNOWN_LISTENER);
        if (!auth && !trusted && !local_rcpt)       /* no listener opens a relay */
            v |= VBIT(V_UNAUTH_RELAY);
        break;
    default:
        break;
    }
    return v;
}

START_TEST(test_matrix)
{
    int i = _i;
    enum pr_role role = (enum pr_role) (i % NROLES);
    int auth = (i / NROLES) & 1, tls = (i / NROLES / 2) & 1, trusted = (i / NROLES / 4) & 1;
    int local_rcpt = (i / NROLES / 8) & 1, local_sender = (i / NROLES / 16) & 1;
    int audit = (i / NROLES / 32) & 1;
    const struct pr_config *cfg = audit ? cfg_audit : cfg_enforce;
    unsigned want = expect(role, auth, tls, trusted, local_rcpt, local_sender), got;
    struct pr_facts f = {0};
    struct pr_verdict mv, rv;
    enum pr_action want_action = ACT_PASS;

    f.role = role;
    f.port = 25;
    f.trusted = trusted;
    f.client_addr = trusted ? "127.0.0.1" : "192.0.2.9";
    f.auth_type = auth ? "LOGIN" : NULL;
    f.login = auth ? "alice" : NULL;
    f.tls_version = tls ? "TLSv1.2" : "";
    f.sender = local_sender ? "me@example.org" : "me@example.com";
    policy_mail(cfg, &f, &mv);
    judge_raw(cfg, &f, local_rcpt ? "you@example.org" : "you@example.com", &rv);
    got = mv.violations | rv.violations;
    ck_assert_msg(got == want, "case %d role=%s auth=%d tls=%d trusted=%d local_rcpt=%d "
                  "local_sender=%d: violations %#x, want %#x", i, vocab_role_name(role),
                  auth, tls, trusted, local_rcpt, local_sender, got, want);
    /* The most severe default action decides (tags stay tags). */
    for (int v = 0; v < V_COUNT; v++)
        if ((want & VBIT(v)) && vocab_default_action((enum pr_violation) v) > want_action)
            want_action = vocab_default_action((enum pr_violation) v);
    if (audit) {
        ck_assert_int_le(mv.action, ACT_TAG);
        ck_assert_int_le(rv.action, ACT_TAG);
        ck_assert_int_eq(mv.would > rv.would ? mv.would : rv.would,
                         want_action >= ACT_TEMPFAIL ? want_action : ACT_PASS);
        ck_assert_uint_eq(mv.tagged | rv.tagged, want);
    } else {
        enum pr_action worst = mv.action >= ACT_TEMPFAIL ? mv.action
            : (mv.action > rv.action ? mv.action : rv.action);

        /* An unauthenticated untrusted client never relays through mx. */
        if (role == ROLE_MX && !auth && !trusted && !local_rcpt)
            ck_assert_int_eq(rv.action, ACT_REJECT);
        if (mv.action < ACT_TEMPFAIL || !(want & VBIT(V_UNAUTH_RELAY)))
            ck_assert_int_eq(worst, want_action);
        ck_assert_int_eq(mv.would, ACT_PASS);
    }
}
END_TEST

/* ---- stages that cannot refuse are negotiated "no reply" ---- */

static const struct refuse_case {
    const char *extra;          /* appended to base_conf */
    int mail, rcpt;             /* policy_*_can_refuse() */
    int mail_replies, rcpt_replies;     /* policy_*_replies(): the stage waits for us */
} refuse_cases[] = {
    /* DelayReject yes (default): MAIL never replies, RCPT gives both stages' refusals */
    {"", 1, 1, 0, 1},
    {"Mode audit\n", 0, 0, 0, 0},
    {"Action auth-on-mx tag\nAction unknown-listener tag\nAction unauth-submission tag\n"
     "Action cleartext-submission ignore\nAction sender-mismatch tag\n", 0, 1, 0, 1},
    {"Action auth-on-mx tag\nAction unknown-listener tag\nAction unauth-submission tag\n"
     "Action cleartext-submission ignore\nAction sender-mismatch tag\n"
     "Action spf-fail tempfail\n", 1, 1, 0, 1},
    {"Action auth-on-mx tag\nAction unknown-listener tag\nAction unauth-submission tag\n"
     "Action cleartext-submission ignore\nAction sender-mismatch tag\n"
     "Action local-sender-on-mx reject\n", 1, 1, 0, 1},
    {"Action unauth-relay tag\n", 1, 0, 0, 1},
    {"Action unauth-relay tempfail\nMode audit\n", 0, 0, 0, 0},
    /* issue 26: only a MAIL-stage refusal makes RCPT wait when relay is tagged */
    {"Action unauth-relay tag\nAction auth-on-mx tag\nAction unknown-listener tag\n"
     "Action unauth-submission tag\nAction cleartext-submission ignore\n"
     "Action sender-mismatch tag\n", 0, 0, 0, 0},
    /* DelayReject no: each stage replies when it can refuse */
    {"DelayReject no\n", 1, 1, 1, 1},
    {"DelayReject no\nAction unauth-relay tag\n", 1, 0, 1, 0},
    {"DelayReject no\nMode audit\n", 0, 0, 0, 0},
};

START_TEST(test_can_refuse)
{
    const struct refuse_case *c = &refuse_cases[_i];
    strbuf err = STRBUF_INIT, conf = STRBUF_INIT;
    struct pr_config *cfg;

    strbuf_printf(&conf, "%s%s", base_conf, c->extra);
    cfg = testconf_load(conf.data, &err);
    ck_assert_msg(cfg != NULL, "%s", strbuf_str(&err));
    ck_assert_int_eq(policy_mail_can_refuse(cfg), c->mail);
    ck_assert_int_eq(policy_rcpt_can_refuse(cfg), c->rcpt);
    ck_assert_int_eq(policy_mail_replies(cfg), c->mail_replies);
    ck_assert_int_eq(policy_rcpt_replies(cfg), c->rcpt_replies);
    /* The promise the glue relies on: a stage that "cannot refuse" never does. */
    for (int i = 0; i < MATRIX_SIZE / 2; i++) {
        struct pr_facts f = {0};
        struct pr_verdict mv, rv;
        int auth = (i / NROLES) & 1, trusted = (i / NROLES / 4) & 1;

        f.role = (enum pr_role) (i % NROLES);
        f.port = 25;
        f.trusted = trusted;
        f.client_addr = trusted ? "127.0.0.1" : "192.0.2.9";
        f.auth_type = auth ? "LOGIN" : NULL;
        f.login = auth ? "alice" : NULL;
        f.tls_version = (i / NROLES / 2) & 1 ? "TLSv1.2" : "";
        f.sender = (i / NROLES / 16) & 1 ? "me@example.org" : "me@example.com";
        f.spf = (i / NROLES / 8) & 1 ? SPF_RESULT_FAIL : SPF_RESULT_PASS;
        policy_mail(cfg, &f, &mv);
        judge_raw(cfg, &f, (i / NROLES / 8) & 1 ? "you%x@example.org" : "you@example.com", &rv);
        if (!c->mail)
            ck_assert_msg(mv.action < ACT_TEMPFAIL, "case %d: MAIL refused", i);
        if (!c->rcpt)
            ck_assert_msg(rv.action < ACT_TEMPFAIL, "case %d: RCPT refused", i);
    }
    config_free(cfg);
    strbuf_release(&err);
    strbuf_release(&conf);
}
END_TEST

/* ---- {auth_author} is not authentication ---- */

START_TEST(test_auth_author_is_not_auth)
{
    struct pr_facts f = {0};
    struct pr_verdict v;

    /* The glue never copies {auth_author} into the facts; nothing else proves AUTH. */
    f.role = ROLE_MX;
    f.port = 25;
    f.client_addr = "192.0.2.9";
    f.sender = "alice@example.com";
    ck_assert_int_eq(policy_authenticated(&f), 0);
    f.auth_type = "";
    f.login = "";
    ck_assert_int_eq(policy_authenticated(&f), 0);
    policy_mail(cfg_enforce, &f, &v);
    ck_assert_uint_eq(v.violations & VBIT(V_AUTH_ON_MX), 0);
    judge_raw(cfg_enforce, &f, "bob@example.com", &v);
    ck_assert_int_eq(v.action, ACT_REJECT);
    f.login = "alice";
    ck_assert_int_eq(policy_authenticated(&f), 1);
}
END_TEST

/* ---- Action, Reply, SenderPolicy ---- */

START_TEST(test_actions_and_replies)
{
    strbuf err = STRBUF_INIT, text = STRBUF_INIT;
    struct pr_config *cfg = testconf_load(
        "Listener 25 mx\nLocalDomains example.org\nSPF off\nDKIM off\n"
        "Action unauth-relay tempfail\nAction local-sender-on-mx reject\n"
        "Action auth-on-mx ignore\n"
        "Reply unauth-relay \"No relay for <${rcpt}> via port ${port}, 100% sure\"\n", &err);
    struct pr_facts f = {0};
    struct pr_verdict v;

    ck_assert_msg(cfg != NULL, "%s", strbuf_str(&err));
    f.role = ROLE_MX;
    f.port = 25;
    f.client_addr = "192.0.2.9";
    f.sender = "x@example.com";
    judge_raw(cfg, &f, "y@example.com", &v);
    ck_assert_int_eq(v.action, ACT_TEMPFAIL);
    ck_assert_str_eq(v.code, "454");
    ck_assert_str_eq(v.xcode, "4.7.1");
    policy_reply(cfg, &v, &f, "y@example.com", "aaaaaaaaaaaa", &text);
    ck_assert_str_eq(strbuf_str(&text), "No relay for <y@example.com> via port 25, 100% sure (ref aaaaaaaaaaaa)");
    f.sender = "x@EXAMPLE.org";
    policy_mail(cfg, &f, &v);
    ck_assert_int_eq(v.action, ACT_REJECT);
    ck_assert_str_eq(v.code, "550");
    f.auth_type = "PLAIN";
    policy_mail(cfg, &f, &v);
    ck_assert_uint_eq(v.ignored, VBIT(V_AUTH_ON_MX));
    ck_assert_int_eq(v.action, ACT_PASS);
    config_free(cfg);
    strbuf_release(&err);
    strbuf_release(&text);
}
END_TEST

START_TEST(test_unknown_listener_codes)
{
    strbuf err = STRBUF_INIT;
    struct pr_config *rej = testconf_load("Action unknown-listener reject\nSPF off\nDKIM off\n", &err);
    struct pr_config *tf = testconf_load("Action unknown-listener tempfail\nSPF off\nDKIM off\n", &err);
    struct pr_facts f = {0};
    struct pr_verdict v;

    ck_assert(rej && tf);
    f.role = ROLE_UNKNOWN;
    f.port = 2626;
    f.sender = "a@b.test";
    policy_mail(rej, &f, &v);
    ck_assert_int_eq(v.action, ACT_REJECT);
    ck_assert_str_eq(v.code, "550");          /* a reject the client will not retry */
    ck_assert_str_eq(v.xcode, "5.3.5");
    policy_mail(tf, &f, &v);
    ck_assert_int_eq(v.action, ACT_TEMPFAIL);
    ck_assert_str_eq(v.code, "451");          /* SPEC's reply */
    ck_assert_str_eq(v.xcode, "4.3.5");
    config_free(rej);
    config_free(tf);
    strbuf_release(&err);
}
END_TEST

START_TEST(test_hostile_reply_values)
{
    strbuf text = STRBUF_INIT;
    struct pr_facts f = {0};
    struct pr_verdict v;
    char big[70000];

    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    big[10] = '\r';
    big[11] = '\n';
    memcpy(big + sizeof(big) - 14, "@example.com", 13);
    f.role = ROLE_MX;
    f.port = 25;
    f.client_addr = "192.0.2.9";
    f.sender = "x@example.com";
    judge_raw(cfg_enforce, &f, big, &v);
    ck_assert_int_eq(v.action, ACT_REJECT);
    policy_reply(cfg_enforce, &v, &f, big, "bbbbbbbbbbbb", &text);
    ck_assert_ptr_null(strchr(strbuf_str(&text), '\r'));
    ck_assert_ptr_null(strchr(strbuf_str(&text), '\n'));
    ck_assert_uint_le(text.len + 10, 512);
    ck_assert_ptr_nonnull(strstr(strbuf_str(&text), "(ref bbbbbbbbbbbb)"));
    strbuf_release(&text);
}
END_TEST

static const struct sender_case {
    const char *policy, *sender, *login;
    int ok;
} sender_cases[] = {
    {"any", "anyone@anywhere.test", "alice", 1},
    {"local-domains", "alice@example.org", "alice", 1},
    {"local-domains", "alice@sub.example.net", "alice", 1},
    {"local-domains", "alice@example.com", "alice", 0},
    {"login", "alice@example.org", "alice@example.org", 1},
    {"login", "ALICE@example.org", "alice@EXAMPLE.org", 1},
    {"login", "bob@example.org", "alice@example.org", 0},
    {"login", "sales@example.org", "alice", 1},          /* map: sales@ -> alice,carol */
    {"login", "sales@example.org", "carol", 1},
    {"login", "sales@example.org", "bob", 0},
    {"login", "anything@shared.test", "bob", 1},         /* map: @shared.test -> bob */
    {"login", "anything@shared.test", "alice", 0},
    {"login", "", "alice", 1},                           /* null sender (bounces) allowed */
};

START_TEST(test_sender_policy)
{
    const struct sender_case *c = &sender_cases[_i];
    char map[] = "/tmp/portrole-map-XXXXXX";
    int fd = mkstemp(map);
    const char maptext[] = "# sender login[,login]\nsales@example.org alice,Carol\n@shared.test bob\n";
    strbuf conf = STRBUF_INIT, err = STRBUF_INIT, text = STRBUF_INIT;
    struct pr_config *cfg;
    struct pr_facts f = {0};
    struct pr_verdict v;

    ck_assert(fd >= 0 && write(fd, maptext, sizeof(maptext) - 1) == sizeof(maptext) - 1);
    close(fd);
    strbuf_printf(&conf, "%sSenderPolicy %s\nSenderLoginMap %s\n", base_conf, c->policy, map);
    cfg = testconf_load(conf.data, &err);
    unlink(map);
    ck_assert_msg(cfg != NULL, "%s", strbuf_str(&err));
    f.role = ROLE_SUBMISSION;
    f.port = 587;
    f.auth_type = "PLAIN";
    f.login = c->login;
    f.tls_version = "TLSv1.3";
    f.sender = c->sender;
    policy_mail(cfg, &f, &v);
    ck_assert_int_eq(v.action == ACT_PASS, c->ok);
    if (!c->ok) {
        policy_reply(cfg, &v, &f, NULL, "cccccccccccc", &text);
        ck_assert_str_eq(v.code, "553");
        ck_assert_str_eq(v.xcode, "5.7.1");
        ck_assert(strstr(text.data, "Sender address rejected: not owned by user") != NULL);
    }
    config_free(cfg);
    strbuf_release(&conf);
    strbuf_release(&err);
    strbuf_release(&text);
}
END_TEST

START_TEST(test_ref_format)
{
    char a[13], b[13];
    regex_t re;

    ck_assert_int_eq(regcomp(&re, "^[0-9a-f]{12}$", REG_EXTENDED | REG_NOSUB), 0);
    policy_new_ref(a);
    policy_new_ref(b);
    ck_assert_int_eq(regexec(&re, a, 0, NULL, 0), 0);
    ck_assert_str_ne(a, b);
    regfree(&re);
}
END_TEST

static Suite *policy_suite(void)
{
    Suite *s = suite_create("policy");
    TCase *tc = tcase_create("policy");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_role, 0, sizeof(role_cases) / sizeof(role_cases[0]));
    tcase_add_loop_test(tc, test_reply, 0, sizeof(reply_cases) / sizeof(reply_cases[0]));
    tcase_add_loop_test(tc, test_relay_forms, 0, sizeof(relay_cases) / sizeof(relay_cases[0]));
    tcase_add_test(tc, test_relay_reply_key);
    tcase_add_loop_test(tc, test_matrix, 0, MATRIX_SIZE);
    tcase_add_loop_test(tc, test_can_refuse, 0, sizeof(refuse_cases) / sizeof(refuse_cases[0]));
    tcase_add_test(tc, test_auth_author_is_not_auth);
    tcase_add_test(tc, test_actions_and_replies);
    tcase_add_test(tc, test_hostile_reply_values);
    tcase_add_test(tc, test_unknown_listener_codes);
    tcase_add_loop_test(tc, test_sender_policy, 0, sizeof(sender_cases) / sizeof(sender_cases[0]));
    tcase_add_test(tc, test_ref_format);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(policy_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
