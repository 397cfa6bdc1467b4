#!/bin/sh
# run-fuzz.sh SRCDIR SECONDS TARGET... - "make fuzz": run each libFuzzer
# target for SECONDS, starting from its committed seeds, and report the
# executions. New inputs go to tests/fuzz/work/TARGET (build tree), crashes
# to tests/fuzz/crashes/TARGET/; the summary to tests/fuzz/fuzz-summary.txt.
# Extra libFuzzer options: FUZZ_OPTS. FUZZ_JOBS targets run at a time (1).
# Exit 1 when any target crashed, timed out or ran out of memory.
set -u
srcdir=$1; seconds=$2; shift 2
summary=tests/fuzz/fuzz-summary.txt
failed=0
mkdir -p tests/fuzz
printf '%-10s %12s %8s %8s %8s  %s\n' target executions exec/s cov_edges rss_mb result >"$summary"
# one TARGET - fuzz one target; its summary row goes to work/TARGET.row
one() {
    t=$1
    bin=tests/fuzz/fuzz_$t
    work=tests/fuzz/work/$t
    crashes=tests/fuzz/crashes/$t
    log=tests/fuzz/work/$t.log
    mkdir -p "$work" "$crashes"
    echo "fuzz_$t: ${seconds}s"
    # shellcheck disable=SC2086
    "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$crashes/" ${FUZZ_OPTS:-} \
        "$work" "$srcdir/tests/fuzz/corpus/$t" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | sed 's/cov: //')
    rate=-
    if [ -n "${execs:-}" ] && [ "$seconds" -gt 0 ]; then rate=$((execs / seconds)); fi
    if [ "$rc" -eq 0 ]; then result=ok; else result="FAILED (exit $rc, see $log, inputs in $crashes)"; fi
    printf '%-10s %12s %8s %8s %8s  %s\n' "$t" "${execs:--}" "$rate" "${cov:--}" "${rss:--}" "$result" \
        >"tests/fuzz/work/$t.row"
    if [ "$rc" -ne 0 ]; then
        grep -E 'ERROR|invariant|SUMMARY|Test unit written' "$log" | head -n 10
    fi
}

# FUZZ_JOBS targets at a time (default 1): CI runs two on two cores.
mkdir -p tests/fuzz/work
running=0
for t in "$@"; do
    rm -f "tests/fuzz/work/$t.row"
    one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "${FUZZ_JOBS:-1}" ]; then wait; running=0; fi
done
wait
for t in "$@"; do
    if [ -f "tests/fuzz/work/$t.row" ]; then cat "tests/fuzz/work/$t.row" >>"$summary"; else
        printf '%-10s %s\n' "$t" "FAILED (no result)" >>"$summary"; fi
done
grep -q FAILED "$summary" && failed=1
cat "$summary"
exit $failed
