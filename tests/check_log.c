/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_log - the decision line, kv and JSON, and its escaping.
 */
#include "acconfig.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

START_TEST(test_kv_reject)
{
    struct pr_facts f = {0};
    struct log_decision d = {0};
    const char *rcpts[] = {"b@example.org"};
    strbuf out = STRBUF_INIT;

    f.role = ROLE_MX;
    f.port = 25;
    f.client_name = "mail.example.net";
    f.client_addr = "192.0.2.1";
    f.tls_version = "TLSv1.3";
    f.sender = "a@example.net";
    d.queueid = "4XyZb1";
    d.facts = &f;
    d.rcpts = rcpts;
    d.nrcpts = 1;
    d.action = ACT_REJECT;
    d.violations = VBIT(V_UNAUTH_RELAY);
    d.ref = "3f9c2a7b41d0";
    log_format_decision(0, &d, &out);
    ck_assert_str_eq(strbuf_str(&out),
                     "4XyZb1: role=mx port=25 client=mail.example.net[192.0.2.1] auth=none "
                     "tls=TLSv1.3 from=<a@example.net> rcpt=<b@example.org> action=reject "
                     "violation=unauth-relay mode=enforce ref=3f9c2a7b41d0");
    strbuf_release(&out);
}
END_TEST

START_TEST(test_kv_audit_tag)
{
    struct pr_facts f = {0};
    struct log_decision d = {0};
    const char *rcpts[] = {"x@a.test", "y@b.test"};
    strbuf out = STRBUF_INIT;

    f.role = ROLE_SUBMISSION;
    f.port = 587;
    f.client_addr = "198.51.100.7";
    f.auth_type = "PLAIN";
    f.login = "alice@example.test";
    f.sender = "";
    d.facts = &f;
    d.rcpts = rcpts;
    d.nrcpts = 2;
    d.action = ACT_TAG;
    d.violations = VBIT(V_CLEARTEXT_SUBMISSION) | VBIT(V_SENDER_MISMATCH);
    d.would = ACT_REJECT;
    d.audit = 1;
    d.ref = "000000000001";
    log_format_decision(0, &d, &out);
    ck_assert_str_eq(strbuf_str(&out),
                     "NOQUEUE: role=submission port=587 client=unknown[198.51.100.7] auth=PLAIN "
                     "login=alice@example.test tls=none from=<> rcpt=<x@a.test>,<y@b.test> "
                     "action=tag violation=cleartext-submission,sender-mismatch would=reject "
                     "mode=audit ref=000000000001");
    strbuf_release(&out);
}
END_TEST

START_TEST(test_kv_hostile)
{
    struct pr_facts f = {0};
    struct log_decision d = {0};
    strbuf out = STRBUF_INIT;

    f.role = ROLE_LOCAL;
    f.port = -1;
    f.client_name = "evil\r\nhost x=1";
    f.client_addr = "127.0.0.1";
    f.login = "a b\"\\\x01\xc3\xa9";
    f.sender = "%s%n@x";
    d.facts = &f;
    d.action = ACT_PASS;
    log_format_decision(0, &d, &out);
    ck_assert_ptr_null(strchr(strbuf_str(&out), '\n'));
    ck_assert_ptr_null(strchr(strbuf_str(&out), '\r'));
    ck_assert(strstr(out.data, "port=- client=evil\\x0d\\x0ahost\\x20x=1[127.0.0.1]") != NULL);
    ck_assert(strstr(out.data, "login=a\\x20b\\x22\\x5c\\x01\\xc3\\xa9 ") != NULL);
    ck_assert(strstr(out.data, "from=<%s%n@x>") != NULL);
    strbuf_release(&out);
}
END_TEST

START_TEST(test_json)
{
    struct pr_facts f = {0};
    struct log_decision d = {0};
    const char *rcpts[] = {"b\"q@example.org"};
    strbuf out = STRBUF_INIT;

    f.role = ROLE_MX;
    f.port = 25;
    f.client_name = "mail.example.net";
    f.client_addr = "192.0.2.1";
    f.sender = "a@example.net";
    d.queueid = "4XyZb1";
    d.facts = &f;
    d.rcpts = rcpts;
    d.nrcpts = 1;
    d.action = ACT_REJECT;
    d.violations = VBIT(V_UNAUTH_RELAY);
    d.ref = "3f9c2a7b41d0";
    log_format_decision(1, &d, &out);
    ck_assert_str_eq(strbuf_str(&out),
                     "{\"queueid\":\"4XyZb1\",\"role\":\"mx\",\"port\":25,"
                     "\"client_name\":\"mail.example.net\",\"client_addr\":\"192.0.2.1\","
                     "\"auth\":\"none\",\"login\":null,\"tls\":\"none\",\"from\":\"a@example.net\","
                     "\"rcpt\":[\"b\\\"q@example.org\"],\"action\":\"reject\","
                     "\"violation\":[\"unauth-relay\"],\"would\":null,\"mode\":\"enforce\","
                     "\"ref\":\"3f9c2a7b41d0\"}");
    strbuf_reset(&out);
    f.client_name = "x\n\x7f";
    log_format_decision(1, &d, &out);
    ck_assert(strstr(out.data, "\"client_name\":\"x\\u000a\\u007f\"") != NULL);
    strbuf_release(&out);
}
END_TEST

