/* Tests of the run loop: order, clock, stop time, scheduling and cancelling from handlers, the
 * interrupt flag, the warm-up predicate and the progress hook. Handlers append what they see to
 * a log that each test compares with the order the rules imply. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim/assert.h"
#include "sim/engine.h"

struct log {
	uint64_t arg[64];
	sim_time at[64];
	size_t n;
};

static void record(sim_engine *e, void *obj, uint64_t arg)
{
	struct log *l = obj;
	assert_true(l->n < 64);
	l->arg[l->n] = arg;
	l->at[l->n] = sim_engine_now(e);
	l->n++;
}

static void events_run_in_time_order(void **state)
{
	(void)state;
	sim_engine *e = sim_engine_create();
	struct log l = {0};
	static const sim_time times[] = {50, 10, 40, 20, 30};
	for (size_t i = 0; i < 5; i++)
		sim_engine_at(e, times[i], record, &l, (uint64_t)times[i]);
	assert_int_equal(sim_engine_pending_count(e), 5);
	assert_int_equal(sim_engine_run(e, 100), 0);
	assert_int_equal(l.n, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(l.arg[i], 10 * (i + 1));
		/* The clock reads the event's own time inside its handler. */
		assert_int_equal(l.at[i], 10 * (sim_time)(i + 1));
	}
	assert_int_equal(sim_engine_events(e), 5);
	assert_int_equal(sim_engine_pending_count(e), 0);
	sim_engine_destroy(e);
}

static void equal_times_run_in_scheduling_order(void **state)
{
	(void)state;
	sim_engine *e = sim_engine_create();
	struct log l = {0};
	for (uint64_t i = 0; i < 20; i++)
		sim_engine_at(e, 5 * SIM_MS, record, &l, i);
	sim_engine_run(e, SIM_S);
	assert_int_equal(l.n, 20);
	for (uint64_t i = 0; i < 20; i++)
		assert_int_equal(l.arg[i], i);
	sim_engine_destroy(e);
}

static void events_at_exactly_stop_do_not_run_and_the_clock_ends_at_stop(void **state)
{
	(void)state;
	sim_engine *e = sim_engine_create();
	struct log l = {0};
	sim_engine_at(e, 99, record, &l, 1);
	sim_engine_at(e, 100, record, &l, 2);
	sim_engine_at(e, 101, record, &l, 3);
	assert_int_equal(sim_engine_run(e, 100), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.arg[0], 1);
	assert_int_equal(sim_engine_now(e), 100);
	assert_int_equal(sim_engine_pending_count(e), 2);
	/* A second run picks up where the first stopped. */
	assert_int_equal(sim_engine_run(e, 200), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.arg[1], 2);
	assert_int_equal(l.arg[2], 3);
	assert_int_equal(sim_engine_now(e), 200);
	sim_engine_destroy(e);
}

static void clock_advances_to_stop_with_no_events(void **state)
{
	(void)state;
	sim_engine *e = sim_engine_create();
	assert_int_equal(sim_engine_now(e), 0);
	assert_int_equal(sim_engine_run(e, 3 * SIM_S), 0);
	assert_int_equal(sim_engine_now(e), 3 * SIM_S);
	assert_int_equal(sim_assert_now, 3 * SIM_S);
	assert_int_equal(sim_engine_events(e), 0);
	sim_engine_destroy(e);
}

/* A chain: each event schedules the next 10 ns later, and one more at its own time. */
struct chain {
	struct log log;
	int left;
};

static void chain_step(sim_engine *e, void *obj, uint64_t arg)
{
	struct chain *c = obj;
	record(e, &c->log, arg);
	if (arg >= 1000)
		return;
	sim_engine_at(e, sim_engine_now(e), chain_step, c, arg + 1000);
	if (--c->left > 0)
		sim_engine_after(e, 10, chain_step, c, arg + 1);
}

static void handlers_can_schedule_events_including_at_the_current_time(void **state)
{
	(void)state;
	sim_engine *e = sim_engine_create();
	struct chain c = {.left = 4};
	sim_engine_at(e, 0, chain_step, &c, 0);
	sim_engine_at(e, 10, record, &c.log, 500);
	sim_engine_run(e, 1000);
	/* At time 10 the event scheduled before the run comes first, then the chain's step
	 * (scheduled during the run), then the step's same-time follow-up. */
	static const uint64_t want_arg[] = {0, 1000, 500, 1, 1001, 2, 1002, 3, 1003};
	static const sim_time want_at[] = {0, 0, 10, 10, 10, 20, 20, 30, 30};
	assert_int_equal(c.log.n, 9);
	for (size_t i = 0; i < 9; i++) {
		assert_int_equal(c.log.arg[i], want_arg[i]);
		assert_int_equal(c.log.at[i], want_at[i]);
	}
	sim_engine_destroy(e);
}

struct canceller {
	struct log log;
	sim_handle victim;
	sim_handle self;
	int cancel_result;
	int self_result;
};

