/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditlog_reader - stream a mail log file in bounded lines.
 *
 * SYNOPSIS
 *	#include "auditlog_reader.h"
 *
 *	struct audit_reader *rd = auditlog_reader_open(path, &err);
 *	struct audit_reader *rd = auditlog_reader_open_mem(name, data, len, &err);
 *	while (auditlog_reader_line(rd, &line, &len, &truncated) > 0)
 *	    ...;
 *	auditlog_reader_close(rd);
 *
 * DESCRIPTION
 *	The reader streams a file, stdin ("-") or a gzip file (detected by
 *	its magic bytes; needs zlib) in lines of at most AUDIT_LINE_MAX-1
 *	bytes: longer lines are cut and flagged, NUL bytes become '?'.
 *	auditlog_reader_open_mem() reads LEN bytes in memory (plain or gzip)
 *	the same way, line for line; NAME only names them in messages, and
 *	the data must stay in place until the reader is closed.
 *	auditlog_reader_mtime() is the file's modification time (now for a
 *	pipe), the reference for the year of RFC 3164 time stamps.
 *	auditlog_reader_progress() gives the bytes of the file read so far
 *	(of the compressed file for .gz) and its size; it returns -1 for
 *	input whose size is unknown (a pipe).
 *
 * DIAGNOSTICS
 *	auditlog_reader_open() returns NULL with a message in err;
 *	auditlog_reader_line() returns -1 on a read error (message in
 *	auditlog_reader_error()).
 */
#ifndef PORTROLE_AUDITLOG_READER_H
#define PORTROLE_AUDITLOG_READER_H

#include <stddef.h>
#include <time.h>

#include "strbuf.h"

#define AUDIT_LINE_MAX      65536

struct audit_reader;

struct audit_reader *auditlog_reader_open(const char *path, strbuf *err);
struct audit_reader *auditlog_reader_open_mem(const char *name, const void *data,
                                              size_t len, strbuf *err);
int auditlog_reader_line(struct audit_reader *rd, char **line, size_t *len,
                         int *truncated);
time_t auditlog_reader_mtime(const struct audit_reader *rd);
const char *auditlog_reader_error(const struct audit_reader *rd);
int auditlog_reader_progress(const struct audit_reader *rd, long long *done,
                             long long *total);
void auditlog_reader_close(struct audit_reader *rd);

#endif
