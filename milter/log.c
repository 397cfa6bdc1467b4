/*
 * log - syslog and stderr output, and the decision line; see log.h.
 *
 * DESCRIPTION
 *	Diagnostics carry Postfix's severity prefixes ("warning: ",
 *	"error: ", "fatal: ") so that administrators grep them the same way.
 *	Decision lines have no prefix: they start with the queue id.
 *
 * DIAGNOSTICS
 *	None; logging never fails the caller.
 */
#include "acconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static int log_level = LOG_INFO;
static int log_stderr;

/* stderr_is_journal - systemd connected stderr to the journal, which syslog feeds too */
static int stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long dev, ino;
    struct stat st;

    return js != NULL && sscanf(js, "%lu:%lu", &dev, &ino) == 2 && fstat(2, &st) == 0
        && (unsigned long) st.st_dev == dev && (unsigned long) st.st_ino == ino;
}

/* log_open - syslog as portrole-milter; also stderr when asked, unless that is the journal */
void log_open(int facility, int to_stderr)
{
    closelog();
    openlog("portrole-milter", LOG_PID | LOG_NDELAY, facility);
    log_stderr = to_stderr && !stderr_is_journal();
}

/* log_set_level - lines above this priority are dropped */
void log_set_level(int priority)
{
    log_level = priority;
}

/* log_get_level - the current threshold */
int log_get_level(void)
{
    return log_level;
}

/* emit - one finished line to syslog and, with -f, stderr */
static void emit(int priority, const char *line)
{
    if (priority > log_level)
        return;
    syslog(priority, "%s", line);
    if (log_stderr) {
        flockfile(stderr);
        fprintf(stderr, "portrole-milter[%ld]: %s\n", (long) getpid(), line);
        funlockfile(stderr);
    }
}

/* log_msg - a diagnostic with Postfix's severity prefix */
void log_msg(int priority, const char *fmt, ...)
{
    strbuf sb = STRBUF_INIT;
    va_list ap;

    if (priority > log_level)
        return;
    if (priority <= LOG_CRIT)
        strbuf_puts(&sb, "fatal: ");
    else if (priority == LOG_ERR)
        strbuf_puts(&sb, "error: ");
    else if (priority == LOG_WARNING)
        strbuf_puts(&sb, "warning: ");
    va_start(ap, fmt);
    strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    emit(priority, strbuf_str(&sb));
    strbuf_release(&sb);
}

/* log_escape_kv - a value that cannot break the line or the key=value split */
void log_escape_kv(strbuf *out, const char *value)
{
    for (const unsigned char *p = (const unsigned char *) (value ? value : ""); *p; p++) {
        if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
            strbuf_printf(out, "\\x%02x", *p);
        else
            strbuf_putc(out, *p);
    }
}

/* json_string - a JSON string literal, or null */
static void json_string(strbuf *out, const char *value)
{
    if (value == NULL) {
        strbuf_puts(out, "null");
        return;
    }
    strbuf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *) value; *p; p++) {
        if (*p == '"' || *p == '\\')
            strbuf_printf(out, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)     /* 8-bit too: logs stay ASCII */
            strbuf_printf(out, "\\u%04x", *p);
        else
            strbuf_putc(out, *p);
    }
    strbuf_putc(out, '"');
}

/* auth_word - the auth= value: mechanism, "yes" (login only) or "none" */
static const char *auth_word(const struct pr_facts *f)
{
    if (f->auth_type && *f->auth_type)
        return f->auth_type;
    return policy_authenticated(f) ? "yes" : "none";
}

/* put_violations - names joined by ',' with an optional JSON quoting */
static void put_violations(strbuf *out, unsigned mask, int json)
{
    int first = 1;

    for (int v = 0; v < V_COUNT; v++) {
        if (!(mask & VBIT(v)))
            continue;
        strbuf_puts(out, first ? "" : ",");
        if (json)
            json_string(out, vocab_violation_name((enum pr_violation) v));
        else
            strbuf_puts(out, vocab_violation_name((enum pr_violation) v));
        first = 0;
    }
}

