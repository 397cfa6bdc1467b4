/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit - portrole-audit: find the misconfigured clients in mail logs.
 *
 * SYNOPSIS
 *	portrole-audit [--since TIME] [--until TIME] [--format table|json|csv|html]
 *	    [--top N] [FILE...]
 *	portrole-audit --ref ID [FILE...]
 *
 * DESCRIPTION
 *	The command line around auditlog_*.c: it opens each FILE (stdin when
 *	none, or "-"), feeds every line to the aggregator and prints the
 *	report in one of three formats, or, with --ref, every line of one
 *	transaction and what its decision means. See portrole-audit(1).
 *
 * DIAGNOSTICS
 *	Exit 0 when every input was read, 1 when one could not be (the
 *	report of the rest is still printed), 2 on a usage error.
 */
#include "acconfig.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit_html.h"
#include "auditlog_agg.h"
#include "auditlog_reader.h"
#include "dwidth.h"
#include "i18n.h"
#include "util.h"

#define TABLE_WIDTH     100
#define REF_MAX_LINES   64
#define REF_MAX_QIDS    8

enum format { FMT_TABLE, FMT_JSON, FMT_CSV, FMT_HTML };

struct opts {
    time_t      since, until;
    enum format format;
    long        top;                /* -1: the default for the format */
    int         by_host;            /* --by host */
    const char *ref;
    char      **files;
    int         nfiles;
};

static const char *stdin_only[] = {"-", NULL};

/* usage - the synopsis on stderr, exit 2 */
static void usage(const char *why)
{
    if (why)
        fprintf(stderr, "portrole-audit: %s\n", _(why));
    fprintf(stderr, "%s", _("usage: portrole-audit [--since TIME] [--until TIME] "
            "[--format table|json|csv|html] [--top N] [--by host] [FILE...]\n"
            "       portrole-audit --ref ID [FILE...]\n"
            "TIME: 2024-11-28, 2024-11-28T13:00, or relative -7d, -12h, -30m, -2w\n"));
    exit(2);
}

