/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * idn - IDNA A-labels with libidn2; see idn.h.
 *
 * DESCRIPTION
 *	idn2_to_ascii_8z() with IDN2_NONTRANSITIONAL (UTS #46 processing,
 *	IDNA2008 rules): a U-label in any case maps to its one lowercase
 *	A-label, and a name that is no valid IDN is refused, so it can never
 *	match a local domain by accident.
 *
 * DIAGNOSTICS
 *	None: -1 is the answer for every name that cannot be converted.
 */
#include "acconfig.h"

#include <idn2.h>
#include <string.h>

#include "idn.h"
#include "util.h"

/* idn_available - this build converts U-labels */
int idn_available(void)
{
    return 1;
}

/* idn_is_ascii - no byte outside US-ASCII */
int idn_is_ascii(const char *name)
{
    for (const unsigned char *p = (const unsigned char *) name; *p; p++)
        if (*p >= 0x80)
            return 0;
    return 1;
}

/* idn_to_ascii - the lowercase A-label form of a UTF-8 name; 0, or -1 */
int idn_to_ascii(const char *utf8, char *buf, size_t size)
{
    char *out = NULL;
    int rc;

    if (utf8 == NULL || size == 0)
        return -1;
    rc = idn2_to_ascii_8z(utf8, &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    if (rc != IDN2_OK || out == NULL || util_strlcpy(buf, out, size) >= size) {
        idn2_free(out);
        return -1;
    }
    idn2_free(out);
    util_lowercase(buf);
    return 0;
}
