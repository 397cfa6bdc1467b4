/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spfrecord - RFC 7208 record syntax, checked strictly, and the record
 *	rewritten into a form libspf2 evaluates the way the RFC does.
 *
 * SYNOPSIS
 *	#include "spfrecord.h"
 *
 *	if (spfrecord_is_spf(text, len))
 *	    rc = spfrecord_check(text, len, &out);
 *	... rc < 0: out.why says what is wrong (the result is permerror) ...
 *	... else out.text is the record to evaluate, out.wild[] the names
 *	    whose addresses a "/0" mechanism matches ...
 *	spfrecord_out_free(&out);
 *
 * DESCRIPTION
 *	spfrecord_is_spf() tells whether a TXT record is an SPF record
 *	("v=spf1" alone or followed by a space, any case, RFC 7208 4.5).
 *
 *	spfrecord_check() holds the record to the ABNF of RFC 7208 section
 *	12 and the rules beside it: terms separated by spaces only; printable
 *	US-ASCII only (no NUL, CR, LF or 8-bit byte); each mechanism's
 *	arguments; CIDR lengths 0-32 and 0-128 without leading zeros; a
 *	domain-spec ending in a macro or in "." and a top label that is not
 *	all digits and neither starts nor ends with "-"; macros of the
 *	letters slodiphv (crt only in explanation text, which is not checked
 *	here) with their transformers and delimiters, "%%", "%_" and "%-";
 *	modifier names (ALPHA *(ALPHA / DIGIT / "-" / "_" / ".")); redirect=
 *	and exp= at most once each.
 *
 *	A record that passes is rewritten for libspf2, which refuses some
 *	valid records: unknown modifiers are dropped (RFC 7208 6: they are
 *	ignored; libspf2 refuses some valid names); "ip4:N/0" becomes
 *	"ip4:0.0.0.0/1 ip4:128.0.0.0/1" and "ip6:N/0" "ip6:::/1 ip6:8000::/1"
 *	(libspf2 refuses /0); "a[:D]/0" and "mx[:D]/0" for the client's
 *	family lose the /0 and their name goes to out.wild: the caller
 *	answers that name's address look-up (the MX hosts' for mx) with the
 *	client's own address when it has any, which is what /0 means. A name
 *	used by a second a or mx term in the same record is not rewritten
 *	(libspf2 then answers permerror, never a wrong match).
 *
 * DIAGNOSTICS
 *	spfrecord_check() returns -1 with a static reason in out->why.
 */
#ifndef PORTROLE_SPFRECORD_H
#define PORTROLE_SPFRECORD_H

#include <stddef.h>

#include "strbuf.h"

#define SPFRECORD_MAX_WILD 8

struct spfrecord_wild {
    char       *name;           /* NULL: the record's own domain */
    int         v6;             /* the AAAA look-up (else A) */
    int         mx;             /* the name's MX hosts, not the name */
};

struct spfrecord_out {
    strbuf      text;           /* the record to evaluate */
    const char *why;            /* what is wrong, when -1 */
    struct spfrecord_wild wild[SPFRECORD_MAX_WILD];
    size_t      nwild;
};

int spfrecord_is_spf(const char *text, size_t len);
int spfrecord_check(const char *text, size_t len, int client_v6,
                    struct spfrecord_out *out);
void spfrecord_out_free(struct spfrecord_out *out);

#endif
