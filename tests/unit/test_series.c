/* Tests of interval time series: row arithmetic, SUM and MAX, out-of-range times, growing
 * columns and the short last row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim/alloc.h"
#include "sim/series.h"

static void rows_are_the_ceiling_of_stop_over_interval(void **state)
{
	(void)state;
	const struct {
		sim_time interval, stop;
		size_t rows;
	} cases[] = {
	        {SIM_S, 10 * SIM_S, 10},
	        {SIM_S, 10 * SIM_S + 1, 11},
	        {SIM_S, 10 * SIM_S - 1, 10},
	        {60 * SIM_S, 90 * SIM_S, 2},
	        {SIM_S, 1, 1},
	        {SIM_S, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sim_series *s =
		        sim_series_create(SIM_SERIES_SUM, cases[i].interval, cases[i].stop, 2);
		assert_int_equal(sim_series_rows(s), cases[i].rows);
		assert_int_equal(sim_series_columns(s), 2);
		sim_series_destroy(s);
	}
}

static void row_end_is_the_interval_end_or_the_stop_for_a_short_last_row(void **state)
{
	(void)state;
	/* 60 s intervals up to 150 s: [0, 60), [60, 120), [120, 150). */
	sim_series *s = sim_series_create(SIM_SERIES_SUM, 60 * SIM_S, 150 * SIM_S, 1);
	assert_int_equal(sim_series_rows(s), 3);
	assert_int_equal(sim_series_row_end(s, 0), 60 * SIM_S);
	assert_int_equal(sim_series_row_end(s, 1), 120 * SIM_S);
	assert_int_equal(sim_series_row_end(s, 2), 150 * SIM_S);
	sim_series_destroy(s);
	/* An exact multiple has no short row. */
	s = sim_series_create(SIM_SERIES_SUM, 60 * SIM_S, 120 * SIM_S, 1);
	assert_int_equal(sim_series_row_end(s, 1), 120 * SIM_S);
	sim_series_destroy(s);
	/* A huge interval does not overflow: one row, ending at the stop. */
	s = sim_series_create(SIM_SERIES_SUM, SIM_TIME_MAX, SIM_S, 1);
	assert_int_equal(sim_series_rows(s), 1);
	assert_int_equal(sim_series_row_end(s, 0), SIM_S);
	sim_series_destroy(s);
}

static void sum_series_adds_into_half_open_intervals(void **state)
{
	(void)state;
	sim_series *s = sim_series_create(SIM_SERIES_SUM, SIM_S, 3 * SIM_S + SIM_S / 2, 2);
	sim_series_add(s, 0, 0, 1);
	sim_series_add(s, SIM_S - 1, 0, 2);  /* still row 0 */
	sim_series_add(s, SIM_S, 0, 4);      /* row 1 starts at exactly 1 s */
	sim_series_add(s, SIM_S, 1, 8);      /* other column */
	sim_series_add(s, 3 * SIM_S, 1, 16); /* the short last row */
	sim_series_add(s, 3 * SIM_S + SIM_S / 2 - 1, 1, 32);
	const double want[4][2] = {{3, 0}, {4, 8}, {0, 0}, {0, 48}};
	const double *d = sim_series_data(s);
	for (size_t r = 0; r < 4; r++)
		for (size_t c = 0; c < 2; c++)
			assert_true(d[r * 2 + c] == want[r][c]);
	sim_series_destroy(s);
}

static void times_outside_zero_to_stop_are_ignored(void **state)
{
	(void)state;
	sim_series *s = sim_series_create(SIM_SERIES_SUM, SIM_S, 2 * SIM_S, 1);
	sim_series_add(s, -1, 0, 1);
	sim_series_add(s, 2 * SIM_S, 0, 1); /* the stop itself is outside */
	sim_series_add(s, 5 * SIM_S, 0, 1);
	sim_series_add(s, SIM_TIME_MAX, 0, 1);
	assert_null(sim_series_data(s)); /* nothing added: all zeros, no matrix */
	sim_series_add(s, 0, 0, 1);
	const double *d = sim_series_data(s);
	assert_true(d[0] == 1 && d[1] == 0);
	sim_series_destroy(s);
}

