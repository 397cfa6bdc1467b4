/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * testdns - DNS answers for the SPF and DKIM adapters: from a TestDNSData
 *	zone file, or from the system resolver, never past a deadline.
 *
 * SYNOPSIS
 *	#include "testdns.h"
 *
 *	zone = testdns_load(path, &errors);	NULL: errors has FILE:LINE lines
 *	testdns_deadline(&deadline, seconds);
 *	testdns_resolve(zone, "example.org", ns_t_txt, &deadline, &answer);
 *	... answer.status, answer.rr[0 .. answer.nrr - 1] ...
 *	testdns_answer_free(&answer);
 *	testdns_free(zone);
 *
 * DESCRIPTION
 *	A TestDNSData file holds one record per line; '#' starts a comment
 *	outside quotes, names are case-insensitive and a trailing dot is
 *	ignored:
 *
 *	    example.org           TXT "v=spf1 ip4:192.0.2.0/24" " -all"
 *	    mail.example.org      A 192.0.2.10
 *	    mail.example.org      AAAA 2001:db8::10
 *	    example.org           MX 10 mail.example.org
 *	    nomail.example.org    MX 0 .
 *	    10.2.0.192.in-addr.arpa PTR mail.example.org
 *	    www.example.org       CNAME example.org
 *	    sel._domainkey.example.org TXT "v=DKIM1; k=rsa; p=MIIB..."
 *	    empty.example.org     TXT ""
 *	    odd.example.org       TXT "v=spf1 \226all\000"
 *	    a\032space.example    A 192.0.2.11
 *	    broken.example        SERVFAIL
 *	    slow.example          TIMEOUT
 *	    half.example          TXT "v=spf1 a -all"
 *	    half.example          TIMEOUT A AAAA
 *
 *	TXT takes one or more quoted strings, joined without a separator as
 *	DNS joins a TXT record's strings; "" alone is an empty record. In
 *	quoted strings and in names, \DDD is the byte DDD (decimal, so NUL,
 *	CR, LF and 8-bit bytes can be written; not NUL in names) and \X is
 *	X (\" \\ \032 for a space in a name); any other printable byte
 *	stands for itself. "MX 0 ." is a null MX (RFC 7505): its host is
 *	the empty name. A CNAME is followed as a resolver follows it, for
 *	any type but CNAME itself; a chain longer than 8, or a loop, is a
 *	temporary failure (a resolver's SERVFAIL).
 *
 *	SERVFAIL makes every look-up of that name a temporary failure at
 *	once. TIMEOUT makes it a server that never answers in time: the
 *	look-up waits until the deadline, then fails temporarily. "TIMEOUT
 *	TYPE..." does so for the types named; a bare TIMEOUT for every type
 *	that the name has no records of (so a name with only a TIMEOUT line
 *	never answers, and one with a TXT record answers TXT and times out
 *	on the rest, as some broken servers do). A name that is not in the
 *	file does not exist (NXDOMAIN); a name in the file without records
 *	of the asked type has no data (NODATA). With a zone, nothing ever
 *	reaches the network.
 *
 *	Without a zone (NULL), testdns_resolve() asks the system resolver
 *	(resolv.conf) from a worker thread and waits for it no later than the
 *	deadline: glibc's resolver has no overall time limit (TCP fallback
 *	and several servers multiply its per-try timeout), so the caller
 *	stops waiting instead, answers TESTDNS_TEMPFAIL with timed_out set,
 *	and the worker finishes (bounded by the per-try timeout it was given)
 *	and frees itself. One deadline serves every look-up of one check.
 *
 *	Records of a FOUND answer are copies the caller owns until
 *	testdns_answer_free(); the zone is read-only after loading and may
 *	be shared by every thread.
 *
 * DIAGNOSTICS
 *	testdns_load() appends "FILE:LINE: message" lines to err (or "FILE:
 *	message" when the file cannot be read) and returns NULL.
 */
#ifndef PORTROLE_TESTDNS_H
#define PORTROLE_TESTDNS_H

#include <stddef.h>
#include <time.h>

#include "strbuf.h"

struct testdns;

enum testdns_status {
    TESTDNS_FOUND,              /* records of the asked type */
    TESTDNS_NXDOMAIN,           /* no such name */
    TESTDNS_NODATA,             /* the name exists, without that type */
    TESTDNS_TEMPFAIL            /* SERVFAIL, time-out, no answer: try later */
};

struct testdns_rr {
    int         type;           /* ns_t_a, ns_t_aaaa, ns_t_mx, ns_t_txt, ns_t_ptr, ns_t_cname */
    unsigned    pref;           /* MX preference */
    unsigned char addr[16];     /* A (first 4 bytes), AAAA */
    char       *text;           /* TXT strings joined, MX exchange, PTR/CNAME name */
    size_t      len;            /* TXT: bytes in text (it may hold NUL), else 0 */
};

struct testdns_answer {
    enum testdns_status status;
    int         timed_out;      /* TEMPFAIL because the deadline passed */
    unsigned    ttl;            /* seconds the answer may be cached */
    struct testdns_rr *rr;
    size_t      nrr;
};

struct testdns *testdns_load(const char *path, strbuf *err);
void testdns_free(struct testdns *zone);
size_t testdns_count(const struct testdns *zone);
void testdns_deadline(struct timespec *deadline, int seconds);
int testdns_expired(const struct timespec *deadline);
void testdns_resolve(const struct testdns *zone, const char *name, int type,
                     const struct timespec *deadline,
                     struct testdns_answer *ans);
void testdns_answer_free(struct testdns_answer *ans);
const char *testdns_status_name(enum testdns_status status);

#endif
