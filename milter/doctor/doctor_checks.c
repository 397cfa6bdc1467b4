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
 *	Resolves the roles (doctor_roles.c) and the milter wiring of every
 *	smtpd and cleanup (doctor_milter.c), then, for Postfix, checks each
 *	listener with its effective settings (its -o override, else
 *	main.cf): on the delivery hop (port 25, mx) no AUTH offered, no TLS
 *	or AUTH required; on the submission hop TLS (encrypt on 587, wrapper
 *	mode on 465), AUTH enabled, restrictions that refuse a client that
 *	has not logged in; relay control on every listener. The restriction
 *	lists are read the way smtpd evaluates them (doctor_restrict.c). A
 *	listener fed by a proxy through XCLIENT gets advice on its role
 *	instead of TLS checks, since TLS and AUTH end at the proxy. Then
 *	main.cf alone: mynetworks, allow_untrusted_routing,
 *	milter_default_action, milter_connect_macros, whether port 25 and a
 *	submission port are there, and how many warnings postconf printed.
 *	For Sendmail it hands over to doctor_smcheck.c.
 *
 *	Every fix is exactly what to paste, and the finding says where:
 *	main.cf parameters as "name = value" (postconf -e reads that too),
 *	master.cf overrides under the listener's own entry, portrole.conf
 *	lines in place of the line they correct.
 *
 *	Where portrole itself refuses what the MTA lets through (it is wired
 *	on that listener, in enforce mode, with a refusing action), a finding
 *	about the hop is a note: the hop is held, one layer deep. AUTH on
 *	port 25 stays a warning even then: Postfix takes the password before
 *	any milter sees the session.
 */
#include "acconfig.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "i18n.h"
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
    return doctor_eff(p->mta, l, name);
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

/* add_override - a finding whose fix is one -o line under the listener */
static void add_override(struct pf *p, struct doctor_listener *l, enum doctor_sev sev,
                         const char *id, const char *name, const char *value)
{
    doctor_fix_override(&p->fix, name, value);
    add(p, &l->findings, sev, id);
    doctor_place_override(&l->findings, l, name);
}

/* add_main - a finding whose fix is one main.cf parameter */
static void add_main(struct pf *p, struct doctor_findings *f, enum doctor_sev sev,
                     const char *id)
{
    add(p, f, sev, id);
    doctor_place(f, "main.cf", 0, DOCTOR_HOW_SET);
}

