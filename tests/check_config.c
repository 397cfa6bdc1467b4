/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_config - the config parser: every error it reports, lists,
 *	file: and Postfix imports, -n output, and the refcounted snapshot.
 */
#include "acconfig.h"

#include <check.h>
#include <sys/stat.h>
#include <utime.h>

#include "config.h"
#include "idn.h"
#include "testconf.h"

/* ---- one error each ---- */

static const struct error_case {
    const char *conf;
    const char *want;       /* substring of the error, after "FILE:" */
} error_cases[] = {
    {"Bogus yes\n", ":1: unknown key 'Bogus'"},
    {"\n# comment\nMode sometimes\n", ":3: Mode: 'sometimes' is not one of: enforce audit"},
    {"TrustedNetworks 10.0.0.0/33\n", ":1: TrustedNetworks: bad network '10.0.0.0/33'"},
    {"TrustedNetworks 300.1.1.1\n", ":1: TrustedNetworks: bad network '300.1.1.1'"},
    {"Listener 25 mx\nListener 25 submission\n", ":2: Listener: duplicate listener '25' (first at line 1)"},
    {"Listener MSA submission\nListener msa mx\n", ":2: Listener: duplicate listener 'msa'"},
    {"Listener [::1]:587 submission\nListener [0:0::1]:587 mx\n", ":2: Listener: duplicate listener"},
    {"Listener 25 relay\n", ":1: Listener: unknown role 'relay'"},
    {"Listener 70000 mx\n", ":1: Listener: bad listener '70000': port out of range"},
    {"Listener ::1:587 mx\n", "IPv6 listeners are written [ADDR]:PORT"},
    {"Listener 25\n", ":1: Listener: expected"},
    {"LocalDomains file:/nonexistent/portrole/domains\n", ":1: cannot read file:/nonexistent/portrole/domains"},
    {"LocalDomains exa mple..com\n", ":1: LocalDomains: 'mple..com' is not a domain name"},
    {"Action unauth-relay maybe\n", ":1: Action: bad action 'maybe'"},
    {"Action open-relay reject\n", ":1: Action: unknown violation 'open-relay'"},
    {"Reply unauth-relay \"Go away ${nobody}\"\n", ":1: Reply: bad text for unauth-relay: unknown ${...} placeholder"},
    {"Reply auth-on-mx \"bad\rtext\"\n", ":1: Reply: bad text for auth-on-mx: control or 8-bit"},
    {"RequireTLS perhaps\n", ":1: RequireTLS: expected yes or no, not 'perhaps'"},
    {"Mode audit\nMode enforce\n", ":2: Mode given twice (first at line 1)"},
    {"Socket /tmp/x.sock\n", ":1: Socket: expected unix:/PATH or inet:PORT@ADDR"},
    {"Socket inet:99999@127.0.0.1\n", ":1: Socket: expected"},
    {"UMask 999\n", ":1: UMask: '999' is not an octal mode"},
    {"DNSTimeout 0\n", ":1: DNSTimeout: '0' is not a number of seconds 1-60"},
    {"DKIMMaxSignatures 0\n", ":1: DKIMMaxSignatures: '0' is not a number 1-20"},
    {"DKIMMaxSignatures 21\n", ":1: DKIMMaxSignatures: '21' is not a number 1-20"},
    {"DKIMMaxSignatures all\n", ":1: DKIMMaxSignatures: 'all' is not a number 1-20"},
    {"UserID no-such-user-portrole\n", ":1: UserID: 'no-such-user-portrole': no such user"},
    {"SenderLoginMap /nonexistent/map\n", ":1: SenderLoginMap: cannot read /nonexistent/map"},
    {"SenderPolicy everyone\n", ":1: SenderPolicy: 'everyone' is not one of"},
    {"HeaderName X Port Role\n", ":1: HeaderName: 'X Port Role' is not a header field name"},
    {"AuthservID a;b\n", ":1: AuthservID: 'a;b' must be one word"},
    {"LogFormat xml\n", ":1: LogFormat: 'xml' is not one of: kv json"},
    {"LogLevel chatty\n", ":1: LogLevel: 'chatty' is not one of"},
    {"SyslogFacility kern9\n", ":1: SyslogFacility: unknown facility 'kern9'"},
    {"TestDNSData /nonexistent/zone\n", ":1: TestDNSData: cannot read /nonexistent/zone"},
    {"PidFile relative.pid\n", ":1: PidFile: 'relative.pid' is not an absolute path"},
    {"Mode\n", ":1: Mode: missing value"},
};

