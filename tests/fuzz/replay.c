/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay - run a fuzz target's LLVMFuzzerTestOneInput() over files, without
 *	libFuzzer: "make check" replays every seed and every fixed crash.
 *
 * SYNOPSIS
 *	replay_TARGET [FILE|DIR]...
 *
 * DESCRIPTION
 *	With no argument, replays $top_srcdir/tests/fuzz/corpus/TARGET and
 *	$top_srcdir/tests/fuzz/regress/TARGET (TARGET is compiled in as
 *	FUZZ_TARGET; $top_srcdir defaults to $srcdir, then "."). A directory
 *	is replayed file by file in name order; a missing regress directory
 *	is no error. The input is copied into a buffer of exactly its size,
 *	as libFuzzer does, so that a read past its end is caught by valgrind
 *	or ASan.
 *
 * DIAGNOSTICS
 *	Exit 0 when every input ran (a broken invariant aborts the process),
 *	1 when no input was found or a file could not be read, 2 for usage.
 */
#include "acconfig.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef FUZZ_TARGET
#error "compile with -DFUZZ_TARGET='\"name\"'"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static unsigned long replayed;

/* replay_file - one input; returns -1 when it cannot be read */
static int replay_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    struct stat st;
    uint8_t *buf;
    size_t n;

    if (fp == NULL || fstat(fileno(fp), &st) < 0) {
        fprintf(stderr, "replay_%s: %s: %s\n", FUZZ_TARGET, path, strerror(errno));
        if (fp)
            fclose(fp);
        return -1;
    }
    /* malloc(0) may return NULL: keep one byte, pass size 0 */
    buf = malloc((size_t) st.st_size ? (size_t) st.st_size : 1);
    if (buf == NULL) {
        fclose(fp);
        return -1;
    }
    n = fread(buf, 1, (size_t) st.st_size, fp);
    fclose(fp);
    if (n != (size_t) st.st_size) {
        fprintf(stderr, "replay_%s: %s: short read\n", FUZZ_TARGET, path);
        free(buf);
        return -1;
    }
    if (getenv("REPLAY_VERBOSE"))
        fprintf(stderr, "replay_%s: %s (%zu bytes)\n", FUZZ_TARGET, path, n);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    replayed++;
    return 0;
}

/* name_cmp - scandir order */
static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* replay_path - a file, or every regular file of a directory */
static int replay_path(const char *path, int missing_ok)
{
    struct dirent **names;
    struct stat st;
    int n, rc = 0;
    char file[4096];

    if (stat(path, &st) < 0) {
        if (missing_ok && errno == ENOENT)
            return 0;
        fprintf(stderr, "replay_%s: %s: %s\n", FUZZ_TARGET, path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return replay_file(path);
    if ((n = scandir(path, &names, NULL, name_cmp)) < 0) {
        fprintf(stderr, "replay_%s: %s: %s\n", FUZZ_TARGET, path, strerror(errno));
        return -1;
    }
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
            if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && replay_file(file) < 0)
                rc = -1;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    const char *top = getenv("top_srcdir");
    char dir[4096];
    int rc = 0;

    if (top == NULL || *top == 0)
        top = getenv("srcdir");
    if (top == NULL || *top == 0)
        top = ".";
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        fprintf(stderr, "usage: replay_%s [FILE|DIR]...\n", FUZZ_TARGET);
        return 2;
    }
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            if (replay_path(argv[i], 0) < 0)
                rc = 1;
    } else {
        snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top, FUZZ_TARGET);
        if (replay_path(dir, 0) < 0)
            rc = 1;
        snprintf(dir, sizeof(dir), "%s/tests/fuzz/regress/%s", top, FUZZ_TARGET);
        if (replay_path(dir, 1) < 0)
            rc = 1;
    }
    if (replayed == 0) {
        fprintf(stderr, "replay_%s: no input replayed\n", FUZZ_TARGET);
        rc = 1;
    }
    if (rc == 0)
        printf("replay_%s: %lu inputs, every invariant held\n", FUZZ_TARGET, replayed);
    return rc;
}
