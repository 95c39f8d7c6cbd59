/* SQS queues (models/queue.h): visibility, delete, receive counts, redrive, retention from the
 * first enqueue, the alarm and the level series. Each test drives a queue by hand at instants
 * of its choosing (the engine only runs where the queue's own timer is under test), and the
 * expectations follow from the rules in queue.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "models/sqs/queue.h"
#include "sim/engine.h"
#include "sim/metrics.h"

#define S SIM_S

typedef struct world {
	ks_ctx ctx;
	ks_record rec[64];
	ks_receipt rc[64];
} world;

static world *world_new(sim_time stop, sim_time interval)
{
	static world w;
	w = (world){.ctx = {.engine = sim_engine_create(),
	                    .metrics = sim_metrics_create(),
	                    .stop = stop,
	                    .interval = interval}};
	return &w;
}

static void world_free(world *w)
{
	sim_metrics_destroy(w->ctx.metrics);
	sim_engine_destroy(w->ctx.engine);
}

static ks_queue *queue(world *w, const char *name, sim_time retention, sim_time visibility)
{
	ks_queue *q = ks_queue_create(&w->ctx, name, retention);
	ks_queue_config cfg = {.visibility_timeout = visibility};
	ks_queue_configure(q, &cfg);
	return q;
}

static void received_message_is_invisible_until_its_visibility_timeout(void **state)
{
	(void)state;
	world *w = world_new(3600 * S, 60 * S);
	ks_queue *q = queue(w, "q", 4 * 86400 * S, 30 * S);
	ks_queue_send(q, 0);
	assert_int_equal(ks_queue_visible(q, 0), 1);
	assert_int_equal(ks_queue_receive(q, 1 * S, 10, UINT64_MAX, w->rec, w->rc), 1);
	assert_int_equal(w->rc[0].receives, 1);
	assert_int_equal(ks_queue_visible(q, 1 * S), 0);
	assert_int_equal(q->in_flight, 1);
	assert_int_equal(ks_queue_visible(q, 31 * S - 1), 0);
	assert_int_equal(ks_queue_visible(q, 31 * S), 1); /* received at 1 s + 30 s */
	assert_int_equal(q->in_flight, 0);
	assert_int_equal(ks_queue_receive(q, 40 * S, 10, UINT64_MAX, w->rec, w->rc), 1);
	assert_int_equal(w->rc[0].receives, 2); /* the receive count grows */
	/* an invocation record reaches its receiver with its send time as arrival */
	assert_int_equal(w->rec[0].arrival, 0);
	ks_queue_destroy(q);
	world_free(w);
}

static void deleted_message_never_comes_back(void **state)
{
	(void)state;
	world *w = world_new(3600 * S, 60 * S);
	ks_queue *q = queue(w, "q", 4 * 86400 * S, 30 * S);
	ks_record r = {.arrival = 5, .id = 7, .bytes = 100, .key = 3};
	ks_queue_send_record(q, 10 * S, &r);
	assert_int_equal(ks_queue_receive(q, 10 * S, 10, UINT64_MAX, w->rec, w->rc), 1);
	assert_int_equal(w->rec[0].id, 7); /* the record travels with the message */
	assert_int_equal(w->rec[0].arrival, 5);
	assert_int_equal(ks_queue_delete(q, 15 * S, w->rc, 1), 1);
	assert_int_equal(ks_queue_visible(q, 600 * S), 0);
	assert_int_equal(q->in_flight, 0);
	assert_true(q->deleted.total == 1 && q->received.total == 1 && q->sent.total == 1);
	ks_queue_destroy(q);
	world_free(w);
}

static void receipt_of_an_earlier_receive_deletes_nothing(void **state)
{
	(void)state;
	world *w = world_new(3600 * S, 60 * S);
	ks_queue *q = queue(w, "q", 4 * 86400 * S, 30 * S);
	ks_queue_send(q, 0);
	ks_queue_receive(q, 0, 10, UINT64_MAX, w->rec, w->rc);
	ks_receipt first = w->rc[0];
	assert_int_equal(ks_queue_receive(q, 30 * S, 10, UINT64_MAX, w->rec, w->rc), 1);
	assert_int_equal(ks_queue_delete(q, 35 * S, &first, 1), 0);
	assert_int_equal(q->in_flight, 1);
	assert_int_equal(ks_queue_delete(q, 35 * S, w->rc, 1), 1);
	assert_int_equal(q->in_flight, 0);
	ks_queue_destroy(q);
	world_free(w);
}

