/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * doctor_roles - the role portrole gives each listener, and what is
 *	wrong with the Listener lines.
 *
 * SYNOPSIS
 *	#include "doctor.h"
 *
 *	doctor_check_roles(mta, dc);
 *	kind = doctor_kind(listener);
 *	yes = doctor_enforced(listener, dc, V_AUTH_ON_MX);
 *
 * DESCRIPTION
 *	doctor_check_roles() resolves every listener with policy_role(), the
 *	very function the milter runs at connect, from the {daemon_name},
 *	{daemon_addr} and {daemon_port} the MTA will send, and reports: a
 *	listener no Listener line maps (role unknown); a Listener line no
 *	listener can match; port 25 given a submission role or 587/465 given
 *	mx; and two listeners sending the same {daemon_name} where portrole
 *	matches by that name (portrole cannot tell them apart).
 *
 *	doctor_kind() is the hop a listener serves: its role when the role
 *	is mx, submission or submissions, else what its port says (25 mx,
 *	587 submission, 465 submissions), else ROLE_UNKNOWN.
 *
 *	doctor_enforced() says whether portrole itself refuses the violation
 *	on that listener: the MTA sends it the mail, the role is the right
 *	one, the action is reject or tempfail, and Mode is enforce. The MTA
 *	checks use it to lower a finding to a note where portrole already
 *	holds the line.
 */
#include "acconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "i18n.h"
#include "util.h"

/* doctor_where - "master.cf:LINE", or the bare file name without a line */
void doctor_where(strbuf *sb, const struct doctor_mta *mta, int line)
{
    strbuf_reset(sb);
    if (line > 0)
        strbuf_printf(sb, "%s:%d", mta->file, line);
    else
        strbuf_puts(sb, mta->file);
}

/* doctor_kind - the hop a listener serves, by role, else by port */
enum pr_role doctor_kind(const struct doctor_listener *l)
{
    if (l->role == ROLE_MX || l->role == ROLE_SUBMISSION || l->role == ROLE_SUBMISSIONS)
        return l->role;
    if (l->role == ROLE_INTERNAL)
        return ROLE_INTERNAL;
    return l->port == 25 ? ROLE_MX : l->port == 587 ? ROLE_SUBMISSION
           : l->port == 465 ? ROLE_SUBMISSIONS : ROLE_UNKNOWN;
}

/* doctor_enforced - portrole refuses viol on this listener by itself */
int doctor_enforced(const struct doctor_listener *l, const struct doctor_conf *dc,
                    enum pr_violation viol)
{
    enum pr_role want = viol == V_AUTH_ON_MX ? ROLE_MX : l->role;

    if (!l->wired || dc->cfg->audit || dc->cfg->action[viol] < ACT_TEMPFAIL)
        return 0;
    if (viol == V_CLEARTEXT_SUBMISSION && !dc->cfg->require_tls)
        return 0;
    if (viol != V_AUTH_ON_MX && want != ROLE_SUBMISSION && want != ROLE_SUBMISSIONS)
        return 0;
    return l->role == want;
}

/* conf_where - "portrole.conf:LINE" of the n-th Listener, or the default */
static void conf_where(strbuf *sb, const struct doctor_conf *dc, size_t n)
{
    const char *base;

    strbuf_reset(sb);
    if (dc->path == NULL || dc->nlisteners != dc->cfg->nlisteners) {
        strbuf_puts(sb, "portrole.conf: Listener (built-in default)");
        return;
    }
    base = strrchr(dc->path, '/');
    strbuf_printf(sb, "%s:%d", base ? base + 1 : dc->path, dc->listeners[n].line);
}

/* conf_line - portrole.conf's line of the Listener line pl, 0 when unknown */
static int conf_line(const struct doctor_conf *dc, const struct pr_listener *pl)
{
    size_t n = (size_t) (pl - dc->cfg->listeners);

    if (dc->path == NULL || dc->nlisteners != dc->cfg->nlisteners || n >= dc->nlisteners)
        return 0;
    return dc->listeners[n].line;
}

/* defaults_first - the built-in Listener lines, which any Listener line replaces */
static void defaults_first(const struct doctor_conf *dc, strbuf *fix)
{
    if (dc->nlisteners == 0)
        strbuf_puts(fix, "Listener 25 mx\nListener 587 submission\nListener 465 submissions\n");
}

/* place_listener - a Listener fix replaces pl's line, else joins portrole.conf */
static void place_listener(struct doctor_findings *f, const struct doctor_conf *dc,
                           const struct pr_listener *pl)
{
    int line = pl ? conf_line(dc, pl) : 0;

    doctor_place(f, doctor_conf_file(dc), line, line ? DOCTOR_HOW_REPLACE : DOCTOR_HOW_APPEND);
}

/* port_role - the role a port carries: by number, else what the listener suggests */
static enum pr_role port_role(const struct doctor_listener *l)
{
    if (l->port == 25)
        return ROLE_MX;
    if (l->port == 587)
        return ROLE_SUBMISSION;
    if (l->port == 465)
        return ROLE_SUBMISSIONS;
    /* Any other port: what its settings suggest (AUTH offered: a
     * submission port). Guessing "internal" would switch every check
     * off. */
    return l->guess == ROLE_UNKNOWN ? ROLE_MX : l->guess;
}

