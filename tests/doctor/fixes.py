#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/doctor/fixes.py - apply portrole-doctor's fixes as an admin would.

SYNOPSIS
    fixes.py each DIR CONF    every fix of the report, each on a fresh copy
    fixes.py all DIR CONF     the fixes one after the other, until clean

DESCRIPTION
    Runs $DOCTOR (portrole-doctor) with --format json on the Postfix
    directory DIR and portrole.conf CONF, and applies what each finding
    says, taking "fix", "file", "line" and "how" literally: "set" through
    "postconf -c DIR -e FIX", "replace", "after", "append" and "delete" by
    editing the named file (main.cf or master.cf in DIR, or CONF when the
    file is portrole.conf's name). Only errors and warnings count; notes
    need no fix.

    "each": for every error and warning of the first report, a fresh copy
    of DIR and CONF, that one fix, postconf -c reading the result (-n and
    -M, exit 0), and the doctor again: the finding must be gone and no
    error the first run did not have may appear (a note that stays, such
    as the role advice that was taken, is not a finding to fix; an error of an id the
    first run had, on a listener the fix added, is that same error).

    "all": apply the first fix of the report, run the doctor again, and so
    on; the last report must have no error and no warning, within as many
    rounds as the first report had findings (plus 2).

    A finding is identified by its id and its listener (service), or, for
    the MTA as a whole, its id and meaning: line numbers move when a fix
    adds lines. Prints TAP lines ("ok N - ..."); exit 0 when all passed.

ENVIRONMENT
    DOCTOR, POSTCONF    the programs (POSTCONF also for the doctor)
    WORK                a scratch directory (default: a new temp dir)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

DOCTOR = os.environ.get("DOCTOR", "portrole-doctor")
POSTCONF = os.environ.get("POSTCONF", "postconf")
N = 0
FAILED = 0


def tap(good, name, why=""):
    global N, FAILED
    N += 1
    if not good:
        FAILED += 1
    print("%s %d - %s%s" % ("ok" if good else "not ok", N, name,
                            "" if good or not why else ": " + why))
    sys.stdout.flush()


def report(d, conf):
    r = subprocess.run([DOCTOR, "-c", conf, "--postfix", d, "--format", "json"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if r.returncode == 3:
        raise SystemExit("doctor could not read %s: %s" % (d, r.stderr.strip()))
    return json.loads(r.stdout)


def findings(rep):
    """(key, finding) for every finding, the key being stable across runs."""
    out = []
    for l in rep["listeners"]:
        for f in l["findings"]:
            out.append(((f["id"], l["service"]), f))
    for f in rep["findings"]:
        out.append(((f["id"], f["meaning"]), f))
    return out


def actionable(rep):
    return [(k, f) for k, f in findings(rep) if f["severity"] in ("error", "warning")]


def apply(f, d, conf):
    how, name, line, fix = f["how"], f["file"], f["line"], f["fix"]
    if how == "set":
        subprocess.run([POSTCONF, "-c", d, "-e", fix], check=True)
        return
    if name in ("main.cf", "master.cf"):
        path = os.path.join(d, name)
    elif name == os.path.basename(conf):
        path = conf
    else:
        raise SystemExit("fix for an unknown file %r: %r" % (name, f))
    with open(path) as fp:
        lines = fp.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    new = fix.split("\n") if fix else []
    if how == "replace":
        lines[line - 1:line] = new
    elif how == "after":
        lines[line:line] = new
    elif how == "append":
        lines.extend(new)
    elif how == "delete":
        del lines[line - 1]
    else:
        raise SystemExit("fix with no placement: %r" % (f,))
    with open(path, "w") as fp:
        fp.write("\n".join(lines) + "\n")


def postconf_reads(d):
    for flag in ("-n", "-M"):
        r = subprocess.run([POSTCONF, "-c", d, flag], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, universal_newlines=True)
        if r.returncode != 0 or "fatal" in r.stderr:
            return "postconf %s: %s" % (flag, r.stderr.strip())
    return ""


def copy(d, conf, work, n):
    to = os.path.join(work, "c%d" % n)
    shutil.copytree(d, to)
    c = os.path.join(to, os.path.basename(conf))
    shutil.copy(conf, c)
    return to, c


def each(d, conf, work):
    first = report(d, conf)
    errors = {k for k, f in findings(first) if f["severity"] == "error"}
    # An error the first run had elsewhere is not new: a listener that a
    # fix adds has the problems every listener had (smtpd_milters unset).
    error_ids = {k[0] for k in errors}
    todo = actionable(first)
    tap(len(todo) > 0, "%s: the report has fixes to apply" % os.path.basename(d))
    for n, (key, f) in enumerate(todo):
        name = "%s: fix %s (%s)" % (os.path.basename(d), f["id"], key[1][:40])
        cd, cc = copy(d, conf, work, n)
        apply(f, cd, cc)
        why = postconf_reads(cd)
        tap(not why, name + ": postconf reads the result", why)
        second = report(cd, cc)
        keys = [k for k, _ in actionable(second)]
        tap(key not in keys, name + ": gone on the second run")
        new = sorted(k for k, g in findings(second)
                     if g["severity"] == "error" and k not in errors
                     and k[0] not in error_ids)
        tap(not new, name + ": no new error", repr(new))


def all_(d, conf, work):
    cd, cc = copy(d, conf, work, 0)
    rep = report(cd, cc)
    rounds = len(findings(rep)) + 2
    applied = []
    while rounds > 0:
        todo = actionable(rep)
        if not todo:
            break
        key, f = todo[0]
        apply(f, cd, cc)
        applied.append(f["id"])
        why = postconf_reads(cd)
        if why:
            tap(False, "after %s: postconf reads the result" % f["id"], why)
            return
        rep = report(cd, cc)
        rounds -= 1
    left = [k for k, _ in actionable(rep)]
    tap(not left, "%s: all fixes applied in turn (%s) end clean"
        % (os.path.basename(d), ", ".join(applied)), repr(left))
    if os.environ.get("FIXES_KEEP"):
        shutil.copytree(cd, os.environ["FIXES_KEEP"], dirs_exist_ok=True)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("each", "all"):
        raise SystemExit(__doc__)
    mode, d, conf = sys.argv[1:]
    work = os.environ.get("WORK") or tempfile.mkdtemp(prefix="portrole-fixes.")
    work = tempfile.mkdtemp(dir=work)
    (each if mode == "each" else all_)(d, conf, work)
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
