/* Tests of the event queue: random schedules run through the heap and through a plain list
 * searched linearly (the obvious reference: earliest time, then earliest push) must fire the
 * same events in the same order, with the same answers to cancel, pending, size and peek. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim/alloc.h"
#include "sim/queue.h"

static void fn_a(void *engine, void *obj, uint64_t arg)
{
	(void)engine;
	(void)obj;
	(void)arg;
}

static void fn_b(void *engine, void *obj, uint64_t arg)
{
	(void)engine;
	(void)obj;
	(void)arg;
}

/* A fixed-seed generator for the schedules (xorshift64*). */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1du;
}

/* The reference: every event ever pushed, in push order, with a flag for still pending. The
 * earliest pending event is the one with the least time and, among equal times, the least
 * push index: exactly the queue's documented order. */
struct ref_event {
	sim_time time;
	sim_handle handle;
	void (*fn)(void *, void *, uint64_t);
	void *obj;
	bool pending;
};

struct ref {
	struct ref_event *ev;
	size_t n, cap;
	size_t pending;
};

static long ref_earliest(const struct ref *r)
{
	long best = -1;
	for (size_t i = 0; i < r->n; i++)
		if (r->ev[i].pending && (best < 0 || r->ev[i].time < r->ev[best].time))
			best = (long)i;
	return best;
}

static int objs[4];

static void push_both(sim_queue *q, struct ref *r, sim_time t, uint64_t *seed)
{
	void (*fn)(void *, void *, uint64_t) = rnd(seed) & 1 ? fn_a : fn_b;
	void *obj = &objs[rnd(seed) % 4];
	sim_grow(&r->ev, &r->cap, r->n + 1, sizeof *r->ev);
	/* arg is the push index, so a popped event names its reference entry. */
	sim_handle h = sim_queue_push(q, t, fn, obj, r->n);
	assert_int_not_equal(h, 0);
	r->ev[r->n++] = (struct ref_event){t, h, fn, obj, true};
	r->pending++;
}

static void pop_both(sim_queue *q, struct ref *r, sim_time *last_time, uint64_t *last_seq)
{
	long want = ref_earliest(r);
	sim_event ev;
	if (want < 0) {
		assert_false(sim_queue_pop(q, &ev));
		return;
	}
	assert_true(sim_queue_pop(q, &ev));
	assert_int_equal(ev.arg, (uint64_t)want);
	assert_int_equal(ev.time, r->ev[want].time);
	assert_ptr_equal(ev.fn, r->ev[want].fn);
	assert_ptr_equal(ev.obj, r->ev[want].obj);
	/* Sequence numbers grow with push order, so among equal times they grow too. */
	if (ev.time == *last_time)
		assert_true(ev.seq > *last_seq);
	*last_time = ev.time;
	*last_seq = ev.seq;
	r->ev[want].pending = false;
	r->pending--;
}

static void check_agree(const sim_queue *q, const struct ref *r)
{
	assert_int_equal(sim_queue_size(q), r->pending);
	long e = ref_earliest(r);
	assert_int_equal(sim_queue_peek_time(q), e < 0 ? SIM_TIME_MAX : r->ev[e].time);
}

/* One random schedule: pushes at times from a small range above the last popped time (so
 * ties are frequent), pops, and cancels of any handle ever issued, pending or not. */
static void run_schedule_in(sim_queue *q, uint64_t seed, sim_time spread, int steps)
{
	struct ref r = {0};
	sim_time now = 0, last_time = -1;
	uint64_t last_seq = 0;
	for (int step = 0; step < steps; step++) {
		uint64_t op = rnd(&seed) % 10;
		if (op < 5) {
			push_both(q, &r, now + (sim_time)(rnd(&seed) % (uint64_t)spread), &seed);
		} else if (op < 8) {
			pop_both(q, &r, &last_time, &last_seq);
			if (last_time > now)
				now = last_time;
		} else if (r.n > 0) {
			size_t i = rnd(&seed) % r.n;
			int want = r.ev[i].pending ? 0 : -ENOENT;
			assert_int_equal(sim_queue_cancel(q, r.ev[i].handle), want);
			if (r.ev[i].pending) {
				r.ev[i].pending = false;
				r.pending--;
			}
		}
		if (r.n > 0) {
			size_t i = rnd(&seed) % r.n;
			assert_int_equal(sim_queue_pending(q, r.ev[i].handle), r.ev[i].pending);
		}
		check_agree(q, &r);
	}
	/* Drain: the rest must come out in reference order too. */
	while (r.pending > 0) {
		pop_both(q, &r, &last_time, &last_seq);
		check_agree(q, &r);
	}
	for (size_t i = 0; i < r.n; i++) {
		assert_false(sim_queue_pending(q, r.ev[i].handle));
		assert_int_equal(sim_queue_cancel(q, r.ev[i].handle), -ENOENT);
	}
	sim_free(r.ev);
	sim_queue_destroy(q);
}

