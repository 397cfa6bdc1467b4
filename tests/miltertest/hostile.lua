-- SPDX-License-Identifier: BSD-2-Clause
-- hostile.lua - macros and addresses an attacker controls: CR, LF, '%',
-- control bytes, an overlong name, a non-numeric port. The daemon must
-- answer, keep running, and write headers without control bytes.
-- -D mode=audit runs it against the audit daemon, where the violations
-- are tagged and so the hostile values reach the header.
dofile(srcdir .. "/tests/miltertest/common.lua")

local audit = (mode == "audit")
local conn, r, v, okh, why

-- A login with CR, LF and printf conversions.
conn = open(port("587"))
helo(conn, "TLSv1.3")
local hostile_login = {"{auth_type}", "PLAIN", "{auth_authen}", "ali\r\nce%s%n%x@example.test"}
if audit then
    r = mail(conn, "alice@example.test", hostile_login)
    is(r, SMFIR_CONTINUE, "hostile login (audit): MAIL tagged, not rejected")
    is(rcpt(conn, "friend@remote.test"), SMFIR_CONTINUE, "hostile login (audit): RCPT")
    is(eom(conn), SMFIR_CONTINUE, "hostile login (audit): EOM")
    okh, why = clean_header(mt.getheader(conn, "X-Port-Role", 0))
    check(okh, "hostile login: header has no control bytes " .. why)
    v = xpr(conn)
    check(contains(v, "user=") and contains(v, "sender-mismatch"), "hostile login: header names user= and the violation: " .. v)
else
    mail_refused(conn, "alice@example.test", hostile_login, "hostile login: sender-mismatch reply, no crash",
                 {"friend@remote.test"})
end
mt.disconnect(conn)

-- A client name with control bytes and a would-be injected header line.
conn = open(port("25", {["{client_name}"] = "evil\1\27[31m.example.net\r\nX-Injected: yes"}))
helo(conn, nil, "evil\r\nhelo")
is(mail(conn, "hostile2@remote.test"), SMFIR_CONTINUE, "hostile client name: MAIL")
is(rcpt(conn, "x@example.test"), SMFIR_CONTINUE, "hostile client name: RCPT")
is(eom(conn), SMFIR_CONTINUE, "hostile client name: EOM")
okh, why = clean_header(mt.getheader(conn, "X-Port-Role", 0))
check(okh, "hostile client name: header has no control bytes " .. why)
check(not contains(mt.getheader(conn, "X-Port-Role", 0), "\nX-Injected"), "hostile client name: no injected header line")
check(mt.getheader(conn, "X-Injected", 0) == nil, "hostile client name: no X-Injected header added")
mt.disconnect(conn)

-- An overlong client name (miltertest cannot send a macro packet over ~1 KB
-- bytes): the value is capped at 255 bytes, no line over 998.
conn = open(port("25", {["{client_name}"] = string.rep("a", 800) .. ".example.net"}))
helo(conn)
is(mail(conn, "hostile3@remote.test"), SMFIR_CONTINUE, "overlong client name: MAIL")
is(rcpt(conn, "x@example.test"), SMFIR_CONTINUE, "overlong client name: RCPT")
is(eom(conn), SMFIR_CONTINUE, "overlong client name: EOM")
local h = mt.getheader(conn, "X-Port-Role", 0)
okh, why = clean_header(h)
check(okh, "overlong client name: header lines within 998 " .. why)
check(h ~= nil and not contains(unfold(h), string.rep("a", 256)),
      "overlong client name: the value is capped at 255 bytes (" .. (h and #h or 0) .. " bytes in all)")
mt.disconnect(conn)

-- {daemon_port} = abc: no crash, an unknown listener.
conn = open(port("abc"))
helo(conn)
is(mail(conn, "hostile4@remote.test"), SMFIR_CONTINUE, "{daemon_port}=abc: MAIL continues (unknown, tag)")
is(rcpt(conn, "x@example.test"), SMFIR_CONTINUE, "{daemon_port}=abc: RCPT")
is(eom(conn), SMFIR_CONTINUE, "{daemon_port}=abc: EOM")
check(contains(xpr(conn), "role=unknown"), "{daemon_port}=abc: role=unknown: " .. xpr(conn))
mt.disconnect(conn)

-- '%' and control bytes in a refused recipient (it is in the reply text).
conn = open(port("25"))
helo(conn)
is(mail(conn, "per%cent@remote.test"), SMFIR_CONTINUE, "'%' sender: MAIL")
r = rcpt(conn, "a%s%n\1b@elsewhere.test")
if audit then
    is(r, SMFIR_CONTINUE, "'%' recipient (audit): tagged")
else
    is(r, SMFIR_REPLYCODE, "'%' recipient: relay reply, no crash")
end
mt.disconnect(conn)

-- A TLS version string with a line break.
conn = open(port("587"))
helo(conn, "TLSv1.3\r\nX-Evil: 1")
is(mail(conn, "alice@example.test", auth("alice@example.test")), SMFIR_CONTINUE, "hostile TLS string: MAIL")
is(rcpt(conn, "friend@remote.test"), SMFIR_CONTINUE, "hostile TLS string: RCPT")
is(eom(conn), SMFIR_CONTINUE, "hostile TLS string: EOM")
okh, why = clean_header(mt.getheader(conn, "X-Port-Role", 0))
check(okh, "hostile TLS string: header clean " .. why)
mt.disconnect(conn)

-- Still alive and sane afterwards.
conn = open(port("25"))
helo(conn)
is(mail(conn, "after-hostile@remote.test"), SMFIR_CONTINUE, "after the hostile sessions: the daemon still answers")
mt.disconnect(conn)
finish()
