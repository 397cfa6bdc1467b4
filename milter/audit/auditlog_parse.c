/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditlog_parse - classify one mail log line; see auditlog_parse.h.
 *
 * DESCRIPTION
 *	A line is taken apart in two steps: the syslog prefix (time stamp,
 *	host, tag) and then the message by the tag that wrote it. Only a
 *	line whose form cannot be told at all is "unparsable": a well-formed
 *	line of another program, or a portrole-milter diagnostic, is skipped.
 *	A line that claims to be a decision (tag portrole-milter or none,
 *	"QUEUEID: role=" or '{') and fails to parse is unparsable.
 *
 *	Postfix's "milter-reject" lines repeat portrole's own reply, so they
 *	are skipped: counting them would count each decision twice.
 *
 * DIAGNOSTICS
 *	None: a line is always classified.
 */
#include "acconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auditlog_parse.h"
#include "i18n.h"
#include "util.h"

/* auditlog_cat_name - category name: SPEC's violation names, then Postfix's */
const char *auditlog_cat_name(int cat)
{
    if (cat >= 0 && cat < V_COUNT)
        return vocab_violation_name((enum pr_violation) cat);
    if (cat == AUDIT_CAT_AUTH_FAILED)
        return "auth-failed";
    if (cat == AUDIT_CAT_AUTH_LOST)
        return "auth-lost";
    return "?";
}

/* auditlog_cat_fix - one sentence: what to change on that client (English:
 *	the caller that shows it to a person translates it with _()) */
const char *auditlog_cat_fix(int cat)
{
    if (cat >= 0 && cat < V_COUNT)
        return policy_advice((enum pr_violation) cat);
    if (cat == AUDIT_CAT_AUTH_FAILED)
        return N_("the login fails: correct the user name and password saved in "
            "the client (many failures from one address may be password guessing)");
    if (cat == AUDIT_CAT_AUTH_LOST)
        return N_("the client hangs up during AUTH: check its authentication "
            "method, user name and password");
    return "";
}

/* cat_parse - a category name, or -1 */
static int cat_parse(const char *name, size_t len)
{
    for (int c = 0; c < AUDIT_CAT_COUNT; c++) {
        const char *n = auditlog_cat_name(c);

        if (strlen(n) == len && strncmp(n, name, len) == 0)
            return c;
    }
    return -1;
}

/* copy_field - copy len bytes as printable ASCII (\xHH otherwise), cut to fit */
static void copy_field(char *dst, size_t size, const char *src, size_t len)
{
    size_t o = 0;

    for (size_t i = 0; i < len && src[i]; i++) {
        unsigned char c = (unsigned char) src[i];

        if (c > 0x20 && c < 0x7f) {
            if (o + 1 >= size)
                break;
            dst[o++] = (char) c;
        } else {
            if (o + 4 >= size)
                break;
            snprintf(dst + o, size - o, "\\x%02x", c);
            o += 4;
        }
    }
    dst[o] = 0;
}

#define COPY(field, src, len) copy_field((field), sizeof(field), (src), (len))

/* ---------------------------------------------------------------- time */

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* month_parse - "Nov" to 0..11, or -1 */
static int month_parse(const char *s)
{
    for (int m = 0; m < 12; m++)
        if (strncmp(s, months + 3 * m, 3) == 0)
            return m;
    return -1;
}

/* digits - n decimal digits at s, or -1 */
static int digits(const char *s, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char) s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* auditlog_clock_init - year inference anchored at the file's time */
void auditlog_clock_init(struct audit_clock *clk, time_t reference)
{
    memset(clk, 0, sizeof(*clk));
    clk->reference = reference;
    clk->c_year = -1;
}

/* local_time - mktime() for a local date, cached per hour: it is slow */
static time_t local_time(struct audit_clock *clk, int year, int mon, int mday,
                         int hour, int min, int sec)
{
    if (year != clk->c_year || mon != clk->c_mon || mday != clk->c_mday
        || hour != clk->c_hour) {
        struct tm tm;

        memset(&tm, 0, sizeof(tm));
        tm.tm_year = year - 1900;
        tm.tm_mon = mon;
        tm.tm_mday = mday;
        tm.tm_hour = hour;
        tm.tm_isdst = -1;
        clk->c_base = mktime(&tm);
        clk->c_year = year;
        clk->c_mon = mon;
        clk->c_mday = mday;
        clk->c_hour = hour;
    }
    return clk->c_base + min * 60 + sec;
}

