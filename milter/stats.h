/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stats - the daemon's counters, written as a metrics text file.
 *
 * SYNOPSIS
 *	#include "stats.h"
 *
 *	stats_decision(role, action, violations);	one per decision line
 *	stats_message(role, verdict);			one per transaction that ends
 *	stats_spf(result); stats_dkim(summary); stats_error(kind);
 *	stats_reload(); stats_sessions(+1 or -1); stats_sessions_open();
 *	stats_render(&text); stats_write(path, &err);
 *
 * DESCRIPTION
 *	The counting calls run on libmilter's threads, on the hot path: each
 *	is one relaxed atomic add on a fixed slot, no lock, no allocation.
 *	stats_render() reads them (also relaxed: a snapshot that may be a few
 *	events old, never torn per counter) into metrics text (see stats.c):
 *	portrole_build_info, portrole_config_reloads_total,
 *	portrole_decisions_total{role,action,violation},
 *	portrole_messages_total{role,verdict}, portrole_spf_results_total,
 *	portrole_dkim_results_total, portrole_errors_total{kind},
 *	portrole_sessions_open, then "# EOF". The decision and message series
 *	are written once seen; the small result and error sets always.
 *
 *	stats_write() writes that text to a temporary file beside PATH and
 *	renames it over PATH, so a reader (node-exporter's textfile
 *	collector) sees the old file or the new one, never half of one.
 *	When PATH is a symbolic link, the file it points to is replaced: a
 *	link in the collector's directory may point into a directory that
 *	only the daemon's user can write.
 *
 * DIAGNOSTICS
 *	stats_write() returns -1 with the reason in err; it never exits.
 */
#ifndef PORTROLE_STATS_H
#define PORTROLE_STATS_H

#include "vocab.h"
#include "spf.h"
#include "strbuf.h"

enum stats_error_kind {
    STATS_ERR_INTERNAL,         /* a callback answered the internal-error tempfail */
    STATS_ERR_HEADER,           /* the MTA refused a header change */
    STATS_ERR_RELOAD,           /* SIGHUP found a bad config and kept the old one */
    STATS_ERR_STATSFILE,        /* the metrics file could not be written */
    STATS_ERR_COUNT
};

void stats_decision(enum pr_role role, enum pr_action action, unsigned violations);
void stats_message(enum pr_role role, enum pr_action verdict);
void stats_spf(enum spf_result result);
void stats_dkim(const char *summary);
void stats_error(enum stats_error_kind kind);
void stats_reload(void);
void stats_sessions(int delta);
long stats_sessions_open(void);
void stats_render(strbuf *out);
int stats_write(const char *path, strbuf *err);
void stats_reset(void);

#endif
