/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit_html - the HTML report of portrole-audit; see audit_html.h.
 *
 * DESCRIPTION
 *	The chart is a stacked bar per UTC day, one colour per kind, drawn
 *	as plain SVG rectangles (class "bar", data-day and data-kind
 *	attributes) so that a test can count them in the DOM.
 *
 * DIAGNOSTICS
 *	None.
 */
#include "acconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_html.h"
#include "i18n.h"
#include "strbuf.h"

#define CHART_W     900
#define CHART_H     260
#define CHART_LEFT  50
#define CHART_BOTTOM 40

static const char *const colours[AUDIT_CAT_COUNT] = {
    "#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
    "#1f77b4", "#17becf", "#bcbd22", "#7f7f7f", "#2ca02c",
};

/* esc - text as HTML */
static void esc(FILE *fp, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", fp); break;
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '"': fputs("&quot;", fp); break;
        case '\'': fputs("&#39;", fp); break;
        default: fputc(*s, fp);
        }
    }
}

/* day_text - "2024-11-28" */
static void day_text(long day, char *buf, size_t size)
{
    time_t t = (time_t) day * 86400;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%d", &tm);
}

/* time_text - "2024-11-28 13:14 UTC" or "-" */
static void time_text(time_t t, char *buf, size_t size)
{
    struct tm tm;

    if (t == 0) {
        snprintf(buf, size, "-");
        return;
    }
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%d %H:%M UTC", &tm);
}

/* head - the document start: CSP, inline style */
static void head(FILE *fp)
{
    /* TRANSLATORS: the language code of the HTML report (its lang attribute) */
    fprintf(fp, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">\n", _("en"));
    fputs("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; img-src data:\">\n"
          "<title>", fp);
    esc(fp, _("portrole-audit report"));
    fputs("</title>\n<style>\n"
          "body{font-family:sans-serif;margin:2em;color:#222;max-width:1100px}\n"
          "table{border-collapse:collapse;margin:1em 0}"
          "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}\n"
          "th{background:#f0f0f0;white-space:nowrap}td.n{text-align:right}td.t{white-space:nowrap}.fix{color:#333;font-size:90%}\n"
          ".warn{background:#fde2e1;border:1px solid #d62728;padding:1em}\n"
          ".ok{background:#e6f4e6;border:1px solid #2ca02c;padding:1em}\n"
          ".legend span{display:inline-block;margin-right:1.2em}"
          ".legend i{display:inline-block;width:12px;height:12px;margin-right:4px}\n"
          "</style></head><body>\n<h1>", fp);
    esc(fp, _("portrole-audit report"));
    fputs("</h1>\n", fp);
}

/* summary - messages and actions */
static void summary(FILE *fp, const struct audit_summary *s)
{
    char t1[40], t2[40];

    time_text(s->first, t1, sizeof(t1));
    time_text(s->last, t2, sizeof(t2));
    fprintf(fp, "<h2>%s</h2>\n<p id=\"summary\">", _("Summary"));
    fprintf(fp, P_("%lu message seen: %lu passed, "
            "%lu tagged, %lu rejected, %lu tempfailed. Mode audit: %lu would have been "
            "rejected. %lu lines read (%lu decisions, %lu Postfix client errors, "
            "%lu outbound delivery lines, %lu unparsable), from %s to %s.",
            "%lu messages seen: %lu passed, "
            "%lu tagged, %lu rejected, %lu tempfailed. Mode audit: %lu would have been "
            "rejected. %lu lines read (%lu decisions, %lu Postfix client errors, "
            "%lu outbound delivery lines, %lu unparsable), from %s to %s.", s->messages),
            s->messages, s->actions[ACT_PASS], s->actions[ACT_TAG], s->actions[ACT_REJECT],
            s->actions[ACT_TEMPFAIL], s->would[ACT_REJECT], s->lines, s->decisions,
            s->postfix_events, s->outbound, s->unparsable, t1, t2);
    fputs("</p>\n", fp);
}

