/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_strbuf - the growable string buffer.
 *
 * DESCRIPTION
 *	Growth is checked across many reallocations against a reference
 *	built by hand; reset, truncate and detach against their contracts
 *	in strbuf.h; the free functions against NULL.
 */
#include "acconfig.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

START_TEST(test_empty_is_empty_string)
{
    strbuf sb = STRBUF_INIT;
    strbuf *p = strbuf_new(0);

    ck_assert_str_eq(strbuf_str(&sb), "");
    ck_assert_uint_eq(sb.len, 0);
    ck_assert_ptr_nonnull(p->data);
    ck_assert_str_eq(strbuf_str(p), "");
    strbuf_free(p);
}
END_TEST

/* Append sizes that straddle the initial capacity and every doubling. */
static const size_t chunk_sizes[] = {1, 7, 63, 64, 65, 127, 128, 129, 1000, 4096, 70000};

START_TEST(test_append_growth)
{
    size_t chunk = chunk_sizes[_i], total = 0;
    strbuf sb = STRBUF_INIT;
    char *ref = malloc(chunk * 20 + 1), *part = malloc(chunk);

    ck_assert_ptr_nonnull(ref);
    ck_assert_ptr_nonnull(part);
    for (int round = 0; round < 20; round++) {
        memset(part, 'a' + round, chunk);
        strbuf_append(&sb, part, chunk);
        memcpy(ref + total, part, chunk);
        total += chunk;
        ck_assert_uint_eq(sb.len, total);
        ck_assert_uint_gt(sb.cap, sb.len);      /* room for the terminator */
        ck_assert_int_eq(sb.data[sb.len], 0);
    }
    ck_assert_mem_eq(sb.data, ref, total);
    free(ref);
    free(part);
    strbuf_release(&sb);
    ck_assert_ptr_null(sb.data);
}
END_TEST

START_TEST(test_append_embedded_nul)
{
    strbuf sb = STRBUF_INIT;

    strbuf_append(&sb, "a\0b", 3);
    ck_assert_uint_eq(sb.len, 3);
    ck_assert_mem_eq(sb.data, "a\0b", 4);
    strbuf_append(&sb, NULL, 0);                /* zero bytes: no change */
    ck_assert_uint_eq(sb.len, 3);
    strbuf_release(&sb);
}
END_TEST

START_TEST(test_puts_putc)
{
    strbuf sb = STRBUF_INIT;

    strbuf_puts(&sb, "port");
    strbuf_putc(&sb, '=');
    strbuf_puts(&sb, "");
    strbuf_putc(&sb, '2');
    strbuf_putc(&sb, '5');
    ck_assert_str_eq(strbuf_str(&sb), "port=25");
    ck_assert_uint_eq(sb.len, 7);
    strbuf_release(&sb);
}
END_TEST

static const struct printf_case {
    int width;                  /* %*d width: drives the output past each capacity */
} printf_cases[] = {{1}, {62}, {63}, {64}, {200}, {5000}};

START_TEST(test_printf_growth)
{
    int width = printf_cases[_i].width;
    strbuf sb = STRBUF_INIT;
    char *want = malloc((size_t) width + 16);

    strbuf_puts(&sb, "x");
    strbuf_printf(&sb, "%*d|%s", width, 7, "end");
    snprintf(want, (size_t) width + 16, "x%*d|%s", width, 7, "end");
    ck_assert_str_eq(strbuf_str(&sb), want);
    ck_assert_uint_eq(sb.len, strlen(want));
    strbuf_printf(&sb, "%%");
    ck_assert_int_eq(sb.data[sb.len - 1], '%');
    free(want);
    strbuf_release(&sb);
}
END_TEST

START_TEST(test_reset_keeps_allocation)
{
    strbuf sb = STRBUF_INIT;
    char *before;
    size_t cap;

    strbuf_puts(&sb, "some text that is long enough to allocate");
    before = sb.data;
    cap = sb.cap;
    strbuf_reset(&sb);
    ck_assert_uint_eq(sb.len, 0);
    ck_assert_str_eq(strbuf_str(&sb), "");
    ck_assert_ptr_eq(sb.data, before);
    ck_assert_uint_eq(sb.cap, cap);
    strbuf_puts(&sb, "again");
    ck_assert_str_eq(strbuf_str(&sb), "again");
    strbuf_release(&sb);
}
END_TEST

START_TEST(test_truncate)
{
    strbuf sb = STRBUF_INIT;

    strbuf_truncate(&sb, 3);                    /* empty, unallocated: no crash */
    ck_assert_uint_eq(sb.len, 0);
    strbuf_puts(&sb, "abcdef");
    strbuf_truncate(&sb, 10);                   /* longer: no change */
    ck_assert_str_eq(strbuf_str(&sb), "abcdef");
    strbuf_truncate(&sb, 2);
    ck_assert_str_eq(strbuf_str(&sb), "ab");
    ck_assert_uint_eq(sb.len, 2);
    strbuf_release(&sb);
}
END_TEST

START_TEST(test_detach)
{
    strbuf sb = STRBUF_INIT;
    char *s;

    strbuf_puts(&sb, "kept");
    s = strbuf_detach(&sb);
    ck_assert_str_eq(s, "kept");
    ck_assert_ptr_null(sb.data);
    ck_assert_uint_eq(sb.len, 0);
    ck_assert_str_eq(strbuf_str(&sb), "");
    strbuf_puts(&sb, "new");                    /* usable after detach */
    ck_assert_str_eq(strbuf_str(&sb), "new");
    ck_assert_str_eq(s, "kept");
    free(s);
    strbuf_release(&sb);
    s = strbuf_detach(&sb);                     /* never NULL, even when empty */
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

START_TEST(test_free_null)
{
    strbuf *p = strbuf_new(100);

    strbuf_free(NULL);
    strbuf_release(NULL);
    ck_assert_uint_ge(p->cap, 101);
    strbuf_puts(p, "x");
    ck_assert_str_eq(strbuf_str(p), "x");
    strbuf_free(p);
}
END_TEST

static Suite *strbuf_suite(void)
{
    Suite *s = suite_create("strbuf");
    TCase *tc = tcase_create("strbuf");

    tcase_add_test(tc, test_empty_is_empty_string);
    tcase_add_loop_test(tc, test_append_growth, 0,
                        (int) (sizeof(chunk_sizes) / sizeof(chunk_sizes[0])));
    tcase_add_test(tc, test_append_embedded_nul);
    tcase_add_test(tc, test_puts_putc);
    tcase_add_loop_test(tc, test_printf_growth, 0,
                        (int) (sizeof(printf_cases) / sizeof(printf_cases[0])));
    tcase_add_test(tc, test_reset_keeps_allocation);
    tcase_add_test(tc, test_truncate);
    tcase_add_test(tc, test_detach);
    tcase_add_test(tc, test_free_null);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(strbuf_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
