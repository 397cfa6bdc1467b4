/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim_stub - DKIM compiled out (./configure --without-dkim or no libopendkim).
 *
 * DESCRIPTION
 *	pr_dkim_new() returns NULL, so the glue never asks for the body and
 *	the header carries no dkim= result.
 */
#include "acconfig.h"

#include <stddef.h>

#include "dkim.h"
#include "strbuf.h"

/* dkim_available - this build has no DKIM */
int dkim_available(void)
{
    return 0;
}

/* pr_dkim_lib_init - nothing to create */
int pr_dkim_lib_init(struct pr_config *cfg, struct strbuf *err)
{
    (void) cfg;
    (void) err;
    return 0;
}

/* pr_dkim_lib_free - nothing to destroy */
void pr_dkim_lib_free(struct pr_config *cfg)
{
    (void) cfg;
}

/* pr_dkim_new - no verifier */
struct pr_dkim *pr_dkim_new(const struct pr_config *cfg)
{
    (void) cfg;
    return NULL;
}

/* pr_dkim_header - ignored */
void pr_dkim_header(struct pr_dkim *d, const char *name, const char *value)
{
    (void) d;
    (void) name;
    (void) value;
}

/* pr_dkim_raw_values - ignored */
void pr_dkim_raw_values(struct pr_dkim *d)
{
    (void) d;
}

/* pr_dkim_eoh - ignored */
void pr_dkim_eoh(struct pr_dkim *d)
{
    (void) d;
}

/* pr_dkim_body - ignored */
void pr_dkim_body(struct pr_dkim *d, const unsigned char *data, size_t len)
{
    (void) d;
    (void) data;
    (void) len;
}

/* pr_dkim_result - DKIM did not run */
const char *pr_dkim_result(struct pr_dkim *d, struct strbuf *ar)
{
    (void) d;
    (void) ar;
    return NULL;
}

/* pr_dkim_free - nothing to free */
void pr_dkim_free(struct pr_dkim *d)
{
    (void) d;
}
