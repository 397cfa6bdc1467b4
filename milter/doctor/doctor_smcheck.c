/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * doctor_smcheck - judge a sendmail.cf against the two hops.
 *
 * SYNOPSIS
 *	#include "doctor.h"
 *
 *	doctor_check_sendmail(mta, dc);	  after doctor_check_roles()
 *
 * DESCRIPTION
 *	The filter: an X line whose S= is portrole's Socket (local:PATH is
 *	unix:PATH), listed in InputMailFilters, and its F= flag (T or R fail
 *	closed; none fails open). Each daemon by its M= modifiers: on the
 *	delivery hop (mx) "a" requires AUTH from other servers, no "A" offers
 *	AUTH to clients; on the submission hop "A" turns AUTH off, "S" turns
 *	STARTTLS off, no "a" leaves the login to portrole alone, port 465
 *	needs "s"; and STARTTLS needs a server certificate at all. Then:
 *	is there a submission daemon? Name= against Listener lines is judged
 *	in doctor_roles.c.
 */
#include "acconfig.h"

#include <string.h>

#include "doctor.h"
#include "i18n.h"
#include "util.h"

struct sm {
    struct doctor_mta *mta;
    const struct doctor_conf *dc;
    strbuf where, msg, fix;
};

/* add - one finding from the strbufs, which are then reset */
static void add(struct sm *s, struct doctor_findings *f, enum doctor_sev sev, const char *id)
{
    doctor_add(f, sev, id, strbuf_str(&s->where), strbuf_str(&s->msg), strbuf_str(&s->fix));
    strbuf_reset(&s->msg);
    strbuf_reset(&s->fix);
}

/* same_socket - portrole's Socket and a Sendmail S= name one socket */
static int same_socket(const char *ours, const char *theirs)
{
    const char *a = ours, *b = theirs;

    if (strncmp(a, "unix:", 5) == 0 || strncmp(a, "local:", 6) == 0)
        a = strchr(a, ':') + 1;
    else
        return util_strcaseeq(a, b);
    if (strncmp(b, "unix:", 5) == 0 || strncmp(b, "local:", 6) == 0)
        b = strchr(b, ':') + 1;
    else if (b[0] != '/')
        return 0;
    return strcmp(a, b) == 0;
}

/* check_filter - portrole's X line, in use, failing closed */
static int check_filter(struct sm *s)
{
    const char *ours = s->dc->cfg->socket;
    struct doctor_filter *f = NULL;
    size_t i;

    for (i = 0; i < s->mta->nfilters; i++)
        if (same_socket(ours, s->mta->filters[i].socket))
            f = &s->mta->filters[i];
    if (f == NULL || !f->input) {
        doctor_where(&s->where, s->mta, f ? f->line : s->mta->input_filters_line);
        strbuf_puts(&s->msg, f ? _("the filter with portrole's socket is not in "
                                   "InputMailFilters: no mail on any daemon reaches portrole")
                    : _("no X filter line has portrole's socket: no mail on any daemon "
                        "reaches portrole"));
        strbuf_printf(&s->fix, "INPUT_MAIL_FILTER(`portrole', `S=%s%s, F=T, "
                      "T=C:30s;S:1m;R:1m;E:5m')   (sendmail.mc)",
                      strncmp(ours, "unix:", 5) == 0 ? "local:" : "",
                      strncmp(ours, "unix:", 5) == 0 ? ours + 5 : ours);
        add(s, &s->mta->findings, DOCTOR_ERROR, "milter-missing");
        return 0;
    }
    if (strpbrk(f->flags, "TR") == NULL) {
        doctor_where(&s->where, s->mta, f->line);
        strbuf_printf(&s->msg, _("filter %s has F=%s: while portrole is down Sendmail "
                        "fails open, taking every message unchecked (relay and submission "
                        "alike)"), f->name, f->flags);
        strbuf_printf(&s->fix, "INPUT_MAIL_FILTER(`%s', `S=%s, F=T, ...')   (sendmail.mc)",
                      f->name, f->socket);
        add(s, &s->mta->findings, DOCTOR_WARNING, "milter-fail-open");
    }
    return 1;
}

/* fix_daemon - the DAEMON_OPTIONS line with modifiers mods */
static void fix_daemon(struct sm *s, const struct doctor_listener *l, const char *mods)
{
    strbuf_printf(&s->fix, "DAEMON_OPTIONS(`Family=inet, Name=%s, Port=%d%s%s')   (sendmail.mc)",
                  l->daemon_name, l->port, *mods ? ", M=" : "", mods);
}

/* with / without - the modifiers plus or minus one letter */
static void mods_edit(const char *mods, int add_c, int del_c, char *out, size_t size)
{
    size_t n = 0;

    for (; *mods && n < size - 2; mods++)
        if (*mods != del_c && *mods != add_c)
            out[n++] = *mods;
    if (add_c)
        out[n++] = (char) add_c;
    out[n] = '\0';
}

