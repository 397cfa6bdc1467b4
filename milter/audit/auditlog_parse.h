/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditlog_parse - classify one mail log line into a record.
 *
 * SYNOPSIS
 *	#include "auditlog_parse.h"
 *
 *	struct audit_clock clk;
 *	struct audit_rec rec;
 *	auditlog_clock_init(&clk, file_mtime);
 *	kind = auditlog_parse(line, &clk, &rec);
 *
 * DESCRIPTION
 *	auditlog_parse() takes one NUL-terminated line and removes the
 *	syslog prefix it finds: RFC 3164 ("Nov 28 13:14:38 host tag[pid]:",
 *	the year inferred through a struct audit_clock), RFC 5424 and
 *	rsyslog's ISO time stamps, journalctl -o short / short-iso, the
 *	"tag[pid]: " of portrole-milter -f, or nothing (a bare line). The
 *	message is then a portrole decision (LogFormat kv or json), one of
 *	Postfix's own lines that shows a client mistake, an outbound
 *	delivery line of Postfix's smtp(8) or Sendmail (auditlog_smtp.h),
 *	a line to skip
 *	(another program, a daemon diagnostic), or unparsable.
 *
 *	Every text value in a struct audit_rec is printable ASCII: bytes
 *	outside it are written \xHH, as portrole-milter's kv log does.
 *
 *	The categories counted are SPEC's eight violations, then the
 *	Postfix-only AUDIT_CAT_AUTH_FAILED and AUDIT_CAT_AUTH_LOST;
 *	auditlog_cat_name() and auditlog_cat_fix() name them and give the
 *	fix. auditlog_time_parse() reads --since / --until values.
 *
 * DIAGNOSTICS
 *	auditlog_time_parse() returns -1 for a value it cannot read.
 */
#ifndef PORTROLE_AUDITLOG_PARSE_H
#define PORTROLE_AUDITLOG_PARSE_H

#include <stddef.h>
#include <time.h>

#include "auditlog_smtp.h"
#include "policy.h"

/* Counted categories: pr_violation values, then what only Postfix logs. */
#define AUDIT_CAT_AUTH_FAILED   V_COUNT
#define AUDIT_CAT_AUTH_LOST     (V_COUNT + 1)
#define AUDIT_CAT_COUNT         (V_COUNT + 2)

/* AUDIT_OUTBOUND: an MTA delivery line, its result in rec.out */
enum audit_kind { AUDIT_SKIP, AUDIT_DECISION, AUDIT_POSTFIX, AUDIT_OUTBOUND, AUDIT_UNPARSABLE };

struct audit_rec {
    enum audit_kind kind;
    time_t      when;               /* 0: the line had no time stamp */
    int         json;               /* decision written as LogFormat json */
    char        tag[64];            /* syslog tag without [pid], "" if none */
    char        queueid[32];        /* "" if none */
    char        listener[32];       /* Postfix service from the tag */
    int         role;               /* enum pr_role, -1 unknown */
    int         port;               /* -1 unknown */
    char        client_name[256];
    char        client_addr[128];
    char        auth[64];
    char        login[256];
    char        tls[64];
    char        from[256];
    char        rcpt[512];          /* as logged, maybe cut */
    int         action;             /* enum pr_action, -1 for Postfix lines */
    int         would;              /* enum pr_action, -1 none */
    int         audit_mode;         /* mode=audit */
    unsigned    cats;               /* bit (1u << category) */
    char        ref[16];
    char        host[64];           /* the syslog host name, "" if none */
    struct audit_out out;           /* AUDIT_OUTBOUND only */
};

/* Year inference for RFC 3164 time stamps, one per input file. */
struct audit_clock {
    time_t      reference;          /* the file's mtime, or now */
    int         year;               /* year of the last line, 0 before one */
    int         last_mon;
    int         c_year, c_mon, c_mday, c_hour;  /* mktime() cache */
    time_t      c_base;
};

void auditlog_clock_init(struct audit_clock *clk, time_t reference);
enum audit_kind auditlog_parse(const char *line, struct audit_clock *clk,
                               struct audit_rec *rec);
const char *auditlog_cat_name(int cat);
const char *auditlog_cat_fix(int cat);
int auditlog_time_parse(const char *text, time_t now, time_t *out);

#endif
