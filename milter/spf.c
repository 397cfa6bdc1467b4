/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf - SPF checks with libspf2; see spf.h.
 *
 * DESCRIPTION
 *	One SPF_server_t per config generation, shared by every connection;
 *	each check makes its own request and response. The server's DNS
 *	layers are ours (libspf2 lets a program supply them), top down:
 *	a limit layer that counts look-ups over the whole check, libspf2's
 *	cache (real DNS only), and a resolve layer that asks testdns: the
 *	TestDNSData zone when one is configured (nothing then reaches the
 *	network), else the system resolver. The cache keeps the TTLs the
 *	answers carry (its 30-minute floors are turned off), so a temporary
 *	failure is forgotten within a second instead of for half an hour.
 *
 *	Bounded DNS: spf_check() sets a deadline DNSTimeout seconds ahead in
 *	a thread-local variable before calling libspf2, and every look-up of
 *	that check waits no later than it (testdns.c runs the query in a
 *	worker thread and stops waiting at the deadline). So one whole check,
 *	with its includes, redirects, a, mx and exp look-ups, waits at most
 *	DNSTimeout for DNS, and a time-out is temperror. libspf2 keeps no
 *	lock across our lookup callback, so the server stays shareable.
 *
 *	The MAIL FROM identity is the sender when it has a domain; for the
 *	null sender (or one without a domain) it is postmaster@HELO, RFC
 *	7208 section 2.4. The HELO is given to libspf2 before the sender,
 *	and libspf2 is never handed a NULL (its SPF_error() aborts).
 *
 *	Type-99 (SPF RR) look-ups are answered "no data" without asking: RFC
 *	7208 retired the type, and libspf2 would otherwise spend a round
 *	trip on it before every TXT look-up.
 *
 *	Names: libspf2 has its own SPF_RESULT_* constants; they are renamed
 *	to LIBSPF2_RESULT_* while its header is read, so that spf.h's enum
 *	keeps the project's names. Only the values cross the boundary.
 *
 * DIAGNOSTICS
 *	spf_init() appends "FILE: message" (or the zone's "FILE:LINE:
 *	message") lines to err and returns -1. libspf2's own fatal errors
 *	are logged at LOG_CRIT before it aborts; its warnings go to the
 *	debug log.
 */
#include "acconfig.h"

#include <sys/types.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define SPF_RESULT_INVALID   LIBSPF2_RESULT_INVALID
#define SPF_RESULT_NEUTRAL   LIBSPF2_RESULT_NEUTRAL
#define SPF_RESULT_PASS      LIBSPF2_RESULT_PASS
#define SPF_RESULT_FAIL      LIBSPF2_RESULT_FAIL
#define SPF_RESULT_SOFTFAIL  LIBSPF2_RESULT_SOFTFAIL
#define SPF_RESULT_NONE      LIBSPF2_RESULT_NONE
#define SPF_RESULT_TEMPERROR LIBSPF2_RESULT_TEMPERROR
#define SPF_RESULT_PERMERROR LIBSPF2_RESULT_PERMERROR
#include <spf2/spf.h>
#include <spf2/spf_dns.h>
#include <spf2/spf_dns_cache.h>
#include <spf2/spf_dns_rr.h>
#include <spf2/spf_record.h>
#include <spf2/spf_request.h>
#include <spf2/spf_response.h>
#include <spf2/spf_server.h>
#undef SPF_RESULT_INVALID
#undef SPF_RESULT_NEUTRAL
#undef SPF_RESULT_PASS
#undef SPF_RESULT_FAIL
#undef SPF_RESULT_SOFTFAIL
#undef SPF_RESULT_NONE
#undef SPF_RESULT_TEMPERROR
#undef SPF_RESULT_PERMERROR

#include "config.h"
#include "log.h"
#include "netaddr.h"
#include "spf.h"
#include "spfrecord.h"
#include "strbuf.h"
#include "testdns.h"
#include "util.h"

#define CACHE_BITS      12      /* 4096 buckets in libspf2's cache */
#define DEFAULT_TIMEOUT 5

/* What one config generation owns; cfg->spf_server points here. */
struct spf_gen {
    SPF_server_t *server;
    SPF_dns_server_t *resolver; /* ours to free: SPF_server_new_dns() borrows it */
    struct testdns *zone;       /* TestDNSData, or NULL for real DNS */
    int         timeout;        /* DNSTimeout, seconds per check */
};

#define MAX_DNS_TERMS   10      /* RFC 7208 4.6.4, over the whole check */
#define MAX_VOID        2       /* RFC 7208 4.6.4: void look-ups allowed */
#define NUL_STANDIN     0x7f    /* a NUL inside a TXT record, for libspf2's C strings */

/*
 * Names this check made up (spfrecord.c, and the MX answers below), each
 * under SPFRECORD_SYNTH_SUFFIX with a random token of the check, so no
 * record or sender can name one: a /0 term's name, the hosts of an MX
 * answer, a record holding a run of ip terms. The entry says what the
 * name stands for, so it belongs to the record (or answer) that made it.
 */
enum synth_kind {
    SYN_TXT,                    /* a chunk record: answered with text */
    SYN_WILD,                   /* a /0 a or mx term: look up real */
    SYN_HOST,                   /* a host of an MX answer: look up real, not counted */
};

struct synth {
    char       *name;
    enum synth_kind kind;
    char       *real;           /* the name it stands for (not SYN_TXT) */
    char       *text;           /* SYN_TXT: the record */
    int         wild;           /* answer with the client's address when real has any */
    int         mx;             /* SYN_WILD: an mx term */
};

/*
 * The check running on this thread. libspf2 counts DNS mechanisms per
 * record only, so a chain of includes could go on for ever; we count the
 * look-ups RFC 7208 counts (TXT after the first, MX, PTR, and A/AAAA other
 * than those libspf2 makes itself for the hosts of an MX or PTR answer)
 * over the whole check, refuse the one over the limit, and report
 * permerror. The MX hosts are handed to libspf2 under made-up names, so
 * its own look-ups are told from an explicit "a:HOST"; a PTR answer's
 * names cannot be renamed (libspf2 matches them against the domain), so
 * its look-ups are the ones that follow it, in the answer's order.
 */
struct check_state {
    const struct timespec *deadline;
    int         txt_seen;       /* the first TXT look-up is the record itself */
    int         terms;
    int         over;           /* a look-up was refused for the limit */
    char      **ptrs;           /* names PTR answers gave */
    size_t      nptrs;
    size_t      pend_next, pend_end;    /* ptrs[next..end) follow a PTR answer */
    int         voids;          /* DNS terms that found nothing */
    const char *bad;            /* a fetched record breaks RFC 7208 syntax */
    int         size_limit;     /* ... or is too big for libspf2 */
    int         client_v6;
    unsigned char client[16];   /* the address a /0 wildcard answers with */
    const char *sender_domain;
    char        token[9];       /* random hex: made-up names cannot be guessed */
    unsigned    serial;
    struct synth *synth;
    size_t      nsynth;
    SPF_server_t *server;       /* to compile a rewritten record (size check) */
};

static __thread struct check_state *current_check;

static pthread_once_t handlers_once = PTHREAD_ONCE_INIT;

/* lib_error - libspf2 gives up on an internal inconsistency: say so, then abort */
__attribute__((noreturn))
static void lib_error(const char *file, int line, const char *msg)
{
    log_msg(LOG_CRIT, "libspf2: fatal: %s (%s:%d)", msg ? msg : "?", file ? file : "?", line);
    abort();
}

/* lib_warning - libspf2's warnings and notes, for debugging only */
static void lib_warning(const char *file, int line, const char *msg)
{
    (void) file;
    (void) line;
    log_msg(LOG_DEBUG, "libspf2: %s", msg ? msg : "?");
}

/* set_handlers - route libspf2's messages to our log, once per process */
static void set_handlers(void)
{
    SPF_error_handler = lib_error;
    SPF_warning_handler = lib_warning;
    SPF_info_handler = lib_warning;
}

/* herrno_of - the resolver's h_errno for a testdns status */
static SPF_dns_stat_t herrno_of(enum testdns_status status)
{
    switch (status) {
    case TESTDNS_FOUND: return NETDB_SUCCESS;
    case TESTDNS_NXDOMAIN: return HOST_NOT_FOUND;
    case TESTDNS_NODATA: return NO_DATA;
    case TESTDNS_TEMPFAIL: return TRY_AGAIN;
    }
    return TRY_AGAIN;
}

/* new_rr - an empty record set; allocation failure is fatal, as everywhere */
static SPF_dns_rr_t *new_rr(SPF_dns_server_t *layer, const char *domain, ns_type type,
                            int ttl, SPF_dns_stat_t herrno)
{
    SPF_dns_rr_t *rr = SPF_dns_rr_new_init(layer, domain, type, ttl, herrno);

    if (rr == NULL)
        lib_error(__FILE__, __LINE__, "out of memory for a DNS answer");
    return rr;
}

/* fill_rr - copy a testdns answer into libspf2's record set */
static void fill_rr(SPF_dns_rr_t *rr, ns_type type, const struct testdns_answer *ans)
{
    int n = 0;

    for (size_t i = 0; i < ans->nrr; i++) {
        const struct testdns_rr *src = &ans->rr[i];
        size_t len = type == ns_t_a ? sizeof(struct in_addr)
            : type == ns_t_aaaa ? sizeof(struct in6_addr)
            : type == ns_t_txt ? src->len + 1 : strlen(src->text) + 1;

        if (SPF_dns_rr_buf_realloc(rr, n, len) != SPF_E_SUCCESS)
            break;
        if (type == ns_t_a)
            memcpy(&rr->rr[n]->a, src->addr, len);
        else if (type == ns_t_aaaa)
            memcpy(&rr->rr[n]->aaaa, src->addr, len);
        else
            memcpy(rr->rr[n]->txt, src->text, len);      /* txt, mx, ptr share the bytes */
        /* A NUL inside a TXT record: libspf2 would stop reading there. */
        for (size_t k = 0; type == ns_t_txt && k + 1 < len; k++)
            if (rr->rr[n]->txt[k] == 0)
                rr->rr[n]->txt[k] = NUL_STANDIN;
        n++;
    }
    rr->num_rr = n;
}

/* counts - whether a look-up counts against the limit of DNS terms */
static int counts(struct check_state *st, const char *domain, ns_type type)
{
    int follows = st->pend_next < st->pend_end
        && util_strcaseeq(st->ptrs[st->pend_next], domain);

    /* Anything but the next name of the PTR answer ends its look-ups. */
    if (follows && (type == ns_t_a || type == ns_t_aaaa)) {
        st->pend_next++;
        return 0;
    }
    st->pend_next = st->pend_end = 0;
    return type == ns_t_txt ? st->txt_seen++ > 0 : 1;
}

/* add_synth - a made-up name of this check */
static struct synth *add_synth(struct check_state *st, const char *name, enum synth_kind kind,
                               const char *real)
{
    struct synth *y;

    st->synth = util_realloc(st->synth, (st->nsynth + 1) * sizeof(*st->synth));
    y = &st->synth[st->nsynth++];
    memset(y, 0, sizeof(*y));
    y->name = util_strdup(name);
    y->kind = kind;
    y->real = real ? util_strdup(real) : NULL;
    return y;
}

/* find_synth - the entry for a name this check made up, or NULL */
static const struct synth *find_synth(const struct check_state *st, const char *domain)
{
    for (size_t i = 0; i < st->nsynth; i++)
        if (util_strcaseeq(st->synth[i].name, domain))
            return &st->synth[i];
    return NULL;
}

/* rename_hosts - an MX answer's hosts, handed to libspf2 as made-up names */
static void rename_hosts(struct check_state *st, SPF_dns_rr_t *rr, int wild)
{
    char name[64];

    for (int i = 0; rr->herrno == NETDB_SUCCESS && i < rr->num_rr; i++) {
        struct synth *y;

        snprintf(name, sizeof(name), "h%u-%s%s", st->serial++, st->token,
                 SPFRECORD_SYNTH_SUFFIX);
        y = add_synth(st, name, SYN_HOST, rr->rr[i]->mx);
        y->wild = wild;
        if (SPF_dns_rr_buf_realloc(rr, i, strlen(name) + 1) == SPF_E_SUCCESS)
            memcpy(rr->rr[i]->mx, name, strlen(name) + 1);
    }
}

/* remember_ptrs - a PTR answer's names: libspf2 looks up their addresses next */
static void remember_ptrs(struct check_state *st, const SPF_dns_rr_t *rr)
{
    size_t first = st->nptrs;

    for (int i = 0; rr->herrno == NETDB_SUCCESS && i < rr->num_rr; i++) {
        st->ptrs = util_realloc(st->ptrs, (st->nptrs + 1) * sizeof(*st->ptrs));
        st->ptrs[st->nptrs++] = util_strdup(rr->rr[i]->ptr);
    }
    st->pend_next = first;
    st->pend_end = st->nptrs;
}

/* ptr_host - a name a PTR answer gave: an error on its address is skipped */
static int ptr_host(const struct check_state *st, const char *domain)
{
    for (size_t i = 0; i < st->nptrs; i++)
        if (util_strcaseeq(st->ptrs[i], domain))
            return 1;
    return 0;
}

/* compiles_whole - libspf2 keeps every mechanism of the rewritten record */
static int compiles_whole(struct check_state *st, const char *text, unsigned nmech)
{
    SPF_response_t *resp = SPF_response_new(NULL);
    SPF_record_t *rec = NULL;
    int whole = 1;

    if (resp == NULL)
        return 1;                       /* cannot tell: libspf2 will say */
    if (SPF_record_compile(st->server, resp, &rec, text) == SPF_E_SUCCESS && rec != NULL)
        whole = rec->num_mech >= nmech;
    if (rec != NULL)
        SPF_record_free(rec);
    SPF_response_free(resp);
    return whole;
}

/* note_rewrite - the made-up names of a rewritten record */
static void note_rewrite(struct check_state *st, const char *domain,
                         const struct spfrecord_out *out)
{
    for (size_t k = 0; k < out->nwild; k++) {
        struct synth *y = add_synth(st, strbuf_str(&out->wild[k].synth), SYN_WILD,
                                    out->wild[k].name ? out->wild[k].name : domain);

        y->wild = 1;
        y->mx = out->wild[k].mx;
    }
    for (size_t k = 0; k < out->nchunk; k++)
        add_synth(st, strbuf_str(&out->chunk[k].name), SYN_TXT, NULL)->text =
            util_strdup(strbuf_str(&out->chunk[k].text));
    st->serial += out->nsynth;
}

/*
 * check_records - the SPF records of a TXT answer, held to RFC 7208
 * syntax (spfrecord.c) and rewritten for libspf2; the first bad one is
 * remembered and makes the result permerror.
 */
static void check_records(struct check_state *st, const char *domain, SPF_dns_rr_t *rr)
{
    struct spfrecord_out out;
    struct spfrecord_ctx ctx = {st->client_v6, domain, st->sender_domain, st->token, st->serial};

    for (int i = 0; rr->herrno == NETDB_SUCCESS && i < rr->num_rr; i++) {
        const char *txt = rr->rr[i]->txt;
        size_t len = strlen(txt);

        if (!spfrecord_is_spf(txt, len))
            continue;
        ctx.serial = st->serial;
        if (spfrecord_check(txt, len, &ctx, &out) < 0) {
            if (st->bad == NULL)
                st->bad = out.why;
            log_msg(LOG_DEBUG, "SPF: the record of %s is not RFC 7208 syntax: %s", domain, out.why);
        } else {
            if (!compiles_whole(st, strbuf_str(&out.text), out.nmech)) {
                /* libspf2 would drop the mechanisms past its buffer: a wrong answer. */
                if (st->bad == NULL)
                    st->bad = "too big for libspf2";
                st->size_limit = 1;
                log_msg(LOG_INFO, "SPF: the record of %s is valid but larger than libspf2 "
                        "can evaluate (a size limit, not a syntax error): permerror", domain);
            }
            if (strcmp(txt, strbuf_str(&out.text)) != 0
                && SPF_dns_rr_buf_realloc(rr, i, out.text.len + 1) == SPF_E_SUCCESS) {
                memcpy(rr->rr[i]->txt, strbuf_str(&out.text), out.text.len + 1);
                log_msg(LOG_DEBUG, "SPF: the record of %s is evaluated as \"%s\"", domain,
                        strbuf_str(&out.text));
                note_rewrite(st, domain, &out);
            }
        }
        spfrecord_out_free(&out);
    }
}

/* client_answer - an address answer of the client's family becomes the client's address */
static void client_answer(struct check_state *st, ns_type type, SPF_dns_rr_t *rr)
{
    int v6 = type == ns_t_aaaa;

    if (rr->herrno != NETDB_SUCCESS || rr->num_rr <= 0 || v6 != st->client_v6
        || (type != ns_t_a && type != ns_t_aaaa))
        return;
    rr->num_rr = 1;
    if (v6)
        memcpy(&rr->rr[0]->aaaa, st->client, 16);
    else
        memcpy(&rr->rr[0]->a, st->client + 12, 4);
}

/* synth_txt - a chunk record's TXT answer, made here */
static SPF_dns_rr_t *synth_txt(SPF_dns_server_t *layer, const char *domain, ns_type type,
                               const struct synth *y)
{
    size_t len = strlen(y->text) + 1;
    SPF_dns_rr_t *rr;

    if (type != ns_t_txt)
        return new_rr(layer, domain, type, 0, NO_DATA);
    rr = new_rr(layer, domain, type, 0, NETDB_SUCCESS);
    if (SPF_dns_rr_buf_realloc(rr, 0, len) != SPF_E_SUCCESS)
        lib_error(__FILE__, __LINE__, "out of memory for a DNS answer");
    memcpy(rr->rr[0]->txt, y->text, len);
    rr->num_rr = 1;
    return rr;
}

/* is_void - an answer with nothing in it (RFC 7208 4.6.4) */
static int is_void(const SPF_dns_rr_t *rr)
{
    return rr->herrno == HOST_NOT_FOUND || rr->herrno == NO_DATA
        || (rr->herrno == NETDB_SUCCESS && rr->num_rr <= 0);
}

/* real_lookup - the look-up a made-up name stands for; *counted when it counts */
static SPF_dns_rr_t *real_lookup(SPF_dns_server_t *layer, struct check_state *st,
                                 const struct synth *y, ns_type type, int should_cache,
                                 int *counted)
{
    SPF_dns_rr_t *rr;

    /* A /0 term is a DNS term like any; an MX answer's hosts are not. */
    if (y->kind == SYN_WILD && (*counted = counts(st, y->real, type))
        && ++st->terms > MAX_DNS_TERMS) {
        st->over = 1;
        return new_rr(layer, y->name, type, 0, TRY_AGAIN);
    }
    rr = SPF_dns_lookup(layer->layer_below, y->real, type, should_cache);
    if (rr == NULL)
        return NULL;
    if (type == ns_t_mx)
        rename_hosts(st, rr, y->wild);
    else if (y->wild)
        client_answer(st, type, rr);
    return rr;
}

/*
 * limit_lookup - the top layer: RFC 7208's look-up and void limits over
 * the whole check, the records' syntax and size, the names made up for
 * /0 terms, MX hosts and ip-term chunks, and an error on a PTR name's
 * address skipped (5.5: that name is passed over).
 */
static SPF_dns_rr_t *limit_lookup(SPF_dns_server_t *layer, const char *domain,
                                  ns_type type, int should_cache)
{
    struct check_state *st = current_check;
    const struct synth *y;
    SPF_dns_rr_t *rr;
    int counted = 0;

    if (type == ns_t_spf)
        return new_rr(layer, domain, type, 86400, NO_DATA);
    if (st != NULL && (y = find_synth(st, domain)) != NULL) {
        if (y->kind == SYN_TXT)
            return synth_txt(layer, domain, type, y);
        rr = real_lookup(layer, st, y, type, should_cache, &counted);
    } else {
        if (st != NULL && (counted = counts(st, domain, type)) && ++st->terms > MAX_DNS_TERMS) {
            st->over = 1;
            return new_rr(layer, domain, type, 0, TRY_AGAIN);
        }
        rr = SPF_dns_lookup(layer->layer_below, domain, type, should_cache);
        if (st == NULL || rr == NULL)
            return rr;
        if (type == ns_t_txt)
            check_records(st, domain, rr);
        else if (type == ns_t_mx)
            rename_hosts(st, rr, 0);
        else if (type == ns_t_ptr)
            remember_ptrs(st, rr);
        if ((type == ns_t_a || type == ns_t_aaaa) && rr->herrno == TRY_AGAIN && ptr_host(st, domain))
            rr->herrno = HOST_NOT_FOUND;
    }
    if (rr != NULL && counted && type != ns_t_txt && is_void(rr) && ++st->voids > MAX_VOID)
        st->over = 1;
    return rr;
}

/* resolve_lookup - the bottom layer: testdns under the check's deadline */
static SPF_dns_rr_t *resolve_lookup(SPF_dns_server_t *layer, const char *domain,
                                    ns_type type, int should_cache)
{
    const struct spf_gen *gen = layer->hook;
    const struct timespec *deadline;
    struct timespec fallback;
    struct testdns_answer ans;
    SPF_dns_rr_t *rr;

    (void) should_cache;
    if (current_check != NULL) {
        deadline = current_check->deadline;
    } else {
        testdns_deadline(&fallback, gen->timeout);
        deadline = &fallback;
    }
    testdns_resolve(gen->zone, domain, type, deadline, &ans);
    rr = new_rr(layer, domain, type, ans.status == TESTDNS_TEMPFAIL ? 0 : (int) ans.ttl,
                herrno_of(ans.status));
    if (ans.status == TESTDNS_FOUND)
        fill_rr(rr, type, &ans);
    if (ans.timed_out)
        log_msg(LOG_INFO, "SPF: DNS look-up of %s timed out", domain);
    testdns_answer_free(&ans);
    return rr;
}

/* layer_destroy - libspf2 frees the layers of a server one by one */
static void layer_destroy(SPF_dns_server_t *layer)
{
    free(layer);
}

/* new_layer - one of our DNS layers */
static SPF_dns_server_t *new_layer(SPF_dns_lookup_t lookup, SPF_dns_server_t *below,
                                   const char *name, struct spf_gen *gen)
{
    SPF_dns_server_t *layer = util_calloc(1, sizeof(*layer));

    layer->destroy = layer_destroy;
    layer->lookup = lookup;
    layer->layer_below = below;
    layer->name = name;
    layer->hook = gen;
    return layer;
}

/*
 * make_resolver - limit, [cache,] resolve: the counter sits on top so that
 * cached answers count too; the cache only with real DNS.
 */
static SPF_dns_server_t *make_resolver(struct spf_gen *gen)
{
    SPF_dns_server_t *bottom = new_layer(resolve_lookup, NULL, "portrole-resolve", gen);
    SPF_dns_server_t *cache;

    if (gen->zone == NULL) {
        if ((cache = SPF_dns_cache_new(bottom, NULL, 0, CACHE_BITS)) == NULL) {
            free(bottom);
            return NULL;
        }
        SPF_dns_cache_set_ttl(cache, 0, 0, 0, 0);
        bottom = cache;
    }
    return new_layer(limit_lookup, bottom, "portrole-limit", gen);
}

/* spf_available - this build has SPF */
int spf_available(void)
{
    return 1;
}

/* spf_init - the generation's SPF server and DNS layer */
int spf_init(struct pr_config *cfg, struct strbuf *err)
{
    const char *where = cfg->path ? cfg->path : "(built-in defaults)";
    struct spf_gen *gen;

    if (cfg->spf_server != NULL)
        return 0;
    pthread_once(&handlers_once, set_handlers);
    gen = util_calloc(1, sizeof(*gen));
    gen->timeout = cfg->dns_timeout > 0 ? cfg->dns_timeout : DEFAULT_TIMEOUT;
    if (cfg->test_dns_data != NULL
        && (gen->zone = testdns_load(cfg->test_dns_data, err)) == NULL) {
        free(gen);
        return -1;
    }
    if ((gen->resolver = make_resolver(gen)) == NULL
        || (gen->server = SPF_server_new_dns(gen->resolver, 0)) == NULL) {
        if (gen->resolver != NULL)
            SPF_dns_free(gen->resolver);
        strbuf_printf(err, "%s: SPF: cannot create the libspf2 server\n", where);
        testdns_free(gen->zone);
        free(gen);
        return -1;
    }
    /* Ours counts over the whole check (limit_lookup); libspf2's, per
     * record, would also count the includes of ip-term chunks. */
    (void) SPF_server_set_max_dns_mech(gen->server, 100);
    cfg->spf_server = gen;
    return 0;
}

/* spf_free - the generation's server, its cache and zone */
void spf_free(struct pr_config *cfg)
{
    struct spf_gen *gen;

    if (cfg == NULL || (gen = cfg->spf_server) == NULL)
        return;
    cfg->spf_server = NULL;
    SPF_server_free(gen->server);
    SPF_dns_free(gen->resolver);       /* and the layers below it */
    testdns_free(gen->zone);
    free(gen);
}

/* domain_part - the domain after the last '@', or NULL when there is none */
static const char *domain_part(const char *address)
{
    const char *at = address ? strrchr(address, '@') : NULL;

    return at != NULL && at[1] != 0 ? at + 1 : NULL;
}

/* checkable - a multi-label domain name, not an address literal (RFC 7208 4.3) */
static int checkable(const char *domain)
{
    size_t len = domain ? strlen(domain) : 0;

    return len > 0 && len <= 253 && domain[0] != '.' && strchr(domain, '.') != NULL
        && strpbrk(domain, "[]:@ \t\r\n") == NULL;
}

/* map_result - libspf2's result in the project's enum */
static enum spf_result map_result(SPF_response_t *resp)
{
    int dns_error = 0, other_error = 0;

    switch (SPF_response_result(resp)) {
    case LIBSPF2_RESULT_NEUTRAL: return SPF_RESULT_NEUTRAL;
    case LIBSPF2_RESULT_PASS: return SPF_RESULT_PASS;
    case LIBSPF2_RESULT_FAIL: return SPF_RESULT_FAIL;
    case LIBSPF2_RESULT_SOFTFAIL: return SPF_RESULT_SOFTFAIL;
    case LIBSPF2_RESULT_NONE: return SPF_RESULT_NONE;
    case LIBSPF2_RESULT_PERMERROR: return SPF_RESULT_PERMERROR;
    case LIBSPF2_RESULT_TEMPERROR: return SPF_RESULT_TEMPERROR;
    case LIBSPF2_RESULT_INVALID: break;
    }

    /*
     * libspf2 leaves the result "invalid" when a record it fetched does
     * not compile (RFC 7208: permerror) and when a DNS look-up failed on
     * the way (temperror); its messages tell the two apart. Anything
     * else we cannot tell is temperror, never a silent pass.
     */
    for (int i = 0; i < SPF_response_messages(resp); i++) {
        SPF_error_t *m = SPF_response_message(resp, i);

        if (!SPF_error_errorp(m))
            continue;
        if (SPF_error_code(m) == SPF_E_DNS_ERROR)
            dns_error = 1;
        else if (SPF_error_code(m) != SPF_E_NOT_SPF)
            other_error = 1;
    }
    return other_error && !dns_error ? SPF_RESULT_PERMERROR : SPF_RESULT_TEMPERROR;
}

/* log_messages - libspf2's reasons, for the debug log */
static void log_messages(SPF_response_t *resp, const char *identity, enum spf_result res)
{
    if (log_get_level() < LOG_DEBUG)
        return;
    log_msg(LOG_DEBUG, "SPF %s: %s", identity, spf_result_name(res));
    for (int i = 0; i < SPF_response_messages(resp); i++)
        log_msg(LOG_DEBUG, "SPF %s: libspf2 says: %s", identity,
                SPF_error_message(SPF_response_message(resp, i)));
}

/* set_client - the client address into the request and st; -1 if it is not one */
static int set_client(SPF_request_t *req, const char *client_addr, struct check_state *st)
{
    struct in6_addr a6;
    struct in_addr a4;
    netaddr addr;

    if (client_addr == NULL || netaddr_parse(client_addr, &addr) < 0)
        return -1;
    memcpy(st->client, addr.bytes, sizeof(st->client));
    st->client_v6 = !netaddr_is_v4(&addr);
    if (netaddr_is_v4(&addr)) {
        memcpy(&a4, addr.bytes + 12, sizeof(a4));
        return SPF_request_set_ipv4(req, a4) == SPF_E_SUCCESS ? 0 : -1;
    }
    memcpy(&a6, addr.bytes, sizeof(a6));
    return SPF_request_set_ipv6(req, a6) == SPF_E_SUCCESS ? 0 : -1;
}

/*
 * query_loopback - SPF_request_query_mailfrom() without its free pass
 * for loopback clients ("localhost is always allowed"): the same steps
 * through libspf2's public functions and fields, so a loopback client
 * that is not in TrustedNetworks gets the record's own answer.
 */
static void query_loopback(SPF_request_t *req, SPF_response_t **respp)
{
    SPF_record_t *rec = NULL;

    if ((*respp = SPF_response_new(req)) == NULL)
        return;
    req->cur_dom = req->use_helo ? req->helo_dom : req->env_from_dp;
    if (SPF_server_get_record(req->spf_server, req, *respp, &rec) != SPF_E_SUCCESS) {
        if (rec != NULL)
            SPF_record_free(rec);
        return;
    }
    (*respp)->spf_record_exp = rec;
    (void) SPF_record_interpret(rec, req, *respp, 0);
    SPF_record_free(rec);
}

/* new_token - a few random hex digits, so that no record can name a made-up name */
static void new_token(char *buf, size_t size)
{
    unsigned char raw[4] = {0};
    static const char hex[] = "0123456789abcdef";

    if (getrandom(raw, sizeof(raw), GRND_NONBLOCK) != (ssize_t) sizeof(raw)) {
        struct timespec now;

        clock_gettime(CLOCK_MONOTONIC, &now);
        memcpy(raw, &now.tv_nsec, sizeof(raw));
    }
    for (size_t i = 0; i < sizeof(raw) && 2 * i + 2 < size; i++) {
        buf[2 * i] = hex[raw[i] >> 4];
        buf[2 * i + 1] = hex[raw[i] & 15];
        buf[2 * i + 2] = 0;
    }
}

/* spf_check - one check: the MAIL FROM identity, or postmaster@HELO */
enum spf_result spf_check(const struct pr_config *cfg, const char *client_addr,
                          const char *helo, const char *sender)
{
    const struct spf_gen *gen = cfg ? cfg->spf_server : NULL;
    SPF_response_t *resp = NULL;
    SPF_request_t *req;
    struct check_state st;
    struct timespec deadline;
    const char *identity;
    enum spf_result res;

    if (gen == NULL)
        return SPF_RESULT_NOT_CHECKED;
    if (helo != NULL && *helo == 0)
        helo = NULL;
    identity = domain_part(sender) ? sender : helo;
    if (!checkable(domain_part(sender) ? domain_part(sender) : helo))
        return SPF_RESULT_NONE;
    if ((req = SPF_request_new(gen->server)) == NULL)
        return SPF_RESULT_TEMPERROR;
    memset(&st, 0, sizeof(st));
    st.server = gen->server;
    st.sender_domain = domain_part(sender) ? domain_part(sender) : helo;   /* %{o} */
    new_token(st.token, sizeof(st.token));
    if (set_client(req, client_addr, &st) < 0) {
        SPF_request_free(req);
        return SPF_RESULT_NOT_CHECKED;
    }
    if (helo != NULL)
        SPF_request_set_helo_dom(req, helo);
    if (SPF_request_set_env_from(req, identity) != 0) {
        SPF_request_free(req);
        return SPF_RESULT_NONE;
    }
    testdns_deadline(&deadline, gen->timeout);
    st.deadline = &deadline;
    current_check = &st;
    if (SPF_request_is_loopback(req))
        query_loopback(req, &resp);
    else
        (void) SPF_request_query_mailfrom(req, &resp);
    current_check = NULL;
    res = resp != NULL ? map_result(resp) : SPF_RESULT_TEMPERROR;
    if (st.over && res == SPF_RESULT_TEMPERROR)
        res = SPF_RESULT_PERMERROR;     /* refused for the limit, not by DNS */
    if ((st.bad != NULL || st.voids > MAX_VOID) && res != SPF_RESULT_TEMPERROR)
        res = SPF_RESULT_PERMERROR;     /* RFC 7208 4.6 and 4.6.4 */
    if (resp != NULL) {
        log_messages(resp, identity, res);
        SPF_response_free(resp);
    }
    SPF_request_free(req);
    for (size_t i = 0; i < st.nsynth; i++) {
        free(st.synth[i].name);
        free(st.synth[i].real);
        free(st.synth[i].text);
    }
    free(st.synth);
    for (size_t i = 0; i < st.nptrs; i++)
        free(st.ptrs[i]);
    free(st.ptrs);
    return res;
}

/* spf_result_name - the RFC 7208 result names */
const char *spf_result_name(enum spf_result res)
{
    static const char *const names[] = {
        "not-checked", "none", "neutral", "pass", "fail", "softfail",
        "temperror", "permerror", "skipped",
    };

    return (unsigned) res < sizeof(names) / sizeof(names[0]) ? names[res] : "permerror";
}
