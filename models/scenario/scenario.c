/* The scenario format of SCENARIO.md as a schema table, and the checks a schema cannot say
 * (one of rate/profile/diurnal/trace, references between entities, unique names).
 *
 * Keys whose model has not landed yet carry SIM_SCHEMA_NOT_IMPLEMENTED: the walker refuses them
 * when they hold anything but their default, so a scenario never runs with a setting silently
 * ignored. Ranges marked AWS are the documented service ranges, soft ranges to the schema walker
 * (platform.aws_ranges: warn turns them into warnings for teaching scenarios). */
#include "models/scenario/scenario.h"

#include "models/kinesis/trace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/schema.h"
#include "sim/units.h"

#define NI   SIM_SCHEMA_NOT_IMPLEMENTED
#define REQ  SIM_SCHEMA_REQUIRED
#define AWS  SIM_SCHEMA_SOFT_RANGE
#define FILL SIM_SCHEMA_FILL
#define END                                                                                        \
	{                                                                                          \
		.key = NULL                                                                        \
	}

#define S_  (double)SIM_S
#define MIB 1048576.0

static const char *const aws_ranges_choices[] = {"error", "warn", NULL};
static const char *const write_limiter_choices[] = {"token_bucket", "fixed_window", NULL};
static const char *const read_limiter_choices[] = {"sliding_window", "token_bucket", "fixed_window",
                                                   NULL};
static const char *const poll_mode_choices[] = {"catch_up", "strict", NULL};
static const char *const jitter_choices[] = {"none", "full", "equal", NULL};
static const char *const iterator_age_at_choices[] = {"batch_received", "invoke_sent",
                                                      "invoke_finished", NULL};
static const char *const mode_choices[] = {"provisioned", "on_demand", NULL};
static const char *const key_dist_choices[] = {"uniform", "zipf", NULL};
static const char *const api_choices[] = {"PutRecords", "PutRecord", NULL};
static const char *const runtime_choices[] = {"nodejs", "python", "java", NULL};
static const char *const policy_choices[] = {"fail_batch", "skip", "retry", NULL};
static const char *const then_choices[] = {"skip", "fail_batch", "forward", NULL};
static const char *const position_choices[] = {"LATEST", "TRIM_HORIZON", "AT_TIMESTAMP", NULL};
static const char *const trace_choices[] = {"records", "deliveries", "invocations", "reads", NULL};

static const sim_schema string_item = {.kind = SIM_SCHEMA_STRING, .what = "name"};
static const sim_schema trace_item = {
        .kind = SIM_SCHEMA_ENUM, .choices = trace_choices, .what = "trace"};

static const sim_schema metrics_keys[] = {
        {.key = "interval",
         .kind = SIM_SCHEMA_DURATION,
         .def = "1m",
         .min = 1e6,
         .max = 86400 * S_},
        END,
};

static const sim_schema output_keys[] = {
        {.key = "traces", .kind = SIM_SCHEMA_SEQ, .item = &trace_item, .flags = NI},
        {.key = "trace_sample", .kind = SIM_SCHEMA_FRACTION, .def = "100%", .flags = NI},
        END,
};

static const sim_schema kinesis_platform_keys[] = {
        {.key = "read_tps", .kind = SIM_SCHEMA_RATE, .def = "5/s", .min = 0.001, .max = 1e6},
        {.key = "read_bytes", .kind = SIM_SCHEMA_RATE, .def = "2MiB/s", .min = 1, .max = 1e12},
        {.key = "write_records", .kind = SIM_SCHEMA_RATE, .def = "1000/s", .min = 1, .max = 1e9},
        {.key = "write_bytes", .kind = SIM_SCHEMA_RATE, .def = "1MiB/s", .min = 1, .max = 1e12},
        {.key = "write_limiter",
         .kind = SIM_SCHEMA_ENUM,
         .def = "token_bucket",
         .choices = write_limiter_choices},
        {.key = "read_limiter",
         .kind = SIM_SCHEMA_ENUM,
         .def = "sliding_window",
         .choices = read_limiter_choices},
        {.key = "throttled_calls_count", .kind = SIM_SCHEMA_BOOL, .def = "false"},
        {.key = "read_byte_tolerance",
         .kind = SIM_SCHEMA_DURATION,
         .def = "1s",
         .min = 0,
         .max = 3600 * S_},
        {.key = "put_to_readable",
         .kind = SIM_SCHEMA_DURATION,
         .def = "0s",
         .min = 0,
         .max = 3600 * S_},
        {.key = "getrecords_latency",
         .kind = SIM_SCHEMA_DIST_DURATION,
         .def = "{dist: lognormal, median: 70ms, p99: 300ms}"},
        {.key = "efo_push_latency",
         .kind = SIM_SCHEMA_DIST_DURATION,
         .def = "{dist: lognormal, median: 45ms, p99: 100ms}"},
        {.key = "efo_renewal_gap",
         .kind = SIM_SCHEMA_DURATION,
         .def = "0s",
         .min = 0,
         .max = 300 * S_},
        {.key = "on_demand_split_after",
         .kind = SIM_SCHEMA_DURATION,
         .def = "15m",
         .min = 0,
         .max = 86400 * S_},
        {.key = "on_demand_max_shards",
         .kind = SIM_SCHEMA_INT,
         .def = "200",
         .min = 4,
         .max = 10000},
        END,
};

static const sim_schema read_backoff_keys[] = {
        {.key = "base", .kind = SIM_SCHEMA_DURATION, .def = "1s", .min = 0, .max = 3600 * S_},
        {.key = "factor", .kind = SIM_SCHEMA_NUMBER, .def = "2", .min = 1, .max = 100},
        {.key = "cap", .kind = SIM_SCHEMA_DURATION, .def = "30s", .min = 0, .max = 3600 * S_},
        {.key = "jitter", .kind = SIM_SCHEMA_ENUM, .def = "full", .choices = jitter_choices},
        END,
};

static const sim_schema cold_start_keys[] = {
        {.key = "nodejs",
         .kind = SIM_SCHEMA_DIST_DURATION,
         .def = "{dist: lognormal, median: 150ms, p99: 600ms}"},
        {.key = "python",
         .kind = SIM_SCHEMA_DIST_DURATION,
         .def = "{dist: lognormal, median: 150ms, p99: 600ms}"},
        {.key = "java",
         .kind = SIM_SCHEMA_DIST_DURATION,
         .def = "{dist: lognormal, median: 600ms, p99: 2500ms}"},
        END,
};

static const sim_schema lambda_platform_keys[] = {
        {.key = "poll_interval",
         .kind = SIM_SCHEMA_DURATION,
         .def = "1s",
         .min = 1e6,
         .max = 3600 * S_},
        {.key = "poll_mode",
         .kind = SIM_SCHEMA_ENUM,
         .def = "catch_up",
         .choices = poll_mode_choices},
        {.key = "poll_jitter", .kind = SIM_SCHEMA_FRACTION, .def = "10%"},
        {.key = "getrecords_limit",
         .kind = SIM_SCHEMA_INT,
         .def = "10000",
         .min = 1,
         .max = 10000,
         .flags = AWS},
        {.key = "throttle_penalty",
         .kind = SIM_SCHEMA_DURATION,
         .def = "1s",
         .min = 0,
         .max = 3600 * S_},
        {.key = "read_backoff",
         .kind = SIM_SCHEMA_MAP,
         .children = read_backoff_keys,
         .flags = FILL,
         .what = "platform.lambda.read_backoff"},
        {.key = "retry_delay",
         .kind = SIM_SCHEMA_DURATION,
         .def = "1s",
         .min = 0,
         .max = 3600 * S_},
        {.key = "invoke_overhead",
         .kind = SIM_SCHEMA_DIST_DURATION,
         .def = "{dist: lognormal, median: 10ms, p99: 40ms}"},
        {.key = "account_concurrency", .kind = SIM_SCHEMA_INT, .def = "1000", .min = 1, .max = 1e7},
        {.key = "idle_reclaim",
         .kind = SIM_SCHEMA_DURATION,
         .def = "10m",
         .min = 0,
         .max = 366 * 86400 * S_},
        {.key = "iterator_age_at",
         .kind = SIM_SCHEMA_ENUM,
         .def = "invoke_finished",
         .choices = iterator_age_at_choices},
        {.key = "cold_start",
         .kind = SIM_SCHEMA_MAP,
         .children = cold_start_keys,
         .flags = FILL,
         .what = "platform.lambda.cold_start"},
        END,
};

