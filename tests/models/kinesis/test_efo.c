/* Enhanced fan-out deliveries (docs/model.md "Readers"; docs/validation.md case 16, EFO part). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "models/kinesis/efo.h"
#include "models/kinesis/shard.h"
#include "sim/rng.h"
#include "tests/harness.h"

#define MIB 1048576.0

typedef struct fixture {
	ks_shard shard;
	sim_dist latency;
	sim_qtable table; /* of latency, or of a test's own distribution */
	ks_efo_config cfg;
} fixture;

/* An empty shard keeping its records for `retention`, with a reader that never moves, so the
 * log keeps what the tests push. */
static void empty_shard(fixture *f, sim_time retention)
{
	ks_write_limiter_config w = {.records_per_s = 1e9, .bytes_per_s = 1e15};
	ks_read_limiter_config r = {.kind = KS_READ_SLIDING_WINDOW,
	                            .calls_per_s = 5,
	                            .bytes_per_s = 2 * MIB,
	                            .tolerance = SIM_S};
	ks_shard_init(&f->shard, NULL, 0, retention, NULL, &w, &r);
	static const uint64_t pinned = 0;
	ks_log_register(&f->shard.log, &pinned, &pinned);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	empty_shard(f, 24 * SIM_HOUR);
	f->latency = sim_dist_const(45e6);
	sim_qtable_init(&f->table, &f->latency);
	f->cfg = (ks_efo_config){
	        .push_latency = &f->table, .bytes_per_s = 2 * MIB, .renewal_period = 5 * SIM_MIN};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	ks_shard_fini(&f->shard);
	sim_qtable_fini(&f->table);
	free(f);
	return 0;
}

static void push(fixture *f, sim_time arrival, uint32_t bytes)
{
	ks_record r = {.arrival = arrival, .id = f->shard.log.end, .bytes = bytes};
	ks_log_append(&f->shard.log, r);
}

static void each_record_arrives_its_push_latency_after_its_arrival(void **state)
{
	fixture *f = *state;
	ks_efo e;
	ks_efo_init(&e, &f->cfg, &f->shard.log, 1, 0);
	assert_true(ks_efo_next_delivery(&e) == SIM_TIME_MAX);
	push(f, 100 * SIM_MS, 1000);
	push(f, 300 * SIM_MS, 1000);
	assert_int_equal(ks_efo_next_delivery(&e), 145 * SIM_MS);
	assert_int_equal(ks_efo_take(&e, 144 * SIM_MS, UINT64_MAX, 0), 0);
	assert_int_equal(ks_efo_take(&e, 145 * SIM_MS, UINT64_MAX, 0), 1);
	assert_int_equal(ks_efo_next_delivery(&e), 345 * SIM_MS);
	assert_int_equal(ks_efo_take(&e, SIM_S, UINT64_MAX, 0), 2);
}

/* [doc] 2 MiB/s per shard per consumer: 1 MiB records that arrive together leave 0.5 s apart. */
static void deliveries_keep_two_mib_per_second(void **state)
{
	fixture *f = *state;
	ks_efo e;
	ks_efo_init(&e, &f->cfg, &f->shard.log, 1, 0);
	for (int i = 0; i < 4; i++)
		push(f, 0, 1048576);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(ks_efo_next_delivery(&e), 45 * SIM_MS + i * 500 * SIM_MS);
		ks_efo_take(&e, 45 * SIM_MS + i * 500 * SIM_MS, 1, 0);
	}
	assert_int_equal(e.next, 4);
}

/* A record is never delivered before an earlier record of its shard. */
static void deliveries_keep_shard_order_whatever_the_latencies(void **state)
{
	fixture *f = *state;
	sim_dist wide = sim_dist_lognormal_q(45e6, 500e6);
	sim_qtable_fini(&f->table);
	sim_qtable_init(&f->table, &wide);
	ks_efo e;
	ks_efo_init(&e, &f->cfg, &f->shard.log, 7, 0);
	for (int i = 0; i < 2000; i++)
		push(f, (sim_time)i * 10 * SIM_MS, 100);
	sim_time last = 0;
	for (sim_time t = 0; e.next < 2000 && t < 100 * SIM_S; t += 7 * SIM_MS) {
		while (e.next < 2000 && ks_efo_next_delivery(&e) <= t) {
			sim_time d = ks_efo_next_delivery(&e);
			assert_true(d >= last);
			assert_true(d >= ks_log_record(&f->shard.log, e.next)->arrival);
			last = d;
			ks_efo_take(&e, t, 1, 0);
		}
	}
	assert_int_equal(e.next, 2000);
}

