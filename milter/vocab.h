/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vocab - the shared words of portrole: roles, violations, actions, and
 *	the syslog facility and level names.
 *
 * SYNOPSIS
 *	#include "vocab.h"
 *
 *	name = vocab_role_name(role);	 vocab_role_parse(name, &role);
 *	name = vocab_violation_name(v);	 vocab_violation_parse(name, &v);
 *	name = vocab_action_name(act);	 vocab_action_parse(name, &act);
 *	act = vocab_default_action(v);
 *	fac = vocab_facility_parse(name); name = vocab_facility_name(fac);
 *	prio = vocab_level_parse(name);
 *
 * DESCRIPTION
 *	The bottom module: config, policy and log all use these names and
 *	call nothing above them, so the dependencies run one way (policy on
 *	config, log on policy, never back). It depends on util only.
 *
 *	Names are SPEC's, matched case-insensitively. vocab_role_parse()
 *	accepts only the roles a Listener line may name (local and unknown
 *	are never configured); vocab_action_parse() refuses "pass", which is
 *	no violation's action. vocab_default_action() is SPEC's default per
 *	violation.
 *
 * DIAGNOSTICS
 *	The parsers return -1 for an unknown name; the name functions return
 *	"unknown" (role) or "?" for an out-of-range value.
 */
#ifndef PORTROLE_VOCAB_H
#define PORTROLE_VOCAB_H

enum pr_role {
    ROLE_MX, ROLE_SUBMISSION, ROLE_SUBMISSIONS, ROLE_INTERNAL,
    ROLE_LOCAL, ROLE_UNKNOWN, ROLE_COUNT
};

/* The order here is the evaluation order: the first of equal severity replies. */
enum pr_violation {
    V_UNKNOWN_LISTENER, V_AUTH_ON_MX, V_CLEARTEXT_SUBMISSION,
    V_UNAUTH_SUBMISSION, V_SENDER_MISMATCH, V_LOCAL_SENDER_ON_MX,
    V_SPF_FAIL, V_UNAUTH_RELAY, V_COUNT
};

/* Ordered by severity: a larger value wins. */
enum pr_action {
    ACT_PASS, ACT_IGNORE, ACT_TAG, ACT_TEMPFAIL, ACT_REJECT, ACT_COUNT
};

#define VBIT(v) (1u << (v))

const char *vocab_role_name(enum pr_role role);
int vocab_role_parse(const char *name, enum pr_role *out);
const char *vocab_violation_name(enum pr_violation viol);
int vocab_violation_parse(const char *name, enum pr_violation *out);
const char *vocab_action_name(enum pr_action act);
int vocab_action_parse(const char *name, enum pr_action *out);
enum pr_action vocab_default_action(enum pr_violation viol);

int vocab_facility_parse(const char *name);
const char *vocab_facility_name(int facility);
int vocab_level_parse(const char *name);

#endif
