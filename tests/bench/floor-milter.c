/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * floor-milter.c - the cheapest milter that still does something.
 *
 * SYNOPSIS
 *	floor-milter [-d | -r] [-n] -p SOCKET [-b BACKLOG]
 *
 * DESCRIPTION
 *	The floor of what any milter can cost an MTA: its negotiate callback
 *	turns off every stage the MTA lets it turn off (connect, HELO, MAIL,
 *	RCPT, DATA, unknown commands, headers, end of headers, body), asks
 *	for no macros at all, and keeps only end of message, where it inserts
 *	one header field ("X-Floor: 1") and accepts. So per message the MTA
 *	opens a session, sends the end of message and waits for one reply.
 *
 *	With -d ("decides") it also takes MAIL and RCPT and answers each with
 *	continue, still without a macro: the floor of a milter that decides
 *	where portrole's SPEC says it must (at MAIL and per RCPT), so that
 *	the MTA waits for three replies per one-recipient message.
 *
 *	With -r ("RCPT only") it takes RCPT but not MAIL, and answers each
 *	RCPT with continue, no macro: the floor of a milter that refuses
 *	relay per recipient, which is where portrole gives every refusal by
 *	default (DelayReject yes: MAIL is negotiated with no reply), so that
 *	the MTA waits for two replies per one-recipient message.
 *
 *	With -n it sets TCP_NODELAY on its listening socket (an inet SOCKET;
 *	Linux hands the option on to every accepted connection), so that
 *	libmilter's header change and final reply, written as two small
 *	packets, are not held back by Nagle's algorithm until the MTA's
 *	delayed ACK. libmilter does not hand out its listening socket, so
 *	after smfi_opensocket() the floor looks for the one descriptor that
 *	is a listening TCP socket, and says on stderr that the option is on.
 *
 *	The benchmark (tests/bench/e2e.sh) measures portrole against it: the
 *	gap between the floor and "no milter" is the milter protocol itself,
 *	the gap between portrole and the floor is what portrole adds, and
 *	the gap between portrole and "floor -d" what portrole adds over the
 *	two replies any milter pays that refuses at MAIL and RCPT.
 *
 *	It keeps no state and allocates nothing per connection. A unix
 *	socket is created with umask 0, so that Postfix's user may connect.
 *
 * DIAGNOSTICS
 *	Exit 2 on a usage error, 1 when libmilter cannot start, -n finds no
 *	listening TCP socket, or the MTA cannot skip the stages (then nothing
 *	is measured); libmilter's own errors go to syslog.
 */

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

/* The stages the floor asks the MTA not to send. */
#define FLOOR_SKIP (SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOMAIL | \
	SMFIP_NORCPT | SMFIP_NODATA | SMFIP_NOUNKNOWN | SMFIP_NOHDRS | \
	SMFIP_NOEOH | SMFIP_NOBODY)

/* -d: MAIL and RCPT are sent, and waited for; -r: RCPT only. */
static int decides, rcpt_only;

/* fm_continue - the answer at MAIL and RCPT with -d. */
static sfsistat fm_continue(SMFICTX *ctx, char **argv)
{
	(void)ctx; (void)argv;
	return SMFIS_CONTINUE;
}

/* fm_eom - insert the one header and accept. */
static sfsistat fm_eom(SMFICTX *ctx)
{
	if (smfi_insheader(ctx, 0, "X-Floor", "1") == MI_FAILURE)
		return SMFIS_TEMPFAIL;
	return SMFIS_ACCEPT;
}

/* fm_negotiate - every stage the MTA can skip skipped; no macros. */
static sfsistat fm_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	(void)f2; (void)f3;
	if ((f0 & SMFIF_ADDHDRS) == 0)
		return SMFIS_REJECT;
	*pf0 = SMFIF_ADDHDRS;
	*pf1 = f1 & FLOOR_SKIP & ~(decides ? (unsigned long)(SMFIP_NOMAIL |
	    SMFIP_NORCPT) : rcpt_only ? (unsigned long)SMFIP_NORCPT : 0UL);
	*pf2 = 0;
	*pf3 = 0;
	/* Empty lists: the MTA sends no macro with any stage. */
	(void)smfi_setsymlist(ctx, SMFIM_EOM, "");
	if (decides)
		(void)smfi_setsymlist(ctx, SMFIM_ENVFROM, "");
	if (decides || rcpt_only)
		(void)smfi_setsymlist(ctx, SMFIM_ENVRCPT, "");
	return SMFIS_CONTINUE;
}

/*
 * nodelay_listener - TCP_NODELAY on the listening TCP socket that
 * smfi_opensocket() made: the one open descriptor that listens and is
 * TCP. Returns its descriptor, or -1.
 */
static int nodelay_listener(void)
{
	int one = 1, fd;

	for (fd = 3; fd < 1024; fd++) {
		int listening = 0, proto = 0, on = 0;
		socklen_t len = sizeof(listening);

		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 ||
		    !listening)
			continue;
		len = sizeof(proto);
		if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) != 0 ||
		    proto != IPPROTO_TCP)
			continue;
		len = sizeof(on);
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
		    getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) != 0 || !on)
			return -1;
		return fd;
	}
	return -1;
}

static struct smfiDesc floor_desc = {
	.xxfi_name = "floor-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS,
	.xxfi_eom = fm_eom,
	.xxfi_negotiate = fm_negotiate,
};

int main(int argc, char **argv)
{
	const char *sock = NULL;
	int ch, backlog = 1024, nodelay = 0, fd;

	while ((ch = getopt(argc, argv, "drnp:b:")) != -1) {
		switch (ch) {
		case 'd':
			decides = 1;
			break;
		case 'r':
			rcpt_only = 1;
			break;
		case 'n':
			nodelay = 1;
			break;
		case 'p':
			sock = optarg;
			break;
		case 'b':
			backlog = atoi(optarg);
			break;
		default:
			sock = NULL;
			optind = argc + 1;
			break;
		}
	}
	if (sock == NULL || optind != argc || backlog < 1 || (decides && rcpt_only)) {
		fputs("usage: floor-milter [-d | -r] [-n] -p SOCKET [-b BACKLOG]\n", stderr);
		return 2;
	}
	umask(0);
	if (decides)
		floor_desc.xxfi_envfrom = fm_continue;
	if (decides || rcpt_only)
		floor_desc.xxfi_envrcpt = fm_continue;
	if (smfi_setconn((char *)sock) == MI_FAILURE ||
	    smfi_setbacklog(backlog) == MI_FAILURE ||
	    smfi_register(floor_desc) == MI_FAILURE ||
	    smfi_opensocket(1) == MI_FAILURE) {
		fprintf(stderr, "floor-milter: cannot open %s\n", sock);
		return 1;
	}
	if (nodelay) {
		if ((fd = nodelay_listener()) < 0) {
			fprintf(stderr, "floor-milter: -n: no listening TCP socket for %s\n", sock);
			return 1;
		}
		fprintf(stderr, "floor-milter: TCP_NODELAY on the listening socket (fd %d)\n", fd);
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
