/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * testdns - TestDNSData zones and deadline-bounded DNS look-ups; see
 *	testdns.h.
 *
 * DESCRIPTION
 *	The zone is an array of records sorted by name, so a look-up is one
 *	binary search and a walk over that name's records.
 *
 *	A real look-up runs res_nquery() in a detached worker thread with a
 *	private resolver state (res_ninit), one try per server and a per-try
 *	time-out no longer than what is left before the deadline. The caller
 *	waits on a condition variable (CLOCK_MONOTONIC) until the worker is
 *	done or the deadline passes, whichever comes first. The job is
 *	reference-counted so that whichever side finishes last frees it: a
 *	caller that gave up never touches it again. The answer is parsed
 *	here with dn_expand() only, which is in glibc's libc (the ns_*
 *	parser would drag in libresolv).
 *
 *	A TIMEOUT line in the zone runs the same job machinery with a
 *	worker that answers one second after the deadline, so the tests
 *	exercise exactly the path a dead name server takes.
 *
 * DIAGNOSTICS
 *	See testdns.h. A worker thread that cannot be started makes that
 *	look-up TESTDNS_TEMPFAIL.
 */
#include "acconfig.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "strbuf.h"
#include "testdns.h"
#include "util.h"

#define TYPE_SERVFAIL   (-1)    /* pseudo-types of the zone file */
#define TYPE_TIMEOUT    (-2)
#define NAME_MAX_LEN    253     /* longest DNS name in text form */
#define ANSWER_MAX      65536   /* largest DNS message */
#define NEGATIVE_TTL    60      /* how long a caller may cache NXDOMAIN/NODATA */
#define ZONE_TTL        300
#define BLACKHOLE_LATE  1       /* a TIMEOUT name answers this long after the deadline */
#define CNAME_HOPS      8       /* a longer chain (or a loop) is a server failure */

struct zone_rec {
    char       *name;           /* lowercase, no trailing dot */
    size_t      order;          /* line order, so sorting keeps it per name */
    struct testdns_rr rr;       /* rr.type may be TYPE_SERVFAIL or TYPE_TIMEOUT */
    int         timeout_type;   /* TIMEOUT TYPE: that type only; 0: every type without records */
};

struct testdns {
    struct zone_rec *rec;
    size_t      n;
    size_t      cap;
};

static const struct type_name {
    const char *name;
    int         type;
} type_names[] = {
    {"A", ns_t_a}, {"AAAA", ns_t_aaaa}, {"MX", ns_t_mx}, {"TXT", ns_t_txt},
    {"PTR", ns_t_ptr}, {"CNAME", ns_t_cname}, {"SERVFAIL", TYPE_SERVFAIL},
    {"TIMEOUT", TYPE_TIMEOUT},
};

#define TYPE_LIST "A, AAAA, MX, TXT, PTR, CNAME, SERVFAIL or TIMEOUT"

/* ---- zone file ---- */

/* normalise_name - lowercase copy without the trailing dot; -1 if unusable */
static int normalise_name(const char *in, char *out, size_t size)
{
    size_t len = strlen(in);

    if (len > 0 && in[len - 1] == '.')
        len--;
    if (len == 0 || len > NAME_MAX_LEN || len >= size)
        return -1;
    for (size_t i = 0; i < len; i++)
        out[i] = (char) tolower((unsigned char) in[i]);
    out[len] = 0;
    return 0;
}

/*
 * unescape - the zone file's escapes, as in a master file: \DDD is the
 * byte DDD (decimal, 0-255), \X is X. The result is appended to out;
 * a message on a bad escape, or on NUL when nul_ok is 0 (names).
 */
