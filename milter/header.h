/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * header - the X-Port-Role and Authentication-Results headers.
 *
 * SYNOPSIS
 *	#include "header.h"
 *
 * DESCRIPTION
 *	header_build() renders the X-Port-Role value (without "NAME: ") for
 *	one accepted message:
 *
 *	    ID; role=mx; port=25; client=NAME [ADDR];
 *		auth=none; tls=TLSv1.3; verdict=pass
 *		(one sentence that explains the route)
 *
 *	Keys in this order: role, port (or listener=NAME), client, auth,
 *	user (include_user only), tls, spf and dkim (when they ran), verdict,
 *	violations (when tagged); then the comment. Folded with "\n\t" so
 *	that no line exceeds 78 columns where the values allow, and never 998.
 *
 *	header_append_value() appends one network-supplied value: control
 *	bytes (CR, LF, NUL, ...) and 8-bit bytes become '?', the value is
 *	capped at HEADER_VALUE_MAX bytes, and it is quoted (with \" and \\)
 *	when it holds anything but token characters.
 *
 *	header_is_ours() says whether an existing header value starts with
 *	our authserv-id followed by ';' (white space and case ignored): such
 *	a copy is a forgery and is deleted; others are route history.
 *
 *	header_build_ar() renders an RFC 8601 Authentication-Results value
 *	with only the methods that ran, never longer than HEADER_AR_MAX
 *	bytes: DKIM results past that are counted in one closing
 *	"dkim=policy reason=..." item.
 */
#ifndef PORTROLE_HEADER_H
#define PORTROLE_HEADER_H

#include "policy.h"
#include "strbuf.h"

#define HEADER_VALUE_MAX 255
#define HEADER_FOLD_AT   78
#define HEADER_LINE_MAX  998
#define HEADER_AR_MAX    16384  /* an Authentication-Results value, folds included */

struct header_route {
    const char *authserv_id;
    const struct pr_facts *facts;
    unsigned    tagged;         /* violations to name (VBIT()s) */
    int         relayed;        /* some accepted recipient is not local */
    int         include_user;   /* HeaderIncludeUser */
    const char *dkim;           /* DKIM summary, or NULL when it did not run */
};

void header_build(const char *header_name, const struct header_route *r,
                  strbuf *value);
void header_build_ar(const char *authserv_id, const struct pr_facts *facts,
                     const char *dkim_ar, strbuf *value);
void header_append_value(strbuf *out, const char *raw);
int header_is_ours(const char *value, const char *authserv_id);
const char *header_comment(const struct header_route *r);

#endif
