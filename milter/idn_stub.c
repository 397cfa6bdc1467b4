/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * idn_stub - IDN compiled out (./configure --without-idn or no libidn2).
 *
 * DESCRIPTION
 *	Only ASCII names are known: idn_to_ascii() refuses every other, so
 *	a UTF-8 recipient domain is never local and a U-label written in
 *	LocalDomains is a config error that names the A-label way out.
 */
#include "acconfig.h"

#include <stddef.h>

#include "idn.h"

/* idn_available - this build has no libidn2 */
int idn_available(void)
{
    return 0;
}

/* idn_is_ascii - no byte outside US-ASCII */
int idn_is_ascii(const char *name)
{
    for (const unsigned char *p = (const unsigned char *) name; *p; p++)
        if (*p >= 0x80)
            return 0;
    return 1;
}

/* idn_to_ascii - nothing to convert with */
int idn_to_ascii(const char *utf8, char *buf, size_t size)
{
    (void) utf8;
    (void) buf;
    (void) size;
    return -1;
}