static const char *unescape(const char *s, size_t len, int nul_ok, strbuf *out)
{
    for (size_t i = 0; i < len; i++) {
        unsigned v;

        if (s[i] != '\\') {
            strbuf_putc(out, s[i]);
            continue;
        }
        if (++i == len)
            return "a backslash ends the text";
        if (!isdigit((unsigned char) s[i])) {
            strbuf_putc(out, s[i]);
            continue;
        }
        if (i + 2 >= len || !isdigit((unsigned char) s[i + 1])
            || !isdigit((unsigned char) s[i + 2]))
            return "\\DDD needs three decimal digits";
        v = (unsigned) (s[i] - '0') * 100 + (unsigned) (s[i + 1] - '0') * 10
            + (unsigned) (s[i + 2] - '0');
        if (v > 255)
            return "\\DDD is above 255";
        if (v == 0 && !nul_ok)
            return "\\000 is not allowed in a name";
        strbuf_putc(out, (char) v);
        i += 2;
    }
    return NULL;
}

/* zone_name - a name as the file writes it (escapes, any printable byte), normalised */
static const char *zone_name(const char *in, char *out, size_t size)
{
    strbuf raw = STRBUF_INIT;
    const char *why = unescape(in, strlen(in), 0, &raw);

    if (why == NULL && normalise_name(strbuf_str(&raw), out, size) < 0)
        why = "bad name";
    strbuf_release(&raw);
    return why;
}

/* next_word - the next blank-separated word of a line, or NULL at its end */
static char *next_word(char **cursor)
{
    char *s = *cursor, *word;

    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == 0 || *s == '#') {
        *cursor = s;
        return NULL;
    }
    word = s;
    while (*s && *s != ' ' && *s != '\t')
        s++;
    if (*s)
        *s++ = 0;
    *cursor = s;
    return word;
}

/*
 * parse_txt - one or more quoted strings, joined, with their escapes
 * (\DDD, \X) decoded; "" alone is the empty record. A message on error.
 */
static const char *parse_txt(char *s, strbuf *out)
{
    int nstrings = 0;
    const char *why;
    char *start;

    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == 0 || *s == '#')
            break;
        if (*s != '"')
            return "TXT data must be one or more \"quoted strings\"";
        for (start = ++s; *s != '"'; s++) {
            if (*s == 0)
                return "unterminated quoted string";
            if (*s == '\\' && s[1] != 0)
                s++;
        }
        if ((why = unescape(start, (size_t) (s - start), 1, out)) != NULL)
            return why;
        s++;
        nstrings++;
    }
    return nstrings ? NULL : "TXT needs a quoted string (\"\" for an empty record)";
}

/* type_of - the record type a word names, or 0 */
static int type_of(const char *word)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (strcasecmp(word, type_names[i].name) == 0)
            return type_names[i].type;
    return 0;
}

/* parse_host - an MX, PTR or CNAME target; "." (the null MX) is "" */
static const char *parse_host(int type, char **rest, struct testdns_rr *rr)
{
    char *word = next_word(rest), host[NAME_MAX_LEN + 1];

    if (word != NULL && type == ns_t_mx && strcmp(word, ".") == 0) {
        rr->text = util_strdup("");
        return NULL;
    }
    if (word == NULL || zone_name(word, host, sizeof(host)) != NULL)
        return type == ns_t_mx ? "MX needs a preference (0-65535) and a host (or \".\")"
            : type == ns_t_ptr ? "PTR needs a host name" : "CNAME needs a host name";
    rr->text = util_strdup(host);
    return NULL;
}

