/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_header - X-Port-Role and Authentication-Results builders.
 *
 * DESCRIPTION
 *	The sanitiser is checked byte by byte (every control and 8-bit byte),
 *	for its cap and its quoting; header_build() against exact values for
 *	each role and against the SPEC's key order; the folding against the
 *	line limits, both with ordinary values (every line within 78 columns,
 *	"NAME: " included) and with 64 KiB hostile values in every field
 *	(every line within 998, nothing that could end the header early).
 */
#include "acconfig.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "header.h"
#include "policy.h"
#include "spf.h"

#define NROWS(t) ((int) (sizeof(t) / sizeof((t)[0])))
#define NAME "X-Port-Role"

/* ---- helpers ---- */

/* facts - a plain accepted mx connection over TLS */
static struct pr_facts facts(enum pr_role role, int port)
{
    struct pr_facts f;

    memset(&f, 0, sizeof(f));
    f.role = role;
    f.port = port;
    f.client_name = "mail.example.net";
    f.client_addr = "192.0.2.1";
    f.tls_version = "TLSv1.3";
    f.spf = SPF_RESULT_NOT_CHECKED;
    return f;
}

/* route - a header_route for those facts */
static struct header_route route(const struct pr_facts *f)
{
    struct header_route r = {"mx.example.test", f, 0, 0, 0, NULL};

    return r;
}

/* build - header_build() into a fresh string the caller frees */
static char *build(const char *name, const struct header_route *r)
{
    strbuf v = STRBUF_INIT;

    header_build(name, r, &v);
    return strbuf_detach(&v);
}

/* longest_line - check the header's physical lines, return the longest */
static size_t longest_line(const char *name, const char *value)
{
    size_t col = strlen(name) + 2, longest = 0;

    for (const char *p = value; *p; p++) {
        ck_assert_msg(*p != '\r' && *p != 0x7f, "CR or DEL at offset %d", (int) (p - value));
        ck_assert_msg((unsigned char) *p >= 0x20 || *p == '\n' || *p == '\t',
                      "control byte 0x%02x at offset %d", *p, (int) (p - value));
        ck_assert_msg((unsigned char) *p < 0x80, "8-bit byte at offset %d", (int) (p - value));
        if (*p != '\n') {
            col++;
            continue;
        }
        /* A line break must continue the header, never end it. */
        ck_assert_msg(p[1] == '\t' || p[1] == ' ', "bare newline at offset %d", (int) (p - value));
        ck_assert_msg(p[2] != 0 && p[2] != '\n', "empty continuation line");
        longest = col > longest ? col : longest;
        col = 0;
    }
    ck_assert_msg(value[0] != 0 && value[strlen(value) - 1] != '\n', "ends with a newline");
    return col > longest ? col : longest;
}

/* unfold - the value with its line breaks removed, as a reader sees it */
static char *unfold(const char *value)
{
    char *out = malloc(strlen(value) + 1), *o = out;

    ck_assert_ptr_nonnull(out);
    for (; *value; value++)
        if (*value != '\n')
            *o++ = *value == '\t' ? ' ' : *value;
    *o = 0;
    return out;
}

/* ---- header_append_value ---- */

static const struct value_case {
    const char *raw, *want;
} value_cases[] = {
    {"mail.example.net", "mail.example.net"},
    {"alice@example.org", "alice@example.org"},
    {"IPv6:2001:db8::1", "IPv6:2001:db8::1"},
    {"TLSv1.3", "TLSv1.3"},
    {"a-b_c+d=e/f", "a-b_c+d=e/f"},
    {"", "\"\""},
    {NULL, "\"\""},
    {"a b", "\"a b\""},
    {"a;b", "\"a;b\""},
    {"a,b", "\"a,b\""},
    {"[192.0.2.1]", "\"[192.0.2.1]\""},
    {"a(b)", "\"a(b)\""},
    {"<x>", "\"<x>\""},
    {"say \"hi\"", "\"say \\\"hi\\\"\""},
    {"back\\slash", "\"back\\\\slash\""},
    {"a\rb", "a?b"},                            /* '?' is atext: no quotes needed */
    {"a\nb", "a?b"},
    {"a\r\nX-Evil: yes", "\"a??X-Evil: yes\""},
    {"tab\there", "tab?here"},
    {"\x7f", "?"},
    {"m\xc3\xbcller", "m??ller"},               /* UTF-8 is 8-bit: one '?' per byte */
    {"\xff\xfe", "??"},
    {"\x1b[31mred", "\"?[31mred\""},              /* ESC, then '[' forces quotes */
};

START_TEST(test_value)
{
    const struct value_case *c = &value_cases[_i];
    strbuf sb = STRBUF_INIT;

    strbuf_puts(&sb, "k=");
    header_append_value(&sb, c->raw);
    ck_assert_mem_eq(strbuf_str(&sb), "k=", 2);     /* appends, never resets */
    ck_assert_str_eq(strbuf_str(&sb) + 2, c->want);
    strbuf_release(&sb);
}
END_TEST