static void run_schedule(uint64_t seed, sim_time spread, int steps)
{
	run_schedule_in(sim_queue_create(), seed, spread, steps);
}

/* The same schedules through a queue whose tiers start at 16 entries, in buckets of 4: every
 * path of the tiers (spill, bucket loads, the overflow's spread, rebuilds, lazy cancels in the
 * far tiers) is taken many times, and the order must not change. */
static void run_tiered_schedule(uint64_t seed, sim_time spread, int steps)
{
	run_schedule_in(sim_queue_create_tiered(16, 4), seed, spread, steps);
}

static void random_schedules_fire_in_reference_order_with_many_ties(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 8; seed++)
		run_schedule(seed * 0x9e3779b97f4a7c15u, 4, 3000);
}

static void random_schedules_fire_in_reference_order_with_spread_times(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 8; seed++)
		run_schedule(seed * 0x2545f4914f6cdd1du, 1000000, 3000);
}

static void tiered_random_schedules_fire_in_reference_order(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 8; seed++) {
		run_tiered_schedule(seed * 0x9e3779b97f4a7c15u, 4, 3000);
		run_tiered_schedule(seed * 0x2545f4914f6cdd1du, 1000000, 3000);
		/* Spreads far beyond a bucket's reach, so most pushes pass to the overflow. */
		run_tiered_schedule(seed * 0x6a09e667f3bcc909u, INT64_C(1) << 50, 3000);
	}
}

/* A queue that grows to thousands of events, mostly pushed, as a model's start fills it: the
 * buckets cut for a small queue are cut again, and the order stays the reference's. */
static void a_growing_tiered_queue_keeps_order(void **state)
{
	(void)state;
	sim_queue *q = sim_queue_create_tiered(16, 4);
	struct ref r = {0};
	uint64_t seed = 7;
	sim_time now = 0, last_time = -1;
	uint64_t last_seq = 0;
	for (int step = 0; step < 4000; step++) {
		push_both(q, &r, now + (sim_time)(rnd(&seed) % 100000), &seed);
		if (step % 4 == 3) {
			pop_both(q, &r, &last_time, &last_seq);
			now = last_time;
		}
	}
	check_agree(q, &r);
	while (r.pending > 0)
		pop_both(q, &r, &last_time, &last_seq);
	assert_int_equal(sim_queue_size(q), 0);
	sim_free(r.ev);
	sim_queue_destroy(q);
}

/* At full size, with the default tiers: a queue that grows to 60,000 events (timers of every
 * spread, a fifth of them cancelled) pops exactly what a queue that never leaves its single
 * heap pops, event for event. The single heap is the reference here because a list searched
 * linearly would take minutes at this size. */