/* parse_rdata - the data after the type word into rr; a message on error */
static const char *parse_rdata(int type, char *rest, struct testdns_rr *rr)
{
    strbuf txt = STRBUF_INIT;
    const char *why = NULL;
    char *word, *end;
    unsigned long pref;

    switch (type) {
    case ns_t_txt:
        if ((why = parse_txt(rest, &txt)) == NULL) {
            rr->len = txt.len;
            rr->text = util_malloc(rr->len + 1);
            memcpy(rr->text, strbuf_str(&txt), rr->len + 1);
        }
        strbuf_release(&txt);
        return why;
    case ns_t_a:
    case ns_t_aaaa:
        word = next_word(&rest);
        if (word == NULL || inet_pton(type == ns_t_a ? AF_INET : AF_INET6, word, rr->addr) != 1)
            return type == ns_t_a ? "A needs an IPv4 address" : "AAAA needs an IPv6 address";
        break;
    case ns_t_mx:
        word = next_word(&rest);
        errno = 0;
        pref = word ? strtoul(word, &end, 10) : 0;
        if (word == NULL || *end || errno || pref > 65535 || !isdigit((unsigned char) *word))
            return "MX needs a preference (0-65535) and a host (or \".\")";
        rr->pref = (unsigned) pref;
        /* FALLTHROUGH */
    case ns_t_ptr:
    case ns_t_cname:
        if ((why = parse_host(type, &rest, rr)) != NULL)
            return why;
        break;
    default:                    /* SERVFAIL, TIMEOUT: no data */
        break;
    }
    if (next_word(&rest) != NULL) {
        free(rr->text);
        rr->text = NULL;
        return "unexpected text after the record data";
    }
    return NULL;
}

/* add_rec - append one record to the zone, taking over its text */
static void add_rec(struct testdns *z, const char *name, const struct zone_rec *rec)
{
    if (z->n == z->cap) {
        z->cap = z->cap ? 2 * z->cap : 16;
        z->rec = util_realloc(z->rec, z->cap * sizeof(*z->rec));
    }
    z->rec[z->n] = *rec;
    z->rec[z->n].name = util_strdup(name);
    z->rec[z->n].order = z->n;
    z->n++;
}

/* parse_timeout - "TIMEOUT [TYPE...]": one record per type, or one for all */
static const char *parse_timeout(struct testdns *z, const char *name, char *rest)
{
    struct zone_rec rec;
    char *word;
    int n = 0;

    memset(&rec, 0, sizeof(rec));
    rec.rr.type = TYPE_TIMEOUT;
    while ((word = next_word(&rest)) != NULL) {
        rec.timeout_type = type_of(word);
        if (rec.timeout_type <= 0)
            return "TIMEOUT takes record types (A, AAAA, MX, TXT, PTR, CNAME) or nothing";
        add_rec(z, name, &rec);
        n++;
    }
    if (n == 0)
        add_rec(z, name, &rec);
    return NULL;
}

/* parse_line - one line of the file into the zone; a message on error */
static const char *parse_line(struct testdns *z, char *line)
{
    char *cursor = line, *name, *tname, norm[NAME_MAX_LEN + 1];
    struct zone_rec rec;
    const char *why;

    if ((name = next_word(&cursor)) == NULL)
        return NULL;            /* blank or comment */
    if ((why = zone_name(name, norm, sizeof(norm))) != NULL)
        return why;
    if ((tname = next_word(&cursor)) == NULL)
        return "missing record type (" TYPE_LIST ")";
    memset(&rec, 0, sizeof(rec));
    if ((rec.rr.type = type_of(tname)) == 0)
        return "unknown record type (" TYPE_LIST ")";
    if (rec.rr.type == TYPE_TIMEOUT)
        return parse_timeout(z, norm, cursor);
    if ((why = parse_rdata(rec.rr.type, cursor, &rec.rr)) != NULL)
        return why;
    add_rec(z, norm, &rec);
    return NULL;
}

/* rec_cmp - by name, then by line order */
static int rec_cmp(const void *a, const void *b)
{
    const struct zone_rec *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c != 0)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* testdns_load - read and check a whole TestDNSData file */
struct testdns *testdns_load(const char *path, strbuf *err)
{
    struct testdns *z;
    FILE *fp;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, nerrors = 0;
    const char *why;