/* parse_args - options into o; exits 2 on a usage error */
static void parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option longopts[] = {
        {"since", required_argument, NULL, 's'},
        {"until", required_argument, NULL, 'u'},
        {"format", required_argument, NULL, 'f'},
        {"top", required_argument, NULL, 'n'},
        {"by", required_argument, NULL, 'b'},
        {"ref", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    time_t now = time(NULL);
    char *end;
    int c;

    memset(o, 0, sizeof(*o));
    o->top = -1;
    while ((c = getopt_long(argc, argv, "s:u:f:n:r:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
        case 'u':
            if (auditlog_time_parse(optarg, now, c == 's' ? &o->since : &o->until) < 0)
                usage(N_("bad time: use 2024-11-28, 2024-11-28T13:00 or -7d, -12h"));
            break;
        case 'f':
            if (strcmp(optarg, "table") == 0)
                o->format = FMT_TABLE;
            else if (strcmp(optarg, "json") == 0)
                o->format = FMT_JSON;
            else if (strcmp(optarg, "csv") == 0)
                o->format = FMT_CSV;
            else if (strcmp(optarg, "html") == 0)
                o->format = FMT_HTML;
            else
                usage(N_("--format takes table, json, csv or html"));
            break;
        case 'b':
            if (strcmp(optarg, "host") != 0)
                usage(N_("--by takes host"));
            o->by_host = 1;
            break;
        case 'n':
            o->top = strtol(optarg, &end, 10);
            if (end == optarg || *end || o->top < 0)
                usage(N_("--top takes a number (0: all)"));
            break;
        case 'r':
            o->ref = optarg;
            if (!*optarg || strlen(optarg) > 16 || optarg[strspn(optarg, "0123456789abcdefABCDEF")])
                usage(N_("--ref takes the 12 hex characters quoted in the reply"));
            for (char *p = optarg; *p; p++)
                *p = (char) tolower((unsigned char) *p);
            break;
        case 'h':
            usage(NULL);
            break;
        case 'V':
            printf("portrole-audit %s\n", PACKAGE_VERSION);
            exit(0);
        default:
            usage(NULL);
        }
    }
    if (o->since && o->until && o->since > o->until)
        usage(N_("--since is after --until"));
    o->files = optind < argc ? argv + optind : (char **) stdin_only;
    o->nfiles = optind < argc ? argc - optind : 1;
}

/* ------------------------------------------------------------ scanning */

typedef void (*line_fn)(void *ctx, struct audit_clock *clk, char *line, size_t len,
                        int truncated, const char *file, unsigned long lineno);

/*
 * Progress on a terminal only: bytes read of the total, once the input has
 * taken PROGRESS_AFTER seconds (PORTROLE_AUDIT_PROGRESS_AFTER overrides it,
 * for the tests), redrawn at most 4 times a second, erased at the end.
 */
#define PROGRESS_AFTER  1.0

struct progress {
    int         on;                 /* stderr is a terminal */
    double      start, after, last;
    int         shown;
};

/* now_s - monotonic seconds */
static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* progress_init - decide whether to show progress at all */
static void progress_init(struct progress *pg)
{
    const char *after = getenv("PORTROLE_AUDIT_PROGRESS_AFTER");

    memset(pg, 0, sizeof(*pg));
    pg->on = isatty(2);
    pg->start = now_s();
    pg->after = after && *after ? atof(after) : PROGRESS_AFTER;
}

/* progress_show - "portrole-audit: FILE: 12.3 of 512.0 MB (2%)" on stderr */
static void progress_show(struct progress *pg, const struct audit_reader *rd, const char *file)
{
    long long done, total;
    double t;

    if (!pg->on || (t = now_s()) - pg->start < pg->after || (pg->shown && t - pg->last < 0.25))
        return;
    pg->last = t;
    pg->shown = 1;
    if (auditlog_reader_progress(rd, &done, &total) == 0 && total > 0)
        fprintf(stderr, "\rportrole-audit: %.60s: %.1f of %.1f MB (%lld%%)\033[K", file,
                (double) done / 1e6, (double) total / 1e6, done * 100 / total);
    else
        fprintf(stderr, "\rportrole-audit: %.60s: reading\033[K", file);
    fflush(stderr);
}

/* progress_done - erase the line */
static void progress_done(struct progress *pg)
{
    if (pg->shown)
        fputs("\r\033[K", stderr);
    pg->shown = 0;
}

/* scan - every line of every file to fn; 0, or 1 when an input failed */
static int scan(const struct opts *o, line_fn fn, void *ctx)
{
    int rc = 0;
    struct progress pg;

    progress_init(&pg);
    for (int i = 0; i < o->nfiles; i++) {
        strbuf err = STRBUF_INIT;
        struct audit_reader *rd = auditlog_reader_open(o->files[i], &err);
        struct audit_clock clk;
        unsigned long lineno = 0;
        char *line;
        size_t len;
        int truncated, got;

        if (rd == NULL) {
            fprintf(stderr, "portrole-audit: %s\n", strbuf_str(&err));
            strbuf_release(&err);
            rc = 1;
            continue;
        }
        auditlog_clock_init(&clk, auditlog_reader_mtime(rd));
        while ((got = auditlog_reader_line(rd, &line, &len, &truncated)) > 0) {
            fn(ctx, &clk, line, len, truncated, o->files[i], ++lineno);
            if ((lineno & 4095) == 0)
                progress_show(&pg, rd, o->files[i]);
        }
        progress_done(&pg);
        if (got < 0) {
            fprintf(stderr, "portrole-audit: %s\n", auditlog_reader_error(rd));
            rc = 1;
        }
        auditlog_reader_close(rd);
        strbuf_release(&err);
    }
    return rc;
}

/* feed_line - the report's line handler */
static void feed_line(void *ctx, struct audit_clock *clk, char *line, size_t len,
                      int truncated, const char *file, unsigned long lineno)
{
    (void) len;
    auditlog_agg_feed(ctx, clk, line, truncated, file, lineno);
}

/* ------------------------------------------------------------- output */

/* fmt_time - local "2024-11-28 13:14" for the table, UTC ISO 8601 otherwise */
static const char *fmt_time(time_t t, int iso, char *buf, size_t size)
{
    struct tm tm;

    if (t == 0)
        return iso ? "" : "-";
    if (iso)
        strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    else
        strftime(buf, size, "%Y-%m-%d %H:%M", localtime_r(&t, &tm));
    return buf;
}

/* ports_text - "25,587" (and "+" when more were seen) */
static void ports_text(const struct audit_entry *e, char sep, strbuf *out)
{
    for (int i = 0; i < e->nports; i++) {
        if (i)
            strbuf_putc(out, sep);
        strbuf_puts(out, e->ports[i]);
    }
    if (e->more_ports)
        strbuf_puts(out, sep == ',' ? ",+" : " +");
}

/* wrap - text at an indent, broken before TABLE_WIDTH terminal columns */
static void wrap(FILE *fp, int indent, int hang, const char *text)
{
    dwidth_wrap(fp, indent, hang, TABLE_WIDTH, text);
}

/* limit - how many rows the format shows */
static size_t limit(const struct opts *o, size_t n)
{
    long top = o->top >= 0 ? o->top : (o->format == FMT_TABLE ? 20 : 0);

    return top > 0 && (size_t) top < n ? (size_t) top : n;
}


/* A column heading of a text table: its (translated) title, width, alignment. */
struct heading {
    const char *title;                  /* marked with N_(), translated here */
    int         width;
    int         right;                  /* 1: right-aligned */
};

/* heading_row - LEAD, then each title padded by display columns, one space apart */
static void heading_row(FILE *fp, const char *lead, const struct heading *h, size_t n)
{
    fputs(lead, fp);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc(' ', fp);
        dwidth_pad(fp, _(h[i].title), h[i].width, h[i].right);
    }
    fputc('\n', fp);
}
/* table_entries - one section of the table report */
static void table_entries(FILE *fp, const struct opts *o, struct audit_agg *agg,
                          enum audit_by by)
{
    struct audit_entry **v;
    size_t n = auditlog_agg_sorted(agg, by, &v), shown = limit(o, n);
    char t1[32], t2[32];

    fputc('\n', fp);
    fprintf(fp, by == AUDIT_BY_ADDR ? _("Clients by address (%zu of %zu, most events first)\n")
            : _("Clients by login (%zu of %zu, most events first)\n"), shown, n);
    if (n == 0) {
        fprintf(fp, "  %s\n", _("none"));
        free(v);
        return;
    }
    /* The headings are translated, so they are padded by columns, not bytes. */
    dwidth_pad(fp, _("EVENTS"), 6, 1);
    fputs("  ", fp);
    dwidth_pad(fp, by == AUDIT_BY_ADDR ? _("ADDRESS") : _("LOGIN"), 39, 0);
    fputs("  ", fp);
    dwidth_pad(fp, _("PORTS"), 11, 0);
    fputs("  ", fp);
    dwidth_pad(fp, _("FIRST SEEN"), 16, 0);
    fprintf(fp, "  %s\n", _("LAST SEEN"));
    for (size_t i = 0; i < shown; i++) {
        const struct audit_entry *e = v[i];
        strbuf line = STRBUF_INIT, ports = STRBUF_INIT;

        ports_text(e, ',', &ports);
        fprintf(fp, "%6lu  %-39.39s%s %-11.11s%s %-16s  %s\n", e->total, e->key,
                strlen(e->key) > 39 ? "+" : " ", strbuf_str(&ports),
                ports.len > 11 ? "+" : " ", fmt_time(e->first, 0, t1, sizeof(t1)),
                fmt_time(e->last, 0, t2, sizeof(t2)));
        if (e->other[0])
            strbuf_printf(&line, by == AUDIT_BY_ADDR ? _("name %s; ") : _("last address %s; "),
                          e->other);
        for (int c = 0, k = 0; c < AUDIT_CAT_COUNT; c++)
            if (e->count[c])
                strbuf_printf(&line, "%s%s %lu", k++ ? ", " : "", auditlog_cat_name(c),
                              e->count[c]);
        wrap(fp, 8, 2, strbuf_str(&line));
        strbuf_reset(&line);
        strbuf_printf(&line, _("fix: %s"), _(auditlog_cat_fix(auditlog_entry_main_cat(e))));
        wrap(fp, 8, 5, strbuf_str(&line));
        strbuf_release(&line);
        strbuf_release(&ports);
    }
    free(v);
}

/* table_outbound - the MTA's own deliveries: per server, the OP25B verdict */
static void table_outbound(FILE *fp, const struct opts *o, const struct audit_outagg *oa)
{
    struct audit_dest **v;
    size_t n = auditlog_out_sorted(oa, &v), shown = limit(o, n);
    strbuf text = STRBUF_INIT, verdict = STRBUF_INIT;

    fprintf(fp, "\n%s\n", _("Outbound delivery (the MTA's smtp client):"));
    if (auditlog_out_op25b_local(oa, &verdict))
        strbuf_puts(&text, _("WARNING: "));
    strbuf_append(&text, strbuf_str(&verdict), verdict.len);
    wrap(fp, 2, 2, strbuf_str(&text));
    static const struct heading out_heads[] = {
        { N_("server"), 50, 0 }, { N_("port"), 5, 1 }, { N_("timed-out"), 9, 1 },
        { N_("refused"), 7, 1 }, { N_("unreach"), 7, 1 }, { N_("reached"), 7, 1 },
    };
    heading_row(fp, "  ", out_heads, sizeof(out_heads) / sizeof(out_heads[0]));
    for (size_t i = 0; i < shown; i++) {
        const struct audit_dest *d = v[i];
        char name[sizeof(d->host) + sizeof(d->addr) + 4], port[8];

        snprintf(name, sizeof(name), "%s [%s]", d->host[0] ? d->host : _("unknown"),
                 d->addr[0] ? d->addr : "?");
        snprintf(port, sizeof(port), d->port ? "%d" : "-", d->port);
        fputs("  ", fp);
        dwidth_pad(fp, name, 50, 0);
        fprintf(fp, " %5s %9lu %7lu %7lu %7lu\n", port,
                d->n[AUDIT_CONN_TIMEOUT], d->n[AUDIT_CONN_REFUSED],
                d->n[AUDIT_CONN_UNREACHABLE], d->n[AUDIT_CONN_REACHED]);
    }
    if (shown < n)
        fprintf(fp, P_("  ... %zu more server (--top 0 shows all)\n",
                       "  ... %zu more servers (--top 0 shows all)\n", n - shown), n - shown);
    strbuf_release(&text);
    strbuf_release(&verdict);
    free(v);
}

/* host_events - every event a host logged */
static unsigned long host_events(const struct audit_host *h)
{
    unsigned long t = 0;

    for (int c = 0; c < AUDIT_CAT_COUNT; c++)
        t += h->cats[c];
    return t;
}

/* host_kinds - "auth-on-mx 3, unauth-relay 1" */
static void host_kinds(const struct audit_host *h, strbuf *out)
{
    for (int c = 0, k = 0; c < AUDIT_CAT_COUNT; c++)
        if (h->cats[c])
            strbuf_printf(out, "%s%s %lu", k++ ? ", " : "", auditlog_cat_name(c), h->cats[c]);
}

/* table_hosts - --by host: one block per server of the fleet */
static void table_hosts(FILE *fp, struct audit_agg *agg)
{
    const struct audit_host *h;
    size_t n = auditlog_agg_hosts(agg, &h);
    strbuf line = STRBUF_INIT;

    fputc('\n', fp);
    fprintf(fp, P_("By host (%zu host, in the order first seen)\n",
                   "By host (%zu hosts, in the order first seen)\n", n), n);
    static const struct heading host_heads[] = {
        { N_("HOST"), 24, 0 }, { N_("MESSAGES"), 8, 1 }, { N_("DECISIONS"), 9, 1 },
        { N_("EVENTS"), 7, 1 }, { N_("OUT-25"), 9, 1 }, { N_("TIMED-OUT"), 9, 1 },
    };
    heading_row(fp, "", host_heads, sizeof(host_heads) / sizeof(host_heads[0]));
    for (size_t i = 0; i < n; i++) {
        fprintf(fp, "%-24.24s %8lu %9lu %7lu %9lu %9lu\n", h[i].host[0] ? h[i].host : "-",
                h[i].messages, h[i].decisions, host_events(&h[i]), h[i].conn25,
                h[i].timeout25);
        strbuf_reset(&line);
        host_kinds(&h[i], &line);
        if (line.len)
            wrap(fp, 4, 2, strbuf_str(&line));
        if (h[i].conn25 >= AUDIT_OP25B_MIN_CONN
            && h[i].timeout25 * 100 >= h[i].conn25 * AUDIT_OP25B_SHARE)
            wrap(fp, 4, 2, _("most of this host's port-25 connections time out: see the "
                 "outbound section (OP25B?)"));
    }
    strbuf_release(&line);
}

/* json_hosts - "hosts": the per-host counts */
static void json_hosts(FILE *fp, struct audit_agg *agg);

/* summary_text - "N messages seen, N passed, N tagged, N rejected, N tempfailed" */
static void summary_text(strbuf *out, unsigned long msgs, const unsigned long *act)
{
    strbuf_printf(out, P_("%lu message seen, %lu passed, %lu tagged, %lu rejected, "
                          "%lu tempfailed", "%lu messages seen, %lu passed, %lu tagged, "
                          "%lu rejected, %lu tempfailed", msgs), msgs, act[ACT_PASS], act[ACT_TAG], act[ACT_REJECT],
                  act[ACT_TEMPFAIL]);
    if (act[ACT_IGNORE])
        strbuf_printf(out, _(", %lu ignored"), act[ACT_IGNORE]);
}

/* report_table - the human report, at most TABLE_WIDTH columns */
static void report_table(FILE *fp, const struct opts *o, struct audit_agg *agg)
{
    const struct audit_summary *s = auditlog_agg_summary(agg);
    strbuf line = STRBUF_INIT;
    char t1[32], t2[32];

    strbuf_puts(&line, _("Summary: "));
    summary_text(&line, s->messages, s->actions);
    if (s->would[ACT_REJECT] || s->would[ACT_TEMPFAIL])
        strbuf_printf(&line, _("; Mode audit: %lu would have been rejected, %lu tempfailed"),
                      s->would[ACT_REJECT], s->would[ACT_TEMPFAIL]);
    wrap(fp, 0, 2, strbuf_str(&line));
    for (int r = 0; r < ROLE_COUNT; r++) {
        if (!s->role_messages[r] && !s->role_actions[r][ACT_PASS])
            continue;
        strbuf_reset(&line);
        strbuf_printf(&line, "%s: ", vocab_role_name((enum pr_role) r));
        summary_text(&line, s->role_messages[r], s->role_actions[r]);
        wrap(fp, 2, 4, strbuf_str(&line));
    }
    strbuf_reset(&line);
    strbuf_printf(&line, _("Lines: %lu read, %lu decisions, %lu Postfix client errors, "
                  "%lu outbound deliveries, %lu other; %s to %s"), s->lines, s->decisions,
                  s->postfix_events, s->outbound, s->skipped, fmt_time(s->first, 0, t1, sizeof(t1)),
                  fmt_time(s->last, 0, t2, sizeof(t2)));
    wrap(fp, 0, 2, strbuf_str(&line));
    strbuf_reset(&line);
    for (int c = 0, k = 0; c < AUDIT_CAT_COUNT; c++)
        if (s->cats[c])
            strbuf_printf(&line, "%s %s %lu", k++ ? "," : _("Events:"), auditlog_cat_name(c),
                          s->cats[c]);
    if (line.len)
        wrap(fp, 0, 2, strbuf_str(&line));
    strbuf_release(&line);
    table_entries(fp, o, agg, AUDIT_BY_ADDR);
    table_entries(fp, o, agg, AUDIT_BY_LOGIN);
    if (o->by_host)
        table_hosts(fp, agg);
    if (s->outbound)
        table_outbound(fp, o, auditlog_agg_outbound(agg));
    if (s->filtered)
        fprintf(fp, _("\nOutside --since/--until: %lu lines\n"), s->filtered);
    if (s->untracked)
        fprintf(fp, _("\nNot tracked (more than %d clients): %lu events\n"),
                AUDIT_MAX_ENTRIES, s->untracked);
    if (s->overlong)
        fprintf(fp, _("\nOverlong lines (cut at %d bytes): %lu\n"), AUDIT_LINE_MAX - 1,
                s->overlong);
    if (s->unparsable) {
        fprintf(fp, _("\nUnparsable lines: %lu (the first %d shown)\n"), s->unparsable,
                s->nexamples);
        for (int i = 0; i < s->nexamples; i++) {
            const struct audit_example *x = &s->examples[i];
            char where[96];
            int w = snprintf(where, sizeof(where), "  %s:%lu: ", x->file, x->lineno);

            fprintf(fp, "%s%.*s\n", where, w < TABLE_WIDTH - 20 ? TABLE_WIDTH - w : 20,
                    x->text);
        }
    }
}

/* json_str - a JSON string (the values are printable ASCII already) */
static void json_str(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', fp);
        if ((unsigned char) *s < 0x20)
            fprintf(fp, "\\u%04x", (unsigned char) *s);
        else
            fputc(*s, fp);
    }
    fputc('"', fp);
}