/* Every control byte and every 8-bit byte, in the middle of a token. */
START_TEST(test_value_every_bad_byte)
{
    int c = _i;
    char raw[4] = {'a', (char) c, 'b', 0};
    strbuf sb = STRBUF_INIT;

    if (c >= 0x20 && c < 0x7f)
        return;                                 /* printable: other rows */
    header_append_value(&sb, raw);
    ck_assert_msg(strcmp(strbuf_str(&sb), "a?b") == 0, "byte 0x%02x gave \"%s\"", c,
                  strbuf_str(&sb));
    strbuf_release(&sb);
}
END_TEST

/* Every printable byte: token bytes stay bare, the rest force quotes. */
START_TEST(test_value_every_printable)
{
    static const char token[] = "!#$%&'*+-/=?^_`{|}~.:@";
    int c = _i;
    char raw[2] = {(char) c, 0};
    strbuf sb = STRBUF_INIT;
    int bare = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || strchr(token, c) != NULL;

    header_append_value(&sb, raw);
    if (bare)
        ck_assert_str_eq(strbuf_str(&sb), raw);
    else if (c == '"' || c == '\\')
        ck_assert_int_eq(sb.len, 4);            /* "\X" */
    else
        ck_assert_msg(sb.len == 3 && sb.data[0] == '"' && sb.data[2] == '"',
                      "byte '%c' gave %s", c, strbuf_str(&sb));
    strbuf_release(&sb);
}
END_TEST

static const struct cap_case {
    char fill;
    size_t want_len;            /* after the cap, quoting included */
    int quoted;
} cap_cases[] = {
    {'x', HEADER_VALUE_MAX, 0},
    {'\r', HEADER_VALUE_MAX, 0},                /* 255 '?' */
    {' ', 3, 1},                                /* a run of spaces is one: "\" \"" */
    {'"', 2 * HEADER_VALUE_MAX + 2, 1},         /* cap first, then escape */
    {'\\', 2 * HEADER_VALUE_MAX + 2, 1},
    {(char) 0xc3, HEADER_VALUE_MAX, 0},
};

START_TEST(test_value_cap)
{
    const struct cap_case *c = &cap_cases[_i];
    size_t big = 64 * 1024;
    char *raw = malloc(big + 1);
    strbuf sb = STRBUF_INIT;

    ck_assert_ptr_nonnull(raw);
    memset(raw, c->fill, big);
    raw[big] = 0;
    header_append_value(&sb, raw);
    ck_assert_uint_eq(sb.len, c->want_len);
    ck_assert_int_eq(sb.data[0] == '"', c->quoted);
    free(raw);
    strbuf_release(&sb);
}
END_TEST

START_TEST(test_value_cap_before_quote)
{
    char raw[HEADER_VALUE_MAX + 10];
    strbuf sb = STRBUF_INIT;

    /* The space lies past the cap, so what is kept is a bare token. */
    memset(raw, 'a', HEADER_VALUE_MAX);
    strcpy(raw + HEADER_VALUE_MAX, " b");
    header_append_value(&sb, raw);
    ck_assert_uint_eq(sb.len, HEADER_VALUE_MAX);
    ck_assert_ptr_null(strchr(strbuf_str(&sb), '"'));
    strbuf_release(&sb);
}
END_TEST

/* ---- header_build: exact values ---- */

enum shape { PLAIN, SUBMIT_USER, NO_CLIENT, LISTENER, LOGIN_ONLY, NO_USER_UNAUTH,
    TAGGED, RELAY_TRUSTED, SPF_DKIM, HOSTILE_NAME };

