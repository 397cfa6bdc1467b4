#!/bin/sh
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
echo "check-valgrind: $pass passed, $fail failed${failed:+:$failed}"
[ "$fail" -eq 0 ]
