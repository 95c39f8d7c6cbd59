/* Creating and registering a model's counted quantities. */
#include "models/core/metric.h"

#include <math.h>
#include <stdio.h>

#include "sim/alloc.h"

void ks_metric_init(ks_metric *m, ks_ctx *ctx, const char *group, const char *name,
                    sim_series_kind kind, size_t columns, const char *units,
                    const char *description, const char *scale)
{
	m->series = sim_series_create(kind, ctx->interval, ctx->stop, columns);
	m->warmup = ctx->warmup;
	m->total = 0;
	sim_metrics_add_series(ctx->metrics, group, name, m->series, units, description, scale);
}

void ks_metric_fini(ks_metric *m)
{
	sim_series_destroy(m->series);
	m->series = NULL;
}

void ks_summary_set(ks_ctx *ctx, const char *entity, const char *metric, double value,
                    const char *unit)
{
	char *path = sim_asprintf("%s.%s", entity, metric);
	sim_metrics_set_value(ctx->metrics, path, value, unit);
	sim_free(path);
}

void ks_summary_rows(ks_ctx *ctx, const char *entity, const ks_summary_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ks_summary_set(ctx, entity, rows[i].metric, rows[i].value, rows[i].unit);
}

void ks_summary_durations(ks_ctx *ctx, const char *entity, const char *what, const sim_hist *h,
                          bool full)
{
	static const struct {
		const char *name;
		double q;
	} all[] = {{"p10", 0.10}, {"p25", 0.25}, {"p50", 0.50},  {"p75", 0.75},
	           {"p90", 0.90}, {"p99", 0.99}, {"p999", 0.999}},
	  some[] = {{"p50", 0.50}, {"p99", 0.99}};
	char name[64];
	/* An empty distribution has no percentiles: NaN, which the summary shows as n/a and an
	 * expect: line on it fails (docs/output.md). */
	bool empty = sim_hist_count(h) == 0;
	snprintf(name, sizeof name, "%s.mean", what);
	ks_summary_set(ctx, entity, name, empty ? NAN : sim_hist_mean(h) / 1e9, "s");
	size_t n = full ? sizeof all / sizeof all[0] : sizeof some / sizeof some[0];
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof name, "%s.%s", what, full ? all[i].name : some[i].name);
		double q = full ? all[i].q : some[i].q;
		ks_summary_set(ctx, entity, name,
		               empty ? NAN : (double)sim_hist_quantile(h, q) / 1e9, "s");
	}
	snprintf(name, sizeof name, "%s.max", what);
	ks_summary_set(ctx, entity, name, empty ? NAN : (double)sim_hist_max(h) / 1e9, "s");
}
