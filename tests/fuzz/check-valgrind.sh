#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check-valgrind.sh VALGRIND PROGRAM... - "make check-valgrind": run the
# Check suites (tests/check_*, with CK_FORK=no so that valgrind follows the
# tests themselves) and the fuzz replays (tests/fuzz/replay_*) under
# valgrind. A program fails on any memory error or definitely lost block;
# logs go to tests/fuzz/valgrind/NAME.log. Other check programs are skipped.
# Exit 77 (skip) when valgrind is missing or the build uses the sanitizers.
set -u
valgrind=$1; shift
if ! command -v "$valgrind" >/dev/null 2>&1; then
    echo "check-valgrind: $valgrind not found: skipped"; exit 77
fi
if [ -n "${SAN_CFLAGS:-}" ]; then
    echo "check-valgrind: this build uses ASan/UBSan, which valgrind cannot run: configure without --enable-sanitizers"
    exit 77
fi
export CK_FORK=no
: "${top_srcdir:=.}"; export top_srcdir
mkdir -p tests/fuzz/valgrind
pass=0; fail=0; failed=
for p in "$@"; do
    case $p in
    tests/check_*|tests/fuzz/replay_*) ;;
    *) continue ;;
    esac
    name=$(basename "$p")
    log=tests/fuzz/valgrind/$name.log
    if "$valgrind" --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
        --show-leak-kinds=definite --track-origins=yes --log-file="$log" \
        "./$p" >"$log.out" 2>&1; then
        echo "PASS: $name"; pass=$((pass + 1))
    else
        echo "FAIL: $name (see $log)"; fail=$((fail + 1)); failed="$failed $name"
        grep -E 'Invalid|uninitialised|definitely lost|ERROR SUMMARY' "$log" | head -n 5
    fi
done
# The daemon under valgrind, driven by the miltertest suite.
if [ -x "${MILTERTEST:-}" ] && [ -f "$top_srcdir/tests/miltertest.test" ]; then
    vgdir=$(pwd)/tests/fuzz/valgrind/daemon
    rm -rf "$vgdir" && mkdir -p "$vgdir"
    if PORTROLE_VALGRIND="$valgrind" PORTROLE_VALGRIND_LOGDIR="$vgdir" top_builddir=. \
        sh "$top_srcdir/tests/miltertest.test" >tests/fuzz/valgrind/miltertest.out 2>&1 &&
        [ -n "$(ls "$vgdir"/*.vg 2>/dev/null)" ] &&
        ! grep -L 'ERROR SUMMARY: 0 errors' "$vgdir"/*.vg | grep -q . &&
        ! grep -q 'definitely lost: [1-9]' "$vgdir"/*.vg; then
        echo "PASS: portrole-milter under valgrind through miltertest.test ($(ls "$vgdir"/*.vg | wc -l) daemons)"
        pass=$((pass + 1))
    else
        echo "FAIL: portrole-milter under valgrind (see $vgdir and tests/fuzz/valgrind/miltertest.out)"
        grep -h -E 'Invalid|uninitialised|definitely lost: [1-9]|ERROR SUMMARY: [1-9]' "$vgdir"/*.vg 2>/dev/null | head -n 5
        fail=$((fail + 1)); failed="$failed portrole-milter"
    fi
fi
echo "check-valgrind: $pass passed, $fail failed${failed:+:$failed}"
[ "$fail" -eq 0 ]
