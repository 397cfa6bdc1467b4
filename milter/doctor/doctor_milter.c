/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * doctor_milter - does each Postfix service that runs milters reach
 *	portrole, and what to paste where it does not.
 *
 * SYNOPSIS
 *	#include "doctor.h"
 *
 *	doctor_check_milters(mta, dc);
 *	doctor_fix_override(&fix, "smtpd_sasl_auth_enable", "no");
 *	doctor_place_override(&l->findings, l, "smtpd_sasl_auth_enable");
 *	doctor_fix_chroot(&fix, service);
 *
 * DESCRIPTION
 *	Two kinds of Postfix process talk to milters: smtpd (smtpd_milters,
 *	per listener, with its own -o override; behind postscreen, the pass
 *	smtpd) and cleanup (non_smtpd_milters, for mail that did not come
 *	over SMTP: sendmail(1), pickup). For each listener the check says
 *	whether portrole's socket is in its list and reachable from where
 *	that smtpd runs; for each cleanup service, whether its list holds
 *	portrole's socket, or will once smtpd_milters does ($smtpd_milters),
 *	and whether a chroot hides it. A chroot is judged on the first run,
 *	not after the administrator pasted the first fix.
 *
 *	A fix adds portrole to the list the check found, first, and keeps
 *	every milter already there: portrole decides at MAIL and RCPT, so
 *	mail on the wrong hop is refused before the other milters (signing,
 *	spam scoring) work on it, and they still see every message they saw
 *	before. A listener whose smtpd_milters is emptied on purpose (-o
 *	smtpd_milters=, a reinjection port) is left alone unless its port
 *	is 25, 587 or 465.
 *
 *	doctor_fix_override() writes one master.cf override line, with the
 *	-o { name = value } form when the value holds blanks;
 *	doctor_place_override() says where it goes: in place of the
 *	listener's own line for that parameter when it stands alone, else
 *	after the last line of the listener's smtpd entry (a later -o of
 *	the same name would win). doctor_fix_chroot() is an entry's first
 *	line with the chroot column set to n, spacing kept.
 */
#include "acconfig.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "i18n.h"
#include "util.h"

struct mc {
    struct doctor_mta *mta;
    const struct doctor_conf *dc;
    strbuf ours;                /* portrole's socket, Postfix's spelling */
    strbuf where, msg, fix;
};

/* doctor_fix_override - "  -o name=value" for master.cf */
void doctor_fix_override(strbuf *fix, const char *name, const char *value)
{
    strbuf_reset(fix);
    if (strpbrk(value, " \t") != NULL)
        strbuf_printf(fix, "  -o { %s = %s }", name, value);
    else
        strbuf_printf(fix, "  -o %s=%s", name, value);
}

/* doctor_place_override - the override replaces its own line, else follows the entry */
void doctor_place_override(struct doctor_findings *f, const struct doctor_listener *l,
                           const char *name)
{
    const struct doctor_setting *s = doctor_setting_find(&l->opts, name);

    if (s && s->explicit_set == 2 && s->line > 0)
        doctor_place(f, "master.cf", s->line, DOCTOR_HOW_REPLACE);
    else
        doctor_place(f, "master.cf", l->last_line > 0 ? l->last_line : l->line,
                     DOCTOR_HOW_AFTER);
}

/* doctor_fix_chroot - the entry's first line with chroot column n */
void doctor_fix_chroot(strbuf *fix, const struct doctor_service *sv)
{
    const char *p = sv->text;
    int field = 0;

    strbuf_reset(fix);
    /* Copy fields and blanks as written; the fifth field is chroot. */
    while (*p) {
        if (isspace((unsigned char) *p)) {
            strbuf_putc(fix, *p++);
            continue;
        }
        if (++field == 5) {
            strbuf_putc(fix, 'n');
            while (*p && !isspace((unsigned char) *p))
                p++;
            continue;
        }
        while (*p && !isspace((unsigned char) *p))
            strbuf_putc(fix, *p++);
    }
}

/* socket_postfix - portrole's Socket in Postfix's spelling */
static void socket_postfix(const char *sock, strbuf *out)
{
    const char *at;

    strbuf_reset(out);
    if (strncmp(sock, "local:", 6) == 0)
        strbuf_printf(out, "unix:%s", sock + 6);
    else if ((strncmp(sock, "inet:", 5) == 0 || strncmp(sock, "inet6:", 6) == 0)
             && (at = strchr(sock, '@')) != NULL) {
        const char *port = strchr(sock, ':') + 1;

        strbuf_printf(out, "inet:%s:%.*s", at + 1, (int) (at - port), port);
    } else
        strbuf_puts(out, sock);
}

/* same_host - two spellings of one milter host */
static int same_host(const char *a, size_t alen, const char *b, size_t blen)
{
    static const char *const loop[] = {"127.0.0.1", "localhost", "[127.0.0.1]"};
    int la = 0, lb = 0;
    size_t i;

    if (alen == blen && strncasecmp(a, b, alen) == 0)
        return 1;
    for (i = 0; i < 3; i++) {
        la |= strlen(loop[i]) == alen && strncmp(a, loop[i], alen) == 0;
        lb |= strlen(loop[i]) == blen && strncmp(b, loop[i], blen) == 0;
    }
    return la && lb;
}