/*
 * infer_year - RFC 3164 has no year. The first line takes the reference's
 * year, or the year before when its month is later than the reference's
 * (a file written in January that starts in December). Afterwards the
 * month going back by more than half a year is a new year; a line that
 * jumps forward as much is a late line from the year before.
 */
static int infer_year(struct audit_clock *clk, int mon)
{
    if (clk->year == 0) {
        struct tm ref;
        time_t t = clk->reference ? clk->reference : time(NULL);

        localtime_r(&t, &ref);
        clk->year = ref.tm_year + 1900 - (mon > ref.tm_mon ? 1 : 0);
        clk->last_mon = mon;
        return clk->year;
    }
    if (mon < clk->last_mon - 6) {
        clk->year++;
        clk->last_mon = mon;
        return clk->year;
    }
    if (mon > clk->last_mon + 6)
        return clk->year - 1;
    clk->last_mon = mon;
    return clk->year;
}

/* parse_3164 - "Nov 28 13:14:38 " (day may be space padded); length or 0 */
static size_t parse_3164(const char *s, struct audit_clock *clk, time_t *when)
{
    int mon = month_parse(s), mday, hh, mm, ss;

    if (mon < 0 || s[3] != ' ')
        return 0;
    if (s[4] == ' ' && isdigit((unsigned char) s[5]))
        mday = s[5] - '0';
    else if ((mday = digits(s + 4, 2)) < 0)
        return 0;
    if (s[6] != ' ' || (hh = digits(s + 7, 2)) < 0 || s[9] != ':'
        || (mm = digits(s + 10, 2)) < 0 || s[12] != ':'
        || (ss = digits(s + 13, 2)) < 0 || s[15] != ' ')
        return 0;
    if (mday < 1 || mday > 31 || hh > 23 || mm > 59 || ss > 60)
        return 0;
    *when = local_time(clk, infer_year(clk, mon), mon, mday, hh, mm, ss);
    return 16;
}

/*
 * parse_iso - "2024-11-28T13:14:38[.frac][Z|+01:00|+0100]" (or ' ' for
 * 'T' when date_only_ok); the length parsed or 0. No zone is local time.
 */
