/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * glue - libmilter callbacks; see glue.h.
 *
 * DESCRIPTION
 *	Negotiation asks only for what the config needs: the macros the
 *	policy reads (smfi_setsymlist, so "smtpd_milters = ..." alone is
 *	enough), no DATA or unknown-command events, no body unless DKIM runs,
 *	and "no reply" for the events whose answer is always continue.
 *
 *	The private data is the milter connection (session.h): the config
 *	pinned and the flags chosen at negotiation, which every SMTP session
 *	on that connection runs under, also the ones after SMFIC_QUIT_NC; the
 *	SMTP session hangs off it from connect to close.
 *
 *	With DelayReject yes (the default) a MAIL-stage refusal is decided
 *	at MAIL, held in the session, and given at the first RCPT and at
 *	every later one with the same code, text and ref, each with its own
 *	decision line naming that recipient; MAIL is negotiated with no
 *	reply. A transaction that ends before any RCPT logs the held decision
 *	once, at abort or close (or at the next MAIL); one that somehow
 *	reaches end of message with it held is refused there. DelayReject no
 *	answers at MAIL.
 *
 *	The role is decided once at connect and kept: Postfix's cleanup sends
 *	its own {daemon_name} at end of message, not the listener's. TLS is
 *	re-read at HELO (it runs again after STARTTLS) and at MAIL.
 *
 * DIAGNOSTICS
 *	Internal errors (the MTA refused a header change, a callback without
 *	session state) are answered with tempfail, 451 4.3.0 ending in
 *	"(ref ID)" like every refusal, and logged as an error line and a
 *	decision line (action=tempfail) with that ref.
 *	A listener without port macros is logged once with the line to add.
 */
#include "acconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "config.h"
#include "glue.h"
#include "header.h"
#include "log.h"
#include "session.h"
#include "stats.h"
#include "util.h"

#define TEMPFAIL_TEXT "Temporary internal error in portrole, try again later"

/* Only what the callbacks read: every macro costs the MTA work per stage. */
static const char connect_macros[] =
    "{daemon_name} {daemon_addr} {daemon_port} {client_addr} {client_name} j";
static const char helo_macros[] = "{tls_version}";
static const char mail_macros[] = "{auth_type} {auth_authen} i {tls_version}";
static const char rcpt_macros[] = "{rcpt_addr} {rcpt_mailer} {rcpt_host} i";
static const char eom_macros[] = "i";

/* getsession - the SMTP session; NULL when the connection was never set up */
static struct session *getsession(SMFICTX *ctx)
{
    struct pr_conn *c = smfi_getpriv(ctx);

    return c ? c->session : NULL;
}

/* log_internal_error - the decision line of a message tempfailed by our own fault */
static void log_internal_error(const struct session *s)
{
    struct pr_facts f;
    struct log_decision d;

    session_facts(s, &f);
    memset(&d, 0, sizeof(d));
    d.queueid = s->queueid;
    d.facts = &f;
    d.rcpts = (const char *const *) s->rcpts;
    d.nrcpts = s->nrcpts;
    d.action = ACT_TEMPFAIL;
    d.violations = s->tagged;
    d.audit = s->cfg->audit;
    d.ref = s->ref;
    log_decision(s->cfg->log_format == LOG_FORMAT_JSON, &d);
}

/*
 * internal_error - answer tempfail (451 4.3.0) for this message. Like every
 * other refusal the reply ends with "(ref ID)", and the error line and the
 * decision line carry ref=ID, so that portrole-audit --ref finds the cause.
 */
static sfsistat internal_error(SMFICTX *ctx, struct session *s, const char *why)
{
    char fresh[13], text[sizeof(TEMPFAIL_TEXT) + 24];
    const char *ref = fresh;

    stats_error(STATS_ERR_INTERNAL);
    if (s != NULL) {
        if (s->ref[0] == 0)
            policy_new_ref(s->ref);     /* before MAIL: no transaction yet */
        ref = s->ref;
    } else {
        policy_new_ref(fresh);
    }
    log_msg(LOG_ERR, "%s: %s: tempfail ref=%s", s && s->queueid ? s->queueid : "NOQUEUE",
            why, ref);
    if (s != NULL)
        log_internal_error(s);
    snprintf(text, sizeof(text), "%s (ref %s)", TEMPFAIL_TEXT, ref);
    smfi_setreply(ctx, "451", "4.3.0", text);
    return SMFIS_TEMPFAIL;
}