static const struct build_case {
    enum pr_role role;
    int port;
    enum shape shape;
    const char *want;
} build_cases[] = {
    {ROLE_MX, 25, PLAIN,
        "mx.example.test; role=mx; port=25;\n"
        "\tclient=mail.example.net [192.0.2.1]; auth=none; tls=TLSv1.3; verdict=pass\n"
        "\t(server-to-server delivery on port 25 to a local domain)"},
    {ROLE_MX, 2525, PLAIN,
        "mx.example.test; role=mx; port=2525;\n"
        "\tclient=mail.example.net [192.0.2.1]; auth=none; tls=TLSv1.3; verdict=pass\n"
        "\t(server-to-server delivery on the mx port to a local domain)"},
    {ROLE_SUBMISSION, 587, SUBMIT_USER,
        "mx.example.test; role=submission; port=587;\n"
        "\tclient=mail.example.net [192.0.2.1]; auth=PLAIN; user=alice@example.org;\n"
        "\ttls=TLSv1.3; verdict=pass\n"
        "\t(authenticated client submission on port 587 with STARTTLS)"},
    {ROLE_SUBMISSIONS, 465, SUBMIT_USER,
        "mx.example.test; role=submissions; port=465;\n"
        "\tclient=mail.example.net [192.0.2.1]; auth=PLAIN; user=alice@example.org;\n"
        "\ttls=TLSv1.3; verdict=pass\n"
        "\t(authenticated client submission on port 465 over implicit TLS)"},
    {ROLE_LOCAL, -1, NO_CLIENT,
        "mx.example.test; role=local; port=none; client=localhost;\n"
        "\tauth=none; tls=none; verdict=pass\n"
        "\t(submitted on this host, not over SMTP)"},
    {ROLE_SUBMISSION, 587, LISTENER,
        "mx.example.test; role=submission; listener=ORIGINATING;\n"
        "\tclient=mail.example.net [192.0.2.1]; auth=LOGIN; tls=TLSv1.3; verdict=pass\n"
        "\t(authenticated client submission on port 587 with STARTTLS)"},
    {ROLE_SUBMISSION, 587, LOGIN_ONLY,
        "mx.example.test; role=submission; port=587;\n"
        "\tclient=mail.example.net [192.0.2.1]; auth=yes; tls=TLSv1.3; verdict=pass\n"
        "\t(authenticated client submission on port 587 with STARTTLS)"},
    {ROLE_MX, 25, NO_USER_UNAUTH,
        "mx.example.test; role=mx; port=25;\n"
        "\tclient=mail.example.net [192.0.2.1]; auth=none; tls=TLSv1.3; verdict=pass\n"
        "\t(server-to-server delivery on port 25 to a local domain)"},
    {ROLE_UNKNOWN, 2526, TAGGED,
        "mx.example.test; role=unknown; port=2526;\n"
        "\tclient=mail.example.net [2001:db8::25]; auth=none; tls=TLSv1.3; verdict=tag;\n"
        "\tviolations=unknown-listener,local-sender-on-mx"},
    {ROLE_MX, 25, RELAY_TRUSTED,
        "mx.example.test; role=mx; port=25; client=\"host name\" [10.0.0.7];\n"
        "\tauth=none; tls=none; verdict=pass\n"
        "\t(relay from a trusted network; clients should submit on port 587 or 465 with\n"
        "\tauthentication)"},
    {ROLE_MX, 25, SPF_DKIM,
        "mx.example.test; role=mx; port=25;\n"
        "\tclient=mail.example.net [192.0.2.1]; auth=none; tls=TLSv1.3; spf=softfail;\n"
        "\tdkim=pass; verdict=pass\n"
        "\t(server-to-server delivery on port 25 to a local domain)"},
    {ROLE_MX, 25, HOSTILE_NAME,
        "mx.example.test; role=mx; port=25;\n"
        "\tclient=\"evil??X-Port-Role: mx.example.test; role=submission\" [192.0.2.1];\n"
        "\tauth=none; tls=TLSv1.3; verdict=pass\n"
        "\t(server-to-server delivery on port 25 to a local domain)"},
};

/* shape - turn the plain facts into the row's variant */
static void shape(const struct build_case *c, struct pr_facts *f, struct header_route *r)
{
    switch (c->shape) {
    case SUBMIT_USER:
        f->auth_type = "PLAIN", f->login = "alice@example.org", r->include_user = 1;
        break;
    case NO_CLIENT:
        f->client_name = "localhost", f->client_addr = NULL, f->tls_version = NULL;
        break;
    case LISTENER:
        f->listener_name = "ORIGINATING", f->auth_type = "LOGIN", f->login = "bob";
        break;
    case LOGIN_ONLY:
        f->login = "carol";
        break;
    case NO_USER_UNAUTH:
        r->include_user = 1, f->auth_type = "", f->login = "";
        break;
    case TAGGED:
        f->client_addr = "IPv6:2001:DB8:0::25";
        r->tagged = VBIT(V_LOCAL_SENDER_ON_MX) | VBIT(V_UNKNOWN_LISTENER);
        break;
    case RELAY_TRUSTED:
        f->client_name = "host name", f->client_addr = "10.0.0.7", f->tls_version = "";
        f->trusted = 1, r->relayed = 1;
        break;
    case SPF_DKIM:
        f->spf = SPF_RESULT_SOFTFAIL, f->spf_domain = "example.net", r->dkim = "pass";
        break;
    case HOSTILE_NAME:
        f->client_name = "evil\r\nX-Port-Role: mx.example.test; role=submission";
        break;
    case PLAIN:
        break;
    }
}

START_TEST(test_build)
{
    const struct build_case *c = &build_cases[_i];
    struct pr_facts f = facts(c->role, c->port);
    struct header_route r = route(&f);
    char *v;

    shape(c, &f, &r);
    v = build(NAME, &r);
    if (c->shape == TAGGED) {
        /* The comment of a tag is the first violation's advice, in enum order. */
        ck_assert_mem_eq(v, c->want, strlen(c->want));
        ck_assert_mem_eq(v + strlen(c->want), "\n\t(", 3);
        ck_assert_str_eq(header_comment(&r), policy_advice(V_UNKNOWN_LISTENER));
    } else
        ck_assert_str_eq(v, c->want);
    ck_assert_uint_le(longest_line(NAME, v), HEADER_FOLD_AT);
    free(v);
}
END_TEST

/* ---- header_build: key order ---- */

static const char *const key_order[] = {
    "role=", "port=", "client=", "auth=", "user=", "tls=", "spf=", "dkim=",
    "verdict=", "violations=",
};

