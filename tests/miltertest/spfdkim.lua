-- SPDX-License-Identifier: BSD-2-Clause
-- spfdkim.lua - SPF on port 25 as X-Port-Role and Authentication-Results
-- show it, the clients SPF and DKIM skip, and forged AR copies.
-- Run by tests/spfdkim.test against a daemon with SPF on, DKIM verify,
-- AuthResults yes, AuthservID mx.example.test and a TestDNSData zone
-- (tests/data/spfdkim/spfdkim.zone): no real DNS.
dofile(srcdir .. "/tests/miltertest/common.lua")

local ID = "mx.example.test"

-- value - unfolded, without the space after the colon: miltertest
-- negotiates SMFIP_HDR_LEADSPC, so the value the daemon sends should have
-- one (spfdkim.test checks that on the wire)
local function value(v)
    return (unfold(v):gsub("^ ", ""))
end

-- ar, xp - the headers added at EOM
local function ar(conn)
    return value(mt.getheader(conn, "Authentication-Results", 0))
end
local function xp(conn)
    return value(mt.getheader(conn, "X-Port-Role", 0))
end

-- deliver - one unsigned message on a fresh connection; returns conn
local function deliver(what, portmacros, ip, helo_name, from, rcpt_to, tls, mailmacros, headers)
    local conn = open(portmacros, ip)
    -- SPF reads HELO (the null sender's identity): the MTA must send it.
    check(not mt.test_option(conn, SMFIP_NOHELO), what .. ": SPF on: HELO is negotiated")
    helo(conn, tls, helo_name)
    is(mail(conn, from, mailmacros), SMFIR_CONTINUE, what .. ": MAIL")
    is(rcpt(conn, rcpt_to), SMFIR_CONTINUE, what .. ": RCPT")
    is(eom(conn, headers or {{"From", " someone@remote.test"}, {"Subject", " " .. what}}),
       SMFIR_CONTINUE, what .. ": EOM")
    return conn
end

-- SPF on port 25 from 192.0.2.9, an untrusted client: one row per result.
-- {sender, HELO, result, the domain checked, tagged}
local rows = {
    {"a@pass.example.net", "client.example.net", "pass", "pass.example.net", false},
    {"a@fail.example.net", "client.example.net", "fail", "fail.example.net", true},
    {"a@softfail.example.net", "client.example.net", "softfail", "softfail.example.net", false},
    {"a@neutral.example.net", "client.example.net", "neutral", "neutral.example.net", false},
    {"a@nospf.example.net", "client.example.net", "none", "nospf.example.net", false},
    {"a@permerror.example.net", "client.example.net", "permerror", "permerror.example.net", false},
    {"a@servfail.example.net", "client.example.net", "temperror", "servfail.example.net", false},
    -- the null sender: the HELO name is the identity
    {"", "helo-pass.example.net", "pass", "helo-pass.example.net", false},
    {"", "helo-fail.example.net", "fail", "helo-fail.example.net", true},
}
for _, r in ipairs(rows) do
    local what = "spf " .. r[3] .. " <" .. r[1] .. "> HELO " .. r[2]
    local conn = deliver(what, port("25"), "192.0.2.9", r[2], r[1], "bob@example.test")
    local x, a = xp(conn), ar(conn)
    check(contains(x, "; tls=none; spf=" .. r[3] .. "; dkim=none; verdict="),
          what .. ": X-Port-Role has spf=" .. r[3] .. " and dkim=none in order: " .. x)
    -- issue 25 item 9: RFC 8601 names the HELO identity smtp.helo
    local ptype = r[1] == "" and " smtp.helo=" or " smtp.mailfrom="
    check(a == ID .. "; spf=" .. r[3] .. ptype .. r[4] .. "; dkim=none",
          what .. ": Authentication-Results is exactly the SPF and DKIM results: " .. a)
    if r[5] then
        check(contains(x, "verdict=tag; violations=spf-fail "), what .. ": tagged spf-fail: " .. x)
    else
        check(contains(x, "verdict=pass "), what .. ": not tagged: " .. x)
    end
    mt.disconnect(conn)
end

-- Port 587, authenticated: neither SPF nor DKIM runs, AR has auth only.
local conn = deliver("587 authenticated", port("587"), "192.0.2.9", "laptop.example.net",
                     "alice@example.test", "far@remote.test", "TLSv1.3", auth("alice@example.test"),
                     {{"DKIM-Signature", " v=1; a=rsa-sha256; d=example.test; s=x; h=from; bh=AA==; b=AA=="},
                      {"From", " alice@example.test"}})
local x, a = xp(conn), ar(conn)
check(contains(x, "role=submission; port=587;"), "587: role submission: " .. x)
check(not contains(x, "spf="), "587: no spf= in X-Port-Role")
check(not contains(x, "dkim="), "587: no dkim= in X-Port-Role (even with a signature)")
check(a == ID .. "; auth=pass smtp.auth=alice@example.test",
      "587: Authentication-Results has only auth=pass smtp.auth=LOGIN: " .. a)
mt.disconnect(conn)

-- Port 25 from a trusted client (TrustedNetworks 127.0.0.1/32): the sender's
-- domain has "-all", so a check would say fail and tag; none runs.
conn = deliver("25 trusted", port("25", {["{client_addr}"] = "127.0.0.1"}), "127.0.0.1",
               "relay.example.test", "a@fail.example.net", "bob@example.test")
x, a = xp(conn), ar(conn)
check(contains(x, "client=client.example.net [127.0.0.1];"), "trusted: the client is 127.0.0.1: " .. x)
check(contains(x, "spf=skipped; dkim=skipped;"), "trusted: X-Port-Role says SPF and DKIM were skipped: " .. x)
check(contains(x, "verdict=pass "), "trusted: not tagged spf-fail: " .. x)
check(a == ID .. "; none", "trusted: Authentication-Results says none: " .. a)
mt.disconnect(conn)

-- Forged AR: a copy with our authserv-id is removed, another host's kept.
conn = deliver("forged AR", port("25"), "192.0.2.9", "client.example.net", "a@pass.example.net",
               "bob@example.test", nil, nil,
               {{"Authentication-Results", " " .. ID .. "; spf=pass smtp.mailfrom=paypal.example"},
                {"From", " someone@pass.example.net"}})
check(mt.eom_check(conn, MT_HDRCHANGE, "Authentication-Results")
      or mt.eom_check(conn, MT_HDRDELETE, "Authentication-Results"), "forged AR: our-id copy removed")
check(contains(ar(conn), "spf=pass smtp.mailfrom=pass.example.net"), "forged AR: ours added: " .. ar(conn))
mt.disconnect(conn)

conn = deliver("other AR", port("25"), "192.0.2.9", "client.example.net", "a@pass.example.net",
               "bob@example.test", nil, nil,
               {{"Authentication-Results", " other.example; spf=pass smtp.mailfrom=pass.example.net"},
                {"From", " someone@pass.example.net"}})
check(not mt.eom_check(conn, MT_HDRCHANGE, "Authentication-Results")
      and not mt.eom_check(conn, MT_HDRDELETE, "Authentication-Results"),
      "other host's AR: nothing changed or deleted")
check(mt.eom_check(conn, MT_HDRINSERT, "Authentication-Results"), "other host's AR: ours still added")
mt.disconnect(conn)
finish()
