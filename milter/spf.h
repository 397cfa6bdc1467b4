/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf - SPF checks (libspf2) behind a project-owned interface.
 *
 * SYNOPSIS
 *	#include "spf.h"
 *
 * DESCRIPTION
 *	spf_init() creates the per-config-generation SPF server (with its DNS
 *	cache and the TestDNSData zone when configured) and stores it in the
 *	config; spf_free() destroys it. spf_check() runs one check and maps the
 *	library's result to enum spf_result. With SPF compiled out (spf_stub.c)
 *	spf_available() is 0 and spf_check() returns SPF_RESULT_NOT_CHECKED.
 */
#ifndef PORTROLE_SPF_H
#define PORTROLE_SPF_H

struct pr_config;
struct strbuf;

enum spf_result {
    SPF_RESULT_NOT_CHECKED, SPF_RESULT_NONE, SPF_RESULT_NEUTRAL,
    SPF_RESULT_PASS, SPF_RESULT_FAIL, SPF_RESULT_SOFTFAIL,
    SPF_RESULT_TEMPERROR, SPF_RESULT_PERMERROR,
    SPF_RESULT_SKIPPED          /* on, but not for this client (trusted or authenticated) */
};

int spf_available(void);
int spf_init(struct pr_config *cfg, struct strbuf *err);
void spf_free(struct pr_config *cfg);
enum spf_result spf_check(const struct pr_config *cfg, const char *client_addr,
                          const char *helo, const char *sender);
const char *spf_result_name(enum spf_result res);

#endif
