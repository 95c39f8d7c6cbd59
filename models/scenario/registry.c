/* The registry (registry.h). The order matters: a kind may refer to kinds before it while it is
 * created (a producer to its streams, a function's mappings to their streams), and to any
 * kind once linked; readers subscribe to a stream in this order, so it is also the order in
 * which a shard's readers are told of new shards. The summary lists metrics in this order. */
#include "models/scenario/registry.h"

#include <string.h>

#include "models/eventbridge/eventbridge.h"
#include "models/firehose/firehose.h"
#include "models/kcl/kcl.h"
#include "models/kinesis/kinesis.h"
#include "models/lambda/lambda.h"
#include "models/s3/s3.h"
#include "models/sns/sns.h"
#include "models/sqs/sqs.h"

const ks_component *const ks_registry[] = {
        &ks_streams_component,   &ks_producers_component,
        &ks_functions_component, &ks_consumers_component,
        &ks_topics_component,    &ks_queues_component,
        &ks_firehoses_component, &ks_buckets_component,
        &ks_buses_component,     NULL,
};

const ks_component *ks_registry_kind(const char *key)
{
	for (size_t k = 0; ks_registry[k]; k++)
		if (strcmp(ks_registry[k]->key, key) == 0)
			return ks_registry[k];
	return NULL;
}
