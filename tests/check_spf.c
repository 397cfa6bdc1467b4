/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_spf - the SPF adapter (libspf2) and the TestDNSData reader.
 *
 * DESCRIPTION
 *	Every check runs against tests/data/dns/spf.zone (found through
 *	$srcdir or $top_srcdir) or a zone written by the test; nothing here
 *	uses real DNS. The result table covers pass, fail, softfail, neutral,
 *	none, permerror (syntax, two records, too many look-ups, include of
 *	a domain without SPF), temperror (SERVFAIL, and a name that never
 *	answers, bounded by DNSTimeout), the null sender's HELO identity,
 *	IPv6 and IPv4-mapped clients, a and mx, include: and redirect=.
 *	The zone reader gets its own cases: joined and escaped TXT strings,
 *	NXDOMAIN against NODATA, bad lines reported as FILE:LINE, and what
 *	the RFC 7208 suite needs: \DDD bytes (NUL, CR, 8-bit), the empty TXT
 *	record, the null MX, CNAME chains and loops, names with any printable
 *	byte, and TIMEOUT per type.
 *
 *	Built without SPF (./configure --without-spf), the suite checks the
 *	stub twin instead: never a result, never an error.
 */
#include "acconfig.h"

#include <arpa/nameser.h>
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "spf.h"
#include "strbuf.h"
#include "testdns.h"

#define NROWS(t) ((int) (sizeof(t) / sizeof((t)[0])))

static char zone_path[4096];

/* find_zone - tests/data/dns/spf.zone under $srcdir, $top_srcdir or . */
static void find_zone(void)
{
    const char *dir = getenv("srcdir");

    if (dir == NULL)
        dir = getenv("top_srcdir");
    snprintf(zone_path, sizeof(zone_path), "%s/tests/data/dns/spf.zone", dir ? dir : ".");
}

/* write_file - a scratch file with this text; the caller unlinks it */
static void write_file(char *path, const char *text)
{
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t) strlen(text));
    close(fd);
}

#ifdef WITH_SPF

/* new_config - a config with SPF on over the given zone */
static struct pr_config *new_config(const char *zone, int timeout)
{
    struct pr_config *cfg = calloc(1, sizeof(*cfg));
    strbuf err = STRBUF_INIT;

    ck_assert_ptr_nonnull(cfg);
    cfg->spf = 1;
    cfg->dns_timeout = timeout;
    cfg->test_dns_data = (char *) zone;
    ck_assert_msg(spf_init(cfg, &err) == 0, "spf_init: %s", strbuf_str(&err));
    ck_assert_ptr_nonnull(cfg->spf_server);
    strbuf_release(&err);
    return cfg;
}

/* drop_config - undo new_config */
static void drop_config(struct pr_config *cfg)
{
    spf_free(cfg);
    ck_assert_ptr_null(cfg->spf_server);
    spf_free(cfg);              /* twice is harmless */
    free(cfg);
}

/* ---- the results ---- */