/* chart_bars - the stacked bars of each day */
static void chart_bars(FILE *fp, const struct audit_day *days, size_t n, unsigned long max)
{
    double slot = (double) (CHART_W - CHART_LEFT - 10) / (double) n;
    double plot_h = CHART_H - CHART_BOTTOM - 10;
    char label[16];

    for (size_t i = 0; i < n; i++) {
        double x = CHART_LEFT + slot * (double) i + slot * 0.15, y = CHART_H - CHART_BOTTOM;

        day_text(days[i].day, label, sizeof(label));
        for (int c = 0; c < AUDIT_CAT_COUNT; c++) {
            double h;

            if (!days[i].cats[c])
                continue;
            h = plot_h * (double) days[i].cats[c] / (double) max;
            y -= h;
            fprintf(fp, "<rect class=\"bar\" data-day=\"%s\" data-kind=\"%s\" x=\"%.1f\" "
                    "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s %s: %lu"
                    "</title></rect>\n", label, auditlog_cat_name(c), x, y, slot * 0.7, h,
                    colours[c], label, auditlog_cat_name(c), days[i].cats[c]);
        }
        if (n <= 31 || i % (n / 15 + 1) == 0)
            fprintf(fp, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">"
                    "%s</text>\n", x + slot * 0.35, CHART_H - CHART_BOTTOM + 16, label + 5);
    }
}

/* chart - events per day by kind, inline SVG */
static void chart(FILE *fp, struct audit_agg *agg)
{
    const struct audit_day *days;
    size_t n = auditlog_agg_days(agg, &days);
    unsigned long max = 1;
    unsigned seen = 0;

    fprintf(fp, "<h2>%s</h2>\n", _("Violations per day"));
    if (n == 0) {
        fprintf(fp, "<p id=\"nochart\">%s</p>\n", _("No time-stamped events."));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned long t = 0;

        for (int c = 0; c < AUDIT_CAT_COUNT; c++) {
            t += days[i].cats[c];
            seen |= days[i].cats[c] ? 1u << c : 0;
        }
        max = t > max ? t : max;
    }
    fprintf(fp, "<svg id=\"chart\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n"
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n"
            "<text x=\"%d\" y=\"18\" font-size=\"11\" text-anchor=\"end\">%lu</text>\n"
            "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>\n",
            CHART_W, CHART_H, CHART_W, CHART_H, _("events per day"), CHART_LEFT, CHART_H - CHART_BOTTOM,
            CHART_W - 10, CHART_H - CHART_BOTTOM, CHART_LEFT - 6, max, CHART_LEFT - 6,
            CHART_H - CHART_BOTTOM);
    chart_bars(fp, days, n, max);
    fputs("</svg>\n<p class=\"legend\">", fp);
    for (int c = 0; c < AUDIT_CAT_COUNT; c++)
        if (seen & (1u << c))
            fprintf(fp, "<span><i style=\"background:%s\"></i>%s</span>", colours[c],
                    auditlog_cat_name(c));
    fputs("</p>\n", fp);
}

/* entries - the clients (or logins) table with each fix */
static void entries(FILE *fp, struct audit_agg *agg, enum audit_by by, long top)
{
    struct audit_entry **v;
    size_t n = auditlog_agg_sorted(agg, by, &v);
    size_t shown = top > 0 && (size_t) top < n ? (size_t) top : n;
    char t1[40], t2[40];

    fprintf(fp, "<h2>%s</h2>\n<table id=\"%s\"><tr><th>%s</th><th>%s</th><th>%s</th>"
            "<th>%s</th><th>%s</th><th>%s</th></tr>\n",
            by == AUDIT_BY_ADDR ? _("Clients by address") : _("Logins"),
            by == AUDIT_BY_ADDR ? "clients" : "logins", _("events"),
            by == AUDIT_BY_ADDR ? _("address") : _("login"),
            by == AUDIT_BY_ADDR ? _("name") : _("last address"), _("violations"),
            _("first / last seen"), _("fix"));
    for (size_t i = 0; i < shown; i++) {
        const struct audit_entry *e = v[i];

        fprintf(fp, "<tr><td class=\"n\">%lu</td><td>", e->total);
        esc(fp, e->key);
        fputs("</td><td>", fp);
        esc(fp, e->other);
        fputs("</td><td>", fp);
        for (int c = 0, k = 0; c < AUDIT_CAT_COUNT; c++)
            if (e->count[c])
                fprintf(fp, "%s%s&nbsp;%lu", k++ ? ", " : "", auditlog_cat_name(c), e->count[c]);
        time_text(e->first, t1, sizeof(t1));
        time_text(e->last, t2, sizeof(t2));
        fprintf(fp, "</td><td class=\"t\">%s<br>%s</td><td class=\"fix\">", t1, t2);
        esc(fp, _(auditlog_cat_fix(auditlog_entry_main_cat(e))));
        fputs("</td></tr>\n", fp);
    }
    fputs("</table>\n", fp);
    if (shown < n)
        fprintf(fp, _("<p>%zu more not shown (--top 0 shows all).</p>\n"), n - shown);
    free(v);
}