    if ((fp = fopen(path, "r")) == NULL) {
        strbuf_printf(err, "%s: cannot open TestDNSData file: %s\n", path, strerror(errno));
        return NULL;
    }
    z = util_calloc(1, sizeof(*z));
    while ((len = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if ((why = parse_line(z, line)) != NULL) {
            strbuf_printf(err, "%s:%d: %s\n", path, lineno, why);
            nerrors++;
        }
    }
    if (ferror(fp)) {
        strbuf_printf(err, "%s: read error: %s\n", path, strerror(errno));
        nerrors++;
    }
    free(line);
    fclose(fp);
    if (nerrors) {
        testdns_free(z);
        return NULL;
    }
    if (z->n > 1)
        qsort(z->rec, z->n, sizeof(*z->rec), rec_cmp);
    return z;
}

/* testdns_free - the zone and its records */
void testdns_free(struct testdns *zone)
{
    if (zone == NULL)
        return;
    for (size_t i = 0; i < zone->n; i++) {
        free(zone->rec[i].name);
        free(zone->rec[i].rr.text);
    }
    free(zone->rec);
    free(zone);
}

/* testdns_count - how many records (and SERVFAIL/TIMEOUT lines) the zone holds */
size_t testdns_count(const struct testdns *zone)
{
    return zone ? zone->n : 0;
}

/* ---- deadlines ---- */

/* testdns_deadline - now plus seconds on the monotonic clock */
void testdns_deadline(struct timespec *deadline, int seconds)
{
    clock_gettime(CLOCK_MONOTONIC, deadline);
    deadline->tv_sec += seconds > 0 ? seconds : 1;
}

/* testdns_expired - the deadline has passed */
int testdns_expired(const struct timespec *deadline)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > deadline->tv_sec
        || (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

/* seconds_left - whole seconds before the deadline, rounded up, at least 1 */
static int seconds_left(const struct timespec *deadline)
{
    struct timespec now;
    long left;

    clock_gettime(CLOCK_MONOTONIC, &now);
    left = (long) (deadline->tv_sec - now.tv_sec) + (deadline->tv_nsec > now.tv_nsec);
    return left > 0 ? (int) left : 1;
}

/* ---- answers ---- */

/* add_rr - append one record to an answer, taking over text */
static struct testdns_rr *add_rr(struct testdns_answer *ans, int type)
{
    struct testdns_rr *rr;

    ans->rr = util_realloc(ans->rr, (ans->nrr + 1) * sizeof(*ans->rr));
    rr = &ans->rr[ans->nrr++];
    memset(rr, 0, sizeof(*rr));
    rr->type = type;
    return rr;
}

/* testdns_answer_free - the records of an answer; the struct is reusable */
void testdns_answer_free(struct testdns_answer *ans)
{
    if (ans == NULL)
        return;
    for (size_t i = 0; i < ans->nrr; i++)
        free(ans->rr[i].text);
    free(ans->rr);
    ans->rr = NULL;
    ans->nrr = 0;
}

/* testdns_status_name - for logs and test messages */
const char *testdns_status_name(enum testdns_status status)
{
    switch (status) {
    case TESTDNS_FOUND: return "found";
    case TESTDNS_NXDOMAIN: return "nxdomain";
    case TESTDNS_NODATA: return "nodata";
    case TESTDNS_TEMPFAIL: return "tempfail";
    }
    return "tempfail";
}

/* ---- worker jobs: a look-up the caller can stop waiting for ---- */

struct job {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int         refs;           /* caller + worker; the last one frees */
    int         done;
    int         blackhole;      /* a TIMEOUT name: answer after the deadline */
    struct timespec late;       /* blackhole: when to "answer" */
    char       *name;
    int         type;
    int         retrans;        /* per-try time-out for res_nquery */
    int         len;            /* res_nquery's result */
    int         herrno;
    unsigned char msg[ANSWER_MAX];
};

/* job_release - drop one reference; the last frees the job */
static void job_release(struct job *job)
{
    int last;

    pthread_mutex_lock(&job->lock);
    last = --job->refs == 0;
    pthread_mutex_unlock(&job->lock);
    if (!last)
        return;
    pthread_mutex_destroy(&job->lock);
    pthread_cond_destroy(&job->cond);
    free(job->name);
    free(job);
}

/* job_worker - run the query, publish the result, let go */
static void *job_worker(void *arg)
{
    struct job *job = arg;
    struct __res_state rs;
    int len = -1, herrno = TRY_AGAIN;

    if (job->blackhole) {
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &job->late, NULL) == EINTR)
            continue;
    } else {
        memset(&rs, 0, sizeof(rs));
        if (res_ninit(&rs) == 0) {
            /* One try per server, each no longer than the time left. */
            rs.retrans = job->retrans;
            rs.retry = 1;
            len = res_nquery(&rs, job->name, ns_c_in, job->type, job->msg, sizeof(job->msg));
            herrno = rs.res_h_errno;
            res_nclose(&rs);
        }
    }
    pthread_mutex_lock(&job->lock);
    job->len = len < (int) sizeof(job->msg) ? len : (int) sizeof(job->msg);
    job->herrno = herrno;
    job->done = 1;
    pthread_cond_signal(&job->cond);
    pthread_mutex_unlock(&job->lock);
    job_release(job);
    return NULL;
}

