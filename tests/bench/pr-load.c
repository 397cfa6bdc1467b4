/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pr-load.c - a milter-protocol load generator: plays the MTA's side.
 *
 * SYNOPSIS
 *	pr-load [options] unix:PATH | inet:PORT@127.0.0.1
 *	pr-load --hold N [--hold-time S] SOCKET
 *
 * DESCRIPTION
 *	Opens -c connections to a milter and drives messages through each the
 *	way Postfix does: option negotiation (protocol version 6), then per
 *	SMTP session CONNECT and HELO, and per message MAIL, RCPT (-r times),
 *	DATA, the header fields, end of headers, body chunks of at most 65535
 *	bytes, end of message, and QUIT at the end of the session. A macro
 *	packet precedes each stage. The macros are those the milter asked for
 *	in its negotiation reply, or, for a stage it asked nothing for, the
 *	set Postfix 3.7 sends when every macro is requested.
 *
 *	What the milter negotiates is honoured: a stage it turned off is not
 *	sent (nor its macros), a stage it marked "no reply" is not waited for,
 *	"skip" ends the body early, modification replies are accepted at end
 *	of message until the final verdict. A message-level verdict before end
 *	of message ends the message with an abort, as Postfix does.
 *
 *	The report gives messages/s, p50/p99/max latency per message (MAIL to
 *	the final reply) and per session, the count of every reply kind and
 *	every outcome, and a last "RESULT key=value ..." line for scripts.
 *
 *	--hold N opens N sessions, runs negotiation, CONNECT and HELO on each,
 *	prints "holding N" and keeps them open for --hold-time seconds (or
 *	until SIGTERM/SIGINT), then quits them all: the memory-per-connection
 *	measurement.
 *
 *	Only loopback inet addresses and unix sockets are accepted. Every
 *	read is bounded by --timeout, every packet by a maximum length.
 *
 * DIAGNOSTICS
 *	Exit 0 when no protocol error occurred, 1 when one did (a malformed,
 *	unexpected or late reply, a closed connection), 2 on a usage error.
 *	With --expect-pass, any message not accepted also exits 1.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Commands the MTA sends. */
#define CMD_ABORT	'A'
#define CMD_BODY	'B'
#define CMD_CONNECT	'C'
#define CMD_MACRO	'D'
#define CMD_EOB		'E'
#define CMD_HELO	'H'
#define CMD_HEADER	'L'
#define CMD_MAIL	'M'
#define CMD_EOH		'N'
#define CMD_OPTNEG	'O'
#define CMD_QUIT	'Q'
#define CMD_RCPT	'R'
#define CMD_DATA	'T'

/* Protocol flags: stages the milter does not want, and "no reply" stages. */
#define P_NOCONNECT	0x00000001u
#define P_NOHELO	0x00000002u
#define P_NOMAIL	0x00000004u
#define P_NORCPT	0x00000008u
#define P_NOBODY	0x00000010u
#define P_NOHDRS	0x00000020u
#define P_NOEOH		0x00000040u
#define P_NR_HDR	0x00000080u
#define P_NOUNKNOWN	0x00000100u
#define P_NODATA	0x00000200u
#define P_SKIP		0x00000400u
#define P_RCPT_REJ	0x00000800u
#define P_NR_CONN	0x00001000u
#define P_NR_HELO	0x00002000u
#define P_NR_MAIL	0x00004000u
#define P_NR_RCPT	0x00008000u
#define P_NR_DATA	0x00010000u
#define P_NR_UNKN	0x00020000u
#define P_NR_EOH	0x00040000u
#define P_NR_BODY	0x00080000u
#define P_HDR_LEADSPC	0x00100000u
#define P_OFFERED	0x001fffffu	/* every flag of version 6 */
#define A_OFFERED	0x000001ffu	/* every action of version 6 */

#define MILTER_VERSION	6
#define MAX_PACKET	(1u << 20)	/* larger replies are a protocol error */
#define BODY_CHUNK	65535
#define OUT_FLUSH	(128 * 1024)
#define IN_BUF		8192
#define NSTAGES		7		/* connect helo mail rcpt data eom eoh */
#define MAX_CONNS	20000
#define HIST_SIZE	(64 * 128)

enum stage { ST_CONNECT, ST_HELO, ST_MAIL, ST_RCPT, ST_DATA, ST_EOM, ST_EOH };
static const char stage_cmd[NSTAGES] = { 'C', 'H', 'M', 'R', 'T', 'E', 'N' };
static const char *const stage_name[NSTAGES] =
	{ "connect", "helo", "mail", "rcpt", "data", "eom", "eoh" };

/* How an exchange ended. */
enum verdict { V_CONT, V_ACCEPT, V_REJECT, V_TEMPFAIL, V_DISCARD, V_SKIP,
	V_CLOSE, V_ERROR };

/* Options. */
struct opts {
	const char *socket;
	int conns, per_conn, rcpts, headers, port, timeout_ms, hold,
	    hold_secs, expect_pass, verbose, max_errors;
	long total;
	double duration;
	size_t body_size;
	int tls, starttls_helo;
	const char *auth, *from, *sender_domain, *rcpt_domain, *daemon_name,
	    *myhostname, *client_addr, *client_name;
};

/* What one thread measured; summed at the end. */
struct stats {
	unsigned long replies[256];
	unsigned long msgs, sessions, accepted, rejected, tempfailed,
	    discarded, rcpt_rejected, errors;
	uint64_t hist_msg[HIST_SIZE], hist_sess[HIST_SIZE];
	uint64_t max_msg, max_sess;
};

/* One milter connection. */
struct conn {
	int fd, id;
	unsigned char *out;
	size_t outlen;
	unsigned char in[IN_BUF];
	size_t inoff, inlen;
	unsigned char pkt[MAX_PACKET];
	uint32_t pktlen;
	char pktcmd;
	uint32_t version, actions, pflags;
	char *symlist[NSTAGES];		/* requested macro names, or NULL */
	unsigned long seq;		/* messages sent on this connection */
	char client_addr[64], client_port[16], queue_id[24];
	char rcpt_first[320];
	int rcpt_index;
	struct stats *st;
};

static struct opts opt = {
	.conns = 16, .per_conn = 1, .rcpts = 1, .port = 25,
	.timeout_ms = 10000, .total = 10000, .body_size = 2048,
	.max_errors = 10, .hold_secs = 3600,
	.sender_domain = "example.net", .rcpt_domain = "example.test",
	.myhostname = "mx.example.test", .client_name = "mail.example.net",
	.starttls_helo = -1,
};

