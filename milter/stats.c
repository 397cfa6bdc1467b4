/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stats - lock-free counters and the metrics file; see stats.h.
 *
 * DESCRIPTION
 *	Every counter is a slot in a fixed array, indexed by the project's
 *	own enums, and changed only with __atomic_fetch_add (relaxed): the
 *	callbacks of concurrent connections never wait for each other or
 *	for the writer. The file format is OpenMetrics text, which is also
 *	what node-exporter's textfile collector reads: the Prometheus text
 *	exposition format (counter families named with their _total, which
 *	promtool and node-exporter require), closed by OpenMetrics' "# EOF"
 *	line, a comment to those parsers, so a reader can tell the file is whole.
 *
 * DIAGNOSTICS
 *	stats_write() reports a failed create, write or rename in err and
 *	leaves no temporary file behind.
 */
#include "acconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stats.h"
#include "util.h"

/* DKIM summaries as pr_dkim_result() names them; the last slot is "other". */
static const char *const dkim_names[] = {
    "pass", "fail", "permerror", "temperror", "neutral", "none", "policy", "skipped", "other",
};
#define DKIM_COUNT (sizeof(dkim_names) / sizeof(dkim_names[0]))
#define SPF_COUNT  (SPF_RESULT_SKIPPED + 1)
#define V_NONE     V_COUNT              /* the decision slot for "no violation" */

static const char *const error_names[STATS_ERR_COUNT] = {
    "internal", "header-change", "reload", "stats-file",
};

static unsigned long decisions[ROLE_COUNT][ACT_COUNT][V_COUNT + 1];
static unsigned long messages[ROLE_COUNT][ACT_COUNT];
static unsigned long spf_results[SPF_COUNT];
static unsigned long dkim_results[DKIM_COUNT];
static unsigned long errors[STATS_ERR_COUNT];
static unsigned long reloads;
static long sessions_open;

#define BUMP(slot) __atomic_fetch_add(&(slot), 1, __ATOMIC_RELAXED)
#define READ(slot) __atomic_load_n(&(slot), __ATOMIC_RELAXED)

/* stats_decision - one decision line: one count per violation on it, or "none" */
void stats_decision(enum pr_role role, enum pr_action action, unsigned violations)
{
    if ((unsigned) role >= ROLE_COUNT || (unsigned) action >= ACT_COUNT)
        return;
    if (violations == 0) {
        BUMP(decisions[role][action][V_NONE]);
        return;
    }
    for (int v = 0; v < V_COUNT; v++)
        if (violations & VBIT(v))
            BUMP(decisions[role][action][v]);
}

/* stats_message - a transaction ended: accepted (pass, tag) or refused at MAIL */
void stats_message(enum pr_role role, enum pr_action verdict)
{
    if ((unsigned) role < ROLE_COUNT && (unsigned) verdict < ACT_COUNT)
        BUMP(messages[role][verdict]);
}

/* stats_spf - one SPF evaluation's result */
void stats_spf(enum spf_result result)
{
    if ((unsigned) result < SPF_COUNT)
        BUMP(spf_results[result]);
}

/* stats_dkim - one message's DKIM summary */
void stats_dkim(const char *summary)
{
    size_t i;

    if (summary == NULL)
        return;
    for (i = 0; i < DKIM_COUNT - 1 && strcmp(dkim_names[i], summary) != 0; i++)
        ;
    BUMP(dkim_results[i]);
}

/* stats_error - one error of a kind */
void stats_error(enum stats_error_kind kind)
{
    if ((unsigned) kind < STATS_ERR_COUNT)
        BUMP(errors[kind]);
}

/* stats_reload - a SIGHUP installed a new config */
void stats_reload(void)
{
    BUMP(reloads);
}

/* stats_sessions - a connection opened (+1) or closed (-1) */
void stats_sessions(int delta)
{
    __atomic_fetch_add(&sessions_open, (long) delta, __ATOMIC_RELAXED);
}

/* stats_sessions_open - the sessions open now (the shutdown waits for 0) */
long stats_sessions_open(void)
{
    return __atomic_load_n(&sessions_open, __ATOMIC_RELAXED);
}

/* stats_reset - every counter to zero (tests only: counters never go back) */
void stats_reset(void)
{
    memset(decisions, 0, sizeof(decisions));
    memset(messages, 0, sizeof(messages));
    memset(spf_results, 0, sizeof(spf_results));
    memset(dkim_results, 0, sizeof(dkim_results));
    memset(errors, 0, sizeof(errors));
    reloads = 0;
    sessions_open = 0;
}

/* family - the HELP and TYPE lines of one metric family; a counter's
 *	family is named with its _total, as the Prometheus text format
 *	(node-exporter's textfile collector, promtool) expects */
static void family(strbuf *out, const char *name, const char *type, const char *help)
{
    const char *suffix = strcmp(type, "counter") == 0 ? "_total" : "";

    strbuf_printf(out, "# HELP %s%s %s\n# TYPE %s%s %s\n", name, suffix, help, name, suffix, type);
}

