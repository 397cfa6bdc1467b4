/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * doctor_checks - judge a Postfix instance against the two hops.
 *
 * SYNOPSIS
 *	#include "doctor.h"
 *
 *	doctor_check(mta, dc);
 *
 * DESCRIPTION
 *	Resolves the roles (doctor_roles.c), then, for Postfix, checks each
 *	smtpd listener with its effective settings (its -o override, else
 *	main.cf): portrole's socket in smtpd_milters and reachable from a
 *	chrooted smtpd; on the delivery hop (port 25, mx) no AUTH offered,
 *	no TLS or AUTH required; on the submission hop TLS (encrypt on 587,
 *	wrapper mode on 465), AUTH enabled, restrictions that require a
 *	logged-in client; relay control on every listener. Then main.cf
 *	alone: mynetworks, allow_untrusted_routing, milter_default_action,
 *	milter_connect_macros, and whether a submission listener exists.
 *	For Sendmail it hands over to doctor_smcheck.c.
 *
 *	Where portrole itself refuses what the MTA lets through (it is wired
 *	on that listener, in enforce mode, with a refusing action), the
 *	finding is a note: the hop is held, one layer deep.
 */
#include "acconfig.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "netaddr.h"
#include "util.h"

struct pf {
    struct doctor_mta *mta;
    const struct doctor_conf *dc;
    strbuf where, msg, fix;
};

/* eff - a listener's effective value of a main.cf parameter */
static const char *eff(const struct pf *p, const struct doctor_listener *l, const char *name)
{
    const char *v = doctor_setting_get(&l->opts, name);

    if (v == NULL)
        v = doctor_setting_get(&p->mta->main, name);
    return v ? v : "";
}

/* where_param - master.cf:LINE of the override, else "main.cf: NAME" */
static void where_param(struct pf *p, const struct doctor_listener *l, const char *name)
{
    const struct doctor_setting *s = doctor_setting_find(&l->opts, name);

    if (s)
        doctor_where(&p->where, p->mta, s->line);
    else {
        strbuf_reset(&p->where);
        strbuf_printf(&p->where, "main.cf: %s", name);
    }
}

/* yes - Postfix's boolean spelling */
static int yes(const char *v)
{
    return util_strcaseeq(v, "yes") || util_strcaseeq(v, "true") || util_strcaseeq(v, "on");
}

/* add - one finding from the strbufs, which are then reset */
static void add(struct pf *p, struct doctor_findings *f, enum doctor_sev sev, const char *id)
{
    doctor_add(f, sev, id, strbuf_str(&p->where), strbuf_str(&p->msg), strbuf_str(&p->fix));
    strbuf_reset(&p->msg);
    strbuf_reset(&p->fix);
}

/* next_token - the next word of a Postfix list (commas and blanks separate) */
static const char *next_token(const char *s, char *tok, size_t size)
{
    size_t n = 0;

    while (*s && (isspace((unsigned char) *s) || *s == ','))
        s++;
    while (*s && !isspace((unsigned char) *s) && *s != ',') {
        if (n < size - 1)
            tok[n++] = *s;
        s++;
    }
    tok[n] = '\0';
    return n ? s : NULL;
}

/* list_requires_auth - permit_sasl_authenticated then reject/defer, no other permit first */
static int list_requires_auth(const char *list)
{
    char tok[512];
    int sasl = 0;

    while ((list = next_token(list, tok, sizeof(tok))) != NULL) {
        if (strcmp(tok, "permit_sasl_authenticated") == 0)
            sasl = 1;
        else if (strcmp(tok, "reject") == 0 || strcmp(tok, "defer") == 0)
            return sasl;
        else if (strncmp(tok, "permit", 6) == 0)
            return 0;
    }
    return 0;
}

/* requires_auth - some restriction list of the listener demands a login */
static int requires_auth(const struct pf *p, const struct doctor_listener *l)
{
    static const char *const lists[] = {
        "smtpd_client_restrictions", "smtpd_helo_restrictions", "smtpd_sender_restrictions",
        "smtpd_relay_restrictions", "smtpd_recipient_restrictions",
    };
    size_t i;

    for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
        if (list_requires_auth(eff(p, l, lists[i])))
            return 1;
    return 0;
}

