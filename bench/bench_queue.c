/* The hold model (Jones 1986), the classic event-queue benchmark.
 *
 * Fill the queue with N events at exponential times, then repeatedly take the earliest and
 * schedule one at its time plus an exponential delay, so the size stays at N. Run once through
 * the engine (a handler that reschedules itself) and once through the raw queue, at N = 10^3
 * (the size a scenario's queue has: consumers x shards), 10^5 and 10^6 (a big topology, where
 * the heap no longer fits in the caches). Prints one line per run:
 *   hold N=1000 engine: 12.3 Mevents/s, 81.2 ns/event
 * The delays come from an inline SplitMix64 + -log(u), so the generator costs a few ns and the
 * figure is mostly the queue. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/engine.h"
#include "sim/queue.h"

#define MEAN_NS 1e6 /* mean delay: 1 ms */

struct hold {
	uint64_t rng;
	uint64_t left; /* reschedules still to do */
	sim_time sum;  /* sum of fired times: keeps the work observable */
};

static inline uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Exp(mean MEAN_NS) in whole ns. u is in (0, 1]: 53 bits plus one, so log never sees 0. */
static inline sim_time exp_ns(uint64_t *s)
{
	double u = (double)((splitmix64(s) >> 11) + 1) * 0x1p-53;
	return (sim_time)(-log(u) * MEAN_NS);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void report(size_t n, const char *how, uint64_t events, double secs)
{
	printf("hold N=%zu %s: %.1f Mevents/s, %.1f ns/event\n", n, how,
	       (double)events / secs / 1e6, secs * 1e9 / (double)events);
	fflush(stdout);
}

static void hold_handler(sim_engine *e, void *obj, uint64_t arg)
{
	struct hold *h = obj;
	h->sum += sim_engine_now(e);
	if (h->left == 0)
		return;
	h->left--;
	sim_engine_after(e, exp_ns(&h->rng), hold_handler, h, arg);
}

static sim_time run_engine(size_t n, uint64_t events)
{
	struct hold h = {.rng = 42, .left = events};
	sim_engine *e = sim_engine_create();
	for (size_t i = 0; i < n; i++)
		sim_engine_at(e, exp_ns(&h.rng), hold_handler, &h, i);
	double t0 = now_s();
	/* Once the budget is spent the N events left drain without rescheduling. */
	sim_engine_run(e, SIM_TIME_MAX);
	double secs = now_s() - t0;
	report(n, "engine", sim_engine_events(e), secs);
	sim_engine_destroy(e);
	return h.sum;
}

static void noop(void *engine, void *obj, uint64_t arg)
{
	(void)engine;
	(void)obj;
	(void)arg;
}

static sim_time run_queue(size_t n, uint64_t events)
{
	uint64_t rng = 42;
	sim_time sum = 0;
	sim_queue *q = sim_queue_create();
	for (size_t i = 0; i < n; i++)
		sim_queue_push(q, exp_ns(&rng), noop, NULL, i);
	double t0 = now_s();
	sim_event ev;
	for (uint64_t i = 0; i < events; i++) {
		sim_queue_pop(q, &ev);
		sum += ev.time;
		sim_queue_push(q, ev.time + exp_ns(&rng), ev.fn, ev.obj, ev.arg);
	}
	double secs = now_s() - t0;
	report(n, "queue", events, secs);
	sim_queue_destroy(q);
	return sum;
}

/* The baseline of the same run: the hold model's random draws and time sums with no queue,
 * so the ratios below say what the queue and the engine add to the work itself. */
static double run_baseline(uint64_t events, sim_time *sum)
{
	uint64_t rng = 42;
	sim_time t = 0, acc = 0;
	double t0 = now_s();
	for (uint64_t i = 0; i < events; i++) {
		t += exp_ns(&rng);
		acc ^= t;
	}
	double secs = now_s() - t0;
	*sum = acc;
	return secs / (double)events * 1e9;
}

int main(int argc, char **argv)
{
	/* An optional argument scales the event counts, e.g. 0.1 for a quick look. */
	double scale = argc > 1 ? atof(argv[1]) : 1.0;
	if (!(scale > 0))
		scale = 1.0;
	static const struct {
		size_t n;
		double events;
	} runs[] = {{1000, 2e7}, {100000, 5e6}, {1000000, 4e6}};
	sim_time check = 0;
	for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		uint64_t events = (uint64_t)(runs[i].events * scale);
		sim_time b;
		double base_ns = run_baseline(events, &b);
		check ^= b;
		double t0 = now_s();
		check ^= run_engine(runs[i].n, events);
		double engine_ns = (now_s() - t0) / (double)events * 1e9;
		check ^= run_queue(runs[i].n, events);
		printf("hold N=%zu baseline (draws only): %.1f ns/event; engine = %.1f x "
		       "baseline\n",
		       runs[i].n, base_ns, engine_ns / base_ns);
	}
	fprintf(stderr, "checksum %llx\n", (unsigned long long)check);
	return 0;
}