/* job_new - a job for one query */
static struct job *job_new(const char *name, int type, const struct timespec *deadline)
{
    struct job *job = util_calloc(1, sizeof(*job));
    pthread_condattr_t attr;

    pthread_mutex_init(&job->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&job->cond, &attr);
    pthread_condattr_destroy(&attr);
    job->refs = 1;
    job->name = util_strdup(name);
    job->type = type;
    job->retrans = seconds_left(deadline);
    job->late = *deadline;
    job->late.tv_sec += BLACKHOLE_LATE;
    return job;
}

/* job_run - start the worker and wait for it until the deadline; 0 when done */
static int job_run(struct job *job, const struct timespec *deadline)
{
    pthread_attr_t attr;
    pthread_t tid;
    int done, rc;

    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    job->refs = 2;
    rc = pthread_create(&tid, &attr, job_worker, job);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        job->refs = 1;
        return -1;
    }
    pthread_mutex_lock(&job->lock);
    while (!job->done)
        if (pthread_cond_timedwait(&job->cond, &job->lock, deadline) == ETIMEDOUT)
            break;
    done = job->done;
    pthread_mutex_unlock(&job->lock);
    return done ? 0 : -1;
}

/* ---- DNS messages ---- */

/* get16 - a network-order 16-bit value */
static unsigned get16(const unsigned char *p)
{
    return (unsigned) p[0] << 8 | p[1];
}

/* get32 - a network-order 32-bit value */
static unsigned long get32(const unsigned char *p)
{
    return (unsigned long) get16(p) << 16 | get16(p + 2);
}

/* txt_join - a TXT record's character-strings, joined; -1 if malformed */
static int txt_join(const unsigned char *p, size_t len, strbuf *out)
{
    while (len > 0) {
        size_t n = *p++;

        if (n > --len)
            return -1;
        strbuf_append(out, (const char *) p, n);
        p += n;
        len -= n;
    }
    return 0;
}

