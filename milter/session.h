/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session - per-connection and per-message state of one milter client.
 *
 * SYNOPSIS
 *	#include "session.h"
 *
 * DESCRIPTION
 *	Three lifetimes. A pr_conn is the milter connection: it pins the
 *	config generation it was negotiated under (config_acquire) and keeps
 *	the negotiated SMFIP_* flags, since both hold for every SMTP session
 *	the MTA sends over that connection (SMFIC_QUIT_NC ends one session and
 *	starts the next without a new negotiation), so a reload never changes
 *	the rules in the middle of a connection. A session is one SMTP
 *	session: role, client, TLS, HELO, from connect to close; its cfg and
 *	proto are the connection's, borrowed. Its message part is cleared by
 *	session_reset_msg() at MAIL, end of message and abort - idempotently,
 *	since abort may come twice in a row.
 *
 *	libmilter calls close at the end of each SMTP session and tells the
 *	filter nothing that says whether another one follows on the same
 *	connection. So at close the connection is parked under a key (the
 *	libmilter context): conn_unpark() hands it back to the connect that
 *	follows a QUIT_NC; conn_drop() frees it when that context negotiates
 *	anew (a new connection in reused memory) or closes without a session.
 *	At most CONN_PARKED connections stay parked, the oldest freed first.
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

struct session;

struct pr_conn {
    struct pr_config *cfg;      /* pinned at negotiation until the connection ends */
    unsigned    proto;          /* the negotiated SMFIP_* flags */
    struct session *session;    /* the SMTP session, NULL between two */
};

/* How many connections stay parked between two SMTP sessions at most. */
#define CONN_PARKED 512

struct session {
    struct pr_config *cfg;      /* the connection's, borrowed */

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
    unsigned    proto;          /* the connection's negotiated SMFIP_* flags */

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

struct pr_conn *conn_new(struct pr_config *cfg);
void conn_free(struct pr_conn *c);
void conn_park(const void *key, struct pr_conn *c);
struct pr_conn *conn_unpark(const void *key);
void conn_drop(const void *key);

struct session *session_new(const struct pr_conn *c);
void session_free(struct session *s);
void session_reset_msg(struct session *s);
void session_set(char **field, const char *value);
void session_add_rcpt(struct session *s, const char *rcpt);
void session_push_index(int **arr, size_t *n, int index);
void session_facts(const struct session *s, struct pr_facts *f);
char *session_strip_brackets(const char *addr);

#endif