START_TEST(test_key_order)
{
    struct pr_facts f = facts((enum pr_role) _i, 25);
    struct header_route r = route(&f);
    char *v, *flat;
    const char *at = NULL, *p;

    f.auth_type = "PLAIN", f.login = "alice";
    f.spf = SPF_RESULT_PASS, f.spf_domain = "example.net";
    r.include_user = 1, r.dkim = "pass", r.tagged = VBIT(V_AUTH_ON_MX);
    v = build(NAME, &r);
    flat = unfold(v);
    for (int k = 0; k < NROWS(key_order); k++) {
        p = strstr(flat, key_order[k]);
        ck_assert_msg(p != NULL, "%s missing in %s", key_order[k], flat);
        ck_assert_msg(at == NULL || p > at, "%s out of order in %s", key_order[k], flat);
        ck_assert_msg(p[-1] == ' ', "%s not at an item start in %s", key_order[k], flat);
        at = p;
    }
    ck_assert_ptr_nonnull(strstr(flat, "; verdict=tag; violations=auth-on-mx ("));
    free(flat);
    free(v);
}
END_TEST

/* Every role but internal, tagged or not: the comment has its own line. */
START_TEST(test_comment_per_role)
{
    static const char *const want[ROLE_COUNT] = {
        "server-to-server delivery on port 25",
        "authenticated client submission on port 587",
        "authenticated client submission on port 465",
        NULL,
        "submitted on this host, not over SMTP",
        "no Listener line names",
    };
    static const int port[ROLE_COUNT] = {25, 587, 465, 10026, -1, 2626};
    struct pr_facts f = facts((enum pr_role) _i, port[_i]);
    struct header_route r = route(&f);
    char *v;

    if (_i == ROLE_INTERNAL)
        return;
    if (_i == ROLE_SUBMISSION || _i == ROLE_SUBMISSIONS)
        f.auth_type = "PLAIN";
    ck_assert_ptr_nonnull(strstr(header_comment(&r), want[_i]));
    v = build(NAME, &r);
    ck_assert_ptr_nonnull(strstr(v, "\n\t("));
    ck_assert_int_eq(v[strlen(v) - 1], ')');
    free(v);
}
END_TEST

/* comment_end - where an RFC 5322 comment starting at p ends, or NULL */
static const char *comment_end(const char *p)
{
    int depth = 0;

    for (; *p; p++) {
        if (*p == '\\' && p[1] != 0)
            p++;
        else if (*p == '(')
            depth++;
        else if (*p == ')' && --depth == 0)
            return p + 1;
    }
    return NULL;
}

/* Each violation's advice makes a well-formed comment that ends the value. */
START_TEST(test_comment_per_violation)
{
    struct pr_facts f = facts(ROLE_MX, 25);
    struct header_route r = route(&f);
    char *v, *flat;
    const char *open, *end;

    r.tagged = VBIT(_i);
    v = build(NAME, &r);
    open = strstr(v, "\n\t(");
    ck_assert_ptr_nonnull(open);
    end = comment_end(open + 2);
    ck_assert_msg(end != NULL && *end == 0, "comment does not end the value: %s", v);
    flat = unfold(open + 3);
    flat[strlen(flat) - 1] = 0;                 /* the closing parenthesis */
    ck_assert_str_eq(flat, policy_advice(_i));
    ck_assert_uint_le(longest_line(NAME, v), HEADER_FOLD_AT);
    free(flat);
    free(v);
}
END_TEST

START_TEST(test_comment_variants)
{
    struct pr_facts f = facts(ROLE_SUBMISSION, 587);
    struct header_route r = route(&f);

    ck_assert_ptr_nonnull(strstr(header_comment(&r), "without authentication"));
    f.auth_type = "PLAIN", f.tls_version = NULL;
    ck_assert_ptr_nonnull(strstr(header_comment(&r), "without TLS"));
    f = facts(ROLE_MX, 25);
    r.relayed = 1;
    ck_assert_ptr_nonnull(strstr(header_comment(&r), "remote domain"));
    f.trusted = 1;
    ck_assert_ptr_nonnull(strstr(header_comment(&r), "trusted network"));
    f.login = "alice";
    ck_assert_ptr_nonnull(strstr(header_comment(&r), "587 or 465"));
    r.tagged = VBIT(V_UNAUTH_RELAY) | VBIT(V_AUTH_ON_MX);
    ck_assert_str_eq(header_comment(&r), policy_advice(V_AUTH_ON_MX));
}
END_TEST

/* ---- folding ---- */

static const char *const short_names[] = {NAME, "X-Port-Role-With-A-Much-Longer-Name", "X"};

