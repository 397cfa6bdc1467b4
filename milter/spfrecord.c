/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spfrecord - RFC 7208 record syntax and the rewrite for libspf2; see
 *	spfrecord.h.
 *
 * DESCRIPTION
 *	The record is split into terms at spaces; each term is checked on
 *	its own, then the whole record again for the rules between terms
 *	(redirect= and exp= once each, a second use of a "/0" name). Only
 *	then is the rewritten record built, so a record with an error
 *	anywhere is refused whole, as RFC 7208 4.6 requires.
 */
#include "acconfig.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spfrecord.h"
#include "strbuf.h"
#include "util.h"

struct term {
    const char *raw;            /* the term as written */
    size_t      rawlen;
    int         kind;           /* T_DROP, T_KEEP, T_ADDR (a, mx) */
    char        qual;           /* the qualifier written, or 0 */
    int         mx;
    const char *dom;            /* a/mx: the domain-spec, or NULL */
    size_t      domlen;
    int         cidr4, cidr6;   /* -1 when not given */
    char        ipnet[64];      /* ip4/ip6 with /0: the mechanism name */
    int         ip;             /* 4 or 6: an ip4/ip6 mechanism */
    int         mod;            /* 1 redirect=, 2 exp=, 0 neither */
};

enum { T_DROP, T_KEEP, T_ADDR, T_ZERO };

/* spfrecord_is_spf - "v=spf1" alone or before a space */
int spfrecord_is_spf(const char *text, size_t len)
{
    return len >= 6 && strncasecmp(text, "v=spf1", 6) == 0 && (len == 6 || text[6] == ' ');
}

/* macro_string - RFC 7208 7.1 macro-string; letters allowed; *last_macro set */
static int macro_string(const char *s, size_t len, int *last_macro)
{
    size_t i = 0;

    *last_macro = 0;
    while (i < len) {
        unsigned char c = (unsigned char) s[i];

        if (c < 0x21 || c > 0x7e)
            return -1;
        if (c != '%') {
            *last_macro = 0;
            i++;
            continue;
        }
        if (i + 1 >= len)
            return -1;
        if (s[i + 1] == '%' || s[i + 1] == '_' || s[i + 1] == '-') {
            *last_macro = 1;
            i += 2;
            continue;
        }
        if (s[i + 1] != '{' || i + 2 >= len || !strchr("slodiphvSLODIPHV", s[i + 2]))
            return -1;
        i += 3;
        while (i < len && isdigit((unsigned char) s[i]))
            i++;
        if (i < len && (s[i] == 'r' || s[i] == 'R'))
            i++;
        while (i < len && s[i] != 0 && strchr(".-+,/_=", s[i]))
            i++;
        if (i >= len || s[i] != '}')
            return -1;
        i++;
        *last_macro = 1;
    }
    return 0;
}

/* toplabel - RFC 7208 toplabel: alphanumerics and '-', not all digits, no edge '-' */
static int toplabel(const char *s, size_t len)
{
    int alpha = 0;

    if (len == 0 || s[0] == '-' || s[len - 1] == '-')
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (!isalnum((unsigned char) s[i]) && s[i] != '-')
            return -1;
        alpha |= isalpha((unsigned char) s[i]) || s[i] == '-';
    }
    return alpha ? 0 : -1;
}

/* domain_spec - macro-string domain-end */
static int domain_spec(const char *s, size_t len)
{
    const char *dot;
    int last_macro;

    if (len == 0 || macro_string(s, len, &last_macro) < 0)
        return -1;
    if (last_macro)
        return 0;
    if (s[len - 1] == '.')
        len--;
    dot = len ? memrchr(s, '.', len) : NULL;
    if (dot == NULL)
        return -1;
    return toplabel(dot + 1, len - (size_t) (dot + 1 - s));
}

/* cidr - "0" or a number without leading zero, at most max; -1 if bad */
static int cidr(const char *s, size_t len, int max)
{
    int v = 0;

    if (len == 0 || len > 3 || (s[0] == '0' && len > 1))
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char) s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v <= max ? v : -1;
}

