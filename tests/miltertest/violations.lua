-- SPDX-License-Identifier: BSD-2-Clause
-- violations.lua - each MAIL-stage violation's reply, and the passes next
-- to them. The reply texts are checked by the shell in the daemon's log
-- (miltertest does not expose them) and by cli.test through -x.
-- With the default DelayReject yes each MAIL-stage refusal is given at the
-- first RCPT and every later one; -D delay=no: at MAIL.
dofile(srcdir .. "/tests/miltertest/common.lua")

local conn, r

-- auth-on-mx: {auth_type}/{auth_authen} on port 25.
conn = open(port("25"))
-- Enforce mode refuses at RCPT (and at MAIL with DelayReject no): the MTA
-- waits for those replies, and only for those.
if nodelay then
    check(not mt.test_option(conn, SMFIP_NR_MAIL), "DelayReject no: MAIL is answered")
else
    check(mt.test_option(conn, SMFIP_NR_MAIL), "DelayReject yes: MAIL negotiated with no reply (SMFIP_NR_MAIL)")
end
check(not mt.test_option(conn, SMFIP_NR_RCPT), "enforce: RCPT is answered")
-- Only SPF reads HELO: with SPF off the MTA does not send it.
check(mt.test_option(conn, SMFIP_NOHELO), "SPF off: HELO negotiated away")
helo(conn, "TLSv1.3")
mail_refused(conn, "alice@example.test", auth("alice@example.test"), "auth-on-mx",
             {"colleague@example.test", "boss@example.test"})
mt.disconnect(conn)

-- {auth_author} alone is not authentication: no auth-on-mx.
conn = open(port("25"))
helo(conn)
is(mail(conn, "author1@remote.test", {"{auth_author}", "<alice@example.test>", "{mail_addr}", "author1@remote.test"}),
   SMFIR_CONTINUE, "{auth_author} alone: MAIL on port 25 continues")
is(rcpt(conn, "someone@example.test"), SMFIR_CONTINUE, "{auth_author} alone: local RCPT accepted")
is(rcpt(conn, "someone@elsewhere.test"), SMFIR_REPLYCODE,
   "{auth_author} alone: foreign RCPT is still a relay attempt")
is(eom(conn), SMFIR_CONTINUE, "{auth_author} alone: EOM")
check(contains(xpr(conn), "auth=none"), "{auth_author} alone: header says auth=none: " .. xpr(conn))
mt.disconnect(conn)

-- {auth_authen} without {auth_type} is authentication.
conn = open(port("25"))
helo(conn)
mail_refused(conn, "authen1@example.test", {"{auth_authen}", "carol@example.test"},
             "{auth_authen} alone on port 25: auth-on-mx", {"authen1rcpt@example.test"})
mt.disconnect(conn)

-- unauth-submission: 587 with TLS, no AUTH.
conn = open(port("587"))
helo(conn, "TLSv1.3")
mail_refused(conn, "unauth1@example.test", nil, "unauth-submission", {"friend1@remote.test"})
mt.disconnect(conn)

-- cleartext-submission: 587 with AUTH, no TLS.
conn = open(port("587"))
helo(conn)
mail_refused(conn, "alice@example.test", auth("alice@example.test"), "cleartext-submission on 587",
             {"friend2@remote.test"})
mt.disconnect(conn)

-- 465 without TLS.
conn = open(port("465"))
helo(conn)
mail_refused(conn, "alice@example.test", auth("alice@example.test", {"i", "CLEAR465"}),
             "cleartext-submission on 465", {"friend3@remote.test"})
mt.disconnect(conn)

-- sender-mismatch: alice sends as bob (SenderPolicy login).
conn = open(port("587"))
helo(conn, "TLSv1.3")
-- An authenticated submission: the refusal is given per recipient, each one.
mail_refused(conn, "bob@example.test", auth("alice@example.test"), "sender-mismatch",
             {"friend4@remote.test", "friend5@remote.test", "colleague@example.test"})
mt.disconnect(conn)

