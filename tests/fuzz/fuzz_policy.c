/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_policy - the port-role policy over arbitrary facts, with the
 *	promises of SPEC asserted on every transaction.
 *
 * INPUT
 *	byte 0: which of the configs below; byte 1: role (0x80: resolve it
 *	with policy_role() from the daemon macros instead); byte 2: SPF
 *	result (low 3 bits), trusted (0x08), trust from TrustedNetworks
 *	(0x10); bytes 3-4: port; then NUL-separated strings: {daemon_name},
 *	{daemon_addr}, {daemon_port}, listener name, {client_name},
 *	{client_addr}, {auth_type}, {auth_authen}, {tls_version}, HELO,
 *	sender, SPF domain, queue id; every further string is a recipient,
 *	or, with flags 0x20, every further four strings are one: the RCPT
 *	argument, {rcpt_addr}, {rcpt_mailer}, {rcpt_host} ("\x01" = not sent).
 *
 * INVARIANTS
 *	- Mode audit never rejects or tempfails, at MAIL or RCPT.
 *	- With the default actions in enforce mode, an unauthenticated,
 *	  untrusted client on an mx (or unknown) listener never gets a
 *	  recipient accepted
 *	  whose resolved domain is not a local domain ({rcpt_addr}'s after the
 *	  last '@' where the MTA sent it, else the argument's; mailers error
 *	  and discard deliver nothing, Sendmail's local mailer sends the user
 *	  part only), nor one whose argument surely routes ('%' or '!', or
 *	  two '@'); role unknown is held to the same rule; an
 *	  authenticated one is refused at MAIL; an unauthenticated client on
 *	  a submission listener is refused at MAIL.
 *	- Every reply: a 3-digit 4xx (tempfail) or 5xx (reject) code, an
 *	  enhanced code class.subject.detail of the same class, one line of
 *	  printable ASCII, "CODE X.Y.Z TEXT\r\n" within 512 bytes, ending with
 *	  " (ref ID)".
 *	- The header of an accepted message and the decision log line are
 *	  well formed (see fuzz.h).
 */
#include "acconfig.h"

#include <ctype.h>
#include <strings.h>

#include "config.h"
#include "fuzz.h"
#include "header.h"
#include "log.h"
#include "policy.h"

#define LOCALS "LocalDomains example.com, .example.net\n"
#define ALL_REJECT \
    "Action unknown-listener reject\nAction spf-fail reject\n" \
    "Action local-sender-on-mx reject\n"

static const char *const conf_texts[] = {
    /* 0: the defaults, enforce: the relay invariants are checked here */
    LOCALS,
    /* 1: audit, every violation rejecting or tempfailing */
    LOCALS "Mode audit\n" ALL_REJECT "Action unauth-relay tempfail\n",
    /* 2: enforce, tempfail twins, no TLS requirement, local senders only */
    LOCALS "Action unauth-relay tempfail\nAction auth-on-mx tempfail\n"
    "Action cleartext-submission tempfail\nAction sender-mismatch tempfail\n"
    "Action unauth-submission tempfail\nAction unknown-listener tempfail\n"
    "Action spf-fail tempfail\nAction local-sender-on-mx tempfail\n"
    "RequireTLS no\nSenderPolicy local-domains\nLogFormat json\n",
    /* 3: every reply overridden with every placeholder, logins map */
    LOCALS ALL_REJECT "SenderPolicy login\nLogFormat json\n"
    "Reply unauth-relay \"${rcpt} ${sender} ${login} ${port} ${client} ${domain} "
    "${rcpt} ${rcpt} ${sender} ${sender} 100% relay\"\n"
    "Reply sender-mismatch \"${sender}${sender}${sender}${login}${login}${login}\"\n"
    "Reply spf-fail \"${client} ${domain} ${domain} ${domain} ${domain}\"\n"
    "Reply unknown-listener \"${port}${port}${port} ${client}\"\n"
    "Reply unauth-submission \"%s%n ${port} ${login}\"\n"
    "Reply local-sender-on-mx \"${sender}${rcpt}${domain}\"\n",
    /* 4: audit with the defaults and listeners by name and address */
    LOCALS "Mode audit\nListener ORIGINATING submission\n"
    "Listener 127.0.0.1:10026 internal\nListener [::1]:25 mx\nListener 25 mx\n"
    "Listener 2525 mx\nListener 465 submissions\nTrustedNetworks 192.0.2.0/24, 2001:db8::/32\n",
};
#define NCONF (sizeof(conf_texts) / sizeof(conf_texts[0]))

