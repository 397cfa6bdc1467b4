/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim - DKIM verification with libopendkim; see dkim.h.
 *
 * DESCRIPTION
 *	One DKIM_LIB per config generation; one verify handle per message.
 *	Every key look-up goes through our callback (dkim_set_key_lookup),
 *	which asks testdns: the TestDNSData zone when configured, else the
 *	system resolver. libopendkim's own resolver is never used, because
 *	it runs res_nquery() synchronously behind one process-wide mutex
 *	with the system's time-outs, and its DKIM_OPTS_TIMEOUT only bounds
 *	the wait after such a query has already returned.
 *
 *	Bounded DNS: the end of headers and the end of message (where
 *	libopendkim fetches keys) each set a deadline DNSTimeout seconds
 *	ahead; every key look-up of that phase shares it, so a message's
 *	verification waits at most DNSTimeout for DNS, and a time-out is
 *	temperror for the signatures whose key it was.
 *
 *	Per signature, in the words of RFC 8601 section 2.7.1:
 *	pass	the header hash verifies and the body hash matches;
 *	fail	the signature or the body hash does not verify;
 *	temperror the key look-up failed temporarily (SERVFAIL, time-out);
 *	permerror no key (NXDOMAIN/no TXT), or the key record is unusable
 *		(revoked, malformed, wrong type, too small);
 *	neutral	the signature itself is malformed, expired or otherwise
 *		could not be processed.
 *	The summary is "pass" when any signature passes, else the first of
 *	fail, permerror, temperror, neutral that occurs, else "none".
 *
 *	d= and s= are printed only when they hold nothing but letters,
 *	digits, '.', '-' and '_': they come from the message, and anything
 *	else could break the header or forge a property.
 *
 *	Headers may arrive folded with bare LF (Postfix): the adapter turns
 *	those into CRLF before the library sees them, and the library fixes
 *	the body's (DKIM_LIBFLAGS_FIXCRLF). Signatures that do not parse are
 *	kept (DKIM_LIBFLAGS_BADSIGHANDLES) so they get a result.
 *
 *	Bounded cost: only the first DKIMMaxSignatures DKIM-Signature
 *	fields (topmost first) reach libopendkim; the rest are counted and
 *	reported as one "dkim=policy reason=..." result (RFC 8601: signed,
 *	but not acceptable to this ADMD - here, one too many). Ignoring them
 *	inside the library (a prescreen callback) is not enough: it sets up
 *	a body hash per signature before the callback runs and feeds every
 *	body chunk to all of them, so 400 signatures with distinct l= cost
 *	400 hashes of the body. Not passing them costs nothing. A kept
 *	signature that itself covers DKIM-Signature fields (h=) may then
 *	fail; that happens only on a message with more signatures than the
 *	limit.
 *
 *	A key look-up that fails temporarily leaves libopendkim's signature
 *	unprocessed with an unknown error; the adapter remembers which key
 *	names failed so that such a signature reads temperror, not neutral.
 *
 * DIAGNOSTICS
 *	pr_dkim_lib_init() appends "FILE: message" (or the zone's
 *	"FILE:LINE: message") lines to err and returns -1. A library failure
 *	on one message makes that message's result temperror.
 */
#include "acconfig.h"

#include <sys/types.h>
#include <arpa/nameser.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <opendkim/dkim.h>

#include "config.h"
#include "dkim.h"
#include "log.h"
#include "strbuf.h"
#include "testdns.h"
#include "util.h"

#define DEFAULT_TIMEOUT 5
#define PROP_MAX        255     /* longest d= or s= we print */

struct dkim_gen {
    DKIM_LIB   *lib;
    struct testdns *zone;       /* TestDNSData, or NULL for real DNS */
    int         timeout;        /* DNSTimeout */
};

struct pr_dkim {
    const struct dkim_gen *gen;
    DKIM       *dkim;           /* NULL: the library refused a handle */
    int         broken;         /* a library failure: temperror */
    int         eoh_done;
    int         nosig;          /* no DKIM-Signature header */
    int         finished;
    int         raw_values;     /* values keep the white space after the colon */
    int         max_sigs;       /* DKIMMaxSignatures */
    int         nsigs;          /* DKIM-Signature fields passed to the library */
    int         ignored;        /* those past max_sigs, withheld from it */
    struct timespec deadline;   /* of the current phase's key look-ups */
    strbuf      tempfailed;     /* "\nNAME\n" for each key look-up that failed temporarily */
    const char *summary;
    strbuf      ar;
};

/* Results in summary order: the first that occurs wins (after pass). */
enum sig_result { R_PASS, R_FAIL, R_PERMERROR, R_TEMPERROR, R_NEUTRAL, R_COUNT };

static const char *const result_names[R_COUNT] = {
    "pass", "fail", "permerror", "temperror", "neutral",
};

