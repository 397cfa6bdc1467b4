/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditlog_out - count outbound connections per server; name OP25B.
 *
 * SYNOPSIS
 *	#include "auditlog_out.h"
 *
 *	struct audit_outagg *oa = auditlog_out_new();
 *	auditlog_out_add(oa, &rec.out);
 *	if (auditlog_out_op25b(oa, &text)) ...
 *	n = auditlog_out_sorted(oa, &dests);
 *	auditlog_out_free(oa);
 *
 * DESCRIPTION
 *	Counts each connection result of auditlog_smtp.h per server
 *	(address and port) and in total, for port 25 and for the other
 *	ports (a relayhost on 587, a smart host).
 *
 *	The OP25B rule: at least AUDIT_OP25B_MIN_CONN connections to port
 *	25, of which at least AUDIT_OP25B_SHARE percent timed out, and the
 *	time-outs hit at least AUDIT_OP25B_MIN_SERVERS different server
 *	addresses. One slow or dead receiver is one or two addresses, so it
 *	never names OP25B; a relayhost on port 587 makes no port-25
 *	connections at all. auditlog_out_op25b() writes the verdict in plain
 *	words, or a one-line summary when the rule does not hold, in English
 *	(the JSON report's "verdict", the same in every locale);
 *	auditlog_out_op25b_local() writes it in the locale's language (the
 *	table and HTML reports).
 *
 *	At most AUDIT_MAX_DESTS servers are kept; results past that are
 *	still in the totals, counted as untracked.
 *
 * DIAGNOSTICS
 *	None.
 */
#ifndef PORTROLE_AUDITLOG_OUT_H
#define PORTROLE_AUDITLOG_OUT_H

#include <stddef.h>

#include "auditlog_smtp.h"
#include "strbuf.h"

#define AUDIT_MAX_DESTS         50000
#define AUDIT_OP25B_MIN_CONN    10
#define AUDIT_OP25B_MIN_SERVERS 5
#define AUDIT_OP25B_SHARE       80

struct audit_dest {
    char       *key;                /* "ADDR:PORT" */
    char        host[128];
    char        addr[64];
    int         port;
    unsigned long n[AUDIT_CONN_COUNT];
    unsigned long total;
    struct audit_dest *next;
};

struct audit_outsum {
    unsigned long port25[AUDIT_CONN_COUNT];
    unsigned long other[AUDIT_CONN_COUNT];
    unsigned long servers_timed_out;    /* port-25 addresses with a time-out */
    unsigned long untracked;
};

struct audit_outagg;

struct audit_outagg *auditlog_out_new(void);
void auditlog_out_add(struct audit_outagg *oa, const struct audit_out *out);
const struct audit_outsum *auditlog_out_summary(const struct audit_outagg *oa);
int auditlog_out_op25b(const struct audit_outagg *oa, strbuf *text);
int auditlog_out_op25b_local(const struct audit_outagg *oa, strbuf *text);
size_t auditlog_out_sorted(const struct audit_outagg *oa, struct audit_dest ***out);
void auditlog_out_free(struct audit_outagg *oa);

#endif
