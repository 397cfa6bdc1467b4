/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_header - the X-Port-Role and Authentication-Results builders and
 *	the value sanitiser, over facts a remote client can steer.
 *
 * INPUT
 *	byte 0: role (low 3 bits), include_user (0x08), relayed (0x10),
 *		trusted (0x20); byte 1: tagged violations; byte 2: SPF result;
 *	bytes 3-4: port (signed 16 bits); then NUL-separated strings:
 *	authserv-id, header name, listener name, client name, client addr,
 *	auth type, login, TLS version, DKIM summary, DKIM A-R text, SPF
 *	domain, one raw value, one existing header value, a second id.
 *
 * INVARIANTS
 *	Both headers: no NUL, no CR, every LF is a fold ("\n\t" or "\n "), no other
 *	control or 8-bit byte, no physical line over 998 bytes (the first
 *	counted with "NAME: "), no line of white space only.
 *	header_append_value(): printable ASCII, at most 2 * 255 + 2 bytes.
 *	header_is_ours(): our own header is recognised as ours by the id it
 *	was built with and by no other valid id.
 */
#include "acconfig.h"

#include <strings.h>

#include "fuzz.h"
#include "header.h"
#include "policy.h"

/* valid_id - an AuthservID the config would accept */
static int valid_id(const char *s)
{
    if (*s == 0 || strlen(s) > HEADER_VALUE_MAX)
        return 0;
    for (; *s; s++)
        if ((unsigned char) *s <= 0x20 || (unsigned char) *s >= 0x7f || strchr(";()\"\\", *s))
            return 0;
    return 1;
}

/* valid_name - a HeaderName the config would accept */
static int valid_name(const char *s)
{
    if (*s == 0 || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if ((unsigned char) *s <= 0x20 || (unsigned char) *s >= 0x7f || *s == ':')
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in;
    struct pr_facts f;
    struct header_route r;
    strbuf v = STRBUF_INIT, ar = STRBUF_INIT, one = STRBUF_INIT;
    unsigned flags, tagged, spf;
    int port;
    const char *id, *name, *dkim, *dkim_ar, *raw, *existing, *other;

    fz_init(&in, data, size);
    flags = fz_byte(&in);
    tagged = fz_byte(&in);
    spf = fz_byte(&in);
    port = (int16_t) (fz_byte(&in) << 8 | fz_byte(&in));
    memset(&f, 0, sizeof(f));
    f.role = (enum pr_role) ((flags & 7) % ROLE_COUNT);
    f.trusted = (flags & 0x20) != 0;
    f.port = port < -1 ? -1 : port;
    id = fz_str_or_null(&in);
    name = fz_str(&in);
    if (!valid_name(name))
        name = "X-Port-Role";
    f.listener_name = fz_str_or_null(&in);
    f.client_name = fz_str_or_null(&in);
    f.client_addr = fz_str_or_null(&in);
    f.auth_type = fz_str_or_null(&in);
    f.login = fz_str_or_null(&in);
    f.tls_version = fz_str_or_null(&in);
    dkim = fz_str_or_null(&in);
    dkim_ar = fz_str_or_null(&in);
    f.spf_domain = fz_str_or_null(&in);
    f.spf = (enum spf_result) (spf % (SPF_RESULT_PERMERROR + 1));
    f.sender = "";
    raw = fz_str_or_null(&in);
    existing = fz_str(&in);
    other = fz_str(&in);

    memset(&r, 0, sizeof(r));
    r.authserv_id = id;
    r.facts = &f;
    r.tagged = tagged & (VBIT(V_COUNT) - 1);
    r.relayed = (flags & 0x10) != 0;
    r.include_user = (flags & 0x08) != 0;
    r.dkim = dkim;

    header_build(name, &r, &v);
    fz_check_header(name, &v);
    header_build_ar(id, &f, dkim_ar, &ar);
    fz_check_header("Authentication-Results", &ar);

    header_append_value(&one, raw);
    fz_check_line(strbuf_str(&one), one.len);
    FZ_CHECK(one.len <= 2 * HEADER_VALUE_MAX + 2, "sanitised value over its cap");

    (void) header_is_ours(existing, id);
    (void) header_is_ours(existing, other);
    if (id != NULL && valid_id(id)) {
        FZ_CHECK(header_is_ours(strbuf_str(&v), id) == 1,
                 "our own X-Port-Role not recognised as ours");
        FZ_CHECK(header_is_ours(strbuf_str(&ar), id) == 1,
                 "our own Authentication-Results not recognised as ours");
        if (valid_id(other))
            FZ_CHECK(header_is_ours(strbuf_str(&v), other) == (strcasecmp(id, other) == 0),
                     "a header of another host taken for ours, or ours missed");
    }

    strbuf_release(&v);
    strbuf_release(&ar);
    strbuf_release(&one);
    fz_free(&in);
    return 0;
}
