/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy - the port-role decision; see policy.h.
 *
 * DESCRIPTION
 *	One predicate per violation, evaluated in enum order; the verdict
 *	collects every violation found and keeps the most severe action.
 *	"Cannot tell" is explicit: a listener we cannot place is the role
 *	"unknown" and has its own violation, never a silent pass.
 *
 * DIAGNOSTICS
 *	None: the policy cannot fail. Unparsable input (a bad port, an
 *	address that is not one) leads to the unknown role or "not trusted".
 */
#include "acconfig.h"

#include <string.h>

#include "config.h"
#include "i18n.h"
#include "netaddr.h"
#include "policy.h"
#include "util.h"

/* The stage a violation is decided at (SPEC's violation table). */
enum stage { STAGE_MAIL, STAGE_RCPT };

/* Per violation: reply code and enhanced code, then the 4xx twins. The
 * advice is marked N_() for the catalogue but stays English here (it goes
 * into the X-Port-Role header); the tools that show it translate it. */
static const struct violation_info {
    const char *code, *xcode, *tcode, *txcode;
    const char *reply;
    const char *advice;
    enum stage stage;
} vinfo[V_COUNT] = {
    [V_UNKNOWN_LISTENER] = {"550", "5.3.5", "451", "4.3.5",
        "Listener not configured for a port role",
        N_("the message arrived on a listener that no Listener line names: "
        "add one to portrole.conf"), STAGE_MAIL},
    [V_AUTH_ON_MX] = {"550", "5.7.1", "450", "4.7.1",
        "Port 25 is for server-to-server delivery; authenticated clients "
        "must submit on port 587 (STARTTLS) or 465 (TLS)",
        N_("the client authenticates on port 25: set its outgoing server to "
        "port 587 with STARTTLS, or 465 with TLS"), STAGE_MAIL},
    [V_CLEARTEXT_SUBMISSION] = {"530", "5.7.0", "454", "4.7.0",
        "Must issue a STARTTLS command first",
        N_("the client submits without encryption: set it to STARTTLS on "
        "port 587, or SSL/TLS on port 465"), STAGE_MAIL},
    [V_UNAUTH_SUBMISSION] = {"530", "5.7.0", "454", "4.7.0",
        "Authentication required: port ${port} is for authenticated submission",
        N_("the client does not authenticate: turn on authentication for its "
        "outgoing server (user name and password)"), STAGE_MAIL},
    [V_SENDER_MISMATCH] = {"553", "5.7.1", "450", "4.7.1",
        "<${sender}>: Sender address rejected: not owned by user ${login}",
        N_("the login sends as an address it does not own: use the login's own "
        "address, or list it for the login in SenderLoginMap"), STAGE_MAIL},
    [V_LOCAL_SENDER_ON_MX] = {"550", "5.7.1", "450", "4.7.1",
        "<${sender}>: mail from this domain must be submitted on port 587 "
        "or 465 with authentication",
        N_("mail from our own domain came in on port 25 without authentication: "
        "the sender's client must submit on port 587 or 465 with "
        "authentication (or the sender is forged)"), STAGE_MAIL},
    [V_SPF_FAIL] = {"550", "5.7.23", "450", "4.7.23",
        "SPF: ${client} is not allowed to send mail for ${domain}",
        N_("the sending server is not in the sender domain's SPF record: the "
        "domain's owner must list it, or the mail is forged"), STAGE_MAIL},
    [V_UNAUTH_RELAY] = {"554", "5.7.1", "454", "4.7.1",
        "<${rcpt}>: Relay access denied; port 25 takes mail for this "
        "server's own domains only - to send elsewhere, submit on port 587 "
        "or 465 with authentication",
        N_("port 25 takes mail for this server's own domains only: to send "
        "elsewhere, submit on port 587 or 465 with authentication"), STAGE_RCPT},
};

#define ROUTED_RELAY_REPLY \
    "<${rcpt}>: Relay access denied; routed addresses are not accepted on " \
    "port 25 - write the recipient as user@domain, or submit on port 587 or " \
    "465 with authentication"

#define SUBMISSIONS_CLEARTEXT_REPLY \
    "Encryption required: port ${port} expects TLS from the first byte"

/* policy_default_reply - built-in reply text template */
const char *policy_default_reply(enum pr_violation viol, enum pr_role role)
{
    if (viol == V_CLEARTEXT_SUBMISSION && role == ROLE_SUBMISSIONS)
        return SUBMISSIONS_CLEARTEXT_REPLY;
    return vinfo[viol].reply;
}

/* policy_advice - one sentence: what the sender should change */
const char *policy_advice(enum pr_violation viol)
{
    return (unsigned) viol < V_COUNT ? vinfo[viol].advice : "";
}

