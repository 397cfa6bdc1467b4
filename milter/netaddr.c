/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netaddr - addresses, networks and ports; see netaddr.h.
 *
 * DESCRIPTION
 *	Text goes through inet_pton()/inet_ntop() only: no hand-written
 *	address grammar to get wrong. IPv4 is widened to the IPv4-mapped
 *	form, so an IPv4 network written "/N" covers 96+N bits of the
 *	16-byte form and matches a client Postfix reports as ::ffff:a.b.c.d.
 *
 *	A network written with host bits set ("192.0.2.1/24") is accepted
 *	and masked, as Postfix's mynetworks does: refusing it would only
 *	make an administrator retype what is meant anyway.
 *
 * DIAGNOSTICS
 *	netaddr_parse() and netaddr_port_parse() return -1 on bad input;
 *	netaddr_cidr_parse() also points *why at a static sentence.
 */
#include "acconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "netaddr.h"
#include "util.h"

/* Longest address text we look at: an IPv6 address with an embedded IPv4 tail. */
#define TEXT_MAX (INET6_ADDRSTRLEN + sizeof("[IPv6:]"))

static const unsigned char v4_prefix[12] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
};

/* strip_wrapping - remove "[...]" and "IPv6:" around an address, in place */
static char *strip_wrapping(char *s, int *ipv6_tag)
{
    size_t len = strlen(s);

    if (s[0] == '[') {
        if (len < 2 || s[len - 1] != ']')
            return NULL;
        s[len - 1] = 0;
        s++;
    }
    *ipv6_tag = strncasecmp(s, "IPv6:", 5) == 0;
    if (*ipv6_tag)
        s += 5;
    return s;
}

/* netaddr_parse - IPv4 or IPv6 text, bare or in the MTA's wrappings */
int netaddr_parse(const char *text, netaddr *out)
{
    char buf[TEXT_MAX], *s;
    struct in_addr a4;
    int ipv6_tag;

    if (text == NULL || util_strlcpy(buf, text, sizeof(buf)) >= sizeof(buf))
        return -1;
    if ((s = strip_wrapping(buf, &ipv6_tag)) == NULL || *s == 0)
        return -1;
    if (strchr(s, ':') != NULL)
        return inet_pton(AF_INET6, s, out->bytes) == 1 ? 0 : -1;
    /* "IPv6:192.0.2.1" names an IPv6 address that is not one. */
    if (ipv6_tag || inet_pton(AF_INET, s, &a4) != 1)
        return -1;
    memcpy(out->bytes, v4_prefix, sizeof(v4_prefix));
    memcpy(out->bytes + 12, &a4, 4);
    return 0;
}

/* netaddr_is_v4 - an IPv4-mapped address */
int netaddr_is_v4(const netaddr *addr)
{
    return memcmp(addr->bytes, v4_prefix, sizeof(v4_prefix)) == 0;
}

/* mask - clear every bit after the first bits */
static void mask(netaddr *addr, int bits)
{
    for (int i = 0; i < 16; i++) {
        int keep = bits - 8 * i;

        if (keep <= 0)
            addr->bytes[i] = 0;
        else if (keep < 8)
            addr->bytes[i] &= (unsigned char) (0xff << (8 - keep));
    }
}

/* fail - point *why at the reason and return -1 */
static int fail(const char **why, const char *reason)
{
    *why = reason;
    return -1;
}

/* parse_bits - strict decimal prefix length, or -1 */
static int parse_bits(const char *s)
{
    int n = 0;

    if (*s == 0)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (n < 1000)                   /* large stays large, without overflow */
            n = n * 10 + (*s - '0');
    }
    return n;
}

/* netaddr_cidr_parse - "ADDR" or "ADDR/BITS", host bits masked */
int netaddr_cidr_parse(const char *text, netaddr_cidr *out, const char **why)
{
    char buf[TEXT_MAX + 4], *slash;
    int bits, max;
    int v6_text;

    if (text == NULL || *text == 0)
        return fail(why, "empty network");
    if (util_strlcpy(buf, text, sizeof(buf)) >= sizeof(buf))
        return fail(why, "network too long");
    if ((slash = strchr(buf, '/')) != NULL)
        *slash++ = 0;
    if (buf[0] == 0)
        return fail(why, "missing address before '/'");
    if (netaddr_parse(buf, &out->net) < 0)
        return fail(why, "not an IPv4 or IPv6 address");
    /* Bits count on the text's own family: "::ffff:0:0/96" is IPv6 text. */
    v6_text = strchr(buf, ':') != NULL;
    max = v6_text ? 128 : 32;
    if (slash == NULL)
        bits = max;
    else if (*slash == 0)
        return fail(why, "missing prefix length after '/'");
    else if ((bits = parse_bits(slash)) < 0)
        return fail(why, "prefix length is not a decimal number");
    if (bits > max)
        return fail(why, v6_text ? "prefix length out of range (IPv6: 0..128)"
            : "prefix length out of range (IPv4: 0..32)");
    out->bits = v6_text ? bits : 96 + bits;
    mask(&out->net, out->bits);
    return 0;
}

/* netaddr_cidr_match - the address lies in the network */
int netaddr_cidr_match(const netaddr_cidr *cidr, const netaddr *addr)
{
    int whole = cidr->bits / 8, rest = cidr->bits % 8;
    unsigned char m;

    if (memcmp(cidr->net.bytes, addr->bytes, (size_t) whole) != 0)
        return 0;
    if (rest == 0)
        return 1;
    m = (unsigned char) (0xff << (8 - rest));
    return (cidr->net.bytes[whole] & m) == (addr->bytes[whole] & m);
}

/* netaddr_port_parse - strict decimal 0..65535, or -1 */
int netaddr_port_parse(const char *text)
{
    long n = 0;

    if (text == NULL || *text == 0)
        return -1;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        n = n * 10 + (*p - '0');
        if (n > 65535)
            return -1;
    }
    return (int) n;
}

/* netaddr_format - canonical text, IPv4 for mapped addresses */
void netaddr_format(const netaddr *addr, char *buf, size_t size)
{
    char text[INET6_ADDRSTRLEN];
    const char *ok;

    if (size == 0)
        return;
    if (netaddr_is_v4(addr))
        ok = inet_ntop(AF_INET, addr->bytes + 12, text, sizeof(text));
    else
        ok = inet_ntop(AF_INET6, addr->bytes, text, sizeof(text));
    util_strlcpy(buf, ok ? text : "?", size);
}

/* netaddr_cidr_format - "ADDR/BITS", with IPv4 bits for IPv4 networks */
void netaddr_cidr_format(const netaddr_cidr *cidr, char *buf, size_t size)
{
    char text[INET6_ADDRSTRLEN];
    char out[INET6_ADDRSTRLEN + 8];
    int v4 = netaddr_is_v4(&cidr->net) && cidr->bits >= 96;

    if (size == 0)
        return;
    if (v4)
        inet_ntop(AF_INET, cidr->net.bytes + 12, text, sizeof(text));
    else if (inet_ntop(AF_INET6, cidr->net.bytes, text, sizeof(text)) == NULL)
        util_strlcpy(text, "?", sizeof(text));
    snprintf(out, sizeof(out), "%s/%d", text, v4 ? cidr->bits - 96 : cidr->bits);
    util_strlcpy(buf, out, size);
}
