/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * doctor_conf - portrole.conf as portrole-doctor sees it.
 *
 * SYNOPSIS
 *	#include "doctor.h"
 *
 *	doctor_conf_read(&dc, path, &err);  ...  doctor_conf_free(&dc);
 *
 * DESCRIPTION
 *	Loads the file with config_load(), exactly as the daemon does, and
 *	then finds the line number of each Listener line so that a finding
 *	can say portrole.conf:LINE. config_load() keeps the Listener lines in
 *	file order, so the n-th Listener line is listeners[n]. A NULL path
 *	reads the built-in defaults (no line numbers).
 *
 * DIAGNOSTICS
 *	-1 with the loader's FILE:LINE messages in *err when the file is
 *	missing or invalid.
 */
#include "acconfig.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "util.h"

/* listener_lines - record each "Listener" line's number and spec */
static void listener_lines(struct doctor_conf *dc, FILE *fp)
{
    char buf[4096], *p, *spec;
    int line = 0;

    while (fgets(buf, sizeof(buf), fp)) {
        line++;
        for (p = buf; isspace((unsigned char) *p); p++)
            ;
        if (strncasecmp(p, "Listener", 8) != 0 || !isspace((unsigned char) p[8]))
            continue;
        for (p += 8; isspace((unsigned char) *p); p++)
            ;
        spec = p;
        while (*p && !isspace((unsigned char) *p))
            p++;
        dc->listeners = util_realloc(dc->listeners,
                                     (dc->nlisteners + 1) * sizeof(*dc->listeners));
        dc->listeners[dc->nlisteners].line = line;
        dc->listeners[dc->nlisteners++].text = util_strndup(spec, (size_t) (p - spec));
    }
}

/* doctor_conf_read - load portrole.conf and index its Listener lines */
int doctor_conf_read(struct doctor_conf *dc, const char *path, strbuf *err)
{
    FILE *fp;

    memset(dc, 0, sizeof(*dc));
    dc->path = path;
    dc->cfg = config_load(path, err);
    if (dc->cfg == NULL)
        return -1;
    if (path && (fp = fopen(path, "r")) != NULL) {
        listener_lines(dc, fp);
        fclose(fp);
    }
    return 0;
}

/* doctor_conf_free - release what doctor_conf_read() made */
void doctor_conf_free(struct doctor_conf *dc)
{
    size_t i;

    for (i = 0; i < dc->nlisteners; i++)
        free(dc->listeners[i].text);
    free(dc->listeners);
    config_free((struct pr_config *) dc->cfg);
    memset(dc, 0, sizeof(*dc));
}

/* doctor_conf_file - portrole.conf's name as the findings give it */
const char *doctor_conf_file(const struct doctor_conf *dc)
{
    const char *base;

    if (dc->path == NULL)
        return "portrole.conf";
    base = strrchr(dc->path, '/');
    return base ? base + 1 : dc->path;
}