static size_t parse_iso(const char *s, struct audit_clock *clk, time_t *when,
                        int date_only_ok)
{
    int y = digits(s, 4), mo, d, hh = 0, mm = 0, ss = 0;
    const char *p = s + 10;
    struct tm tm;

    if (y < 1970 || s[4] != '-' || (mo = digits(s + 5, 2)) < 1 || mo > 12
        || s[7] != '-' || (d = digits(s + 8, 2)) < 1 || d > 31)
        return 0;
    if ((*p == 'T' || *p == ' ') && isdigit((unsigned char) p[1])) {
        if ((hh = digits(p + 1, 2)) < 0 || hh > 23 || p[3] != ':'
            || (mm = digits(p + 4, 2)) < 0 || mm > 59)
            return 0;
        p += 6;
        if (*p == ':') {
            if ((ss = digits(p + 1, 2)) < 0 || ss > 60)
                return 0;
            p += 3;
        }
        if (*p == '.' || *p == ',')
            for (p++; isdigit((unsigned char) *p); p++)
                /* fraction: ignored */ ;
    } else if (!date_only_ok) {
        return 0;
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = ss;
    if (*p == 'Z') {
        *when = timegm(&tm);
        p++;
    } else if ((*p == '+' || *p == '-') && digits(p + 1, 2) >= 0) {
        int oh = digits(p + 1, 2), om;
        size_t n = 3;

        if (p[3] == ':' && (om = digits(p + 4, 2)) >= 0)
            n = 6;
        else if ((om = digits(p + 3, 2)) >= 0)
            n = 5;
        else
            om = 0;
        *when = timegm(&tm) - (*p == '+' ? 1 : -1) * (oh * 3600 + om * 60);
        p += n;
    } else if (clk != NULL) {
        *when = local_time(clk, y, mo - 1, d, hh, mm, ss);
    } else {
        tm.tm_isdst = -1;
        *when = mktime(&tm);
    }
    return (size_t) (p - s);
}

/* auditlog_time_parse - --since/--until: ISO date or time, or -7d/-12h/-30m/-2w */
int auditlog_time_parse(const char *text, time_t now, time_t *out)
{
    const char *p = text;
    char *end;
    long n;

    if (*p == '-' || *p == '+' || isdigit((unsigned char) *p)) {
        size_t len = parse_iso(p, NULL, out, 1);

        if (len > 0 && p[len] == 0)
            return 0;
        if (*p == '-' || *p == '+')
            p++;
        errno = 0;
        n = strtol(p, &end, 10);
        if (end == p || errno || n < 0 || n > 100000 || *end == 0 || end[1] != 0)
            return -1;
        switch (*end) {
        case 'w': n *= 7 * 86400; break;
        case 'd': n *= 86400; break;
        case 'h': n *= 3600; break;
        case 'm': n *= 60; break;
        case 's': break;
        default: return -1;
        }
        *out = now - n;
        return 0;
    }
    return -1;
}

/* ------------------------------------------------------- syslog prefix */

/* skip_token - past one run of non-space bytes */
static const char *skip_token(const char *p)
{
    while (*p && *p != ' ')
        p++;
    return p;
}

/*
 * parse_tag - "tag[pid]: " or, when bare_ok is 0, also "tag: "; sets the
 * tag and returns the message, or NULL when p does not start with a tag.
 */
static const char *parse_tag(const char *p, struct audit_rec *rec, int need_pid)
{
    const char *t = p, *q;

    while (*p && *p != ' ' && *p != '[' && *p != ':')
        p++;
    if (p == t || (size_t) (p - t) >= sizeof(rec->tag))
        return NULL;
    q = p;
    if (*p == '[') {
        for (p++; isdigit((unsigned char) *p); p++)
            ;
        if (*p != ']')
            return NULL;
        p++;
    } else if (need_pid) {
        return NULL;
    }
    if (*p != ':' || (p[1] != ' ' && p[1] != 0))
        return NULL;
    COPY(rec->tag, t, (size_t) (q - t));
    return p[1] ? p + 2 : p + 1;
}

/* skip_sd - past RFC 5424 structured data: "-" or "[id k="v"]..." */
static const char *skip_sd(const char *p)
{
    if (*p == '-')
        return p + 1;
    while (*p == '[') {
        for (p++; *p && *p != ']'; p++) {
            if (*p == '"') {
                for (p++; *p && *p != '"'; p++)
                    if (*p == '\\' && p[1])
                        p++;
                if (!*p)
                    return NULL;
            }
        }
        if (*p != ']')
            return NULL;
        p++;
    }
    return p;
}

/* parse_5424 - "1 TS HOST APP PROCID MSGID SD MSG"; the message or NULL */
static const char *parse_5424(const char *p, struct audit_clock *clk,
                              struct audit_rec *rec)
{
    const char *app;
    size_t n;

    if (*p == '-')
        p++;
    else if ((n = parse_iso(p, clk, &rec->when, 0)) > 0)
        p += n;
    else
        return NULL;
    if (*p++ != ' ')
        return NULL;
    app = p;
    p = skip_token(p);                      /* HOSTNAME */
    if (p - app != 1 || *app != '-')
        COPY(rec->host, app, (size_t) (p - app));
    if (*p++ != ' ')
        return NULL;
    app = p;
    p = skip_token(p);                      /* APP-NAME */
    if (p - app == 1 && *app == '-')
        rec->tag[0] = 0;
    else
        COPY(rec->tag, app, (size_t) (p - app));
    for (int field = 0; field < 2; field++) {   /* PROCID MSGID */
        if (*p++ != ' ')
            return NULL;
        p = skip_token(p);
    }
    if (*p++ != ' ' || (p = skip_sd(p)) == NULL)
        return NULL;
    if (*p == ' ')
        p++;
    if (strncmp(p, "\xef\xbb\xbf", 3) == 0)     /* BOM */
        p += 3;
    return p;
}

/*
 * parse_prefix - strip whatever syslog prefix the line has. *stamped is
 * set when a time-stamped syslog form was recognised (its message may
 * still have no tag, as "last message repeated" does).
 */
static const char *parse_prefix(const char *line, struct audit_clock *clk,
                                struct audit_rec *rec, int *stamped)
{
    const char *p = line, *msg;
    size_t n;

    *stamped = 0;
    if (*p == '<') {                        /* <PRI> */
        const char *q = p + 1;

        while (isdigit((unsigned char) *q) && q - p < 4)
            q++;
        if (*q == '>' && q > p + 1) {
            p = q + 1;
            if (p[0] == '1' && p[1] == ' ' && (msg = parse_5424(p + 2, clk, rec))) {
                *stamped = 1;
                return msg;
            }
        }
    }
    if ((n = parse_3164(p, clk, &rec->when)) == 0
        && (n = parse_iso(p, clk, &rec->when, 0)) == 0) {
        if ((msg = parse_tag(p, rec, 1)) != NULL)   /* -f: "ident[pid]: " */
            return msg;
        return p;                                   /* a bare line */
    }
    *stamped = 1;
    p += n;
    while (*p == ' ')
        p++;
    msg = p;
    p = skip_token(p);                      /* host */
    COPY(rec->host, msg, (size_t) (p - msg));
    if (*p == ' ')
        p++;
    if ((msg = parse_tag(p, rec, 0)) != NULL)
        return msg;
    return p;
}

/* ------------------------------------------------ portrole decisions */

/* role_parse - any of the six role names (the config accepts fewer) */
static int role_parse(const char *s, size_t len)
{
    for (int r = 0; r < ROLE_COUNT; r++) {
        const char *n = vocab_role_name((enum pr_role) r);

        if (strlen(n) == len && strncmp(n, s, len) == 0)
            return r;
    }
    return -1;
}

/* action_parse - an action name, or -1 */
static int action_parse(const char *s, size_t len)
{
    for (int a = 0; a < ACT_COUNT; a++) {
        const char *n = vocab_action_name((enum pr_action) a);

        if (strlen(n) == len && strncmp(n, s, len) == 0)
            return a;
    }
    return -1;
}

/* port_parse - "25" or "-" (unknown); -2 when invalid */
static int port_parse(const char *s, size_t len)
{
    int v = 0;

    if (len == 1 && *s == '-')
        return -1;
    if (len == 0 || len > 5)
        return -2;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char) s[i]))
            return -2;
        v = v * 10 + s[i] - '0';
    }
    return v <= 65535 ? v : -2;
}