/* The latencies belong to the records: taking at other times gives the same deliveries. */
static void delivery_times_do_not_depend_on_when_the_reader_takes(void **state)
{
	fixture *f = *state;
	sim_dist wide = sim_dist_lognormal_q(45e6, 300e6);
	sim_qtable_fini(&f->table);
	sim_qtable_init(&f->table, &wide);
	for (int i = 0; i < 500; i++)
		push(f, (sim_time)i * 3 * SIM_MS, 100);
	ks_efo a, b;
	ks_efo_init(&a, &f->cfg, &f->shard.log, 99, 0);
	ks_efo_init(&b, &f->cfg, &f->shard.log, 99, 0);
	sim_time da[500], db[500];
	for (int i = 0; i < 500; i++) {
		da[i] = ks_efo_next_delivery(&a);
		ks_efo_take(&a, da[i], 1, 0);
	}
	for (sim_time t = 0; b.next < 500 && t < 100 * SIM_S; t += 250 * SIM_MS) {
		while (b.next < 500 && ks_efo_next_delivery(&b) <= t) {
			db[b.next] = ks_efo_next_delivery(&b);
			ks_efo_take(&b, t, 1, 0);
		}
	}
	assert_memory_equal(da, db, sizeof da);
}

/* [choice] efo_renewal_gap: a delivery inside the gap after a renewal waits for its end. */
static void deliveries_in_the_renewal_gap_wait_for_it_to_end(void **state)
{
	fixture *f = *state;
	f->cfg.renewal_gap = 2 * SIM_S;
	ks_efo e;
	ks_efo_init(&e, &f->cfg, &f->shard.log, 1, 0);
	push(f, 5 * SIM_MIN - 10 * SIM_MS, 100); /* ready 35 ms into the second subscription */
	push(f, 5 * SIM_MIN + 3 * SIM_S, 100);
	assert_int_equal(ks_efo_next_delivery(&e), 5 * SIM_MIN + 2 * SIM_S);
	ks_efo_take(&e, 5 * SIM_MIN + 2 * SIM_S, 1, 0);
	assert_int_equal(ks_efo_next_delivery(&e), 5 * SIM_MIN + 3 * SIM_S + 45 * SIM_MS);
}

/* The recurrence of efo.h as written, one record after another, in doubles for the pacing as
 * efo.c keeps it: d_i = renewed(max(d_{i-1}, ready_i, ceil(tat))), tat = max(tat, d_i) +
 * bytes_i / rate. ks_efo_take computes it differently (a block of the log at a time, and tat as
 * d_i + bytes_i / rate, without the max, since d_i >= tat): the two must agree on every
 * delivery time, and on the pacing state left behind. */
static void reference_deliveries(const ks_efo *e, const ks_log *log, uint64_t n, sim_time *d,
                                 double *tat_out)
{
	sim_time last = 0;
	double tat = 0;
	for (uint64_t i = 0; i < n; i++) {
		const ks_record *r = ks_log_record(log, i);
		double u = sim_crn_uniform_at(e->crn_base, i);
		double latency = sim_qtable_quantile(e->cfg.push_latency, u);
		sim_time ready = r->arrival + (sim_time)((latency > 0 ? latency : 0) + 0.5);
		sim_time t = ready > last ? ready : last;
		if (tat > (double)t) {
			t = (sim_time)tat;
			t += (double)t < tat;
		}
		sim_time gap = e->cfg.renewal_gap, period = e->cfg.renewal_period;
		if (gap > 0 && period > 0 && t % period < gap)
			t += gap - t % period;
		tat = (tat > (double)t ? tat : (double)t) +
		      (double)r->bytes / e->cfg.bytes_per_s * 1e9;
		d[i] = last = t;
	}
	*tat_out = tat;
}

/* Random latencies and sizes (0 B to 1 MiB), rates whose wire times are whole, nearly whole
 * or not, times from 0 up to 2^52 ns (where a double's step is a whole ns: rounding) and a
 * renewal gap: bulk takes at random instants deliver each record exactly at its reference
 * time. */