/* check_mx - the delivery hop: AUTH not offered, TLS and AUTH not required */
static void check_mx(struct pf *p, struct doctor_listener *l)
{
    const char *stage;

    if (yes(eff(p, l, "smtpd_sasl_auth_enable"))) {
        int held = doctor_enforced(l, p->dc, V_AUTH_ON_MX);
        int clear = !yes(eff(p, l, "smtpd_tls_auth_only"));

        where_param(p, l, "smtpd_sasl_auth_enable");
        strbuf_printf(&p->msg, _("port %d offers AUTH: mail clients learn to log in on the "
                        "delivery port, which providers block (OP25B) and which must stay "
                        "for server-to-server mail."), l->port);
        /* Each added sentence is whole, for the translators. */
        if (clear)
            strbuf_puts(&p->msg, _(" With smtpd_tls_auth_only = no the password may cross "
                          "the network in clear text."));
        if (held)
            strbuf_puts(&p->msg, _(" portrole refuses such logins (auth-on-mx) and names "
                          "587/465, but only after Postfix has taken the password."));
        add_override(p, l, DOCTOR_WARNING, "mx-auth-offered", "smtpd_sasl_auth_enable", "no");
    }
    if (yes(eff(p, l, "smtpd_tls_wrappermode"))) {
        where_param(p, l, "smtpd_tls_wrappermode");
        strbuf_printf(&p->msg, _("port %d requires TLS from the first byte: servers that "
                        "speak plain SMTP and STARTTLS cannot deliver to you"), l->port);
        add_override(p, l, DOCTOR_ERROR, "mx-requires-tls", "smtpd_tls_wrappermode", "no");
    } else if (yes(eff(p, l, "smtpd_enforce_tls"))) {
        where_param(p, l, "smtpd_enforce_tls");
        strbuf_printf(&p->msg, _("port %d requires TLS: servers that cannot do STARTTLS "
                        "cannot deliver to you (RFC 3207 forbids this on a public MX)"), l->port);
        add_override(p, l, DOCTOR_ERROR, "mx-requires-tls", "smtpd_enforce_tls", "no");
    } else if (util_strcaseeq(eff(p, l, "smtpd_tls_security_level"), "encrypt")) {
        where_param(p, l, "smtpd_tls_security_level");
        strbuf_printf(&p->msg, _("port %d requires TLS: servers that cannot do STARTTLS "
                        "cannot deliver to you (RFC 3207 forbids this on a public MX)"), l->port);
        add_override(p, l, DOCTOR_ERROR, "mx-requires-tls", "smtpd_tls_security_level", "may");
    }
    if ((stage = doctor_stranger_refused(p->mta, l, 0)) != NULL) {
        int relay = strcmp(stage, "smtpd_relay_restrictions") == 0
                    || strcmp(stage, "smtpd_recipient_restrictions") == 0;

        where_param(p, l, stage);
        strbuf_printf(&p->msg, _("%s refuses every client that has not logged in, and on "
                        "port %d other servers never log in: no mail from outside reaches "
                        "your domains"), stage, l->port);
        add_override(p, l, DOCTOR_ERROR, "mx-requires-auth", stage, relay
                     ? "permit_mynetworks,permit_sasl_authenticated,reject_unauth_destination"
                     : "");
    }
}

/* check_submission_tls - 587 encrypt, 465 wrapper mode */
static void check_submission_tls(struct pf *p, struct doctor_listener *l, enum pr_role kind)
{
    int auth_only = yes(eff(p, l, "smtpd_tls_auth_only"));

    if (kind == ROLE_SUBMISSIONS && !yes(eff(p, l, "smtpd_tls_wrappermode"))) {
        where_param(p, l, "smtpd_tls_wrappermode");
        strbuf_printf(&p->msg, _("port %d is implicit-TLS submission but smtpd does not speak "
                        "TLS from the first byte: every client set up for port 465 fails"),
                      l->port);
        add_override(p, l, DOCTOR_ERROR, "submission-no-tls", "smtpd_tls_wrappermode", "yes");
    } else if (kind == ROLE_SUBMISSION && !yes(eff(p, l, "smtpd_tls_wrappermode"))
               && !util_strcaseeq(eff(p, l, "smtpd_tls_security_level"), "encrypt")
               && !yes(eff(p, l, "smtpd_enforce_tls"))) {
        where_param(p, l, "smtpd_tls_security_level");
        if (auth_only)
            strbuf_printf(&p->msg, _("port %d does not require STARTTLS: passwords wait for "
                            "TLS (smtpd_tls_auth_only), but the mail itself may cross the "
                            "network in clear text"), l->port);
        else
            strbuf_printf(&p->msg, _("port %d does not require STARTTLS: clients may log in "
                            "and send their password and mail in clear text"), l->port);
        add_override(p, l, auth_only ? DOCTOR_WARNING : DOCTOR_ERROR, "submission-no-tls",
                     "smtpd_tls_security_level", "encrypt");
    }
}

