/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditlog_smtp - outbound delivery lines of Postfix and Sendmail; see
 *	auditlog_smtp.h.
 *
 * DESCRIPTION
 *	Like auditlog_parse, each form is matched at its fixed place: the
 *	recipient (which a local user may have typed) is skipped with its
 *	quoted strings and never read as the MTA's words.
 *
 * DIAGNOSTICS
 *	None.
 */
#include "acconfig.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "auditlog_smtp.h"

/* put - len bytes as printable ASCII, '?' otherwise, cut to fit */
static void put(char *dst, size_t size, const char *src, size_t len)
{
    size_t o = 0;

    for (size_t i = 0; i < len && src[i] && o + 1 < size; i++) {
        unsigned char c = (unsigned char) src[i];

        dst[o++] = c > 0x20 && c < 0x7f ? (char) c : '?';
    }
    dst[o] = 0;
}

/* auditlog_smtp_conn_name - "timed-out", "refused", ... */
const char *auditlog_smtp_conn_name(enum audit_conn result)
{
    static const char *const names[] = {"timed-out", "refused", "unreachable", "reached"};

    return result < AUDIT_CONN_COUNT ? names[result] : "?";
}

/* reason - the connect error words */
static int reason(const char *r, enum audit_conn *result)
{
    if (strncmp(r, "Connection timed out", 20) == 0)
        *result = AUDIT_CONN_TIMEOUT;
    else if (strncmp(r, "Connection refused", 18) == 0)
        *result = AUDIT_CONN_REFUSED;
    else if (strncmp(r, "Network is unreachable", 22) == 0
             || strncmp(r, "No route to host", 16) == 0)
        *result = AUDIT_CONN_UNREACHABLE;
    else
        return -1;
    return 0;
}

/*
 * auditlog_hostaddr - "NAME[ADDR]" or "NAME[ADDR]:PORT" at p, as Postfix
 *	logs a client or a server: NAME runs to the first '[' (a space or a
 *	',' first: not one), ADDR is not empty and holds no space. Past it,
 *	or NULL. A ':' not followed by a digit is left in place.
 */
const char *auditlog_hostaddr(const char *p, struct audit_hostaddr *ha)
{
    const char *open = p + strcspn(p, "[ ,"), *close;
    long port = 0;

    if (*open != '[' || (close = strchr(open, ']')) == NULL
        || memchr(open, ' ', (size_t) (close - open)) || close == open + 1)
        return NULL;
    ha->name = p;
    ha->name_len = (size_t) (open - p);
    ha->addr = open + 1;
    ha->addr_len = (size_t) (close - open - 1);
    ha->port = 0;
    p = close + 1;
    if (*p == ':' && isdigit((unsigned char) p[1])) {
        for (p++; isdigit((unsigned char) *p); p++)
            if (port <= 65535)
                port = port * 10 + (*p - '0');
        ha->port = port >= 1 && port <= 65535 ? (int) port : -1;
    }
    return p;
}

/* host_addr_port - "HOST[ADDR]" with an optional valid ":PORT" into out; past it, or NULL */
static const char *host_addr_port(const char *p, struct audit_out *out)
{
    struct audit_hostaddr ha;

    if ((p = auditlog_hostaddr(p, &ha)) == NULL || ha.port < 0 || (ha.port == 0 && *p == ':'))
        return NULL;
    put(out->host, sizeof(out->host), ha.name, ha.name_len);
    put(out->addr, sizeof(out->addr), ha.addr, ha.addr_len);
    out->port = ha.port ? ha.port : 25;
    return p;
}

/* is_loopback - a content filter or a local hop, not outbound delivery */
static int is_loopback(const char *addr)
{
    return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0
        || strncmp(addr, "ipv6:::1", 8) == 0;
}

/* skip_addr - past "<...>" with its quoted strings, or NULL */
static const char *skip_addr(const char *p)
{
    if (*p++ != '<')
        return NULL;
    for (; *p && *p != '>'; p++)
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (!*p)
                return NULL;
        }
    return *p == '>' ? p + 1 : NULL;
}

