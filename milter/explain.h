/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * explain - "portrole-milter -x": one imagined session, explained.
 *
 * SYNOPSIS
 *	#include "explain.h"
 *
 *	rc = explain_run(cfg, "port=25 client=192.0.2.9 auth=PLAIN ...", stdout, &err);
 *
 * DESCRIPTION
 *	Parses the key=value description (port, listener, addr, client,
 *	client_name, helo, auth, user, tls, from, rcpt (repeatable or
 *	comma-separated; a comma before '@' belongs to a source route),
 *	rcpt_addr, rcpt_mailer, rcpt_host (the MTA's resolution of the
 *	rcpt= just before them), queueid, j), resolves the role, runs the same policy
 *	and header code the daemon runs, and prints the role, each SMTP reply
 *	the MTA would send, the header lines that would be added, and why.
 *	Returns 0, or 2 with a message in err for a malformed description.
 */
#ifndef PORTROLE_EXPLAIN_H
#define PORTROLE_EXPLAIN_H

#include <stdio.h>

#include "config.h"
#include "strbuf.h"

int explain_run(const struct pr_config *cfg, const char *spec, FILE *out,
                strbuf *err);

#endif
