/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_netaddr - addresses, networks and ports, table-driven.
 *
 * DESCRIPTION
 *	Each table row is one input with its expected result: the parsed
 *	address's canonical text, a network's text and whether it holds a
 *	given client, or a port number. IPv4-mapped clients against IPv4
 *	networks and the /0, /32 and /128 edges get rows of their own.
 */
#include "acconfig.h"

#include <check.h>
#include <string.h>

#include "netaddr.h"

#define NROWS(t) ((int) (sizeof(t) / sizeof((t)[0])))

/* ---- netaddr_parse and netaddr_format ---- */

static const struct addr_case {
    const char *text;
    const char *canon;          /* NULL: must be refused */
    int v4;
} addr_cases[] = {
    {"192.0.2.1", "192.0.2.1", 1},
    {"0.0.0.0", "0.0.0.0", 1},
    {"255.255.255.255", "255.255.255.255", 1},
    {"[192.0.2.1]", "192.0.2.1", 1},
    {"2001:db8::1", "2001:db8::1", 0},
    {"2001:DB8:0:0:0:0:0:1", "2001:db8::1", 0},
    {"[2001:db8::1]", "2001:db8::1", 0},
    {"IPv6:2001:db8::1", "2001:db8::1", 0},
    {"ipv6:2001:db8::1", "2001:db8::1", 0},
    {"[IPv6:2001:db8::1]", "2001:db8::1", 0},
    {"::1", "::1", 0},
    {"IPv6:::1", "::1", 0},
    {"::", "::", 0},
    {"::ffff:192.0.2.1", "192.0.2.1", 1},      /* Postfix's mapped client */
    {"IPv6:::ffff:192.0.2.1", "192.0.2.1", 1},
    {"", NULL, 0},
    {"[]", NULL, 0},
    {"[192.0.2.1", NULL, 0},
    {"192.0.2.1]", NULL, 0},
    {"IPv6:", NULL, 0},
    {"IPv6:192.0.2.1", NULL, 0},               /* the tag promises IPv6 */
    {"192.0.2", NULL, 0},
    {"192.0.2.256", NULL, 0},
    {"192.0.2.1.", NULL, 0},
    {" 192.0.2.1", NULL, 0},
    {"192.0.2.1 ", NULL, 0},
    {"0x7f.0.0.1", NULL, 0},
    {"2001:db8::1::2", NULL, 0},
    {"2001:db8::g", NULL, 0},
    {"fe80::1%eth0", NULL, 0},
    {"mail.example.net", NULL, 0},
    {"unknown", NULL, 0},
    {"[[::1]]", NULL, 0},
    {"192.0.2.1/24", NULL, 0},
    {"1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb", NULL, 0},
};

START_TEST(test_addr)
{
    const struct addr_case *c = &addr_cases[_i];
    netaddr a;
    char buf[NETADDR_BUFSIZE];
    int rc;

    memset(&a, 0xa5, sizeof(a));
    rc = netaddr_parse(c->text, &a);
    if (c->canon == NULL) {
        ck_assert_msg(rc == -1, "accepted \"%s\"", c->text);
        return;
    }
    ck_assert_msg(rc == 0, "refused \"%s\"", c->text);
    netaddr_format(&a, buf, sizeof(buf));
    ck_assert_str_eq(buf, c->canon);
    ck_assert_int_eq(netaddr_is_v4(&a), c->v4);
}
END_TEST

START_TEST(test_addr_mapped_bytes)
{
    static const unsigned char want[16] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1,
    };
    netaddr a, b;

    ck_assert_int_eq(netaddr_parse("192.0.2.1", &a), 0);
    ck_assert_mem_eq(a.bytes, want, 16);
    ck_assert_int_eq(netaddr_parse("::ffff:c000:201", &b), 0);
    ck_assert_mem_eq(a.bytes, b.bytes, 16);
    ck_assert_int_eq(netaddr_parse(NULL, &a), -1);
}
END_TEST

START_TEST(test_format_truncates)
{
    netaddr a;
    char buf[8];

    memset(buf, 'x', sizeof(buf));
    ck_assert_int_eq(netaddr_parse("2001:db8::1", &a), 0);
    netaddr_format(&a, buf, sizeof(buf));
    ck_assert_str_eq(buf, "2001:db");
    netaddr_format(&a, buf, 0);                 /* size 0 writes nothing */
    ck_assert_str_eq(buf, "2001:db");
}
END_TEST

