/* The `streams:` component (core/component.h): Kinesis data streams, their scenario format,
 * platform.kinesis, and the Kinesis prices. */
#include "models/kinesis/kinesis.h"

#include <math.h>
#include <string.h>

#include "models/kinesis/stream.h"
#include "sim/alloc.h"
#include "sim/units.h"

#define S_  (double)SIM_S
#define MIB 1048576.0

/* platform.kinesis, read once per run (what every stream and its readers share). */
typedef struct kinesis_platform {
	double read_tps, read_bytes, write_records, write_bytes;
	int write_limiter; /* 1: fixed window */
	int read_limiter;  /* ks_read_limiter_kind */
	bool throttled_calls_count;
	sim_time read_byte_tolerance, put_to_readable, efo_renewal_gap, on_demand_split_after,
	        reshard_time;
	sim_dist getrecords_latency, efo_push_latency;
	sim_qtable efo_push_table; /* efo_push_latency's quantiles, one per record pushed */
	int64_t on_demand_max_shards;
	bool on_demand_advantage;
} kinesis_platform;

static const sim_schema_value write_limiters[] = {
        {"token_bucket", 0}, {"fixed_window", 1}, {NULL, 0}};
static const sim_schema_value read_limiters[] = {{"sliding_window", KS_READ_SLIDING_WINDOW},
                                                 {"token_bucket", KS_READ_TOKEN_BUCKET},
                                                 {"fixed_window", KS_READ_FIXED_WINDOW},
                                                 {NULL, 0}};

#define AT(f) SIM_SCHEMA_AT(kinesis_platform, f)
static const sim_schema platform_keys[] = {
        {.key = "read_tps",
         .kind = SIM_SCHEMA_RATE,
         .def = "5/s",
         .min = 0.001,
         .max = 1e6,
         AT(read_tps)},
        {.key = "read_bytes",
         .kind = SIM_SCHEMA_RATE,
         .def = "2MiB/s",
         .min = 1,
         .max = 1e12,
         AT(read_bytes)},
        {.key = "write_records",
         .kind = SIM_SCHEMA_RATE,
         .def = "1000/s",
         .min = 1,
         .max = 1e9,
         AT(write_records)},
        {.key = "write_bytes",
         .kind = SIM_SCHEMA_RATE,
         .def = "1MiB/s",
         .min = 1,
         .max = 1e12,
         AT(write_bytes)},
        {.key = "write_limiter",
         .kind = SIM_SCHEMA_ENUM,
         .def = "token_bucket",
         .values = write_limiters,
         AT(write_limiter)},
        {.key = "read_limiter",
         .kind = SIM_SCHEMA_ENUM,
         .def = "sliding_window",
         .values = read_limiters,
         AT(read_limiter)},
        {.key = "throttled_calls_count",
         .kind = SIM_SCHEMA_BOOL,
         .def = "false",
         AT(throttled_calls_count)},
        {.key = "read_byte_tolerance",
         .kind = SIM_SCHEMA_DURATION,
         .def = "1s",
         .min = 0,
         .max = 3600 * S_,
         AT(read_byte_tolerance)},
        {.key = "put_to_readable",
         .kind = SIM_SCHEMA_DURATION,
         .def = "0s",
         .min = 0,
         .max = 3600 * S_,
         AT(put_to_readable)},
        {.key = "getrecords_latency",
         .kind = SIM_SCHEMA_DIST_DURATION,
         .def = "{dist: lognormal, median: 70ms, p99: 300ms}",
         AT(getrecords_latency)},
        {.key = "efo_push_latency",
         .kind = SIM_SCHEMA_DIST_DURATION,
         .def = "{dist: lognormal, median: 45ms, p99: 100ms}",
         AT(efo_push_latency)},
        {.key = "efo_renewal_gap",
         .kind = SIM_SCHEMA_DURATION,
         .def = "0s",
         .min = 0,
         .max = 300 * S_,
         AT(efo_renewal_gap)},
        /* [choice] UpdateShardCount is asynchronous: [doc] it "can take a few minutes";
         * the new shards open this long after the call */
        {.key = "reshard_time",
         .kind = SIM_SCHEMA_DURATION,
         .def = "1m",
         .min = 0,
         .max = 3600 * S_,
         AT(reshard_time)},
        {.key = "on_demand_split_after",
         .kind = SIM_SCHEMA_DURATION,
         .def = "15m",
         .min = 0,
         .max = 86400 * S_,
         AT(on_demand_split_after)},
        /* [doc] On-demand Advantage, an account-level mode: no per-stream charge, lower data
         * prices, 50 enhanced fan-out consumers per stream, warm throughput */
        {.key = "on_demand_advantage",
         .kind = SIM_SCHEMA_BOOL,
         .def = "false",
         AT(on_demand_advantage)},
        /* [doc] on-demand streams scale to 10 GB/s of writes in us-east-1 (the prices' region;
         * 200 MB/s in most others): 10,000 shards of 1 MiB/s */
        {.key = "on_demand_max_shards",
         .kind = SIM_SCHEMA_INT,
         .def = "10000",
         .min = 4,
         .max = 10000,
         AT(on_demand_max_shards)},
        {.key = NULL},
};
#undef AT

