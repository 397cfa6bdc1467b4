#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run-fuzz.sh SRCDIR SECONDS TARGET... - "make fuzz" and "make fuzz-long":
# run each libFuzzer target for SECONDS, starting from its committed seeds,
# and report its executions, executions per second and coverage.
#
# FUZZ_KEEP=no (make fuzz): the working corpus tests/fuzz/work/TARGET is
# emptied first, so that the figures are those of a run from the seeds.
# FUZZ_KEEP=yes (make fuzz-long): the corpus is tests/fuzz/long/TARGET
# (FUZZ_CORPUS=DIR: DIR/TARGET), kept from run to run, so that each run goes
# on where the last one stopped. Crashes go to tests/fuzz/crashes/TARGET/,
# the summary to tests/fuzz/fuzz-summary.txt.
#
# Extra libFuzzer options: FUZZ_OPTS. FUZZ_JOBS targets run at a time (1).
# Two rates are printed: exec/s over the wall clock, and exec/cpu_s over
# the CPU time the fuzzer got (user + system), which does not fall when
# other work shares the machine. A target below FUZZ_MIN_RATE (2000)
# executions per CPU second is marked "slow" (a figure, not a failure).
# Exit 1 when any target crashed, timed out or ran out of memory.
set -u
srcdir=$1; seconds=$2; shift 2
summary=tests/fuzz/fuzz-summary.txt
keep=${FUZZ_KEEP:-no}
min_rate=${FUZZ_MIN_RATE:-2000}
if [ "$keep" = yes ]; then corpora=${FUZZ_CORPUS:-tests/fuzz/long}; else corpora=tests/fuzz/work; fi
failed=0
mkdir -p tests/fuzz/work "$corpora"
printf '%-10s %12s %8s %10s %9s %8s %8s  %s\n' target executions exec/s exec/cpu_s cov_edges \
    features rss_mb result >"$summary"

# cpu_seconds FILE - user + system seconds of the children in the output of
# "times" (which must run in the shell that waited for them, not in $(...))
cpu_seconds() {
    sed -n 2p "$1" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, "m");
        sub("s", "", a[2]); t += a[1] * 60 + a[2] } printf "%.2f\n", t }'
}

# one TARGET - fuzz one target; its summary row goes to work/TARGET.row
one() {
    t=$1
    bin=tests/fuzz/fuzz_$t
    work=$corpora/$t
    crashes=tests/fuzz/crashes/$t
    log=tests/fuzz/work/$t.log
    if [ "$keep" != yes ]; then rm -rf "$work"; fi
    mkdir -p "$work" "$crashes"
    echo "fuzz_$t: ${seconds}s, corpus $work ($(ls "$work" | wc -l) inputs kept)"
    # shellcheck disable=SC2086
    "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$crashes/" ${FUZZ_OPTS:-} \
        "$work" "$srcdir/tests/fuzz/corpus/$t" >"$log" 2>&1
    rc=$?
    times >"$log.times"
    cpu=$(cpu_seconds "$log.times")
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | sed 's/cov: //')
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | sed 's/ft: //')
    rate=- cpu_rate=-
    if [ -n "${execs:-}" ] && [ "$seconds" -gt 0 ]; then rate=$((execs / seconds)); fi
    if [ -n "${execs:-}" ]; then
        cpu_rate=$(awk -v e="$execs" -v c="$cpu" 'BEGIN { if (c > 0) printf "%d\n", e / c; else print "-" }')
    fi
    if [ "$rc" -eq 0 ]; then result=ok; else result="FAILED (exit $rc, see $log, inputs in $crashes)"; fi
    if [ "$rc" -eq 0 ] && [ "$cpu_rate" != - ] && [ "$cpu_rate" -lt "$min_rate" ]; then
        result="ok, slow (< $min_rate exec/cpu_s)"
    fi
    printf '%-10s %12s %8s %10s %9s %8s %8s  %s\n' "$t" "${execs:--}" "$rate" "$cpu_rate" \
        "${cov:--}" "${ft:--}" "${rss:--}" "$result" >"tests/fuzz/work/$t.row"
    echo "fuzz_$t: ${execs:-?} executions, $rate exec/s, $cpu_rate exec/cpu_s ($cpu s CPU)," \
        "cov ${cov:--}: $result"
    if [ "$rc" -ne 0 ]; then
        grep -E 'ERROR|invariant|SUMMARY|Test unit written' "$log" | head -n 10
    fi
}

# FUZZ_JOBS targets at a time (default 1): CI runs two on two cores.
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
