/* Distributions of durations and sizes (docs/scenario.md "Distributions").
 *
 * Values are doubles in base units: nanoseconds for durations, bytes for sizes. A lognormal is
 * given by its median and p99 (mu = ln median, sigma = ln(p99/median) / 2.3263). Sampling uses
 * GSL on a generator from rng.h; `sim_dist_quantile` gives the inverse CDF, used for per-record
 * work drawn from a record's own uniform `v` (docs/model.md "Time, events and randomness"). */
#ifndef SIM_DIST_H
#define SIM_DIST_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/time.h"

typedef enum {
	SIM_DIST_CONST,
	SIM_DIST_EXPONENTIAL, /* a = mean */
	SIM_DIST_LOGNORMAL,   /* a = mu, b = sigma (of the log) */
	SIM_DIST_UNIFORM,     /* a = min, b = max */
	SIM_DIST_NORMAL,      /* a = mean, b = sd; negative draws are redrawn */
	SIM_DIST_EMPIRICAL,   /* values[n], sorted ascending; sampling picks one uniformly */
} sim_dist_kind;

typedef struct sim_dist {
	sim_dist_kind kind;
	double a, b;
	double *values; /* EMPIRICAL only; owned */
	size_t n;
} sim_dist;

sim_dist sim_dist_const(double v);
sim_dist sim_dist_exponential(double mean);
/* median > 0 and p99 > median (the caller validates and reports) */
sim_dist sim_dist_lognormal_q(double median, double p99);
sim_dist sim_dist_uniform(double min, double max);
sim_dist sim_dist_normal(double mean, double sd);
/* Takes ownership of values (sorted here). n >= 1. */
sim_dist sim_dist_empirical(double *values, size_t n);
void sim_dist_fini(sim_dist *d);
/* Deep copy. */
sim_dist sim_dist_copy(const sim_dist *d);

double sim_dist_sample(const sim_dist *d, gsl_rng *r);
/* A sample as a duration: in whole nanoseconds, negative ones as 0. */
static inline sim_time sim_dist_sample_ns(const sim_dist *d, gsl_rng *r)
{
	return sim_time_round(sim_dist_sample(d, r));
}
/* Inverse CDF at p in [0, 1). Normal: of the distribution truncated at 0. */
double sim_dist_quantile(const sim_dist *d, double p);
double sim_dist_mean(const sim_dist *d);
bool sim_dist_is_zero(const sim_dist *d); /* constant 0 */

/* A distribution's quantile function tabulated, for a quantile per record (enhanced fan-out's
 * push latency): GSL's inverse CDFs cost some 200 instructions, the table a few. Between
 * SIM_QTABLE_LO and SIM_QTABLE_HI the smooth kinds (exponential, lognormal, normal) are
 * interpolated linearly between SIM_QTABLE_N + 1 exact values (64 KiB); the relative error
 * there is below 1e-5 for a lognormal of sigma up to 1 (tests/unit/test_dist.c): a fraction of a
 * microsecond on a 100 ms tail, nanoseconds near the median. The tails beyond, and the other
 * kinds (exact and cheap already, or steps that interpolation would blur), are computed
 * exactly. */
#define SIM_QTABLE_N  8192
#define SIM_QTABLE_LO 0.01
#define SIM_QTABLE_HI 0.99

typedef struct sim_qtable {
	const sim_dist *d; /* borrowed: outlives the table */
	double *q;         /* SIM_QTABLE_N + 1 values; NULL: every quantile exact */
	bool built;
} sim_qtable;

/* The table of d, built by its first sim_qtable_build (some 2 M instructions: a model that has
 * no reader needing it does not pay them). */
void sim_qtable_init(sim_qtable *t, const sim_dist *d);
void sim_qtable_build(sim_qtable *t); /* once; later calls do nothing */
void sim_qtable_fini(sim_qtable *t);

/* Exact (sim_dist_quantile) until the table is built. */
static inline double sim_qtable_quantile(const sim_qtable *t, double p)
{
	if (t->q && p >= SIM_QTABLE_LO && p < SIM_QTABLE_HI) {
		double x = (p - SIM_QTABLE_LO) * (SIM_QTABLE_N / (SIM_QTABLE_HI - SIM_QTABLE_LO));
		size_t i = (size_t)(int64_t)x; /* x >= 0: the signed conversion, one instruction */
		if (i >= SIM_QTABLE_N)         /* p within rounding of HI */
			i = SIM_QTABLE_N - 1;
		return t->q[i] + (x - (double)i) * (t->q[i + 1] - t->q[i]);
	}
	return sim_dist_quantile(t->d, p);
}

#endif