/* dkim_available - this build has DKIM */
int dkim_available(void)
{
    return 1;
}

/* key_lookup - libopendkim's key callback: "s._domainkey.d" TXT via testdns */
static DKIM_CBSTAT key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
    struct pr_dkim *d = dkim_get_user_context(dkim);
    const char *sel = (const char *) dkim_sig_getselector(sig);
    const char *dom = (const char *) dkim_sig_getdomain(sig);
    struct testdns_answer ans;
    strbuf name = STRBUF_INIT;
    DKIM_CBSTAT rc;

    if (d == NULL || sel == NULL || dom == NULL || buflen == 0)
        return DKIM_CBSTAT_ERROR;
    strbuf_printf(&name, "%s._domainkey.%s", sel, dom);
    testdns_resolve(d->gen->zone, strbuf_str(&name), ns_t_txt, &d->deadline, &ans);
    switch (ans.status) {
    case TESTDNS_FOUND:
        /* Several TXT records at a key name: the first one is the key. */
        if (util_strlcpy((char *) buf, ans.rr[0].text, buflen) >= buflen)
            rc = DKIM_CBSTAT_ERROR;
        else
            rc = DKIM_CBSTAT_CONTINUE;
        break;
    case TESTDNS_NXDOMAIN:
    case TESTDNS_NODATA:
        rc = DKIM_CBSTAT_NOTFOUND;
        break;
    default:
        if (ans.timed_out)
            log_msg(LOG_INFO, "DKIM: key look-up of %s timed out", strbuf_str(&name));
        /* libopendkim leaves such a signature unprocessed, error unknown. */
        strbuf_printf(&d->tempfailed, "\n%s\n", strbuf_str(&name));
        rc = DKIM_CBSTAT_TRYAGAIN;
        break;
    }
    testdns_answer_free(&ans);
    strbuf_release(&name);
    return rc;
}

/* pr_dkim_lib_init - the generation's library handle */
int pr_dkim_lib_init(struct pr_config *cfg, struct strbuf *err)
{
    const char *where = cfg->path ? cfg->path : "(built-in defaults)";
    struct dkim_gen *gen;
    unsigned int flags = 0, timeout;

    if (cfg->dkim_lib != NULL)
        return 0;
    gen = util_calloc(1, sizeof(*gen));
    gen->timeout = cfg->dns_timeout > 0 ? cfg->dns_timeout : DEFAULT_TIMEOUT;
    if (cfg->test_dns_data != NULL
        && (gen->zone = testdns_load(cfg->test_dns_data, err)) == NULL) {
        free(gen);
        return -1;
    }
    timeout = (unsigned int) gen->timeout;
    if ((gen->lib = dkim_init(NULL, NULL)) == NULL
        || dkim_options(gen->lib, DKIM_OP_GETOPT, DKIM_OPTS_FLAGS, &flags, sizeof(flags)) != DKIM_STAT_OK
        || (flags |= DKIM_LIBFLAGS_FIXCRLF | DKIM_LIBFLAGS_BADSIGHANDLES,
            dkim_options(gen->lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof(flags)) != DKIM_STAT_OK)
        || dkim_options(gen->lib, DKIM_OP_SETOPT, DKIM_OPTS_TIMEOUT, &timeout, sizeof(timeout)) != DKIM_STAT_OK
        || dkim_set_key_lookup(gen->lib, key_lookup) != DKIM_STAT_OK) {
        strbuf_printf(err, "%s: DKIM: cannot set up libopendkim\n", where);
        if (gen->lib != NULL)
            dkim_close(gen->lib);
        testdns_free(gen->zone);
        free(gen);
        return -1;
    }
    cfg->dkim_lib = gen;
    return 0;
}

/* pr_dkim_lib_free - the generation's library handle and zone */
void pr_dkim_lib_free(struct pr_config *cfg)
{
    struct dkim_gen *gen;

    if (cfg == NULL || (gen = cfg->dkim_lib) == NULL)
        return;
    cfg->dkim_lib = NULL;
    dkim_close(gen->lib);
    testdns_free(gen->zone);
    free(gen);
}

/* pr_dkim_new - a verifier for one message, or NULL when DKIM is off */
struct pr_dkim *pr_dkim_new(const struct pr_config *cfg)
{
    const struct dkim_gen *gen = cfg ? cfg->dkim_lib : NULL;
    struct pr_dkim *d;
    DKIM_STAT stat = DKIM_STAT_OK;

