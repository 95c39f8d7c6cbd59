/* The summary's verdict (verdict.h): rules over each entity's metrics. The limits named are
 * the platform's (docs/model.md, docs/summary.md). */
#include "cli/verdict.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/format.h"
#include "sim/alloc.h"

const char *cli_state_name(cli_state s)
{
	switch (s) {
	case CLI_OK: return "OK";
	case CLI_THROTTLED: return "throttled";
	case CLI_BEHIND: return "falling behind";
	case CLI_LOSING: return "losing records";
	}
	return "?";
}

/* Adds a finding; the worst one's limit and change are the verdict's. */
static void note(cli_verdict *v, cli_state state, const char *limit, const char *change,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void note(cli_verdict *v, cli_state state, const char *limit, const char *change,
                 const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	char *joined = v->finding ? sim_asprintf("%s; %s", v->finding, text) : sim_strdup(text);
	sim_free(v->finding);
	v->finding = joined;
	if (state > v->state || (state == v->state && state != CLI_OK && !v->limit)) {
		v->state = state;
		sim_free(v->limit);
		sim_free(v->change);
		v->limit = limit ? sim_strdup(limit) : NULL;
		v->change = change ? sim_strdup(change) : NULL;
	}
}

static bool positive(double x)
{
	return !isnan(x) && x > 0;
}

typedef struct facts {
	const cli_entities *es;
	const cli_entity *e;
	double secs; /* measured period, NaN unknown */
} facts;

static double val(const facts *f, const char *metric)
{
	return cli_entity_value(f->es, f->e, metric);
}

static void stream_verdict(const facts *f, cli_verdict *v)
{
	char a[64], b[64], c[64];
	double shards = val(f, "shards"), mean = val(f, "shards.mean");
	double lost = val(f, "records_lost"), expired = val(f, "records_expired");
	double wt = val(f, "write_throttled"), wt_bytes = val(f, "write_throttled.by_bytes");
	double rt = val(f, "read_throttled"), rt_bytes = val(f, "read_throttled.by_bytes");
	double rt_rate = val(f, "read_throttled.per_shard_per_minute");
	double calls = val(f, "read_calls"), read_bytes = val(f, "read_bytes");
	double shard_s = positive(mean) && positive(f->secs) ? mean * f->secs : NAN;

	const char *write_limit = positive(wt_bytes) && wt_bytes * 2 > wt
	                                  ? "write throughput, 1 MiB/s per shard"
	                                  : "writes, 1,000 records/s per shard";
	if (positive(lost)) {
		cli_fmt_count(a, sizeof a, lost);
		note(v, CLI_LOSING, write_limit,
		     "add shards, or spread the partition keys over more of them",
		     "%s records refused by the write limit and lost", a);
	}
	if (positive(expired)) {
		cli_fmt_count(a, sizeof a, expired);
		note(v, CLI_LOSING, "retention: records expired before a reader reached them",
		     "make its readers keep up (see their verdicts), or keep records longer",
		     "%s records expired unread", a);
	}
	if (positive(wt)) {
		cli_fmt_count(a, sizeof a, wt);
		note(v, CLI_THROTTLED, write_limit,
		     "add shards, or spread the partition keys over more of them",
		     "writes throttled %s time%s (retried by the producers)", a,
		     wt == 1 ? "" : "s");
	}
	if (positive(rt)) {
		cli_fmt_number(a, sizeof a, rt_rate, 1);
		cli_fmt_count(b, sizeof b, rt);
		cli_fmt_count(c, sizeof c, calls);
		bool bytes = positive(rt_bytes) && rt_bytes * 2 > rt;
		char limit[256];
		if (bytes) {
			double per_shard = read_bytes / shard_s;
			if (positive(per_shard))
				snprintf(limit, sizeof limit,
				         "shared read throughput, 2 MiB/s per shard (readers got "
				         "%.2f "
				         "MB/s per shard)",
				         per_shard / 1e6);
			else
				snprintf(limit, sizeof limit,
				         "shared read throughput, 2 MiB/s per shard");
		} else {
			double per_shard = calls / shard_s;
			if (positive(per_shard))
				snprintf(limit, sizeof limit,
				         "5 GetRecords calls/s per shard, shared by every polling "
				         "reader "
				         "(%.1f calls/s per shard made)",
				         per_shard);
			else
				snprintf(limit, sizeof limit,
				         "5 GetRecords calls/s per shard, shared by every polling "
				         "reader");
		}
		const char *change =
		        bytes ? "add shards, or move readers to enhanced fan-out (2 MiB/s per "
		                "shard "
		                "each)"
		              : "fewer polling readers on this stream, or enhanced fan-out for "
		                "some; "
		                "more shards do not help (every reader polls every shard)";
		note(v, rt_rate >= CLI_READ_THROTTLE_PER_SHARD_MIN ? CLI_THROTTLED : CLI_OK,
		     rt_rate >= CLI_READ_THROTTLE_PER_SHARD_MIN ? limit : NULL,
		     rt_rate >= CLI_READ_THROTTLE_PER_SHARD_MIN ? change : NULL,
		     "reads throttled %s/shard/min (%s of %s GetRecords calls)%s", a, b, c,
		     rt_rate >= CLI_READ_THROTTLE_PER_SHARD_MIN ? "" : ", retried without harm");
	}
	if (positive(shards) && positive(mean) && fabs(shards - mean) >= 0.05) {
		cli_fmt_count(a, sizeof a, shards);
		note(v, CLI_OK, NULL, NULL, "%s shards at the end (%.1f on average)", a, mean);
	}
}

/* Seconds of its own throughput a consumer ends with pending, NaN when unknown. */
static double pending_seconds(const facts *f, double pending, double processed)
{
	if (!positive(pending))
		return 0;
	if (!positive(processed) || !positive(f->secs))
		return INFINITY;
	return pending / (processed / f->secs);
}

static void behind_check(const facts *f, cli_verdict *v, double pending, double processed,
                         const char *limit, const char *change)
{
	char a[64], b[64], rising[64] = "";
	double age = val(f, "iterator_age.max"), growth = val(f, "iterator_age.growth");
	double bar = CLI_BEHIND_S;
	if (positive(f->secs) && CLI_BEHIND_FRACTION * f->secs > bar)
		bar = CLI_BEHIND_FRACTION * f->secs;
	double ps = pending_seconds(f, pending, processed);
	bool grows = positive(growth) && growth > CLI_BEHIND_GROWTH;
	if (!(ps > bar || (positive(age) && age > bar) || grows))
		return;
	cli_fmt_count(a, sizeof a, pending);
	cli_fmt_value(b, sizeof b, age, "s");
	if (grows)
		snprintf(rising, sizeof rising, ", rising ~%.2g s/s", growth);
	if (isnan(age))
		note(v, CLI_BEHIND, limit, change, "%s records pending at the end, none processed",
		     a);
	else if (isnan(pending))
		note(v, CLI_BEHIND, limit, change, "iterator age up to %s%s", b, rising);
	else
		note(v, CLI_BEHIND, limit, change,
		     "%s records pending at the end; iterator age up to %s%s", a, b, rising);
}

static void function_verdict(const facts *f, cli_verdict *v)
{
	char a[64], b[64];
	double inv = val(f, "invocations"), errors = val(f, "errors");
	double throttles = val(f, "throttles"), expired = val(f, "records_expired");
	double dropped = val(f, "dropped_events"), on_failure = val(f, "records_on_failure");
	double skipped = val(f, "records_skipped");
	double pending = val(f, "records_pending"), processed = val(f, "records_processed");
	double read_throttled = val(f, "read_throttled");

	if (positive(expired)) {
		cli_fmt_count(a, sizeof a, expired);
		note(v, CLI_LOSING, "the stream's retention, while the function falls behind",
		     "make it keep up: a larger batch_size or parallelization_factor, more shards, "
		     "a faster handler",
		     "%s records expired before it processed them", a);
	}
	/* DroppedEventCount holds the expired ones and those its on_failure destination kept */
	double delivered = val(f, "on_failure_delivered_events");
	double dropped_unkept = (positive(dropped) ? dropped : 0) -
	                        (positive(delivered) ? delivered : 0) -
	                        (positive(expired) ? expired : 0);
	if (dropped_unkept > 0) {
		cli_fmt_count(a, sizeof a, dropped_unkept);
		note(v, CLI_LOSING, "retry attempts or record age exhausted",
		     "an on_failure destination would keep them; fix the failing records",
		     "%s events dropped with no on_failure destination to keep them", a);
	}
	if (positive(skipped)) {
		cli_fmt_count(a, sizeof a, skipped);
		note(v, CLI_LOSING, "the handler's own policy (on_record_error: skip)",
		     "forward failing records instead of skipping them",
		     "%s records skipped by the handler", a);
	}
	if (positive(on_failure)) {
		cli_fmt_count(a, sizeof a, on_failure);
		note(v, CLI_OK, NULL, NULL,
		     "%s records failed and went to its on_failure destination (kept there)", a);
	}
	const char *limit = positive(throttles) ? "Lambda concurrency (reserved, or the account's)"
	                    : positive(read_throttled)
	                            ? "the stream's read limit (see the stream's verdict)"
	                            : "processing: one batch at a time per shard";
	const char *change = positive(throttles) ? "raise reserved concurrency or the account limit"
	                     : positive(read_throttled)
	                             ? "lift the stream's read limit: its verdict says how"
	                             : "a larger batch_size or parallelization_factor, more "
	                               "shards, or a faster handler";
	behind_check(f, v, pending, processed, limit, change);
	if (positive(throttles)) {
		cli_fmt_count(a, sizeof a, throttles);
		note(v, CLI_THROTTLED, "Lambda concurrency (reserved, or the account's)",
		     "raise reserved concurrency or the account limit, or lower the trigger's "
		     "parallelization",
		     "invocations throttled %s time%s", a, throttles == 1 ? "" : "s");
	}
	if (positive(errors)) {
		cli_fmt_count(a, sizeof a, errors);
		snprintf(b, sizeof b, "%.1f%%", positive(inv) ? 100 * errors / inv : 100.0);
		note(v, CLI_OK, NULL, NULL, "%s errors (%s of invocations)", a, b);
	}
}

static void consumer_verdict(const facts *f, cli_verdict *v)
{
	char a[64];
	double expired = val(f, "records_expired");
	if (positive(expired)) {
		cli_fmt_count(a, sizeof a, expired);
		note(v, CLI_LOSING, "the stream's retention, while the consumer falls behind",
		     "make it keep up: more workers (shards), a faster record processor",
		     "%s records expired before it read them", a);
	}
	behind_check(f, v, NAN, NAN, "processing: one GetRecords response at a time per shard",
	             "a faster record processor, or more shards");
}

static void producer_verdict(const facts *f, cli_verdict *v)
{
	char a[64];
	double lost = val(f, "records_lost"), oversized = val(f, "records_oversized");
	if (positive(lost)) {
		cli_fmt_count(a, sizeof a, lost);
		note(v, CLI_LOSING, "the stream's write limit (see the stream's verdict)",
		     "add shards, or more retries", "%s records lost after its retries", a);
	}
	if (positive(oversized)) {
		cli_fmt_count(a, sizeof a, oversized);
		note(v, CLI_LOSING, "the 1 MiB record limit", "smaller records",
		     "%s records over the size limit refused", a);
	}
}

/* Any other entity: a count of records lost, expired, dropped or refused as too large. */
static void other_verdict(const facts *f, cli_verdict *v)
{
	static const char *const losses[] = {"lost", "expired", "dropped", "too_large"};
	char a[64];
	for (size_t k = f->e->first; k < f->e->first + f->e->count; k++) {
		const cli_summary_row *r = &f->es->rows[f->es->order[k]];
		const char *m = cli_metric_name(r, f->e);
		if (strcmp(r->unit, "count") != 0 || !positive(r->mean))
			continue;
		for (size_t i = 0; i < sizeof losses / sizeof losses[0]; i++)
			if (strstr(m, losses[i])) {
				cli_fmt_count(a, sizeof a, r->mean);
				note(v, CLI_LOSING, NULL, NULL, "%s: %s", m, a);
				break;
			}
	}
}

size_t cli_verdicts(const cli_entities *es, double measured_s, cli_verdict **out)
{
	cli_verdict *v = sim_calloc(es->n ? es->n : 1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < es->n; i++) {
		const cli_entity *e = &es->e[i];
		if (e->kind == CLI_KIND_COST)
			continue;
		facts f = {es, e, measured_s};
		cli_verdict *x = &v[n++];
		*x = (cli_verdict){.entity = e};
		switch (e->kind) {
		case CLI_KIND_STREAM: stream_verdict(&f, x); break;
		case CLI_KIND_FUNCTION: function_verdict(&f, x); break;
		case CLI_KIND_CONSUMER: consumer_verdict(&f, x); break;
		case CLI_KIND_PRODUCER: producer_verdict(&f, x); break;
		default: other_verdict(&f, x); break;
		}
	}
	*out = v;
	return n;
}

void cli_verdicts_free(cli_verdict *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sim_free(v[i].finding);
		sim_free(v[i].limit);
		sim_free(v[i].change);
	}
	sim_free(v);
}
