/* Tests of the numbers the summary prints for people (cli/format.h). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/format.h"

static void counts_get_thousands_separators(void **state)
{
	(void)state;
	char b[64];
	cli_fmt_count(b, sizeof b, 645123);
	assert_string_equal(b, "645,123");
	cli_fmt_count(b, sizeof b, 1234567890);
	assert_string_equal(b, "1,234,567,890");
	cli_fmt_count(b, sizeof b, 999);
	assert_string_equal(b, "999");
	cli_fmt_count(b, sizeof b, -12345);
	assert_string_equal(b, "-12,345");
	cli_fmt_number(b, sizeof b, 12345.678, 1);
	assert_string_equal(b, "12,345.7");
}

static void money_keeps_small_amounts_visible(void **state)
{
	(void)state;
	char b[64];
	cli_fmt_money(b, sizeof b, 0);
	assert_string_equal(b, "$0");
	cli_fmt_money(b, sizeof b, 17.0841);
	assert_string_equal(b, "$17.08");
	cli_fmt_money(b, sizeof b, 1234.5);
	assert_string_equal(b, "$1,234.50");
	cli_fmt_money(b, sizeof b, 0.0035);
	assert_string_equal(b, "$0.0035");
	cli_fmt_money(b, sizeof b, 0.0000123); /* was "$0.0000" */
	assert_string_equal(b, "$0.000012");
	cli_fmt_money(b, sizeof b, 0.25);
	assert_string_equal(b, "$0.25");
}

static void values_take_their_unit_and_nan_is_na(void **state)
{
	(void)state;
	char b[64];
	cli_fmt_value(b, sizeof b, NAN, "s");
	assert_string_equal(b, "n/a");
	cli_fmt_value(b, sizeof b, 0.7906, "s");
	assert_string_equal(b, "790.6 ms");
	cli_fmt_value(b, sizeof b, 3.834, "s");
	assert_string_equal(b, "3.83 s");
	cli_fmt_value(b, sizeof b, 600, "s");
	assert_string_equal(b, "10.0 min");
	cli_fmt_value(b, sizeof b, 27046000, "B");
	assert_string_equal(b, "27.0 MB");
	cli_fmt_value(b, sizeof b, 27046, "count");
	assert_string_equal(b, "27,046");
	cli_fmt_value(b, sizeof b, 34.6667, "1/min");
	assert_string_equal(b, "34.7");
}

static void names_sort_naturally(void **state)
{
	(void)state;
	assert_true(cli_natural_cmp("sub-2", "sub-10") < 0);
	assert_true(cli_natural_cmp("sub-10", "sub-11") < 0);
	assert_true(cli_natural_cmp("sub-1", "sub-1") == 0);
	assert_true(cli_natural_cmp("sub-1", "sub-1.x") < 0);
	assert_true(cli_natural_cmp("feed-9.latency", "feed-10.errors") < 0);
	assert_true(cli_natural_cmp("a", "b") < 0);
	assert_true(cli_natural_cmp("b02", "b1") > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(counts_get_thousands_separators),
	        cmocka_unit_test(money_keeps_small_amounts_visible),
	        cmocka_unit_test(values_take_their_unit_and_nan_is_na),
	        cmocka_unit_test(names_sort_naturally),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