START_TEST(test_error)
{
    const struct error_case *c = &error_cases[_i];
    strbuf err = STRBUF_INIT;
    struct pr_config *cfg = testconf_load(c->conf, &err);

    ck_assert_ptr_null(cfg);
    ck_assert_msg(strstr(strbuf_str(&err), c->want) != NULL, "errors were: %s, wanted %s",
                  strbuf_str(&err), c->want);
    ck_assert_msg(strncmp(strbuf_str(&err), "/tmp/portrole-test-", 19) == 0,
                  "error does not start with the file name: %s", strbuf_str(&err));
    strbuf_release(&err);
}
END_TEST

START_TEST(test_all_errors_at_once)
{
    strbuf err = STRBUF_INIT;
    struct pr_config *cfg = testconf_load(
        "Bogus 1\nTrustedNetworks 1.2.3.4/99\nListener 25 mx\nListener 25 mx\n"
        "LocalDomains file:/nonexistent/x\nAction unauth-relay nope\n", &err);
    int lines = 0;

    ck_assert_ptr_null(cfg);
    /* An unknown key does not hide the value errors after it. */
    for (const char *p = strbuf_str(&err); *p; p++)
        lines += *p == '\n';
    ck_assert_msg(lines == 5, "want 5 errors, got: %s", strbuf_str(&err));
    ck_assert(strstr(err.data, ":1: unknown key 'Bogus'") && strstr(err.data, ":2: TrustedNetworks"));
    strbuf_reset(&err);
    cfg = testconf_load("TrustedNetworks 1.2.3.4/99\nListener 25 mx\nListener 25 mx\n"
                        "LocalDomains file:/nonexistent/x\nAction unauth-relay nope\n"
                        "Mode loud\n", &err);
    ck_assert_ptr_null(cfg);
    lines = 0;
    for (const char *p = strbuf_str(&err); *p; p++)
        lines += *p == '\n';
    ck_assert_msg(lines == 5, "want 5 errors, got: %s", strbuf_str(&err));
    ck_assert(strstr(err.data, ":1: TrustedNetworks") && strstr(err.data, ":3: Listener")
              && strstr(err.data, ":4: cannot read") && strstr(err.data, ":5: Action")
              && strstr(err.data, ":6: Mode"));
    strbuf_release(&err);
}
END_TEST

START_TEST(test_writable_file_refused)
{
    char path[] = "/tmp/portrole-test-XXXXXX";
    int fd = mkstemp(path);
    strbuf err = STRBUF_INIT;
    struct pr_config *cfg;

    ck_assert(fd >= 0 && write(fd, "Mode audit\n", 11) == 11);
    close(fd);
    ck_assert_int_eq(chmod(path, 0666), 0);
    cfg = config_load(path, &err);
    ck_assert_ptr_null(cfg);
    ck_assert(strstr(strbuf_str(&err), "refusing a group- or world-writable config file") != NULL);
    ck_assert_int_eq(chmod(path, 0620), 0);
    strbuf_reset(&err);
    ck_assert_ptr_null(config_load(path, &err));
    ck_assert_int_eq(chmod(path, 0644), 0);
    strbuf_reset(&err);
    cfg = config_load(path, &err);
    ck_assert_msg(cfg != NULL, "%s", strbuf_str(&err));
    ck_assert_int_eq(cfg->audit, 1);
    config_free(cfg);
    unlink(path);
    strbuf_release(&err);
}
END_TEST

START_TEST(test_nul_byte)
{
    char path[] = "/tmp/portrole-test-XXXXXX";
    static const char text[] = "Mode audit\nLocalDomains a.test\0, b.test\n";
    int fd = mkstemp(path);
    strbuf err = STRBUF_INIT;

    ck_assert(fd >= 0 && write(fd, text, sizeof(text) - 1) == sizeof(text) - 1);
    close(fd);
    ck_assert_ptr_null(config_load(path, &err));
    ck_assert_msg(strstr(strbuf_str(&err), ":2: NUL byte in line") != NULL, "%s", strbuf_str(&err));
    unlink(path);
    strbuf_release(&err);
}
END_TEST

