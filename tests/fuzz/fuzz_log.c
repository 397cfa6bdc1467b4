/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_log - the decision log line, kv and JSON, over values a remote
 *	client controls (client name, login, TLS string, sender, recipients).
 *
 * INPUT
 *	byte 0: JSON (0x01), audit (0x02); byte 1: action; byte 2: would;
 *	byte 3: violations; byte 4: role; bytes 5-6: port; then
 *	NUL-separated strings: queue id, ref, {client_name}, {client_addr},
 *	{auth_type}, {auth_authen}, {tls_version}, sender, recipients...
 *	A string "\x01" stands for NULL.
 *
 * INVARIANTS
 *	One line of printable ASCII. kv: space-separated "key=value" words
 *	after "QUEUEID:", with exactly SPEC's keys in SPEC's order, so that
 *	no value can forge a key (action=pass) or a second line. JSON: one
 *	valid object (checked by the strict parser below) with the same keys
 *	in order. At most LOG_LINE_MAX - 1 bytes: when the recipients do
 *	not all fit, "rcpts" (their count) follows "rcpt".
 */
#include "acconfig.h"

#include "fuzz.h"
#include "log.h"
#include "policy.h"

/* ---- a strict JSON syntax check ---- */

struct js {
    const char *p;
    int depth;
    /* top-level keys, in order, joined by ' ' */
    char keys[256];
};

static int js_value(struct js *j);

/* js_ws - skip JSON white space */
static void js_ws(struct js *j)
{
    while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
        j->p++;
}

/* js_string - a string; copies it to key (when not NULL) if it fits */
static int js_string(struct js *j, char *key, size_t keysize)
{
    size_t n = 0;

    if (*j->p++ != '"')
        return 0;
    for (;;) {
        unsigned char c = (unsigned char) *j->p++;

        if (c == '"')
            break;
        if (c < 0x20)
            return 0;                   /* also the terminating NUL */
        if (c == '\\') {
            c = (unsigned char) *j->p++;
            if (c == 'u') {
                for (int i = 0; i < 4; i++, j->p++)
                    if (!strchr("0123456789abcdefABCDEF", *j->p) || *j->p == 0)
                        return 0;
            } else if (!strchr("\"\\/bfnrt", c) || c == 0)
                return 0;
        }
        if (key && n + 1 < keysize)
            key[n++] = (char) c;
    }
    if (key)
        key[n] = 0;
    return 1;
}

/* js_number - JSON number grammar */
static int js_number(struct js *j)
{
    if (*j->p == '-')
        j->p++;
    if (*j->p == '0')
        j->p++;
    else if (*j->p >= '1' && *j->p <= '9')
        while (*j->p >= '0' && *j->p <= '9')
            j->p++;
    else
        return 0;
    if (*j->p == '.') {
        if (!(*++j->p >= '0' && *j->p <= '9'))
            return 0;
        while (*j->p >= '0' && *j->p <= '9')
            j->p++;
    }
    return 1;
}

/* js_container - object or array */
static int js_container(struct js *j, int object)
{
    char key[64];
    int top = j->depth == 0;

    if (++j->depth > 16)
        return 0;
    j->p++;
    js_ws(j);
    if (*j->p == (object ? '}' : ']')) {
        j->p++;
        j->depth--;
        return 1;
    }
    for (;;) {
        js_ws(j);
        if (object) {
            if (!js_string(j, key, sizeof(key)))
                return 0;
            if (top && strlen(j->keys) + strlen(key) + 2 < sizeof(j->keys)) {
                strcat(j->keys, *j->keys ? " " : "");
                strcat(j->keys, key);
            }
            js_ws(j);
            if (*j->p++ != ':')
                return 0;
        }
        if (!js_value(j))
            return 0;
        js_ws(j);
        if (*j->p == ',') {
            j->p++;
            continue;
        }
        if (*j->p++ != (object ? '}' : ']'))
            return 0;
        j->depth--;
        return 1;
    }
}

/* js_value - any JSON value */
static int js_value(struct js *j)
{
    js_ws(j);
    switch (*j->p) {
    case '{':
        return js_container(j, 1);
    case '[':
        return js_container(j, 0);
    case '"':
        return js_string(j, NULL, 0);
    case 't':
        return strncmp(j->p, "true", 4) == 0 ? (j->p += 4, 1) : 0;
    case 'f':
        return strncmp(j->p, "false", 5) == 0 ? (j->p += 5, 1) : 0;
    case 'n':
        return strncmp(j->p, "null", 4) == 0 ? (j->p += 4, 1) : 0;
    default:
        return js_number(j);
    }
}

/* ---- the kv form ---- */

