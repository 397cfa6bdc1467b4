/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * explain - "portrole-milter -x": one imagined session; see explain.h.
 *
 * DESCRIPTION
 *	The same policy_role(), policy_mail(), policy_rcpt(), policy_reply(),
 *	header_build() and log_format_decision() the daemon uses: -x cannot
 *	drift from what the milter does.
 *
 *	What explains is in the locale's language (i18n.h); the replies, the
 *	headers and the log line are shown exactly as the MTA and syslog get
 *	them, in English and ASCII.
 *
 *	Each refusal says the stage at which the client is told: with
 *	DelayReject yes a MAIL-stage refusal is shown at MAIL as decided and
 *	then given at each RCPT (with the same text and ref), its log line
 *	naming that recipient; with no recipient, logged once at abort.
 *
 * DIAGNOSTICS
 *	A malformed description returns 2 with a message.
 */
#include "acconfig.h"

#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "header.h"
#include "i18n.h"
#include "log.h"
#include "util.h"

#define MAX_RCPT 64

struct imagined {
    const char *port, *listener, *addr, *client, *client_name, *helo;
    const char *auth, *user, *tls, *from, *j, *queueid, *spf;
    struct pr_rcpt rcpt[MAX_RCPT];
    size_t nrcpt;
};

/* add_rcpts - rcpt=a,b: a comma before '@' continues a source route */
static int add_rcpts(struct imagined *im, char *value, strbuf *err)
{
    char *p = value, *start = value;

    for (;; p++) {
        if (*p != 0 && (*p != ',' || p[1] == '@'))
            continue;
        if (im->nrcpt == MAX_RCPT) {
            strbuf_printf(err, _("more than %d recipients"), MAX_RCPT);
            return -1;
        }
        if (p > start) {
            memset(&im->rcpt[im->nrcpt], 0, sizeof(im->rcpt[0]));
            im->rcpt[im->nrcpt++].raw = start;
        }
        if (*p == 0)
            return 0;
        *p = 0;
        start = p + 1;
    }
}

/* set_resolved - rcpt_addr= rcpt_mailer= rcpt_host= for the recipient before them */
static int set_resolved(struct imagined *im, const char *key, char *value, strbuf *err)
{
    struct pr_rcpt *r;

    if (im->nrcpt == 0) {
        strbuf_printf(err, _("%s= must follow the rcpt= it resolves"), key);
        return -1;
    }
    r = &im->rcpt[im->nrcpt - 1];
    if (strcmp(key, "rcpt_addr") == 0)
        r->addr = value;
    else if (strcmp(key, "rcpt_mailer") == 0)
        r->mailer = value;
    else
        r->host = value;
    return 0;
}

/* set_key - one key=value of the description */
static int set_key(struct imagined *im, char *key, char *value, strbuf *err)
{
    static const char *const names[] = {"port", "listener", "addr", "client",
        "client_name", "helo", "auth", "user", "tls", "from", "j", "queueid", "spf"};
    const char **slots[] = {&im->port, &im->listener, &im->addr, &im->client,
        &im->client_name, &im->helo, &im->auth, &im->user, &im->tls, &im->from,
        &im->j, &im->queueid, &im->spf};

    if (strcmp(key, "rcpt") == 0)
        return add_rcpts(im, value, err);
    if (strcmp(key, "rcpt_addr") == 0 || strcmp(key, "rcpt_mailer") == 0
        || strcmp(key, "rcpt_host") == 0)
        return set_resolved(im, key, value, err);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(key, names[i]) == 0) {
            *slots[i] = value;
            return 0;
        }
    strbuf_printf(err, _("unknown key '%s' (port listener addr client client_name helo "
                  "auth user tls from rcpt rcpt_addr rcpt_mailer rcpt_host spf j queueid)"), key);
    return -1;
}