/* dump_of - config_dump() without its first line (which names the source) */
static char *dump_of(const struct pr_config *cfg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);

    ck_assert_ptr_nonnull(fp);
    config_dump(cfg, fp);
    ck_assert_int_eq(fclose(fp), 0);
    ck_assert_ptr_nonnull(strchr(buf, '\n'));
    memmove(buf, strchr(buf, '\n') + 1, strlen(strchr(buf, '\n') + 1) + 1);
    return buf;
}

/* config_load_text() is the parser config_load() hands a file's text to */
START_TEST(test_load_text)
{
    static const char text[] = "Mode audit\r\nLocalDomains a.test, b.test # two\n"
                               "Listener 2525 submission\nLogLevel info";   /* no last newline */
    static const char bad[] = "Mode audit\nBogus 1\nLocalDomains a.test\0\nMode x\n";
    char path[] = "/tmp/portrole-test-XXXXXX";
    int fd = mkstemp(path);
    strbuf err = STRBUF_INIT;
    struct pr_config *from_file, *from_text;
    char *d1, *d2;

    ck_assert(fd >= 0 && write(fd, text, sizeof(text) - 1) == sizeof(text) - 1);
    close(fd);
    from_file = config_load(path, &err);
    ck_assert_msg(from_file != NULL, "%s", strbuf_str(&err));
    from_text = config_load_text("mem.conf", text, sizeof(text) - 1, &err);
    ck_assert_msg(from_text != NULL, "%s", strbuf_str(&err));
    ck_assert_str_eq(from_text->path, "mem.conf");
    ck_assert_int_eq(from_text->audit, 1);
    ck_assert(config_local_domain(from_text, "b.test"));
    d1 = dump_of(from_file);
    d2 = dump_of(from_text);
    ck_assert_str_eq(d1, d2);
    ck_assert_ptr_nonnull(strstr(d2, "2525"));
    ck_assert_ptr_nonnull(strstr(d2, "LogLevel info"));
    free(d1);
    free(d2);
    config_free(from_file);
    config_free(from_text);
    /* errors name the text and count its lines, a NUL byte included */
    ck_assert_ptr_null(config_load_text("mem.conf", bad, sizeof(bad) - 1, &err));
    ck_assert_msg(strstr(err.data, "mem.conf:2: unknown key 'Bogus'")
                  && strstr(err.data, "mem.conf:3: NUL byte in line")
                  && strstr(err.data, "mem.conf:4: Mode given twice"), "%s", err.data);
    /* empty text: the defaults */
    strbuf_reset(&err);
    from_text = config_load_text(NULL, NULL, 0, &err);
    ck_assert_msg(from_text != NULL, "%s", strbuf_str(&err));
    ck_assert_int_eq(from_text->audit, 0);
    config_free(from_text);
    unlink(path);
    strbuf_release(&err);
}
END_TEST

START_TEST(test_reply_roundtrip)
{
    strbuf err = STRBUF_INIT;
    struct pr_config *cfg = testconf_load("Reply spf-fail x \"y # z\" # a comment\n"
                                          "Mode audit # another \"quoted\" comment\n", &err);
    struct pr_config *again;
    char *buf = NULL;
    size_t len = 0;
    FILE *fp;

    ck_assert_msg(cfg != NULL, "%s", strbuf_str(&err));
    ck_assert_str_eq(cfg->reply[V_SPF_FAIL], "x \"y # z\"");
    ck_assert_int_eq(cfg->audit, 1);
    fp = open_memstream(&buf, &len);
    config_dump(cfg, fp);
    fclose(fp);
    again = testconf_load(buf, &err);   /* -n output is a config that loads the same */
    ck_assert_msg(again != NULL, "%s", strbuf_str(&err));
    ck_assert_str_eq(again->reply[V_SPF_FAIL], cfg->reply[V_SPF_FAIL]);
    free(buf);
    config_free(cfg);
    config_free(again);
    strbuf_release(&err);
}
END_TEST

