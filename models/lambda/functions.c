/* The `functions:` component (core/component.h): Lambda functions and everything Lambda does for
 * them: a copy per `count`, the event source mappings of their triggers (Kinesis, SQS), their
 * asynchronous invocation queue (SNS and S3 notifications, async fan-out targets), the fan-out
 * layer of `forward:`, the handler's forward_to, and the account's concurrency; the format of
 * a function, platform.lambda and the Lambda prices.
 *
 * A copy is built in two stages: create makes the function, its async queue and its Kinesis
 * mappings (their readers subscribe to the streams now, before later kinds' readers, so every
 * shard's readers are told of new shards in the order of the scenario); link resolves the
 * names it refers to (destinations, topics and firehoses it subscribes to, queues it polls,
 * fan-out targets), all of which exist by then. */
#include "models/lambda/lambda.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/core/backoff.h"
#include "models/lambda/account.h"
#include "models/lambda/async.h"
#include "models/lambda/fanout.h"
#include "models/lambda/filter.h"
#include "models/lambda/function.h"
#include "models/lambda/kinesis_esm.h"
#include "models/lambda/sqs_esm.h"
#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/units.h"

#define S_  (double)SIM_S
#define MIB 1048576.0
#define AWS SIM_SCHEMA_SOFT_RANGE
#define REQ SIM_SCHEMA_REQUIRED

/* ---- platform.lambda -------------------------------------------------------------------- */

typedef struct backoff {
	sim_time base, cap;
	double factor;
	int jitter; /* ks_jitter */
} backoff;

typedef struct cold_starts {
	sim_dist runtime[3]; /* by runtime: nodejs, python, java */
} cold_starts;

typedef struct lambda_platform {
	sim_time poll_interval, throttle_penalty, retry_delay, idle_reclaim;
	int strict; /* poll_mode */
	double poll_jitter;
	int64_t getrecords_limit, account_concurrency;
	backoff read_backoff;
	sim_dist invoke_overhead;
	int age_at; /* ks_age_at */
	cold_starts cold_start;
	double event_record_overhead;
} lambda_platform;

/* What every function of the run shares. */
typedef struct lambda {
	lambda_platform platform;
	ks_account *account;
} lambda;

static const sim_schema_value poll_modes[] = {{"catch_up", 0}, {"strict", 1}, {NULL, 0}};
static const sim_schema_value jitters[] = {
        {"none", KS_JITTER_NONE}, {"full", KS_JITTER_FULL}, {"equal", KS_JITTER_EQUAL}, {NULL, 0}};
static const sim_schema_value ages_at[] = {{"batch_received", KS_AGE_BATCH_RECEIVED},
                                           {"invoke_sent", KS_AGE_INVOKE_SENT},
                                           {"invoke_finished", KS_AGE_INVOKE_FINISHED},
                                           {NULL, 0}};

static const sim_schema read_backoff_keys[] = {
        {.key = "base",
         .kind = SIM_SCHEMA_DURATION,
         .def = "1s",
         .min = 0,
         .max = 3600 * S_,
         SIM_SCHEMA_AT(backoff, base)},
        {.key = "factor",
         .kind = SIM_SCHEMA_NUMBER,
         .def = "2",
         .min = 1,
         .max = 100,
         SIM_SCHEMA_AT(backoff, factor)},
        {.key = "cap",
         .kind = SIM_SCHEMA_DURATION,
         .def = "30s",
         .min = 0,
         .max = 3600 * S_,
         SIM_SCHEMA_AT(backoff, cap)},
        {.key = "jitter",
         .kind = SIM_SCHEMA_ENUM,
         .def = "full",
         .values = jitters,
         SIM_SCHEMA_AT(backoff, jitter)},
        {.key = NULL},
};

/* A function's runtime picks its cold start (by number, into cold_starts.runtime). */
static const sim_schema_value runtimes[] = {{"nodejs", 0}, {"python", 1}, {"java", 2}, {NULL, 0}};
static const sim_schema cold_start_keys[] = {
        {.key = "nodejs",
         .kind = SIM_SCHEMA_DIST_DURATION,
         .def = "{dist: lognormal, median: 150ms, p99: 600ms}",
         SIM_SCHEMA_AT(cold_starts, runtime[0])},
        {.key = "python",
         .kind = SIM_SCHEMA_DIST_DURATION,
         .def = "{dist: lognormal, median: 150ms, p99: 600ms}",
         SIM_SCHEMA_AT(cold_starts, runtime[1])},
        {.key = "java",
         .kind = SIM_SCHEMA_DIST_DURATION,
         .def = "{dist: lognormal, median: 600ms, p99: 2500ms}",
         SIM_SCHEMA_AT(cold_starts, runtime[2])},
        {.key = NULL},
};

#define AT(f) SIM_SCHEMA_AT(lambda_platform, f)
static const sim_schema platform_keys[] = {
        {.key = "poll_interval",
         .kind = SIM_SCHEMA_DURATION,
         .def = "1s",
         .min = 1e6,
         .max = 3600 * S_,
         AT(poll_interval)},
        {.key = "poll_mode",
         .kind = SIM_SCHEMA_ENUM,
         .def = "catch_up",
         .values = poll_modes,
         AT(strict)},
        {.key = "poll_jitter", .kind = SIM_SCHEMA_FRACTION, .def = "10%", AT(poll_jitter)},
        {.key = "getrecords_limit",
         .kind = SIM_SCHEMA_INT,
         .def = "10000",
         .min = 1,
         .max = 10000,
         .flags = AWS,
         AT(getrecords_limit)},
        {.key = "throttle_penalty",
         .kind = SIM_SCHEMA_DURATION,
         .def = "1s",
         .min = 0,
         .max = 3600 * S_,
         AT(throttle_penalty)},
        {.key = "read_backoff",
         .kind = SIM_SCHEMA_MAP,
         .children = read_backoff_keys,
         .flags = SIM_SCHEMA_FILL,
         .what = "platform.lambda.read_backoff",
         AT(read_backoff)},
        {.key = "retry_delay",
         .kind = SIM_SCHEMA_DURATION,
         .def = "1s",
         .min = 0,
         .max = 3600 * S_,
         AT(retry_delay)},
        {.key = "invoke_overhead",
         .kind = SIM_SCHEMA_DIST_DURATION,
         .def = "{dist: lognormal, median: 10ms, p99: 40ms}",
         AT(invoke_overhead)},
        {.key = "account_concurrency",
         .kind = SIM_SCHEMA_INT,
         .def = "1000",
         .min = 1,
         .max = 1e7,
         AT(account_concurrency)},
        {.key = "idle_reclaim",
         .kind = SIM_SCHEMA_DURATION,
         .def = "10m",
         .min = 0,
         .max = 366 * 86400 * S_,
         AT(idle_reclaim)},
        {.key = "iterator_age_at",
         .kind = SIM_SCHEMA_ENUM,
         .def = "invoke_finished",
         .values = ages_at,
         AT(age_at)},
        {.key = "cold_start",
         .kind = SIM_SCHEMA_MAP,
         .children = cold_start_keys,
         .flags = SIM_SCHEMA_FILL,
         .what = "platform.lambda.cold_start",
         AT(cold_start)},
        /* [choice] the JSON around each record of a Kinesis event: 533 B in AWS's sample
         * event with a 1-byte partition key, so about 540 B with kinesim's k<number> keys */
        {.key = "event_record_overhead",
         .kind = SIM_SCHEMA_SIZE,
         .def = "540B",
         .min = 0,
         .max = 1048576,
         AT(event_record_overhead)},
        {.key = NULL},
};
#undef AT

