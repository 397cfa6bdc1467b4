-- relay.lua - port 25: per-recipient relay decision, the header, queue id.
dofile(srcdir .. "/tests/miltertest/common.lua")

-- An untrusted client: the foreign recipient is refused, the local one of
-- the same message accepted, and the message gets the header.
local conn, r = open(port("25"))
is(r, SMFIR_CONTINUE, "mx connect continues")
helo(conn)
is(mail(conn, "relay1@remote.test"), SMFIR_CONTINUE, "mx: MAIL from a foreign sender continues")
is(rcpt(conn, "victim@elsewhere.test"), SMFIR_REPLYCODE, "mx: foreign recipient rejected with a reply")
is(rcpt(conn, "Boss@EXAMPLE.test", {"i", "RELAYQ1"}), SMFIR_CONTINUE,
   "mx: local recipient (any case) of the same message accepted")
is(rcpt(conn, "x@deep.sub.example.test"), SMFIR_CONTINUE, "mx: .sub wildcard domain accepted")
is(rcpt(conn, "x@notsub.example.test"), SMFIR_REPLYCODE, "mx: a subdomain not listed is foreign")
is(rcpt(conn, "postmaster"), SMFIR_CONTINUE, "mx: a bare local part is ours")
is(eom(conn, {{"Subject", "relay test"}}), SMFIR_CONTINUE, "mx: EOM continues")
check(mt.eom_check(conn, MT_HDRINSERT, "X-Port-Role"), "mx: X-Port-Role inserted")
local h = mt.getheader(conn, "X-Port-Role", 0)
check(mt.eom_check(conn, MT_HDRINSERT, "X-Port-Role", h, 0), "mx: X-Port-Role inserted at index 0")
local v = unfold(h)
check(v:find("^mx%.example%.test; role=mx; port=25; client=client%.example%.net %[192%.0%.2%.9%]; auth=none; tls=none;") ~= nil,
      "mx: header starts with id, role, port, client, auth, tls: " .. v)
check(contains(v, "verdict=pass"), "mx: verdict=pass")
check(not contains(v, "violations="), "mx: no violations on a clean message")
check(v:find("%(.+%)") ~= nil, "mx: header has a comment")
check(mt.getheader(conn, "X-Port-Role", 1) == nil, "mx: exactly one header added")
mt.disconnect(conn)

-- A trusted client (TrustedNetworks 198.51.100.0/24) may relay.
conn = open(port("25", {["{client_addr}"] = "198.51.100.7"}), "198.51.100.7", "relay.example.net")
helo(conn)
is(mail(conn, "relay2@remote.test"), SMFIR_CONTINUE, "trusted: MAIL continues")
is(rcpt(conn, "far@elsewhere.test"), SMFIR_CONTINUE, "trusted: foreign recipient accepted")
is(eom(conn), SMFIR_CONTINUE, "trusted: EOM continues")
check(contains(xpr(conn), "verdict=pass"), "trusted: header verdict=pass")
mt.disconnect(conn)

-- Two messages on one connection: the second is judged on its own.
conn = open(port("25"))
helo(conn)
is(mail(conn, "relay3@remote.test"), SMFIR_CONTINUE, "two messages: first MAIL")
is(rcpt(conn, "a@example.test"), SMFIR_CONTINUE, "two messages: first RCPT")
is(eom(conn), SMFIR_CONTINUE, "two messages: first EOM")
is(mail(conn, "relay4@remote.test"), SMFIR_CONTINUE, "two messages: second MAIL")
is(rcpt(conn, "b@elsewhere.test"), SMFIR_REPLYCODE, "two messages: second message's foreign RCPT rejected")
is(rcpt(conn, "b@example.test"), SMFIR_CONTINUE, "two messages: second message's local RCPT")
is(eom(conn), SMFIR_CONTINUE, "two messages: second EOM")
check(mt.eom_check(conn, MT_HDRINSERT, "X-Port-Role"), "two messages: second gets its header")
mt.disconnect(conn)

-- An aborted transaction, twice, then a new one on the same connection.
conn = open(port("25"))
helo(conn)
is(mail(conn, "relay5@remote.test"), SMFIR_CONTINUE, "abort: MAIL")
is(rcpt(conn, "c@example.test"), SMFIR_CONTINUE, "abort: RCPT")
must(mt.abort(conn), "abort")
must(mt.abort(conn), "second abort")
is(mail(conn, "relay6@remote.test"), SMFIR_CONTINUE, "abort: MAIL after two aborts")
is(rcpt(conn, "d@example.test"), SMFIR_CONTINUE, "abort: RCPT after two aborts")
is(eom(conn), SMFIR_CONTINUE, "abort: EOM after two aborts")
mt.disconnect(conn)
finish()
