/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * strbuf - growable strings; see strbuf.h.
 *
 * DIAGNOSTICS
 *	None: allocation failure aborts in util_malloc().
 */
#include "acconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "util.h"

/* grow - make room for extra more bytes plus the terminator */
static void grow(strbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;

    if (need <= sb->cap)
        return;
    if (need < sb->len)                 /* overflow */
        abort();
    size_t cap = sb->cap ? sb->cap : 64;

    while (cap < need)
        cap *= 2;
    sb->data = util_realloc(sb->data, cap);
    sb->cap = cap;
}

/* strbuf_new - allocate an empty buffer */
strbuf *strbuf_new(size_t hint)
{
    strbuf *sb = util_calloc(1, sizeof(*sb));

    grow(sb, hint);
    sb->data[0] = 0;
    return sb;
}

/* strbuf_release - free the contents of an embedded buffer */
void strbuf_release(strbuf *sb)
{
    if (sb == NULL)
        return;
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}

/* strbuf_free - free a buffer from strbuf_new() */
void strbuf_free(strbuf *sb)
{
    strbuf_release(sb);
    free(sb);
}

/* strbuf_reset - empty, keeping the allocation */
void strbuf_reset(strbuf *sb)
{
    strbuf_truncate(sb, 0);
}

/* strbuf_truncate - shorten to len bytes */
void strbuf_truncate(strbuf *sb, size_t len)
{
    if (len < sb->len)
        sb->len = len;
    if (sb->data)
        sb->data[sb->len] = 0;
}

/* strbuf_append - append len bytes (which may include NUL) */
void strbuf_append(strbuf *sb, const char *data, size_t len)
{
    grow(sb, len);
    if (len)
        memcpy(sb->data + sb->len, data, len);
    sb->len += len;
    sb->data[sb->len] = 0;
}

/* strbuf_puts - append a C string */
void strbuf_puts(strbuf *sb, const char *s)
{
    strbuf_append(sb, s, strlen(s));
}

/* strbuf_putc - append one byte */
void strbuf_putc(strbuf *sb, int c)
{
    char ch = (char) c;

    strbuf_append(sb, &ch, 1);
}

/* strbuf_vprintf - append formatted text */
void strbuf_vprintf(strbuf *sb, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return;
    grow(sb, (size_t) n);
    vsnprintf(sb->data + sb->len, (size_t) n + 1, fmt, ap);
    sb->len += (size_t) n;
}

/* strbuf_printf - append formatted text */
void strbuf_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    strbuf_vprintf(sb, fmt, ap);
    va_end(ap);
}

/* strbuf_str - the contents, "" when empty */
const char *strbuf_str(const strbuf *sb)
{
    return sb->data ? sb->data : "";
}

/* strbuf_detach - hand the contents to the caller, leaving the buffer empty */
char *strbuf_detach(strbuf *sb)
{
    char *s = sb->data ? sb->data : util_strdup("");

    sb->data = NULL;
    sb->len = sb->cap = 0;
    return s;
}
