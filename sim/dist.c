/* Distributions of durations and sizes: sampling, inverse CDF and mean (docs/scenario.md
 * "Distributions").
 *
 * A sim_dist is a small value; only an empirical one owns memory (its sorted values, freed by
 * sim_dist_fini with sim_free, so they must come from sim_malloc). Sampling goes through GSL on
 * any gsl_rng, so tests and models may use either GSL's generators or rng.h's. The normal is
 * truncated at 0 everywhere: sampling redraws negatives, and the quantile and mean are those of
 * the truncated distribution, so all three describe the same thing. */
#include "sim/dist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_erf.h>

#include "sim/alloc.h"
#include "sim/assert.h"

/* Phi^-1(0.99): a lognormal's p99 sits this many sigmas above its median. */
#define Z99 2.3263478740408408

sim_dist sim_dist_const(double v)
{
	return (sim_dist){.kind = SIM_DIST_CONST, .a = v};
}

sim_dist sim_dist_exponential(double mean)
{
	return (sim_dist){.kind = SIM_DIST_EXPONENTIAL, .a = mean};
}

sim_dist sim_dist_lognormal_q(double median, double p99)
{
	SIM_ASSERT(median > 0 && p99 > median);
	return (sim_dist){
	        .kind = SIM_DIST_LOGNORMAL, .a = log(median), .b = log(p99 / median) / Z99};
}

sim_dist sim_dist_uniform(double min, double max)
{
	return (sim_dist){.kind = SIM_DIST_UNIFORM, .a = min, .b = max};
}

