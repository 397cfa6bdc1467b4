/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditlog_agg - count parsed log records per client; see auditlog_agg.h.
 *
 * DESCRIPTION
 *	Two hash tables (by address, by login) bounded at AUDIT_MAX_ENTRIES
 *	entries each, and a two-generation set of recent refs that tells a
 *	message's lines apart in constant memory.
 *
 * DIAGNOSTICS
 *	None; allocation failure is fatal (util_calloc).
 */
#include "acconfig.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auditlog_agg.h"
#include "util.h"

#define REF_SLOTS   8192                /* per generation; half full at most */

struct audit_table {
    struct audit_entry **bucket;
    size_t      nbuckets, count;
};

struct audit_agg {
    struct audit_table by[2];
    struct audit_summary sum;
    time_t      since, until;
    uint64_t   *refs[2];                /* recent refs, two generations */
    size_t      nrefs;
    struct audit_outagg *out;
    struct audit_day *days;             /* up to AUDIT_MAX_DAYS, sorted by day */
    size_t      ndays, days_cap;
    struct audit_host *hosts;           /* up to AUDIT_MAX_HOSTS, in order seen */
    size_t      nhosts, lasthost, hosts_cap;
};

/* auditlog_agg_new - an empty aggregate */
struct audit_agg *auditlog_agg_new(void)
{
    struct audit_agg *agg = util_calloc(1, sizeof(*agg));

    agg->out = auditlog_out_new();
    /* days and hosts grow as they come: most logs have a few of each */

    for (int i = 0; i < 2; i++) {
        agg->by[i].nbuckets = 1024;
        agg->by[i].bucket = util_calloc(agg->by[i].nbuckets, sizeof(struct audit_entry *));
    }
    return agg;
}

/* auditlog_agg_window - keep only lines in [since, until] (0: open) */
void auditlog_agg_window(struct audit_agg *agg, time_t since, time_t until)
{
    agg->since = since;
    agg->until = until;
}

/* hash - FNV-1a */
static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    while (*s)
        h = (h ^ (unsigned char) *s++) * 1099511628211ULL;
    return h;
}

/* table_grow - double the buckets */
static void table_grow(struct audit_table *t)
{
    size_t n = t->nbuckets * 2;
    struct audit_entry **b = util_calloc(n, sizeof(*b));

    for (size_t i = 0; i < t->nbuckets; i++)
        for (struct audit_entry *e = t->bucket[i], *next; e; e = next) {
            next = e->next;
            e->next = b[hash(e->key) & (n - 1)];
            b[hash(e->key) & (n - 1)] = e;
        }
    free(t->bucket);
    t->bucket = b;
    t->nbuckets = n;
}

/* table_get - the entry for key, created unless the table is full */
static struct audit_entry *table_get(struct audit_table *t, const char *key, int create)
{
    struct audit_entry **slot = &t->bucket[hash(key) & (t->nbuckets - 1)], *e;