/* dual_cidr - "", "/N", "//M", "/N//M" into t; -1 if bad */
static int dual_cidr(const char *s, size_t len, struct term *t)
{
    const char *v6;

    t->cidr4 = t->cidr6 = -1;
    if (len == 0)
        return 0;
    if (s[0] != '/')
        return -1;
    v6 = len >= 2 ? memmem(s, len, "//", 2) : NULL;
    if (v6 != s) {
        size_t n = v6 ? (size_t) (v6 - s) - 1 : len - 1;

        if ((t->cidr4 = cidr(s + 1, n, 32)) < 0)
            return -1;
    }
    if (v6 != NULL && (t->cidr6 = cidr(v6 + 2, len - (size_t) (v6 + 2 - s), 128)) < 0)
        return -1;
    return 0;
}

/* ip4_network - a dotted quad, each part 0-255 without leading zero */
static int ip4_network(const char *s, size_t len)
{
    int parts = 0;
    size_t i = 0;

    while (i <= len) {
        size_t j = i;

        while (j < len && s[j] != '.')
            j++;
        if (cidr(s + i, j - i, 255) < 0 || ++parts > 4)
            return -1;
        i = j + 1;
    }
    return parts == 4 ? 0 : -1;
}

/* ip_mech - "ip4:" / "ip6:" arguments; T_ZERO for a /0 network */
static int ip_mech(const char *s, size_t len, int v6, struct term *t)
{
    const char *slash = len ? memrchr(s, '/', len) : NULL;
    size_t n = slash ? (size_t) (slash - s) : len;
    char buf[64];
    unsigned char bin[16];
    int c = -1;

    t->ip = v6 ? 6 : 4;
    if (len == 0 || s[0] != ':' || n < 2)
        return -1;
    if (slash && (c = cidr(slash + 1, len - n - 1, v6 ? 128 : 32)) < 0)
        return -1;
    if (v6) {
        if (n - 1 >= sizeof(buf))
            return -1;
        memcpy(buf, s + 1, n - 1);
        buf[n - 1] = 0;
        if (inet_pton(AF_INET6, buf, bin) != 1)
            return -1;
    } else if (ip4_network(s + 1, n - 1) < 0) {
        return -1;
    }
    if (c != 0)
        return T_KEEP;
    snprintf(t->ipnet, sizeof(t->ipnet), "%s", v6 ? "ip6" : "ip4");
    return T_ZERO;
}

/* cidr_start - the '/' that starts a dual-cidr-length, not one inside "%{d/}" */
static size_t cidr_start(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len && s[i] != '/') {
        if (s[i] == '%' && i + 1 < len && s[i + 1] == '{') {
            /* A macro's delimiters may hold '/': skip to its closing brace. */
            while (i < len && s[i] != '}')
                i++;
        } else if (s[i] == '%') {
            i++;                        /* "%%", "%_", "%-" */
        }
        i++;
    }
    return i < len ? i : len;
}

/* addr_mech - "a" / "mx" arguments: [":" domain-spec] [dual-cidr-length] */
static int addr_mech(const char *s, size_t len, struct term *t)
{
    size_t n = cidr_start(s, len);

    if (n > 0) {
        if (s[0] != ':' || domain_spec(s + 1, n - 1) < 0)
            return -1;
        t->dom = s + 1;
        t->domlen = n - 1;
    }
    if (dual_cidr(s + n, len - n, t) < 0)
        return -1;
    return T_ADDR;
}

/* directive - [qualifier] mechanism; the term's kind, or -1 */
static int directive(const char *s, size_t len, struct term *t)
{
    size_t n = 0;

    if (len > 0 && strchr("+-?~", s[0])) {
        t->qual = s[0];
        s++;
        len--;
    }
    while (n < len && isalnum((unsigned char) s[n]))
        n++;
#define IS(word) (n == sizeof(word) - 1 && strncasecmp(s, word, n) == 0)
    if (IS("all"))
        return n == len ? T_KEEP : -1;
    if (IS("include") || IS("exists"))
        return len > n + 1 && s[n] == ':' && domain_spec(s + n + 1, len - n - 1) == 0 ? T_KEEP : -1;
    if (IS("ptr"))
        return n == len || (s[n] == ':' && domain_spec(s + n + 1, len - n - 1) == 0) ? T_KEEP : -1;
    if (IS("ip4") || IS("ip6"))
        return ip_mech(s + n, len - n, s[2] == '6', t);
    if (IS("a") || IS("mx")) {
        t->mx = n == 2;
        return addr_mech(s + n, len - n, t);
    }
#undef IS
    return -1;
}

