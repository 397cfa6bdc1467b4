/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dwidth - display width of text; see dwidth.h.
 *
 * DESCRIPTION
 *	One character at a time with mbrtowc(3) and wcwidth(3), so that
 *	the state of a multibyte locale is respected and a cut never falls
 *	inside a character.
 *
 * DIAGNOSTICS
 *	None.
 */
#include "acconfig.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "dwidth.h"

/* next_char - bytes and columns of the character at s (s is not empty) */
static size_t next_char(const char *s, int *cols, wchar_t *wc)
{
    mbstate_t st;
    size_t n;
    int w;

    memset(&st, 0, sizeof(st));
    n = mbrtowc(wc, s, MB_CUR_MAX, &st);
    if (n == (size_t) -1 || n == (size_t) -2 || n == 0) {
        *wc = (unsigned char) *s;
        *cols = 1;
        return 1;
    }
    w = wcwidth(*wc);
    *cols = w < 0 ? 1 : w;
    return n;
}

/* dwidth - the columns of s */
int dwidth(const char *s)
{
    int total = 0, w;
    wchar_t wc;

    while (*s) {
        s += next_char(s, &w, &wc);
        total += w;
    }
    return total;
}

/* dwidth_fit - bytes of the longest prefix that fits in cols */
size_t dwidth_fit(const char *s, int cols, int *used)
{
    size_t off = 0;
    int total = 0, w;
    wchar_t wc;

    while (s[off]) {
        size_t n = next_char(s + off, &w, &wc);

        if (total + w > cols)
            break;
        total += w;
        off += n;
    }
    if (used)
        *used = total;
    return off;
}

/* dwidth_pad - s in exactly cols columns */
void dwidth_pad(FILE *fp, const char *s, int cols, int right)
{
    int used;
    size_t n = dwidth_fit(s, cols, &used);

    if (right)
        fprintf(fp, "%*s%.*s", cols - used, "", (int) n, s);
    else
        fprintf(fp, "%.*s%*s", (int) n, s, cols - used, "");
}

/* no_start - may not begin a line (kinsoku: closing marks) */
static int no_start(wchar_t wc)
{
    return wcschr(L"、。，．）」』】〕・ー：；！？", wc) != NULL && wc != 0;
}

/* no_end - may not end a line (opening marks) */
static int no_end(wchar_t wc)
{
    return wcschr(L"（「『【〔", wc) != NULL && wc != 0;
}

/* katakana - a katakana letter or the long-vowel mark: words are not split */
static int katakana(wchar_t wc)
{
    return wc >= 0x30A1 && wc <= 0x30FC;
}

/*
 * word_len - the bytes and columns of the next unit that is not broken:
 * up to a space, or up to a break between two wide characters (never
 * inside a katakana word such as サブミッション).
 */
static size_t word_len(const char *s, int *cols)
{
    size_t off = 0;
    int total = 0, w;
    wchar_t wc, prev = 0;
    int prev_wide = 0;

    while (s[off] && s[off] != ' ') {
        size_t n = next_char(s + off, &w, &wc);

        if (off > 0 && (w == 2 || prev_wide) && !no_start(wc) && !no_end(prev)
            && !(katakana(prev) && katakana(wc)))
            break;
        total += w;
        off += n;
        prev = wc;
        prev_wide = w == 2;
    }
    *cols = total;
    return off;
}

/* dwidth_wrap - text in lines of at most width columns */
void dwidth_wrap(FILE *fp, int indent, int hang, int width, const char *text)
{
    int col = indent, first = 1;

    fprintf(fp, "%*s", indent, "");
    while (*text) {
        int w, spaced = 0;
        size_t n = word_len(text, &w);

        if (!first && col + (spaced = text[-1] == ' ') + w > width) {
            fprintf(fp, "\n%*s", indent + hang, "");
            col = indent + hang;
        } else if (spaced) {
            fputc(' ', fp);
            col++;
        }
        fprintf(fp, "%.*s", (int) n, text);
        col += w;
        first = 0;
        text += n;
        while (*text == ' ')
            text++;
    }
    fputc('\n', fp);
}
