/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vocab - role, violation, action, facility and level names; see vocab.h.
 *
 * DESCRIPTION
 *	Tables only: every name portrole.conf, the logs and the header use
 *	for these enums is written once, here.
 *
 * DIAGNOSTICS
 *	None.
 */
#include "acconfig.h"

#include <stddef.h>
#include <syslog.h>

#include "util.h"
#include "vocab.h"

static const char *const role_names[ROLE_COUNT] = {
    "mx", "submission", "submissions", "internal", "local", "unknown",
};

static const char *const violation_names[V_COUNT] = {
    "unknown-listener", "auth-on-mx", "cleartext-submission",
    "unauth-submission", "sender-mismatch", "local-sender-on-mx",
    "spf-fail", "unauth-relay",
};

static const char *const action_names[ACT_COUNT] = {
    "pass", "ignore", "tag", "tempfail", "reject",
};

/* SPEC's default action per violation. */
static const enum pr_action default_actions[V_COUNT] = {
    [V_UNKNOWN_LISTENER] = ACT_TAG,
    [V_AUTH_ON_MX] = ACT_REJECT,
    [V_CLEARTEXT_SUBMISSION] = ACT_REJECT,
    [V_UNAUTH_SUBMISSION] = ACT_REJECT,
    [V_SENDER_MISMATCH] = ACT_REJECT,
    [V_LOCAL_SENDER_ON_MX] = ACT_TAG,
    [V_SPF_FAIL] = ACT_TAG,
    [V_UNAUTH_RELAY] = ACT_REJECT,
};

static const struct { const char *name; int value; } facilities[] = {
    {"mail", LOG_MAIL}, {"daemon", LOG_DAEMON}, {"user", LOG_USER},
    {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
    {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
    {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

static const struct { const char *name; int value; } levels[] = {
    {"error", LOG_ERR}, {"err", LOG_ERR}, {"warning", LOG_WARNING},
    {"warn", LOG_WARNING}, {"notice", LOG_NOTICE}, {"info", LOG_INFO},
    {"debug", LOG_DEBUG},
};

/* vocab_role_name - role name as written in the config and the logs */
const char *vocab_role_name(enum pr_role role)
{
    return (unsigned) role < ROLE_COUNT ? role_names[role] : "unknown";
}

/* vocab_violation_name - violation name as in SPEC */
const char *vocab_violation_name(enum pr_violation viol)
{
    return (unsigned) viol < V_COUNT ? violation_names[viol] : "?";
}

/* vocab_action_name - action name */
const char *vocab_action_name(enum pr_action act)
{
    return (unsigned) act < ACT_COUNT ? action_names[act] : "?";
}

/* lookup - index of name in a table, case-insensitive, or -1 */
static int lookup(const char *const *table, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (util_strcaseeq(table[i], name))
            return i;
    return -1;
}

/* vocab_role_parse - config role name; local and unknown are not configurable */
int vocab_role_parse(const char *name, enum pr_role *out)
{
    int i = lookup(role_names, ROLE_INTERNAL + 1, name);

    if (i < 0)
        return -1;
    *out = (enum pr_role) i;
    return 0;
}

/* vocab_violation_parse - violation by name */
int vocab_violation_parse(const char *name, enum pr_violation *out)
{
    int i = lookup(violation_names, V_COUNT, name);

    if (i < 0)
        return -1;
    *out = (enum pr_violation) i;
    return 0;
}

/* vocab_action_parse - configurable action (not "pass") */
int vocab_action_parse(const char *name, enum pr_action *out)
{
    int i = lookup(action_names, ACT_COUNT, name);

    if (i <= ACT_PASS)
        return -1;
    *out = (enum pr_action) i;
    return 0;
}

/* vocab_default_action - SPEC's default action for a violation */
enum pr_action vocab_default_action(enum pr_violation viol)
{
    return (unsigned) viol < V_COUNT ? default_actions[viol] : ACT_PASS;
}

/* vocab_facility_parse - syslog facility by name, or -1 */
int vocab_facility_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
        if (util_strcaseeq(name, facilities[i].name))
            return facilities[i].value;
    return -1;
}

/* vocab_facility_name - name of a facility value */
const char *vocab_facility_name(int facility)
{
    for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
        if (facilities[i].value == facility)
            return facilities[i].name;
    return "mail";
}

/* vocab_level_parse - LogLevel word to a syslog priority, or -1 */
int vocab_level_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (util_strcaseeq(name, levels[i].name))
            return levels[i].value;
    return -1;
}
