/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netaddr - IPv4/IPv6 addresses, CIDR networks and port numbers as the
 *	MTA hands them to a milter.
 *
 * SYNOPSIS
 *	#include "netaddr.h"
 *
 * DESCRIPTION
 *	Every address is kept as 16 bytes: IPv4 as an IPv4-mapped IPv6
 *	address (::ffff:a.b.c.d), so that an IPv4-mapped client address
 *	matches an IPv4 network and one comparison serves both families.
 *
 *	netaddr_parse() accepts "192.0.2.1", "2001:db8::1", "[2001:db8::1]",
 *	"IPv6:2001:db8::1" (Sendmail's and Postfix's macro forms) and
 *	"[IPv6:2001:db8::1]". It returns 0, or -1 for anything else.
 *
 *	netaddr_cidr_parse() accepts "ADDR" (a host) or "ADDR/BITS"; on error
 *	it returns -1 and points *why at a static explanation.
 *	netaddr_cidr_match() returns 1 when the address is in the network.
 *
 *	netaddr_port_parse() returns 0..65535 for a decimal port, or -1 for
 *	anything else ("abc", "-1", "99999", "").
 *
 *	netaddr_format() writes the canonical text form (IPv4 for mapped
 *	addresses) into buf, truncating to size.
 */
#ifndef PORTROLE_NETADDR_H
#define PORTROLE_NETADDR_H

#include <stddef.h>

typedef struct netaddr {
    unsigned char bytes[16];
} netaddr;

typedef struct netaddr_cidr {
    netaddr net;                /* network bits only, host bits zero */
    int     bits;               /* 0..128, counted on the 16-byte form */
} netaddr_cidr;

#define NETADDR_BUFSIZE 64

int netaddr_parse(const char *text, netaddr *out);
int netaddr_is_v4(const netaddr *addr);
int netaddr_cidr_parse(const char *text, netaddr_cidr *out, const char **why);
int netaddr_cidr_match(const netaddr_cidr *cidr, const netaddr *addr);
int netaddr_port_parse(const char *text);
void netaddr_format(const netaddr *addr, char *buf, size_t size);
void netaddr_cidr_format(const netaddr_cidr *cidr, char *buf, size_t size);

#endif
