/* The run loop: a clock, an event queue, a stop time and a warm-up boundary.
 *
 * The engine knows nothing of what it simulates. Models schedule callbacks with an object
 * pointer and a 64-bit argument; the engine pops them in (time, sequence) order, sets the
 * clock, and calls them. Scheduling into the past is a bug and asserts. */
#ifndef SIM_ENGINE_H
#define SIM_ENGINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/queue.h"
#include "sim/time.h"

typedef struct sim_engine sim_engine;
typedef void (*sim_event_fn)(sim_engine *e, void *obj, uint64_t arg);

sim_engine *sim_engine_create(void);
void sim_engine_destroy(sim_engine *e); /* NULL: nothing */

sim_time sim_engine_now(const sim_engine *e);

/* Schedules fn(e, obj, arg) at absolute time t >= now (asserted). */
sim_handle sim_engine_at(sim_engine *e, sim_time t, sim_event_fn fn, void *obj, uint64_t arg);
/* ... at now + dt, dt >= 0. */
sim_handle sim_engine_after(sim_engine *e, sim_time dt, sim_event_fn fn, void *obj, uint64_t arg);
/* 0, or -ENOENT when the event is not pending. */
int sim_engine_cancel(sim_engine *e, sim_handle h);
bool sim_engine_pending(const sim_engine *e, sim_handle h);

/* Statistics before this time are discarded by the models (they ask sim_engine_measuring). */
void sim_engine_set_warmup(sim_engine *e, sim_time warmup);
sim_time sim_engine_warmup(const sim_engine *e);
/* Whether an event at time t falls in the measured period [warmup, stop). */
bool sim_engine_measuring_at(const sim_engine *e, sim_time t);

/* An interrupt flag (e.g. set by a SIGINT handler) polled by the loop between events. */
void sim_engine_set_interrupt(sim_engine *e, const atomic_int *flag);
/* Whether the interrupt flag is set (false without one): a handler with a long stretch of work
 * inside one event polls it to end early, and the loop then stops before the next event. */
bool sim_engine_interrupted(const sim_engine *e);

/* A hook called by the loop about every `every` simulated ns (for progress output). */
void sim_engine_set_progress(sim_engine *e, sim_time every, void (*fn)(sim_engine *, void *),
                             void *ctx);

/* Runs every event with time < stop, then sets the clock to stop. Returns 0, or -EINTR when the
 * interrupt flag was seen (the clock then stays at the last event run). */
int sim_engine_run(sim_engine *e, sim_time stop);

/* Events run so far. */
uint64_t sim_engine_events(const sim_engine *e);
size_t sim_engine_pending_count(const sim_engine *e);

#endif