/* One stream's entry. */
typedef struct stream_entry {
	int64_t shards;
	int on_demand;
	sim_time retention;
	double max_record_size;
	sim_time backlog;
	double warm_throughput;
} stream_entry;

static const sim_schema_value modes[] = {{"provisioned", 0}, {"on_demand", 1}, {NULL, 0}};

static const sim_schema reshard_keys[] = {
        {.key = "at",
         .kind = SIM_SCHEMA_DURATION,
         .flags = SIM_SCHEMA_REQUIRED,
         .min = 1e6,
         .max = 366 * 86400 * S_},
        {.key = "shards",
         .kind = SIM_SCHEMA_INT,
         .flags = SIM_SCHEMA_REQUIRED,
         .min = 1,
         .max = 10000},
        {.key = NULL},
};
static const sim_schema reshard_item = {
        .kind = SIM_SCHEMA_MAP, .children = reshard_keys, .what = "reshard"};

#define AT(f) SIM_SCHEMA_AT(stream_entry, f)
static const sim_schema stream_keys[] = {
        /* required unless mode: on_demand (check_stream) */
        {.key = "shards", .kind = SIM_SCHEMA_INT, .min = 1, .max = 10000, AT(shards)},
        {.key = "mode",
         .kind = SIM_SCHEMA_ENUM,
         .def = "provisioned",
         .values = modes,
         AT(on_demand)},
        {.key = "retention",
         .kind = SIM_SCHEMA_DURATION,
         .def = "24h",
         .min = 24 * 3600 * S_,
         .max = 8760 * 3600 * S_,
         .flags = SIM_SCHEMA_SOFT_RANGE,
         AT(retention)},
        /* [doc] MaxRecordSizeInKiB: 1 MiB by default, up to 10 MiB; data and partition key */
        {.key = "max_record_size",
         .kind = SIM_SCHEMA_SIZE_BINARY_MB,
         .def = "1MiB",
         .min = MIB,
         .max = 10 * MIB,
         .flags = SIM_SCHEMA_SOFT_RANGE,
         AT(max_record_size)},
        {.key = "reshard", .kind = SIM_SCHEMA_SEQ, .item = &reshard_item},
        /* [doc] On-demand Advantage: write capacity kept warm, bytes/s (0: none) */
        {.key = "warm_throughput",
         .kind = SIM_SCHEMA_RATE,
         .def = "0/s",
         .min = 0,
         .max = 10e9,
         AT(warm_throughput)},
        /* how long its producers wrote before the run starts, nobody reading */
        {.key = "backlog",
         .kind = SIM_SCHEMA_DURATION,
         .def = "0s",
         .min = 0,
         .max = 8760 * 3600 * S_,
         AT(backlog)},
        {.key = NULL},
};
#undef AT
static const sim_schema stream_item = {
        .kind = SIM_SCHEMA_MAP, .children = stream_keys, .what = "stream"};

