# SPDX-License-Identifier: BSD-2-Clause
# tests/bench/bench-lib.sh - quiet-machine discipline and statistics for
# the benchmark scripts.
#
# SYNOPSIS
#	. tests/bench/bench-lib.sh
#	bench_header NAME        # CPU model, cores, kernel, load; the gate
#	bench_load_line WHEN     # "load average WHEN: 0.12 0.30 0.41"
#	bench_tag                # "" or "LOADED " to put before every figure
#	bench_stats [FMT] < numbers  # "min median max", each printf FMT (%.4g)
#	bench_ratio A B          # A / B, four decimals
#	bench_order ROUND V...   # the variants, rotated by ROUND - 1
#	bench_sent               # deliveries in the fixture's maillog so far
#	bench_timed_send N OUT CMD...  # one timed smtp-source run: sets
#	                         # BENCH_ACCEPT BENCH_E2E (msg/s) BENCH_SECONDS
#
# DESCRIPTION
#	A figure taken on a busy machine compresses every ratio towards 1
#	(every variant waits for the CPU alike), so the scripts refuse to
#	report when the 1-minute load average at the start is above
#	BENCH_MAX_LOAD (1.5): bench_header then exits 75 (EX_TEMPFAIL) with
#	the reason. BENCH_ALLOW_LOADED=1 runs anyway, for smoke tests: the
#	header says LOADED and bench_tag puts "LOADED " before every figure
#	line, so such output cannot be mistaken for a measurement.
#
#	bench_timed_send is the one timing function of e2e.sh and stack.sh:
#	it runs CMD (an smtp-source that sends N messages to the fixture's
#	Postfix, output in OUT), waits until the queue is empty, and checks
#	that the maillog gained N deliveries. BENCH_ACCEPT is N / CMD's wall
#	time (the SMTP accept rate a sender sees), BENCH_E2E N / the time
#	until the queue was empty (end to end), BENCH_SECONDS that time.
#
# DIAGNOSTICS
#	bench_header exits 75 when the machine is loaded and no override.
#	bench_timed_send returns 1 with the reason on stderr when CMD fails,
#	the queue does not drain in 300 s or messages are missing.

BENCH_MAX_LOAD=${BENCH_MAX_LOAD:-1.5}
BENCH_LOADED=0

# bench_load_line WHEN - the three load averages, labelled.
bench_load_line() {
    echo "load average $1: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# bench_cpu - the CPU model and the number of cores this run may use.
bench_cpu() {
    local model
    model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
    [ -n "$model" ] || model=$(uname -m)
    echo "cpu: $model, $(nproc) cores; kernel $(uname -r)"
}

# bench_header NAME - print the machine and the load; refuse (exit 75)
# when the 1-minute load is above BENCH_MAX_LOAD, unless BENCH_ALLOW_LOADED=1.
bench_header() {
    local l1
    echo "== $1"
    bench_cpu
    bench_load_line before
    l1=$(cut -d' ' -f1 /proc/loadavg)
    if awk -v l="$l1" -v m="$BENCH_MAX_LOAD" 'BEGIN { exit !(l > m) }'; then
        if [ "${BENCH_ALLOW_LOADED:-0}" = 1 ]; then
            BENCH_LOADED=1
            echo "LOADED: 1-minute load average $l1 > $BENCH_MAX_LOAD at the start;" \
                "BENCH_ALLOW_LOADED=1, so every figure below is marked LOADED and means nothing"
        else
            echo "refused: 1-minute load average $l1 > $BENCH_MAX_LOAD at the start." \
                "Stop whatever else runs and try again (BENCH_ALLOW_LOADED=1 for a smoke run)." >&2
            exit 75
        fi
    fi
}

# bench_tag - the prefix of a figure line: "LOADED " on a loaded machine.
bench_tag() {
    [ "$BENCH_LOADED" = 1 ] && printf 'LOADED '
    return 0
}

# bench_stats [FMT] - "min median max" of the numbers on stdin, one per
# line, each written with printf FMT (default %.4g).
bench_stats() {
    sort -g | awk -v f="${1:-%.4g}" '{ v[NR] = $1 } END {
        if (NR == 0) { print "0 0 0"; exit }
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf f " " f " " f "\n", v[1], m, v[NR] }'
}

# bench_ratio A B - A / B (0 when B is 0).
bench_ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f\n", (b > 0 ? a / b : 0) }'
}

# bench_order ROUND VARIANT... - the variants, rotated by ROUND - 1, so that
# no variant always runs first (a warm or cold cache favours one slot).
bench_order() {
    local r=$1 i n
    shift
    n=$#
    local -a v=("$@")
    for ((i = 0; i < n; i++)); do printf '%s ' "${v[$(( (i + r - 1) % n ))]}"; done
}

# bench_sent - how many deliveries the fixture's maillog shows so far.
bench_sent() {
    grep -c ' status=sent ' "$PF_DIR/log/maillog" 2>/dev/null || true
}

# bench_timed_send N OUT CMD... - time CMD (sends N messages), wait for the
# queue, check the deliveries; sets BENCH_ACCEPT, BENCH_E2E, BENCH_SECONDS.
bench_timed_send() {
    local n=$1 out=$2 before after t0 t1 t2
    shift 2
    BENCH_ACCEPT= BENCH_E2E= BENCH_SECONDS=
    before=$(bench_sent)
    t0=$(date +%s.%N)
    "$@" >"$out" 2>&1 || { cat "$out" >&2; echo "bench: $1 failed" >&2; return 1; }
    t1=$(date +%s.%N)
    pf_wait_queue_empty 300 || { echo "bench: the queue did not drain" >&2; return 1; }
    t2=$(date +%s.%N)
    after=$(bench_sent)
    if [ $((after - before)) -lt "$n" ]; then
        echo "bench: $((after - before)) of $n messages delivered; see" \
            "$(grep -m3 -E 'milter|reject|defer' "$PF_DIR/log/maillog" 2>/dev/null)" >&2
        return 1
    fi
    read -r BENCH_ACCEPT BENCH_E2E BENCH_SECONDS < <(awk -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" \
        'BEGIN { printf "%.1f %.1f %.6f\n", n / (b - a), n / (c - a), c - a }')
}
