#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# skip-reasons.sh - after make check's summary, why each skipped suite skipped.
#
# SYNOPSIS
#	sh tests/skip-reasons.sh LOG...		("make check" runs it last)
#
# DESCRIPTION
#	For each automake test log whose .trs says SKIP, prints one line
#	"SKIP: NAME: REASON". The reason is the first line of the log that
#	says "skip" (every test here prints one before it exits 77), else the
#	log's last line; automake's own closing line "SKIP NAME (exit status:
#	77)" is not a reason and is left out. Prints nothing when nothing
#	skipped. Always exits 0.

n=0
for log in "$@"; do
    trs=${log%.log}.trs
    grep -q '^:test-result: SKIP' "$trs" 2>/dev/null || continue
    body=$(grep -v '^SKIP .* (exit status: 77)$' "$log" 2>/dev/null)
    why=$(printf '%s\n' "$body" | grep -i -m1 'skip')
    [ -n "$why" ] || why=$(printf '%s\n' "$body" | grep -v '^$' | tail -n 1)
    [ $n = 0 ] && echo "Skipped, and why:"
    n=$((n + 1))
    printf '  SKIP: %s: %s\n' "${log%.log}" "$(printf '%s' "${why:-no reason given}" | cut -c1-160)"
done
exit 0
