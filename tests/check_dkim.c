/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_dkim - the DKIM adapter (libopendkim) on messages signed here.
 *
 * DESCRIPTION
 *	main() makes two RSA keys with openssl(1) in a temporary directory
 *	(the suite is skipped, exit 77, without openssl) and writes a
 *	TestDNSData zone that publishes key 1 under several selectors, a
 *	revoked key, a SERVFAIL name and a TIMEOUT name. Messages are signed
 *	in the test with libopendkim's signing API, then fed to the adapter
 *	as the milter glue does: each header as name and value, the end of
 *	headers, body chunks, end of message.
 *
 *	Cases: pass under all four canonicalisation pairs, with the body fed
 *	in one chunk or byte by byte; body or header changed after signing
 *	(fail); white space changed (relaxed passes, simple fails); LF-only
 *	folding as Postfix hands it over; missing, revoked, SERVFAIL and
 *	timed-out keys; a malformed signature; two signatures with different
 *	results and the summary rule; an unsigned message; the NULL handle.
 *
 *	Built without DKIM (./configure --without-dkim), the suite checks the
 *	stub twin instead: no verifier, every call takes NULL.
 */
#include "acconfig.h"

#include <sys/types.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "strbuf.h"

#ifdef WITH_DKIM

#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include <opendkim/dkim.h>

#include "dkim.h"

#define NROWS(t) ((int) (sizeof(t) / sizeof((t)[0])))

static char tmpdir[] = "/tmp/portrole-dkim-XXXXXX";
static char zone_path[256];
static strbuf key_pem[2];       /* private keys, PEM */
static DKIM_LIB *signer;

struct header {
    const char *name, *value;
};

static const struct header base_headers[] = {
    {"From", "Alice <alice@example.net>"},
    {"To", "bob@example.com"},
    {"Subject", "quarterly report"},
    {"Date", "Sat, 28 Nov 2026 13:00:00 +0000"},
    {"Message-ID", "<20261128130000.1@example.net>"},
};

static const char base_body[] =
    "Hello Bob,\r\n"
    "\r\n"
    "The numbers are attached.\r\n"
    "\r\n"
    "Alice\r\n";

/* ---- set-up: keys, zone, signer ---- */

/* slurp - a whole file into sb; -1 if unreadable */
static int slurp(const char *path, strbuf *sb)
{
    char buf[4096];
    size_t n;
    FILE *fp = fopen(path, "r");

    if (fp == NULL)
        return -1;
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
        strbuf_append(sb, buf, n);
    fclose(fp);
    return 0;
}

/* pem_body - the base64 between a PEM file's BEGIN and END lines, unwrapped */
static void pem_body(const char *pem, strbuf *out)
{
    const char *p = strstr(pem, "-----\n");
    const char *end = strstr(pem, "\n-----END");

    for (p = p ? p + 6 : pem; end && p < end; p++)
        if (*p != '\n' && *p != '\r')
            strbuf_putc(out, *p);
}

/* make_key - an RSA key pair with openssl; the public half as DKIM's p= */
static int make_key(int n, strbuf *pubkey)
{
    strbuf cmd = STRBUF_INIT, path = STRBUF_INIT, pub = STRBUF_INIT;
    int rc;

    strbuf_printf(&cmd, "openssl genrsa -out %s/key%d.pem 2048 >/dev/null 2>&1 && "
                  "openssl rsa -in %s/key%d.pem -pubout -out %s/pub%d.pem >/dev/null 2>&1",
                  tmpdir, n, tmpdir, n, tmpdir, n);
    rc = system(strbuf_str(&cmd));
    strbuf_printf(&path, "%s/key%d.pem", tmpdir, n);
    if (rc != 0 || slurp(strbuf_str(&path), &key_pem[n]) < 0)
        rc = -1;
    strbuf_reset(&path);
    strbuf_printf(&path, "%s/pub%d.pem", tmpdir, n);
    if (rc == 0 && slurp(strbuf_str(&path), &pub) == 0)
        pem_body(strbuf_str(&pub), pubkey);
    strbuf_release(&cmd);
    strbuf_release(&path);
    strbuf_release(&pub);
    return rc == 0 && pubkey->len > 100 ? 0 : -1;
}