/* Ordinary values in every field: every physical line within 78. */
START_TEST(test_fold_short_values)
{
    const char *name = short_names[_i % NROWS(short_names)];
    struct pr_facts f = facts((enum pr_role) (_i % ROLE_COUNT), 587);
    struct header_route r = route(&f);
    char *v;

    if (f.role == ROLE_INTERNAL)
        f.role = ROLE_MX;
    f.client_name = _i & 1 ? "a-rather-long-reverse-name.dynamic.customers.example.net"
        : "mx1.example.net";
    f.client_addr = _i & 2 ? "2001:db8:1234:5678:9abc:def0:1234:5678" : "192.0.2.1";
    f.auth_type = _i & 4 ? "DIGEST-MD5" : NULL;
    f.login = _i & 4 ? "someone.with.a.long.name@subdomain.example.org" : NULL;
    f.listener_name = _i & 8 ? "ORIGINATING" : NULL;
    f.spf = _i & 16 ? SPF_RESULT_PERMERROR : SPF_RESULT_NOT_CHECKED;
    r.include_user = 1;
    r.dkim = _i & 16 ? "fail" : NULL;
    /* The most violations one message can carry, for the long list. */
    r.tagged = !(_i & 32) ? 0 : f.role == ROLE_MX
        ? VBIT(V_LOCAL_SENDER_ON_MX) | VBIT(V_SPF_FAIL) | VBIT(V_UNAUTH_RELAY)
        : VBIT(V_CLEARTEXT_SUBMISSION) | VBIT(V_UNAUTH_SUBMISSION) | VBIT(V_SENDER_MISMATCH);
    r.relayed = _i & 1;
    v = build(name, &r);
    ck_assert_msg(longest_line(name, v) <= HEADER_FOLD_AT, "%s: %s", name, v);
    /* The comment is the last line group and starts its own line. */
    ck_assert_ptr_nonnull(strstr(v, "\n\t("));
    free(v);
}
END_TEST

/* hostile - a 64 KiB value full of the bytes that break headers */
static char *hostile(int seed)
{
    static const char alphabet[] = "a b\"\\;()[]\r\n\t\x01\x7f\xc3\xa9:=,<>";
    size_t big = 64 * 1024;
    char *s = malloc(big + 1);
    unsigned x = 2166136261u ^ (unsigned) seed;

    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < big; i++) {
        x = x * 16777619u + 1;
        s[i] = alphabet[(x >> 8) % (sizeof(alphabet) - 1)];
    }
    s[big] = 0;
    return s;
}

/* Hostile 64 KiB values everywhere: no line over 998, nothing escapes. */
START_TEST(test_fold_hostile_values)
{
    char *h[7];
    struct pr_facts f = facts(ROLE_SUBMISSION, 587);
    struct header_route r = route(&f);
    strbuf want = STRBUF_INIT, value = STRBUF_INIT;
    char *v, *flat;

    for (int k = 0; k < 7; k++)
        h[k] = hostile(_i * 7 + k);
    f.client_name = h[0], f.client_addr = h[1], f.auth_type = h[2], f.login = h[3];
    f.tls_version = h[4], f.listener_name = _i & 1 ? h[5] : NULL;
    f.spf = SPF_RESULT_FAIL;
    r.authserv_id = _i & 2 ? h[6] : "mx.example.test";
    r.include_user = 1, r.dkim = h[6], r.tagged = (1u << V_COUNT) - 1;
    v = build(NAME, &r);
    ck_assert_uint_le(longest_line(NAME, v), HEADER_LINE_MAX);
    ck_assert_uint_lt(strlen(v), 8 * 600);         /* capped: 64 KiB never copied */
    /* Folding only inserted line breaks: the capped, quoted value is intact. */
    strbuf_puts(&want, " client=");
    header_append_value(&want, h[0]);
    flat = unfold(v);
    ck_assert_ptr_nonnull(strstr(flat, strbuf_str(&want)));
    free(flat);
    free(v);
    header_build_ar(r.authserv_id, &f, h[5], &value);
    ck_assert_uint_le(longest_line("Authentication-Results", strbuf_str(&value)),
                      HEADER_LINE_MAX);
    strbuf_release(&value);
    strbuf_release(&want);
    for (int k = 0; k < 7; k++)
        free(h[k]);
}
END_TEST

/*
 * issue 25 item 10: a macro value of white space (a {tls_version} of 200
 * spaces) cannot be folded, since a line of white space alone is not
 * allowed; the run is kept as one space and every line stays within 78.
 */
START_TEST(test_fold_spaces)
{
    char spaces[201], word_spaces[204];
    struct pr_facts f = facts(ROLE_SUBMISSION, 587);
    struct header_route r = route(&f);
    const char *value;
    char *v;

    memset(spaces, ' ', sizeof(spaces) - 1);
    spaces[sizeof(spaces) - 1] = 0;
    snprintf(word_spaces, sizeof(word_spaces), "a%sb", spaces);
    value = _i & 4 ? word_spaces : spaces;
    f.auth_type = "PLAIN", f.login = "alice";
    r.include_user = 1;
    switch (_i & 3) {
    case 0: f.tls_version = value; break;
    case 1: f.client_name = value; break;
    case 2: f.login = value; break;
    default: f.auth_type = value; break;
    }
    v = build(NAME, &r);
    ck_assert_msg(longest_line(NAME, v) <= HEADER_FOLD_AT, "%s", v);
    ck_assert_ptr_nonnull(strstr(v, _i & 4 ? "\"a b\"" : "\" \""));
    free(v);
}
END_TEST

