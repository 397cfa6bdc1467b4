/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * doctor - the model portrole-doctor builds of an MTA's listeners, and
 *	the findings it attaches to them.
 *
 * SYNOPSIS
 *	#include "doctor.h"
 *
 *	mta = doctor_mta_new(DOCTOR_POSTFIX, dir);
 *	doctor_postfix_read(mta, &err)        doctor_postfix.c
 *	doctor_sendmail_read(mta, &err)       doctor_sendmail.c
 *	doctor_check(mta, cfg, conf_lines)    doctor_checks.c (+ doctor_smcheck.c)
 *	doctor_report_text/json(mta, fp)      doctor_report.c
 *	doctor_mta_free(mta);
 *
 * DESCRIPTION
 *	A reader fills the MTA-neutral model: global settings (Postfix's
 *	effective main.cf values, Sendmail's O options) and one listener per
 *	SMTP daemon with its port, address, {daemon_name}, per-listener
 *	overrides and where each came from. The checks then judge the model
 *	against portrole.conf and attach findings, each with a severity, a
 *	stable id, where it is, what it means for the two hops (submission,
 *	relay/delivery) and the exact line to write instead.
 *
 *	doctor_add() copies its strings; doctor_setting_get() returns NULL for
 *	a setting that is absent.
 *
 * DIAGNOSTICS
 *	The readers return 0, or -1 with a one-line reason in *err (exit 3).
 */
#ifndef PORTROLE_DOCTOR_H
#define PORTROLE_DOCTOR_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "policy.h"
#include "vocab.h"
#include "strbuf.h"

enum doctor_mta_kind { DOCTOR_POSTFIX, DOCTOR_SENDMAIL };
enum doctor_sev { DOCTOR_NOTE, DOCTOR_WARNING, DOCTOR_ERROR };

/* Where a fix goes: the JSON "how" names these. */
enum doctor_how {
    DOCTOR_HOW_NONE,            /* no placement known (Sendmail's .mc lines) */
    DOCTOR_HOW_SET,             /* main.cf parameter: postconf -e FIX */
    DOCTOR_HOW_REPLACE,         /* replace fix_line of fix_file with FIX */
    DOCTOR_HOW_AFTER,           /* insert FIX after fix_line of fix_file */
    DOCTOR_HOW_APPEND,          /* add FIX at the end of fix_file */
    DOCTOR_HOW_DELETE,          /* delete fix_line of fix_file (FIX is "") */
};

struct doctor_finding {
    enum doctor_sev sev;
    char       *id;             /* stable, e.g. "mx-auth-offered" */
    char       *where;          /* "master.cf:12", "main.cf: mynetworks" */
    char       *meaning;        /* what it means for the two hops */
    char       *fix;            /* exactly what to paste ("" none) */
    char       *fix_file;       /* where it goes: "main.cf", "master.cf", ... */
    int         fix_line;       /* the line it replaces or follows, 0: none */
    enum doctor_how how;        /* what to do with fix there */
};

struct doctor_findings {
    struct doctor_finding *v;
    size_t      n;
};

struct doctor_setting {
    char       *name;
    char       *value;          /* expanded where the reader could */
    char       *raw;            /* as written ($names kept), NULL: value */
    int         line;           /* 0: no line known */
    int         explicit_set;   /* written in the file, not a default */
};

struct doctor_settings {
    struct doctor_setting *v;
    size_t      n;
};

/* One master.cf entry, as "postconf -M" and "-P" show it. */
struct doctor_service {
    char       *name;           /* "smtp", "127.0.0.1:10025", "cleanup" */
    char       *type;           /* inet, unix, pass, ... */
    char       *command;        /* smtpd, postscreen, cleanup, ... */
    char       *cols[5];        /* private unpriv chroot wakeup maxproc */
    char       *text;           /* its first master.cf line, as written */
    int         line;           /* first line in master.cf */
    int         last_line;      /* its last continuation line */
    int         chroot;         /* chroot column says y */
    struct doctor_settings opts;        /* -o overrides */
};

struct doctor_listener {
    char       *service;        /* master.cf service, or Sendmail Name= */
    int         line;           /* where the listener is defined */
    int         last_line;      /* last line of its smtpd's entry */
    const struct doctor_service *front; /* postscreen before the smtpd, NULL: none */
    const struct doctor_service *smtpd; /* the smtpd that serves it (Postfix) */
    int         milters_off;    /* -o smtpd_milters= empty, on purpose */
    int         proxied;        /* fed by a proxy through XCLIENT */
    enum pr_role guess;         /* the hop its settings suggest (ROLE_UNKNOWN: none) */
    int         port;           /* -1: unknown */
    char       *addr;           /* NULL: every address */
    int         chroot;         /* Postfix chroot column says y */
    int         wired;          /* the MTA sends this listener's mail to portrole */
    char       *daemon_name;    /* {daemon_name} the MTA will send */
    char       *modifiers;      /* Sendmail M=, NULL for Postfix */
    struct doctor_settings opts;        /* Postfix -o overrides */
    enum pr_role role;
    const struct pr_listener *match;    /* the Listener line, NULL: none */
    struct doctor_findings findings;
};

struct doctor_filter {          /* a Sendmail X line */
    char       *name;
    char       *socket;
    char       *flags;          /* F= value, "" when absent */
    int         line;
    int         input;          /* listed in InputMailFilters */
};

struct doctor_mta {
    enum doctor_mta_kind kind;
    char       *source;         /* Postfix directory or sendmail.cf path */
    char       *file;           /* "master.cf" / "sendmail.cf" for where */
    struct doctor_settings main;        /* main.cf (effective) / O options */
    struct doctor_listener *l;
    size_t      nl;
    struct doctor_filter *filters;
    size_t      nfilters;
    int         input_filters_line;
    struct doctor_service *svc;         /* Postfix: every master.cf entry */
    size_t      nsvc;
    size_t      postconf_warnings;      /* lines postconf wrote to stderr */
    char       *postconf_first;         /* the first of them */
    struct doctor_findings findings;    /* not tied to one listener */
};

/* One portrole.conf Listener line, for portrole.conf:LINE. */
struct doctor_conf_line {
    int         line;
    char       *text;           /* the spec as written ("587", "MSA") */
};

struct doctor_conf {
    const struct pr_config *cfg;
    const char *path;           /* NULL: built-in defaults */
    struct doctor_conf_line *listeners;
    size_t      nlisteners;
};

struct doctor_mta *doctor_mta_new(enum doctor_mta_kind kind, const char *source);
void doctor_mta_free(struct doctor_mta *mta);
struct doctor_listener *doctor_listener_add(struct doctor_mta *mta, const char *service,
                                            int line);
void doctor_setting_set(struct doctor_settings *s, const char *name, const char *value,
                        int line, int explicit_set);
struct doctor_setting *doctor_setting_find(const struct doctor_settings *s, const char *name);
const char *doctor_setting_get(const struct doctor_settings *s, const char *name);
void doctor_add(struct doctor_findings *f, enum doctor_sev sev, const char *id,
                const char *where, const char *meaning, const char *fix);
void doctor_place(struct doctor_findings *f, const char *file, int line, enum doctor_how how);
const char *doctor_how_name(enum doctor_how how);
struct doctor_service *doctor_service_find(const struct doctor_mta *mta, const char *name,
                                           const char *type);
void doctor_count(const struct doctor_mta *mta, size_t counts[3]);
const char *doctor_sev_name(enum doctor_sev sev);
int doctor_port_of(const char *service);

int doctor_postfix_read(struct doctor_mta *mta, strbuf *err);
int doctor_sendmail_read(struct doctor_mta *mta, strbuf *err);
int doctor_conf_read(struct doctor_conf *dc, const char *path, strbuf *err);
void doctor_conf_free(struct doctor_conf *dc);
const char *doctor_conf_file(const struct doctor_conf *dc);
void doctor_check(struct doctor_mta *mta, const struct doctor_conf *dc);
void doctor_check_roles(struct doctor_mta *mta, const struct doctor_conf *dc);
int doctor_enforced(const struct doctor_listener *l, const struct doctor_conf *dc,
                    enum pr_violation viol);
enum pr_role doctor_kind(const struct doctor_listener *l);
void doctor_where(strbuf *sb, const struct doctor_mta *mta, int line);
const char *doctor_eff(const struct doctor_mta *mta, const struct doctor_listener *l,
                       const char *name);
const char *doctor_eff_raw(const struct doctor_mta *mta, const struct doctor_listener *l,
                           const char *name);
const char *doctor_next_token(const char *s, char *tok, size_t size);
const char *doctor_stranger_refused(const struct doctor_mta *mta,
                                    const struct doctor_listener *l, int foreign);
void doctor_check_milters(struct doctor_mta *mta, const struct doctor_conf *dc);
void doctor_fix_override(strbuf *fix, const char *name, const char *value);
void doctor_place_override(struct doctor_findings *f, const struct doctor_listener *l,
                           const char *name);
void doctor_fix_chroot(strbuf *fix, const struct doctor_service *sv);
void doctor_check_sendmail(struct doctor_mta *mta, const struct doctor_conf *dc);
void doctor_report_text(const struct doctor_mta *mta, const struct doctor_conf *dc, FILE *fp);
void doctor_report_json(const struct doctor_mta *mta, const struct doctor_conf *dc, FILE *fp);

#endif