/* [doc] us-east-1. Provisioned: shard-hours and 25 KB PUT payload units; on-demand: stream-hours
 * and GB in and out, each record rounded up to 1 KiB; retention past 24 h (retention_cost);
 * enhanced fan-out: consumer-shard-hours and GB pushed. The order of the
 * rows is the order of the sum. */
static const ks_price prices[] = {
        {"shard_hour", "0.015", 1},
        {"put_payload_unit_million", "0.014", KS_PER_MILLION},
        {KS_PRICE_EFO_HOURS, "0.015", 1},
        {KS_PRICE_EFO_BYTES, "0.013", KS_PER_GB},
        {"on_demand_stream_hour", "0.04", 1},
        {"on_demand_gb_in", "0.08", KS_PER_GB},
        {"on_demand_gb_out", "0.04", KS_PER_GB},
        {"extended_retention_shard_hour", "0.02", 1},
        {"on_demand_extended_retention_gb_month", "0.10", KS_PER_GB},
        {"long_term_retention_gb_month", "0.023", KS_PER_GB},
        /* [choice] On-demand Advantage: 40% of On-demand Standard's (AWS: "at least 60%
         * lower"); set your region's */
        {"advantage_gb_in", "0.032", KS_PER_GB},
        {"advantage_gb_out", "0.016", KS_PER_GB},
        {"advantage_extended_retention_gb_month", "0.04", KS_PER_GB},
        {NULL, NULL, 0},
};

/* [doc] UpdateShardCount: at most double the open shards or half of them per call (rounded
 * up), at most 10 calls in any 24 hours, none while the previous one is under way. AWS limits:
 * warnings under aws_ranges: warn. */
static void check_reshard(const sim_yaml_node *item, int64_t *open, sim_time t,
                          const sim_time *since, size_t i, sim_time reshard_time, bool warn,
                          sim_diag *d)
{
	sim_diag_severity level = warn ? SIM_DIAG_WARNING : SIM_DIAG_ERROR;
	const sim_yaml_node *at = sim_yaml_get(item, "at");
	const sim_yaml_node *shards = sim_yaml_get(item, "shards");
	int64_t n;
	char err[160];
	if (i > 0 && t < since[i - 1] + reshard_time) {
		char rt[64];
		sim_time_format(rt, sizeof rt, reshard_time);
		sim_diag_report(d, level, at->file, at->line, at->col,
		                "a reshard at %s comes while the previous one is under way "
		                "(UpdateShardCount takes reshard_time, %s)",
		                at->text, rt);
		sim_diag_hint(d, "AWS refuses a call while the stream is UPDATING");
	}
	size_t calls = 1;
	for (size_t k = 0; k < i; k++)
		calls += since[k] > t - 24 * SIM_HOUR;
	if (calls > 10) {
		sim_diag_report(d, level, at->file, at->line, at->col,
		                "%zu reshards of one stream within 24 hours; AWS allows 10", calls);
		sim_diag_hint(d, "UpdateShardCount is limited to 10 calls per rolling 24 hours");
	}
	if (shards && shards->kind == SIM_YAML_SCALAR &&
	    sim_parse_count(shards->text, &n, err, sizeof err) == 0 && *open > 0) {
		if (n > 2 * *open || 2 * n < *open) {
			sim_diag_report(
			        d, level, shards->file, shards->line, shards->col,
			        "a reshard from %lld to %lld shards; UpdateShardCount goes at "
			        "most to double or to half the open shards per call",
			        (long long)*open, (long long)n);
			sim_diag_hint(d, "reshard in steps, each at least reshard_time apart");
		}
		*open = n;
	}
}

/* shards is required for a provisioned stream and refused for an on-demand one; reshards
 * come in time order, on provisioned streams, within UpdateShardCount's limits. */
