/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * util - memory and string helpers shared by every module.
 *
 * SYNOPSIS
 *	#include "util.h"
 *
 * DESCRIPTION
 *	util_malloc() and friends never return NULL: an allocation failure
 *	logs and aborts, as Postfix's mymalloc() does, because a milter that
 *	limps on without memory would lose mail silently.
 *	util_strlcpy() copies with truncation and reports the length it wanted.
 *	util_strcaseeq() compares ASCII case-insensitively.
 */
#ifndef PORTROLE_UTIL_H
#define PORTROLE_UTIL_H

#include <stddef.h>

void *util_malloc(size_t len);
void *util_calloc(size_t n, size_t len);
void *util_realloc(void *ptr, size_t len);
char *util_strdup(const char *s);
char *util_strndup(const char *s, size_t len);
size_t util_strlcpy(char *dst, const char *src, size_t size);
int util_strcaseeq(const char *a, const char *b);
void util_lowercase(char *s);
char *util_trim(char *s);
void util_random_hex(char *out, size_t nhex);

#endif
