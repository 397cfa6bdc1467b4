/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * doctor_report - portrole-doctor's two output formats.
 *
 * SYNOPSIS
 *	#include "doctor.h"
 *
 *	doctor_report_text(mta, dc, stdout);
 *	doctor_report_json(mta, dc, stdout);
 *
 * DESCRIPTION
 *	The text report starts with the counts ("portrole-doctor: 2 errors,
 *	1 warning, 0 notes"), then one block per listener (port, service,
 *	address, {daemon_name}, role and which Listener line gave it, each
 *	finding with severity, id, where, meaning and the line to write
 *	instead and where it goes), then the findings that belong to no
 *	single listener. A fix of several lines prints each line under the
 *	first, aligned; what to paste is the text after "write instead: " on
 *	the first line and the same columns on the others.
 *
 *	The JSON report is one object, its keys documented in
 *	portrole-doctor(8) and kept stable: "version", "mta", "source",
 *	"portrole_conf", "errors", "warnings", "notes", "listeners" (each:
 *	"service", "where", "port", "address", "daemon_name", "role",
 *	"modifiers", "role_from", "front" (postscreen, or null), "smtpd"
 *	(where the pass smtpd behind postscreen is, or null), "portrole",
 *	"findings") and "findings"; a finding is
 *	{"severity","id","where","meaning","fix","file","line","how"}: "fix"
 *	is exactly the text to paste ("" when there is none, lines joined by
 *	newlines), "file" the file it goes in (null when unknown), "line"
 *	the line it replaces, follows or deletes (0 when none), and "how"
 *	one of "set" (a main.cf parameter, as postconf -e takes it),
 *	"replace", "after", "append", "delete" or "none".
 */
#include "acconfig.h"

#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "dwidth.h"
#include "i18n.h"

/* role_from - how portrole chose the role, as a phrase */
static void role_from(const struct doctor_listener *l, strbuf *sb)
{
    strbuf_reset(sb);
    if (l->match == NULL)
        strbuf_puts(sb, _("no Listener line"));
    else if (l->match->kind == LISTENER_NAME)
        strbuf_printf(sb, _("Listener %s (by {daemon_name})"), l->match->text);
    else
        strbuf_printf(sb, _("Listener %s (by port)"), l->match->text);
}

/* sev_text - a severity in the reader's language */
static const char *sev_text(enum doctor_sev sev)
{
    static const char *const names[] = {N_("note"), N_("warning"), N_("error")};

    return _(names[sev]);
}

/* text_place - where a fix goes, one sentence */
static void text_place(const struct doctor_finding *x, FILE *fp)
{
    const char *file = x->fix_file ? x->fix_file : "";

    if (x->how == DOCTOR_HOW_NONE)
        return;
    fputs("      ", fp);
    switch (x->how) {
    case DOCTOR_HOW_SET:
        fprintf(fp, _("put it in %s, in place of any line that sets the same "
                      "parameter (postconf -e takes it as it is)"), file);
        break;
    case DOCTOR_HOW_REPLACE:
        fprintf(fp, _("put it in %s in place of line %d"), file, x->fix_line);
        break;
    case DOCTOR_HOW_AFTER:
        fprintf(fp, _("put it in %s after line %d"), file, x->fix_line);
        break;
    case DOCTOR_HOW_APPEND:
        fprintf(fp, _("put it at the end of %s"), file);
        break;
    case DOCTOR_HOW_DELETE:
        fprintf(fp, _("delete line %d of %s"), x->fix_line, file);
        break;
    case DOCTOR_HOW_NONE:
        break;
    }
    fputc('\n', fp);
}

/* text_findings - one finding per paragraph */
static void text_findings(const struct doctor_findings *f, FILE *fp)
{
    /* TRANSLATORS: the lead-in of the line to paste; the lines after it
     * are indented to its width. */
    const char *lead = _("write instead: ");
    int w = dwidth(lead);
    size_t i;

    for (i = 0; i < f->n; i++) {
        const struct doctor_finding *x = &f->v[i];
        const char *p, *nl;

        fprintf(fp, "  %s [%s] %s\n      %s\n", sev_text(x->sev), x->id, x->where,
                x->meaning);
        for (p = x->fix; *p; p = *nl ? nl + 1 : nl) {
            nl = strchr(p, '\n');
            if (nl == NULL)
                nl = p + strlen(p);
            fprintf(fp, "      %*s%.*s\n", p == x->fix ? 0 : w, p == x->fix ? lead : "",
                    (int) (nl - p), p);
        }
        text_place(x, fp);
    }
}

