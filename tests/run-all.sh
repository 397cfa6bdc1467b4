#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# tests/run-all.sh - every test, from a clean checkout, on Debian 13 or 12.
#
# Runs as root (started by another user, it runs itself again through
# sudo). Installs what it needs (tests/deps.sh), cleans a tree configured
# in place (make distclean), then:
#   1. gcc build, make check (unit, CLI, miltertest, real Postfix/Sendmail)
#   2. clang build with -Werror
#   3. AddressSanitizer + UBSan build, make check
#   4. libFuzzer, each target for FUZZ_SECONDS (60)
#   5. make distcheck (unit and daemon tests; integration skipped there)
# and ends with one line "tests: N passed, N failed, N skipped".
# The test suites run in a network namespace with loopback only (when run
# as root), so no test can reach DNS or any address off this machine.
set -u
# The fixtures and the namespaces need root: another user runs it via sudo.
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
    exec sudo "$0" "$@"
fi
cd "$(dirname "$0")/.." || exit 1
top=$PWD
jobs=$(nproc 2>/dev/null || echo 2)
passed=0 failed=0 skipped=0 status=0

step() { printf '\n==== %s\n' "$*"; }

# count - add one build's automake test summary to the totals
count() {
    local log=$1/test-suite.log p f s
    [ -f "$log" ] || { failed=$((failed + 1)); return; }
    p=$(sed -n 's/^# PASS: *//p' "$log" | head -1)
    f=$(( $(sed -n 's/^# FAIL: *//p' "$log" | head -1) + $(sed -n 's/^# ERROR: *//p' "$log" | head -1) ))
    s=$(sed -n 's/^# SKIP: *//p' "$log" | head -1)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
}

# build DIR CONFIGURE-ARGS... - configure out of tree and build
build() {
    local dir=$1; shift
    rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" &&
        "$top/configure" -q "$@" && make -s -j"$jobs" >/dev/null
    local rc=$?
    cd "$top"
    return $rc
}

# jailed CMD... - run without any network but loopback, when the kernel lets
# us: a test that tried real DNS or an outside address fails instead of leaking.
jailed() {
    if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
        unshare -n sh -c 'ip link set lo up && exec "$@"' jailed "$@"
    else
        "$@"
    fi
}

# check DIR - make check, one line per suite as it ends (and the skipped
# ones' reasons at the end), failures' logs, count
check() {
    (cd "$1" && jailed make -s -j"$jobs" check SPF_SUITE="$SPF_SUITE" 2>&1) |
        grep --line-buffered -E '^(PASS|FAIL|SKIP|ERROR|XPASS|XFAIL): |^Skipped, and why:|^  SKIP: '
    local rc=${PIPESTATUS[0]}
    if [ $rc -ne 0 ]; then
        status=1
        for trs in $(grep -l ':test-result: \(FAIL\|ERROR\)' $(find "$1" -name '*.trs') 2>/dev/null); do
            echo "---- FAIL: ${trs%.trs} (tail of its log)"; tail -n 60 "${trs%.trs}.log"
        done
    fi
    grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' "$1/test-suite.log" 2>/dev/null
    count "$1"
}

step "dependencies"
tests/deps.sh || { echo "tests/deps.sh failed"; exit 1; }

step "Sendmail packages for the Sendmail fixture (fetched now: the tests run offline)"
tests/integration/sendmail-fixture.sh fetch || echo "could not fetch Sendmail: its test will skip"
step "Debian 13's stock Postfix files for the doctor's test (fetched now: the tests run offline)"
tests/doctor/debian-stock.sh fetch trixie || echo "could not fetch trixie's postfix: doctor.test's Debian 13 part will skip"

# A tree configured in place (the README's build section) refuses the
# out-of-tree builds below: clean it first, and say so.
if [ -f config.status ]; then
    step "the tree is configured in place (./configure): make distclean first"
    make -s distclean >/dev/null 2>&1 || { echo "make distclean failed"; exit 1; }
fi

# The RFC 7208 and RFC 4408 SPF suites are data, never in the tree: Debian's
# python3-spf ships both (deps.sh installs it), ../shared/spf/ beside the
# tree is the fallback, and SPF_SUITE names an RFC 7208 file of your own.
# tests/spf-suite says which it runs; here, where they are looked for.
: "${SPF_SUITE:=}"
export SPF_SUITE
for f in ${SPF_SUITE:-/usr/share/doc/python3-spf/rfc7208-tests.yml.gz} \
    /usr/share/doc/python3-spf/rfc4408-tests.yml.gz; do
    if [ -f "$f" ]; then echo "SPF suite: $f"
    else echo "SPF suite not found at $f (tests/deps.sh installs python3-spf; fallback: $top/../shared/spf)"; fi
done

step "autoreconf"
autoreconf -fi >/dev/null 2>&1 || { echo "autoreconf failed"; exit 1; }

step "gcc build and make check"
if build _build/gcc CC=gcc; then check _build/gcc; else echo "gcc build failed"; status=1; failed=$((failed + 1)); fi

step "clang build (-Wall -Wextra -Werror)"
if build _build/clang CC=clang; then passed=$((passed + 1)); echo "clang: clean"; else
    echo "clang build failed"; status=1; failed=$((failed + 1)); fi

step "AddressSanitizer + UBSan build and make check"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The load faults run here too: they wait for progress, not for the clock,
# so the slower sanitizer build only takes longer (PORTROLE_SKIP_FAULTS=1
# skips them, for the quick fresh-root scenarios).
if build _build/asan CC=clang --enable-sanitizers; then check _build/asan; else
    echo "sanitizer build failed"; status=1; failed=$((failed + 1)); fi
unset ASAN_OPTIONS UBSAN_OPTIONS

step "libFuzzer: each target for ${FUZZ_SECONDS:=60} s (seeds in tests/fuzz/corpus)"
if build _build/fuzz CC=clang --enable-fuzzers; then
    export FUZZ_JOBS=2
    if (cd _build/fuzz && jailed make -s fuzz FUZZ_SECONDS="$FUZZ_SECONDS" >fuzz.log 2>&1); then
        passed=$((passed + 1))
    else
        status=1; failed=$((failed + 1)); tail -n 30 _build/fuzz/fuzz.log
    fi
    cat _build/fuzz/tests/fuzz/fuzz-summary.txt 2>/dev/null
else
    echo "fuzzer build failed"; status=1; failed=$((failed + 1))
fi

step "make distcheck"
if (cd _build/gcc && PORTROLE_SKIP_INTEGRATION=1 jailed make -s distcheck >distcheck.log 2>&1); then
    passed=$((passed + 1)); echo "distcheck: ok"
else
    tail -n 40 _build/gcc/distcheck.log; status=1; failed=$((failed + 1))
fi

echo
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ $status -eq 0 ]