static const sim_schema sns_platform_keys[] = {
        {.key = "delivery_latency",
         .kind = SIM_SCHEMA_DIST_DURATION,
         .def = "{dist: lognormal, median: 70ms, p99: 200ms}"},
        END,
};

#define PRICE(k, d)                                                                                \
	{                                                                                          \
		.key = k, .kind = SIM_SCHEMA_NUMBER, .def = d, .min = 0, .max = 1e9                \
	}
static const sim_schema prices_keys[] = {
        PRICE("shard_hour", "0.015"),
        PRICE("put_payload_unit_million", "0.014"),
        PRICE("efo_consumer_shard_hour", "0.015"),
        PRICE("efo_gb", "0.013"),
        PRICE("lambda_request_million", "0.20"),
        PRICE("lambda_gb_second", "0.0000166667"),
        PRICE("sqs_request_million", "0.40"),
        PRICE("sns_request_million", "0.50"),
        PRICE("firehose_gb", "0.029"),
        PRICE("on_demand_stream_hour", "0.04"),
        PRICE("on_demand_gb_in", "0.08"),
        PRICE("on_demand_gb_out", "0.04"),
        END,
};

static const sim_schema platform_keys[] = {
        {.key = "aws_ranges",
         .kind = SIM_SCHEMA_ENUM,
         .def = "error",
         .choices = aws_ranges_choices},
        {.key = "kinesis",
         .kind = SIM_SCHEMA_MAP,
         .children = kinesis_platform_keys,
         .flags = FILL,
         .what = "platform.kinesis"},
        {.key = "lambda",
         .kind = SIM_SCHEMA_MAP,
         .children = lambda_platform_keys,
         .flags = FILL,
         .what = "platform.lambda"},
        {.key = "sns",
         .kind = SIM_SCHEMA_MAP,
         .children = sns_platform_keys,
         .flags = FILL,
         .what = "platform.sns"},
        {.key = "prices",
         .kind = SIM_SCHEMA_MAP,
         .children = prices_keys,
         .flags = FILL,
         .what = "platform.prices"},
        END,
};

static const sim_schema reshard_keys[] = {
        {.key = "at",
         .kind = SIM_SCHEMA_DURATION,
         .flags = REQ,
         .min = 1e6,
         .max = 366 * 86400 * S_},
        {.key = "shards", .kind = SIM_SCHEMA_INT, .flags = REQ, .min = 1, .max = 10000},
        END,
};
static const sim_schema reshard_item = {
        .kind = SIM_SCHEMA_MAP, .children = reshard_keys, .what = "reshard"};

static const sim_schema stream_keys[] = {
        /* required unless mode: on_demand (checked with the other cross-checks) */
        {.key = "shards", .kind = SIM_SCHEMA_INT, .min = 1, .max = 10000},
        {.key = "mode", .kind = SIM_SCHEMA_ENUM, .def = "provisioned", .choices = mode_choices},
        {.key = "retention",
         .kind = SIM_SCHEMA_DURATION,
         .def = "24h",
         .min = 24 * 3600 * S_,
         .max = 8760 * 3600 * S_,
         .flags = AWS},
        {.key = "reshard", .kind = SIM_SCHEMA_SEQ, .item = &reshard_item},
        END,
};
static const sim_schema stream_item = {
        .kind = SIM_SCHEMA_MAP, .children = stream_keys, .what = "stream"};

static const sim_schema partition_keys_keys[] = {
        {.key = "count", .kind = SIM_SCHEMA_INT, .def = "10000", .min = 1, .max = 10000000},
        {.key = "distribution",
         .kind = SIM_SCHEMA_ENUM,
         .def = "uniform",
         .choices = key_dist_choices},
        {.key = "zipf_s", .kind = SIM_SCHEMA_NUMBER, .def = "1.0", .min = 0, .max = 10},
        {.key = "hot_key_share", .kind = SIM_SCHEMA_FRACTION, .def = "0%"},
        END,
};

static const sim_schema put_keys[] = {
        {.key = "api", .kind = SIM_SCHEMA_ENUM, .def = "PutRecords", .choices = api_choices},
        {.key = "max_records",
         .kind = SIM_SCHEMA_INT,
         .def = "500",
         .min = 1,
         .max = 500,
         .flags = AWS},
        {.key = "linger", .kind = SIM_SCHEMA_DURATION, .def = "0s", .min = 0, .max = 3600 * S_},
        END,
};

static const sim_schema retry_keys[] = {
        {.key = "max_attempts", .kind = SIM_SCHEMA_INT, .def = "4", .min = 1, .max = 1000},
        {.key = "base", .kind = SIM_SCHEMA_DURATION, .def = "500ms", .min = 0, .max = 3600 * S_},
        {.key = "cap", .kind = SIM_SCHEMA_DURATION, .def = "20s", .min = 0, .max = 3600 * S_},
        {.key = "jitter", .kind = SIM_SCHEMA_ENUM, .def = "equal", .choices = jitter_choices},
        END,
};

static const sim_schema profile_step_keys[] = {
        {.key = "at", .kind = SIM_SCHEMA_DURATION, .flags = REQ, .min = 0, .max = 366 * 86400 * S_},
        {.key = "rate", .kind = SIM_SCHEMA_RATE, .flags = REQ, .min = 0, .max = 1e9},
        {.key = "ramp",
         .kind = SIM_SCHEMA_DURATION,
         .def = "0s",
         .min = 0,
         .max = 366 * 86400 * S_},
        END,
};
static const sim_schema profile_step = {
        .kind = SIM_SCHEMA_MAP, .children = profile_step_keys, .what = "profile step"};

static const sim_schema diurnal_keys[] = {
        {.key = "peak", .kind = SIM_SCHEMA_RATE, .flags = REQ, .min = 0, .max = 1e9},
        {.key = "trough", .kind = SIM_SCHEMA_RATE, .flags = REQ, .min = 0, .max = 1e9},
        {.key = "period",
         .kind = SIM_SCHEMA_DURATION,
         .def = "24h",
         .min = 1 * S_,
         .max = 366 * 86400 * S_},
        {.key = "peak_at",
         .kind = SIM_SCHEMA_DURATION,
         .def = "0s",
         .min = 0,
         .max = 366 * 86400 * S_},
        END,
};

static const sim_schema producer_keys[] = {
        {.key = "stream", .kind = SIM_SCHEMA_STRING},
        {.key = "streams", .kind = SIM_SCHEMA_SEQ, .item = &string_item},
        {.key = "rate", .kind = SIM_SCHEMA_RATE, .min = 0, .max = 1e9},
        {.key = "arrivals", .kind = SIM_SCHEMA_ANY, .def = "poisson"},
        {.key = "profile", .kind = SIM_SCHEMA_SEQ, .item = &profile_step},
        {.key = "diurnal", .kind = SIM_SCHEMA_MAP, .children = diurnal_keys, .what = "diurnal"},
        {.key = "trace", .kind = SIM_SCHEMA_STRING},
        {.key = "record_size", .kind = SIM_SCHEMA_DIST_SIZE, .flags = REQ},
        {.key = "limit", .kind = SIM_SCHEMA_INT, .min = 0, .max = 9e15},
        {.key = "partition_keys",
         .kind = SIM_SCHEMA_MAP,
         .children = partition_keys_keys,
         .flags = FILL,
         .what = "partition_keys"},
        {.key = "put", .kind = SIM_SCHEMA_MAP, .children = put_keys, .flags = FILL, .what = "put"},
        {.key = "retry",
         .kind = SIM_SCHEMA_MAP,
         .children = retry_keys,
         .flags = FILL,
         .what = "retry"},
        END,
};
static const sim_schema producer_item = {
        .kind = SIM_SCHEMA_MAP, .children = producer_keys, .what = "producer"};

static const sim_schema processing_keys[] = {
        {.key = "per_record", .kind = SIM_SCHEMA_DIST_DURATION, .def = "0s"},
        END,
};