START_TEST(test_defaults)
{
    strbuf err = STRBUF_INIT;
    struct pr_config *cfg = config_load(NULL, &err);

    ck_assert_msg(cfg != NULL, "%s", strbuf_str(&err));
    ck_assert_uint_eq(cfg->nlisteners, 3);
    ck_assert_int_eq(cfg->listeners[0].port, 25);
    ck_assert_int_eq(cfg->listeners[0].role, ROLE_MX);
    ck_assert_int_eq(cfg->listeners[1].role, ROLE_SUBMISSION);
    ck_assert_int_eq(cfg->listeners[2].role, ROLE_SUBMISSIONS);
    ck_assert_int_eq(config_trusted(cfg, "127.0.0.5"), 1);
    ck_assert_int_eq(config_trusted(cfg, "::1"), 1);
    ck_assert_int_eq(config_trusted(cfg, "::ffff:127.0.0.1"), 1);
    ck_assert_int_eq(config_trusted(cfg, "192.0.2.1"), 0);
    ck_assert_int_eq(config_trusted(cfg, "not-an-address"), 0);
    ck_assert_int_eq(cfg->audit, 0);
    ck_assert_int_eq(cfg->require_tls, 1);
    ck_assert_str_eq(cfg->header_name, "X-Port-Role");
    ck_assert_int_eq(cfg->action[V_UNAUTH_RELAY], ACT_REJECT);
    ck_assert_int_eq(cfg->action[V_LOCAL_SENDER_ON_MX], ACT_TAG);
    ck_assert_int_eq(cfg->dns_timeout, 5);
    ck_assert_int_eq(cfg->dkim_max_sigs, 5);
    config_free(cfg);
    strbuf_release(&err);
}
END_TEST

START_TEST(test_lists_and_files)
{
    char dpath[] = "/tmp/portrole-domains-XXXXXX";
    int fd = mkstemp(dpath);
    const char domains[] = "# our domains\nexample.org\n.example.net  other.test # trailing\n";
    strbuf conf = STRBUF_INIT, err = STRBUF_INIT;
    struct pr_config *cfg;

    ck_assert(fd >= 0 && write(fd, domains, sizeof(domains) - 1) == sizeof(domains) - 1);
    close(fd);
    strbuf_printf(&conf, "localdomains Third.Test, file:%s\nTRUSTEDNETWORKS = 192.0.2.0/24 [2001:db8::]/32\n"
                  "Listener [::1]:587 submission  # loopback only\nListener MSA submission\n"
                  "Reply auth-on-mx \"Use 587 # not a comment\"\n", dpath);
    cfg = testconf_load(conf.data, &err);
    unlink(dpath);
    ck_assert_msg(cfg != NULL, "%s", strbuf_str(&err));
    ck_assert_int_eq(config_local_domain(cfg, "example.org"), 1);
    ck_assert_int_eq(config_local_domain(cfg, "EXAMPLE.ORG."), 1);
    ck_assert_int_eq(config_local_domain(cfg, "third.test"), 1);
    ck_assert_int_eq(config_local_domain(cfg, "other.test"), 1);
    ck_assert_int_eq(config_local_domain(cfg, "a.b.example.net"), 1);
    ck_assert_int_eq(config_local_domain(cfg, "example.net"), 0);
    ck_assert_int_eq(config_local_domain(cfg, "notexample.org"), 0);
    ck_assert_int_eq(config_local_domain(cfg, "sub.example.org"), 0);
    ck_assert_int_eq(config_local_domain(cfg, ".example.net"), 0);   /* empty label: no subdomain */
    ck_assert_int_eq(config_local_domain(cfg, "a..example.net"), 0);
    ck_assert_int_eq(config_local_domain(cfg, "[192.0.2.1]"), 0);
    ck_assert_int_eq(config_trusted(cfg, "192.0.2.77"), 1);
    ck_assert_int_eq(config_trusted(cfg, "::ffff:192.0.2.77"), 1);
    ck_assert_int_eq(config_trusted(cfg, "IPv6:2001:db8::5"), 1);
    ck_assert_int_eq(config_trusted(cfg, "127.0.0.1"), 0);   /* explicit list replaces the default */
    ck_assert_uint_eq(cfg->nlisteners, 2);
    ck_assert_str_eq(cfg->reply[V_AUTH_ON_MX], "Use 587 # not a comment");
    config_free(cfg);
    strbuf_release(&conf);
    strbuf_release(&err);
}
END_TEST

/* write_file - helper for the Postfix fixture */
static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");

    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    fclose(fp);
}

