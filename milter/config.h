/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config - portrole.conf into an immutable, refcounted snapshot.
 *
 * SYNOPSIS
 *	#include "config.h"
 *
 *	cfg = config_load(path, &errors);	   NULL: errors holds FILE:LINE lines
 *	cfg = config_load_text(name, text, len, &errors);   the same from memory
 *	config_install(cfg);			   the daemon's current config
 *	cfg = config_acquire(); ... config_release(cfg);
 *
 * DESCRIPTION
 *	config_load() parses and validates the whole file and reports every
 *	error it finds at once, one "FILE:LINE: message" line each, in errors.
 *	A NULL path loads the built-in defaults. Keys follow params.h.
 *	config_load_text() parses LEN bytes of TEXT as the file NAME would be
 *	parsed (NAME only names it in messages); config_load() reads the file
 *	whole and hands it to the same parser, after refusing a file others
 *	may write.
 *	"LocalDomains postfix" and "TrustedNetworks postfix:mynetworks" run
 *	postconf (and postmap -s for tables); the program is $PORTROLE_POSTCONF
 *	or "postconf" on PATH.
 *
 *	Once loaded a config never changes. config_install() makes it the one
 *	config_acquire() hands out; each connection pins the one it got and
 *	releases it when it closes, so a reload (SIGHUP) applies to new
 *	connections only. The last release frees it (and the SPF/DKIM
 *	handles it owns).
 *
 *	config_dump() prints the effective configuration in portrole.conf
 *	syntax ("portrole-milter -n").
 *
 *	config_local_domain(), config_trusted() and config_sender_owned() are
 *	the look-ups the policy needs.
 */
#ifndef PORTROLE_CONFIG_H
#define PORTROLE_CONFIG_H

#include <stdio.h>
#include <sys/types.h>

#include "netaddr.h"
#include "params.h"
#include "strbuf.h"
#include "vocab.h"

enum listener_kind { LISTENER_NAME, LISTENER_ADDRPORT, LISTENER_PORT };

struct pr_listener {
    enum listener_kind kind;
    char       *name;           /* LISTENER_NAME: {daemon_name} */
    netaddr     addr;           /* LISTENER_ADDRPORT */
    int         port;           /* LISTENER_ADDRPORT, LISTENER_PORT */
    enum pr_role role;
    char       *text;           /* as written, for -n and logs */
};

struct pr_sendermap_entry {
    char       *sender;         /* lowercased address, or "@domain" */
    char      **logins;         /* lowercased */
    size_t      nlogins;
};

enum sender_policy { SENDER_ANY, SENDER_LOCAL_DOMAINS, SENDER_LOGIN };
enum log_format { LOG_FORMAT_KV, LOG_FORMAT_JSON };

struct pr_config {
    char       *path;           /* NULL for built-in defaults */
    char       *socket;
    char       *userid;
    char       *pidfile;
    mode_t      umask;
    int         audit;          /* Mode audit */

    struct pr_listener *listeners;
    size_t      nlisteners;

    char      **domains;        /* exact, lowercased, sorted */
    size_t      ndomains;
    char      **subdomains;     /* ".example.com" entries without the dot, sorted */
    size_t      nsubdomains;

    netaddr_cidr *trusted;
    size_t      ntrusted;

    enum pr_action action[V_COUNT];
    char       *reply[V_COUNT]; /* NULL: built-in text */

    int         require_tls;
    int         delay_reject;   /* MAIL-stage refusals given at RCPT */
    enum sender_policy sender_policy;
    char       *sender_map_path;
    struct pr_sendermap_entry *sender_map;      /* sorted by sender */
    size_t      nsender_map;

    char       *authserv_id;    /* NULL: MTA's j, else host name */
    char       *header_name;
    int         header_include_user;
    int         auth_results;
    int         spf;
    int         dkim;
    int         dkim_max_sigs;  /* DKIMMaxSignatures */
    int         dns_timeout;
    char       *test_dns_data;
    int         syslog_facility;
    enum log_format log_format;
    int         log_level;      /* syslog priority: LOG_ERR .. LOG_DEBUG */
    char       *stats_file;     /* NULL: no metrics file */
    int         stats_interval; /* seconds */
    int         shutdown_timeout; /* seconds open sessions get after SIGTERM */

    void       *spf_server;     /* owned by spf.c */
    void       *dkim_lib;       /* owned by dkim.c */

    int         refcnt;         /* guarded by config.c's lock */
};

struct pr_config *config_load(const char *path, strbuf *errors);
struct pr_config *config_load_text(const char *name, const char *text, size_t len,
                                   strbuf *errors);
void config_free(struct pr_config *cfg);
void config_dump(const struct pr_config *cfg, FILE *fp);
void config_install(struct pr_config *cfg);
struct pr_config *config_acquire(void);
void config_release(struct pr_config *cfg);

int config_local_domain(const struct pr_config *cfg, const char *domain);
int config_trusted(const struct pr_config *cfg, const char *addr);
int config_sender_owned(const struct pr_config *cfg, const char *sender,
                        const char *login);
const char *config_domain_of(const char *address);

#endif
