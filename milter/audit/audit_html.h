/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit_html - portrole-audit --format html: one self-contained page.
 *
 * SYNOPSIS
 *	#include "audit_html.h"
 *
 *	audit_html_report(stdout, agg, top, by_host);
 *
 * DESCRIPTION
 *	Writes the summary, an inline SVG chart of events per day by kind,
 *	the clients and logins with each fix sentence (at most top rows
 *	each; 0 for all), with by_host a table per syslog host, and the
 *	outbound section. The page fetches
 *	nothing: no script, no external style or font, and a
 *	Content-Security-Policy of default-src 'none' says so to the
 *	browser. Every text from the logs is HTML-escaped.
 *
 * DIAGNOSTICS
 *	None; write errors show on the stream.
 */
#ifndef PORTROLE_AUDIT_HTML_H
#define PORTROLE_AUDIT_HTML_H

#include <stdio.h>

#include "auditlog_agg.h"

void audit_html_report(FILE *fp, struct audit_agg *agg, long top, int by_host);

#endif
