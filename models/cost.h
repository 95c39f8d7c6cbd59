/* What a run costs (MODEL.md section 9), over the measured period, from platform.prices. */
#ifndef KS_COST_H
#define KS_COST_H

#include <stddef.h>

#include "models/context.h"
#include "models/function.h"
#include "models/stream.h"

typedef struct ks_cost_config {
	double shard_hour, put_payload_unit_million;
	double lambda_request_million, lambda_gb_second;
} ks_cost_config;

/* Writes cost.{total,kinesis,lambda,sqs,sns,firehose} into the registry. */
void ks_cost_summarize(ks_ctx *ctx, const ks_cost_config *prices, ks_stream *const *streams,
                       size_t nstreams, ks_function *const *functions, size_t nfunctions);

#endif