static void check_stream(const sim_yaml_pair *p, sim_time reshard_time, bool warn, bool advantage,
                         sim_diag *d)
{
	const sim_yaml_node *mode = sim_yaml_get(p->value, "mode");
	bool on_demand =
	        mode && mode->kind == SIM_YAML_SCALAR && strcmp(mode->text, "on_demand") == 0;
	const sim_yaml_pair *shards = sim_yaml_get_pair(p->value, "shards");
	if (!on_demand && !shards && p->value->kind == SIM_YAML_MAP) {
		sim_diag_report(d, SIM_DIAG_ERROR, p->key->file, p->key->line, p->key->col,
		                "missing required key 'shards' in stream '%s'", p->key->text);
		sim_diag_hint(d,
		              "or mode: on_demand, which starts at 4 shards and splits hot ones");
	}
	if (on_demand && shards) {
		sim_diag_report(
		        d, SIM_DIAG_ERROR, shards->key->file, shards->key->line, shards->key->col,
		        "an on_demand stream takes no 'shards' (stream '%s')", p->key->text);
		sim_diag_hint(d, "on-demand streams start at 4 shards and split the hot ones");
	}
	const sim_yaml_pair *warm = sim_yaml_get_pair(p->value, "warm_throughput");
	if (warm && !sim_schema_holds_default(warm, stream_keys) && (!on_demand || !advantage)) {
		sim_diag_report(d, SIM_DIAG_ERROR, warm->key->file, warm->key->line, warm->key->col,
		                "warm_throughput needs an on_demand stream and "
		                "platform.kinesis.on_demand_advantage: true (stream '%s')",
		                p->key->text);
		sim_diag_hint(d, "warm throughput is an On-demand Advantage feature");
	}
	const sim_yaml_pair *backlog = sim_yaml_get_pair(p->value, "backlog");
	if (on_demand && backlog && !sim_schema_holds_default(backlog, stream_keys)) {
		sim_diag_report(d, SIM_DIAG_ERROR, backlog->key->file, backlog->key->line,
		                backlog->key->col,
		                "a backlog needs a provisioned stream (stream '%s' is on_demand)",
		                p->key->text);
		sim_diag_hint(d, "kinesim does not model an on-demand stream's past peaks");
	}
	const sim_yaml_pair *plan = sim_yaml_get_pair(p->value, "reshard");
	if (!plan || plan->value->kind != SIM_YAML_SEQ)
		return;
	if (on_demand) {
		sim_diag_report(d, SIM_DIAG_ERROR, plan->key->file, plan->key->line, plan->key->col,
		                "an on_demand stream cannot be resharded (stream '%s')",
		                p->key->text);
		return;
	}
	sim_time last = 0;
	int64_t open = -1;
	char err[160];
	if (shards && shards->value->kind == SIM_YAML_SCALAR &&
	    sim_parse_count(shards->value->text, &open, err, sizeof err) < 0)
		open = -1;
	sim_time *since = sim_calloc(plan->value->n, sizeof *since);
	for (size_t i = 0; i < plan->value->n; i++) {
		const sim_yaml_node *at = sim_yaml_get(plan->value->items[i], "at");
		sim_time t;
		if (!at || at->kind != SIM_YAML_SCALAR ||
		    sim_parse_duration(at->text, &t, err, sizeof err) < 0) {
			since[i] = INT64_MIN / 2;
			continue;
		}
		since[i] = t;
		if (t <= last) {
			sim_diag_report(
			        d, SIM_DIAG_ERROR, at->file, at->line, at->col,
			        "reshards must be in time order (got at: %s after a later one)",
			        at->text);
			break;
		}
		last = t;
		check_reshard(plan->value->items[i], &open, t, since, i, reshard_time, warn, d);
	}
	sim_free(since);
}

