#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""milterclient.py - a small MTA side of the milter protocol, for spfdkim.test.

usage: milterclient.py [--no-leadspc] [--times] PORT STEP...

Talks to a milter on 127.0.0.1:PORT as an MTA would, honouring what the
milter negotiated (events it does not want are not sent, events it will
not answer are not waited for), and prints one line per answer, which is
what miltertest cannot show: reply texts, header values and the index of
each header change.

Steps:
  C:DPORT,ADDR     CONNECT macros (j, {daemon_port}, {client_addr}, ...) and
                   CONNECT from ADDR (IPv4, or IPv6 when it has a colon)
  H:NAME           HELO
  A:MECH,LOGIN     {auth_type}/{auth_authen} for the next MAIL
  T:VERSION        {tls_version} for the next HELO
  M:ADDR           MAIL FROM:<ADDR> ("M:" is the null sender)
  R:ADDR           RCPT TO:<ADDR>
  F:FILE           a message file (LF or CRLF): its headers as written,
                   end of headers, its body with CRLF line ends, end of message
  E                end of headers and end of message, no header or body

Output lines:
  NEG proto=0xHEX leadspc=yes|no
  STAGE c|a|r|t|d            (continue, accept, reject, tempfail, discard)
  STAGE y TEXT               a reply with its own text
  STAGE -                    no reply (negotiated)
  EOM h -1 NAME:VALUE        header added (appended)
  EOM i IDX NAME:VALUE       header inserted at IDX
  EOM m IDX NAME:VALUE       header IDX of that name changed ("" deletes it)
Header fields are printed as the MTA would write them - with SMFIP_HDR_LEADSPC
negotiated the value follows the colon verbatim (so it should start with a
space), without it the MTA puts a space in - and unfolded: each fold becomes
one space.