static void receive_takes_at_most_max_and_counts_requests_by_ten(void **state)
{
	(void)state;
	world *w = world_new(3600 * S, 60 * S);
	ks_queue *q = queue(w, "q", 4 * 86400 * S, 30 * S);
	for (int i = 0; i < 25; i++)
		ks_queue_send(q, 0);
	assert_int_equal(ks_queue_receive(q, 1 * S, 21, UINT64_MAX, w->rec, w->rc), 21);
	assert_int_equal(ks_queue_visible(q, 1 * S), 4);
	assert_int_equal(ks_queue_delete(q, 2 * S, w->rc, 21), 21);
	/* 25 SendMessage, ceil(21/10) = 3 ReceiveMessage, 3 DeleteMessageBatch */
	assert_true(q->requests == 25 + 3 + 3);
	/* 4 records of 3 MB under a 6 MB payload: 2 fit */
	ks_queue *big = queue(w, "big", 4 * 86400 * S, 30 * S);
	ks_record r = {.bytes = 3000000};
	for (int i = 0; i < 4; i++)
		ks_queue_send_record(big, 0, &r);
	assert_int_equal(ks_queue_receive(big, 0, 10, 6000000, w->rec, w->rc), 2);
	ks_queue_destroy(big);
	ks_queue_destroy(q);
	world_free(w);
}

/* max_receive_count 3, visibility 30 s: received at 0, 30 and 60 s; the third timeout ends at
 * 90 s and the message moves then. */
static void message_moves_to_redrive_queue_after_max_receive_count(void **state)
{
	(void)state;
	world *w = world_new(3600 * S, 60 * S);
	ks_queue *dlq = queue(w, "dlq", 14 * 86400 * S, 30 * S);
	ks_queue *q = ks_queue_create(&w->ctx, "q", 4 * 86400 * S);
	ks_queue_configure(q, &(ks_queue_config){.visibility_timeout = 30 * S,
	                                         .max_receive_count = 3,
	                                         .redrive_to = dlq});
	ks_queue_send(q, 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ks_queue_receive(q, i * 30 * S, 10, UINT64_MAX, w->rec, w->rc), 1);
		assert_int_equal(w->rc[0].receives, i + 1);
	}
	assert_int_equal(ks_queue_visible(dlq, 90 * S - 1), 0);
	assert_int_equal(ks_queue_visible(q, 90 * S - 1), 0);
	assert_int_equal(ks_queue_visible(q, 90 * S), 0); /* not visible again: moved */
	assert_int_equal(ks_queue_visible(dlq, 90 * S), 1);
	assert_true(q->redriven_out == 1 && dlq->redriven_in == 1);
	assert_true(dlq->sent.total == 0); /* [doc] a redrive is not NumberOfMessagesSent */
	/* in the DLQ its receive count starts again */
	assert_int_equal(ks_queue_receive(dlq, 100 * S, 10, UINT64_MAX, w->rec, w->rc), 1);
	assert_int_equal(w->rc[0].receives, 1);
	ks_queue_destroy(q);
	ks_queue_destroy(dlq);
	world_free(w);
}

/* Retention 100 s in both queues; the message is redriven at 30 s: it expires at 100 s (its
 * first enqueue + 100 s), not at 130 s. */