static struct pr_config *confs[NCONF];

/* load_confs - once: a config that does not load is a harness bug */
static void load_confs(void)
{
    strbuf err = STRBUF_INIT;

    if (confs[0] != NULL)
        return;
    for (size_t i = 0; i < NCONF; i++) {
        confs[i] = fz_config_text(conf_texts[i], strlen(conf_texts[i]), &err);
        if (confs[i] == NULL)
            fprintf(stderr, "fuzz_policy: config %zu: %s", i, strbuf_str(&err));
        FZ_CHECK(confs[i] != NULL, "a harness config does not load");
    }
    strbuf_release(&err);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    load_confs();
    return 0;
}

/* digits - n (1..max) ASCII digits at s, returns the count or 0 */
static size_t digits(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && isdigit((unsigned char) s[n]))
        n++;
    return n > 0 && !isdigit((unsigned char) s[n]) ? n : 0;
}

/* check_verdict - the verdict's own consistency */
static void check_verdict(const struct pr_config *cfg, const struct pr_verdict *v)
{
    FZ_CHECK(v->action >= ACT_PASS && v->action <= ACT_REJECT, "action out of range");
    FZ_CHECK((v->tagged & ~v->violations) == 0, "tagged violation not found");
    FZ_CHECK((v->ignored & v->violations) == 0, "ignored violation counted");
    FZ_CHECK((v->action == ACT_PASS) == (v->violations == 0),
             "pass with a violation, or a violation without action");
    if (cfg->audit) {
        FZ_CHECK(v->action != ACT_REJECT && v->action != ACT_TEMPFAIL,
                 "audit mode rejected or tempfailed");
        FZ_CHECK(v->would == ACT_PASS || v->would >= ACT_TEMPFAIL, "bad would=");
    } else
        FZ_CHECK(v->would == ACT_PASS, "would= outside audit mode");
}

/* check_reply - SMTP reply syntax and size; text as policy_reply() made it */
static void check_reply(const struct pr_verdict *v, const strbuf *text, const char *ref)
{
    char cls = v->action == ACT_REJECT ? '5' : '4';
    const char *x = v->xcode, *t = strbuf_str(text);
    size_t n, tail = strlen(ref) + 7;

    FZ_CHECK(strlen(v->code) == 3 && v->code[0] == cls && v->code[1] >= '0'
             && v->code[1] <= '5' && isdigit((unsigned char) v->code[2]),
             "reply code not 4xx for tempfail / 5xx for reject");
    FZ_CHECK(x[0] == cls && x[1] == '.', "enhanced code class differs from the code");
    FZ_CHECK((n = digits(x + 2, 3)) > 0 && x[2 + n] == '.', "enhanced code subject");
    x += 3 + n;
    FZ_CHECK((n = digits(x, 3)) > 0 && x[n] == 0, "enhanced code detail");
    fz_check_line(strbuf_str(text), text->len);
    FZ_CHECK(text->len > 0, "empty reply text");
    FZ_CHECK(strlen(v->code) + 1 + strlen(v->xcode) + 1 + text->len + 2 <= 512,
             "reply line longer than 512 bytes");
    FZ_CHECK(text->len >= tail && memcmp(t + text->len - tail, " (ref ", 6) == 0
             && memcmp(t + text->len - tail + 6, ref, tail - 7) == 0 && t[text->len - 1] == ')',
             "reply does not end with (ref ID)");
}

/* reply - render and check the reply of a refusing verdict */
static void reply(const struct pr_config *cfg, const struct pr_verdict *v,
                  const struct pr_facts *f, const char *rcpt, const char *ref)
{
    strbuf text = STRBUF_INIT;

    if (v->action < ACT_TEMPFAIL)
        return;
    policy_reply(cfg, v, f, rcpt, ref, &text);
    check_reply(v, &text, ref);
    strbuf_release(&text);
}

