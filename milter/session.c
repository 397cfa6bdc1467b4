/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session - milter connection and SMTP session state; see session.h.
 *
 * DIAGNOSTICS
 *	None; allocation failure aborts (util.h).
 */
#include "acconfig.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "util.h"

/* The parked connections: a ring, so the oldest is the one overwritten. */
static pthread_mutex_t parked_lock = PTHREAD_MUTEX_INITIALIZER;
static struct parked {
    const void *key;
    struct pr_conn *conn;
} parked[CONN_PARKED];
static size_t parked_next;

/* conn_new - a milter connection negotiated under cfg, which it now owns */
struct pr_conn *conn_new(struct pr_config *cfg)
{
    struct pr_conn *c = util_calloc(1, sizeof(*c));

    c->cfg = cfg;
    return c;
}

/* conn_free - the connection is gone: its session, then its pin; NULL is fine */
void conn_free(struct pr_conn *c)
{
    if (c == NULL)
        return;
    session_free(c->session);
    config_release(c->cfg);
    free(c);
}

/* take - remove key's entry under the lock; its connection, or NULL */
static struct pr_conn *take(const void *key)
{
    for (size_t i = 0; i < CONN_PARKED; i++)
        if (parked[i].conn != NULL && parked[i].key == key) {
            struct pr_conn *c = parked[i].conn;

            parked[i].conn = NULL;
            parked[i].key = NULL;
            return c;
        }
    return NULL;
}

/* conn_park - keep c between two SMTP sessions under key (it owns no session) */
void conn_park(const void *key, struct pr_conn *c)
{
    struct pr_conn *old, *evicted;

    pthread_mutex_lock(&parked_lock);
    old = take(key);
    evicted = parked[parked_next].conn;
    parked[parked_next].key = key;
    parked[parked_next].conn = c;
    parked_next = (parked_next + 1) % CONN_PARKED;
    pthread_mutex_unlock(&parked_lock);
    conn_free(old);
    conn_free(evicted);
}

/* conn_unpark - the connection parked under key, now the caller's; NULL if none */
struct pr_conn *conn_unpark(const void *key)
{
    struct pr_conn *c;

    pthread_mutex_lock(&parked_lock);
    c = take(key);
    pthread_mutex_unlock(&parked_lock);
    return c;
}

/* conn_drop - free what is parked under key: that connection has ended */
void conn_drop(const void *key)
{
    conn_free(conn_unpark(key));
}

/* session_new - state for a new SMTP session on connection c */
struct session *session_new(const struct pr_conn *c)
{
    struct session *s = util_calloc(1, sizeof(*s));

    s->cfg = c->cfg;
    s->proto = c->proto;
    s->role = ROLE_UNKNOWN;
    s->port = -1;
    s->would = ACT_PASS;
    s->spf = SPF_RESULT_NOT_CHECKED;
    return s;
}

/* session_set - replace a string field with a copy (NULL clears) */
void session_set(char **field, const char *value)
{
    char *copy = util_strdup(value);

    free(*field);
    *field = copy;
}

/* session_reset_msg - forget the message; safe to call any number of times */
void session_reset_msg(struct session *s)
{
    if (s == NULL)
        return;
    session_set(&s->auth_type, NULL);
    session_set(&s->login, NULL);
    session_set(&s->sender, NULL);
    session_set(&s->queueid, NULL);
    session_set(&s->spf_domain, NULL);
    for (size_t i = 0; i < s->nrcpts; i++)
        free(s->rcpts[i]);
    s->nrcpts = 0;
    s->ref[0] = 0;
    s->relayed = 0;
    s->tagged = 0;
    s->would = ACT_PASS;
    s->spf = SPF_RESULT_NOT_CHECKED;
    s->hdr_seen = s->ar_seen = 0;
    s->nforged = s->nforged_ar = 0;
    pr_dkim_free(s->dkim);
    s->dkim = NULL;
    s->refusal_state = REFUSAL_NONE;
}

/* session_free - the SMTP session is over; NULL is fine */
void session_free(struct session *s)
{
    if (s == NULL)
        return;
    session_reset_msg(s);
    free(s->rcpts);
    free(s->forged);
    free(s->forged_ar);
    free(s->listener_name);
    free(s->client_name);
    free(s->client_addr);
    free(s->tls_version);
    free(s->helo);
    free(s->authserv_id);
    free(s);
}

/* session_add_rcpt - remember an accepted recipient */
void session_add_rcpt(struct session *s, const char *rcpt)
{
    if (s->nrcpts == s->rcpt_cap) {
        s->rcpt_cap = s->rcpt_cap ? 2 * s->rcpt_cap : 4;
        s->rcpts = util_realloc(s->rcpts, s->rcpt_cap * sizeof(*s->rcpts));
    }
    s->rcpts[s->nrcpts++] = util_strdup(rcpt);
}

/* session_push_index - remember a header index to delete */
void session_push_index(int **arr, size_t *n, int index)
{
    *arr = util_realloc(*arr, (*n + 1) * sizeof(**arr));
    (*arr)[(*n)++] = index;
}

/* session_facts - the policy's view of this session */
void session_facts(const struct session *s, struct pr_facts *f)
{
    memset(f, 0, sizeof(*f));
    f->role = s->role;
    f->listener_name = s->listener_name;
    f->port = s->port;
    f->client_name = s->client_name;
    f->client_addr = s->client_addr;
    f->trusted = s->trusted;
    f->auth_type = s->auth_type;
    f->login = s->login;
    f->tls_version = s->tls_version;
    f->helo = s->helo;
    f->sender = s->sender;
    f->spf = s->spf;
    f->spf_domain = s->spf_domain;
}

/* session_strip_brackets - "<a@b>" (with ESMTP junk trimmed) to "a@b" */
char *session_strip_brackets(const char *addr)
{
    const char *start, *end;

    if (addr == NULL)
        return util_strdup("");
    while (*addr == ' ')
        addr++;
    start = addr;
    if (*start == '<') {
        start++;
        end = strrchr(start, '>');
        if (end == NULL)
            end = start + strlen(start);
    } else
        end = start + strcspn(start, " ");
    return util_strndup(start, (size_t) (end - start));
}
