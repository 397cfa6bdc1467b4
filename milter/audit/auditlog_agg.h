/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditlog_agg - count classified log records per client and per login.
 *
 * SYNOPSIS
 *	#include "auditlog_agg.h"
 *
 *	struct audit_agg *agg = auditlog_agg_new();
 *	auditlog_agg_feed(agg, &clk, line, truncated, path, lineno);
 *	n = auditlog_agg_sorted(agg, AUDIT_BY_ADDR, &entries);
 *	auditlog_agg_free(agg);
 *
 * DESCRIPTION
 *	The aggregator counts, per client address and per login, each
 *	category of auditlog_parse.h, first and last seen, and the ports.
 *	It keeps the summary (messages by role and action) in constant
 *	memory: messages are told apart by ref= among the last few thousand
 *	refs. At most AUDIT_MAX_ENTRIES addresses and as many logins are
 *	kept; events beyond that are counted in "untracked".
 *
 *	auditlog_agg_feed() parses one line (auditlog_parse()) and counts
 *	it; auditlog_agg_add() counts a record parsed already. Outbound
 *	delivery lines go to an auditlog_out aggregate,
 *	auditlog_agg_outbound(). Events with a time stamp are also counted
 *	per UTC day (the first AUDIT_MAX_DAYS days seen), oldest first from
 *	auditlog_agg_days(). Each record also counts for its syslog host
 *	(auditlog_agg_hosts(): the first AUDIT_MAX_HOSTS hosts, in the order
 *	seen), so that a log merged from a fleet is reported per server.
 *
 * DIAGNOSTICS
 *	None.
 */
#ifndef PORTROLE_AUDITLOG_AGG_H
#define PORTROLE_AUDITLOG_AGG_H

#include <stddef.h>
#include <time.h>

#include "auditlog_out.h"
#include "auditlog_parse.h"
#include "policy.h"

#define AUDIT_MAX_ENTRIES   200000
#define AUDIT_EXAMPLES      5
#define AUDIT_EXAMPLE_LEN   160
#define AUDIT_MAX_PORTS     6
#define AUDIT_MAX_DAYS      400         /* days kept for the chart */
#define AUDIT_MAX_HOSTS     1000        /* syslog hosts kept for --by host */

enum audit_by { AUDIT_BY_ADDR, AUDIT_BY_LOGIN };

struct audit_entry {
    char       *key;                /* address or login */
    char        other[256];         /* client name (by address) / last address (by login) */
    unsigned long count[AUDIT_CAT_COUNT];
    unsigned long total;
    time_t      first, last;        /* 0 when only untimed lines were seen */
    char        ports[AUDIT_MAX_PORTS][8];
    int         nports;
    int         more_ports;
    struct audit_entry *next;
};

struct audit_example {
    char        file[64];
    unsigned long lineno;
    char        text[AUDIT_EXAMPLE_LEN];
};

struct audit_summary {
    unsigned long lines, decisions, postfix_events, skipped, unparsable, overlong;
    unsigned long outbound;         /* MTA delivery lines (auditlog_out) */
    unsigned long filtered;         /* outside --since/--until */
    unsigned long untracked;        /* past AUDIT_MAX_ENTRIES */
    unsigned long messages;
    unsigned long role_messages[ROLE_COUNT];
    unsigned long role_actions[ROLE_COUNT][ACT_COUNT];
    unsigned long actions[ACT_COUNT];
    unsigned long would[ACT_COUNT];
    unsigned long cats[AUDIT_CAT_COUNT];
    time_t      first, last;
    struct audit_example examples[AUDIT_EXAMPLES];
    int         nexamples;
};

/* Events of one UTC day, for the chart of --format html. */
struct audit_day {
    long        day;                /* days since 1970-01-01 UTC */
    unsigned long cats[AUDIT_CAT_COUNT];
};

/* What one syslog host (one server of a fleet) logged. */
struct audit_host {
    char        host[64];           /* "" for lines without a host */
    unsigned long decisions, messages, postfix_events;
    unsigned long cats[AUDIT_CAT_COUNT];
    unsigned long conn25, timeout25;    /* outbound connections to port 25 */
    unsigned long reached_other;        /* delivered on another port / relay */
    time_t      first, last;
};

struct audit_agg;

struct audit_agg *auditlog_agg_new(void);
void auditlog_agg_window(struct audit_agg *agg, time_t since, time_t until);
enum audit_kind auditlog_agg_feed(struct audit_agg *agg, struct audit_clock *clk,
                                  const char *line, int truncated,
                                  const char *file, unsigned long lineno);
void auditlog_agg_add(struct audit_agg *agg, const struct audit_rec *rec);
const struct audit_summary *auditlog_agg_summary(const struct audit_agg *agg);
size_t auditlog_agg_sorted(struct audit_agg *agg, enum audit_by by,
                           struct audit_entry ***out);
const struct audit_entry *auditlog_agg_find(const struct audit_agg *agg,
                                            enum audit_by by, const char *key);
int auditlog_entry_main_cat(const struct audit_entry *e);
const struct audit_outagg *auditlog_agg_outbound(const struct audit_agg *agg);
size_t auditlog_agg_days(const struct audit_agg *agg, const struct audit_day **days);
size_t auditlog_agg_hosts(const struct audit_agg *agg, const struct audit_host **hosts);
void auditlog_agg_free(struct audit_agg *agg);

#endif