/* [doc] us-east-1: requests and GB-seconds, duration rounded up to 1 ms. */
static const ks_price prices[] = {
        {"lambda_request_million", "0.20", KS_PER_MILLION},
        {"lambda_gb_second", "0.0000166667", 1},
        {"lambda_provisioned_gb_second", "0.0000041667", 1},
        {"lambda_provisioned_duration_gb_second", "0.0000097222", 1},
        {NULL, NULL, 0},
};

/* ---- a function ------------------------------------------------------------------------- */

static const sim_schema_value policies[] = {{"fail_batch", KS_RECORD_FAIL_BATCH},
                                            {"skip", KS_RECORD_SKIP},
                                            {"retry", KS_RECORD_RETRY},
                                            {NULL, 0}};
static const sim_schema_value thens[] = {{"skip", KS_RECORD_SKIP},
                                         {"fail_batch", KS_RECORD_FAIL_BATCH},
                                         {"forward", KS_RECORD_FORWARD},
                                         {NULL, 0}};
static const sim_schema_value positions[] = {{"LATEST", KS_START_LATEST},
                                             {"TRIM_HORIZON", KS_START_TRIM_HORIZON},
                                             {"AT_TIMESTAMP", KS_START_AT_TIMESTAMP},
                                             {NULL, 0}};
static const sim_schema_value invokes[] = {{"sync", 1}, {"async", 0}, {NULL, 0}};

#define AT(f) SIM_SCHEMA_AT(ks_function_config, f)
static const sim_schema duration_keys[] = {
        {.key = "per_invocation",
         .kind = SIM_SCHEMA_DIST_DURATION,
         .def = "0s",
         AT(per_invocation)},
        {.key = "per_record", .kind = SIM_SCHEMA_DIST_DURATION, .def = "0s", AT(per_record)},
        {.key = NULL},
};

static const sim_schema on_record_error_keys[] = {
        {.key = "policy",
         .kind = SIM_SCHEMA_ENUM,
         .def = "fail_batch",
         .values = policies,
         AT(policy)},
        {.key = "retries", .kind = SIM_SCHEMA_INT, .def = "0", .min = 0, .max = 1000, AT(retries)},
        /* then: forward goes with forward_to (check_function) */
        {.key = "then", .kind = SIM_SCHEMA_ENUM, .def = "skip", .values = thens, AT(then)},
        {.key = "forward_to", .kind = SIM_SCHEMA_REF, .refs = KS_DESTINATIONS},
        {.key = NULL},
};

static const sim_schema poison_index_item = {.kind = SIM_SCHEMA_INT,
                                             .min = 0,
                                             .max = 281474976710655.0, /* 48-bit index */
                                             .what = "poison index"};
static const sim_schema outage_keys[] = {
        {.key = "start",
         .kind = SIM_SCHEMA_DURATION,
         .flags = REQ,
         .min = 0,
         .max = 366 * 86400 * S_,
         SIM_SCHEMA_AT(ks_outage, start)},
        {.key = "end",
         .kind = SIM_SCHEMA_DURATION,
         .flags = REQ,
         .min = 0,
         .max = 366 * 86400 * S_,
         SIM_SCHEMA_AT(ks_outage, end)},
        {.key = NULL},
};
static const sim_schema outage_item = {
        .kind = SIM_SCHEMA_MAP, .children = outage_keys, .what = "outage"};
static const sim_schema errors_keys[] = {
        {.key = "invocation", .kind = SIM_SCHEMA_FRACTION, .def = "0", AT(error_rate)},
        {.key = "poison_records", .kind = SIM_SCHEMA_FRACTION, .def = "0", AT(poison_rate)},
        {.key = "poison_indices", .kind = SIM_SCHEMA_SEQ, .item = &poison_index_item},
        {.key = "outages", .kind = SIM_SCHEMA_SEQ, .item = &outage_item},
        {.key = NULL},
};
#undef AT

/* A kinesis trigger's own settings; the rest of its mapping's configuration is the
 * platform's. */
typedef struct kinesis_trigger {
	int64_t batch_size, lanes, max_retry_attempts;
	sim_time batching_window, start_at, max_record_age, enabled_at, tumbling_window;
	int start;
	bool efo, bisect, item_failures;
} kinesis_trigger;