/* chroot_hides - a chrooted process cannot reach portrole's unix socket */
static int chroot_hides(const struct mc *m)
{
    const char *qd = doctor_setting_get(&m->mta->main, "queue_directory");
    const char *path = strbuf_str(&m->ours) + 5;
    size_t n = qd ? strlen(qd) : 0;

    if (strncmp(strbuf_str(&m->ours), "unix:", 5) != 0)
        return 0;
    return !(n && strncmp(path, qd, n) == 0 && path[n] == '/');
}

/* entry_matches - 1 reachable, 2 names our socket but the chroot hides it, 0 other */
static int entry_matches(const struct mc *m, int chroot, const char *entry)
{
    const char *qd = doctor_setting_get(&m->mta->main, "queue_directory");
    const char *ours = strbuf_str(&m->ours);
    strbuf seen = STRBUF_INIT;
    int rc = 0;

    if (strncmp(ours, "unix:", 5) == 0 && strncmp(entry, "unix:", 5) == 0) {
        const char *path = entry + 5;

        /* Relative paths are relative to the queue directory; a chrooted
         * process sees absolute ones below it too. */
        if (path[0] != '/' || chroot)
            strbuf_printf(&seen, "%s%s%s", qd ? qd : "", path[0] == '/' ? "" : "/", path);
        else
            strbuf_puts(&seen, path);
        if (strcmp(strbuf_str(&seen), ours + 5) == 0)
            rc = 1;
        else if (strcmp(path, ours + 5) == 0)
            rc = 2;
    } else if (strncmp(ours, "inet:", 5) == 0 && strncmp(entry, "inet:", 5) == 0) {
        const char *oc = strrchr(ours, ':'), *ec = strrchr(entry, ':');

        rc = strcmp(oc, ec) == 0
             && same_host(ours + 5, (size_t) (oc - ours - 5), entry + 5,
                          (size_t) (ec - entry - 5));
    }
    strbuf_release(&seen);
    return rc;
}

/* list_wiring - 1 wired, 2 chroot hides the socket, 0 missing */
static int list_wiring(const struct mc *m, int chroot, const char *list)
{
    char tok[1024];
    int best = 0, w;

    while ((list = doctor_next_token(list, tok, sizeof(tok))) != NULL) {
        const char *t = tok[0] == '{' ? tok + 1 : tok;

        if ((w = entry_matches(m, chroot, t)) == 1)
            return 1;
        if (w)
            best = w;
    }
    return best;
}

/* add - one finding from the strbufs, which are then reset */
static void add(struct mc *m, struct doctor_findings *f, enum doctor_sev sev, const char *id)
{
    doctor_add(f, sev, id, strbuf_str(&m->where), strbuf_str(&m->msg), strbuf_str(&m->fix));
    strbuf_reset(&m->msg);
    strbuf_reset(&m->fix);
}

/* chroot_finding - milter-chroot for a service, with the chroot n line */
static void chroot_finding(struct mc *m, struct doctor_findings *f,
                           const struct doctor_service *sv, int now)
{
    const char *qd = doctor_setting_get(&m->mta->main, "queue_directory");

    doctor_where(&m->where, m->mta, sv->line);
    if (now)
        strbuf_printf(&m->msg, _("%s runs chrooted (chroot column y) and looks for %s%s: "
                        "portrole's socket is not there, so no mail handled by this %s "
                        "reaches portrole and milter_default_action decides every session"),
                      sv->name, qd ? qd : "", strbuf_str(&m->ours) + 5, sv->command);
    else
        strbuf_printf(&m->msg, _("%s runs chrooted (chroot column y): once portrole's socket "
                        "is in its milter list, it will look for %s%s, where the socket is "
                        "not, and milter_default_action will decide every session; set the "
                        "chroot column together with the milter list"),
                      sv->name, qd ? qd : "", strbuf_str(&m->ours) + 5);
    doctor_fix_chroot(&m->fix, sv);
    add(m, f, DOCTOR_ERROR, "milter-chroot");
    doctor_place(f, "master.cf", sv->line, DOCTOR_HOW_REPLACE);
}

/* fix_list - portrole first, then the list as written */
static void fix_list(struct mc *m, const char *raw, strbuf *out)
{
    char tok[1024];

    strbuf_reset(out);
    strbuf_puts(out, strbuf_str(&m->ours));
    if (doctor_next_token(raw, tok, sizeof(tok)) != NULL)
        strbuf_printf(out, ", %s", raw);
}