static void retention_counts_from_first_enqueue_across_redrive(void **state)
{
	(void)state;
	world *w = world_new(3600 * S, 60 * S);
	ks_queue *dlq = queue(w, "dlq", 100 * S, 30 * S);
	ks_queue *q = ks_queue_create(&w->ctx, "q", 100 * S);
	ks_queue_configure(q, &(ks_queue_config){.visibility_timeout = 30 * S,
	                                         .max_receive_count = 1,
	                                         .redrive_to = dlq});
	ks_queue_send(q, 0);
	ks_queue_receive(q, 0, 10, UINT64_MAX, w->rec, w->rc);
	assert_int_equal(ks_queue_visible(q, 30 * S), 0);
	assert_int_equal(ks_queue_visible(dlq, 30 * S), 1);
	assert_int_equal(ks_queue_visible(dlq, 100 * S - 1), 1);
	assert_int_equal(ks_queue_visible(dlq, 100 * S), 0);
	assert_true(dlq->expired == 1);
	/* an in-flight message expires too */
	ks_queue_send(q, 200 * S);
	ks_queue_receive(q, 290 * S, 10, UINT64_MAX, w->rec, w->rc);
	ks_queue_visible(q, 300 * S);
	assert_int_equal(q->in_flight, 0);
	assert_true(q->expired == 1);
	ks_queue_destroy(q);
	ks_queue_destroy(dlq);
	world_free(w);
}

/* 5 messages at 10 s, received and deleted at 200 s; period 1 min, threshold 3. Periods
 * [0,60) .. [180,240) see 5 visible (until 200 s), [240,300) sees 0. */
static ks_queue *scripted_alarm(world *w, uint32_t datapoints)
{
	ks_queue *q = ks_queue_create(&w->ctx, "q", 4 * 86400 * S);
	ks_queue_configure(q, &(ks_queue_config){.visibility_timeout = 30 * S,
	                                         .alarm = true,
	                                         .alarm_threshold = 3,
	                                         .alarm_period = 60 * S,
	                                         .alarm_datapoints = datapoints});
	for (int i = 0; i < 5; i++)
		ks_queue_send(q, 10 * S);
	assert_int_equal(ks_queue_receive(q, 200 * S, 10, UINT64_MAX, w->rec, w->rc), 5);
	assert_int_equal(ks_queue_delete(q, 200 * S, w->rc, 5), 5);
	ks_queue_finish(q, 600 * S);
	return q;
}

static void alarm_fires_at_first_breaching_period_end_and_clears_at_first_below(void **state)
{
	(void)state;
	world *w = world_new(600 * S, 60 * S);
	ks_queue *q = scripted_alarm(w, 1);
	assert_int_equal(q->alarm_n, 2);
	assert_true(q->alarm_rows[0] == 60 && q->alarm_rows[1] == 1);
	assert_true(q->alarm_rows[2] == 300 && q->alarm_rows[3] == 0);
	assert_true(q->alarm_fired == 1);
	const double *st = sim_series_data(q->alarm_state.m.series);
	/* ALARM from 60 s to 300 s: intervals 1..4 (interval 0 ends at 60 s) */
	for (size_t i = 0; i < 10; i++)
		assert_true(st[i] == (i >= 1 && i <= 4 ? 1 : 0));
	ks_queue_destroy(q);
	world_free(w);
}

static void alarm_with_three_datapoints_fires_after_three_breaching_periods(void **state)
{
	(void)state;
	world *w = world_new(600 * S, 60 * S);
	ks_queue *q = scripted_alarm(w, 3);
	assert_int_equal(q->alarm_n, 2);
	assert_true(q->alarm_rows[0] == 180 && q->alarm_rows[1] == 1);
	assert_true(q->alarm_rows[2] == 300 && q->alarm_rows[3] == 0);
	ks_queue_destroy(q);
	world_free(w);
}

static void visible_series_covers_intervals_without_a_change(void **state)
{
	(void)state;
	world *w = world_new(600 * S, 60 * S);
	ks_queue *q = scripted_alarm(w, 1);
	const double *v = sim_series_data(q->visible_max.m.series);
	const double *f = sim_series_data(q->in_flight_max.m.series);
	for (size_t i = 0; i < 10; i++) {
		assert_true(v[i] == (i <= 3 ? 5 : 0)); /* 5 visible from 10 s to 200 s */
		assert_true(f[i] == (i == 3 ? 5 : 0)); /* in flight at 200 s, deleted at once */
	}
	assert_true(q->visible_max.m.total == 5);
	ks_queue_destroy(q);
	world_free(w);
}

