/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * doctor_sendmail - read a sendmail.cf the way Sendmail reads it.
 *
 * SYNOPSIS
 *	#include "doctor.h"
 *
 *	doctor_sendmail_read(mta, &err);	mta->source: sendmail.cf path
 *
 * DESCRIPTION
 *	Reads the generated sendmail.cf (never the .mc, which m4 may rewrite
 *	in ways only the .cf shows): every "O DaemonPortOptions=" line is a
 *	listener with its Name= ({daemon_name}), Port=, Addr= and M=
 *	modifiers; "O InputMailFilters=" names the filters in use; each
 *	"Xname, S=..., F=..." line is a filter with its socket and failure
 *	flag. Other "O" options (AuthOptions, the Milter.macros lists) are
 *	kept as settings. Without any DaemonPortOptions line Sendmail
 *	listens as Name=MTA on port 25 and MSA on 587, so the model does too.
 *
 * DIAGNOSTICS
 *	-1 and a reason in err when the file cannot be opened.
 */
#include "acconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "util.h"

/* field - the value of "Key=" in a comma-separated option list, or NULL */
static char *field(const char *list, const char *key)
{
    size_t klen = strlen(key);
    const char *p = list;

    while (*p) {
        while (*p == ',' || isspace((unsigned char) *p))
            p++;
        if (strncasecmp(p, key, klen) == 0 && p[klen] == '=') {
            const char *v = p + klen + 1, *end = strchr(v, ',');
            char *out = util_strndup(v, end ? (size_t) (end - v) : strlen(v));
            char *t = util_trim(out);

            memmove(out, t, strlen(t) + 1);
            return out;
        }
        p = strchr(p, ',');
        if (p == NULL)
            break;
    }
    return NULL;
}

/* add_daemon - one DaemonPortOptions value */
static void add_daemon(struct doctor_mta *mta, const char *opts, int line)
{
    char *name = field(opts, "Name"), *port = field(opts, "Port"), *addr = field(opts, "Addr");
    char *mods = field(opts, "M");
    struct doctor_listener *l = doctor_listener_add(mta, name ? name : "MTA", line);

    l->daemon_name = util_strdup(name ? name : "MTA");
    l->port = doctor_port_of(port ? port : "smtp");
    if (addr && strcmp(addr, "0.0.0.0") != 0 && strcmp(addr, "::") != 0) {
        l->addr = addr;
        addr = NULL;
    }
    l->modifiers = util_strdup(mods ? mods : "");
    free(name);
    free(port);
    free(addr);
    free(mods);
}

/* add_filter - one "Xname, S=..., F=..." line */
static void add_filter(struct doctor_mta *mta, char *rest, int line)
{
    char *comma = strchr(rest, ','), *sock, *flags;
    struct doctor_filter *f;

    if (comma == NULL)
        return;
    *comma = '\0';
    sock = field(comma + 1, "S");
    flags = field(comma + 1, "F");
    mta->filters = util_realloc(mta->filters, (mta->nfilters + 1) * sizeof(*mta->filters));
    f = &mta->filters[mta->nfilters++];
    f->name = util_strdup(util_trim(rest));
    f->socket = sock ? sock : util_strdup("");
    f->flags = flags ? flags : util_strdup("");
    f->line = line;
    f->input = 0;
}

/* mark_input - flag the filters InputMailFilters names */
static void mark_input(struct doctor_mta *mta, const char *list)
{
    char *copy = util_strdup(list), *tok, *save;
    size_t i;

    for (tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save))
        for (i = 0; i < mta->nfilters; i++)
            if (strcmp(mta->filters[i].name, tok) == 0)
                mta->filters[i].input = 1;
    free(copy);
}

/* doctor_sendmail_read - the listeners and filters of one sendmail.cf */
int doctor_sendmail_read(struct doctor_mta *mta, strbuf *err)
{
    FILE *fp = fopen(mta->source, "r");
    char buf[8192], *input = NULL;
    int line = 0, daemons = 0;

    if (fp == NULL) {
        strbuf_printf(err, "%s", strerror(errno));
        return -1;
    }
    while (fgets(buf, sizeof(buf), fp)) {
        char *eq;

        line++;
        buf[strcspn(buf, "\r\n")] = '\0';
        if (buf[0] == 'X' && buf[1])
            add_filter(mta, buf + 1, line);
        if (buf[0] != 'O' || buf[1] != ' ' || (eq = strchr(buf, '=')) == NULL)
            continue;
        *eq = '\0';
        util_trim(buf + 2);
        if (strcmp(buf + 2, "DaemonPortOptions") == 0) {
            add_daemon(mta, eq + 1, line);
            daemons++;
        } else if (strcmp(buf + 2, "InputMailFilters") == 0) {
            free(input);
            input = util_strdup(eq + 1);
            mta->input_filters_line = line;
        }
        doctor_setting_set(&mta->main, buf + 2, eq + 1, line, 1);
    }
    fclose(fp);
    if (daemons == 0) {
        add_daemon(mta, "Name=MTA, Port=smtp", 0);
        add_daemon(mta, "Name=MSA, Port=submission, M=E", 0);
    }
    if (input)
        mark_input(mta, input);
    free(input);
    return 0;
}