static void the_default_tiers_pop_what_the_single_heap_pops(void **state)
{
	(void)state;
	sim_queue *tiered = sim_queue_create(), *single = sim_queue_create_tiered(SIZE_MAX, 1);
	sim_handle *handles = NULL;
	size_t nh = 0, caph = 0;
	uint64_t seed = 11;
	sim_time now = 0;
	for (int step = 0; step < 200000; step++) {
		uint64_t op = rnd(&seed) % 16;
		if (op < 7 || step < 60000) {
			/* spreads from 1 us to 1000 s, so ties, neighbours and far timers mix */
			sim_time spread = (sim_time)1000 << (rnd(&seed) % 31);
			sim_time t = now + (sim_time)(rnd(&seed) % (uint64_t)spread);
			sim_handle a = sim_queue_push(tiered, t, fn_a, NULL, (uint64_t)step);
			sim_handle b = sim_queue_push(single, t, fn_a, NULL, (uint64_t)step);
			assert_int_equal(a, b);
			sim_grow(&handles, &caph, nh + 1, sizeof *handles);
			handles[nh++] = a;
		} else if (op < 13) {
			sim_event x, y;
			bool got = sim_queue_pop(tiered, &x);
			assert_int_equal(got, sim_queue_pop(single, &y));
			if (got) {
				assert_int_equal(x.time, y.time);
				assert_int_equal(x.seq, y.seq);
				assert_int_equal(x.arg, y.arg);
				now = x.time;
			}
		} else if (nh > 0) {
			sim_handle h = handles[rnd(&seed) % nh];
			assert_int_equal(sim_queue_cancel(tiered, h), sim_queue_cancel(single, h));
		}
		assert_int_equal(sim_queue_size(tiered), sim_queue_size(single));
		assert_int_equal(sim_queue_peek_time(tiered), sim_queue_peek_time(single));
	}
	sim_event x, y;
	while (sim_queue_pop(single, &y)) {
		assert_true(sim_queue_pop(tiered, &x));
		assert_int_equal(x.seq, y.seq);
	}
	assert_false(sim_queue_pop(tiered, &x));
	sim_free(handles);
	sim_queue_destroy(tiered);
	sim_queue_destroy(single);
}

/* Ties only: no bucket can split them, and the queue must neither loop nor lose push order. */
static void a_tiered_queue_of_equal_times_pops_in_push_order(void **state)
{
	(void)state;
	sim_queue *q = sim_queue_create_tiered(16, 4);
	for (uint64_t i = 0; i < 1000; i++)
		sim_queue_push(q, 42, fn_a, NULL, i);
	sim_event ev;
	for (uint64_t i = 0; i < 1000; i++) {
		assert_true(sim_queue_pop(q, &ev));
		assert_int_equal(ev.arg, i);
		assert_int_equal(ev.time, 42);
	}
	assert_false(sim_queue_pop(q, &ev));
	sim_queue_destroy(q);
}

/* The whole range of sim_time in one tiered queue: offsets from the earliest time span 2^64 - 1
 * and the bucket arithmetic must not wrap. */
static void a_tiered_queue_orders_extreme_times(void **state)
{
	(void)state;
	sim_queue *q = sim_queue_create_tiered(16, 4);
	uint64_t seed = 99;
	sim_time want_min = SIM_TIME_MAX;
	for (uint64_t i = 0; i < 200; i++) {
		sim_time t = i % 3 == 0   ? SIM_TIME_MAX
		             : i % 3 == 1 ? INT64_MIN + (sim_time)(rnd(&seed) % 1000)
		                          : (sim_time)rnd(&seed);
		want_min = t < want_min ? t : want_min;
		sim_queue_push(q, t, fn_a, NULL, i);
	}
	assert_int_equal(sim_queue_peek_time(q), want_min);
	sim_event ev;
	sim_time last = INT64_MIN;
	uint64_t last_seq = 0;
	for (int i = 0; i < 200; i++) {
		assert_true(sim_queue_pop(q, &ev));
		assert_true(ev.time > last || (ev.time == last && ev.seq > last_seq));
		last = ev.time;
		last_seq = ev.seq;
	}
	assert_false(sim_queue_pop(q, &ev));
	sim_queue_destroy(q);
}

static void equal_times_pop_in_push_order(void **state)
{
	(void)state;
	sim_queue *q = sim_queue_create();
	for (uint64_t i = 0; i < 100; i++)
		sim_queue_push(q, 7, fn_a, NULL, i);
	sim_event ev;
	for (uint64_t i = 0; i < 100; i++) {
		assert_true(sim_queue_pop(q, &ev));
		assert_int_equal(ev.time, 7);
		assert_int_equal(ev.arg, i);
	}
	assert_false(sim_queue_pop(q, &ev));
	sim_queue_destroy(q);
}

static void pop_of_empty_queue_leaves_out_untouched(void **state)
{
	(void)state;
	sim_queue *q = sim_queue_create();
	sim_event ev = {.time = 123, .arg = 456};
	assert_false(sim_queue_pop(q, &ev));
	assert_int_equal(ev.time, 123);
	assert_int_equal(ev.arg, 456);
	assert_int_equal(sim_queue_peek_time(q), SIM_TIME_MAX);
	assert_int_equal(sim_queue_size(q), 0);
	sim_queue_destroy(q);
}