/* nonempty - a macro value that is present and not empty */
static int nonempty(const char *s)
{
    return s != NULL && *s != 0;
}

/* policy_authenticated - only {auth_type} or {auth_authen} prove AUTH */
int policy_authenticated(const struct pr_facts *f)
{
    return nonempty(f->auth_type) || nonempty(f->login);
}

/* policy_has_tls - a TLS version was reported */
int policy_has_tls(const struct pr_facts *f)
{
    return nonempty(f->tls_version);
}

/* match_name - (1) Listener NAME against {daemon_name} */
static const struct pr_listener *match_name(const struct pr_config *cfg, const char *name)
{
    for (size_t i = 0; nonempty(name) && i < cfg->nlisteners; i++)
        if (cfg->listeners[i].kind == LISTENER_NAME
            && util_strcaseeq(cfg->listeners[i].name, name))
            return &cfg->listeners[i];
    return NULL;
}

/* match_addr_port - (2) ADDR:PORT, then (3) PORT */
static const struct pr_listener *match_addr_port(const struct pr_config *cfg,
                                                 const char *addr_text, int port)
{
    netaddr addr;
    int have_addr = nonempty(addr_text) && netaddr_parse(addr_text, &addr) == 0;

    for (size_t i = 0; have_addr && i < cfg->nlisteners; i++) {
        const struct pr_listener *l = &cfg->listeners[i];

        if (l->kind == LISTENER_ADDRPORT && l->port == port
            && memcmp(l->addr.bytes, addr.bytes, sizeof(addr.bytes)) == 0)
            return l;
    }
    for (size_t i = 0; i < cfg->nlisteners; i++)
        if (cfg->listeners[i].kind == LISTENER_PORT && cfg->listeners[i].port == port)
            return &cfg->listeners[i];
    return NULL;
}

/* policy_role - resolve the listener to a role, first match wins */
enum pr_role policy_role(const struct pr_config *cfg, const char *daemon_name,
                         const char *daemon_addr, const char *daemon_port,
                         const struct pr_listener **match)
{
    const struct pr_listener *l;
    int port = nonempty(daemon_port) ? netaddr_port_parse(daemon_port) : -1;

    *match = NULL;
    if ((l = match_name(cfg, daemon_name)) != NULL
        || (port > 0 && (l = match_addr_port(cfg, daemon_addr, port)) != NULL)) {
        *match = l;
        return l->role;
    }
    if (port == 0 || (!nonempty(daemon_name) && !nonempty(daemon_addr)
                      && !nonempty(daemon_port)))
        return ROLE_LOCAL;
    return ROLE_UNKNOWN;
}

/* policy_new_ref - a fresh 12-hex-digit transaction reference */
void policy_new_ref(char ref[13])
{
    util_random_hex(ref, 12);
}

/* verdict_init - nothing found yet */
static void verdict_init(struct pr_verdict *v)
{
    memset(v, 0, sizeof(*v));
    v->action = ACT_PASS;
    v->would = ACT_PASS;
}

/* verdict_add - record one violation with its configured action */
static void verdict_add(const struct pr_config *cfg, struct pr_verdict *v,
                        enum pr_violation viol)
{
    enum pr_action act = cfg->action[viol];
    const struct violation_info *vi = &vinfo[viol];

    if (act == ACT_IGNORE) {
        v->ignored |= VBIT(viol);
        return;
    }
    v->violations |= VBIT(viol);
    if (cfg->audit && act >= ACT_TEMPFAIL) {
        if (act > v->would)
            v->would = act;
        act = ACT_TAG;
    }
    if (act == ACT_TAG)
        v->tagged |= VBIT(viol);
    if (act <= v->action)
        return;
    v->action = act;
    if (act >= ACT_TEMPFAIL) {
        v->reply_violation = viol;
        util_strlcpy(v->code, act == ACT_REJECT ? vi->code : vi->tcode, sizeof(v->code));
        util_strlcpy(v->xcode, act == ACT_REJECT ? vi->xcode : vi->txcode, sizeof(v->xcode));
    }
}

/* sender_ok - SenderPolicy for an authenticated submission */
static int sender_ok(const struct pr_config *cfg, const struct pr_facts *f)
{
    const char *domain;

    if (cfg->sender_policy == SENDER_ANY || f->sender == NULL || *f->sender == 0)
        return 1;
    if (cfg->sender_policy == SENDER_LOCAL_DOMAINS)
        return (domain = config_domain_of(f->sender)) != NULL
            && config_local_domain(cfg, domain);
    return config_sender_owned(cfg, f->sender, f->login);
}