/* modifier - name "=" value; the kind, *which 1 redirect 2 exp 0 other; -1 bad */
static int modifier(const char *s, size_t len, size_t eq, int *which)
{
    int last_macro;

    *which = 0;
    for (size_t i = 1; i < eq; i++)
        if (!isalnum((unsigned char) s[i]) && !strchr("-_.", s[i]))
            return -1;
    if (eq == 8 && strncasecmp(s, "redirect", 8) == 0)
        *which = 1;
    else if (eq == 3 && strncasecmp(s, "exp", 3) == 0)
        *which = 2;
    if (*which)
        return domain_spec(s + eq + 1, len - eq - 1) == 0 ? T_KEEP : -1;
    return macro_string(s + eq + 1, len - eq - 1, &last_macro) == 0 ? T_DROP : -1;
}

/* parse_term - one term into t; -1 with *why set */
static int parse_term(const char *s, size_t len, struct term *t, int *seen, const char **why)
{
    size_t eq = 0;
    int which = 0, kind;

    memset(t, 0, sizeof(*t));
    t->raw = s;
    t->rawlen = len;
    while (eq < len && (isalnum((unsigned char) s[eq]) || strchr("-_.", s[eq])))
        eq++;
    if (eq < len && s[eq] == '=') {
        if (eq == 0 || !isalpha((unsigned char) s[0])) {
            *why = "a modifier name must start with a letter";
            return -1;
        }
        if ((kind = modifier(s, len, eq, &which)) < 0) {
            *why = which ? "bad domain in redirect= or exp=" : "bad modifier";
            return -1;
        }
        if (which && (*seen & which)) {
            *why = "redirect= or exp= given twice";
            return -1;
        }
        *seen |= which;
        t->kind = kind;
        t->mod = which;
        return 0;
    }
    if ((kind = directive(s, len, t)) < 0) {
        *why = "bad mechanism";
        return -1;
    }
    t->kind = kind;
    return 0;
}

/* same_name - two a/mx names (NULL: the record's own domain) are one */
static int same_name(const struct term *x, const struct term *y)
{
    if (x->dom == NULL || y->dom == NULL)
        return x->dom == y->dom;
    return x->domlen == y->domlen && strncasecmp(x->dom, y->dom, x->domlen) == 0;
}

/* zero_ok - the a/mx term's /0 can be rewritten: no macro, no other use */
static int zero_ok(const struct term *t, const struct term *terms, size_t n)
{
    if (t->dom != NULL && memchr(t->dom, '%', t->domlen) != NULL)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (&terms[i] != t && terms[i].kind == T_ADDR && same_name(t, &terms[i]))
            return 0;
    return 1;
}

/* slash_free - the value of macro letter c cannot hold '/', as far as we know */
static int slash_free(char c, const struct spfrecord_ctx *ctx)
{
    const char *v;

    switch (c | 0x20) {
    case 'i': case 'v':
        return 1;                       /* an address, "in-addr" or "ip6" */
    case 'd':
        v = ctx->domain;
        break;
    case 'o':
        v = ctx->sender_domain;
        break;
    default:
        return 0;                       /* s, l, h, p: the client writes them */
    }
    return v != NULL && strchr(v, '/') == NULL;
}

/*
 * put_text - a term's text; a '/' among a macro's delimiters is dropped
 * where the value cannot hold one (libspf2 refuses '/' there although RFC
 * 7208 7.1 allows it). Splitting a value without '/' at '/' leaves one
 * part, which every transformer keeps whole: "%{d2/}" is then "%{d}".
 */
static void put_text(strbuf *sb, const char *s, size_t len, const struct spfrecord_ctx *ctx)
{
    size_t i = 0;

    while (i < len) {
        size_t start = i, letter, delims, end;
        int slash = 0, others = 0;

        if (s[i] != '%' || i + 2 >= len || s[i + 1] != '{') {
            strbuf_putc(sb, s[i++]);
            continue;
        }
        letter = i + 2;
        for (end = letter + 1; end < len && s[end] != '}'; end++)
            slash |= s[end] == '/';
        if (end >= len || !slash || !slash_free(s[letter], ctx)) {
            strbuf_append(sb, s + start, (end < len ? end + 1 : len) - start);
            i = end < len ? end + 1 : len;
            continue;
        }
        for (delims = letter + 1; delims < end && (isdigit((unsigned char) s[delims])
                                                   || s[delims] == 'r' || s[delims] == 'R');)
            delims++;
        strbuf_puts(sb, "%{");
        strbuf_putc(sb, s[letter]);
        for (size_t k = delims; k < end; k++)
            others |= s[k] != '/';
        if (others) {
            strbuf_append(sb, s + letter + 1, delims - letter - 1);
            for (size_t k = delims; k < end; k++)
                if (s[k] != '/')
                    strbuf_putc(sb, s[k]);
        }
        strbuf_putc(sb, '}');
        i = end + 1;
    }
}