static void pop_before_stops_at_the_limit(void **state)
{
	(void)state;
	sim_queue *q = sim_queue_create();
	sim_queue_push(q, 10, fn_a, NULL, 1);
	sim_queue_push(q, 20, fn_a, NULL, 2);
	sim_event ev = {.arg = 99};
	assert_false(sim_queue_pop_before(q, 10, &ev));
	assert_int_equal(ev.arg, 99);
	assert_true(sim_queue_pop_before(q, 11, &ev));
	assert_int_equal(ev.arg, 1);
	assert_false(sim_queue_pop_before(q, 20, &ev));
	assert_true(sim_queue_pop_before(q, SIM_TIME_MAX, &ev));
	assert_int_equal(ev.arg, 2);
	assert_false(sim_queue_pop_before(q, SIM_TIME_MAX, &ev));
	sim_queue_destroy(q);
}

static void cancel_of_fired_event_returns_enoent(void **state)
{
	(void)state;
	sim_queue *q = sim_queue_create();
	sim_handle h = sim_queue_push(q, 5, fn_a, NULL, 0);
	assert_true(sim_queue_pending(q, h));
	sim_event ev;
	assert_true(sim_queue_pop(q, &ev));
	assert_false(sim_queue_pending(q, h));
	assert_int_equal(sim_queue_cancel(q, h), -ENOENT);
	sim_queue_destroy(q);
}

static void cancel_twice_returns_enoent_the_second_time(void **state)
{
	(void)state;
	sim_queue *q = sim_queue_create();
	sim_handle h = sim_queue_push(q, 5, fn_a, NULL, 0);
	assert_int_equal(sim_queue_cancel(q, h), 0);
	assert_int_equal(sim_queue_cancel(q, h), -ENOENT);
	assert_int_equal(sim_queue_size(q), 0);
	sim_queue_destroy(q);
}

static void stale_handle_does_not_touch_the_event_reusing_its_slot(void **state)
{
	(void)state;
	sim_queue *q = sim_queue_create();
	sim_handle old = sim_queue_push(q, 1, fn_a, NULL, 1);
	assert_int_equal(sim_queue_cancel(q, old), 0);
	/* With a single slot ever used, the new event must sit in the same slot. */
	sim_handle h = sim_queue_push(q, 2, fn_a, NULL, 2);
	assert_int_not_equal(h, old);
	assert_false(sim_queue_pending(q, old));
	assert_int_equal(sim_queue_cancel(q, old), -ENOENT);
	assert_true(sim_queue_pending(q, h));
	assert_int_equal(sim_queue_size(q), 1);
	sim_event ev;
	assert_true(sim_queue_pop(q, &ev));
	assert_int_equal(ev.arg, 2);
	sim_queue_destroy(q);
}

static void zero_and_unknown_handles_are_not_pending(void **state)
{
	(void)state;
	sim_queue *q = sim_queue_create();
	sim_handle h = sim_queue_push(q, 1, fn_a, NULL, 0);
	assert_false(sim_queue_pending(q, 0));
	assert_int_equal(sim_queue_cancel(q, 0), -ENOENT);
	/* A slot index far past any slot allocated. */
	assert_false(sim_queue_pending(q, h + 1000));
	assert_int_equal(sim_queue_cancel(q, h + 1000), -ENOENT);
	assert_false(sim_queue_pending(q, UINT64_MAX));
	assert_int_equal(sim_queue_size(q), 1);
	sim_queue_destroy(q);
}

static void cancel_keeps_heap_order(void **state)
{
	(void)state;
	/* Times 0..99 pushed in a scrambled order (37 is coprime with 100); cancel every third. */
	sim_queue *q = sim_queue_create();
	sim_handle h[100];
	for (int i = 0; i < 100; i++) {
		int t = (i * 37) % 100;
		h[t] = sim_queue_push(q, t, fn_a, NULL, (uint64_t)t);
	}
	for (int t = 0; t < 100; t += 3)
		assert_int_equal(sim_queue_cancel(q, h[t]), 0);
	assert_int_equal(sim_queue_size(q), 66);
	sim_event ev;
	for (int t = 0; t < 100; t++) {
		if (t % 3 == 0)
			continue;
		assert_int_equal(sim_queue_peek_time(q), t);
		assert_true(sim_queue_pop(q, &ev));
		assert_int_equal(ev.time, t);
	}
	assert_int_equal(sim_queue_size(q), 0);
	sim_queue_destroy(q);
}

