/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_macros - what the MTA hands over in macros: addresses, networks,
 *	ports, the listener macros that decide the role, TLS strings.
 *
 * INPUT
 *	NUL-separated strings: {client_addr}, a CIDR, a port, {daemon_name},
 *	{daemon_addr}, {daemon_port}, {tls_version}. "\x01" stands for NULL
 *	(a macro the MTA did not send).
 *
 * INVARIANTS
 *	- netaddr_parse(): a parsed address formats to text that parses back
 *	  to the same 16 bytes.
 *	- netaddr_cidr_parse(): 0..128 bits, a reason on failure, no host
 *	  bits, the canonical text parses back to the same network, and the
 *	  network contains its own address.
 *	- netaddr_port_parse(): -1, or 0..65535 for a string of digits only
 *	  with that decimal value ("abc", "-1", "99999", "+25", " 25" are -1).
 *	- policy_role(): a role in range; a matched listener's role; "local"
 *	  when no listener macro was sent; a port that does not parse never
 *	  matches a port listener.
 *	- config_trusted(): never trusts what does not parse as an address.
 */
#include "acconfig.h"

#include <ctype.h>
#include <strings.h>

#include "config.h"
#include "fuzz.h"
#include "netaddr.h"
#include "policy.h"

static const char conf_text[] =
    "Listener ORIGINATING submission\nListener smtps-in submissions\n"
    "Listener 127.0.0.1:10026 internal\nListener [::1]:10025 internal\n"
    "Listener [2001:db8::25]:25 mx\nListener 25 mx\nListener 587 submission\n"
    "Listener 465 submissions\n"
    "TrustedNetworks 127.0.0.0/8, ::1, 192.0.2.0/24, 2001:db8::/32, ::ffff:198.51.100.0/120\n";

static struct pr_config *cfg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    strbuf err = STRBUF_INIT;

    if (cfg == NULL)
        cfg = fz_config_text(conf_text, sizeof(conf_text) - 1, &err);
    if (cfg == NULL)
        fprintf(stderr, "fuzz_macros: %s", strbuf_str(&err));
    FZ_CHECK(cfg != NULL, "the harness config does not load");
    strbuf_release(&err);
    return 0;
}

/* check_addr - parse, format, parse again */
static void check_addr(const char *text)
{
    netaddr a, b;
    char buf[NETADDR_BUFSIZE];

    if (text == NULL) {
        FZ_CHECK(config_trusted(cfg, text) == 0, "NULL address trusted");
        return;
    }
    if (netaddr_parse(text, &a) != 0) {
        FZ_CHECK(config_trusted(cfg, text) == 0, "an address that does not parse is trusted");
        return;
    }
    netaddr_format(&a, buf, sizeof(buf));
    FZ_CHECK(netaddr_parse(buf, &b) == 0, "formatted address does not parse");
    FZ_CHECK(memcmp(a.bytes, b.bytes, sizeof(a.bytes)) == 0, "address changed in a round trip");
    (void) config_trusted(cfg, text);
}

/* check_cidr - parse, format, parse again */
static void check_cidr(const char *text)
{
    netaddr_cidr c, d;
    const char *why = NULL;
    char buf[NETADDR_BUFSIZE + 8];

    if (text == NULL)
        return;
    if (netaddr_cidr_parse(text, &c, &why) != 0) {
        FZ_CHECK(why != NULL && *why, "CIDR refused without a reason");
        return;
    }
    FZ_CHECK(c.bits >= 0 && c.bits <= 128, "CIDR bits out of range");
    for (int i = c.bits; i < 128; i++)
        FZ_CHECK(!(c.net.bytes[i / 8] & (0x80 >> (i % 8))), "host bits left in a network");
    FZ_CHECK(netaddr_cidr_match(&c, &c.net), "network does not contain itself");
    netaddr_cidr_format(&c, buf, sizeof(buf));
    FZ_CHECK(netaddr_cidr_parse(buf, &d, &why) == 0, "formatted CIDR does not parse");
    FZ_CHECK(d.bits == c.bits && memcmp(d.net.bytes, c.net.bytes, 16) == 0,
             "CIDR changed in a round trip");
}

/* check_port - strict decimal */
static void check_port(const char *text)
{
    int p = netaddr_port_parse(text);

    FZ_CHECK(p >= -1 && p <= 65535, "port out of range");
    if (p < 0)
        return;
    FZ_CHECK(text && *text && strspn(text, "0123456789") == strlen(text),
             "a port with something else than digits");
    FZ_CHECK(strtol(text, NULL, 10) == p, "port value differs from its digits");
}

/* check_role - the listener macros */
static void check_role(const char *name, const char *addr, const char *port)
{
    const struct pr_listener *m = NULL;
    enum pr_role role = policy_role(cfg, name, addr, port, &m);
    int none = (!name || !*name) && (!addr || !*addr) && (!port || !*port);

    FZ_CHECK(role >= ROLE_MX && role < ROLE_COUNT, "role out of range");
    if (m != NULL) {
        FZ_CHECK(m->role == role, "role differs from the matched listener");
        if (m->kind != LISTENER_NAME)
            FZ_CHECK(netaddr_port_parse(port) == m->port, "port listener matched another port");
        if (m->kind == LISTENER_NAME)
            FZ_CHECK(name && strcasecmp(name, m->name) == 0, "name listener matched another name");
    } else
        FZ_CHECK(role == ROLE_LOCAL || role == ROLE_UNKNOWN, "role without a listener");
    if (none)
        FZ_CHECK(role == ROLE_LOCAL, "no listener macro but not the local role");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in;
    const char *addr, *cidr, *port, *dname, *daddr, *dport, *tls;
    struct pr_facts f;

    LLVMFuzzerInitialize(NULL, NULL);
    fz_init(&in, data, size);
    addr = fz_str_or_null(&in);
    cidr = fz_str_or_null(&in);
    port = fz_str_or_null(&in);
    dname = fz_str_or_null(&in);
    daddr = fz_str_or_null(&in);
    dport = fz_str_or_null(&in);
    tls = fz_str_or_null(&in);

    check_addr(addr);
    check_addr(daddr);
    check_cidr(cidr);
    check_port(port);
    check_port(dport);
    check_role(dname, daddr, dport);

    memset(&f, 0, sizeof(f));
    f.tls_version = tls;
    FZ_CHECK(policy_has_tls(&f) == (tls != NULL && *tls != 0), "TLS presence rule");
    fz_free(&in);
    return 0;
}