/* policy_mail - MAIL FROM stage violations */
void policy_mail(const struct pr_config *cfg, const struct pr_facts *f,
                 struct pr_verdict *v)
{
    int auth = policy_authenticated(f);
    const char *domain;

    verdict_init(v);
    switch (f->role) {
    case ROLE_UNKNOWN:
        verdict_add(cfg, v, V_UNKNOWN_LISTENER);
        break;
    case ROLE_MX:
        if (auth)
            verdict_add(cfg, v, V_AUTH_ON_MX);
        else if (!f->trusted && f->sender != NULL
                 && (domain = config_domain_of(f->sender)) != NULL
                 && config_local_domain(cfg, domain))
            verdict_add(cfg, v, V_LOCAL_SENDER_ON_MX);
        if (f->spf == SPF_RESULT_FAIL)
            verdict_add(cfg, v, V_SPF_FAIL);
        break;
    case ROLE_SUBMISSION:
    case ROLE_SUBMISSIONS:
        if (cfg->require_tls && !policy_has_tls(f))
            verdict_add(cfg, v, V_CLEARTEXT_SUBMISSION);
        if (!auth)
            verdict_add(cfg, v, V_UNAUTH_SUBMISSION);
        else if (!sender_ok(cfg, f))
            verdict_add(cfg, v, V_SENDER_MISMATCH);
        break;
    default:                            /* internal, local: no checks */
        break;
    }
}

/* stage_can_refuse - some violation decided at that stage can refuse under cfg */
static int stage_can_refuse(const struct pr_config *cfg, enum stage stage)
{
    if (cfg->audit)
        return 0;                       /* audit turns every refusal into a tag */
    for (int v = 0; v < V_COUNT; v++)
        if (vinfo[v].stage == stage && cfg->action[v] >= ACT_TEMPFAIL)
            return 1;
    return 0;
}

/* policy_mail_can_refuse - can policy_mail() ever refuse under this config? */
int policy_mail_can_refuse(const struct pr_config *cfg)
{
    return stage_can_refuse(cfg, STAGE_MAIL);
}

/* policy_rcpt_can_refuse - can policy_rcpt() ever refuse under this config? */
int policy_rcpt_can_refuse(const struct pr_config *cfg)
{
    return stage_can_refuse(cfg, STAGE_RCPT);
}

/* policy_mail_replies - MAIL needs the milter's answer: a refusal given at MAIL */
int policy_mail_replies(const struct pr_config *cfg)
{
    return !cfg->delay_reject && stage_can_refuse(cfg, STAGE_MAIL);
}

/* policy_rcpt_replies - RCPT needs the milter's answer: its own or a held MAIL refusal */
int policy_rcpt_replies(const struct pr_config *cfg)
{
    return stage_can_refuse(cfg, STAGE_RCPT)
        || (cfg->delay_reject && stage_can_refuse(cfg, STAGE_MAIL));
}

/* policy_rcpt_routed - routing anywhere: '%', '!', a quoted or escaped '@', a second '@' */
int policy_rcpt_routed(const char *raw)
{
    int quoted = 0, ats = 0;

    for (const char *p = raw; p && *p; p++) {
        if (*p == '%' || *p == '!')
            return 1;
        if (*p == '\\' && p[1] != 0) {
            if (*++p == '@' || *p == '%' || *p == '!')
                return 1;               /* escaped routing is routing: strangers need none */
        } else if (*p == '"')
            quoted = !quoted;
        else if (*p == '@' && (quoted || ++ats > 1))
            return 1;                   /* "a@b"@c, a@b@c, @a:b@c */
    }
    return 0;
}

/* mailer_is - {rcpt_mailer} names this mailer, case aside */
static int mailer_is(const struct pr_rcpt *r, const char *name)
{
    return nonempty(r->mailer) && util_strcaseeq(r->mailer, name);
}

/*
 * written_local - the client wrote an address in one of our domains, with
 * no routing in it. The MTAs' own relay checks judge that form, before
 * the admin's tables (Sendmail's virtusertable, a local delivery mailer
 * such as lmtp or cyrusv2 that is handed a bare user) rewrite it: where
 * the admin forwards a local address is not relay (SPEC "Recipients").
 */
static int written_local(const struct pr_config *cfg, const struct pr_rcpt *r)
{
    const char *domain = r->raw ? config_domain_of(r->raw) : NULL;

    if (r->raw == NULL || policy_rcpt_routed(r->raw))
        return 0;
    if (domain != NULL)
        return config_local_domain(cfg, domain);
    /* A bare user ("postmaster", RFC 5321 4.5.1) that a local delivery
     * mailer gets as a bare user, with no host to go to: the MTA's own. */
    return strchr(r->raw, '@') == NULL && nonempty(r->addr) && strchr(r->addr, '@') == NULL
        && !nonempty(r->host);
}

