/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * params - the one table of configuration keys.
 *
 * SYNOPSIS
 *	#include "params.h"
 *
 * DESCRIPTION
 *	Each key is declared here once: its name as written in portrole.conf,
 *	its default as text (parsed by the same code as a file value), whether
 *	it may repeat, and one line of documentation. The parser (config.c),
 *	"portrole-milter -n", the sample conf/portrole.conf and the
 *	portrole.conf(5) page all follow this table; tests/docs.test fails
 *	when a key here is missing from the sample or the manual page.
 *
 *	PORTROLE_PARAMS(X) calls X(ID, NAME, DEFAULT, REPEAT, DOC) per key.
 *	An empty DEFAULT means "unset".
 */
#ifndef PORTROLE_PARAMS_H
#define PORTROLE_PARAMS_H

#define PORTROLE_PARAMS(X) \
    X(SOCKET, "Socket", "unix:/run/portrole/portrole.sock", 0, \
      "where the milter listens: unix:PATH or inet:PORT@ADDR ([ADDR] for IPv6)") \
    X(USERID, "UserID", "", 0, \
      "USER[:GROUP] to switch to after the socket is created; empty keeps the current user") \
    X(PIDFILE, "PidFile", "", 0, \
      "file that receives the daemon's process id; empty writes none") \
    X(UMASK, "UMask", "007", 0, \
      "octal umask applied when the unix socket is created (007: owner and group may connect)") \
    X(MODE, "Mode", "enforce", 0, \
      "enforce: reject as configured; audit: never reject, tag and log would=reject instead") \
    X(LISTENER, "Listener", "25 mx, 587 submission, 465 submissions", 1, \
      "NAME|ADDR:PORT|PORT ROLE; roles mx submission submissions internal; any Listener line replaces the defaults") \
    X(LOCALDOMAINS, "LocalDomains", "", 0, \
      "domains port 25 accepts mail for: example.com, .example.com (subdomains), postfix, file:PATH") \
    X(TRUSTEDNETWORKS, "TrustedNetworks", "127.0.0.0/8, ::1", 0, \
      "client networks that may relay on port 25 without authentication: CIDR list, postfix:mynetworks, file:PATH") \
    X(ACTION, "Action", "", 1, \
      "VIOLATION reject|tempfail|tag|ignore: overrides the violation's default action") \
    X(REPLY, "Reply", "", 1, \
      "VIOLATION \"text\": replaces the violation's reply text (${rcpt} ${sender} ${login} ${port} ${client} ${domain})") \
    X(REQUIRETLS, "RequireTLS", "yes", 0, \
      "yes: submission without TLS is the cleartext-submission violation") \
    X(DELAYREJECT, "DelayReject", "yes", 0, \
      "yes: MAIL-stage refusals are given at the first RCPT and every later one (Postfix's smtpd_delay_reject); no: at MAIL") \
    X(SENDERPOLICY, "SenderPolicy", "any", 0, \
      "any | local-domains | login: which envelope senders an authenticated login may use") \
    X(SENDERLOGINMAP, "SenderLoginMap", "", 0, \
      "file of 'sender login[,login...]' lines (@domain for a whole domain) for SenderPolicy login") \
    X(AUTHSERVID, "AuthservID", "", 0, \
      "the authserv-id that starts our headers; empty: the MTA's j macro, else the host name") \
    X(HEADERNAME, "HeaderName", "X-Port-Role", 0, \
      "name of the header that explains the route") \
    X(HEADERINCLUDEUSER, "HeaderIncludeUser", "no", 0, \
      "yes: the header names the authenticated login (user=)") \
    X(AUTHRESULTS, "AuthResults", "no", 0, \
      "yes: also add an RFC 8601 Authentication-Results header") \
    X(SPF, "SPF", "on", 0, \
      "on | off: check SPF on port-25 (mx) mail with libspf2") \
    X(DKIM, "DKIM", "verify", 0, \
      "verify | off: verify DKIM signatures on port-25 (mx) mail with libopendkim") \
    X(DKIMMAXSIGNATURES, "DKIMMaxSignatures", "5", 0, \
      "DKIM signatures verified per message (1-20), topmost first; the rest are reported as dkim=policy, not verified") \
    X(DNSTIMEOUT, "DNSTimeout", "5", 0, \
      "seconds an SPF or DKIM DNS look-up may take before it is temperror (1-60)") \
    X(TESTDNSDATA, "TestDNSData", "", 0, \
      "tests and demos only: answer SPF and DKIM DNS look-ups from this file of NAME TXT \"data\" lines") \
    X(SYSLOGFACILITY, "SyslogFacility", "mail", 0, \
      "syslog facility: mail, daemon, local0 ... local7") \
    X(LOGFORMAT, "LogFormat", "kv", 0, \
      "kv: key=value decision lines; json: one JSON object per line") \
    X(LOGLEVEL, "LogLevel", "info", 0, \
      "error | warning | notice | info | debug") \
    X(STATSFILE, "StatsFile", "", 0, \
      "file that receives the counters as OpenMetrics text (node-exporter textfile collector); empty writes none") \
    X(STATSINTERVAL, "StatsInterval", "30", 0, \
      "seconds between two writes of StatsFile (1-3600); it is also written at stop") \
    X(SHUTDOWNTIMEOUT, "ShutdownTimeout", "30", 0, \
      "seconds open sessions may take to finish after SIGTERM (0-3600) before they are cut")

#define PARAM_ENUM(id, name, def, rep, doc) PARAM_##id,
enum param_id { PORTROLE_PARAMS(PARAM_ENUM) PARAM_COUNT };
#undef PARAM_ENUM

struct param_info {
    const char *name;
    const char *def;
    int         repeat;
    const char *doc;
};

extern const struct param_info param_table[PARAM_COUNT];

#endif