-- A transaction that ends before any RCPT: MAIL continues, the decision is
-- logged once at abort (the shell counts the lines), abort may come twice.
conn = open(port("587"))
helo(conn, "TLSv1.3")
mail_refused(conn, "norcpt1@example.test", nil, "unauth-submission, no RCPT", {})
must(mt.abort(conn), "abort")
must(mt.abort(conn), "second abort")
-- The next transaction of the same connection is judged afresh.
mail_refused(conn, "norcpt2@example.test", nil, "unauth-submission after abort", {"friend6@remote.test"})
mt.disconnect(conn)
-- One that ends with the connection, before any RCPT: logged at close.
conn = open(port("587"))
helo(conn, "TLSv1.3")
mail_refused(conn, "norcpt3@example.test", nil, "unauth-submission, closed before RCPT", {})
mt.disconnect(conn)

-- SenderLoginMap: alias and @domain entries let alice send.
conn = open(port("587"))
helo(conn, "TLSv1.3")
is(mail(conn, "alias@example.test", auth("alice@example.test")), SMFIR_CONTINUE,
   "SenderLoginMap: alias@example.test allowed for alice")
is(rcpt(conn, "friend@remote.test"), SMFIR_CONTINUE, "submission: foreign recipient accepted")
is(eom(conn), SMFIR_CONTINUE, "submission (alias): EOM")
mt.disconnect(conn)
conn = open(port("587"))
helo(conn, "TLSv1.3")
is(mail(conn, "anything@shared.example.test", auth("bob@example.test")), SMFIR_CONTINUE,
   "SenderLoginMap: @shared.example.test allowed for bob")
mt.disconnect(conn)

-- A clean submission: header with role, port, auth, user, tls.
conn = open(port("587", {["{client_name}"] = "laptop.example.net"}))
helo(conn, "TLSv1.3")
is(mail(conn, "alice@example.test", auth("alice@example.test")), SMFIR_CONTINUE, "submission pass: MAIL")
is(rcpt(conn, "friend@remote.test", {"i", "SUBPASS1"}), SMFIR_CONTINUE, "submission pass: RCPT")
is(eom(conn), SMFIR_CONTINUE, "submission pass: EOM")
local v = xpr(conn)
check(v:find("^mx%.example%.test; role=submission; port=587; client=laptop%.example%.net %[192%.0%.2%.9%]; auth=PLAIN; user=alice@example%.test; tls=TLSv1%.3;") ~= nil,
      "submission pass: header keys and values in order: " .. v)
check(contains(v, "verdict=pass"), "submission pass: verdict=pass")
mt.disconnect(conn)

-- Listener by {daemon_name}: ORIGINATING on an unlisted port.
conn = open(port("10587", {["{daemon_name}"] = "ORIGINATING"}))
helo(conn, "TLSv1.2")
is(mail(conn, "alice@example.test", auth("alice@example.test")), SMFIR_CONTINUE, "ORIGINATING: MAIL")
is(rcpt(conn, "friend@remote.test"), SMFIR_CONTINUE, "ORIGINATING: RCPT")
is(eom(conn), SMFIR_CONTINUE, "ORIGINATING: EOM")
v = xpr(conn)
check(contains(v, "role=submission; listener=ORIGINATING;"), "ORIGINATING: header names the listener: " .. v)
mt.disconnect(conn)
conn = open(port("10587", {["{daemon_name}"] = "originating"}))
helo(conn, "TLSv1.2")
mail_refused(conn, "nobody1@example.test", nil, "daemon name matched case-insensitively (unauth-submission)",
             {"friend7@remote.test"})
mt.disconnect(conn)

-- local-sender-on-mx: tagged by default.
conn = open(port("25"))
helo(conn)
is(mail(conn, "spoof1@example.test"), SMFIR_CONTINUE, "local-sender-on-mx: MAIL continues (tag)")
is(rcpt(conn, "colleague@example.test"), SMFIR_CONTINUE, "local-sender-on-mx: RCPT")
is(eom(conn), SMFIR_CONTINUE, "local-sender-on-mx: EOM")
v = xpr(conn)
check(contains(v, "verdict=tag") and contains(v, "violations=local-sender-on-mx"),
      "local-sender-on-mx: header verdict=tag violations=local-sender-on-mx: " .. v)
mt.disconnect(conn)
finish()
