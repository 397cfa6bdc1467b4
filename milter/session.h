/*
 * session - per-connection and per-message state of one milter client.
 *
 * SYNOPSIS
 *	#include "session.h"
 *
 * DESCRIPTION
 *	A session pins the config generation it was created with
 *	(config_acquire) and releases it in session_free(), so a reload never
 *	changes the rules in the middle of a connection. The connection part
 *	(role, client, TLS, HELO) lives until close; the message part is
 *	cleared by session_reset_msg() at MAIL, end of message and abort -
 *	idempotently, since abort may come twice in a row.
 *
 *	With DelayReject yes a MAIL-stage refusal is held in mail_refusal:
 *	REFUSAL_HELD from MAIL until it is given at the first RCPT (or logged
 *	at abort or close), REFUSAL_GIVEN afterwards; session_reset_msg()
 *	forgets it with the rest of the message.
 *
 *	session_facts() fills a pr_facts view whose strings point into the
 *	session; it is valid until the session changes.
 */
#ifndef PORTROLE_SESSION_H
#define PORTROLE_SESSION_H

#include "config.h"
#include "dkim.h"
#include "policy.h"
#include "spf.h"

struct session {
    struct pr_config *cfg;

    /* connection */
    enum pr_role role;
    char       *listener_name;
    int         port;
    char       *client_name;
    char       *client_addr;
    int         trusted;
    char       *tls_version;
    char       *helo;
    char       *authserv_id;
    unsigned    proto;          /* negotiated SMFIP_* flags */

    /* message */
    char       *auth_type;
    char       *login;
    char       *sender;
    char       *queueid;
    char        ref[13];
    char      **rcpts;
    size_t      nrcpts;
    size_t      rcpt_cap;
    int         relayed;
    unsigned    tagged;
    enum pr_action would;
    enum spf_result spf;
    char       *spf_domain;
    int         hdr_seen;       /* copies of our header seen so far */
    int         ar_seen;        /* Authentication-Results seen so far */
    int        *forged;         /* indices of our header to delete */
    size_t      nforged;
    int        *forged_ar;
    size_t      nforged_ar;
    struct pr_dkim *dkim;
    /* A MAIL-stage refusal held for RCPT (DelayReject yes). */
    struct pr_verdict mail_refusal;
    enum { REFUSAL_NONE, REFUSAL_HELD, REFUSAL_GIVEN } refusal_state;
};

struct session *session_new(struct pr_config *cfg);
void session_free(struct session *s);
void session_reset_msg(struct session *s);
void session_set(char **field, const char *value);
void session_add_rcpt(struct session *s, const char *rcpt);
void session_push_index(int **arr, size_t *n, int index);
void session_facts(const struct session *s, struct pr_facts *f);
char *session_strip_brackets(const char *addr);

#endif
