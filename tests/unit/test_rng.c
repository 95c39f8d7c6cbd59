/* Tests of the random streams: the generator against the published algorithm, seeding by name
 * rather than by creation order, and the statistics of what comes out. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>

#include "sim/rng.h"

/* Reference xoshiro256** 1.0, transcribed from Blackman and Vigna's xoshiro256starstar.c. */
static uint64_t ref_rotl(const uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t ref_next(uint64_t *s)
{
	const uint64_t result = ref_rotl(s[1] * 5, 7) * 9;
	const uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = ref_rotl(s[3], 45);
	return result;
}

static void generator_matches_reference_xoshiro256ss(void **state)
{
	(void)state;
	gsl_rng *r = sim_rng_create(1);
	uint64_t *s = r->state;
	uint64_t ref[4] = {1, 2, 3, 4};
	memcpy(s, ref, sizeof ref);
	/* By hand: s[1] = 2, 2 * 5 = 10, rotl(10, 7) = 1280, * 9 = 11520. The update then makes
	 * s[1] = 2 ^ (3 ^ 1) = 0, so the second output is 0. */
	assert_int_equal(sim_rng_u64(r), 11520);
	assert_int_equal(sim_rng_u64(r), 0);
	ref_next(ref);
	ref_next(ref);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(sim_rng_u64(r), ref_next(ref));
	/* gsl_rng_get gives the upper 32 bits, gsl_rng_uniform the upper 53 bits scaled. */
	uint64_t copy[4];
	memcpy(copy, ref, sizeof copy);
	assert_int_equal(gsl_rng_get(r), ref_next(copy) >> 32);
	assert_true(gsl_rng_uniform(r) == (double)(ref_next(copy) >> 11) / 9007199254740992.0);
	assert_true(sim_rng_uniform(r) == (double)(ref_next(copy) >> 11) / 9007199254740992.0);
	gsl_rng_free(r);
}

static void generator_type_describes_xoshiro(void **state)
{
	(void)state;
	gsl_rng *r = sim_rng_create(42);
	assert_string_equal(gsl_rng_name(r), "xoshiro256**");
	assert_int_equal(gsl_rng_max(r), 0xffffffffUL);
	assert_int_equal(gsl_rng_min(r), 0);
	assert_int_equal(gsl_rng_size(r), 4 * sizeof(uint64_t));
	gsl_rng_free(r);
}

static void seeding_never_leaves_an_all_zero_state(void **state)
{
	(void)state;
	/* Whatever the seed, the 256-bit state must not be zero; check seeds around 0 and the
	 * GSL set path too. */
	for (uint64_t seed = 0; seed < 1000; seed++) {
		gsl_rng *r = sim_rng_create(seed);
		uint64_t *s = r->state;
		assert_true(s[0] | s[1] | s[2] | s[3]);
		gsl_rng_set(r, (unsigned long)seed);
		assert_true(s[0] | s[1] | s[2] | s[3]);
		gsl_rng_free(r);
	}
}

static void gsl_set_seeds_deterministically(void **state)
{
	(void)state;
	gsl_rng *a = gsl_rng_alloc(sim_rng_xoshiro256ss);
	gsl_rng *b = gsl_rng_alloc(sim_rng_xoshiro256ss);
	gsl_rng_set(a, 7);
	gsl_rng_set(b, 7);
	for (int i = 0; i < 100; i++)
		assert_int_equal(gsl_rng_get(a), gsl_rng_get(b));
	gsl_rng_set(b, 8);
	int same = 0;
	for (int i = 0; i < 100; i++)
		same += gsl_rng_get(a) == gsl_rng_get(b);
	assert_true(same < 3);
	gsl_rng_free(a);
	gsl_rng_free(b);
}

static void same_inputs_give_the_same_stream(void **state)
{
	(void)state;
	gsl_rng *a = sim_rng_stream(12345, 0, "feed", "duration", -1);
	gsl_rng *b = sim_rng_stream(12345, 0, "feed", "duration", -1);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(sim_rng_u64(a), sim_rng_u64(b));
	gsl_rng_free(a);
	gsl_rng_free(b);
}

static void streams_do_not_depend_on_creation_order(void **state)
{
	(void)state;
	uint64_t first[2][100];
	gsl_rng *a = sim_rng_stream(1, 0, "A", "size", -1);
	gsl_rng *b = sim_rng_stream(1, 0, "B", "size", -1);
	for (int i = 0; i < 100; i++) {
		first[0][i] = sim_rng_u64(a);
		first[1][i] = sim_rng_u64(b);
	}
	gsl_rng_free(a);
	gsl_rng_free(b);
	/* Now B first, and a third stream drawn from in between. */
	gsl_rng *b2 = sim_rng_stream(1, 0, "B", "size", -1);
	gsl_rng *c = sim_rng_stream(1, 0, "C", "size", -1);
	for (int i = 0; i < 50; i++)
		(void)sim_rng_u64(c);
	gsl_rng *a2 = sim_rng_stream(1, 0, "A", "size", -1);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(sim_rng_u64(b2), first[1][i]);
		assert_int_equal(sim_rng_u64(a2), first[0][i]);
	}
	gsl_rng_free(a2);
	gsl_rng_free(b2);
	gsl_rng_free(c);
}

