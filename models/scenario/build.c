/* Scenario tree -> model graph. Reads the resolved tree (every default present), so each
 * getter succeeds; the scenario layer has already refused what is not implemented. */
#include "models/scenario/build.h"
#include "models/scenario/build_internal.h"
#include "models/sqs/queue.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "models/core/context.h"
#include "models/core/cost.h"
#include "models/lambda/function.h"
#include "models/lambda/esm.h"
#include "models/sns/topic.h"
#include "models/kinesis/producer.h"
#include "models/kinesis/stream.h"
#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/engine.h"
#include "sim/schema.h"

#define MIB 1048576.0

ks_queue *ks_build_find_queue(ks_model *m, const char *name)
{
	for (size_t i = 0; i < m->nqueues; i++)
		if (strcmp(m->queues[i]->name, name) == 0)
			return m->queues[i];
	return NULL;
}

static void build_queues(ks_model *m)
{
	const sim_yaml_node *queues = sim_yaml_get(m->root, "queues");
	size_t n = queues && queues->kind == SIM_YAML_MAP ? queues->n : 0;
	m->queues = sim_calloc(n ? n : 1, sizeof *m->queues);
	for (size_t i = 0; i < n; i++)
		m->queues[m->nqueues++] =
		        ks_queue_create(&m->ctx, queues->pairs[i].key->text,
		                        sim_schema_duration(queues->pairs[i].value, "retention"));
}

ks_sink ks_build_sink(ks_model *m, const char *name)
{
	if (!name)
		return (ks_sink){0};
	ks_queue *q = ks_build_find_queue(m, name);
	if (q)
		return ks_queue_sink(q);
	ks_topic *t = ks_build_find_topic(m, name);
	SIM_ASSERT(t);
	return ks_topic_sink(t);
}

ks_stream *ks_build_find_stream(ks_model *m, const char *name)
{
	for (size_t i = 0; i < m->nstreams; i++)
		if (strcmp(m->streams[i]->name, name) == 0)
			return m->streams[i];
	return NULL;
}

ks_jitter ks_build_jitter(const char *s)
{
	return strcmp(s, "none") == 0   ? KS_JITTER_NONE
	       : strcmp(s, "full") == 0 ? KS_JITTER_FULL
	                                : KS_JITTER_EQUAL;
}

void ks_build_streams(ks_model *m)
{
	const sim_yaml_node *kin = sim_yaml_get(sim_yaml_get(m->root, "platform"), "kinesis");
	const char *rl = sim_schema_string(kin, "read_limiter");
	ks_read_limiter_config read = {
	        .kind = strcmp(rl, "token_bucket") == 0   ? KS_READ_TOKEN_BUCKET
	                : strcmp(rl, "fixed_window") == 0 ? KS_READ_FIXED_WINDOW
	                                                  : KS_READ_SLIDING_WINDOW,
	        .calls_per_s = sim_schema_rate(kin, "read_tps").per_s,
	        .bytes_per_s = sim_schema_rate(kin, "read_bytes").per_s,
	        .tolerance = sim_schema_duration(kin, "read_byte_tolerance"),
	        .throttled_calls_count = sim_schema_bool(kin, "throttled_calls_count"),
	};
	ks_write_limiter_config write = {
	        .fixed_window =
	                strcmp(sim_schema_string(kin, "write_limiter"), "fixed_window") == 0,
	        .records_per_s = sim_schema_rate(kin, "write_records").per_s,
	        .bytes_per_s = sim_schema_rate(kin, "write_bytes").per_s,
	};
	sim_time p2r = sim_schema_duration(kin, "put_to_readable");
	m->getrecords_latency = sim_schema_dist(kin, "getrecords_latency", false);
	m->efo_push_latency = sim_schema_dist(kin, "efo_push_latency", false);
	ks_efo_config efo = {
	        .push_latency = &m->efo_push_latency,
	        .bytes_per_s = 2 * MIB,        /* [doc] per shard per consumer */
	        .renewal_period = 5 * SIM_MIN, /* [doc] a subscription lasts 5 minutes */
	        .renewal_gap = sim_schema_duration(kin, "efo_renewal_gap"),
	};

	const sim_yaml_node *streams = sim_yaml_get(m->root, "streams");
	m->nstreams = streams->n;
	m->streams = sim_calloc(streams->n, sizeof *m->streams);
	for (size_t i = 0; i < streams->n; i++) {
		const sim_yaml_node *s = streams->pairs[i].value;
		const sim_yaml_node *plan = sim_yaml_get(s, "reshard");
		size_t nreshards = plan && plan->kind == SIM_YAML_SEQ ? plan->n : 0;
		ks_reshard *reshards = sim_calloc(nreshards ? nreshards : 1, sizeof *reshards);
		for (size_t r = 0; r < nreshards; r++)
			reshards[r] = (ks_reshard){
			        .at = sim_schema_duration(plan->items[r], "at"),
			        .shards = (size_t)sim_schema_int(plan->items[r], "shards")};
		bool on_demand = strcmp(sim_schema_string(s, "mode"), "on_demand") == 0;
		ks_stream_config cfg = {
		        .name = streams->pairs[i].key->text,
		        /* [doc] on-demand: 4 MiB/s of write capacity at first, 4 shards' worth */
		        .shards = on_demand ? 4 : (size_t)sim_schema_int(s, "shards"),
		        .on_demand = on_demand,
		        .split_bytes_per_s = 500 * 1024, /* [doc] 500 KB/s, AWS's KB */
		        .split_after = sim_schema_duration(kin, "on_demand_split_after"),
		        .max_shards = (size_t)sim_schema_int(kin, "on_demand_max_shards"),
		        .reshards = reshards,
		        .nreshards = nreshards,
		        .retention = sim_schema_duration(s, "retention"),
		        .put_to_readable = p2r,
		        .write = write,
		        .read = read,
		        .getrecords_latency = &m->getrecords_latency,
		        .efo = efo,
		};
		m->streams[i] = ks_stream_create(&m->ctx, &cfg);
		sim_free(reshards);
	}
}

