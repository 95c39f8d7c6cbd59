/* Tests of the distributions: sample means against closed-form means (tolerances from the
 * standard error), quantiles against the defining formulas, and the empirical kind. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim/alloc.h"
#include "sim/dist.h"
#include "sim/rng.h"

#define N 200000

static void assert_close(double got, double want, double tol)
{
	if (fabs(got - want) > tol)
		fail_msg("got %.17g, want %.17g (tolerance %.3g)", got, want, tol);
}

static double sample_mean(const sim_dist *d, uint64_t seed, int n)
{
	gsl_rng *r = sim_rng_create(seed);
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += sim_dist_sample(d, r);
	gsl_rng_free(r);
	return sum / n;
}

/* Standard normal CDF and density from first principles. */
static double phi_cdf(double x)
{
	return 0.5 * erfc(-x / sqrt(2.0));
}

static double phi_pdf(double x)
{
	return exp(-x * x / 2) / sqrt(2 * M_PI);
}

static void const_gives_its_value_everywhere(void **state)
{
	(void)state;
	sim_dist d = sim_dist_const(7.5);
	gsl_rng *r = sim_rng_create(1);
	assert_true(sim_dist_sample(&d, r) == 7.5);
	assert_true(sim_dist_quantile(&d, 0) == 7.5);
	assert_true(sim_dist_quantile(&d, 0.999) == 7.5);
	assert_true(sim_dist_mean(&d) == 7.5);
	assert_false(sim_dist_is_zero(&d));
	sim_dist z = sim_dist_const(0);
	assert_true(sim_dist_is_zero(&z));
	sim_dist e = sim_dist_exponential(0);
	assert_false(sim_dist_is_zero(&e));
	gsl_rng_free(r);
}

static void exponential_sample_mean_matches_its_mean(void **state)
{
	(void)state;
	const double mean = 20e6; /* 20 ms in ns */
	sim_dist d = sim_dist_exponential(mean);
	assert_true(sim_dist_mean(&d) == mean);
	/* sd = mean */
	assert_close(sample_mean(&d, 11, N), mean, 5 * mean / sqrt(N));
}

static void exponential_quantile_is_minus_mean_log_one_minus_p(void **state)
{
	(void)state;
	sim_dist d = sim_dist_exponential(3.0);
	const double ps[] = {0, 0.1, 0.5, 0.9, 0.99};
	for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
		assert_close(sim_dist_quantile(&d, ps[i]), -3.0 * log1p(-ps[i]), 1e-12);
}

static void lognormal_quantiles_hit_median_and_p99(void **state)
{
	(void)state;
	sim_dist d = sim_dist_lognormal_q(20e6, 200e6);
	assert_close(d.a, log(20e6), 1e-12);
	assert_close(d.b, log(10.0) / 2.3263478740408408, 1e-12);
	assert_close(sim_dist_quantile(&d, 0.5), 20e6, 20e6 * 1e-12);
	assert_close(sim_dist_quantile(&d, 0.99), 200e6, 200e6 * 1e-9);
}

static void lognormal_sample_mean_and_fractiles_match(void **state)
{
	(void)state;
	sim_dist d = sim_dist_lognormal_q(20e6, 200e6);
	double mu = log(20e6), sigma = log(10.0) / 2.3263478740408408;
	double mean = exp(mu + sigma * sigma / 2);
	assert_close(sim_dist_mean(&d), mean, mean * 1e-12);
	double sd = mean * sqrt(expm1(sigma * sigma));
	assert_close(sample_mean(&d, 12, N), mean, 5 * sd / sqrt(N));
	/* Half the draws fall below the median, 99% below the p99. */
	gsl_rng *r = sim_rng_create(13);
	int below_median = 0, below_p99 = 0;
	for (int i = 0; i < N; i++) {
		double x = sim_dist_sample(&d, r);
		below_median += x < 20e6;
		below_p99 += x < 200e6;
	}
	assert_close((double)below_median / N, 0.5, 5 * sqrt(0.25 / N));
	assert_close((double)below_p99 / N, 0.99, 5 * sqrt(0.99 * 0.01 / N));
	gsl_rng_free(r);
}