/* ---- netaddr_cidr_parse, netaddr_cidr_format and netaddr_cidr_match ---- */

static const struct cidr_case {
    const char *text;
    const char *canon;          /* NULL: must be refused */
    int bits;                   /* on the 16-byte form */
} cidr_cases[] = {
    {"192.0.2.0/24", "192.0.2.0/24", 120},
    {"192.0.2.77/24", "192.0.2.0/24", 120},    /* host bits are masked, not an error */
    {"10.1.2.3/8", "10.0.0.0/8", 104},
    {"172.16.0.0/12", "172.16.0.0/12", 108},
    {"192.0.2.1/32", "192.0.2.1/32", 128},
    {"192.0.2.1", "192.0.2.1/32", 128},        /* a host */
    {"0.0.0.0/0", "0.0.0.0/0", 96},
    {"255.255.255.255/0", "0.0.0.0/0", 96},
    {"[192.0.2.0]/24", "192.0.2.0/24", 120},
    {"2001:db8::/32", "2001:db8::/32", 32},
    {"2001:db8:ffff::1/32", "2001:db8::/32", 32},
    {"[2001:db8::]/32", "2001:db8::/32", 32},  /* Postfix's mynetworks form */
    {"2001:db8::1/128", "2001:db8::1/128", 128},
    {"::1", "::1/128", 128},
    {"::/0", "::/0", 0},
    {"2001:db8::/33", "2001:db8::/33", 33},
    {"2001:db8:8000::/33", "2001:db8:8000::/33", 33},
    {"::ffff:0:0/96", "0.0.0.0/0", 96},        /* the same network as 0.0.0.0/0 */
    {"192.0.2.0/024", "192.0.2.0/24", 120},
    {"", NULL, 0},
    {"/24", NULL, 0},
    {"192.0.2.0/", NULL, 0},
    {"192.0.2.0/33", NULL, 0},
    {"192.0.2.0/99999999999", NULL, 0},
    {"192.0.2.0/-1", NULL, 0},
    {"192.0.2.0/+8", NULL, 0},
    {"192.0.2.0/ 8", NULL, 0},
    {"192.0.2.0/8 ", NULL, 0},
    {"192.0.2.0/8/8", NULL, 0},
    {"192.0.2.0/a", NULL, 0},
    {"2001:db8::/129", NULL, 0},
    {"2001:db8::/", NULL, 0},
    {"example.com/24", NULL, 0},
    {"192.0.2/24", NULL, 0},
    {"postfix:mynetworks", NULL, 0},
};

START_TEST(test_cidr)
{
    const struct cidr_case *c = &cidr_cases[_i];
    netaddr_cidr n;
    const char *why = NULL;
    char buf[NETADDR_BUFSIZE + 8];
    int rc = netaddr_cidr_parse(c->text, &n, &why);

    if (c->canon == NULL) {
        ck_assert_msg(rc == -1, "accepted \"%s\"", c->text);
        ck_assert_ptr_nonnull(why);
        ck_assert_msg(strlen(why) > 5, "\"%s\": terse reason \"%s\"", c->text, why);
        return;
    }
    ck_assert_msg(rc == 0, "refused \"%s\": %s", c->text, why ? why : "?");
    ck_assert_int_eq(n.bits, c->bits);
    netaddr_cidr_format(&n, buf, sizeof(buf));
    ck_assert_str_eq(buf, c->canon);
}
END_TEST

START_TEST(test_cidr_reasons)
{
    netaddr_cidr n;
    const char *why = NULL;

    ck_assert_int_eq(netaddr_cidr_parse("192.0.2.0/33", &n, &why), -1);
    ck_assert_ptr_nonnull(strstr(why, "out of range"));
    ck_assert_int_eq(netaddr_cidr_parse("2001:db8::/129", &n, &why), -1);
    ck_assert_ptr_nonnull(strstr(why, "out of range"));
    ck_assert_int_eq(netaddr_cidr_parse("192.0.2.0/x", &n, &why), -1);
    ck_assert_ptr_nonnull(strstr(why, "decimal"));
    ck_assert_int_eq(netaddr_cidr_parse("nothing/8", &n, &why), -1);
    ck_assert_ptr_nonnull(strstr(why, "address"));
}
END_TEST