static void advance_producers(void *world, sim_time now)
{
	ks_model *m = world;
	ks_producers_advance(m->producers, m->nproducers, now);
}

static ks_esm_config esm_config(ks_model *m, const sim_yaml_node *trigger)
{
	const sim_yaml_node *lam = sim_yaml_get(sim_yaml_get(m->root, "platform"), "lambda");
	const sim_yaml_node *backoff = sim_yaml_get(lam, "read_backoff");
	const char *age_at = sim_schema_string(lam, "iterator_age_at");
	const char *start = sim_schema_string(trigger, "starting_position");
	const sim_yaml_node *on_failure = sim_yaml_get(trigger, "on_failure");
	return (ks_esm_config){
	        .efo = sim_schema_bool(trigger, "enhanced_fanout"),
	        .batch_size = (uint32_t)sim_schema_int(trigger, "batch_size"),
	        .batching_window = sim_schema_duration(trigger, "maximum_batching_window"),
	        .lanes = (uint32_t)sim_schema_int(trigger, "parallelization_factor"),
	        .start = strcmp(start, "AT_TIMESTAMP") == 0   ? KS_START_AT_TIMESTAMP
	                 : strcmp(start, "TRIM_HORIZON") == 0 ? KS_START_TRIM_HORIZON
	                                                      : KS_START_LATEST,
	        .start_at = sim_yaml_get(trigger, "starting_position_timestamp")
	                            ? sim_schema_duration(trigger, "starting_position_timestamp")
	                            : 0,
	        .max_retry_attempts = sim_schema_int(trigger, "maximum_retry_attempts"),
	        .max_record_age = sim_schema_duration(trigger, "maximum_record_age"),
	        .bisect = sim_schema_bool(trigger, "bisect_batch_on_function_error"),
	        .item_failures = sim_schema_bool(trigger, "report_batch_item_failures"),
	        .on_failure = ks_build_sink(m, on_failure ? on_failure->text : NULL),
	        .retry_delay = sim_schema_duration(lam, "retry_delay"),
	        .poll_interval = sim_schema_duration(lam, "poll_interval"),
	        .strict = strcmp(sim_schema_string(lam, "poll_mode"), "strict") == 0,
	        .poll_jitter = sim_schema_fraction(lam, "poll_jitter"),
	        .getrecords_limit = (uint32_t)sim_schema_int(lam, "getrecords_limit"),
	        .payload_max_bytes = 6 * 1048576,
	        .throttle_penalty = sim_schema_duration(lam, "throttle_penalty"),
	        .backoff_base = sim_schema_duration(backoff, "base"),
	        .backoff_cap = sim_schema_duration(backoff, "cap"),
	        .backoff_factor = sim_schema_number(backoff, "factor"),
	        .backoff_jitter = (int)ks_build_jitter(sim_schema_string(backoff, "jitter")),
	        .invoke_overhead = &m->invoke_overhead,
	        .age_at = strcmp(age_at, "batch_received") == 0 ? KS_AGE_BATCH_RECEIVED
	                  : strcmp(age_at, "invoke_sent") == 0  ? KS_AGE_INVOKE_SENT
	                                                        : KS_AGE_INVOKE_FINISHED,
	};
}