/* write_zone - key 1 under every selector that should verify with it */
static int write_zone(const char *pub1)
{
    FILE *fp;

    snprintf(zone_path, sizeof(zone_path), "%s/dkim.zone", tmpdir);
    if ((fp = fopen(zone_path, "w")) == NULL)
        return -1;
    fprintf(fp, "# written by check_dkim\n"
            "sel1._domainkey.example.net TXT \"v=DKIM1; k=rsa; p=%s\"\n"
            /* key 2 signs for example.org, but key 1 is published: fail */
            "sel2._domainkey.example.org TXT \"v=DKIM1; k=rsa; \" \"p=%s\"\n"
            "revoked._domainkey.example.net TXT \"v=DKIM1; k=rsa; p=\"\n"
            "broken._domainkey.example.net SERVFAIL\n"
            "slow._domainkey.example.net TIMEOUT\n",
            pub1, pub1);
    return fclose(fp);
}

/* cleanup - the temporary directory and what is in it */
static void cleanup(void)
{
    strbuf cmd = STRBUF_INIT;

    strbuf_printf(&cmd, "rm -rf %s", tmpdir);
    if (system(strbuf_str(&cmd)) != 0)
        fprintf(stderr, "check_dkim: could not remove %s\n", tmpdir);
    strbuf_release(&cmd);
}

/* ---- messages ---- */

struct message {
    struct header hdr[8];
    size_t nhdr;
    strbuf sighdr[8];           /* DKIM-Signature values, prepended in order */
    size_t nsig;
    const char *body;
};

/* message_init - the base message */
static void message_init(struct message *m)
{
    memset(m, 0, sizeof(*m));
    memcpy(m->hdr, base_headers, sizeof(base_headers));
    m->nhdr = NROWS(base_headers);
    m->body = base_body;
}

/* message_release - the signatures' buffers */
static void message_release(struct message *m)
{
    for (size_t i = 0; i < m->nsig; i++)
        strbuf_release(&m->sighdr[i]);
}

/* sign - add a DKIM-Signature made with key n over the message as it is now */
static void sign(struct message *m, int n, const char *sel, const char *dom,
                 dkim_canon_t hc, dkim_canon_t bc)
{
    DKIM_STAT stat;
    DKIM *s;
    strbuf field = STRBUF_INIT;
    u_char *hdr = NULL;
    size_t len = 0;

    s = dkim_sign(signer, (const u_char *) "check_dkim", NULL,
                  (dkim_sigkey_t) key_pem[n].data, (const u_char *) sel,
                  (const u_char *) dom, hc, bc, DKIM_SIGN_RSASHA256, -1, &stat);
    ck_assert_msg(s != NULL, "dkim_sign: %s", dkim_getresultstr(stat));
    for (size_t i = 0; i < m->nhdr; i++) {
        strbuf_reset(&field);
        strbuf_printf(&field, "%s: %s", m->hdr[i].name, m->hdr[i].value);
        ck_assert_int_eq(dkim_header(s, (u_char *) field.data, field.len), DKIM_STAT_OK);
    }
    ck_assert_int_eq(dkim_eoh(s), DKIM_STAT_OK);
    ck_assert_int_eq(dkim_body(s, (u_char *) m->body, strlen(m->body)), DKIM_STAT_OK);
    ck_assert_int_eq(dkim_eom(s, NULL), DKIM_STAT_OK);
    ck_assert_int_eq(dkim_getsighdr_d(s, strlen("DKIM-Signature: "), &hdr, &len), DKIM_STAT_OK);
    ck_assert_uint_lt(m->nsig, NROWS(m->sighdr));
    strbuf_append(&m->sighdr[m->nsig++], (const char *) hdr, len);
    dkim_free(s);
    strbuf_release(&field);
}

/* new_config - a config with DKIM on over the test zone */
static struct pr_config *new_config(int timeout)
{
    struct pr_config *cfg = calloc(1, sizeof(*cfg));
    strbuf err = STRBUF_INIT;

    ck_assert_ptr_nonnull(cfg);
    cfg->dkim = 1;
    cfg->dns_timeout = timeout;
    cfg->test_dns_data = zone_path;
    ck_assert_msg(pr_dkim_lib_init(cfg, &err) == 0, "init: %s", strbuf_str(&err));
    ck_assert_ptr_nonnull(cfg->dkim_lib);
    strbuf_release(&err);
    return cfg;
}