/* no_session - tempfail a callback that has no session state */
static sfsistat no_session(SMFICTX *ctx, const char *where)
{
    char why[96];

    snprintf(why, sizeof(why), "%s: no session state (connection not set up)", where);
    return internal_error(ctx, NULL, why);
}

/* macro - a macro's value, NULL when unset */
static const char *macro(SMFICTX *ctx, const char *name)
{
    return smfi_getsymval(ctx, (char *) name);
}

/* noreply - continue, or "no reply" where negotiated */
static sfsistat noreply(const struct session *s, unsigned long flag)
{
    return (s->proto & flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/*
 * pr_negotiate - a new milter connection: pin the config and ask for the
 * least it needs. Both belong to the connection, not to an SMTP session:
 * after SMFIC_QUIT_NC the next session runs on these flags, unasked.
 */
static sfsistat pr_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
                             unsigned long f2, unsigned long f3, unsigned long *pf0,
                             unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
    struct pr_config *cfg;
    struct pr_conn *c;
    unsigned long want;

    (void) f2, (void) f3;
    conn_drop(ctx);                     /* parked by an ended connection in this memory */
    if ((cfg = config_acquire()) == NULL)
        return SMFIS_REJECT;            /* cannot happen once main() installed one */
    c = conn_new(cfg);
    if (smfi_setpriv(ctx, c) != MI_SUCCESS) {
        conn_free(c);
        return SMFIS_REJECT;
    }
    *pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_SETSYMLIST);
    want = SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_NR_HELO | SMFIP_NR_HDR
        | SMFIP_NR_EOH | SMFIP_NR_BODY;
    /* Connect needs an answer only to accept an internal listener's connection. */
    want |= SMFIP_NR_CONN;
    for (size_t i = 0; i < cfg->nlisteners; i++)
        if (cfg->listeners[i].role == ROLE_INTERNAL)
            want &= ~(unsigned long) SMFIP_NR_CONN;
    /* Only SPF reads HELO (the null sender's identity); MAIL re-reads TLS. */
    if (!cfg->spf)
        want |= SMFIP_NOHELO;
    /* A stage that gives no refusal under this config is not waited for. */
    if (!policy_mail_replies(cfg))
        want |= SMFIP_NR_MAIL;
    if (!policy_rcpt_replies(cfg))
        want |= SMFIP_NR_RCPT;
    /* DKIM needs the body, and the header values exactly as written. */
    want |= cfg->dkim ? SMFIP_HDR_LEADSPC : SMFIP_NOBODY | SMFIP_NOEOH;
    *pf1 = f1 & want;
    *pf2 = *pf3 = 0;
    c->proto = (unsigned) *pf1;
    if (f0 & SMFIF_SETSYMLIST) {
        smfi_setsymlist(ctx, SMFIM_CONNECT, (char *) connect_macros);
        smfi_setsymlist(ctx, SMFIM_HELO, (char *) helo_macros);
        smfi_setsymlist(ctx, SMFIM_ENVFROM, (char *) mail_macros);
        smfi_setsymlist(ctx, SMFIM_ENVRCPT, (char *) rcpt_macros);
        smfi_setsymlist(ctx, SMFIM_EOM, (char *) eom_macros);
    }
    return SMFIS_CONTINUE;
}

static pthread_mutex_t warned_lock = PTHREAD_MUTEX_INITIALIZER;
static char **warned;
static size_t nwarned;

/* first_time - 1 the first time key is seen (bounded), else 0 */
static int first_time(const char *key)
{
    size_t i;
    int first = 0;

    pthread_mutex_lock(&warned_lock);
    for (i = 0; i < nwarned && strcmp(warned[i], key) != 0; i++)
        ;
    if (i == nwarned && nwarned < 256) {
        warned = util_realloc(warned, (nwarned + 1) * sizeof(*warned));
        warned[nwarned++] = util_strdup(key);
        first = 1;
    }
    pthread_mutex_unlock(&warned_lock);
    return first;
}