static const struct spf_case {
    const char *client, *helo, *sender;
    enum spf_result want;
} spf_cases[] = {
    /* the four qualifiers */
    {"192.0.2.1", "mx.pass.example", "alice@pass.example", SPF_RESULT_PASS},
    {"198.51.100.1", "mx.fail.example", "alice@fail.example", SPF_RESULT_FAIL},
    {"198.51.100.1", "h.example", "alice@softfail.example", SPF_RESULT_SOFTFAIL},
    {"198.51.100.1", "h.example", "alice@neutral.example", SPF_RESULT_NEUTRAL},
    {"192.0.2.1", "h.example", "ALICE@PASS.EXAMPLE.", SPF_RESULT_PASS},
    /* none: no SPF record, no TXT at all, no such domain */
    {"192.0.2.1", "h.example", "alice@nospf.example", SPF_RESULT_NONE},
    {"192.0.2.1", "h.example", "alice@notxt.example", SPF_RESULT_NONE},
    {"192.0.2.1", "h.example", "alice@absent.example", SPF_RESULT_NONE},
    /* strings of one record are joined */
    {"2001:db8:1::5", "h.example", "alice@split.example", SPF_RESULT_PASS},
    {"192.0.2.200", "h.example", "alice@split.example", SPF_RESULT_PASS},
    {"198.51.100.1", "h.example", "alice@split.example", SPF_RESULT_FAIL},
    /* IPv6 in every wrapping the MTAs use, and IPv4-mapped */
    {"2001:db8:1::5", "h.example", "alice@v6.example", SPF_RESULT_PASS},
    {"IPv6:2001:db8:1::5", "h.example", "alice@v6.example", SPF_RESULT_PASS},
    {"[IPv6:2001:db8:1::5]", "h.example", "alice@v6.example", SPF_RESULT_PASS},
    {"2001:db8:2::5", "h.example", "alice@v6.example", SPF_RESULT_FAIL},
    {"::ffff:192.0.2.1", "h.example", "alice@pass.example", SPF_RESULT_PASS},
    /* a and mx, over A, AAAA and MX records */
    {"198.51.100.7", "h.example", "alice@amx.example", SPF_RESULT_PASS},
    {"198.51.100.25", "h.example", "alice@amx.example", SPF_RESULT_PASS},
    {"2001:db8:25::25", "h.example", "alice@amx.example", SPF_RESULT_PASS},
    {"192.0.2.9", "h.example", "alice@amx.example", SPF_RESULT_FAIL},
    /* include: and redirect= */
    {"192.0.2.1", "h.example", "alice@include.example", SPF_RESULT_PASS},
    {"198.51.100.1", "h.example", "alice@include.example", SPF_RESULT_FAIL},
    {"192.0.2.1", "h.example", "alice@redirect.example", SPF_RESULT_PASS},
    {"198.51.100.1", "h.example", "alice@redirect.example", SPF_RESULT_SOFTFAIL},
    /* permerror */
    {"192.0.2.1", "h.example", "alice@include-none.example", SPF_RESULT_PERMERROR},
    {"192.0.2.1", "h.example", "alice@bad.example", SPF_RESULT_PERMERROR},
    {"192.0.2.1", "h.example", "alice@badmacro.example", SPF_RESULT_PERMERROR},
    {"192.0.2.1", "h.example", "alice@two.example", SPF_RESULT_PERMERROR},
    {"192.0.2.1", "h.example", "alice@many.example", SPF_RESULT_PERMERROR},
    {"192.0.2.1", "h.example", "alice@loop.example", SPF_RESULT_PERMERROR},
    {"192.0.2.1", "h.example", "alice@deep.example", SPF_RESULT_PERMERROR},
    {"192.0.2.1", "h.example", "alice@self.example", SPF_RESULT_PERMERROR},
    /* the limit is ten: exactly ten look-ups still evaluate */
    {"192.0.2.1", "h.example", "alice@ten.example", SPF_RESULT_FAIL},
    /* RFC 7208 4.6.4: two void look-ups are allowed, a third is permerror */
    {"192.0.2.1", "h.example", "alice@void2.example", SPF_RESULT_NEUTRAL},
    {"192.0.2.1", "h.example", "alice@void3.example", SPF_RESULT_PERMERROR},
    /* RFC 7208 syntax libspf2 lets through: permerror, never fail */
    {"192.0.2.1", "h.example", "alice@toplabel.example", SPF_RESULT_PERMERROR},
    {"192.0.2.1", "h.example", "alice@twice.example", SPF_RESULT_PERMERROR},
    {"198.51.100.1", "h.example", "alice@nul.example", SPF_RESULT_PERMERROR},
    {"198.51.100.1", "h.example", "alice@eightbit.example", SPF_RESULT_PERMERROR},
    {"192.0.2.1", "h.example", "alice@badmacro.example", SPF_RESULT_PERMERROR},
    /* valid records libspf2 refuses: /0 matches every address, a/0 any A record */
    {"192.0.2.1", "h.example", "alice@zero.example", SPF_RESULT_PASS},
    {"2001:db8:1::9", "h.example", "alice@zero6.example", SPF_RESULT_PASS},
    {"192.0.2.1", "h.example", "alice@zero6.example", SPF_RESULT_FAIL},
    {"192.0.2.1", "h.example", "alice@azero.example", SPF_RESULT_PASS},
    {"192.0.2.1", "h.example", "alice@azeronone.example", SPF_RESULT_FAIL},
    {"192.0.2.1", "h.example", "alice@modname.example", SPF_RESULT_PASS},
    /* issue 25 item 5: 65 terms are valid RFC 7208 (no term limit) */
    {"198.51.100.65", "h.example", "alice@terms65.example", SPF_RESULT_PASS},
    {"198.51.100.1", "h.example", "alice@terms65.example", SPF_RESULT_PASS},
    {"198.51.100.66", "h.example", "alice@terms65.example", SPF_RESULT_FAIL},
    /* issue 25 item 8: '/' inside a macro's delimiters is not the CIDR length */
    {"192.0.2.77", "h.example", "alice@slash.example", SPF_RESULT_PASS},
    {"198.51.100.77", "h.example", "alice@slash.example", SPF_RESULT_FAIL},
    {"192.0.2.10", "h.example", "alice@slash2.example", SPF_RESULT_PASS},
    {"192.0.2.11", "h.example", "alice@slash2.example", SPF_RESULT_FAIL},
    /* issue 25 item 3: a /0 wildcard matches only in the record that wrote it */
    {"192.0.2.9", "h.example", "alice@wildleak.example", SPF_RESULT_FAIL},
    {"192.0.2.9", "h.example", "alice@wildinc.example", SPF_RESULT_SOFTFAIL},
    {"203.0.113.50", "h.example", "alice@wildinc.example", SPF_RESULT_PASS},
    {"192.0.2.9", "h.example", "alice@mxinc.example", SPF_RESULT_SOFTFAIL},
    {"203.0.113.51", "h.example", "alice@mxinc.example", SPF_RESULT_PASS},
    /* issue 25 item 4: only libspf2's own look-ups of MX/PTR hosts are free */
    {"192.0.2.9", "h.example", "alice@mxcount.example", SPF_RESULT_PERMERROR},
    {"192.0.2.9", "h.example", "alice@mxcount9.example", SPF_RESULT_FAIL},
    {"203.0.113.60", "h.example", "alice@mxcount9.example", SPF_RESULT_PASS},
    {"192.0.2.99", "h.example", "alice@ptrcount.example", SPF_RESULT_PERMERROR},
    {"192.0.2.99", "h.example", "alice@ptrcount9.example", SPF_RESULT_FAIL},
    /* issue 25 item 5: past libspf2's 511 bytes, never a wrong neutral */
    {"2001:db8:30::1e", "h.example", "alice@ip6many.example", SPF_RESULT_PASS},
    {"2001:db8:30::1f", "h.example", "alice@ip6many.example", SPF_RESULT_FAIL},
    {"2001:db8:200::c8", "h.example", "alice@ip6lots.example", SPF_RESULT_PASS},
    {"192.0.2.1", "h.example", "alice@ip6lots.example", SPF_RESULT_NEUTRAL},
    {"198.51.100.1", "h.example", "alice@ip6lots.example", SPF_RESULT_FAIL},
    {"192.0.2.1", "h.example", "alice@bigname.example", SPF_RESULT_PERMERROR},
    /* issue 13 item 13: a loopback client is evaluated (libspf2 passes it unasked) */
    {"127.0.0.1", "h.example", "alice@loopfail.example", SPF_RESULT_FAIL},
    {"::1", "h.example", "alice@loopfail.example", SPF_RESULT_FAIL},
    {"127.0.0.1", "h.example", "alice@looppass.example", SPF_RESULT_PASS},
    {"::1", "h.example", "alice@looppass.example", SPF_RESULT_PASS},
    {"127.0.0.2", "h.example", "alice@looppass.example", SPF_RESULT_FAIL},
    /* an unknown modifier is ignored (RFC 7208 6) */
    {"192.0.2.1", "h.example", "alice@modifier.example", SPF_RESULT_PASS},
    /* temperror: the server fails, on the record or under an include */
    {"192.0.2.1", "h.example", "alice@servfail.example", SPF_RESULT_TEMPERROR},
    {"192.0.2.1", "h.example", "alice@inc-servfail.example", SPF_RESULT_TEMPERROR},
    /* a match before the failing include never needs it */
    {"198.51.100.1", "h.example", "alice@inc-slow.example", SPF_RESULT_PASS},
    /* null sender: postmaster@HELO */
    {"192.0.2.25", "helo.example", "", SPF_RESULT_PASS},
    {"192.0.2.26", "helo.example", "", SPF_RESULT_FAIL},
    {"192.0.2.25", "helo.example", NULL, SPF_RESULT_PASS},
    {"192.0.2.25", "helo.example", "postmaster", SPF_RESULT_PASS},
    /* the sender's domain wins over HELO when there is one */
    {"192.0.2.25", "helo.example", "alice@v6.example", SPF_RESULT_FAIL},
    /* nothing to check: no identity, or one that is not a domain name */
    {"192.0.2.25", "", "", SPF_RESULT_NONE},
    {"192.0.2.25", NULL, NULL, SPF_RESULT_NONE},
    {"192.0.2.25", "[192.0.2.25]", "", SPF_RESULT_NONE},
    {"192.0.2.25", "localhost", "", SPF_RESULT_NONE},
    /* no usable client address */
    {"", "h.example", "alice@pass.example", SPF_RESULT_NOT_CHECKED},
    {NULL, "h.example", "alice@pass.example", SPF_RESULT_NOT_CHECKED},
    {"unknown", "h.example", "alice@pass.example", SPF_RESULT_NOT_CHECKED},
};