static const sim_schema consumer_keys[] = {
        {.key = "stream", .kind = SIM_SCHEMA_STRING, .flags = REQ},
        {.key = "enhanced_fanout", .kind = SIM_SCHEMA_BOOL, .def = "false"},
        {.key = "idle_time_between_reads",
         .kind = SIM_SCHEMA_DURATION,
         .def = "1s",
         .min = 0,
         .max = 3600 * S_},
        {.key = "max_records",
         .kind = SIM_SCHEMA_INT,
         .def = "10000",
         .min = 1,
         .max = 10000,
         .flags = AWS},
        {.key = "processing",
         .kind = SIM_SCHEMA_MAP,
         .children = processing_keys,
         .flags = FILL,
         .what = "processing"},
        {.key = "throttle_backoff",
         .kind = SIM_SCHEMA_DURATION,
         .def = "500ms",
         .min = 0,
         .max = 3600 * S_},
        END,
};
static const sim_schema consumer_item = {
        .kind = SIM_SCHEMA_MAP, .children = consumer_keys, .what = "consumer"};

static const sim_schema duration_keys[] = {
        {.key = "per_invocation", .kind = SIM_SCHEMA_DIST_DURATION, .def = "0s"},
        {.key = "per_record", .kind = SIM_SCHEMA_DIST_DURATION, .def = "0s"},
        END,
};

static const sim_schema on_record_error_keys[] = {
        {.key = "policy", .kind = SIM_SCHEMA_ENUM, .def = "fail_batch", .choices = policy_choices},
        {.key = "retries", .kind = SIM_SCHEMA_INT, .def = "0", .min = 0, .max = 1000},
        /* then: forward goes with forward_to: check_function_errors */
        {.key = "then", .kind = SIM_SCHEMA_ENUM, .def = "skip", .choices = then_choices},
        {.key = "forward_to", .kind = SIM_SCHEMA_STRING},
        END,
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
         .max = 366 * 86400 * S_},
        {.key = "end",
         .kind = SIM_SCHEMA_DURATION,
         .flags = REQ,
         .min = 0,
         .max = 366 * 86400 * S_},
        END,
};
static const sim_schema outage_item = {
        .kind = SIM_SCHEMA_MAP, .children = outage_keys, .what = "outage"};
static const sim_schema errors_keys[] = {
        {.key = "invocation", .kind = SIM_SCHEMA_FRACTION, .def = "0"},
        {.key = "poison_records", .kind = SIM_SCHEMA_FRACTION, .def = "0"},
        {.key = "poison_indices", .kind = SIM_SCHEMA_SEQ, .item = &poison_index_item},
        {.key = "outages", .kind = SIM_SCHEMA_SEQ, .item = &outage_item},
        END,
};

static const sim_schema kinesis_trigger_keys[] = {
        {.key = "kinesis", .kind = SIM_SCHEMA_STRING, .flags = REQ},
        {.key = "enhanced_fanout", .kind = SIM_SCHEMA_BOOL, .def = "false"},
        {.key = "batch_size",
         .kind = SIM_SCHEMA_INT,
         .def = "100",
         .min = 1,
         .max = 10000,
         .flags = AWS},
        {.key = "maximum_batching_window",
         .kind = SIM_SCHEMA_DURATION,
         .def = "0s",
         .min = 0,
         .max = 300 * S_,
         .flags = AWS},
        {.key = "parallelization_factor",
         .kind = SIM_SCHEMA_INT,
         .def = "1",
         .min = 1,
         .max = 10,
         .flags = AWS},
        {.key = "starting_position",
         .kind = SIM_SCHEMA_ENUM,
         .def = "LATEST",
         .choices = position_choices},
        {.key = "starting_position_timestamp", .kind = SIM_SCHEMA_DURATION},
        {.key = "maximum_retry_attempts",
         .kind = SIM_SCHEMA_INT,
         .def = "-1",
         .min = 0,
         .max = 10000,
         .flags = AWS | SIM_SCHEMA_NEG1},
        {.key = "maximum_record_age",
         .kind = SIM_SCHEMA_DURATION,
         .def = "-1",
         .min = 60 * S_,
         .max = 7 * 86400 * S_,
         .flags = AWS | SIM_SCHEMA_NEG1},
        {.key = "bisect_batch_on_function_error", .kind = SIM_SCHEMA_BOOL, .def = "false"},
        {.key = "report_batch_item_failures", .kind = SIM_SCHEMA_BOOL, .def = "false"},
        {.key = "on_failure", .kind = SIM_SCHEMA_STRING},
        END,
};
static const sim_schema sns_trigger_keys[] = {
        {.key = "sns", .kind = SIM_SCHEMA_STRING, .flags = REQ},
        END,
};
static const sim_schema sqs_trigger_keys[] = {
        {.key = "sqs", .kind = SIM_SCHEMA_STRING, .flags = REQ},
        {.key = "batch_size",
         .kind = SIM_SCHEMA_INT,
         .def = "10",
         .min = 1,
         .max = 10000,
         .flags = AWS},
        {.key = "maximum_batching_window",
         .kind = SIM_SCHEMA_DURATION,
         .def = "0s",
         .min = 0,
         .max = 300 * S_,
         .flags = AWS},
        {.key = "maximum_concurrency", .kind = SIM_SCHEMA_INT, .min = 2, .max = 1000, .flags = AWS},
        /* [doc] ReportBatchItemFailures exists for SQS mappings too */
        {.key = "report_batch_item_failures", .kind = SIM_SCHEMA_BOOL, .def = "false"},
        END,
};
static const sim_schema s3_trigger_keys[] = {
        {.key = "s3", .kind = SIM_SCHEMA_STRING, .flags = REQ},
        END,
};
static const sim_schema trigger_variants[] = {
        {.key = "kinesis",
         .kind = SIM_SCHEMA_MAP,
         .children = kinesis_trigger_keys,
         .what = "kinesis trigger"},
        {.key = "sns", .kind = SIM_SCHEMA_MAP, .children = sns_trigger_keys, .what = "sns trigger"},
        {.key = "sqs", .kind = SIM_SCHEMA_MAP, .children = sqs_trigger_keys, .what = "sqs trigger"},
        {.key = "s3", .kind = SIM_SCHEMA_MAP, .children = s3_trigger_keys, .what = "s3 trigger"},
        END,
};
static const sim_schema trigger_item = {
        .kind = SIM_SCHEMA_VARIANT, .children = trigger_variants, .what = "trigger"};

static const sim_schema async_keys[] = {
        {.key = "maximum_retry_attempts",
         .kind = SIM_SCHEMA_INT,
         .def = "2",
         .min = 0,
         .max = 2,
         .flags = AWS},
        {.key = "maximum_event_age",
         .kind = SIM_SCHEMA_DURATION,
         .def = "6h",
         .min = 60 * S_,
         .max = 6 * 3600 * S_,
         .flags = AWS},
        {.key = "on_failure", .kind = SIM_SCHEMA_STRING},
        END,
};

/* forward: the fan-out layer (MODEL.md section 8); each item names exactly one target. */
static const char *const invoke_choices[] = {"sync", "async", NULL};
static const sim_schema forward_function_keys[] = {
        {.key = "function", .kind = SIM_SCHEMA_STRING, .flags = REQ},
        {.key = "invoke", .kind = SIM_SCHEMA_ENUM, .def = "sync", .choices = invoke_choices},
        END,
};
static const sim_schema forward_stream_keys[] = {
        {.key = "stream", .kind = SIM_SCHEMA_STRING, .flags = REQ},
        END,
};
static const sim_schema forward_topic_keys[] = {
        {.key = "topic", .kind = SIM_SCHEMA_STRING, .flags = REQ},
        END,
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
        END,
};
static const sim_schema forward_item = {
        .kind = SIM_SCHEMA_VARIANT, .children = forward_variants, .what = "forward target"};

