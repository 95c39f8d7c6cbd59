/* The event queue: a 4-ary min-heap ordered by (time, sequence number).
 *
 * Equal times pop in the order they were pushed: every push takes the next value of a
 * per-queue sequence counter, so runs are deterministic. Each event has an integer handle
 * (0 = none) that stays valid until the event pops or is cancelled; a handle is never issued
 * twice, so a stale handle is recognised, never misused. Cancel is O(1)
 * amortised: the entry stays in the heap, marked stale, until it surfaces or a sweep takes it
 * out (queue.c). */
#ifndef SIM_QUEUE_H
#define SIM_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/time.h"

typedef struct sim_queue sim_queue;
typedef uint64_t sim_handle; /* 0 = no event */

/* What an event carries: opaque to the queue. */
typedef struct sim_event {
	sim_time time;
	uint64_t seq;
	void (*fn)(void *engine, void *obj, uint64_t arg); /* called by the engine */
	void *obj;
	uint64_t arg;
} sim_event;

sim_queue *sim_queue_create(void);

/* A queue that spreads its entries into tiers once its heap holds more than spill_at of them,
 * in buckets of about bucket_target entries (sim_queue_create's are 8192 and 2048). The order
 * is the same whatever the sizes; tests make them small to reach every tier. */
sim_queue *sim_queue_create_tiered(size_t spill_at, size_t bucket_target);
void sim_queue_destroy(sim_queue *q); /* NULL: nothing */

/* Adds an event; returns its handle (never 0). */
sim_handle sim_queue_push(sim_queue *q, sim_time time, void (*fn)(void *, void *, uint64_t),
                          void *obj, uint64_t arg);

/* Removes a pending event: 0, or -ENOENT when the handle is 0, stale, fired or cancelled. */
int sim_queue_cancel(sim_queue *q, sim_handle h);

/* Removes the earliest event into *out; false when empty (out untouched). */
bool sim_queue_pop(sim_queue *q, sim_event *out);

/* Like sim_queue_pop, but only when the earliest event's time is < limit: the run loop's one
 * call per event. */
bool sim_queue_pop_before(sim_queue *q, sim_time limit, sim_event *out);

/* Time of the earliest event, SIM_TIME_MAX when empty. */
sim_time sim_queue_peek_time(const sim_queue *q);

size_t sim_queue_size(const sim_queue *q);

/* Whether the handle names a pending event. */
bool sim_queue_pending(const sim_queue *q, sim_handle h);

#endif