/* One function copy and its mappings (one per kinesis trigger). */
static void build_copy(ks_model *m, const char *name, const sim_yaml_node *f)
{
	const sim_yaml_node *triggers = sim_yaml_get(f, "triggers");
	size_t ntriggers = triggers && triggers->kind == SIM_YAML_SEQ ? triggers->n : 0;
	ks_function_config cfg = ks_build_function_config(m, name, f, 0, NULL);
	ks_function *fn = ks_function_create(&m->ctx, &cfg, m->crn_seeds);
	ks_build_function_config_fini(&cfg);
	m->functions = sim_reallocarray(m->functions, m->nfunctions + 1, sizeof *m->functions);
	m->functions[m->nfunctions++] = fn;
	for (size_t t = 0; t < ntriggers; t++) {
		const sim_yaml_node *k = sim_yaml_get(triggers->items[t], "kinesis");
		if (!k)
			continue;
		ks_esm_config ec = esm_config(m, triggers->items[t]);
		m->esms = sim_reallocarray(m->esms, m->nesms + 1, sizeof *m->esms);
		m->esms[m->nesms++] = ks_esm_create(&m->ctx, fn, ks_build_find_stream(m, k->text),
		                                    &ec, ntriggers > 1);
	}
}

void ks_build_each_copy(ks_model *m, ks_copy_visit visit, void *ctx)
{
	const sim_yaml_node *functions = sim_yaml_get(m->root, "functions");
	size_t n = functions && functions->kind == SIM_YAML_MAP ? functions->n : 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *name = functions->pairs[i].key->text;
		const sim_yaml_node *f = functions->pairs[i].value;
		size_t copies = ks_scenario_copies(f);
		if (copies == 0) {
			visit(m, k++, name, f, ctx);
			continue;
		}
		for (size_t c = 1; c <= copies; c++) {
			char *copy = sim_asprintf("%s-%zu", name, c);
			visit(m, k++, copy, f, ctx);
			sim_free(copy);
		}
	}
}

static void visit_copy(ks_model *m, size_t k, const char *name, const sim_yaml_node *f, void *ctx)
{
	(void)k;
	(void)ctx;
	build_copy(m, name, f);
}

static void build_functions(ks_model *m)
{
	const sim_yaml_node *lam = sim_yaml_get(sim_yaml_get(m->root, "platform"), "lambda");
	m->invoke_overhead = sim_schema_dist(lam, "invoke_overhead", false);
	ks_build_each_copy(m, visit_copy, NULL);
}

static void read_prices(ks_model *m)
{
	const sim_yaml_node *p = sim_yaml_get(sim_yaml_get(m->root, "platform"), "prices");
	m->prices = (ks_cost_config){
	        .shard_hour = sim_schema_number(p, "shard_hour"),
	        .put_payload_unit_million = sim_schema_number(p, "put_payload_unit_million"),
	        .efo_consumer_shard_hour = sim_schema_number(p, "efo_consumer_shard_hour"),
	        .efo_gb = sim_schema_number(p, "efo_gb"),
	        .on_demand_stream_hour = sim_schema_number(p, "on_demand_stream_hour"),
	        .on_demand_gb_in = sim_schema_number(p, "on_demand_gb_in"),
	        .on_demand_gb_out = sim_schema_number(p, "on_demand_gb_out"),
	        .lambda_request_million = sim_schema_number(p, "lambda_request_million"),
	        .lambda_gb_second = sim_schema_number(p, "lambda_gb_second"),
	        .sns_request_million = sim_schema_number(p, "sns_request_million"),
	        .sqs_request_million = sim_schema_number(p, "sqs_request_million"),
	        .firehose_gb = sim_schema_number(p, "firehose_gb"),
	};
}

