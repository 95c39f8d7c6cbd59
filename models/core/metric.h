/* A counted quantity of a model: its interval series (the whole run, warm-up included) and its
 * total over the measured period [warmup, stop), which is what the summary reports. Each count
 * belongs to the simulated instant of the event it counts (docs/output.md). */
#ifndef KS_METRIC_H
#define KS_METRIC_H

#include <stddef.h>

#include "models/core/context.h"
#include "sim/hist.h"
#include "sim/series.h"
#include "sim/time.h"

typedef struct ks_metric {
	sim_series *series;
	double total; /* SUM: sum over the measured period; MAX: maximum over it */
	sim_time warmup;
} ks_metric;

/* Creates the series (columns wide) and registers it as dataset `name` of `group`. */
void ks_metric_init(ks_metric *m, ks_ctx *ctx, const char *group, const char *name,
                    sim_series_kind kind, size_t columns, const char *units,
                    const char *description, const char *scale);
void ks_metric_fini(ks_metric *m);

static inline void ks_metric_add(ks_metric *m, sim_time t, size_t column, double v)
{
	sim_series_add(m->series, t, column, v);
	if (t >= m->warmup)
		m->total += v;
}

static inline void ks_metric_max(ks_metric *m, sim_time t, size_t column, double v)
{
	sim_series_add(m->series, t, column, v);
	if (t >= m->warmup && v > m->total)
		m->total = v;
}

/* Summary values (docs/output.md): "<entity>.<metric>". */
void ks_summary_set(ks_ctx *ctx, const char *entity, const char *metric, double value,
                    const char *unit);
/* A row of an entity's summary. */
typedef struct ks_summary_row {
	const char *metric;
	double value;
	const char *unit;
} ks_summary_row;
/* Writes n rows of entity's summary, in order. */
void ks_summary_rows(ks_ctx *ctx, const char *entity, const ks_summary_row *rows, size_t n);
/* A distribution of durations over the measured period as "<entity>.<what>.{mean, p.., max}"
 * in seconds: every quantile of docs/output.md (p10 p25 p50 p75 p90 p99 p999) when full, else
 * p50 and p99. An empty histogram reports NaN (no data) for each. */
void ks_summary_durations(ks_ctx *ctx, const char *entity, const char *what, const sim_hist *h,
                          bool full);

#endif
