# SPDX-License-Identifier: BSD-2-Clause
# tests/swaks.sh - run swaks the same way whichever Debian release ships it.
#
# SYNOPSIS
#	. tests/swaks.sh
#	swaks_run [swaks options...]
#
# DESCRIPTION
#	The one place where the tests meet swaks' differences between
#	versions. Every test and script that starts swaks goes through
#	swaks_run (tests/layers-style check: tests/swaks.test fails on a
#	bare swaks call).
#
#	Files named by --data, --body and --attach (and -d): swaks 20201014
#	(Debian 12) reads the file when the argument names one, and also
#	takes "@FILE"; swaks 20240103 (Debian 13) sends a bare file name as
#	the literal text, and reads only "@FILE". swaks_run passes an
#	existing file as "@FILE" when this swaks reads that form, which it
#	asks swaks itself once (swaks --dump DATA on a probe file, no
#	connection), so no version number is compared. An argument that is
#	no file, or already starts with "@", goes through unchanged.
#
#	The other options the tests use (--server --port --local-interface
#	--helo --from --to --header --add-header --h-NAME --body TEXT --tls
#	--tlsc --auth --auth-user --auth-password --quit-after --timeout
#	--protocol --pipeline) read the same in both; tests/swaks.test runs
#	each through swaks --dump with this machine's swaks.
#
# ENVIRONMENT
#	SWAKS		the swaks to run (default: swaks from PATH)
#	SWAKS_TIMEOUT	when set, each swaks_run is ended after this many
#			seconds (timeout(1)), as a hung session must not
#			hang the test

# swaks_at_form - 0 when this swaks reads "@FILE" as the file's contents.
swaks_at_form() {
    if [ -z "${SWAKS_AT:-}" ]; then
        _sw_probe=$(mktemp "${TMPDIR:-/tmp}/swaks-probe.XXXXXX") || return 1
        printf 'Subject: swaks probe\r\n\r\nswaks-probe-body\r\n' >"$_sw_probe"
        if "${SWAKS:-swaks}" --dump DATA --to probe@example.test --server 127.0.0.1 \
            --data "@$_sw_probe" 2>/dev/null | grep -q 'swaks-probe-body'; then
            SWAKS_AT=yes
        else
            SWAKS_AT=no
        fi
        rm -f "$_sw_probe"
    fi
    [ "$SWAKS_AT" = yes ]
}

# swaks_run ARGS... - swaks with every file argument in the form it reads.
swaks_run() {
    _sw_n=$#
    _sw_file=
    while [ "$_sw_n" -gt 0 ]; do
        _sw_a=$1; shift; _sw_n=$((_sw_n - 1))
        if [ -n "$_sw_file" ]; then
            _sw_file=
            case $_sw_a in
            @*) ;;
            *) if [ -f "$_sw_a" ] && swaks_at_form; then _sw_a="@$_sw_a"; fi ;;
            esac
        else
            case $_sw_a in
            --data|-d|--body|--attach) _sw_file=1 ;;
            esac
        fi
        set -- "$@" "$_sw_a"
    done
    if [ -n "${SWAKS_TIMEOUT:-}" ]; then
        timeout "$SWAKS_TIMEOUT" "${SWAKS:-swaks}" "$@"
    else
        "${SWAKS:-swaks}" "$@"
    fi
}