/* foreign_domain - a domain, judged without the library, is not local */
static int foreign_domain(const char *domain)
{
    char d[512];
    size_t len;

    len = strlen(domain);
    if (len >= sizeof(d))
        return 1;
    memcpy(d, domain, len + 1);
    if (len > 0 && d[len - 1] == '>')
        d[--len] = 0;
    if (len > 1 && d[len - 1] == '.')
        d[--len] = 0;
    for (size_t i = 0; i < len; i++)
        d[i] = (char) tolower((unsigned char) d[i]);
    if (strcmp(d, "example.com") == 0)
        return 0;
    return !(len > 12 && strcmp(d + len - 12, ".example.net") == 0);
}

/*
 * spec_routing - SPEC "Recipients": the written form carries routing: '%'
 * or '!' anywhere, an '@' that is escaped or quoted, or a second '@'. A
 * backslash escapes the one character after it: two backslashes are one
 * literal backslash, and a backslash before a letter (Sendmail's no-alias
 * form, backslash-user) is not routing either.
 */
static int spec_routing(const char *raw)
{
    int in_quotes = 0, ats = 0;

    if (strpbrk(raw, "%!") != NULL)
        return 1;
    for (const char *p = raw; *p != 0; p++) {
        if (*p == '\\') {
            if (*++p == '@')
                return 1;
            if (*p == 0)
                break;
        } else if (*p == '"')
            in_quotes = !in_quotes;
        else if (*p == '@' && (in_quotes || ats++ > 0))
            return 1;
    }
    return 0;
}

/*
 * written_local - SPEC "Recipients": a recipient written in a local domain
 * without routing is local whatever the MTA's tables resolve it to; so is
 * a bare user handed to a mailer as a bare user with no host (issue 25
 * item 7).
 */
static int written_local(const struct pr_rcpt *r)
{
    const char *at = strchr(r->raw, '@');

    if (spec_routing(r->raw))
        return 0;
    if (at != NULL)
        return at[1] != 0 && !foreign_domain(at + 1);
    return r->addr != NULL && *r->addr != 0 && strchr(r->addr, '@') == NULL
        && (r->host == NULL || *r->host == 0);
}

/* foreign - where the MTA will deliver it is not a local domain */
static int foreign(const struct pr_rcpt *r)
{
    const char *at;

    if (written_local(r))
        return 0;
    if (r->addr == NULL || *r->addr == 0) {
        at = strrchr(r->raw, '@');
        return at != NULL && at[1] != 0 && foreign_domain(at + 1);
    }
    if (r->mailer && (strcasecmp(r->mailer, "error") == 0 || strcasecmp(r->mailer, "discard") == 0))
        return 0;
    at = strrchr(r->addr, '@');
    if (at == NULL && r->mailer && strcasecmp(r->mailer, "local") == 0)
        return 0;
    return at == NULL || at[1] == 0 || foreign_domain(at + 1);
}

/* routed - surely routing: '%' or '!' anywhere, or two '@' (quoted or not) */
static int routed(const char *raw)
{
    const char *at = strchr(raw, '@');

    return strpbrk(raw, "%!") != NULL || (at != NULL && strchr(at + 1, '@') != NULL);
}