START_TEST(test_postfix_import)
{
    char dir[] = "/tmp/portrole-pf-XXXXXX", path[256], env[300], cmd[600];
    struct utimbuf old = {0, 0};
    strbuf err = STRBUF_INIT;
    struct pr_config *cfg;

    if (system("command -v postconf >/dev/null 2>&1 && command -v postmap >/dev/null 2>&1") != 0) {
        fprintf(stderr, "check_config: postconf/postmap not installed: Postfix import not tested\n");
        return;
    }
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/valias", dir);
    write_file(path, "alias.test anything\n# comment\nsecond-alias.test x\n");
    snprintf(cmd, sizeof(cmd), "postmap -c %s hash:%s/valias", dir, dir);
    snprintf(path, sizeof(path), "%s/main.cf", dir);
    snprintf(env, sizeof(env), "compatibility_level = 3.6\nmyhostname = mx.example.test\n"
             "mydestination = $myhostname, localhost\nvirtual_alias_domains = hash:%s/valias\n"
             "virtual_mailbox_domains = vmail.test\nmynetworks = 127.0.0.0/8 [::1]/128 192.0.2.0/25\n", dir);
    write_file(path, env);
    utime(path, &old);                  /* Postfix ignores a main.cf younger than 2 s */
    snprintf(path, sizeof(path), "%s/master.cf", dir);
    write_file(path, "");
    utime(path, &old);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(env, sizeof(env), "postconf -c %s", dir);
    setenv("PORTROLE_POSTCONF", env, 1);
    snprintf(env, sizeof(env), "postmap -c %s", dir);
    setenv("PORTROLE_POSTMAP", env, 1);
    cfg = testconf_load("LocalDomains postfix\nTrustedNetworks postfix:mynetworks\n", &err);
    ck_assert_msg(cfg != NULL, "%s", strbuf_str(&err));
    ck_assert_int_eq(config_local_domain(cfg, "mx.example.test"), 1);
    ck_assert_int_eq(config_local_domain(cfg, "localhost"), 1);
    ck_assert_int_eq(config_local_domain(cfg, "alias.test"), 1);
    ck_assert_int_eq(config_local_domain(cfg, "second-alias.test"), 1);
    ck_assert_int_eq(config_local_domain(cfg, "vmail.test"), 1);
    ck_assert_int_eq(config_local_domain(cfg, "example.test"), 0);
    ck_assert_int_eq(config_trusted(cfg, "192.0.2.100"), 1);
    ck_assert_int_eq(config_trusted(cfg, "192.0.2.200"), 0);
    ck_assert_int_eq(config_trusted(cfg, "::1"), 1);
    config_free(cfg);
    /* A broken postconf is a config error, not an empty list. */
    setenv("PORTROLE_POSTCONF", "/nonexistent/postconf", 1);
    strbuf_reset(&err);
    cfg = testconf_load("LocalDomains postfix\n", &err);
    ck_assert_ptr_null(cfg);
    ck_assert(strstr(strbuf_str(&err), ":1: /nonexistent/postconf -xh mydestination failed") != NULL);
    unsetenv("PORTROLE_POSTCONF");
    unsetenv("PORTROLE_POSTMAP");
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
    strbuf_release(&err);
}
END_TEST

/*
 * pf_setup - a private Postfix config dir: main.cf (each @DIR@ replaced by
 * the dir), the tables given as NAME, CONTENT pairs built with postmap,
 * and PORTROLE_POSTCONF/POSTMAP pointing at it.
 * 0 when postconf/postmap are missing (the caller returns).
 */
static int pf_setup(char *dir, const char *main_cf, const char *const *tables)
{
    char path[256], cmd[600];
    struct utimbuf old = {0, 0};
    strbuf text = STRBUF_INIT;

    if (system("command -v postconf >/dev/null 2>&1 && command -v postmap >/dev/null 2>&1") != 0) {
        fprintf(stderr, "check_config: postconf/postmap not installed: Postfix import not tested\n");
        return 0;
    }
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/main.cf", dir);
    for (const char *p = main_cf, *at;; p = at + 5) {
        if ((at = strstr(p, "@DIR@")) == NULL) {
            strbuf_puts(&text, p);
            break;
        }
        strbuf_append(&text, p, (size_t) (at - p));
        strbuf_puts(&text, dir);
    }
    write_file(path, strbuf_str(&text));
    strbuf_release(&text);
    utime(path, &old);                  /* Postfix ignores a main.cf younger than 2 s */
    snprintf(path, sizeof(path), "%s/master.cf", dir);
    write_file(path, "");
    utime(path, &old);
    for (; tables && *tables; tables += 2) {
        snprintf(path, sizeof(path), "%s/%s", dir, tables[0]);
        write_file(path, tables[1]);
        snprintf(cmd, sizeof(cmd), "postmap -c %s hash:%s", dir, path);
        ck_assert_int_eq(system(cmd), 0);
    }
    snprintf(cmd, sizeof(cmd), "postconf -c %s", dir);
    setenv("PORTROLE_POSTCONF", cmd, 1);
    snprintf(cmd, sizeof(cmd), "postmap -c %s", dir);
    setenv("PORTROLE_POSTMAP", cmd, 1);
    return 1;
}