/* check_kv - "QUEUEID: k=v k=v ..." with the expected keys in order */
static void check_kv(const char *line, const char *want)
{
    char keys[256] = "";
    const char *p = line, *sp, *eq;

    sp = strchr(p, ' ');
    FZ_CHECK(sp != NULL && sp > p && sp[-1] == ':', "kv line does not start with QUEUEID:");
    for (p = sp + 1; *p; p = *sp ? sp + 1 : sp) {
        sp = p + strcspn(p, " ");
        eq = memchr(p, '=', (size_t) (sp - p));
        FZ_CHECK(sp > p, "two spaces in a kv line");
        FZ_CHECK(eq != NULL && eq > p, "kv word without key=");
        FZ_CHECK(strlen(keys) + (size_t) (eq - p) + 2 < sizeof(keys), "too many kv keys");
        strcat(keys, *keys ? " " : "");
        strncat(keys, p, (size_t) (eq - p));
    }
    if (strcmp(keys, want) != 0)
        fprintf(stderr, "kv keys: %s\nwanted:  %s\n", keys, want);
    FZ_CHECK(strcmp(keys, want) == 0, "kv keys differ from SPEC's list");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in;
    struct pr_facts f;
    struct log_decision d;
    const char *rcpts[64];
    unsigned flags;
    int json, cut;
    strbuf line = STRBUF_INIT;
    char want[256];
    struct js j;

    fz_init(&in, data, size);
    memset(&f, 0, sizeof(f));
    memset(&d, 0, sizeof(d));
    flags = fz_byte(&in);
    json = flags & 1;
    d.audit = (flags & 2) != 0;
    d.action = (enum pr_action) (fz_byte(&in) % ACT_COUNT);
    d.would = (enum pr_action) (fz_byte(&in) % ACT_COUNT);
    d.violations = fz_byte(&in) & (VBIT(V_COUNT) - 1);
    f.role = (enum pr_role) (fz_byte(&in) % ROLE_COUNT);
    f.port = (int16_t) (fz_byte(&in) << 8 | fz_byte(&in));
    if (f.port < -1)
        f.port = -1;
    d.queueid = fz_str_or_null(&in);
    d.ref = fz_str_or_null(&in);
    /* The ref is ours (policy_new_ref), never the client's: keep it hex. */
    if (d.ref && strspn(d.ref, "0123456789abcdef") != strlen(d.ref))
        d.ref = "0123456789ab";
    f.client_name = fz_str_or_null(&in);
    f.client_addr = fz_str_or_null(&in);
    f.auth_type = fz_str_or_null(&in);
    f.login = fz_str_or_null(&in);
    f.tls_version = fz_str_or_null(&in);
    f.sender = fz_str_or_null(&in);
    while (fz_left(&in) > 0 && d.nrcpts < sizeof(rcpts) / sizeof(rcpts[0]))
        rcpts[d.nrcpts++] = fz_str(&in);
    d.rcpts = rcpts;
    d.facts = &f;

    log_format_decision(json, &d, &line);
    fz_check_line(strbuf_str(&line), line.len);
    FZ_CHECK(line.len < LOG_LINE_MAX, "decision line over LOG_LINE_MAX");
    /* neither form can occur inside a value: spaces and quotes are escaped */
    cut = strstr(strbuf_str(&line), json ? ",\"rcpts\":" : " rcpts=") != NULL;
    FZ_CHECK(!cut || d.nrcpts > 1, "rcpts= without recipients left out");
    if (json) {
        snprintf(want, sizeof(want), "queueid role port client_name client_addr auth login "
                 "tls from rcpt%s action violation would mode ref", cut ? " rcpts" : "");
        memset(&j, 0, sizeof(j));
        j.p = strbuf_str(&line);
        FZ_CHECK(*j.p == '{' && js_value(&j), "JSON line does not parse");
        js_ws(&j);
        FZ_CHECK(*j.p == 0, "text after the JSON object");
        if (strcmp(j.keys, want) != 0)
            fprintf(stderr, "json keys: %s\n", j.keys);
        FZ_CHECK(strcmp(j.keys, want) == 0, "JSON keys differ from SPEC's list");
    } else {
        snprintf(want, sizeof(want), "role port client auth%s tls from rcpt%s action%s%s mode%s",
                 f.login && *f.login ? " login" : "", cut ? " rcpts" : "",
                 d.violations ? " violation" : "",
                 d.would != ACT_PASS ? " would" : "", d.ref && *d.ref ? " ref" : "");
        check_kv(strbuf_str(&line), want);
    }
    strbuf_release(&line);
    fz_free(&in);
    return 0;
}
