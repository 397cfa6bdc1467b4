/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_explain - "portrole-milter -x DESCRIPTION": the key=value parser
 *	and the whole imagined session behind it.
 *
 * INPUT
 *	byte 0: which config (defaults, or audit with HeaderIncludeUser and
 *	AuthResults); the rest is the description.
 *
 * INVARIANTS
 *	explain_run() returns 0, or 2 with a message, and never writes a NUL
 *	into its report. (It echoes the administrator's own from= and rcpt=
 *	as given, control bytes included: that is the command line's text,
 *	not the network's.)
 */
#include "acconfig.h"

#include "explain.h"
#include "fuzz.h"

static const char *const conf_texts[] = {
    "LocalDomains example.com, .example.net\n",
    "LocalDomains example.com\nMode audit\nHeaderIncludeUser yes\nAuthResults yes\n"
    "Listener ORIGINATING submission\nListener 25 mx\nListener 127.0.0.1:10026 internal\n",
};
#define NCONF (sizeof(conf_texts) / sizeof(conf_texts[0]))

static struct pr_config *confs[NCONF];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    strbuf err = STRBUF_INIT;

    for (size_t i = 0; i < NCONF && confs[i] == NULL; i++) {
        confs[i] = fz_config_text(conf_texts[i], strlen(conf_texts[i]), &err);
        FZ_CHECK(confs[i] != NULL, "a harness config does not load");
    }
    strbuf_release(&err);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in;
    strbuf err = STRBUF_INIT;
    char *report = NULL;
    size_t len = 0;
    FILE *out;
    unsigned ci;
    int rc;

    LLVMFuzzerInitialize(NULL, NULL);
    fz_init(&in, data, size);
    ci = fz_byte(&in) % NCONF;
    out = open_memstream(&report, &len);
    FZ_CHECK(out != NULL, "open_memstream");
    rc = explain_run(confs[ci], fz_str(&in), out, &err);
    FZ_CHECK(fclose(out) == 0, "fclose");
    FZ_CHECK(rc == 0 || (rc == 2 && err.len > 0), "explain_run: bad return or no message");
    FZ_CHECK(strlen(report) == len, "NUL in the -x report");
    free(report);
    strbuf_release(&err);
    fz_free(&in);
    return 0;
}