/* queueid - past "QUEUEID: ", or NULL */
static const char *queueid(const char *m)
{
    size_t n = strspn(m, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    return n > 0 && n < 32 && m[n] == ':' && m[n + 1] == ' ' ? m + n + 2 : NULL;
}

/* postfix_status - "to=<R>, [orig_to=<O>, ]relay=H[A]:P, ..., status=S" */
static int postfix_status(const char *p, struct audit_out *out)
{
    const char *s;

    if (strncmp(p, "to=", 3) != 0 || (p = skip_addr(p + 3)) == NULL)
        return -1;
    if (strncmp(p, ", orig_to=", 10) == 0 && (p = skip_addr(p + 10)) == NULL)
        return -1;
    if (strncmp(p, ", relay=", 8) != 0 || (p = host_addr_port(p + 8, out)) == NULL
        || is_loopback(out->addr))
        return -1;                      /* relay=none, local, a content filter */
    if ((s = strstr(p, ", status=")) == NULL)
        return -1;
    s += 9;
    if (strncmp(s, "sent ", 5) != 0 && strncmp(s, "deferred ", 9) != 0
        && strncmp(s, "bounced ", 8) != 0)
        return -1;
    out->result = AUDIT_CONN_REACHED;   /* the server answered */
    return 0;
}

/* auditlog_smtp_postfix - a Postfix smtp(8) connection result */
int auditlog_smtp_postfix(const char *m, struct audit_out *out)
{
    const char *p;

    memset(out, 0, sizeof(*out));
    if (strncmp(m, "connect to ", 11) == 0) {
        if ((p = host_addr_port(m + 11, out)) == NULL || p[0] != ':' || p[1] != ' '
            || reason(p + 2, &out->result) < 0 || is_loopback(out->addr))
            return -1;
        return 0;
    }
    if ((p = queueid(m)) == NULL)
        return -1;
    return postfix_status(p, out);
}

/* last - the last occurrence of needle in s, or NULL */
static const char *last(const char *s, const char *needle)
{
    const char *found = NULL;

    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        found = p;
    return found;
}

/* sendmail_relay - "relay=HOST. [ADDR]" (either part may be missing) before stat */
static void sendmail_relay(const char *m, const char *stat, struct audit_out *out)
{
    const char *r = last(m, ", relay="), *e;

    if (r == NULL || r > stat)
        return;
    r += 8;
    e = r + strcspn(r, " ,[");
    if (e > r && e[-1] == '.')
        put(out->host, sizeof(out->host), r, (size_t) (e - r - 1));
    else if (e > r)
        put(out->host, sizeof(out->host), r, (size_t) (e - r));
    if (*e == ' ')
        e++;
    if (*e == '[' && strchr(e, ']') != NULL && strchr(e, ']') < stat)
        put(out->addr, sizeof(out->addr), e + 1, strcspn(e + 1, "]"));
}

/* auditlog_smtp_sendmail - a Sendmail delivery attempt */
int auditlog_smtp_sendmail(const char *m, struct audit_out *out)
{
    const char *p = queueid(m), *stat, *mailer, *with;

    memset(out, 0, sizeof(*out));
    if (p == NULL || strncmp(p, "to=", 3) != 0 || (stat = last(p, ", stat=")) == NULL)
        return -1;
    mailer = last(p, ", mailer=");
    if (mailer == NULL || mailer > stat)
        return -1;
    mailer += 9;
    if (strncmp(mailer, "relay,", 6) == 0)
        out->port = 0;
    else if (strncmp(mailer, "esmtp,", 6) == 0 || strncmp(mailer, "smtp,", 5) == 0
             || strncmp(mailer, "smtp8,", 6) == 0 || strncmp(mailer, "dsmtp,", 6) == 0)
        out->port = 25;
    else
        return -1;                      /* local, prog, ... */
    sendmail_relay(p, stat, out);
    stat += 7;
    if (strncmp(stat, "Deferred: ", 10) == 0 && reason(stat + 10, &out->result) == 0) {
        /* "... timed out with HOST." / "... refused by HOST." name the server */
        if ((with = strstr(stat, " with ")) != NULL || (with = strstr(stat, " by ")) != NULL) {
            size_t n;

            with = strchr(with + 1, ' ') + 1;
            n = strcspn(with, " ");
            if (n > 0 && with[n - 1] == '.')
                n--;
            put(out->host, sizeof(out->host), with, n);
        }
    } else if (strncmp(stat, "Sent", 4) == 0 || strncmp(stat, "Deferred: 4", 11) == 0
               || strncmp(stat, "Deferred: 5", 11) == 0) {
        out->result = AUDIT_CONN_REACHED;
    } else {
        return -1;
    }
    if (out->addr[0] && is_loopback(out->addr))
        return -1;
    return out->host[0] || out->addr[0] ? 0 : -1;
}