/* warn_unknown_listener - once per listener: why its role is unknown, and the fix */
static void warn_unknown_listener(const char *name, const char *addr, const char *port)
{
    char key[600];

    snprintf(key, sizeof(key), "%.200s|%.200s|%.100s", name ? name : "", addr ? addr : "",
             port ? port : "");
    if (!first_time(key))
        return;
    if (port != NULL && netaddr_port_parse(port) > 0) {
        log_msg(LOG_WARNING, "listener %.100s%s%.100s port %s has no Listener line, so its "
                "role is unknown: add \"Listener %s ROLE\" (mx, submission, submissions or "
                "internal) to portrole.conf", name ? name : "", name && addr ? " " : "",
                addr ? addr : "", port, port);
        return;
    }
    log_msg(LOG_WARNING, "listener %.100s%s%.100s sent %s {daemon_port} macro, so its role is "
            "unknown. Postfix: add to main.cf \"milter_connect_macros = j {daemon_name} "
            "{daemon_addr} {daemon_port} {client_addr} {client_name} v _\"; Sendmail: add "
            "to sendmail.mc \"define(`confMILTER_MACROS_CONNECT', ``j, _, {daemon_name}, "
            "{daemon_addr}, {daemon_port}, {client_addr}, {client_name}'')\", or name the "
            "listener in portrole.conf with \"Listener NAME ROLE\"",
            name ? name : "", name && addr ? " " : "", addr ? addr : "",
            port ? "an unusable" : "no");
}

/* sockaddr_text - the connect callback's address as text */
static void sockaddr_text(const struct sockaddr *sa, char *buf, size_t size)
{
    buf[0] = 0;
    if (sa == NULL)
        return;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *) sa)->sin_addr, buf, (socklen_t) size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *) sa)->sin6_addr, buf, (socklen_t) size);
}

/* authserv_id - AuthservID, else the MTA's j, else our host name */
static void set_authserv_id(struct session *s, const char *j)
{
    char host[256];

    if (s->cfg->authserv_id)
        session_set(&s->authserv_id, s->cfg->authserv_id);
    else if (j && *j)
        session_set(&s->authserv_id, j);
    else {
        if (gethostname(host, sizeof(host)) != 0)
            util_strlcpy(host, "localhost", sizeof(host));
        host[sizeof(host) - 1] = 0;
        session_set(&s->authserv_id, host);
    }
}

/*
 * new_session - the SMTP session that starts at this connect, on the
 * connection's config and flags; after a QUIT_NC the connection is the one
 * parked at the close before. NULL when there is none to be had.
 */
static struct session *new_session(SMFICTX *ctx)
{
    struct pr_conn *c = smfi_getpriv(ctx);

    if (c == NULL) {
        if ((c = conn_unpark(ctx)) == NULL)
            return NULL;
        if (smfi_setpriv(ctx, c) != MI_SUCCESS) {
            conn_free(c);
            return NULL;
        }
    }
    if (c->session != NULL) {           /* a second connect without close */
        session_free(c->session);
        stats_sessions(-1);
    }
    c->session = session_new(c);
    stats_sessions(+1);
    return c->session;
}

/* pr_connect - decide the role, once, for the whole SMTP session */
static sfsistat pr_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
    struct session *s = new_session(ctx);
    const struct pr_listener *match;
    const char *dname, *daddr, *dport, *caddr, *cname;
    char addrbuf[INET6_ADDRSTRLEN + 1];

    if (s == NULL) {
        /* Without the negotiated flags no answer is sure to reach the MTA:
         * every later callback tempfails, end of message at the latest. */
        log_msg(LOG_ERR, "connect: no negotiated milter connection to start a session on: "
                "tempfail");
        stats_error(STATS_ERR_INTERNAL);
        return SMFIS_TEMPFAIL;
    }
    dname = macro(ctx, "{daemon_name}");
    daddr = macro(ctx, "{daemon_addr}");
    dport = macro(ctx, "{daemon_port}");
    s->role = policy_role(s->cfg, dname, daddr, dport, &match);
    s->port = dport ? netaddr_port_parse(dport) : -1;
    if (s->role == ROLE_LOCAL)
        s->port = -1;                   /* Postfix's pickup says port 0: no port at all */
    if (match && match->kind == LISTENER_NAME)
        session_set(&s->listener_name, match->name);
    if (s->role == ROLE_UNKNOWN)
        warn_unknown_listener(dname, daddr, dport);
    if ((caddr = macro(ctx, "{client_addr}")) == NULL) {
        sockaddr_text(hostaddr, addrbuf, sizeof(addrbuf));
        caddr = addrbuf;
    }
    if ((cname = macro(ctx, "{client_name}")) == NULL)
        cname = hostname;
    if (cname == NULL || *cname == 0 || *cname == '[')
        cname = "unknown";              /* Sendmail's "[addr]": no verified name, as Postfix says */
    session_set(&s->client_addr, *caddr ? caddr : NULL);
    session_set(&s->client_name, cname);
    s->trusted = config_trusted(s->cfg, s->client_addr);
    set_authserv_id(s, macro(ctx, "j"));
    session_set(&s->tls_version, macro(ctx, "{tls_version}"));
    if (s->role == ROLE_INTERNAL)
        return SMFIS_ACCEPT;            /* reinjection: no checks, no header */
    return noreply(s, SMFIP_NR_CONN);
}