/* check_submission - the submission hop: TLS, AUTH on, a login required */
static void check_submission(struct pf *p, struct doctor_listener *l, enum pr_role kind)
{
    check_submission_tls(p, l, kind);
    if (!yes(eff(p, l, "smtpd_sasl_auth_enable"))) {
        where_param(p, l, "smtpd_sasl_auth_enable");
        strbuf_printf(&p->msg, _("port %d does not offer AUTH: mail clients cannot log in, "
                        "so they cannot submit here at all"), l->port);
        add_override(p, l, DOCTOR_ERROR, "submission-no-auth", "smtpd_sasl_auth_enable", "yes");
    }
    if (doctor_stranger_refused(p->mta, l, 0) == NULL) {
        int held = doctor_enforced(l, p->dc, V_UNAUTH_SUBMISSION);

        where_param(p, l, "smtpd_recipient_restrictions");
        if (held)
            /* DelayReject yes (the default): a MAIL-stage refusal is given
             * at the first RCPT, as smtpd_delay_reject = yes does. */
            strbuf_printf(&p->msg, p->dc->cfg->delay_reject
                          ? _("Postfix's restrictions on port %d do not refuse a client "
                              "that has not logged in: a stranger may submit mail for your own "
                              "domains here; portrole refuses it at the first RCPT "
                              "(unauth-submission, DelayReject yes), so Postfix's own check "
                              "would be the second layer")
                          : _("Postfix's restrictions on port %d do not refuse a client "
                              "that has not logged in: a stranger may submit mail for your own "
                              "domains here; portrole refuses it at MAIL (unauth-submission, "
                              "DelayReject no), so Postfix's own check would be the second "
                              "layer"), l->port);
        else
            strbuf_printf(&p->msg, _("Postfix's restrictions on port %d do not refuse a client "
                            "that has not logged in: a stranger may submit mail for your own "
                            "domains here"), l->port);
        add_override(p, l, held ? DOCTOR_NOTE : DOCTOR_WARNING, "submission-auth-not-required",
                     "smtpd_recipient_restrictions", "permit_sasl_authenticated,reject");
    }
}

/* check_relay - the listener refuses mail for other domains from strangers */
static void check_relay(struct pf *p, struct doctor_listener *l)
{
    if (l->role == ROLE_INTERNAL || doctor_stranger_refused(p->mta, l, 1) != NULL)
        return;
    where_param(p, l, "smtpd_relay_restrictions");
    strbuf_printf(&p->msg, _("no smtpd_*_restrictions stage refuses a stranger's mail for "
                    "another domain (reject_unauth_destination, defer_unauth_destination, or "
                    "a final reject): port %d relays mail for any domain (open relay)"), l->port);
    add_override(p, l, DOCTOR_ERROR, "relay-open", "smtpd_relay_restrictions",
                 "permit_mynetworks,permit_sasl_authenticated,reject_unauth_destination");
}

