/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy - the port-role decision, as a pure function of the config and
 *	the facts of one SMTP transaction.
 *
 * SYNOPSIS
 *	#include "policy.h"
 *
 *	role = policy_role(cfg, daemon_name, daemon_addr, daemon_port, &match);
 *	policy_mail(cfg, &facts, &verdict);
 *	if (!policy_mail_can_refuse(cfg)) ...	(also policy_rcpt_can_refuse)
 *	if (!policy_mail_replies(cfg)) ...	(also policy_rcpt_replies)
 *	policy_rcpt(cfg, &facts, &rcpt, &verdict);
 *	foreign = policy_rcpt_foreign(cfg, &rcpt);
 *	routed = policy_rcpt_routed(raw);
 *	policy_reply(cfg, &verdict, &facts, rcpt, ref, &text);
 *
 * DESCRIPTION
 *	Nothing here knows libmilter: the daemon's glue, "-x", the tests and
 *	the fuzzers call the same functions with plain structs.
 *
 *	policy_role() resolves a listener to a role, first match wins:
 *	{daemon_name} against name Listener lines, ADDR:PORT, PORT, then
 *	"local" when no listener macro was sent (or port 0), else "unknown".
 *
 *	policy_mail() evaluates every MAIL-stage violation, policy_rcpt() the
 *	recipient-stage one, each in a fixed order. Each violation found gets
 *	its configured action; Mode audit turns reject/tempfail into tag and
 *	remembers it in verdict->would. The most severe action wins and the
 *	first violation with that action decides the reply.
 *
 *	policy_rcpt() judges a recipient by where the MTA will deliver it:
 *	the resolved triple {rcpt_addr} {rcpt_mailer} {rcpt_host} when the
 *	MTA sent {rcpt_addr}, else the raw RCPT argument. On role mx and
 *	unknown, for a client neither trusted nor authenticated, it is
 *	unauth-relay when policy_rcpt_foreign() says the recipient leaves
 *	for a domain not in LocalDomains, or when policy_rcpt_routed() finds
 *	routing in what the client wrote (verdict->routed: the reply says
 *	routed addresses are not accepted on port 25).
 *
 *	policy_rcpt_foreign(): a recipient the client wrote in a
 *	LocalDomains domain, without routing, is never foreign, whatever the
 *	admin's tables make of it (a Sendmail virtusertable forward to
 *	another domain, an lmtp or cyrusv2 mailer given a bare user); nor
 *	is a bare user ("postmaster") that the MTA hands a mailer as a bare
 *	user with no {rcpt_host}. Else the resolved domain against LocalDomains.
 *	Mailer "error" or "discard" never delivers (not foreign); mailer
 *	"local" with a {rcpt_addr} that has no "@" is Sendmail's local
 *	delivery (not foreign); any other {rcpt_addr} without a domain
 *	cannot be placed and counts as foreign. Without {rcpt_addr}, the raw
 *	argument's domain decides, and a bare local part is the MTA's own.
 *
 *	policy_rcpt_routed(): the argument holds "%" or "!" (percent hack,
 *	bang path), an "@" inside quotes or escaped, or a second "@" (two
 *	domains, a source route "@a,@b:user@c").
 *
 *	policy_rcpt_resolved_differs(): {rcpt_addr} was sent and is not
 *	the raw argument (case aside): the log names both forms.
 *
 *	policy_reply() renders that violation's reply text (the configured
 *	Reply or the built-in one), with ${...} placeholders filled from the
 *	facts (control bytes replaced), and " (ref ID)" appended. The caller
 *	still doubles '%' for smfi_setreply().
 *
 *	policy_mail_can_refuse() and policy_rcpt_can_refuse() say whether
 *	that stage can refuse anything under cfg (some violation of the stage
 *	has action reject or tempfail, and the mode is enforce): the stage
 *	a violation is decided at, not the one its refusal is given at.
 *
 *	policy_mail_replies() and policy_rcpt_replies() say whether the MTA
 *	must wait for the milter's answer at that stage. With DelayReject yes
 *	(the default) a MAIL-stage refusal is decided at MAIL but given at
 *	the first RCPT and every later one, as Postfix's smtpd_delay_reject
 *	does: MAIL never replies, and RCPT replies when either stage can
 *	refuse. With DelayReject no each stage replies when it can refuse.
 *	When a stage does not reply the glue negotiates SMFIP_NR_MAIL or
 *	SMFIP_NR_RCPT for it.
 *
 *	policy_authenticated() is the one place that says what proves
 *	authentication: {auth_type} or {auth_authen}, never {auth_author}.
 */