/* pr_helo - remember HELO; TLS may have started since connect */
static sfsistat pr_helo(SMFICTX *ctx, char *helohost)
{
    struct session *s = getsession(ctx);

    if (s == NULL)
        return no_session(ctx, "helo");
    session_set(&s->helo, helohost);
    session_set(&s->tls_version, macro(ctx, "{tls_version}"));
    return noreply(s, SMFIP_NR_HELO);
}

/* reply - hand a verdict's reply to the MTA, '%' doubled */
static sfsistat reply(SMFICTX *ctx, const struct session *s, const struct pr_verdict *v,
                      const struct pr_facts *f, const char *rcpt)
{
    strbuf text = STRBUF_INIT, esc = STRBUF_INIT;

    policy_reply(s->cfg, v, f, rcpt, s->ref, &text);
    for (const char *p = strbuf_str(&text); *p; p++) {
        if (*p == '%')
            strbuf_putc(&esc, '%');
        strbuf_putc(&esc, (*p == '\r' || *p == '\n') ? ' ' : *p);
    }
    if (smfi_setreply(ctx, (char *) v->code, (char *) v->xcode, esc.data) != MI_SUCCESS)
        log_msg(LOG_WARNING, "smfi_setreply refused the reply text for %s",
                vocab_violation_name(v->reply_violation));
    strbuf_release(&text);
    strbuf_release(&esc);
    return v->action == ACT_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

/* log_verdict - one decision line for MAIL or RCPT; ignored ones at debug */
static void log_verdict(const struct session *s, const struct pr_facts *f,
                        const struct pr_verdict *v, const char *const *rcpts, size_t nrcpts,
                        const char *resolved)
{
    struct log_decision d;

    memset(&d, 0, sizeof(d));
    d.queueid = s->queueid;
    d.facts = f;
    d.rcpts = rcpts;
    d.nrcpts = nrcpts;
    d.audit = s->cfg->audit;
    d.ref = s->ref;
    d.resolved = resolved;
    if (v->action >= ACT_TEMPFAIL) {
        d.action = v->action;
        d.violations = v->violations;
        log_decision(s->cfg->log_format == LOG_FORMAT_JSON, &d);
        stats_decision(s->role, d.action, d.violations);
    } else if (v->ignored) {
        d.action = ACT_IGNORE;
        d.violations = v->ignored;
        log_decision(s->cfg->log_format == LOG_FORMAT_JSON, &d);
        stats_decision(s->role, d.action, d.violations);
    }
}

/* log_held_refusal - a held MAIL-stage refusal never given: its one decision line */
static void log_held_refusal(struct session *s)
{
    struct pr_facts f;

    if (s == NULL || s->refusal_state != REFUSAL_HELD)
        return;
    session_facts(s, &f);
    log_verdict(s, &f, &s->mail_refusal, NULL, 0, NULL);
    stats_message(s->role, s->mail_refusal.action);
    s->refusal_state = REFUSAL_NONE;
}

/*
 * give_held_refusal - the MAIL-stage refusal at this RCPT: the reply of
 * MAIL (same text, code and ref; no ${rcpt}, so it reads as at MAIL),
 * and a decision line that names this recipient.
 */
static sfsistat give_held_refusal(SMFICTX *ctx, struct session *s, const struct pr_facts *f,
                                  const struct pr_rcpt *r)
{
    log_verdict(s, f, &s->mail_refusal, &r->raw, 1,
                policy_rcpt_resolved_differs(r) ? r->addr : NULL);
    if (s->refusal_state == REFUSAL_HELD)
        stats_message(s->role, s->mail_refusal.action);
    s->refusal_state = REFUSAL_GIVEN;
    return reply(ctx, s, &s->mail_refusal, f, NULL);
}

/* run_spf - SPF for untrusted, unauthenticated port-25 mail */
static void run_spf(struct session *s)
{
    const char *domain;
    struct pr_facts f;

    session_facts(s, &f);
    if (!s->cfg->spf || s->role != ROLE_MX)
        return;
    if (s->trusted || policy_authenticated(&f)) {
        s->spf = SPF_RESULT_SKIPPED;    /* the header says SPF was not asked */
        return;
    }
    domain = config_domain_of(s->sender);
    if (domain == NULL)
        domain = s->helo;               /* null sender: the HELO identity */
    session_set(&s->spf_domain, domain);
    if (domain == NULL || *domain == 0 || *domain == '[' || strchr(domain, '.') == NULL) {
        s->spf = SPF_RESULT_NONE;       /* RFC 7208 4.3: not a domain, so "none" */
        return;
    }
    s->spf = spf_check(s->cfg, s->client_addr, s->helo ? s->helo : "", s->sender);
    stats_spf(s->spf);
}

/* pr_envfrom - a new transaction: the MAIL-stage decision */
static sfsistat pr_envfrom(SMFICTX *ctx, char **argv)
{
    struct session *s = getsession(ctx);
    struct pr_facts f;
    struct pr_verdict v;
    char *sender;

    if (s == NULL)
        return no_session(ctx, "mail");
    log_held_refusal(s);                /* a transaction that ended unseen */
    session_reset_msg(s);
    policy_new_ref(s->ref);
    sender = session_strip_brackets(argv ? argv[0] : NULL);
    session_set(&s->sender, sender);
    free(sender);
    session_set(&s->auth_type, macro(ctx, "{auth_type}"));
    session_set(&s->login, macro(ctx, "{auth_authen}"));
    session_set(&s->queueid, macro(ctx, "i"));
    if (macro(ctx, "{tls_version}") != NULL)
        session_set(&s->tls_version, macro(ctx, "{tls_version}"));
    run_spf(s);
    session_facts(s, &f);
    policy_mail(s->cfg, &f, &v);
    if (v.action >= ACT_TEMPFAIL && (s->cfg->delay_reject || (s->proto & SMFIP_NR_MAIL))) {
        s->mail_refusal = v;            /* given at RCPT, logged there with the recipient */
        s->refusal_state = REFUSAL_HELD;
        return noreply(s, SMFIP_NR_MAIL);
    }
    log_verdict(s, &f, &v, NULL, 0, NULL);
    if (v.action >= ACT_TEMPFAIL) {
        stats_message(s->role, v.action);
        return reply(ctx, s, &v, &f, NULL);
    }
    s->tagged |= v.tagged;
    if (v.would > s->would)
        s->would = v.would;
    if (s->cfg->dkim && s->role == ROLE_MX && !s->trusted && !policy_authenticated(&f))
        if ((s->dkim = pr_dkim_new(s->cfg)) != NULL && (s->proto & SMFIP_HDR_LEADSPC))
            pr_dkim_raw_values(s->dkim);
    return noreply(s, SMFIP_NR_MAIL);
}

/* pr_envrcpt - the relay decision, per recipient, on the MTA's resolution */
static sfsistat pr_envrcpt(SMFICTX *ctx, char **argv)
{
    struct session *s = getsession(ctx);
    struct pr_facts f;
    struct pr_verdict v;
    struct pr_rcpt r;
    char *rcpt;

    if (s == NULL)
        return no_session(ctx, "rcpt");
    if (macro(ctx, "i") != NULL)
        session_set(&s->queueid, macro(ctx, "i"));
    rcpt = session_strip_brackets(argv ? argv[0] : NULL);
    r.raw = rcpt;
    r.addr = macro(ctx, "{rcpt_addr}");
    r.mailer = macro(ctx, "{rcpt_mailer}");
    r.host = macro(ctx, "{rcpt_host}");
    session_facts(s, &f);
    if (s->refusal_state != REFUSAL_NONE) {
        sfsistat ret = give_held_refusal(ctx, s, &f, &r);

        free(rcpt);
        return ret;
    }
    policy_rcpt(s->cfg, &f, &r, &v);
    log_verdict(s, &f, &v, (const char *const *) &rcpt, 1,
                policy_rcpt_resolved_differs(&r) ? r.addr : NULL);
    if (v.action >= ACT_TEMPFAIL && !(s->proto & SMFIP_NR_RCPT)) {
        sfsistat ret = reply(ctx, s, &v, &f, rcpt);

        free(rcpt);
        return ret;
    }
    if (policy_rcpt_foreign(s->cfg, &r))
        s->relayed = 1;
    s->tagged |= v.tagged;
    if (v.would > s->would)
        s->would = v.would;
    session_add_rcpt(s, rcpt);
    free(rcpt);
    return noreply(s, SMFIP_NR_RCPT);
}

/* pr_header - note forged copies of our headers; feed DKIM */
static sfsistat pr_header(SMFICTX *ctx, char *name, char *value)
{
    struct session *s = getsession(ctx);

    if (s == NULL)
        return no_session(ctx, "header");
    if (util_strcaseeq(name, s->cfg->header_name)) {
        s->hdr_seen++;
        if (header_is_ours(value, s->authserv_id))
            session_push_index(&s->forged, &s->nforged, s->hdr_seen);
    } else if (s->cfg->auth_results && util_strcaseeq(name, "Authentication-Results")) {
        s->ar_seen++;
        if (header_is_ours(value, s->authserv_id))
            session_push_index(&s->forged_ar, &s->nforged_ar, s->ar_seen);
    }
    pr_dkim_header(s->dkim, name, value);
    return noreply(s, SMFIP_NR_HDR);
}

/* pr_eoh - end of headers, for DKIM */
static sfsistat pr_eoh(SMFICTX *ctx)
{
    struct session *s = getsession(ctx);

    if (s == NULL)
        return no_session(ctx, "eoh");
    pr_dkim_eoh(s->dkim);
    return noreply(s, SMFIP_NR_EOH);
}

/* pr_body - a body chunk, for DKIM */
static sfsistat pr_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
    struct session *s = getsession(ctx);

    if (s == NULL)
        return no_session(ctx, "body");
    pr_dkim_body(s->dkim, data, len);
    return noreply(s, SMFIP_NR_BODY);
}

