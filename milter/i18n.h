/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * i18n - the messages a person reads, in the language of the locale.
 *
 * SYNOPSIS
 *	#include "i18n.h"
 *
 *	void i18n_init(void);
 *	void i18n_c_locale(void);
 *	_("text")  N_("text")  P_("one", "many", n)
 *
 * DESCRIPTION
 *	GNU gettext with the text domain "portrole"; the English text is the
 *	msgid. i18n_init() takes LC_CTYPE and LC_MESSAGES from the
 *	environment and nothing else: numbers, times and collation stay in
 *	the C locale, so that a report's figures and a log's times never
 *	change with LANG. PORTROLE_LOCALEDIR, when set, replaces the
 *	installed catalogue directory (the tests use the build tree's).
 *	i18n_c_locale() goes back to English for the rest of the process:
 *	the daemon calls it once it runs, since from then on what it writes
 *	is log lines, replies and headers, which stay English and ASCII.
 *	N_() marks a string in a table for xgettext; _() of it translates at
 *	the place it is shown. P_() is ngettext(): the number picks the form.
 *	Built with --disable-nls, all three are the English text.
 *
 * DIAGNOSTICS
 *	None: without a catalogue the English text is shown.
 */
#ifndef PORTROLE_I18N_H
#define PORTROLE_I18N_H

#ifdef ENABLE_NLS
#include <libintl.h>
#define _(s)            gettext(s)
#define P_(s, p, n)     ngettext((s), (p), (n))
#else
#define _(s)            (s)
#define P_(s, p, n)     ((n) == 1 ? (s) : (p))
#endif
#define N_(s)           s

void i18n_init(void);
void i18n_c_locale(void);

#endif
