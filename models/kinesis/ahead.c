/* The producers running ahead on a helper thread (see ahead.h).
 *
 * The ring holds accepted records in the order the helper accepted them, which is time order
 * (ks_producers_advance makes every attempt in time order). The helper publishes its tail
 * every PUBLISH records and at the end of each step, then the time its step reached: every
 * attempt at or before it is made and its records are published. The simulation's thread
 * appends records up to the time it asks for, publishing its head so that the helper may reuse
 * the slots. Each side sleeps on the condition when it must wait (ring full; records not
 * there yet) and is woken by the other; the flag it raises before sleeping is read by the
 * other after publishing, both sequentially consistent (a release store could pass the load
 * of the flag: then each side misses the other's news and the sleeper waits out its timeout),
 * so no wake-up is lost; the wait is timed besides. */
#include "models/kinesis/ahead.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "models/kinesis/producer.h"
#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/engine.h"

/* Records in flight: 4 MiB. An enhanced fan-out reader brings the records up to a second
 * ahead (efo_lookahead), 32,000 records in the large benchmark: with a ring of 8,192 the
 * simulation's thread drained it and waited for the helper at every take, the two in turn,
 * both spinning (five minutes of large: 1.31 to 1.58 s, slower than one thread's 1.03 to
 * 1.19 s; 0.87 to 1.13 s with this ring). */
#define RING    (1u << 17)
#define PUBLISH 256u /* the helper publishes its tail every this many records */
/* A step of the helper aims at this many records: short enough that the simulation rarely
 * waits for one, long enough that a step's bookkeeping is nothing per record. */
#define STEP_RECORDS 4096.0
#define MIN_STEP     (100 * SIM_US)
#define SPIN_NS      200000 /* a wait spins this long before it sleeps */
#define MAX_STEP     (60 * SIM_S)

typedef struct item {
	ks_log *log;
	ks_record rec;
} item;

/* Each part on cache lines of its own: a line one thread writes at every record and the other
 * reads would travel between the cores at every record. */
struct ks_ahead {
	/* set before the helper starts, then only read */
	ks_producer **producers;
	size_t n;
	const ks_ctx *ctx;
	item *ring;
	pthread_t thread;

	/* the helper's */
	_Alignas(64) uint64_t tail, head_seen;
	sim_time reached, step;

	/* both sleep on it */
	_Alignas(64) pthread_mutex_t lock;
	pthread_cond_t wake;

	/* shared */
	_Alignas(64) _Atomic uint64_t pub_tail;
	_Atomic sim_time pub_reached;
	atomic_bool finished; /* the helper ended: at the run's end, or stopped by an interrupt */
	atomic_bool sleeping_sim;
	_Alignas(64) _Atomic uint64_t pub_head;
	atomic_bool stop; /* ks_ahead_stop before the helper finished */
	atomic_bool sleeping_helper;

	/* the simulation's */
	_Alignas(64) uint64_t head, avail;
	bool joined;
};

static void wake(ks_ahead *a)
{
	pthread_mutex_lock(&a->lock);
	pthread_cond_broadcast(&a->wake);
	pthread_mutex_unlock(&a->lock);
}

/* Waits until ready(a, arg) or stop: spinning first (the other side publishes every few
 * microseconds while it works, and a sleep and a wake-up cost more than that), then asleep,
 * with `sleeping` raised meanwhile. */
static void sleep_until(ks_ahead *a, atomic_bool *sleeping,
                        bool (*ready)(const ks_ahead *, int64_t), int64_t arg)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 1;; i++) {
		if (ready(a, arg) || atomic_load_explicit(&a->stop, memory_order_relaxed))
			return;
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause(); /* a spinning core yields to its sibling, uses less power */
#endif
		if (i % 64 == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((t.tv_sec - t0.tv_sec) * 1000000000 + (t.tv_nsec - t0.tv_nsec) >
			    SPIN_NS)
				break;
		}
	}
	pthread_mutex_lock(&a->lock);
	atomic_store(sleeping, true);
	while (!ready(a, arg) && !atomic_load(&a->stop)) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 1000 * 1000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&a->wake, &a->lock, &until);
	}
	atomic_store(sleeping, false);
	pthread_mutex_unlock(&a->lock);
}

/* A helper that found the ring full waits until a quarter of it is free again, and the
 * simulation's thread wakes it only then: where the simulation takes a few records at each of
 * many events, waking the helper at each would cost a system call per event (a short run of
 * scenarios/kcl-consumers.yaml took 96 ms instead of 78). */
#define ROOM (RING - RING / 4)

/* For the helper: a quarter of the ring is free (arg: its tail). */
static bool has_room(const ks_ahead *a, int64_t tail)
{
	return (uint64_t)tail - atomic_load(&a->pub_head) <= ROOM;
}

/* For the simulation's thread: records past its head, or the helper reached arg, or ended. */
static bool has_news(const ks_ahead *a, int64_t now)
{
	return atomic_load(&a->pub_tail) > a->head || atomic_load(&a->pub_reached) >= now ||
	       atomic_load(&a->finished);
}

/* The helper writes the ring with non-temporal stores: a line the simulation's thread read
 * last time round is then not fetched back into the helper's cache to be overwritten (a
 * transfer between the cores per line, the helper's bottleneck when the two vCPUs sit far
 * apart), and the records go to memory, where the reader's sequential loads find them. The
 * fence orders them before the tail that publishes them. */
static inline void put_item(item *dst, ks_log *l, const ks_record *r)
{
#ifdef __SSE2__
	item it = {l, *r};
	const __m128i *src = (const __m128i *)&it;
	_mm_stream_si128((__m128i *)dst, _mm_loadu_si128(src));
	_mm_stream_si128((__m128i *)dst + 1, _mm_loadu_si128(src + 1));
#else
	*dst = (item){l, *r};
#endif
}

