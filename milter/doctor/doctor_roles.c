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

/* default_role - the role a port would normally carry */
static const char *default_role(int port)
{
    /* Any other port: the administrator must say which hop it serves;
     * guessing "internal" would switch every check off. */
    return port == 25 ? "mx" : port == 587 ? "submission" : port == 465 ? "submissions"
           : "mx|submission|submissions|internal   (the hop this port serves)";
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

/* check_listener_role - unknown role, or a role against the port's hop */
static void check_listener_role(struct doctor_mta *mta, struct doctor_listener *l)
{
    strbuf where = STRBUF_INIT, msg = STRBUF_INIT, fix = STRBUF_INIT;

    doctor_where(&where, mta, l->line);
    if (l->role == ROLE_UNKNOWN) {
        strbuf_printf(&msg, "no Listener line maps this listener (port %d, {daemon_name} %s): "
                      "portrole gives it role unknown, so it cannot tell delivery from "
                      "submission here and treats every session as a stranger on port 25",
                      l->port, l->daemon_name && *l->daemon_name ? l->daemon_name : "-");
        strbuf_printf(&fix, "Listener %d %s", l->port, default_role(l->port));
        doctor_add(&l->findings, DOCTOR_WARNING, "role-unknown", strbuf_str(&where),
                   strbuf_str(&msg), strbuf_str(&fix));
    } else if ((l->port == 25 && (l->role == ROLE_SUBMISSION || l->role == ROLE_SUBMISSIONS))
               || ((l->port == 587 || l->port == 465) && l->role == ROLE_MX)) {
        strbuf_printf(&msg, "port %d is the %s hop but portrole gives it role %s: %s",
                      l->port, l->port == 25 ? "relay/delivery" : "submission",
                      vocab_role_name(l->role), l->port == 25
                      ? "other servers cannot log in, so their deliveries to your domains "
                        "would be refused"
                      : "logged-in clients would be refused and port 587/465 would take "
                        "unauthenticated mail like an MX");
        strbuf_printf(&fix, "Listener %d %s", l->port, default_role(l->port));
        doctor_add(&l->findings, DOCTOR_ERROR, "role-port-mismatch", strbuf_str(&where),
                   strbuf_str(&msg), strbuf_str(&fix));
    }
    strbuf_release(&where);
    strbuf_release(&msg);
    strbuf_release(&fix);
}

/* check_shared_name - another listener sends the same {daemon_name} */
static void check_shared_name(struct doctor_mta *mta, struct doctor_listener *l)
{
    strbuf where = STRBUF_INIT, msg = STRBUF_INIT, fix = STRBUF_INIT;
    size_t j;

    if (l->match == NULL || l->match->kind != LISTENER_NAME)
        return;
    for (j = 0; j < mta->nl; j++) {
        const struct doctor_listener *o = &mta->l[j];

        if (o == l || !util_strcaseeq(o->daemon_name, l->daemon_name))
            continue;
        doctor_where(&where, mta, l->line);
        strbuf_printf(&msg, "this listener (port %d) and %s (port %d) both send "
                      "{daemon_name} %s, and portrole matches by that name: both get role "
                      "%s, so portrole cannot tell port %d from port %d",
                      l->port, o->service, o->port, l->daemon_name,
                      vocab_role_name(l->role), l->port, o->port);
        strbuf_printf(&fix, "Listener %d %s (a port line instead of Listener %s)",
                      l->port, default_role(l->port), l->match->name);
        doctor_add(&l->findings, DOCTOR_WARNING, "daemon-name-shared", strbuf_str(&where),
                   strbuf_str(&msg), strbuf_str(&fix));
        break;
    }
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

/* check_unused - Listener lines for a port or name the MTA does not have */
static void check_unused(struct doctor_mta *mta, const struct doctor_conf *dc)
{
    strbuf where = STRBUF_INIT, msg = STRBUF_INIT, fix = STRBUF_INIT;
    size_t i;

    for (i = 0; i < dc->cfg->nlisteners; i++) {
        const struct pr_listener *pl = &dc->cfg->listeners[i];

        if (listener_used(mta, pl))
            continue;
        conf_where(&where, dc, i);
        strbuf_reset(&msg);
        strbuf_reset(&fix);
        strbuf_printf(&msg, "Listener %s (role %s) matches no listener of this %s: "
                      "%s", pl->text, vocab_role_name(pl->role),
                      mta->kind == DOCTOR_POSTFIX ? "Postfix" : "Sendmail",
                      pl->kind == LISTENER_NAME ? "no listener sends that {daemon_name}"
                      : "nothing listens on that port");
        strbuf_printf(&fix, "remove the line, or add the listener it names");
        doctor_add(&mta->findings, strstr(strbuf_str(&where), "default")
                   ? DOCTOR_NOTE : DOCTOR_WARNING, "listener-unused",
                   strbuf_str(&where), strbuf_str(&msg), strbuf_str(&fix));
    }
    strbuf_release(&where);
    strbuf_release(&msg);
    strbuf_release(&fix);
}

/* doctor_check_roles - resolve every listener and judge the Listener lines */
void doctor_check_roles(struct doctor_mta *mta, const struct doctor_conf *dc)
{
    size_t i;

    resolve(mta, dc);
    for (i = 0; i < mta->nl; i++) {
        check_listener_role(mta, &mta->l[i]);
        check_shared_name(mta, &mta->l[i]);
    }
    check_unused(mta, dc);
}