ks_model *ks_model_build(const ks_scenario *sc, uint64_t seed, uint32_t replication,
                         sim_metrics *metrics)
{
	ks_model *m = sim_calloc(1, sizeof *m);
	m->root = sc->root;
	m->ctx = (ks_ctx){
	        .engine = sim_engine_create(),
	        .metrics = metrics,
	        .seed = seed,
	        .replication = replication,
	        .warmup = sim_schema_duration(sc->root, "warmup"),
	        .stop = sim_schema_duration(sc->root, "duration"),
	        .interval = sim_schema_duration(sim_yaml_get(sc->root, "metrics"), "interval"),
	        .advance = advance_producers,
	        .world = m,
	};
	sim_engine_set_warmup(m->ctx.engine, m->ctx.warmup);
	ks_build_streams(m);
	build_queues(m);
	ks_build_sqs_queues(m);
	ks_build_topics(m);
	ks_build_producers(m);
	m->key_count = sim_calloc(m->nproducers ? m->nproducers : 1, sizeof *m->key_count);
	const sim_yaml_node *producers = sim_yaml_get(sc->root, "producers");
	for (size_t i = 0; i < m->nproducers; i++)
		m->key_count[i] = (uint32_t)sim_schema_int(
		        sim_yaml_get(producers->pairs[i].value, "partition_keys"), "count");
	for (size_t i = 0; i < m->nstreams; i++) {
		m->streams[i]->key_count = m->key_count;
		m->streams[i]->nproducers = m->nproducers;
	}
	m->account = ks_build_account(m);
	build_functions(m);
	ks_build_sqs_mappings(m);
	ks_build_async(m);
	ks_build_forward(m);
	ks_build_consumers(m);
	ks_build_firehoses(m);
	read_prices(m);
	return m;
}

void ks_model_destroy(ks_model *m)
{
	if (!m)
		return;
	ks_build_sqs_destroy(m);
	ks_build_forward_destroy(m);
	ks_build_topics_destroy(m);
	for (size_t i = 0; i < m->nesms; i++)
		ks_esm_destroy(m->esms[i]);
	sim_free(m->esms);
	for (size_t i = 0; i < m->nconsumers; i++)
		ks_consumer_destroy(m->consumers[i]);
	ks_build_firehoses_destroy(m);
	for (size_t i = 0; i < m->nqueues; i++)
		ks_queue_destroy(m->queues[i]);
	sim_free(m->queues);
	sim_free(m->consumers);
	for (size_t i = 0; i < m->nfunctions; i++)
		ks_function_destroy(m->functions[i]);
	sim_free(m->functions);
	ks_account_destroy(m->account);
	for (size_t i = 0; i < m->nproducers; i++)
		ks_producer_destroy(m->producers[i]);
	sim_free(m->producers);
	sim_free(m->crn_seeds);
	sim_free(m->key_count);
	for (size_t i = 0; i < m->nstreams; i++)
		ks_stream_destroy(m->streams[i]);
	sim_free(m->streams);
	sim_dist_fini(&m->getrecords_latency);
	sim_dist_fini(&m->invoke_overhead);
	sim_dist_fini(&m->efo_push_latency);
	sim_engine_destroy(m->ctx.engine);
	sim_free(m);
}

typedef struct progress_ctx {
	ks_model *m;
	void (*fn)(double, uint64_t, void *);
	void *ctx;
} progress_ctx;

static void on_progress(sim_engine *e, void *ctx)
{
	progress_ctx *p = ctx;
	p->fn((double)sim_engine_now(e) / (double)p->m->ctx.stop, sim_engine_events(e), p->ctx);
}