static volatile sig_atomic_t stopping;
static long next_msg;			/* messages handed out so far */
static unsigned long total_errors;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static struct timespec deadline;
static char *body;			/* the message body, shared */
static char sender[320];
static pthread_mutex_t neg_lock = PTHREAD_MUTEX_INITIALIZER;
static char neg_report[2048];

static void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
struct conn;
static int conn_err(struct conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* die - print a usage or set-up error and exit 2. */
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("pr-load: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* xmalloc - malloc that exits on failure. */
static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL)
		die("out of memory");
	return p;
}

/* now_us - monotonic clock in microseconds. */
static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* hist_index - log-linear bucket (128 per power of two) of a value. */
static int hist_index(uint64_t v)
{
	int msb, shift;

	if (v < 256)
		return (int)v;
	msb = 63 - __builtin_clzll(v);
	shift = msb - 7;
	if ((shift + 1) * 128 + 127 >= HIST_SIZE)
		return HIST_SIZE - 1;
	return (shift + 1) * 128 + (int)((v >> shift) - 128);
}

/* hist_value - the upper bound of a bucket. */
static uint64_t hist_value(int idx)
{
	int shift;

	if (idx < 256)
		return (uint64_t)idx;
	shift = idx / 128 - 1;
	return ((uint64_t)(idx % 128 + 128 + 1) << shift) - 1;
}

/* conn_err - count a protocol error and say what it was; V_ERROR. */
static int conn_err(struct conn *c, const char *fmt, ...)
{
	va_list ap;
	char buf[256];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "pr-load: connection %d: protocol error: %s\n", c->id, buf);
	c->st->errors++;
	pthread_mutex_lock(&count_lock);
	if (++total_errors >= (unsigned long)opt.max_errors)
		stopping = 1;
	pthread_mutex_unlock(&count_lock);
	return V_ERROR;
}

/* put_u32 - store a 32-bit value in network order. */
static void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* get_u32 - load a 32-bit value in network order. */
static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* out_flush - write everything buffered; 0 or -1. */
static int out_flush(struct conn *c)
{
	size_t off = 0;
	ssize_t n;
	struct pollfd pfd;

	while (off < c->outlen) {
		n = send(c->fd, c->out + off, c->outlen - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			pfd.fd = c->fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, opt.timeout_ms) > 0)
				continue;
		}
		c->outlen = 0;
		return -1;
	}
	c->outlen = 0;
	return 0;
}

/* pkt_begin - start a packet of command CMD; returns where its payload goes. */
static size_t pkt_begin(struct conn *c, char cmd)
{
	if (c->outlen + 5 > OUT_FLUSH + BODY_CHUNK)
		(void)out_flush(c);
	c->out[c->outlen + 4] = (unsigned char)cmd;
	c->outlen += 5;
	return c->outlen - 5;
}

/* pkt_add - append payload bytes to the packet being built. */
static void pkt_add(struct conn *c, const void *p, size_t n)
{
	memcpy(c->out + c->outlen, p, n);
	c->outlen += n;
}

/* pkt_addstr - append a string and its NUL. */
static void pkt_addstr(struct conn *c, const char *s)
{
	pkt_add(c, s, strlen(s) + 1);
}

/* pkt_end - set the length of the packet started at START; flush if big. */
static void pkt_end(struct conn *c, size_t start)
{
	put_u32(c->out + start, (uint32_t)(c->outlen - start - 4));
	if (c->outlen >= OUT_FLUSH)
		(void)out_flush(c);
}

/* in_fill - read at least one byte more into the input buffer; 0 or -1. */
static int in_fill(struct conn *c)
{
	struct pollfd pfd;
	ssize_t n;
	int r;

	if (c->inoff == c->inlen)
		c->inoff = c->inlen = 0;
	for (;;) {
		n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, 0);
		if (n > 0) {
			c->inlen += (size_t)n;
			return 0;
		}
		if (n == 0)
			return -1;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		do
			r = poll(&pfd, 1, opt.timeout_ms);
		while (r < 0 && errno == EINTR);
		if (r <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
}

/* in_read - copy N bytes of input into DST; 0 or -1. */
static int in_read(struct conn *c, unsigned char *dst, size_t n)
{
	size_t k;

	while (n > 0) {
		if (c->inoff == c->inlen && in_fill(c) < 0)
			return -1;
		k = c->inlen - c->inoff;
		if (k > n)
			k = n;
		memcpy(dst, c->in + c->inoff, k);
		c->inoff += k;
		dst += k;
		n -= k;
	}
	return 0;
}

/* read_reply - read one packet from the milter into c->pktcmd/pkt. */
static enum verdict read_reply(struct conn *c, const char *what)
{
	unsigned char hdr[5];
	uint32_t len;

	if (out_flush(c) < 0)
		return conn_err(c, "%s: write: %s", what, strerror(errno));
	if (in_read(c, hdr, 4) < 0)
		return conn_err(c, "%s: no reply: %s", what,
		    errno ? strerror(errno) : "connection closed");
	len = get_u32(hdr);
	if (len == 0 || len > MAX_PACKET)
		return conn_err(c, "%s: bad packet length %u", what, len);
	if (in_read(c, hdr + 4, 1) < 0 || in_read(c, c->pkt, len - 1) < 0)
		return conn_err(c, "%s: short packet", what);
	c->pktcmd = (char)hdr[4];
	c->pktlen = len - 1;
	c->pkt[c->pktlen < MAX_PACKET ? c->pktlen : MAX_PACKET - 1] = 0;
	c->st->replies[hdr[4]]++;
	return V_CONT;
}

/* classify - map a stage reply to a verdict; modification replies are errors. */
static enum verdict classify(struct conn *c, const char *what, int body)
{
	switch (c->pktcmd) {
	case 'c':
		return V_CONT;
	case 'a':
		return V_ACCEPT;
	case 'r':
		return V_REJECT;
	case 't':
		return V_TEMPFAIL;
	case 'd':
		return V_DISCARD;
	case 'y':
		if (c->pktlen < 4 || (c->pkt[0] != '4' && c->pkt[0] != '5'))
			return conn_err(c, "%s: bad reply code \"%.40s\"", what, c->pkt);
		return c->pkt[0] == '4' ? V_TEMPFAIL : V_REJECT;
	case 's':
		if (body && (c->pflags & P_SKIP))
			return V_SKIP;
		return conn_err(c, "%s: skip reply not allowed here", what);
	case 'f':
	case '4':
		return V_CLOSE;
	default:
		return conn_err(c, "%s: unexpected reply '%c' (0x%02x)", what,
		    c->pktcmd > 32 && c->pktcmd < 127 ? c->pktcmd : '?',
		    (unsigned char)c->pktcmd);
	}
}

/* wait_verdict - the reply to a stage, skipping progress packets. */
static enum verdict wait_verdict(struct conn *c, const char *what, int body)
{
	enum verdict v;

	do {
		if ((v = read_reply(c, what)) != V_CONT)
			return v;
	} while (c->pktcmd == 'p');
	return classify(c, what, body);
}

/* macro_mask - stages where Postfix gives macro NAME a value (0: never). */
static unsigned macro_mask(const char *name)
{
	static const struct { const char *name; unsigned mask; } tab[] = {
		{ "j", 0x7f }, { "_", 0x7f }, { "v", 0x7f },
		{ "{daemon_name}", 0x7f }, { "{daemon_addr}", 0x7f },
		{ "{daemon_port}", 0x7f }, { "{client_addr}", 0x7f },
		{ "{client_port}", 0x7f }, { "{client_name}", 0x7f },
		{ "{client_ptr}", 0x7f }, { "{client_resolve}", 0x1f },
		{ "{client_connections}", 0x1f }, { "{tls_version}", 0x1f },
		{ "{cipher}", 0x1f }, { "{cipher_bits}", 0x1f },
		{ "{auth_type}", 0x7c }, { "{auth_authen}", 0x7c },
		{ "i", 0x78 }, { "{mail_addr}", 0x1c }, { "{mail_mailer}", 0x1c },
		{ "{mail_host}", 0x1c }, { "{rcpt_addr}", 0x18 },
		{ "{rcpt_mailer}", 0x18 }, { "{rcpt_host}", 0x18 },
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(tab[i].name, name) == 0)
			return tab[i].mask;
	return 0;
}

/* domain_of - the part after '@', or the whole string. */
static const char *domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? at + 1 : addr;
}

