/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_vocab - the shared names: every one parses back to its value,
 *	case-insensitively; unknown and unconfigurable names are refused.
 */
#include "acconfig.h"

#include <check.h>
#include <syslog.h>

#include "vocab.h"

START_TEST(test_violation_roundtrip)
{
    enum pr_violation v = V_COUNT;

    ck_assert_int_eq(vocab_violation_parse(vocab_violation_name((enum pr_violation) _i), &v), 0);
    ck_assert_int_eq(v, _i);
    ck_assert_int_ne(vocab_default_action((enum pr_violation) _i), ACT_PASS);
}
END_TEST

START_TEST(test_names)
{
    enum pr_role r = ROLE_COUNT;
    enum pr_action a = ACT_COUNT;
    enum pr_violation v = V_COUNT;

    ck_assert_int_eq(vocab_role_parse("Submissions", &r), 0);
    ck_assert_int_eq(r, ROLE_SUBMISSIONS);
    ck_assert_int_eq(vocab_role_parse("internal", &r), 0);
    ck_assert_int_eq(r, ROLE_INTERNAL);
    /* local and unknown are decided, never configured */
    ck_assert_int_eq(vocab_role_parse("local", &r), -1);
    ck_assert_int_eq(vocab_role_parse("unknown", &r), -1);
    ck_assert_str_eq(vocab_role_name(ROLE_UNKNOWN), "unknown");
    ck_assert_str_eq(vocab_role_name(ROLE_COUNT), "unknown");
    ck_assert_int_eq(vocab_action_parse("TEMPFAIL", &a), 0);
    ck_assert_int_eq(a, ACT_TEMPFAIL);
    ck_assert_int_eq(vocab_action_parse("pass", &a), -1);
    ck_assert_int_eq(vocab_action_parse("accept", &a), -1);
    ck_assert_str_eq(vocab_action_name(ACT_IGNORE), "ignore");
    ck_assert_str_eq(vocab_action_name(ACT_COUNT), "?");
    ck_assert_int_eq(vocab_violation_parse("Unauth-Relay", &v), 0);
    ck_assert_int_eq(v, V_UNAUTH_RELAY);
    ck_assert_int_eq(vocab_violation_parse("relay", &v), -1);
    ck_assert_str_eq(vocab_violation_name(V_COUNT), "?");
    ck_assert_int_eq(vocab_default_action(V_UNAUTH_RELAY), ACT_REJECT);
    ck_assert_int_eq(vocab_default_action(V_SPF_FAIL), ACT_TAG);
}
END_TEST

START_TEST(test_syslog_names)
{
    ck_assert_int_eq(vocab_facility_parse("MAIL"), LOG_MAIL);
    ck_assert_int_eq(vocab_facility_parse("local7"), LOG_LOCAL7);
    ck_assert_int_eq(vocab_facility_parse("kern"), -1);
    ck_assert_str_eq(vocab_facility_name(LOG_LOCAL3), "local3");
    ck_assert_int_eq(vocab_level_parse("Warn"), LOG_WARNING);
    ck_assert_int_eq(vocab_level_parse("debug"), LOG_DEBUG);
    ck_assert_int_eq(vocab_level_parse("loud"), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vocab");
    TCase *tc = tcase_create("vocab");
    SRunner *sr;
    int failed;

    tcase_add_loop_test(tc, test_violation_roundtrip, 0, V_COUNT);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_syslog_names);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
