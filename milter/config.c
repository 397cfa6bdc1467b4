/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config - portrole.conf into an immutable, refcounted snapshot; see config.h.
 *
 * DESCRIPTION
 *	Loading has two passes. The first reads "Key value" lines into one
 *	slot per key of params.h (repeatable keys keep every line); the
 *	second parses each key's values, or its default, with that key's
 *	parser. Every problem is appended to the caller's error buffer as
 *	"FILE:LINE: message", so an administrator sees all of them at once.
 *
 * DIAGNOSTICS
 *	Errors only through the error buffer; config_load() returns NULL
 *	when there was any.
 */
#include "acconfig.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "dkim.h"
#include "i18n.h"
#include "idn.h"
#include "spf.h"
#include "util.h"

#define PARAM_ROW(id, name, def, rep, doc) { name, def, rep, doc },
const struct param_info param_table[PARAM_COUNT] = { PORTROLE_PARAMS(PARAM_ROW) };
#undef PARAM_ROW

/* One "Key value" line as read. */
struct raw_value {
    char   *value;
    int     line;
};

struct raw_slot {
    struct raw_value *v;
    size_t  n;
};

/* The parsing context: where errors go and which file we are in. */
struct ctx {
    struct pr_config *cfg;
    const char *file;
    strbuf *errors;
    int     nerrors;
    int     pf_importing;       /* LocalDomains items come from Postfix */
    int     pf_imported;        /* Postfix's domains are in already */
    int     pf_table;           /* ... from a table's keys (postmap -s) */
    int     pf_parent;          /* ... of a parameter in parent_domain_matches_subdomains */
};

/* error - record one FILE:LINE: message, in the locale's language (a
 * reload runs in the C locale, so its log line stays English) */
static void __attribute__((format(printf, 4, 5)))
error(struct ctx *c, const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    if (line > 0)
        strbuf_printf(c->errors, "%s:%d: ", file, line);
    else
        strbuf_printf(c->errors, "%s: ", file);
    va_start(ap, fmt);
    strbuf_vprintf(c->errors, _(fmt), ap);
    va_end(ap);
    strbuf_putc(c->errors, '\n');
    c->nerrors++;
}

/* ---- lists: comma/space separated items, file:PATH expands to its lines ---- */

typedef void (*item_fn)(struct ctx *c, const char *item, const char *file, int line);

/* each_file_item - every item of a file: one or more per line, # comments */
static void each_file_item(struct ctx *c, const char *path, const char *file, int line,
                           item_fn fn)
{
    FILE *fp = fopen(path, "r");
    char *buf = NULL, *tok, *save;
    size_t cap = 0;
    int lineno = 0;

    if (fp == NULL) {
        error(c, file, line, "cannot read file:%s: %s", path, strerror(errno));
        return;
    }
    while (getline(&buf, &cap, fp) > 0) {
        lineno++;
        if ((tok = strchr(buf, '#')) != NULL)
            *tok = 0;
        for (tok = strtok_r(buf, ", \t\r\n", &save); tok; tok = strtok_r(NULL, ", \t\r\n", &save))
            fn(c, tok, path, lineno);
    }
    free(buf);
    fclose(fp);
}

/* each_item - every item of a list value */
static void each_item(struct ctx *c, const char *value, int line, item_fn fn)
{
    char *copy = util_strdup(value), *tok, *save;

    for (tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
        if (strncmp(tok, "file:", 5) == 0)
            each_file_item(c, tok + 5, c->file, line, fn);
        else
            fn(c, tok, c->file, line);
    }
    free(copy);
}

/* ---- Postfix import: postconf -xh NAME, postmap -s TABLE ---- */

