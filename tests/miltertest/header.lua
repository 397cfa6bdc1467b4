-- SPDX-License-Identifier: BSD-2-Clause
-- header.lua - forged X-Port-Role copies (our authserv-id) are deleted,
-- other hosts' copies are kept; the authserv-id comes from j, else the host.
dofile(srcdir .. "/tests/miltertest/common.lua")

local conn

-- Another host's copy only: nothing is changed or deleted.
conn = open(port("25"))
helo(conn)
is(mail(conn, "hdr1@remote.test"), SMFIR_CONTINUE, "other id: MAIL")
is(rcpt(conn, "a@example.test"), SMFIR_CONTINUE, "other id: RCPT")
is(eom(conn, {{"X-Port-Role", " relay.other.test; role=submission; port=587; verdict=pass"},
              {"X-Port-Role", " mx.example.test.evil; role=mx; verdict=pass"}}),
   SMFIR_CONTINUE, "other id: EOM")
check(not mt.eom_check(conn, MT_HDRCHANGE, "X-Port-Role"), "other id: no header changed")
check(not mt.eom_check(conn, MT_HDRDELETE, "X-Port-Role"), "other id: no header deleted")
check(mt.eom_check(conn, MT_HDRINSERT, "X-Port-Role"), "other id: ours still added")
mt.disconnect(conn)

-- Our id (any case, white space before ';'), second of three copies.
conn = open(port("25"))
helo(conn)
is(mail(conn, "hdr2@remote.test"), SMFIR_CONTINUE, "forged: MAIL")
is(rcpt(conn, "b@example.test", {"i", "FORGED2"}), SMFIR_CONTINUE, "forged: RCPT")
is(eom(conn, {{"X-Port-Role", " relay.other.test; role=mx; port=25; verdict=pass"},
              {"x-port-role", " MX.Example.Test ; role=submission; port=587; auth=PLAIN; verdict=pass"},
              {"X-Port-Role", " third.other.test; role=mx; verdict=pass"},
              {"Subject", "forged"}}),
   SMFIR_CONTINUE, "forged: EOM")
check(mt.eom_check(conn, MT_HDRCHANGE, "X-Port-Role") or mt.eom_check(conn, MT_HDRDELETE, "X-Port-Role"),
      "forged: our-id copy changed/deleted")
check(mt.eom_check(conn, MT_HDRINSERT, "X-Port-Role"), "forged: the real header added")
check(contains(xpr(conn), "role=mx; port=25;"), "forged: the added header is the true route")
mt.disconnect(conn)

-- No j macro: the authserv-id is the host name.
conn = open(port("25", {["j"] = false}))
helo(conn)
is(mail(conn, "hdr3@remote.test"), SMFIR_CONTINUE, "no j: MAIL")
is(rcpt(conn, "c@example.test"), SMFIR_CONTINUE, "no j: RCPT")
is(eom(conn, {{"X-Port-Role", " " .. hostname .. "; role=submission; verdict=pass"}}), SMFIR_CONTINUE, "no j: EOM")
local v = xpr(conn)
check(v:sub(1, #hostname + 1) == hostname .. ";", "no j: header starts with the host name: " .. v)
check(mt.eom_check(conn, MT_HDRCHANGE, "X-Port-Role") or mt.eom_check(conn, MT_HDRDELETE, "X-Port-Role"),
      "no j: a copy with the host name is ours and removed")
mt.disconnect(conn)
finish()
