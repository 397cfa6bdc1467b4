-- SPDX-License-Identifier: BSD-2-Clause
-- reload.lua - SIGHUP: a connection opened before the reload keeps its
-- config; new connections follow the new one. -D step=before|after|broken:
--   before: auth-on-mx is rejected at RCPT (default action, DelayReject yes)
--   after:  (Action auth-on-mx tag) new connections are tagged
--   pinned: open, wait for the shell to reload, then MAIL, RCPT: still rejected
dofile(srcdir .. "/tests/miltertest/common.lua")

local function auth_on_mx(tagname)
    local conn = open(port("25"))
    helo(conn)
    local r = mail(conn, tagname .. "@example.test", auth(tagname .. "@example.test"))
    return conn, r
end

local conn, r
if step == "before" or step == "broken" then
    conn, r = auth_on_mx("reload-" .. step)
    is(r, SMFIR_CONTINUE, "reload " .. step .. ": MAIL continues (DelayReject yes)")
    is(rcpt(conn, "x@example.test"), SMFIR_REPLYCODE,
       "reload " .. step .. ": auth-on-mx rejected at RCPT (default action)")
    mt.disconnect(conn)
elseif step == "after" then
    conn, r = auth_on_mx("reload-after")
    is(r, SMFIR_CONTINUE, "reload after: auth-on-mx now only tagged")
    is(rcpt(conn, "x@example.test"), SMFIR_CONTINUE, "reload after: RCPT")
    is(eom(conn), SMFIR_CONTINUE, "reload after: EOM")
    check(contains(xpr(conn), "auth-on-mx"), "reload after: header tags auth-on-mx")
    mt.disconnect(conn)
elseif step == "pinned" then
    -- connect under the old config, let the shell swap the file and HUP
    conn = open(port("25"))
    helo(conn)
    os.execute(hup)
    mt.sleep(1)
    r = mail(conn, "reload-pinned@example.test", auth("reload-pinned@example.test"))
    is(r, SMFIR_CONTINUE, "reload pinned: MAIL continues (DelayReject yes)")
    is(rcpt(conn, "x@example.test"), SMFIR_REPLYCODE,
       "reload pinned: a connection opened before SIGHUP keeps the old config")
    mt.disconnect(conn)
    conn, r = auth_on_mx("reload-new")
    is(r, SMFIR_CONTINUE, "reload pinned: a connection opened after SIGHUP follows the new config")
    mt.disconnect(conn)
else
    mt.echo("FAIL - unknown step " .. tostring(step))
    error("unknown step")
end
finish()