/* format_kv - SPEC's key=value line */
static void format_kv(const struct log_decision *d, strbuf *out)
{
    const struct pr_facts *f = d->facts;

    log_escape_kv(out, d->queueid && *d->queueid ? d->queueid : "NOQUEUE");
    strbuf_printf(out, ": role=%s port=", vocab_role_name(f->role));
    if (f->port >= 0)
        strbuf_printf(out, "%d", f->port);
    else
        strbuf_putc(out, '-');
    strbuf_puts(out, " client=");
    log_escape_kv(out, f->client_name && *f->client_name ? f->client_name : "unknown");
    strbuf_putc(out, '[');
    log_escape_kv(out, f->client_addr && *f->client_addr ? f->client_addr : "unknown");
    strbuf_puts(out, "] auth=");
    log_escape_kv(out, auth_word(f));
    if (f->login && *f->login) {
        strbuf_puts(out, " login=");
        log_escape_kv(out, f->login);
    }
    strbuf_puts(out, " tls=");
    log_escape_kv(out, policy_has_tls(f) ? f->tls_version : "none");
    strbuf_puts(out, " from=<");
    log_escape_kv(out, f->sender);
    strbuf_puts(out, "> rcpt=");
    for (size_t i = 0; i < d->nrcpts; i++) {
        strbuf_puts(out, i ? ",<" : "<");
        log_escape_kv(out, d->rcpts[i]);
        strbuf_putc(out, '>');
    }
    if (d->resolved) {
        strbuf_puts(out, " resolved=<");
        log_escape_kv(out, d->resolved);
        strbuf_putc(out, '>');
    }
    strbuf_printf(out, " action=%s", vocab_action_name(d->action));
    if (d->violations) {
        strbuf_puts(out, " violation=");
        put_violations(out, d->violations, 0);
    }
    if (d->would != ACT_PASS)
        strbuf_printf(out, " would=%s", vocab_action_name(d->would));
    strbuf_printf(out, " mode=%s", d->audit ? "audit" : "enforce");
    if (d->ref && *d->ref)
        strbuf_printf(out, " ref=%s", d->ref);
}

/* format_json - the same fields as one JSON object */
static void format_json(const struct log_decision *d, strbuf *out)
{
    const struct pr_facts *f = d->facts;

    strbuf_puts(out, "{\"queueid\":");
    json_string(out, d->queueid && *d->queueid ? d->queueid : "NOQUEUE");
    strbuf_printf(out, ",\"role\":\"%s\",\"port\":", vocab_role_name(f->role));
    if (f->port >= 0)
        strbuf_printf(out, "%d", f->port);
    else
        strbuf_puts(out, "null");
    strbuf_puts(out, ",\"client_name\":");
    json_string(out, f->client_name && *f->client_name ? f->client_name : "unknown");
    strbuf_puts(out, ",\"client_addr\":");
    json_string(out, f->client_addr && *f->client_addr ? f->client_addr : "unknown");
    strbuf_puts(out, ",\"auth\":");
    json_string(out, auth_word(f));
    strbuf_puts(out, ",\"login\":");
    json_string(out, f->login && *f->login ? f->login : NULL);
    strbuf_puts(out, ",\"tls\":");
    json_string(out, policy_has_tls(f) ? f->tls_version : "none");
    strbuf_puts(out, ",\"from\":");
    json_string(out, f->sender ? f->sender : "");
    strbuf_puts(out, ",\"rcpt\":[");
    for (size_t i = 0; i < d->nrcpts; i++) {
        strbuf_puts(out, i ? "," : "");
        json_string(out, d->rcpts[i]);
    }
    strbuf_putc(out, ']');
    if (d->resolved) {
        strbuf_puts(out, ",\"resolved\":");
        json_string(out, d->resolved);
    }
    strbuf_printf(out, ",\"action\":\"%s\",\"violation\":[", vocab_action_name(d->action));
    put_violations(out, d->violations, 1);
    strbuf_puts(out, "],\"would\":");
    json_string(out, d->would != ACT_PASS ? vocab_action_name(d->would) : NULL);
    strbuf_printf(out, ",\"mode\":\"%s\",\"ref\":", d->audit ? "audit" : "enforce");
    json_string(out, d->ref && *d->ref ? d->ref : NULL);
    strbuf_putc(out, '}');
}

/* log_format_decision - render a decision line */
void log_format_decision(int json, const struct log_decision *d, strbuf *out)
{
    if (json)
        format_json(d, out);
    else
        format_kv(d, out);
}

/* log_decision - render and write; an ignored violation logs at debug */
void log_decision(int json, const struct log_decision *d)
{
    strbuf sb = STRBUF_INIT;
    int prio = d->action == ACT_IGNORE ? LOG_DEBUG : LOG_INFO;

    if (prio > log_level)
        return;
    log_format_decision(json, d, &sb);
    emit(prio, strbuf_str(&sb));
    strbuf_release(&sb);
}
