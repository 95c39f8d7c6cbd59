/* Creating and registering a model's counted quantities. */
#include "models/core/metric.h"

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