/* check_proxied - a listener a proxy feeds through XCLIENT: which role, and why */
static void check_proxied(struct pf *p, struct doctor_listener *l)
{
    const char *hosts = eff(p, l, "smtpd_authorized_xclient_hosts");
    int tls = p->dc->cfg->require_tls;
    enum pr_role want = tls ? ROLE_INTERNAL : ROLE_SUBMISSION;

    where_param(p, l, "smtpd_authorized_xclient_hosts");
    if (l->role == want || l->role == ROLE_INTERNAL) {
        strbuf_printf(&p->msg, _("port %d takes its sessions from a proxy "
                        "(smtpd_authorized_xclient_hosts = %s), which ends TLS and takes the "
                        "login before Postfix; role %s fits it, and Postfix's TLS settings "
                        "here do not concern the client's connection"), l->port, hosts,
                      vocab_role_name(l->role));
        add(p, &l->findings, DOCTOR_NOTE, "proxied-listener");
        return;
    }
    if (tls)
        strbuf_printf(&p->msg, _("port %d takes its sessions from a proxy "
                        "(smtpd_authorized_xclient_hosts = %s), which ends TLS and takes the "
                        "login before Postfix, so requiring STARTTLS here would break the "
                        "proxy. portrole sees no TLS on this hop: as submission, with "
                        "RequireTLS yes, it would refuse every message (cleartext-submission). "
                        "Give it role internal, which trusts what the proxy checked."),
                      l->port, hosts);
    else
        strbuf_printf(&p->msg, _("port %d takes its sessions from a proxy "
                        "(smtpd_authorized_xclient_hosts = %s), which ends TLS and takes the "
                        "login before Postfix, so requiring STARTTLS here would break the "
                        "proxy. Give it role submission: the proxy's logins reach portrole "
                        "through XCLIENT as {auth_authen}."), l->port, hosts);
    strbuf_printf(&p->fix, "Listener %d %s", l->port, vocab_role_name(want));
    add(p, &l->findings, DOCTOR_WARNING, "proxied-listener");
    if (l->match && p->dc->path && p->dc->nlisteners == p->dc->cfg->nlisteners)
        doctor_place(&l->findings, doctor_conf_file(p->dc),
                     p->dc->listeners[l->match - p->dc->cfg->listeners].line,
                     DOCTOR_HOW_REPLACE);
    else
        doctor_place(&l->findings, doctor_conf_file(p->dc), 0, DOCTOR_HOW_APPEND);
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

/* wide_network - 1 the whole Internet, 0 a wide public range, -1 fine or not a network */
static int wide_network(const char *tok)
{
    char buf[256], *q;
    netaddr_cidr c;
    const char *why;
    int v4, bits;

    util_strlcpy(buf, tok, sizeof(buf));
    while ((q = strpbrk(buf, "[]")) != NULL)
        memmove(q, q + 1, strlen(q));
    if (netaddr_cidr_parse(buf, &c, &why) < 0)
        return -1;
    v4 = netaddr_is_v4(&c.net);
    bits = v4 ? c.bits - 96 : c.bits;
    if (bits > 0 && (private_net(&c) || bits >= (v4 ? 24 : 48)))
        return -1;
    return bits == 0 ? 1 : 0;
}

/* check_networks - mynetworks entries wider than the host and its own networks */
static void check_networks(struct pf *p)
{
    const char *list = doctor_setting_get(&p->mta->main, "mynetworks");
    strbuf keep = STRBUF_INIT, bad = STRBUF_INIT;
    char tok[512];
    int worst = -1;

    /* A table or host name is Postfix's own business: keep it. */
    while (list && (list = doctor_next_token(list, tok, sizeof(tok))) != NULL) {
        int w = wide_network(tok);

        if (w < 0) {
            strbuf_printf(&keep, "%s%s", keep.len ? " " : "", tok);
            continue;
        }
        strbuf_printf(&bad, "%s%s", bad.len ? ", " : "", tok);
        if (w > worst)
            worst = w;
    }
    if (worst >= 0) {
        strbuf_reset(&p->where);
        strbuf_puts(&p->where, "main.cf: mynetworks");
        if (worst == 1)
            strbuf_printf(&p->msg, _("mynetworks holds %s, which takes in the whole Internet: "
                            "every client there may relay through port 25 without logging in "
                            "(permit_mynetworks): an open relay. Keep only the host and your own "
                            "LAN there, and let users submit on 587 with AUTH."),
                          strbuf_str(&bad));
        else
            strbuf_printf(&p->msg, _("mynetworks holds %s, a public range wider than the host "
                            "and its own networks: every client there may relay through port 25 "
                            "without logging in (permit_mynetworks). Keep only the host and your "
                            "own LAN there, and let users submit on 587 with AUTH."),
                          strbuf_str(&bad));
        strbuf_printf(&p->fix, "mynetworks = %s", keep.len ? strbuf_str(&keep)
                      : "127.0.0.0/8 [::1]/128");
        add_main(p, &p->mta->findings, worst == 1 ? DOCTOR_ERROR : DOCTOR_WARNING,
                 "mynetworks-wide");
    }
    strbuf_release(&keep);
    strbuf_release(&bad);
}

/* check_main - the main.cf settings that are not per listener */
static void check_main(struct pf *p)
{
    const struct doctor_setting *s;
    const char *v;

    check_networks(p);
    v = doctor_setting_get(&p->mta->main, "allow_untrusted_routing");
    if (v && yes(v)) {
        strbuf_reset(&p->where);
        strbuf_puts(&p->where, "main.cf: allow_untrusted_routing");
        /* xgettext:no-c-format */
        strbuf_puts(&p->msg, _("allow_untrusted_routing = yes: strangers may route mail "
                      "through you with user%host@your.domain or bang paths (relay by the "
                      "back door)"));
        strbuf_puts(&p->fix, "allow_untrusted_routing = no");
        add_main(p, &p->mta->findings, DOCTOR_WARNING, "untrusted-routing");
    }
    strbuf_reset(&p->where);
    strbuf_puts(&p->where, "main.cf: milter_default_action");
    s = doctor_setting_find(&p->mta->main, "milter_default_action");
    if (s == NULL || !s->explicit_set) {
        strbuf_puts(&p->msg, _("milter_default_action is not set: when portrole is down "
                      "Postfix before 3.11 tempfails, 3.11 and later drop the session "
                      "(shutdown); say which you want"));
        strbuf_puts(&p->fix, "milter_default_action = tempfail");
        add_main(p, &p->mta->findings, DOCTOR_WARNING, "milter-default-action-unset");
    } else if (util_strcaseeq(s->value, "accept")) {
        strbuf_puts(&p->msg, _("milter_default_action = accept fails open: while portrole "
                      "is down every message is taken unchecked, on port 25 and on the "
                      "submission ports alike"));
        strbuf_puts(&p->fix, "milter_default_action = tempfail");
        add_main(p, &p->mta->findings, DOCTOR_WARNING, "milter-fail-open");
    }
    s = doctor_setting_find(&p->mta->main, "milter_connect_macros");
    v = s ? (s->raw ? s->raw : s->value) : "";
    if (s && s->explicit_set && strstr(v, "{daemon_port}") == NULL) {
        strbuf_reset(&p->where);
        strbuf_puts(&p->where, "main.cf: milter_connect_macros");
        strbuf_puts(&p->msg, _("milter_connect_macros is set without {daemon_port}: should "
                      "Postfix not honour portrole's own macro request, no session carries "
                      "its port and Listener PORT lines match nothing"));
        strbuf_printf(&p->fix, "milter_connect_macros = %s {daemon_port}", v);
        add_main(p, &p->mta->findings, DOCTOR_WARNING, "connect-macros-no-port");
    }
    if (p->mta->postconf_warnings) {
        strbuf_reset(&p->where);
        strbuf_puts(&p->where, "postconf");
        strbuf_printf(&p->msg, P_("postconf printed %zu warning line while it read this "
                                  "configuration (map files it could not open, unknown "
                                  "parameters): %s",
                                  "postconf printed %zu warning lines while it read this "
                                  "configuration (map files it could not open, unknown "
                                  "parameters); the first: %s", p->mta->postconf_warnings),
                      p->mta->postconf_warnings, p->mta->postconf_first);
        add(p, &p->mta->findings, DOCTOR_NOTE, "postconf-warnings");
    }
}

/* submission_only - portrole.conf's Listener lines give no listener role mx */
static int submission_only(const struct doctor_conf *dc)
{
    size_t i;

    if (dc->nlisteners == 0)
        return 0;               /* the defaults: 25 mx */
    for (i = 0; i < dc->cfg->nlisteners; i++)
        if (dc->cfg->listeners[i].role == ROLE_MX)
            return 0;
    return 1;
}

/* check_has_mx - some listener receives on port 25 */
static void check_has_mx(struct pf *p)
{
    size_t i;
    int only = submission_only(p->dc);

    for (i = 0; i < p->mta->nl; i++)
        if (p->mta->l[i].port == 25)
            return;
    strbuf_reset(&p->where);
    strbuf_puts(&p->where, p->mta->file);
    if (only)
        strbuf_puts(&p->msg, _("no listener on port 25: this host only takes submissions, as "
                      "portrole.conf says (no Listener line has role mx); other servers' mail "
                      "for your domains must go to another MX"));
    else
        strbuf_puts(&p->msg, _("no listener on port 25: other servers deliver mail for your "
                      "domains to port 25 only, so none of it ever arrives"));
    strbuf_puts(&p->fix, "smtp      inet  n       -       n       -       -       smtpd");
    add(p, &p->mta->findings, only ? DOCTOR_NOTE : DOCTOR_ERROR, "no-mx");
    doctor_place(&p->mta->findings, "master.cf", 0, DOCTOR_HOW_APPEND);
}

/* check_has_submission - at least one listener serves the submission hop */
static void check_has_submission(struct pf *p)
{
    size_t i;

    for (i = 0; i < p->mta->nl; i++) {
        enum pr_role k = doctor_kind(&p->mta->l[i]);

        /* Behind a proxy, submission lives on the proxy. */
        if (k == ROLE_SUBMISSION || k == ROLE_SUBMISSIONS || p->mta->l[i].proxied)
            return;
    }
    strbuf_reset(&p->where);
    strbuf_puts(&p->where, p->mta->file);
    strbuf_puts(&p->msg, _("no submission listener (587 or 465): mail clients have "
                  "nowhere to go but port 25, where they must not log in and which "
                  "providers block. The fix adds both, as conf/postfix/master.cf does."));
    strbuf_puts(&p->fix, "submission inet n       -       n       -       -       smtpd\n"
                "  -o syslog_name=postfix/submission\n"
                "  -o smtpd_tls_security_level=encrypt\n"
                "  -o smtpd_tls_auth_only=yes\n"
                "  -o smtpd_sasl_auth_enable=yes\n"
                "  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject\n"
                "submissions inet n      -       n       -       -       smtpd\n"
                "  -o syslog_name=postfix/submissions\n"
                "  -o smtpd_tls_wrappermode=yes\n"
                "  -o smtpd_sasl_auth_enable=yes\n"
                "  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject");
    add(p, &p->mta->findings, DOCTOR_WARNING, "no-submission");
    doctor_place(&p->mta->findings, "master.cf", 0, DOCTOR_HOW_APPEND);
}

/* check_postscreen - a postscreen port whose pass smtpd is missing */
static void check_postscreen(struct pf *p, struct doctor_listener *l)
{
    const char *pass = doctor_setting_get(&l->front->opts, "smtpd_service_name");

    if (pass == NULL)
        pass = doctor_setting_get(&p->mta->main, "smtpd_service_name");
    if (pass == NULL || *pass == '\0')
        pass = "smtpd";
    doctor_where(&p->where, p->mta, l->line);
    strbuf_printf(&p->msg, _("postscreen on port %d hands the clients it passes to the "
                    "service %s of type pass, which master.cf does not define as smtpd: no "
                    "smtpd receives this port's mail"), l->port, pass);
    strbuf_printf(&p->fix, "%s      pass  -       -       n       -       -       smtpd", pass);
    add(p, &l->findings, DOCTOR_ERROR, "postscreen-no-pass");
    doctor_place(&l->findings, "master.cf", 0, DOCTOR_HOW_APPEND);
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
    doctor_check_milters(mta, dc);
    for (i = 0; i < mta->nl; i++) {
        struct doctor_listener *l = &mta->l[i];
        enum pr_role kind = doctor_kind(l);

        if (l->smtpd == NULL) {
            check_postscreen(&p, l);
            continue;
        }
        if (l->proxied)
            check_proxied(&p, l);
        else if (kind == ROLE_MX)
            check_mx(&p, l);
        else if (kind == ROLE_SUBMISSION || kind == ROLE_SUBMISSIONS)
            check_submission(&p, l, kind);
        check_relay(&p, l);
    }
    check_main(&p);
    check_has_mx(&p);
    check_has_submission(&p);
    strbuf_release(&p.where);
    strbuf_release(&p.msg);
    strbuf_release(&p.fix);
}
