#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""dkimsign.py - add one DKIM-Signature (rsa-sha256) to a message, for spfdkim.test.

usage: dkimsign.py KEY.pem DOMAIN SELECTOR CANON HEADERS < message > signed

CANON is header/body: simple/simple, relaxed/relaxed, relaxed/simple, ...
HEADERS is the h= list, e.g. from:to:subject.

Written from RFC 6376 (sections 3.4 and 3.7) so that the daemon's verifier,
libopendkim, is checked against an independent signer. Only the RSA step
uses a tool: "openssl dgst -sha256 -sign" (PKCS#1 v1.5 over SHA-256).
The message is read with LF or CRLF line ends and written with LF, the
signature prepended; the hashes are taken over CRLF line ends, as the MTA
hands the message to a milter.
"""
import base64
import hashlib
import re
import subprocess
import sys

WSP = re.compile(r"[ \t]+")


def split(raw):
    """(header fields as written, with CRLF folds; body with CRLF line ends)"""
    raw = raw.replace(b"\r\n", b"\n")
    head, sep, body = raw.partition(b"\n\n")
    if not sep:
        head, body = raw, b""
    fields = []
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b"\r\n" + line
        elif line:
            fields.append(line)
    return fields, body.replace(b"\n", b"\r\n")


def canon_body(body, how):
    if how == "relaxed":
        lines = body.split(b"\r\n")
        body = b"\r\n".join(WSP.sub(" ", l.decode("latin-1")).rstrip(" ").encode("latin-1")
                            for l in lines)
    while body.endswith(b"\r\n\r\n"):
        body = body[:-2]
    if how == "relaxed":
        body = body.rstrip(b"\r\n")
        return body + b"\r\n" if body else b""
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body


def canon_header(field, how):
    """One field, without the final CRLF."""
    if how == "simple":
        return field
    name, _, value = field.decode("latin-1").partition(":")
    value = WSP.sub(" ", value.replace("\r\n", "")).strip(" ")
    return ("%s:%s" % (name.strip(" \t").lower(), value)).encode("latin-1")


def main(argv):
    key, domain, selector, canon, hlist = argv
    hcanon, _, bcanon = canon.partition("/")
    fields, body = split(sys.stdin.buffer.read())
    bh = base64.b64encode(hashlib.sha256(canon_body(body, bcanon or "simple")).digest())

    # h= picks the instances from the bottom up (RFC 6376 5.4.2).
    used = set()
    signed = b""
    for want in hlist.split(":"):
        for i in range(len(fields) - 1, -1, -1):
            name = fields[i].partition(b":")[0].strip().decode("latin-1").lower()
            if i not in used and name == want.lower():
                used.add(i)
                signed += canon_header(fields[i], hcanon) + b"\r\n"
                break

    sig = ("DKIM-Signature: v=1; a=rsa-sha256; c=%s; d=%s; s=%s;\r\n"
           "\th=%s; bh=%s;\r\n\tb=" % (canon, domain, selector, hlist, bh.decode())).encode()
    data = signed + canon_header(sig, hcanon)
    rsa = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=data,
                         stdout=subprocess.PIPE, check=True).stdout
    sig += base64.b64encode(rsa)
    out = b"\n".join(f.replace(b"\r\n", b"\n") for f in [sig] + fields)
    sys.stdout.buffer.write(out + b"\n\n" + body.replace(b"\r\n", b"\n"))


if __name__ == "__main__":
    main(sys.argv[1:])