/* macro_value - the value of NAME at stage S for this session, or NULL. */
static const char *macro_value(struct conn *c, const char *name, int s,
    char *tmp, size_t tmplen)
{
	if (!(macro_mask(name) & (1u << s)))
		return NULL;
	if (strcmp(name, "{tls_version}") == 0 || strcmp(name, "{cipher}") == 0 ||
	    strcmp(name, "{cipher_bits}") == 0) {
		if (!opt.tls || (s == ST_CONNECT && opt.port != 465))
			return NULL;
		if (s == ST_HELO && c->rcpt_index < 0)
			return NULL;	/* first HELO, before STARTTLS */
		if (strcmp(name, "{tls_version}") == 0)
			return "TLSv1.3";
		return strcmp(name, "{cipher}") == 0 ? "TLS_AES_256_GCM_SHA384" : "256";
	}
	if (strcmp(name, "{auth_type}") == 0)
		return opt.auth ? "PLAIN" : NULL;
	if (strcmp(name, "{auth_authen}") == 0)
		return opt.auth;
	if (strcmp(name, "i") == 0)
		return s == ST_RCPT && c->rcpt_index < 1 ? NULL : c->queue_id;
	if (strcmp(name, "j") == 0)
		return opt.myhostname;
	if (strcmp(name, "v") == 0)
		return "Postfix 3.7.11";
	if (strcmp(name, "_") == 0) {
		snprintf(tmp, tmplen, "%s [%s]", opt.client_name, c->client_addr);
		return tmp;
	}
	if (strcmp(name, "{daemon_name}") == 0)
		return s == ST_EOH || s == ST_EOM ? opt.myhostname : opt.daemon_name;
	if (strcmp(name, "{daemon_addr}") == 0)
		return "127.0.0.1";
	if (strcmp(name, "{daemon_port}") == 0) {
		snprintf(tmp, tmplen, "%d", opt.port);
		return tmp;
	}
	if (strcmp(name, "{client_addr}") == 0)
		return c->client_addr;
	if (strcmp(name, "{client_port}") == 0)
		return c->client_port;
	if (strcmp(name, "{client_name}") == 0 || strcmp(name, "{client_ptr}") == 0)
		return opt.client_name;
	if (strcmp(name, "{client_resolve}") == 0)
		return "OK";
	if (strcmp(name, "{client_connections}") == 0)
		return "0";
	if (strcmp(name, "{mail_addr}") == 0)
		return sender;
	if (strcmp(name, "{mail_mailer}") == 0)
		return "smtp";
	if (strcmp(name, "{mail_host}") == 0)
		return domain_of(sender);
	if (strcmp(name, "{rcpt_addr}") == 0)
		return c->rcpt_first;
	if (strcmp(name, "{rcpt_mailer}") == 0)
		return strcmp(domain_of(c->rcpt_first), opt.rcpt_domain) == 0 ?
		    "virtual" : "smtp";
	if (strcmp(name, "{rcpt_host}") == 0)
		return domain_of(c->rcpt_first);
	return NULL;
}

/* Postfix's full set, per stage, when a milter asks for nothing there. */
static const char full_set[] =
	"j _ v {daemon_name} {daemon_addr} {daemon_port} {client_addr} "
	"{client_port} {client_name} {client_ptr} {client_resolve} "
	"{client_connections} {tls_version} {cipher} {cipher_bits} "
	"{auth_type} {auth_authen} i {mail_addr} {mail_mailer} {mail_host} "
	"{rcpt_addr} {rcpt_mailer} {rcpt_host}";

/* send_macros - the macro packet of stage S (nothing when no value). */
static void send_macros(struct conn *c, int s)
{
	const char *list = c->symlist[s] ? c->symlist[s] : full_set;
	const char *p = list, *val;
	char name[128], tmp[512];
	size_t start = 0, n;
	int any = 0;

	while (*p) {
		p += strspn(p, " ,\t");
		n = strcspn(p, " ,\t");
		if (n == 0)
			break;
		if (n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = 0;
			if ((val = macro_value(c, name, s, tmp, sizeof(tmp))) != NULL) {
				if (!any) {
					start = pkt_begin(c, CMD_MACRO);
					pkt_add(c, &stage_cmd[s], 1);
					any = 1;
				}
				pkt_addstr(c, name);
				pkt_addstr(c, val);
			}
		}
		p += n;
	}
	if (any)
		pkt_end(c, start);
}