/* json_counts - {"name":n,...} of the non-zero categories */
static void json_counts(FILE *fp, const unsigned long *count)
{
    int k = 0;

    fputc('{', fp);
    for (int c = 0; c < AUDIT_CAT_COUNT; c++)
        if (count[c]) {
            fprintf(fp, "%s", k++ ? "," : "");
            json_str(fp, auditlog_cat_name(c));
            fprintf(fp, ":%lu", count[c]);
        }
    fputc('}', fp);
}

/* json_time - ISO 8601 UTC or null */
static void json_time(FILE *fp, time_t t)
{
    char buf[32];

    if (t)
        fprintf(fp, "\"%s\"", fmt_time(t, 1, buf, sizeof(buf)));
    else
        fputs("null", fp);
}

/* json_entries - "clients" or "logins": an array of objects */
static void json_entries(FILE *fp, const struct opts *o, struct audit_agg *agg,
                         enum audit_by by)
{
    struct audit_entry **v;
    size_t n = auditlog_agg_sorted(agg, by, &v), shown = limit(o, n);

    fprintf(fp, "\"%s\":[", by == AUDIT_BY_ADDR ? "clients" : "logins");
    for (size_t i = 0; i < shown; i++) {
        const struct audit_entry *e = v[i];

        fprintf(fp, "%s\n{\"%s\":", i ? "," : "", by == AUDIT_BY_ADDR ? "address" : "login");
        json_str(fp, e->key);
        fprintf(fp, ",\"%s\":", by == AUDIT_BY_ADDR ? "name" : "last_address");
        if (e->other[0])
            json_str(fp, e->other);
        else
            fputs("null", fp);
        fprintf(fp, ",\"events\":%lu,\"violations\":", e->total);
        json_counts(fp, e->count);
        fputs(",\"ports\":[", fp);
        for (int p = 0; p < e->nports; p++) {
            fputs(p ? "," : "", fp);
            json_str(fp, e->ports[p]);
        }
        fputs("],\"first\":", fp);
        json_time(fp, e->first);
        fputs(",\"last\":", fp);
        json_time(fp, e->last);
        fputs(",\"fix\":", fp);
        json_str(fp, auditlog_cat_fix(auditlog_entry_main_cat(e)));
        fputc('}', fp);
    }
    fputs("]", fp);
    free(v);
}

