/* What the parts of the model builder share: the model graph itself and small helpers.
 * build.c builds streams and functions and runs the model; build_producers.c and
 * build_consumers.c build those. Only the builder includes this header. */
#ifndef KS_BUILD_INTERNAL_H
#define KS_BUILD_INTERNAL_H

#include "models/lambda/account.h"
#include "models/scenario/build.h"
#include "models/kcl/consumer.h"
#include "models/core/context.h"
#include "models/core/cost.h"
#include "models/lambda/function.h"
#include "models/lambda/esm.h"
#include "models/kinesis/producer.h"
#include "models/kinesis/stream.h"

struct ks_model {
	ks_ctx ctx;
	const sim_yaml_node *root;
	ks_stream **streams;
	size_t nstreams;
	ks_producer **producers;
	size_t nproducers;
	uint64_t *crn_seeds; /* per producer number */
	ks_account *account; /* Lambda concurrency, shared by every function */
	ks_function **functions;
	size_t nfunctions;
	ks_esm **esms; /* the kinesis triggers' mappings, in function order */
	size_t nesms;
	struct ks_queue **queues;
	size_t nqueues;
	ks_consumer **consumers; /* KCL-style applications (`consumers:`) */
	size_t nconsumers;
	sim_dist getrecords_latency, invoke_overhead, efo_push_latency;
	ks_cost_config prices;
	struct ks_sqs_esm **sqs; /* build_sqs.c: sqs triggers' mappings */
	size_t nsqs;
	struct ks_topic **topics; /* build_topics.c */
	size_t ntopics;
	struct ks_async **asyncs; /* per function copy, in m->functions' order */
	uint32_t *key_count; /* per producer number: its partition keys (for re-publishing) */
	struct ks_firehose **firehoses; /* build_firehoses.c */
	size_t nfirehoses;
};

ks_stream *ks_build_find_stream(ks_model *m, const char *name);
/* none | full | equal */
ks_jitter ks_build_jitter(const char *s);
struct ks_queue *ks_build_find_queue(ks_model *m, const char *name);
/* The destination a scenario names (a queue or a topic); none when name is NULL. */
ks_sink ks_build_sink(ks_model *m, const char *name);

/* Calls visit for every function copy in build order: k is the copy's number (its index in
 * m->functions once they are built), name the copy's name ("f" or "f-3"), f its YAML. */
typedef void (*ks_copy_visit)(ks_model *m, size_t k, const char *name, const sim_yaml_node *f,
                              void *ctx);
void ks_build_each_copy(ks_model *m, ks_copy_visit visit, void *ctx);

void ks_build_streams(ks_model *m);
void ks_build_producers(ks_model *m);
void ks_build_consumers(ks_model *m);

/* build_function.c: the account (platform.lambda.account_concurrency), and a function copy's
 * configuration from its scenario node; columns and labels are its per-shard series. Free
 * what the configuration holds with ks_build_function_config_fini after ks_function_create. */
ks_account *ks_build_account(ks_model *m);
ks_function_config ks_build_function_config(ks_model *m, const char *name, const sim_yaml_node *f,
                                            size_t columns, const char *const *labels);
void ks_build_function_config_fini(ks_function_config *cfg);

/* build_topics.c: the topics (before the functions: a kinesis trigger's on_failure may name
 * one); after the functions, each copy's async queue, sns subscriptions, async.on_failure and
 * forward_to; at the end, the async queues' pending events (added to the functions'
 * records_pending), the topics' summary and SNS usage; then their destruction. */
struct ks_topic *ks_build_find_topic(ks_model *m, const char *name);
void ks_build_topics(ks_model *m);
void ks_build_async(ks_model *m);
void ks_build_topics_pending(ks_model *m);
void ks_build_topics_summarize(ks_model *m, ks_cost_usage *usage);
void ks_build_topics_destroy(ks_model *m);

/* build_sqs.c: each queue's visibility, redrive and alarm (after the queues are made); the sqs
 * triggers' mappings (after the functions); starting them, bringing the queues to the run's
 * end, the queues' messages as pending records of the mappings' functions, SQS requests, and
 * destroying the mappings (before the queues and functions). */
void ks_build_sqs_queues(ks_model *m);
void ks_build_sqs_mappings(ks_model *m);
void ks_build_sqs_start(ks_model *m);
void ks_build_sqs_finish(ks_model *m, sim_time end);
void ks_build_sqs_pending(ks_model *m);
void ks_build_sqs_usage(ks_model *m, ks_cost_usage *usage);
void ks_build_sqs_destroy(ks_model *m);

/* build_firehoses.c: the firehoses and their s3 triggers (after the async queues); starting
 * them, bringing them to the run's end, their summary (and the s3-triggered functions' pending
 * records are the async queues'), ingested bytes for cost, and destroying them (before the
 * streams). */
void ks_build_firehoses(ks_model *m);
void ks_build_firehoses_start(ks_model *m);
void ks_build_firehoses_finish(ks_model *m, sim_time end);
void ks_build_firehoses_summarize(ks_model *m, ks_cost_usage *usage);
void ks_build_firehoses_destroy(ks_model *m);

/* build_forward.c: each function copy's `forward:` fan-out (after the async queues); at the
 * end, the sync targets' invocations not back as their records_pending; destroying the
 * fan-outs (before the functions). */
void ks_build_forward(ks_model *m);
void ks_build_forward_pending(ks_model *m);
void ks_build_forward_destroy(ks_model *m);

#endif