/* violations_parse - "a,b" to category bits; unknown names are ignored */
static unsigned violations_parse(const char *s, size_t len)
{
    unsigned bits = 0;
    size_t i = 0;

    while (i < len) {
        size_t j = i;
        int c;

        while (j < len && s[j] != ',')
            j++;
        if ((c = cat_parse(s + i, j - i)) >= 0 && c < V_COUNT)
            bits |= 1u << c;
        i = j + 1;
    }
    return bits;
}

/* client_split - "NAME[ADDR]" (the last '['); 0 or -1 */
static int client_split(const char *s, size_t len, struct audit_rec *rec)
{
    const char *open = NULL;

    if (len < 3 || s[len - 1] != ']')
        return -1;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '[')
            open = s + i;
    if (open == NULL)
        return -1;
    COPY(rec->client_name, s, (size_t) (open - s));
    COPY(rec->client_addr, open + 1, (size_t) (s + len - 1 - open - 1));
    return 0;
}

/* strip_angle - "<a@x>" to "a@x" */
static void strip_angle(const char **s, size_t *len)
{
    if (*len >= 2 && (*s)[0] == '<' && (*s)[*len - 1] == '>') {
        (*s)++;
        *len -= 2;
    }
}

/* decision_field - one key=value (or JSON member) into the record; -1 if bad */
static int decision_field(struct audit_rec *rec, const char *k, size_t klen,
                          const char *v, size_t vlen)
{
#define KEY(name) (klen == sizeof(name) - 1 && memcmp(k, name, klen) == 0)
    if (KEY("role")) {
        if ((rec->role = role_parse(v, vlen)) < 0)
            return -1;
    } else if (KEY("port")) {
        if ((rec->port = port_parse(v, vlen)) < -1)
            return -1;
    } else if (KEY("client")) {
        if (client_split(v, vlen, rec) < 0)
            return -1;
    } else if (KEY("client_name")) {
        COPY(rec->client_name, v, vlen);
    } else if (KEY("client_addr")) {
        COPY(rec->client_addr, v, vlen);
    } else if (KEY("auth")) {
        COPY(rec->auth, v, vlen);
    } else if (KEY("login")) {
        COPY(rec->login, v, vlen);
    } else if (KEY("tls")) {
        COPY(rec->tls, v, vlen);
    } else if (KEY("from")) {
        strip_angle(&v, &vlen);
        COPY(rec->from, v, vlen);
    } else if (KEY("rcpt")) {
        COPY(rec->rcpt, v, vlen);
    } else if (KEY("action")) {
        if ((rec->action = action_parse(v, vlen)) < 0)
            return -1;
    } else if (KEY("violation")) {
        rec->cats |= violations_parse(v, vlen);
    } else if (KEY("would")) {
        rec->would = action_parse(v, vlen);
    } else if (KEY("mode")) {
        rec->audit_mode = vlen == 5 && memcmp(v, "audit", 5) == 0;
    } else if (KEY("ref")) {
        COPY(rec->ref, v, vlen);
    } else if (KEY("queueid")) {
        COPY(rec->queueid, v, vlen);
    }
    return 0;
#undef KEY
}

