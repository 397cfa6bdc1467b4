-- SPDX-License-Identifier: BSD-2-Clause
-- common.lua - helpers for the portrole miltertest scripts.
--
-- Loaded with dofile(srcdir .. "/tests/miltertest/common.lua"). The shell
-- passes -D sock=inet:PORT@127.0.0.1 (the daemon) and -D srcdir=...
-- Every check prints "ok - ..." or "FAIL - ..."; finish() raises an error
-- (miltertest exits non-zero) when any check failed.

local unpack = table.unpack or unpack
failures = 0

function check(cond, what)
    if cond then
        mt.echo("ok - " .. what)
    else
        mt.echo("FAIL - " .. what)
        failures = failures + 1
    end
    return cond
end

function finish()
    if failures > 0 then
        mt.echo("FAIL - " .. failures .. " check(s) failed")
        error(failures .. " check(s) failed")
    end
end

-- must - a protocol step that has to succeed for the rest to make sense
function must(err, what)
    if err ~= nil then
        -- miltertest does not print the message of a Lua error: echo it
        mt.echo("FAIL - " .. what .. ": " .. tostring(err))
        error(what .. ": " .. tostring(err))
    end
end

-- open - connect, send the CONNECT macros first, then conninfo with an IP
-- (never a DNS lookup); returns conn and the connect reply
function open(macros, ip, name)
    local conn = mt.connect(sock, 40, 0.25)
    if conn == nil then
        mt.echo("FAIL - cannot connect to " .. sock)
        error("cannot connect to " .. sock)
    end
    if macros ~= nil and #macros > 0 then
        must(mt.macro(conn, SMFIC_CONNECT, unpack(macros)), "connect macros")
    end
    must(mt.conninfo(conn, name or "client.example.net", ip or "192.0.2.9"), "conninfo")
    return conn, mt.getreply(conn)
end