/* drop_config - undo new_config */
static void drop_config(struct pr_config *cfg)
{
    pr_dkim_lib_free(cfg);
    ck_assert_ptr_null(cfg->dkim_lib);
    pr_dkim_lib_free(cfg);
    free(cfg);
}

/* verify - feed the message as the glue does; the summary, AR into ar */
static const char *verify(const struct pr_config *cfg, const struct message *m,
                          size_t chunk, strbuf *ar)
{
    struct pr_dkim *d = pr_dkim_new(cfg);
    const char *summary, *again;
    size_t len = strlen(m->body);
    strbuf ar2 = STRBUF_INIT;

    ck_assert_ptr_nonnull(d);
    /* The newest signature is the topmost header. */
    for (size_t i = m->nsig; i > 0; i--)
        pr_dkim_header(d, "DKIM-Signature", strbuf_str(&m->sighdr[i - 1]));
    for (size_t i = 0; i < m->nhdr; i++)
        pr_dkim_header(d, m->hdr[i].name, m->hdr[i].value);
    pr_dkim_eoh(d);
    for (size_t off = 0; off < len; off += chunk)
        pr_dkim_body(d, (const unsigned char *) m->body + off,
                     len - off < chunk ? len - off : chunk);
    summary = pr_dkim_result(d, ar);
    again = pr_dkim_result(d, &ar2);    /* a second call changes nothing */
    ck_assert_ptr_eq(summary, again);
    ck_assert_str_eq(strbuf_str(ar), strbuf_str(&ar2));
    strbuf_release(&ar2);
    pr_dkim_free(d);
    return summary;
}

/* ---- pass under every canonicalisation ---- */

static const struct canon_case {
    dkim_canon_t hc, bc;
    size_t chunk;
} canon_cases[] = {
    {DKIM_CANON_SIMPLE, DKIM_CANON_SIMPLE, 4096},
    {DKIM_CANON_SIMPLE, DKIM_CANON_RELAXED, 4096},
    {DKIM_CANON_RELAXED, DKIM_CANON_SIMPLE, 4096},
    {DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, 4096},
    {DKIM_CANON_SIMPLE, DKIM_CANON_SIMPLE, 1},
    {DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, 7},
};

START_TEST(test_pass)
{
    const struct canon_case *c = &canon_cases[_i];
    struct pr_config *cfg = new_config(5);
    struct message m;
    strbuf ar = STRBUF_INIT;

    message_init(&m);
    sign(&m, 0, "sel1", "example.net", c->hc, c->bc);
    ck_assert_str_eq(verify(cfg, &m, c->chunk, &ar), "pass");
    ck_assert_str_eq(strbuf_str(&ar), "dkim=pass header.d=example.net header.s=sel1");
    strbuf_release(&ar);
    message_release(&m);
    drop_config(cfg);
}
END_TEST

/* ---- changes after signing, row by row ---- */

enum change { BODY_TEXT, SUBJECT_TEXT, SUBJECT_SPACE, BODY_SPACE, LF_FOLDED };

static const struct change_case {
    enum change change;
    dkim_canon_t canon;         /* header and body alike */
    const char *want;
} change_cases[] = {
    {BODY_TEXT, DKIM_CANON_RELAXED, "fail"},
    {BODY_TEXT, DKIM_CANON_SIMPLE, "fail"},
    {SUBJECT_TEXT, DKIM_CANON_RELAXED, "fail"},
    {SUBJECT_TEXT, DKIM_CANON_SIMPLE, "fail"},
    /* relaxed forgives white space, simple does not */
    {SUBJECT_SPACE, DKIM_CANON_RELAXED, "pass"},
    {SUBJECT_SPACE, DKIM_CANON_SIMPLE, "fail"},
    {BODY_SPACE, DKIM_CANON_RELAXED, "pass"},
    {BODY_SPACE, DKIM_CANON_SIMPLE, "fail"},
    /* Postfix hands folded headers over with bare LF: no change at all */
    {LF_FOLDED, DKIM_CANON_SIMPLE, "pass"},
    {LF_FOLDED, DKIM_CANON_RELAXED, "pass"},
};

