/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditlog_out - outbound connection counts and the OP25B rule; see
 *	auditlog_out.h.
 *
 * DESCRIPTION
 *	One chained hash table of servers keyed by address and port, bounded
 *	at AUDIT_MAX_DESTS entries: memory does not grow with the log.
 *
 * DIAGNOSTICS
 *	None; allocation failure is fatal (util_calloc).
 */
#include "acconfig.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auditlog_out.h"
#include "i18n.h"
#include "util.h"

struct audit_outagg {
    struct audit_dest **bucket;
    size_t      nbuckets, count;
    struct audit_outsum sum;
};

/* auditlog_out_new - no connections yet */
struct audit_outagg *auditlog_out_new(void)
{
    struct audit_outagg *oa = util_calloc(1, sizeof(*oa));

    oa->nbuckets = 256;
    oa->bucket = util_calloc(oa->nbuckets, sizeof(*oa->bucket));
    return oa;
}

/* hash - FNV-1a */
static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    while (*s)
        h = (h ^ (unsigned char) *s++) * 1099511628211ULL;
    return h;
}

/* grow - double the buckets */
static void grow(struct audit_outagg *oa)
{
    size_t n = oa->nbuckets * 2;
    struct audit_dest **b = util_calloc(n, sizeof(*b));

    for (size_t i = 0; i < oa->nbuckets; i++)
        for (struct audit_dest *d = oa->bucket[i], *next; d; d = next) {
            next = d->next;
            d->next = b[hash(d->key) & (n - 1)];
            b[hash(d->key) & (n - 1)] = d;
        }
    free(oa->bucket);
    oa->bucket = b;
    oa->nbuckets = n;
}

/* dest_get - the server's entry, created unless the table is full */
static struct audit_dest *dest_get(struct audit_outagg *oa, const struct audit_out *out)
{
    char key[sizeof(out->addr) + sizeof(out->host) + 8];
    struct audit_dest **slot, *d;

    /* by address; a line without one (Sendmail's time-out) by name */
    snprintf(key, sizeof(key), "%s:%d", out->addr[0] ? out->addr : out->host, out->port);
    slot = &oa->bucket[hash(key) & (oa->nbuckets - 1)];
    for (d = *slot; d; d = d->next)
        if (strcmp(d->key, key) == 0)
            return d;
    if (oa->count >= AUDIT_MAX_DESTS)
        return NULL;
    d = util_calloc(1, sizeof(*d));
    d->key = util_strdup(key);
    util_strlcpy(d->host, out->host, sizeof(d->host));
    util_strlcpy(d->addr, out->addr, sizeof(d->addr));
    d->port = out->port;
    d->next = *slot;
    *slot = d;
    if (++oa->count > oa->nbuckets)
        grow(oa);
    return d;
}

/* auditlog_out_add - count one connection result */
void auditlog_out_add(struct audit_outagg *oa, const struct audit_out *out)
{
    struct audit_dest *d = dest_get(oa, out);

    if (out->result >= AUDIT_CONN_COUNT)
        return;
    if (out->port == 25)
        oa->sum.port25[out->result]++;
    else
        oa->sum.other[out->result]++;
    if (d == NULL) {
        oa->sum.untracked++;
        return;
    }
    if (!d->host[0] && out->host[0])
        util_strlcpy(d->host, out->host, sizeof(d->host));
    if (out->port == 25 && out->result == AUDIT_CONN_TIMEOUT && d->n[AUDIT_CONN_TIMEOUT] == 0)
        oa->sum.servers_timed_out++;
    d->n[out->result]++;
    d->total++;
}

/* auditlog_out_summary - the totals */
const struct audit_outsum *auditlog_out_summary(const struct audit_outagg *oa)
{
    return &oa->sum;
}

/* total - every result of one port class */
static unsigned long total(const unsigned long *n)
{
    unsigned long t = 0;

    for (int i = 0; i < AUDIT_CONN_COUNT; i++)
        t += n[i];
    return t;
}

/* T - a message in the locale's language when local is set, else English */
#define T(s) (local ? _(s) : (s))