/* parse_symlists - the macro lists in a negotiation reply after 12 bytes. */
static enum verdict parse_symlists(struct conn *c)
{
	size_t off = 12, n;
	uint32_t idx;

	while (off < c->pktlen) {
		if (c->pktlen - off < 5)
			return conn_err(c, "negotiate: truncated macro list");
		idx = get_u32(c->pkt + off);
		off += 4;
		n = strnlen((char *)c->pkt + off, c->pktlen - off);
		if (off + n >= c->pktlen && c->pkt[c->pktlen - 1] != 0)
			return conn_err(c, "negotiate: unterminated macro list");
		if (idx >= NSTAGES)
			return conn_err(c, "negotiate: macro list for stage %u", idx);
		free(c->symlist[idx]);
		c->symlist[idx] = strdup((char *)c->pkt + off);
		if (c->symlist[idx] == NULL)
			die("out of memory");
		off += n + 1;
	}
	return V_CONT;
}

/* describe_neg - one report of what the first connection negotiated. */
static void describe_neg(struct conn *c)
{
	static const struct { uint32_t bit; const char *name; } off[] = {
		{ P_NOCONNECT, "connect" }, { P_NOHELO, "helo" },
		{ P_NOMAIL, "mail" }, { P_NORCPT, "rcpt" }, { P_NODATA, "data" },
		{ P_NOHDRS, "header" }, { P_NOEOH, "eoh" }, { P_NOBODY, "body" },
		{ P_NOUNKNOWN, "unknown" },
	}, nr[] = {
		{ P_NR_CONN, "connect" }, { P_NR_HELO, "helo" },
		{ P_NR_MAIL, "mail" }, { P_NR_RCPT, "rcpt" }, { P_NR_DATA, "data" },
		{ P_NR_HDR, "header" }, { P_NR_EOH, "eoh" }, { P_NR_BODY, "body" },
		{ P_NR_UNKN, "unknown" },
	};
	size_t i, len;
	char *b = neg_report;
	int s, any = 0;

	pthread_mutex_lock(&neg_lock);
	if (*neg_report) {
		pthread_mutex_unlock(&neg_lock);
		return;
	}
	len = sizeof(neg_report);
	snprintf(b, len, "negotiated: version %u, actions 0x%x, protocol 0x%x\n"
	    "  stages off:", c->version, c->actions, c->pflags);
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		if (c->pflags & off[i].bit)
			snprintf(b + strlen(b), len - strlen(b), " %s", off[i].name);
	snprintf(b + strlen(b), len - strlen(b), "\n  no reply:");
	for (i = 0; i < sizeof(nr) / sizeof(nr[0]); i++)
		if (c->pflags & nr[i].bit)
			snprintf(b + strlen(b), len - strlen(b), " %s", nr[i].name);
	snprintf(b + strlen(b), len - strlen(b), "%s\n  macros requested:",
	    c->pflags & P_SKIP ? "\n  skip: yes" : "");
	for (s = 0; s < NSTAGES; s++)
		if (c->symlist[s]) {
			snprintf(b + strlen(b), len - strlen(b), " %s=\"%s\"",
			    stage_name[s], c->symlist[s]);
			any = 1;
		}
	snprintf(b + strlen(b), len - strlen(b), "%s\n",
	    any ? "" : " none (a Postfix-like full set is sent)");
	pthread_mutex_unlock(&neg_lock);
}

/* negotiate - option negotiation, version 6, everything offered. */
static enum verdict negotiate(struct conn *c)
{
	size_t start = pkt_begin(c, CMD_OPTNEG);
	unsigned char v[12];
	enum verdict r;

	put_u32(v, MILTER_VERSION);
	put_u32(v + 4, A_OFFERED);
	put_u32(v + 8, P_OFFERED);
	pkt_add(c, v, sizeof(v));
	pkt_end(c, start);
	if ((r = read_reply(c, "negotiate")) != V_CONT)
		return r;
	if (c->pktcmd != CMD_OPTNEG || c->pktlen < 12)
		return conn_err(c, "negotiate: reply '%c' length %u", c->pktcmd, c->pktlen);
	c->version = get_u32(c->pkt);
	c->actions = get_u32(c->pkt + 4);
	c->pflags = get_u32(c->pkt + 8);
	if (c->version < 2 || c->version > MILTER_VERSION)
		return conn_err(c, "negotiate: version %u", c->version);
	if ((c->actions & ~A_OFFERED) || (c->pflags & ~P_OFFERED))
		return conn_err(c, "negotiate: asked for actions 0x%x protocol 0x%x "
		    "beyond what was offered", c->actions, c->pflags);
	if ((r = parse_symlists(c)) != V_CONT)
		return r;
	describe_neg(c);
	return V_CONT;
}

/* stage - send macros and the command of stage S unless negotiated away,
 * and wait for the reply unless "no reply" was negotiated. */
static enum verdict stage(struct conn *c, int s, char cmd, uint32_t off,
    uint32_t nr, const void *payload, size_t len)
{
	size_t start;

	if (c->pflags & off)
		return V_CONT;
	send_macros(c, s);
	start = pkt_begin(c, cmd);
	pkt_add(c, payload, len);
	pkt_end(c, start);
	if (c->pflags & nr)
		return V_CONT;
	return wait_verdict(c, stage_name[s], 0);
}

/* session_open - connect the socket; the fd or -1. */
static int session_open(void)
{
	struct sockaddr_un sun;
	struct sockaddr_in sin;
	const char *s = opt.socket, *at;
	int fd, one = 1;

	if (strncmp(s, "unix:", 5) == 0 || strncmp(s, "local:", 6) == 0 || s[0] == '/') {
		s = s[0] == '/' ? s : strchr(s, ':') + 1;
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", s);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			return fd;
	} else {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)atoi(s + 5));
		at = strchr(s, '@');
		inet_pton(AF_INET, at ? at + 1 : "127.0.0.1", &sin.sin_addr);
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
			return -1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
			return fd;
	}
	close(fd);
	return -1;
}