#define AT(f) SIM_SCHEMA_AT(kinesis_trigger, f)
static const sim_schema kinesis_trigger_keys[] = {
        {.key = "kinesis", .kind = SIM_SCHEMA_REF, .refs = "streams", .flags = REQ},
        {.key = "enhanced_fanout", .kind = SIM_SCHEMA_BOOL, .def = "false", AT(efo)},
        {.key = "batch_size",
         .kind = SIM_SCHEMA_INT,
         .def = "100",
         .min = 1,
         .max = 10000,
         .flags = AWS,
         AT(batch_size)},
        {.key = "maximum_batching_window",
         .kind = SIM_SCHEMA_DURATION,
         .def = "0s",
         .min = 0,
         .max = 300 * S_,
         .flags = AWS,
         AT(batching_window)},
        {.key = "parallelization_factor",
         .kind = SIM_SCHEMA_INT,
         .def = "1",
         .min = 1,
         .max = 10,
         .flags = AWS,
         AT(lanes)},
        {.key = "starting_position",
         .kind = SIM_SCHEMA_ENUM,
         .def = "LATEST",
         .values = positions,
         AT(start)},
        {.key = "starting_position_timestamp", .kind = SIM_SCHEMA_DURATION, AT(start_at)},
        /* [doc] TumblingWindowInSeconds: 0 (none) to 15 minutes */
        {.key = "tumbling_window",
         .kind = SIM_SCHEMA_DURATION,
         .def = "0s",
         .min = 0,
         .max = 900 * S_,
         .flags = AWS,
         AT(tumbling_window)},
        /* [doc] event filtering (lambda/filter.h); checked by ks_filter_read */
        {.key = "filter_criteria", .kind = SIM_SCHEMA_ANY},
        /* the mapping is created (or enabled) this long after the run's start */
        {.key = "enabled_at",
         .kind = SIM_SCHEMA_DURATION,
         .def = "0s",
         .min = 0,
         .max = 366 * 86400 * S_,
         AT(enabled_at)},
        {.key = "maximum_retry_attempts",
         .kind = SIM_SCHEMA_INT,
         .def = "-1",
         .min = 0,
         .max = 10000,
         .flags = AWS | SIM_SCHEMA_NEG1,
         AT(max_retry_attempts)},
        {.key = "maximum_record_age",
         .kind = SIM_SCHEMA_DURATION,
         .def = "-1",
         .min = 60 * S_,
         .max = 7 * 86400 * S_,
         .flags = AWS | SIM_SCHEMA_NEG1,
         AT(max_record_age)},
        {.key = "bisect_batch_on_function_error",
         .kind = SIM_SCHEMA_BOOL,
         .def = "false",
         AT(bisect)},
        {.key = "report_batch_item_failures",
         .kind = SIM_SCHEMA_BOOL,
         .def = "false",
         AT(item_failures)},
        /* [doc] SNS, SQS or S3 (with S3 the batch itself) */
        {.key = "on_failure", .kind = SIM_SCHEMA_REF, .refs = KS_DESTINATIONS},
        {.key = NULL},
};
#undef AT

#define AT(f) SIM_SCHEMA_AT(ks_sqs_esm_config, f)
static const sim_schema sqs_trigger_keys[] = {
        {.key = "sqs", .kind = SIM_SCHEMA_REF, .refs = "queues", .flags = REQ},
        {.key = "batch_size",
         .kind = SIM_SCHEMA_INT,
         .def = "10",
         .min = 1,
         .max = 10000,
         .flags = AWS,
         AT(batch_size)},
        {.key = "maximum_batching_window",
         .kind = SIM_SCHEMA_DURATION,
         .def = "0s",
         .min = 0,
         .max = 300 * S_,
         .flags = AWS,
         AT(batching_window)},
        {.key = "maximum_concurrency",
         .kind = SIM_SCHEMA_INT,
         .min = 2,
         .max = 1000,
         .flags = AWS,
         AT(max_concurrency)},
        /* [doc] ReportBatchItemFailures exists for SQS mappings too */
        {.key = "report_batch_item_failures",
         .kind = SIM_SCHEMA_BOOL,
         .def = "false",
         AT(item_failures)},
        {.key = NULL},
};
#undef AT
static const sim_schema sns_trigger_keys[] = {
        {.key = "sns", .kind = SIM_SCHEMA_REF, .refs = "topics", .flags = REQ},
        {.key = NULL},
};
/* [doc] S3 event notifications: objects a firehose delivers or a bucket receives */
static const sim_schema s3_trigger_keys[] = {
        {.key = "s3", .kind = SIM_SCHEMA_REF, .refs = "firehoses buckets", .flags = REQ},
        {.key = NULL},
};
static const sim_schema trigger_variants[] = {
        {.key = "kinesis",
         .kind = SIM_SCHEMA_MAP,
         .children = kinesis_trigger_keys,
         .what = "kinesis trigger"},
        {.key = "sns", .kind = SIM_SCHEMA_MAP, .children = sns_trigger_keys, .what = "sns trigger"},
        {.key = "sqs", .kind = SIM_SCHEMA_MAP, .children = sqs_trigger_keys, .what = "sqs trigger"},
        {.key = "s3", .kind = SIM_SCHEMA_MAP, .children = s3_trigger_keys, .what = "s3 trigger"},
        {.key = NULL},
};
static const sim_schema trigger_item = {
        .kind = SIM_SCHEMA_VARIANT, .children = trigger_variants, .what = "trigger"};

#define AT(f) SIM_SCHEMA_AT(ks_async_config, f)
static const sim_schema async_keys[] = {
        {.key = "maximum_retry_attempts",
         .kind = SIM_SCHEMA_INT,
         .def = "2",
         .min = 0,
         .max = 2,
         .flags = AWS,
         AT(max_retry_attempts)},
        {.key = "maximum_event_age",
         .kind = SIM_SCHEMA_DURATION,
         .def = "6h",
         .min = 60 * S_,
         .max = 6 * 3600 * S_,
         .flags = AWS,
         AT(max_event_age)},
        /* [doc] SNS, SQS, S3 (the failed event) or another function (asynchronously) */
        {.key = "on_failure", .kind = SIM_SCHEMA_REF, .refs = KS_DESTINATIONS " functions buses"},
        /* [doc] where a successful invocation's event goes: SQS, SNS, a function or a bus */
        {.key = "on_success", .kind = SIM_SCHEMA_REF, .refs = "queues topics functions buses"},
        {.key = NULL},
};
#undef AT

/* forward: the fan-out layer (docs/model.md "Fan-out"); each item names exactly one target. */
static const sim_schema forward_function_keys[] = {
        {.key = "function", .kind = SIM_SCHEMA_REF, .refs = "functions", .flags = REQ},
        {.key = "invoke", .kind = SIM_SCHEMA_ENUM, .def = "sync", .values = invokes},
        {.key = NULL},
};
static const sim_schema forward_stream_keys[] = {
        {.key = "stream", .kind = SIM_SCHEMA_REF, .refs = "streams", .flags = REQ},
        {.key = NULL},
};
static const sim_schema forward_topic_keys[] = {
        {.key = "topic", .kind = SIM_SCHEMA_REF, .refs = "topics", .flags = REQ},
        {.key = NULL},
};
static const sim_schema forward_variants[] = {
        {.key = "function",
         .kind = SIM_SCHEMA_MAP,
         .children = forward_function_keys,
         .what = "forward to a function"},
        {.key = "stream",
         .kind = SIM_SCHEMA_MAP,
         .children = forward_stream_keys,
         .what = "forward to a stream"},
        {.key = "topic",
         .kind = SIM_SCHEMA_MAP,
         .children = forward_topic_keys,
         .what = "forward to a topic"},
        {.key = NULL},
};
static const sim_schema forward_item = {
        .kind = SIM_SCHEMA_VARIANT, .children = forward_variants, .what = "forward target"};