/* op25b - 1 and the verdict when the rule holds; else 0 and a summary */
static int op25b(const struct audit_outagg *oa, strbuf *text, int local)
{
    const struct audit_outsum *s = &oa->sum;
    unsigned long m = total(s->port25), t = s->port25[AUDIT_CONN_TIMEOUT];
    unsigned long other = s->other[AUDIT_CONN_REACHED];

    if (m >= AUDIT_OP25B_MIN_CONN && t * 100 >= m * AUDIT_OP25B_SHARE
        && s->servers_timed_out >= AUDIT_OP25B_MIN_SERVERS) {
        strbuf_printf(text, T("outbound port 25 looks blocked (OP25B): %lu of %lu connections "
                      "to port 25 of %lu different servers timed out"), t, m,
                      s->servers_timed_out);
        if (s->port25[AUDIT_CONN_REACHED] > 0)
            strbuf_printf(text, T("; %lu got through on port 25"), s->port25[AUDIT_CONN_REACHED]);
        if (other > 0)
            strbuf_printf(text, T("; %lu went through another port or a relay"), other);
        strbuf_puts(text, T(". A server on this line cannot deliver directly: relay through "
                    "your provider's submission service (relayhost = "
                    "[smtp.provider.example]:587 with SASL), or move the server to a "
                    "network that allows outbound port 25."));
        return 1;
    }
    if (m == 0 && total(s->other) == 0)
        strbuf_puts(text, T("no outbound connections seen."));
    else
        strbuf_printf(text, T("port 25: %lu connections, %lu timed out (servers: %lu), "
                      "%lu refused, %lu reached; other ports and relays: %lu reached, "
                      "%lu failed. Outbound port 25 is not blocked by this rule."),
                      m, t, s->servers_timed_out, s->port25[AUDIT_CONN_REFUSED],
                      s->port25[AUDIT_CONN_REACHED], other, total(s->other) - other);
    if (m > 0 && t * 100 >= m * AUDIT_OP25B_SHARE && s->servers_timed_out < AUDIT_OP25B_MIN_SERVERS)
        strbuf_printf(text, T(" The time-outs hit fewer than %d different servers: those "
                      "receivers may be down or slow; check them before blaming the line."),
                      AUDIT_OP25B_MIN_SERVERS);
    return 0;
}

/* auditlog_out_op25b - 1 and the verdict when the rule holds; else 0 and a summary */
int auditlog_out_op25b(const struct audit_outagg *oa, strbuf *text)
{
    return op25b(oa, text, 0);
}

/* auditlog_out_op25b_local - the same in the locale's language */
int auditlog_out_op25b_local(const struct audit_outagg *oa, strbuf *text)
{
    return op25b(oa, text, 1);
}

/* by_failures - most time-outs first, then most connections, then the key */
static int by_failures(const void *a, const void *b)
{
    const struct audit_dest *x = *(struct audit_dest *const *) a;
    const struct audit_dest *y = *(struct audit_dest *const *) b;

    if (x->n[AUDIT_CONN_TIMEOUT] != y->n[AUDIT_CONN_TIMEOUT])
        return x->n[AUDIT_CONN_TIMEOUT] > y->n[AUDIT_CONN_TIMEOUT] ? -1 : 1;
    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* auditlog_out_sorted - a new array of the servers, sorted; caller frees it */
size_t auditlog_out_sorted(const struct audit_outagg *oa, struct audit_dest ***out)
{
    size_t n = 0;

    *out = util_calloc(oa->count + 1, sizeof(**out));
    for (size_t i = 0; i < oa->nbuckets; i++)
        for (struct audit_dest *d = oa->bucket[i]; d; d = d->next)
            (*out)[n++] = d;
    qsort(*out, n, sizeof(**out), by_failures);
    return n;
}

/* auditlog_out_free - release; NULL is fine */
void auditlog_out_free(struct audit_outagg *oa)
{
    if (oa == NULL)
        return;
    for (size_t i = 0; i < oa->nbuckets; i++)
        for (struct audit_dest *d = oa->bucket[i], *next; d; d = next) {
            next = d->next;
            free(d->key);
            free(d);
        }
    free(oa->bucket);
    free(oa);
}
