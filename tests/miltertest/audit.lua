-- SPDX-License-Identifier: BSD-2-Clause
-- audit.lua - Mode audit: every reject becomes accept + tag; the header
-- names the violations. The shell checks would=reject in the log.
dofile(srcdir .. "/tests/miltertest/common.lua")

local conn, v

-- unauth-relay
conn = open(port("25"))
-- Nothing can be refused at MAIL or RCPT in audit mode: the MTA need not wait there.
check(mt.test_option(conn, SMFIP_NR_MAIL), "audit: MAIL negotiated no-reply")
check(mt.test_option(conn, SMFIP_NR_RCPT), "audit: RCPT negotiated no-reply")
helo(conn)
is(mail(conn, "audit-relay@remote.test"), SMFIR_CONTINUE, "audit relay: MAIL")
is(rcpt(conn, "far@elsewhere.test"), SMFIR_CONTINUE, "audit relay: foreign RCPT accepted")
is(rcpt(conn, "near@example.test"), SMFIR_CONTINUE, "audit relay: local RCPT accepted")
is(eom(conn), SMFIR_CONTINUE, "audit relay: EOM")
v = xpr(conn)
check(contains(v, "verdict=tag") and contains(v, "unauth-relay"), "audit relay: header tags unauth-relay: " .. v)
mt.disconnect(conn)

-- auth-on-mx
conn = open(port("25"))
helo(conn)
is(mail(conn, "audit-auth@example.test", auth("audit-auth@example.test")), SMFIR_CONTINUE, "audit auth-on-mx: MAIL accepted")
is(rcpt(conn, "x@example.test"), SMFIR_CONTINUE, "audit auth-on-mx: RCPT")
is(eom(conn), SMFIR_CONTINUE, "audit auth-on-mx: EOM")
v = xpr(conn)
check(contains(v, "verdict=tag") and contains(v, "auth-on-mx"), "audit auth-on-mx: header tags it: " .. v)
mt.disconnect(conn)

-- unauth-submission + cleartext-submission together
conn = open(port("587"))
helo(conn)
is(mail(conn, "audit-sub@example.test"), SMFIR_CONTINUE, "audit 587 no TLS no AUTH: MAIL accepted")
is(rcpt(conn, "x@remote.test"), SMFIR_CONTINUE, "audit 587: RCPT")
is(eom(conn), SMFIR_CONTINUE, "audit 587: EOM")
v = xpr(conn)
check(contains(v, "cleartext-submission") and contains(v, "unauth-submission"),
      "audit 587: header names both violations: " .. v)
mt.disconnect(conn)

-- 465 cleartext
conn = open(port("465"))
helo(conn)
is(mail(conn, "alice@example.test", auth("alice@example.test", {"i", "AUDIT465"})), SMFIR_CONTINUE, "audit 465 cleartext: MAIL accepted")
is(rcpt(conn, "x@remote.test"), SMFIR_CONTINUE, "audit 465: RCPT")
is(eom(conn), SMFIR_CONTINUE, "audit 465: EOM")
check(contains(xpr(conn), "cleartext-submission"), "audit 465: header tags cleartext-submission")
mt.disconnect(conn)

-- sender-mismatch
conn = open(port("587"))
helo(conn, "TLSv1.3")
is(mail(conn, "audit-bob@example.test", auth("alice@example.test")), SMFIR_CONTINUE, "audit sender-mismatch: MAIL accepted")
is(rcpt(conn, "x@remote.test"), SMFIR_CONTINUE, "audit sender-mismatch: RCPT")
is(eom(conn), SMFIR_CONTINUE, "audit sender-mismatch: EOM")
check(contains(xpr(conn), "sender-mismatch"), "audit sender-mismatch: header tags it")
mt.disconnect(conn)

-- a clean message still passes
conn = open(port("587"))
helo(conn, "TLSv1.3")
is(mail(conn, "alice@example.test", auth("alice@example.test")), SMFIR_CONTINUE, "audit clean: MAIL")
is(rcpt(conn, "audit-clean@remote.test"), SMFIR_CONTINUE, "audit clean: RCPT")
is(eom(conn), SMFIR_CONTINUE, "audit clean: EOM")
check(contains(xpr(conn), "verdict=pass"), "audit clean: verdict=pass")
mt.disconnect(conn)
finish()
