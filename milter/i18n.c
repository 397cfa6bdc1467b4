/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * i18n - locale set-up for the translated messages; see i18n.h.
 *
 * DESCRIPTION
 *	Only LC_CTYPE (the terminal's character set, display widths) and
 *	LC_MESSAGES (the language) follow the environment.
 *
 * DIAGNOSTICS
 *	None: an unknown locale leaves the C locale, hence English.
 */
#include "acconfig.h"

#include <locale.h>
#include <stdlib.h>

#include "i18n.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/share/locale"
#endif

/* i18n_init - the environment's language and character set */
void i18n_init(void)
{
    setlocale(LC_CTYPE, "");
    setlocale(LC_MESSAGES, "");
#ifdef ENABLE_NLS
    {
        const char *dir = getenv("PORTROLE_LOCALEDIR");

        bindtextdomain(PACKAGE, dir && *dir ? dir : LOCALEDIR);
        textdomain(PACKAGE);
    }
#endif
}

/* i18n_c_locale - English and ASCII from here on */
void i18n_c_locale(void)
{
    setlocale(LC_MESSAGES, "C");
    setlocale(LC_CTYPE, "C");
}