sim_dist sim_dist_normal(double mean, double sd)
{
	return (sim_dist){.kind = SIM_DIST_NORMAL, .a = mean, .b = sd};
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

sim_dist sim_dist_empirical(double *values, size_t n)
{
	SIM_ASSERT(values && n >= 1);
	qsort(values, n, sizeof *values, cmp_double);
	return (sim_dist){.kind = SIM_DIST_EMPIRICAL, .values = values, .n = n};
}

void sim_dist_fini(sim_dist *d)
{
	if (!d)
		return;
	sim_free(d->values);
	d->values = NULL;
	d->n = 0;
}

sim_dist sim_dist_copy(const sim_dist *d)
{
	sim_dist c = *d;
	if (d->values) {
		c.values = sim_malloc(d->n * sizeof *d->values);
		memcpy(c.values, d->values, d->n * sizeof *d->values);
	}
	return c;
}

/* P(X >= 0) of the untruncated normal, from the upper tail so it keeps precision when small. */
static double normal_mass_above_zero(const sim_dist *d)
{
	return gsl_cdf_ugaussian_Q(-d->a / d->b);
}

/* Inverse CDF of the normal truncated at 0, written on the upper tail: the point above which
 * (1 - p) of the kept mass lies. At p = 0 this is exactly 0. */
static double truncated_normal_quantile(const sim_dist *d, double p)
{
	if (d->b <= 0)
		return d->a > 0 ? d->a : 0;
	double x = d->a + d->b * gsl_cdf_ugaussian_Qinv((1 - p) * normal_mass_above_zero(d));
	return x > 0 ? x : 0;
}

static size_t empirical_index(const sim_dist *d, double p)
{
	size_t i = (size_t)floor(p * (double)d->n);
	return i < d->n ? i : d->n - 1;
}

double sim_dist_sample(const sim_dist *d, gsl_rng *r)
{
	switch (d->kind) {
	case SIM_DIST_CONST: return d->a;
	case SIM_DIST_EXPONENTIAL: return gsl_ran_exponential(r, d->a);
	case SIM_DIST_LOGNORMAL: return gsl_ran_lognormal(r, d->a, d->b);
	case SIM_DIST_UNIFORM: return gsl_ran_flat(r, d->a, d->b);
	case SIM_DIST_NORMAL:
		if (d->b <= 0)
			return d->a > 0 ? d->a : 0;
		/* Redrawing costs 1 / P(X >= 0) draws on average; when the kept mass is tiny (a
		 * mean far below 0) invert the truncated CDF instead, which gives the same
		 * distribution in one draw. */
		if (normal_mass_above_zero(d) < 1e-3)
			return truncated_normal_quantile(d, gsl_rng_uniform(r));
		for (;;) {
			double x = d->a + gsl_ran_gaussian(r, d->b);
			if (x >= 0)
				return x;
		}
	case SIM_DIST_EMPIRICAL: return d->values[empirical_index(d, gsl_rng_uniform(r))];
	}
	sim_assert_fail("known distribution kind", __FILE__, __LINE__, __func__);
}

double sim_dist_quantile(const sim_dist *d, double p)
{
	/* p = 1 would be infinite for the unbounded kinds; callers pass [0, 1), keep them there. */
	if (!(p > 0))
		p = 0;
	if (p >= 1)
		p = nextafter(1.0, 0.0);
	switch (d->kind) {
	case SIM_DIST_CONST: return d->a;
	case SIM_DIST_EXPONENTIAL: return gsl_cdf_exponential_Pinv(p, d->a);
	case SIM_DIST_LOGNORMAL: return gsl_cdf_lognormal_Pinv(p, d->a, d->b);
	case SIM_DIST_UNIFORM: return d->a + p * (d->b - d->a);
	case SIM_DIST_NORMAL: return truncated_normal_quantile(d, p);
	case SIM_DIST_EMPIRICAL: return d->values[empirical_index(d, p)];
	}
	sim_assert_fail("known distribution kind", __FILE__, __LINE__, __func__);
}

void sim_qtable_init(sim_qtable *t, const sim_dist *d)
{
	*t = (sim_qtable){.d = d};
}

void sim_qtable_build(sim_qtable *t)
{
	const sim_dist *d = t->d;
	if (t->built)
		return;
	t->built = true;
	if (d->kind != SIM_DIST_EXPONENTIAL && d->kind != SIM_DIST_LOGNORMAL &&
	    d->kind != SIM_DIST_NORMAL)
		return;
	t->q = sim_malloc((SIM_QTABLE_N + 1) * sizeof *t->q);
	for (size_t i = 0; i <= SIM_QTABLE_N; i++)
		t->q[i] = sim_dist_quantile(d, SIM_QTABLE_LO + (SIM_QTABLE_HI - SIM_QTABLE_LO) *
		                                                       (double)i / SIM_QTABLE_N);
}

void sim_qtable_fini(sim_qtable *t)
{
	sim_free(t->q);
	t->q = NULL;
	t->built = false;
}

double sim_dist_mean(const sim_dist *d)
{
	switch (d->kind) {
	case SIM_DIST_CONST:
	case SIM_DIST_EXPONENTIAL: return d->a;
	case SIM_DIST_LOGNORMAL: return exp(d->a + d->b * d->b / 2);
	case SIM_DIST_UNIFORM: return (d->a + d->b) / 2;
	case SIM_DIST_NORMAL:
		/* Truncated below at 0: mean + sd * phi(alpha) / Q(alpha), alpha = -mean / sd;
		 * GSL's hazard function is that ratio (the inverse Mills ratio), stable in the
		 * tails. */
		if (d->b <= 0)
			return d->a > 0 ? d->a : 0;
		return d->a + d->b * gsl_sf_hazard(-d->a / d->b);
	case SIM_DIST_EMPIRICAL: {
		double sum = 0;
		for (size_t i = 0; i < d->n; i++)
			sum += d->values[i];
		return sum / (double)d->n;
	}
	}
	sim_assert_fail("known distribution kind", __FILE__, __LINE__, __func__);
}

bool sim_dist_is_zero(const sim_dist *d)
{
	return d->kind == SIM_DIST_CONST && d->a == 0;
}
