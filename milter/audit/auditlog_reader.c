/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditlog_reader - stream a mail log in bounded lines; see auditlog_reader.h.
 *
 * DESCRIPTION
 *	One buffer of READ_CHUNK + AUDIT_LINE_MAX bytes per open file: memory
 *	does not grow with the input. zlib's gzread() passes data that is
 *	not gzip through unchanged, so one code path reads both.
 *
 *	Text in memory is copied once into a buffer of its own size and
 *	marked at end of input; gzip text in memory is inflated chunk by
 *	chunk into the file buffer instead. Either way the lines come out of
 *	the one line splitter, auditlog_reader_line(), that files use.
 *
 * DIAGNOSTICS
 *	See auditlog_reader.h.
 */
#include "acconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

#include "auditlog_reader.h"
#include "util.h"

#define READ_CHUNK  (256 * 1024)

#ifdef HAVE_ZLIB
#define HAVE_ZLIB_FLAG 1
#else
#define HAVE_ZLIB_FLAG 0
#endif

struct audit_reader {
    int         fd;                 /* -1: text in memory */
#ifdef HAVE_ZLIB
    gzFile      gz;
    z_stream    zs;                 /* gzip text in memory */
    int         zs_on, zs_done;
#endif
    const unsigned char *mem;       /* gzip text in memory, not owned */
    size_t      mem_len;
    char       *buf;                /* READ_CHUNK + AUDIT_LINE_MAX + 1 */
    size_t      start, end;
    int         eof, discard, failed;
    time_t      mtime;
    long long   size;               /* -1: not a regular file */
    long long   raw;                /* bytes read without zlib */
    strbuf      path;
    strbuf      err;
};

/* auditlog_reader_open - a file, or stdin for "-"; NULL with err set */
struct audit_reader *auditlog_reader_open(const char *path, strbuf *err)
{
    struct audit_reader *rd;
    struct stat st;
    int fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        strbuf_printf(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        strbuf_printf(err, "%s: is a directory", path);
        close(fd);
        return NULL;
    }
    rd = util_calloc(1, sizeof(*rd));
    rd->fd = fd;
    rd->mtime = S_ISREG(st.st_mode) ? st.st_mtime : time(NULL);
    rd->size = S_ISREG(st.st_mode) ? (long long) st.st_size : -1;
    rd->buf = util_malloc(READ_CHUNK + AUDIT_LINE_MAX + 1);
#ifdef HAVE_ZLIB
    /* gzread() passes data that is not gzip through unchanged. */
    if ((rd->gz = gzdopen(fd, "rb")) == NULL) {
        strbuf_printf(err, "%s: cannot open: out of memory", path);
        auditlog_reader_close(rd);
        return NULL;
    }
    gzbuffer(rd->gz, 128 * 1024);
#endif
    strbuf_puts(&rd->path, path);
    return rd;
}