/* parse_kv - "QUEUEID: role=... action=... ref=..."; 0 or -1 */
static int parse_kv(const char *m, struct audit_rec *rec)
{
    const char *p = strchr(m, ':');

    if (p == NULL || p == m || (size_t) (p - m) >= sizeof(rec->queueid)
        || p[1] != ' ' || memchr(m, ' ', (size_t) (p - m)))
        return -1;
    COPY(rec->queueid, m, (size_t) (p - m));
    for (p += 2; *p; ) {
        const char *k = p, *eq, *end;

        end = skip_token(p);
        eq = memchr(k, '=', (size_t) (end - k));
        if (eq == NULL || eq == k)
            return -1;
        if (decision_field(rec, k, (size_t) (eq - k), eq + 1, (size_t) (end - eq - 1)) < 0)
            return -1;
        p = *end ? end + 1 : end;
    }
    return rec->role >= 0 && rec->action >= 0 && rec->client_addr[0] ? 0 : -1;
}

/* json_string - decode a JSON string at p into buf; past it or NULL */
static const char *json_string(const char *p, char *buf, size_t size, size_t *len)
{
    size_t o = 0;

    if (*p++ != '"')
        return NULL;
    while (*p && *p != '"') {
        unsigned c = (unsigned char) *p++;

        if (c == '\\') {
            switch (*p++) {
            case '"': c = '"'; break;
            case '\\': c = '\\'; break;
            case '/': c = '/'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u':
                if (!isxdigit((unsigned char) p[0]) || !isxdigit((unsigned char) p[1])
                    || !isxdigit((unsigned char) p[2]) || !isxdigit((unsigned char) p[3]))
                    return NULL;
                c = (unsigned) strtoul((char[]) {p[0], p[1], p[2], p[3], 0}, NULL, 16);
                p += 4;
                if (c > 0xff)
                    c = '?';            /* the milter only writes \u00XX */
                break;
            default:
                return NULL;
            }
        }
        if (o + 1 < size)
            buf[o++] = (char) (c ? c : '?');
    }
    if (*p != '"')
        return NULL;
    buf[o] = 0;
    *len = o;
    return p + 1;
}