/* delete_forged - remove our-id copies, last first so indices stay valid */
static int delete_forged(SMFICTX *ctx, const struct session *s, const char *name,
                         const int *idx, size_t n)
{
    for (size_t i = n; i > 0; i--)
        if (smfi_chgheader(ctx, (char *) name, idx[i - 1], NULL) != MI_SUCCESS)
            return -1;
    if (n > 0)
        log_msg(LOG_NOTICE, "%s: removed %zu forged %s header%s carrying our authserv-id "
                "%s (ref %s)", s->queueid ? s->queueid : "NOQUEUE", n, name, n > 1 ? "s" : "",
                s->authserv_id, s->ref);
    return 0;
}

/* add_headers - X-Port-Role, and Authentication-Results when asked */
static int add_headers(SMFICTX *ctx, struct session *s, const struct pr_facts *f,
                       const char *dkim_summary, const char *dkim_ar)
{
    struct header_route r = {s->authserv_id, f, s->tagged, s->relayed,
        s->cfg->header_include_user, dkim_summary};
    strbuf value = STRBUF_INIT;
    /* With SMFIP_HDR_LEADSPC the MTA writes our value right after the colon. */
    const char *lead = (s->proto & SMFIP_HDR_LEADSPC) ? " " : "";
    int rc = 0;

    if (s->cfg->auth_results) {
        strbuf_puts(&value, lead);
        header_build_ar(s->authserv_id, f, dkim_ar, &value);
        rc = smfi_insheader(ctx, 0, "Authentication-Results", value.data);
        strbuf_reset(&value);
    }
    strbuf_puts(&value, lead);
    header_build(s->cfg->header_name, &r, &value);
    if (rc == MI_SUCCESS)
        rc = smfi_insheader(ctx, 0, s->cfg->header_name, value.data);
    strbuf_release(&value);
#ifdef PORTROLE_TEST_HOOKS
    /* tests/portrole-milter-hooks only: an MTA that refuses our header change. */
    if (getenv("PORTROLE_TEST_FAULT") != NULL && strcmp(getenv("PORTROLE_TEST_FAULT"), "insheader") == 0)
        rc = MI_FAILURE;
#endif
    return rc == MI_SUCCESS ? 0 : -1;
}