/* conn_reset - forget a session's negotiated state. */
static void conn_reset(struct conn *c)
{
	int s;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->outlen = c->inoff = c->inlen = 0;
	for (s = 0; s < NSTAGES; s++) {
		free(c->symlist[s]);
		c->symlist[s] = NULL;
	}
}

/* session_start - connect, negotiate, CONNECT and HELO (twice around a
 * STARTTLS when asked, with Postfix's abort in between). */
static enum verdict session_start(struct conn *c)
{
	unsigned char buf[512];
	size_t n;
	uint16_t port;
	enum verdict v;
	static unsigned long sessions;
	unsigned long k = __atomic_fetch_add(&sessions, 1, __ATOMIC_RELAXED);

	if ((c->fd = session_open()) < 0)
		return conn_err(c, "connect %s: %s", opt.socket, strerror(errno));
	if ((v = negotiate(c)) != V_CONT)
		return v;
	if (opt.client_addr)
		snprintf(c->client_addr, sizeof(c->client_addr), "%s", opt.client_addr);
	else
		snprintf(c->client_addr, sizeof(c->client_addr), "192.0.2.%lu", 1 + k % 254);
	port = (uint16_t)(20000 + k % 40000);
	snprintf(c->client_port, sizeof(c->client_port), "%u", port);
	c->rcpt_index = -1;	/* before STARTTLS */
	n = (size_t)snprintf((char *)buf, sizeof(buf), "%s", opt.client_name) + 1;
	buf[n++] = '4';
	buf[n++] = (unsigned char)(port >> 8);
	buf[n++] = (unsigned char)port;
	n += (size_t)snprintf((char *)buf + n, sizeof(buf) - n, "%s", c->client_addr) + 1;
	if ((v = stage(c, ST_CONNECT, CMD_CONNECT, P_NOCONNECT, P_NR_CONN, buf, n)) != V_CONT)
		return v;
	n = (size_t)snprintf((char *)buf, sizeof(buf), "client-%lu.example.net", k) + 1;
	if (opt.starttls_helo) {
		if ((v = stage(c, ST_HELO, CMD_HELO, P_NOHELO, P_NR_HELO, buf, n)) != V_CONT)
			return v;
		pkt_end(c, pkt_begin(c, CMD_ABORT));
	}
	c->rcpt_index = 0;
	return stage(c, ST_HELO, CMD_HELO, P_NOHELO, P_NR_HELO, buf, n);
}

/* session_quit - QUIT and close. */
static void session_quit(struct conn *c)
{
	pkt_end(c, pkt_begin(c, CMD_QUIT));
	(void)out_flush(c);
	conn_reset(c);
}

/* send_header - one header field; returns the milter's verdict. */
static enum verdict send_header(struct conn *c, const char *name, const char *value)
{
	size_t start;

	if (c->pflags & P_NOHDRS)
		return V_CONT;
	start = pkt_begin(c, CMD_HEADER);
	pkt_addstr(c, name);
	if (c->pflags & P_HDR_LEADSPC)
		pkt_add(c, " ", 1);
	pkt_addstr(c, value);
	pkt_end(c, start);
	if (c->pflags & P_NR_HDR)
		return V_CONT;
	return wait_verdict(c, "header", 0);
}

/* send_headers - the fields Postfix's cleanup would pass on, plus -H more. */
static enum verdict send_headers(struct conn *c)
{
	char v[1400], name[32];
	enum verdict r;
	int i;

	/* Postfix passes folded fields with bare LF line ends. */
	snprintf(v, sizeof(v), "from client-%d.example.net (%s [%s])\n\tby %s "
	    "(Postfix) with ESMTP id %s\n\tfor <%s>; Thu,  1 Jan 2026 00:00:00 +0000 (UTC)",
	    c->id, opt.client_name, c->client_addr, opt.myhostname, c->queue_id,
	    c->rcpt_first);
	if ((r = send_header(c, "Received", v)) != V_CONT)
		return r;
	if ((r = send_header(c, "From", sender)) != V_CONT ||
	    (r = send_header(c, "To", c->rcpt_first)) != V_CONT ||
	    (r = send_header(c, "Subject", "pr-load test message")) != V_CONT ||
	    (r = send_header(c, "Date", "Thu, 1 Jan 2026 00:00:00 +0000")) != V_CONT)
		return r;
	snprintf(v, sizeof(v), "<%s.%lu@%s>", c->queue_id, c->seq, domain_of(sender));
	if ((r = send_header(c, "Message-ID", v)) != V_CONT)
		return r;
	for (i = 0; i < opt.headers; i++) {
		snprintf(name, sizeof(name), "X-Bench-%d", i);
		if ((r = send_header(c, name, "an extra header field of moderate length")) != V_CONT)
			return r;
	}
	return V_CONT;
}

/* send_body - body chunks of at most 65535 bytes; V_SKIP ends early. */
static enum verdict send_body(struct conn *c)
{
	size_t off = 0, n, start;
	enum verdict r;

	if (c->pflags & P_NOBODY)
		return V_CONT;
	while (off < opt.body_size) {
		n = opt.body_size - off < BODY_CHUNK ? opt.body_size - off : BODY_CHUNK;
		start = pkt_begin(c, CMD_BODY);
		pkt_add(c, body + off, n);
		pkt_end(c, start);
		off += n;
		if (c->pflags & P_NR_BODY)
			continue;
		if ((r = wait_verdict(c, "body", 1)) == V_SKIP)
			return V_CONT;
		if (r != V_CONT)
			return r;
	}
	return V_CONT;
}

/* show_reply - with -v, print the first message's EOM replies. */
static void show_reply(struct conn *c)
{
	uint32_t i;

	if (!opt.verbose || c->id != 0 || c->seq != 1)
		return;
	fprintf(stderr, "pr-load: eom reply '%c':", c->pktcmd);
	for (i = 0; i < c->pktlen; i++) {
		unsigned char ch = c->pkt[i];

		if (ch == 0)
			fputs(" | ", stderr);
		else if (ch == '\n')
			fputs("\\n", stderr);
		else if (ch < 32 || ch > 126)
			fprintf(stderr, "\\x%02x", ch);
		else
			fputc(ch, stderr);
	}
	fputc('\n', stderr);
}

/* end_of_message - EOM, then modifications until the final verdict. */
static enum verdict end_of_message(struct conn *c)
{
	enum verdict r;

