/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * testconf - shared by the Check suites: load a config from text.
 *
 * DESCRIPTION
 *	testconf_load() writes the text to a temporary file and loads it
 *	with config_load(); on failure the errors are returned in err (when
 *	not NULL) and the result is NULL. The file is removed at once.
 */
#ifndef PORTROLE_TESTCONF_H
#define PORTROLE_TESTCONF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static inline struct pr_config *testconf_load(const char *text, strbuf *err)
{
    char path[] = "/tmp/portrole-test-XXXXXX";
    int fd = mkstemp(path);
    strbuf local = STRBUF_INIT;
    struct pr_config *cfg;

    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t) strlen(text))
        abort();
    close(fd);
    cfg = config_load(path, err ? err : &local);
    unlink(path);
    strbuf_release(&local);
    return cfg;
}

#endif
