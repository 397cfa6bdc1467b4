# SPDX-License-Identifier: BSD-2-Clause
# tests/ja-lib.sh - what the Japanese tests (issue 27) share. Sourced.
#
#	ja_setup NAME DIR	skip (exit 77, with the reason) unless the build
#				has NLS, msgfmt exists and the ja_JP.UTF-8
#				locale is generated; then compile po/ja.po into
#				DIR/ja/LC_MESSAGES/portrole.mo and export
#				PORTROLE_LOCALEDIR=DIR, so that the build tree's
#				programs find today's catalogue, not an installed one
#	ja_ready NAME DIR	the same, but returns 77 with the reason in
#				JA_WHY (1 when po/ja.po does not compile)
#				instead of exiting, for a test with more to do
#	JA			"env LANG=ja_JP.UTF-8 LC_ALL= LANGUAGE=", to prefix a command
#	EN			"env LANG=C LC_ALL= LANGUAGE=", the same in English
#
# tests/deps.sh installs locales and runs locale-gen for ja_JP.UTF-8.

JA="env LANG=ja_JP.UTF-8 LC_ALL= LANGUAGE= LC_MESSAGES= LC_CTYPE="
EN="env LANG=C LC_ALL= LANGUAGE= LC_MESSAGES= LC_CTYPE="

ja_setup() {
    ja_ready "$1" "$2"
    case $? in
    0) ;;
    77) echo "$1: SKIP: $JA_WHY"; exit 77 ;;
    *) echo "$1: $JA_WHY" >&2; exit 1 ;;
    esac
}

# ja_ready NAME DIR - ja_setup for a test that has more to do than the
# Japanese part: returns 77 (the reason in JA_WHY) instead of exiting, 1
# when po/ja.po does not compile, 0 when ready
ja_ready() {
    if [ "${USE_NLS:-yes}" = no ]; then
        JA_WHY="built with --disable-nls: nothing is translated"
        return 77
    fi
    if ! command -v msgfmt >/dev/null 2>&1; then
        JA_WHY="msgfmt missing (Debian package gettext)"
        return 77
    fi
    if ! locale -a 2>/dev/null | grep -qiE '^ja_JP\.utf-?8$'; then
        JA_WHY="the ja_JP.UTF-8 locale is not generated (package locales, then locale-gen ja_JP.UTF-8)"
        return 77
    fi
    mkdir -p "$2/ja/LC_MESSAGES" &&
        msgfmt --check -o "$2/ja/LC_MESSAGES/portrole.mo" "${top_srcdir:-.}/po/ja.po" || {
        JA_WHY="msgfmt could not compile po/ja.po"
        return 1
    }
    PORTROLE_LOCALEDIR=$2
    export PORTROLE_LOCALEDIR
}
