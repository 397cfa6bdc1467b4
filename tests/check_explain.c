/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_explain - "-x" runs the daemon's policy and prints each reply.
 */
#include "acconfig.h"

#include <check.h>
#include <stdlib.h>

#include "explain.h"
#include "testconf.h"

static struct pr_config *cfg;

static void setup(void)
{
    strbuf err = STRBUF_INIT;

    cfg = testconf_load("LocalDomains example.org\nTrustedNetworks 127.0.0.0/8\n"
                        "SenderPolicy login\nSPF off\nDKIM off\nAuthservID mx.example.org\n", &err);
    ck_assert_msg(cfg != NULL, "%s", strbuf_str(&err));
    strbuf_release(&err);
}

static void teardown(void)
{
    config_free(cfg);
}

static const struct explain_case {
    const char *spec;
    const char *want[4];
} cases[] = {
    {"port=25 client=192.0.2.9 from=a@example.com rcpt=b@example.org,c@example.com",
     {"role:    mx (matched \"Listener 25 mx\")", "RCPT TO:<b@example.org>\n  -> 250 2.1.5",
      "  -> 554 5.7.1 <c@example.com>: Relay access denied", "X-Port-Role: mx.example.org; role=mx; port=25"}},
    {"port=25 client=192.0.2.9 auth=PLAIN user=alice from=alice@example.org rcpt=b@example.com",
     {"  -> 550 5.7.1 Port 25 is for server-to-server delivery", "why: auth-on-mx (reject)", NULL}},
    {"port=587 client=192.0.2.9 tls=TLSv1.3 from=alice@example.org rcpt=b@example.com",
     {"  -> 530 5.7.0 Authentication required: port 587 is for authenticated submission", NULL}},
    {"port=587 client=192.0.2.9 auth=PLAIN user=alice@example.org tls=none from=alice@example.org",
     {"     decided: 530 5.7.0 Must issue a STARTTLS command first",
      "(no RCPT: the transaction ends; the decision is logged once, at abort)",
      "rcpt= action=reject violation=cleartext-submission", NULL}},
    {"port=465 client=192.0.2.9 auth=PLAIN user=alice@example.org from=alice@example.org",
     {"     decided: 530 5.7.0 Encryption required: port 465 expects TLS from the first byte", NULL}},
    {"port=587 auth=LOGIN user=alice@example.org tls=TLSv1.3 from=bob@example.org rcpt=x@y.test",
     {"  -> 553 5.7.1 <bob@example.org>: Sender address rejected: not owned by user alice@example.org", NULL}},
    {"port=587 auth=LOGIN user=alice@example.org tls=TLSv1.3 from=alice@example.org rcpt=x@y.test",
     {"verdict=pass", "(authenticated client submission on port 587", "action=pass", NULL}},
    {"port=25 client=192.0.2.9 from=boss@example.org rcpt=x@example.org",
     {"verdict=tag", "violations=local-sender-on-mx", "action=tag violation=local-sender-on-mx", NULL}},
    {"port=2626 from=a@b.test rcpt=x@example.org",
     {"role:    unknown", "unknown-listener", NULL}},
    {"from=root@example.org rcpt=x@example.com",
     {"role:    local", "role=local", NULL}},
    /* issue 12: the MTA's resolution, shown beside what the client wrote */
    {"port=25 client=192.0.2.9 from=a@b.test rcpt=carol%foreign.example@example.org "
     "rcpt_addr=carol@foreign.example rcpt_mailer=smtp rcpt_host=foreign.example",
     {"RCPT TO:<carol%foreign.example@example.org>\n  resolved: <carol@foreign.example> "
      "mailer=smtp host=foreign.example (differs from what the client wrote)",
      "  -> 554 5.7.1 <carol%foreign.example@example.org>: Relay access denied; routed "
      "addresses are not accepted on port 25",
      "rcpt=<carol%foreign.example@example.org> resolved=<carol@foreign.example> action=reject",
      NULL}},
    {"port=25 client=192.0.2.9 from=a@b.test rcpt=alias@example.org rcpt_addr=bob@elsewhere.test "
     "rcpt_mailer=smtp rcpt=pm rcpt_addr=pm@example.org rcpt_mailer=local",
     {"RCPT TO:<alias@example.org>\n  resolved: <bob@elsewhere.test> mailer=smtp host=- "
      "(differs from what the client wrote)\n  -> 250 2.1.5",   /* issue 25 item 7: a forward */
      "RCPT TO:<pm>\n  resolved: <pm@example.org> mailer=local host=-",
      "rcpt=<alias@example.org>,<pm> action=pass", NULL}},
    {"port=25 client=192.0.2.9 from=a@b.test rcpt=u@example.org rcpt_addr=u rcpt_mailer=cyrusv2",
     {"RCPT TO:<u@example.org>\n  resolved: <u> mailer=cyrusv2 host=- (differs from what the "
      "client wrote)\n  -> 250 2.1.5", "rcpt=<u@example.org> action=pass", NULL}},
    {"port=25 client=192.0.2.9 from=a@b.test rcpt=u@elsewhere.test rcpt_addr=u rcpt_mailer=cyrusv2",
     {"  -> 554 5.7.1 <u@elsewhere.test>: Relay access denied; port 25 takes mail", NULL}},
    {"port=25 client=192.0.2.9 from=a@b.test rcpt=@a.test,@b.test:c@example.org,d@example.org",
     {"RCPT TO:<@a.test,@b.test:c@example.org>\n  -> 554 5.7.1", "routed addresses",
      "RCPT TO:<d@example.org>\n  -> 250 2.1.5", NULL}},
    {"port=2626 client=192.0.2.9 from=a@b.test rcpt=x@elsewhere.test",
     {"role:    unknown", "  -> 554 5.7.1 <x@elsewhere.test>: Relay access denied", NULL}},
    /* issue 26: DelayReject yes shows where a MAIL-stage refusal is given */
    {"port=25 client=192.0.2.9 auth=PLAIN user=alice from=alice@example.org rcpt=b@example.org,c@example.org",
     {"MAIL FROM:<alice@example.org>\n  -> 250 2.1.0 Ok (the MTA's answer: portrole gives no reply at MAIL)\n"
      "     decided: 550 5.7.1 Port 25",
      "     stage: decided at MAIL, given at the first RCPT and every later one (DelayReject yes)",
      "RCPT TO:<c@example.org>\n  -> 550 5.7.1 Port 25 is for server-to-server delivery",
      "rcpt=<c@example.org> action=reject violation=auth-on-mx"}},
    {"port=25 client=192.0.2.9 from=a@b.test rcpt=x@elsewhere.test",
     {"  -> 554 5.7.1 <x@elsewhere.test>: Relay access denied",
      "     stage: decided and given at RCPT (this recipient only)", NULL}},
};