/* Issue 11: messages lost to retention were counted inside the queue but reported nowhere. A
 * queue with retention 100 s, interval 60 s, stop 300 s: message A sent at 10 s and never
 * received expires at 110 s; B sent at 130 s is received at 220 s and deleted at 225 s; C sent
 * at 200 s is received at 220 s and redriven when its visibility (20 s) ends at 240 s
 * (max_receive_count 1). The oldest message's age at the interval ends: 60 s: A, 50 s; 120 s:
 * none (A expired, B not yet sent); 180 s: B, 50 s; 240 s: C, 40 s (B deleted, C moves at
 * that instant, after the sample); 300 s: none. */
static void retention_losses_redrives_and_the_oldest_age_are_reported(void **state)
{
	(void)state;
	world *w = world_new(300 * S, 60 * S);
	ks_queue *dlq = queue(w, "dlq", 4 * 86400 * S, 30 * S);
	ks_queue *q = ks_queue_create(&w->ctx, "q", 100 * S);
	ks_queue_configure(q, &(ks_queue_config){.visibility_timeout = 20 * S,
	                                         .max_receive_count = 1,
	                                         .redrive_to = dlq});
	ks_queue_send(q, 10 * S);                          /* A */
	assert_int_equal(ks_queue_visible(q, 120 * S), 0); /* A expired */
	ks_queue_send(q, 130 * S);                         /* B */
	ks_queue_send(q, 200 * S);                         /* C */
	assert_int_equal(ks_queue_receive(q, 220 * S, 1, UINT64_MAX, w->rec, w->rc), 1); /* B */
	ks_receipt b = w->rc[0];
	assert_int_equal(ks_queue_receive(q, 220 * S, 1, UINT64_MAX, w->rec, w->rc), 1); /* C */
	assert_int_equal(ks_queue_delete(q, 225 * S, &b, 1), 1);
	ks_queue_finish(q, 300 * S);
	assert_true(q->expired_m.total == 1);
	assert_true(q->redriven_m.total == 1);
	const double *lost = sim_series_data(q->expired_m.series);
	assert_true(lost[1] == 1); /* at 110 s */
	const double *age = sim_series_data(q->oldest_age.series);
	const double want[] = {50, 0, 50, 40, 0};
	for (size_t i = 0; i < 5; i++)
		assert_true(age[i] == want[i]);
	assert_true(q->oldest_age.total == 50);
	ks_queue_destroy(q);
	ks_queue_destroy(dlq);
	world_free(w);
}

static int told;
static sim_time told_at[8];

static void listener(void *ctx, sim_time now)
{
	(void)ctx;
	if (told < 8)
		told_at[told] = now;
	told++;
}

static void listener_is_told_when_a_visibility_timeout_ends(void **state)
{
	(void)state;
	world *w = world_new(100 * S, 60 * S);
	ks_queue *q = queue(w, "q", 4 * 86400 * S, 30 * S);
	told = 0;
	ks_queue_listen(q, listener, NULL);
	ks_queue_send(q, 0);
	ks_queue_receive(q, 0, 10, UINT64_MAX, w->rec, w->rc);
	sim_engine_run(w->ctx.engine, 100 * S);
	assert_int_equal(told, 2); /* the send, the return at 30 s */
	assert_int_equal(told_at[0], 0);
	assert_int_equal(told_at[1], 30 * S);
	ks_queue_destroy(q);
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(received_message_is_invisible_until_its_visibility_timeout),
	        cmocka_unit_test(deleted_message_never_comes_back),
	        cmocka_unit_test(receipt_of_an_earlier_receive_deletes_nothing),
	        cmocka_unit_test(receive_takes_at_most_max_and_counts_requests_by_ten),
	        cmocka_unit_test(message_moves_to_redrive_queue_after_max_receive_count),
	        cmocka_unit_test(retention_counts_from_first_enqueue_across_redrive),
	        cmocka_unit_test(
	                alarm_fires_at_first_breaching_period_end_and_clears_at_first_below),
	        cmocka_unit_test(alarm_with_three_datapoints_fires_after_three_breaching_periods),
	        cmocka_unit_test(visible_series_covers_intervals_without_a_change),
	        cmocka_unit_test(listener_is_told_when_a_visibility_timeout_ends),
	        cmocka_unit_test(retention_losses_redrives_and_the_oldest_age_are_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
