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
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "doctor.h"
#include "i18n.h"
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

/* note_stderr - count postconf's stderr lines; keep the largest run's first line */
static void note_stderr(struct doctor_mta *mta, FILE *tmp)
{
    char buf[1024];
    size_t n = 0;
    char *first = NULL;

    rewind(tmp);
    while (fgets(buf, sizeof(buf), tmp)) {
        size_t len = strlen(buf);

        if (len && buf[len - 1] == '\n')
            buf[--len] = '\0';
        else {                  /* a longer line: count it once */
            int ch;

            while ((ch = fgetc(tmp)) != EOF && ch != '\n')
                ;
        }
        if (first == NULL)
            first = util_strdup(buf);
        n++;
    }
    /* Each postconf run repeats the same complaints: keep one run's. */
    if (n > mta->postconf_warnings) {
        mta->postconf_warnings = n;
        free(mta->postconf_first);
        mta->postconf_first = first;
    } else
        free(first);
}

/* run_postconf - stdout of "postconf -c DIR FLAG", NULL with err set on failure */
static char *run_postconf(struct doctor_mta *mta, const char *flag, strbuf *err)
{
    const char *dir = mta->source;
    char *prog = postconf_path();
    char *argv[] = {prog, (char *) "-c", (char *) dir, (char *) flag, NULL};
    strbuf out = STRBUF_INIT;
    char buf[4096];
    int pfd[2], status = 0;
    FILE *errf = tmpfile();
    ssize_t n;
    pid_t pid;

    if (errf == NULL || pipe(pfd) < 0 || (pid = fork()) < 0) {
        strbuf_printf(err, _("cannot run %s: %s"), prog, strerror(errno));
        if (errf)
            fclose(errf);
        free(prog);
        return NULL;
    }
    if (pid == 0) {
        dup2(pfd[1], 1);
        dup2(fileno(errf), 2);
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
        char last[512] = "";

        /* postconf's own last word says why; show it, not the noise. */
        rewind(errf);
        while (fgets(buf, sizeof(buf), errf))
            util_strlcpy(last, buf, sizeof(last));
        last[strcspn(last, "\n")] = '\0';
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            strbuf_printf(err, _("%s -c %s %s failed (exit %d): postconf not found "
                                 "(set $POSTCONF)"), prog, dir, flag, 127);
        else
            strbuf_printf(err, _("%s -c %s %s failed (exit %d)"), prog, dir, flag,
                          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        if (last[0])
            strbuf_printf(err, ": %s", last);
        strbuf_release(&out);
        fclose(errf);
        free(prog);
        return NULL;
    }
    note_stderr(mta, errf);
    fclose(errf);
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

/* master_lines - line of each "service type" entry, its last line, and each -o NAME */
static void master_lines(struct doctor_mta *mta, struct doctor_settings *lines)
{
    char path[4096], buf[8192], key[600], entry[256] = "", *tok, *save;
    int line = 0, want_name = 0;
    FILE *fp;

    snprintf(path, sizeof(path), "%s/master.cf", mta->source);
    if ((fp = fopen(path, "r")) == NULL)
        return;
    while (fgets(buf, sizeof(buf), fp)) {
        char a[128], b[128], num[16];
        struct doctor_setting *st;
        int ntok = 0, cont = isspace((unsigned char) buf[0]);

        line++;
        if (buf[0] == '#' || buf[0] == '\n')
            continue;
        if (!cont && sscanf(buf, "%127s %127s", a, b) == 2) {
            snprintf(entry, sizeof(entry), "%s/%s", a, b);
            doctor_setting_set(lines, entry, "", line, 0);
            buf[strcspn(buf, "\r\n")] = '\0';
            st = doctor_setting_find(lines, entry);
            free(st->raw);
            st->raw = util_strdup(buf);
        }
        if (!entry[0])
            continue;
        snprintf(key, sizeof(key), "%s#last", entry);
        snprintf(num, sizeof(num), "%d", line);
        doctor_setting_set(lines, key, num, line, 0);
        key[0] = '\0';
        for (tok = strtok_r(buf, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
            ntok++;
            if (strcmp(tok, "-o") == 0) {
                want_name = 1;
            } else if (want_name && strcmp(tok, "{") != 0) {
                want_name = 0;
                tok[strcspn(tok, "=")] = '\0';
                snprintf(key, sizeof(key), "%s/%s", entry, tok);
                doctor_setting_set(lines, key, "", line, 0);
            }
        }
        /* "  -o name=value" alone on its line: a fix may replace that line. */
        if (cont && ntok == 2 && key[0])
            doctor_setting_set(lines, key, "alone", line, 0);
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

/* add_services - every entry of "postconf -M" */
static void add_services(struct doctor_mta *mta, char *text, const struct doctor_settings *lines)
{
    char *line, *save;

    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char f[8][256], key[600];
        const struct doctor_setting *at;
        struct doctor_service *sv;
        size_t c;

        if (sscanf(line, "%255s %255s %255s %255s %255s %255s %255s %255s", f[0], f[1], f[2],
                   f[3], f[4], f[5], f[6], f[7]) != 8)
            continue;
        mta->svc = util_realloc(mta->svc, (mta->nsvc + 1) * sizeof(*mta->svc));
        sv = &mta->svc[mta->nsvc++];
        memset(sv, 0, sizeof(*sv));
        sv->name = util_strdup(f[0]);
        sv->type = util_strdup(f[1]);
        for (c = 0; c < 5; c++)
            sv->cols[c] = util_strdup(f[2 + c]);
        sv->command = util_strdup(f[7]);
        /* "-" is Postfix's built-in default: chroot since 3.0 is n. */
        sv->chroot = strcmp(f[4], "y") == 0;
        snprintf(key, sizeof(key), "%s/%s", f[0], f[1]);
        at = doctor_setting_find(lines, key);
        sv->line = at ? at->line : 0;
        sv->text = util_strdup(at && at->raw ? at->raw : line);
        snprintf(key, sizeof(key), "%s/%s#last", f[0], f[1]);
        at = doctor_setting_find(lines, key);
        sv->last_line = at ? at->line : sv->line;
    }
}

/* add_overrides - "service/type/name = value" lines of "postconf -P" */
static void add_overrides(struct doctor_mta *mta, char *text,
                          const struct doctor_settings *lines)
{
    char *line, *save;

    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strstr(line, " = "), *slash1, *slash2, *value, *x;
        const struct doctor_setting *at;
        struct doctor_service *sv;
        struct doctor_setting *st;

        if (eq == NULL && (eq = strstr(line, " =")) == NULL)
            continue;
        value = eq[2] == ' ' ? eq + 3 : eq + 2;
        *eq = '\0';
        if ((slash1 = strchr(line, '/')) == NULL || (slash2 = strchr(slash1 + 1, '/')) == NULL)
            continue;
        at = doctor_setting_find(lines, line);
        *slash2 = '\0';
        *slash1 = '\0';
        if ((sv = doctor_service_find(mta, line, slash1 + 1)) == NULL)
            continue;
        doctor_setting_set(&sv->opts, slash2 + 1, value, at ? at->line : sv->line, 1);
        st = doctor_setting_find(&sv->opts, slash2 + 1);
        x = expand(mta, line, value);
        free(st->value);
        st->value = x;
        /* explicit_set 2: the override is alone on its line */
        if (at && strcmp(at->value, "alone") == 0)
            st->explicit_set = 2;
    }
}

/* copy_settings - every setting of from into to */
static void copy_settings(struct doctor_settings *to, const struct doctor_settings *from)
{
    size_t i;

    for (i = 0; i < from->n; i++) {
        struct doctor_setting *st;

        doctor_setting_set(to, from->v[i].name, from->v[i].raw ? from->v[i].raw
                           : from->v[i].value, from->v[i].line, 1);
        st = doctor_setting_find(to, from->v[i].name);
        free(st->value);
        st->value = util_strdup(from->v[i].value);
        st->explicit_set = from->v[i].explicit_set;
    }
}

/* add_listeners - every inet smtpd, and every inet postscreen with its pass smtpd */
static void add_listeners(struct doctor_mta *mta)
{
    size_t i;

    for (i = 0; i < mta->nsvc; i++) {
        const struct doctor_service *sv = &mta->svc[i], *smtpd = sv;
        struct doctor_listener *l;

        if (strcmp(sv->type, "inet") != 0)
            continue;
        if (strcmp(sv->command, "postscreen") == 0) {
            const char *pass = doctor_setting_get(&sv->opts, "smtpd_service_name");

            if (pass == NULL)
                pass = doctor_setting_get(&mta->main, "smtpd_service_name");
            smtpd = doctor_service_find(mta, pass && *pass ? pass : "smtpd", "pass");
            if (smtpd && strcmp(smtpd->command, "smtpd") != 0)
                smtpd = NULL;
        } else if (strcmp(sv->command, "smtpd") != 0)
            continue;
        l = doctor_listener_add(mta, sv->name, sv->line);
        l->front = smtpd == sv ? NULL : sv;
        l->smtpd = smtpd;
        l->chroot = smtpd ? smtpd->chroot : 0;
        l->last_line = smtpd ? smtpd->last_line : sv->last_line;
        if (smtpd)
            copy_settings(&l->opts, &smtpd->opts);
        split_service(l, sv->name);
    }
}

/* is_yes - Postfix's boolean spelling */
static int is_yes(const char *v)
{
    return util_strcaseeq(v, "yes") || util_strcaseeq(v, "true") || util_strcaseeq(v, "on");
}

/* judge_listener - milters switched off, fed by a proxy, the hop its settings suggest */
static void judge_listener(const struct doctor_mta *mta, struct doctor_listener *l)
{
    const char *m = doctor_setting_get(&l->opts, "smtpd_milters");
    char tok[8];

    l->milters_off = m != NULL && doctor_next_token(m, tok, sizeof(tok)) == NULL;
    /* XCLIENT from a named proxy on a port of its own: the proxy's
     * hand-over (Mailu's 10025). Port 25, 587 and 465 stay public. */
    l->proxied = l->front == NULL && l->port != 25 && l->port != 587 && l->port != 465
                 && doctor_next_token(doctor_eff(mta, l, "smtpd_authorized_xclient_hosts"),
                                      tok, sizeof(tok)) != NULL;
    if (l->front)
        l->guess = ROLE_MX;     /* postscreen guards server-to-server mail only */
    else if (is_yes(doctor_eff(mta, l, "smtpd_sasl_auth_enable")))
        l->guess = is_yes(doctor_eff(mta, l, "smtpd_tls_wrappermode"))
                   ? ROLE_SUBMISSIONS : ROLE_SUBMISSION;
    else
        l->guess = ROLE_MX;
}

/* doctor_postfix_read - the whole Postfix instance in mta->source */
int doctor_postfix_read(struct doctor_mta *mta, strbuf *err)
{
    struct doctor_settings lines = {NULL, 0};
    char *n = NULL, *x = NULL, *m = NULL, *p = NULL;
    int rc = -1;
    size_t i;

    if ((n = run_postconf(mta, "-n", err)) == NULL
        || (x = run_postconf(mta, "-x", err)) == NULL
        || (m = run_postconf(mta, "-M", err)) == NULL
        || (p = run_postconf(mta, "-P", err)) == NULL)
        goto out;
    /* -n says what was set; -x then gives every value, expanded. */
    parse_assignments(&mta->main, n, 1);
    parse_assignments(&mta->main, x, 0);
    master_lines(mta, &lines);
    add_services(mta, m, &lines);
    add_overrides(mta, p, &lines);
    add_listeners(mta);
    for (i = 0; i < mta->nl; i++) {
        const char *dn = doctor_setting_get(&mta->l[i].opts, "milter_macro_daemon_name");

        if (dn == NULL)
            dn = doctor_setting_get(&mta->main, "milter_macro_daemon_name");
        mta->l[i].daemon_name = util_strdup(dn ? dn : "");
        judge_listener(mta, &mta->l[i]);
    }
    rc = 0;
out:
    for (i = 0; i < lines.n; i++) {
        free(lines.v[i].name);
        free(lines.v[i].value);
        free(lines.v[i].raw);
    }
    free(lines.v);
    free(n);
    free(x);
    free(m);
    free(p);
    return rc;
}