/* run_capture - run argv (no shell), return its stdout or NULL */
static char *run_capture(char *const argv[], int *status)
{
    int pfd[2];
    pid_t pid;
    strbuf out = STRBUF_INIT;
    char buf[4096];
    ssize_t n;

    if (pipe(pfd) < 0)
        return NULL;
    if ((pid = fork()) < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return NULL;
    }
    if (pid == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(pfd[1]);
    while ((n = read(pfd[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            strbuf_append(&out, buf, (size_t) n);
    close(pfd[0]);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    return strbuf_detach(&out);
}

/* postfix_tool - argv for postconf/postmap; $PORTROLE_POSTCONF may add options */
static int postfix_argv(const char *tool, char **argv, int max, char **store)
{
    const char *env = getenv(strcmp(tool, "postconf") == 0 ? "PORTROLE_POSTCONF"
                             : "PORTROLE_POSTMAP");
    char *tok, *save;
    int n = 0;

    *store = util_strdup(env && *env ? env : tool);
    for (tok = strtok_r(*store, " ", &save); tok && n < max - 4; tok = strtok_r(NULL, " ", &save))
        argv[n++] = tok;
    return n;
}

/* postfix_query - output of "postconf -xh NAME" or "postmap -s TABLE" */
static char *postfix_query(struct ctx *c, int line, const char *tool,
                           const char *flag, const char *arg)
{
    char *argv[16], *store, *out;
    int n = postfix_argv(tool, argv, 16, &store), status = 0;

    argv[n++] = (char *) flag;
    argv[n++] = (char *) arg;
    argv[n] = NULL;
    out = run_capture(argv, &status);
    if (out == NULL || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        error(c, c->file, line, "%s %s %s failed (exit %d)%s", argv[0], flag, arg,
              WIFEXITED(status) ? WEXITSTATUS(status) : -1,
              WIFEXITED(status) && WEXITSTATUS(status) == 127 ? ": command not found" : "");
        free(out);
        out = NULL;
    }
    free(store);
    return out;
}

/* import_postfix_value - items of a Postfix list value, tables dumped with postmap */
static void import_postfix_value(struct ctx *c, int line, char *value, item_fn fn)
{
    static const char *const dumpable[] = {"hash:", "lmdb:", "texthash:", "btree:", "cdb:"};
    char *tok, *save;

    for (tok = strtok_r(value, ", \t\r\n", &save); tok; tok = strtok_r(NULL, ", \t\r\n", &save)) {
        size_t i;

        for (i = 0; i < sizeof(dumpable) / sizeof(dumpable[0]); i++)
            if (strncmp(tok, dumpable[i], strlen(dumpable[i])) == 0)
                break;
        if (i < sizeof(dumpable) / sizeof(dumpable[0])) {
            char *dump = postfix_query(c, line, "postmap", "-s", tok), *l, *s2;

            c->pf_table = 1;
            for (l = dump ? strtok_r(dump, "\n", &s2) : NULL; l; l = strtok_r(NULL, "\n", &s2)) {
                l[strcspn(l, " \t")] = 0;
                if (*l)
                    fn(c, l, c->file, line);
            }
            c->pf_table = 0;
            free(dump);
        } else if (tok[0] == '/') {
            each_file_item(c, tok, c->file, line, fn);
        } else if (strchr(tok, ':') != NULL && tok[0] != '[' && strchr(tok, '.') == NULL
                   && strncmp(tok, "cidr:", 5) != 0 && isalpha((unsigned char) tok[0])
                   && strspn(tok, "abcdefghijklmnopqrstuvwxyz") == strcspn(tok, ":")) {
            error(c, c->file, line, "cannot import Postfix table %s: list its entries in "
                  "portrole.conf instead", tok);
        } else {
            fn(c, tok, c->file, line);
        }
    }
}

/* import_postfix - "LocalDomains postfix", "TrustedNetworks postfix:mynetworks" */
static void import_postfix(struct ctx *c, int line, const char *const *params, item_fn fn)
{
    for (; *params; params++) {
        char *value = postfix_query(c, line, "postconf", "-xh", *params);

        if (value != NULL)
            import_postfix_value(c, line, value, fn);
        free(value);
    }
}

/* ---- LocalDomains ---- */

/* valid_domain - letters, digits, '-', '_' in dot-separated labels */
static int valid_domain(const char *d)
{
    size_t label = 0, len = strlen(d);

    if (len == 0 || len > 253)
        return 0;
    for (; *d; d++) {
        if (*d == '.') {
            if (label == 0)
                return 0;
            label = 0;
        } else if (isalnum((unsigned char) *d) || *d == '-' || *d == '_') {
            if (++label > 63)
                return 0;
        } else
            return 0;
    }
    return 1;
}

/* push - append a string to a growing array */
static void push(char ***arr, size_t *n, char *s)
{
    *arr = util_realloc(*arr, (*n + 1) * sizeof(**arr));
    (*arr)[(*n)++] = s;
}

static void import_postfix_domains(struct ctx *c, int line);

/*
 * add_domain - one LocalDomains item. The word "postfix" imports Postfix's
 * domains (on the LocalDomains line; a file: list holds domains only). Of
 * a Postfix table only the domain-shaped keys count, as in Postfix, whose
 * domain lists look the domain up: "user@example.org" and "@example.org"
 * keys of a virtual_alias_maps are addresses, never matched. A domain of
 * a parameter named in parent_domain_matches_subdomains matches its
 * subdomains too, as Postfix's own domain lists do.
 */
static void add_domain(struct ctx *c, const char *item, const char *file, int line)
{
    char *d;
    size_t len;

    if (!c->pf_importing && util_strcaseeq(item, "postfix")) {
        if (file == c->file)
            import_postfix_domains(c, line);
        else
            error(c, file, line, "LocalDomains: 'postfix' in a file: list is not imported: "
                  "write it on the LocalDomains line itself");
        return;
    }
    if (!idn_is_ascii(item)) {
        char alabel[256];

        /* U-labels are kept as A-labels, the form recipients are matched in. */
        if (idn_to_ascii(item[0] == '.' ? item + 1 : item, alabel, sizeof(alabel)) < 0) {
            if (!c->pf_table)
                error(c, file, line, "LocalDomains: '%s' is not a valid internationalised "
                      "domain name%s", item, idn_available() ? ""
                      : " (this build has no libidn2: write its A-label, xn--...)");
            return;
        }
        d = util_malloc(strlen(alabel) + 2);
        strcpy(d, item[0] == '.' ? "." : "");
        strcat(d, alabel);
        add_domain(c, d, file, line);
        free(d);
        return;
    }
    d = util_strdup(item[0] == '.' ? item + 1 : item);
    len = strlen(d);
    util_lowercase(d);
    if (len > 1 && d[len - 1] == '.')
        d[--len] = 0;                   /* the root's dot, once: "a.." has an empty label */
    if (!valid_domain(d) || (len > 0 && d[len - 1] == '.')) {
        if (!c->pf_table)
            error(c, file, line, "LocalDomains: '%s' is not a domain name", item);
        free(d);
    } else if (item[0] == '.') {
        push(&c->cfg->subdomains, &c->cfg->nsubdomains, d);
    } else {
        if (c->pf_parent)
            push(&c->cfg->subdomains, &c->cfg->nsubdomains, util_strdup(d));
        push(&c->cfg->domains, &c->cfg->ndomains, d);
    }
}

/* cmpstr - qsort/bsearch on char * */
static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* sort_unique - sort a string array and drop duplicates */
static void sort_unique(char **arr, size_t *n)
{
    size_t i, j;

    if (*n == 0)
        return;
    qsort(arr, *n, sizeof(*arr), cmpstr);
    for (i = 1, j = 1; i < *n; i++) {
        if (strcmp(arr[i], arr[j - 1]) == 0)
            free(arr[i]);
        else
            arr[j++] = arr[i];
    }
    *n = j;
}

/* list_has - name is an item of a Postfix list value (comma or space separated) */
static int list_has(const char *list, const char *name)
{
    size_t n = strlen(name), len;

    for (const char *p = list; *p; p += len) {
        p += strspn(p, ", \t\r\n");
        len = strcspn(p, ", \t\r\n");
        if (len == n && strncasecmp(p, name, n) == 0)
            return 1;
    }
    return 0;
}

/* import_postfix_domains - Postfix's own domains, once, matched as Postfix matches them */
static void import_postfix_domains(struct ctx *c, int line)
{
    static const char *const params[4] = {"mydestination", "virtual_mailbox_domains",
        "virtual_alias_domains", "relay_domains"};
    char *value[4], *parent;

    if (c->pf_imported++)
        return;
    for (int i = 0; i < 4; i++)
        value[i] = postfix_query(c, line, "postconf", "-xh", params[i]);
    parent = postfix_query(c, line, "postconf", "-xh", "parent_domain_matches_subdomains");
    c->pf_importing = 1;
    for (int i = 0; i < 4; i++) {
        c->pf_parent = parent != NULL && list_has(parent, params[i]);
        if (value[i] != NULL)
            import_postfix_value(c, line, value[i], add_domain);
        free(value[i]);
    }
    c->pf_importing = c->pf_parent = 0;
    free(parent);
}

/* parse_local_domains - the LocalDomains value; "postfix" may stand among the items */
static void parse_local_domains(struct ctx *c, const struct raw_value *rv)
{
    each_item(c, rv->value, rv->line, add_domain);
    sort_unique(c->cfg->domains, &c->cfg->ndomains);
    sort_unique(c->cfg->subdomains, &c->cfg->nsubdomains);
}

/* ---- TrustedNetworks ---- */

/* add_network - one CIDR item; Postfix writes IPv6 as [::1]/128 */
static void add_network(struct ctx *c, const char *item, const char *file, int line)
{
    struct pr_config *cfg = c->cfg;
    char buf[128];
    const char *why = "not an address or network";
    netaddr_cidr cidr;
    char *close;

    util_strlcpy(buf, item, sizeof(buf));
    if (buf[0] == '[' && (close = strchr(buf, ']')) != NULL)
        memmove(close, close + 1, strlen(close)), memmove(buf, buf + 1, strlen(buf));
    if (strlen(item) >= sizeof(buf) || netaddr_cidr_parse(buf, &cidr, &why) < 0) {
        error(c, file, line, "TrustedNetworks: bad network '%s': %s", item, why);
        return;
    }
    cfg->trusted = util_realloc(cfg->trusted, (cfg->ntrusted + 1) * sizeof(*cfg->trusted));
    cfg->trusted[cfg->ntrusted++] = cidr;
}

/* parse_trusted - the TrustedNetworks value */
static void parse_trusted(struct ctx *c, const struct raw_value *rv)
{
    static const char *const params[] = {"mynetworks", NULL};

    if (util_strcaseeq(rv->value, "postfix:mynetworks"))
        import_postfix(c, rv->line, params, add_network);
    else if (util_strcaseeq(rv->value, "none"))
        return;
    else
        each_item(c, rv->value, rv->line, add_network);
}

/* ---- Listener ---- */

/* listener_key - a text that is equal for duplicate listeners */
static void listener_key(const struct pr_listener *l, char *buf, size_t size)
{
    char a[NETADDR_BUFSIZE];

    if (l->kind == LISTENER_NAME) {
        snprintf(buf, size, "name %s", l->name);
        util_lowercase(buf);
    } else if (l->kind == LISTENER_PORT)
        snprintf(buf, size, "port %d", l->port);
    else {
        netaddr_format(&l->addr, a, sizeof(a));
        snprintf(buf, size, "addr %s %d", a, l->port);
    }
}

/* parse_listener_spec - NAME, PORT, ADDR:PORT or [IPV6]:PORT */
static const char *parse_listener_spec(const char *spec, struct pr_listener *l)
{
    char buf[128], *colon;

    if (strspn(spec, "0123456789") == strlen(spec)) {
        l->kind = LISTENER_PORT;
        return (l->port = netaddr_port_parse(spec)) > 0 ? NULL : "port out of range";
    }
    if (util_strlcpy(buf, spec, sizeof(buf)) >= sizeof(buf))
        return "too long";
    if ((colon = strrchr(buf, ':')) != NULL && (buf[0] == '[' || strchr(buf, ':') == colon)) {
        *colon = 0;
        l->kind = LISTENER_ADDRPORT;
        if ((l->port = netaddr_port_parse(colon + 1)) <= 0)
            return "port out of range";
        if (buf[0] == '[') {
            size_t n = strlen(buf);

            if (n < 3 || buf[n - 1] != ']')
                return "IPv6 listeners are written [ADDR]:PORT";
            buf[n - 1] = 0;
            return netaddr_parse(buf + 1, &l->addr) == 0 ? NULL : "bad IPv6 address";
        }
        return netaddr_parse(buf, &l->addr) == 0 ? NULL : "bad address";
    }
    if (strchr(spec, ':') != NULL)
        return "IPv6 listeners are written [ADDR]:PORT";
    for (const char *p = spec; *p; p++)
        if (!isalnum((unsigned char) *p) && !strchr("-_.", *p))
            return "a daemon name holds letters, digits, '-', '_' and '.' only";
    l->kind = LISTENER_NAME;
    l->name = util_strdup(spec);
    return NULL;
}

/* add_listener - one "SPEC ROLE" pair, checked for duplicates */
static void add_listener(struct ctx *c, const char *spec, const char *role, int line,
                         const int *lines)
{
    struct pr_config *cfg = c->cfg;
    struct pr_listener l;
    const char *why;
    char key[160], other[160];

    memset(&l, 0, sizeof(l));
    if ((why = parse_listener_spec(spec, &l)) != NULL) {
        error(c, c->file, line, "Listener: bad listener '%s': %s", spec, why);
        free(l.name);
        return;
    }
    if (vocab_role_parse(role, &l.role) < 0) {
        error(c, c->file, line, "Listener: unknown role '%s' (mx, submission, "
              "submissions or internal)", role);
        free(l.name);
        return;
    }
    listener_key(&l, key, sizeof(key));
    for (size_t i = 0; i < cfg->nlisteners; i++) {
        listener_key(&cfg->listeners[i], other, sizeof(other));
        if (strcmp(key, other) == 0) {
            error(c, c->file, line, "Listener: duplicate listener '%s' (first at line %d)",
                  spec, lines ? lines[i] : 0);
            free(l.name);
            return;
        }
    }
    l.text = util_strdup(spec);
    cfg->listeners = util_realloc(cfg->listeners, (cfg->nlisteners + 1) * sizeof(l));
    cfg->listeners[cfg->nlisteners++] = l;
}

/* parse_listeners - every Listener line, or the built-in set */
static void parse_listeners(struct ctx *c, const struct raw_slot *slot)
{
    int *lines = util_calloc(slot->n + 4, sizeof(int));

    if (slot->n == 0) {
        add_listener(c, "25", "mx", 0, NULL);
        add_listener(c, "587", "submission", 0, NULL);
        add_listener(c, "465", "submissions", 0, NULL);
    }
    for (size_t i = 0; i < slot->n; i++) {
        char *copy = util_strdup(slot->v[i].value), *save;
        char *spec = strtok_r(copy, " \t", &save), *role = strtok_r(NULL, " \t", &save);
        size_t before = c->cfg->nlisteners;

        if (spec == NULL || role == NULL || strtok_r(NULL, " \t", &save) != NULL)
            error(c, c->file, slot->v[i].line, "Listener: expected 'Listener NAME|ADDR:PORT|PORT ROLE'");
        else
            add_listener(c, spec, role, slot->v[i].line, lines);
        if (c->cfg->nlisteners > before)
            lines[before] = slot->v[i].line;
        free(copy);
    }
    free(lines);
}

/* ---- Action and Reply ---- */

/* split_violation - "VIOLATION rest": the violation and a pointer to rest */
static int split_violation(struct ctx *c, const struct raw_value *rv, const char *key,
                           enum pr_violation *viol, const char **rest)
{
    size_t n = strcspn(rv->value, " \t");
    char name[64];

    if (n == 0 || n >= sizeof(name) || rv->value[n] == 0) {
        error(c, c->file, rv->line, "%s: expected '%s VIOLATION %s'", key, key,
              strcmp(key, "Action") == 0 ? "reject|tempfail|tag|ignore" : "\"text\"");
        return -1;
    }
    memcpy(name, rv->value, n);
    name[n] = 0;
    if (vocab_violation_parse(name, viol) < 0) {
        error(c, c->file, rv->line, "%s: unknown violation '%s'", key, name);
        return -1;
    }
    *rest = rv->value + n + strspn(rv->value + n, " \t");
    return 0;
}

/* parse_actions - defaults, then every Action line */
static void parse_actions(struct ctx *c, const struct raw_slot *slot)
{
    enum pr_violation viol;
    enum pr_action act;
    const char *rest;

    for (int v = 0; v < V_COUNT; v++)
        c->cfg->action[v] = vocab_default_action((enum pr_violation) v);
    for (size_t i = 0; i < slot->n; i++) {
        if (split_violation(c, &slot->v[i], "Action", &viol, &rest) < 0)
            continue;
        if (vocab_action_parse(rest, &act) < 0)
            error(c, c->file, slot->v[i].line, "Action: bad action '%s' "
                  "(reject, tempfail, tag or ignore)", rest);
        else
            c->cfg->action[viol] = act;
    }
}

/* reply_text_error - why a Reply text is unusable, or NULL */
static const char *reply_text_error(const char *text)
{
    static const char *const names[] = {"rcpt", "sender", "login", "port", "client", "domain"};
    const char *p, *end;

    if (*text == 0)
        return "empty text";
    if (strlen(text) > 400)
        return "longer than 400 bytes";
    for (p = text; *p; p++) {
        if ((unsigned char) *p < 0x20 || (unsigned char) *p >= 0x7f)
            return "control or 8-bit characters (an SMTP reply is one line of ASCII)";
        if (p[0] == '$' && p[1] == '{') {
            size_t i;

            if ((end = strchr(p, '}')) == NULL)
                return "unterminated ${";
            for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (strlen(names[i]) == (size_t) (end - p - 2)
                    && strncmp(p + 2, names[i], (size_t) (end - p - 2)) == 0)
                    break;
            if (i == sizeof(names) / sizeof(names[0]))
                return "unknown ${...} placeholder (rcpt, sender, login, port, client, domain)";
        }
    }
    return NULL;
}

/* parse_replies - every Reply line */
static void parse_replies(struct ctx *c, const struct raw_slot *slot)
{
    enum pr_violation viol;
    const char *rest, *why;

    for (size_t i = 0; i < slot->n; i++) {
        char *text;
        size_t n;

        if (split_violation(c, &slot->v[i], "Reply", &viol, &rest) < 0)
            continue;
        n = strlen(rest);
        if (n >= 2 && rest[0] == '"' && rest[n - 1] == '"')
            text = util_strndup(rest + 1, n - 2);
        else
            text = util_strdup(rest);
        if ((why = reply_text_error(text)) != NULL) {
            error(c, c->file, slot->v[i].line, "Reply: bad text for %s: %s",
                  vocab_violation_name(viol), why);
            free(text);
        } else {
            free(c->cfg->reply[viol]);
            c->cfg->reply[viol] = text;
        }
    }
}

/* ---- SenderLoginMap ---- */

/* cmpmap - sort/search map entries by sender */
static int cmpmap(const void *a, const void *b)
{
    return strcmp(((const struct pr_sendermap_entry *) a)->sender,
                  ((const struct pr_sendermap_entry *) b)->sender);
}

/* parse_sender_map - "sender login[,login...]" lines */
static void parse_sender_map(struct ctx *c, const char *path, int line)
{
    struct pr_config *cfg = c->cfg;
    FILE *fp = fopen(path, "r");
    char *buf = NULL, *save, *sender, *logins, *tok, *s2;
    size_t cap = 0;
    int lineno = 0;

    if (fp == NULL) {
        error(c, c->file, line, "SenderLoginMap: cannot read %s: %s", path, strerror(errno));
        return;
    }
    while (getline(&buf, &cap, fp) > 0) {
        struct pr_sendermap_entry e = {NULL, NULL, 0};

        lineno++;
        buf[strcspn(buf, "#\r\n")] = 0;
        if ((sender = strtok_r(buf, " \t", &save)) == NULL)
            continue;
        if ((logins = strtok_r(NULL, " \t", &save)) == NULL || strtok_r(NULL, " \t", &save)) {
            error(c, path, lineno, "expected 'sender login[,login...]'");
            continue;
        }
        if (strchr(sender, '@') == NULL) {
            error(c, path, lineno, "'%s' is neither an address nor @domain", sender);
            continue;
        }
        e.sender = util_strdup(sender);
        util_lowercase(e.sender);
        for (tok = strtok_r(logins, ",", &s2); tok; tok = strtok_r(NULL, ",", &s2)) {
            char *login = util_strdup(tok);

            util_lowercase(login);
            push(&e.logins, &e.nlogins, login);
        }
        cfg->sender_map = util_realloc(cfg->sender_map, (cfg->nsender_map + 1) * sizeof(e));
        cfg->sender_map[cfg->nsender_map++] = e;
    }
    free(buf);
    fclose(fp);
    qsort(cfg->sender_map, cfg->nsender_map, sizeof(*cfg->sender_map), cmpmap);
}

/* ---- scalar keys ---- */

/* parse_bool - yes/no and friends */
static int parse_bool(struct ctx *c, const struct raw_value *rv, const char *key, int *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"}, *const no[] = {"no", "false", "off", "0"};

    for (int i = 0; i < 4; i++) {
        if (util_strcaseeq(rv->value, yes[i]))
            return *out = 1, 0;
        if (util_strcaseeq(rv->value, no[i]))
            return *out = 0, 0;
    }
    error(c, c->file, rv->line, "%s: expected yes or no, not '%s'", key, rv->value);
    return -1;
}

/* parse_choice - one of a fixed list of words; returns the index */
static int parse_choice(struct ctx *c, const struct raw_value *rv, const char *key,
                        const char *const *words, int n)
{
    for (int i = 0; i < n; i++)
        if (util_strcaseeq(rv->value, words[i]))
            return i;
    strbuf_printf(c->errors, _("%s:%d: %s: '%s' is not one of:"), c->file, rv->line, key, rv->value);
    for (int i = 0; i < n; i++)
        strbuf_printf(c->errors, " %s", words[i]);
    strbuf_putc(c->errors, '\n');
    c->nerrors++;
    return -1;
}

/* valid_socket - the libmilter socket forms */
static int valid_socket(const char *s)
{
    if (strncmp(s, "unix:", 5) == 0 || strncmp(s, "local:", 6) == 0)
        return strchr(s, ':')[1] == '/';
    if (strncmp(s, "inet:", 5) == 0 || strncmp(s, "inet6:", 6) == 0) {
        const char *p = strchr(s, ':') + 1;
        char port[8];
        size_t n = strcspn(p, "@");

        if (n == 0 || n >= sizeof(port))
            return 0;
        memcpy(port, p, n);
        port[n] = 0;
        return netaddr_port_parse(port) > 0;
    }
    return 0;
}

/* valid_userid - USER[:GROUP] that exist on this machine */
static const char *valid_userid(const char *spec)
{
    char buf[256], *colon;

    if (util_strlcpy(buf, spec, sizeof(buf)) >= sizeof(buf))
        return "too long";
    if ((colon = strchr(buf, ':')) != NULL)
        *colon++ = 0;
    if (getpwnam(buf) == NULL)
        return "no such user";
    if (colon != NULL && getgrnam(colon) == NULL)
        return "no such group";
    return NULL;
}

/* valid_token - a word without spaces, ';' or control bytes */
static int valid_token(const char *s, const char *also_forbidden)
{
    if (*s == 0 || strlen(s) > 255)
        return 0;
    for (; *s; s++)
        if ((unsigned char) *s <= 0x20 || (unsigned char) *s >= 0x7f || strchr(also_forbidden, *s))
            return 0;
    return 1;
}

/* parse_scalar - one non-list key; rv->line is 0 for a default */
static void parse_scalar(struct ctx *c, enum param_id id, const struct raw_value *rv,
                         int from_file)
{
    static const char *const modes[] = {"enforce", "audit"};
    static const char *const policies[] = {"any", "local-domains", "login"};
    static const char *const onoff[] = {"off", "on"};
    static const char *const dkimmodes[] = {"off", "verify"};
    static const char *const formats[] = {"kv", "json"};
    struct pr_config *cfg = c->cfg;
    const char *key = param_table[id].name, *v = rv->value, *why;
    char *end;
    long n;
    int i;

    switch (id) {
    case PARAM_SOCKET:
        if (!valid_socket(v))
            error(c, c->file, rv->line, "Socket: expected unix:/PATH or inet:PORT@ADDR, not '%s'", v);
        cfg->socket = util_strdup(v);
        break;
    case PARAM_USERID:
        if (*v && (why = valid_userid(v)) != NULL)
            error(c, c->file, rv->line, "UserID: '%s': %s", v, why);
        cfg->userid = *v ? util_strdup(v) : NULL;
        break;
    case PARAM_PIDFILE:
        if (*v && v[0] != '/')
            error(c, c->file, rv->line, "PidFile: '%s' is not an absolute path", v);
        cfg->pidfile = *v ? util_strdup(v) : NULL;
        break;
    case PARAM_UMASK:
        n = strtol(v, &end, 8);
        if (*v == 0 || *end || n < 0 || n > 0777)
            error(c, c->file, rv->line, "UMask: '%s' is not an octal mode 000-777", v);
        cfg->umask = (mode_t) n;
        break;
    case PARAM_MODE:
        if ((i = parse_choice(c, rv, key, modes, 2)) >= 0)
            cfg->audit = i;
        break;
    case PARAM_REQUIRETLS:
        parse_bool(c, rv, key, &cfg->require_tls);
        break;
    case PARAM_DELAYREJECT:
        parse_bool(c, rv, key, &cfg->delay_reject);
        break;
    case PARAM_SENDERPOLICY:
        if ((i = parse_choice(c, rv, key, policies, 3)) >= 0)
            cfg->sender_policy = (enum sender_policy) i;
        break;
    case PARAM_SENDERLOGINMAP:
        if (*v) {
            cfg->sender_map_path = util_strdup(v);
            parse_sender_map(c, v, rv->line);
        }
        break;
    case PARAM_AUTHSERVID:
        if (*v && !valid_token(v, ";()\"\\"))
            error(c, c->file, rv->line, "AuthservID: '%s' must be one word without ; ( ) \" \\", v);
        cfg->authserv_id = *v ? util_strdup(v) : NULL;
        break;
    case PARAM_HEADERNAME:
        if (!valid_token(v, ":") || strlen(v) > 64)
            error(c, c->file, rv->line, "HeaderName: '%s' is not a header field name", v);
        cfg->header_name = util_strdup(v);
        break;
    case PARAM_HEADERINCLUDEUSER:
        parse_bool(c, rv, key, &cfg->header_include_user);
        break;
    case PARAM_AUTHRESULTS:
        parse_bool(c, rv, key, &cfg->auth_results);
        break;
    case PARAM_SPF:
        if ((i = parse_choice(c, rv, key, onoff, 2)) >= 0) {
            cfg->spf = i && spf_available();
            if (i && !spf_available() && from_file)
                error(c, c->file, rv->line, "SPF on: this build has no SPF (rebuild with libspf2)");
        }
        break;
    case PARAM_DKIM:
        if ((i = parse_choice(c, rv, key, dkimmodes, 2)) >= 0) {
            cfg->dkim = i && dkim_available();
            if (i && !dkim_available() && from_file)
                error(c, c->file, rv->line, "DKIM verify: this build has no DKIM (rebuild with libopendkim)");
        }
        break;
    case PARAM_DKIMMAXSIGNATURES:
        n = strtol(v, &end, 10);
        if (*v == 0 || *end || n < 1 || n > PR_DKIM_MAX_SIGS)
            error(c, c->file, rv->line, "DKIMMaxSignatures: '%s' is not a number 1-%d", v,
                  PR_DKIM_MAX_SIGS);
        cfg->dkim_max_sigs = (int) n;
        break;
    case PARAM_DNSTIMEOUT:
        n = strtol(v, &end, 10);
        if (*v == 0 || *end || n < 1 || n > 60)
            error(c, c->file, rv->line, "DNSTimeout: '%s' is not a number of seconds 1-60", v);
        cfg->dns_timeout = (int) n;
        break;
    case PARAM_TESTDNSDATA:
        if (*v && access(v, R_OK) != 0)
            error(c, c->file, rv->line, "TestDNSData: cannot read %s: %s", v, strerror(errno));
        cfg->test_dns_data = *v ? util_strdup(v) : NULL;
        break;
    case PARAM_SYSLOGFACILITY:
        if ((cfg->syslog_facility = vocab_facility_parse(v)) < 0)
            error(c, c->file, rv->line, "SyslogFacility: unknown facility '%s'", v);
        break;
    case PARAM_LOGFORMAT:
        if ((i = parse_choice(c, rv, key, formats, 2)) >= 0)
            cfg->log_format = (enum log_format) i;
        break;
    case PARAM_LOGLEVEL:
        if ((cfg->log_level = vocab_level_parse(v)) < 0)
            error(c, c->file, rv->line, "LogLevel: '%s' is not one of: error warning "
                  "notice info debug", v);
        break;
    case PARAM_STATSFILE:
        if (*v && v[0] != '/')
            error(c, c->file, rv->line, "StatsFile: '%s' is not an absolute path", v);
        cfg->stats_file = *v ? util_strdup(v) : NULL;
        break;
    case PARAM_STATSINTERVAL:
        n = strtol(v, &end, 10);
        if (*v == 0 || *end || n < 1 || n > 3600)
            error(c, c->file, rv->line, "StatsInterval: '%s' is not a number of seconds 1-3600", v);
        cfg->stats_interval = (int) n;
        break;
    case PARAM_SHUTDOWNTIMEOUT:
        n = strtol(v, &end, 10);
        if (*v == 0 || *end || n < 0 || n > 3600)
            error(c, c->file, rv->line, "ShutdownTimeout: '%s' is not a number of seconds 0-3600", v);
        cfg->shutdown_timeout = (int) n;
        break;
    default:
        break;
    }
}

/* strip_comment - cut a # comment that starts a line or follows white space;
 *	on a Reply line only after its last '"': the quoted text may hold both */
static void strip_comment(char *s)
{
    const char *key = s + strspn(s, " \t");
    char *p = strncasecmp(key, "reply", 5) == 0 ? strrchr(s, '"') : NULL;

    for (p = p ? p + 1 : s; *p; p++) {
        if (*p == '#' && (p == s || isspace((unsigned char) p[-1]))) {
            *p = 0;
            return;
        }
    }
}

/* read_line - pass 1 for one line: its "Key value" into a slot */
static void read_line(struct ctx *c, char *buf, int lineno, struct raw_slot *slots)
{
    char *line, *value;
    int id;

    strip_comment(buf);
    line = util_trim(buf);
    if (*line == 0)
        return;
    value = line + strcspn(line, " \t=");
    if (*value)
        *value++ = 0;
    value = util_trim(value + strspn(value, " \t="));
    for (id = 0; id < PARAM_COUNT; id++)
        if (util_strcaseeq(line, param_table[id].name))
            break;
    if (id == PARAM_COUNT) {
        error(c, c->file, lineno, "unknown key '%s'", line);
    } else if (!param_table[id].repeat && slots[id].n > 0) {
        error(c, c->file, lineno, "%s given twice (first at line %d)",
              param_table[id].name, slots[id].v[0].line);
    } else if (*value == 0 && !param_table[id].repeat) {
        error(c, c->file, lineno, "%s: missing value", param_table[id].name);
    } else {
        struct raw_slot *s = &slots[id];

        s->v = util_realloc(s->v, (s->n + 1) * sizeof(*s->v));
        s->v[s->n].value = util_strdup(value);
        s->v[s->n++].line = lineno;
    }
}

/* read_text - pass 1: the "Key value" lines of TEXT (LEN bytes, any bytes) into slots */
static void read_text(struct ctx *c, const char *text, size_t len, struct raw_slot *slots)
{
    char *buf = NULL;
    size_t cap = 0;
    int lineno = 0;

    for (size_t off = 0; off < len;) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t n = nl ? (size_t) (nl - (text + off)) + 1 : len - off;

        if (n + 1 > cap) {
            cap = n + 1;
            buf = util_realloc(buf, cap);
        }
        memcpy(buf, text + off, n);
        buf[n] = 0;
        off += n;
        lineno++;
        if (memchr(buf, 0, n) != NULL)
            error(c, c->file, lineno, "NUL byte in line: not a text file?");
        else
            read_line(c, buf, lineno, slots);
    }
    free(buf);
}

/* parse_all - pass 2: every key from its slot or its default */
static void parse_all(struct ctx *c, struct raw_slot *slots)
{
    for (int id = 0; id < PARAM_COUNT; id++) {
        struct raw_value def = {(char *) param_table[id].def, 0};
        const struct raw_value *rv = slots[id].n ? &slots[id].v[0] : &def;

        switch (id) {
        case PARAM_LISTENER:
            parse_listeners(c, &slots[id]);
            break;
        case PARAM_ACTION:
            parse_actions(c, &slots[id]);
            break;
        case PARAM_REPLY:
            parse_replies(c, &slots[id]);
            break;
        case PARAM_LOCALDOMAINS:
            if (*rv->value)
                parse_local_domains(c, rv);
            break;
        case PARAM_TRUSTEDNETWORKS:
            parse_trusted(c, rv);
            break;
        default:
            parse_scalar(c, (enum param_id) id, rv, slots[id].n > 0);
            break;
        }
    }
}

/*
 * sort_errors - the error lines added since FROM in the order of their line
 * numbers: values are checked key by key, but an administrator reads the
 * file top to bottom. A line naming another file (a file: list, the
 * SenderLoginMap) stays behind the line reported before it. Stable.
 */
static void sort_errors(strbuf *errors, size_t from, const char *file)
{
    struct eline { const char *p; size_t len; long key; } *v = NULL;
    size_t n = 0, cap = 0, flen = strlen(file);
    long key = 0;
    char *copy;

    if (errors == NULL || errors->len <= from)
        return;
    copy = util_strdup(errors->data + from);
    for (char *p = copy; *p != 0;) {
        char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t) (nl - p) + 1 : strlen(p);

        if (strncmp(p, file, flen) == 0 && p[flen] == ':')
            key = strtol(p + flen + 1, NULL, 10);
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            v = util_realloc(v, cap * sizeof(*v));
        }
        v[n].p = p;
        v[n].len = len;
        v[n++].key = key;
        p += len;
    }
    for (size_t i = 1; i < n; i++) {            /* insertion sort: stable, few lines */
        struct eline t = v[i];
        size_t j = i;

        for (; j > 0 && v[j - 1].key > t.key; j--)
            v[j] = v[j - 1];
        v[j] = t;
    }
    strbuf_truncate(errors, from);
    for (size_t i = 0; i < n; i++)
        strbuf_append(errors, v[i].p, v[i].len);
    free(v);
    free(copy);
}

/*
 * load - parse, validate and build one config generation from TEXT (NULL:
 *	the built-in defaults), named NAME in messages and in cfg->path
 */
static struct pr_config *load(const char *name, const char *text, size_t len,
                              strbuf *errors)
{
    struct raw_slot slots[PARAM_COUNT];
    struct ctx c;
    size_t errors_from = errors ? errors->len : 0;

    memset(slots, 0, sizeof(slots));
    memset(&c, 0, sizeof(c));
    c.cfg = util_calloc(1, sizeof(*c.cfg));
    c.file = name ? name : "(defaults)";
    c.errors = errors;
    c.nerrors = 0;
    c.cfg->path = util_strdup(name);
    c.cfg->refcnt = 1;
    if (text != NULL)
        read_text(&c, text, len, slots);
    /* Values are checked even after a bad key, so that every error shows at once. */
    parse_all(&c, slots);
    sort_errors(errors, errors_from, c.file);
    for (int id = 0; id < PARAM_COUNT; id++) {
        for (size_t i = 0; i < slots[id].n; i++)
            free(slots[id].v[i].value);
        free(slots[id].v);
    }
    if (c.nerrors == 0 && c.cfg->spf && spf_init(c.cfg, errors) < 0)
        c.nerrors++;
    if (c.nerrors == 0 && c.cfg->dkim && pr_dkim_lib_init(c.cfg, errors) < 0)
        c.nerrors++;
    if (c.nerrors > 0) {
        config_free(c.cfg);
        return NULL;
    }
    return c.cfg;
}

/*
 * read_config_file - the whole of PATH into TEXT; -1 with one "PATH: message"
 *	line in errors when it cannot be opened, is writable by others or
 *	cannot be read
 */
static int read_config_file(const char *path, strbuf *text, strbuf *errors)
{
    FILE *fp = fopen(path, "r");
    struct stat st;
    char chunk[8192];
    size_t n;
    int rc = 0;

    if (fp == NULL) {
        strbuf_printf(errors, "%s: ", path);
        strbuf_printf(errors, _("cannot open: %s"), strerror(errno));
        strbuf_puts(errors, "\n");
        return -1;
    }
    if (fstat(fileno(fp), &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH))) {
        /* Whoever can write the config can open the relay: refuse it. */
        strbuf_printf(errors, "%s: ", path);
        strbuf_printf(errors, _("refusing a group- or world-writable config file "
                                "(run: chmod go-w %s)"), path);
        strbuf_puts(errors, "\n");
        rc = -1;
    }
    while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
        strbuf_append(text, chunk, n);
    if (rc == 0 && ferror(fp)) {
        strbuf_printf(errors, "%s: ", path);
        strbuf_printf(errors, _("read error: %s"), strerror(errno));
        strbuf_puts(errors, "\n");
        rc = -1;
    }
    fclose(fp);
    return rc;
}

/* config_load - load the file PATH (NULL: the built-in defaults) */
struct pr_config *config_load(const char *path, strbuf *errors)
{
    strbuf text = STRBUF_INIT;
    struct pr_config *cfg = NULL;

    if (path == NULL)
        return load(NULL, NULL, 0, errors);
    if (read_config_file(path, &text, errors) == 0)
        cfg = load(path, strbuf_str(&text), text.len, errors);
    strbuf_release(&text);
    return cfg;
}

/* config_load_text - load LEN bytes of TEXT as if read from a file named NAME */
struct pr_config *config_load_text(const char *name, const char *text, size_t len,
                                   strbuf *errors)
{
    return load(name ? name : "(text)", text ? text : "", text ? len : 0, errors);
}

/* free_strings - an array of strings */
static void free_strings(char **arr, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(arr[i]);
    free(arr);
}

/* config_free - destroy a config and the library handles it owns */
void config_free(struct pr_config *cfg)
{
    if (cfg == NULL)
        return;
    spf_free(cfg);
    pr_dkim_lib_free(cfg);
    free(cfg->path);
    free(cfg->socket);
    free(cfg->userid);
    free(cfg->pidfile);
    free(cfg->stats_file);
    for (size_t i = 0; i < cfg->nlisteners; i++) {
        free(cfg->listeners[i].name);
        free(cfg->listeners[i].text);
    }
    free(cfg->listeners);
    free_strings(cfg->domains, cfg->ndomains);
    free_strings(cfg->subdomains, cfg->nsubdomains);
    free(cfg->trusted);
    for (int v = 0; v < V_COUNT; v++)
        free(cfg->reply[v]);
    free(cfg->sender_map_path);
    for (size_t i = 0; i < cfg->nsender_map; i++) {
        free(cfg->sender_map[i].sender);
        free_strings(cfg->sender_map[i].logins, cfg->sender_map[i].nlogins);
    }
    free(cfg->sender_map);
    free(cfg->authserv_id);
    free(cfg->header_name);
    free(cfg->test_dns_data);
    free(cfg);
}

/* ---- the current generation ---- */

static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pr_config *current;

/* config_install - make cfg the config new connections get; drops the old one */
void config_install(struct pr_config *cfg)
{
    struct pr_config *old;

    pthread_mutex_lock(&current_lock);
    old = current;
    current = cfg;
    pthread_mutex_unlock(&current_lock);
    config_release(old);
}

/* config_acquire - pin the current config */
struct pr_config *config_acquire(void)
{
    struct pr_config *cfg;

    pthread_mutex_lock(&current_lock);
    if ((cfg = current) != NULL)
        cfg->refcnt++;
    pthread_mutex_unlock(&current_lock);
    return cfg;
}

/* config_release - unpin; the last one out frees */
void config_release(struct pr_config *cfg)
{
    int last;

    if (cfg == NULL)
        return;
    pthread_mutex_lock(&current_lock);
    last = --cfg->refcnt == 0;
    pthread_mutex_unlock(&current_lock);
    if (last)
        config_free(cfg);
}

/* ---- look-ups for the policy ---- */

/* config_domain_of - the domain part of an address, or NULL */
const char *config_domain_of(const char *address)
{
    const char *at = address ? strrchr(address, '@') : NULL;

    return at && at[1] ? at + 1 : NULL;
}

/* in_sorted - bsearch a sorted string array */
static int in_sorted(char **arr, size_t n, const char *key)
{
    return n > 0 && bsearch(&key, arr, n, sizeof(*arr), cmpstr) != NULL;
}

/* config_local_domain - LocalDomains membership, case-insensitive */
int config_local_domain(const struct pr_config *cfg, const char *domain)
{
    char buf[256];
    size_t len;

    if (domain == NULL || (len = util_strlcpy(buf, domain, sizeof(buf))) >= sizeof(buf) || len == 0)
        return 0;
    if (buf[len - 1] == '>')            /* tolerate a trailing bracket */
        buf[--len] = 0;
    if (len > 1 && buf[len - 1] == '.')
        buf[--len] = 0;
    util_lowercase(buf);
    /* SMTPUTF8: a UTF-8 domain is matched by its A-labels, as LocalDomains is kept. */
    if (!idn_is_ascii(buf)) {
        char alabel[256];

        if (idn_to_ascii(buf, alabel, sizeof(alabel)) < 0)
            return 0;                   /* no valid IDN (or no libidn2): never ours */
        util_strlcpy(buf, alabel, sizeof(buf));
    }
    /* Only a well-formed name can be ours: ".example.net" is no subdomain. */
    if (!valid_domain(buf))
        return 0;
    if (in_sorted(cfg->domains, cfg->ndomains, buf))
        return 1;
    for (const char *p = strchr(buf, '.'); p; p = strchr(p + 1, '.'))
        if (in_sorted(cfg->subdomains, cfg->nsubdomains, p + 1))
            return 1;
    return 0;
}

/* config_trusted - client address in TrustedNetworks */
int config_trusted(const struct pr_config *cfg, const char *addr_text)
{
    netaddr addr;

    if (addr_text == NULL || netaddr_parse(addr_text, &addr) < 0)
        return 0;
    for (size_t i = 0; i < cfg->ntrusted; i++)
        if (netaddr_cidr_match(&cfg->trusted[i], &addr))
            return 1;
    return 0;
}

/* map_has - the map entry for key lists login */
static int map_has(const struct pr_config *cfg, const char *key, const char *login)
{
    struct pr_sendermap_entry probe = {(char *) key, NULL, 0}, *e;

    if (cfg->nsender_map == 0
        || (e = bsearch(&probe, cfg->sender_map, cfg->nsender_map, sizeof(*e), cmpmap)) == NULL)
        return 0;
    for (size_t i = 0; i < e->nlogins; i++)
        if (strcmp(e->logins[i], login) == 0)
            return 1;
    return 0;
}

/* config_sender_owned - SenderPolicy login: the login may use this sender */
int config_sender_owned(const struct pr_config *cfg, const char *sender, const char *login)
{
    char s[512], l[512];
    const char *domain;

    if (login == NULL || *login == 0 || sender == NULL)
        return 0;
    if (util_strlcpy(s, sender, sizeof(s)) >= sizeof(s)
        || util_strlcpy(l, login, sizeof(l)) >= sizeof(l))
        return 0;
    util_lowercase(s);
    util_lowercase(l);
    if (strcmp(s, l) == 0 && strchr(l, '@') != NULL)
        return 1;
    if (map_has(cfg, s, l))
        return 1;
    return (domain = strrchr(s, '@')) != NULL && map_has(cfg, domain, l);
}

/* dump_list - "Key a, b, c" or a commented empty key */
static void dump_list(FILE *fp, const char *key, char **arr, size_t n, char **arr2, size_t n2)
{
    fprintf(fp, "%s%s", n + n2 ? "" : "# ", key);
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "%s%s", i ? ", " : " ", arr[i]);
    for (size_t i = 0; i < n2; i++)
        fprintf(fp, "%s.%s", i + n ? ", " : " ", arr2[i]);
    fprintf(fp, "%s\n", n + n2 ? "" : " (empty: port 25 takes no recipient)");
}