static const sim_schema function_keys[] = {
        {.key = "count", .kind = SIM_SCHEMA_INT, .min = 1, .max = 1000},
        {.key = "memory",
         .kind = SIM_SCHEMA_SIZE_BINARY_MB,
         .def = "128MB",
         .min = 128 * MIB,
         .max = 10240 * MIB,
         .flags = AWS},
        {.key = "timeout",
         .kind = SIM_SCHEMA_DURATION,
         .def = "3s",
         .min = 1 * S_,
         .max = 900 * S_,
         .flags = AWS},
        {.key = "runtime", .kind = SIM_SCHEMA_ENUM, .def = "nodejs", .choices = runtime_choices},
        {.key = "cold_start", .kind = SIM_SCHEMA_DIST_DURATION},
        /* [doc] at most the account's limit less 100 in all: checked by check_reservations */
        {.key = "reserved_concurrency", .kind = SIM_SCHEMA_INT, .min = 0, .max = 1e7},
        {.key = "duration",
         .kind = SIM_SCHEMA_MAP,
         .children = duration_keys,
         .flags = FILL,
         .what = "duration"},
        {.key = "errors", .kind = SIM_SCHEMA_MAP, .children = errors_keys, .what = "errors"},
        {.key = "on_record_error",
         .kind = SIM_SCHEMA_MAP,
         .children = on_record_error_keys,
         .flags = FILL,
         .what = "on_record_error"},
        {.key = "triggers", .kind = SIM_SCHEMA_SEQ, .item = &trigger_item},
        {.key = "async",
         .kind = SIM_SCHEMA_MAP,
         .children = async_keys,
         .flags = FILL,
         .what = "async"},
        {.key = "forward", .kind = SIM_SCHEMA_SEQ, .item = &forward_item},
        END,
};
static const sim_schema function_item = {
        .kind = SIM_SCHEMA_MAP, .children = function_keys, .what = "function"};

static const sim_schema alarm_keys[] = {
        {.key = "threshold", .kind = SIM_SCHEMA_INT, .flags = REQ, .min = 0, .max = 1e12},
        {.key = "period",
         .kind = SIM_SCHEMA_DURATION,
         .def = "1m",
         .min = 10 * S_,
         .max = 86400 * S_},
        {.key = "datapoints", .kind = SIM_SCHEMA_INT, .def = "1", .min = 1, .max = 100},
        END,
};

static const sim_schema queue_keys[] = {
        {.key = "visibility_timeout",
         .kind = SIM_SCHEMA_DURATION,
         .def = "30s",
         .min = 0,
         .max = 12 * 3600 * S_,
         .flags = AWS},
        {.key = "max_receive_count", .kind = SIM_SCHEMA_INT, .min = 1, .max = 1000, .flags = AWS},
        {.key = "redrive_to", .kind = SIM_SCHEMA_STRING},
        {.key = "retention",
         .kind = SIM_SCHEMA_DURATION,
         .def = "4d",
         .min = 60 * S_,
         .max = 14 * 86400 * S_,
         .flags = AWS},
        {.key = "alarm", .kind = SIM_SCHEMA_MAP, .children = alarm_keys, .what = "alarm"},
        END,
};
static const sim_schema queue_item = {
        .kind = SIM_SCHEMA_MAP, .children = queue_keys, .what = "queue"};

/* A topic has no keys of its own: its subscribers are the functions whose triggers name it. */
static const sim_schema topic_keys[] = {
        END,
};
static const sim_schema topic_item = {
        .kind = SIM_SCHEMA_MAP, .children = topic_keys, .what = "topic"};

/* [doc] Firehose buffering hints: 1..128 MiB, 0..900 s; defaults 5 MiB and 300 s. */
static const sim_schema firehose_buffer_keys[] = {
        {.key = "size",
         .kind = SIM_SCHEMA_SIZE_BINARY_MB,
         .def = "5MB",
         .min = 1 * MIB,
         .max = 128 * MIB,
         .flags = AWS},
        {.key = "interval",
         .kind = SIM_SCHEMA_DURATION,
         .def = "300s",
         .min = 0,
         .max = 900 * S_,
         .flags = AWS},
        END,
};
static const sim_schema firehose_keys[] = {
        {.key = "source", .kind = SIM_SCHEMA_STRING, .flags = REQ},
        {.key = "buffer",
         .kind = SIM_SCHEMA_MAP,
         .children = firehose_buffer_keys,
         .flags = FILL,
         .what = "buffer"},
        END,
};
static const sim_schema firehose_item = {
        .kind = SIM_SCHEMA_MAP, .children = firehose_keys, .what = "firehose"};

static const sim_schema expect_item = {.kind = SIM_SCHEMA_STRING, .what = "expectation"};

static const sim_schema top_keys[] = {
        {.key = "kinesim", .kind = SIM_SCHEMA_INT, .flags = REQ, .min = 1, .max = 1},
        {.key = "name", .kind = SIM_SCHEMA_STRING, .flags = REQ},
        {.key = "description", .kind = SIM_SCHEMA_STRING},
        {.key = "seed", .kind = SIM_SCHEMA_INT, .def = "1", .min = 0, .max = 9.2e18},
        {.key = "duration",
         .kind = SIM_SCHEMA_DURATION,
         .flags = REQ,
         .min = 1e6,
         .max = 366 * 86400 * S_},
        {.key = "warmup",
         .kind = SIM_SCHEMA_DURATION,
         .def = "0s",
         .min = 0,
         .max = 366 * 86400 * S_},
        {.key = "replications", .kind = SIM_SCHEMA_INT, .def = "1", .min = 1, .max = 10000},
        {.key = "metrics",
         .kind = SIM_SCHEMA_MAP,
         .children = metrics_keys,
         .flags = FILL,
         .what = "metrics"},
        {.key = "output", .kind = SIM_SCHEMA_MAP, .children = output_keys, .what = "output"},
        {.key = "platform",
         .kind = SIM_SCHEMA_MAP,
         .children = platform_keys,
         .flags = FILL,
         .what = "platform"},
        {.key = "streams", .kind = SIM_SCHEMA_DICT, .item = &stream_item, .flags = REQ},
        {.key = "producers", .kind = SIM_SCHEMA_DICT, .item = &producer_item},
        {.key = "functions", .kind = SIM_SCHEMA_DICT, .item = &function_item},
        {.key = "consumers", .kind = SIM_SCHEMA_DICT, .item = &consumer_item},
        {.key = "topics", .kind = SIM_SCHEMA_DICT, .item = &topic_item},
        {.key = "queues", .kind = SIM_SCHEMA_DICT, .item = &queue_item},
        {.key = "firehoses", .kind = SIM_SCHEMA_DICT, .item = &firehose_item},
        {.key = "expect", .kind = SIM_SCHEMA_SEQ, .item = &expect_item},
        END,
};
static const sim_schema scenario_schema = {
        .kind = SIM_SCHEMA_MAP, .children = top_keys, .what = "scenario"};

/* ---- checks the schema cannot express ---------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static void report(sim_diag *d, const sim_yaml_node *at,
                                                         const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sim_diag_report(d, SIM_DIAG_ERROR, at->file, at->line, at->col, "%s", msg);
}

/* The names of every entity of one kind, for "did you mean". */
static size_t dict_names(const sim_yaml_node *dict, const char **names, size_t max)
{
	size_t n = 0;
	if (!dict || dict->kind != SIM_YAML_MAP)
		return 0;
	for (size_t i = 0; i < dict->n && n < max; i++)
		names[n++] = dict->pairs[i].key->text;
	return n;
}

static void check_reference(const sim_yaml_node *ref, const sim_yaml_node *dict, const char *kind,
                            sim_diag *d)
{
	if (!ref || ref->kind != SIM_YAML_SCALAR || sim_yaml_get(dict, ref->text))
		return;
	const char *names[256];
	size_t n = dict_names(dict, names, 256);
	/* With a single candidate, name it: it is what the user meant or should read about. */
	const char *hint = n == 1 ? names[0] : sim_diag_suggest(ref->text, names, n);
	if (hint)
		sim_diag_report(d, SIM_DIAG_ERROR, ref->file, ref->line, ref->col,
		                "no %s named '%s'; did you mean '%s'?", kind, ref->text, hint);
	else
		sim_diag_report(d, SIM_DIAG_ERROR, ref->file, ref->line, ref->col,
		                "no %s named '%s'", kind, ref->text);
}

