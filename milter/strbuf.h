/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * strbuf - growable, always NUL-terminated byte strings.
 *
 * SYNOPSIS
 *	#include "strbuf.h"
 *
 *	strbuf sb = STRBUF_INIT;
 *	strbuf_puts(&sb, "text"); strbuf_printf(&sb, "%d", n);
 *	strbuf_release(&sb);
 *
 * DESCRIPTION
 *	Every variable-length string in portrole goes through this module so
 *	that no caller writes past a fixed buffer. Appending never fails
 *	(allocation failure aborts, see util.h). strbuf_str() of an empty
 *	buffer is "", never NULL. strbuf_free() and strbuf_release() accept
 *	NULL.
 */
#ifndef PORTROLE_STRBUF_H
#define PORTROLE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
    char   *data;
    size_t  len;
    size_t  cap;
} strbuf;

#define STRBUF_INIT { NULL, 0, 0 }

strbuf *strbuf_new(size_t hint);
void strbuf_free(strbuf *sb);
void strbuf_release(strbuf *sb);
void strbuf_reset(strbuf *sb);
void strbuf_truncate(strbuf *sb, size_t len);
void strbuf_append(strbuf *sb, const char *data, size_t len);
void strbuf_puts(strbuf *sb, const char *s);
void strbuf_putc(strbuf *sb, int c);
void strbuf_printf(strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(strbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
const char *strbuf_str(const strbuf *sb);
char *strbuf_detach(strbuf *sb);

#endif