#define AT(f) SIM_SCHEMA_AT(ks_function_config, f)
static const sim_schema function_keys[] = {
        {.key = "count", .kind = SIM_SCHEMA_INT, .min = 1, .max = 1000},
        {.key = "memory",
         .kind = SIM_SCHEMA_SIZE_BINARY_MB,
         .def = "128MB",
         .min = 128 * MIB,
         .max = 10240 * MIB,
         .flags = AWS,
         AT(memory_bytes)},
        {.key = "timeout",
         .kind = SIM_SCHEMA_DURATION,
         .def = "3s",
         .min = 1 * S_,
         .max = 900 * S_,
         .flags = AWS,
         AT(timeout)},
        {.key = "runtime", .kind = SIM_SCHEMA_ENUM, .def = "nodejs", .values = runtimes},
        {.key = "cold_start", .kind = SIM_SCHEMA_DIST_DURATION},
        /* [doc] at most the account's limit less 100 in all: check_reservations */
        {.key = "reserved_concurrency",
         .kind = SIM_SCHEMA_INT,
         .min = 0,
         .max = 1e7,
         AT(reserved_concurrency)},
        /* [doc] environments kept initialised (per copy); at most reserved_concurrency */
        {.key = "provisioned_concurrency",
         .kind = SIM_SCHEMA_INT,
         .def = "0",
         .min = 0,
         .max = 1e6,
         AT(provisioned_concurrency)},
        {.key = "duration",
         .kind = SIM_SCHEMA_MAP,
         .children = duration_keys,
         .flags = SIM_SCHEMA_FILL,
         .what = "duration"},
        {.key = "errors", .kind = SIM_SCHEMA_MAP, .children = errors_keys, .what = "errors"},
        {.key = "on_record_error",
         .kind = SIM_SCHEMA_MAP,
         .children = on_record_error_keys,
         .flags = SIM_SCHEMA_FILL,
         .what = "on_record_error"},
        {.key = "triggers", .kind = SIM_SCHEMA_SEQ, .item = &trigger_item},
        {.key = "async",
         .kind = SIM_SCHEMA_MAP,
         .children = async_keys,
         .flags = SIM_SCHEMA_FILL,
         .what = "async"},
        {.key = "forward", .kind = SIM_SCHEMA_SEQ, .item = &forward_item},
        {.key = NULL},
};
#undef AT
static const sim_schema function_item = {
        .kind = SIM_SCHEMA_MAP, .children = function_keys, .what = "function"};

/* ---- the checks a schema cannot say ----------------------------------------------------- */

static bool scalar_is(const sim_yaml_node *n, const char *text)
{
	return n && n->kind == SIM_YAML_SCALAR && strcmp(n->text, text) == 0;
}

/* The copies an entry makes: `count` of them, or none (the entry itself). Robust before the
 * schema passed too: an invalid count gives no copies. */
static size_t copies_of(const sim_yaml_node *function)
{
	const sim_yaml_node *count = sim_yaml_get(function, "count");
	int64_t n;
	char err[128];
	if (!count || count->kind != SIM_YAML_SCALAR ||
	    sim_parse_count(count->text, &n, err, sizeof err) < 0 || n < 1 || n > 1000)
		return 0;
	return (size_t)n;
}

static size_t names(const sim_yaml_pair *entry, char **out)
{
	size_t copies = copies_of(entry->value);
	if (copies == 0) {
		if (out)
			out[0] = sim_strdup(entry->key->text);
		return 1;
	}
	for (size_t c = 0; out && c < copies; c++)
		out[c] = sim_asprintf("%s-%zu", entry->key->text, c + 1);
	return copies;
}

/* [doc] An SQS trigger with batch_size over 10 needs maximum_batching_window of at least 1 s.
 * An AWS rule: a warning under aws_ranges: warn. */
static void check_sqs_trigger(const sim_yaml_node *t, bool warn, sim_diag *d)
{
	const sim_yaml_node *size = sim_yaml_get(t, "batch_size");
	const sim_yaml_node *window = sim_yaml_get(t, "maximum_batching_window");
	int64_t n;
	sim_time w = 0;
	char err[128];
	if (!size || size->kind != SIM_YAML_SCALAR ||
	    sim_parse_count(size->text, &n, err, sizeof err) < 0 || n <= 10)
		return;
	if (window && (window->kind != SIM_YAML_SCALAR ||
	               sim_parse_duration(window->text, &w, err, sizeof err) < 0))
		return; /* reported by the schema */
	if (w >= SIM_S)
		return;
	const sim_yaml_node *at = window && window->line > 0 ? window : size;
	sim_diag_report(d, warn ? SIM_DIAG_WARNING : SIM_DIAG_ERROR, at->file, at->line, at->col,
	                "an sqs trigger with batch_size %lld needs maximum_batching_window of at "
	                "least 1s (got %s); AWS allows batches over 10 messages only with a window",
	                (long long)n, window && window->line > 0 ? window->text : "the default 0s");
	sim_diag_hint(d, "add maximum_batching_window: 1s, or use batch_size: 10 or less");
}

/* errors.outages end after they start; on_record_error's retries and then go with policy
 * retry; then: forward goes with forward_to; AT_TIMESTAMP needs its time; a function does
 * not forward to itself (its copies included); an sqs trigger's batch and window agree. */