size_t ks_scenario_copies(const sim_yaml_node *function)
{
	/* Robust before the schema passed too: an invalid count gives no copies. */
	const sim_yaml_node *count = sim_yaml_get(function, "count");
	int64_t n;
	char err[128];
	if (!count || count->kind != SIM_YAML_SCALAR ||
	    sim_parse_count(count->text, &n, err, sizeof err) < 0 || n < 1 || n > 1000)
		return 0;
	return (size_t)n;
}

typedef struct name_entry {
	char *name; /* owned */
	const char *kind;
	const sim_yaml_node *at;
} name_entry;

/* Registers a name (taking ownership of it), reporting clashes and reserved words. */
static void add_name(name_entry **names, size_t *n, size_t *cap, char *name, const char *kind,
                     const sim_yaml_node *at, sim_diag *d)
{
	if (strcmp(name, "cost") == 0) {
		report(d, at, "the name '%s' is reserved for the cost metrics", name);
		sim_diag_hint(d, "choose another name for this %s", kind);
	} else if (!*name || strpbrk(name, ". \t")) {
		report(d, at, "%s name '%s' may not be empty or contain '.' or spaces", kind, name);
		sim_diag_hint(d, "metric paths are <name>.<metric>, so a name is one word");
	} else {
		for (size_t i = 0; i < *n; i++) {
			if (strcmp((*names)[i].name, name) != 0)
				continue;
			sim_diag_report(d, SIM_DIAG_ERROR, at->file, at->line, at->col,
			                "%s name '%s' is already used by a %s (line %d)", kind,
			                name, (*names)[i].kind, (*names)[i].at->line);
			sim_diag_hint(d, "names are unique across streams, producers, functions, "
			                 "queues, topics and firehoses");
			sim_free(name);
			return;
		}
	}
	sim_grow(names, cap, *n + 1, sizeof **names);
	(*names)[(*n)++] = (name_entry){name, kind, at};
}

/* Names are unique across all kinds; a function with `count` contributes its copies' names. */
static void check_names(const sim_yaml_node *root, sim_diag *d)
{
	static const struct {
		const char *key, *kind;
	} kinds[] = {{"streams", "stream"},     {"producers", "producer"},
	             {"functions", "function"}, {"consumers", "consumer"},
	             {"topics", "topic"},       {"queues", "queue"},
	             {"firehoses", "firehose"}};
	name_entry *names = NULL;
	size_t n = 0, cap = 0;
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		const sim_yaml_node *dict = sim_yaml_get(root, kinds[k].key);
		if (!dict || dict->kind != SIM_YAML_MAP)
			continue;
		bool is_function = strcmp(kinds[k].key, "functions") == 0;
		for (size_t i = 0; i < dict->n; i++) {
			const sim_yaml_pair *p = &dict->pairs[i];
			size_t copies = is_function ? ks_scenario_copies(p->value) : 0;
			if (copies == 0)
				add_name(&names, &n, &cap, sim_strdup(p->key->text), kinds[k].kind,
				         p->key, d);
			for (size_t c = 1; c <= copies; c++)
				add_name(&names, &n, &cap, sim_asprintf("%s-%zu", p->key->text, c),
				         kinds[k].kind, p->key, d);
		}
	}
	for (size_t i = 0; i < n; i++)
		sim_free(names[i].name);
	sim_free(names);
}

/* A rate of records (not bytes) per time. */
static void check_count_rate(const sim_yaml_node *rate, const char *key, sim_diag *d)
{
	sim_rate r;
	char err[160];
	if (rate && rate->kind == SIM_YAML_SCALAR &&
	    sim_parse_rate(rate->text, &r, err, sizeof err) == 0 && r.is_bytes)
		report(d, rate, "%s must count records, e.g. '100/s' (got '%s')", key, rate->text);
}

/* arrivals: poisson | uniform | {bursty: {burst: N[, every: T]}}. Bursty is a pattern applied
 * to the producer's rate, which stays its one source of volume: bursts of `burst` records at
 * one instant, spaced so the rate holds (every burst/rate). `every` may restate that spacing,
 * only beside a constant `rate`, and must agree with it. */
static void check_arrivals(const sim_yaml_node *pr, sim_diag *d)
{
	const sim_yaml_node *arrivals = sim_yaml_get(pr, "arrivals");
	if (!arrivals)
		return;
	if (arrivals->kind == SIM_YAML_SCALAR &&
	    (strcmp(arrivals->text, "poisson") == 0 || strcmp(arrivals->text, "uniform") == 0))
		return;
	const sim_yaml_node *bursty = sim_yaml_get(arrivals, "bursty");
	if (arrivals->kind != SIM_YAML_MAP || arrivals->n != 1 || !bursty) {
		report(d, arrivals,
		       "arrivals must be poisson, uniform or {bursty: {burst: N}} (got %s)",
		       arrivals->kind == SIM_YAML_SCALAR ? arrivals->text : "another map");
		return;
	}
	const sim_yaml_node *burst = sim_yaml_get(bursty, "burst");
	const sim_yaml_node *every = sim_yaml_get(bursty, "every");
	int64_t n = 0;
	sim_time t;
	char err[160];
	if (bursty->kind != SIM_YAML_MAP || !burst || bursty->n != (every ? 2u : 1u)) {
		report(d, bursty,
		       "bursty needs 'burst' (records per burst), and may restate 'every' "
		       "(time between bursts, burst/rate)");
		sim_diag_hint(d, "e.g. rate: 50/s with arrivals: {bursty: {burst: 50}} sends 50 "
		                 "records at once every second");
		return;
	}
	if (burst->kind != SIM_YAML_SCALAR ||
	    sim_parse_count(burst->text, &n, err, sizeof err) < 0 || n < 1 || n > 1000000) {
		report(d, burst, "burst must be a whole number of records 1..1000000 (got '%s')",
		       burst->kind == SIM_YAML_SCALAR ? burst->text : "a collection");
		return;
	}
	if (!every)
		return;
	if (every->kind != SIM_YAML_SCALAR ||
	    sim_parse_duration(every->text, &t, err, sizeof err) < 0 || t <= 0) {
		report(d, every, "every must be a positive duration, e.g. '1s' (got '%s')",
		       every->kind == SIM_YAML_SCALAR ? every->text : "a collection");
		return;
	}
	const sim_yaml_node *rate = sim_yaml_get(pr, "rate");
	sim_rate r;
	if (!rate) {
		report(d, every, "bursty 'every' needs a constant 'rate' beside it");
		sim_diag_hint(d,
		              "with a profile, diurnal or trace the bursts follow the rate: give "
		              "'burst' alone");
		return;
	}
	if (rate->kind != SIM_YAML_SCALAR || sim_parse_rate(rate->text, &r, err, sizeof err) < 0 ||
	    r.is_bytes)
		return; /* reported with the rate */
	if (r.per_s <= 0) {
		report(d, every, "bursty 'every' needs a rate above 0/s (got %s)", rate->text);
		return;
	}
	sim_time spacing = (sim_time)((double)n * 1e9 / r.per_s + 0.5);
	if (t - spacing > 1 || spacing - t > 1) {
		char want[64];
		sim_time_format(want, sizeof want, spacing);
		report(d, every,
		       "every: %s disagrees with rate %s: bursts of %lld records at that rate come "
		       "every %s",
		       every->text, rate->text, (long long)n, want);
		sim_diag_hint(d,
		              "give 'burst' alone (the rate spaces the bursts), or make rate "
		              "burst/every (%.6g/s)",
		              (double)n * 1e9 / (double)t);
	}
}