/* skip_ws - JSON white space */
static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* json_value - one value into buf as decision_field wants it; past it or NULL */
static const char *json_value(const char *p, char *buf, size_t size, size_t *len,
                              int *is_null)
{
    *is_null = 0;
    *len = 0;
    buf[0] = 0;
    if (*p == '"')
        return json_string(p, buf, size, len);
    if (strncmp(p, "null", 4) == 0) {
        *is_null = 1;
        return p + 4;
    }
    if (*p == '[') {                        /* array of strings, joined by ',' */
        char item[512];
        size_t ilen;

        for (p = skip_ws(p + 1); *p != ']'; ) {
            if ((p = json_string(p, item, sizeof(item), &ilen)) == NULL)
                return NULL;
            if (*len + ilen + 2 < size) {
                if (*len)
                    buf[(*len)++] = ',';
                memcpy(buf + *len, item, ilen);
                *len += ilen;
                buf[*len] = 0;
            }
            p = skip_ws(p);
            if (*p == ',')
                p = skip_ws(p + 1);
            else if (*p != ']')
                return NULL;
        }
        return p + 1;
    }
    if (*p == '-' || isdigit((unsigned char) *p) || *p == 't' || *p == 'f') {
        const char *s = p;

        while (*p && *p != ',' && *p != '}' && *p != ' ')
            p++;
        *len = (size_t) (p - s) < size ? (size_t) (p - s) : size - 1;
        memcpy(buf, s, *len);
        buf[*len] = 0;
        return p;
    }
    return NULL;
}

/* parse_json - LogFormat json: one flat object; 0 or -1 */
static int parse_json(const char *p, struct audit_rec *rec)
{
    char key[32], val[1024];
    size_t klen, vlen;
    int is_null;

    rec->json = 1;
    p = skip_ws(p + 1);
    while (*p != '}') {
        if ((p = json_string(p, key, sizeof(key), &klen)) == NULL)
            return -1;
        p = skip_ws(p);
        if (*p++ != ':')
            return -1;
        if ((p = json_value(skip_ws(p), val, sizeof(val), &vlen, &is_null)) == NULL)
            return -1;
        if (!is_null && decision_field(rec, key, klen, val, vlen) < 0)
            return -1;
        p = skip_ws(p);
        if (*p == ',')
            p = skip_ws(p + 1);
        else if (*p != '}')
            return -1;
    }
    if (*skip_ws(p + 1) != 0)
        return -1;
    if (!rec->queueid[0])
        strcpy(rec->queueid, "NOQUEUE");
    return rec->role >= 0 && rec->action >= 0 && rec->client_addr[0] ? 0 : -1;
}

/* looks_like_decision - the shape of a decision line, before parsing it */
static int looks_like_decision(const char *m)
{
    const char *colon;

    if (*m == '{')
        return strstr(m, "\"role\"") != NULL;
    colon = strchr(m, ':');
    return colon != NULL && colon - m < 32 && strncmp(colon, ": role=", 7) == 0;
}

/* ------------------------------------------------------ Postfix lines */

/* postfix_listener - "postfix/submission/smtpd" to listener, role and port */
static void postfix_listener(struct audit_rec *rec)
{
    static const struct { const char *name; int role, port; } svc[] = {
        {"smtpd", ROLE_MX, 25}, {"smtp", ROLE_MX, 25}, {"25", ROLE_MX, 25},
        {"submission", ROLE_SUBMISSION, 587}, {"587", ROLE_SUBMISSION, 587},
        {"smtps", ROLE_SUBMISSIONS, 465}, {"submissions", ROLE_SUBMISSIONS, 465},
        {"465", ROLE_SUBMISSIONS, 465},
    };
    const char *first = strchr(rec->tag, '/'), *last = strrchr(rec->tag, '/');
    char name[32];

    if (first == NULL)
        return;
    if (first == last)                      /* postfix/smtpd: the default port 25 */
        util_strlcpy(name, last + 1, sizeof(name));
    else
        COPY(name, first + 1, (size_t) (strchr(first + 1, '/') - first - 1));
    util_strlcpy(rec->listener, name, sizeof(rec->listener));
    rec->role = ROLE_UNKNOWN;
    for (size_t i = 0; i < sizeof(svc) / sizeof(svc[0]); i++)
        if (strcmp(name, svc[i].name) == 0) {
            rec->role = svc[i].role;
            rec->port = svc[i].port;
            return;
        }
    if ((rec->port = port_parse(name, strlen(name))) < -1)
        rec->port = -1;
}

/* postfix_client - "NAME[ADDR]" (optionally ":port") at p; past it or NULL */
static const char *postfix_client(const char *p, struct audit_rec *rec)
{
    struct audit_hostaddr ha;

    if ((p = auditlog_hostaddr(p, &ha)) == NULL)
        return NULL;
    COPY(rec->client_name, ha.name, ha.name_len);
    COPY(rec->client_addr, ha.addr, ha.addr_len);
    return p;
}

