/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * noop-milter.c - the reference milter: every callback, each says CONTINUE.
 *
 * SYNOPSIS
 *	noop-milter -p SOCKET [-b BACKLOG]
 *
 * DESCRIPTION
 *	Registers every libmilter callback (connect, helo, envfrom, envrcpt,
 *	data, unknown, header, eoh, body, eom, abort, close, negotiate) and
 *	answers CONTINUE to each. Its negotiate callback asks for every stage
 *	and a reply to each, and for no macros, so the MTA side sends its
 *	default set. This is the cost of "a milter" on a machine: the
 *	benchmark measures portrole against it in the same run.
 *
 *	It keeps no state and allocates nothing per connection.
 *
 * DIAGNOSTICS
 *	Exit 2 on a usage error, 1 when libmilter cannot start; libmilter's
 *	own errors go to syslog.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

/* nf_connect - CONTINUE. */
static sfsistat nf_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	(void)ctx; (void)host; (void)sa;
	return SMFIS_CONTINUE;
}

/* nf_helo - CONTINUE. */
static sfsistat nf_helo(SMFICTX *ctx, char *helo)
{
	(void)ctx; (void)helo;
	return SMFIS_CONTINUE;
}

/* nf_envelope - CONTINUE, for MAIL and RCPT alike. */
static sfsistat nf_envelope(SMFICTX *ctx, char **argv)
{
	(void)ctx; (void)argv;
	return SMFIS_CONTINUE;
}

/* nf_unknown - CONTINUE. */
static sfsistat nf_unknown(SMFICTX *ctx, const char *cmd)
{
	(void)ctx; (void)cmd;
	return SMFIS_CONTINUE;
}

/* nf_header - CONTINUE. */
static sfsistat nf_header(SMFICTX *ctx, char *name, char *value)
{
	(void)ctx; (void)name; (void)value;
	return SMFIS_CONTINUE;
}

/* nf_body - CONTINUE. */
static sfsistat nf_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	(void)ctx; (void)chunk; (void)len;
	return SMFIS_CONTINUE;
}

/* nf_event - CONTINUE, for DATA, EOH, EOM, abort and close. */
static sfsistat nf_event(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

/* nf_negotiate - every stage, a reply to each, no actions, no macros. */
static sfsistat nf_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	(void)ctx; (void)f0; (void)f1; (void)f2; (void)f3;
	*pf0 = 0;
	*pf1 = 0;
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

static struct smfiDesc noop_desc = {
	.xxfi_name = "noop-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = 0,
	.xxfi_connect = nf_connect,
	.xxfi_helo = nf_helo,
	.xxfi_envfrom = nf_envelope,
	.xxfi_envrcpt = nf_envelope,
	.xxfi_header = nf_header,
	.xxfi_eoh = nf_event,
	.xxfi_body = nf_body,
	.xxfi_eom = nf_event,
	.xxfi_abort = nf_event,
	.xxfi_close = nf_event,
	.xxfi_unknown = nf_unknown,
	.xxfi_data = nf_event,
	.xxfi_negotiate = nf_negotiate,
};

int main(int argc, char **argv)
{
	const char *sock = NULL;
	int ch, backlog = 1024;

	while ((ch = getopt(argc, argv, "p:b:")) != -1) {
		switch (ch) {
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
	if (sock == NULL || optind != argc || backlog < 1) {
		fputs("usage: noop-milter -p SOCKET [-b BACKLOG]\n", stderr);
		return 2;
	}
	if (smfi_setconn((char *)sock) == MI_FAILURE ||
	    smfi_setbacklog(backlog) == MI_FAILURE ||
	    smfi_register(noop_desc) == MI_FAILURE ||
	    smfi_opensocket(1) == MI_FAILURE) {
		fprintf(stderr, "noop-milter: cannot open %s\n", sock);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
