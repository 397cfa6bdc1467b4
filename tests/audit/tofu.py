#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# tests/audit/tofu.py - does a browser draw every character of a page, or
# boxes ("tofu") where a font lacks the glyph? Used by audit-html-ja.test.
#
#   tofu.py grid HTML-IN GRID-OUT       a page with each distinct non-ASCII
#                                       character of HTML-IN in a cell of its own
#   tofu.py control GRID-OUT            the same page with private-use characters,
#                                       which no font draws
#   tofu.py check GRID-HTML PNG         exit 0 when every cell is drawn and no two
#                                       different characters look the same; else 1
#
# A missing glyph is drawn as the same box (or nothing) whatever the
# character, so two different characters with identical pixels are tofu.
# The PNG is decoded here (8-bit RGB or RGBA, as Chromium writes it), so no
# imaging library is needed.
import re, struct, sys, zlib, html

CELL, SIZE, PER_ROW = 48, 32, 20


def page(chars):
    cells = []
    for i, c in enumerate(chars):
        x, y = (i % PER_ROW) * CELL, (i // PER_ROW) * CELL
        cells.append('<div style="position:absolute;left:%dpx;top:%dpx;width:%dpx;height:%dpx;'
                     'overflow:hidden;line-height:%dpx">%s</div>'
                     % (x, y, CELL, CELL, CELL, html.escape(c)))
    # The report's own font stack, so the same fallback is tried.
    return ('<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><style>'
            'body{margin:0;background:#fff;color:#000;font-family:sans-serif;font-size:%dpx}'
            '</style></head><body><!-- chars:%s -->%s</body></html>\n'
            % (SIZE, ''.join('%04x,' % ord(c) for c in chars), ''.join(cells)))


def png_rows(path):
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat = 8, b''
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    bpp = 3 if ctype == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, bpp, rows


def check(grid, png):
    chars = [chr(int(h, 16)) for h in re.search(r'<!-- chars:([0-9a-f,]*) -->', open(grid, encoding='utf-8').read()).group(1).split(',') if h]
    w, bpp, rows = png_rows(png)
    seen, bad = {}, []
    for i, c in enumerate(chars):
        x, y = (i % PER_ROW) * CELL, (i // PER_ROW) * CELL
        cell = b''.join(rows[y + j][x * bpp:(x + CELL) * bpp] for j in range(CELL))
        if len(set(cell)) <= 1:
            bad.append('%s (U+%04X) is blank' % (c, ord(c)))
        elif cell in seen:
            bad.append('%s (U+%04X) looks like %s' % (c, ord(c), seen[cell]))
        else:
            seen[cell] = c
    print('%d characters, %d drawn apart' % (len(chars), len(seen)))
    for b in bad[:10]:
        print('tofu:', b)
    return 1 if bad or not chars else 0


if __name__ == '__main__':
    if sys.argv[1] == 'grid':
        text = re.sub(r'<[^>]*>', '', open(sys.argv[2], encoding='utf-8').read())
        chars = sorted({c for c in html.unescape(text) if ord(c) > 0x7f and not c.isspace()})
        open(sys.argv[3], 'w', encoding='utf-8').write(page(chars))
    elif sys.argv[1] == 'control':
        open(sys.argv[2], 'w', encoding='utf-8').write(page([chr(0xE000 + i) for i in range(24)]))
    else:
        sys.exit(check(sys.argv[2], sys.argv[3]))
