/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz - helpers shared by the libFuzzer targets and their replay driver.
 *
 * SYNOPSIS
 *	#include "fuzz.h"
 *
 *	struct fz_in in;
 *	fz_init(&in, data, size);
 *	flags = fz_byte(&in); name = fz_str(&in); ...
 *	fz_free(&in);
 *
 *	cfg = fz_config_text(text, len);	   NULL: the text did not load
 *	FZ_CHECK(cond, "what");			   abort() with a message
 *	fz_check_header("X-Port-Role", value);	   one well-formed header value
 *	fz_check_line(line, len);		   one printable ASCII line
 *
 * DESCRIPTION
 *	A target reads its input as a few flag bytes followed by strings
 *	separated by NUL bytes: a macro or header value is a C string, so it
 *	can never hold a NUL, and the separator keeps the seed files easy to
 *	write with printf(1). fz_str() past the end of the input returns "",
 *	fz_byte() returns 0; the input always decodes to something.
 *
 *	Invariants are checked with FZ_CHECK(), which prints the broken rule
 *	and calls abort(): libFuzzer records the input as a crash, the replay
 *	driver (make check) fails. Nothing here knows libFuzzer, so the same
 *	file builds with gcc for the replay tests.
 *
 *	fz_config_text() loads a config from text in memory with
 *	config_load_text(), the parser config_load() hands a file's text to:
 *	no file per input.
 */
#ifndef PORTROLE_FUZZ_H
#define PORTROLE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "header.h"
#include "strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The text under test, printed when an invariant breaks (NULL: none). */
static const char *fz_context __attribute__((unused));

#define FZ_CHECK(cond, what) do { \
        if (!(cond)) { \
            fprintf(stderr, "fuzz invariant broken: %s (%s) at %s:%d\n", \
                    (what), #cond, __FILE__, __LINE__); \
            if (fz_context) \
                fprintf(stderr, "in:\n%s\n", fz_context); \
            abort(); \
        } \
    } while (0)

#define FZ_MAX_STRS 64

struct fz_in {
    const uint8_t *p;
    size_t  n;
    char   *strs[FZ_MAX_STRS];  /* owned copies, freed by fz_free() */
    size_t  nstrs;
};

/* fz_init - start reading an input */
static inline void fz_init(struct fz_in *in, const uint8_t *data, size_t size)
{
    in->p = data;
    in->n = size;
    in->nstrs = 0;
}

/* fz_byte - the next byte, 0 past the end */
static inline unsigned fz_byte(struct fz_in *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

/* fz_left - bytes not read yet */
static inline size_t fz_left(const struct fz_in *in)
{
    return in->n;
}

/* fz_str - the bytes up to the next NUL (or the end), as an owned C string */
static inline char *fz_str(struct fz_in *in)
{
    const uint8_t *nul = in->n ? memchr(in->p, 0, in->n) : NULL;
    size_t len = nul ? (size_t) (nul - in->p) : in->n;
    char *s;

    if (in->nstrs == FZ_MAX_STRS)
        return (char *) "";
    s = malloc(len + 1);
    FZ_CHECK(s != NULL, "out of memory in the harness");
    memcpy(s, in->p, len);
    s[len] = 0;
    in->p += len + (nul != NULL);
    in->n -= len + (nul != NULL);
    in->strs[in->nstrs++] = s;
    return s;
}

/* fz_str_or_null - like fz_str(), but a string "\x01" stands for NULL */
static inline const char *fz_str_or_null(struct fz_in *in)
{
    const char *s = fz_str(in);

    return strcmp(s, "\x01") == 0 ? NULL : s;
}

/* fz_free - release every string fz_str() returned */
static inline void fz_free(struct fz_in *in)
{
    for (size_t i = 0; i < in->nstrs; i++)
        free(in->strs[i]);
    in->nstrs = 0;
}

/* fz_config_text - load a config from text, NULL when it has errors */
static inline struct pr_config *fz_config_text(const char *text, size_t len,
                                               strbuf *errors)
{
    return config_load_text("fuzz.conf", text, len, errors);
}

/*
 * fz_known - a reported, not yet fixed fault that $FUZZ_KNOWN (a list of
 * names) asks to step over, so that fuzzing explores past it meanwhile.
 */
static inline int fz_known(const char *name)
{
    const char *k = getenv("FUZZ_KNOWN");
    size_t n = strlen(name);

    for (const char *p = k; p && (p = strstr(p, name)) != NULL; p += n)
        if ((p == k || p[-1] == ',' || p[-1] == ' ') && (p[n] == 0 || p[n] == ',' || p[n] == ' '))
            return 1;
    return 0;
}

/* fz_check_line - one line of printable ASCII: what a log line or reply must be */
static inline void fz_check_line(const char *s, size_t len)
{
    fz_context = s;
    FZ_CHECK(strlen(s) == len, "NUL inside the line");
    for (size_t i = 0; i < len; i++)
        FZ_CHECK((unsigned char) s[i] >= 0x20 && (unsigned char) s[i] < 0x7f,
                 "control or 8-bit byte in a one-line text");
    fz_context = NULL;
}

/*
 * fz_check_header - a header value as the milter hands it to smfi_insheader():
 * no NUL, no CR, every LF starts a fold ("\n\t", or "\n " before a space of
 * the value itself: RFC 5322 folding), no other control byte,
 * no physical line (the first counted with "NAME: ") longer than 998.
 */
static inline void fz_check_header(const char *name, const strbuf *value)
{
    const char *v = strbuf_str(value);
    size_t col = name ? strlen(name) + 2 : 0;

    fz_context = v;
    FZ_CHECK(strlen(v) == value->len, "NUL inside a header value");
    FZ_CHECK(value->len > 0, "empty header value");
    for (size_t i = 0; i < value->len; i++) {
        unsigned char c = (unsigned char) v[i];

        FZ_CHECK(c != '\r', "CR in a header value");
        if (c == '\n') {
            /* "\n\t" between items; "\n " before a value's own space (unfolds exactly) */
            FZ_CHECK(v[i + 1] == '\t' || v[i + 1] == ' ', "LF that is not a fold in a header value");
            /* RFC 5322 3.2.2/4.2: a line of white space only is obs-FWS, never generated. */
            FZ_CHECK((v[i + 1 + strspn(v + i + 1, " \t")] != '\n'
                                             && v[i + 1 + strspn(v + i + 1, " \t")] != 0),
                     "physical header line of white space only");
            col = 0;
            continue;
        }
        FZ_CHECK(c == '\t' || (c >= 0x20 && c < 0x7f), "control or 8-bit byte in a header");
        col++;
        FZ_CHECK(col <= HEADER_LINE_MAX, "physical header line longer than 998");
    }
    fz_context = NULL;
}

#endif