static const struct match_case {
    const char *net, *client;
    int in;
} match_cases[] = {
    {"192.0.2.0/24", "192.0.2.1", 1},
    {"192.0.2.0/24", "192.0.2.255", 1},
    {"192.0.2.0/24", "192.0.3.0", 0},
    {"192.0.2.0/24", "::ffff:192.0.2.9", 1},   /* mapped client, IPv4 network */
    {"192.0.2.0/24", "IPv6:::ffff:192.0.2.9", 1},
    {"192.0.2.0/24", "::ffff:192.0.3.9", 0},
    {"192.0.2.0/24", "::192.0.2.9", 0},        /* IPv4-compatible is not mapped */
    {"192.0.2.0/24", "2001:db8::1", 0},
    {"127.0.0.0/8", "127.255.0.1", 1},
    {"127.0.0.0/8", "128.0.0.1", 0},
    {"192.0.2.1/32", "192.0.2.1", 1},
    {"192.0.2.1/32", "192.0.2.2", 0},
    {"192.0.2.128/25", "192.0.2.127", 0},
    {"192.0.2.128/25", "192.0.2.128", 1},
    {"0.0.0.0/0", "203.0.113.7", 1},
    {"0.0.0.0/0", "::ffff:203.0.113.7", 1},
    {"0.0.0.0/0", "2001:db8::1", 0},           /* all of IPv4 is not all of IPv6 */
    {"::/0", "2001:db8::1", 1},
    {"::/0", "192.0.2.1", 1},
    {"::1", "::1", 1},
    {"::1", "::2", 0},
    {"::1", "127.0.0.1", 0},
    {"2001:db8::/32", "2001:db8:1234::5", 1},
    {"2001:db8::/32", "2001:db9::5", 0},
    {"2001:db8::/33", "2001:db8:7fff::1", 1},
    {"2001:db8::/33", "2001:db8:8000::1", 0},
    {"2001:db8::1/128", "2001:db8::1", 1},
    {"2001:db8::1/128", "2001:db8::1:0", 0},
    {"[2001:db8::]/32", "[IPv6:2001:db8::99]", 1},
};

START_TEST(test_match)
{
    const struct match_case *c = &match_cases[_i];
    netaddr_cidr n;
    netaddr a;
    const char *why;

    ck_assert_msg(netaddr_cidr_parse(c->net, &n, &why) == 0, "%s: %s", c->net, why);
    ck_assert_msg(netaddr_parse(c->client, &a) == 0, "client %s", c->client);
    ck_assert_msg(netaddr_cidr_match(&n, &a) == c->in, "%s in %s: want %d",
                  c->client, c->net, c->in);
}
END_TEST

/* ---- netaddr_port_parse ---- */

static const struct port_case {
    const char *text;
    int port;
} port_cases[] = {
    {"25", 25}, {"587", 587}, {"465", 465}, {"0", 0}, {"65535", 65535},
    {"00025", 25}, {"1", 1},
    {"", -1}, {"abc", -1}, {"-1", -1}, {"99999", -1}, {"65536", -1},
    {"+5", -1}, {" 25", -1}, {"25 ", -1}, {"2 5", -1}, {"25a", -1}, {"0x19", -1},
    {"99999999999999999999999", -1}, {"4294967321", -1},   /* 2^32 + 25 */
};

START_TEST(test_port)
{
    const struct port_case *c = &port_cases[_i];

    ck_assert_msg(netaddr_port_parse(c->text) == c->port, "\"%s\": want %d, got %d",
                  c->text, c->port, netaddr_port_parse(c->text));
}
END_TEST

START_TEST(test_port_null)
{
    ck_assert_int_eq(netaddr_port_parse(NULL), -1);
}
END_TEST

static Suite *netaddr_suite(void)
{
    Suite *s = suite_create("netaddr");
    TCase *tc = tcase_create("netaddr");

    tcase_add_loop_test(tc, test_addr, 0, NROWS(addr_cases));
    tcase_add_test(tc, test_addr_mapped_bytes);
    tcase_add_test(tc, test_format_truncates);
    tcase_add_loop_test(tc, test_cidr, 0, NROWS(cidr_cases));
    tcase_add_test(tc, test_cidr_reasons);
    tcase_add_loop_test(tc, test_match, 0, NROWS(match_cases));
    tcase_add_loop_test(tc, test_port, 0, NROWS(port_cases));
    tcase_add_test(tc, test_port_null);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(netaddr_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