/* add_from_rdata - one answer record of the asked type; -1 if malformed */
static int add_from_rdata(struct testdns_answer *ans, int type, const unsigned char *msg,
                          const unsigned char *end, const unsigned char *rdata, unsigned rdlen)
{
    char host[NS_MAXDNAME];
    strbuf txt = STRBUF_INIT;
    struct testdns_rr *rr;

    switch (type) {
    case ns_t_a:
    case ns_t_aaaa:
        if (rdlen != (type == ns_t_a ? 4u : 16u))
            return -1;
        memcpy(add_rr(ans, type)->addr, rdata, rdlen);
        return 0;
    case ns_t_mx:
    case ns_t_ptr:
        if (type == ns_t_mx && rdlen < 3)
            return -1;
        if (dn_expand(msg, end, rdata + (type == ns_t_mx ? 2 : 0), host, sizeof(host)) < 0)
            return -1;
        rr = add_rr(ans, type);
        rr->pref = type == ns_t_mx ? get16(rdata) : 0;
        rr->text = util_strdup(host);
        return 0;
    default:                    /* TXT and the TXT-shaped SPF type */
        if (txt_join(rdata, rdlen, &txt) < 0) {
            strbuf_release(&txt);
            return -1;
        }
        rr = add_rr(ans, type);
        rr->len = txt.len;
        rr->text = strbuf_detach(&txt);
        return 0;
    }
}

/* parse_message - the answer section's records of the asked type */
static void parse_message(const unsigned char *msg, int len, int type, struct testdns_answer *ans)
{
    const unsigned char *p = msg + NS_HFIXEDSZ, *end = msg + len;
    char name[NS_MAXDNAME];
    unsigned qd, an, rtype, rdlen;
    unsigned long ttl, minttl = 86400;
    int n;

    ans->status = TESTDNS_TEMPFAIL;
    if (len < NS_HFIXEDSZ)
        return;
    qd = get16(msg + 4);
    an = get16(msg + 6);
    for (; qd > 0; qd--) {
        if ((n = dn_expand(msg, end, p, name, sizeof(name))) < 0 || end - p < n + 4)
            return;
        p += n + 4;
    }
    for (; an > 0; an--) {
        if ((n = dn_expand(msg, end, p, name, sizeof(name))) < 0 || end - p < n + 10)
            goto malformed;
        p += n;
        rtype = get16(p);
        ttl = get32(p + 4);
        rdlen = get16(p + 8);
        p += 10;
        if ((size_t) (end - p) < rdlen)
            goto malformed;
        /* CNAMEs and other types on the way are skipped. */
        if ((int) rtype == type) {
            if (add_from_rdata(ans, type, msg, end, p, rdlen) < 0)
                goto malformed;
            if (ttl < minttl)
                minttl = ttl;
        }
        p += rdlen;
    }
    ans->status = ans->nrr ? TESTDNS_FOUND : TESTDNS_NODATA;
    ans->ttl = ans->nrr ? (unsigned) minttl : NEGATIVE_TTL;
    return;

malformed:
    testdns_answer_free(ans);
    ans->status = TESTDNS_TEMPFAIL;
}

/* resolve_system - ask the system resolver, no later than the deadline */
static void resolve_system(const char *name, int type, const struct timespec *deadline,
                           struct testdns_answer *ans)
{
    struct job *job;

    if (testdns_expired(deadline)) {
        ans->timed_out = 1;
        return;
    }
    job = job_new(name, type, deadline);
    if (job_run(job, deadline) < 0) {
        ans->timed_out = testdns_expired(deadline);
    } else if (job->len >= 0) {
        parse_message(job->msg, job->len, type, ans);
    } else if (job->herrno == HOST_NOT_FOUND || job->herrno == NO_DATA) {
        ans->status = job->herrno == NO_DATA ? TESTDNS_NODATA : TESTDNS_NXDOMAIN;
        ans->ttl = NEGATIVE_TTL;
    }
    job_release(job);
}

/* ---- zone look-ups ---- */