static void cancel_victim(sim_engine *e, void *obj, uint64_t arg)
{
	struct canceller *c = obj;
	record(e, &c->log, arg);
	c->cancel_result = sim_engine_cancel(e, c->victim);
	/* The running event has already left the queue: cancelling it is harmless. */
	c->self_result = sim_engine_cancel(e, c->self);
}

static void victim(sim_engine *e, void *obj, uint64_t arg)
{
	struct canceller *c = obj;
	record(e, &c->log, arg);
}

static void handler_can_cancel_a_later_event_and_cancelling_itself_is_harmless(void **state)
{
	(void)state;
	sim_engine *e = sim_engine_create();
	struct canceller c = {0};
	c.self = sim_engine_at(e, 10, cancel_victim, &c, 1);
	c.victim = sim_engine_at(e, 20, victim, &c, 2);
	sim_engine_at(e, 30, victim, &c, 3);
	assert_true(sim_engine_pending(e, c.victim));
	sim_engine_run(e, 100);
	assert_int_equal(c.cancel_result, 0);
	assert_int_equal(c.self_result, -ENOENT);
	assert_false(sim_engine_pending(e, c.victim));
	assert_false(sim_engine_pending(e, c.self));
	assert_int_equal(c.log.n, 2);
	assert_int_equal(c.log.arg[0], 1);
	assert_int_equal(c.log.arg[1], 3);
	assert_int_equal(sim_engine_cancel(e, c.victim), -ENOENT);
	sim_engine_destroy(e);
}

struct interrupter {
	struct log log;
	atomic_int flag;
};

static void raise_flag_on_third(sim_engine *e, void *obj, uint64_t arg)
{
	struct interrupter *it = obj;
	record(e, &it->log, arg);
	if (arg == 3)
		it->flag = 1;
}

static void interrupt_flag_stops_the_run_with_eintr(void **state)
{
	(void)state;
	sim_engine *e = sim_engine_create();
	struct interrupter it = {0};
	sim_engine_set_interrupt(e, &it.flag);
	for (uint64_t i = 1; i <= 6; i++)
		sim_engine_at(e, (sim_time)i * 100, raise_flag_on_third, &it, i);
	assert_int_equal(sim_engine_run(e, SIM_S), -EINTR);
	/* The flag is seen before the next event: three ran, the clock stays at the third. */
	assert_int_equal(it.log.n, 3);
	assert_int_equal(sim_engine_now(e), 300);
	assert_int_equal(sim_engine_pending_count(e), 3);
	/* Still set: a new run returns at once. */
	assert_int_equal(sim_engine_run(e, SIM_S), -EINTR);
	assert_int_equal(it.log.n, 3);
	it.flag = 0;
	assert_int_equal(sim_engine_run(e, SIM_S), 0);
	assert_int_equal(it.log.n, 6);
	assert_int_equal(sim_engine_now(e), SIM_S);
	sim_engine_destroy(e);
}

static void seen_by_handler(sim_engine *e, void *obj, uint64_t arg)
{
	(void)arg;
	bool *seen = obj;
	*seen = sim_engine_interrupted(e);
}

static void interrupted_reads_the_flag_a_handler_can_poll(void **state)
{
	(void)state;
	sim_engine *e = sim_engine_create();
	assert_false(sim_engine_interrupted(e)); /* no flag: never interrupted */
	atomic_int flag = 0;
	sim_engine_set_interrupt(e, &flag);
	assert_false(sim_engine_interrupted(e));
	flag = 1;
	assert_true(sim_engine_interrupted(e));
	flag = 0;
	/* A handler sees the flag as it is now, e.g. raised by a signal during the event. */
	bool seen = true;
	sim_engine_at(e, 10, seen_by_handler, &seen, 0);
	assert_int_equal(sim_engine_run(e, 100), 0);
	assert_false(seen);
	flag = 1;
	sim_engine_at(e, 110, seen_by_handler, &seen, 0);
	assert_int_equal(sim_engine_run(e, 200), -EINTR);
	assert_false(seen); /* the loop stopped before the event */
	sim_engine_set_interrupt(e, NULL);
	assert_false(sim_engine_interrupted(e));
	sim_engine_destroy(e);
}

static void measuring_starts_exactly_at_warmup(void **state)
{
	(void)state;
	sim_engine *e = sim_engine_create();
	assert_int_equal(sim_engine_warmup(e), 0);
	assert_true(sim_engine_measuring_at(e, 0));
	sim_engine_set_warmup(e, 5 * SIM_S);
	assert_int_equal(sim_engine_warmup(e), 5 * SIM_S);
	assert_false(sim_engine_measuring_at(e, 0));
	assert_false(sim_engine_measuring_at(e, 5 * SIM_S - 1));
	assert_true(sim_engine_measuring_at(e, 5 * SIM_S));
	assert_true(sim_engine_measuring_at(e, 6 * SIM_S));
	sim_engine_destroy(e);
}

struct progress {
	sim_time at[16];
	size_t n;
};