/* A timer reset again and again (cancel, then push later): cancelled entries are left in the
 * heap and swept out in bulk; the live events must still pop in order, and the swept heap must
 * still answer for the handles it holds. */
static void a_timer_reset_many_times_keeps_order(void **state)
{
	(void)state;
	sim_queue *q = sim_queue_create();
	sim_handle fixed[10];
	for (int i = 0; i < 10; i++)
		fixed[i] = sim_queue_push(q, 1000 + i, fn_a, NULL, (uint64_t)i);
	sim_handle timer = sim_queue_push(q, 5000, fn_b, NULL, 99);
	for (int k = 0; k < 100000; k++) {
		assert_int_equal(sim_queue_cancel(q, timer), 0);
		timer = sim_queue_push(q, 5000 + k % 7, fn_b, NULL, 99);
		assert_int_equal(sim_queue_size(q), 11);
	}
	assert_int_equal(sim_queue_cancel(q, fixed[3]), 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(sim_queue_pending(q, fixed[i]), i != 3);
	sim_event ev;
	for (int i = 0; i < 10; i++) {
		if (i == 3)
			continue;
		assert_true(sim_queue_pop(q, &ev));
		assert_int_equal(ev.arg, (uint64_t)i);
	}
	assert_true(sim_queue_pop(q, &ev));
	assert_int_equal(ev.arg, 99);
	assert_int_equal(ev.time, 5000 + 99999 % 7);
	assert_false(sim_queue_pop(q, &ev));
	sim_queue_destroy(q);
}

static void negative_and_extreme_times_order_correctly(void **state)
{
	(void)state;
	sim_queue *q = sim_queue_create();
	sim_queue_push(q, SIM_TIME_MAX, fn_a, NULL, 3);
	sim_queue_push(q, 0, fn_a, NULL, 2);
	sim_queue_push(q, -5, fn_a, NULL, 1);
	sim_queue_push(q, INT64_MIN, fn_a, NULL, 0);
	sim_event ev;
	for (uint64_t i = 0; i < 4; i++) {
		assert_true(sim_queue_pop(q, &ev));
		assert_int_equal(ev.arg, i);
	}
	sim_queue_destroy(q);
}

static void destroy_of_null_does_nothing(void **state)
{
	(void)state;
	sim_queue_destroy(NULL);
}

static void destroy_frees_everything(void **state)
{
	(void)state;
	long before = sim_alloc_live();
	sim_queue *q = sim_queue_create();
	for (int i = 0; i < 1000; i++)
		sim_queue_push(q, i, fn_a, NULL, 0);
	sim_queue_destroy(q);
	assert_int_equal(sim_alloc_live(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(random_schedules_fire_in_reference_order_with_many_ties),
	        cmocka_unit_test(random_schedules_fire_in_reference_order_with_spread_times),
	        cmocka_unit_test(tiered_random_schedules_fire_in_reference_order),
	        cmocka_unit_test(a_growing_tiered_queue_keeps_order),
	        cmocka_unit_test(the_default_tiers_pop_what_the_single_heap_pops),
	        cmocka_unit_test(a_tiered_queue_of_equal_times_pops_in_push_order),
	        cmocka_unit_test(a_tiered_queue_orders_extreme_times),
	        cmocka_unit_test(equal_times_pop_in_push_order),
	        cmocka_unit_test(pop_of_empty_queue_leaves_out_untouched),
	        cmocka_unit_test(pop_before_stops_at_the_limit),
	        cmocka_unit_test(cancel_of_fired_event_returns_enoent),
	        cmocka_unit_test(cancel_twice_returns_enoent_the_second_time),
	        cmocka_unit_test(stale_handle_does_not_touch_the_event_reusing_its_slot),
	        cmocka_unit_test(zero_and_unknown_handles_are_not_pending),
	        cmocka_unit_test(cancel_keeps_heap_order),
	        cmocka_unit_test(a_timer_reset_many_times_keeps_order),
	        cmocka_unit_test(negative_and_extreme_times_order_correctly),
	        cmocka_unit_test(destroy_of_null_does_nothing),
	        cmocka_unit_test(destroy_frees_everything),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
