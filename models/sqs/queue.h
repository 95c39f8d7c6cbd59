/* An SQS standard queue (docs/model.md "Queues (SQS)"): messages, receives, visibility, redrive,
 * retention and a CloudWatch-style alarm on the visible messages.
 *
 * A message is a small struct in a pool (no event of its own): it is visible (in a FIFO ring,
 * [choice] approximately first in first out, like a standard queue's best effort), in flight
 * (received, invisible until visibility_timeout passes) or gone (deleted, expired, redriven).
 * Pending deadlines (a visibility timeout, a retention expiry) live in one min-heap; they are
 * applied lazily, in time order, at every access of the queue, and the queue keeps one engine
 * timer at its earliest deadline so that its listeners (SQS mappings) learn when messages
 * become visible again. Invariants: `visible` and `in_flight` count the messages in those
 * states; every level change is applied at its own instant, in time order, so the
 * visible/in-flight series and the alarm are exact.
 *
 * [doc] After max_receive_count receives without a delete a message moves to redrive_to at the
 * moment its last visibility timeout ends (its receive count starts again, its retention clock
 * does not: [doc] the enqueue time is kept). A message expires `retention` after its first
 * enqueue, visible or in flight. Redriven messages are not counted as `sent` [doc:
 * NumberOfMessagesSent leaves out messages moved to a dead-letter queue]. */
#ifndef KS_QUEUE_H
#define KS_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "models/core/context.h"
#include "models/core/metric.h"
#include "models/core/record.h"
#include "models/core/sink.h"
#include "models/core/source.h"

/* A level (messages visible, in flight, the alarm state) as a MAX series: every interval the
 * level spans sees it, even one without a change. */
typedef struct ks_gauge {
	ks_metric m;
	double level;
	sim_time since;
} ks_gauge;

typedef struct ks_message {
	ks_record record;       /* the data record, or a synthetic one (see ks_queue_send) */
	sim_time first_enqueue; /* retention is counted from here, across redrive */
	uint32_t gen;           /* bumped when the slot is freed: stale references see it */
	uint32_t receives;
	uint8_t state;
} ks_message;

/* A pending deadline: message `id` (generation gen) becomes visible (its receives-th receive
 * timed out) or expires. */
typedef struct ks_deadline {
	sim_time t;
	uint32_t id, gen, receives;
	uint32_t kind;
} ks_deadline;

typedef void (*ks_queue_listener)(void *ctx, sim_time now);

typedef struct ks_queue_config {
	sim_time visibility_timeout; /* default 30 s [doc] */
	uint32_t max_receive_count;  /* 0: no redrive */
	struct ks_queue *redrive_to; /* NULL: no redrive */
	bool alarm;                  /* an alarm is set */
	double alarm_threshold;      /* fires when max visible >= this ... */
	sim_time alarm_period;       /* ... over calendar periods [kP, (k+1)P) ... */
	uint32_t alarm_datapoints;   /* ... for this many consecutive periods */
} ks_queue_config;