START_TEST(test_results)
{
    const struct spf_case *c = &spf_cases[_i];
    struct pr_config *cfg = new_config(zone_path, 5);
    enum spf_result got = spf_check(cfg, c->client, c->helo, c->sender);

    ck_assert_msg(got == c->want, "client=%s helo=%s sender=%s: got %s, want %s",
                  c->client ? c->client : "(null)", c->helo ? c->helo : "(null)",
                  c->sender ? c->sender : "(null)", spf_result_name(got),
                  spf_result_name(c->want));
    drop_config(cfg);
}
END_TEST

/* elapsed - seconds since start */
static double elapsed(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double) (now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

START_TEST(test_timeout_is_temperror)
{
    struct pr_config *cfg = new_config(zone_path, 1);
    struct timespec start;
    enum spf_result got;
    double took;

    clock_gettime(CLOCK_MONOTONIC, &start);
    got = spf_check(cfg, "192.0.2.1", "h.example", "alice@inc-slow.example");
    took = elapsed(&start);
    ck_assert_str_eq(spf_result_name(got), "temperror");
    ck_assert_msg(took >= 0.9 && took < 2.5, "waited %.2f s for DNSTimeout 1", took);

    /* The deadline covers the whole check, not each look-up. */
    clock_gettime(CLOCK_MONOTONIC, &start);
    got = spf_check(cfg, "192.0.2.1", "h.example", "alice@slow-twice.example");
    took = elapsed(&start);
    ck_assert_str_eq(spf_result_name(got), "temperror");
    ck_assert_msg(took < 2.5, "two slow names waited %.2f s for DNSTimeout 1", took);
    drop_config(cfg);
}
END_TEST

START_TEST(test_not_configured)
{
    struct pr_config *cfg = calloc(1, sizeof(*cfg));

    ck_assert_int_eq(spf_available(), 1);
    ck_assert_int_eq(spf_check(cfg, "192.0.2.1", "h.example", "a@pass.example"),
                     SPF_RESULT_NOT_CHECKED);
    ck_assert_int_eq(spf_check(NULL, "192.0.2.1", "h.example", "a@pass.example"),
                     SPF_RESULT_NOT_CHECKED);
    spf_free(cfg);
    spf_free(NULL);
    free(cfg);
}
END_TEST

/* ---- one shared server, many threads ---- */

struct worker_arg {
    struct pr_config *cfg;
    int failures;
};

/* checker - run the pass/fail rows over and over */
static void *checker(void *p)
{
    struct worker_arg *arg = p;

    for (int n = 0; n < 40; n++) {
        const struct spf_case *c = &spf_cases[n % 24];

        if (spf_check(arg->cfg, c->client, c->helo, c->sender) != c->want)
            arg->failures++;
    }
    return NULL;
}

START_TEST(test_threads_share_server)
{
    struct pr_config *cfg = new_config(zone_path, 5);
    struct worker_arg args[8];
    pthread_t tids[8];

    for (int i = 0; i < 8; i++) {
        args[i].cfg = cfg;
        args[i].failures = 0;
        ck_assert_int_eq(pthread_create(&tids[i], NULL, checker, &args[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(tids[i], NULL);
        ck_assert_int_eq(args[i].failures, 0);
    }
    drop_config(cfg);
}
END_TEST

/* ---- init errors ---- */

START_TEST(test_bad_zone_refused)
{
    char path[] = "/tmp/portrole-zone-XXXXXX";
    struct pr_config *cfg = calloc(1, sizeof(*cfg));
    strbuf err = STRBUF_INIT, want = STRBUF_INIT;

    write_file(path, "ok.example TXT \"v=spf1 -all\"\n"
               "# a comment\n"
               "bad.example TXT \"\\256\"\n"
               "bad.example TXT unquoted\n"
               "bad.example A 999.1.1.1\n"
               "bad.example MX ten host\n"
               "bad.example TXT \"open\n");
    cfg->spf = 1;
    cfg->test_dns_data = path;
    ck_assert_int_eq(spf_init(cfg, &err), -1);
    ck_assert_ptr_null(cfg->spf_server);
    for (int line = 3; line <= 7; line++) {
        strbuf_reset(&want);
        strbuf_printf(&want, "%s:%d: ", path, line);
        ck_assert_msg(strstr(strbuf_str(&err), strbuf_str(&want)) != NULL,
                      "no error for line %d in: %s", line, strbuf_str(&err));
    }
    ck_assert_ptr_null(strstr(strbuf_str(&err), ":1: "));

    strbuf_reset(&err);
    unlink(path);
    ck_assert_int_eq(spf_init(cfg, &err), -1);
    ck_assert_ptr_nonnull(strstr(strbuf_str(&err), "cannot open"));
    strbuf_release(&err);
    strbuf_release(&want);
    free(cfg);
}
END_TEST

#else /* SPF compiled out: the stub twin */

START_TEST(test_stub)
{
    struct pr_config *cfg = calloc(1, sizeof(*cfg));
    strbuf err = STRBUF_INIT;

    ck_assert_int_eq(spf_available(), 0);
    cfg->test_dns_data = zone_path;
    ck_assert_int_eq(spf_init(cfg, &err), 0);
    ck_assert_uint_eq(err.len, 0);
    ck_assert_int_eq(spf_check(cfg, "192.0.2.1", "h.example", "alice@pass.example"),
                     SPF_RESULT_NOT_CHECKED);
    ck_assert_int_eq(spf_check(NULL, NULL, NULL, NULL), SPF_RESULT_NOT_CHECKED);
    spf_free(cfg);
    spf_free(NULL);
    free(cfg);
}
END_TEST

#endif

START_TEST(test_result_names)
{
    static const char *const want[] = {
        "not-checked", "none", "neutral", "pass", "fail", "softfail",
        "temperror", "permerror",
    };

    for (int r = SPF_RESULT_NOT_CHECKED; r <= SPF_RESULT_PERMERROR; r++)
        ck_assert_str_eq(spf_result_name((enum spf_result) r), want[r]);
    ck_assert_str_eq(spf_result_name((enum spf_result) 99), "permerror");
}
END_TEST

/* ---- the zone reader ---- */

START_TEST(test_zone_reader)
{
    char path[] = "/tmp/portrole-zone-XXXXXX";
    strbuf err = STRBUF_INIT;
    struct testdns_answer ans;
    struct timespec deadline;
    struct testdns *z;

    write_file(path,
               "# TXT strings are joined; escapes and '#' inside quotes are data\n"
               "Multi.Example.  TXT \"v=spf1 \" \"a\\\"b\\\\c\" \"#x\"  # comment\n"
               "multi.example   TXT \"second\"\n"
               "multi.example   MX 5 MX1.Multi.Example.\n"
               "multi.example   AAAA 2001:db8::1\n"
               "fail.example    SERVFAIL\n"
               "\n");
    z = testdns_load(path, &err);
    unlink(path);
    ck_assert_msg(z != NULL, "%s", strbuf_str(&err));
    ck_assert_uint_eq(testdns_count(z), 5);
    testdns_deadline(&deadline, 5);

    testdns_resolve(z, "MULTI.example.", ns_t_txt, &deadline, &ans);
    ck_assert_int_eq(ans.status, TESTDNS_FOUND);
    ck_assert_uint_eq(ans.nrr, 2);
    ck_assert_str_eq(ans.rr[0].text, "v=spf1 a\"b\\c#x");
    ck_assert_str_eq(ans.rr[1].text, "second");
    testdns_answer_free(&ans);

    testdns_resolve(z, "multi.example", ns_t_mx, &deadline, &ans);
    ck_assert_int_eq(ans.status, TESTDNS_FOUND);
    ck_assert_uint_eq(ans.rr[0].pref, 5);
    ck_assert_str_eq(ans.rr[0].text, "mx1.multi.example");
    testdns_answer_free(&ans);

    testdns_resolve(z, "multi.example", ns_t_aaaa, &deadline, &ans);
    ck_assert_int_eq(ans.status, TESTDNS_FOUND);
    ck_assert_int_eq(ans.rr[0].addr[0], 0x20);
    ck_assert_int_eq(ans.rr[0].addr[15], 0x01);
    testdns_answer_free(&ans);

    testdns_resolve(z, "multi.example", ns_t_a, &deadline, &ans);
    ck_assert_str_eq(testdns_status_name(ans.status), "nodata");
    testdns_resolve(z, "other.example", ns_t_txt, &deadline, &ans);
    ck_assert_str_eq(testdns_status_name(ans.status), "nxdomain");
    testdns_resolve(z, "fail.example", ns_t_txt, &deadline, &ans);
    ck_assert_str_eq(testdns_status_name(ans.status), "tempfail");
    ck_assert_int_eq(ans.timed_out, 0);
    testdns_resolve(z, "", ns_t_txt, &deadline, &ans);
    ck_assert_str_eq(testdns_status_name(ans.status), "nxdomain");
    testdns_answer_free(&ans);
    testdns_answer_free(NULL);
    testdns_free(z);
    testdns_free(NULL);
    strbuf_release(&err);
}
END_TEST

/* resolve_one - one look-up; the status name and the first record's text */
static const char *resolve_one(const struct testdns *z, const char *name, int type,
                               struct testdns_answer *ans)
{
    struct timespec deadline;

    testdns_deadline(&deadline, 1);
    testdns_answer_free(ans);
    testdns_resolve(z, name, type, &deadline, ans);
    return testdns_status_name(ans->status);
}

START_TEST(test_zone_suite_features)
{
    char path[] = "/tmp/portrole-zone-XXXXXX";
    strbuf err = STRBUF_INIT;
    struct testdns *z;
    struct testdns_answer ans = {0};

    write_file(path, "bytes.example TXT \"v=spf1 \\226all\\013\\000x\" \"\\\"q\"\n"
               "empty.example TXT \"\"\n"
               "nomx.example MX 0 .\n"
               "alias.example CNAME Mid.Example.\n"
               "mid.example CNAME target.example\n"
               "target.example A 192.0.2.7\n"
               "loop.example CNAME loop2.example\n"
               "loop2.example CNAME loop.example\n"
               "macro%percent\\032\\032space.example TXT \"ok\"\n"
               "foo:bar/baz.example A 192.0.2.8\n"
               "half.example TXT \"v=spf1 a -all\"\n"
               "half.example TIMEOUT\n"
               "typed.example A 192.0.2.9\n"
               "typed.example TIMEOUT MX\n");
    z = testdns_load(path, &err);
    ck_assert_msg(z != NULL, "%s", strbuf_str(&err));
    ck_assert_str_eq(resolve_one(z, "bytes.example", ns_t_txt, &ans), "found");
    ck_assert_uint_eq(ans.rr[0].len, 16);
    ck_assert_int_eq(memcmp(ans.rr[0].text, "v=spf1 \xe2" "all\r\0x\"q", 17), 0);
    ck_assert_str_eq(resolve_one(z, "empty.example", ns_t_txt, &ans), "found");
    ck_assert_uint_eq(ans.nrr, 1);
    ck_assert_str_eq(ans.rr[0].text, "");
    ck_assert_str_eq(resolve_one(z, "nomx.example", ns_t_mx, &ans), "found");
    ck_assert_uint_eq(ans.rr[0].pref, 0);
    ck_assert_str_eq(ans.rr[0].text, "");
    /* a chain is followed, the CNAME itself answers a CNAME question */
    ck_assert_str_eq(resolve_one(z, "alias.example", ns_t_a, &ans), "found");
    ck_assert_int_eq(ans.rr[0].addr[3], 7);
    ck_assert_str_eq(resolve_one(z, "alias.example", ns_t_cname, &ans), "found");
    ck_assert_str_eq(ans.rr[0].text, "mid.example");
    ck_assert_str_eq(resolve_one(z, "alias.example", ns_t_txt, &ans), "nodata");
    ck_assert_str_eq(resolve_one(z, "loop.example", ns_t_a, &ans), "tempfail");
    ck_assert_int_eq(ans.timed_out, 0);
    ck_assert_str_eq(resolve_one(z, "MACRO%percent  space.example", ns_t_txt, &ans), "found");
    ck_assert_str_eq(resolve_one(z, "foo:bar/baz.example", ns_t_a, &ans), "found");
    /* bare TIMEOUT: the types without records; TIMEOUT MX: that type only */
    ck_assert_str_eq(resolve_one(z, "half.example", ns_t_txt, &ans), "found");
    ck_assert_str_eq(resolve_one(z, "half.example", ns_t_a, &ans), "tempfail");
    ck_assert_int_eq(ans.timed_out, 1);
    ck_assert_str_eq(resolve_one(z, "typed.example", ns_t_a, &ans), "found");
    ck_assert_str_eq(resolve_one(z, "typed.example", ns_t_aaaa, &ans), "nodata");
    ck_assert_str_eq(resolve_one(z, "typed.example", ns_t_mx, &ans), "tempfail");
    ck_assert_int_eq(ans.timed_out, 1);
    testdns_answer_free(&ans);
    testdns_free(z);

    /* bad escapes and a NUL in a name are FILE:LINE errors */
    unlink(path);
    memcpy(path + strlen(path) - 6, "XXXXXX", 6);
    write_file(path, "a.example TXT \"\\25\"\nnul\\000.example A 192.0.2.1\n"
               "b.example TIMEOUT SOA\nc.example TXT \"\\256\"\n");
    strbuf_reset(&err);
    ck_assert_ptr_null(testdns_load(path, &err));
    for (int line = 1; line <= 4; line++) {
        char want[64];

        snprintf(want, sizeof(want), ":%d: ", line);
        ck_assert_msg(strstr(strbuf_str(&err), want) != NULL, "no error for line %d: %s",
                      line, strbuf_str(&err));
    }
    unlink(path);
    strbuf_release(&err);
}
END_TEST

/* spf_suite - every case above */
static Suite *spf_suite(void)
{
    Suite *s = suite_create("spf");
    TCase *tc = tcase_create("spf");

    tcase_set_timeout(tc, 30);
#ifdef WITH_SPF
    tcase_add_loop_test(tc, test_results, 0, NROWS(spf_cases));
    tcase_add_test(tc, test_timeout_is_temperror);
    tcase_add_test(tc, test_not_configured);
    tcase_add_test(tc, test_threads_share_server);
    tcase_add_test(tc, test_bad_zone_refused);
#else
    tcase_add_test(tc, test_stub);
#endif
    tcase_add_test(tc, test_result_names);
    tcase_add_test(tc, test_zone_reader);
    tcase_add_test(tc, test_zone_suite_features);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;

    find_zone();
    if (access(zone_path, R_OK) != 0) {
        fprintf(stderr, "check_spf: %s not found (set srcdir)\n", zone_path);
        return 99;
    }
    sr = srunner_create(spf_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
