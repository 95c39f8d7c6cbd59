/* A Lambda function copy: duration, billing, and the per-function metrics of OUTPUT.md. */
#include "models/function.h"

#include <math.h>

#include "models/shard.h"
#include "sim/alloc.h"
#include "sim/rng.h"

typedef struct metric_def {
	size_t offset;
	const char *name;
	sim_series_kind kind;
	const char *units, *description;
	bool per_shard;
} metric_def;

#define M(field, kind, units, desc) {offsetof(ks_function, field), #field, kind, units, desc, false}
static const metric_def metric_defs[] = {
	M(invocations, SIM_SERIES_SUM, "count", "invocations started (Invocations)"),
	M(errors, SIM_SERIES_SUM, "count", "invocations that failed (Errors)"),
	M(throttles, SIM_SERIES_SUM, "count", "invocations refused by the concurrency limit"),
	M(duration_max_ms, SIM_SERIES_MAX, "ms", "longest handler duration (Duration, max)"),
	M(concurrent_max, SIM_SERIES_MAX, "count", "most invocations running at once"),
	M(cold_starts, SIM_SERIES_SUM, "count", "invocations that started a new environment"),
	M(records_processed, SIM_SERIES_SUM, "count", "records processed successfully"),
	M(records_skipped, SIM_SERIES_SUM, "count", "failed records the handler swallowed"),
	M(records_forwarded, SIM_SERIES_SUM, "count", "failed records forwarded by the handler"),
	M(records_expired, SIM_SERIES_SUM, "count",
	  "records that aged out of retention before this function processed them"),
	M(records_on_failure, SIM_SERIES_SUM, "count", "records in discarded batches"),
	M(on_failure_events, SIM_SERIES_SUM, "count", "invocation records sent to on_failure"),
	M(duplicates, SIM_SERIES_SUM, "count", "records processed more than once"),
	{offsetof(ks_function, iterator_age_max_ms), "iterator_age_max_ms", SIM_SERIES_MAX, "ms",
	 "maximum Lambda IteratorAge per shard", true},
	{offsetof(ks_function, read_throttled), "read_throttled", SIM_SERIES_SUM, "count",
	 "this function's GetRecords calls throttled, per shard", true},
};
#undef M

static ks_metric *metric_at(ks_function *f, const metric_def *d)
{
	return (ks_metric *)(void *)((char *)f + d->offset);
}

static void set_labels(ks_function *f)
{
	char *group = sim_asprintf("functions/%s", f->name);
	sim_metrics_set_labels(f->ctx->metrics, group, "shard", (const char *const *)f->labels,
	                       f->nlabels,
	                       "shards read by this function, the column dimension of its "
	                       "per-shard series");
	sim_free(group);
}

size_t ks_function_add_shard_column(ks_function *f, const char *label)
{
	for (size_t i = 0; i < sizeof metric_defs / sizeof metric_defs[0]; i++)
		if (metric_defs[i].per_shard)
			sim_series_add_column(metric_at(f, &metric_defs[i])->series);
	f->labels = sim_reallocarray(f->labels, f->nlabels + 1, sizeof *f->labels);
	f->labels[f->nlabels++] = sim_strdup(label);
	set_labels(f);
	return f->nlabels - 1;
}