/* json_conns - {"timed-out":n,...} */
static void json_conns(FILE *fp, const unsigned long *n)
{
    fputc('{', fp);
    for (int c = 0; c < AUDIT_CONN_COUNT; c++)
        fprintf(fp, "%s\"%s\":%lu", c ? "," : "", auditlog_smtp_conn_name((enum audit_conn) c),
                n[c]);
    fputc('}', fp);
}

/* json_outbound - "outbound": totals, the verdict, the servers */
static void json_outbound(FILE *fp, const struct opts *o, const struct audit_outagg *oa)
{
    const struct audit_outsum *s = auditlog_out_summary(oa);
    struct audit_dest **v;
    size_t n = auditlog_out_sorted(oa, &v), shown = limit(o, n);
    strbuf text = STRBUF_INIT;
    int op25b = auditlog_out_op25b(oa, &text);

    fputs("\"outbound\":{\"port25\":", fp);
    json_conns(fp, s->port25);
    fputs(",\"other_ports\":", fp);
    json_conns(fp, s->other);
    fprintf(fp, ",\"servers_timed_out\":%lu,\"untracked\":%lu,\"op25b\":%s,\"verdict\":",
            s->servers_timed_out, s->untracked, op25b ? "true" : "false");
    json_str(fp, strbuf_str(&text));
    fputs(",\"servers\":[", fp);
    for (size_t i = 0; i < shown; i++) {
        fputs(i ? ",\n{\"host\":" : "\n{\"host\":", fp);
        json_str(fp, v[i]->host);
        fputs(",\"address\":", fp);
        json_str(fp, v[i]->addr);
        fprintf(fp, ",\"port\":%d,\"connections\":", v[i]->port);
        json_conns(fp, v[i]->n);
        fputc('}', fp);
    }
    fputs("]}", fp);
    strbuf_release(&text);
    free(v);
}