static void check_all(const sim_yaml_node *root, const sim_yaml_node *entries, sim_diag *d)
{
	const sim_yaml_node *platform = sim_yaml_get(root, "platform");
	bool warn = false;
	const sim_yaml_node *aws = sim_yaml_get(platform, "aws_ranges");
	if (aws && aws->kind == SIM_YAML_SCALAR)
		warn = strcmp(aws->text, "warn") == 0;
	const sim_yaml_node *adv =
	        sim_yaml_get(sim_yaml_get(platform, "kinesis"), "on_demand_advantage");
	bool advantage = adv && adv->kind == SIM_YAML_SCALAR && strcmp(adv->text, "true") == 0;
	sim_time reshard_time = 60 * SIM_S;
	const sim_yaml_node *rt = sim_yaml_get(sim_yaml_get(platform, "kinesis"), "reshard_time");
	char err[128];
	if (rt && rt->kind == SIM_YAML_SCALAR &&
	    sim_parse_duration(rt->text, &reshard_time, err, sizeof err) < 0)
		reshard_time = 60 * SIM_S; /* reported by the schema */
	for (size_t i = 0; entries && entries->kind == SIM_YAML_MAP && i < entries->n; i++)
		check_stream(&entries->pairs[i], reshard_time, warn, advantage, d);
}

static void *prepare(ks_model *m)
{
	kinesis_platform *k = sim_calloc(1, sizeof *k);
	sim_schema_fill(ks_model_platform(m, "kinesis"), platform_keys, k);
	sim_qtable_init(&k->efo_push_table, &k->efo_push_latency);
	return k;
}

static void release(void *state)
{
	kinesis_platform *k = state;
	sim_dist_fini(&k->getrecords_latency);
	sim_qtable_fini(&k->efo_push_table);
	sim_dist_fini(&k->efo_push_latency);
	sim_free(k);
}

/* [doc] an on-demand stream starts with 4 MiB/s of writes, or its warm throughput (On-demand
 * Advantage): a shard per MiB/s. */
static size_t on_demand_start(const stream_entry *e)
{
	size_t warm = (size_t)ceil(e->warm_throughput / MIB);
	return warm > 4 ? warm : 4;
}

static void create(ks_model *m, const char *entry, const sim_yaml_node *node)
{
	kinesis_platform *k = ks_model_state(m, &ks_streams_component);
	stream_entry e = {0};
	sim_schema_fill(node, stream_keys, &e);
	const sim_yaml_node *plan = sim_yaml_get(node, "reshard");
	size_t nreshards = plan && plan->kind == SIM_YAML_SEQ ? plan->n : 0;
	ks_reshard *reshards = sim_calloc(nreshards ? nreshards : 1, sizeof *reshards);
	for (size_t r = 0; r < nreshards; r++)
		reshards[r] = (ks_reshard){
		        .at = sim_schema_duration(plan->items[r], "at") + k->reshard_time,
		        .shards = (size_t)sim_schema_int(plan->items[r], "shards")};
	ks_stream_config cfg = {
	        .name = entry,
	        /* [doc] on-demand: 4 MiB/s of write capacity at first, 4 shards' worth */
	        .shards = e.on_demand ? on_demand_start(&e) : (size_t)e.shards,
	        .advantage = e.on_demand && k->on_demand_advantage,
	        .on_demand = e.on_demand,
	        .split_bytes_per_s = 500 * 1024, /* [doc] 500 KB/s, AWS's KB */
	        .split_after = k->on_demand_split_after,
	        .max_shards = (size_t)k->on_demand_max_shards,
	        .reshards = reshards,
	        .nreshards = nreshards,
	        .retention = e.retention,
	        .put_to_readable = k->put_to_readable,
	        .max_record_size = e.max_record_size,
	        .backlog = e.backlog,
	        .write = {.fixed_window = k->write_limiter == 1,
	                  .records_per_s = k->write_records,
	                  .bytes_per_s = k->write_bytes,
	                  .burst_bytes = fmax(k->write_bytes, e.max_record_size)},
	        .read = {.kind = (ks_read_limiter_kind)k->read_limiter,
	                 .calls_per_s = k->read_tps,
	                 .bytes_per_s = k->read_bytes,
	                 .tolerance = k->read_byte_tolerance,
	                 .throttled_calls_count = k->throttled_calls_count},
	        .getrecords_latency = &k->getrecords_latency,
	        .efo = {.push_latency = &k->efo_push_table,
	                .bytes_per_s = 2 * MIB,        /* [doc] per shard per consumer */
	                .renewal_period = 5 * SIM_MIN, /* [doc] a subscription lasts 5 minutes */
	                .renewal_gap = k->efo_renewal_gap},
	};
	ks_stream *s = ks_stream_create(ks_model_ctx(m), &cfg);
	sim_free(reshards);
	ks_entity *en = ks_model_add(m, &ks_streams_component, entry, entry, node, s);
	en->sink = ks_stream_sink(s); /* the fan-out layer's {stream: ...} */
}