static void each_key_field_changes_the_seed(void **state)
{
	(void)state;
	uint64_t base = sim_rng_seed(1, 0, "feed", "work", 3);
	uint64_t other[] = {
	        sim_rng_seed(2, 0, "feed", "work", 3),  sim_rng_seed(1, 1, "feed", "work", 3),
	        sim_rng_seed(1, 0, "feed2", "work", 3), sim_rng_seed(1, 0, "feed", "fate", 3),
	        sim_rng_seed(1, 0, "feed", "work", 4),  sim_rng_seed(1, 0, "feed", "work", -1),
	        sim_rng_seed(1, 0, "", "work", 3),
	};
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
		assert_true(other[i] != base);
		for (size_t j = 0; j < i; j++)
			assert_true(other[i] != other[j]);
	}
	/* And the streams they seed differ from the first draw on. */
	gsl_rng *a = sim_rng_stream(1, 0, "feed", "work", 3);
	gsl_rng *b = sim_rng_stream(1, 0, "feed", "work", 4);
	assert_true(sim_rng_u64(a) != sim_rng_u64(b));
	gsl_rng_free(a);
	gsl_rng_free(b);
}

static void entity_and_purpose_boundary_is_unambiguous(void **state)
{
	(void)state;
	assert_true(sim_rng_seed(1, 0, "ab", "c", -1) != sim_rng_seed(1, 0, "a", "bc", -1));
	assert_true(sim_rng_seed(1, 0, "abc", "", -1) != sim_rng_seed(1, 0, "", "abc", -1));
	assert_true(sim_hash_str(0, "ab") != sim_hash_str(0, "a"));
	assert_true(sim_hash_str(sim_hash_str(0, "ab"), "c") !=
	            sim_hash_str(sim_hash_str(0, "a"), "bc"));
}

static void mix64_is_splitmix64_finaliser(void **state)
{
	(void)state;
	/* The first SplitMix64 output from state 0 is mix64(0 + gamma), a published value. */
	assert_true(sim_mix64(UINT64_C(0x9e3779b97f4a7c15)) == UINT64_C(0xe220a8397b1dcdaf));
	assert_true(sim_mix64(0) == 0);
}