static void uniform_quantiles_are_exact_and_samples_in_range(void **state)
{
	(void)state;
	sim_dist d = sim_dist_uniform(10, 30);
	assert_true(sim_dist_quantile(&d, 0) == 10);
	assert_true(sim_dist_quantile(&d, 0.25) == 15);
	assert_true(sim_dist_quantile(&d, 0.5) == 20);
	assert_true(sim_dist_quantile(&d, 0.75) == 25);
	assert_true(sim_dist_mean(&d) == 20);
	gsl_rng *r = sim_rng_create(14);
	double sum = 0;
	for (int i = 0; i < N; i++) {
		double x = sim_dist_sample(&d, r);
		assert_true(x >= 10 && x < 30);
		sum += x;
	}
	assert_close(sum / N, 20, 5 * 20 / sqrt(12.0 * N));
	gsl_rng_free(r);
}

static void normal_is_truncated_at_zero_in_sample_mean_and_quantile(void **state)
{
	(void)state;
	sim_dist d = sim_dist_normal(1, 1);
	/* Truncated below 0: E = mu + sd phi(a) / (1 - Phi(a)), a = -mu / sd = -1. */
	double want = 1 + phi_pdf(-1) / (1 - phi_cdf(-1));
	assert_close(sim_dist_mean(&d), want, 1e-9);
	gsl_rng *r = sim_rng_create(15);
	double sum = 0, sumsq = 0;
	for (int i = 0; i < N; i++) {
		double x = sim_dist_sample(&d, r);
		assert_true(x >= 0);
		sum += x;
		sumsq += x * x;
	}
	double m = sum / N, sd = sqrt(sumsq / N - m * m);
	assert_close(m, want, 5 * sd / sqrt(N));
	gsl_rng_free(r);
	/* Quantile: of the truncated CDF F(x) = (Phi(x - 1) - Phi(-1)) / (1 - Phi(-1)). */
	assert_true(sim_dist_quantile(&d, 0) == 0);
	const double ps[] = {0.1, 0.5, 0.9, 0.99};
	for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
		double x = sim_dist_quantile(&d, ps[i]);
		double f = (phi_cdf(x - 1) - phi_cdf(-1)) / (1 - phi_cdf(-1));
		assert_close(f, ps[i], 1e-9);
	}
}

static void normal_far_below_zero_still_samples_nonnegative(void **state)
{
	(void)state;
	sim_dist d = sim_dist_normal(-10, 1);
	/* 1 - Phi(10) from erfc keeps precision: erfc(10 / sqrt 2) / 2. */
	double want = -10 + phi_pdf(10) / (0.5 * erfc(10 / sqrt(2.0)));
	assert_close(sim_dist_mean(&d), want, 1e-6);
	gsl_rng *r = sim_rng_create(16);
	double sum = 0;
	for (int i = 0; i < 100000; i++) {
		double x = sim_dist_sample(&d, r);
		assert_true(x >= 0);
		sum += x;
	}
	/* The truncated tail is nearly exponential with rate ~10: sd ~ 0.1. */
	assert_close(sum / 100000, want, 5 * 0.1 / sqrt(100000));
	gsl_rng_free(r);
}

static void normal_with_zero_sd_is_its_mean_clamped_at_zero(void **state)
{
	(void)state;
	sim_dist d = sim_dist_normal(5, 0);
	gsl_rng *r = sim_rng_create(17);
	assert_true(sim_dist_sample(&d, r) == 5);
	assert_true(sim_dist_quantile(&d, 0.3) == 5);
	assert_true(sim_dist_mean(&d) == 5);
	gsl_rng_free(r);
}

