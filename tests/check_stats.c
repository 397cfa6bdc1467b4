/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_stats - the counters, their OpenMetrics text, and the atomic write.
 */
#include "acconfig.h"

#include <check.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stats.h"
#include "util.h"

/* render - the current text, for ck_assert on substrings */
static char *render(void)
{
    strbuf out = STRBUF_INIT;
    char *text;

    stats_render(&out);
    text = util_strdup(strbuf_str(&out));
    strbuf_release(&out);
    return text;
}

START_TEST(test_decisions)
{
    char *t;

    stats_reset();
    stats_decision(ROLE_MX, ACT_REJECT, VBIT(V_UNAUTH_RELAY));
    stats_decision(ROLE_MX, ACT_REJECT, VBIT(V_UNAUTH_RELAY));
    stats_decision(ROLE_MX, ACT_TAG, VBIT(V_LOCAL_SENDER_ON_MX) | VBIT(V_SPF_FAIL));
    stats_decision(ROLE_SUBMISSION, ACT_PASS, 0);
    t = render();
    ck_assert_ptr_nonnull(strstr(t, "portrole_decisions_total{role=\"mx\",action=\"reject\","
                                 "violation=\"unauth-relay\"} 2\n"));
    /* A line with two violations counts once under each. */
    ck_assert_ptr_nonnull(strstr(t, "{role=\"mx\",action=\"tag\",violation=\"local-sender-on-mx\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(t, "{role=\"mx\",action=\"tag\",violation=\"spf-fail\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(t, "{role=\"submission\",action=\"pass\",violation=\"none\"} 1\n"));
    /* Series never seen are not written. */
    ck_assert_ptr_null(strstr(t, "action=\"tempfail\""));
    free(t);
}
END_TEST

START_TEST(test_families)
{
    char *t;

    stats_reset();
    stats_message(ROLE_MX, ACT_PASS);
    stats_message(ROLE_SUBMISSION, ACT_REJECT);
    stats_spf(SPF_RESULT_FAIL);
    stats_spf(SPF_RESULT_NOT_CHECKED);          /* not a result: not counted */
    stats_dkim("pass");
    stats_dkim("something-new");
    stats_dkim(NULL);
    stats_error(STATS_ERR_HEADER);
    stats_reload();
    stats_sessions(+1);
    stats_sessions(+1);
    stats_sessions(-1);
    t = render();
    ck_assert_ptr_nonnull(strstr(t, "# TYPE portrole_build_info gauge\n"));
    ck_assert_ptr_nonnull(strstr(t, "portrole_build_info{version=\"" PACKAGE_VERSION "\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(t, "portrole_config_reloads_total 1\n"));
    ck_assert_ptr_nonnull(strstr(t, "portrole_messages_total{role=\"mx\",verdict=\"pass\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(t, "portrole_messages_total{role=\"submission\",verdict=\"reject\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(t, "portrole_spf_results_total{result=\"fail\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(t, "portrole_spf_results_total{result=\"pass\"} 0\n"));
    ck_assert_ptr_null(strstr(t, "not-checked"));
    ck_assert_ptr_nonnull(strstr(t, "portrole_dkim_results_total{result=\"pass\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(t, "portrole_dkim_results_total{result=\"other\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(t, "portrole_errors_total{kind=\"header-change\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(t, "portrole_errors_total{kind=\"internal\"} 0\n"));
    ck_assert_ptr_nonnull(strstr(t, "# HELP portrole_sessions_open Milter connections open now.\n"
                                 "# TYPE portrole_sessions_open gauge\n"
                                 "portrole_sessions_open 1\n"));
    /* Counter families carry their _total (promtool, node-exporter); the text ends in # EOF. */
    ck_assert_ptr_nonnull(strstr(t, "# TYPE portrole_decisions_total counter\n"));
    ck_assert_int_eq(strcmp(t + strlen(t) - 6, "# EOF\n"), 0);
    free(t);
}
END_TEST

static void *hammer(void *arg)
{
    (void) arg;
    for (int i = 0; i < 100000; i++) {
        stats_decision(ROLE_MX, ACT_PASS, 0);
        stats_sessions(+1);
        stats_sessions(-1);
    }
    return NULL;
}

START_TEST(test_threads)
{
    pthread_t tid[4];
    char *t;

    stats_reset();
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&tid[i], NULL, hammer, NULL), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(tid[i], NULL);
    t = render();
    /* No increment lost between concurrent callbacks. */
    ck_assert_ptr_nonnull(strstr(t, "{role=\"mx\",action=\"pass\",violation=\"none\"} 400000\n"));
    ck_assert_ptr_nonnull(strstr(t, "portrole_sessions_open 0\n"));
    free(t);
}
END_TEST

/* count_entries - files in dir */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* slurp - a file's text */
static char *slurp(const char *path)
{
    static char buf[65536];
    FILE *fp = fopen(path, "r");
    size_t n;

    ck_assert_ptr_nonnull(fp);
    n = fread(buf, 1, sizeof(buf) - 1, fp);
    buf[n] = 0;
    fclose(fp);
    return buf;
}

START_TEST(test_write)
{
    char dir[] = "/tmp/check_stats.XXXXXX", path[256], other[256], link[256];
    strbuf err = STRBUF_INIT;
    struct stat st;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    stats_reset();
    stats_reload();
    snprintf(path, sizeof(path), "%s/portrole.prom", dir);
    ck_assert_int_eq(stats_write(path, &err), 0);
    ck_assert_ptr_nonnull(strstr(slurp(path), "portrole_config_reloads_total 1\n"));
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0644);
    ck_assert_int_eq(count_entries(dir), 1);    /* no temporary file left */
    /* A second write replaces the file (rename), it does not append. */
    stats_reload();
    ck_assert_int_eq(stats_write(path, &err), 0);
    ck_assert_ptr_nonnull(strstr(slurp(path), "portrole_config_reloads_total 2\n"));
    ck_assert_ptr_null(strstr(slurp(path), "portrole_config_reloads_total 1\n"));
    /* Through a symbolic link: the target is replaced and the link stays. */
    snprintf(other, sizeof(other), "%s/target.prom", dir);
    snprintf(link, sizeof(link), "%s/link.prom", dir);
    ck_assert_int_eq(symlink("target.prom", link), 0);
    ck_assert_int_eq(stats_write(link, &err), 0);
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    ck_assert_ptr_nonnull(strstr(slurp(other), "# EOF\n"));
    /* A directory that is not there: an error with the path, no crash. */
    ck_assert_int_eq(stats_write("/nonexistent-dir/portrole.prom", &err), -1);
    ck_assert_ptr_nonnull(strstr(strbuf_str(&err), "/nonexistent-dir/portrole.prom"));
    unlink(path);
    unlink(other);
    unlink(link);
    rmdir(dir);
    strbuf_release(&err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("stats");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_decisions);
    tcase_add_test(tc, test_families);
    tcase_add_test(tc, test_threads);
    tcase_add_test(tc, test_write);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
