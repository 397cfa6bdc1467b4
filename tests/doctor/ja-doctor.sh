# SPDX-License-Identifier: BSD-2-Clause
# tests/doctor/ja-doctor.sh - the doctor's report in two locales (issue 27).
# Sourced by the doctor tests after tests/lib.sh and tests/ja-lib.sh.
#
#	ja_pair NAME ARGS...	run $DOCTOR ARGS under LANG=C (NAME.en,
#				NAME.en.err) and LANG=ja_JP.UTF-8 (NAME.ja,
#				NAME.ja.err); the two exits must be equal; for a
#				text report, every sentence of NAME.ja must be
#				Japanese and the findings (severity, id, where)
#				and the lines to paste the same bytes as in
#				NAME.en (tests/doctor/skeleton.py)

ja_pair() {
    _jn=$1
    shift
    $EN "$DOCTOR" "$@" >"$TMPD/$_jn.en" 2>"$TMPD/$_jn.en.err"
    _jen=$?
    $JA "$DOCTOR" "$@" >"$TMPD/$_jn.ja" 2>"$TMPD/$_jn.ja.err"
    _jja=$?
    if [ "$_jen" = "$_jja" ]; then ok "ja $_jn: exit $_jen in both locales"
    else not_ok "ja $_jn: exit $_jen under C, $_jja under ja_JP.UTF-8"; fi
    case " $* " in *" json "*) return 0 ;; esac
    [ -s "$TMPD/$_jn.en" ] || return 0
    python3 "$top_srcdir/tests/doctor/skeleton.py" en "$TMPD/$_jn.en" >"$TMPD/$_jn.en.sk" ||
        not_ok "ja $_jn: the English report parses"
    if python3 "$top_srcdir/tests/doctor/skeleton.py" ja "$TMPD/$_jn.ja" >"$TMPD/$_jn.ja.sk" \
        2>"$TMPD/$_jn.sk.err"; then ok "ja $_jn: every sentence in Japanese"
    else not_ok "ja $_jn: every sentence in Japanese" "$(head -3 "$TMPD/$_jn.sk.err")"; fi
    if [ -s "$TMPD/$_jn.en.sk" ] && cmp -s "$TMPD/$_jn.en.sk" "$TMPD/$_jn.ja.sk"; then
        ok "ja $_jn: ids, where and the lines to paste are the same bytes"
    else
        not_ok "ja $_jn: ids, where and the lines to paste are the same bytes" \
            "$(diff "$TMPD/$_jn.en.sk" "$TMPD/$_jn.ja.sk" | head -6)"
    fi
}