START_TEST(test_explain)
{
    const struct explain_case *c = &cases[_i];
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    strbuf err = STRBUF_INIT;

    ck_assert_int_eq(explain_run(cfg, c->spec, fp, &err), 0);
    fclose(fp);
    for (int i = 0; i < 4 && c->want[i]; i++)
        ck_assert_msg(strstr(buf, c->want[i]) != NULL, "-x '%s' lacks \"%s\" in:\n%s",
                      c->spec, c->want[i], buf);
    free(buf);
    strbuf_release(&err);
}
END_TEST

START_TEST(test_explain_audit)
{
    strbuf err = STRBUF_INIT;
    struct pr_config *audit = testconf_load("LocalDomains example.org\nMode audit\nSPF off\nDKIM off\n", &err);
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);

    ck_assert_msg(audit != NULL, "%s", strbuf_str(&err));
    ck_assert_int_eq(explain_run(audit, "port=25 client=192.0.2.9 from=a@b.test rcpt=c@d.test", fp, &err), 0);
    fclose(fp);
    ck_assert(strstr(buf, " 554 ") == NULL);
    ck_assert(strstr(buf, "would=reject mode=audit") != NULL);
    ck_assert(strstr(buf, "violations=unauth-relay") != NULL);
    free(buf);
    config_free(audit);
    strbuf_release(&err);
}
END_TEST

/* explain_with - the -x output of spec under its own config */
static char *explain_with(const char *conf, const char *spec)
{
    strbuf err = STRBUF_INIT;
    struct pr_config *c = testconf_load(conf, &err);
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);

    ck_assert_msg(c != NULL, "%s", strbuf_str(&err));
    ck_assert_int_eq(explain_run(c, spec, fp, &err), 0);
    fclose(fp);
    config_free(c);
    strbuf_release(&err);
    return buf;
}

START_TEST(test_explain_delay_reject)
{
    const char *spec = "port=587 auth=LOGIN user=alice@example.org tls=TLSv1.3 "
        "from=bob@example.org rcpt=x@y.test,z@y.test";
    char *no = explain_with("LocalDomains example.org\nSenderPolicy login\nSPF off\nDKIM off\n"
                            "DelayReject no\n", spec);
    char *yes = explain_with("LocalDomains example.org\nSenderPolicy login\nSPF off\nDKIM off\n",
                             spec);

    /* no: refused at MAIL, no RCPT shown, the log line has no recipient */
    ck_assert_msg(strstr(no, "MAIL FROM:<bob@example.org>\n  -> 553 5.7.1 <bob@example.org>: "
                         "Sender address rejected") != NULL, "%s", no);
    ck_assert_msg(strstr(no, "stage: decided and given at MAIL (DelayReject no)") != NULL, "%s", no);
    ck_assert_msg(strstr(no, "RCPT TO:") == NULL, "%s", no);
    ck_assert_msg(strstr(no, "rcpt= action=reject violation=sender-mismatch") != NULL, "%s", no);
    /* yes (the default): the same reply at each RCPT, per recipient */
    ck_assert_msg(strstr(yes, "RCPT TO:<x@y.test>\n  -> 553 5.7.1 <bob@example.org>: Sender address "
                         "rejected: not owned by user alice@example.org (ref ") != NULL, "%s", yes);
    ck_assert_msg(strstr(yes, "RCPT TO:<z@y.test>\n  -> 553 5.7.1") != NULL, "%s", yes);
    ck_assert_msg(strstr(yes, "rcpt=<z@y.test> action=reject violation=sender-mismatch") != NULL,
                  "%s", yes);
    free(no);
    free(yes);
}
END_TEST

START_TEST(test_explain_errors)
{
    strbuf err = STRBUF_INIT;
    FILE *fp = fopen("/dev/null", "w");

    ck_assert_int_eq(explain_run(cfg, "port=25 colour=blue", fp, &err), 2);
    ck_assert(strstr(strbuf_str(&err), "unknown key 'colour'") != NULL);
    strbuf_reset(&err);
    ck_assert_int_eq(explain_run(cfg, "port=abc", fp, &err), 2);
    strbuf_reset(&err);
    ck_assert_int_eq(explain_run(cfg, "justaword", fp, &err), 2);
    fclose(fp);
    strbuf_release(&err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("explain");
    TCase *tc = tcase_create("explain");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_explain, 0, sizeof(cases) / sizeof(cases[0]));
    tcase_add_test(tc, test_explain_audit);
    tcase_add_test(tc, test_explain_errors);
    tcase_add_test(tc, test_explain_delay_reject);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