/* check_listener - portrole's socket on one smtpd listener */
static void check_listener(struct mc *m, struct doctor_listener *l)
{
    enum pr_role kind = doctor_kind(l);
    const struct doctor_setting *ov = doctor_setting_find(&l->opts, "smtpd_milters");
    const char *raw = doctor_eff_raw(m->mta, l, "smtpd_milters");
    strbuf list = STRBUF_INIT;
    char tok[8];
    int w;

    w = list_wiring(m, l->chroot, doctor_eff(m->mta, l, "smtpd_milters"));
    l->wired = w == 1;
    if (w == 1 || l->role == ROLE_INTERNAL || l->smtpd == NULL
        || (l->milters_off && kind != ROLE_MX && kind != ROLE_SUBMISSION
            && kind != ROLE_SUBMISSIONS)) {
        strbuf_release(&list);
        return;
    }
    if (w == 2) {
        chroot_finding(m, &l->findings, l->smtpd, 1);
        strbuf_release(&list);
        return;
    }
    if (ov)
        doctor_where(&m->where, m->mta, ov->line);
    else {
        strbuf_reset(&m->where);
        strbuf_puts(&m->where, "main.cf: smtpd_milters");
    }
    if (doctor_next_token(raw, tok, sizeof(tok)) == NULL)
        strbuf_printf(&m->msg, _("portrole's socket %s is not in this listener's "
                        "smtpd_milters: its mail is never checked, whatever role it has"),
                      strbuf_str(&m->ours));
    else
        strbuf_printf(&m->msg, _("portrole's socket %s is not in this listener's "
                        "smtpd_milters (%s): its mail is never checked, whatever role it has. "
                        "The fix puts portrole first and keeps every milter already there: "
                        "portrole refuses mail on the wrong hop at MAIL or RCPT, before the "
                        "others work on it."), strbuf_str(&m->ours), raw);
    fix_list(m, raw, &list);
    if (ov) {
        /* master.cf -o values have no blanks unless braced: commas. */
        strbuf spaced = STRBUF_INIT;
        const char *p;

        for (p = strbuf_str(&list); *p; p++)
            if (!(p[0] == ' ' && p > strbuf_str(&list) && p[-1] == ','))
                strbuf_putc(&spaced, *p);
        doctor_fix_override(&m->fix, "smtpd_milters", strbuf_str(&spaced));
        strbuf_release(&spaced);
        add(m, &l->findings, DOCTOR_ERROR, "milter-missing");
        doctor_place_override(&l->findings, l, "smtpd_milters");
    } else {
        strbuf_printf(&m->fix, "smtpd_milters = %s", strbuf_str(&list));
        add(m, &l->findings, DOCTOR_ERROR, "milter-missing");
        doctor_place(&l->findings, "main.cf", 0, DOCTOR_HOW_SET);
    }
    /* The socket will not be reachable from this smtpd's chroot either. */
    if (l->chroot && chroot_hides(m))
        chroot_finding(m, &l->findings, l->smtpd, 0);
    strbuf_release(&list);
}

/* will_reach_cleanup - non_smtpd_milters follows smtpd_milters, which lacks portrole */
static int will_reach_cleanup(const struct mc *m, const struct doctor_service *sv)
{
    const struct doctor_setting *s = doctor_setting_find(&sv->opts, "non_smtpd_milters");
    const char *raw;

    if (s == NULL)
        s = doctor_setting_find(&m->mta->main, "non_smtpd_milters");
    raw = s ? (s->raw ? s->raw : s->value) : "";
    if (strstr(raw, "$smtpd_milters") == NULL && strstr(raw, "${smtpd_milters}") == NULL
        && strstr(raw, "$(smtpd_milters)") == NULL)
        return 0;
    return list_wiring(m, 0, doctor_eff(m->mta, NULL, "smtpd_milters")) == 0;
}

/* check_cleanup - the cleanup services that run non_smtpd_milters */
static void check_cleanup(struct mc *m)
{
    size_t i;

    for (i = 0; i < m->mta->nsvc; i++) {
        const struct doctor_service *sv = &m->mta->svc[i];
        const char *list;
        int w;

        if (strcmp(sv->command, "cleanup") != 0 || !sv->chroot)
            continue;
        list = doctor_setting_get(&sv->opts, "non_smtpd_milters");
        if (list == NULL)
            list = doctor_eff(m->mta, NULL, "non_smtpd_milters");
        w = list_wiring(m, 1, list);
        if (w == 2 || (w == 0 && will_reach_cleanup(m, sv) && chroot_hides(m)))
            chroot_finding(m, &m->mta->findings, sv, w == 2);
    }
}

/* doctor_check_milters - every smtpd listener, then every cleanup */
void doctor_check_milters(struct doctor_mta *mta, const struct doctor_conf *dc)
{
    struct mc m = {mta, dc, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT};
    size_t i;

    socket_postfix(dc->cfg->socket, &m.ours);
    for (i = 0; i < mta->nl; i++)
        check_listener(&m, &mta->l[i]);
    check_cleanup(&m);
    strbuf_release(&m.ours);
    strbuf_release(&m.where);
    strbuf_release(&m.msg);
    strbuf_release(&m.fix);
}