	send_macros(c, ST_EOM);
	pkt_end(c, pkt_begin(c, CMD_EOB));
	for (;;) {
		if ((r = read_reply(c, "eom")) != V_CONT)
			return r;
		show_reply(c);
		switch (c->pktcmd) {
		case 'p': case 'h': case 'i': case 'm': case '+': case '-':
		case '2': case 'b': case 'e': case 'q':
			continue;
		case 's':
			return conn_err(c, "eom: skip reply not allowed here");
		default:
			r = classify(c, "eom", 0);
			return r == V_CONT ? V_ACCEPT : r;
		}
	}
}

/* envelope - MAIL and every RCPT; V_CONT when some recipient is left. */
static enum verdict envelope(struct conn *c)
{
	char buf[400];
	size_t n;
	enum verdict r;
	int i, ok = 0;

	n = (size_t)snprintf(buf, sizeof(buf), "<%s>", sender) + 1;
	if ((r = stage(c, ST_MAIL, CMD_MAIL, P_NOMAIL, P_NR_MAIL, buf, n)) != V_CONT)
		return r;
	for (i = 0; i < opt.rcpts; i++) {
		c->rcpt_index = i;
		if (i == 0)
			snprintf(c->rcpt_first, sizeof(c->rcpt_first), "user%d@%s",
			    c->id, opt.rcpt_domain);
		n = (size_t)snprintf(buf, sizeof(buf), "<user%d.%d@%s>", c->id, i,
		    opt.rcpt_domain) + 1;
		if (i == 0)
			n = (size_t)snprintf(buf, sizeof(buf), "<%s>", c->rcpt_first) + 1;
		r = stage(c, ST_RCPT, CMD_RCPT, P_NORCPT, P_NR_RCPT, buf, n);
		if (r == V_REJECT || r == V_TEMPFAIL) {
			c->st->rcpt_rejected++;
			continue;
		}
		if (r != V_CONT)
			return r;
		ok++;
	}
	return ok ? V_CONT : V_REJECT;
}

/* message - one message; V_CONT means the session may go on. */
static enum verdict message(struct conn *c)
{
	uint64_t t0 = now_us(), dt;
	enum verdict r;

	c->seq++;
	snprintf(c->queue_id, sizeof(c->queue_id), "4%X%05lX", c->id, c->seq & 0xfffff);
	r = envelope(c);
	if (r == V_CONT)
		r = stage(c, ST_DATA, CMD_DATA, P_NODATA, P_NR_DATA, "", 0);
	if (r == V_CONT)
		r = send_headers(c);
	if (r == V_CONT)
		r = stage(c, ST_EOH, CMD_EOH, P_NOEOH, P_NR_EOH, "", 0);
	if (r == V_CONT)
		r = send_body(c);
	if (r == V_CONT)
		r = end_of_message(c);
	else if (r != V_ERROR && r != V_CLOSE)
		pkt_end(c, pkt_begin(c, CMD_ABORT));	/* the transaction ends early */
	if (r == V_ERROR)
		return r;
	dt = now_us() - t0;
	c->st->msgs++;
	c->st->hist_msg[hist_index(dt)]++;
	if (dt > c->st->max_msg)
		c->st->max_msg = dt;
	switch (r) {
	case V_ACCEPT: case V_CONT: c->st->accepted++; break;
	case V_REJECT: c->st->rejected++; break;
	case V_TEMPFAIL: c->st->tempfailed++; break;
	case V_DISCARD: c->st->discarded++; break;
	default: break;
	}
	return r == V_CLOSE ? V_CLOSE : V_CONT;
}

/* take_message - claim one message of the total; 0 when none is left. */
static int take_message(void)
{
	struct timespec ts;

	if (stopping)
		return 0;
	if (opt.duration > 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (ts.tv_sec > deadline.tv_sec ||
		    (ts.tv_sec == deadline.tv_sec && ts.tv_nsec >= deadline.tv_nsec))
			return 0;
	}
	if (opt.total > 0 && __atomic_fetch_add(&next_msg, 1, __ATOMIC_RELAXED) >= opt.total)
		return 0;
	return 1;
}

/* worker - one connection's loop: sessions of -m messages until done. */
static void *worker(void *arg)
{
	struct conn *c = arg;
	uint64_t t0, dt;
	enum verdict v;
	int i, have = take_message();

	while (have) {
		t0 = now_us();
		v = session_start(c);
		if (v == V_ERROR) {
			conn_reset(c);
			have = !stopping;
			continue;
		}
		for (i = 0; i < opt.per_conn && have; i++) {
			/* A verdict at connect or HELO holds for the whole session. */
			if (v == V_CONT) {
				v = message(c);
			} else {
				c->st->msgs++;
				if (v == V_ACCEPT) c->st->accepted++;
				else if (v == V_TEMPFAIL) c->st->tempfailed++;
				else c->st->rejected++;
			}
			have = take_message();
			if (v == V_ERROR || v == V_CLOSE)
				break;
		}
		if (v == V_ERROR) {
			conn_reset(c);
			continue;
		}
		session_quit(c);
		dt = now_us() - t0;
		c->st->sessions++;
		c->st->hist_sess[hist_index(dt)]++;
		if (dt > c->st->max_sess)
			c->st->max_sess = dt;
	}
	return NULL;
}

/* conn_new - a connection slot with its buffers. */
static struct conn *conn_new(int id, struct stats *st)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		die("out of memory");
	c->out = xmalloc(OUT_FLUSH + 2 * BODY_CHUNK + 64);
	c->fd = -1;
	c->id = id;
	c->st = st;
	return c;
}

/* conn_free - release a slot. */
static void conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	conn_reset(c);
	free(c->out);
	free(c);
}

/* percentile - the value at fraction Q of a histogram. */
static double percentile(const uint64_t *h, uint64_t n, double q)
{
	uint64_t want = (uint64_t)(q * (double)n + 0.5), sum = 0;
	int i;

	if (want == 0)
		want = 1;
	for (i = 0; i < HIST_SIZE; i++)
		if ((sum += h[i]) >= want)
			return (double)hist_value(i) / 1000.0;
	return 0;
}

