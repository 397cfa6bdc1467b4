/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditlog_smtp - read the MTA's own outbound delivery lines.
 *
 * SYNOPSIS
 *	#include "auditlog_smtp.h"
 *
 *	if (auditlog_smtp_postfix(msg, &out) == 0) ...
 *	if (auditlog_smtp_sendmail(msg, &out) == 0) ...
 *	if ((p = auditlog_hostaddr(p, &ha)) != NULL) ...  "NAME[ADDR]:PORT"
 *
 * DESCRIPTION
 *	The outbound half of the hop confusion: a server whose provider
 *	blocks port 25 (OP25B) cannot deliver. These parsers take the
 *	message part of one syslog line (after "postfix/smtp[pid]: " or
 *	"sm-mta[pid]: ") and say what one connection did:
 *
 *	Postfix smtp(8), one line per failed connection:
 *	    connect to HOST[ADDR]:PORT: Connection timed out
 *	    connect to HOST[ADDR]:PORT: Connection refused
 *	and one line per recipient of a session that got through
 *	(status=sent, deferred or bounced by the server's reply):
 *	    QUEUEID: to=<R>, relay=HOST[ADDR]:PORT, ..., status=sent (250 ...)
 *	The status line with relay=none repeats the last failed connection
 *	and is not counted again; loopback relays (content filters) and
 *	relays without an address (local, lmtp on a socket) are skipped.
 *
 *	Sendmail, one line per delivery attempt, its stat= last:
 *	    QUEUEID: to=..., mailer=esmtp, ..., relay=HOST. [ADDR], ...,
 *	        stat=Deferred: Connection timed out with HOST.
 *	Sendmail logs no port: mailer esmtp, smtp, smtp8 and dsmtp are port
 *	25, mailer relay (a smart host) is port 0, "not logged".
 *
 *	Every text value is printable ASCII (as auditlog_parse's are).
 *
 *	auditlog_hostaddr() finds the parts of "NAME[ADDR]:PORT", the way
 *	both Postfix's client (auditlog_parse) and its server here are
 *	logged; it copies nothing, each caller keeps its own escaping.
 *
 * DIAGNOSTICS
 *	Both return -1 for a line that is not an outbound connection result.
 *	auditlog_hostaddr() returns NULL when p holds no "NAME[ADDR]"; a
 *	port of 0 or above 65535 is ha.port -1.
 */
#ifndef PORTROLE_AUDITLOG_SMTP_H
#define PORTROLE_AUDITLOG_SMTP_H

#include <stddef.h>

enum audit_conn { AUDIT_CONN_TIMEOUT, AUDIT_CONN_REFUSED, AUDIT_CONN_UNREACHABLE,
                  AUDIT_CONN_REACHED, AUDIT_CONN_COUNT };

struct audit_out {
    enum audit_conn result;
    char        host[128];          /* server name, "" unknown */
    char        addr[64];           /* server address, "" unknown */
    int         port;               /* 0: not logged */
};

/* The parts of "NAME[ADDR]:PORT", pointing into the line. */
struct audit_hostaddr {
    const char *name;
    size_t      name_len;
    const char *addr;               /* never empty */
    size_t      addr_len;
    int         port;               /* 0: none given, -1: not 1-65535 */
};

const char *auditlog_hostaddr(const char *p, struct audit_hostaddr *ha);
int auditlog_smtp_postfix(const char *msg, struct audit_out *out);
int auditlog_smtp_sendmail(const char *msg, struct audit_out *out);
const char *auditlog_smtp_conn_name(enum audit_conn result);

#endif
