#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/doctor/skeleton.py - what must not change when the doctor's text report
is translated.

SYNOPSIS
    skeleton.py en|ja REPORT

DESCRIPTION
    Reads portrole-doctor's text report REPORT, written under LANG=C (en)
    or LANG=ja_JP.UTF-8 (ja), and prints its skeleton: per finding one
    line "SEVERITY ID WHERE" (the severity as the English word), then one
    line "  fix: TEXT" per line to paste, exactly as it is to be pasted
    (the lead-in "write instead: " or its translation stripped from the
    first line, and the continuation lines' indent, which is the lead-in's
    display width, from the others). The skeletons of the two reports of
    one configuration must be the same bytes.

    Under ja it also checks that what a person reads was translated: the
    text of every finding, every "where it goes" line, the counts, the
    listener headings and the lines under them (role, modifiers,
    postscreen, "no findings") hold Japanese (a character outside ASCII). A
    sentence left in English is printed on standard error.

EXIT STATUS
    0, or 1 when a sentence was left in English or a finding line could
    not be parsed, 2 for a usage error.
"""
import re
import sys
import unicodedata

LEADS = {"en": "write instead: ", "ja": "代わりに書く行: "}
SEVERITIES = {
    "en": {"error": "error", "warning": "warning", "note": "note"},
    "ja": {"エラー": "error", "警告": "warning", "注記": "note"},
}
FINDING = re.compile(r"^  (\S+) \[([a-z0-9-]+)\] (.*)$")


def width(s):
    """the terminal columns of s, wide characters two"""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in LEADS:
        print("usage: skeleton.py en|ja REPORT", file=sys.stderr)
        return 2
    lang = sys.argv[1]
    lead = "      " + LEADS[lang]
    cont = " " * width(lead)
    lines = open(sys.argv[2], encoding="utf-8").read().split("\n")
    english = []
    out = []

    def translated(what, text):
        if lang == "ja" and all(ord(c) < 128 for c in text):
            english.append("%s: %s" % (what, text))

    i = 0
    while i < len(lines):
        line = lines[i]
        m = FINDING.match(line)
        if m is None:
            # The counts, the listener headings and their lines (role,
            # modifiers, postscreen, "no findings"); the second line is
            # the MTA's and portrole.conf's paths.
            if i != 1 and line and (not line.startswith(" ") or not line.startswith("   ")):
                translated("line %d" % (i + 1), line)
            i += 1
            continue
        sev = SEVERITIES[lang].get(m.group(1))
        if sev is None:
            english.append("severity: " + line)
            sev = "?" + m.group(1)
        out.append("%s %s %s" % (sev, m.group(2), m.group(3)))
        i += 1
        if i < len(lines) and lines[i].startswith("      "):
            translated("finding " + m.group(2), lines[i].strip())
            i += 1
        if i < len(lines) and lines[i].startswith(lead):
            out.append("  fix: " + lines[i][len(lead):])
            i += 1
            while i < len(lines) and lines[i].startswith(cont):
                out.append("  fix: " + lines[i][len(cont):])
                i += 1
        while i < len(lines) and lines[i].startswith("      ") and lines[i][6] != " ":
            translated("placement of " + m.group(2), lines[i].strip())
            i += 1
    for e in english:
        print("left in English: " + e, file=sys.stderr)
    print("\n".join(out))
    return 1 if english else 0


if __name__ == "__main__":
    sys.exit(main())