/* pf_cleanup - undo pf_setup */
static void pf_cleanup(const char *dir)
{
    char cmd[300];

    unsetenv("PORTROLE_POSTCONF");
    unsetenv("PORTROLE_POSTMAP");
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/*
 * Postfix's defaults: virtual_alias_domains = $virtual_alias_maps, whose
 * keys are mostly addresses; only the domain-shaped keys are domains.
 * Likewise virtual_mailbox_domains = $virtual_mailbox_maps.
 */
START_TEST(test_postfix_virtual_maps)
{
    static const char *const tables[] = {
        "virtual", "postmaster@alias.test root\n@catchall.test someone\n"
                   "alias.test anything\ninfo@other.test x\n.sub-alias.test x\n",
        "vmailbox", "user@vmail.test vmail.test/user/\nvmail2.test x\n",
        NULL, NULL};
    char dir[] = "/tmp/portrole-pf-XXXXXX";
    strbuf err = STRBUF_INIT;
    struct pr_config *cfg;

    if (!pf_setup(dir, "compatibility_level = 3.6\nmyhostname = mx.example.test\n"
                  "mydestination = $myhostname\nvirtual_alias_maps = hash:@DIR@/virtual\n"
                  "virtual_mailbox_maps = hash:@DIR@/vmailbox\n"
                  "virtual_mailbox_domains = $virtual_mailbox_maps\n", tables))
        return;
    cfg = testconf_load("LocalDomains postfix\n", &err);
    ck_assert_msg(cfg != NULL, "%s", strbuf_str(&err));
    ck_assert_int_eq(config_local_domain(cfg, "alias.test"), 1);
    ck_assert_int_eq(config_local_domain(cfg, "x.sub-alias.test"), 1);
    ck_assert_int_eq(config_local_domain(cfg, "vmail2.test"), 1);
    ck_assert_int_eq(config_local_domain(cfg, "mx.example.test"), 1);
    /* Address keys name no domain: Postfix would not accept these either. */
    ck_assert_int_eq(config_local_domain(cfg, "catchall.test"), 0);
    ck_assert_int_eq(config_local_domain(cfg, "other.test"), 0);
    ck_assert_int_eq(config_local_domain(cfg, "vmail.test"), 0);
    ck_assert_int_eq(config_local_domain(cfg, "sub.alias.test"), 0);
    config_free(cfg);
    strbuf_release(&err);
    pf_cleanup(dir);
}
END_TEST

/* relay_domains match subdomains as parent_domain_matches_subdomains says. */
static const struct parent_case {
    const char *parent;         /* parent_domain_matches_subdomains, NULL: Postfix's default */
    int sub_relay;              /* sub.relay.test and a.b.relay2.test (table key) local? */
} parent_cases[] = {
    {NULL, 1},
    {"relay_domains", 1},
    {"debug_peer_list, smtpd_access_maps", 0},
    {"", 0},
};

START_TEST(test_postfix_parent_domains)
{
    static const char *const tables[] = {"relaymap", "relay2.test x\n", NULL, NULL};
    const struct parent_case *c = &parent_cases[_i];
    char dir[] = "/tmp/portrole-pf-XXXXXX", main_cf[600];
    strbuf err = STRBUF_INIT;
    struct pr_config *cfg;

    snprintf(main_cf, sizeof(main_cf), "compatibility_level = 3.6\nmyhostname = mx.example.test\n"
             "mydestination = $myhostname, localhost\n"
             "relay_domains = relay.test, hash:@DIR@/relaymap\n%s%s\n",
             c->parent ? "parent_domain_matches_subdomains = " : "", c->parent ? c->parent : "");
    if (!pf_setup(dir, main_cf, tables))
        return;
    cfg = testconf_load("LocalDomains postfix\n", &err);
    ck_assert_msg(cfg != NULL, "%s", strbuf_str(&err));
    ck_assert_int_eq(config_local_domain(cfg, "relay.test"), 1);
    ck_assert_int_eq(config_local_domain(cfg, "relay2.test"), 1);
    ck_assert_int_eq(config_local_domain(cfg, "sub.relay.test"), c->sub_relay);
    ck_assert_int_eq(config_local_domain(cfg, "a.b.relay2.test"), c->sub_relay);
    ck_assert_int_eq(config_local_domain(cfg, "notrelay.test"), 0);
    /* mydestination is not in the list (Postfix's default): exact names only. */
    ck_assert_int_eq(config_local_domain(cfg, "sub.mx.example.test"), 0);
    config_free(cfg);
    strbuf_release(&err);
    pf_cleanup(dir);
}
END_TEST

/* "postfix" among other LocalDomains items imports; in a file it is an error. */
START_TEST(test_postfix_in_list)
{
    char dir[] = "/tmp/portrole-pf-XXXXXX", fpath[] = "/tmp/portrole-domains-XXXXXX", want[300];
    strbuf err = STRBUF_INIT, conf = STRBUF_INIT;
    struct pr_config *cfg;
    int fd;

    if (!pf_setup(dir, "compatibility_level = 3.6\nmyhostname = mx.example.test\n"
                  "mydestination = $myhostname\n", NULL))
        return;
    cfg = testconf_load("LocalDomains example.org, postfix .example.net postfix\n", &err);
    ck_assert_msg(cfg != NULL, "%s", strbuf_str(&err));
    ck_assert_int_eq(config_local_domain(cfg, "mx.example.test"), 1);
    ck_assert_int_eq(config_local_domain(cfg, "example.org"), 1);
    ck_assert_int_eq(config_local_domain(cfg, "a.example.net"), 1);
    ck_assert_int_eq(config_local_domain(cfg, "postfix"), 0);
    ck_assert_uint_eq(cfg->ndomains, 2);        /* imported once, not twice */
    config_free(cfg);
    fd = mkstemp(fpath);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "example.org\n\npostfix\n", 22), 22);
    close(fd);
    strbuf_printf(&conf, "LocalDomains file:%s\n", fpath);
    strbuf_reset(&err);
    cfg = testconf_load(strbuf_str(&conf), &err);
    ck_assert_ptr_null(cfg);
    snprintf(want, sizeof(want), "%s:3: LocalDomains: 'postfix' in a file: list is not imported",
             fpath);
    ck_assert_msg(strstr(strbuf_str(&err), want) != NULL, "%s", strbuf_str(&err));
    unlink(fpath);
    strbuf_release(&conf);
    strbuf_release(&err);
    pf_cleanup(dir);
}
END_TEST