static void check_function(const sim_yaml_node *root, const sim_yaml_pair *p, bool aws_warn,
                           sim_diag *d)
{
	const sim_yaml_node *fn = p->value;
	const sim_yaml_node *outages = sim_yaml_get(sim_yaml_get(fn, "errors"), "outages");
	for (size_t i = 0; outages && outages->kind == SIM_YAML_SEQ && i < outages->n; i++) {
		const sim_yaml_node *start = sim_yaml_get(outages->items[i], "start");
		const sim_yaml_node *end = sim_yaml_get(outages->items[i], "end");
		sim_time s, e;
		char err[160];
		if (start && end && start->kind == SIM_YAML_SCALAR &&
		    end->kind == SIM_YAML_SCALAR &&
		    sim_parse_duration(start->text, &s, err, sizeof err) == 0 &&
		    sim_parse_duration(end->text, &e, err, sizeof err) == 0 && e <= s)
			sim_schema_error(
			        d, end,
			        "an outage must end after it starts (got start: %s, end: %s)",
			        start->text, end->text);
	}
	const sim_yaml_node *ore = sim_yaml_get(fn, "on_record_error");
	if (ore && ore->kind == SIM_YAML_MAP) {
		const sim_yaml_node *policy = sim_yaml_get(ore, "policy");
		bool retry = scalar_is(policy, "retry");
		static const char *const with_retry[] = {"retries", "then"};
		for (size_t i = 0; policy && policy->kind == SIM_YAML_SCALAR && !retry && i < 2;
		     i++) {
			/* keys written in the scenario (line > 0), not defaults the schema filled
			 * in, nor written with their default value */
			const sim_yaml_pair *kv = sim_yaml_get_pair(ore, with_retry[i]);
			if (kv && kv->key->line > 0 &&
			    !sim_schema_holds_default(kv, on_record_error_keys))
				sim_schema_error(
				        d, kv->key,
				        "on_record_error.%s applies to policy: retry only (got "
				        "policy: %s)",
				        with_retry[i], policy->text);
		}
		const sim_yaml_node *then = sim_yaml_get(ore, "then");
		const sim_yaml_pair *to = sim_yaml_get_pair(ore, "forward_to");
		if (retry && scalar_is(then, "forward") && !to) {
			sim_schema_error(d, then,
			                 "'then: forward' needs forward_to (a topic or a queue)");
			sim_diag_hint(d, "e.g. forward_to: retry-topic");
		}
		if (to && !(retry && scalar_is(then, "forward")))
			sim_schema_error(
			        d, to->key,
			        "on_record_error.forward_to applies to then: forward only");
	}
	const sim_yaml_node *triggers = sim_yaml_get(fn, "triggers");
	for (size_t i = 0; triggers && triggers->kind == SIM_YAML_SEQ && i < triggers->n; i++) {
		const sim_yaml_node *t = triggers->items[i];
		if (sim_yaml_get(t, "sqs"))
			check_sqs_trigger(t, aws_warn, d);
		ks_check_before_end(root, sim_yaml_get(t, "enabled_at"), "enabled_at", d);
		const sim_yaml_node *criteria = sim_yaml_get(t, "filter_criteria");
		if (criteria && sim_yaml_get(t, "kinesis"))
			ks_filter_destroy(ks_filter_read(criteria, d));
		const sim_yaml_node *pos = sim_yaml_get(t, "starting_position");
		if (scalar_is(pos, "AT_TIMESTAMP") &&
		    !sim_yaml_get(t, "starting_position_timestamp")) {
			sim_schema_error(
			        d, pos,
			        "starting_position AT_TIMESTAMP needs starting_position_timestamp");
			sim_diag_hint(
			        d, "e.g. starting_position_timestamp: 5m (from the run's start)");
		}
	}
	const sim_yaml_pair *prov = sim_yaml_get_pair(fn, "provisioned_concurrency");
	const sim_yaml_node *reserved = sim_yaml_get(fn, "reserved_concurrency");
	int64_t np, nr;
	char err[128];
	if (prov && reserved && prov->value->kind == SIM_YAML_SCALAR &&
	    reserved->kind == SIM_YAML_SCALAR &&
	    sim_parse_count(prov->value->text, &np, err, sizeof err) == 0 &&
	    sim_parse_count(reserved->text, &nr, err, sizeof err) == 0 && np > nr) {
		sim_schema_error(
		        d, prov->value,
		        "provisioned_concurrency %lld is more than reserved_concurrency %lld",
		        (long long)np, (long long)nr);
		sim_diag_hint(d, "AWS allocates provisioned concurrency from the reserved");
	}
	/* an async destination names one function: a function with copies is several */
	static const char *const destinations[] = {"on_success", "on_failure"};
	const sim_yaml_node *functions = sim_yaml_get(root, "functions");
	for (size_t i = 0; i < 2; i++) {
		const sim_yaml_node *to = sim_yaml_get(sim_yaml_get(fn, "async"), destinations[i]);
		const sim_yaml_node *target = to && to->kind == SIM_YAML_SCALAR
		                                      ? sim_yaml_get(functions, to->text)
		                                      : NULL;
		if (target && copies_of(target) > 1) {
			sim_schema_error(
			        d, to, "async.%s names function '%s', which has %zu copies (count)",
			        destinations[i], to->text, copies_of(target));
			sim_diag_hint(d, "a destination is one function: give it count: 1");
		}
		if (to && to->kind == SIM_YAML_SCALAR && strcmp(to->text, p->key->text) == 0)
			sim_schema_error(d, to, "function '%s' is its own async.%s destination",
			                 to->text, destinations[i]);
	}
	const sim_yaml_node *fw = sim_yaml_get(fn, "forward");
	for (size_t t = 0; fw && fw->kind == SIM_YAML_SEQ && t < fw->n; t++) {
		const sim_yaml_node *target = sim_yaml_get(fw->items[t], "function");
		if (scalar_is(target, p->key->text))
			sim_schema_error(d, target, "function '%s' forwards to itself",
			                 target->text);
	}
}

/* [doc] AWS keeps at least 100 of the account's concurrency unreserved: the reservations of
 * all functions (each copy of a function with count reserves its own) may add up to
 * account_concurrency - 100 at most. A soft range: a warning under aws_ranges: warn, and then
 * the unreserved pool is what is left (account.h). */
