/* Enhanced fan-out (docs/model.md "Readers"): a registered consumer's own subscription to a shard.
 *
 * Records are pushed, not polled: record i reaches the consumer at
 *     d_i = max(d_{i-1}, arrival_i + push_latency_i, pacing)
 * in shard order (never before an earlier record of its shard) [doc], where pacing keeps the
 * consumer's dedicated 2 MiB/s per shard [doc] and push_latency_i is the record's own draw of
 * efo_push_latency, taken as a quantile of a counter-based uniform of (subscription, sequence
 * number), so no per-record state is kept. A subscription lasts 5 minutes and is renewed [doc];
 * deliveries that fall in the renewal gap wait for its end [choice: efo_renewal_gap, default 0].
 * Nothing here is an event: the reader asks when the next record will arrive and sleeps until
 * then, then takes everything delivered by that time. */
#ifndef KS_EFO_H
#define KS_EFO_H

#include <stdint.h>

#include "models/core/log.h"
#include "sim/dist.h"
#include "sim/time.h"

typedef struct ks_efo_config {
	sim_qtable *push_latency; /* [choice] platform.kinesis.efo_push_latency, tabulated (built
	                           * by the first subscription) */
	double bytes_per_s;       /* [doc] 2 MiB/s per shard per consumer */
	sim_time renewal_period;  /* [doc] 5 min */
	sim_time renewal_gap;     /* [choice] platform.kinesis.efo_renewal_gap */
} ks_efo_config;

typedef struct ks_efo {
	ks_efo_config cfg;
	const ks_log *log;
	uint64_t crn_base;  /* of the per-record latency uniforms: sim_crn_base(seed, 0) */
	uint64_t next;      /* first record not yet delivered */
	sim_time last;      /* delivery time of record next - 1 */
	double tat_ns;      /* byte pacing: when the bytes delivered so far have drained */
	double bytes;       /* delivered in the measured period, for cost */
	uint64_t ready_seq; /* the record whose ready time is cached (UINT64_MAX: none) */
	sim_time ready_t;
} ks_efo;

void ks_efo_init(ks_efo *e, const ks_efo_config *cfg, const ks_log *log, uint64_t seed,
                 uint64_t start);

/* When record e->next will be delivered, SIM_TIME_MAX when it is not in the log yet. */
sim_time ks_efo_next_delivery(ks_efo *e);

/* Delivers every record whose delivery time is <= now, up to `max` records; returns the new
 * e->next. Records the log dropped by retention meanwhile are skipped (the caller counts them
 * from its own position). */
uint64_t ks_efo_take(ks_efo *e, sim_time now, uint64_t max, sim_time warmup);

#endif