/* counts - "2 errors, 1 warning, 0 notes", each number picking its form */
static void counts(const size_t c[3], strbuf *sb)
{
    strbuf e = STRBUF_INIT, w = STRBUF_INIT, n = STRBUF_INIT;

    strbuf_printf(&e, P_("%zu error", "%zu errors", c[DOCTOR_ERROR]), c[DOCTOR_ERROR]);
    strbuf_printf(&w, P_("%zu warning", "%zu warnings", c[DOCTOR_WARNING]), c[DOCTOR_WARNING]);
    strbuf_printf(&n, P_("%zu note", "%zu notes", c[DOCTOR_NOTE]), c[DOCTOR_NOTE]);
    strbuf_reset(sb);
    /* TRANSLATORS: the report's first line: errors, warnings, notes. */
    strbuf_printf(sb, _("portrole-doctor: %s, %s, %s"), strbuf_str(&e), strbuf_str(&w),
                  strbuf_str(&n));
    strbuf_release(&e);
    strbuf_release(&w);
    strbuf_release(&n);
}

/* text_listener - the heading lines of one listener's block */
static void text_listener(const struct doctor_mta *mta, const struct doctor_listener *l,
                          FILE *fp, strbuf *from)
{
    const char *dn = l->daemon_name && *l->daemon_name ? l->daemon_name : "-";

    fputc('\n', fp);
    if (l->addr)
        fprintf(fp, _("listener %s (%s:%d): port %d address %s, {daemon_name} %s"),
                l->service, mta->file, l->line, l->port, l->addr, dn);
    else
        fprintf(fp, _("listener %s (%s:%d): port %d, {daemon_name} %s"), l->service,
                mta->file, l->line, l->port, dn);
    fputc('\n', fp);
    if (l->modifiers) {
        fprintf(fp, "  ");
        fprintf(fp, _("modifiers M=%s"), l->modifiers);
        fputc('\n', fp);
    }
    if (l->front && l->smtpd) {
        fprintf(fp, "  ");
        fprintf(fp, _("postscreen hands its clients to %s pass (%s:%d), whose settings "
                      "are this listener's"), l->smtpd->name, mta->file, l->smtpd->line);
        fputc('\n', fp);
    }
    role_from(l, from);
    fprintf(fp, "  ");
    fprintf(fp, l->wired ? _("role %s from %s; portrole is wired")
            : _("role %s from %s; portrole is not wired"), vocab_role_name(l->role),
            strbuf_str(from));
    fputc('\n', fp);
}

/* doctor_report_text - the human report */
void doctor_report_text(const struct doctor_mta *mta, const struct doctor_conf *dc, FILE *fp)
{
    strbuf from = STRBUF_INIT;
    const char *mta_name = mta->kind == DOCTOR_POSTFIX ? "Postfix" : "Sendmail";
    size_t c[3], i;

    doctor_count(mta, c);
    counts(c, &from);
    fprintf(fp, "%s\n", strbuf_str(&from));
    fprintf(fp, "%s %s, portrole.conf %s\n", mta_name, mta->source,
            dc->path ? dc->path : _("(built-in defaults)"));
    for (i = 0; i < mta->nl; i++) {
        const struct doctor_listener *l = &mta->l[i];

        text_listener(mta, l, fp, &from);
        if (l->findings.n == 0)
            fprintf(fp, "  %s\n", _("no findings"));
        text_findings(&l->findings, fp);
    }
    if (mta->findings.n) {
        fputc('\n', fp);
        fprintf(fp, _("%s as a whole:"), mta_name);
        fputc('\n', fp);
        text_findings(&mta->findings, fp);
    }
    strbuf_release(&from);
}