/* queueid_word - "QUEUEID: word" at the start of m: past it, or NULL */
static const char *queueid_word(const char *m, const char *word)
{
    size_t n = strcspn(m, ": ");

    if (n == 0 || n >= 32 || m[n] != ':' || m[n + 1] != ' ')
        return NULL;
    return strncmp(m + n + 2, word, strlen(word)) == 0 ? m + n + 2 + strlen(word) : NULL;
}

/*
 * reply_text - Postfix's reply at its fixed place, right after the client
 * ": 554 5.7.1 <ADDR>: TEXT; from=<...> to=<...> proto=... helo=<...>":
 * the start of TEXT, or NULL. The address the client wrote is skipped
 * with its quoted strings, so that nothing the client sent (ADDR, from=,
 * to=, helo=) is ever read as Postfix's own words.
 */
static const char *reply_text(const char *p)
{
    if (p[0] != ':' || p[1] != ' ' || !isdigit((unsigned char) p[2])
        || !isdigit((unsigned char) p[3]) || !isdigit((unsigned char) p[4]) || p[5] != ' ')
        return NULL;
    p += 6;
    if (isdigit((unsigned char) p[0]) && p[1] == '.') {        /* enhanced code */
        p += strspn(p, "0123456789.");
        if (*p++ != ' ')
            return NULL;
    }
    if (*p != '<')
        return p;
    for (p++; *p; p++) {
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (!*p)
                return NULL;
        } else if (p[0] == '>' && p[1] == ':' && p[2] == ' ') {
            return p + 3;
        }
    }
    return NULL;
}

/* text_is - TEXT is exactly Postfix's phrase (up to "; " or the end) */
static int text_is(const char *t, const char *phrase)
{
    size_t n = strlen(phrase);

    return strncmp(t, phrase, n) == 0 && (t[n] == 0 || t[n] == ';');
}

/* postfix_text_cat - the category of Postfix's reply TEXT, or -1 */
static int postfix_text_cat(const char *t, struct audit_rec *rec)
{
    static const char owned[] = "Sender address rejected: not owned by user ";

    if (text_is(t, "Relay access denied"))
        return V_UNAUTH_RELAY;
    if (text_is(t, "Must issue a STARTTLS command first"))
        return V_CLEARTEXT_SUBMISSION;
    if (text_is(t, "Error: authentication not enabled"))
        return V_AUTH_ON_MX;
    if (strncmp(t, owned, sizeof(owned) - 1) == 0) {
        const char *s = t + sizeof(owned) - 1;

        COPY(rec->login, s, strcspn(s, "; "));
        return V_SENDER_MISMATCH;
    }
    if (strncmp(t, "Authentication required", 23) == 0)
        return V_UNAUTH_SUBMISSION;
    return -1;
}

/* reject_cat - "QUEUEID: reject: CMD from CLIENT: REPLY..."; category or -1 */
static int reject_cat(const char *m, struct audit_rec *rec)
{
    const char *p = queueid_word(m, "reject: "), *t;
    int cat;

    if (p == NULL)
        return -1;
    p += strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ-");
    if (strncmp(p, " from ", 6) != 0 || (p = postfix_client(p + 6, rec)) == NULL
        || (t = reply_text(p)) == NULL || (cat = postfix_text_cat(t, rec)) < 0)
        return -1;
    COPY(rec->queueid, m, strcspn(m, ":"));
    if ((p = strstr(t, "; from=<")) != NULL)
        COPY(rec->from, p + 8, strcspn(p + 8, ">"));
    return cat;
}

/* sasl_failed - "warning: CLIENT: SASL MECH authentication failed: ..." */
static int sasl_failed(const char *m, struct audit_rec *rec)
{
    const char *p, *u;

    if (strncmp(m, "warning: ", 9) != 0 || (p = postfix_client(m + 9, rec)) == NULL
        || strncmp(p, ": SASL ", 7) != 0)
        return -1;
    p += 7 + strcspn(p + 7, " ");
    if (strncmp(p, " authentication failed", 22) != 0)
        return -1;
    if ((u = strstr(p, ", sasl_username=")) != NULL) {
        u += 16;
        COPY(rec->login, u, strcspn(u, " ,;"));
    }
    return AUDIT_CAT_AUTH_FAILED;
}

