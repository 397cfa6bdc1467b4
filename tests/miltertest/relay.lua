-- SPDX-License-Identifier: BSD-2-Clause
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

-- Issue 12: judged by the MTA's resolution ({rcpt_addr} {rcpt_mailer}
-- {rcpt_host}), and strangers never route. Every RCPT sends its own triple:
-- libmilter keeps a stage's macros until the next ones arrive.
local function res(addr, mailer, host, extra)
    local m = {"{rcpt_addr}", addr, "{rcpt_mailer}", mailer, "{rcpt_host}", host}
    for _, v in ipairs(extra or {}) do
        m[#m + 1] = v
    end
    return m
end
conn = open(port("25"))
helo(conn)
is(mail(conn, "routed1@remote.test"), SMFIR_CONTINUE, "routed: MAIL continues")
is(rcpt(conn, "carol%foreign.example@example.test", res("carol@foreign.example", "smtp", "foreign.example")),
   SMFIR_REPLYCODE, "routed: percent hack behind a local domain rejected")
is(rcpt(conn, "foreign.example!carol@example.test", res("carol@foreign.example", "smtp", "foreign.example")),
   SMFIR_REPLYCODE, "routed: bang path behind a local domain rejected")
is(rcpt(conn, "foreign.example!carol", res("carol@foreign.example", "smtp", "foreign.example")),
   SMFIR_REPLYCODE, "routed: bare bang path rejected")
is(rcpt(conn, '"carol@foreign.example"@example.test', res("carol@foreign.example", "smtp", "foreign.example")),
   SMFIR_REPLYCODE, "routed: quoted local part holding an address rejected")
is(rcpt(conn, "carol@foreign.example@example.test", res("carol@foreign.example", "smtp", "foreign.example")),
   SMFIR_REPLYCODE, "routed: two @ rejected")
is(rcpt(conn, "carol%local2@example.test", res("carol%local2@example.test", "local", "mx.example.test")),
   SMFIR_REPLYCODE, "routed: '%' rejected even where the MTA delivers locally")
-- issue 25 item 7: what the admin's tables do with a local address is not relay
is(rcpt(conn, "alias@example.test", res("carol@elsewhere.test", "smtp", "elsewhere.test")),
   SMFIR_CONTINUE, "resolved: a local name the admin's tables forward abroad is local")
is(rcpt(conn, "postmaster", res("postmaster@elsewhere.test", "smtp", "elsewhere.test")),
   SMFIR_REPLYCODE, "resolved: a bare name the MTA qualifies abroad is relay")
is(rcpt(conn, "postmaster", res("postmaster@example.test", "local", "mx.example.test")),
   SMFIR_CONTINUE, "resolved: bare postmaster resolved to a local domain accepted")
is(rcpt(conn, "carol@[127.0.0.1]", res("carol", "local", "")),
   SMFIR_CONTINUE, "resolved: Sendmail's local mailer (user part only) accepted")
is(rcpt(conn, "gone@example.test", res("gone@example.test", "error", "")),
   SMFIR_CONTINUE, "resolved: mailer error delivers nothing, not relay")
is(rcpt(conn, "Kept@Example.Test.", res("kept@example.test", "local", "mx.example.test", {"i", "ROUTEDQ1"})),
   SMFIR_CONTINUE, "resolved: trailing dot, any case, local")
is(eom(conn), SMFIR_CONTINUE, "routed: the message with its local recipients goes on")
check(contains(xpr(conn), "verdict=pass"), "routed: header verdict=pass")
mt.disconnect(conn)

-- A trusted client may route (Postfix: allow_untrusted_routing is about strangers).
conn = open(port("25", {["{client_addr}"] = "198.51.100.7"}), "198.51.100.7", "relay.example.net")
helo(conn)
is(mail(conn, "routed2@remote.test"), SMFIR_CONTINUE, "trusted routing: MAIL")
is(rcpt(conn, "carol%foreign.example@example.test", res("carol@foreign.example", "smtp", "foreign.example")),
   SMFIR_CONTINUE, "trusted routing: percent hack accepted")
mt.disconnect(conn)

-- Role unknown (no Listener line) gets the mx relay check too.
conn = open(port("2626"))
helo(conn)
is(mail(conn, "routed3@remote.test"), SMFIR_CONTINUE, "unknown: MAIL continues (tag)")
is(rcpt(conn, "far@elsewhere.test", res("far@elsewhere.test", "smtp", "elsewhere.test")),
   SMFIR_REPLYCODE, "unknown: foreign recipient rejected")
is(rcpt(conn, "a!b@example.test", res("b@a", "smtp", "a")), SMFIR_REPLYCODE,
   "unknown: routed recipient rejected")
is(rcpt(conn, "near@example.test", res("near@example.test", "local", "x")), SMFIR_CONTINUE,
   "unknown: local recipient accepted")
mt.disconnect(conn)
finish()
