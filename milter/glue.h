/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * glue - the libmilter callbacks; the only module besides main.c that
 *	includes <libmilter/mfapi.h>.
 *
 * SYNOPSIS
 *	#include "glue.h"
 *
 *	smfi_register(*glue_description());
 *
 * DESCRIPTION
 *	Each callback turns MTA macros into facts, asks the policy, and turns
 *	the verdict into a milter reply, a header change and a log line. A
 *	callback that cannot do its job (no private data, a library error)
 *	answers tempfail for that message and never exits the process.
 */
#ifndef PORTROLE_GLUE_H
#define PORTROLE_GLUE_H

struct smfiDesc;

struct smfiDesc *glue_description(void);

#endif