/* pr_eom - clean forged headers, stamp the route, log the message */
static sfsistat pr_eom(SMFICTX *ctx)
{
    struct session *s = getsession(ctx);
    struct pr_facts f;
    struct log_decision d;
    strbuf dkim_ar = STRBUF_INIT;
    const char *dkim_summary;

    if (s == NULL)
        return no_session(ctx, "eom");
    if (macro(ctx, "i") != NULL)
        session_set(&s->queueid, macro(ctx, "i"));
    session_facts(s, &f);
    if (s->refusal_state != REFUSAL_NONE) {
        sfsistat r;                     /* an MTA that went on without our RCPT answer */

        log_verdict(s, &f, &s->mail_refusal, (const char *const *) s->rcpts, s->nrcpts, NULL);
        if (s->refusal_state == REFUSAL_HELD)
            stats_message(s->role, s->mail_refusal.action);
        r = reply(ctx, s, &s->mail_refusal, &f, NULL);
        session_reset_msg(s);
        return r;
    }
    dkim_summary = pr_dkim_result(s->dkim, &dkim_ar);
    if (dkim_summary == NULL && s->cfg->dkim && s->role == ROLE_MX
        && (s->trusted || policy_authenticated(&f)))
        dkim_summary = "skipped";       /* trusted or authenticated: not verified */
    if (delete_forged(ctx, s, s->cfg->header_name, s->forged, s->nforged) < 0
        || delete_forged(ctx, s, "Authentication-Results", s->forged_ar, s->nforged_ar) < 0
        || add_headers(ctx, s, &f, dkim_summary, dkim_ar.data) < 0) {
        sfsistat r;

        stats_error(STATS_ERR_HEADER);
        r = internal_error(ctx, s, "the MTA refused a header change");

        strbuf_release(&dkim_ar);
        session_reset_msg(s);
        return r;
    }
    memset(&d, 0, sizeof(d));
    d.queueid = s->queueid;
    d.facts = &f;
    d.rcpts = (const char *const *) s->rcpts;
    d.nrcpts = s->nrcpts;
    d.action = s->tagged ? ACT_TAG : ACT_PASS;
    d.violations = s->tagged;
    d.would = s->would;
    d.audit = s->cfg->audit;
    d.ref = s->ref;
    log_decision(s->cfg->log_format == LOG_FORMAT_JSON, &d);
    stats_decision(s->role, d.action, d.violations);
    stats_message(s->role, d.action);
    stats_dkim(dkim_summary);
    strbuf_release(&dkim_ar);
    session_reset_msg(s);
    return SMFIS_CONTINUE;
}

