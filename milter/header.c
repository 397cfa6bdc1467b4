/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * header - X-Port-Role and Authentication-Results values; see header.h.
 *
 * DESCRIPTION
 *	A value is a list of items ("role=mx", "client=NAME [ADDR]", ...)
 *	joined by "; ", after the authserv-id. The fold engine below keeps
 *	the column of the current physical line, counting the "NAME: " the
 *	MTA puts in front, and starts a new line (";\n\t") before an item
 *	that would pass HEADER_FOLD_AT. An item too long for a line of its
 *	own (only hostile values are) is folded before its own spaces, which
 *	unfolds to the same text; a run without spaces is cut so that no
 *	physical line passes HEADER_LINE_MAX. The comment always starts its
 *	own line and folds between words.
 *
 *	Authentication-Results stays under HEADER_AR_MAX whatever the DKIM
 *	adapter hands over: results past that are left out and counted in
 *	a closing "dkim=policy reason=..." item, far below libmilter's
 *	64 KiB limit on one header change.
 *
 *	Every value that came from the network goes through
 *	header_append_value(): no byte of it can end a line or smuggle in a
 *	second header, and the 255-byte cap keeps each item far below 998.
 *
 * DIAGNOSTICS
 *	None: building a header cannot fail.
 */
#include "acconfig.h"

#include <string.h>
#include <strings.h>

#include "config.h"
#include "header.h"
#include "netaddr.h"
#include "policy.h"
#include "spf.h"
#include "strbuf.h"

struct fold {
    strbuf *out;
    size_t  col;                /* bytes on the current physical line */
    int     items;              /* items after the authserv-id */
};

/* is_token - RFC 5322 atext, plus '.', ':' and '@' that need no quotes */
static int is_token(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != 0 && strchr("!#$%&'*+-/=?^_`{|}~.:@", c) != NULL;
}

/* clean_byte - control and 8-bit bytes become '?' */
static char clean_byte(unsigned char c)
{
    return c < 0x20 || c >= 0x7f ? '?' : (char) c;
}

/* put_clean - append at most max bytes of s, cleaned but not quoted */
static void put_clean(strbuf *out, const char *s, size_t max)
{
    for (size_t i = 0; i < max && s[i]; i++)
        strbuf_putc(out, clean_byte((unsigned char) s[i]));
}

/* header_append_value - a network value: cleaned, capped, quoted when needed */
void header_append_value(strbuf *out, const char *raw)
{
    char clean[HEADER_VALUE_MAX];
    size_t len, i;
    int quote;

    if (raw == NULL)
        raw = "";
    quote = *raw == 0;
    /* A run of spaces is kept as one: spaces are the only place a line
     * can fold, and a line of white space alone is not allowed (RFC 5322
     * 3.2.2), so 200 spaces could never be folded under 78 columns. */
    for (i = 0, len = 0; raw[i] && len < HEADER_VALUE_MAX; i++) {
        if (raw[i] == ' ' && len > 0 && clean[len - 1] == ' ')
            continue;
        clean[len] = clean_byte((unsigned char) raw[i]);
        quote |= !is_token((unsigned char) clean[len]);
        len++;
    }
    if (!quote) {
        strbuf_append(out, clean, len);
        return;
    }
    strbuf_putc(out, '"');
    for (i = 0; i < len; i++) {
        if (clean[i] == '"' || clean[i] == '\\')
            strbuf_putc(out, '\\');
        strbuf_putc(out, clean[i]);
    }
    strbuf_putc(out, '"');
}

/* nonempty - a value that is present and not empty */
static int nonempty(const char *s)
{
    return s != NULL && *s != 0;
}

/* fold_start - account for "NAME: " and put the authserv-id */
static void fold_start(struct fold *fl, strbuf *out, const char *name, const char *id)
{
    size_t before = out->len;
    size_t namelen = name ? strlen(name) + 2 : 0;
    size_t max = HEADER_VALUE_MAX;

    /* Only an absurd HeaderName could crowd the first line; keep it legal. */
    if (namelen + max + 2 > HEADER_LINE_MAX)
        max = namelen + 3 < HEADER_LINE_MAX ? HEADER_LINE_MAX - namelen - 3 : 1;
    fl->out = out;
    fl->items = 0;
    put_clean(out, nonempty(id) ? id : "unknown", max);
    fl->col = namelen + out->len - before;
}

