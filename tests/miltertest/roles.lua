-- SPDX-License-Identifier: BSD-2-Clause
-- roles.lua - role resolution at connect: internal, local, unknown; the
-- role kept when later macros differ; TLS re-read at the second HELO.
dofile(srcdir .. "/tests/miltertest/common.lua")

local conn, r, v

-- internal (127.0.0.1:10026): accepted at connect, nothing more to do.
conn, r = open(port("10026", {["{client_addr}"] = "127.0.0.1"}), "127.0.0.1", "localhost")
is(r, SMFIR_ACCEPT, "internal: accepted at connect")
mt.disconnect(conn)
-- the same port on another address is not the internal listener
conn, r = open(port("10026", {["{daemon_addr}"] = "127.0.0.2"}))
is(r, SMFIR_CONTINUE, "10026 on another address: not internal")
mt.disconnect(conn)

-- local: no listener macros at all.
conn, r = open({"j", "mx.example.test"}, "127.0.0.1", "localhost")
is(r, SMFIR_CONTINUE, "local (no listener macros): connect continues")
helo(conn, nil, "localhost")
is(mail(conn, "local1@example.test"), SMFIR_CONTINUE, "local: MAIL")
is(rcpt(conn, "far@elsewhere.test"), SMFIR_CONTINUE, "local: a foreign recipient is fine")
is(eom(conn), SMFIR_CONTINUE, "local: EOM")
v = xpr(conn)
check(contains(v, "role=local"), "local: header role=local: " .. v)
mt.disconnect(conn)

-- local: {daemon_port} = 0.
conn, r = open(port("0"))
helo(conn)
is(mail(conn, "local2@remote.test"), SMFIR_CONTINUE, "port 0: MAIL")
is(rcpt(conn, "far@elsewhere.test"), SMFIR_CONTINUE, "port 0: RCPT")
is(eom(conn), SMFIR_CONTINUE, "port 0: EOM")
check(contains(xpr(conn), "role=local"), "port 0: header role=local: " .. xpr(conn))
mt.disconnect(conn)

-- unknown: a port no Listener names.
conn = open(port("2525"))
helo(conn)
is(mail(conn, "unknown1@remote.test"), SMFIR_CONTINUE, "unknown port: MAIL continues (tag)")
is(rcpt(conn, "x@example.test"), SMFIR_CONTINUE, "unknown port: RCPT")
is(eom(conn), SMFIR_CONTINUE, "unknown port: EOM")
v = xpr(conn)
check(contains(v, "role=unknown") and contains(v, "verdict=tag") and contains(v, "unknown-listener"),
      "unknown port: header role=unknown, tagged unknown-listener: " .. v)
mt.disconnect(conn)

-- unknown: the MTA sent a daemon name and address but no port, twice.
for i = 1, 2 do
    conn = open({"j", "mx.example.test", "{daemon_name}", "smtpd-noport", "{daemon_addr}", "127.0.0.1"})
    helo(conn)
    is(mail(conn, "noport" .. i .. "@remote.test"), SMFIR_CONTINUE, "no {daemon_port} #" .. i .. ": MAIL continues (tag)")
    is(rcpt(conn, "x@example.test"), SMFIR_CONTINUE, "no {daemon_port} #" .. i .. ": RCPT")
    is(eom(conn), SMFIR_CONTINUE, "no {daemon_port} #" .. i .. ": EOM")
    check(contains(xpr(conn), "role=unknown"), "no {daemon_port} #" .. i .. ": role=unknown")
    mt.disconnect(conn)
end

-- The role is decided at connect: later MAIL/RCPT macros claiming another
-- listener change nothing (Postfix's cleanup sends its own {daemon_name}).
conn = open(port("587", {["{daemon_name}"] = "ORIGINATING"}))
helo(conn, "TLSv1.3")
is(mail(conn, "alice@example.test", auth("alice@example.test", {"{daemon_name}", "mx.example.test", "{daemon_port}", "25"})),
   SMFIR_CONTINUE, "kept role: authenticated MAIL on submission despite MAIL macros saying port 25")
is(rcpt(conn, "friend@remote.test", {"{daemon_name}", "mx.example.test", "{daemon_port}", "25"}), SMFIR_CONTINUE,
   "kept role: RCPT")
is(eom(conn), SMFIR_CONTINUE, "kept role: EOM")
v = xpr(conn)
check(contains(v, "role=submission; listener=ORIGINATING;"), "kept role: header still says submission: " .. v)
mt.disconnect(conn)

conn = open(port("25"))
helo(conn)
is(mail(conn, "kept2@remote.test", {"{daemon_port}", "587"}), SMFIR_CONTINUE,
   "kept role: port-25 client claiming 587 at MAIL is still mx (no unauth-submission)")
is(rcpt(conn, "far@elsewhere.test", {"{daemon_port}", "587"}), SMFIR_REPLYCODE,
   "kept role: and still cannot relay")
mt.disconnect(conn)

-- TLS re-read after the second HELO (STARTTLS).
conn = open(port("587"))
is(helo(conn), SMFIR_CONTINUE, "STARTTLS: first HELO in clear")
helo(conn, "TLSv1.3")
is(mail(conn, "alice@example.test", auth("alice@example.test")), SMFIR_CONTINUE,
   "STARTTLS: MAIL after the second HELO with TLS is not cleartext")
is(rcpt(conn, "friend@remote.test"), SMFIR_CONTINUE, "STARTTLS: RCPT")
is(eom(conn), SMFIR_CONTINUE, "STARTTLS: EOM")
check(contains(xpr(conn), "tls=TLSv1.3"), "STARTTLS: header tls=TLSv1.3: " .. xpr(conn))
mt.disconnect(conn)

-- 465: TLS known from connect.
conn = open(port("465", {["{tls_version}"] = "TLSv1.3"}))
helo(conn)
is(mail(conn, "alice@example.test", auth("alice@example.test")), SMFIR_CONTINUE,
   "465: TLS from the connect macros counts")
mt.disconnect(conn)

-- TLS at MAIL only.
conn = open(port("587"))
helo(conn)
is(mail(conn, "alice@example.test", auth("alice@example.test", {"{tls_version}", "TLSv1.2"})), SMFIR_CONTINUE,
   "TLS reported at MAIL counts")
mt.disconnect(conn)
finish()
