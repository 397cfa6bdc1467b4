/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim-worst - the CPU cost of a hostile DKIM message, through the adapter.
 *
 * SYNOPSIS
 *	tests/bench/dkim-worst [-n SIGNATURES] [-b BODY_BYTES] [-m MAXSIGS] [-r ROUNDS]
 *
 * DESCRIPTION
 *	The worst case a sender controls: many DKIM-Signature headers
 *	(default 400) on a big body (default 2 MiB), each with its own l=
 *	so that no two share a body hash, and all naming a key that exists,
 *	so every one costs a body hash and an RSA verification. The message
 *	is fed to the DKIM adapter exactly as the milter glue feeds it
 *	(header by header, the end of headers, 64 KiB body chunks, the end
 *	of message), and the process's own CPU time (getrusage, user +
 *	system) is measured around that, once per round; the median and
 *	the range are printed, with the Authentication-Results size.
 *
 *	-m sets DKIMMaxSignatures (default: the built-in default). The key
 *	is made with openssl(1) in a temporary directory, published in a
 *	TestDNSData zone; no network is used. Set-up is not timed.
 *
 * DIAGNOSTICS
 *	Exit 77 without DKIM in the build or without openssl; 1 on a
 *	set-up failure. Figures are for a quiet machine: timing is never a
 *	pass/fail criterion.
 */
#include "acconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "config.h"
#include "dkim.h"
#include "params.h"
#include "strbuf.h"

#define CHUNK 65536

static char tmpdir[] = "/tmp/portrole-dkimbench-XXXXXX";

/* cpu_seconds - user + system time of this process */
static double cpu_seconds(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double) ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
        + (double) ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* make_zone - an RSA key with openssl, its public half as sel1._domainkey.example.net */
static int make_zone(char *zone, size_t size)
{
    strbuf cmd = STRBUF_INIT;
    int rc;

    snprintf(zone, size, "%s/zone", tmpdir);
    /* The PEM body between the BEGIN and END lines, unwrapped, is DKIM's p=. */
    strbuf_printf(&cmd, "openssl genrsa -out %s/key.pem 2048 >/dev/null 2>&1 && "
                  "openssl rsa -in %s/key.pem -pubout 2>/dev/null | grep -v '^-----' | tr -d '\\n'"
                  " | sed 's/^/sel1._domainkey.example.net TXT \"v=DKIM1; k=rsa; p=/; s/$/\"/'"
                  " >%s && test -s %s", tmpdir, tmpdir, zone, zone);
    rc = system(strbuf_str(&cmd));
    strbuf_release(&cmd);
    return rc == 0 ? 0 : -1;
}

/* sig_value - a well-formed signature with its own l=; b= does not verify */
static void sig_value(strbuf *out, int i, size_t body)
{
    strbuf_printf(out, "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net; s=sel1;"
                  "\r\n\tl=%zu; t=1764590000; h=from:to:subject;"
                  "\r\n\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n\tb=",
                  body - (size_t) i);
    for (int k = 0; k < 340; k++)
        strbuf_putc(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[(k * 7 + i) % 64]);
    strbuf_puts(out, "==");
}

/* run_once - one message through the adapter; its CPU seconds, AR size in *arlen */
static double run_once(const struct pr_config *cfg, const strbuf *sigs, int nsigs,
                       const unsigned char *body, size_t blen, size_t *arlen, const char **sum)
{
    strbuf ar = STRBUF_INIT;
    double t0 = cpu_seconds();
    struct pr_dkim *d = pr_dkim_new(cfg);

    for (int i = 0; i < nsigs; i++)
        pr_dkim_header(d, "DKIM-Signature", strbuf_str(&sigs[i]));
    pr_dkim_header(d, "From", "Mallory <m@example.net>");
    pr_dkim_header(d, "To", "victim@example.com");
    pr_dkim_header(d, "Subject", "many signatures");
    pr_dkim_eoh(d);
    for (size_t off = 0; off < blen; off += CHUNK)
        pr_dkim_body(d, body + off, blen - off < CHUNK ? blen - off : CHUNK);
    *sum = pr_dkim_result(d, &ar);
    pr_dkim_free(d);
    *arlen = ar.len;
    strbuf_release(&ar);
    return cpu_seconds() - t0;
}

