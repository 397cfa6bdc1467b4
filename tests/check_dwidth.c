/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_dwidth - display widths, padding and wrapping of Japanese text.
 *
 * DESCRIPTION
 *	In C.UTF-8 (glibc's built-in UTF-8 locale, present on every Debian
 *	system) a kana or kanji is two columns; in the C locale every byte
 *	is one, as printf counts. Padding is checked by the column where the
 *	next field starts, which is what a terminal shows; wrapping by the
 *	widest line and by where the lines break.
 */
#include "acconfig.h"

#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwidth.h"

/* utf8 - switch LC_CTYPE to UTF-8; the tests need it */
static void utf8(void)
{
    ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
}

/* padded - dwidth_pad of s, then a "|" to show where the next field starts */
static char *padded(const char *s, int cols, int right)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);

    ck_assert_ptr_nonnull(fp);
    dwidth_pad(fp, s, cols, right);
    fputc('|', fp);
    fclose(fp);
    return buf;
}

static const struct {
    const char *text;
    int         cols;           /* in C.UTF-8 */
} widths[] = {
    {"", 0}, {"EVENTS", 6}, {"件数", 4}, {"サブミッションポート", 20},
    {"外向き25", 8}, {"対処: 認証", 10}, {"\xff", 1},     /* invalid byte: one column */
};

START_TEST(test_width)
{
    utf8();
    ck_assert_int_eq(dwidth(widths[_i].text), widths[_i].cols);
}
END_TEST

START_TEST(test_c_locale_counts_bytes)
{
    ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C"));
    ck_assert_int_eq(dwidth("件数"), 6);
    utf8();
}
END_TEST

START_TEST(test_pad_left_and_right)
{
    char *a, *b;

    utf8();
    a = padded("件数", 6, 1);
    ck_assert_str_eq(a, "  件数|");
    b = padded("アドレス", 12, 0);
    ck_assert_str_eq(b, "アドレス    |");
    ck_assert_int_eq(dwidth(b), 13);
    free(a);
    free(b);
}
END_TEST

START_TEST(test_pad_cuts_at_a_character)
{
    char *a;

    utf8();
    /* 9 columns: four characters (8) and one space, never half of the fifth */
    a = padded("タイムアウト", 9, 0);
    ck_assert_str_eq(a, "タイムア |");
    free(a);
}
END_TEST

START_TEST(test_columns_line_up)
{
    /* The same row with an English and a Japanese heading: the next
     * field starts at the same terminal column. */
    char *en, *ja;

    utf8();
    en = padded("ADDRESS", 39, 0);
    ja = padded("アドレス", 39, 0);
    ck_assert_int_eq(dwidth(en), dwidth(ja));
    ck_assert_int_eq(dwidth(ja), 40);
    ck_assert_uint_ne(strlen(en), strlen(ja));
    free(en);
    free(ja);
}
END_TEST

/* wrapped - dwidth_wrap's output */
static char *wrapped(int width, const char *text)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);

    ck_assert_ptr_nonnull(fp);
    dwidth_wrap(fp, 2, 2, width, text);
    fclose(fp);
    return buf;
}

START_TEST(test_wrap_japanese_within_width)
{
    const char *text = "対処: クライアントが 25 番ポートで SMTP 認証しています: 送信サーバーの"
        "設定を、サブミッションポート 587 番 (STARTTLS) か 465 番に変えてください";
    char *out, *line, *save;
    int lines = 0;

    utf8();
    out = wrapped(40, text);
    for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        ck_assert_int_le(dwidth(line), 40);
        /* no line starts with a closing mark, none splits the katakana word */
        ck_assert(strncmp(line + strspn(line, " "), "、", 3) != 0);
        ck_assert(strncmp(line + strspn(line, " "), "ポート 587", 10) != 0);
        if (lines++ > 0)
            ck_assert(strncmp(line, "    ", 4) == 0);    /* indent + hang */
    }
    ck_assert_int_ge(lines, 3);
    free(out);
}
END_TEST

START_TEST(test_wrap_keeps_katakana_words)
{
    char *out;

    utf8();
    /* room for a few characters of the word on the first line: it moves whole */
    out = wrapped(16, "設定をサブミッションポートに");
    ck_assert_str_eq(out, "  設定を\n    サブミッションポート\n    に\n");
    free(out);
}
END_TEST

START_TEST(test_wrap_english_unchanged)
{
    char *out;

    ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C"));
    out = wrapped(20, "fix: set it to STARTTLS on port 587");
    ck_assert_str_eq(out, "  fix: set it to\n    STARTTLS on port\n    587\n");
    free(out);
    utf8();
}
END_TEST

static Suite *dwidth_suite(void)
{
    Suite *s = suite_create("dwidth");
    TCase *tc = tcase_create("dwidth");

    tcase_add_loop_test(tc, test_width, 0, (int) (sizeof(widths) / sizeof(widths[0])));
    tcase_add_test(tc, test_c_locale_counts_bytes);
    tcase_add_test(tc, test_pad_left_and_right);
    tcase_add_test(tc, test_pad_cuts_at_a_character);
    tcase_add_test(tc, test_columns_line_up);
    tcase_add_test(tc, test_wrap_japanese_within_width);
    tcase_add_test(tc, test_wrap_keeps_katakana_words);
    tcase_add_test(tc, test_wrap_english_unchanged);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(dwidth_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