/* many_rcpts - n recipients "uI@example.test" in one static store */
static const char **many_rcpts(size_t n)
{
    static char store[1000][24];
    static const char *v[1000];

    for (size_t i = 0; i < n && i < 1000; i++) {
        snprintf(store[i], sizeof(store[i]), "u%zu@example.test", i);
        v[i] = store[i];
    }
    return v;
}

/* Issue 13.2: 1,000 recipients and a forged local sender in one bounded line. */
START_TEST(test_bounded_rcpts)
{
    struct pr_facts f = {0};
    struct log_decision d = {0};
    strbuf out = STRBUF_INIT;
    const int json = _i;

    f.role = ROLE_MX;
    f.port = 25;
    f.client_name = "client.remote.test";
    f.client_addr = "192.0.2.9";
    f.sender = "alice@example.test";
    d.queueid = "4XyZb1";
    d.facts = &f;
    d.rcpts = many_rcpts(1000);
    d.nrcpts = 1000;
    d.action = ACT_TAG;
    d.violations = VBIT(V_LOCAL_SENDER_ON_MX);
    d.ref = "3f9c2a7b41d0";
    log_format_decision(json, &d, &out);
    ck_assert_uint_lt(out.len, LOG_LINE_MAX);
    ck_assert_uint_gt(out.len, LOG_LINE_MAX - 200);     /* the room is used */
    if (json) {
        ck_assert(strstr(out.data, "\"rcpt\":[\"u0@example.test\",\"u1@example.test\",") != NULL);
        ck_assert(strstr(out.data, "@example.test\"],\"rcpts\":1000,\"action\":\"tag\","
                         "\"violation\":[\"local-sender-on-mx\"],\"would\":null,"
                         "\"mode\":\"enforce\",\"ref\":\"3f9c2a7b41d0\"}") != NULL);
    } else {
        ck_assert(strstr(out.data, " rcpt=<u0@example.test>,<u1@example.test>,") != NULL);
        ck_assert(strstr(out.data, "@example.test> rcpts=1000 action=tag "
                         "violation=local-sender-on-mx mode=enforce ref=3f9c2a7b41d0") != NULL);
        ck_assert_ptr_null(strstr(out.data, "u999@"));
    }
    /* a list that fits has no count */
    strbuf_reset(&out);
    d.nrcpts = 3;
    log_format_decision(json, &d, &out);
    ck_assert_ptr_null(strstr(out.data, "rcpts"));
    ck_assert(strstr(out.data, json ? "\"u2@example.test\"]" : "<u2@example.test> ") != NULL);
    strbuf_release(&out);
}
END_TEST

/* Every value at its worst: still under LOG_LINE_MAX, the tail intact. */
START_TEST(test_bounded_values)
{
    static char big[6000], ctl[6000];
    struct pr_facts f = {0};
    struct log_decision d = {0};
    const char *rcpts[] = {big, "second@example.test"};
    strbuf out = STRBUF_INIT;
    const int json = _i;

    memset(big, 'a', sizeof(big) - 1);
    memset(ctl, '\x01', sizeof(ctl) - 1);
    f.role = ROLE_SUBMISSIONS;
    f.port = 65535;
    f.client_name = big;
    f.client_addr = big;
    f.auth_type = ctl;
    f.login = ctl;
    f.tls_version = ctl;
    f.sender = ctl;
    d.queueid = ctl;
    d.facts = &f;
    d.rcpts = rcpts;
    d.nrcpts = 2;
    d.action = ACT_TEMPFAIL;
    d.violations = VBIT(V_COUNT) - 1;
    d.would = ACT_TEMPFAIL;
    d.audit = 1;
    d.ref = "3f9c2a7b41d0";
    log_format_decision(json, &d, &out);
    ck_assert_uint_lt(out.len, LOG_LINE_MAX);
    ck_assert(strstr(out.data, json ? "\"rcpts\":2," : " rcpts=2 ") != NULL);
    ck_assert(strstr(out.data, json ? "aaa...\"]" : "aaa...> ") != NULL);
    ck_assert(strstr(out.data, json ? "\"mode\":\"audit\",\"ref\":\"3f9c2a7b41d0\"}"
                     : " mode=audit ref=3f9c2a7b41d0") != NULL);
    ck_assert(json || strstr(out.data, "\\x01\\x01...") != NULL);
    ck_assert(!json || strstr(out.data, "\\u0001\\u0001...") != NULL);
    strbuf_release(&out);
}
END_TEST

START_TEST(test_names)
{
    ck_assert_int_eq(vocab_facility_parse("MAIL"), LOG_MAIL);
    ck_assert_int_eq(vocab_facility_parse("local7"), LOG_LOCAL7);
    ck_assert_int_eq(vocab_facility_parse("kern"), -1);
    ck_assert_str_eq(vocab_facility_name(LOG_LOCAL3), "local3");
    ck_assert_int_eq(vocab_level_parse("debug"), LOG_DEBUG);
    ck_assert_int_eq(vocab_level_parse("loud"), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("log");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_kv_reject);
    tcase_add_test(tc, test_kv_audit_tag);
    tcase_add_test(tc, test_kv_hostile);
    tcase_add_test(tc, test_json);
    tcase_add_loop_test(tc, test_bounded_rcpts, 0, 2);
    tcase_add_loop_test(tc, test_bounded_values, 0, 2);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
