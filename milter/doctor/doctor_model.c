/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * doctor_model - the listener model and findings of portrole-doctor.
 *
 * SYNOPSIS
 *	#include "doctor.h"
 *
 * DESCRIPTION
 *	Allocation and look-up for the structures in doctor.h: an MTA,
 *	its listeners, name=value settings and findings. Every string is
 *	copied; doctor_mta_free() releases the lot and accepts NULL.
 *	doctor_port_of() turns a service name or number into a TCP port
 *	the way the MTA would (the well-known mail ports first, then
 *	/etc/services), or -1.
 */
#include "acconfig.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "netaddr.h"
#include "util.h"

/* doctor_mta_new - an empty model for one MTA configuration */
struct doctor_mta *doctor_mta_new(enum doctor_mta_kind kind, const char *source)
{
    struct doctor_mta *mta = util_calloc(1, sizeof(*mta));

    mta->kind = kind;
    mta->source = util_strdup(source);
    mta->file = util_strdup(kind == DOCTOR_POSTFIX ? "master.cf" : "sendmail.cf");
    return mta;
}

/* findings_free - release a finding list */
static void findings_free(struct doctor_findings *f)
{
    size_t i;

    for (i = 0; i < f->n; i++) {
        free(f->v[i].id);
        free(f->v[i].where);
        free(f->v[i].meaning);
        free(f->v[i].fix);
        free(f->v[i].fix_file);
    }
    free(f->v);
}

/* settings_free - release a settings list */
static void settings_free(struct doctor_settings *s)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        free(s->v[i].name);
        free(s->v[i].value);
        free(s->v[i].raw);
    }
    free(s->v);
}

/* doctor_mta_free - release a model; NULL is fine */
void doctor_mta_free(struct doctor_mta *mta)
{
    size_t i;

    if (mta == NULL)
        return;
    for (i = 0; i < mta->nl; i++) {
        free(mta->l[i].service);
        free(mta->l[i].addr);
        free(mta->l[i].daemon_name);
        free(mta->l[i].modifiers);
        settings_free(&mta->l[i].opts);
        findings_free(&mta->l[i].findings);
    }
    for (i = 0; i < mta->nfilters; i++) {
        free(mta->filters[i].name);
        free(mta->filters[i].socket);
        free(mta->filters[i].flags);
    }
    for (i = 0; i < mta->nsvc; i++) {
        size_t c;

        free(mta->svc[i].name);
        free(mta->svc[i].type);
        free(mta->svc[i].command);
        free(mta->svc[i].text);
        for (c = 0; c < 5; c++)
            free(mta->svc[i].cols[c]);
        settings_free(&mta->svc[i].opts);
    }
    free(mta->svc);
    free(mta->postconf_first);
    free(mta->filters);
    free(mta->l);
    settings_free(&mta->main);
    findings_free(&mta->findings);
    free(mta->source);
    free(mta->file);
    free(mta);
}

/* doctor_listener_add - append a listener with no port and role unknown */
struct doctor_listener *doctor_listener_add(struct doctor_mta *mta, const char *service,
                                            int line)
{
    struct doctor_listener *l;

    mta->l = util_realloc(mta->l, (mta->nl + 1) * sizeof(*mta->l));
    l = &mta->l[mta->nl++];
    memset(l, 0, sizeof(*l));
    l->service = util_strdup(service);
    l->line = line;
    l->port = -1;
    l->role = ROLE_UNKNOWN;
    l->guess = ROLE_UNKNOWN;
    return l;
}

/* doctor_setting_find - the setting called name (case-sensitive), or NULL */
struct doctor_setting *doctor_setting_find(const struct doctor_settings *s, const char *name)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (strcmp(s->v[i].name, name) == 0)
            return &s->v[i];
    return NULL;
}

/* doctor_setting_get - the value of a setting, or NULL */
const char *doctor_setting_get(const struct doctor_settings *s, const char *name)
{
    struct doctor_setting *st = doctor_setting_find(s, name);

    return st ? st->value : NULL;
}

