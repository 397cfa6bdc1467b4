/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spfrecord - RFC 7208 record syntax, checked strictly, and the record
 *	rewritten into a form libspf2 evaluates the way the RFC does.
 *
 * SYNOPSIS
 *	#include "spfrecord.h"
 *
 *	if (spfrecord_is_spf(text, len))
 *	    rc = spfrecord_check(text, len, &ctx, &out);
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
 *	family name a made-up name instead (out.wild[].synth, under
 *	SPFRECORD_SYNTH_SUFFIX, unique to this record): the caller answers
 *	that name's look-up with D's, and the address look-up (the MX hosts'
 *	for mx) with the client's own address when D has any, which is what
 *	/0 means. Being this record's own name, no other record's term can
 *	match through it. A name used by a second a or mx term in the same
 *	record is not rewritten (libspf2 then answers permerror, never a
 *	wrong match).
 *
 *	RFC 7208 sets no limit on the number of terms; libspf2 silently drops
 *	the mechanisms past 511 compiled bytes (about 63 ip4 or 25 ip6
 *	terms). When the ip4/ip6 terms would pass SPFRECORD_CHUNK_BYTES, each
 *	run of them with one qualifier becomes "QUAL include:NAME", NAME's
 *	record (out.chunk[]) holding the run without qualifiers and without
 *	"all": the include matches exactly when a term of the run does. The
 *	caller answers NAME's TXT look-up itself (it is no DNS term) and
 *	checks that libspf2 compiled out.nmech mechanisms (else: a size
 *	limit, permerror).
 *
 *	A '/' among a macro's delimiters ("%{d/}", RFC 7208 7.1) is refused
 *	by libspf2: it is dropped where the value cannot hold one (d, o from
 *	ctx; i, v), which leaves the expansion unchanged.
 *
 * DIAGNOSTICS
 *	spfrecord_check() returns -1 with a static reason in out->why.
 */
#ifndef PORTROLE_SPFRECORD_H
#define PORTROLE_SPFRECORD_H

#include <stddef.h>

#include "strbuf.h"

#define SPFRECORD_MAX_WILD      16
#define SPFRECORD_CHUNK_BYTES   480     /* libspf2 holds 511 bytes of mechanisms */
#define SPFRECORD_SYNTH_SUFFIX  ".portrole.invalid"     /* RFC 2606: never real */

/* What the rewrite may depend on. */
struct spfrecord_ctx {
    int         client_v6;      /* the client's family */
    const char *domain;         /* the record's own domain, %{d} */
    const char *sender_domain;  /* %{o} */
    const char *token;          /* this check's random part of made-up names */
    unsigned    serial;         /* the first number for this record's names */
};

struct spfrecord_wild {
    char       *name;           /* NULL: the record's own domain */
    int         v6;             /* the AAAA look-up (else A) */
    int         mx;             /* the name's MX hosts, not the name */
    strbuf      synth;          /* the made-up name the record now names */
};

/* A made-up record that holds a run of ip4/ip6 terms: NAME TXT "TEXT". */
struct spfrecord_chunk {
    strbuf      name;
    strbuf      text;
};

struct spfrecord_out {
    strbuf      text;           /* the record to evaluate */
    const char *why;            /* what is wrong, when -1 */
    struct spfrecord_wild wild[SPFRECORD_MAX_WILD];
    size_t      nwild;
    struct spfrecord_chunk *chunk;
    size_t      nchunk;
    unsigned    nsynth;         /* made-up names used: the next serial is +this */
    unsigned    nmech;          /* mechanisms in text, redirect= included */
};

int spfrecord_is_spf(const char *text, size_t len);
int spfrecord_check(const char *text, size_t len, const struct spfrecord_ctx *ctx,
                    struct spfrecord_out *out);
void spfrecord_out_free(struct spfrecord_out *out);

#endif