/* IDN: a U-label recipient matches an A-label in LocalDomains, and back. */
static const struct idn_case {
    const char *domain;
    int local;                  /* with libidn2; without it only ASCII names match */
} idn_cases[] = {
    {"xn--bcher-kva.example", 1},
    {"b\xc3\xbc" "cher.example", 1},                   /* bücher.example */
    {"B\xc3\x9c" "CHER.EXAMPLE", 1},                   /* BÜCHER.EXAMPLE */
    {"mail.m\xc3\xbc" "nchen.example", 1},             /* a subdomain of .münchen */
    {"xn--mnchen-3ya.example", 0},                      /* .münchen is subdomains only */
    {"mail.xn--mnchen-3ya.example", 1},
    {"xn--strae-oqa.test", 1},                           /* written as straße.test */
    {"stra\xc3\x9f" "e.test", 1},
    {"strasse.test", 0},                                /* IDNA2008: ß is not ss */
    {"b\xff" "cher.example", 0},                        /* not UTF-8 */
    {"b\xc3\xbc" "cher.other", 0},
};

START_TEST(test_idn)
{
    const struct idn_case *c = &idn_cases[_i];
    strbuf err = STRBUF_INIT;
    struct pr_config *cfg = testconf_load(idn_available()
        ? "LocalDomains xn--bcher-kva.example, .m\xc3\xbc" "nchen.example, stra\xc3\x9f" "e.test\n"
        : "LocalDomains xn--bcher-kva.example, .xn--mnchen-3ya.example, xn--strae-oqa.test\n", &err);
    int want = c->local && (idn_available() || idn_is_ascii(c->domain));

    ck_assert_msg(cfg != NULL, "%s", strbuf_str(&err));
    ck_assert_msg(config_local_domain(cfg, c->domain) == want, "%s: want %d", c->domain, want);
    config_free(cfg);
    strbuf_release(&err);
}
END_TEST