    for (e = *slot; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    if (!create || t->count >= AUDIT_MAX_ENTRIES)
        return NULL;
    e = util_calloc(1, sizeof(*e));
    e->key = util_strdup(key);
    e->next = *slot;
    *slot = e;
    if (++t->count > t->nbuckets)
        table_grow(t);
    return e;
}

/* add_port - remember a port (or listener name) for an entry */
static void add_port(struct audit_entry *e, const struct audit_rec *rec)
{
    char port[sizeof(e->ports[0])];

    if (rec->port >= 0 && rec->port <= 65535)
        snprintf(port, sizeof(port), "%d", rec->port % 100000);
    else if (rec->listener[0])
        util_strlcpy(port, rec->listener, sizeof(port));  /* printable already */
    else
        strcpy(port, "-");
    for (int i = 0; i < e->nports; i++)
        if (strcmp(e->ports[i], port) == 0)
            return;
    if (e->nports < AUDIT_MAX_PORTS)
        util_strlcpy(e->ports[e->nports++], port, sizeof(e->ports[0]));
    else
        e->more_ports = 1;
}

/* count_entry - one event's categories into an entry */
static void count_entry(struct audit_entry *e, const struct audit_rec *rec,
                        const char *other)
{
    for (int c = 0; c < AUDIT_CAT_COUNT; c++)
        if (rec->cats & (1u << c)) {
            e->count[c]++;
            e->total++;
        }
    if (rec->when) {
        if (e->first == 0 || rec->when < e->first)
            e->first = rec->when;
        if (rec->when > e->last)
            e->last = rec->when;
    }
    if (other[0] && strcmp(other, "unknown") != 0)
        util_strlcpy(e->other, other, sizeof(e->other));
    add_port(e, rec);
}

/* new_message - first sighting of this ref among the recent ones */
static int new_message(struct audit_agg *agg, const char *ref)
{
    uint64_t v = 0;
    size_t i, n = 0;

    for (const char *p = ref; *p && n < 16; p++, n++) {
        if (!isxdigit((unsigned char) *p))
            return 1;
        v = v << 4 | (uint64_t) (isdigit((unsigned char) *p) ? *p - '0' : (*p | 0x20) - 'a' + 10);
    }
    if (n == 0)
        return 1;                           /* no ref: every line is a message */
    v = v * 0x9e3779b97f4a7c15ULL | 1;      /* spread, never 0 (the empty slot) */
    if (agg->refs[0] == NULL)               /* the first ref: most logs have none */
        for (int g = 0; g < 2; g++)
            agg->refs[g] = util_calloc(REF_SLOTS, sizeof(uint64_t));
    for (int g = 0; g < 2; g++)
        for (i = v >> 40 & (REF_SLOTS - 1); agg->refs[g][i]; i = (i + 1) & (REF_SLOTS - 1))
            if (agg->refs[g][i] == v)
                return 0;
    if (agg->nrefs >= REF_SLOTS / 2) {      /* retire the older generation */
        uint64_t *old = agg->refs[1];

        agg->refs[1] = agg->refs[0];
        agg->refs[0] = old;
        memset(old, 0, REF_SLOTS * sizeof(uint64_t));
        agg->nrefs = 0;
    }
    for (i = v >> 40 & (REF_SLOTS - 1); agg->refs[0][i]; i = (i + 1) & (REF_SLOTS - 1))
        ;
    agg->refs[0][i] = v;
    agg->nrefs++;
    return 1;
}

/* grow - room for one more of N items of SIZE in *v (capacity *cap) */
static void grow(void *v, size_t n, size_t *cap, size_t size)
{
    void **p = v;

    if (n < *cap)
        return;
    *cap = *cap ? 2 * *cap : 8;
    *p = util_realloc(*p, *cap * size);
}

/* count_day - the event's categories into its UTC day (kept sorted) */
static void count_day(struct audit_agg *agg, const struct audit_rec *rec)
{
    long day = (long) (rec->when / 86400);
    size_t lo = 0, hi = agg->ndays;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (agg->days[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == agg->ndays || agg->days[lo].day != day) {
        if (agg->ndays >= AUDIT_MAX_DAYS)
            return;                     /* the chart shows the days it has */
        grow(&agg->days, agg->ndays, &agg->days_cap, sizeof(*agg->days));
        memmove(agg->days + lo + 1, agg->days + lo, (agg->ndays - lo) * sizeof(*agg->days));
        memset(&agg->days[lo], 0, sizeof(agg->days[lo]));
        agg->days[lo].day = day;
        agg->ndays++;
    }
    for (int c = 0; c < AUDIT_CAT_COUNT; c++)
        if (rec->cats & (1u << c))
            agg->days[lo].cats[c]++;
}

/* host_get - the record's host entry (the last one hit is tried first), or NULL */
static struct audit_host *host_get(struct audit_agg *agg, const struct audit_rec *rec)
{
    struct audit_host *h;

    if (agg->nhosts > 0 && strcmp(agg->hosts[agg->lasthost].host, rec->host) == 0)
        return &agg->hosts[agg->lasthost];
    for (size_t i = 0; i < agg->nhosts; i++)
        if (strcmp(agg->hosts[i].host, rec->host) == 0) {
            agg->lasthost = i;
            return &agg->hosts[i];
        }
    if (agg->nhosts >= AUDIT_MAX_HOSTS)
        return NULL;
    grow(&agg->hosts, agg->nhosts, &agg->hosts_cap, sizeof(*agg->hosts));
    h = &agg->hosts[agg->nhosts];
    memset(h, 0, sizeof(*h));
    util_strlcpy(h->host, rec->host, sizeof(h->host));
    agg->lasthost = agg->nhosts++;
    return h;
}

/* count_host - one record into its host's counters */
static void count_host(struct audit_agg *agg, const struct audit_rec *rec, int new_msg)
{
    struct audit_host *h = host_get(agg, rec);

    if (h == NULL)
        return;
    if (rec->when) {
        if (h->first == 0 || rec->when < h->first)
            h->first = rec->when;
        if (rec->when > h->last)
            h->last = rec->when;
    }
    if (rec->kind == AUDIT_OUTBOUND) {
        if (rec->out.port == 25) {
            h->conn25++;
            h->timeout25 += rec->out.result == AUDIT_CONN_TIMEOUT;
        } else {
            h->reached_other += rec->out.result == AUDIT_CONN_REACHED;
        }
        return;
    }
    if (rec->kind == AUDIT_DECISION) {
        h->decisions++;
        h->messages += new_msg;
    } else {
        h->postfix_events++;
    }
    for (int c = 0; c < AUDIT_CAT_COUNT; c++)
        if (rec->cats & (1u << c))
            h->cats[c]++;
}

/* auditlog_agg_add - count one parsed decision or Postfix line */
void auditlog_agg_add(struct audit_agg *agg, const struct audit_rec *rec)
{
    struct audit_summary *s = &agg->sum;
    struct audit_entry *e;

    if (rec->when) {
        if (s->first == 0 || rec->when < s->first)
            s->first = rec->when;
        if (rec->when > s->last)
            s->last = rec->when;
    }
    if (rec->kind == AUDIT_DECISION) {
        int role = rec->role >= 0 ? rec->role : ROLE_UNKNOWN;

        s->decisions++;
        if (new_message(agg, rec->ref)) {
            s->messages++;
            s->role_messages[role]++;
            count_host(agg, rec, 1);
        } else {
            count_host(agg, rec, 0);
        }
        s->actions[rec->action]++;
        s->role_actions[role][rec->action]++;
        if (rec->would >= 0)
            s->would[rec->would]++;
    } else {
        s->postfix_events++;
        count_host(agg, rec, 0);
    }
    if (rec->cats == 0)
        return;
    for (int c = 0; c < AUDIT_CAT_COUNT; c++)
        if (rec->cats & (1u << c))
            s->cats[c]++;
    if (rec->when > 0)
        count_day(agg, rec);
    if ((e = table_get(&agg->by[AUDIT_BY_ADDR], rec->client_addr[0] ? rec->client_addr : "unknown", 1)))
        count_entry(e, rec, rec->client_name);
    else
        s->untracked++;
    if (rec->login[0]) {
        if ((e = table_get(&agg->by[AUDIT_BY_LOGIN], rec->login, 1)))
            count_entry(e, rec, rec->client_addr);
        else
            s->untracked++;
    }
}

/* printable_copy - spaces stay readable; everything else unprintable is \xHH */
static void printable_copy(char *dst, size_t size, const char *src)
{
    size_t o = 0;

    for (const char *p = src; *p && o + 5 < size; p++) {
        unsigned char c = (unsigned char) *p;

        if (c >= 0x20 && c < 0x7f)
            dst[o++] = (char) c;
        else
            o += (size_t) snprintf(dst + o, size - o, "\\x%02x", c);
    }
    dst[o] = 0;
}

/* add_example - keep the first few unparsable lines */
static void add_example(struct audit_summary *s, const char *line, const char *file,
                        unsigned long lineno)
{
    struct audit_example *x;

    if (s->nexamples >= AUDIT_EXAMPLES)
        return;
    x = &s->examples[s->nexamples++];
    printable_copy(x->file, sizeof(x->file), file ? file : "-");
    x->lineno = lineno;
    printable_copy(x->text, sizeof(x->text), line);
}

/* auditlog_agg_feed - parse one line and count it */
enum audit_kind auditlog_agg_feed(struct audit_agg *agg, struct audit_clock *clk,
                                  const char *line, int truncated,
                                  const char *file, unsigned long lineno)
{
    struct audit_rec rec;
    struct audit_summary *s = &agg->sum;

    s->lines++;
    if (truncated)
        s->overlong++;
    switch (auditlog_parse(line, clk, &rec)) {
    case AUDIT_SKIP:
        s->skipped++;
        break;
    case AUDIT_UNPARSABLE:
        s->unparsable++;
        add_example(s, line, file, lineno);
        break;
    case AUDIT_OUTBOUND:
    case AUDIT_DECISION:
    case AUDIT_POSTFIX:
        if (rec.when && ((agg->since && rec.when < agg->since)
                         || (agg->until && rec.when > agg->until))) {
            s->filtered++;
            break;
        }
        if (rec.kind == AUDIT_OUTBOUND) {
            s->outbound++;
            auditlog_out_add(agg->out, &rec.out);
            count_host(agg, &rec, 0);
        } else {
            auditlog_agg_add(agg, &rec);
        }
        break;
    }
    return rec.kind;
}

/* auditlog_agg_summary - the counters */
const struct audit_summary *auditlog_agg_summary(const struct audit_agg *agg)
{
    return &agg->sum;
}

/* by_count - most events first, then the key for a stable order */
static int by_count(const void *a, const void *b)
{
    const struct audit_entry *x = *(struct audit_entry *const *) a;
    const struct audit_entry *y = *(struct audit_entry *const *) b;

    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* auditlog_agg_sorted - a new array of the entries, sorted; caller frees it */
size_t auditlog_agg_sorted(struct audit_agg *agg, enum audit_by by,
                           struct audit_entry ***out)
{
    struct audit_table *t = &agg->by[by];
    size_t n = 0;

    *out = util_calloc(t->count + 1, sizeof(**out));
    for (size_t i = 0; i < t->nbuckets; i++)
        for (struct audit_entry *e = t->bucket[i]; e; e = e->next)
            (*out)[n++] = e;
    qsort(*out, n, sizeof(**out), by_count);
    return n;
}

/* auditlog_agg_find - one entry by key, or NULL */
const struct audit_entry *auditlog_agg_find(const struct audit_agg *agg,
                                            enum audit_by by, const char *key)
{
    return table_get((struct audit_table *) &agg->by[by], key, 0);
}

/* auditlog_entry_main_cat - the most frequent category: its fix is shown */
int auditlog_entry_main_cat(const struct audit_entry *e)
{
    int best = 0;

    for (int c = 1; c < AUDIT_CAT_COUNT; c++)
        if (e->count[c] > e->count[best])
            best = c;
    return best;
}

/* auditlog_agg_outbound - the outbound connection counts */
const struct audit_outagg *auditlog_agg_outbound(const struct audit_agg *agg)
{
    return agg->out;
}

/* auditlog_agg_days - the per-day counts, oldest first */
size_t auditlog_agg_days(const struct audit_agg *agg, const struct audit_day **days)
{
    *days = agg->days;
    return agg->ndays;
}

/* auditlog_agg_hosts - the per-host counts, in the order the hosts were seen */
size_t auditlog_agg_hosts(const struct audit_agg *agg, const struct audit_host **hosts)
{
    *hosts = agg->hosts;
    return agg->nhosts;
}

/* auditlog_agg_free - release everything; NULL is fine */
void auditlog_agg_free(struct audit_agg *agg)
{
    if (agg == NULL)
        return;
    auditlog_out_free(agg->out);
    free(agg->days);
    free(agg->hosts);
    for (int i = 0; i < 2; i++) {
        for (size_t b = 0; b < agg->by[i].nbuckets; b++)
            for (struct audit_entry *e = agg->by[i].bucket[b], *next; e; e = next) {
                next = e->next;
                free(e->key);
                free(e);
            }
        free(agg->by[i].bucket);
        free(agg->refs[i]);
    }
    free(agg);
}

