#!/bin/sh
# skip-driver.sh - automake's test-driver, and on a skip the reason too.
#
# SYNOPSIS
#	LOG_DRIVER = $(SHELL) tests/skip-driver.sh build-aux/test-driver
#
# DESCRIPTION
#	Runs the test through automake's own test-driver, unchanged. When
#	the result is SKIP (exit 77), prints the skipping test's reason under
#	automake's "SKIP: NAME" line: the first line of its log that says
#	"skip" (every test here prints one before it exits 77), else the log's
#	last line (test-driver's own closing line left out). So "make check" as a user says which suites skipped and
#	why, next to the "# SKIP: N" count of its summary.

drv=$1
shift
log= trs= prev=
for a in "$@"; do
    case $prev in
    --log-file) log=$a ;;
    --trs-file) trs=$a ;;
    esac
    [ "$a" = -- ] && break
    prev=$a
done
${SHELL:-/bin/sh} "$drv" "$@"
rc=$?
if [ -n "$trs" ] && [ -n "$log" ] && grep -q '^:test-result: SKIP' "$trs" 2>/dev/null; then
    # test-driver appends "SKIP NAME (exit status: 77)": not the reason.
    body=$(grep -v '^SKIP .* (exit status: 77)$' "$log" 2>/dev/null)
    why=$(printf '%s\n' "$body" | grep -i -m1 'skip')
    [ -n "$why" ] || why=$(printf '%s\n' "$body" | grep -v '^$' | tail -n 1)
    printf '      why: %s\n' "$(printf '%s' "${why:-no reason given}" | cut -c1-160)"
fi
exit $rc