/* authenticated - SPEC's rule, not the library's */
static int authenticated(const struct pr_facts *f)
{
    return (f->auth_type && *f->auth_type) || (f->login && *f->login);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in;
    struct pr_facts f;
    struct pr_verdict mv, rv;
    const struct pr_listener *match;
    const struct pr_config *cfg;
    const char *dname, *daddr, *dport, *queueid, *rcpts[32];
    struct pr_rcpt rr[32];
    unsigned ci, rolebyte, flags, tagged, violations;
    size_t nrcpts = 0, naccepted = 0;
    int relayed = 0, port;
    char ref[13];
    strbuf hv = STRBUF_INIT, line = STRBUF_INIT;

    load_confs();
    fz_init(&in, data, size);
    ci = fz_byte(&in) % NCONF;
    cfg = confs[ci];
    rolebyte = fz_byte(&in);
    flags = fz_byte(&in);
    port = (int16_t) (fz_byte(&in) << 8 | fz_byte(&in));
    dname = fz_str_or_null(&in);
    daddr = fz_str_or_null(&in);
    dport = fz_str_or_null(&in);

    memset(&f, 0, sizeof(f));
    f.port = port < -1 ? -1 : port;
    if (rolebyte & 0x80) {
        f.role = policy_role(cfg, dname, daddr, dport, &match);
        FZ_CHECK(f.role >= ROLE_MX && f.role < ROLE_COUNT, "role out of range");
        FZ_CHECK(match == NULL || match->role == f.role, "role differs from its listener");
    } else
        f.role = (enum pr_role) (rolebyte % ROLE_COUNT);
    f.listener_name = fz_str_or_null(&in);
    f.client_name = fz_str_or_null(&in);
    f.client_addr = fz_str_or_null(&in);
    f.auth_type = fz_str_or_null(&in);
    f.login = fz_str_or_null(&in);
    f.tls_version = fz_str_or_null(&in);
    f.helo = fz_str_or_null(&in);
    f.sender = fz_str(&in);
    f.spf_domain = fz_str_or_null(&in);
    f.spf = (enum spf_result) ((flags & 7) % (SPF_RESULT_PERMERROR + 1));
    f.trusted = (flags & 0x10) ? config_trusted(cfg, f.client_addr) : (flags & 0x08) != 0;
    queueid = fz_str_or_null(&in);
    while (fz_left(&in) > 0 && nrcpts < sizeof(rcpts) / sizeof(rcpts[0])) {
        memset(&rr[nrcpts], 0, sizeof(rr[0]));
        rr[nrcpts].raw = fz_str(&in);
        if (flags & 0x20) {
            rr[nrcpts].addr = fz_str_or_null(&in);
            rr[nrcpts].mailer = fz_str_or_null(&in);
            rr[nrcpts].host = fz_str_or_null(&in);
        }
        rcpts[nrcpts] = rr[nrcpts].raw;
        nrcpts++;
    }

    policy_new_ref(ref);
    FZ_CHECK(strlen(ref) == 12 && strspn(ref, "0123456789abcdef") == 12, "ref is not 12 hex");
    FZ_CHECK(authenticated(&f) == policy_authenticated(&f), "authentication rule");

    policy_mail(cfg, &f, &mv);
    check_verdict(cfg, &mv);
    reply(cfg, &mv, &f, NULL, ref);
    if (ci == 0 && f.role == ROLE_MX && authenticated(&f))
        FZ_CHECK(mv.action == ACT_REJECT, "authenticated client accepted on mx");
    if (ci == 0 && (f.role == ROLE_SUBMISSION || f.role == ROLE_SUBMISSIONS) && !authenticated(&f))
        FZ_CHECK(mv.action == ACT_REJECT, "unauthenticated submission accepted");
    tagged = mv.tagged;
    violations = mv.violations;

    for (size_t i = 0; i < nrcpts; i++) {
        policy_rcpt(cfg, &f, &rr[i], &rv);
        check_verdict(cfg, &rv);
        reply(cfg, &rv, &f, rcpts[i], ref);
        if (ci == 0 && (f.role == ROLE_MX || f.role == ROLE_UNKNOWN) && !authenticated(&f)
            && !f.trusted) {
            FZ_CHECK(!foreign(&rr[i]) || rv.action == ACT_REJECT,
                     "open relay: recipient resolved to a foreign domain accepted");
            FZ_CHECK(!routed(rcpts[i]) || rv.action == ACT_REJECT,
                     "open relay: routed recipient accepted from a stranger");
        }
        if (rv.action >= ACT_TEMPFAIL)
            continue;
        tagged |= rv.tagged;
        violations |= rv.violations;
        relayed |= policy_rcpt_foreign(cfg, &rr[i]);
        rcpts[naccepted++] = rcpts[i];
    }

    if (mv.action < ACT_TEMPFAIL && naccepted > 0 && f.role != ROLE_INTERNAL) {
        struct header_route r = {"mx.example.com", &f, tagged, relayed,
                                 cfg->header_include_user, NULL};
        struct log_decision d = {queueid, &f, rcpts, naccepted,
                                 tagged ? ACT_TAG : ACT_PASS, violations,
                                 mv.would, cfg->audit, NULL, NULL};

        header_build(cfg->header_name, &r, &hv);
        fz_check_header(cfg->header_name, &hv);
        log_format_decision(cfg->log_format == LOG_FORMAT_JSON, &d, &line);
        fz_check_line(strbuf_str(&line), line.len);
    }
    strbuf_release(&hv);
    strbuf_release(&line);
    fz_free(&in);
    return 0;
}
