/* The run loop: pops events in (time, sequence) order, advances the clock, calls the handlers.
 *
 * Invariants:
 * - The clock never goes back: every pending event has time >= now (scheduling into the past
 *   asserts), and run() only ever moves now forward, to an event's time or to the stop time.
 * - sim_assert_now follows the clock, so an assertion in a handler names the simulated time.
 * - progress_next is the first multiple of the progress period above the clock when the hook
 *   was last called (SIM_TIME_MAX when there is no hook), so the loop pays one comparison per
 *   event for it.
 *
 * The queue stores handlers as void (*)(void *, void *, uint64_t). A sim_event_fn is converted
 * to that type on push and back to sim_event_fn before the call; C11 6.3.2.3p8 defines such a
 * round trip, and the pointer is never called through the queue's type. */
#include "sim/engine.h"

#include <errno.h>

#include "sim/alloc.h"
#include "sim/assert.h"

typedef void (*queue_fn)(void *, void *, uint64_t);

struct sim_engine {
	sim_queue *q;
	sim_time now;
	sim_time warmup;
	uint64_t events;
	const atomic_int *interrupt; /* lock-free: set by a signal handler, read by any thread */
	sim_time progress_every;
	sim_time progress_next;
	void (*progress_fn)(sim_engine *, void *);
	void *progress_ctx;
};

sim_engine *sim_engine_create(void)
{
	sim_engine *e = sim_calloc(1, sizeof *e);
	e->q = sim_queue_create();
	e->progress_next = SIM_TIME_MAX;
	return e;
}

void sim_engine_destroy(sim_engine *e)
{
	if (!e)
		return;
	sim_queue_destroy(e->q);
	sim_free(e);
}

sim_time sim_engine_now(const sim_engine *e)
{
	return e->now;
}

sim_handle sim_engine_at(sim_engine *e, sim_time t, sim_event_fn fn, void *obj, uint64_t arg)
{
	SIM_ASSERT(t >= e->now);
	SIM_ASSERT(fn != NULL);
	return sim_queue_push(e->q, t, (queue_fn)fn, obj, arg);
}

sim_handle sim_engine_after(sim_engine *e, sim_time dt, sim_event_fn fn, void *obj, uint64_t arg)
{
	SIM_ASSERT(dt >= 0);
	/* Saturate rather than overflow: a delay past the end of time means "never". */
	sim_time t = dt > SIM_TIME_MAX - e->now ? SIM_TIME_MAX : e->now + dt;
	return sim_engine_at(e, t, fn, obj, arg);
}

int sim_engine_cancel(sim_engine *e, sim_handle h)
{
	return sim_queue_cancel(e->q, h);
}

bool sim_engine_pending(const sim_engine *e, sim_handle h)
{
	return sim_queue_pending(e->q, h);
}

void sim_engine_set_warmup(sim_engine *e, sim_time warmup)
{
	e->warmup = warmup;
}

sim_time sim_engine_warmup(const sim_engine *e)
{
	return e->warmup;
}

/* Events at or after the stop time never run, so only the warm-up end needs checking. */
bool sim_engine_measuring_at(const sim_engine *e, sim_time t)
{
	return t >= e->warmup;
}

void sim_engine_set_interrupt(sim_engine *e, const atomic_int *flag)
{
	e->interrupt = flag;
}

bool sim_engine_interrupted(const sim_engine *e)
{
	return e->interrupt && atomic_load_explicit(e->interrupt, memory_order_relaxed);
}

/* The first multiple of every strictly above t, or SIM_TIME_MAX if it does not exist. */
static sim_time next_multiple(sim_time t, sim_time every)
{
	sim_time k = (t < 0 ? 0 : t / every) + 1;
	return k > SIM_TIME_MAX / every ? SIM_TIME_MAX : k * every;
}

void sim_engine_set_progress(sim_engine *e, sim_time every, void (*fn)(sim_engine *, void *),
                             void *ctx)
{
	if (every <= 0 || !fn) {
		e->progress_fn = NULL;
		e->progress_next = SIM_TIME_MAX;
		return;
	}
	e->progress_every = every;
	e->progress_fn = fn;
	e->progress_ctx = ctx;
	e->progress_next = next_multiple(e->now, every);
}

/* The clock has reached progress_next: one call however many multiples were crossed. Past the
 * last representable multiple, next_multiple() returns SIM_TIME_MAX again, so a clock at
 * SIM_TIME_MAX calls the hook once and then the period is spent (progress_every = 0). */
static void progress(sim_engine *e)
{
	if (!e->progress_fn || e->progress_every == 0)
		return;
	e->progress_fn(e, e->progress_ctx);
	if (e->now == SIM_TIME_MAX)
		e->progress_every = 0;
	else
		e->progress_next = next_multiple(e->now, e->progress_every);
}

int sim_engine_run(sim_engine *e, sim_time stop)
{
	SIM_ASSERT(stop >= e->now);
	sim_event ev;
	for (;;) {
		/* One load and a branch per event: cheap enough to poll every time. */
		if (e->interrupt && atomic_load_explicit(e->interrupt, memory_order_relaxed))
			return -EINTR;
		if (!sim_queue_pop_before(e->q, stop, &ev))
			break;
		e->now = ev.time;
		sim_assert_now = ev.time;
		if (ev.time >= e->progress_next)
			progress(e);
		e->events++;
		((sim_event_fn)ev.fn)(e, ev.obj, ev.arg);
	}
	e->now = stop;
	sim_assert_now = stop;
	if (stop >= e->progress_next)
		progress(e);
	return 0;
}

uint64_t sim_engine_events(const sim_engine *e)
{
	return e->events;
}

size_t sim_engine_pending_count(const sim_engine *e)
{
	return sim_queue_size(e->q);
}