/* The same for a DKIM result that carries a run of spaces into the AR header. */
START_TEST(test_fold_spaces_ar)
{
    char dkim[300];
    struct pr_facts f = facts(ROLE_MX, 25);
    strbuf v = STRBUF_INIT;

    snprintf(dkim, sizeof(dkim), "dkim=fail header.d=\"a%*sb\" header.s=s1", 200, "");
    header_build_ar("mx.example.test", &f, dkim, &v);
    ck_assert_msg(longest_line("Authentication-Results", strbuf_str(&v)) <= HEADER_FOLD_AT,
                  "%s", strbuf_str(&v));
    strbuf_release(&v);
}
END_TEST

/* An absurd header name still leaves the first line legal. */
START_TEST(test_fold_long_header_name)
{
    char name[900];
    struct pr_facts f = facts(ROLE_MX, 25);
    struct header_route r = route(&f);
    char id[400];
    char *v;

    memset(name, 'H', sizeof(name) - 1);
    name[sizeof(name) - 1] = 0;
    memset(id, 'i', sizeof(id) - 1);
    id[sizeof(id) - 1] = 0;
    r.authserv_id = id;
    v = build(name, &r);
    ck_assert_uint_le(longest_line(name, v), HEADER_LINE_MAX);
    free(v);
}
END_TEST

/* ---- header_is_ours ---- */

static const struct ours_case {
    const char *value;
    int ours;
} ours_cases[] = {
    {"mx.example.test; role=mx", 1},
    {"mx.example.test;", 1},
    {"mx.example.test", 1},
    {"MX.Example.TEST; role=mx", 1},
    {"  mx.example.test ; role=mx", 1},
    {"\r\n\tmx.example.test;", 1},
    {"\tmx.example.test\r\n\t; x", 1},
    {"mx.example.test 1; spf=pass", 1},         /* RFC 8601 version */
    {"mx.example.test (forged) ; x", 1},
    {"(comment) mx.example.test; x", 1},
    {"\"mx.example.test\"; auth=pass", 1},
    /* issue 25 item 2: quoted-pairs, case and comments do not change the id */
    {"\"mx\\.example\\.test\"; auth=pass", 1},
    {"\"\\m\\x\\.\\e\\x\\a\\m\\p\\l\\e\\.\\t\\e\\s\\t\"; x", 1},
    {"\"MX\\.Example.TEST\"; role=mx", 1},
    {"(a (nested) comment) \"mx\\.example.test\" (and one) ; x", 1},
    {"\"mx.example.test\"(c); x", 1},
    {"\"mx\\.example\\.test\" 1; spf=pass", 1},
    {"\"mx\\.example\\.test.evil\"; x", 0},
    {"\"mx\\.example\\.tes\"; x", 0},
    {"\"mx\\.example\\.test\\\"; x", 0},
    {"mx.example.test.evil; role=mx", 0},
    {"mx.example.test.; role=mx", 0},
    {"mx.example.tester; role=mx", 0},
    {"mx.example.test1; role=mx", 0},
    {"xmx.example.test; role=mx", 0},
    {"other.host; mx.example.test", 0},
    {"other.host; role=mx", 0},
    {"mx.example; role=mx", 0},
    {"mx.example.test garbage; x", 0},
    {"", 0},
    {"   ", 0},
    {"\"mx.example.test; x", 0},
    {"\"mx.example.tes\"; x", 0},
};

START_TEST(test_is_ours)
{
    const struct ours_case *c = &ours_cases[_i];

    ck_assert_msg(header_is_ours(c->value, "mx.example.test") == c->ours,
                  "\"%s\": want %d", c->value, c->ours);
}
END_TEST

START_TEST(test_is_ours_edges)
{
    ck_assert_int_eq(header_is_ours(NULL, "mx.example.test"), 0);
    ck_assert_int_eq(header_is_ours("mx.example.test;", NULL), 0);
    ck_assert_int_eq(header_is_ours("; x", ""), 0);
}
END_TEST

/* What we build is recognised as ours, so a replayed copy would be deleted. */
START_TEST(test_is_ours_roundtrip)
{
    struct pr_facts f = facts(ROLE_MX, 25);
    struct header_route r = route(&f);
    strbuf ar = STRBUF_INIT;
    char *v = build(NAME, &r);

    ck_assert_int_eq(header_is_ours(v, "mx.example.test"), 1);
    ck_assert_int_eq(header_is_ours(v, "other.example"), 0);
    header_build_ar("mx.example.test", &f, NULL, &ar);
    ck_assert_int_eq(header_is_ours(strbuf_str(&ar), "MX.EXAMPLE.TEST"), 1);
    strbuf_release(&ar);
    free(v);
}
END_TEST

/* ---- header_build_ar ---- */