/* A model built only to list its metrics (kinesim check) must not pay for its run's series: a
 * year at 1 ms is 3.2e10 rows, 252 GB per column. The matrix comes with the first value. */
static void a_series_holds_no_matrix_until_a_value_is_added(void **state)
{
	(void)state;
	sim_series *s = sim_series_create(SIM_SERIES_SUM, SIM_MS, 366 * 24 * 3600 * SIM_S, 1);
	assert_int_equal(sim_series_rows(s), 366ull * 24 * 3600 * 1000);
	assert_null(sim_series_data(s));
	assert_int_equal(sim_series_add_column(s), 1);
	assert_null(sim_series_data(s));
	sim_series_destroy(s);
}

static void max_series_keeps_the_largest_value_from_zero(void **state)
{
	(void)state;
	sim_series *s = sim_series_create(SIM_SERIES_MAX, SIM_S, 3 * SIM_S, 1);
	sim_series_add(s, 0, 0, 5);
	sim_series_add(s, 1, 0, 3);
	sim_series_add(s, 2, 0, 7);
	sim_series_add(s, 3, 0, 6);
	sim_series_add(s, SIM_S, 0, -2); /* below the starting 0 */
	const double *d = sim_series_data(s);
	assert_true(d[0] == 7);
	assert_true(d[1] == 0);
	assert_true(d[2] == 0); /* untouched rows read 0 */
	sim_series_destroy(s);
}

static void add_column_keeps_existing_data_in_the_wider_layout(void **state)
{
	(void)state;
	sim_series *s = sim_series_create(SIM_SERIES_SUM, SIM_S, 3 * SIM_S, 2);
	/* Cell (r, c) holds 10 r + c + 1. */
	for (size_t r = 0; r < 3; r++)
		for (size_t c = 0; c < 2; c++)
			sim_series_add(s, (sim_time)r * SIM_S, c, (double)(10 * r + c + 1));
	assert_int_equal(sim_series_add_column(s), 2);
	assert_int_equal(sim_series_columns(s), 3);
	sim_series_add(s, 2 * SIM_S, 2, 99);
	const double *d = sim_series_data(s);
	for (size_t r = 0; r < 3; r++) {
		for (size_t c = 0; c < 2; c++)
			assert_true(d[r * 3 + c] == (double)(10 * r + c + 1));
		assert_true(d[r * 3 + 2] == (r == 2 ? 99 : 0));
	}
	sim_series_destroy(s);
}

static void columns_can_start_from_zero(void **state)
{
	(void)state;
	long live = sim_alloc_live();
	sim_series *s = sim_series_create(SIM_SERIES_MAX, SIM_S, 2 * SIM_S, 0);
	assert_int_equal(sim_series_columns(s), 0);
	assert_int_equal(sim_series_add_column(s), 0);
	assert_int_equal(sim_series_add_column(s), 1);
	sim_series_add(s, SIM_S, 1, 4);
	const double *d = sim_series_data(s);
	assert_true(d[0] == 0 && d[1] == 0 && d[2] == 0 && d[3] == 4);
	sim_series_destroy(s);
	sim_series_destroy(NULL);
	assert_int_equal(sim_alloc_live(), live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(rows_are_the_ceiling_of_stop_over_interval),
	        cmocka_unit_test(row_end_is_the_interval_end_or_the_stop_for_a_short_last_row),
	        cmocka_unit_test(sum_series_adds_into_half_open_intervals),
	        cmocka_unit_test(times_outside_zero_to_stop_are_ignored),
	        cmocka_unit_test(a_series_holds_no_matrix_until_a_value_is_added),
	        cmocka_unit_test(max_series_keeps_the_largest_value_from_zero),
	        cmocka_unit_test(add_column_keeps_existing_data_in_the_wider_layout),
	        cmocka_unit_test(columns_can_start_from_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