/* fold_words - append one over-long item, folding before its spaces */
static void fold_words(struct fold *fl, const char *s, size_t len)
{
    size_t i = 0, j, w;

    while (i < len) {
        for (j = i + 1; j < len && s[j] != ' '; j++)
            /* void */ ;
        w = j - i;
        /* CRLF before an existing space: unfolding restores the text exactly. */
        /* Only before a space that a word follows: a line of white space
         * alone must never be generated (RFC 5322 3.2.2). */
        if (s[i] == ' ' && w > 1 && fl->col + w + 1 > HEADER_FOLD_AT && fl->col > 1) {
            strbuf_putc(fl->out, '\n');
            fl->col = 0;
        }
        if (fl->col + w + 2 > HEADER_LINE_MAX)
            w = HEADER_LINE_MAX - 2 - fl->col;
        strbuf_append(fl->out, s + i, w);
        fl->col += w;
        i = j;
    }
}

/* fold_item - "; ITEM", or ";\n\tITEM" when ITEM would pass the fold column */
static void fold_item(struct fold *fl, strbuf *item)
{
    size_t len = item->len;

    /* The +1 keeps room for the ';' that ends a line before the next item. */
    if (fl->col + 2 + len + 1 <= HEADER_FOLD_AT) {
        strbuf_puts(fl->out, "; ");
        fl->col += 2;
    } else {
        strbuf_puts(fl->out, ";\n\t");
        fl->col = 1;
    }
    if (fl->col + len + 1 <= HEADER_FOLD_AT) {
        strbuf_append(fl->out, strbuf_str(item), len);
        fl->col += len;
    } else
        fold_words(fl, strbuf_str(item), len);
    fl->items++;
    strbuf_reset(item);
}

/* comment_escape - the sentence as comment text: '\' and stray parentheses quoted */
static void comment_escape(strbuf *out, const char *s)
{
    int depth = 0, balanced = 1;

    for (const char *p = s; *p && balanced; p++) {
        depth += (*p == '(') - (*p == ')');
        balanced = depth >= 0 && *p != '\\';
    }
    balanced = balanced && depth == 0;
    for (; *s; s++) {
        char c = clean_byte((unsigned char) *s);

        if (c == '\\' || (!balanced && (c == '(' || c == ')')))
            strbuf_putc(out, '\\');
        strbuf_putc(out, c);
    }
}

/* fold_comment - "\n\t(SENTENCE)", folded between words with "\n\t" */
static void fold_comment(struct fold *fl, const char *sentence)
{
    strbuf text = STRBUF_INIT;
    const char *p, *end;
    size_t w;
    int first = 1;

    comment_escape(&text, sentence);
    strbuf_puts(fl->out, "\n\t(");
    fl->col = 2;
    for (p = strbuf_str(&text); *p; p = end) {
        while (*p == ' ')
            p++;
        if (*p == 0)
            break;
        for (end = p; *end && *end != ' '; end++)
            /* void */ ;
        w = (size_t) (end - p);
        if (!first && fl->col + 1 + w + 1 > HEADER_FOLD_AT) {
            strbuf_puts(fl->out, "\n\t");
            fl->col = 1;
        } else if (!first) {
            strbuf_putc(fl->out, ' ');
            fl->col++;
        }
        if (fl->col + w + 2 > HEADER_LINE_MAX)
            w = HEADER_LINE_MAX - 2 - fl->col;
        strbuf_append(fl->out, p, w);
        fl->col += w;
        first = 0;
    }
    strbuf_putc(fl->out, ')');
    strbuf_release(&text);
}

/* mx_comment - the route of an accepted, untagged mx message */
static const char *mx_comment(const struct header_route *r)
{
    const struct pr_facts *f = r->facts;

    if (policy_authenticated(f))
        return "a client authenticated on the server-to-server port; "
            "clients should submit on port 587 or 465 instead";
    if (r->relayed && f->trusted)
        return "relay from a trusted network; clients should submit on "
            "port 587 or 465 with authentication";
    if (r->relayed)
        return "relay to a remote domain on the server-to-server port; "
            "clients should submit on port 587 or 465 with authentication";
    return f->port == 25 ? "server-to-server delivery on port 25 to a local domain"
        : "server-to-server delivery on the mx port to a local domain";
}

/* submission_comment - the route of an accepted, untagged submission */
static const char *submission_comment(const struct pr_facts *f)
{
    int implicit = f->role == ROLE_SUBMISSIONS;

    if (!policy_authenticated(f))
        return "client submission without authentication, as the Action "
            "settings allow";
    if (!policy_has_tls(f))
        return "authenticated client submission without TLS (RequireTLS no)";
    if (implicit)
        return f->port == 465 ? "authenticated client submission on port 465 "
            "over implicit TLS" : "authenticated client submission over implicit TLS";
    return f->port == 587 ? "authenticated client submission on port 587 with STARTTLS"
        : "authenticated client submission with STARTTLS";
}

