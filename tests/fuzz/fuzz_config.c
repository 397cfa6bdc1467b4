/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_config - the portrole.conf parser.
 *
 * INPUT
 *	The whole input is the config file.
 *
 * INVARIANTS
 *	- config_load() returns a config, or NULL with at least one
 *	  "FILE:LINE: message" (or "FILE: message") line, every line of
 *	  printable text.
 *	- A config that loads prints ("portrole-milter -n") a text that loads
 *	  again and prints the same thing: what -n shows is what runs.
 *	- The look-ups the policy makes work on whatever loaded.
 *
 * ENVIRONMENT
 *	"LocalDomains postfix" and "TrustedNetworks postfix:mynetworks" run
 *	postconf and postmap: the harness points $PORTROLE_POSTCONF and
 *	$PORTROLE_POSTMAP at two tiny scripts in a private temporary
 *	directory, so no real Postfix is asked. Inputs that name files under
 *	/dev, /proc or /sys are skipped: reading /dev/zero or a FIFO
 *	would only test the kernel's patience.
 *
 *	The libFuzzer binary also skips inputs that name "postfix" (any
 *	case): each import forks the fuzzer, hundreds of megabytes of
 *	sanitizer shadow, several times per input (about 50 inputs a second
 *	instead of thousands), and the scripts always answer the same. The
 *	replay under make check runs them, the seeds' imports included.
 */
#include "acconfig.h"

#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"
#include "policy.h"

static char tmpdir[] = "/tmp/portrole-fuzz-XXXXXX";
static char postconf[sizeof(tmpdir) + 16], postmap[sizeof(tmpdir) + 16];

/* cleanup - remove the scripts at exit */
static void cleanup(void)
{
    unlink(postconf);
    unlink(postmap);
    rmdir(tmpdir);
}

/* script - write an executable shell script */
static void script(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");

    FZ_CHECK(fp != NULL && fputs(text, fp) >= 0 && fclose(fp) == 0, "cannot write a script");
    FZ_CHECK(chmod(path, 0700) == 0, "chmod");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (*postconf)
        return 0;
    FZ_CHECK(mkdtemp(tmpdir) != NULL, "mkdtemp");
    snprintf(postconf, sizeof(postconf), "%s/postconf", tmpdir);
    snprintf(postmap, sizeof(postmap), "%s/postmap", tmpdir);
    script(postconf, "#!/bin/sh\n"
           "case \"$2\" in\n"
           "mynetworks) echo '127.0.0.0/8 [::1]/128 192.0.2.0/24' ;;\n"
           "mydestination) echo 'example.com, localhost' ;;\n"
           "virtual_alias_domains) echo 'hash:/etc/postfix/virtual' ;;\n"
           "relay_domains) echo '.example.net' ;;\n"
           "esac\n");
    script(postmap, "#!/bin/sh\necho 'alias.example.org x'\n");
    setenv("PORTROLE_POSTCONF", postconf, 1);
    setenv("PORTROLE_POSTMAP", postmap, 1);
    atexit(cleanup);
    return 0;
}

/* dump - config_dump() into a string, without its first (comment) line */
static char *dump(const struct pr_config *cfg, size_t *len)
{
    char *text = NULL, *nl;
    size_t n = 0;
    FILE *fp = open_memstream(&text, &n);

    FZ_CHECK(fp != NULL, "open_memstream");
    config_dump(cfg, fp);
    FZ_CHECK(fclose(fp) == 0, "fclose");
    nl = strchr(text, '\n');
    FZ_CHECK(nl != NULL && strncmp(text, "# ", 2) == 0, "dump does not start with a comment");
    memmove(text, nl + 1, n - (size_t) (nl + 1 - text) + 1);
    *len = strlen(text);
    return text;
}

/* check_errors - at least one line, each "FILE[:LINE]: text" */
static void check_errors(const strbuf *err)
{
    const char *p = strbuf_str(err), *nl;

    FZ_CHECK(err->len > 0, "config refused without a message");
    for (; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        FZ_CHECK(nl != NULL, "error message not ended by a newline");
        FZ_CHECK(memchr(p, ':', (size_t) (nl - p)) != NULL, "error message without FILE:");
    }
}

/* lookups - what the policy asks of a loaded config */
static void lookups(const struct pr_config *cfg)
{
    static const char *const ports[] = {"25", "587", "465", "10026", "0", NULL};
    const struct pr_listener *m;

    for (int i = 0; ports[i]; i++)
        (void) policy_role(cfg, "ORIGINATING", "127.0.0.1", ports[i], &m);
    (void) config_local_domain(cfg, "example.com");
    (void) config_local_domain(cfg, "a.b.example.net.");
    (void) config_trusted(cfg, "192.0.2.1");
    (void) config_trusted(cfg, "::1");
    (void) config_sender_owned(cfg, "alice@example.com", "alice");
}

/* names_postfix - whether the text holds "postfix" in any case */
static int __attribute__((unused)) names_postfix(const uint8_t *data, size_t size)
{
    static const char word[] = "postfix";

    for (size_t i = 0; i + sizeof(word) - 1 <= size; i++)
        if (strncasecmp((const char *) data + i, word, sizeof(word) - 1) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const skip[] = {"dev/", "proc/", "sys/", NULL};
    strbuf err = STRBUF_INIT, err2 = STRBUF_INIT;
    struct pr_config *cfg, *again;
    char *text, *text2;
    size_t len, len2;

    LLVMFuzzerInitialize(NULL, NULL);
    for (int i = 0; skip[i]; i++)
        if (memmem(data, size, skip[i], strlen(skip[i])) != NULL)
            return 0;
#ifndef FUZZ_TARGET             /* the libFuzzer binary, not the replay */
    if (names_postfix(data, size))
        return 0;
#endif
    if ((cfg = fz_config_text((const char *) data, size, &err)) == NULL) {
        check_errors(&err);
        strbuf_release(&err);
        return 0;
    }
    lookups(cfg);
    text = dump(cfg, &len);
    again = fz_config_text(text, len, &err2);
    if (again == NULL)
        fprintf(stderr, "-n output:\n%s\nreloading it: %s", text, strbuf_str(&err2));
    FZ_CHECK(again != NULL,
             "the -n output of a valid config does not load (FUZZ_KNOWN=dump-roundtrip)");
    if (again == NULL) {
        free(text);
        config_free(cfg);
        strbuf_release(&err);
        strbuf_release(&err2);
        return 0;
    }
    text2 = dump(again, &len2);
    if (strcmp(text, text2) != 0)
        fprintf(stderr, "first -n:\n%s\nsecond -n:\n%s", text, text2);
    FZ_CHECK(strcmp(text, text2) == 0,
             "-n output changes when loaded again (FUZZ_KNOWN=dump-roundtrip)");
    free(text);
    free(text2);
    config_free(again);
    config_free(cfg);
    strbuf_release(&err);
    strbuf_release(&err2);
    return 0;
}