ks_function *ks_function_create(ks_ctx *ctx, const ks_function_config *cfg,
                                const uint64_t *crn_seeds)
{
	ks_function *f = sim_calloc(1, sizeof *f);
	f->name = sim_strdup(cfg->name);
	f->ctx = ctx;
	f->per_invocation = sim_dist_copy(&cfg->per_invocation);
	f->per_record = sim_dist_copy(&cfg->per_record);
	f->per_record_const = cfg->per_record.kind == SIM_DIST_CONST;
	f->timeout = cfg->timeout;
	f->memory_bytes = cfg->memory_bytes;
	f->crn_seeds = crn_seeds;
	f->duration_rng = sim_rng_stream(ctx->seed, ctx->replication, cfg->name, "duration", -1);

	char *group = sim_asprintf("functions/%s", f->name);
	f->labels = sim_calloc(cfg->shard_columns ? cfg->shard_columns : 1, sizeof *f->labels);
	for (size_t i = 0; i < cfg->shard_columns; i++)
		f->labels[i] = sim_strdup(cfg->shard_labels[i]);
	f->nlabels = cfg->shard_columns;
	set_labels(f);
	for (size_t i = 0; i < sizeof metric_defs / sizeof metric_defs[0]; i++) {
		const metric_def *d = &metric_defs[i];
		ks_metric_init(metric_at(f, d), ctx, group, d->name, d->kind,
		               d->per_shard ? cfg->shard_columns : 1, d->units, d->description,
		               d->per_shard ? "shard" : NULL);
	}
	/* Average duration per interval: a sum now, divided by invocations at the end. */
	f->duration_sum_ms.series = sim_series_create(SIM_SERIES_SUM, ctx->interval, ctx->stop, 1);
	f->duration_sum_ms.warmup = ctx->warmup;
	f->duration_avg_ms = sim_series_create(SIM_SERIES_SUM, ctx->interval, ctx->stop, 1);
	sim_metrics_add_series(ctx->metrics, group, "duration_avg_ms", f->duration_avg_ms, "ms",
	                       "mean handler duration (Duration, average)", NULL);
	f->latency = sim_hist_create();
	char *lat = sim_asprintf("%s/latency", group);
	sim_metrics_add_hist(ctx->metrics, lat, f->latency,
	                     "end-to-end latency: accepted by the shard -> processing finished");
	sim_free(lat);
	sim_free(group);
	return f;
}

void ks_function_destroy(ks_function *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < sizeof metric_defs / sizeof metric_defs[0]; i++)
		ks_metric_fini(metric_at(f, &metric_defs[i]));
	ks_metric_fini(&f->duration_sum_ms);
	sim_series_destroy(f->duration_avg_ms);
	sim_hist_destroy(f->latency);
	for (size_t i = 0; i < f->nlabels; i++)
		sim_free(f->labels[i]);
	sim_free(f->labels);
	sim_dist_fini(&f->per_invocation);
	sim_dist_fini(&f->per_record);
	gsl_rng_free(f->duration_rng);
	sim_free(f->name);
	sim_free(f);
}

sim_time ks_function_duration(ks_function *f, const ks_shard *shard, uint64_t from, uint64_t to)
{
	/* [MODEL 6] one per_invocation draw + the sum of each record's per_record work, the
	 * record's own v-quantile (MODEL.md section 1), so every topology sees the same luck. */
	double d = sim_dist_sample(&f->per_invocation, f->duration_rng);
	if (f->per_record_const) {
		d += f->per_record.a * (double)(to - from);
	} else {
		for (uint64_t q = from; q < to; q++) {
			const ks_record *r = ks_shard_record(shard, q);
			double v = sim_crn_uniform(f->crn_seeds[ks_record_producer(r)],
			                           ks_record_index(r), KS_RECORD_V_WORK);
			d += sim_dist_quantile(&f->per_record, v);
		}
	}
	return (sim_time)llround(fmax(0, d));
}

void ks_function_invoke_started(ks_function *f, sim_time t)
{
	ks_metric_add(&f->invocations, t, 0, 1);
	f->concurrent++;
	ks_metric_max(&f->concurrent_max, t, 0, f->concurrent);
}

void ks_function_invoke_finished(ks_function *f, sim_time t, sim_time duration,
                                 const ks_shard *shard, size_t column, uint64_t from,
                                 uint64_t to, sim_time age_at)
{
	f->concurrent--;
	double ms = (double)duration / 1e6;
	ks_metric_add(&f->duration_sum_ms, t, 0, ms);
	ks_metric_max(&f->duration_max_ms, t, 0, ms);
	bool measured = t >= f->ctx->warmup;
	if (measured) {
		/* [doc] billed per request and per GB-second, duration rounded up to 1 ms. */
		f->requests += 1;
		f->billed_gb_s += ceil(ms) / 1e3 * f->memory_bytes / (1024.0 * 1024.0 * 1024.0);
	}
	ks_metric_add(&f->records_processed, t, 0, (double)(to - from));
	if (f->observer)
		f->observer(f->observer_ctx, f, shard, from, to, t);
	sim_time warmup = f->ctx->warmup;
	for (uint64_t q = from; q < to; q++) {
		const ks_record *r = ks_shard_record(shard, q);
		if (r->arrival >= warmup)
			sim_hist_add(f->latency, t - r->arrival);
	}
	if (to > from) {
		/* [choice] iterator_age_at: Lambda's IteratorAge is the age of the batch's last
		 * record, taken when the batch is received, sent, or finished. */
		double age_ms = (double)(age_at - ks_shard_record(shard, to - 1)->arrival) / 1e6;
		ks_metric_max(&f->iterator_age_max_ms, t, column, age_ms);
		if (measured) {
			f->iterator_age_sum_ms += age_ms;
			f->iterator_age_batches += 1;
			if (age_ms > f->iterator_age_max)
				f->iterator_age_max = age_ms;
		}
	}
}