/* header_comment - the plain sentence that explains the route */
const char *header_comment(const struct header_route *r)
{
    const char *advice;

    for (int v = 0; v < V_COUNT; v++)
        if ((r->tagged & VBIT(v)) && nonempty(advice = policy_advice(v)))
            return advice;
    switch (r->facts->role) {
    case ROLE_MX:
        return mx_comment(r);
    case ROLE_SUBMISSION:
    case ROLE_SUBMISSIONS:
        return submission_comment(r->facts);
    case ROLE_LOCAL:
        return "submitted on this host, not over SMTP";
    case ROLE_INTERNAL:
        return "reinjected on a trusted internal listener, not checked again";
    default:
        return "arrived on a listener that no Listener line names: add one "
            "to portrole.conf";
    }
}

/* put_listener_client - the port (or listener name) and client items */
static void put_listener_client(struct fold *fl, const struct pr_facts *f, strbuf *item)
{
    netaddr addr;
    char text[NETADDR_BUFSIZE];

    if (nonempty(f->listener_name)) {
        strbuf_puts(item, "listener=");
        header_append_value(item, f->listener_name);
    } else if (f->port < 0)
        strbuf_puts(item, "port=none");
    else
        strbuf_printf(item, "port=%d", f->port);
    fold_item(fl, item);
    strbuf_puts(item, "client=");
    header_append_value(item, nonempty(f->client_name) ? f->client_name : "unknown");
    if (nonempty(f->client_addr)) {
        strbuf_puts(item, " [");
        if (netaddr_parse(f->client_addr, &addr) == 0) {
            netaddr_format(&addr, text, sizeof(text));
            strbuf_puts(item, text);
        } else
            header_append_value(item, f->client_addr);
        strbuf_putc(item, ']');
    }
    fold_item(fl, item);
}

/* put_auth_tls - the auth, user and tls items */
static void put_auth_tls(struct fold *fl, const struct header_route *r, strbuf *item)
{
    const struct pr_facts *f = r->facts;
    int authenticated = policy_authenticated(f);

    strbuf_puts(item, "auth=");
    if (nonempty(f->auth_type))
        header_append_value(item, f->auth_type);
    else
        strbuf_puts(item, authenticated ? "yes" : "none");
    fold_item(fl, item);
    if (r->include_user && authenticated && nonempty(f->login)) {
        strbuf_puts(item, "user=");
        header_append_value(item, f->login);
        fold_item(fl, item);
    }
    strbuf_puts(item, "tls=");
    if (policy_has_tls(f))
        header_append_value(item, f->tls_version);
    else
        strbuf_puts(item, "none");
    fold_item(fl, item);
}

/* put_verdict - the spf, dkim, verdict and violations items */
static void put_verdict(struct fold *fl, const struct header_route *r, strbuf *item)
{
    const char *sep = "violations=";

    if (r->facts->spf != SPF_RESULT_NOT_CHECKED) {
        strbuf_printf(item, "spf=%s", spf_result_name(r->facts->spf));
        fold_item(fl, item);
    }
    if (nonempty(r->dkim)) {
        strbuf_puts(item, "dkim=");
        header_append_value(item, r->dkim);
        fold_item(fl, item);
    }
    strbuf_puts(item, r->tagged ? "verdict=tag" : "verdict=pass");
    fold_item(fl, item);
    if (r->tagged == 0)
        return;
    for (int v = 0; v < V_COUNT; v++) {
        if (r->tagged & VBIT(v)) {
            strbuf_printf(item, "%s%s", sep, vocab_violation_name(v));
            sep = ",";
        }
    }
    fold_item(fl, item);
}

/* header_build - the X-Port-Role value for one accepted message */
void header_build(const char *header_name, const struct header_route *r,
                  strbuf *value)
{
    struct fold fl;
    strbuf item = STRBUF_INIT;

    fold_start(&fl, value, header_name, r->authserv_id);
    strbuf_printf(&item, "role=%s", vocab_role_name(r->facts->role));
    fold_item(&fl, &item);
    put_listener_client(&fl, r->facts, &item);
    put_auth_tls(&fl, r, &item);
    put_verdict(&fl, r, &item);
    fold_comment(&fl, header_comment(r));
    strbuf_release(&item);
}

/* put_dkim_item - one DKIM result, unless the value is full; 1 when left out */
static int put_dkim_item(struct fold *fl, strbuf *item, size_t left_out)
{
    /* Keep room for the closing "dkim=policy reason=..." item. */
    if (left_out > 0 || fl->out->len + item->len > HEADER_AR_MAX - 128) {
        strbuf_reset(item);
        return 1;
    }
    fold_item(fl, item);
    return 0;
}

