/* A log-linear latency histogram (HdrHistogram's layout, simplified).
 *
 * Values are non-negative integers (nanoseconds). Values below 2^SUB_BITS go in exact buckets;
 * above, each power of two is split into 2^SUB_BITS equal buckets, so a bucket's width is at
 * most 1/2^SUB_BITS of its lower bound and its midpoint is within half that (SUB_BITS = 7:
 * <= 0.4% relative error, under the 1% docs/output.md asks). The count, sum, min and max are exact.
 * The bucket set is fixed, so histograms of any two runs merge by adding counts. */
#ifndef SIM_HIST_H
#define SIM_HIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim_hist sim_hist;

sim_hist *sim_hist_create(void);
void sim_hist_destroy(sim_hist *h); /* NULL: nothing */
void sim_hist_reset(sim_hist *h);

void sim_hist_add(sim_hist *h, int64_t v); /* v < 0 is counted as 0 */
void sim_hist_add_n(sim_hist *h, int64_t v, uint64_t n);
/* Adds n values at once, as n calls of sim_hist_add would: the per-record path (a batch's
 * latencies) keeps count, sum, min and max in registers and makes one call per batch. */
void sim_hist_add_values(sim_hist *h, const int64_t *v, size_t n);
/* Adds the age at `now` (now - t) of n non-decreasing times, as sim_hist_add_values would:
 * t[0], then every `stride` bytes (a field of an array of structs); a time after now counts as
 * age 0, as in sim_hist_add. */
void sim_hist_add_ages(sim_hist *h, int64_t now, const int64_t *t, size_t stride, size_t n);
void sim_hist_merge(sim_hist *dst, const sim_hist *src);

uint64_t sim_hist_count(const sim_hist *h);
double sim_hist_mean(const sim_hist *h); /* 0 when empty */
int64_t sim_hist_min(const sim_hist *h); /* 0 when empty */
int64_t sim_hist_max(const sim_hist *h); /* 0 when empty */
/* Nearest-rank quantile (rank ceil(q n), at least 1), reported at its bucket's midpoint and
 * clamped to [min, max] (ranks 1 and n give the exact min and max); 0 when empty. q in [0, 1]. */
int64_t sim_hist_quantile(const sim_hist *h, double q);

/* The fixed bucket set: number of buckets, and each bucket's lower bound and count. */
size_t sim_hist_buckets(void);
int64_t sim_hist_bucket_lower(size_t i);
uint64_t sim_hist_bucket_count(const sim_hist *h, size_t i);
/* Copies all counts into counts[sim_hist_buckets()]. */
void sim_hist_counts(const sim_hist *h, uint64_t *counts);
/* Rebuilds a histogram from counts[sim_hist_buckets()] (sum and min/max then from midpoints). */
void sim_hist_load_counts(sim_hist *h, const uint64_t *counts);

#endif