void ks_function_note_expired(ks_function *f, sim_time t, uint64_t n)
{
	ks_metric_add(&f->records_expired, t, 0, (double)n);
}

void ks_function_note_read(ks_function *f, sim_time t, size_t column, bool admitted,
                           sim_time getrecords_age)
{
	if (!admitted) {
		ks_metric_add(&f->read_throttled, t, column, 1);
		return;
	}
	double ms = (double)getrecords_age / 1e6;
	if (t >= f->ctx->warmup && ms > f->getrecords_age_max_ms)
		f->getrecords_age_max_ms = ms;
}

void ks_function_summarize(ks_function *f)
{
	/* Derive the per-interval average duration. */
	const double *sum = sim_series_data(f->duration_sum_ms.series);
	const double *n = sim_series_data(f->invocations.series);
	size_t rows = sim_series_rows(f->duration_avg_ms);
	const double *have = sim_series_data(f->duration_avg_ms);
	for (size_t i = 0; i < rows; i++) {
		sim_time t = sim_series_row_end(f->duration_avg_ms, i) - 1;
		if (have[i] == 0 && n[i] > 0)
			sim_series_add(f->duration_avg_ms, t, 0, sum[i] / n[i]);
	}

	const sim_hist *h = f->latency;
	struct {
		const char *name;
		double value;
		const char *unit;
	} rows_[] = {
		{"invocations", f->invocations.total, "count"},
		{"errors", f->errors.total, "count"},
		{"throttles", f->throttles.total, "count"},
		{"cold_starts", f->cold_starts.total, "count"},
		{"concurrent_max", f->concurrent_max.total, "count"},
		{"duration.mean",
		 f->invocations.total > 0 ? f->duration_sum_ms.total / f->invocations.total / 1e3 : 0,
		 "s"},
		{"duration.max", f->duration_max_ms.total / 1e3, "s"},
		{"records_processed", f->records_processed.total, "count"},
		{"records_skipped", f->records_skipped.total, "count"},
		{"records_forwarded", f->records_forwarded.total, "count"},
		{"records_expired", f->records_expired.total, "count"},
		{"records_on_failure", f->records_on_failure.total, "count"},
		{"on_failure_events", f->on_failure_events.total, "count"},
		{"duplicates", f->duplicates.total, "count"},
		{"read_throttled", f->read_throttled.total, "count"},
		{"iterator_age.mean",
		 f->iterator_age_batches > 0 ? f->iterator_age_sum_ms / f->iterator_age_batches / 1e3
		                             : 0,
		 "s"},
		{"iterator_age.max", f->iterator_age_max / 1e3, "s"},
		{"getrecords_iterator_age.max", f->getrecords_age_max_ms / 1e3, "s"},
		{"latency.mean", sim_hist_mean(h) / 1e9, "s"},
		{"latency.p10", (double)sim_hist_quantile(h, 0.10) / 1e9, "s"},
		{"latency.p25", (double)sim_hist_quantile(h, 0.25) / 1e9, "s"},
		{"latency.p50", (double)sim_hist_quantile(h, 0.50) / 1e9, "s"},
		{"latency.p75", (double)sim_hist_quantile(h, 0.75) / 1e9, "s"},
		{"latency.p90", (double)sim_hist_quantile(h, 0.90) / 1e9, "s"},
		{"latency.p99", (double)sim_hist_quantile(h, 0.99) / 1e9, "s"},
		{"latency.p999", (double)sim_hist_quantile(h, 0.999) / 1e9, "s"},
		{"latency.max", (double)sim_hist_max(h) / 1e9, "s"},
	};
	for (size_t i = 0; i < sizeof rows_ / sizeof rows_[0]; i++) {
		char *path = sim_asprintf("%s.%s", f->name, rows_[i].name);
		sim_metrics_set_value(f->ctx->metrics, path, rows_[i].value, rows_[i].unit);
		sim_free(path);
	}
}
