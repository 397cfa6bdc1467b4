/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_audit - portrole-audit's log reader, line parser and aggregator
 *	over arbitrary log text (syslog, journal, kv and JSON decisions,
 *	Postfix's own lines, binary junk, gzip magic).
 *
 * INPUT
 *	The whole input is a log file.
 *
 * INVARIANTS
 *	- Every line read is at most AUDIT_LINE_MAX - 1 bytes, without NUL.
 *	- auditlog_parse(): a kind in range; every text field of the record
 *	  NUL-terminated inside its array and printable ASCII (what the
 *	  table, JSON and CSV reports print); role, port, action, would and
 *	  the categories in range.
 *	- The aggregator counts every line fed, its sorted lists hold only
 *	  entries it can find again, and it frees cleanly.
 */
#include "acconfig.h"

#include "audit/auditlog_agg.h"
#include "audit/auditlog_reader.h"
#include "fuzz.h"

#ifdef HAVE_ZLIB
#define HAVE_ZLIB_FLAG 1
#else
#define HAVE_ZLIB_FLAG 0
#endif

#define FIELD(rec, f) check_field((rec)->f, sizeof((rec)->f), #f)

/* check_field - NUL-terminated in its array, printable ASCII */
static void check_field(const char *s, size_t size, const char *name)
{
    size_t n = strnlen(s, size);

    if (n == size)
        fprintf(stderr, "field %s not terminated\n", name);
    FZ_CHECK(n < size, "record field without its NUL");
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char) s[i] < 0x20 || (unsigned char) s[i] >= 0x7f)
            fprintf(stderr, "field %s: byte 0x%02x\n", name, (unsigned char) s[i]);
        FZ_CHECK((unsigned char) s[i] >= 0x20 && (unsigned char) s[i] < 0x7f,
                 "record field not printable ASCII");
    }
}

/* check_rec - one parsed line */
static void check_rec(enum audit_kind kind, const struct audit_rec *rec)
{
    FZ_CHECK(kind >= AUDIT_SKIP && kind <= AUDIT_UNPARSABLE, "kind out of range");
    FIELD(rec, tag);
    FIELD(rec, queueid);
    FIELD(rec, listener);
    FIELD(rec, client_name);
    FIELD(rec, client_addr);
    FIELD(rec, auth);
    FIELD(rec, login);
    FIELD(rec, tls);
    FIELD(rec, from);
    FIELD(rec, rcpt);
    FIELD(rec, ref);
    if (kind != AUDIT_DECISION && kind != AUDIT_POSTFIX)
        return;
    FZ_CHECK(rec->role >= -1 && rec->role < ROLE_COUNT, "role out of range");
    FZ_CHECK(rec->port >= -1 && rec->port <= 65535, "port out of range");
    FZ_CHECK(rec->action >= -1 && rec->action < ACT_COUNT, "action out of range");
    FZ_CHECK(rec->would >= -1 && rec->would < ACT_COUNT, "would out of range");
    FZ_CHECK((rec->cats >> AUDIT_CAT_COUNT) == 0, "category out of range");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct audit_reader *rd;
    struct audit_agg *agg;
    struct audit_clock clk, clk2;
    struct audit_rec rec;
    struct audit_entry **entries;
    strbuf err = STRBUF_INIT;
    char *line;
    size_t len, n;
    unsigned long lines = 0;
    int truncated, rc;
    time_t t;

    rd = auditlog_reader_open_mem("fuzz.log", data, size, &err);
    FZ_CHECK(rd != NULL || !HAVE_ZLIB_FLAG, "reader refused text in memory");
    if (rd == NULL) {
        FZ_CHECK(err.len > 0, "reader refused without a message");
        strbuf_release(&err);
        return 0;
    }
    agg = auditlog_agg_new();
    /* A fixed reference time: the year inference must not depend on the clock. */
    auditlog_clock_init(&clk, (time_t) 1700000000);
    auditlog_clock_init(&clk2, (time_t) 1700000000);
    while ((rc = auditlog_reader_line(rd, &line, &len, &truncated)) > 0) {
        FZ_CHECK(len < AUDIT_LINE_MAX && strlen(line) == len, "line too long or with a NUL");
        memset(&rec, 0x5a, sizeof(rec));
        check_rec(auditlog_parse(line, &clk2, &rec), &rec);
        if (lines == 0)
            (void) auditlog_time_parse(line, (time_t) 1700000000, &t);
        auditlog_agg_feed(agg, &clk, line, truncated, "fuzz.log", ++lines);
    }
    /* A corrupt gzip stream is a read error, with a message. */
    FZ_CHECK(rc == 0 || auditlog_reader_error(rd) != NULL, "read error without a message");
    FZ_CHECK(auditlog_agg_summary(agg)->lines == lines, "summary does not count every line");
    for (int by = AUDIT_BY_ADDR; by <= AUDIT_BY_LOGIN; by++) {
        n = auditlog_agg_sorted(agg, (enum audit_by) by, &entries);
        for (size_t i = 0; i < n; i++) {
            FZ_CHECK(auditlog_agg_find(agg, (enum audit_by) by, entries[i]->key) == entries[i],
                     "sorted entry not found again");
            (void) auditlog_cat_fix(auditlog_entry_main_cat(entries[i]));
        }
        free(entries);
    }
    auditlog_agg_free(agg);
    auditlog_reader_close(rd);
    strbuf_release(&err);
    return 0;
}