/* reply_name - a readable name for a reply code. */
static const char *reply_name(int ch)
{
	switch (ch) {
	case 'c': return "continue";
	case 'a': return "accept";
	case 'r': return "reject";
	case 't': return "tempfail";
	case 'y': return "replycode";
	case 'd': return "discard";
	case 's': return "skip";
	case 'p': return "progress";
	case 'h': return "addheader";
	case 'i': return "insheader";
	case 'm': return "chgheader";
	case '+': return "addrcpt";
	case '-': return "delrcpt";
	case '2': return "addrcpt_par";
	case 'b': return "replbody";
	case 'e': return "chgfrom";
	case 'q': return "quarantine";
	case 'O': return "optneg";
	case 'f': return "connfail";
	case '4': return "shutdown";
	default: return NULL;
	}
}

/* report - print what all threads measured; returns the exit status. */
static int report(struct stats *all, int n, double secs)
{
	struct stats t;
	struct rusage ru;
	int i, k;
	unsigned long other = 0;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < n; i++) {
		for (k = 0; k < 256; k++)
			t.replies[k] += all[i].replies[k];
		for (k = 0; k < HIST_SIZE; k++) {
			t.hist_msg[k] += all[i].hist_msg[k];
			t.hist_sess[k] += all[i].hist_sess[k];
		}
		t.msgs += all[i].msgs; t.sessions += all[i].sessions;
		t.accepted += all[i].accepted; t.rejected += all[i].rejected;
		t.tempfailed += all[i].tempfailed; t.discarded += all[i].discarded;
		t.rcpt_rejected += all[i].rcpt_rejected; t.errors += all[i].errors;
		if (all[i].max_msg > t.max_msg) t.max_msg = all[i].max_msg;
		if (all[i].max_sess > t.max_sess) t.max_sess = all[i].max_sess;
	}
	printf("pr-load: %s: %d connections, %d msg/session, %d rcpt, %zu-byte body, "
	    "%d extra headers, port %d%s%s\n", opt.socket, opt.conns, opt.per_conn,
	    opt.rcpts, opt.body_size, opt.headers, opt.port,
	    opt.auth ? ", auth" : "", opt.tls ? ", tls" : "");
	fputs(neg_report, stdout);
	printf("messages: %lu in %.3f s = %.1f msg/s (sessions %lu)\n", t.msgs, secs,
	    secs > 0 ? (double)t.msgs / secs : 0.0, t.sessions);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		printf("pr-load's own CPU: user %.2f s, system %.2f s\n",
		    (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
		    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	printf("latency per message (MAIL..final reply): p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
	    percentile(t.hist_msg, t.msgs, 0.50), percentile(t.hist_msg, t.msgs, 0.99),
	    (double)t.max_msg / 1000.0);
	printf("latency per session (connect..quit): p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
	    percentile(t.hist_sess, t.sessions, 0.50), percentile(t.hist_sess, t.sessions, 0.99),
	    (double)t.max_sess / 1000.0);
	printf("outcomes: accepted %lu, rejected %lu, tempfailed %lu, discarded %lu, "
	    "rcpt rejected %lu\nreplies:", t.accepted, t.rejected, t.tempfailed,
	    t.discarded, t.rcpt_rejected);
	for (k = 0; k < 256; k++) {
		if (t.replies[k] == 0)
			continue;
		if (reply_name(k))
			printf(" %s %lu", reply_name(k), t.replies[k]);
		else
			other += t.replies[k];
	}
	printf("%s%.0lu\nprotocol errors: %lu\n", other ? " unknown " : "", other, t.errors);
	printf("RESULT rate=%.1f messages=%lu secs=%.3f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
	    "accepted=%lu rejected=%lu tempfailed=%lu discarded=%lu errors=%lu "
	    "addheader=%lu insheader=%lu chgheader=%lu\n",
	    secs > 0 ? (double)t.msgs / secs : 0.0, t.msgs, secs,
	    percentile(t.hist_msg, t.msgs, 0.50), percentile(t.hist_msg, t.msgs, 0.99),
	    (double)t.max_msg / 1000.0, t.accepted, t.rejected, t.tempfailed,
	    t.discarded, t.errors, t.replies['h'], t.replies['i'], t.replies['m']);
	if (t.errors > 0)
		return 1;
	if (opt.expect_pass && (t.accepted != t.msgs || t.msgs == 0)) {
		fprintf(stderr, "pr-load: --expect-pass: %lu of %lu messages not accepted\n",
		    t.msgs - t.accepted, t.msgs);
		return 1;
	}
	return 0;
}

/* on_signal - stop starting new work. */
static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* hold - open N sessions up to HELO, keep them, then quit them all. */
static int hold(void)
{
	struct conn **cs = calloc((size_t)opt.hold, sizeof(*cs));
	struct stats *st = calloc(1, sizeof(*st));
	int i, open = 0, rc = 0;
	uint64_t until;

	if (cs == NULL || st == NULL)
		die("out of memory");
	for (i = 0; i < opt.hold && !stopping; i++) {
		cs[i] = conn_new(i, st);
		if (session_start(cs[i]) != V_CONT) {
			rc = 1;
			break;
		}
		open++;
	}
	printf("holding %d\n", open);
	fflush(stdout);
	until = now_us() + (uint64_t)opt.hold_secs * 1000000u;
	while (!stopping && now_us() < until && rc == 0)
		usleep(50000);
	for (i = 0; i < opt.hold; i++) {
		if (cs[i] && cs[i]->fd >= 0)
			session_quit(cs[i]);
		conn_free(cs[i]);
	}
	printf("released %d\nprotocol errors: %lu\n", open, st->errors);
	rc = rc || st->errors;
	free(cs);
	free(st);
	return rc;
}

/* usage - the options, then exit 2. */
static void usage(void)
{
	fputs("usage: pr-load [options] unix:PATH | inet:PORT@127.0.0.1\n"
	    "  -c N            concurrent connections (16)\n"
	    "  -n N            messages in total (10000; 0: until -t)\n"
	    "  -m N            messages per session before QUIT (1)\n"
	    "  -t SECS         stop starting messages after SECS\n"
	    "  -r N            recipients per message (1)\n"
	    "  -s BYTES        body size (2048)\n"
	    "  -H N            extra header fields (0)\n"
	    "  --port N        {daemon_port} (25); 465 sends TLS macros from connect\n"
	    "  --daemon-name S {daemon_name} (mx.example.test, ORIGINATING with --auth)\n"
	    "  --auth USER     authenticated: {auth_type}=PLAIN {auth_authen}=USER\n"
	    "  --tls           TLS macros; on ports other than 465, two HELOs (STARTTLS)\n"
	    "  --from ADDR     envelope sender (sender@SENDER-DOMAIN, or the login)\n"
	    "  --sender-domain D, --rcpt-domain D (example.net, example.test)\n"
	    "  --client-addr A client address ({client_addr}; 192.0.2.x)\n"
	    "  --hold N        open N sessions to HELO and hold them\n"
	    "  --hold-time S   how long to hold (3600, or until SIGTERM)\n"
	    "  --timeout MS    bound on every reply (10000)\n"
	    "  --max-errors N  stop after N protocol errors (10)\n"
	    "  --expect-pass   exit 1 unless every message was accepted\n"
	    "  -v              print the first message's end-of-message replies\n", stderr);
	exit(2);
}

/* num - a bounded integer option. */
static long num(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi)
		die("bad number \"%s\" (%ld..%ld)", s, lo, hi);
	return v;
}