static void check_reservations(const sim_yaml_node *root, const sim_yaml_node *functions,
                               sim_diag *d)
{
	const sim_yaml_node *platform = sim_yaml_get(root, "platform");
	const sim_yaml_node *acc =
	        sim_yaml_get(sim_yaml_get(platform, "lambda"), "account_concurrency");
	bool warn = scalar_is(sim_yaml_get(platform, "aws_ranges"), "warn");
	int64_t limit = 1000, sum = 0, n;
	char err[128];
	if (acc && (acc->kind != SIM_YAML_SCALAR ||
	            sim_parse_count(acc->text, &limit, err, sizeof err) < 0))
		return; /* reported by the schema */
	for (size_t i = 0; functions && functions->kind == SIM_YAML_MAP && i < functions->n; i++) {
		const sim_yaml_node *fn = functions->pairs[i].value;
		const sim_yaml_node *r = sim_yaml_get(fn, "reserved_concurrency");
		if (!r || r->kind != SIM_YAML_SCALAR ||
		    sim_parse_count(r->text, &n, err, sizeof err) < 0 || n < 0)
			continue;
		size_t copies = copies_of(fn);
		sum += n * (int64_t)(copies ? copies : 1);
		if (sum > 0 && limit - sum < 100) {
			sim_diag_report(
			        d, warn ? SIM_DIAG_WARNING : SIM_DIAG_ERROR, r->file, r->line,
			        r->col,
			        "reserved concurrency adds up to %lld, which leaves %lld of "
			        "account_concurrency %lld unreserved; AWS keeps at least 100",
			        (long long)sum, (long long)(limit - sum), (long long)limit);
			sim_diag_hint(d, "each copy of a function (count: N) reserves its own");
			return;
		}
	}
}

static void check_all(const sim_yaml_node *root, const sim_yaml_node *functions, sim_diag *d)
{
	bool warn = scalar_is(sim_yaml_get(sim_yaml_get(root, "platform"), "aws_ranges"), "warn");
	for (size_t i = 0; functions && functions->kind == SIM_YAML_MAP && i < functions->n; i++)
		check_function(root, &functions->pairs[i], warn, d);
	check_reservations(root, functions, d);
}

/* ---- the component ---------------------------------------------------------------------- */

/* One copy of a function and what Lambda runs for it. */
typedef struct copy {
	ks_function *fn;
	ks_async *async;
	ks_kinesis_esm **kinesis; /* one per kinesis trigger, in trigger order */
	size_t nkinesis;
	ks_sqs_esm **sqs; /* one per sqs trigger */
	size_t nsqs;
} copy;

static void *prepare(ks_model *m)
{
	lambda *l = sim_calloc(1, sizeof *l);
	sim_schema_fill(ks_model_platform(m, "lambda"), platform_keys, &l->platform);
	/* [doc] account_concurrency, 1000 by default */
	l->account = ks_account_create(l->platform.account_concurrency);
	return l;
}

static void release(void *state)
{
	lambda *l = state;
	ks_account_destroy(l->account);
	sim_dist_fini(&l->platform.invoke_overhead);
	for (size_t i = 0; i < 3; i++)
		sim_dist_fini(&l->platform.cold_start.runtime[i]);
	sim_free(l);
}

/* A function's configuration from its scenario node (the resolved tree: every value present
 * and valid). Free what it holds with config_fini. */
static ks_function_config config_of(const lambda *l, const char *name, const sim_yaml_node *f)
{
	ks_function_config cfg = {
	        .name = name,
	        .account = l->account,
	        .idle_reclaim = l->platform.idle_reclaim,
	        .reserved_concurrency = -1,
	};
	sim_schema_fill(f, function_keys, &cfg);
	sim_schema_fill(sim_yaml_get(f, "duration"), duration_keys, &cfg);
	cfg.has_reserved = cfg.reserved_concurrency >= 0;
	/* The function's own cold_start, else the platform's for its runtime. */
	if (sim_yaml_get(f, "cold_start"))
		cfg.cold_start = sim_schema_dist(f, "cold_start", false);
	else
		cfg.cold_start = sim_dist_copy(
		        &l->platform.cold_start.runtime[sim_schema_enum(f, "runtime", runtimes)]);
	const sim_yaml_node *errors = sim_yaml_get(f, "errors");
	if (errors) {
		sim_schema_fill(errors, errors_keys, &cfg);
		const sim_yaml_node *idx = sim_yaml_get(errors, "poison_indices");
		if (idx && idx->n) {
			uint64_t *v = sim_calloc(idx->n, sizeof *v);
			for (size_t i = 0; i < idx->n; i++) {
				int64_t n = 0;
				char err[128];
				int rc = sim_parse_count(idx->items[i]->text, &n, err, sizeof err);
				SIM_ASSERT(rc == 0 && n >= 0);
				v[i] = (uint64_t)n;
			}
			cfg.poison_indices = v;
			cfg.npoison_indices = idx->n;
		}
		const sim_yaml_node *outages = sim_yaml_get(errors, "outages");
		if (outages && outages->n) {
			ks_outage *o = sim_calloc(outages->n, sizeof *o);
			for (size_t i = 0; i < outages->n; i++)
				sim_schema_fill(outages->items[i], outage_keys, &o[i]);
			cfg.outages = o;
			cfg.noutages = outages->n;
		}
	}
	/* then: forward's destination is linked later (forward_to) */
	sim_schema_fill(sim_yaml_get(f, "on_record_error"), on_record_error_keys, &cfg);
	return cfg;
}

static void config_fini(ks_function_config *cfg)
{
	sim_dist_fini(&cfg->per_invocation);
	sim_dist_fini(&cfg->per_record);
	sim_dist_fini(&cfg->cold_start);
	sim_free((void *)cfg->poison_indices);
	sim_free((void *)cfg->outages);
}

static ks_kinesis_esm_config kinesis_config(const lambda *l, const sim_yaml_node *trigger)
{
	const lambda_platform *p = &l->platform;
	kinesis_trigger t = {.start_at = 0};
	sim_schema_fill(trigger, kinesis_trigger_keys, &t);
	return (ks_kinesis_esm_config){
	        .efo = t.efo,
	        .batch_size = (uint32_t)t.batch_size,
	        .batching_window = t.batching_window,
	        .lanes = (uint32_t)t.lanes,
	        .start = (ks_start)t.start,
	        .start_at = t.start_at,
	        .enabled_at = t.enabled_at,
	        .filter_criteria = sim_yaml_get(trigger, "filter_criteria"),
	        .tumbling_window = t.tumbling_window,
	        .max_retry_attempts = t.max_retry_attempts,
	        .max_record_age = t.max_record_age,
	        .bisect = t.bisect,
	        .item_failures = t.item_failures,
	        .retry_delay = p->retry_delay,
	        .poll_interval = p->poll_interval,
	        .strict = p->strict == 1,
	        .poll_jitter = p->poll_jitter,
	        .getrecords_limit = (uint32_t)p->getrecords_limit,
	        .payload_max_bytes = 6 * 1048576, /* [doc] */
	        .event_record_overhead = (uint32_t)p->event_record_overhead,
	        .throttle_penalty = p->throttle_penalty,
	        .backoff_base = p->read_backoff.base,
	        .backoff_cap = p->read_backoff.cap,
	        .backoff_factor = p->read_backoff.factor,
	        .backoff_jitter = p->read_backoff.jitter,
	        .invoke_overhead = &p->invoke_overhead,
	        .age_at = (ks_age_at)p->age_at,
	};
}