/* resolve - the role of each listener, as policy_role() decides it */
static void resolve(struct doctor_mta *mta, const struct doctor_conf *dc)
{
    size_t i;

    for (i = 0; i < mta->nl; i++) {
        struct doctor_listener *l = &mta->l[i];
        char port[16];

        snprintf(port, sizeof(port), "%d", l->port);
        l->role = policy_role(dc->cfg, l->daemon_name, l->addr,
                              l->port >= 0 ? port : NULL, &l->match);
        if (l->role == ROLE_LOCAL)
            l->role = ROLE_UNKNOWN;     /* a TCP listener is never local */
    }
}

/* listener_spec - "Listener PORT ROLE", ADDR:PORT where the MTA binds one address */
static void listener_spec(strbuf *fix, const struct doctor_listener *l, enum pr_role role)
{
    if (l->addr && l->port != 25 && l->port != 587 && l->port != 465)
        strbuf_printf(fix, strchr(l->addr, ':') ? "Listener [%s]:%d %s" : "Listener %s:%d %s",
                      l->addr, l->port, vocab_role_name(role));
    else
        strbuf_printf(fix, "Listener %d %s", l->port, vocab_role_name(role));
}

/* check_listener_role - unknown role, or a role against the port's hop */
static void check_listener_role(struct doctor_mta *mta, const struct doctor_conf *dc,
                                struct doctor_listener *l)
{
    strbuf where = STRBUF_INIT, msg = STRBUF_INIT, fix = STRBUF_INIT;

    doctor_where(&where, mta, l->line);
    /* A listener whose milters are off never reaches portrole, and a
     * proxied one gets its own advice (doctor_checks.c). */
    if (l->role == ROLE_UNKNOWN && !l->milters_off && !l->proxied) {
        strbuf_printf(&msg, _("no Listener line maps this listener (port %d, {daemon_name} %s): "
                        "portrole gives it role unknown, so it cannot tell delivery from "
                        "submission here and treats every session as a stranger on port 25"),
                      l->port, l->daemon_name && *l->daemon_name ? l->daemon_name : "-");
        defaults_first(dc, &fix);
        listener_spec(&fix, l, port_role(l));
        doctor_add(&l->findings, DOCTOR_WARNING, "role-unknown", strbuf_str(&where),
                   strbuf_str(&msg), strbuf_str(&fix));
        doctor_place(&l->findings, doctor_conf_file(dc), 0, DOCTOR_HOW_APPEND);
    } else if ((l->port == 25 && (l->role == ROLE_SUBMISSION || l->role == ROLE_SUBMISSIONS))
               || ((l->port == 587 || l->port == 465) && l->role == ROLE_MX)) {
        if (l->port == 25)
            strbuf_printf(&msg, _("port 25 is the relay/delivery hop but portrole gives it "
                            "role %s: other servers cannot log in, so their deliveries to your "
                            "domains would be refused"), vocab_role_name(l->role));
        else
            strbuf_printf(&msg, _("port %d is the submission hop but portrole gives it role "
                            "%s: logged-in clients would be refused and port %d would take "
                            "unauthenticated mail like an MX"), l->port, vocab_role_name(l->role),
                          l->port);
        strbuf_printf(&fix, "Listener %d %s", l->port, vocab_role_name(port_role(l)));
        doctor_add(&l->findings, DOCTOR_ERROR, "role-port-mismatch", strbuf_str(&where),
                   strbuf_str(&msg), strbuf_str(&fix));
        /* A name line matches first: replacing it would unmap the others. */
        place_listener(&l->findings, dc, l->match->kind == LISTENER_NAME ? NULL : l->match);
    }
    strbuf_release(&where);
    strbuf_release(&msg);
    strbuf_release(&fix);
}

/* has_port_line - portrole.conf has a Listener PORT (or ADDR:PORT) line for port */
static int has_port_line(const struct doctor_conf *dc, int port)
{
    size_t i;

    for (i = 0; i < dc->cfg->nlisteners; i++)
        if (dc->cfg->listeners[i].kind != LISTENER_NAME && dc->cfg->listeners[i].port == port)
            return 1;
    return 0;
}