/* render_decisions - the series seen so far */
static void render_decisions(strbuf *out)
{
    family(out, "portrole_decisions", "counter",
           "Violations found per decision log line (violation=none: a line without one).");
    for (int r = 0; r < ROLE_COUNT; r++)
        for (int a = 0; a < ACT_COUNT; a++)
            for (int v = 0; v <= V_COUNT; v++) {
                unsigned long n = READ(decisions[r][a][v]);

                if (n > 0)
                    strbuf_printf(out, "portrole_decisions_total{role=\"%s\",action=\"%s\","
                                  "violation=\"%s\"} %lu\n", vocab_role_name((enum pr_role) r),
                                  vocab_action_name((enum pr_action) a),
                                  v == V_NONE ? "none" : vocab_violation_name((enum pr_violation) v),
                                  n);
            }
}

/* render_results - messages, SPF, DKIM, errors */
static void render_results(strbuf *out)
{
    family(out, "portrole_messages", "counter",
           "Transactions by outcome: pass or tag at end of message, reject or tempfail at MAIL.");
    for (int r = 0; r < ROLE_COUNT; r++)
        for (int a = 0; a < ACT_COUNT; a++)
            if (READ(messages[r][a]) > 0)
                strbuf_printf(out, "portrole_messages_total{role=\"%s\",verdict=\"%s\"} %lu\n",
                              vocab_role_name((enum pr_role) r),
                              vocab_action_name((enum pr_action) a), READ(messages[r][a]));
    family(out, "portrole_spf_results", "counter", "SPF evaluations on port-25 (mx) mail by result.");
    for (int i = SPF_RESULT_NONE; i < (int) SPF_COUNT; i++)
        strbuf_printf(out, "portrole_spf_results_total{result=\"%s\"} %lu\n",
                      spf_result_name((enum spf_result) i), READ(spf_results[i]));
    family(out, "portrole_dkim_results", "counter", "DKIM summaries of port-25 (mx) messages by result.");
    for (size_t i = 0; i < DKIM_COUNT; i++)
        strbuf_printf(out, "portrole_dkim_results_total{result=\"%s\"} %lu\n", dkim_names[i],
                      READ(dkim_results[i]));
    family(out, "portrole_errors", "counter", "Internal errors by kind.");
    for (int k = 0; k < STATS_ERR_COUNT; k++)
        strbuf_printf(out, "portrole_errors_total{kind=\"%s\"} %lu\n", error_names[k],
                      READ(errors[k]));
}

/* stats_render - every family as OpenMetrics text, ending in "# EOF" */
void stats_render(strbuf *out)
{
    long open = READ(sessions_open);

    family(out, "portrole_build_info", "gauge", "The running portrole-milter version.");
    strbuf_printf(out, "portrole_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
    family(out, "portrole_config_reloads", "counter", "Configurations installed by SIGHUP.");
    strbuf_printf(out, "portrole_config_reloads_total %lu\n", READ(reloads));
    render_decisions(out);
    render_results(out);
    family(out, "portrole_sessions_open", "gauge", "Milter connections open now.");
    strbuf_printf(out, "portrole_sessions_open %ld\n", open < 0 ? 0 : open);
    strbuf_puts(out, "# EOF\n");
}

/* target - PATH, or the file its symbolic link names */
static void target(const char *path, char *buf, size_t size)
{
    char link[PATH_MAX], *slash;
    ssize_t n = readlink(path, link, sizeof(link) - 1);

    if (n <= 0 || (size_t) n >= size) {
        util_strlcpy(buf, path, size);
        return;
    }
    link[n] = 0;
    if (link[0] == '/' || (slash = strrchr(path, '/')) == NULL) {
        util_strlcpy(buf, link, size);
        return;
    }
    /* A relative link is relative to the link's directory. */
    if ((size_t) (slash - path) + 1 + strlen(link) >= size) {
        util_strlcpy(buf, path, size);
        return;
    }
    memcpy(buf, path, (size_t) (slash - path) + 1);
    util_strlcpy(buf + (slash - path) + 1, link, size - (size_t) (slash - path) - 1);
}

/* stats_write - the text into a temporary file beside PATH, renamed over it */
int stats_write(const char *path, strbuf *err)
{
    strbuf text = STRBUF_INIT;
    char file[PATH_MAX], tmp[PATH_MAX + 16];
    int fd = -1, rc = -1;
    ssize_t n;

    target(path, file, sizeof(file));
    if ((size_t) snprintf(tmp, sizeof(tmp), "%s.XXXXXX", file) >= sizeof(tmp)) {
        strbuf_printf(err, "StatsFile %s: path too long", path);
        return -1;
    }
    stats_render(&text);
    if ((fd = mkstemp(tmp)) < 0) {
        strbuf_printf(err, "StatsFile %s: cannot create %s: %s", path, tmp, strerror(errno));
        goto done;
    }
    if ((n = write(fd, text.data, text.len)) < 0 || (size_t) n != text.len) {
        strbuf_printf(err, "StatsFile %s: cannot write %s: %s", path, tmp,
                      n < 0 ? strerror(errno) : "short write");
        goto done;
    }
    /* mkstemp makes it 0600: a collector running as another user must read it. */
    if (fchmod(fd, 0644) != 0 || close(fd) != 0) {
        fd = -1;
        strbuf_printf(err, "StatsFile %s: cannot finish %s: %s", path, tmp, strerror(errno));
        goto done;
    }
    fd = -1;
    if (rename(tmp, file) != 0) {
        strbuf_printf(err, "StatsFile %s: cannot rename %s to %s: %s", path, tmp, file,
                      strerror(errno));
        goto done;
    }
    rc = 0;
done:
    if (fd >= 0)
        close(fd);
    if (rc != 0)
        unlink(tmp);
    strbuf_release(&text);
    return rc;
}
