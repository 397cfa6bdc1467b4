#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""sendmail-syslogd.py SOCKET LOGFILE - a minimal syslog listener.

Sendmail and libmilter log only through syslog(3).  Inside the fixture's
mount namespace /dev/log is bound to SOCKET; this writes each datagram,
priority stripped, as one line of LOGFILE.  It stops on SIGTERM.
"""
import os
import re
import signal
import socket
import sys


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: sendmail-syslogd.py SOCKET LOGFILE\n")
        return 2
    path, logfile = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    os.chmod(path, 0o666)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    prio = re.compile(rb"^<\d{1,3}>")
    with open(logfile, "ab", buffering=0) as out:
        while True:
            data = sock.recv(65536)
            line = prio.sub(b"", data).replace(b"\0", b"").rstrip(b"\n")
            out.write(line.replace(b"\n", b" ") + b"\n")


if __name__ == "__main__":
    sys.exit(main())
