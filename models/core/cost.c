/* Cost per component. [doc/meas] us-east-1 prices, overridable in platform.prices. Kinesis:
 * shard-hours and 25 KB PUT payload units (provisioned) or stream-hours and GB in and out
 * (on-demand), enhanced fan-out consumer-shard-hours and GB pushed;
 * Lambda: requests plus GB-seconds; SNS: publishes ($0.50 per million [doc]); SQS: requests ($0.40
 * per million [doc]); Firehose: GiB ingested (read from its source) at firehose_gb [doc]. */
#include "models/core/cost.h"

#define GIB 1073741824.0

void ks_cost_summarize(ks_ctx *ctx, const ks_cost_config *p, const ks_cost_usage *u)
{
	double kinesis = u->shard_hours * p->shard_hour +
	                 u->put_payload_units / 1e6 * p->put_payload_unit_million +
	                 u->efo_consumer_shard_hours * p->efo_consumer_shard_hour +
	                 u->efo_bytes / GIB * p->efo_gb +
	                 u->on_demand_stream_hours * p->on_demand_stream_hour +
	                 u->on_demand_bytes_in / GIB * p->on_demand_gb_in +
	                 u->on_demand_bytes_out / GIB * p->on_demand_gb_out;
	double lambda = u->lambda_requests / 1e6 * p->lambda_request_million +
	                u->lambda_gb_seconds * p->lambda_gb_second;
	double sns = u->sns_requests / 1e6 * p->sns_request_million;
	double sqs = u->sqs_requests / 1e6 * p->sqs_request_million;
	double firehose = u->firehose_bytes / GIB * p->firehose_gb;
	sim_metrics *m = ctx->metrics;
	sim_metrics_set_value(m, "cost.total", kinesis + lambda + sns + sqs + firehose, "USD");
	sim_metrics_set_value(m, "cost.kinesis", kinesis, "USD");
	sim_metrics_set_value(m, "cost.lambda", lambda, "USD");
	sim_metrics_set_value(m, "cost.sqs", sqs, "USD");
	sim_metrics_set_value(m, "cost.sns", sns, "USD");
	sim_metrics_set_value(m, "cost.firehose", firehose, "USD");
}
