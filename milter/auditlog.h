/*
 * auditlog - read mail logs, classify each line, aggregate misconfigured clients.
 *
 * SYNOPSIS
 *	#include "auditlog.h"
 *
 *	struct audit_reader *rd = auditlog_reader_open(path, &err);
 *	struct audit_agg *agg = auditlog_agg_new();
 *	auditlog_clock_init(&clk, auditlog_reader_mtime(rd));
 *	while (auditlog_reader_line(rd, &line, &len, &truncated) > 0)
 *	    auditlog_agg_feed(agg, &clk, line, truncated, path, lineno);
 *	n = auditlog_agg_sorted(agg, AUDIT_BY_ADDR, &entries);
 *
 * DESCRIPTION
 *	The pure half of portrole-audit, so that the tests and the fuzzers
 *	call it without the command line.
 *
 *	auditlog_parse() takes one NUL-terminated line and removes the
 *	syslog prefix it finds: RFC 3164 ("Nov 28 13:14:38 host tag[pid]:",
 *	the year inferred through a struct audit_clock), RFC 5424 and
 *	rsyslog's ISO time stamps, journalctl -o short / short-iso, the
 *	"tag[pid]: " of portrole-milter -f, or nothing (a bare line). The
 *	message is then a portrole decision (LogFormat kv or json), one of
 *	Postfix's own lines that shows a client mistake, a line to skip
 *	(another program, a daemon diagnostic), or unparsable.
 *
 *	Every text value in a struct audit_rec is printable ASCII: bytes
 *	outside it are written \xHH, as portrole-milter's kv log does.
 *
 *	The reader streams a file, stdin ("-") or a gzip file (detected by
 *	its magic bytes; needs zlib) in lines of at most AUDIT_LINE_MAX-1
 *	bytes: longer lines are cut and flagged, NUL bytes become '?'.
 *
 *	The aggregator counts, per client address and per login, each
 *	violation (SPEC's eight, then the Postfix-only AUDIT_CAT_AUTH_FAILED
 *	and AUDIT_CAT_AUTH_LOST), first and last seen, and the ports. It
 *	keeps the summary (messages by role and action) in constant memory:
 *	messages are told apart by ref= among the last few thousand refs.
 *	At most AUDIT_MAX_ENTRIES addresses and as many logins are kept;
 *	events beyond that are counted in "untracked".
 *
 * DIAGNOSTICS
 *	auditlog_reader_open() returns NULL with a message in err;
 *	auditlog_reader_line() returns -1 on a read error (message in err).
 */
#ifndef PORTROLE_AUDITLOG_H
#define PORTROLE_AUDITLOG_H

#include <stddef.h>
#include <time.h>

#include "policy.h"
#include "strbuf.h"

#define AUDIT_LINE_MAX      65536
#define AUDIT_MAX_ENTRIES   200000
#define AUDIT_EXAMPLES      5
#define AUDIT_EXAMPLE_LEN   160
#define AUDIT_MAX_PORTS     6

/* Counted categories: pr_violation values, then what only Postfix logs. */
#define AUDIT_CAT_AUTH_FAILED   V_COUNT
#define AUDIT_CAT_AUTH_LOST     (V_COUNT + 1)
#define AUDIT_CAT_COUNT         (V_COUNT + 2)

enum audit_kind { AUDIT_SKIP, AUDIT_DECISION, AUDIT_POSTFIX, AUDIT_UNPARSABLE };
enum audit_by { AUDIT_BY_ADDR, AUDIT_BY_LOGIN };

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
};

/* Year inference for RFC 3164 time stamps, one per input file. */
struct audit_clock {
    time_t      reference;          /* the file's mtime, or now */
    int         year;               /* year of the last line, 0 before one */
    int         last_mon;
    int         c_year, c_mon, c_mday, c_hour;  /* mktime() cache */
    time_t      c_base;
};

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

struct audit_reader;
struct audit_agg;

void auditlog_clock_init(struct audit_clock *clk, time_t reference);
enum audit_kind auditlog_parse(const char *line, struct audit_clock *clk,
                               struct audit_rec *rec);
const char *auditlog_cat_name(int cat);
const char *auditlog_cat_fix(int cat);
int auditlog_time_parse(const char *text, time_t now, time_t *out);

struct audit_reader *auditlog_reader_open(const char *path, strbuf *err);
int auditlog_reader_line(struct audit_reader *rd, char **line, size_t *len,
                         int *truncated);
time_t auditlog_reader_mtime(const struct audit_reader *rd);
const char *auditlog_reader_error(const struct audit_reader *rd);
void auditlog_reader_close(struct audit_reader *rd);

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
void auditlog_agg_free(struct audit_agg *agg);

#endif