/* The producers' partition keys, to route what the fan-out layer re-publishes. */
static void link_names(ks_model *m, ks_entity *e)
{
	ks_stream *s = e->obj;
	s->key_count = ks_producers_key_counts(m, &s->nproducers);
}

static void finish(void *obj, sim_time end)
{
	ks_stream_expire(obj, end);
}

/* [doc] Retention past 24 h: up to 7 days, extended retention (provisioned: per shard-hour;
 * on-demand: per GB-month stored); past 7 days, long-term retention per GB-month stored.
 * [choice] The data ingested in the measured period is charged for the whole time it will be
 * stored in each tier (a GB-month is a GB kept 730 hours), so a window's cost is its share of
 * the steady state even when the window is shorter than the retention. */
static void retention_cost(const ks_stream *s, ks_cost *cost)
{
	double day = 24.0, week = 7 * 24.0, month = 730.0;
	double hours = (double)s->retention / (double)SIM_HOUR;
	if (hours <= day)
		return;
	double extended = (hours < week ? hours : week) - day;
	if (s->cfg.on_demand)
		*ks_cost_quantity(cost, s->cfg.advantage
		                                ? "advantage_extended_retention_gb_month"
		                                : "on_demand_extended_retention_gb_month") +=
		        s->bytes_in * extended / month;
	else
		*ks_cost_quantity(cost, "extended_retention_shard_hour") +=
		        ks_stream_shard_hours(s);
	if (hours > week)
		*ks_cost_quantity(cost, "long_term_retention_gb_month") +=
		        s->bytes_in * (hours - week) / month;
}

static void summarize(void *obj, ks_cost *cost)
{
	const ks_stream *s = obj;
	ks_stream_summarize(s);
	retention_cost(s, cost);
	if (s->cfg.advantage) { /* [doc] no per-stream charge */
		*ks_cost_quantity(cost, "advantage_gb_in") += s->billed_in;
		*ks_cost_quantity(cost, "advantage_gb_out") += s->billed_out;
	} else if (s->cfg.on_demand) {
		*ks_cost_quantity(cost, "on_demand_stream_hour") +=
		        (double)(s->ctx->stop - s->ctx->warmup) / (double)SIM_HOUR;
		*ks_cost_quantity(cost, "on_demand_gb_in") += s->billed_in;
		*ks_cost_quantity(cost, "on_demand_gb_out") += s->billed_out;
	} else {
		*ks_cost_quantity(cost, "shard_hour") += ks_stream_shard_hours(s);
		*ks_cost_quantity(cost, "put_payload_unit_million") += s->put_payload_units;
	}
}

static void destroy(void *obj)
{
	ks_stream_destroy(obj);
}

const ks_component ks_streams_component = {
        .key = "streams",
        .noun = "stream",
        .required = true,
        .item = &stream_item,
        .check = check_all,
        .platform = "kinesis",
        .platform_keys = platform_keys,
        .cost_line = "kinesis",
        .prices = prices,
        .prepare = prepare,
        .release = release,
        .create = create,
        .link = link_names,
        .finish = finish,
        .summarize = summarize,
        .destroy = destroy,
};
