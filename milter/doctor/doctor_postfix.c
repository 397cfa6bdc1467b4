/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * doctor_postfix - read a Postfix instance the way Postfix reads it.
 *
 * SYNOPSIS
 *	#include "doctor.h"
 *
 *	doctor_postfix_read(mta, &err);		mta->source: config directory
 *
 * DESCRIPTION
 *	Runs "postconf -c DIR -n" (what the administrator set), "postconf -c
 *	DIR -x" (every effective value, $names expanded), "postconf -c DIR
 *	-M" (the master.cf services) and "postconf -c DIR -P" (the -o
 *	overrides), and reads DIR/master.cf itself only for line numbers.
 *	Each "inet" service whose command is smtpd becomes a listener, with
 *	its port, address, chroot flag, overrides and the {daemon_name} it
 *	will send (milter_macro_daemon_name). Override values are expanded
 *	one level against main.cf ($name, ${name}, $service_name).
 *
 *	postconf is $POSTCONF, else the first postconf on $PATH, else
 *	/usr/sbin/postconf. Nothing is written and no root is needed.
 *
 * DIAGNOSTICS
 *	-1 and a reason in err when postconf cannot run or fails.
 */
#include "acconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "doctor.h"
#include "util.h"

/* postconf_path - $POSTCONF, else postconf on $PATH, else /usr/sbin/postconf */
static char *postconf_path(void)
{
    const char *env = getenv("POSTCONF"), *path = getenv("PATH");
    strbuf sb = STRBUF_INIT;
    const char *p, *end;

    if (env && *env)
        return util_strdup(env);
    for (p = path ? path : ""; *p; p = *end ? end + 1 : end) {
        end = strchr(p, ':');
        if (end == NULL)
            end = p + strlen(p);
        strbuf_reset(&sb);
        strbuf_append(&sb, p, (size_t) (end - p));
        strbuf_puts(&sb, "/postconf");
        if (end > p && access(strbuf_str(&sb), X_OK) == 0)
            return strbuf_detach(&sb);
    }
    strbuf_release(&sb);
    return util_strdup("/usr/sbin/postconf");
}