static const struct ar_case {
    const char *auth_type, *login;
    enum spf_result spf;
    const char *spf_domain, *dkim_ar, *want;
} ar_cases[] = {
    {NULL, NULL, SPF_RESULT_NOT_CHECKED, NULL, NULL, "mx.example.test; none"},
    {NULL, NULL, SPF_RESULT_NOT_CHECKED, NULL, "", "mx.example.test; none"},
    {"PLAIN", "alice@example.org", SPF_RESULT_NOT_CHECKED, NULL, NULL,
        "mx.example.test;\n\tauth=pass smtp.auth=alice@example.org"},
    {"PLAIN", NULL, SPF_RESULT_NOT_CHECKED, NULL, NULL, "mx.example.test; auth=pass"},
    {NULL, "bob", SPF_RESULT_NOT_CHECKED, NULL, NULL, "mx.example.test; auth=pass smtp.auth=bob"},
    {NULL, "two words", SPF_RESULT_NOT_CHECKED, NULL, NULL,
        "mx.example.test; auth=pass smtp.auth=\"two words\""},
    {NULL, NULL, SPF_RESULT_PASS, "example.net", NULL,
        "mx.example.test; spf=pass smtp.mailfrom=example.net"},
    {NULL, NULL, SPF_RESULT_TEMPERROR, "", NULL, "mx.example.test; spf=temperror"},
    {NULL, NULL, SPF_RESULT_NOT_CHECKED, NULL, "dkim=pass header.d=example.net header.s=sel1",
        "mx.example.test;\n\tdkim=pass header.d=example.net header.s=sel1"},
    {"PLAIN", "alice", SPF_RESULT_FAIL, "example.net",
        "dkim=pass header.d=example.net header.s=s1; dkim=fail header.d=example.org header.s=s2",
        "mx.example.test; auth=pass smtp.auth=alice;\n"
        "\tspf=fail smtp.mailfrom=example.net;\n"
        "\tdkim=pass header.d=example.net header.s=s1;\n"
        "\tdkim=fail header.d=example.org header.s=s2"},
    {NULL, NULL, SPF_RESULT_NOT_CHECKED, NULL, "dkim=none",
        "mx.example.test; dkim=none"},
    /* A ';' inside a quoted value is not a separator. */
    {NULL, NULL, SPF_RESULT_NOT_CHECKED, NULL, "dkim=fail header.d=\"a;b\"; dkim=none",
        "mx.example.test; dkim=fail header.d=\"a;b\"; dkim=none"},
    {NULL, NULL, SPF_RESULT_NOT_CHECKED, NULL, "dkim=fail header.d=x\r\nX-Evil: 1",
        "mx.example.test; dkim=fail header.d=x??X-Evil: 1"},
};

START_TEST(test_ar)
{
    const struct ar_case *c = &ar_cases[_i];
    struct pr_facts f = facts(ROLE_MX, 25);
    strbuf v = STRBUF_INIT;

    f.auth_type = c->auth_type, f.login = c->login;
    f.spf = c->spf, f.spf_domain = c->spf_domain;
    f.sender = "alice@example.net";
    header_build_ar("mx.example.test", &f, c->dkim_ar, &v);
    ck_assert_str_eq(strbuf_str(&v), c->want);
    ck_assert_uint_le(longest_line("Authentication-Results", strbuf_str(&v)), HEADER_FOLD_AT);
    strbuf_release(&v);
}
END_TEST

/* issue 25 item 9: the null sender's SPF identity is the HELO (RFC 8601 2.7.2) */
static const struct ar_identity_case {
    const char *sender, *want;
} ar_identity_cases[] = {
    {"", "mx.example.test; spf=pass smtp.helo=mail.example.net"},
    {NULL, "mx.example.test; spf=pass smtp.helo=mail.example.net"},
    {"postmaster", "mx.example.test; spf=pass smtp.helo=mail.example.net"},
    {"bounce@mail.example.net", "mx.example.test;\n\tspf=pass smtp.mailfrom=mail.example.net"},
};

START_TEST(test_ar_identity)
{
    const struct ar_identity_case *c = &ar_identity_cases[_i];
    struct pr_facts f = facts(ROLE_MX, 25);
    strbuf v = STRBUF_INIT;

    f.sender = c->sender, f.helo = "mail.example.net";
    f.spf = SPF_RESULT_PASS, f.spf_domain = "mail.example.net";
    header_build_ar("mx.example.test", &f, NULL, &v);
    ck_assert_str_eq(strbuf_str(&v), c->want);
    strbuf_release(&v);
}
END_TEST

/* Many DKIM signatures: folded between results, each line within 78. */
START_TEST(test_ar_many_signatures)
{
    struct pr_facts f = facts(ROLE_MX, 25);
    strbuf dkim = STRBUF_INIT, v = STRBUF_INIT;
    char *flat;

    for (int i = 0; i < 20; i++)
        strbuf_printf(&dkim, "%sdkim=pass header.d=d%d.example.net header.s=s%d",
                      i ? "; " : "", i, i);
    header_build_ar("mx.example.test", &f, strbuf_str(&dkim), &v);
    ck_assert_uint_le(longest_line("Authentication-Results", strbuf_str(&v)), HEADER_FOLD_AT);
    flat = unfold(strbuf_str(&v));
    ck_assert_str_eq(flat + strlen("mx.example.test; "), strbuf_str(&dkim));
    free(flat);
    strbuf_release(&dkim);
    strbuf_release(&v);
}
END_TEST

