/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log - syslog (and stderr) output, and the one decision line format.
 *
 * SYNOPSIS
 *	#include "log.h"
 *
 * DESCRIPTION
 *	log_open() opens syslog with ident "portrole-milter"; with to_stderr
 *	(-f) every line is also written to stderr. log_msg() writes a
 *	diagnostic at a syslog priority, filtered by log_set_level().
 *
 *	log_format_decision() renders one decision as SPEC's line:
 *
 *	QUEUEID: role= port= client=NAME[ADDR] auth= [login=] tls= from=<..>
 *	    rcpt=<..>[,<..>] action= [violation=a[,b]] [would=] mode= [ref=]
 *
 *	A per-recipient line whose recipient the MTA resolved to another
 *	address adds resolved=<..> after rcpt= (JSON: "resolved").
 *
 *	or, in LOG_FORMAT_JSON, one JSON object with the same keys. Values
 *	are escaped so that a line stays one line: in kv form bytes outside
 *	printable ASCII, space, '"' and '\' become \xHH; in JSON the usual
 *	escapes. log_decision() formats and writes it (ignore at debug).
 *
 *	A decision line is at most LOG_LINE_MAX - 1 bytes, under what a
 *	syslog daemon cuts (rsyslog: 8 KiB): each value is cut to a budget
 *	(ending in "..."), and the recipients that do not fit are left out,
 *	their count written after the ones named: rcpt=<a>,<b> rcpts=1000
 *	(JSON: "rcpts":1000 after the "rcpt" array). The first is always named.
 */
#ifndef PORTROLE_LOG_H
#define PORTROLE_LOG_H

#include <syslog.h>

#include "policy.h"
#include "strbuf.h"

#define LOG_LINE_MAX    2048        /* bytes, with the NUL */

struct log_decision {
    const char *queueid;        /* NULL: NOQUEUE */
    const struct pr_facts *facts;
    const char *const *rcpts;   /* accepted (or the rejected) recipients */
    size_t      nrcpts;
    enum pr_action action;
    unsigned    violations;
    enum pr_action would;       /* ACT_PASS: none */
    int         audit;
    const char *ref;            /* NULL: none */
    const char *resolved;       /* the MTA's {rcpt_addr} when it differs; NULL: none */
};

void log_open(int facility, int to_stderr);
void log_set_level(int priority);
int log_get_level(void);
void log_msg(int priority, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_format_decision(int json, const struct log_decision *d, strbuf *out);
void log_decision(int json, const struct log_decision *d);
void log_escape_kv(strbuf *out, const char *value);

#endif
