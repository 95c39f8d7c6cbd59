/* Tests of the latency histogram: quantiles against exact order statistics, exactness below 128,
 * the fixed bucket layout, merging and rebuilding from counts. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sim/alloc.h"
#include "sim/hist.h"
#include "sim/rng.h"

#define NS 100000

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Log-uniform values from 1 us to 100 s, in ns. */
static int64_t *samples(uint64_t seed, size_t n)
{
	gsl_rng *r = sim_rng_create(seed);
	int64_t *v = sim_malloc(n * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = (int64_t)exp(log(1e3) + sim_rng_uniform(r) * (log(1e11) - log(1e3)));
	gsl_rng_free(r);
	return v;
}

/* Nearest rank: the ceil(q n)-th smallest value (at least the first). */
static int64_t exact_quantile(const int64_t *sorted, size_t n, double q)
{
	size_t rank = (size_t)ceil(q * (double)n);
	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

static void quantiles_are_within_one_percent_of_exact(void **state)
{
	(void)state;
	int64_t *v = samples(1, NS);
	sim_hist *h = sim_hist_create();
	for (size_t i = 0; i < NS; i++)
		sim_hist_add(h, v[i]);
	qsort(v, NS, sizeof *v, cmp_i64);
	const double qs[] = {0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1};
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		double want = (double)exact_quantile(v, NS, qs[i]);
		double got = (double)sim_hist_quantile(h, qs[i]);
		if (fabs(got - want) > 0.01 * want)
			fail_msg("q %g: got %.0f, want %.0f", qs[i], got, want);
		/* The layout promises better than 1%: half a bucket, 1/256. */
		assert_true(fabs(got - want) <= want / 256 + 1);
	}
	/* q = 0 and q = 1 are clamped to the exact extremes. */
	assert_int_equal(sim_hist_quantile(h, 0), v[0]);
	assert_int_equal(sim_hist_quantile(h, 1), v[NS - 1]);
	sim_free(v);
	sim_hist_destroy(h);
}

static void count_mean_min_max_are_exact(void **state)
{
	(void)state;
	int64_t *v = samples(2, NS);
	sim_hist *h = sim_hist_create();
	long double sum = 0;
	int64_t mn = INT64_MAX, mx = 0;
	for (size_t i = 0; i < NS; i++) {
		sim_hist_add(h, v[i]);
		sum += v[i];
		mn = v[i] < mn ? v[i] : mn;
		mx = v[i] > mx ? v[i] : mx;
	}
	assert_int_equal(sim_hist_count(h), NS);
	assert_int_equal(sim_hist_min(h), mn);
	assert_int_equal(sim_hist_max(h), mx);
	assert_true(sim_hist_mean(h) == (double)(sum / NS));
	sim_free(v);
	sim_hist_destroy(h);
}

static void sum_does_not_overflow_with_huge_values(void **state)
{
	(void)state;
	sim_hist *h = sim_hist_create();
	sim_hist_add_n(h, INT64_MAX, 1000);
	sim_hist_add(h, INT64_MAX);
	assert_int_equal(sim_hist_count(h), 1001);
	assert_true(sim_hist_mean(h) == (double)INT64_MAX);
	assert_int_equal(sim_hist_max(h), INT64_MAX);
	assert_int_equal(sim_hist_quantile(h, 0.5), INT64_MAX);
	sim_hist_destroy(h);
}

static void values_under_128_are_exact(void **state)
{
	(void)state;
	sim_hist *h = sim_hist_create();
	/* Value k added k + 1 times: the cumulative count through k is (k + 1)(k + 2) / 2. */
	for (int64_t k = 0; k < 128; k++)
		sim_hist_add_n(h, k, (uint64_t)k + 1);
	uint64_t n = 128 * 129 / 2;
	assert_int_equal(sim_hist_count(h), n);
	for (int64_t k = 0; k < 128; k++) {
		assert_int_equal(sim_hist_bucket_lower((size_t)k), k);
		assert_int_equal(sim_hist_bucket_count(h, (size_t)k), k + 1);
		/* The rank just past the values below k lands on k. */
		uint64_t first_rank = (uint64_t)(k * (k + 1) / 2 + 1);
		double q = (double)first_rank / (double)n;
		assert_int_equal(sim_hist_quantile(h, q), k);
	}
	sim_hist_destroy(h);
}

static void quantile_reports_bucket_midpoint_clamped_to_min_max(void **state)
{
	(void)state;
	/* 1000 = 0b1111101000 has its top bit at 2^9: buckets there are 2^(9-7) = 4 wide, so
	 * 1000..1003 share the bucket [1000, 1004), whose integer midpoint is 1001. */
	sim_hist *h = sim_hist_create();
	for (int64_t v = 1000; v < 1004; v++)
		sim_hist_add(h, v);
	sim_hist_add(h, 2000);
	assert_int_equal(sim_hist_quantile(h, 0.4), 1001);  /* rank 2: exact value 1001 */
	assert_int_equal(sim_hist_quantile(h, 0.6), 1001);  /* rank 3: exact 1002, reported 1001 */
	assert_int_equal(sim_hist_quantile(h, 0.8), 1001);  /* rank 4 */
	assert_int_equal(sim_hist_quantile(h, 0.81), 2000); /* rank 5: the max */
	/* All values 1003: the midpoint 1001 is below the min and is clamped up to it. */
	sim_hist_reset(h);
	sim_hist_add_n(h, 1003, 3);
	assert_int_equal(sim_hist_quantile(h, 0.5), 1003);
	sim_hist_destroy(h);
}

static void negative_values_count_as_zero(void **state)
{
	(void)state;
	sim_hist *h = sim_hist_create();
	sim_hist_add(h, -5);
	sim_hist_add(h, 10);
	assert_int_equal(sim_hist_min(h), 0);
	assert_int_equal(sim_hist_bucket_count(h, 0), 1);
	assert_true(sim_hist_mean(h) == 5);
	sim_hist_destroy(h);
}

static void empty_histogram_reports_zeros(void **state)
{
	(void)state;
	sim_hist *h = sim_hist_create();
	assert_int_equal(sim_hist_count(h), 0);
	assert_true(sim_hist_mean(h) == 0);
	assert_int_equal(sim_hist_min(h), 0);
	assert_int_equal(sim_hist_max(h), 0);
	assert_int_equal(sim_hist_quantile(h, 0.5), 0);
	assert_int_equal(sim_hist_quantile(h, 1), 0);
	sim_hist_add(h, 1000);
	sim_hist_reset(h);
	assert_int_equal(sim_hist_count(h), 0);
	assert_int_equal(sim_hist_quantile(h, 0.99), 0);
	sim_hist_destroy(h);
	sim_hist_destroy(NULL);
}

static void bucket_bounds_increase_and_cover_int64(void **state)
{
	(void)state;
	size_t n = sim_hist_buckets();
	/* 128 exact buckets, then 128 per power of two from 2^7 to 2^62. */
	assert_int_equal(n, 128 + 56 * 128);
	assert_int_equal(sim_hist_bucket_lower(0), 0);
	for (size_t i = 1; i < n; i++) {
		int64_t lo = sim_hist_bucket_lower(i - 1), hi = sim_hist_bucket_lower(i);
		assert_true(hi > lo);
		/* Width at most 1/128 of the lower bound once past the exact range. */
		if (lo >= 128)
			assert_true((hi - lo) * 128 <= lo);
	}
	/* The last bucket starts at 255 * 2^55 and holds INT64_MAX. */
	assert_int_equal(sim_hist_bucket_lower(n - 1), (int64_t)255 << 55);
}

static void each_value_lands_in_the_bucket_whose_bounds_hold_it(void **state)
{
	(void)state;
	size_t n = sim_hist_buckets();
	sim_hist *h = sim_hist_create();
	int64_t probes[] = {0,
	                    1,
	                    127,
	                    128,
	                    129,
	                    255,
	                    256,
	                    257,
	                    1000,
	                    1000000,
	                    INT64_MAX,
	                    (int64_t)1 << 62,
	                    ((int64_t)1 << 62) - 1};
	gsl_rng *r = sim_rng_create(3);
	const int nprobes = (int)(sizeof probes / sizeof probes[0]);
	for (int k = 0; k < nprobes + 1000; k++) {
		/* Then random values of every magnitude: 63 random bits shifted right 0..62. */
		int64_t v = k < nprobes ? probes[k] : (int64_t)(sim_rng_u64(r) >> 1);
		if (k >= nprobes)
			v >>= sim_rng_u64(r) % 63;
		sim_hist_reset(h);
		/* One value alone, and the same value in a batch: both paths place it. */
		if (k % 2)
			sim_hist_add(h, v);
		else
			sim_hist_add_values(h, &v, 1);
		size_t found = n;
		for (size_t i = 0; i < n; i++)
			if (sim_hist_bucket_count(h, i)) {
				found = i;
				break;
			}
		assert_true(found < n);
		assert_true(sim_hist_bucket_lower(found) <= v);
		if (found + 1 < n)
			assert_true(v < sim_hist_bucket_lower(found + 1));
		/* A single value is its own quantile: the clamp to [min, max]. */
		assert_int_equal(sim_hist_quantile(h, 0.5), v);
	}
	gsl_rng_free(r);
	sim_hist_destroy(h);
}

/* Both sides of every bucket boundary: the lower bound lands in its bucket, the value below
 * it in the bucket before. */
static void bucket_boundaries_split_values_exactly(void **state)
{
	(void)state;
	size_t n = sim_hist_buckets();
	sim_hist *h = sim_hist_create();
	for (size_t i = 1; i < n; i++) {
		int64_t edge[2] = {sim_hist_bucket_lower(i) - 1, sim_hist_bucket_lower(i)};
		sim_hist_reset(h);
		sim_hist_add_values(h, edge, 2);
		assert_int_equal(sim_hist_bucket_count(h, i - 1), 1);
		assert_int_equal(sim_hist_bucket_count(h, i), 1);
	}
	sim_hist_destroy(h);
}

static void merge_equals_histogram_of_the_union(void **state)
{
	(void)state;
	int64_t *v = samples(4, NS);
	sim_hist *a = sim_hist_create(), *b = sim_hist_create(), *all = sim_hist_create();
	sim_hist *empty = sim_hist_create();
	for (size_t i = 0; i < NS; i++) {
		sim_hist_add(i < NS / 3 ? a : b, v[i]);
		sim_hist_add(all, v[i]);
	}
	sim_hist_merge(a, b);
	sim_hist_merge(a, empty);
	assert_int_equal(sim_hist_count(a), sim_hist_count(all));
	assert_int_equal(sim_hist_min(a), sim_hist_min(all));
	assert_int_equal(sim_hist_max(a), sim_hist_max(all));
	assert_true(sim_hist_mean(a) == sim_hist_mean(all));
	for (size_t i = 0; i < sim_hist_buckets(); i++)
		assert_int_equal(sim_hist_bucket_count(a, i), sim_hist_bucket_count(all, i));
	/* Merging into an empty histogram copies min and max too. */
	sim_hist_merge(empty, all);
	assert_int_equal(sim_hist_min(empty), sim_hist_min(all));
	assert_int_equal(sim_hist_max(empty), sim_hist_max(all));
	assert_int_equal(sim_hist_quantile(empty, 0.99), sim_hist_quantile(all, 0.99));
	sim_free(v);
	sim_hist_destroy(a);
	sim_hist_destroy(b);
	sim_hist_destroy(all);
	sim_hist_destroy(empty);
}

/* Times in a struct as a log holds them, read with a stride. */
typedef struct timed {
	int64_t t;
	uint64_t other[2];
} timed;

static void assert_same_hist(const sim_hist *a, const sim_hist *b)
{
	assert_int_equal(sim_hist_count(a), sim_hist_count(b));
	assert_int_equal(sim_hist_min(a), sim_hist_min(b));
	assert_int_equal(sim_hist_max(a), sim_hist_max(b));
	assert_true(sim_hist_mean(a) == sim_hist_mean(b));
	for (size_t i = 0; i < sim_hist_buckets(); i++)
		assert_int_equal(sim_hist_bucket_count(a, i), sim_hist_bucket_count(b, i));
}

/* sim_hist_add_ages gives the histogram of adding each age: sorted times read through a
 * stride, in runs longer than its 256, some after now (age 0), ages past 2^55 (its general
 * path), into histograms that already hold values. */
static void ages_of_sorted_times_equal_adding_each_age(void **state)
{
	(void)state;
	enum { N = 1000 };
	gsl_rng *r = sim_rng_create(6);
	timed *t = sim_calloc(N, sizeof *t);
	int64_t *age = sim_malloc(N * sizeof *age);
	struct {
		int64_t start, gap, now_after; /* first time, mean gap, now past the last time */
	} cases[] = {
	        {-3000000000, 2000000, 1000000000}, /* a backlog before 0, ages of ~1 s */
	        {0, 1000, -5000},                   /* the last records after now */
	        {-((int64_t)1 << 61), 1000, (int64_t)1 << 61}, /* ages of 2^62: their sum wraps */
	        {5, 0, 0},                                     /* equal times, all of age 0 */
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		int64_t x = cases[c].start;
		for (size_t i = 0; i < N; i++) {
			x += (int64_t)(sim_rng_uniform(r) * 2 * (double)cases[c].gap);
			t[i].t = x;
		}
		int64_t now = x + cases[c].now_after;
		for (size_t i = 0; i < N; i++)
			age[i] = now - t[i].t;
		sim_hist *fast = sim_hist_create(), *each = sim_hist_create();
		sim_hist_add(fast, 123456789);
		sim_hist_add(each, 123456789);
		sim_hist_add_ages(fast, now, &t[0].t, sizeof *t, N);
		for (size_t i = 0; i < N; i++)
			sim_hist_add(each, age[i]);
		assert_same_hist(fast, each);
		sim_hist_add_ages(fast, now, &t[0].t, sizeof *t, 0); /* nothing */
		sim_hist_add_values(each, age, N);
		sim_hist_add_ages(fast, now, &t[0].t, sizeof *t, N);
		assert_same_hist(fast, each);
		sim_hist_destroy(fast);
		sim_hist_destroy(each);
	}
	gsl_rng_free(r);
	sim_free(t);
	sim_free(age);
}

static void load_counts_rebuilds_the_same_buckets_and_quantiles(void **state)
{
	(void)state;
	int64_t *v = samples(5, NS);
	sim_hist *h = sim_hist_create(), *g = sim_hist_create();
	for (size_t i = 0; i < NS; i++)
		sim_hist_add(h, v[i]);
	uint64_t *counts = sim_malloc(sim_hist_buckets() * sizeof *counts);
	sim_hist_counts(h, counts);
	sim_hist_add(g, 42); /* replaced, not added to */
	sim_hist_load_counts(g, counts);
	assert_int_equal(sim_hist_count(g), NS);
	for (size_t i = 0; i < sim_hist_buckets(); i++)
		assert_int_equal(sim_hist_bucket_count(g, i), counts[i]);
	/* min, max and mean now come from bucket midpoints: within half a bucket (1/256). */
	assert_true(llabs(sim_hist_min(g) - sim_hist_min(h)) <= sim_hist_min(h) / 256 + 1);
	assert_true(llabs(sim_hist_max(g) - sim_hist_max(h)) <= sim_hist_max(h) / 256 + 1);
	assert_true(fabs(sim_hist_mean(g) - sim_hist_mean(h)) <= sim_hist_mean(h) / 256);
	const double qs[] = {0.1, 0.5, 0.9, 0.99};
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(sim_hist_quantile(g, qs[i]), sim_hist_quantile(h, qs[i]));
	sim_free(counts);
	sim_free(v);
	sim_hist_destroy(h);
	sim_hist_destroy(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(quantiles_are_within_one_percent_of_exact),
	        cmocka_unit_test(count_mean_min_max_are_exact),
	        cmocka_unit_test(sum_does_not_overflow_with_huge_values),
	        cmocka_unit_test(values_under_128_are_exact),
	        cmocka_unit_test(quantile_reports_bucket_midpoint_clamped_to_min_max),
	        cmocka_unit_test(negative_values_count_as_zero),
	        cmocka_unit_test(empty_histogram_reports_zeros),
	        cmocka_unit_test(bucket_bounds_increase_and_cover_int64),
	        cmocka_unit_test(each_value_lands_in_the_bucket_whose_bounds_hold_it),
	        cmocka_unit_test(bucket_boundaries_split_values_exactly),
	        cmocka_unit_test(merge_equals_histogram_of_the_union),
	        cmocka_unit_test(ages_of_sorted_times_equal_adding_each_age),
	        cmocka_unit_test(load_counts_rebuilds_the_same_buckets_and_quantiles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