/* The output file's attributes of a copy's group: what invokes it and how it is sized.
 * `triggers` lists them as TYPE:SOURCE (kinesis, sqs, sns, s3), one a line; `efo` is 1 when a
 * Kinesis trigger uses enhanced fan-out. */
static void describe_copy(ks_ctx *ctx, const char *name, const sim_yaml_node *f, const copy *c)
{
	static const char *const types[] = {"kinesis", "sqs", "sns", "s3"};
	char *group = sim_asprintf("functions/%s", name);
	char *triggers = sim_strdup("");
	bool efo = false;
	const sim_yaml_node *list = sim_yaml_get(f, "triggers");
	for (size_t t = 0; list && list->kind == SIM_YAML_SEQ && t < list->n; t++) {
		const sim_yaml_node *trigger = list->items[t];
		for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
			const sim_yaml_node *source = sim_yaml_get(trigger, types[k]);
			if (!source || !source->text)
				continue;
			char *more = sim_asprintf("%s%s%s:%s", triggers, *triggers ? "\n" : "",
			                          types[k], source->text);
			sim_free(triggers);
			triggers = more;
		}
		const sim_yaml_node *e = sim_yaml_get(trigger, "enhanced_fanout");
		if (sim_yaml_get(trigger, "kinesis") && e && e->text &&
		    strcmp(e->text, "true") == 0)
			efo = true;
	}
	sim_metrics_set_attr_text(ctx->metrics, group, "triggers", triggers);
	sim_metrics_set_attr_int(ctx->metrics, group, "efo", efo ? 1 : 0);
	sim_metrics_set_attr_int(ctx->metrics, group, "memory_mb",
	                         (int64_t)(c->fn->memory_bytes / 1048576.0 + 0.5));
	sim_free(triggers);
	sim_free(group);
}

/* A copy: the function, its async queue and its Kinesis mappings. */
static void create_copy(ks_model *m, const char *name, const char *entry, const sim_yaml_node *f)
{
	lambda *l = ks_model_state(m, &ks_functions_component);
	ks_ctx *ctx = ks_model_ctx(m);
	copy *c = sim_calloc(1, sizeof *c);
	ks_function_config cfg = config_of(l, name, f);
	c->fn = ks_function_create(ctx, &cfg);
	config_fini(&cfg);

	ks_async_config ac = {.invoke_overhead = &l->platform.invoke_overhead};
	sim_schema_fill(sim_yaml_get(f, "async"), async_keys, &ac);
	c->async = ks_async_create(ctx, c->fn, &ac);

	const sim_yaml_node *triggers = sim_yaml_get(f, "triggers");
	size_t ntriggers = triggers && triggers->kind == SIM_YAML_SEQ ? triggers->n : 0;
	for (size_t t = 0; t < ntriggers; t++) {
		const sim_yaml_node *k = sim_yaml_get(triggers->items[t], "kinesis");
		if (!k)
			continue;
		ks_kinesis_esm_config ec = kinesis_config(l, triggers->items[t]);
		c->kinesis = sim_reallocarray(c->kinesis, c->nkinesis + 1, sizeof *c->kinesis);
		c->kinesis[c->nkinesis++] = ks_kinesis_esm_create(
		        ctx, c->fn, ks_model_stream(m, k->text), &ec, ntriggers > 1);
	}
	ks_entity *e = ks_model_add(m, &ks_functions_component, name, entry, f, c);
	e->sink = ks_async_sink(c->async); /* an asynchronous invocation */
	describe_copy(ctx, name, f, c);
}

static void create(ks_model *m, const char *entry, const sim_yaml_node *f)
{
	size_t copies = copies_of(f);
	if (copies == 0) {
		create_copy(m, entry, entry, f);
		return;
	}
	for (size_t i = 1; i <= copies; i++) {
		char *name = sim_asprintf("%s-%zu", entry, i);
		create_copy(m, name, entry, f);
		sim_free(name);
	}
}

/* The fan-out targets of `forward:`: a function with `count` means every copy. */
static ks_fanout *link_fanout(ks_model *m, copy *c, const sim_yaml_node *fw)
{
	lambda *l = ks_model_state(m, &ks_functions_component);
	ks_fanout *fo = ks_fanout_create(ks_model_ctx(m), c->fn, &l->platform.invoke_overhead);
	for (size_t i = 0; i < fw->n; i++) {
		const sim_yaml_node *item = fw->items[i];
		const sim_yaml_node *fn = sim_yaml_get(item, "function");
		const sim_yaml_node *s = sim_yaml_get(item, "stream");
		const sim_yaml_node *t = sim_yaml_get(item, "topic");
		if (!fn) {
			ks_forward_target target = {.sink = ks_model_sink(m, (s ? s : t)->text)};
			ks_fanout_add(fo, &target);
			continue;
		}
		bool sync = sim_schema_enum(item, "invoke", invokes) == 1;
		size_t n;
		ks_entity *const *targets = ks_model_entities(m, fn->text, &n);
		for (size_t k = 0; k < n; k++) {
			ks_forward_target target = {0};
			if (sync)
				target.sync = ((copy *)targets[k]->obj)->fn;
			else
				target.sink = targets[k]->sink;
			ks_fanout_add(fo, &target);
		}
	}
	return fo;
}

