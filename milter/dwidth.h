/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dwidth - text measured in terminal columns, not bytes.
 *
 * SYNOPSIS
 *	#include "dwidth.h"
 *
 *	int dwidth(const char *s);
 *	size_t dwidth_fit(const char *s, int cols, int *used);
 *	void dwidth_pad(FILE *fp, const char *s, int cols, int right);
 *	void dwidth_wrap(FILE *fp, int indent, int hang, int width, const char *text);
 *
 * DESCRIPTION
 *	In a UTF-8 locale a Japanese character takes two columns and three
 *	bytes, so printf's "%-20s", which counts bytes, misaligns a table.
 *	These count with wcwidth(3) in the current LC_CTYPE; in the C locale
 *	every byte is one column, which is what printf assumed.
 *	dwidth() is the columns of s; dwidth_fit() the bytes of the longest
 *	whole-character prefix of s within cols (its columns in *used);
 *	dwidth_pad() prints s cut to cols and padded with spaces to exactly
 *	cols, on the left when right is set. dwidth_wrap() prints text at
 *	indent, continuation lines at indent + hang, within width columns;
 *	it breaks at spaces and, where there are none, between two wide
 *	characters, but never before 、。）」 nor after （「.
 *
 * DIAGNOSTICS
 *	None: a byte that is not valid in the locale counts as one column,
 *	a control character as one.
 */
#ifndef PORTROLE_DWIDTH_H
#define PORTROLE_DWIDTH_H

#include <stddef.h>
#include <stdio.h>

int dwidth(const char *s);
size_t dwidth_fit(const char *s, int cols, int *used);
void dwidth_pad(FILE *fp, const char *s, int cols, int right);
void dwidth_wrap(FILE *fp, int indent, int hang, int width, const char *text);

#endif