static void check_producer(const sim_yaml_pair *p, const sim_yaml_node *streams, sim_diag *d)
{
	static const char *const sources[] = {"rate", "profile", "diurnal", "trace"};
	const sim_yaml_node *pr = p->value;
	const char *first = NULL;
	for (size_t i = 0; i < 4; i++) {
		if (!sim_yaml_get(pr, sources[i]))
			continue;
		if (first) {
			const sim_yaml_pair *second = sim_yaml_get_pair(pr, sources[i]);
			sim_diag_report(d, SIM_DIAG_ERROR, second->key->file, second->key->line,
			                second->key->col, "producer '%s' has both '%s' and '%s'",
			                p->key->text, first, sources[i]);
			sim_diag_hint(
			        d, "a producer gives exactly one of rate, profile, diurnal, trace");
		}
		first = first ? first : sources[i];
	}
	if (!first)
		report(d, p->key, "producer '%s' needs one of rate, profile, diurnal, trace",
		       p->key->text);

	const sim_yaml_node *stream = sim_yaml_get(pr, "stream");
	const sim_yaml_node *list = sim_yaml_get(pr, "streams");
	if (!stream && !list)
		report(d, p->key, "producer '%s' needs 'stream' (or 'streams')", p->key->text);
	if (stream && list) {
		const sim_yaml_pair *second = sim_yaml_get_pair(pr, "streams");
		report(d, second->key, "producer '%s' has both 'stream' and 'streams'",
		       p->key->text);
		sim_diag_hint(d, "streams: [a, b] writes each record to every stream named");
	}
	check_reference(stream, streams, "stream", d);
	for (size_t i = 0; list && list->kind == SIM_YAML_SEQ && i < list->n; i++)
		check_reference(list->items[i], streams, "stream", d);

	check_count_rate(sim_yaml_get(pr, "rate"), "rate", d);
	const sim_yaml_node *profile = sim_yaml_get(pr, "profile");
	sim_time last_at = -1;
	for (size_t i = 0; profile && profile->kind == SIM_YAML_SEQ && i < profile->n; i++) {
		const sim_yaml_node *step = profile->items[i];
		check_count_rate(sim_yaml_get(step, "rate"), "rate", d);
		const sim_yaml_node *at = sim_yaml_get(step, "at");
		sim_time t;
		char err[160];
		if (!at || at->kind != SIM_YAML_SCALAR ||
		    sim_parse_duration(at->text, &t, err, sizeof err) < 0)
			continue;
		if (t <= last_at)
			report(d, at,
			       "profile steps must be in time order (got at: %s after a later "
			       "step)",
			       at->text);
		last_at = t;
	}
	const sim_yaml_node *diurnal = sim_yaml_get(pr, "diurnal");
	if (diurnal && diurnal->kind == SIM_YAML_MAP) {
		check_count_rate(sim_yaml_get(diurnal, "peak"), "peak", d);
		check_count_rate(sim_yaml_get(diurnal, "trough"), "trough", d);
	}
	const sim_yaml_node *trace = sim_yaml_get(pr, "trace");
	if (trace && trace->kind == SIM_YAML_SCALAR) {
		ks_trace t;
		if (ks_trace_load(trace, &t, d) == 0)
			ks_trace_fini(&t);
	}
	for (size_t i = 0; list && list->kind == SIM_YAML_SEQ && i < list->n; i++) {
		const sim_yaml_node *a = list->items[i];
		for (size_t j = 0; j < i && a->kind == SIM_YAML_SCALAR; j++) {
			const sim_yaml_node *b = list->items[j];
			if (b->kind == SIM_YAML_SCALAR && strcmp(a->text, b->text) == 0) {
				report(d, a, "stream '%s' is listed twice in streams", a->text);
				break;
			}
		}
	}
	if (list && list->kind == SIM_YAML_SEQ && list->n == 0)
		report(d, list, "streams needs at least one stream");
	if (profile && profile->kind == SIM_YAML_SEQ && profile->n == 0)
		report(d, profile, "profile needs at least one step, e.g. [{at: 0s, rate: 100/s}]");
	const sim_yaml_node *peak = sim_yaml_get(diurnal, "peak");
	const sim_yaml_node *trough = sim_yaml_get(diurnal, "trough");
	sim_rate rp, rt;
	char err[160];
	if (diurnal && diurnal->kind == SIM_YAML_MAP && peak && trough &&
	    peak->kind == SIM_YAML_SCALAR && trough->kind == SIM_YAML_SCALAR &&
	    sim_parse_rate(peak->text, &rp, err, sizeof err) == 0 &&
	    sim_parse_rate(trough->text, &rt, err, sizeof err) == 0 && rp.per_s < rt.per_s)
		report(d, peak, "diurnal peak (%s) must be at least its trough (%s)", peak->text,
		       trough->text);
	/* Keys written in the scenario (line > 0), not defaults the schema filled in. */
	const sim_yaml_node *put = sim_yaml_get(pr, "put");
	const sim_yaml_node *api = sim_yaml_get(put, "api");
	static const char *const batching[] = {"max_records", "linger"};
	for (size_t i = 0;
	     api && api->kind == SIM_YAML_SCALAR && strcmp(api->text, "PutRecord") == 0 && i < 2;
	     i++) {
		const sim_yaml_pair *kv = sim_yaml_get_pair(put, batching[i]);
		if (kv && kv->key->line > 0)
			report(d, kv->key,
			       "put.%s applies to PutRecords only (PutRecord sends one "
			       "record per call)",
			       batching[i]);
	}
	check_arrivals(pr, d);
}

static bool scalar_is(const sim_yaml_node *n, const char *text)
{
	return n && n->kind == SIM_YAML_SCALAR && strcmp(n->text, text) == 0;
}

/* errors.outages end after they start; on_record_error's retries and then go with policy
 * retry; then: forward waits for the retry paths (topics and queues). */
static void check_function_errors(const sim_yaml_node *fn, sim_diag *d)
{
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
			report(d, end,
			       "an outage must end after it starts (got start: %s, end: %s)",
			       start->text, end->text);
	}
	const sim_yaml_node *ore = sim_yaml_get(fn, "on_record_error");
	if (!ore || ore->kind != SIM_YAML_MAP)
		return;
	const sim_yaml_node *policy = sim_yaml_get(ore, "policy");
	bool retry = scalar_is(policy, "retry");
	static const char *const with_retry[] = {"retries", "then"};
	for (size_t i = 0; policy && policy->kind == SIM_YAML_SCALAR && !retry && i < 2; i++) {
		/* keys written in the scenario (line > 0), not defaults the schema filled in */
		const sim_yaml_pair *kv = sim_yaml_get_pair(ore, with_retry[i]);
		if (kv && kv->key->line > 0)
			report(d, kv->key,
			       "on_record_error.%s applies to policy: retry only (got "
			       "policy: %s)",
			       with_retry[i], policy->text);
	}
	const sim_yaml_node *then = sim_yaml_get(ore, "then");
	const sim_yaml_pair *to = sim_yaml_get_pair(ore, "forward_to");
	if (retry && scalar_is(then, "forward") && !to) {
		report(d, then, "'then: forward' needs forward_to (a topic or a queue)");
		sim_diag_hint(d, "e.g. forward_to: retry-topic");
	}
	if (to && !(retry && scalar_is(then, "forward")))
		report(d, to->key, "on_record_error.forward_to applies to then: forward only");
}

/* A destination of on_failure or forward_to: a queue or a topic. */
static void check_destination(const sim_yaml_node *ref, const sim_yaml_node *root, sim_diag *d)
{
	const sim_yaml_node *queues = sim_yaml_get(root, "queues");
	const sim_yaml_node *topics = sim_yaml_get(root, "topics");
	if (!ref || ref->kind != SIM_YAML_SCALAR || sim_yaml_get(queues, ref->text) ||
	    sim_yaml_get(topics, ref->text))
		return;
	if (!topics || (queues && queues->n > 0)) {
		check_reference(ref, queues, "queue or topic", d);
		if (topics && topics->n > 0)
			sim_diag_hint(d, "topics are listed under topics:, queues under queues:");
		return;
	}
	check_reference(ref, topics, "queue or topic", d);
}

/* The retry paths' references: sns triggers name topics; a kinesis trigger's on_failure,
 * async.on_failure and on_record_error.forward_to name a queue or a topic. */