#ifndef PORTROLE_POLICY_H
#define PORTROLE_POLICY_H

#include "spf.h"
#include "strbuf.h"
#include "vocab.h"

struct pr_config;
struct pr_listener;

struct pr_facts {
    enum pr_role role;
    const char *listener_name;  /* set when matched by {daemon_name} */
    int         port;           /* listener port, -1 when unknown */
    const char *client_name;    /* {client_name}, may be NULL */
    const char *client_addr;    /* {client_addr} as text, may be NULL */
    int         trusted;        /* client in TrustedNetworks */
    const char *auth_type;      /* {auth_type}; NULL or "" when none */
    const char *login;          /* {auth_authen}; NULL or "" when none */
    const char *tls_version;    /* {tls_version}; NULL or "" when none */
    const char *helo;           /* HELO/EHLO argument, may be NULL */
    const char *sender;         /* envelope sender, no <>; "" = null sender */
    enum spf_result spf;        /* SPF_RESULT_NOT_CHECKED unless it ran */
    const char *spf_domain;     /* the domain SPF checked */
};

/* One recipient: what the client wrote and what the MTA resolved. */
struct pr_rcpt {
    const char *raw;            /* RCPT TO argument without <> */
    const char *addr;           /* {rcpt_addr}; NULL or "" when not sent */
    const char *mailer;         /* {rcpt_mailer}; may be NULL */
    const char *host;           /* {rcpt_host}; may be NULL */
};

struct pr_verdict {
    enum pr_action action;      /* effective action */
    enum pr_action would;       /* audit mode: what enforce would do, else ACT_PASS */
    unsigned    violations;     /* VBIT()s found, ignored ones excluded */
    unsigned    ignored;        /* VBIT()s found with Action ignore */
    unsigned    tagged;         /* VBIT()s that end up in the header */
    enum pr_violation reply_violation;  /* valid when action >= ACT_TEMPFAIL */
    int         routed;         /* unauth-relay for a routed address */
    char        code[4];        /* "554" */
    char        xcode[8];       /* "5.7.1" */
};

enum pr_role policy_role(const struct pr_config *cfg, const char *daemon_name,
                         const char *daemon_addr, const char *daemon_port,
                         const struct pr_listener **match);
int policy_authenticated(const struct pr_facts *facts);
int policy_has_tls(const struct pr_facts *facts);
void policy_mail(const struct pr_config *cfg, const struct pr_facts *facts,
                 struct pr_verdict *v);
void policy_rcpt(const struct pr_config *cfg, const struct pr_facts *facts,
                 const struct pr_rcpt *rcpt, struct pr_verdict *v);
int policy_mail_can_refuse(const struct pr_config *cfg);
int policy_rcpt_can_refuse(const struct pr_config *cfg);
int policy_mail_replies(const struct pr_config *cfg);
int policy_rcpt_replies(const struct pr_config *cfg);
int policy_rcpt_foreign(const struct pr_config *cfg, const struct pr_rcpt *rcpt);
int policy_rcpt_routed(const char *raw);
int policy_rcpt_resolved_differs(const struct pr_rcpt *rcpt);
void policy_reply(const struct pr_config *cfg, const struct pr_verdict *v,
                  const struct pr_facts *facts, const char *rcpt,
                  const char *ref, strbuf *text);
void policy_new_ref(char ref[13]);
const char *policy_advice(enum pr_violation viol);

const char *policy_default_reply(enum pr_violation viol, enum pr_role role);

#endif
