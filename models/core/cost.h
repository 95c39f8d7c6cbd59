/* What a run costs (MODEL.md section 9), over the measured period, from platform.prices. */
#ifndef KS_COST_H
#define KS_COST_H

#include "models/core/context.h"

typedef struct ks_cost_config {
	double shard_hour, put_payload_unit_million;
	double efo_consumer_shard_hour, efo_gb;
	double lambda_request_million, lambda_gb_second;
	double sqs_request_million;
	double sns_request_million;
	double on_demand_stream_hour, on_demand_gb_in, on_demand_gb_out;
	double firehose_gb; /* [doc] $0.029 per GB ingested */
} ks_cost_config;

/* What the models used over the measured period. */
typedef struct ks_cost_usage {
	double shard_hours;            /* provisioned streams */
	double put_payload_units;      /* [doc] 25 KB units of accepted records (provisioned) */
	double on_demand_stream_hours; /* on-demand streams: per stream-hour and per GB */
	double on_demand_bytes_in, on_demand_bytes_out;
	double efo_consumer_shard_hours; /* registered EFO consumers x shards x hours */
	double efo_bytes;                /* pushed to EFO consumers */
	double lambda_requests;
	double lambda_gb_seconds; /* [doc] duration rounded up to 1 ms x memory */
	double sqs_requests;      /* sends, receives and delete batches (queue.h) */
	double sns_requests;      /* [doc] publishes (SNS -> Lambda deliveries are free) */
	double firehose_bytes;    /* read from the source streams by the firehoses */
} ks_cost_usage;

/* Writes cost.{total,kinesis,lambda,sqs,sns,firehose} into the registry. */
void ks_cost_summarize(ks_ctx *ctx, const ks_cost_config *prices, const ks_cost_usage *usage);

#endif
