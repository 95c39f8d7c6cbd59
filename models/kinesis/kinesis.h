/* The Kinesis components (core/component.h): `streams:` (streams.c) and `producers:`
 * (producers.c), and what the two share. */
#ifndef KS_KINESIS_H
#define KS_KINESIS_H

#include <stddef.h>
#include <stdint.h>

#include "models/core/component.h"

extern const ks_component ks_streams_component;
extern const ks_component ks_producers_component;

/* Enhanced fan-out's priced quantities (rows of the streams' prices): consumer-shard-hours
 * and bytes pushed, used by every reader with a subscription (kinesis/reader.c). */
#define KS_PRICE_EFO_HOURS "efo_consumer_shard_hour"
#define KS_PRICE_EFO_BYTES "efo_gb"

/* Per producer number, its partition keys (k0..k<count-1>, then "hot"): n of them. */
const uint32_t *ks_producers_key_counts(ks_model *m, size_t *n);

#endif