typedef struct ks_queue {
	char *name;
	ks_ctx *ctx;
	sim_time retention; /* [doc] messages expire this long after their first enqueue */
	ks_queue_config cfg;
	ks_metric sent, received, deleted, expired_m, redriven_m, oldest_age;
	ks_gauge visible_max, in_flight_max, alarm_state;
	size_t visible, in_flight;
	double expired, redriven_out, redriven_in; /* whole run (the metrics: measured period) */
	double requests;                           /* SQS API requests in the measured period */
	double alarm_fired;                        /* ALARM transitions in the measured period */
	double too_large; /* [doc] messages over 1 MiB refused, measured period */
	/* the message pool and its free list */
	ks_message *msgs;
	uint32_t nmsgs;
	size_t capmsgs;
	uint32_t *free_ids;
	size_t nfree, capfree;
	uint64_t serial; /* messages ever enqueued here (index of synthetic records) */
	/* the visible messages, a ring of (id, gen) */
	ks_receipt *ring;
	size_t head, n, cap;
	/* the deadlines, a min-heap by time */
	ks_deadline *heap;
	size_t nheap, capheap;
	/* every message by first enqueue (t), a min-heap with stale entries skipped at the top:
	 * the oldest message, sampled at each interval's end (ApproximateAgeOfOldestMessage) */
	ks_deadline *ages;
	size_t nages, capages;
	sim_time aged_until; /* the interval ends up to here are sampled */
	sim_handle timer;
	bool timer_set;
	sim_time timer_at;
	bool advancing, finished;
	/* the alarm's current period */
	sim_time period_end;
	double period_max;
	uint32_t streak;
	bool in_alarm;
	double *alarm_rows; /* alarm_events table: time_s, state (1 ALARM, 0 OK) */
	size_t alarm_n, alarm_cap;
	/* who is told when messages become visible (SQS mappings) */
	ks_queue_listener *listeners;
	void **listener_ctx;
	size_t nlisteners;
	/* messages sent for a later instant (a handler's forward_to), each held until then by one
	 * engine event: the queue takes messages in time order */
	ks_record *later;
	size_t nlater, caplater;
	uint32_t *later_free;
	size_t nlater_free, caplater_free;
} ks_queue;

ks_queue *ks_queue_create(ks_ctx *ctx, const char *name, sim_time retention);
void ks_queue_destroy(ks_queue *q);
/* Sets visibility, redrive and the alarm (defaults from create: 30 s, none, none). */
void ks_queue_configure(ks_queue *q, const ks_queue_config *cfg);
/* fn(ctx, now) is called (synchronously: schedule rather than act) whenever messages become
 * visible: a send, a visibility timeout that passed, a message redriven in. */
void ks_queue_listen(ks_queue *q, ks_queue_listener fn, void *ctx);

/* A message sent at t: an invocation record (no data record, e.g. an on-failure record of a
 * stream mapping; [choice] a receiver sees a synthetic record: arrival at t, producer 0, index
 * the queue's message serial, 0 bytes) ... */
void ks_queue_send(ks_queue *q, sim_time t);
/* ... or a data record carried by the message (a forwarded or failed record: its arrival
 * time, producer index and key travel with it, so its latency and its luck follow it). */
void ks_queue_send_record(ks_queue *q, sim_time t, const ks_record *record);

/* The queue as a destination: a record is one message (held until t when t is later than
 * now); an invocation record is a message without a data record (ks_queue_send). */
ks_sink ks_queue_sink(ks_queue *q);

/* The queue as a polled source (an SQS trigger's mapping receives from it). */
ks_source ks_queue_source(ks_queue *q);

/* Visible messages at now (deadlines up to now applied). */
size_t ks_queue_visible(ks_queue *q, sim_time now);
/* ReceiveMessage at now: up to max visible messages (fewer when the next would take the
 * records' bytes past max_bytes, at least one); each becomes invisible for the visibility
 * timeout and its receive count grows. Fills records[i] and receipts[i]; returns how many.
 * Counts ceil(n / 10) requests [doc: at most 10 messages per ReceiveMessage]; an empty receive
 * is not counted [choice: long polls that find nothing are left out of the cost]. */
uint32_t ks_queue_receive(ks_queue *q, sim_time now, uint32_t max, uint64_t max_bytes,
                          ks_record *records, ks_receipt *receipts);
/* DeleteMessageBatch at now of n receipts: counts ceil(n / 10) requests [doc: 10 per call];
 * a receipt whose message was received again since (or is gone) deletes nothing. Returns
 * how many were deleted. */
uint32_t ks_queue_delete(ks_queue *q, sim_time now, const ks_receipt *receipts, uint32_t n);
/* Applies every deadline up to `end` and closes the alarm periods that ended by then. */
void ks_queue_finish(ks_queue *q, sim_time end);
/* Writes <queue>.{sent,received,deleted,expired,redriven,visible_max,oldest_age_max_s,
 * alarm_fired,too_large}. */
void ks_queue_summarize(ks_queue *q, sim_time now);

#endif