static void link_names(ks_model *m, ks_entity *e)
{
	lambda *l = ks_model_state(m, &ks_functions_component);
	copy *c = e->obj;
	const sim_yaml_node *f = e->node;
	ks_ctx *ctx = ks_model_ctx(m);
	ks_sink async_sink = ks_async_sink(c->async);

	const sim_yaml_node *async = sim_yaml_get(f, "async");
	const sim_yaml_node *on_failure = sim_yaml_get(async, "on_failure");
	const sim_yaml_node *on_success = sim_yaml_get(async, "on_success");
	ks_sink none = {0};
	ks_sink failure = on_failure ? ks_model_sink(m, on_failure->text) : none;
	ks_sink success = on_success ? ks_model_sink(m, on_success->text) : none;
	ks_async_set_destinations(c->async, &success, &failure);

	const sim_yaml_node *triggers = sim_yaml_get(f, "triggers");
	size_t k = 0;
	for (size_t t = 0; triggers && triggers->kind == SIM_YAML_SEQ && t < triggers->n; t++) {
		const sim_yaml_node *trigger = triggers->items[t];
		if (sim_yaml_get(trigger, "kinesis")) {
			const sim_yaml_node *to = sim_yaml_get(trigger, "on_failure");
			if (to) {
				ks_sink sink = ks_model_sink(m, to->text);
				ks_kinesis_esm_set_on_failure(c->kinesis[k], &sink);
			}
			k++;
		}
		const sim_yaml_node *sqs = sim_yaml_get(trigger, "sqs");
		if (sqs) {
			ks_sqs_esm_config cfg = {
			        .max_concurrency = 1000, /* [doc] without maximum_concurrency */
			        .retry_delay = l->platform.retry_delay,
			        .invoke_overhead = &l->platform.invoke_overhead,
			        .payload_max_bytes = 6 * 1048576, /* [doc] */
			};
			sim_schema_fill(trigger, sqs_trigger_keys, &cfg);
			ks_source queue = ks_model_source(m, sqs->text);
			c->sqs = sim_reallocarray(c->sqs, c->nsqs + 1, sizeof *c->sqs);
			c->sqs[c->nsqs++] = ks_sqs_esm_create(ctx, c->fn, &queue, &cfg);
		}
		const sim_yaml_node *sns = sim_yaml_get(trigger, "sns");
		if (sns)
			ks_model_subscribe(m, sns->text, &async_sink);
		const sim_yaml_node *s3 = sim_yaml_get(trigger, "s3");
		if (s3)
			ks_model_subscribe(m, s3->text, &async_sink);
	}

	const sim_yaml_node *ore = sim_yaml_get(f, "on_record_error");
	if (c->fn->policy == KS_RECORD_RETRY && c->fn->then == KS_RECORD_FORWARD)
		c->fn->forward_to = ks_model_sink(m, sim_schema_string(ore, "forward_to"));

	const sim_yaml_node *fw = sim_yaml_get(f, "forward");
	if (fw && fw->kind == SIM_YAML_SEQ && fw->n > 0)
		c->fn->fanout = link_fanout(m, c, fw);
}

static void start(void *obj)
{
	copy *c = obj;
	for (size_t i = 0; i < c->nkinesis; i++)
		ks_kinesis_esm_start(c->kinesis[i]);
	for (size_t i = 0; i < c->nsqs; i++)
		ks_sqs_esm_start(c->sqs[i]);
}

static void finish(void *obj, sim_time end)
{
	copy *c = obj;
	for (size_t i = 0; i < c->nkinesis; i++)
		ks_kinesis_esm_finish(c->kinesis[i], end);
}

/* What the copy had not finished when the run ended: read or not, in its lanes, in flight, in
 * its async queue, in its polled queues; and what its sync fan-out targets had not finished. */
static void pending(void *obj)
{
	copy *c = obj;
	for (size_t i = 0; i < c->nkinesis; i++)
		ks_kinesis_esm_pending(c->kinesis[i]);
	c->fn->records_pending += (double)ks_async_pending(c->async);
	if (c->fn->fanout)
		ks_fanout_pending(c->fn->fanout);
	for (size_t i = 0; i < c->nsqs; i++)
		ks_sqs_esm_pending(c->sqs[i]);
}

static void summarize(void *obj, ks_cost *cost)
{
	copy *c = obj;
	ks_function_summarize(c->fn);
	for (size_t i = 0; i < c->nkinesis; i++)
		ks_kinesis_esm_cost(c->kinesis[i], cost);
	*ks_cost_quantity(cost, "lambda_request_million") += c->fn->requests;
	*ks_cost_quantity(cost, "lambda_gb_second") += c->fn->billed_gb_s;
	/* [doc] provisioned concurrency is billed for as long as it is configured: the measured
	 * period, at the function's memory */
	const ks_ctx *ctx = c->fn->ctx;
	*ks_cost_quantity(cost, "lambda_provisioned_gb_second") +=
	        (double)c->fn->provisioned * c->fn->memory_bytes / (1024.0 * 1024.0 * 1024.0) *
	        (double)(ctx->stop - ctx->warmup) / 1e9;
	*ks_cost_quantity(cost, "lambda_provisioned_duration_gb_second") +=
	        c->fn->provisioned_duration_gb_s;
}

static void destroy(void *obj)
{
	copy *c = obj;
	for (size_t i = 0; i < c->nsqs; i++)
		ks_sqs_esm_destroy(c->sqs[i]);
	sim_free(c->sqs);
	ks_fanout_destroy(c->fn->fanout);
	ks_async_destroy(c->async);
	for (size_t i = 0; i < c->nkinesis; i++)
		ks_kinesis_esm_destroy(c->kinesis[i]);
	sim_free(c->kinesis);
	ks_function_destroy(c->fn);
	sim_free(c);
}

void ks_functions_observe(ks_model *m, ks_batch_observer fn, void *ctx)
{
	for (size_t i = 0; i < ks_model_count(m); i++) {
		ks_entity *e = ks_model_at(m, i);
		if (e->kind != &ks_functions_component)
			continue;
		copy *c = e->obj;
		c->fn->observer = fn;
		c->fn->observer_ctx = ctx;
	}
}

ks_function *ks_functions_find(ks_model *m, const char *name)
{
	ks_entity *e = ks_model_entity(m, name);
	return e && e->kind == &ks_functions_component ? ((copy *)e->obj)->fn : NULL;
}

struct ks_async *ks_functions_async(ks_model *m, const char *name)
{
	ks_entity *e = ks_model_entity(m, name);
	return e && e->kind == &ks_functions_component ? ((copy *)e->obj)->async : NULL;
}

struct ks_account *ks_functions_account(ks_model *m)
{
	return ((lambda *)ks_model_state(m, &ks_functions_component))->account;
}

const ks_component ks_functions_component = {
        .key = "functions",
        .noun = "function",
        .item = &function_item,
        .check = check_all,
        .names = names,
        .platform = "lambda",
        .platform_keys = platform_keys,
        .cost_line = "lambda",
        .prices = prices,
        .prepare = prepare,
        .release = release,
        .create = create,
        .link = link_names,
        .start = start,
        .finish = finish,
        .pending = pending,
        .summarize = summarize,
        .destroy = destroy,
};
