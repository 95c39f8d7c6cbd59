/* The producers running ahead on a core of their own (docs/performance.md "Using both cores").
 * Opt-in: only a run given a spare core (ks_model_spare_cores; the command line gives one
 * under KINESIM_THREADS=2) starts it, where producers.c's may_run_ahead allows.
 *
 * A producer's work per record (arrival, key, shard, write limit, retries, the stream's write
 * series) depends on nothing the readers do when its streams have no other writer, keep their
 * shards and are provisioned. Then a helper thread runs the producers (ks_producers_advance)
 * ahead of the simulation, and every record a shard accepts comes back through a ring, in the
 * order accepted, as (log, record). The simulation's thread alone appends them to the shard
 * logs, when it brings the records up to a time (ks_ctx_advance): the logs, the readers and
 * everything they touch stay on one thread, and a run is the same with or without the helper.
 *
 * Who touches what while the helper runs: the helper, the producers and their streams' write
 * state (admission, incoming and throttle series, byte counts); the simulation's thread, the
 * logs and everything else. They meet only in the ring (struct ks_ahead). */
#ifndef KS_AHEAD_H
#define KS_AHEAD_H

#include <stddef.h>

#include "models/core/context.h"
#include "models/core/log.h"
#include "models/core/record.h"

typedef struct ks_ahead ks_ahead;
struct ks_producer;

/* Starts the helper on the n producers; NULL when no thread could be had (the caller then
 * runs them itself). `from`: no producer writes before it (the earliest backlog). */
ks_ahead *ks_ahead_start(struct ks_producer **producers, size_t n, const ks_ctx *ctx,
                         sim_time from);
/* On the simulation's thread: appends every record accepted at or before now (waiting for the
 * helper to get there). Once the helper has finished (the run's end, or an interrupt), it is
 * joined: the producers are this thread's again. */
void ks_ahead_advance(ks_ahead *a, sim_time now);
/* Stops the helper if it still runs and joins it (again: nothing). A producer being destroyed
 * calls it first: the helper may still be running when a run is taken down early. */
void ks_ahead_stop(ks_ahead *a);
/* Stops the helper and frees a (NULL: nothing). */
void ks_ahead_free(ks_ahead *a);

/* On the helper: record r was accepted into log l (records come in time order). */
void ks_ahead_push(ks_ahead *a, ks_log *l, const ks_record *r);

#endif
