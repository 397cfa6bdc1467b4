/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim - DKIM verification (libopendkim) behind a project-owned interface.
 *
 * SYNOPSIS
 *	#include "dkim.h"
 *
 * DESCRIPTION
 *	pr_dkim_lib_init() creates the per-config-generation library handle
 *	(with the TestDNSData zone when configured) and stores it in the
 *	config; pr_dkim_lib_free() destroys it. A message is verified
 *	through a pr_dkim handle fed the headers ("Name" and the value
 *	after ": "), the end of headers, the body and the end of message.
 *	pr_dkim_result() renders the AR fragments ("dkim=pass header.d=...
 *	header.s=...", one per signature, separated by "; ") and returns the
 *	summary result name ("pass", "fail", "none", ...) for X-Port-Role.
 *	Summary rule: "pass" when any signature passes, else the first of
 *	"fail", "permerror", "temperror", "neutral" that some signature got,
 *	else "none" (the message carries no signature).
 *	Only the first DKIMMaxSignatures signatures (cfg->dkim_max_sigs, in
 *	header order, topmost first; PR_DKIM_DEFAULT_SIGS when unset, at
 *	most PR_DKIM_MAX_SIGS) are verified: the rest never reach the
 *	library, so nothing is hashed or looked up for them, and the AR
 *	fragments end with one "dkim=policy reason=..." that counts them.
 *	So the cost and the AR size are bounded whatever the message holds.
 *	pr_dkim_raw_values() says the header values keep the white space
 *	after the colon (SMFIP_HDR_LEADSPC), so they are hashed as written.
 *	With DKIM compiled out (dkim_stub.c) dkim_available() is 0 and
 *	pr_dkim_new() returns NULL; every other call accepts NULL.
 */
#ifndef PORTROLE_DKIM_H
#define PORTROLE_DKIM_H

#include <stddef.h>

#define PR_DKIM_DEFAULT_SIGS 5      /* DKIMMaxSignatures' default, as in params.h */
#define PR_DKIM_MAX_SIGS     20     /* its upper bound: 20 results stay under 11 KiB */

struct pr_config;
struct strbuf;
struct pr_dkim;

int dkim_available(void);
int pr_dkim_lib_init(struct pr_config *cfg, struct strbuf *err);
void pr_dkim_lib_free(struct pr_config *cfg);
struct pr_dkim *pr_dkim_new(const struct pr_config *cfg);
void pr_dkim_header(struct pr_dkim *d, const char *name, const char *value);
void pr_dkim_raw_values(struct pr_dkim *d);
void pr_dkim_eoh(struct pr_dkim *d);
void pr_dkim_body(struct pr_dkim *d, const unsigned char *data, size_t len);
const char *pr_dkim_result(struct pr_dkim *d, struct strbuf *ar);
void pr_dkim_free(struct pr_dkim *d);

#endif
