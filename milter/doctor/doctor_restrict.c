/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * doctor_restrict - Postfix's smtpd restriction lists, judged the way
 *	smtpd evaluates them, for one kind of client: the stranger.
 *
 * SYNOPSIS
 *	#include "doctor.h"
 *
 *	v = doctor_eff(mta, l, "smtpd_milters");
 *	stage = doctor_stranger_refused(mta, l, foreign);
 *
 * DESCRIPTION
 *	doctor_eff() is a listener's effective value of a main.cf parameter:
 *	its -o override, else main.cf's (expanded), else "". doctor_eff_raw()
 *	is the same as written, $names kept, for a fix that extends a list.
 *
 *	doctor_stranger_refused() walks every smtpd_*_restrictions stage of
 *	the listener (client, helo, sender, relay, recipient, data,
 *	end_of_data) as Postfix does: each stage on its own, the first
 *	restriction that decides ends that stage, a permit ends only its own
 *	stage, and a reject in any stage refuses the mail. The client is a
 *	stranger: not in mynetworks (permit_mynetworks is the local-network
 *	exception, not a permit for everyone), not logged in, without a
 *	client certificate. foreign says whether the recipient belongs to
 *	another domain (the relay question) or to ours (the delivery
 *	question). What cannot be known from the configuration alone (access
 *	maps, DNS lists, restriction classes) decides nothing and the walk
 *	goes on, as Postfix does when a lookup finds nothing. It returns the
 *	name of the first stage that refuses the stranger, or NULL.
 */
#include "acconfig.h"

#include <ctype.h>
#include <string.h>

#include "doctor.h"
#include "util.h"

/* doctor_eff - a listener's effective value of a main.cf parameter */
const char *doctor_eff(const struct doctor_mta *mta, const struct doctor_listener *l,
                       const char *name)
{
    const char *v = l ? doctor_setting_get(&l->opts, name) : NULL;

    if (v == NULL)
        v = doctor_setting_get(&mta->main, name);
    return v ? v : "";
}

/* doctor_eff_raw - the same, as written in master.cf or main.cf */
const char *doctor_eff_raw(const struct doctor_mta *mta, const struct doctor_listener *l,
                           const char *name)
{
    const struct doctor_setting *s = l ? doctor_setting_find(&l->opts, name) : NULL;

    if (s == NULL)
        s = doctor_setting_find(&mta->main, name);
    if (s == NULL)
        return "";
    return s->raw ? s->raw : s->value;
}

/* doctor_next_token - the next word of a Postfix list (commas and blanks separate) */
const char *doctor_next_token(const char *s, char *tok, size_t size)
{
    size_t n = 0;

    while (*s && (isspace((unsigned char) *s) || *s == ','))
        s++;
    while (*s && !isspace((unsigned char) *s) && *s != ',') {
        if (n < size - 1)
            tok[n++] = *s;
        s++;
    }
    tok[n] = '\0';
    return n ? s : NULL;
}

/* stage_refuses - this one restriction list refuses the stranger */
static int stage_refuses(const char *list, int foreign)
{
    char tok[512];

    while ((list = doctor_next_token(list, tok, sizeof(tok))) != NULL) {
        if (strcmp(tok, "reject") == 0 || strcmp(tok, "defer") == 0)
            return 1;
        if (strcmp(tok, "permit") == 0)
            return 0;
        if (foreign && (strcmp(tok, "reject_unauth_destination") == 0
                        || strcmp(tok, "defer_unauth_destination") == 0))
            return 1;
        /* Our own domains are an authorized destination. */
        if (!foreign && strcmp(tok, "permit_auth_destination") == 0)
            return 0;
        /* Everything else either does not apply to a stranger
         * (permit_mynetworks, permit_sasl_authenticated, the
         * certificate permits) or depends on data the configuration
         * does not hold (check_*_access maps, DNS lists): go on. */
    }
    return 0;
}

/* doctor_stranger_refused - the first stage that refuses the stranger, or NULL */
const char *doctor_stranger_refused(const struct doctor_mta *mta,
                                    const struct doctor_listener *l, int foreign)
{
    static const char *const stages[] = {
        "smtpd_client_restrictions", "smtpd_helo_restrictions", "smtpd_sender_restrictions",
        "smtpd_relay_restrictions", "smtpd_recipient_restrictions", "smtpd_data_restrictions",
        "smtpd_end_of_data_restrictions",
    };
    size_t i;

    for (i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
        if (stage_refuses(doctor_eff(mta, l, stages[i]), foreign))
            return stages[i];
    return NULL;
}