static void check_retry_paths(const sim_yaml_node *root, sim_diag *d)
{
	const sim_yaml_node *functions = sim_yaml_get(root, "functions");
	const sim_yaml_node *topics = sim_yaml_get(root, "topics");
	for (size_t i = 0; functions && functions->kind == SIM_YAML_MAP && i < functions->n; i++) {
		const sim_yaml_node *fn = functions->pairs[i].value;
		const sim_yaml_node *triggers = sim_yaml_get(fn, "triggers");
		for (size_t t = 0; triggers && triggers->kind == SIM_YAML_SEQ && t < triggers->n;
		     t++) {
			const sim_yaml_node *trigger = triggers->items[t];
			check_reference(sim_yaml_get(trigger, "sns"), topics, "topic", d);
			check_reference(sim_yaml_get(trigger, "s3"),
			                sim_yaml_get(root, "firehoses"), "firehose", d);
			if (sim_yaml_get(trigger, "kinesis"))
				check_destination(sim_yaml_get(trigger, "on_failure"), root, d);
		}
		check_destination(sim_yaml_get(sim_yaml_get(fn, "async"), "on_failure"), root, d);
		check_destination(sim_yaml_get(sim_yaml_get(fn, "on_record_error"), "forward_to"),
		                  root, d);
	}
}

/* [doc] AWS keeps at least 100 of the account's concurrency unreserved: the reservations of
 * all functions (each copy of a function with count reserves its own) may add up to
 * account_concurrency - 100 at most. An AWS range: a warning under aws_ranges: warn, and then
 * the unreserved pool is what is left (account.h). */