/*
 * parse_postfix - one of Postfix's smtpd lines that shows a client
 * mistake. Each form is matched at its start, never searched for in the
 * whole line: client text (helo=, from=, to=) cannot make one up or hide one.
 */
static int parse_postfix(const char *m, struct audit_rec *rec)
{
    int cat = -1;

    if (queueid_word(m, "milter-reject: ") != NULL)    /* portrole's own reply */
        return -1;
    postfix_listener(rec);
    if (strncmp(m, "lost connection after AUTH from ", 32) == 0) {
        if (postfix_client(m + 32, rec) != NULL)
            cat = AUDIT_CAT_AUTH_LOST;
    } else if ((cat = reject_cat(m, rec)) < 0) {
        cat = sasl_failed(m, rec);
    }
    if (cat < 0)
        return -1;
    rec->cats = 1u << cat;
    return 0;
}

/* ------------------------------------------------------ classification */

/* is_portrole_tag - portrole-milter's syslog ident */
static int is_portrole_tag(const char *tag)
{
    return strcmp(tag, "portrole-milter") == 0;
}

/* is_postfix_tag - "postfix/..." or a multi-instance "postfix-out/..." */
static int is_postfix_tag(const char *tag)
{
    return strncmp(tag, "postfix", 7) == 0 && strchr(tag, '/') != NULL;
}

/* is_smtp_client - "postfix/smtp" or "postfix/relay": the delivery agents */
static int is_smtp_client(const char *tag)
{
    const char *last = strrchr(tag, '/');

    return last && (strcmp(last, "/smtp") == 0 || strcmp(last, "/relay") == 0);
}

/* is_sendmail_tag - Sendmail's syslog names (Debian: sm-mta) */
static int is_sendmail_tag(const char *tag)
{
    return strcmp(tag, "sendmail") == 0 || strcmp(tag, "sm-mta") == 0;
}

/* decision - parse a decision message; the kind */
static enum audit_kind decision(const char *m, struct audit_rec *rec)
{
    int rc = *m == '{' ? parse_json(m, rec) : parse_kv(m, rec);

    return rc == 0 ? AUDIT_DECISION : AUDIT_UNPARSABLE;
}

/* auditlog_parse - classify one line and fill rec */
enum audit_kind auditlog_parse(const char *line, struct audit_clock *clk,
                               struct audit_rec *rec)
{
    const char *m;
    int stamped;

    memset(rec, 0, sizeof(*rec));
    rec->role = rec->port = rec->action = rec->would = -1;
    m = parse_prefix(line, clk, rec, &stamped);
    if (is_portrole_tag(rec->tag) || (!rec->tag[0] && looks_like_decision(m))) {
        rec->kind = looks_like_decision(m) ? decision(m, rec) : AUDIT_SKIP;
    } else if (is_postfix_tag(rec->tag) && is_smtp_client(rec->tag)) {
        rec->kind = auditlog_smtp_postfix(m, &rec->out) == 0 ? AUDIT_OUTBOUND : AUDIT_SKIP;
    } else if (is_postfix_tag(rec->tag)) {
        rec->kind = parse_postfix(m, rec) == 0 ? AUDIT_POSTFIX : AUDIT_SKIP;
    } else if (is_sendmail_tag(rec->tag)) {
        rec->kind = auditlog_smtp_sendmail(m, &rec->out) == 0 ? AUDIT_OUTBOUND : AUDIT_SKIP;
    } else if (rec->tag[0] || stamped) {
        rec->kind = AUDIT_SKIP;             /* another program's line */
    } else if (parse_postfix(m, rec) == 0) {
        rec->kind = AUDIT_POSTFIX;          /* a bare Postfix line */
    } else {
        while (*m == ' ' || *m == '\t' || *m == '\r')
            m++;
        /* empty lines and journalctl's "-- Logs begin at ... --" markers */
        rec->kind = *m == 0 || strncmp(m, "-- ", 3) == 0 ? AUDIT_SKIP : AUDIT_UNPARSABLE;
    }
    if (rec->kind == AUDIT_DECISION && !rec->queueid[0])
        strcpy(rec->queueid, "NOQUEUE");
    return rec->kind;
}