static void uniform_has_mean_one_half_and_variance_one_twelfth(void **state)
{
	(void)state;
	gsl_rng *r = sim_rng_create(2024);
	const int n = 1000000;
	double sum = 0, sumsq = 0;
	for (int i = 0; i < n; i++) {
		double u = sim_rng_uniform(r);
		assert_true(u >= 0 && u < 1);
		sum += u;
		sumsq += u * u;
	}
	double mean = sum / n;
	double var = sumsq / n - mean * mean;
	/* Standard errors: sqrt(1/12 / n) = 2.9e-4 for the mean; sqrt(1/180 / n) = 7.5e-5 for the
	 * variance (Var (U - 1/2)^2 = 1/80 - 1/144). Allow 5 of them. */
	assert_true(fabs(mean - 0.5) < 5 * sqrt(1.0 / 12 / n));
	assert_true(fabs(var - 1.0 / 12) < 5 * sqrt(1.0 / 180 / n));
	gsl_rng_free(r);
}

static void gsl_exponential_on_the_generator_has_the_right_mean(void **state)
{
	(void)state;
	gsl_rng *r = sim_rng_create(99);
	const int n = 1000000;
	const double mu = 2.0;
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += gsl_ran_exponential(r, mu);
	/* The exponential's sd equals its mean: standard error mu / sqrt(n). */
	assert_true(fabs(sum / n - mu) < 5 * mu / sqrt(n));
	gsl_rng_free(r);
}

static void crn_uniform_is_a_pure_function(void **state)
{
	(void)state;
	uint64_t seed = sim_rng_seed(5, 0, "producer", "record", -1);
	for (uint64_t i = 0; i < 1000; i++) {
		double u = sim_crn_uniform(seed, i, 0);
		double v = sim_crn_uniform(seed, i, 1);
		assert_true(u >= 0 && u < 1);
		assert_true(u == sim_crn_uniform(seed, i, 0));
		assert_true(v == sim_crn_uniform(seed, i, 1));
		assert_true(u != v);
		assert_true(u != sim_crn_uniform(seed + 1, i, 0));
	}
	/* Reading in reverse gives the same values: no hidden state. */
	double fwd[10];
	for (int i = 0; i < 10; i++)
		fwd[i] = sim_crn_uniform(seed, (uint64_t)i, 0);
	for (int i = 9; i >= 0; i--)
		assert_true(fwd[i] == sim_crn_uniform(seed, (uint64_t)i, 0));
	/* `which` values beyond 1 do not alias the next index. */
	assert_true(sim_crn_uniform(seed, 0, 2) != sim_crn_uniform(seed, 1, 0));
}

static void crn_uniform_passes_chi_square_over_100_bins(void **state)
{
	(void)state;
	uint64_t seed = sim_rng_seed(5, 0, "producer", "record", -1);
	for (uint32_t which = 0; which < 2; which++) {
		const int n = 100000, bins = 100;
		int count[100] = {0};
		for (int i = 0; i < n; i++) {
			double u = sim_crn_uniform(seed, (uint64_t)i, which);
			count[(int)(u * bins)]++;
		}
		double expect = (double)n / bins, chi2 = 0;
		for (int b = 0; b < bins; b++)
			chi2 += (count[b] - expect) * (count[b] - expect) / expect;
		/* 99 degrees of freedom: mean 99, sd 14; 180 is about p = 1e-6. */
		assert_true(chi2 < 180);
		assert_true(chi2 > 40);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(generator_matches_reference_xoshiro256ss),
	        cmocka_unit_test(generator_type_describes_xoshiro),
	        cmocka_unit_test(seeding_never_leaves_an_all_zero_state),
	        cmocka_unit_test(gsl_set_seeds_deterministically),
	        cmocka_unit_test(same_inputs_give_the_same_stream),
	        cmocka_unit_test(streams_do_not_depend_on_creation_order),
	        cmocka_unit_test(each_key_field_changes_the_seed),
	        cmocka_unit_test(entity_and_purpose_boundary_is_unambiguous),
	        cmocka_unit_test(mix64_is_splitmix64_finaliser),
	        cmocka_unit_test(uniform_has_mean_one_half_and_variance_one_twelfth),
	        cmocka_unit_test(gsl_exponential_on_the_generator_has_the_right_mean),
	        cmocka_unit_test(crn_uniform_is_a_pure_function),
	        cmocka_unit_test(crn_uniform_passes_chi_square_over_100_bins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