/* check_mx - M=a requires AUTH of servers, no M=A offers AUTH to clients */
static void check_mx(struct sm *s, struct doctor_listener *l)
{
    char m[64];

    doctor_where(&s->where, s->mta, l->line);
    if (strchr(l->modifiers, 'a')) {
        strbuf_printf(&s->msg, _("daemon %s (port %d) has M=a, AUTH required: other servers "
                        "never log in, so no mail from outside reaches your domains"),
                      l->daemon_name, l->port);
        mods_edit(l->modifiers, 0, 'a', m, sizeof(m));
        fix_daemon(s, l, m);
        add(s, &l->findings, DOCTOR_ERROR, "mx-requires-auth");
    }
    if (strchr(l->modifiers, 'A') == NULL) {
        int held = doctor_enforced(l, s->dc, V_AUTH_ON_MX);

        /* Each sentence whole, for the translators. */
        if (held)
            strbuf_printf(&s->msg, _("daemon %s (port %d) offers AUTH (no M=A): mail clients "
                                     "may learn to log in on the delivery port; portrole "
                                     "refuses such logins (auth-on-mx) and names 587/465"),
                          l->daemon_name, l->port);
        else
            strbuf_printf(&s->msg, _("daemon %s (port %d) offers AUTH (no M=A): mail clients "
                                     "may learn to log in on the delivery port"),
                          l->daemon_name, l->port);
        mods_edit(l->modifiers, 'A', 'a', m, sizeof(m));
        fix_daemon(s, l, m);
        add(s, &l->findings, held ? DOCTOR_NOTE : DOCTOR_WARNING, "mx-auth-offered");
    }
}

/* check_submission - AUTH on, TLS on, a login required */
static void check_submission(struct sm *s, struct doctor_listener *l, enum pr_role kind)
{
    char m[64];

    doctor_where(&s->where, s->mta, l->line);
    if (strchr(l->modifiers, 'A')) {
        strbuf_printf(&s->msg, _("daemon %s (port %d) has M=A: AUTH is off, clients cannot "
                        "log in to submit"), l->daemon_name, l->port);
        mods_edit(l->modifiers, 'a', 'A', m, sizeof(m));
        fix_daemon(s, l, m);
        add(s, &l->findings, DOCTOR_ERROR, "submission-no-auth");
    }
    if ((kind == ROLE_SUBMISSIONS && strchr(l->modifiers, 's') == NULL)
        || (kind == ROLE_SUBMISSION && strchr(l->modifiers, 'S'))
        || doctor_setting_get(&s->mta->main, "ServerCertFile") == NULL) {
        if (doctor_setting_get(&s->mta->main, "ServerCertFile") == NULL)
            strbuf_printf(&s->msg, _("daemon %s (port %d) has no TLS: sendmail.cf sets no "
                                     "ServerCertFile, so passwords and mail cross the "
                                     "network in clear text"), l->daemon_name, l->port);
        else if (kind == ROLE_SUBMISSIONS)
            strbuf_printf(&s->msg, _("daemon %s (port %d) lacks M=s: clients set up for "
                                     "port 465 speak TLS from the first byte and fail"),
                          l->daemon_name, l->port);
        else
            strbuf_printf(&s->msg, _("daemon %s (port %d) has M=S: STARTTLS is off, "
                                     "passwords cross the network in clear text"),
                          l->daemon_name, l->port);
        if (doctor_setting_get(&s->mta->main, "ServerCertFile") == NULL)
            strbuf_puts(&s->fix, "define(`confSERVER_CERT', `/etc/mail/tls/cert.pem') and "
                        "define(`confSERVER_KEY', `/etc/mail/tls/key.pem')   (sendmail.mc)");
        else {
            mods_edit(l->modifiers, kind == ROLE_SUBMISSIONS ? 's' : 0, 'S', m, sizeof(m));
            fix_daemon(s, l, m);
        }
        add(s, &l->findings, DOCTOR_ERROR, "submission-no-tls");
    }
    if (strchr(l->modifiers, 'a') == NULL) {
        int held = doctor_enforced(l, s->dc, V_UNAUTH_SUBMISSION);

        if (held)
            strbuf_printf(&s->msg, _("daemon %s (port %d) does not require AUTH (no M=a); "
                                     "portrole refuses clients that did not log in "
                                     "(unauth-submission), with the port and a ref"),
                          l->daemon_name, l->port);
        else
            strbuf_printf(&s->msg, _("daemon %s (port %d) does not require AUTH (no M=a): "
                                     "a stranger may submit mail for your own domains here"),
                          l->daemon_name, l->port);
        mods_edit(l->modifiers, 'a', 'A', m, sizeof(m));
        fix_daemon(s, l, m);
        add(s, &l->findings, held ? DOCTOR_NOTE : DOCTOR_WARNING,
            "submission-auth-not-required");
    }
}

/* doctor_check_sendmail - every Sendmail check */
void doctor_check_sendmail(struct doctor_mta *mta, const struct doctor_conf *dc)
{
    struct sm s = {mta, dc, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT};
    int wired = check_filter(&s), sub = 0;
    size_t i;

    for (i = 0; i < mta->nl; i++)
        mta->l[i].wired = wired;
    for (i = 0; i < mta->nl; i++) {
        enum pr_role kind = doctor_kind(&mta->l[i]);

        if (kind == ROLE_MX)
            check_mx(&s, &mta->l[i]);
        else if (kind == ROLE_SUBMISSION || kind == ROLE_SUBMISSIONS) {
            check_submission(&s, &mta->l[i], kind);
            sub = 1;
        }
    }
    if (!sub) {
        strbuf_reset(&s.where);
        strbuf_puts(&s.where, mta->file);
        strbuf_puts(&s.msg, _("no submission daemon (587 or 465): mail clients have nowhere "
                      "to go but port 25, where they must not log in and which providers block"));
        strbuf_puts(&s.fix, "DAEMON_OPTIONS(`Family=inet, Name=MSA, Port=submission, M=Ea')"
                    "   (sendmail.mc)");
        add(&s, &mta->findings, DOCTOR_WARNING, "no-submission");
    }
    strbuf_release(&s.where);
    strbuf_release(&s.msg);
    strbuf_release(&s.fix);
}