/* json_hosts - "hosts": the per-host counts */
static void json_hosts(FILE *fp, struct audit_agg *agg)
{
    const struct audit_host *h;
    size_t n = auditlog_agg_hosts(agg, &h);

    fputs("\"hosts\":[", fp);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n{\"host\":" : "\n{\"host\":", fp);
        json_str(fp, h[i].host);
        fprintf(fp, ",\"messages\":%lu,\"decisions\":%lu,\"postfix_events\":%lu,\"events\":",
                h[i].messages, h[i].decisions, h[i].postfix_events);
        json_counts(fp, h[i].cats);
        fprintf(fp, ",\"outbound_port25\":%lu,\"outbound_port25_timed_out\":%lu,"
                "\"outbound_other_reached\":%lu,\"first\":", h[i].conn25, h[i].timeout25,
                h[i].reached_other);
        json_time(fp, h[i].first);
        fputs(",\"last\":", fp);
        json_time(fp, h[i].last);
        fputc('}', fp);
    }
    fputs("]", fp);
}

/* json_actions - {"pass":n,...} */
static void json_actions(FILE *fp, unsigned long msgs, const unsigned long *act)
{
    fprintf(fp, "{\"messages\":%lu", msgs);
    for (int a = 0; a < ACT_COUNT; a++)
        fprintf(fp, ",\"%s\":%lu", vocab_action_name((enum pr_action) a), act[a]);
    fputc('}', fp);
}