/* cmp_double - for qsort */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;

    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int nsigs = 400, rounds = 3, maxsigs = -1, ch;
    size_t blen = 2u << 20, arlen = 0;
    struct pr_config cfg;
    strbuf err = STRBUF_INIT, *sigs;
    unsigned char *body;
    double t[64];
    const char *sum = NULL;
    char zone[300];

    while ((ch = getopt(argc, argv, "n:b:m:r:")) != -1) {
        switch (ch) {
        case 'n': nsigs = atoi(optarg); break;
        case 'b': blen = (size_t) atol(optarg); break;
        case 'm': maxsigs = atoi(optarg); break;
        case 'r': rounds = atoi(optarg); break;
        default:
            fprintf(stderr, "usage: dkim-worst [-n SIGS] [-b BYTES] [-m MAXSIGS] [-r ROUNDS]\n");
            return 2;
        }
    }
    if (rounds < 1 || rounds > 64 || nsigs < 1 || blen < (size_t) nsigs + 2) {
        fprintf(stderr, "dkim-worst: bad arguments\n");
        return 2;
    }
    if (!dkim_available() || system("command -v openssl >/dev/null 2>&1") != 0) {
        printf("dkim-worst: no DKIM in this build or no openssl: skipped\n");
        return 77;
    }
    if (mkdtemp(tmpdir) == NULL || make_zone(zone, sizeof(zone)) < 0) {
        fprintf(stderr, "dkim-worst: cannot make the key and zone in %s\n", tmpdir);
        return 1;
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.dkim = 1;
    cfg.dns_timeout = 5;
    cfg.test_dns_data = zone;
    cfg.dkim_max_sigs = maxsigs >= 0 ? maxsigs : atoi(param_table[PARAM_DKIMMAXSIGNATURES].def);
    if (pr_dkim_lib_init(&cfg, &err) < 0) {
        fprintf(stderr, "dkim-worst: %s", strbuf_str(&err));
        return 1;
    }
    sigs = calloc((size_t) nsigs, sizeof(*sigs));
    body = malloc(blen);
    if (sigs == NULL || body == NULL)
        return 1;
    for (size_t i = 0; i < blen; i++)   /* 63 printable bytes and CRLF per line */
        body[i] = (i % 65 == 63) ? '\r' : (i % 65 == 64) ? '\n' : (unsigned char) ('a' + i % 26);
    for (int i = 0; i < nsigs; i++)
        sig_value(&sigs[i], i, blen);
    for (int r = 0; r < rounds; r++)
        t[r] = run_once(&cfg, sigs, nsigs, body, blen, &arlen, &sum);
    qsort(t, (size_t) rounds, sizeof(t[0]), cmp_double);
    printf("dkim-worst: %d signatures, %zu-byte body, DKIMMaxSignatures %d: "
           "CPU %.3f s median (%.3f..%.3f, %d rounds); dkim=%s, AR fragment %zu bytes\n",
           nsigs, blen, cfg.dkim_max_sigs, t[rounds / 2], t[0], t[rounds - 1], rounds,
           sum ? sum : "-", arlen);
    pr_dkim_lib_free(&cfg);
    for (int i = 0; i < nsigs; i++)
        strbuf_release(&sigs[i]);
    free(sigs);
    free(body);
    snprintf(zone, sizeof(zone), "rm -rf %s", tmpdir);
    if (system(zone) != 0)
        fprintf(stderr, "dkim-worst: could not remove %s\n", tmpdir);
    strbuf_release(&err);
    return 0;
}
