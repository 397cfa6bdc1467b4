/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * doctor - portrole-doctor: check the MTA's own listeners against the two
 *	hops before portrole refuses a single mail.
 *
 * SYNOPSIS
 *	portrole-doctor [-c portrole.conf] [--postfix DIR | --sendmail FILE]
 *	    [--format text|json]
 *
 * DESCRIPTION
 *	The command line around the doctor modules: read portrole.conf with
 *	the daemon's own loader (doctor_conf.c), read the MTA the MTA's own
 *	way (doctor_postfix.c, doctor_sendmail.c), judge it (doctor_roles.c,
 *	doctor_checks.c, doctor_smcheck.c) and print the report
 *	(doctor_report.c). It never writes a file. See portrole-doctor(8).
 *
 * DIAGNOSTICS
 *	Exit 0 clean (notes at most), 1 warnings, 2 errors, 3 a configuration
 *	could not be read, 3 also for a usage error.
 */
#include "acconfig.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doctor.h"
#include "i18n.h"
#include "util.h"

#define DOCTOR_DEFAULT_CONF SYSCONFDIR "/portrole.conf"

/* usage - the synopsis on stderr, exit 4 */
static void usage(const char *why)
{
    if (why)
        fprintf(stderr, "portrole-doctor: %s\n", _(why));
    fprintf(stderr, _("usage: portrole-doctor [-c portrole.conf] [--postfix DIR | "
                      "--sendmail FILE] [--format text|json]\n"));
    exit(3);
}

/* main - parse the options, read, check, report */
int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"postfix", required_argument, NULL, 'p'},
        {"sendmail", required_argument, NULL, 's'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *conf = NULL, *postfix = NULL, *sendmail = NULL, *format = "text";
    struct doctor_conf dc;
    struct doctor_mta *mta;
    strbuf err = STRBUF_INIT;
    size_t counts[3];
    int ch, rc;

    i18n_init();
    while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': conf = optarg; break;
        case 'p': postfix = optarg; break;
        case 's': sendmail = optarg; break;
        case 'f': format = optarg; break;
        case 'h': usage(NULL); break;
        default: usage(NULL);
        }
    }
    if (optind < argc)
        usage(N_("unexpected argument"));
    if (postfix && sendmail)
        usage(N_("--postfix and --sendmail exclude each other"));
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
        usage(N_("--format must be text or json"));
    /* Without -c, the installed file if there is one, else the defaults. */
    if (conf == NULL && access(DOCTOR_DEFAULT_CONF, F_OK) == 0)
        conf = DOCTOR_DEFAULT_CONF;
    if (doctor_conf_read(&dc, conf, &err) < 0) {
        fprintf(stderr, _("portrole-doctor: cannot read portrole.conf:\n%s%s"),
                strbuf_str(&err), err.len && err.data[err.len - 1] == '\n' ? "" : "\n");
        strbuf_release(&err);
        return 3;
    }
    mta = sendmail ? doctor_mta_new(DOCTOR_SENDMAIL, sendmail)
          : doctor_mta_new(DOCTOR_POSTFIX, postfix ? postfix : "/etc/postfix");
    if ((sendmail ? doctor_sendmail_read(mta, &err) : doctor_postfix_read(mta, &err)) < 0) {
        fprintf(stderr, _("portrole-doctor: cannot read %s: %s\n"), mta->source,
                strbuf_str(&err));
        doctor_mta_free(mta);
        doctor_conf_free(&dc);
        strbuf_release(&err);
        return 3;
    }
    /* The findings are written in the locale's language as the checks
     * find them; the JSON report is read by programs and stays English. */
    if (strcmp(format, "json") == 0)
        i18n_c_locale();
    doctor_check(mta, &dc);
    if (strcmp(format, "json") == 0)
        doctor_report_json(mta, &dc, stdout);
    else
        doctor_report_text(mta, &dc, stdout);
    doctor_count(mta, counts);
    rc = counts[DOCTOR_ERROR] ? 2 : counts[DOCTOR_WARNING] ? 1 : 0;
    if (fflush(stdout) != 0)
        rc = 3;
    doctor_mta_free(mta);
    doctor_conf_free(&dc);
    strbuf_release(&err);
    return rc;
}