/* report_json - one JSON document, keys documented in portrole-audit(1) */
static void report_json(FILE *fp, const struct opts *o, struct audit_agg *agg)
{
    const struct audit_summary *s = auditlog_agg_summary(agg);

    fprintf(fp, "{\"version\":1,\"lines\":%lu,\"decisions\":%lu,\"postfix_events\":%lu,"
            "\"skipped\":%lu,\"unparsable\":%lu,\"overlong\":%lu,\"filtered\":%lu,"
            "\"untracked\":%lu,\"first\":", s->lines, s->decisions, s->postfix_events,
            s->skipped, s->unparsable, s->overlong, s->filtered, s->untracked);
    json_time(fp, s->first);
    fputs(",\"last\":", fp);
    json_time(fp, s->last);
    fputs(",\n\"summary\":", fp);
    json_actions(fp, s->messages, s->actions);
    fprintf(fp, ",\"would\":{\"reject\":%lu,\"tempfail\":%lu},\"by_role\":{",
            s->would[ACT_REJECT], s->would[ACT_TEMPFAIL]);
    for (int r = 0; r < ROLE_COUNT; r++) {
        fprintf(fp, "%s\"%s\":", r ? "," : "", vocab_role_name((enum pr_role) r));
        json_actions(fp, s->role_messages[r], s->role_actions[r]);
    }
    fputs("},\"events\":", fp);
    json_counts(fp, s->cats);
    fputs(",\n", fp);
    json_entries(fp, o, agg, AUDIT_BY_ADDR);
    fputs(",\n", fp);
    json_entries(fp, o, agg, AUDIT_BY_LOGIN);
    fputs(",\n", fp);
    json_outbound(fp, o, auditlog_agg_outbound(agg));
    if (o->by_host) {
        fputs(",\n", fp);
        json_hosts(fp, agg);
    }
    fputs(",\n\"unparsable_examples\":[", fp);
    for (int i = 0; i < s->nexamples; i++) {
        fprintf(fp, "%s{\"file\":", i ? "," : "");
        json_str(fp, s->examples[i].file);
        fprintf(fp, ",\"line\":%lu,\"text\":", s->examples[i].lineno);
        json_str(fp, s->examples[i].text);
        fputc('}', fp);
    }
    fputs("]}\n", fp);
}

/*
 * csv_field - RFC 4180 quoting when needed. A cell that a spreadsheet
 * would take as a formula (first byte = + - @ tab CR) gets a leading
 * ' and quotes, as OWASP advises; a lone "-" (unknown) is plain text.
 */