    if (gen == NULL)
        return NULL;
    d = util_calloc(1, sizeof(*d));
    d->gen = gen;
    d->max_sigs = cfg->dkim_max_sigs > 0 ? cfg->dkim_max_sigs : PR_DKIM_DEFAULT_SIGS;
    if (d->max_sigs > PR_DKIM_MAX_SIGS)
        d->max_sigs = PR_DKIM_MAX_SIGS;
    d->dkim = dkim_verify(gen->lib, (const unsigned char *) "portrole", NULL, &stat);
    if (d->dkim == NULL || dkim_set_user_context(d->dkim, d) != DKIM_STAT_OK) {
        log_msg(LOG_WARNING, "DKIM: libopendkim refused a verify handle: %s",
                dkim_getresultstr(stat));
        d->broken = 1;
    }
    return d;
}

/* usable - the handle can still take message data */
static int usable(const struct pr_dkim *d)
{
    return d != NULL && d->dkim != NULL && !d->broken && !d->finished;
}

/* library_failed - statuses that mean the library, not the message, failed */
static int library_failed(DKIM_STAT stat)
{
    return stat == DKIM_STAT_NORESOURCE || stat == DKIM_STAT_INTERNAL
        || stat == DKIM_STAT_INVALID;
}

/* pr_dkim_header - one header field, as "Name: value" with CRLF folds */
void pr_dkim_header(struct pr_dkim *d, const char *name, const char *value)
{
    strbuf field = STRBUF_INIT;

    if (!usable(d) || d->eoh_done || name == NULL)
        return;
    if (util_strcaseeq(name, "DKIM-Signature") && d->nsigs++ >= d->max_sigs) {
        d->ignored++;                   /* never hashed, never looked up */
        return;
    }
    /* Without SMFIP_HDR_LEADSPC the MTA dropped the space after the colon. */
    strbuf_printf(&field, d->raw_values ? "%s:" : "%s: ", name);
    /* Postfix folds with a bare LF; the signer hashed CRLF. */
    for (const char *p = value ? value : ""; *p; p++) {
        if (*p == '\n' && (p == value || p[-1] != '\r'))
            strbuf_putc(&field, '\r');
        strbuf_putc(&field, *p);
    }
    /* A malformed header is the message's problem, not ours: carry on. */
    if (library_failed(dkim_header(d->dkim, (u_char *) field.data, field.len)))
        d->broken = 1;
    strbuf_release(&field);
}

/* pr_dkim_raw_values - header values arrive exactly as written after the colon */
void pr_dkim_raw_values(struct pr_dkim *d)
{
    if (d != NULL)
        d->raw_values = 1;
}

/* pr_dkim_eoh - end of headers: signatures are parsed, keys may be fetched */
void pr_dkim_eoh(struct pr_dkim *d)
{
    DKIM_STAT stat;

    if (!usable(d) || d->eoh_done)
        return;
    d->eoh_done = 1;
    testdns_deadline(&d->deadline, d->gen->timeout);
    stat = dkim_eoh(d->dkim);
    if (stat == DKIM_STAT_NOSIG)
        d->nosig = 1;
    else if (library_failed(stat))
        d->broken = 1;
}

/* pr_dkim_body - a body chunk, CRLF line ends as the MTA sends them */
void pr_dkim_body(struct pr_dkim *d, const unsigned char *data, size_t len)
{
    if (!usable(d) || data == NULL || len == 0)
        return;
    if (!d->eoh_done)
        pr_dkim_eoh(d);
    if (!usable(d) || d->nosig)
        return;
    if (library_failed(dkim_body(d->dkim, (u_char *) data, len)))
        d->broken = 1;
}

/* key_tempfailed - the key look-up of this signature failed temporarily */
static int key_tempfailed(const struct pr_dkim *d, DKIM_SIGINFO *sig)
{
    strbuf name = STRBUF_INIT;
    int found;

    strbuf_printf(&name, "\n%s._domainkey.%s\n", (const char *) dkim_sig_getselector(sig),
                  (const char *) dkim_sig_getdomain(sig));
    found = d->tempfailed.len > 0 && strstr(strbuf_str(&d->tempfailed), strbuf_str(&name)) != NULL;
    strbuf_release(&name);
    return found;
}

/* sig_result - one signature's RFC 8601 result */
static enum sig_result sig_result(const struct pr_dkim *d, DKIM_SIGINFO *sig)
{
    unsigned int flags = dkim_sig_getflags(sig);
    int bh = dkim_sig_getbh(sig);