/* zone_first - index of the name's first record, or zone->n when absent */
static size_t zone_first(const struct testdns *z, const char *name)
{
    size_t lo = 0, hi = z->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strcmp(z->rec[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < z->n && strcmp(z->rec[lo].name, name) == 0 ? lo : z->n;
}

/* blackhole - a name server that never answers: wait out the deadline */
static void blackhole(const char *name, int type, const struct timespec *deadline,
                      struct testdns_answer *ans)
{
    struct job *job = job_new(name, type, deadline);

    job->blackhole = 1;
    if (!testdns_expired(deadline))
        (void) job_run(job, deadline);
    job_release(job);
    ans->timed_out = 1;
}

/* copy_rrs - the name's records of the asked type into the answer */
static void copy_rrs(const struct testdns *z, size_t first, int type, struct testdns_answer *ans)
{
    struct testdns_rr *rr;

    for (size_t i = first; i < z->n && strcmp(z->rec[i].name, z->rec[first].name) == 0; i++) {
        if (z->rec[i].rr.type != type)
            continue;
        rr = add_rr(ans, type);
        *rr = z->rec[i].rr;
        if (rr->text != NULL) {
            size_t len = type == ns_t_txt ? rr->len : strlen(rr->text);

            rr->text = util_malloc(len + 1);
            memcpy(rr->text, z->rec[i].rr.text, len + 1);
        }
    }
}

/*
 * resolve_zone - answer from the file only. A CNAME is followed as a
 * resolver does (for any type but CNAME itself), up to CNAME_HOPS; a
 * longer chain or a loop is a server failure. A TIMEOUT line times out
 * the type it names, or every type the name has no records of.
 */
static void resolve_zone(const struct testdns *z, const char *name, int type,
                         const struct timespec *deadline, struct testdns_answer *ans)
{
    char norm[NAME_MAX_LEN + 1];
    const char *cname;
    size_t i, first, nrr;
    int timeout;

    if (normalise_name(name, norm, sizeof(norm)) < 0) {
        ans->status = TESTDNS_NXDOMAIN;
        ans->ttl = NEGATIVE_TTL;
        return;
    }
    for (int hop = 0; hop <= CNAME_HOPS; hop++) {
        if ((first = zone_first(z, norm)) == z->n) {
            ans->status = TESTDNS_NXDOMAIN;
            ans->ttl = NEGATIVE_TTL;
            return;
        }
        cname = NULL;
        timeout = 0;
        nrr = 0;
        for (i = first; i < z->n && strcmp(z->rec[i].name, norm) == 0; i++) {
            const struct zone_rec *r = &z->rec[i];

            if (r->rr.type == TYPE_SERVFAIL)
                return;         /* TEMPFAIL at once */
            if (r->rr.type == TYPE_TIMEOUT)
                timeout |= r->timeout_type == type ? 2 : r->timeout_type == 0;
            nrr += r->rr.type == type;
            if (r->rr.type == ns_t_cname)
                cname = r->rr.text;
        }
        if (timeout & 2 || (timeout && nrr == 0 && cname == NULL)) {
            blackhole(norm, type, deadline, ans);
            return;
        }
        if (nrr > 0 || cname == NULL || type == ns_t_cname)
            break;
        if (normalise_name(cname, norm, sizeof(norm)) < 0)
            return;             /* TEMPFAIL */
        if (hop == CNAME_HOPS)
            return;             /* a loop: TEMPFAIL, as a resolver's SERVFAIL */
    }
    copy_rrs(z, first, type, ans);
    ans->status = ans->nrr ? TESTDNS_FOUND : TESTDNS_NODATA;
    ans->ttl = ans->nrr ? ZONE_TTL : NEGATIVE_TTL;
}

/* testdns_resolve - one look-up, from the zone or the system resolver */
void testdns_resolve(const struct testdns *zone, const char *name, int type,
                     const struct timespec *deadline, struct testdns_answer *ans)
{
    struct timespec fallback;

    memset(ans, 0, sizeof(*ans));
    ans->status = TESTDNS_TEMPFAIL;
    if (deadline == NULL) {
        testdns_deadline(&fallback, 5);
        deadline = &fallback;
    }
    if (name == NULL || *name == 0) {
        ans->status = TESTDNS_NXDOMAIN;
        return;
    }
    if (zone != NULL)
        resolve_zone(zone, name, type, deadline, ans);
    else
        resolve_system(name, type, deadline, ans);
}