/* check_shared_name - another listener sends the same {daemon_name} */
static void check_shared_name(struct doctor_mta *mta, const struct doctor_conf *dc,
                              size_t idx)
{
    struct doctor_listener *l = &mta->l[idx];
    strbuf where = STRBUF_INIT, msg = STRBUF_INIT, fix = STRBUF_INIT;
    const struct doctor_listener *o = NULL;
    size_t j;
    int line;

    if (l->match == NULL || l->match->kind != LISTENER_NAME)
        return;
    for (j = 0; j < mta->nl; j++) {
        if (j == idx || !util_strcaseeq(mta->l[j].daemon_name, l->daemon_name))
            continue;
        if (j < idx)
            return;             /* reported on the first listener of the name */
        if (o == NULL)
            o = &mta->l[j];
    }
    if (o == NULL)
        return;
    /* The fix turns the name line into one port line per listener that
     * sends the name, leaving out ports portrole.conf already maps. */
    for (j = idx; j < mta->nl; j++) {
        const struct doctor_listener *x = &mta->l[j];
        int std = x->port == 25 || x->port == 587 || x->port == 465;

        if (!util_strcaseeq(x->daemon_name, l->daemon_name) || has_port_line(dc, x->port))
            continue;
        if (fix.len)
            strbuf_putc(&fix, '\n');
        strbuf_printf(&fix, "Listener %d %s", x->port,
                      vocab_role_name(std ? port_role(x) : l->role));
    }
    line = conf_line(dc, l->match);
    if (line)
        conf_where(&where, dc, (size_t) (l->match - dc->cfg->listeners));
    else
        doctor_where(&where, mta, l->line);
    strbuf_printf(&msg, _("this listener (port %d) and %s (port %d) both send "
                    "{daemon_name} %s, and portrole matches by that name first: both get role "
                    "%s, so portrole cannot tell port %d from port %d; map them by port "
                    "instead of Listener %s"), l->port, o->service, o->port, l->daemon_name,
                  vocab_role_name(l->role), l->port, o->port, l->match->text);
    doctor_add(&l->findings, DOCTOR_WARNING, "daemon-name-shared", strbuf_str(&where),
               strbuf_str(&msg), strbuf_str(&fix));
    doctor_place(&l->findings, doctor_conf_file(dc), line, line == 0 ? DOCTOR_HOW_APPEND
                 : fix.len ? DOCTOR_HOW_REPLACE : DOCTOR_HOW_DELETE);
    strbuf_release(&where);
    strbuf_release(&msg);
    strbuf_release(&fix);
}

/* listener_used - some MTA listener can match this Listener line */
static int listener_used(const struct doctor_mta *mta, const struct pr_listener *pl)
{
    size_t i;

    for (i = 0; i < mta->nl; i++) {
        const struct doctor_listener *l = &mta->l[i];

        if (pl->kind == LISTENER_NAME && util_strcaseeq(pl->name, l->daemon_name))
            return 1;
        if (pl->kind != LISTENER_NAME && pl->port == l->port)
            return 1;
    }
    return 0;
}

/* no_submission - the MTA has no submission listener (no-submission will say so) */
static int no_submission(const struct doctor_mta *mta)
{
    size_t i;

    for (i = 0; i < mta->nl; i++) {
        enum pr_role k = doctor_kind(&mta->l[i]);

        if (k == ROLE_SUBMISSION || k == ROLE_SUBMISSIONS || mta->l[i].proxied)
            return 0;
    }
    return 1;
}

/* check_unused - Listener lines for a port or name the MTA does not have */
static void check_unused(struct doctor_mta *mta, const struct doctor_conf *dc)
{
    strbuf where = STRBUF_INIT, msg = STRBUF_INIT;
    int nosub = mta->kind == DOCTOR_POSTFIX && no_submission(mta);
    size_t i;

    for (i = 0; i < dc->cfg->nlisteners; i++) {
        const struct pr_listener *pl = &dc->cfg->listeners[i];
        int line = conf_line(dc, pl);
        /* A submission line waiting for the submission listener that
         * no-submission adds is not to be removed. */
        int waiting = nosub && (pl->role == ROLE_SUBMISSION || pl->role == ROLE_SUBMISSIONS);

        if (listener_used(mta, pl))
            continue;
        conf_where(&where, dc, i);
        strbuf_reset(&msg);
        if (waiting)
            strbuf_printf(&msg, _("Listener %s (role %s) matches no listener yet: it waits for "
                            "the submission listener that no-submission adds"), pl->text,
                          vocab_role_name(pl->role));
        else if (pl->kind == LISTENER_NAME)
            strbuf_printf(&msg, _("Listener %s (role %s) matches no listener: no listener "
                            "sends that {daemon_name}; remove the line, or give a listener "
                            "that name"), pl->text, vocab_role_name(pl->role));
        else
            strbuf_printf(&msg, _("Listener %s (role %s) matches no listener: nothing listens "
                            "on that port; remove the line, or add the listener it names"),
                          pl->text, vocab_role_name(pl->role));
        doctor_add(&mta->findings, line == 0 || waiting ? DOCTOR_NOTE : DOCTOR_WARNING,
                   "listener-unused", strbuf_str(&where), strbuf_str(&msg), "");
        if (line && !waiting)
            doctor_place(&mta->findings, doctor_conf_file(dc), line, DOCTOR_HOW_DELETE);
    }
    strbuf_release(&where);
    strbuf_release(&msg);
}

/* doctor_check_roles - resolve every listener and judge the Listener lines */
void doctor_check_roles(struct doctor_mta *mta, const struct doctor_conf *dc)
{
    size_t i;

    resolve(mta, dc);
    for (i = 0; i < mta->nl; i++) {
        check_listener_role(mta, dc, &mta->l[i]);
        check_shared_name(mta, dc, i);
    }
    check_unused(mta, dc);
}