/* A name that is no valid IDN is a FILE:LINE error, never a domain. */
START_TEST(test_idn_bad)
{
    strbuf err = STRBUF_INIT;
    struct pr_config *cfg = testconf_load("Mode enforce\nLocalDomains example.org, b\xff" "d.example\n", &err);

    ck_assert_ptr_null(cfg);
    ck_assert_msg(strstr(strbuf_str(&err), ":2: LocalDomains: 'b\xff" "d.example' is not a valid "
                         "internationalised domain name") != NULL, "%s", strbuf_str(&err));
    strbuf_release(&err);
}
END_TEST

START_TEST(test_dump)
{
    strbuf err = STRBUF_INIT;
    struct pr_config *cfg = testconf_load("Listener ORIGINATING submission\nMode audit\n"
                                          "LocalDomains a.test, .b.test\nAction spf-fail reject\n", &err);
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);

    ck_assert_msg(cfg != NULL, "%s", strbuf_str(&err));
    config_dump(cfg, fp);
    fclose(fp);
    ck_assert(strstr(buf, "\nListener ORIGINATING submission\n") != NULL);
    ck_assert(strstr(buf, "\nMode audit\n") != NULL);
    ck_assert(strstr(buf, "\nLocalDomains a.test, .b.test\n") != NULL);
    ck_assert(strstr(buf, "\nAction spf-fail reject\n") != NULL);
    ck_assert(strstr(buf, "\nAction unauth-relay reject\n") != NULL);
    ck_assert(strstr(buf, "\nTrustedNetworks 127.0.0.0/8, ::1/128\n") != NULL);
    /* Every key of the table appears in -n output. */
    for (int id = 0; id < PARAM_COUNT; id++)
        if (id != PARAM_REPLY)
            ck_assert_msg(strstr(buf, param_table[id].name) != NULL, "-n lacks %s", param_table[id].name);
    free(buf);
    config_free(cfg);
    strbuf_release(&err);
}
END_TEST

START_TEST(test_snapshot)
{
    strbuf err = STRBUF_INIT;
    struct pr_config *a = testconf_load("Mode enforce\n", &err), *b = testconf_load("Mode audit\n", &err);
    struct pr_config *pinned, *now;

    ck_assert(a && b);
    config_install(a);
    pinned = config_acquire();          /* a connection opened under a */
    ck_assert_ptr_eq(pinned, a);
    config_install(b);                  /* SIGHUP */
    now = config_acquire();
    ck_assert_ptr_eq(now, b);
    ck_assert_int_eq(pinned->audit, 0); /* still readable: still pinned */
    ck_assert_int_eq(now->audit, 1);
    config_release(pinned);             /* last user of a: freed (ASan checks) */
    config_release(now);
    config_install(NULL);
    ck_assert_ptr_null(config_acquire());
    strbuf_release(&err);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("config");

    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, test_error, 0, sizeof(error_cases) / sizeof(error_cases[0]));
    tcase_add_test(tc, test_all_errors_at_once);
    tcase_add_test(tc, test_writable_file_refused);
    tcase_add_test(tc, test_nul_byte);
    tcase_add_test(tc, test_load_text);
    tcase_add_test(tc, test_reply_roundtrip);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_lists_and_files);
    tcase_add_test(tc, test_postfix_import);
    tcase_add_test(tc, test_postfix_virtual_maps);
    tcase_add_loop_test(tc, test_postfix_parent_domains, 0,
                        sizeof(parent_cases) / sizeof(parent_cases[0]));
    tcase_add_test(tc, test_postfix_in_list);
    tcase_add_loop_test(tc, test_idn, 0, sizeof(idn_cases) / sizeof(idn_cases[0]));
    tcase_add_test(tc, test_idn_bad);
    tcase_add_test(tc, test_dump);
    tcase_add_test(tc, test_snapshot);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(config_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
