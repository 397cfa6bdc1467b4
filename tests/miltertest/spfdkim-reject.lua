-- SPDX-License-Identifier: BSD-2-Clause
-- spfdkim-reject.lua - "Action spf-fail reject": an SPF fail is decided at
-- MAIL and refused at RCPT (DelayReject yes; the text is checked on the
-- wire by tests/spfdkim.test), every other result goes on. The daemon is spfdkim.test's second one.
dofile(srcdir .. "/tests/miltertest/common.lua")

local conn

-- {sender, HELO, expected RCPT reply}
local rows = {
    {"a@fail.example.net", "client.example.net", SMFIR_REPLYCODE},
    {"", "helo-fail.example.net", SMFIR_REPLYCODE},
    {"a@softfail.example.net", "client.example.net", SMFIR_CONTINUE},
    {"a@servfail.example.net", "client.example.net", SMFIR_CONTINUE},
    {"a@pass.example.net", "client.example.net", SMFIR_CONTINUE},
    {"", "helo-pass.example.net", SMFIR_CONTINUE},
}
for _, r in ipairs(rows) do
    conn = open(port("25"), "192.0.2.9")
    helo(conn, nil, r[2])
    -- DelayReject yes: MAIL always continues, the refusal comes at RCPT.
    is(mail(conn, r[1]), SMFIR_CONTINUE, "reject mode: MAIL <" .. r[1] .. "> HELO " .. r[2] .. " continues")
    is(rcpt(conn, "bob@example.test"), r[3], "reject mode: RCPT after MAIL <" .. r[1] .. "> HELO " .. r[2])
    mt.disconnect(conn)
end

-- A trusted client is not checked, so not rejected either.
conn = open(port("25", {["{client_addr}"] = "127.0.0.1"}), "127.0.0.1")
helo(conn, nil, "relay.example.test")
is(mail(conn, "a@fail.example.net"), SMFIR_CONTINUE, "reject mode: trusted client, SPF not run")
mt.disconnect(conn)

-- Nor is port 587.
conn = open(port("587"), "192.0.2.9")
helo(conn, "TLSv1.3", "laptop.example.net")
is(mail(conn, "a@fail.example.net", auth("alice@example.test")), SMFIR_CONTINUE,
   "reject mode: port 587 authenticated, SPF not run")
mt.disconnect(conn)
finish()
