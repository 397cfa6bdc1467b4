/* SPDX-License-Identifier: BSD-2-Clause */
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

/*
 * Each value is cut to a budget of escaped bytes (a cut value ends in
 * "..."), so that a decision line stays under LOG_LINE_MAX whatever the
 * client sent; the recipients take the room that is left.
 */
#define CAP_QUEUEID     64
#define CAP_NAME        256             /* client name, login */
#define CAP_ADDR        160
#define CAP_WORD        64              /* auth mechanism, TLS version, ref */
#define CAP_SENDER      320
#define CAP_NONE        ((size_t) -1)
#define RCPTS_ROOM      24              /* ' rcpts=N' or ',"rcpts":N' */

/* escaped - one byte as the kv or JSON form writes it; its length */
static size_t escaped(unsigned char c, int json, char buf[8])
{
    if (json && (c == '"' || c == '\\'))
        return (size_t) snprintf(buf, 8, "\\%c", c);
    if (json && (c < 0x20 || c >= 0x7f))    /* 8-bit too: logs stay ASCII */
        return (size_t) snprintf(buf, 8, "\\u%04x", c);
    if (!json && (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\'))
        return (size_t) snprintf(buf, 8, "\\x%02x", c);
    buf[0] = (char) c;
    return 1;
}

/* put_capped - value escaped, at most cap bytes of it; 1 when it was cut */
static int put_capped(strbuf *out, const char *value, int json, size_t cap)
{
    const unsigned char *v = (const unsigned char *) (value ? value : "");
    size_t total = 0, used = 0, limit = cap >= 3 ? cap - 3 : 0;
    char buf[8];

    if (cap != CAP_NONE)
        for (const unsigned char *p = v; *p && total <= cap; p++)
            total += escaped(*p, json, buf);
    for (const unsigned char *p = v; *p; p++) {
        size_t n = escaped(*p, json, buf);

        if (cap != CAP_NONE && total > cap && used + n > limit) {
            strbuf_puts(out, "...");
            return 1;
        }
        strbuf_append(out, buf, n);
        used += n;
    }
    return 0;
}

/* log_escape_kv - a value that cannot break the line or the key=value split */
void log_escape_kv(strbuf *out, const char *value)
{
    (void) put_capped(out, value, 0, CAP_NONE);
}

/* kv_capped - a kv value cut to cap escaped bytes */
static void kv_capped(strbuf *out, const char *value, size_t cap)
{
    (void) put_capped(out, value, 0, cap);
}

/* json_capped - a JSON string literal cut to cap bytes inside the quotes, or null */
static void json_capped(strbuf *out, const char *value, size_t cap)
{
    if (value == NULL) {
        strbuf_puts(out, "null");
        return;
    }
    strbuf_putc(out, '"');
    (void) put_capped(out, value, 1, cap);
    strbuf_putc(out, '"');
}

/* json_string - a JSON string literal of our own words, or null */
static void json_string(strbuf *out, const char *value)
{
    json_capped(out, value, CAP_NONE);
}

/*
 * put_rcpts - as many recipients as fit in room bytes, then their count
 * when some were left out: "<a>,<b> rcpts=1000" or "\"a\",\"b\"],\"rcpts\":1000"
 * (the JSON array is closed here). The first is always named, cut if need be.
 */
static void put_rcpts(strbuf *out, const struct log_decision *d, int json, size_t room)
{
    strbuf one = STRBUF_INIT;
    size_t used = 0, shown = 0;

    for (; shown < d->nrcpts; shown++) {
        strbuf_truncate(&one, 0);
        strbuf_puts(&one, shown ? "," : "");
        strbuf_puts(&one, json ? "\"" : "<");
        if (shown == 0 && room > 8)
            (void) put_capped(&one, d->rcpts[0], json, room - 8);
        else
            (void) put_capped(&one, d->rcpts[shown], json, CAP_NONE);
        strbuf_puts(&one, json ? "\"" : ">");
        if (shown > 0 && used + one.len > room)
            break;
        strbuf_append(out, strbuf_str(&one), one.len);
        used += one.len;
    }
    if (json)
        strbuf_putc(out, ']');
    if (shown < d->nrcpts)
        strbuf_printf(out, json ? ",\"rcpts\":%zu" : " rcpts=%zu", d->nrcpts);
    strbuf_release(&one);
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

/* kv_tail - " [resolved=<>] action=... [violation=] [would=] mode= [ref=]" */
static void kv_tail(const struct log_decision *d, strbuf *out)
{
    if (d->resolved) {
        strbuf_puts(out, " resolved=<");
        kv_capped(out, d->resolved, CAP_SENDER);
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
    if (d->ref && *d->ref) {
        strbuf_puts(out, " ref=");
        kv_capped(out, d->ref, CAP_WORD);
    }
}

/* room - what is left for the recipients of a line started at start */
static size_t room(const strbuf *out, size_t start, const strbuf *tail)
{
    size_t used = out->len - start + tail->len + RCPTS_ROOM;

    return used < LOG_LINE_MAX - 1 ? LOG_LINE_MAX - 1 - used : 0;
}

/* format_kv - SPEC's key=value line, at most LOG_LINE_MAX - 1 bytes */
static void format_kv(const struct log_decision *d, strbuf *out)
{
    const struct pr_facts *f = d->facts;
    size_t start = out->len;
    strbuf tail = STRBUF_INIT;

    kv_capped(out, d->queueid && *d->queueid ? d->queueid : "NOQUEUE", CAP_QUEUEID);
    strbuf_printf(out, ": role=%s port=", vocab_role_name(f->role));
    if (f->port >= 0)
        strbuf_printf(out, "%d", f->port);
    else
        strbuf_putc(out, '-');
    strbuf_puts(out, " client=");
    kv_capped(out, f->client_name && *f->client_name ? f->client_name : "unknown", CAP_NAME);
    strbuf_putc(out, '[');
    kv_capped(out, f->client_addr && *f->client_addr ? f->client_addr : "unknown", CAP_ADDR);
    strbuf_puts(out, "] auth=");
    kv_capped(out, auth_word(f), CAP_WORD);
    if (f->login && *f->login) {
        strbuf_puts(out, " login=");
        kv_capped(out, f->login, CAP_NAME);
    }
    strbuf_puts(out, " tls=");
    kv_capped(out, policy_has_tls(f) ? f->tls_version : "none", CAP_WORD);
    strbuf_puts(out, " from=<");
    kv_capped(out, f->sender, CAP_SENDER);
    strbuf_puts(out, "> rcpt=");
    kv_tail(d, &tail);
    put_rcpts(out, d, 0, room(out, start, &tail));
    strbuf_append(out, strbuf_str(&tail), tail.len);
    strbuf_release(&tail);
}

/* json_tail - [,"resolved":...],"action":...,"ref":...} */
static void json_tail(const struct log_decision *d, strbuf *out)
{
    if (d->resolved) {
        strbuf_puts(out, ",\"resolved\":");
        json_capped(out, d->resolved, CAP_SENDER);
    }
    strbuf_printf(out, ",\"action\":\"%s\",\"violation\":[", vocab_action_name(d->action));
    put_violations(out, d->violations, 1);
    strbuf_puts(out, "],\"would\":");
    json_string(out, d->would != ACT_PASS ? vocab_action_name(d->would) : NULL);
    strbuf_printf(out, ",\"mode\":\"%s\",\"ref\":", d->audit ? "audit" : "enforce");
    json_capped(out, d->ref && *d->ref ? d->ref : NULL, CAP_WORD);
    strbuf_putc(out, '}');
}

/* format_json - the same fields as one JSON object, as bounded */
static void format_json(const struct log_decision *d, strbuf *out)
{
    const struct pr_facts *f = d->facts;
    size_t start = out->len;
    strbuf tail = STRBUF_INIT;

    strbuf_puts(out, "{\"queueid\":");
    json_capped(out, d->queueid && *d->queueid ? d->queueid : "NOQUEUE", CAP_QUEUEID);
    strbuf_printf(out, ",\"role\":\"%s\",\"port\":", vocab_role_name(f->role));
    if (f->port >= 0)
        strbuf_printf(out, "%d", f->port);
    else
        strbuf_puts(out, "null");
    strbuf_puts(out, ",\"client_name\":");
    json_capped(out, f->client_name && *f->client_name ? f->client_name : "unknown", CAP_NAME);
    strbuf_puts(out, ",\"client_addr\":");
    json_capped(out, f->client_addr && *f->client_addr ? f->client_addr : "unknown", CAP_ADDR);
    strbuf_puts(out, ",\"auth\":");
    json_capped(out, auth_word(f), CAP_WORD);
    strbuf_puts(out, ",\"login\":");
    json_capped(out, f->login && *f->login ? f->login : NULL, CAP_NAME);
    strbuf_puts(out, ",\"tls\":");
    json_capped(out, policy_has_tls(f) ? f->tls_version : "none", CAP_WORD);
    strbuf_puts(out, ",\"from\":");
    json_capped(out, f->sender ? f->sender : "", CAP_SENDER);
    strbuf_puts(out, ",\"rcpt\":[");
    json_tail(d, &tail);
    put_rcpts(out, d, 1, room(out, start, &tail));
    strbuf_append(out, strbuf_str(&tail), tail.len);
    strbuf_release(&tail);
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