static void check_reservations(const sim_yaml_node *root, sim_diag *d)
{
	const sim_yaml_node *platform = sim_yaml_get(root, "platform");
	const sim_yaml_node *acc =
	        sim_yaml_get(sim_yaml_get(platform, "lambda"), "account_concurrency");
	bool warn = scalar_is(sim_yaml_get(platform, "aws_ranges"), "warn");
	const sim_yaml_node *functions = sim_yaml_get(root, "functions");
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
		size_t copies = ks_scenario_copies(fn);
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

static void check_function(const sim_yaml_pair *p, const sim_yaml_node *streams,
                           const sim_yaml_node *queues, sim_diag *d)
{
	check_function_errors(p->value, d);
	const sim_yaml_node *triggers = sim_yaml_get(p->value, "triggers");
	if (!triggers || triggers->kind != SIM_YAML_SEQ)
		return;
	for (size_t i = 0; i < triggers->n; i++) {
		const sim_yaml_node *t = triggers->items[i];
		check_reference(sim_yaml_get(t, "kinesis"), streams, "stream", d);
		/* on_failure (a queue or a topic): check_retry_paths */
		const sim_yaml_node *pos = sim_yaml_get(t, "starting_position");
		if (pos && pos->kind == SIM_YAML_SCALAR && strcmp(pos->text, "AT_TIMESTAMP") == 0 &&
		    !sim_yaml_get(t, "starting_position_timestamp")) {
			report(d, pos,
			       "starting_position AT_TIMESTAMP needs starting_position_timestamp");
			sim_diag_hint(
			        d, "e.g. starting_position_timestamp: 5m (from the run's start)");
		}
	}
}

static bool is_true(const sim_yaml_node *n)
{
	return n && n->kind == SIM_YAML_SCALAR && strcmp(n->text, "true") == 0;
}

/* [doc] at most 20 enhanced fan-out consumers per stream: a function's copies each register
 * one per trigger, and so does each consumer with enhanced_fanout. */
static void check_efo_limit(const sim_yaml_node *root, sim_diag *d)
{
	const sim_yaml_node *streams = sim_yaml_get(root, "streams");
	const sim_yaml_node *functions = sim_yaml_get(root, "functions");
	const sim_yaml_node *consumers = sim_yaml_get(root, "consumers");
	for (size_t s = 0; streams && streams->kind == SIM_YAML_MAP && s < streams->n; s++) {
		const char *name = streams->pairs[s].key->text;
		size_t n = 0;
		const sim_yaml_node *at = NULL;
		for (size_t f = 0; functions && functions->kind == SIM_YAML_MAP && f < functions->n;
		     f++) {
			const sim_yaml_node *fn = functions->pairs[f].value;
			const sim_yaml_node *triggers = sim_yaml_get(fn, "triggers");
			size_t copies = ks_scenario_copies(fn);
			for (size_t t = 0;
			     triggers && triggers->kind == SIM_YAML_SEQ && t < triggers->n; t++) {
				const sim_yaml_node *k =
				        sim_yaml_get(triggers->items[t], "kinesis");
				const sim_yaml_node *efo =
				        sim_yaml_get(triggers->items[t], "enhanced_fanout");
				if (!k || k->kind != SIM_YAML_SCALAR ||
				    strcmp(k->text, name) != 0 || !is_true(efo))
					continue;
				n += copies ? copies : 1;
				if (n > 20 && !at)
					at = efo;
			}
		}
		for (size_t c = 0; consumers && consumers->kind == SIM_YAML_MAP && c < consumers->n;
		     c++) {
			const sim_yaml_node *cn = consumers->pairs[c].value;
			const sim_yaml_node *k = sim_yaml_get(cn, "stream");
			const sim_yaml_node *efo = sim_yaml_get(cn, "enhanced_fanout");
			if (!k || k->kind != SIM_YAML_SCALAR || strcmp(k->text, name) != 0 ||
			    !is_true(efo))
				continue;
			if (++n > 20 && !at)
				at = efo;
		}
		if (at) {
			sim_diag_report(
			        d, SIM_DIAG_ERROR, at->file, at->line, at->col,
			        "stream '%s' has %zu enhanced fan-out consumers; AWS allows 20 "
			        "per stream",
			        name, n);
			sim_diag_hint(
			        d, "each copy of a function (count: N) registers its own consumer");
		}
	}
}

/* shards is required for a provisioned stream and refused for an on-demand one; reshards
 * come in time order, on provisioned streams. */
static void check_stream(const sim_yaml_pair *p, sim_diag *d)
{
	const sim_yaml_node *mode = sim_yaml_get(p->value, "mode");
	bool on_demand =
	        mode && mode->kind == SIM_YAML_SCALAR && strcmp(mode->text, "on_demand") == 0;
	const sim_yaml_pair *shards = sim_yaml_get_pair(p->value, "shards");
	if (!on_demand && !shards && p->value->kind == SIM_YAML_MAP) {
		report(d, p->key, "missing required key 'shards' in stream '%s'", p->key->text);
		sim_diag_hint(d,
		              "or mode: on_demand, which starts at 4 shards and splits hot ones");
	}
	if (on_demand && shards) {
		report(d, shards->key, "an on_demand stream takes no 'shards' (stream '%s')",
		       p->key->text);
		sim_diag_hint(d, "on-demand streams start at 4 shards and split the hot ones");
	}
	const sim_yaml_pair *plan = sim_yaml_get_pair(p->value, "reshard");
	if (!plan || plan->value->kind != SIM_YAML_SEQ)
		return;
	if (on_demand) {
		report(d, plan->key, "an on_demand stream cannot be resharded (stream '%s')",
		       p->key->text);
		return;
	}
	sim_time last = 0;
	for (size_t i = 0; i < plan->value->n; i++) {
		const sim_yaml_node *at = sim_yaml_get(plan->value->items[i], "at");
		sim_time t;
		char err[160];
		if (!at || at->kind != SIM_YAML_SCALAR ||
		    sim_parse_duration(at->text, &t, err, sizeof err) < 0)
			continue;
		if (t <= last)
			report(d, at,
			       "reshards must be in time order (got at: %s after a later one)",
			       at->text);
		last = t;
	}
}

/* SQS references: a queue's redrive_to names another queue, and following redrive_to from any
 * queue never comes back to it (a message would circle); an sqs trigger names a queue. */
static void check_queues(const sim_yaml_node *root, sim_diag *d)
{
	const sim_yaml_node *queues = sim_yaml_get(root, "queues");
	size_t n = queues && queues->kind == SIM_YAML_MAP ? queues->n : 0;
	for (size_t i = 0; i < n; i++) {
		const sim_yaml_node *to = sim_yaml_get(queues->pairs[i].value, "redrive_to");
		if (!to || to->kind != SIM_YAML_SCALAR)
			continue;
		if (!sim_yaml_get(queues, to->text)) {
			check_reference(to, queues, "queue", d);
			continue;
		}
		const char *name = queues->pairs[i].key->text;
		if (!sim_yaml_get(queues->pairs[i].value, "max_receive_count")) {
			/* [doc] a redrive policy is a target and a maxReceiveCount */
			report(d, to, "redrive_to of queue '%s' needs max_receive_count", name);
			sim_diag_hint(d, "e.g. max_receive_count: 5");
		}
		const sim_yaml_node *next = to;
		for (size_t hop = 0; next && next->kind == SIM_YAML_SCALAR && hop <= n; hop++) {
			if (strcmp(next->text, name) == 0) {
				report(d, to, "redrive_to of queue '%s' leads back to it", name);
				sim_diag_hint(
				        d, "a dead-letter queue needs its own redrive_to, or none");
				break;
			}
			next = sim_yaml_get(sim_yaml_get(queues, next->text), "redrive_to");
		}
	}
	const sim_yaml_node *functions = sim_yaml_get(root, "functions");
	for (size_t i = 0; functions && functions->kind == SIM_YAML_MAP && i < functions->n; i++) {
		const sim_yaml_node *triggers = sim_yaml_get(functions->pairs[i].value, "triggers");
		for (size_t t = 0; triggers && triggers->kind == SIM_YAML_SEQ && t < triggers->n;
		     t++)
			check_reference(sim_yaml_get(triggers->items[t], "sqs"), queues, "queue",
			                d);
	}
}

/* forward's references: functions, streams and topics that exist; a function does not forward
 * to itself (its copies included). */
static void check_forward(const sim_yaml_node *root, sim_diag *d)
{
	const sim_yaml_node *functions = sim_yaml_get(root, "functions");
	for (size_t i = 0; functions && functions->kind == SIM_YAML_MAP && i < functions->n; i++) {
		const sim_yaml_node *fw = sim_yaml_get(functions->pairs[i].value, "forward");
		for (size_t t = 0; fw && fw->kind == SIM_YAML_SEQ && t < fw->n; t++) {
			const sim_yaml_node *item = fw->items[t];
			const sim_yaml_node *fn = sim_yaml_get(item, "function");
			check_reference(fn, functions, "function", d);
			check_reference(sim_yaml_get(item, "stream"), sim_yaml_get(root, "streams"),
			                "stream", d);
			check_reference(sim_yaml_get(item, "topic"), sim_yaml_get(root, "topics"),
			                "topic", d);
			if (fn && fn->kind == SIM_YAML_SCALAR &&
			    strcmp(fn->text, functions->pairs[i].key->text) == 0)
				sim_diag_report(d, SIM_DIAG_ERROR, fn->file, fn->line, fn->col,
				                "function '%s' forwards to itself", fn->text);
		}
	}
}

static void check_semantics(const sim_yaml_node *root, sim_diag *d)
{
	check_queues(root, d);
	check_efo_limit(root, d);
	const sim_yaml_node *stream_map = sim_yaml_get(root, "streams");
	for (size_t i = 0; stream_map && stream_map->kind == SIM_YAML_MAP && i < stream_map->n; i++)
		check_stream(&stream_map->pairs[i], d);
	check_names(root, d);
	const sim_yaml_node *streams = sim_yaml_get(root, "streams");
	const sim_yaml_node *producers = sim_yaml_get(root, "producers");
	const sim_yaml_node *functions = sim_yaml_get(root, "functions");
	for (size_t i = 0; producers && producers->kind == SIM_YAML_MAP && i < producers->n; i++)
		check_producer(&producers->pairs[i], streams, d);
	for (size_t i = 0; functions && functions->kind == SIM_YAML_MAP && i < functions->n; i++)
		check_function(&functions->pairs[i], streams, sim_yaml_get(root, "queues"), d);
	check_reservations(root, d);
	check_retry_paths(root, d);
	check_forward(root, d);
	const sim_yaml_node *consumers = sim_yaml_get(root, "consumers");
	for (size_t i = 0; consumers && consumers->kind == SIM_YAML_MAP && i < consumers->n; i++)
		check_reference(sim_yaml_get(consumers->pairs[i].value, "stream"), streams,
		                "stream", d);
	const sim_yaml_node *firehoses = sim_yaml_get(root, "firehoses");
	for (size_t i = 0; firehoses && firehoses->kind == SIM_YAML_MAP && i < firehoses->n; i++)
		check_reference(sim_yaml_get(firehoses->pairs[i].value, "source"), streams,
		                "stream", d);

	const sim_yaml_pair *warmup = sim_yaml_get_pair(root, "warmup");
	const sim_yaml_node *duration = sim_yaml_get(root, "duration");
	sim_time w, t;
	char err[128];
	if (warmup && warmup->key->line > 0 && duration && warmup->value->kind == SIM_YAML_SCALAR &&
	    duration->kind == SIM_YAML_SCALAR &&
	    sim_parse_duration(warmup->value->text, &w, err, sizeof err) == 0 &&
	    sim_parse_duration(duration->text, &t, err, sizeof err) == 0) {
		if (w >= t) {
			char ws[64], ts[64];
			sim_time_format(ws, sizeof ws, w);
			sim_time_format(ts, sizeof ts, t);
			sim_diag_report(
			        d, SIM_DIAG_ERROR, warmup->value->file, warmup->value->line,
			        warmup->value->col,
			        "warmup must be shorter than duration (got %s, duration %s)", ws,
			        ts);
		}
	}
}

/* ---- loading ------------------------------------------------------------------------------ */

/* Printed after each error of an AWS range while platform.aws_ranges is error. */
#define AWS_RANGE_HINT "set platform.aws_ranges: warn to allow values outside AWS's range"

static bool wants_range_warnings(const sim_yaml_node *root)
{
	const sim_yaml_node *v = sim_yaml_get(sim_yaml_get(root, "platform"), "aws_ranges");
	return v && v->kind == SIM_YAML_SCALAR && strcmp(v->text, "warn") == 0;
}

int ks_scenario_load(const char *path, const char *const *sets, size_t nsets, sim_diag *d,
                     ks_scenario **out, int *err_no)
{
	sim_yaml_doc *doc = sim_yaml_doc_create();
	int err = 0;
	size_t errors_before = sim_diag_errors(d);
	sim_yaml_node *root = sim_yaml_load_file(doc, path, d, &err);
	if (!root && err != -EINVAL) {
		sim_yaml_doc_destroy(doc);
		*err_no = -err;
		return KS_SCENARIO_MISSING;
	}
	if (!root) {
		sim_yaml_doc_destroy(doc);
		return KS_SCENARIO_INVALID;
	}
	if (root->kind != SIM_YAML_MAP) {
		sim_diag_report(
		        d, SIM_DIAG_ERROR, path, root->line ? root->line : 1,
		        root->col ? root->col : 1,
		        "a scenario is a map of keys (kinesim, name, duration, streams, ...)");
		sim_diag_hint(d, "scenarios/minimal.yaml is the smallest complete example");
		sim_yaml_doc_destroy(doc);
		return KS_SCENARIO_INVALID;
	}
	for (size_t i = 0; i < nsets; i++) {
		char label[32];
		snprintf(label, sizeof label, "--set #%zu", i + 1);
		sim_yaml_set_path(doc, root, sets[i], label, d);
	}
	bool warn = wants_range_warnings(root);
	/* The cross-checks read text only, so they run even after schema errors: every mistake
	 * is reported in one go. */
	sim_schema_check(doc, root, &scenario_schema, warn, AWS_RANGE_HINT, d);
	check_semantics(root, d);
	if (sim_diag_errors(d) > errors_before) {
		sim_yaml_doc_destroy(doc);
		return KS_SCENARIO_INVALID;
	}

	ks_scenario *sc = sim_calloc(1, sizeof *sc);
	sc->doc = doc;
	sc->root = root;
	sc->path = sim_strdup(path);
	size_t len = 0;
	const char *text = sim_yaml_source_text(doc, path, &len);
	sc->source = sim_strndup(text ? text : "", text ? len : 0);
	sc->source_len = text ? len : 0;
	sc->resolved = sim_yaml_emit(root);
	sc->name = sim_schema_string(root, "name");
	sc->ranges_warn = warn;
	*out = sc;
	return 0;
}

void ks_scenario_destroy(ks_scenario *sc)
{
	if (!sc)
		return;
	sim_yaml_doc_destroy(sc->doc);
	sim_free(sc->path);
	sim_free(sc->source);
	sim_free(sc->resolved);
	sim_free(sc);
}