/* policy_rcpt_foreign - the MTA will deliver it to a domain not ours */
int policy_rcpt_foreign(const struct pr_config *cfg, const struct pr_rcpt *r)
{
    const char *domain;

    if (written_local(cfg, r))
        return 0;
    if (!nonempty(r->addr)) {
        /* No resolved form: a bare local part is the MTA's own ("postmaster"). */
        domain = r->raw ? config_domain_of(r->raw) : NULL;
        return domain != NULL && !config_local_domain(cfg, domain);
    }
    if (mailer_is(r, "error") || mailer_is(r, "discard"))
        return 0;                       /* nothing leaves: bounced or dropped */
    if (mailer_is(r, "local") && strchr(r->addr, '@') == NULL)
        return 0;                       /* Sendmail's local mailer: user part only */
    domain = config_domain_of(r->addr);
    return domain == NULL || !config_local_domain(cfg, domain);
}

/* policy_rcpt_resolved_differs - the MTA resolved it to something else */
int policy_rcpt_resolved_differs(const struct pr_rcpt *r)
{
    return nonempty(r->addr) && (r->raw == NULL || !util_strcaseeq(r->raw, r->addr));
}

/* policy_rcpt - RCPT TO stage: relay through port 25 (and unknown listeners) */
void policy_rcpt(const struct pr_config *cfg, const struct pr_facts *f,
                 const struct pr_rcpt *r, struct pr_verdict *v)
{
    verdict_init(v);
    if ((f->role != ROLE_MX && f->role != ROLE_UNKNOWN) || policy_authenticated(f)
        || f->trusted)
        return;
    /* Postfix's allow_untrusted_routing = no: strangers do not route. */
    if (policy_rcpt_routed(r->raw)) {
        verdict_add(cfg, v, V_UNAUTH_RELAY);
        v->routed = 1;
    } else if (policy_rcpt_foreign(cfg, r))
        verdict_add(cfg, v, V_UNAUTH_RELAY);
}

/* put_value - a network value in a reply: no control or 8-bit bytes, capped */
static void put_value(strbuf *out, const char *s)
{
    size_t n = 0;

    for (; s && *s && n < 255; s++, n++) {
        unsigned char c = (unsigned char) *s;

        strbuf_putc(out, (c < 0x20 || c >= 0x7f) ? '?' : c);
    }
}

/* expand - one placeholder's value */
static void expand(strbuf *out, const char *name, size_t len,
                   const struct pr_facts *f, const char *rcpt)
{
    char num[16];

#define IS(k) (len == sizeof(k) - 1 && memcmp(name, k, len) == 0)
    if (IS("rcpt"))
        put_value(out, rcpt);
    else if (IS("sender"))
        put_value(out, f->sender);
    else if (IS("login"))
        put_value(out, nonempty(f->login) ? f->login : "(none)");
    else if (IS("client"))
        put_value(out, nonempty(f->client_addr) ? f->client_addr : "unknown");
    else if (IS("domain"))
        put_value(out, f->spf_domain ? f->spf_domain
                  : f->sender ? config_domain_of(f->sender) : NULL);
    else if (IS("port")) {
        if (f->port >= 0) {
            snprintf(num, sizeof(num), "%d", f->port);
            strbuf_puts(out, num);
        } else
            put_value(out, f->listener_name ? f->listener_name : "?");
    }
#undef IS
}

/* policy_reply - the reply text of the deciding violation, with the ref */
void policy_reply(const struct pr_config *cfg, const struct pr_verdict *v,
                  const struct pr_facts *f, const char *rcpt, const char *ref,
                  strbuf *text)
{
    const char *tpl = cfg->reply[v->reply_violation];
    const char *p, *end;

    if (tpl == NULL && v->routed && v->reply_violation == V_UNAUTH_RELAY)
        tpl = ROUTED_RELAY_REPLY;
    if (tpl == NULL)
        tpl = policy_default_reply(v->reply_violation, f->role);
    for (p = tpl; *p; p++) {
        if (p[0] == '$' && p[1] == '{' && (end = strchr(p + 2, '}')) != NULL) {
            expand(text, p + 2, (size_t) (end - p - 2), f, rcpt);
            p = end;
        } else
            strbuf_putc(text, *p);
    }
    /* SMTP reply lines stay well under 512 bytes with code and ref. */
    if (text->len > 440)
        strbuf_truncate(text, 440);
    if (ref != NULL && *ref)
        strbuf_printf(text, " (ref %s)", ref);
}