/* json_str - a JSON string literal, or null */
static void json_str(FILE *fp, const char *s)
{
    if (s == NULL) {
        fputs("null", fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        unsigned char ch = (unsigned char) *s;

        if (ch == '"' || ch == '\\')
            fprintf(fp, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(fp, "\\u%04x", ch);
        else
            fputc(ch, fp);
    }
    fputc('"', fp);
}

/* json_findings - an array of finding objects */
static void json_findings(const struct doctor_findings *f, FILE *fp, const char *indent)
{
    size_t i;

    fputc('[', fp);
    for (i = 0; i < f->n; i++) {
        const struct doctor_finding *x = &f->v[i];

        fprintf(fp, "%s\n%s  {\"severity\": \"%s\", \"id\": ", i ? "," : "", indent,
                doctor_sev_name(x->sev));
        json_str(fp, x->id);
        fputs(", \"where\": ", fp);
        json_str(fp, x->where);
        fputs(", \"meaning\": ", fp);
        json_str(fp, x->meaning);
        fputs(", \"fix\": ", fp);
        json_str(fp, x->fix);
        fputs(", \"file\": ", fp);
        json_str(fp, x->fix_file);
        fprintf(fp, ", \"line\": %d, \"how\": \"%s\"}", x->fix_line, doctor_how_name(x->how));
    }
    fprintf(fp, "%s]", f->n ? "\n" : "");
    if (f->n)
        fputs(indent, fp);
}

/* json_listener - one listener object */
static void json_listener(const struct doctor_mta *mta, const struct doctor_listener *l,
                          FILE *fp, strbuf *tmp)
{
    fputs("    {\"service\": ", fp);
    json_str(fp, l->service);
    doctor_where(tmp, mta, l->line);
    fputs(", \"where\": ", fp);
    json_str(fp, strbuf_str(tmp));
    fprintf(fp, ", \"port\": %d, \"address\": ", l->port);
    json_str(fp, l->addr);
    fputs(", \"daemon_name\": ", fp);
    json_str(fp, l->daemon_name);
    fputs(", \"modifiers\": ", fp);
    json_str(fp, l->modifiers);
    fprintf(fp, ", \"role\": \"%s\", \"role_from\": ", vocab_role_name(l->role));
    json_str(fp, l->match ? l->match->text : NULL);
    fputs(", \"front\": ", fp);
    json_str(fp, l->front ? l->front->command : NULL);
    fputs(", \"smtpd\": ", fp);
    if (l->front && l->smtpd) {
        doctor_where(tmp, mta, l->smtpd->line);
        json_str(fp, strbuf_str(tmp));
    } else
        json_str(fp, NULL);
    fprintf(fp, ", \"portrole\": %s,\n     \"findings\": ", l->wired ? "true" : "false");
    json_findings(&l->findings, fp, "     ");
    fputc('}', fp);
}

/* doctor_report_json - the machine-readable report */
void doctor_report_json(const struct doctor_mta *mta, const struct doctor_conf *dc, FILE *fp)
{
    strbuf tmp = STRBUF_INIT;
    size_t c[3], i;

    doctor_count(mta, c);
    fprintf(fp, "{\"version\": 1, \"mta\": \"%s\", \"source\": ",
            mta->kind == DOCTOR_POSTFIX ? "postfix" : "sendmail");
    json_str(fp, mta->source);
    fputs(", \"portrole_conf\": ", fp);
    json_str(fp, dc->path);
    fprintf(fp, ",\n \"errors\": %zu, \"warnings\": %zu, \"notes\": %zu,\n \"listeners\": [",
            c[DOCTOR_ERROR], c[DOCTOR_WARNING], c[DOCTOR_NOTE]);
    for (i = 0; i < mta->nl; i++) {
        fputs(i ? ",\n" : "\n", fp);
        json_listener(mta, &mta->l[i], fp, &tmp);
    }
    fputs(mta->nl ? "\n ],\n \"findings\": " : "],\n \"findings\": ", fp);
    json_findings(&mta->findings, fp, " ");
    fputs("}\n", fp);
    strbuf_release(&tmp);
}