/* synth_name - the k-th name this check made up, under the .invalid TLD */
static void synth_name(strbuf *sb, char kind, unsigned serial, const struct spfrecord_ctx *ctx)
{
    strbuf_printf(sb, "%c%u-%s%s", kind, serial, ctx->token ? ctx->token : "0",
                  SPFRECORD_SYNTH_SUFFIX);
}

/* emit_addr - an a/mx /0 term as a made-up name whose look-up the caller answers */
static int emit_addr(const struct term *t, const struct spfrecord_ctx *ctx,
                     struct spfrecord_out *out)
{
    strbuf *sb = &out->text;
    struct spfrecord_wild *w;

    if ((ctx->client_v6 ? t->cidr6 : t->cidr4) != 0) {
        /* The /0 is the other family's: drop it, keep the rest as written. */
        if (t->qual)
            strbuf_putc(sb, t->qual);
        strbuf_puts(sb, t->mx ? "mx" : "a");
        if (t->dom != NULL) {
            strbuf_putc(sb, ':');
            strbuf_append(sb, t->dom, t->domlen);
        }
        if (t->cidr4 > 0)
            strbuf_printf(sb, "/%d", t->cidr4);
        if (t->cidr6 > 0)
            strbuf_printf(sb, "//%d", t->cidr6);
        return 0;
    }
    if (out->nwild == SPFRECORD_MAX_WILD)
        return -1;
    w = &out->wild[out->nwild++];
    w->name = t->dom ? util_strndup(t->dom, t->domlen) : NULL;
    if (w->name && *w->name && w->name[strlen(w->name) - 1] == '.')
        w->name[strlen(w->name) - 1] = 0;
    w->v6 = ctx->client_v6;
    w->mx = t->mx;
    /* A name of this record only: no other record's look-up can reach it. */
    w->synth = (strbuf) STRBUF_INIT;
    synth_name(&w->synth, 'w', ctx->serial + out->nsynth++, ctx);
    if (t->qual)
        strbuf_putc(sb, t->qual);
    strbuf_printf(sb, "%s:%s", t->mx ? "mx" : "a", strbuf_str(&w->synth));
    return 0;
}

/* put_ip - an ip4/ip6 term, a /0 one as its two halves (libspf2 refuses /0) */
static void put_ip(strbuf *sb, const struct term *t, int with_qual)
{
    char q[2] = {with_qual ? t->qual : 0, 0};

    if (t->kind == T_ZERO)
        strbuf_printf(sb, "%s%s:%s %s%s:%s", q, t->ipnet,
                      t->ip == 6 ? "::/1" : "0.0.0.0/1", q, t->ipnet,
                      t->ip == 6 ? "8000::/1" : "128.0.0.0/1");
    else if (with_qual)
        strbuf_append(sb, t->raw, t->rawlen);
    else
        strbuf_append(sb, t->raw + (t->qual != 0), t->rawlen - (t->qual != 0));
}

/* ip_cost - what an ip term takes of libspf2's compiled record, near enough */
static size_t ip_cost(const struct term *t)
{
    return (t->ip == 6 ? 20 : 8) * (t->kind == T_ZERO ? 2 : 1);
}

/*
 * emit_chunk - a run of ip terms with one qualifier, from *i on, as
 * "QUAL include:NAME" and NAME's record "v=spf1 ip... ip..." (no "all"):
 * the include matches exactly when one of the run's terms does, so the
 * result is the run's. Only for records too big for libspf2.
 */