static double *values4(void)
{
	double *v = sim_malloc(4 * sizeof *v);
	v[0] = 10;
	v[1] = 1;
	v[2] = 3;
	v[3] = 2;
	return v;
}

static void empirical_sorts_and_takes_value_at_floor_p_n(void **state)
{
	(void)state;
	sim_dist d = sim_dist_empirical(values4(), 4);
	assert_true(d.values[0] == 1 && d.values[1] == 2 && d.values[2] == 3 && d.values[3] == 10);
	assert_true(sim_dist_quantile(&d, 0) == 1);
	assert_true(sim_dist_quantile(&d, 0.24) == 1);
	assert_true(sim_dist_quantile(&d, 0.25) == 2);
	assert_true(sim_dist_quantile(&d, 0.5) == 3);
	assert_true(sim_dist_quantile(&d, 0.74) == 3);
	assert_true(sim_dist_quantile(&d, 0.75) == 10);
	assert_true(sim_dist_quantile(&d, 0.999) == 10);
	assert_true(sim_dist_mean(&d) == 4);
	sim_dist_fini(&d);
}

static void empirical_sampling_picks_each_value_equally(void **state)
{
	(void)state;
	sim_dist d = sim_dist_empirical(values4(), 4);
	gsl_rng *r = sim_rng_create(18);
	int hits[4] = {0};
	for (int i = 0; i < N; i++) {
		double x = sim_dist_sample(&d, r);
		int k = x == 1 ? 0 : x == 2 ? 1 : x == 3 ? 2 : x == 10 ? 3 : -1;
		assert_true(k >= 0);
		hits[k]++;
	}
	for (int k = 0; k < 4; k++)
		assert_close((double)hits[k] / N, 0.25, 5 * sqrt(0.25 * 0.75 / N));
	gsl_rng_free(r);
	sim_dist_fini(&d);
}

/* The tabulated quantile: within 1e-5 (relative) of the exact one everywhere for the smooth
 * kinds, lognormals up to sigma 1 included (measured: 2.3e-6 for the default push latency,
 * 8.3e-6 at sigma 1); exact in the tails and for the other kinds. */
static double table_worst_error(const sim_dist *d)
{
	sim_qtable t;
	sim_qtable_init(&t, d);
	sim_qtable_build(&t);
	double worst = 0;
	for (int i = 1; i < 200000; i++) {
		double p = i / 200000.0;
		double want = sim_dist_quantile(d, p), got = sim_qtable_quantile(&t, p);
		double err = fabs(got - want) / fmax(fabs(want), 1e-300);
		if (p < SIM_QTABLE_LO || p >= SIM_QTABLE_HI)
			assert_true(got == want);
		worst = fmax(worst, err);
	}
	sim_qtable_fini(&t);
	return worst;
}

static void quantile_table_is_within_1e5_and_exact_in_the_tails(void **state)
{
	(void)state;
	sim_dist efo = sim_dist_lognormal_q(45e6, 100e6); /* the default push latency */
	sim_dist wide = sim_dist_lognormal_q(20e6, 20e6 * exp(2.3263)); /* sigma 1 */
	sim_dist expo = sim_dist_exponential(3.0);
	sim_dist norm = sim_dist_normal(10.0, 4.0);
	sim_qtable lazy; /* exact until built */
	sim_qtable_init(&lazy, &efo);
	assert_true(sim_qtable_quantile(&lazy, 0.5) == sim_dist_quantile(&efo, 0.5));
	assert_null(lazy.q);
	sim_qtable_build(&lazy);
	assert_non_null(lazy.q);
	sim_qtable_fini(&lazy);
	assert_true(table_worst_error(&efo) < 5e-6);
	assert_true(table_worst_error(&wide) < 1e-5);
	assert_true(table_worst_error(&expo) < 1e-5);
	assert_true(table_worst_error(&norm) < 1e-5);
	sim_dist emp = sim_dist_empirical(values4(), 4);
	sim_dist uni = sim_dist_uniform(10, 30);
	assert_true(table_worst_error(&emp) == 0);
	assert_true(table_worst_error(&uni) == 0);
	sim_dist_fini(&emp);
}