static void on_progress(sim_engine *e, void *ctx)
{
	struct progress *p = ctx;
	assert_true(p->n < 16);
	p->at[p->n++] = sim_engine_now(e);
}

static void nothing(sim_engine *e, void *obj, uint64_t arg)
{
	(void)e;
	(void)obj;
	(void)arg;
}

static void progress_hook_runs_once_per_multiple_the_clock_passes(void **state)
{
	(void)state;
	sim_engine *e = sim_engine_create();
	struct progress p = {0};
	sim_engine_set_progress(e, 2 * SIM_MS, on_progress, &p);
	for (sim_time t = 1; t <= 9; t++)
		sim_engine_at(e, t * SIM_MS, nothing, NULL, 0);
	sim_engine_run(e, 10 * SIM_MS);
	/* The clock reaches 2, 4, 6 and 8 ms at events and 10 ms at the stop. */
	assert_int_equal(p.n, 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(p.at[i], 2 * SIM_MS * (sim_time)(i + 1));
	sim_engine_destroy(e);
}

static void progress_hook_runs_once_when_the_clock_jumps_several_periods(void **state)
{
	(void)state;
	sim_engine *e = sim_engine_create();
	struct progress p = {0};
	sim_engine_set_progress(e, 2 * SIM_MS, on_progress, &p);
	sim_engine_at(e, 1 * SIM_MS, nothing, NULL, 0);
	sim_engine_at(e, 9 * SIM_MS, nothing, NULL, 0);
	sim_engine_run(e, 9500 * SIM_US);
	/* 1 ms passes no multiple; 9 ms passes 2, 4, 6 and 8 at once; 9.5 ms passes none. */
	assert_int_equal(p.n, 1);
	assert_int_equal(p.at[0], 9 * SIM_MS);
	sim_engine_run(e, 10 * SIM_MS);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.at[1], 10 * SIM_MS);
	/* Switched off: no more calls. */
	sim_engine_set_progress(e, 0, NULL, NULL);
	sim_engine_run(e, 20 * SIM_MS);
	assert_int_equal(p.n, 2);
	sim_engine_destroy(e);
}

static void check_assert_now(sim_engine *e, void *obj, uint64_t arg)
{
	int *seen = obj;
	(void)arg;
	assert_int_equal(sim_assert_now, sim_engine_now(e));
	(*seen)++;
}

static void assertion_clock_follows_the_engine(void **state)
{
	(void)state;
	sim_engine *e = sim_engine_create();
	int seen = 0;
	sim_engine_at(e, 7, check_assert_now, &seen, 0);
	sim_engine_at(e, 70, check_assert_now, &seen, 0);
	sim_engine_run(e, 100);
	assert_int_equal(seen, 2);
	sim_engine_destroy(e);
}

static void after_saturates_at_the_end_of_time(void **state)
{
	(void)state;
	sim_engine *e = sim_engine_create();
	struct log l = {0};
	sim_engine_run(e, SIM_S);
	sim_handle h = sim_engine_after(e, SIM_TIME_MAX, record, &l, 1);
	assert_true(sim_engine_pending(e, h));
	sim_engine_after(e, 5, record, &l, 2);
	sim_engine_run(e, 2 * SIM_S);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.at[0], SIM_S + 5);
	assert_true(sim_engine_pending(e, h));
	sim_engine_destroy(e);
}

/* The assertion aborts the process, so it runs in a child whose fate the parent reads. */
static void scheduling_into_the_past_aborts(void **state)
{
	(void)state;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		sim_engine *e = sim_engine_create();
		sim_engine_run(e, 100);
		sim_engine_at(e, 99, nothing, NULL, 0);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void destroy_of_null_does_nothing(void **state)
{
	(void)state;
	sim_engine_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(events_run_in_time_order),
	        cmocka_unit_test(equal_times_run_in_scheduling_order),
	        cmocka_unit_test(events_at_exactly_stop_do_not_run_and_the_clock_ends_at_stop),
	        cmocka_unit_test(clock_advances_to_stop_with_no_events),
	        cmocka_unit_test(handlers_can_schedule_events_including_at_the_current_time),
	        cmocka_unit_test(
	                handler_can_cancel_a_later_event_and_cancelling_itself_is_harmless),
	        cmocka_unit_test(interrupt_flag_stops_the_run_with_eintr),
	        cmocka_unit_test(interrupted_reads_the_flag_a_handler_can_poll),
	        cmocka_unit_test(measuring_starts_exactly_at_warmup),
	        cmocka_unit_test(progress_hook_runs_once_per_multiple_the_clock_passes),
	        cmocka_unit_test(progress_hook_runs_once_when_the_clock_jumps_several_periods),
	        cmocka_unit_test(assertion_clock_follows_the_engine),
	        cmocka_unit_test(after_saturates_at_the_end_of_time),
	        cmocka_unit_test(scheduling_into_the_past_aborts),
	        cmocka_unit_test(destroy_of_null_does_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
