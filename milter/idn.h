/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * idn - internationalised domain names in their ASCII form (IDNA A-labels).
 *
 * SYNOPSIS
 *	#include "idn.h"
 *
 * DESCRIPTION
 *	A recipient domain of an SMTPUTF8 message may arrive in UTF-8
 *	(U-labels, "bücher.example"); LocalDomains may be written either way.
 *	Both are compared in their A-label form ("xn--bcher-kva.example").
 *
 *	idn_is_ascii() says whether a name needs no conversion.
 *	idn_to_ascii() writes the lowercase A-label form of a UTF-8 name
 *	into buf (UTS #46 non-transitional mapping: case folded, NFC) and
 *	returns 0, or -1 when the name is no valid IDN, does not fit, or the
 *	build has no libidn2 (idn_stub.c; idn_available() is 0 there).
 */
#ifndef PORTROLE_IDN_H
#define PORTROLE_IDN_H

#include <stddef.h>

int idn_available(void);
int idn_is_ascii(const char *name);
int idn_to_ascii(const char *utf8, char *buf, size_t size);

#endif
