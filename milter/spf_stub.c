/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_stub - SPF compiled out (./configure --without-spf or no libspf2).
 *
 * DESCRIPTION
 *	Every check answers "not checked", so the header and the logs say
 *	that SPF did not run instead of claiming a result.
 */
#include "acconfig.h"

#include <stddef.h>

#include "spf.h"
#include "strbuf.h"

/* spf_available - this build has no SPF */
int spf_available(void)
{
    return 0;
}

/* spf_init - nothing to create */
int spf_init(struct pr_config *cfg, struct strbuf *err)
{
    (void) cfg;
    (void) err;
    return 0;
}

/* spf_free - nothing to destroy */
void spf_free(struct pr_config *cfg)
{
    (void) cfg;
}

/* spf_check - SPF did not run */
enum spf_result spf_check(const struct pr_config *cfg, const char *client_addr,
                          const char *helo, const char *sender)
{
    (void) cfg;
    (void) client_addr;
    (void) helo;
    (void) sender;
    return SPF_RESULT_NOT_CHECKED;
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