/* put_dkim_ar - each "; "-separated DKIM result as its own item, bounded */
static void put_dkim_ar(struct fold *fl, const char *ar, strbuf *item)
{
    int quoted = 0;
    size_t left_out = 0;

    for (const char *p = ar;; p++) {
        /* A ';' inside a quoted value is data, not a separator. */
        if (*p == '\\' && quoted && p[1] != 0) {
            strbuf_putc(item, '\\');
            strbuf_putc(item, clean_byte((unsigned char) *++p));
            continue;
        }
        if (*p == '"')
            quoted = !quoted;
        if (*p == 0 || (*p == ';' && !quoted)) {
            while (item->len > 0 && item->data[item->len - 1] == ' ')
                strbuf_truncate(item, item->len - 1);
            if (item->len > 0)
                left_out += (size_t) put_dkim_item(fl, item, left_out);
            if (*p == 0)
                break;
            while (p[1] == ' ' || p[1] == '\t')
                p++;
            continue;
        }
        /* Runs of spaces as one, as in header_append_value(): foldable. */
        if (*p == ' ' && (item->len == 0 || item->data[item->len - 1] == ' '))
            continue;
        strbuf_putc(item, clean_byte((unsigned char) *p));
    }
    if (left_out > 0) {
        strbuf_printf(item, "dkim=policy reason=\"%zu more result%s left out: header size "
                      "limit\"", left_out, left_out > 1 ? "s" : "");
        fold_item(fl, item);
    }
}

/* header_build_ar - an RFC 8601 Authentication-Results value */
void header_build_ar(const char *authserv_id, const struct pr_facts *facts,
                     const char *dkim_ar, strbuf *value)
{
    struct fold fl;
    strbuf item = STRBUF_INIT;
    fold_start(&fl, value, "Authentication-Results", authserv_id);
    if (policy_authenticated(facts)) {
        strbuf_puts(&item, "auth=pass");
        if (nonempty(facts->login)) {
            strbuf_puts(&item, " smtp.auth=");
            header_append_value(&item, facts->login);
        }
        fold_item(&fl, &item);
    }
    if (facts->spf != SPF_RESULT_NOT_CHECKED && facts->spf != SPF_RESULT_SKIPPED) {
        strbuf_printf(&item, "spf=%s", spf_result_name(facts->spf));
        if (nonempty(facts->spf_domain)) {
            /* The null sender is checked as postmaster@HELO: RFC 8601 2.7.2
             * names that identity smtp.helo, not smtp.mailfrom. */
            strbuf_puts(&item, config_domain_of(facts->sender) == NULL
                        ? " smtp.helo=" : " smtp.mailfrom=");
            header_append_value(&item, facts->spf_domain);
        }
        fold_item(&fl, &item);
    }
    if (nonempty(dkim_ar))
        put_dkim_ar(&fl, dkim_ar, &item);
    if (fl.items == 0) {
        strbuf_puts(&item, "none");
        fold_item(&fl, &item);
    }
    strbuf_release(&item);
}

/* skip_cfws - white space, folding and (nested) comments */
static const char *skip_cfws(const char *p)
{
    int depth = 0;

    for (; *p; p++) {
        if (depth > 0 && *p == '\\' && p[1] != 0)
            p++;
        else if (*p == '(')
            depth++;
        else if (*p == ')' && depth > 0)
            depth--;
        else if (depth == 0 && !strchr(" \t\r\n", *p))
            break;
    }
    return p;
}

/*
 * read_id - the authserv-id at p, as RFC 8601 compares it: a quoted-string
 * unquoted (quoted-pairs taken literally), or a token up to white space,
 * a comment or ';'. NULL when the id is malformed or longer than idsize.
 */
static const char *read_id(const char *p, char *id, size_t idsize)
{
    size_t n = 0;

    if (*p == '"') {
        for (p++; *p != '"'; p++) {
            if (*p == 0)
                return NULL;            /* an unterminated quoted-string */
            if (*p == '\\' && p[1] != 0)
                p++;
            if (n + 1 >= idsize)
                return NULL;
            id[n++] = *p;
        }
        p++;
    } else {
        for (; *p != 0 && *p != ';' && !strchr(" \t\r\n(", *p); p++) {
            if (n + 1 >= idsize)
                return NULL;
            id[n++] = *p;
        }
    }
    id[n] = 0;
    return p;
}

/* header_is_ours - the value starts with our authserv-id and then ';' */
int header_is_ours(const char *value, const char *authserv_id)
{
    char id[HEADER_LINE_MAX];
    const char *p;

    if (value == NULL || !nonempty(authserv_id))
        return 0;
    /* A forger may quote the id, escape its bytes ("mx\.test") or wrap
     * it in comments: all the same id to a reader (RFC 8601 2.5). */
    if ((p = read_id(skip_cfws(value), id, sizeof(id))) == NULL
        || strcasecmp(id, authserv_id) != 0)
        return 0;
    p = skip_cfws(p);
    /* An optional authres-version: "ID 1; ..." */
    if (*p >= '0' && *p <= '9') {
        while (*p >= '0' && *p <= '9')
            p++;
        p = skip_cfws(p);
    }
    return *p == ';' || *p == 0;
}