START_TEST(test_changed)
{
    const struct change_case *c = &change_cases[_i];
    struct pr_config *cfg = new_config(5);
    struct message m;
    strbuf ar = STRBUF_INIT, want = STRBUF_INIT;

    message_init(&m);
    if (c->change == LF_FOLDED)
        m.hdr[2].value = "quarterly\r\n\treport";
    sign(&m, 0, "sel1", "example.net", c->canon, c->canon);
    switch (c->change) {
    case BODY_TEXT: m.body = "Hello Bob,\r\n\r\nThe numbers are attached!\r\n\r\nAlice\r\n"; break;
    case SUBJECT_TEXT: m.hdr[2].value = "quarterly report (corrected)"; break;
    case SUBJECT_SPACE: m.hdr[2].value = "quarterly   report"; break;
    case BODY_SPACE: m.body = "Hello  Bob, \r\n\r\nThe numbers are attached.\r\n\r\nAlice\r\n\r\n"; break;
    case LF_FOLDED: m.hdr[2].value = "quarterly\n\treport"; break;
    }
    ck_assert_str_eq(verify(cfg, &m, 4096, &ar), c->want);
    strbuf_printf(&want, "dkim=%s header.d=example.net header.s=sel1", c->want);
    ck_assert_str_eq(strbuf_str(&ar), strbuf_str(&want));
    strbuf_release(&ar);
    strbuf_release(&want);
    message_release(&m);
    drop_config(cfg);
}
END_TEST

/* ---- keys that are not there or not usable ---- */

static const struct key_case {
    const char *selector;
    const char *want;
} key_cases[] = {
    {"missing", "permerror"},   /* NXDOMAIN: no key */
    {"revoked", "permerror"},   /* p= empty */
    {"broken", "temperror"},    /* SERVFAIL */
};

START_TEST(test_keys)
{
    const struct key_case *c = &key_cases[_i];
    struct pr_config *cfg = new_config(5);
    struct message m;
    strbuf ar = STRBUF_INIT, want = STRBUF_INIT;

    message_init(&m);
    sign(&m, 0, c->selector, "example.net", DKIM_CANON_RELAXED, DKIM_CANON_RELAXED);
    ck_assert_str_eq(verify(cfg, &m, 4096, &ar), c->want);
    strbuf_printf(&want, "dkim=%s header.d=example.net header.s=%s", c->want, c->selector);
    ck_assert_str_eq(strbuf_str(&ar), strbuf_str(&want));
    strbuf_release(&ar);
    strbuf_release(&want);
    message_release(&m);
    drop_config(cfg);
}
END_TEST