/* is_gzip - whether the bytes start with gzip's magic number */
static int is_gzip(const unsigned char *p, size_t len)
{
    return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* gzip_refused - the message for gzip input without zlib; always -1 */
static int gzip_refused(strbuf *err, const char *path)
{
    strbuf_printf(err, "%s: gzip input, but portrole-audit was built "
                  "without zlib: decompress it first (zcat %s | portrole-audit)",
                  path, path);
    return -1;
}

/*
 * auditlog_reader_open_mem - LEN bytes of DATA (plain or gzip), named NAME
 *	in messages; DATA must outlive the reader. NULL with err set.
 */
struct audit_reader *auditlog_reader_open_mem(const char *name, const void *data,
                                              size_t len, strbuf *err)
{
    struct audit_reader *rd;

    if (!HAVE_ZLIB_FLAG && is_gzip(data, len)) {
        (void) gzip_refused(err, name);
        return NULL;
    }
    rd = util_calloc(1, sizeof(*rd));
    rd->fd = -1;
    rd->mtime = time(NULL);
    rd->size = (long long) len;
    strbuf_puts(&rd->path, name);
#ifdef HAVE_ZLIB
    if (is_gzip(data, len)) {
        /* 16 + MAX_WBITS: a gzip wrapper, as gzread() expects */
        if (inflateInit2(&rd->zs, 16 + MAX_WBITS) != Z_OK) {
            strbuf_printf(err, "%s: cannot open: out of memory", name);
            auditlog_reader_close(rd);
            return NULL;
        }
        rd->zs_on = 1;
        rd->mem = data;
        rd->mem_len = len;
        rd->buf = util_malloc(READ_CHUNK + AUDIT_LINE_MAX + 1);
        return rd;
    }
#endif
    rd->buf = util_malloc(len + 1);
    if (len > 0)
        memcpy(rd->buf, data, len);
    rd->end = len;
    rd->raw = (long long) len;
    rd->eof = 1;
    return rd;
}

#ifdef HAVE_ZLIB
/*
 * fill_inflate - inflate more of the gzip text in memory after end. As with
 *	gzread(), a second gzip member goes on, anything else after one is
 *	ignored, and a cut or corrupt stream is an error.
 */
static int fill_inflate(struct audit_reader *rd)
{
    z_stream *zs = &rd->zs;
    const char *path = strbuf_str(&rd->path);
    int rc;

    if ((size_t) rd->raw == rd->mem_len) {
        strbuf_printf(&rd->err, "%s: unexpected end of file", path);
        return -1;
    }
    zs->next_in = (unsigned char *) rd->mem + rd->raw;
    zs->avail_in = (unsigned) (rd->mem_len - (size_t) rd->raw);
    zs->next_out = (unsigned char *) rd->buf + rd->end;
    zs->avail_out = (unsigned) (READ_CHUNK + AUDIT_LINE_MAX - rd->end);
    rc = inflate(zs, Z_NO_FLUSH);
    rd->end = (size_t) ((char *) zs->next_out - rd->buf);
    rd->raw = (long long) (rd->mem_len - zs->avail_in);
    if (rc == Z_STREAM_END) {
        if (!is_gzip(zs->next_in, zs->avail_in))
            rd->zs_done = 1;                /* trailing bytes: ignored */
        else if (inflateReset(zs) != Z_OK)
            rc = Z_MEM_ERROR;
    }
    if (rc == Z_BUF_ERROR) {                /* no progress: the input is used up */
        strbuf_printf(&rd->err, "%s: unexpected end of file", path);
        return -1;
    }
    if (rc != Z_OK && rc != Z_STREAM_END) {
        strbuf_printf(&rd->err, "%s: %s", path, zs->msg ? zs->msg : "corrupt gzip data");
        return -1;
    }
    return 1;
}
#endif

/* fill - read more bytes after end; 0 at end of input, -1 on error */
static int fill(struct audit_reader *rd)
{
    size_t room = READ_CHUNK + AUDIT_LINE_MAX - rd->end;
    const char *path = strbuf_str(&rd->path);
    long n;

    if (rd->fd < 0) {               /* text in memory */
#ifdef HAVE_ZLIB
        if (rd->zs_on && !rd->zs_done)
            return fill_inflate(rd);
#endif
        return 0;
    }
#ifdef HAVE_ZLIB
    int zerr;

    n = gzread(rd->gz, rd->buf + rd->end, (unsigned) room);
    if (n == 0)                             /* a cut .gz ends in an error, not EOF */
        (void) gzerror(rd->gz, &zerr);
    else
        zerr = Z_OK;
    if (n < 0 || (zerr != Z_OK && zerr != Z_STREAM_END)) {
        const char *what = gzerror(rd->gz, &zerr);

        strbuf_printf(&rd->err, "%s: %s", path, zerr == Z_ERRNO ? strerror(errno) : what);
        return -1;
    }
#else
    do
        n = read(rd->fd, rd->buf + rd->end, room);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        strbuf_printf(&rd->err, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (rd->end == 0 && rd->start == 0 && is_gzip((unsigned char *) rd->buf, (size_t) n))
        return gzip_refused(&rd->err, path);
#endif
    rd->end += (size_t) n;
    rd->raw += n;
    return n > 0;
}

/* emit - hand out buf[start, start+len) as a C string */
static void emit_line(struct audit_reader *rd, size_t len, char **line, size_t *out)
{
    char *s = rd->buf + rd->start;

    s[len] = 0;
    if (len > 0 && s[len - 1] == '\r')
        s[--len] = 0;
    for (char *z = memchr(s, 0, len); z != NULL; z = memchr(z, 0, len - (size_t) (z - s)))
        *z = '?';
    *line = s;
    *out = len;
}

/* auditlog_reader_line - the next line: 1, 0 at the end, -1 on error */
int auditlog_reader_line(struct audit_reader *rd, char **line, size_t *len,
                         int *truncated)
{
    *truncated = 0;
    if (rd->failed)
        return -1;
    for (;;) {
        char *nl = memchr(rd->buf + rd->start, '\n', rd->end - rd->start);
        size_t have = rd->end - rd->start;

        if (rd->discard) {                  /* the rest of an overlong line */
            if (nl == NULL) {
                rd->start = rd->end = 0;
                if (rd->eof)
                    rd->discard = 0;
            } else {
                rd->start = (size_t) (nl - rd->buf) + 1;
                rd->discard = 0;
                continue;
            }
        } else if (nl != NULL) {
            size_t n = (size_t) (nl - rd->buf) - rd->start;

            if (n >= AUDIT_LINE_MAX - 1) {
                n = AUDIT_LINE_MAX - 1;
                *truncated = 1;
            }
            emit_line(rd, n, line, len);
            rd->start = (size_t) (nl - rd->buf) + 1;
            return 1;
        } else if (have >= AUDIT_LINE_MAX - 1) {
            emit_line(rd, AUDIT_LINE_MAX - 1, line, len);
            rd->start = rd->end;            /* the cut tail is dropped */
            rd->discard = 1;
            *truncated = 1;
            return 1;
        } else if (rd->eof) {
            if (have == 0)
                return 0;
            emit_line(rd, have, line, len);
            rd->start = rd->end;
            return 1;
        } else if (rd->start > 0) {
            memmove(rd->buf, rd->buf + rd->start, have);
            rd->start = 0;
            rd->end = have;
        }
        if (!rd->eof) {
            int rc = fill(rd);

            if (rc < 0) {
                rd->failed = 1;
                return -1;
            }
            if (rc == 0)
                rd->eof = 1;
        }
    }
}

/* auditlog_reader_mtime - the file's modification time (now for a pipe) */
time_t auditlog_reader_mtime(const struct audit_reader *rd)
{
    return rd->mtime;
}

/* auditlog_reader_error - the last read error */
const char *auditlog_reader_error(const struct audit_reader *rd)
{
    return strbuf_str(&rd->err);
}

/* auditlog_reader_progress - bytes of the file read and its size; -1 for a pipe */
int auditlog_reader_progress(const struct audit_reader *rd, long long *done,
                             long long *total)
{
    if (rd->size < 0)
        return -1;
#ifdef HAVE_ZLIB
    *done = rd->fd < 0 ? rd->raw : (long long) gzoffset(rd->gz);
#else
    *done = rd->raw;
#endif
    *total = rd->size;
    return 0;
}

/* auditlog_reader_close - release; NULL is fine */
void auditlog_reader_close(struct audit_reader *rd)
{
    if (rd == NULL)
        return;
#ifdef HAVE_ZLIB
    if (rd->zs_on)
        inflateEnd(&rd->zs);
    if (rd->gz != NULL)
        gzclose(rd->gz);
    else
#endif
    if (rd->fd >= 0)
        close(rd->fd);
    free(rd->buf);
    strbuf_release(&rd->path);
    strbuf_release(&rd->err);
    free(rd);
}