/* outbound - the delivery verdict and the servers */
static void outbound(FILE *fp, const struct audit_outagg *oa, long top)
{
    struct audit_dest **v;
    size_t n = auditlog_out_sorted(oa, &v);
    size_t shown = top > 0 && (size_t) top < n ? (size_t) top : n;
    strbuf text = STRBUF_INIT;
    int op25b = auditlog_out_op25b_local(oa, &text);

    fprintf(fp, "<h2>%s</h2>\n<p id=\"outbound\" class=\"%s\">", _("Outbound delivery"),
            op25b ? "warn" : "ok");
    esc(fp, strbuf_str(&text));
    fprintf(fp, "</p>\n<table id=\"servers\"><tr><th>%s</th><th>%s</th><th>%s</th>"
            "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n", _("server"), _("address"),
            _("port"), _("timed out"), _("refused"), _("unreachable"), _("reached"));
    for (size_t i = 0; i < shown; i++) {
        fputs("<tr><td>", fp);
        esc(fp, v[i]->host);
        fputs("</td><td>", fp);
        esc(fp, v[i]->addr);
        fprintf(fp, "</td><td class=\"n\">%d</td>", v[i]->port);
        for (int c = 0; c < AUDIT_CONN_COUNT; c++)
            fprintf(fp, "<td class=\"n\">%lu</td>", v[i]->n[c]);
        fputs("</tr>\n", fp);
    }
    fputs("</table>\n", fp);
    strbuf_release(&text);
    free(v);
}

/* hosts - --by host: one row per server of the fleet */
static void hosts(FILE *fp, struct audit_agg *agg)
{
    const struct audit_host *h;
    size_t n = auditlog_agg_hosts(agg, &h);

    fprintf(fp, "<h2>%s</h2>\n<table id=\"hosts\"><tr><th>%s</th><th>%s</th>"
            "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n", _("By host"), _("host"),
            _("messages"), _("decisions"), _("violations"), _("port-25 connections"),
            _("timed out"));
    for (size_t i = 0; i < n; i++) {
        fputs("<tr><td>", fp);
        esc(fp, h[i].host[0] ? h[i].host : "-");
        fprintf(fp, "</td><td class=\"n\">%lu</td><td class=\"n\">%lu</td><td>",
                h[i].messages, h[i].decisions);
        for (int c = 0, k = 0; c < AUDIT_CAT_COUNT; c++)
            if (h[i].cats[c])
                fprintf(fp, "%s%s&nbsp;%lu", k++ ? ", " : "", auditlog_cat_name(c), h[i].cats[c]);
        fprintf(fp, "</td><td class=\"n\">%lu</td><td class=\"n\">%lu</td></tr>\n",
                h[i].conn25, h[i].timeout25);
    }
    fputs("</table>\n", fp);
}

/* audit_html_report - the whole page */
void audit_html_report(FILE *fp, struct audit_agg *agg, long top, int by_host)
{
    head(fp);
    summary(fp, auditlog_agg_summary(agg));
    chart(fp, agg);
    entries(fp, agg, AUDIT_BY_ADDR, top);
    entries(fp, agg, AUDIT_BY_LOGIN, top);
    if (by_host)
        hosts(fp, agg);
    outbound(fp, auditlog_agg_outbound(agg), top);
    fprintf(fp, "<p><small>%s</small></p>\n</body></html>\n",
            _("portrole-audit(1) explains every count."));
}