START_TEST(test_key_timeout)
{
    struct pr_config *cfg = new_config(1);
    struct message m;
    strbuf ar = STRBUF_INIT;
    struct timespec start, end;
    double took;

    message_init(&m);
    sign(&m, 0, "slow", "example.net", DKIM_CANON_RELAXED, DKIM_CANON_RELAXED);
    clock_gettime(CLOCK_MONOTONIC, &start);
    ck_assert_str_eq(verify(cfg, &m, 4096, &ar), "temperror");
    clock_gettime(CLOCK_MONOTONIC, &end);
    took = (double) (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    ck_assert_msg(took >= 0.9 && took < 2.5, "waited %.2f s for DNSTimeout 1", took);
    ck_assert_str_eq(strbuf_str(&ar), "dkim=temperror header.d=example.net header.s=slow");
    strbuf_release(&ar);
    message_release(&m);
    drop_config(cfg);
}
END_TEST

/* ---- two signatures ---- */

static const struct two_case {
    const char *sel_a, *dom_a;  /* signed first: the lower header */
    int key_b;
    const char *sel_b, *dom_b;
    const char *summary, *ar;
} two_cases[] = {
    {"sel1", "example.net", 1, "sel2", "example.org", "pass",
     "dkim=fail header.d=example.org header.s=sel2; "
     "dkim=pass header.d=example.net header.s=sel1"},
    {"missing", "example.net", 1, "sel2", "example.org", "fail",
     "dkim=fail header.d=example.org header.s=sel2; "
     "dkim=permerror header.d=example.net header.s=missing"},
    {"missing", "example.net", 0, "broken", "example.net", "permerror",
     "dkim=temperror header.d=example.net header.s=broken; "
     "dkim=permerror header.d=example.net header.s=missing"},
};

START_TEST(test_two_signatures)
{
    const struct two_case *c = &two_cases[_i];
    struct pr_config *cfg = new_config(5);
    struct message m;
    strbuf ar = STRBUF_INIT;

    message_init(&m);
    sign(&m, 0, c->sel_a, c->dom_a, DKIM_CANON_RELAXED, DKIM_CANON_SIMPLE);
    sign(&m, c->key_b, c->sel_b, c->dom_b, DKIM_CANON_SIMPLE, DKIM_CANON_RELAXED);
    ck_assert_str_eq(verify(cfg, &m, 4096, &ar), c->summary);
    ck_assert_str_eq(strbuf_str(&ar), c->ar);
    strbuf_release(&ar);
    message_release(&m);
    drop_config(cfg);
}
END_TEST

/* ---- DKIMMaxSignatures: the topmost N verified, the rest counted ---- */

static const struct max_case {
    int max;                    /* cfg->dkim_max_sigs; 0: unset, the default 5 */
    int nsig;                   /* signatures: the oldest two have no key */
    int pass;                   /* dkim=pass results wanted */
    int permerror;              /* dkim=permerror results wanted */
    const char *policy;         /* the closing item, or NULL */
} max_cases[] = {
    {0, 7, 5, 0, "dkim=policy reason=\"2 more signatures not verified, DKIMMaxSignatures 5\""},
    {5, 5, 3, 2, NULL},
    {1, 7, 1, 0, "dkim=policy reason=\"6 more signatures not verified, DKIMMaxSignatures 1\""},
    {6, 7, 5, 1, "dkim=policy reason=\"1 more signature not verified, DKIMMaxSignatures 6\""},
};

/* count - occurrences of needle in hay */
static int count(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

START_TEST(test_max_signatures)
{
    const struct max_case *c = &max_cases[_i];
    struct pr_config *cfg = new_config(5);
    struct message m;
    strbuf ar = STRBUF_INIT;

    cfg->dkim_max_sigs = c->max;
    message_init(&m);
    /* The two oldest (bottom) signatures name a key that does not exist. */
    for (int i = 0; i < c->nsig; i++)
        sign(&m, 0, i < 2 ? "missing" : "sel1", "example.net", DKIM_CANON_RELAXED,
             DKIM_CANON_RELAXED);
    ck_assert_str_eq(verify(cfg, &m, 4096, &ar), "pass");
    ck_assert_int_eq(count(strbuf_str(&ar), "dkim=pass header.d=example.net header.s=sel1"),
                     c->pass);
    ck_assert_int_eq(count(strbuf_str(&ar), "dkim=permerror"), c->permerror);
    ck_assert_int_eq(count(strbuf_str(&ar), "dkim="), c->pass + c->permerror + (c->policy != NULL));
    if (c->policy != NULL) {
        ck_assert_uint_gt(ar.len, strlen(c->policy));
        ck_assert_str_eq(strbuf_str(&ar) + ar.len - strlen(c->policy), c->policy);
    } else {
        ck_assert_ptr_null(strstr(strbuf_str(&ar), "dkim=policy"));
    }
    strbuf_release(&ar);
    message_release(&m);
    drop_config(cfg);
}
END_TEST

/* ---- no signature, a broken one, no handle ---- */

START_TEST(test_unsigned)
{
    struct pr_config *cfg = new_config(5);
    struct message m;
    strbuf ar = STRBUF_INIT;

    message_init(&m);
    ck_assert_str_eq(verify(cfg, &m, 4096, &ar), "none");
    ck_assert_str_eq(strbuf_str(&ar), "dkim=none");
    strbuf_release(&ar);
    drop_config(cfg);
}
END_TEST

START_TEST(test_malformed_signature)
{
    struct pr_config *cfg = new_config(5);
    struct message m;
    strbuf ar = STRBUF_INIT;

    message_init(&m);
    m.nsig = 1;
    strbuf_puts(&m.sighdr[0], "v=1; a=rsa-sha256; c=relaxed/relaxed; d=bad!domain;"
                " s=sel1; h=from:to:subject; bh=; b=");
    ck_assert_str_eq(verify(cfg, &m, 4096, &ar), "neutral");
    /* The result is reported, the unprintable domain is not. */
    ck_assert_ptr_nonnull(strstr(strbuf_str(&ar), "dkim=neutral"));
    ck_assert_ptr_null(strstr(strbuf_str(&ar), "bad!domain"));
    strbuf_release(&ar);
    message_release(&m);
    drop_config(cfg);
}
END_TEST

START_TEST(test_no_handle)
{
    struct pr_config *cfg = calloc(1, sizeof(*cfg));
    strbuf ar = STRBUF_INIT;

    ck_assert_int_eq(dkim_available(), 1);
    ck_assert_ptr_null(pr_dkim_new(cfg));
    ck_assert_ptr_null(pr_dkim_new(NULL));
    pr_dkim_header(NULL, "From", "a@example.net");
    pr_dkim_eoh(NULL);
    pr_dkim_body(NULL, (const unsigned char *) "x", 1);
    ck_assert_ptr_null(pr_dkim_result(NULL, &ar));
    ck_assert_uint_eq(ar.len, 0);
    pr_dkim_free(NULL);
    pr_dkim_lib_free(cfg);
    pr_dkim_lib_free(NULL);
    free(cfg);
}
END_TEST

START_TEST(test_bad_zone_refused)
{
    struct pr_config *cfg = calloc(1, sizeof(*cfg));
    strbuf err = STRBUF_INIT;

    cfg->dkim = 1;
    cfg->test_dns_data = "/nonexistent/portrole.zone";
    ck_assert_int_eq(pr_dkim_lib_init(cfg, &err), -1);
    ck_assert_ptr_null(cfg->dkim_lib);
    ck_assert_ptr_nonnull(strstr(strbuf_str(&err), "/nonexistent/portrole.zone: cannot open"));
    strbuf_release(&err);
    free(cfg);
}
END_TEST

/* dkim_suite - every case above */
static Suite *dkim_suite(void)
{
    Suite *s = suite_create("dkim");
    TCase *tc = tcase_create("dkim");

    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, test_pass, 0, NROWS(canon_cases));
    tcase_add_loop_test(tc, test_changed, 0, NROWS(change_cases));
    tcase_add_loop_test(tc, test_keys, 0, NROWS(key_cases));
    tcase_add_test(tc, test_key_timeout);
    tcase_add_loop_test(tc, test_two_signatures, 0, NROWS(two_cases));
    tcase_add_loop_test(tc, test_max_signatures, 0, NROWS(max_cases));
    tcase_add_test(tc, test_unsigned);
    tcase_add_test(tc, test_malformed_signature);
    tcase_add_test(tc, test_no_handle);
    tcase_add_test(tc, test_bad_zone_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    strbuf pub = STRBUF_INIT, pub2 = STRBUF_INIT;
    SRunner *sr;
    int failed;

    if (system("openssl version >/dev/null 2>&1") != 0) {
        fprintf(stderr, "check_dkim: openssl not found: skipped\n");
        return 77;
    }
    if (mkdtemp(tmpdir) == NULL) {
        perror("check_dkim: mkdtemp");
        return 99;
    }
    if (make_key(0, &pub) < 0 || make_key(1, &pub2) < 0 || write_zone(strbuf_str(&pub)) < 0
        || (signer = dkim_init(NULL, NULL)) == NULL) {
        fprintf(stderr, "check_dkim: cannot set up keys and zone in %s\n", tmpdir);
        cleanup();
        return 99;
    }
    sr = srunner_create(dkim_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    dkim_close(signer);
    cleanup();
    strbuf_release(&pub);
    strbuf_release(&pub2);
    strbuf_release(&key_pem[0]);
    strbuf_release(&key_pem[1]);
    return failed ? 1 : 0;
}

#else /* DKIM compiled out: the stub twin */

#include "dkim.h"

START_TEST(test_stub)
{
    struct pr_config *cfg = calloc(1, sizeof(*cfg));
    strbuf err = STRBUF_INIT, ar = STRBUF_INIT;

    ck_assert_int_eq(dkim_available(), 0);
    ck_assert_int_eq(pr_dkim_lib_init(cfg, &err), 0);
    ck_assert_uint_eq(err.len, 0);
    ck_assert_ptr_null(pr_dkim_new(cfg));
    pr_dkim_header(NULL, "From", "a@example.net");
    pr_dkim_eoh(NULL);
    pr_dkim_body(NULL, (const unsigned char *) "x", 1);
    ck_assert_ptr_null(pr_dkim_result(NULL, &ar));
    ck_assert_uint_eq(ar.len, 0);
    pr_dkim_free(NULL);
    pr_dkim_lib_free(cfg);
    free(cfg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dkim-stub");
    TCase *tc = tcase_create("stub");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_stub);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

#endif
