# SPDX-License-Identifier: BSD-2-Clause
# lib.sh - shell helpers shared by tests/cli.test and tests/miltertest.test.
#
# Sourced, not run. Provides:
#	MILTER, DATA, TMPD	the daemon, tests/data/cli, a private temp dir
#	ok / not_ok NAME [WHY]	count one check; summary prints the totals
#	expect_exit CODE NAME CMD...	run CMD (stdout+stderr to $TMPD/out), check its exit
#	has NAME FILE STRING	the file contains STRING (fixed string)
#	hasnt NAME FILE STRING	it does not
#	has_re NAME FILE ERE	the file has a line matching the extended regex
#	count_re FILE ERE	how many lines match
#	instantiate SRC DST	copy a config, replacing @DATA@ and @TMPD@
#	free_port		a free TCP port on 127.0.0.1 in 13000-13999
#	start_daemon NAME ARGS...	portrole-milter -f ARGS in the background,
#				stderr in $TMPD/NAME.log; waits until it serves;
#				sets DAEMON_PID
#	stop_daemon PID [SECS]	SIGTERM, wait (libmilter needs ~5 s; the limit,
#				120 s, only ends a hang); sets STOP_RC
#	wait_log FILE ERE [SECS]	wait until a line matching ERE shows up
#	summary			print the totals and exit 0 or 1
# Daemons still running and the temp dir are cleaned up on exit.

: "${top_srcdir:=.}"
: "${top_builddir:=.}"
MILTER=$top_builddir/portrole-milter
DATA=$top_srcdir/tests/data/cli
case $DATA in /*) ;; *) DATA=$(pwd)/$DATA ;; esac
TESTNAME=$(basename "$0")

if [ ! -x "$MILTER" ]; then
    echo "$TESTNAME: $MILTER not built" >&2
    exit 1
fi

TMPD=$(mktemp -d "${TMPDIR:-/tmp}/portrole-test.XXXXXX") || exit 1
DAEMONS=""
CHECKS=0
FAILED=0

cleanup() {
    for p in $DAEMONS; do
        kill -TERM "$p" 2>/dev/null
    done
    for p in $DAEMONS; do
        wait "$p" 2>/dev/null
    done
    if [ "$FAILED" -gt 0 ] && [ -n "$KEEP_TMP" ]; then
        echo "$TESTNAME: kept $TMPD" >&2
    else
        rm -rf "$TMPD"
    fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ok() {
    CHECKS=$((CHECKS + 1))
    echo "ok $CHECKS - $1"
}

not_ok() {
    CHECKS=$((CHECKS + 1))
    FAILED=$((FAILED + 1))
    echo "not ok $CHECKS - $1${2:+: $2}"
}

# expect_exit CODE NAME CMD... - output of CMD goes to $TMPD/out
expect_exit() {
    want=$1 name=$2
    shift 2
    "$@" >"$TMPD/out" 2>&1 </dev/null
    got=$?
    if [ "$got" -eq "$want" ]; then
        ok "$name (exit $got)"
    else
        not_ok "$name" "exit $got, expected $want; output:"
        sed 's/^/    | /' "$TMPD/out" | head -40
    fi
}

has() {
    if grep -qF -- "$3" "$2"; then
        ok "$1"
    else
        not_ok "$1" "no '$3' in $(basename "$2"):"
        sed 's/^/    | /' "$2" | head -40
    fi
}

hasnt() {
    if grep -qF -- "$3" "$2"; then
        not_ok "$1" "unexpected '$3' in $(basename "$2"):"
        grep -F -- "$3" "$2" | sed 's/^/    | /' | head -10
    else
        ok "$1"
    fi
}

has_re() {
    if grep -qE -- "$3" "$2"; then
        ok "$1"
    else
        not_ok "$1" "no line matching /$3/ in $(basename "$2"):"
        sed 's/^/    | /' "$2" | head -60
    fi
}

count_re() {
    grep -cE -- "$2" "$1"
}

instantiate() {
    sed -e "s|@DATA@|$DATA|g" -e "s|@TMPD@|$TMPD|g" "$1" >"$2"
}

# port_busy PORT - a TCP socket bound to PORT (any address, any state but
# TIME_WAIT), read from /proc so that no tool is needed
port_busy() {
    hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        awk -v p=":$hex" '$2 ~ p"$" && $4 != "06" { found = 1 } END { exit !found }'
}

# free_port - a port in 13000-13999 nothing listens on, from a per-run offset
free_port() {
    p=$((13000 + ($$ * 7 + ${PORT_SALT:-0} * 131) % 1000))
    PORT_SALT=$((${PORT_SALT:-0} + 1))
    n=0
    while port_busy "$p" && [ $n -lt 1000 ]; do
        p=$((p + 1))
        [ $p -gt 13999 ] && p=13000
        n=$((n + 1))
    done
    echo "$p"
}

# alive PID - running and not a zombie
alive() {
    [ -r "/proc/$1/stat" ] || return 1
    state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
    [ "$state" != Z ]
}

wait_log() {
    # The default limit only ends a wait for a line that never comes; it is
    # generous, so that a loaded machine or a sanitizer build only waits
    # longer (issue 24).
    secs=${3:-60}
    i=0
    while [ $i -lt $((secs * 10)) ]; do
        grep -qE -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# start_daemon NAME ARGS... - run in the foreground mode, in the background
start_daemon() {
    name=$1
    shift
    # make check-valgrind: the daemon itself runs under valgrind, one log each.
    if [ -n "${PORTROLE_VALGRIND:-}" ]; then
        $PORTROLE_VALGRIND --error-exitcode=97 --leak-check=full \
            --errors-for-leak-kinds=definite --show-leak-kinds=definite \
            --log-file="${PORTROLE_VALGRIND_LOGDIR:-$TMPD}/$TESTNAME-$name-%p.vg" \
            "$MILTER" -f "$@" 2>"$TMPD/$name.log" >"$TMPD/$name.out" </dev/null &
    else
        "$MILTER" -f "$@" 2>"$TMPD/$name.log" >"$TMPD/$name.out" </dev/null &
    fi
    DAEMON_PID=$!
    DAEMONS="$DAEMONS $DAEMON_PID"
    # The socket is open before the "starting" line is logged.
    startwait=60
    [ -z "${PORTROLE_VALGRIND:-}" ] || startwait=180
    if wait_log "$TMPD/$name.log" "starting portrole-milter" $startwait; then
        return 0
    fi
    echo "$TESTNAME: daemon $name did not start:" >&2
    sed 's/^/    | /' "$TMPD/$name.log" >&2
    return 1
}

# stop_daemon PID [SECS] - SIGTERM and reap; STOP_RC is its exit code (124: hung)
stop_daemon() {
    # The limit only ends a daemon that hangs: libmilter needs ~5 s to leave
    # smfi_main, and far longer on a loaded machine or under the sanitizers,
    # so it is generous (issue 24: no test decides on the machine's speed).
    pid=$1 secs=${2:-120}
    kill -TERM "$pid" 2>/dev/null
    i=0
    while alive "$pid" && [ $i -lt $((secs * 10)) ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if alive "$pid"; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        STOP_RC=124
    else
        wait "$pid" 2>/dev/null
        STOP_RC=$?
    fi
    DAEMONS=$(echo "$DAEMONS" | tr ' ' '\n' | grep -vx "$pid" | tr '\n' ' ')
}

summary() {
    echo "$TESTNAME: $((CHECKS - FAILED)) of $CHECKS checks passed"
    [ "$FAILED" -eq 0 ] && exit 0
    exit 1
}