static void emit_chunk(const struct term *terms, size_t n, size_t *i,
                       const struct spfrecord_ctx *ctx, struct spfrecord_out *out)
{
    struct spfrecord_chunk *c;
    char qual = terms[*i].qual;
    size_t cost = 0;

    out->chunk = util_realloc(out->chunk, (out->nchunk + 1) * sizeof(*out->chunk));
    c = &out->chunk[out->nchunk++];
    c->name = (strbuf) STRBUF_INIT;
    c->text = (strbuf) STRBUF_INIT;
    synth_name(&c->name, 'c', ctx->serial + out->nsynth++, ctx);
    strbuf_puts(&c->text, "v=spf1");
    while (*i < n && terms[*i].ip && terms[*i].qual == qual
           && cost + ip_cost(&terms[*i]) <= SPFRECORD_CHUNK_BYTES) {
        cost += ip_cost(&terms[*i]);
        strbuf_putc(&c->text, ' ');
        put_ip(&c->text, &terms[(*i)++], 0);
    }
    if (qual)
        strbuf_putc(&out->text, qual);
    strbuf_printf(&out->text, "include:%s", strbuf_str(&c->name));
    out->nmech++;
}

/* needs_chunks - the ip terms alone would crowd libspf2's compiled record */
static int needs_chunks(const struct term *terms, size_t n)
{
    size_t cost = 0;

    for (size_t i = 0; i < n; i++)
        if (terms[i].ip)
            cost += ip_cost(&terms[i]);
    return cost > SPFRECORD_CHUNK_BYTES;
}

/* emit - the rewritten record */
static void emit(const struct term *terms, size_t n, const struct spfrecord_ctx *ctx,
                 struct spfrecord_out *out)
{
    int chunks = needs_chunks(terms, n);

    strbuf_puts(&out->text, "v=spf1");
    for (size_t i = 0; i < n;) {
        const struct term *t = &terms[i];

        if (t->kind == T_DROP) {
            i++;
            continue;
        }
        strbuf_putc(&out->text, ' ');
        if (t->ip && chunks) {
            emit_chunk(terms, n, &i, ctx, out);
            continue;
        }
        if (t->mod != 2)
            out->nmech += t->kind == T_ZERO ? 2 : 1;    /* exp= is libspf2's only modifier */
        if (t->ip)
            put_ip(&out->text, t, 1);
        else if (t->kind == T_ADDR && (t->cidr4 == 0 || t->cidr6 == 0) && zero_ok(t, terms, n)
                 && emit_addr(t, ctx, out) == 0)
            /* void */ ;
        else
            put_text(&out->text, t->raw, t->rawlen, ctx);
        i++;
    }
}

/* spfrecord_check - strict syntax, then the rewrite */
int spfrecord_check(const char *text, size_t len, const struct spfrecord_ctx *ctx,
                    struct spfrecord_out *out)
{
    struct term *terms;
    size_t n = 0, i = 6;
    int seen = 0, rc = 0;

    memset(out, 0, sizeof(*out));
    for (size_t k = 0; k < len; k++) {
        if ((unsigned char) text[k] < 0x20 || (unsigned char) text[k] > 0x7e) {
            out->why = "a byte outside printable US-ASCII";
            return -1;
        }
    }
    /* RFC 7208 sets no limit on terms: one per two bytes is the most there can be. */
    terms = util_calloc(len / 2 + 1, sizeof(*terms));
    while (i < len) {
        size_t j;

        while (i < len && text[i] == ' ')
            i++;
        for (j = i; j < len && text[j] != ' '; j++)
            continue;
        if (j == i)
            break;
        if ((rc = parse_term(text + i, j - i, &terms[n], &seen, &out->why)) < 0)
            break;
        n++;
        i = j;
    }
    if (rc == 0)
        emit(terms, n, ctx, out);
    free(terms);
    return rc;
}

/* spfrecord_out_free - the rewritten text, the wildcard names, the chunks */
void spfrecord_out_free(struct spfrecord_out *out)
{
    if (out == NULL)
        return;
    strbuf_release(&out->text);
    for (size_t i = 0; i < out->nwild; i++) {
        free(out->wild[i].name);
        strbuf_release(&out->wild[i].synth);
    }
    out->nwild = 0;
    for (size_t i = 0; i < out->nchunk; i++) {
        strbuf_release(&out->chunk[i].name);
        strbuf_release(&out->chunk[i].text);
    }
    free(out->chunk);
    out->chunk = NULL;
    out->nchunk = 0;
}