/* A DKIM fragment with no space to fold at is cut, never over 998. */
START_TEST(test_ar_unbreakable)
{
    struct pr_facts f = facts(ROLE_MX, 25);
    strbuf dkim = STRBUF_INIT, v = STRBUF_INIT;
    size_t longest;

    strbuf_puts(&dkim, "dkim=pass header.d=");
    for (int i = 0; i < 3000; i++)
        strbuf_putc(&dkim, 'a' + i % 26);
    strbuf_puts(&dkim, " header.s=sel; dkim=none");
    header_build_ar("mx.example.test", &f, strbuf_str(&dkim), &v);
    longest = longest_line("Authentication-Results", strbuf_str(&v));
    ck_assert_uint_le(longest, HEADER_LINE_MAX);
    ck_assert_uint_ge(longest, HEADER_LINE_MAX - 4);    /* cut, not dropped */
    ck_assert_ptr_nonnull(strstr(strbuf_str(&v), "\n header.s=sel; dkim=none"));
    strbuf_release(&dkim);
    strbuf_release(&v);
}
END_TEST

/*
 * 1,500 hostile DKIM results (255-byte names each) once pushed the value past
 * libmilter's 64 KiB and tempfailed the message: the value stays under
 * HEADER_AR_MAX, keeps whole results only, and counts the ones left out.
 */
START_TEST(test_ar_bounded)
{
    struct pr_facts f = facts(ROLE_MX, 25);
    strbuf dkim = STRBUF_INIT, v = STRBUF_INIT, name = STRBUF_INIT;
    const char *tail, *p;
    size_t kept = 0, left;

    for (int i = 0; i < 250; i++)
        strbuf_putc(&name, 'a' + i % 26);
    for (int i = 0; i < 1500; i++)
        strbuf_printf(&dkim, "%sdkim=fail header.d=%s.example header.s=s%d", i ? "; " : "",
                      strbuf_str(&name), i);
    f.auth_type = "PLAIN", f.login = "alice";
    header_build_ar("mx.example.test", &f, strbuf_str(&dkim), &v);
    ck_assert_uint_le(v.len, HEADER_AR_MAX);
    ck_assert_uint_le(longest_line("Authentication-Results", strbuf_str(&v)), HEADER_LINE_MAX);
    ck_assert_ptr_nonnull(strstr(strbuf_str(&v), "auth=pass smtp.auth=alice"));
    for (p = strbuf_str(&v); (p = strstr(p, "dkim=fail")) != NULL; p++)
        kept++;
    ck_assert_uint_gt(kept, 10);
    tail = strstr(strbuf_str(&v), "dkim=policy reason=\"");
    ck_assert_ptr_nonnull(tail);
    ck_assert_int_eq(sscanf(tail, "dkim=policy reason=\"%zu more results left out", &left), 1);
    ck_assert_uint_eq(kept + left, 1500);
    /* The last result kept is whole: a selector right before the policy item. */
    ck_assert_ptr_nonnull(strstr(strbuf_str(&v), ";\n\tdkim=policy"));
    ck_assert_int_eq(tail[-4] >= '0' && tail[-4] <= '9', 1);
    strbuf_release(&name);
    strbuf_release(&dkim);
    strbuf_release(&v);
}
END_TEST

static Suite *header_suite(void)
{
    Suite *s = suite_create("header");
    TCase *tc = tcase_create("header");

    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, test_value, 0, NROWS(value_cases));
    tcase_add_loop_test(tc, test_value_every_bad_byte, 1, 256);
    tcase_add_loop_test(tc, test_value_every_printable, 0x20, 0x7f);
    tcase_add_loop_test(tc, test_value_cap, 0, NROWS(cap_cases));
    tcase_add_test(tc, test_value_cap_before_quote);
    tcase_add_loop_test(tc, test_build, 0, NROWS(build_cases));
    tcase_add_loop_test(tc, test_key_order, 0, ROLE_COUNT);
    tcase_add_loop_test(tc, test_comment_per_role, 0, ROLE_COUNT);
    tcase_add_loop_test(tc, test_comment_per_violation, 0, V_COUNT);
    tcase_add_test(tc, test_comment_variants);
    tcase_add_loop_test(tc, test_fold_short_values, 0, 64);
    tcase_add_loop_test(tc, test_fold_hostile_values, 0, 8);
    tcase_add_loop_test(tc, test_fold_spaces, 0, 8);
    tcase_add_test(tc, test_fold_spaces_ar);
    tcase_add_test(tc, test_fold_long_header_name);
    tcase_add_loop_test(tc, test_is_ours, 0, NROWS(ours_cases));
    tcase_add_test(tc, test_is_ours_edges);
    tcase_add_test(tc, test_is_ours_roundtrip);
    tcase_add_loop_test(tc, test_ar, 0, NROWS(ar_cases));
    tcase_add_loop_test(tc, test_ar_identity, 0, NROWS(ar_identity_cases));
    tcase_add_test(tc, test_ar_many_signatures);
    tcase_add_test(tc, test_ar_unbreakable);
    tcase_add_test(tc, test_ar_bounded);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(header_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