/* dump_one - one key's effective value */
static void dump_one(const struct pr_config *cfg, FILE *fp, int id)
{
    static const char *const policies[] = {"any", "local-domains", "login"};
    static const char *const levels[] = {"emerg", "alert", "crit", "error", "warning",
        "notice", "info", "debug"};
    const char *name = param_table[id].name;
    char buf[NETADDR_BUFSIZE + 8];

#define STR(s) fprintf(fp, "%s%s %s\n", (s) ? "" : "# ", name, (s) ? (s) : "(unset)")
#define YN(b) fprintf(fp, "%s %s\n", name, (b) ? "yes" : "no")
    switch (id) {
    case PARAM_SOCKET: STR(cfg->socket); break;
    case PARAM_USERID: STR(cfg->userid); break;
    case PARAM_PIDFILE: STR(cfg->pidfile); break;
    case PARAM_UMASK: fprintf(fp, "%s %03o\n", name, (unsigned) cfg->umask); break;
    case PARAM_MODE: fprintf(fp, "%s %s\n", name, cfg->audit ? "audit" : "enforce"); break;
    case PARAM_LISTENER:
        for (size_t i = 0; i < cfg->nlisteners; i++)
            fprintf(fp, "%s %s %s\n", name, cfg->listeners[i].text,
                    vocab_role_name(cfg->listeners[i].role));
        break;
    case PARAM_LOCALDOMAINS:
        dump_list(fp, name, cfg->domains, cfg->ndomains, cfg->subdomains, cfg->nsubdomains);
        break;
    case PARAM_TRUSTEDNETWORKS:
        fprintf(fp, "%s", name);
        for (size_t i = 0; i < cfg->ntrusted; i++) {
            netaddr_cidr_format(&cfg->trusted[i], buf, sizeof(buf));
            fprintf(fp, "%s%s", i ? ", " : " ", buf);
        }
        fprintf(fp, "%s\n", cfg->ntrusted ? "" : " none");
        break;
    case PARAM_ACTION:
        for (int v = 0; v < V_COUNT; v++)
            fprintf(fp, "%s %s %s\n", name, vocab_violation_name((enum pr_violation) v),
                    vocab_action_name(cfg->action[v]));
        break;
    case PARAM_REPLY:
        for (int v = 0; v < V_COUNT; v++)
            if (cfg->reply[v])
                fprintf(fp, "%s %s \"%s\"\n", name, vocab_violation_name((enum pr_violation) v),
                        cfg->reply[v]);
        break;
    case PARAM_REQUIRETLS: YN(cfg->require_tls); break;
    case PARAM_DELAYREJECT: YN(cfg->delay_reject); break;
    case PARAM_SENDERPOLICY: fprintf(fp, "%s %s\n", name, policies[cfg->sender_policy]); break;
    case PARAM_SENDERLOGINMAP: STR(cfg->sender_map_path); break;
    case PARAM_AUTHSERVID: STR(cfg->authserv_id); break;
    case PARAM_HEADERNAME: STR(cfg->header_name); break;
    case PARAM_HEADERINCLUDEUSER: YN(cfg->header_include_user); break;
    case PARAM_AUTHRESULTS: YN(cfg->auth_results); break;
    case PARAM_SPF: fprintf(fp, "%s %s\n", name, cfg->spf ? "on" : "off"); break;
    case PARAM_DKIM: fprintf(fp, "%s %s\n", name, cfg->dkim ? "verify" : "off"); break;
    case PARAM_DKIMMAXSIGNATURES: fprintf(fp, "%s %d\n", name, cfg->dkim_max_sigs); break;
    case PARAM_DNSTIMEOUT: fprintf(fp, "%s %d\n", name, cfg->dns_timeout); break;
    case PARAM_TESTDNSDATA: STR(cfg->test_dns_data); break;
    case PARAM_SYSLOGFACILITY: fprintf(fp, "%s %s\n", name, vocab_facility_name(cfg->syslog_facility)); break;
    case PARAM_LOGFORMAT: fprintf(fp, "%s %s\n", name, cfg->log_format == LOG_FORMAT_JSON ? "json" : "kv"); break;
    case PARAM_STATSFILE: STR(cfg->stats_file); break;
    case PARAM_STATSINTERVAL: fprintf(fp, "%s %d\n", name, cfg->stats_interval); break;
    case PARAM_SHUTDOWNTIMEOUT: fprintf(fp, "%s %d\n", name, cfg->shutdown_timeout); break;
    case PARAM_LOGLEVEL:
        fprintf(fp, "%s %s\n", name, levels[cfg->log_level & 7]);
        break;
    }
#undef STR
#undef YN
}

/* config_dump - the effective configuration, in portrole.conf syntax */
void config_dump(const struct pr_config *cfg, FILE *fp)
{
    fprintf(fp, "# effective configuration from %s\n", cfg->path ? cfg->path : "(built-in defaults)");
    for (int id = 0; id < PARAM_COUNT; id++)
        dump_one(cfg, fp, id);
}