static void bulk_takes_deliver_at_the_recurrences_times(void **state)
{
	fixture *f = *state;
	sim_dist wide = sim_dist_lognormal_q(45e6, 300e6);
	sim_qtable_fini(&f->table);
	sim_qtable_init(&f->table, &wide);
	static const double rates[] = {2 * MIB, 1e9, 1e9 / 3, 3e9 / 7, 12345.678, 1e12};
	static const sim_time starts[] = {0, (sim_time)1 << 40, ((sim_time)1 << 52) - SIM_HOUR};
	enum { N = 3000 };
	static sim_time want[N];
	uint64_t x = 12345;
	for (size_t ri = 0; ri < sizeof rates / sizeof *rates; ri++)
		for (size_t si = 0; si < sizeof starts / sizeof *starts; si++)
			for (int renew = 0; renew < 2; renew++) {
				ks_shard_fini(&f->shard);
				empty_shard(f, 1000 * SIM_HOUR);
				sim_time t = starts[si];
				for (int i = 0; i < N; i++) {
					x = x * 6364136223846793005u + 1442695040888963407u;
					t += (sim_time)(x >> 44); /* 0 to 1 ms apart */
					uint32_t bytes = (x >> 20) % 7 == 0
					                         ? (uint32_t)(x >> 8) % 1048577
					                         : (uint32_t)(x >> 30) % 2000;
					push(f, t, bytes);
				}
				f->cfg.bytes_per_s = rates[ri];
				f->cfg.renewal_gap = renew ? 3 * SIM_S : 0;
				ks_efo e;
				ks_efo_init(&e, &f->cfg, &f->shard.log, 5, 0);
				double tat;
				reference_deliveries(&e, &f->shard.log, N, want, &tat);
				sim_time now = starts[si];
				while (e.next < N) {
					x = x * 6364136223846793005u + 1442695040888963407u;
					now += (sim_time)(x >> 40); /* 0 to 16 ms on */
					uint64_t from = e.next,
					         most = (x >> 10) % 3 == 0 ? 1 : UINT64_MAX;
					ks_efo_take(&e, now, most, 0);
					for (uint64_t i = from; i < e.next; i++)
						assert_true(want[i] <= now);
					/* what it left was not due yet, unless `most` stopped it */
					if (e.next < N && e.next - from < most)
						assert_true(want[e.next] > now);
					if (e.next > 0)
						assert_int_equal(e.last, want[e.next - 1]);
				}
				assert_true(e.tat_ns == tat);
			}
}

static const char *efo_subscribers(int n)
{
	return harness_fmt("kinesim: 1\n"
	                   "name: efo\n"
	                   "duration: 20m\n"
	                   "streams: {events: {shards: 2}}\n"
	                   "producers:\n"
	                   "  app: {stream: events, rate: 100/s, record_size: 1KB}\n"
	                   "functions:\n"
	                   "  feed:\n"
	                   "    count: %d\n"
	                   "    duration: {per_invocation: 20ms, per_record: 1ms}\n"
	                   "    triggers: [{kinesis: events, batch_size: 100, "
	                   "enhanced_fanout: true}]\n",
	                   n);
}

/* EFO consumers have their own throughput: no GetRecords calls, no throttles, and one
 * subscriber's records arrive exactly as they would alone, however many others there are. */
static void efo_subscribers_do_not_share_throughput(void **state)
{
	(void)state;
	harness_run one = harness_run_yaml(efo_subscribers(1), NULL, 3);
	harness_run six = harness_run_yaml(efo_subscribers(6), NULL, 3);
	assert_true(harness_value(&six, "events.read_calls") == 0);
	assert_true(harness_value(&six, "events.read_throttled") == 0);
	const char *paths[] = {"feed-1.latency.mean", "feed-1.latency.p99", "feed-1.invocations"};
	for (size_t i = 0; i < 3; i++)
		assert_true(harness_value(&one, paths[i]) == harness_value(&six, paths[i]));
	/* push (median 45 ms) + invoke overhead (10 ms) + 20 ms + ~1 ms per record */
	double mean = harness_value(&six, "feed-3.latency.mean");
	assert_true(mean > 0.070 && mean < 0.150);
	harness_free(&one);
	harness_free(&six);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                each_record_arrives_its_push_latency_after_its_arrival, setup, teardown),
	        cmocka_unit_test_setup_teardown(deliveries_keep_two_mib_per_second, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(deliveries_keep_shard_order_whatever_the_latencies,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                delivery_times_do_not_depend_on_when_the_reader_takes, setup, teardown),
	        cmocka_unit_test_setup_teardown(deliveries_in_the_renewal_gap_wait_for_it_to_end,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(bulk_takes_deliver_at_the_recurrences_times, setup,
	                                        teardown),
	        cmocka_unit_test(efo_subscribers_do_not_share_throughput),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