/* doctor_setting_set - add or replace a setting */
void doctor_setting_set(struct doctor_settings *s, const char *name, const char *value,
                        int line, int explicit_set)
{
    struct doctor_setting *st = doctor_setting_find(s, name);

    if (st == NULL) {
        s->v = util_realloc(s->v, (s->n + 1) * sizeof(*s->v));
        st = &s->v[s->n++];
        memset(st, 0, sizeof(*st));
        st->name = util_strdup(name);
    } else {
        free(st->value);
    }
    st->value = util_strdup(value);
    if (explicit_set) {         /* the first, as-written value */
        free(st->raw);
        st->raw = util_strdup(value);
    }
    if (line)
        st->line = line;
    st->explicit_set |= explicit_set;
}

/* doctor_add - append one finding */
void doctor_add(struct doctor_findings *f, enum doctor_sev sev, const char *id,
                const char *where, const char *meaning, const char *fix)
{
    struct doctor_finding *x;

    f->v = util_realloc(f->v, (f->n + 1) * sizeof(*f->v));
    x = &f->v[f->n++];
    x->sev = sev;
    x->id = util_strdup(id);
    x->where = util_strdup(where);
    x->meaning = util_strdup(meaning);
    x->fix = util_strdup(fix ? fix : "");
    x->fix_file = NULL;
    x->fix_line = 0;
    x->how = DOCTOR_HOW_NONE;
}

/* doctor_place - where the fix of the last finding added goes */
void doctor_place(struct doctor_findings *f, const char *file, int line, enum doctor_how how)
{
    struct doctor_finding *x;

    if (f->n == 0)
        return;
    x = &f->v[f->n - 1];
    free(x->fix_file);
    x->fix_file = file ? util_strdup(file) : NULL;
    x->fix_line = line;
    x->how = how;
}

/* doctor_how_name - the JSON spelling of a placement */
const char *doctor_how_name(enum doctor_how how)
{
    static const char *const names[] = {"none", "set", "replace", "after", "append", "delete"};

    return names[how];
}

/* doctor_service_find - the master.cf entry NAME/TYPE, or NULL */
struct doctor_service *doctor_service_find(const struct doctor_mta *mta, const char *name,
                                           const char *type)
{
    size_t i;

    for (i = 0; i < mta->nsvc; i++)
        if (strcmp(mta->svc[i].name, name) == 0 && strcmp(mta->svc[i].type, type) == 0)
            return &mta->svc[i];
    return NULL;
}

/* count_list - add one list's findings to counts[] */
static void count_list(const struct doctor_findings *f, size_t counts[3])
{
    size_t i;

    for (i = 0; i < f->n; i++)
        counts[f->v[i].sev]++;
}

/* doctor_count - notes, warnings and errors over the whole model */
void doctor_count(const struct doctor_mta *mta, size_t counts[3])
{
    size_t i;

    counts[0] = counts[1] = counts[2] = 0;
    count_list(&mta->findings, counts);
    for (i = 0; i < mta->nl; i++)
        count_list(&mta->l[i].findings, counts);
}

/* doctor_sev_name - "note", "warning" or "error" */
const char *doctor_sev_name(enum doctor_sev sev)
{
    return sev == DOCTOR_ERROR ? "error" : sev == DOCTOR_WARNING ? "warning" : "note";
}

/* doctor_port_of - TCP port of a service name or number, -1 when unknown */
int doctor_port_of(const char *service)
{
    static const struct { const char *name; int port; } known[] = {
        {"smtp", 25}, {"submission", 587}, {"submissions", 465}, {"smtps", 465},
        {"ssmtp", 465}, {"urd", 465},
    };
    struct servent *se;
    size_t i;
    int port = netaddr_port_parse(service);

    if (port >= 0)
        return port;
    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (util_strcaseeq(service, known[i].name))
            return known[i].port;
    se = getservbyname(service, "tcp");
    return se ? ntohs((unsigned short) se->s_port) : -1;
}
