/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * util - memory and string helpers; see util.h.
 *
 * DIAGNOSTICS
 *	Allocation failure writes one line to syslog and stderr, then aborts.
 */
#include "acconfig.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* out_of_memory - there is no safe way on */
static void out_of_memory(size_t len)
{
    syslog(LOG_CRIT, "fatal: out of memory allocating %zu bytes", len);
    fprintf(stderr, "portrole: fatal: out of memory allocating %zu bytes\n", len);
    abort();
}

/* util_malloc - allocate or die */
void *util_malloc(size_t len)
{
    void *p = malloc(len ? len : 1);

    if (p == NULL)
        out_of_memory(len);
    return p;
}

/* util_calloc - allocate zeroed memory or die */
void *util_calloc(size_t n, size_t len)
{
    void *p = calloc(n ? n : 1, len ? len : 1);

    if (p == NULL)
        out_of_memory(n * len);
    return p;
}

/* util_realloc - resize or die */
void *util_realloc(void *ptr, size_t len)
{
    void *p = realloc(ptr, len ? len : 1);

    if (p == NULL)
        out_of_memory(len);
    return p;
}

/* util_strdup - copy a string or die; NULL stays NULL */
char *util_strdup(const char *s)
{
    return s ? util_strndup(s, strlen(s)) : NULL;
}

/* util_strndup - copy at most len bytes and terminate */
char *util_strndup(const char *s, size_t len)
{
    size_t n = strnlen(s, len);
    char *p = util_malloc(n + 1);

    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

/* util_strlcpy - bounded copy; returns strlen(src) so callers can detect truncation */
size_t util_strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size > 0) {
        size_t n = len < size - 1 ? len : size - 1;

        memcpy(dst, src, n);
        dst[n] = 0;
    }
    return len;
}

/* util_strcaseeq - ASCII case-insensitive equality, NULL-safe */
int util_strcaseeq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char) *a) != tolower((unsigned char) *b))
            return 0;
    return *a == *b;
}

/* util_lowercase - fold ASCII letters in place */
void util_lowercase(char *s)
{
    for (; s && *s; s++)
        *s = (char) tolower((unsigned char) *s);
}

/* util_trim - strip leading and trailing white space in place */
char *util_trim(char *s)
{
    char *end;

    while (isspace((unsigned char) *s))
        s++;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char) end[-1]))
        *--end = 0;
    return s;
}

/* util_random_hex - nhex lowercase hex digits from the kernel's generator, NUL-terminated */
void util_random_hex(char *out, size_t nhex)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[32];
    size_t nbytes = (nhex + 1) / 2, i;

    if (nbytes > sizeof(raw))
        nbytes = sizeof(raw), nhex = 2 * sizeof(raw);
    if (getrandom(raw, nbytes, GRND_NONBLOCK) != (ssize_t) nbytes) {
        /* Early boot without entropy: uniqueness, not secrecy, is what a ref needs. */
        struct timespec ts;
        uint64_t x;

        clock_gettime(CLOCK_REALTIME, &ts);
        x = ((uint64_t) ts.tv_sec << 30) ^ (uint64_t) ts.tv_nsec ^ ((uint64_t) getpid() << 48)
            ^ (uint64_t) (uintptr_t) &ts;
        for (i = 0; i < nbytes; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            raw[i] = (unsigned char) x;
        }
    }
    for (i = 0; i < nhex; i++)
        out[i] = hex[(raw[i / 2] >> ((i % 2) ? 0 : 4)) & 0xf];
    out[nhex] = 0;
}