/* run_postconf - stdout of "postconf -c DIR FLAG", NULL with err set on failure */
static char *run_postconf(const char *dir, const char *flag, strbuf *err)
{
    char *prog = postconf_path();
    char *argv[] = {prog, (char *) "-c", (char *) dir, (char *) flag, NULL};
    strbuf out = STRBUF_INIT;
    char buf[4096];
    int pfd[2], status = 0;
    ssize_t n;
    pid_t pid;

    if (pipe(pfd) < 0 || (pid = fork()) < 0) {
        strbuf_printf(err, "cannot run %s: %s", prog, strerror(errno));
        free(prog);
        return NULL;
    }
    if (pid == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        execv(prog, argv);
        _exit(127);
    }
    close(pfd[1]);
    while ((n = read(pfd[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            strbuf_append(&out, buf, (size_t) n);
    close(pfd[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        strbuf_printf(err, "%s -c %s %s failed (exit %d)%s", prog, dir, flag,
                      WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                      WIFEXITED(status) && WEXITSTATUS(status) == 127
                      ? ": postconf not found (set $POSTCONF)" : "");
        strbuf_release(&out);
        free(prog);
        return NULL;
    }
    free(prog);
    if (out.data == NULL)
        strbuf_puts(&out, "");
    return strbuf_detach(&out);
}

/* parse_assignments - "name = value" lines into settings */
static void parse_assignments(struct doctor_settings *s, char *text, int explicit_set)
{
    char *line, *save, *eq;

    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if ((eq = strstr(line, " = ")) != NULL) {
            *eq = '\0';
            doctor_setting_set(s, util_trim(line), util_trim(eq + 3), 0, explicit_set);
        } else if ((eq = strstr(line, " =")) != NULL && eq[2] == '\0') {
            *eq = '\0';
            doctor_setting_set(s, util_trim(line), "", 0, explicit_set);
        }
    }
}

/* expand - one level of $name / ${name} against main.cf, $service_name too */
static char *expand(const struct doctor_mta *mta, const char *service, const char *v)
{
    strbuf sb = STRBUF_INIT;
    char name[128];
    const char *val;
    size_t n;

    while (*v) {
        int brace = v[0] == '$' && v[1] == '{';
        const char *p = v + 1 + brace;

        if (*v != '$' || !(isalnum((unsigned char) *p) || *p == '_')) {
            strbuf_putc(&sb, *v++);
            continue;
        }
        for (n = 0; (isalnum((unsigned char) p[n]) || p[n] == '_') && n < sizeof(name) - 1; n++)
            name[n] = p[n];
        name[n] = '\0';
        if (brace && p[n] != '}') {
            strbuf_putc(&sb, *v++);
            continue;
        }
        val = strcmp(name, "service_name") == 0 ? service
              : doctor_setting_get(&mta->main, name);
        if (val)
            strbuf_puts(&sb, val);
        v = p + n + brace;
    }
    if (sb.data == NULL)
        strbuf_puts(&sb, "");
    return strbuf_detach(&sb);
}

/* master_lines - line of each "service type" entry and of each -o NAME */
static void master_lines(struct doctor_mta *mta, struct doctor_settings *lines)
{
    char path[4096], buf[8192], key[512], entry[256] = "", *tok, *save;
    int line = 0, want_name = 0;
    FILE *fp;

    snprintf(path, sizeof(path), "%s/master.cf", mta->source);
    if ((fp = fopen(path, "r")) == NULL)
        return;
    while (fgets(buf, sizeof(buf), fp)) {
        char a[128], b[128];

        line++;
        if (buf[0] == '#' || buf[0] == '\n')
            continue;
        if (!isspace((unsigned char) buf[0]) && sscanf(buf, "%127s %127s", a, b) == 2) {
            snprintf(entry, sizeof(entry), "%s/%s", a, b);
            doctor_setting_set(lines, entry, "", line, 0);
        }
        for (tok = strtok_r(buf, " \t\r\n", &save); tok && entry[0];
             tok = strtok_r(NULL, " \t\r\n", &save)) {
            if (strcmp(tok, "-o") == 0) {
                want_name = 1;
            } else if (want_name && strcmp(tok, "{") != 0) {
                want_name = 0;
                tok[strcspn(tok, "=")] = '\0';
                snprintf(key, sizeof(key), "%s/%s", entry, tok);
                doctor_setting_set(lines, key, "", line, 0);
            }
        }
    }
    fclose(fp);
}

/* split_service - "127.0.0.1:10026" into address and port */
static void split_service(struct doctor_listener *l, const char *service)
{
    const char *colon = strrchr(service, ':');
    char *host;

    if (colon == NULL) {
        l->port = doctor_port_of(service);
        return;
    }
    l->port = doctor_port_of(colon + 1);
    host = util_strndup(service, (size_t) (colon - service));
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
    }
    if (host[0])
        l->addr = host;
    else
        free(host);
}

/* add_listeners - every inet smtpd entry of "postconf -M" */
static void add_listeners(struct doctor_mta *mta, char *text,
                          const struct doctor_settings *lines)
{
    char *line, *save;

    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char svc[256], type[64], priv[8], unpriv[8], chroot[8], wake[16], maxp[16], cmd[256];
        char key[512];
        const struct doctor_setting *at;
        struct doctor_listener *l;

        if (sscanf(line, "%255s %63s %7s %7s %7s %15s %15s %255s", svc, type, priv,
                   unpriv, chroot, wake, maxp, cmd) != 8)
            continue;
        if (strcmp(type, "inet") != 0 || strcmp(cmd, "smtpd") != 0)
            continue;
        snprintf(key, sizeof(key), "%s/%s", svc, type);
        at = doctor_setting_find(lines, key);
        l = doctor_listener_add(mta, svc, at ? at->line : 0);
        /* "-" is Postfix's built-in default: chroot since 3.0 is n. */
        l->chroot = strcmp(chroot, "y") == 0;
        split_service(l, svc);
    }
}

/* add_overrides - "service/type/name = value" lines of "postconf -P" */
static void add_overrides(struct doctor_mta *mta, char *text,
                          const struct doctor_settings *lines)
{
    char *line, *save;
    size_t i;

    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strstr(line, " = "), *slash1, *slash2, *value;
        const struct doctor_setting *at;

        if (eq == NULL && (eq = strstr(line, " =")) == NULL)
            continue;
        value = eq[2] == ' ' ? eq + 3 : eq + 2;
        *eq = '\0';
        if ((slash1 = strchr(line, '/')) == NULL || (slash2 = strchr(slash1 + 1, '/')) == NULL)
            continue;
        at = doctor_setting_find(lines, line);
        *slash2 = '\0';
        *slash1 = '\0';
        if (strcmp(slash1 + 1, "inet") != 0)
            continue;
        for (i = 0; i < mta->nl; i++) {
            char *x;

            if (strcmp(mta->l[i].service, line) != 0)
                continue;
            x = expand(mta, line, value);
            doctor_setting_set(&mta->l[i].opts, slash2 + 1, x, at ? at->line : mta->l[i].line, 1);
            free(x);
        }
    }
}

/* doctor_postfix_read - the whole Postfix instance in mta->source */
int doctor_postfix_read(struct doctor_mta *mta, strbuf *err)
{
    struct doctor_settings lines = {NULL, 0};
    char *n = NULL, *x = NULL, *m = NULL, *p = NULL;
    int rc = -1;
    size_t i;

    if ((n = run_postconf(mta->source, "-n", err)) == NULL
        || (x = run_postconf(mta->source, "-x", err)) == NULL
        || (m = run_postconf(mta->source, "-M", err)) == NULL
        || (p = run_postconf(mta->source, "-P", err)) == NULL)
        goto out;
    /* -n says what was set; -x then gives every value, expanded. */
    parse_assignments(&mta->main, n, 1);
    parse_assignments(&mta->main, x, 0);
    master_lines(mta, &lines);
    add_listeners(mta, m, &lines);
    add_overrides(mta, p, &lines);
    for (i = 0; i < mta->nl; i++) {
        const char *dn = doctor_setting_get(&mta->l[i].opts, "milter_macro_daemon_name");

        if (dn == NULL)
            dn = doctor_setting_get(&mta->main, "milter_macro_daemon_name");
        mta->l[i].daemon_name = util_strdup(dn ? dn : "");
    }
    rc = 0;
out:
    for (i = 0; i < lines.n; i++) {
        free(lines.v[i].name);
        free(lines.v[i].value);
    }
    free(lines.v);
    free(n);
    free(x);
    free(m);
    free(p);
    return rc;
}