int ks_model_run(ks_model *m, volatile sig_atomic_t *interrupt,
                 void (*progress)(double, uint64_t, void *), void *pctx)
{
	sim_engine *e = m->ctx.engine;
	if (interrupt)
		sim_engine_set_interrupt(e, interrupt);
	progress_ctx pc = {m, progress, pctx};
	if (progress)
		sim_engine_set_progress(e, m->ctx.stop / 100 > 0 ? m->ctx.stop / 100 : 1,
		                        on_progress, &pc);
	for (size_t i = 0; i < m->nesms; i++)
		ks_esm_start(m->esms[i]);
	for (size_t i = 0; i < m->nconsumers; i++)
		ks_consumer_start(m->consumers[i]);
	ks_build_firehoses_start(m);
	ks_build_sqs_start(m);
	int rc = sim_engine_run(e, m->ctx.stop);
	sim_time end = rc == 0 ? m->ctx.stop : sim_engine_now(e);
	/* Bring the records up to the end: arrivals at t < stop belong to the run. */
	if (end > 0)
		ks_producers_advance(m->producers, m->nproducers, end - 1);
	for (size_t i = 0; i < m->nstreams; i++)
		ks_stream_expire(m->streams[i], end);
	for (size_t i = 0; i < m->nesms; i++)
		ks_esm_finish(m->esms[i], end);
	for (size_t i = 0; i < m->nconsumers; i++)
		ks_consumer_finish(m->consumers[i], end);
	ks_build_firehoses_finish(m, end);
	ks_build_sqs_finish(m, end);
	sim_engine_set_progress(e, 0, NULL, NULL);
	return rc;
}

void ks_model_summarize(ks_model *m)
{
	/* What each function had not finished when the run ended: read or not, in its lanes or
	 * in flight (conservation: accepted = processed + skipped + forwarded + expired +
	 * on_failure + pending, VALIDATION.md case 4). */
	for (size_t i = 0; i < m->nfunctions; i++)
		m->functions[i]->records_pending = 0;
	for (size_t i = 0; i < m->nesms; i++)
		ks_esm_pending(m->esms[i]);
	ks_build_topics_pending(m);
	ks_build_forward_pending(m);
	ks_build_sqs_pending(m);
	for (size_t i = 0; i < m->nstreams; i++)
		ks_stream_summarize(m->streams[i]);
	for (size_t i = 0; i < m->nproducers; i++)
		ks_producer_summarize(m->producers[i]);
	for (size_t i = 0; i < m->nfunctions; i++)
		ks_function_summarize(m->functions[i]);
	for (size_t i = 0; i < m->nconsumers; i++)
		ks_consumer_summarize(m->consumers[i]);
	for (size_t i = 0; i < m->nqueues; i++)
		ks_queue_summarize(m->queues[i], ks_model_now(m));
	ks_cost_usage usage = {0};
	double hours = (double)(m->ctx.stop - m->ctx.warmup) / (double)SIM_HOUR;
	for (size_t i = 0; i < m->nstreams; i++) {
		const ks_stream *s = m->streams[i];
		if (s->cfg.on_demand) {
			usage.on_demand_stream_hours += hours;
			usage.on_demand_bytes_in += s->bytes_in;
			usage.on_demand_bytes_out += s->bytes_out;
		} else {
			usage.shard_hours += ks_stream_shard_hours(s);
			usage.put_payload_units += s->put_payload_units;
		}
	}
	for (size_t i = 0; i < m->nesms; i++)
		ks_esm_efo_usage(m->esms[i], &usage.efo_consumer_shard_hours, &usage.efo_bytes);
	for (size_t i = 0; i < m->nconsumers; i++)
		ks_consumer_efo_usage(m->consumers[i], &usage.efo_consumer_shard_hours,
		                      &usage.efo_bytes);
	for (size_t i = 0; i < m->nfunctions; i++) {
		usage.lambda_requests += m->functions[i]->requests;
		usage.lambda_gb_seconds += m->functions[i]->billed_gb_s;
	}
	ks_build_topics_summarize(m, &usage);
	ks_build_sqs_usage(m, &usage);
	ks_build_firehoses_summarize(m, &usage);
	ks_cost_summarize(&m->ctx, &m->prices, &usage);
}

void ks_model_observe_batches(ks_model *m, ks_batch_observer fn, void *ctx)
{
	for (size_t i = 0; i < m->nfunctions; i++) {
		m->functions[i]->observer = fn;
		m->functions[i]->observer_ctx = ctx;
	}
}

uint64_t ks_model_events(const ks_model *m)
{
	return sim_engine_events(m->ctx.engine);
}

sim_time ks_model_now(const ks_model *m)
{
	return sim_engine_now(m->ctx.engine);
}