/* pr_abort - the transaction ended early; may run twice in a row */
static sfsistat pr_abort(SMFICTX *ctx)
{
    struct session *s = getsession(ctx);

    log_held_refusal(s);                /* ended before any RCPT: log it once */
    session_reset_msg(s);
    return SMFIS_CONTINUE;
}

/*
 * pr_close - the SMTP session ended (QUIT, QUIT_NC or a broken connection;
 * libmilter does not say which): clear the pointer, free the session and
 * park the connection for a connect that may follow. A close with nothing
 * set up ends what an earlier close parked.
 */
static sfsistat pr_close(SMFICTX *ctx)
{
    struct pr_conn *c = smfi_getpriv(ctx);

    smfi_setpriv(ctx, NULL);
    if (c == NULL) {
        conn_drop(ctx);
        return SMFIS_CONTINUE;
    }
    if (c->session != NULL) {
        log_held_refusal(c->session);   /* the connection ended inside a transaction */
        stats_sessions(-1);
        session_free(c->session);
        c->session = NULL;
    }
    conn_park(ctx, c);
    return SMFIS_CONTINUE;
}

static struct smfiDesc description = {
    "portrole",
    SMFI_VERSION,
    SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_SETSYMLIST,
    pr_connect,
    pr_helo,
    pr_envfrom,
    pr_envrcpt,
    pr_header,
    pr_eoh,
    pr_body,
    pr_eom,
    pr_abort,
    pr_close,
    NULL,                               /* unknown: negotiated away */
    NULL,                               /* data: negotiated away */
    pr_negotiate,
};

/* glue_description - the filter description for smfi_register() */
struct smfiDesc *glue_description(void)
{
    return &description;
}