--times adds "TIME STAGE SECONDS" after each answer: how long it took.
--no-leadspc plays an MTA that does not offer SMFIP_HDR_LEADSPC: it drops
the white space after the colon, as such an MTA does.
"""
import re
import socket
import struct
import sys
import time

SMFIP_NOHELO, SMFIP_NOMAIL, SMFIP_NORCPT = 0x2, 0x4, 0x8
SMFIP_NOBODY, SMFIP_NOHDRS, SMFIP_NOEOH = 0x10, 0x20, 0x40
SMFIP_NR_HDR = 0x80
SMFIP_NR_CONN, SMFIP_NR_HELO, SMFIP_NR_MAIL, SMFIP_NR_RCPT = 0x1000, 0x2000, 0x4000, 0x8000
SMFIP_NR_EOH, SMFIP_NR_BODY = 0x40000, 0x80000
SMFIP_HDR_LEADSPC = 0x100000
ALL_PROTO = 0x1FFFFF
ALL_ACTIONS = 0x1FF


class Done(Exception):
    """The milter ended the transaction (reject, tempfail, accept, discard)."""


class Client:
    def __init__(self, port, leadspc, times=False):
        self.times = times
        self.t0 = time.monotonic()
        self.s = socket.create_connection(("127.0.0.1", port), 10)
        self.s.settimeout(30)
        offer = ALL_PROTO if leadspc else ALL_PROTO & ~SMFIP_HDR_LEADSPC
        self.send(b"O", struct.pack(">III", 6, ALL_ACTIONS, offer))
        cmd, data = self.recv()
        if cmd != b"O" or len(data) < 12:
            raise SystemExit("bad option negotiation reply %r" % cmd)
        _, _, self.proto = struct.unpack(">III", data[:12])
        self.leadspc = bool(self.proto & SMFIP_HDR_LEADSPC)
        print("NEG proto=0x%x leadspc=%s" % (self.proto, "yes" if self.leadspc else "no"))
        self.pending = {}       # stage letter -> macros for it

    def send(self, cmd, data=b""):
        if cmd != b"D":
            self.t0 = time.monotonic()
        self.s.sendall(struct.pack(">I", len(data) + 1) + cmd + data)

    def read(self, n):
        d = b""
        while len(d) < n:
            c = self.s.recv(n - len(d))
            if not c:
                raise SystemExit("the milter closed the connection")
            d += c
        return d

    def recv(self):
        d = self.read(struct.unpack(">I", self.read(4))[0])
        return d[:1], d[1:]

    def macros(self, stage, pairs):
        data = b"".join(z(x) for x in pairs)
        self.send(b"D", stage + data)

    def answer(self, label, noreply_flag=0):
        """Read the answer to one event; raise Done when it ends the transaction."""
        if self.proto & noreply_flag:
            print(label, "-")
            return
        while True:
            cmd, d = self.recv()
            if cmd == b"p":     # progress
                continue
            if cmd in (b"h", b"i", b"m"):
                if cmd == b"h":
                    idx, rest = -1, d
                else:
                    idx, rest = struct.unpack(">I", d[:4])[0], d[4:]
                name, _, value = rest.partition(b"\0")
                value = value.rstrip(b"\0").decode("latin-1")
                value = re.sub(r"\r?\n[ \t]+", " ", value)
                # As the MTA writes it: verbatim after the colon under
                # SMFIP_HDR_LEADSPC, else with a space of its own.
                sep = ":" if self.leadspc else ": "
                print(label, cmd.decode(), idx, name.decode("latin-1") + sep + value)
                continue
            text = d.rstrip(b"\0").decode("latin-1")
            print(" ".join(x for x in (label, cmd.decode(), text) if x))
            if self.times:
                print("TIME %s %.2f" % (label, time.monotonic() - self.t0))
            if cmd != b"c":
                raise Done()
            return

    def header(self, name, value):
        """One header; value is what follows the colon, as written."""
        if not self.leadspc and value[:1] in (" ", "\t"):
            value = value[1:]
        self.send(b"L", z(name) + z(value))
        self.answer("HEADER", SMFIP_NR_HDR)

    def message(self, raw):
        raw = raw.replace(b"\r\n", b"\n")
        head, sep, body = raw.partition(b"\n\n")
        if not sep:
            head, body = raw, b""
        fields = []
        for line in head.split(b"\n"):
            if line[:1] in (b" ", b"\t") and fields:
                fields[-1] += b"\n" + line      # folded as Postfix hands it over
            elif line:
                fields.append(line)
        if not self.proto & SMFIP_NOHDRS:
            for f in fields:
                name, _, value = f.partition(b":")
                self.header(name.decode("latin-1"), value.decode("latin-1"))
        self.eoh()
        if body and not self.proto & SMFIP_NOBODY:
            body = body.replace(b"\n", b"\r\n")
            for i in range(0, len(body), 65535):
                self.send(b"B", body[i:i + 65535])
                self.answer("BODY", SMFIP_NR_BODY)
        self.send(b"E")
        self.answer("EOM")

    def eoh(self):
        if not self.proto & SMFIP_NOEOH:
            self.send(b"N")
            self.answer("EOH", SMFIP_NR_EOH)


def z(s):
    return (s if isinstance(s, bytes) else s.encode("latin-1")) + b"\0"


def main(argv):
    leadspc, times = True, False
    while argv and argv[0] in ("--no-leadspc", "--times"):
        leadspc = leadspc and argv[0] != "--no-leadspc"
        times = times or argv[0] == "--times"
        argv = argv[1:]
    c = Client(int(argv[0]), leadspc, times)
    auth, tls = None, None
    try:
        for step in argv[1:]:
            k, _, v = step.partition(":")
            if k == "C":
                dport, _, addr = v.partition(",")
                c.macros(b"C", ["j", "mx.example.test", "{daemon_addr}", "127.0.0.1",
                                "{daemon_port}", dport, "{client_addr}", addr,
                                "{client_name}", "client.example.net"])
                fam = b"6" if ":" in addr else b"4"
                c.send(b"C", z("client.example.net") + fam + struct.pack(">H", 40000) + z(addr))
                c.answer("CONNECT", SMFIP_NR_CONN)
            elif k == "T":
                tls = v
            elif k == "H":
                if tls:
                    c.macros(b"H", ["{tls_version}", tls])
                if not c.proto & SMFIP_NOHELO:
                    c.send(b"H", z(v))
                    c.answer("HELO", SMFIP_NR_HELO)
            elif k == "A":
                auth = v.split(",", 1)
            elif k == "M":
                m = ["{mail_addr}", v, "i", "SPFDKIM1"]
                if auth:
                    m += ["{auth_type}", auth[0], "{auth_authen}", auth[1]]
                if tls:
                    m += ["{tls_version}", tls]
                c.macros(b"M", m)
                c.send(b"M", z("<%s>" % v))
                c.answer("MAIL", SMFIP_NR_MAIL)
            elif k == "R":
                c.macros(b"R", ["{rcpt_addr}", v])
                c.send(b"R", z("<%s>" % v))
                c.answer("RCPT", SMFIP_NR_RCPT)
            elif k == "F":
                with open(v, "rb") as fp:
                    c.message(fp.read())
            elif k == "E":
                c.eoh()
                c.send(b"E")
                c.answer("EOM")
            else:
                raise SystemExit("unknown step " + step)
    except Done:
        pass
    c.send(b"Q")
    c.s.close()


if __name__ == "__main__":
    main(sys.argv[1:])