    if ((flags & DKIM_SIGFLAG_PASSED) && bh == DKIM_SIGBH_MATCH)
        return R_PASS;
    if (!(flags & DKIM_SIGFLAG_PROCESSED) && dkim_sig_getselector(sig) != NULL
        && dkim_sig_getdomain(sig) != NULL && key_tempfailed(d, sig))
        return R_TEMPERROR;
    switch (dkim_sig_geterror(sig)) {
    case DKIM_SIGERROR_OK:
        /* Verified but the body changed, or processed and not verified. */
        if (bh == DKIM_SIGBH_MISMATCH || (flags & DKIM_SIGFLAG_PROCESSED))
            return R_FAIL;
        return R_NEUTRAL;
    case DKIM_SIGERROR_BADSIG:
        return R_FAIL;
    case DKIM_SIGERROR_KEYFAIL:
        return R_TEMPERROR;
    case DKIM_SIGERROR_NOKEY:
    case DKIM_SIGERROR_DNSSYNTAX:
    case DKIM_SIGERROR_MULTIREPLY:
    case DKIM_SIGERROR_KEYVERSION:
    case DKIM_SIGERROR_KEYUNKNOWNHASH:
    case DKIM_SIGERROR_KEYHASHMISMATCH:
    case DKIM_SIGERROR_NOTEMAILKEY:
    case DKIM_SIGERROR_KEYTYPEMISSING:
    case DKIM_SIGERROR_KEYTYPEUNKNOWN:
    case DKIM_SIGERROR_KEYREVOKED:
    case DKIM_SIGERROR_KEYDECODE:
    case DKIM_SIGERROR_KEYTOOSMALL:
        return R_PERMERROR;
    default:
        return R_NEUTRAL;
    }
}

/* put_prop - " header.X=value" when the value is plainly a name */
static void put_prop(strbuf *out, const char *prop, const unsigned char *value)
{
    size_t len = value ? strlen((const char *) value) : 0;

    if (len == 0 || len > PROP_MAX
        || strspn((const char *) value, "abcdefghijklmnopqrstuvwxyz"
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != len)
        return;
    strbuf_printf(out, " %s=%s", prop, (const char *) value);
}

/* no_signatures - the summary when the library lists no signature */
static const char *no_signatures(DKIM_STAT stat)
{
    switch (stat) {
    case DKIM_STAT_OK:
    case DKIM_STAT_NOSIG:
        return "none";
    case DKIM_STAT_NORESOURCE:
    case DKIM_STAT_INTERNAL:
    case DKIM_STAT_KEYFAIL:
    case DKIM_STAT_CBTRYAGAIN:
        return "temperror";
    default:
        return "permerror";
    }
}

/* finish - end of message: verify, render every signature, summarise */
static void finish(struct pr_dkim *d)
{
    DKIM_SIGINFO **sigs = NULL;
    int nsigs = 0, seen[R_COUNT] = {0};
    DKIM_STAT stat = DKIM_STAT_NOSIG;
    enum sig_result r;

    if (!d->broken && d->dkim != NULL && !d->eoh_done)
        pr_dkim_eoh(d);
    d->finished = 1;
    if (!d->broken && !d->nosig) {
        testdns_deadline(&d->deadline, d->gen->timeout);
        stat = dkim_eom(d->dkim, NULL);
        if (library_failed(stat))
            d->broken = 1;
        else if (dkim_getsiglist(d->dkim, &sigs, &nsigs) != DKIM_STAT_OK)
            nsigs = 0;
    }
    if (d->broken) {
        d->summary = "temperror";
    } else if (nsigs <= 0) {
        d->summary = no_signatures(stat);
    } else {
        for (int i = 0; i < nsigs; i++) {
            r = sig_result(d, sigs[i]);
            seen[r] = 1;
            if (d->ar.len > 0)
                strbuf_puts(&d->ar, "; ");
            strbuf_printf(&d->ar, "dkim=%s", result_names[r]);
            put_prop(&d->ar, "header.d", dkim_sig_getdomain(sigs[i]));
            put_prop(&d->ar, "header.s", dkim_sig_getselector(sigs[i]));
        }
        if (d->ignored > 0)
            strbuf_printf(&d->ar, "%sdkim=policy reason=\"%d more signature%s not verified, "
                          "DKIMMaxSignatures %d\"", d->ar.len > 0 ? "; " : "", d->ignored,
                          d->ignored > 1 ? "s" : "", d->max_sigs);
        d->summary = "neutral";
        for (r = R_PASS; r < R_COUNT; r++)
            if (seen[r]) {
                d->summary = result_names[r];
                break;
            }
        return;
    }
    strbuf_printf(&d->ar, "dkim=%s", d->summary);
}

/* pr_dkim_result - AR fragments into ar; the summary, or NULL when DKIM did not run */
const char *pr_dkim_result(struct pr_dkim *d, struct strbuf *ar)
{
    if (d == NULL)
        return NULL;
    if (!d->finished)
        finish(d);
    if (ar != NULL)
        strbuf_puts(ar, strbuf_str(&d->ar));
    return d->summary;
}

/* pr_dkim_free - the message's verifier */
void pr_dkim_free(struct pr_dkim *d)
{
    if (d == NULL)
        return;
    if (d->dkim != NULL)
        dkim_free(d->dkim);
    strbuf_release(&d->ar);
    strbuf_release(&d->tempfailed);
    free(d);
}