-- port - the CONNECT macros of a listener on 127.0.0.1:PORT; over is a
-- table of macro = value that replaces (false: leaves out) the defaults
function port(p, over)
    local names = {"j", "{daemon_addr}", "{daemon_port}", "{client_name}", "{client_addr}"}
    local vals = {["j"] = "mx.example.test", ["{daemon_addr}"] = "127.0.0.1",
                  ["{daemon_port}"] = p, ["{client_name}"] = "client.example.net",
                  ["{client_addr}"] = "192.0.2.9"}
    for k, v in pairs(over or {}) do
        if vals[k] == nil then
            names[#names + 1] = k
        end
        vals[k] = v
    end
    local m = {}
    for _, k in ipairs(names) do
        if vals[k] then
            m[#m + 1] = k
            m[#m + 1] = vals[k]
        end
    end
    return m
end

-- TLS state per connection, for MAIL when the milter negotiated HELO away
local tls_of = {}

-- helo - HELO, with {tls_version} when tls is given. With SPF off the
-- milter negotiates HELO away (SMFIP_NOHELO): no HELO is sent then, and,
-- as Postfix does, {tls_version} still reaches the milter at MAIL.
function helo(conn, tls, name)
    tls_of[conn] = tls
    if mt.test_option(conn, SMFIP_NOHELO) then
        return SMFIR_CONTINUE
    end
    if tls ~= nil then
        must(mt.macro(conn, SMFIC_HELO, "{tls_version}", tls,
                      "{cipher}", "TLS_AES_256_GCM_SHA384", "{cipher_bits}", "256"), "helo macros")
    end
    must(mt.helo(conn, name or "client.example.net"), "helo")
    return mt.getreply(conn)
end

-- mail - MAIL FROM with the given MAIL-stage macros; returns the reply
function mail(conn, from, macros)
    if tls_of[conn] ~= nil and mt.test_option(conn, SMFIP_NOHELO) then
        local m = {}
        for _, v in ipairs(macros or {}) do
            m[#m + 1] = v
        end
        m[#m + 1] = "{tls_version}"     -- after the caller's: theirs win
        m[#m + 1] = tls_of[conn]
        macros = m
    end
    if macros ~= nil and #macros > 0 then
        must(mt.macro(conn, SMFIC_MAIL, unpack(macros)), "mail macros")
    end
    must(mt.mailfrom(conn, "<" .. from .. ">"), "mailfrom")
    return mt.getreply(conn)
end

-- nodelay - the daemon runs with "DelayReject no" (the shell passed -D delay=no)
nodelay = (delay == "no")

-- mail_refused - a MAIL-stage refusal where SPEC gives it: at MAIL with
-- DelayReject no; else MAIL continues and the first RCPT and every later
-- one get the reply (rcpts: the recipients to try, {} for none)
function mail_refused(conn, from, macros, what, rcpts)
    local r = mail(conn, from, macros)
    if nodelay then
        return is(r, SMFIR_REPLYCODE, what .. ": MAIL rejected (DelayReject no)")
    end
    local good = is(r, SMFIR_CONTINUE, what .. ": MAIL continues, the refusal waits for RCPT")
    for i, to in ipairs(rcpts or {"postmaster@example.test"}) do
        good = is(rcpt(conn, to), SMFIR_REPLYCODE,
                  what .. ": RCPT " .. i .. " <" .. to .. "> gets the MAIL-stage refusal") and good
    end
    return good
end

-- auth - the MAIL macros of an authenticated client
function auth(login, extra)
    local m = {"{auth_type}", "PLAIN", "{auth_authen}", login, "{mail_addr}", login}
    for _, v in ipairs(extra or {}) do
        m[#m + 1] = v
    end
    return m
end

-- rcpt - RCPT TO; returns the reply
function rcpt(conn, to, macros)
    if macros ~= nil and #macros > 0 then
        must(mt.macro(conn, SMFIC_RCPT, unpack(macros)), "rcpt macros")
    end
    must(mt.rcptto(conn, "<" .. to .. ">"), "rcptto")
    return mt.getreply(conn)
end

-- eom - optional headers, then end of message; returns the EOM reply.
-- The milter negotiates EOH and body away when DKIM is off: skip them then.
function eom(conn, headers)
    for _, h in ipairs(headers or {}) do
        must(mt.header(conn, h[1], h[2]), "header " .. h[1])
    end
    if not mt.test_option(conn, SMFIP_NOEOH) then
        must(mt.eoh(conn), "eoh")
    end
    if not mt.test_option(conn, SMFIP_NOBODY) then
        must(mt.bodystring(conn, "test body\r\n"), "body")
    end
    must(mt.eom(conn), "eom")
    return mt.getreply(conn)
end

-- unfold - a header value on one line, white space runs collapsed
function unfold(v)
    if v == nil then
        return ""
    end
    return (v:gsub("\r?\n[ \t]+", " "):gsub("[ \t]+", " "))
end

-- contains - plain substring test
function contains(s, sub)
    return s ~= nil and string.find(s, sub, 1, true) ~= nil
end

-- clean_header - no control bytes but the "\n\t" of folding; lines <= 998
function clean_header(v)
    if v == nil then
        return false, "no header"
    end
    for line in (v .. "\n"):gmatch("(.-)\n") do
        if #line > 998 then
            return false, "line of " .. #line .. " bytes"
        end
        if line:find("[%z\1-\8\10-\31\127]") then
            return false, "control byte in line: " .. line
        end
    end
    if v:find("\n[^ \t]") then
        return false, "a line break not followed by white space (header injection)"
    end
    return true, ""
end

-- xpr - the X-Port-Role header added at EOM, unfolded
function xpr(conn)
    return unfold(mt.getheader(conn, "X-Port-Role", 0))
end

-- reply code names for messages
function rname(r)
    local names = {[SMFIR_CONTINUE] = "continue", [SMFIR_ACCEPT] = "accept",
        [SMFIR_REJECT] = "reject", [SMFIR_TEMPFAIL] = "tempfail",
        [SMFIR_REPLYCODE] = "replycode", [SMFIR_DISCARD] = "discard"}
    return names[r] or tostring(r)
end

-- is - check a reply against the expected SMFIR_ constant
function is(r, want, what)
    return check(r == want, what .. " (got " .. rname(r) .. ", want " .. rname(want) .. ")")
end
