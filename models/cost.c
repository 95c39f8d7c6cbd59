/* Cost per component. [doc/meas] us-east-1 prices, overridable in platform.prices. Kinesis:
 * shard-hours plus 25 KB PUT payload units; Lambda: requests plus GB-seconds (duration rounded
 * up to 1 ms). SQS, SNS and Firehose are 0 until their models land. */
#include "models/cost.h"

void ks_cost_summarize(ks_ctx *ctx, const ks_cost_config *prices, ks_stream *const *streams,
                       size_t nstreams, ks_function *const *functions, size_t nfunctions)
{
	double hours = (double)(ctx->stop - ctx->warmup) / (double)SIM_HOUR;
	double kinesis = 0, lambda = 0;
	for (size_t i = 0; i < nstreams; i++) {
		kinesis += (double)streams[i]->nshards * hours * prices->shard_hour;
		kinesis += streams[i]->put_payload_units / 1e6 * prices->put_payload_unit_million;
	}
	for (size_t i = 0; i < nfunctions; i++) {
		lambda += functions[i]->requests / 1e6 * prices->lambda_request_million;
		lambda += functions[i]->billed_gb_s * prices->lambda_gb_second;
	}
	sim_metrics *m = ctx->metrics;
	sim_metrics_set_value(m, "cost.total", kinesis + lambda, "USD");
	sim_metrics_set_value(m, "cost.kinesis", kinesis, "USD");
	sim_metrics_set_value(m, "cost.lambda", lambda, "USD");
	sim_metrics_set_value(m, "cost.sqs", 0, "USD");
	sim_metrics_set_value(m, "cost.sns", 0, "USD");
	sim_metrics_set_value(m, "cost.firehose", 0, "USD");
}