/* A sampled duration is rounded as llround(fmax(0, x)) would: to the nearest ns, halves up,
 * nothing below 0. The identity is checked on the edges and on a million lognormal samples
 * around every binade a duration takes. */
static void sampled_durations_round_as_llround_of_the_nonnegative(void **state)
{
	(void)state;
	const double edges[] = {0.0,       -0.0, -1.5, 0.49, 0.5,      1.5,    2.5,
	                        1e6 + 0.5, 4e15, NAN,  -1e9, 1.0e-300, 0.4999, 123456789.49999};
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
		double x = edges[i];
		sim_time want = isnan(x) ? 0 : (sim_time)llround(fmax(0, x));
		if (sim_time_round(x) != want)
			fail_msg("sim_time_round(%.17g) = %lld, want %lld", x,
			         (long long)sim_time_round(x), (long long)want);
	}
	sim_dist d = sim_dist_lognormal_q(1e7, 1e10); /* 10 ms, p99 10 s: 1 us to hours */
	gsl_rng *r = sim_rng_create(7), *r2 = sim_rng_create(7);
	for (int i = 0; i < 1000000; i++) {
		double x = sim_dist_sample(&d, r);
		sim_time got = sim_dist_sample_ns(&d, r2);
		if (got != (sim_time)llround(fmax(0, x)))
			fail_msg("sample %d: %.17g rounds to %lld", i, x, (long long)got);
	}
	gsl_rng_free(r);
	gsl_rng_free(r2);
	sim_dist_fini(&d);
}

static void copy_is_deep_and_fini_frees(void **state)
{
	(void)state;
	long live = sim_alloc_live();
	sim_dist d = sim_dist_empirical(values4(), 4);
	sim_dist c = sim_dist_copy(&d);
	assert_true(c.values != d.values);
	c.values[0] = 100;
	assert_true(d.values[0] == 1);
	sim_dist_fini(&d);
	sim_dist_fini(&c);
	assert_null(c.values);
	assert_int_equal(sim_alloc_live(), live);
	/* Non-empirical kinds own nothing. */
	sim_dist e = sim_dist_exponential(1);
	sim_dist ec = sim_dist_copy(&e);
	assert_true(ec.kind == SIM_DIST_EXPONENTIAL && ec.a == 1 && ec.values == NULL);
	sim_dist_fini(&ec);
	assert_int_equal(sim_alloc_live(), live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(const_gives_its_value_everywhere),
	        cmocka_unit_test(quantile_table_is_within_1e5_and_exact_in_the_tails),
	        cmocka_unit_test(exponential_sample_mean_matches_its_mean),
	        cmocka_unit_test(exponential_quantile_is_minus_mean_log_one_minus_p),
	        cmocka_unit_test(lognormal_quantiles_hit_median_and_p99),
	        cmocka_unit_test(lognormal_sample_mean_and_fractiles_match),
	        cmocka_unit_test(uniform_quantiles_are_exact_and_samples_in_range),
	        cmocka_unit_test(normal_is_truncated_at_zero_in_sample_mean_and_quantile),
	        cmocka_unit_test(normal_far_below_zero_still_samples_nonnegative),
	        cmocka_unit_test(normal_with_zero_sd_is_its_mean_clamped_at_zero),
	        cmocka_unit_test(empirical_sorts_and_takes_value_at_floor_p_n),
	        cmocka_unit_test(empirical_sampling_picks_each_value_equally),
	        cmocka_unit_test(sampled_durations_round_as_llround_of_the_nonnegative),
	        cmocka_unit_test(copy_is_deep_and_fini_frees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