static inline void fence_items(void)
{
#ifdef __SSE2__
	_mm_sfence();
#endif
}

static void publish_tail(ks_ahead *a)
{
	fence_items();
	atomic_store(&a->pub_tail, a->tail);
	if (atomic_load(&a->sleeping_sim))
		wake(a);
}

void ks_ahead_push(ks_ahead *a, ks_log *l, const ks_record *r)
{
	if (a->tail - a->head_seen >= RING) {
		a->head_seen = atomic_load_explicit(&a->pub_head, memory_order_acquire);
		if (a->tail - a->head_seen >= RING) { /* full: let the simulation take some */
			publish_tail(a);
			sleep_until(a, &a->sleeping_helper, has_room, (int64_t)a->tail);
			a->head_seen = atomic_load_explicit(&a->pub_head, memory_order_acquire);
			if (a->tail - a->head_seen >= RING)
				return; /* stopped: the run is being taken down, nobody reads on */
		}
	}
	put_item(&a->ring[a->tail & (RING - 1)], l, r);
	a->tail++;
	if ((a->tail & (PUBLISH - 1)) == 0)
		publish_tail(a);
}

static void *helper_main(void *arg)
{
	ks_ahead *a = arg;
	const sim_engine *e = a->ctx->engine;
	sim_time end = a->ctx->stop - 1;
	while (!atomic_load(&a->stop)) {
		sim_time target = a->reached < end - a->step ? a->reached + a->step : end;
		uint64_t before = a->tail;
		ks_producers_advance(a->producers, a->n, target);
		/* An interrupt cut the step short: what it made is published, not the time. */
		bool interrupted = sim_engine_interrupted(e);
		fence_items();
		atomic_store(&a->pub_tail, a->tail);
		if (!interrupted) {
			a->reached = target;
			atomic_store(&a->pub_reached, target);
		}
		bool last = interrupted || target >= end;
		if (last)
			atomic_store(&a->finished, true);
		if (atomic_load(&a->sleeping_sim))
			wake(a);
		if (last)
			break;
		double got = (double)(a->tail - before), k = got > 0 ? STEP_RECORDS / got : 4;
		k = k > 4 ? 4 : k < 0.25 ? 0.25 : k;
		double step = (double)a->step * k;
		a->step = step < (double)MIN_STEP   ? MIN_STEP
		          : step > (double)MAX_STEP ? MAX_STEP
		                                    : (sim_time)step;
	}
	atomic_store(&a->finished, true);
	if (atomic_load(&a->sleeping_sim))
		wake(a);
	return NULL;
}

ks_ahead *ks_ahead_start(ks_producer **producers, size_t n, const ks_ctx *ctx, sim_time from)
{
	ks_ahead *a = sim_calloc_aligned(64, sizeof *a);
	a->producers = producers;
	a->n = n;
	a->ctx = ctx;
	a->ring = sim_calloc_aligned(64, RING * sizeof *a->ring);
	a->reached = from - 1;
	a->step = SIM_MS;
	atomic_init(&a->pub_reached, from - 1);
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->wake, NULL);
	for (size_t i = 0; i < n; i++)
		ks_producer_set_ahead(producers[i], a);
	if (pthread_create(&a->thread, NULL, helper_main, a) != 0) {
		for (size_t i = 0; i < n; i++)
			ks_producer_set_ahead(producers[i], NULL);
		a->joined = true;
		ks_ahead_free(a);
		return NULL;
	}
	return a;
}

/* Appends the published records that arrived at or before now. */
static void drain(ks_ahead *a, sim_time now)
{
	a->avail = atomic_load_explicit(&a->pub_tail, memory_order_acquire);
	uint64_t from = a->head;
	while (a->head < a->avail) {
		const item *it = &a->ring[a->head & (RING - 1)];
		if (it->rec.arrival > now)
			break;
		ks_log_append(it->log, it->rec);
		a->head++;
	}
	if (a->head != from) {
		atomic_store(&a->pub_head, a->head);
		/* A sleeping helper published its whole tail before it slept: avail is its tail. */
		if (a->avail - a->head <= ROOM && atomic_load(&a->sleeping_helper))
			wake(a);
	}
}

static void join(ks_ahead *a)
{
	pthread_join(a->thread, NULL);
	a->joined = true;
	for (size_t i = 0; i < a->n; i++)
		ks_producer_set_ahead(a->producers[i], NULL);
}

void ks_ahead_advance(ks_ahead *a, sim_time now)
{
	for (;;) {
		drain(a, now);
		if (a->joined) { /* what is left in the ring goes first: it is earlier */
			if (a->head == a->avail)
				ks_producers_advance(a->producers, a->n, now);
			return;
		}
		/* the next record arrived after now: every earlier one is in (time order) */
		if (a->head < a->avail)
			return;
		if (atomic_load_explicit(&a->pub_reached, memory_order_acquire) >= now) {
			drain(a, now); /* published before the time was */
			return;
		}
		if (atomic_load(&a->finished)) {
			drain(a, now);
			join(a);
			continue;
		}
		sleep_until(a, &a->sleeping_sim, has_news, now);
	}
}

void ks_ahead_stop(ks_ahead *a)
{
	if (a->joined)
		return;
	atomic_store(&a->stop, true);
	wake(a);
	join(a);
}

void ks_ahead_free(ks_ahead *a)
{
	if (!a)
		return;
	ks_ahead_stop(a);
	pthread_cond_destroy(&a->wake);
	pthread_mutex_destroy(&a->lock);
	sim_free(a->ring);
	sim_free(a);
}