/* check_socket - only unix sockets and loopback inet addresses. */
static void check_socket(const char *s)
{
	const char *at;
	struct in_addr a;
	char port[8];
	size_t n;

	if (strncmp(s, "unix:", 5) == 0 || strncmp(s, "local:", 6) == 0 || s[0] == '/')
		return;
	if (strncmp(s, "inet:", 5) != 0)
		die("socket must be unix:PATH or inet:PORT@127.0.0.1");
	at = strchr(s, '@');
	n = at ? (size_t)(at - s - 5) : strlen(s + 5);
	if (n == 0 || n >= sizeof(port))
		die("bad port in %s", s);
	memcpy(port, s + 5, n);
	port[n] = 0;
	num(port, 1, 65535);
	if (at && (inet_pton(AF_INET, at + 1, &a) != 1 || (ntohl(a.s_addr) >> 24) != 127))
		die("only loopback addresses: %s", s);
}

/* parse_args - fill opt from the command line. */
static void parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "port", 1, 0, 1 }, { "daemon-name", 1, 0, 2 }, { "auth", 1, 0, 3 },
		{ "tls", 0, 0, 4 }, { "from", 1, 0, 5 }, { "sender-domain", 1, 0, 6 },
		{ "rcpt-domain", 1, 0, 7 }, { "client-addr", 1, 0, 8 },
		{ "hold", 1, 0, 9 }, { "hold-time", 1, 0, 10 }, { "timeout", 1, 0, 11 },
		{ "max-errors", 1, 0, 12 }, { "expect-pass", 0, 0, 13 },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "c:n:m:t:r:s:H:vh", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': opt.conns = (int)num(optarg, 1, 4096); break;
		case 'n': opt.total = num(optarg, 0, 1000000000L); break;
		case 'm': opt.per_conn = (int)num(optarg, 1, 1000000); break;
		case 't': opt.duration = (double)num(optarg, 1, 86400); break;
		case 'r': opt.rcpts = (int)num(optarg, 1, 1000); break;
		case 's': opt.body_size = (size_t)num(optarg, 0, 64L << 20); break;
		case 'H': opt.headers = (int)num(optarg, 0, 1000); break;
		case 'v': opt.verbose = 1; break;
		case 1: opt.port = (int)num(optarg, 0, 65535); break;
		case 2: opt.daemon_name = optarg; break;
		case 3: opt.auth = optarg; break;
		case 4: opt.tls = 1; break;
		case 5: opt.from = optarg; break;
		case 6: opt.sender_domain = optarg; break;
		case 7: opt.rcpt_domain = optarg; break;
		case 8: opt.client_addr = optarg; break;
		case 9: opt.hold = (int)num(optarg, 1, MAX_CONNS); break;
		case 10: opt.hold_secs = (int)num(optarg, 0, 86400); break;
		case 11: opt.timeout_ms = (int)num(optarg, 1, 600000); break;
		case 12: opt.max_errors = (int)num(optarg, 1, 1000000); break;
		case 13: opt.expect_pass = 1; break;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	opt.socket = argv[optind];
	check_socket(opt.socket);
	if (opt.total == 0 && opt.duration <= 0)
		die("-n 0 needs -t");
	if (opt.daemon_name == NULL)
		opt.daemon_name = opt.auth ? "ORIGINATING" : opt.myhostname;
	opt.starttls_helo = opt.tls && opt.port != 465;
	if (opt.from)
		snprintf(sender, sizeof(sender), "%s", opt.from);
	else if (opt.auth && strchr(opt.auth, '@'))
		snprintf(sender, sizeof(sender), "%s", opt.auth);
	else
		snprintf(sender, sizeof(sender), "sender@%s", opt.sender_domain);
}

/* make_body - CRLF lines of printable text, exactly body_size bytes. */
static void make_body(void)
{
	size_t i;

	body = xmalloc(opt.body_size + 1);
	for (i = 0; i < opt.body_size; i++)
		body[i] = i % 78 == 76 ? '\r' : i % 78 == 77 ? '\n' :
		    (char)('a' + (i % 78) % 26);
}

/* raise_nofile - enough descriptors for every connection. */
static void raise_nofile(int need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < (rlim_t)need + 16) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < (rlim_t)need + 16)
		die("need %d file descriptors, limit is %lu", need + 16,
		    (unsigned long)rl.rlim_cur);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	pthread_t *th;
	struct conn **cs;
	struct stats *st;
	uint64_t t0;
	int i, rc;

	parse_args(argc, argv);
	make_body();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile(opt.hold ? opt.hold : opt.conns);
	if (opt.hold)
		return hold();
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)opt.duration;
	th = xmalloc((size_t)opt.conns * sizeof(*th));
	cs = xmalloc((size_t)opt.conns * sizeof(*cs));
	st = calloc((size_t)opt.conns, sizeof(*st));
	if (st == NULL)
		die("out of memory");
	t0 = now_us();
	for (i = 0; i < opt.conns; i++) {
		cs[i] = conn_new(i, &st[i]);
		if (pthread_create(&th[i], NULL, worker, cs[i]) != 0)
			die("pthread_create failed");
	}
	for (i = 0; i < opt.conns; i++)
		pthread_join(th[i], NULL);
	rc = report(st, opt.conns, (double)(now_us() - t0) / 1e6);
	for (i = 0; i < opt.conns; i++)
		conn_free(cs[i]);
	free(th);
	free(cs);
	free(st);
	free(body);
	return rc;
}