/* list_closes_relay - reject/defer_unauth_destination before any bare permit */
static int list_closes_relay(const char *list)
{
    char tok[512];

    while ((list = next_token(list, tok, sizeof(tok))) != NULL) {
        if (strcmp(tok, "reject_unauth_destination") == 0
            || strcmp(tok, "defer_unauth_destination") == 0)
            return 1;
        if (strcmp(tok, "permit") == 0)
            return 0;
    }
    return 0;
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

/* milter_matches - 1 reachable, 2 names our socket but the chroot hides it, 0 other */
static int milter_matches(const struct pf *p, const struct doctor_listener *l,
                          const char *entry, const char *ours)
{
    const char *qd = doctor_setting_get(&p->mta->main, "queue_directory");
    strbuf seen = STRBUF_INIT;
    int rc = 0;

    if (strncmp(ours, "unix:", 5) == 0 && strncmp(entry, "unix:", 5) == 0) {
        const char *path = entry + 5;

        /* Relative paths are relative to the queue directory; a chrooted
         * smtpd sees absolute ones below it too. */
        if (path[0] != '/' || l->chroot)
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

/* wiring - 1 wired, 2 chroot hides the socket, 0 missing */
static int wiring(const struct pf *p, const struct doctor_listener *l, const char *ours)
{
    const char *list = eff(p, l, "smtpd_milters");
    char tok[1024];
    int best = 0, m;

    while ((list = next_token(list, tok, sizeof(tok))) != NULL) {
        const char *t = tok[0] == '{' ? tok + 1 : tok;

        if ((m = milter_matches(p, l, t, ours)) == 1)
            return 1;
        if (m)
            best = m;
    }
    return best;
}

/* check_milter - portrole's socket on this listener */
static void check_milter(struct pf *p, struct doctor_listener *l)
{
    strbuf ours = STRBUF_INIT;
    int w;

    socket_postfix(p->dc->cfg->socket, &ours);
    w = wiring(p, l, strbuf_str(&ours));
    l->wired = w == 1;
    if (w == 1 || l->role == ROLE_INTERNAL) {
        strbuf_release(&ours);
        return;
    }
    where_param(p, l, "smtpd_milters");
    if (w == 2) {
        const char *qd = doctor_setting_get(&p->mta->main, "queue_directory");

        strbuf_printf(&p->msg, "this smtpd runs chrooted (chroot column y) and looks for "
                      "%s%s: portrole's socket is not there, so no mail on this listener "
                      "reaches portrole and milter_default_action decides every session",
                      qd ? qd : "", strbuf_str(&ours) + 5);
        strbuf_printf(&p->fix, "set the chroot column of %s to n (master.cf:%d), or "
                      "Socket unix:%s/portrole/portrole.sock in portrole.conf with "
                      "smtpd_milters = unix:/portrole/portrole.sock",
                      l->service, l->line, qd ? qd : "/var/spool/postfix");
        doctor_where(&p->where, p->mta, l->line);
        add(p, &l->findings, DOCTOR_ERROR, "milter-chroot");
    } else {
        strbuf_printf(&p->msg, "portrole's socket %s is not in this listener's "
                      "smtpd_milters: its mail is never checked, whatever role it has",
                      strbuf_str(&ours));
        if (doctor_setting_find(&l->opts, "smtpd_milters"))
            strbuf_printf(&p->fix, "  -o smtpd_milters=%s", strbuf_str(&ours));
        else
            strbuf_printf(&p->fix, "smtpd_milters = %s", strbuf_str(&ours));
        add(p, &l->findings, DOCTOR_ERROR, "milter-missing");
    }
    strbuf_release(&ours);
}

/* check_mx - the delivery hop: AUTH not offered, TLS and AUTH not required */
static void check_mx(struct pf *p, struct doctor_listener *l)
{
    if (yes(eff(p, l, "smtpd_sasl_auth_enable"))) {
        int held = doctor_enforced(l, p->dc, V_AUTH_ON_MX);

        where_param(p, l, "smtpd_sasl_auth_enable");
        strbuf_printf(&p->msg, "port %d offers AUTH: mail clients learn to log in on the "
                      "delivery port, which providers block (OP25B) and which must stay "
                      "for server-to-server mail%s", l->port, held
                      ? "; portrole refuses such logins (auth-on-mx) and names 587/465" : "");
        strbuf_printf(&p->fix, "  -o smtpd_sasl_auth_enable=no   (under master.cf:%d)",
                      l->line);
        add(p, &l->findings, held ? DOCTOR_NOTE : DOCTOR_WARNING, "mx-auth-offered");
    }
    if (util_strcaseeq(eff(p, l, "smtpd_tls_security_level"), "encrypt")
        || yes(eff(p, l, "smtpd_enforce_tls")) || yes(eff(p, l, "smtpd_tls_wrappermode"))) {
        where_param(p, l, yes(eff(p, l, "smtpd_tls_wrappermode")) ? "smtpd_tls_wrappermode"
                    : yes(eff(p, l, "smtpd_enforce_tls")) ? "smtpd_enforce_tls"
                    : "smtpd_tls_security_level");
        strbuf_printf(&p->msg, "port %d requires TLS: servers that cannot do STARTTLS "
                      "cannot deliver to you (RFC 3207 forbids this on a public MX)", l->port);
        strbuf_printf(&p->fix, "  -o smtpd_tls_security_level=may   (under master.cf:%d)",
                      l->line);
        add(p, &l->findings, DOCTOR_ERROR, "mx-requires-tls");
    }
    if (requires_auth(p, l)) {
        doctor_where(&p->where, p->mta, l->line);
        strbuf_printf(&p->msg, "port %d requires AUTH: other servers never log in, so "
                      "no mail from outside reaches your domains", l->port);
        strbuf_printf(&p->fix, "smtpd_relay_restrictions = permit_mynetworks, "
                      "permit_sasl_authenticated, reject_unauth_destination");
        add(p, &l->findings, DOCTOR_ERROR, "mx-requires-auth");
    }
}

/* check_submission_tls - 587 encrypt, 465 wrapper mode */
static void check_submission_tls(struct pf *p, struct doctor_listener *l, enum pr_role kind)
{
    int auth_only = yes(eff(p, l, "smtpd_tls_auth_only"));

    if (kind == ROLE_SUBMISSIONS && !yes(eff(p, l, "smtpd_tls_wrappermode"))) {
        where_param(p, l, "smtpd_tls_wrappermode");
        strbuf_printf(&p->msg, "port %d is implicit-TLS submission but smtpd does not speak "
                      "TLS from the first byte: every client set up for port 465 fails", l->port);
        strbuf_printf(&p->fix, "  -o smtpd_tls_wrappermode=yes   (under master.cf:%d)", l->line);
        add(p, &l->findings, DOCTOR_ERROR, "submission-no-tls");
    } else if (kind == ROLE_SUBMISSION && !yes(eff(p, l, "smtpd_tls_wrappermode"))
               && !util_strcaseeq(eff(p, l, "smtpd_tls_security_level"), "encrypt")
               && !yes(eff(p, l, "smtpd_enforce_tls"))) {
        where_param(p, l, "smtpd_tls_security_level");
        strbuf_printf(&p->msg, "port %d does not require STARTTLS: %s", l->port, auth_only
                      ? "passwords wait for TLS (smtpd_tls_auth_only), but the mail itself "
                        "may cross the network in clear text"
                      : "clients may log in and send their password and mail in clear text");
        strbuf_printf(&p->fix, "  -o smtpd_tls_security_level=encrypt   (under master.cf:%d)",
                      l->line);
        add(p, &l->findings, auth_only ? DOCTOR_WARNING : DOCTOR_ERROR, "submission-no-tls");
    }
}

/* check_submission - the submission hop: TLS, AUTH on, a login required */
static void check_submission(struct pf *p, struct doctor_listener *l, enum pr_role kind)
{
    check_submission_tls(p, l, kind);
    if (!yes(eff(p, l, "smtpd_sasl_auth_enable"))) {
        where_param(p, l, "smtpd_sasl_auth_enable");
        strbuf_printf(&p->msg, "port %d does not offer AUTH: mail clients cannot log in, "
                      "so they cannot submit here at all", l->port);
        strbuf_printf(&p->fix, "  -o smtpd_sasl_auth_enable=yes   (under master.cf:%d)",
                      l->line);
        add(p, &l->findings, DOCTOR_ERROR, "submission-no-auth");
    }
    if (!requires_auth(p, l)) {
        int held = doctor_enforced(l, p->dc, V_UNAUTH_SUBMISSION);

        where_param(p, l, "smtpd_recipient_restrictions");
        strbuf_printf(&p->msg, "Postfix's restrictions on port %d do not require a "
                      "logged-in client: a stranger may submit mail for your own domains "
                      "here%s", l->port, held ? "; portrole refuses it at MAIL "
                      "(unauth-submission), so Postfix's own check is the second layer" : "");
        strbuf_printf(&p->fix, "  -o smtpd_recipient_restrictions=permit_sasl_authenticated,"
                      "reject   (under master.cf:%d)", l->line);
        add(p, &l->findings, held ? DOCTOR_NOTE : DOCTOR_WARNING,
            "submission-auth-not-required");
    }
}

/* check_relay - the listener refuses mail for other domains from strangers */
static void check_relay(struct pf *p, struct doctor_listener *l)
{
    if (l->role == ROLE_INTERNAL || requires_auth(p, l)
        || list_closes_relay(eff(p, l, "smtpd_relay_restrictions"))
        || list_closes_relay(eff(p, l, "smtpd_recipient_restrictions")))
        return;
    where_param(p, l, "smtpd_relay_restrictions");
    strbuf_printf(&p->msg, "neither smtpd_relay_restrictions nor "
                  "smtpd_recipient_restrictions has reject_unauth_destination or "
                  "defer_unauth_destination: port %d relays mail for any domain (open relay)",
                  l->port);
    strbuf_puts(&p->fix, "smtpd_relay_restrictions = permit_mynetworks, "
                "permit_sasl_authenticated, reject_unauth_destination");
    add(p, &l->findings, DOCTOR_ERROR, "relay-open");
}

/* private_net - the network lies inside loopback, RFC 1918, link-local, ULA */
static int private_net(const netaddr_cidr *c)
{
    static const char *const nets[] = {
        "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
        "100.64.0.0/10", "::1/128", "fe80::/10", "fc00::/7",
    };
    netaddr_cidr n;
    const char *why;
    size_t i;

    for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++)
        if (netaddr_cidr_parse(nets[i], &n, &why) == 0 && c->bits >= n.bits
            && netaddr_cidr_match(&n, &c->net))
            return 1;
    return 0;
}

/* check_one_network - one mynetworks entry */
static void check_one_network(struct pf *p, const char *tok)
{
    char buf[256], *q;
    netaddr_cidr c;
    const char *why;
    int v4, bits;

    util_strlcpy(buf, tok, sizeof(buf));
    while ((q = strpbrk(buf, "[]")) != NULL)
        memmove(q, q + 1, strlen(q));
    if (netaddr_cidr_parse(buf, &c, &why) < 0)
        return;                 /* a table or host name: Postfix's own business */
    v4 = netaddr_is_v4(&c.net);
    bits = v4 ? c.bits - 96 : c.bits;
    if (bits > 0 && (private_net(&c) || bits >= (v4 ? 24 : 48)))
        return;
    strbuf_reset(&p->where);
    strbuf_printf(&p->where, "main.cf: mynetworks");
    strbuf_printf(&p->msg, "mynetworks holds %s%s: every client there may relay through "
                  "port 25 without logging in (permit_mynetworks)%s", tok,
                  bits == 0 ? ", the whole Internet" : ", a public range wider than the host "
                  "and its own networks", bits == 0 ? ": an open relay" : "");
    strbuf_puts(&p->fix, "mynetworks = 127.0.0.0/8 [::1]/128   (add only your own LAN, "
                "and let users submit on 587 with AUTH)");
    add(p, &p->mta->findings, bits == 0 ? DOCTOR_ERROR : DOCTOR_WARNING, "mynetworks-wide");
}

/* check_main - the main.cf settings that are not per listener */
static void check_main(struct pf *p)
{
    const struct doctor_setting *s;
    const char *v, *list = doctor_setting_get(&p->mta->main, "mynetworks");
    char tok[512];

    while (list && (list = next_token(list, tok, sizeof(tok))) != NULL)
        check_one_network(p, tok);
    v = doctor_setting_get(&p->mta->main, "allow_untrusted_routing");
    if (v && yes(v)) {
        strbuf_reset(&p->where);
        strbuf_puts(&p->where, "main.cf: allow_untrusted_routing");
        strbuf_puts(&p->msg, "allow_untrusted_routing = yes: strangers may route mail "
                    "through you with user%host@your.domain or bang paths (relay by the "
                    "back door)");
        strbuf_puts(&p->fix, "allow_untrusted_routing = no");
        add(p, &p->mta->findings, DOCTOR_WARNING, "untrusted-routing");
    }
    strbuf_reset(&p->where);
    strbuf_puts(&p->where, "main.cf: milter_default_action");
    s = doctor_setting_find(&p->mta->main, "milter_default_action");
    if (s == NULL || !s->explicit_set) {
        strbuf_puts(&p->msg, "milter_default_action is not set: when portrole is down "
                    "Postfix before 3.11 tempfails, 3.11 and later drop the session "
                    "(shutdown); say which you want");
        strbuf_puts(&p->fix, "milter_default_action = tempfail");
        add(p, &p->mta->findings, DOCTOR_WARNING, "milter-default-action-unset");
    } else if (util_strcaseeq(s->value, "accept")) {
        strbuf_puts(&p->msg, "milter_default_action = accept fails open: while portrole "
                    "is down every message is taken unchecked, on port 25 and on the "
                    "submission ports alike");
        strbuf_puts(&p->fix, "milter_default_action = tempfail");
        add(p, &p->mta->findings, DOCTOR_WARNING, "milter-fail-open");
    }
    s = doctor_setting_find(&p->mta->main, "milter_connect_macros");
    v = s ? s->value : "";
    if (s && s->explicit_set && strstr(v, "{daemon_port}") == NULL) {
        strbuf_reset(&p->where);
        strbuf_puts(&p->where, "main.cf: milter_connect_macros");
        strbuf_puts(&p->msg, "milter_connect_macros is set without {daemon_port}: should "
                    "Postfix not honour portrole's own macro request, no session carries "
                    "its port and Listener PORT lines match nothing");
        strbuf_printf(&p->fix, "milter_connect_macros = %s {daemon_port}", v);
        add(p, &p->mta->findings, DOCTOR_WARNING, "connect-macros-no-port");
    }
}

/* check_has_submission - at least one listener serves the submission hop */
static void check_has_submission(struct pf *p)
{
    size_t i;

    for (i = 0; i < p->mta->nl; i++) {
        enum pr_role k = doctor_kind(&p->mta->l[i]);

        if (k == ROLE_SUBMISSION || k == ROLE_SUBMISSIONS)
            return;
    }
    strbuf_reset(&p->where);
    strbuf_puts(&p->where, p->mta->file);
    strbuf_puts(&p->msg, "no submission listener (587 or 465): mail clients have "
                "nowhere to go but port 25, where they must not log in and which "
                "providers block");
    strbuf_puts(&p->fix, "submission inet n - n - - smtpd -o smtpd_tls_security_level=encrypt "
                "-o smtpd_sasl_auth_enable=yes -o smtpd_recipient_restrictions="
                "permit_sasl_authenticated,reject   (see conf/postfix/master.cf)");
    add(p, &p->mta->findings, DOCTOR_WARNING, "no-submission");
}

/* doctor_check - every check for this MTA */
void doctor_check(struct doctor_mta *mta, const struct doctor_conf *dc)
{
    struct pf p = {mta, dc, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT};
    size_t i;

    doctor_check_roles(mta, dc);
    if (mta->kind == DOCTOR_SENDMAIL) {
        doctor_check_sendmail(mta, dc);
        return;
    }
    for (i = 0; i < mta->nl; i++) {
        struct doctor_listener *l = &mta->l[i];
        enum pr_role kind = doctor_kind(l);

        check_milter(&p, l);
        if (kind == ROLE_MX)
            check_mx(&p, l);
        else if (kind == ROLE_SUBMISSION || kind == ROLE_SUBMISSIONS)
            check_submission(&p, l, kind);
        check_relay(&p, l);
    }
    check_main(&p);
    check_has_submission(&p);
    strbuf_release(&p.where);
    strbuf_release(&p.msg);
    strbuf_release(&p.fix);
}