/* parse_spec - split "k=v k=v" in place */
static int parse_spec(char *spec, struct imagined *im, strbuf *err)
{
    char *tok, *save, *eq;

    memset(im, 0, sizeof(*im));
    for (tok = strtok_r(spec, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
        if ((eq = strchr(tok, '=')) == NULL) {
            strbuf_printf(err, _("'%s' is not key=value"), tok);
            return -1;
        }
        *eq = 0;
        if (set_key(im, tok, eq + 1, err) < 0)
            return -1;
    }
    if (im->port && netaddr_port_parse(im->port) < 0) {
        strbuf_printf(err, _("port '%s' is not a port number"), im->port);
        return -1;
    }
    return 0;
}

/* none_is_null - "none" and "" mean absent */
static const char *none_is_null(const char *v)
{
    return v == NULL || *v == 0 || util_strcaseeq(v, "none") ? NULL : v;
}

/* spf_parse - the spf= key */
static enum spf_result spf_parse(const char *v)
{
    for (int r = SPF_RESULT_NONE; r <= SPF_RESULT_PERMERROR; r++)
        if (v && util_strcaseeq(v, spf_result_name((enum spf_result) r)))
            return (enum spf_result) r;
    return SPF_RESULT_NOT_CHECKED;
}

/* show_role - how the listener was resolved */
static void show_role(FILE *out, const struct pr_facts *f, const struct pr_listener *m,
                      const struct imagined *im)
{
    fprintf(out, "role:    %s", vocab_role_name(f->role));
    if (m)
        fprintf(out, _(" (matched \"Listener %s %s\")\n"), m->text, vocab_role_name(m->role));
    else if (f->role == ROLE_LOCAL)
        fprintf(out, "%s\n", _(" (no listener macros: mail submitted on this host, not over SMTP)"));
    else
        fprintf(out, im->listener ? _(" (no Listener line names listener %s)\n")
                : _(" (no Listener line names port %s)\n"),
                im->listener ? im->listener : im->port ? im->port : im->addr);
    fprintf(out, "client:  %s [%s]%s\n", f->client_name ? f->client_name : "unknown",
            f->client_addr ? f->client_addr : "unknown",
            f->trusted ? _(", in TrustedNetworks") : _(", not in TrustedNetworks"));
    fprintf(out, "auth:    %s%s%s\n", policy_authenticated(f) ? (f->auth_type ? f->auth_type : "yes") : "none",
            f->login ? _(" as ") : "", f->login ? f->login : "");
    fprintf(out, "tls:     %s\n", policy_has_tls(f) ? f->tls_version : "none");
}

/* show_verdict - the reply the MTA sends for one verdict, when it is told, and why */
static int show_verdict(FILE *out, const struct pr_config *cfg, const struct pr_verdict *v,
                        const struct pr_facts *f, const char *rcpt, const char *ref,
                        const char *ok, const char *note, const char *stage)
{
    strbuf text = STRBUF_INIT;

    if (v->action >= ACT_TEMPFAIL) {
        policy_reply(cfg, v, f, rcpt, ref, &text);
        fprintf(out, "  -> %s %s %s\n", v->code, v->xcode, strbuf_str(&text));
        fprintf(out, "     stage: %s\n", stage);
    } else
        fprintf(out, "  -> %s (%s)\n", ok, note);
    for (int i = 0; i < V_COUNT; i++) {
        unsigned bit = VBIT(i);

        if (!((v->violations | v->ignored) & bit))
            continue;
        fprintf(out, _("     why: %s (%s%s): %s\n"), vocab_violation_name((enum pr_violation) i),
                v->ignored & bit ? "ignore" : (v->tagged & bit) ? "tag" : vocab_action_name(v->action),
                (v->tagged & bit) && cfg->audit && v->would != ACT_PASS ? _(", audit mode: would reject") : "",
                _(policy_advice((enum pr_violation) i)));
    }
    strbuf_release(&text);
    return v->action >= ACT_TEMPFAIL;
}

/* show_held - a MAIL-stage refusal decided now, given at each RCPT (DelayReject yes) */
static void show_held(FILE *out, const struct pr_config *cfg, const struct pr_verdict *v,
                      const struct pr_facts *f, const char *ref)
{
    strbuf text = STRBUF_INIT;

    policy_reply(cfg, v, f, NULL, ref, &text);
    fprintf(out, "  -> 250 2.1.0 Ok (%s)\n", _("the MTA's answer: portrole gives no reply at MAIL"));
    fprintf(out, "     decided: %s %s %s\n", v->code, v->xcode, strbuf_str(&text));
    fprintf(out, "     stage: %s\n",
            _("decided at MAIL, given at the first RCPT and every later one (DelayReject yes)"));
    strbuf_release(&text);
}

/* show_resolved - the MTA's resolution of a recipient, when given */
static void show_resolved(FILE *out, const struct pr_rcpt *r)
{
    if (r->addr == NULL || *r->addr == 0)
        return;                         /* judged on what the client wrote */
    fprintf(out, "  resolved: <%s> mailer=%s host=%s%s\n", r->addr,
            r->mailer && *r->mailer ? r->mailer : "-", r->host && *r->host ? r->host : "-",
            policy_rcpt_resolved_differs(r) ? _(" (differs from what the client wrote)") : "");
}

/* show_log - the decision line the daemon would write */
static void show_log(FILE *out, const struct pr_config *cfg, const struct log_decision *d)
{
    strbuf line = STRBUF_INIT;

    log_format_decision(cfg->log_format == LOG_FORMAT_JSON, d, &line);
    fprintf(out, "  log: %s\n", strbuf_str(&line));
    strbuf_release(&line);
}

/* explain_run - the whole imagined session */
int explain_run(const struct pr_config *cfg, const char *spec, FILE *out, strbuf *err)
{
    char *copy = util_strdup(spec), ref[13];
    const char *accepted[MAX_RCPT];
    struct imagined im;
    struct pr_facts f;
    struct pr_verdict v, held;
    const struct pr_listener *m;
    struct log_decision d;
    unsigned tagged = 0;
    enum pr_action would = ACT_PASS;
    size_t nacc = 0;
    int relayed = 0;

    memset(&held, 0, sizeof(held));
    held.action = ACT_PASS;
    if (parse_spec(copy, &im, err) < 0) {
        free(copy);
        return 2;
    }
    memset(&f, 0, sizeof(f));
    f.role = policy_role(cfg, im.listener, im.addr, im.port, &m);
    f.port = im.port ? netaddr_port_parse(im.port) : -1;
    f.listener_name = m && m->kind == LISTENER_NAME ? m->name : NULL;
    f.client_addr = im.client ? im.client : "192.0.2.1";
    f.client_name = im.client_name ? im.client_name : "unknown";
    f.trusted = config_trusted(cfg, f.client_addr);
    f.auth_type = none_is_null(im.auth);
    f.login = f.auth_type ? none_is_null(im.user) : NULL;
    f.tls_version = none_is_null(im.tls);
    f.helo = im.helo;
    f.sender = im.from ? im.from : "";
    f.spf = f.role == ROLE_MX ? spf_parse(im.spf) : SPF_RESULT_NOT_CHECKED;
    f.spf_domain = config_domain_of(f.sender);
    policy_new_ref(ref);
    memset(&d, 0, sizeof(d));
    d.queueid = im.queueid;
    d.facts = &f;
    d.audit = cfg->audit;
    d.ref = ref;

    show_role(out, &f, m, &im);
    if (f.role == ROLE_INTERNAL) {
        fprintf(out, "\n%s\n", _("role internal: portrole accepts at connect without checks and "
                "adds or removes no header."));
        free(copy);
        return 0;
    }
    fprintf(out, "\nMAIL FROM:<%s>\n", f.sender);
    policy_mail(cfg, &f, &v);
    if (v.action >= ACT_TEMPFAIL && cfg->delay_reject) {
        held = v;
        show_held(out, cfg, &held, &f, ref);
        if (im.nrcpt == 0) {
            fputs(_("(no RCPT: the transaction ends; the decision is logged once, at abort)\n"), out);
            d.action = held.action, d.violations = held.violations;
            show_log(out, cfg, &d);
        }
    } else if (show_verdict(out, cfg, &v, &f, NULL, ref, "250 2.1.0 Ok", _("portrole continues"),
                            _("decided and given at MAIL (DelayReject no)"))) {
        d.action = v.action, d.violations = v.violations;
        show_log(out, cfg, &d);
        free(copy);
        return 0;
    }
    tagged |= v.tagged;
    would = v.would > would ? v.would : would;
    for (size_t i = 0; i < im.nrcpt; i++) {
        const struct pr_rcpt *r = &im.rcpt[i];

        fprintf(out, "RCPT TO:<%s>\n", r->raw);
        show_resolved(out, r);
        if (held.action >= ACT_TEMPFAIL) {
            struct log_decision rd = d;

            show_verdict(out, cfg, &held, &f, NULL, ref, "", "",
                         _("decided at MAIL, given at this RCPT and every later one (DelayReject yes)"));
            rd.rcpts = &r->raw, rd.nrcpts = 1;
            rd.action = held.action, rd.violations = held.violations;
            rd.resolved = policy_rcpt_resolved_differs(r) ? r->addr : NULL;
            show_log(out, cfg, &rd);
            continue;
        }
        policy_rcpt(cfg, &f, r, &v);
        if (show_verdict(out, cfg, &v, &f, r->raw, ref, "250 2.1.5 Ok", _("portrole continues"),
                         _("decided and given at RCPT (this recipient only)"))) {
            struct log_decision rd = d;

            rd.rcpts = &r->raw, rd.nrcpts = 1;
            rd.action = v.action, rd.violations = v.violations;
            rd.resolved = policy_rcpt_resolved_differs(r) ? r->addr : NULL;
            show_log(out, cfg, &rd);
            continue;
        }
        tagged |= v.tagged;
        would = v.would > would ? v.would : would;
        relayed |= policy_rcpt_foreign(cfg, r);
        accepted[nacc++] = r->raw;
    }
    if (nacc == 0) {
        fprintf(out, "DATA\n  -> 554 5.5.1 Error: no valid recipients (%s)\n", _("the MTA's answer"));
        free(copy);
        return 0;
    }
    {
        struct header_route r = {cfg->authserv_id ? cfg->authserv_id : im.j ? im.j : "mx.example.test",
            &f, tagged, relayed, cfg->header_include_user, NULL};
        strbuf hv = STRBUF_INIT;

        header_build(cfg->header_name, &r, &hv);
        fprintf(out, "DATA ... end of message\n  -> 250 2.0.0 Ok: queued%s\n",
                tagged ? _(" (accepted and tagged)") : "");
        fprintf(out, "  %s\n    %s: ", _("header added:"), cfg->header_name);
        for (const char *p = strbuf_str(&hv); *p; p++)
            fputs(*p == '\n' ? "\n    " : (char[]) {*p, 0}, out);
        fputc('\n', out);
        if (cfg->auth_results) {
            strbuf_reset(&hv);
            header_build_ar(r.authserv_id, &f, NULL, &hv);
            fprintf(out, "    Authentication-Results: %s\n", strbuf_str(&hv));
        }
        strbuf_release(&hv);
    }
    d.rcpts = accepted, d.nrcpts = nacc;
    d.action = tagged ? ACT_TAG : ACT_PASS, d.violations = tagged, d.would = would;
    show_log(out, cfg, &d);
    free(copy);
    return 0;
}