static void csv_field(FILE *fp, const char *s)
{
    int formula = *s && strchr("=+-@\t\r", *s) != NULL && strcmp(s, "-") != 0;

    if (!formula && strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, fp);
        return;
    }
    fputs(formula ? "\"'" : "\"", fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

/* csv_entries - one row per address or login */
static void csv_entries(FILE *fp, const struct opts *o, struct audit_agg *agg,
                        enum audit_by by)
{
    struct audit_entry **v;
    size_t n = auditlog_agg_sorted(agg, by, &v), shown = limit(o, n);
    char t1[32], t2[32];

    for (size_t i = 0; i < shown; i++) {
        const struct audit_entry *e = v[i];
        strbuf ports = STRBUF_INIT;

        fputs(by == AUDIT_BY_ADDR ? "address," : "login,", fp);
        csv_field(fp, e->key);
        fputc(',', fp);
        csv_field(fp, e->other);
        fprintf(fp, ",%lu", e->total);
        for (int c = 0; c < AUDIT_CAT_COUNT; c++)
            fprintf(fp, ",%lu", e->count[c]);
        ports_text(e, ' ', &ports);
        fputc(',', fp);
        csv_field(fp, strbuf_str(&ports));      /* a Postfix service name is log text */
        fprintf(fp, ",%s,%s,", fmt_time(e->first, 1, t1, sizeof(t1)),
                fmt_time(e->last, 1, t2, sizeof(t2)));
        csv_field(fp, auditlog_cat_fix(auditlog_entry_main_cat(e)));
        fputs("\r\n", fp);
        strbuf_release(&ports);
    }
    free(v);
}

/* csv_hosts - --by host: one row per host, kind "host", other empty */
static void csv_hosts(FILE *fp, struct audit_agg *agg)
{
    const struct audit_host *h;
    size_t n = auditlog_agg_hosts(agg, &h);
    char t1[32], t2[32];

    for (size_t i = 0; i < n; i++) {
        fputs("host,", fp);
        csv_field(fp, h[i].host[0] ? h[i].host : "-");
        fprintf(fp, ",,%lu", host_events(&h[i]));
        for (int c = 0; c < AUDIT_CAT_COUNT; c++)
            fprintf(fp, ",%lu", h[i].cats[c]);
        fprintf(fp, ",,%s,%s,\r\n", fmt_time(h[i].first, 1, t1, sizeof(t1)),
                fmt_time(h[i].last, 1, t2, sizeof(t2)));
    }
}

/* report_csv - a header row, then the addresses, then the logins */
static void report_csv(FILE *fp, const struct opts *o, struct audit_agg *agg)
{
    fputs("kind,key,other,events", fp);
    for (int c = 0; c < AUDIT_CAT_COUNT; c++)
        fprintf(fp, ",%s", auditlog_cat_name(c));
    fputs(",ports,first,last,fix\r\n", fp);
    csv_entries(fp, o, agg, AUDIT_BY_ADDR);
    csv_entries(fp, o, agg, AUDIT_BY_LOGIN);
    if (o->by_host)
        csv_hosts(fp, agg);
}

/* ---------------------------------------------------------------- --ref */

struct ref_scan {
    const char *ref;
    int         printing;
    char        qids[REF_MAX_QIDS][32];
    int         nqids;
    struct audit_rec *recs;
    int         nrecs, nlines;
};

/* ref_qid_known - the line names one of the transaction's queue ids */
static int ref_qid_known(const struct ref_scan *rs, const char *line)
{
    for (int i = 0; i < rs->nqids; i++) {
        const char *p = strstr(line, rs->qids[i]);

        if (p && p[strlen(rs->qids[i])] == ':')
            return 1;
    }
    return 0;
}

/* ref_line - learn the queue ids; print the transaction's lines when printing */
static void ref_line(void *ctx, struct audit_clock *clk, char *line, size_t len,
                     int truncated, const char *file, unsigned long lineno)
{
    struct ref_scan *rs = ctx;
    struct audit_rec rec;
    int mine = strstr(line, rs->ref) != NULL;

    (void) len, (void) truncated, (void) file, (void) lineno;

    if (mine && auditlog_parse(line, clk, &rec) == AUDIT_DECISION
        && strcmp(rec.ref, rs->ref) == 0) {
        int known = 0;

        for (int i = 0; i < rs->nqids; i++)
            known |= strcmp(rs->qids[i], rec.queueid) == 0;
        if (!known && strcmp(rec.queueid, "NOQUEUE") != 0 && rs->nqids < REF_MAX_QIDS)
            util_strlcpy(rs->qids[rs->nqids++], rec.queueid, sizeof(rs->qids[0]));
        if (rs->printing && rs->nrecs < REF_MAX_LINES)
            rs->recs[rs->nrecs++] = rec;
    }
    if (!rs->printing || !(mine || ref_qid_known(rs, line)))
        return;
    rs->nlines++;
    for (const unsigned char *p = (const unsigned char *) line; *p; p++)
        if (*p >= 0x20 && *p < 0x7f)
            putchar(*p);
        else
            printf("\\x%02x", *p);
    putchar('\n');
}

/* why - what made the milter see a violation, in the SPEC's terms */
static const char *why(int v)
{
    switch (v) {
    case V_UNKNOWN_LISTENER: return _("the listener matched no Listener line, so its role is unknown");
    case V_AUTH_ON_MX: return _("the client authenticated on a port 25 (role mx) listener, "
        "which is for server-to-server delivery");
    case V_CLEARTEXT_SUBMISSION: return _("the client submitted without TLS and RequireTLS is on");
    case V_UNAUTH_SUBMISSION: return _("the client used a submission port without authenticating");
    case V_SENDER_MISMATCH: return _("the envelope sender is not owned by the login under SenderPolicy");
    case V_LOCAL_SENDER_ON_MX: return _("an unauthenticated, untrusted client on port 25 used "
        "a sender address in LocalDomains");
    case V_SPF_FAIL: return _("SPF for the sender's domain answered fail for this client");
    case V_UNAUTH_RELAY: return _("a client that neither authenticated nor is in TrustedNetworks "
        "gave port 25 a recipient outside LocalDomains");
    }
    return "";
}

/* action_meaning - what the client saw */
static const char *action_meaning(int a)
{
    switch (a) {
    case ACT_PASS: return _("accepted: no violation");
    case ACT_IGNORE: return _("accepted: the violation is set to ignore (logged at debug only)");
    case ACT_TAG: return _("accepted, the violation named in the X-Port-Role header");
    case ACT_TEMPFAIL: return _("refused with a 4xx reply (the client retries later)");
    case ACT_REJECT: return _("refused with a 5xx reply quoting this ref");
    }
    return "";
}

/* explain - the decision lines of the transaction in plain words */
static void explain(const struct ref_scan *rs)
{
    strbuf sb = STRBUF_INIT;

    for (int i = 0; i < rs->nrecs; i++) {
        const struct audit_rec *r = &rs->recs[i];

        char port[16] = "?";

        if (r->port >= 0)
            snprintf(port, sizeof(port), "%d", r->port);
        strbuf_reset(&sb);
        strbuf_printf(&sb, _("Decision %d: queue id %s, client %s[%s] on port %s (role %s), "
                      "auth %s%s%s, TLS %s, from <%s> to %s: %s."), i + 1, r->queueid,
                      r->client_name, r->client_addr, port, r->role >= 0 ?
                      vocab_role_name((enum pr_role) r->role) : "?", r->auth,
                      r->login[0] ? _(" as ") : "", r->login, r->tls, r->from, r->rcpt,
                      vocab_action_name((enum pr_action) r->action));
        strbuf_printf(&sb, _(" The message was %s."), action_meaning(r->action));
        wrap(stdout, 0, 2, strbuf_str(&sb));
        for (int v = 0; v < V_COUNT; v++) {
            if (!(r->cats & (1u << v)))
                continue;
            strbuf_reset(&sb);
            strbuf_printf(&sb, _("%s: %s. Fix: %s."), vocab_violation_name((enum pr_violation) v),
                          why(v), _(policy_advice((enum pr_violation) v)));
            wrap(stdout, 2, 2, strbuf_str(&sb));
        }
        if (r->would >= 0 && r->audit_mode) {
            strbuf_reset(&sb);
            strbuf_printf(&sb, _("Mode audit: enforce mode would have answered %s; the "
                          "message was tagged instead."), vocab_action_name((enum pr_action) r->would));
            wrap(stdout, 2, 2, strbuf_str(&sb));
        }
    }
    strbuf_release(&sb);
}

/* run_ref - --ref: two passes over files (the queue id's earlier lines), one over stdin */
static int run_ref(const struct opts *o)
{
    struct ref_scan rs;
    int rc = 0, piped = 0;

    memset(&rs, 0, sizeof(rs));
    rs.ref = o->ref;
    rs.recs = util_calloc(REF_MAX_LINES, sizeof(*rs.recs));
    for (int i = 0; i < o->nfiles; i++)
        piped |= strcmp(o->files[i], "-") == 0;
    if (!piped)
        rc = scan(o, ref_line, &rs);
    rs.printing = 1;
    rc |= scan(o, ref_line, &rs);
    if (rs.nlines == 0)
        printf(_("No line mentions ref %s.\n"), o->ref);
    else
        printf("\n");
    explain(&rs);
    free(rs.recs);
    return rc;
}

/* main - options, the scan, the report */
int main(int argc, char **argv)
{
    struct opts o;
    struct audit_agg *agg;
    int rc;

    i18n_init();
    parse_args(argc, argv, &o);
    if (o.ref)
        return run_ref(&o);
    agg = auditlog_agg_new();
    auditlog_agg_window(agg, o.since, o.until);
    rc = scan(&o, feed_line, agg);
    if (o.format == FMT_JSON)
        report_json(stdout, &o, agg);
    else if (o.format == FMT_CSV)
        report_csv(stdout, &o, agg);
    else if (o.format == FMT_HTML)
        audit_html_report(stdout, agg, o.top >= 0 ? o.top : 50, o.by_host);
    else
        report_table(stdout, &o, agg);
    auditlog_agg_free(agg);
    if (fflush(stdout) != 0)
        rc = 1;
    return rc;
}
