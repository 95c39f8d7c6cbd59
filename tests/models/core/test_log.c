/* A shard's log (core/log.h): sequence order, trimming behind its readers, expiry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "models/core/context.h"
#include "models/core/log.h"
#include "sim/metrics.h"

static void log_grows_and_keeps_sequence_order(void **state)
{
	(void)state;
	ks_log l;
	ks_log_init(&l, 0, 24 * SIM_HOUR, NULL);
	uint64_t pos = 0;
	ks_log_register(&l, &pos, &pos);
	for (uint64_t i = 0; i < 5000; i++) {
		ks_record rec = {.arrival = (sim_time)i, .id = i, .bytes = 1, .key = 0};
		ks_log_append(&l, rec);
		if (i % 7 == 0) { /* the reader finishes some, the log trims behind it */
			pos = i / 2;
			ks_log_trim(&l);
		}
	}
	for (uint64_t q = pos; q < l.end; q++)
		assert_int_equal(ks_log_record(&l, q)->id, q);
	assert_int_equal(ks_log_readable_end(&l, 4000, 1000), 3001);
	ks_log_fini(&l);
}

/* The readable end is the first record that arrived after now - delay, whatever the times: runs
 * of equal arrivals, gaps, every cutoff from before the first to after the last, from logs of 1
 * to 600 records (more than two blocks), checked against a walk of the log. */
static void readable_end_is_the_first_record_after_the_cutoff(void **state)
{
	(void)state;
	for (uint64_t n = 1; n <= 600; n += n < 20 ? 1 : 53) {
		ks_log l;
		ks_log_init(&l, 0, 24 * SIM_HOUR, NULL);
		uint64_t pos = 0;
		ks_log_register(&l, &pos, &pos);
		sim_time t = 100;
		for (uint64_t i = 0; i < n; i++) {
			t += (sim_time)((i * 7919) % 5); /* 0 to 4 ns apart: runs of equal times */
			ks_log_append(&l, (ks_record){.arrival = t, .id = i, .bytes = 1});
		}
		for (sim_time cutoff = 98; cutoff <= t + 1; cutoff++) {
			uint64_t want = 0;
			while (want < l.end && ks_log_record(&l, want)->arrival <= cutoff)
				want++;
			assert_int_equal(ks_log_readable_end(&l, cutoff + 10, 10), want);
		}
		ks_log_fini(&l);
	}
}

/* Memory follows the backlog, not the run length: a million records through a reader that
 * trails by at most 300 never need more than the block being written, the one before and the
 * spare. */
static void log_memory_follows_the_backlog_not_the_run_length(void **state)
{
	(void)state;
	ks_log l;
	ks_log_init(&l, 0, 24 * SIM_HOUR, NULL);
	uint64_t keep = 0, taken = 0;
	ks_log_register(&l, &keep, &taken);
	for (uint64_t i = 0; i < 1000000; i++) {
		ks_record rec = {.arrival = (sim_time)i, .id = i, .bytes = 1, .key = 0};
		ks_log_append(&l, rec);
		if (i % 300 == 299) {
			keep = taken = i + 1;
			ks_log_trim(&l);
		}
		assert_true(ks_log_blocks_held(&l) <= 3);
	}
	ks_log_fini(&l);
}

static void a_log_with_no_reader_keeps_nothing(void **state)
{
	(void)state;
	ks_log l;
	ks_log_init(&l, 0, 24 * SIM_HOUR, NULL);
	for (uint64_t i = 0; i < 100000; i++) {
		ks_record rec = {.arrival = (sim_time)i, .id = i, .bytes = 1, .key = 0};
		ks_log_append(&l, rec);
	}
	assert_int_equal(l.end, 100000);
	assert_int_equal(l.head, l.end);
	assert_int_equal(ks_log_blocks_held(&l), 0);
	ks_log_fini(&l);
}

/* A backlog of 100,000 records (a blocked reader), then the reader catches up: the log held
 * about the backlog's blocks, no power-of-two ring, and gives them back. The records stay in
 * order across the growth of its block table. */
static void a_backlog_is_held_in_blocks_and_given_back(void **state)
{
	(void)state;
	ks_log l;
	ks_log_init(&l, 0, 24 * SIM_HOUR, NULL);
	uint64_t pos = 0;
	ks_log_register(&l, &pos, &pos);
	const uint64_t n = 100000;
	for (uint64_t i = 0; i < n; i++) {
		ks_record rec = {.arrival = (sim_time)i, .id = i, .bytes = 1, .key = 0};
		ks_log_append(&l, rec);
	}
	uint64_t blocks = (n + KS_LOG_BLOCK - 1) / KS_LOG_BLOCK;
	assert_int_equal(ks_log_blocks_held(&l), blocks);
	for (uint64_t q = 0; q < n; q++)
		assert_int_equal(ks_log_record(&l, q)->id, q);
	pos = n - 10;
	ks_log_trim(&l);
	assert_true(ks_log_blocks_held(&l) <= 2); /* the last block and the spare */
	assert_int_equal(ks_log_record(&l, n - 1)->id, n - 1);
	ks_log_fini(&l);
}

/* Appends with no reader keep nothing; a reader that comes then starts inside a block the log
 * never made. */
static void a_reader_registered_late_starts_mid_block(void **state)
{
	(void)state;
	ks_log l;
	ks_log_init(&l, 0, 24 * SIM_HOUR, NULL);
	for (uint64_t i = 0; i < 1500; i++) {
		ks_record rec = {.arrival = (sim_time)i, .id = i, .bytes = 1, .key = 0};
		ks_log_append(&l, rec);
	}
	uint64_t pos = l.end;
	ks_log_register(&l, &pos, &pos);
	for (uint64_t i = 1500; i < 4000; i++) {
		ks_record rec = {.arrival = (sim_time)i, .id = i, .bytes = 1, .key = 0};
		ks_log_append(&l, rec);
	}
	for (uint64_t q = 1500; q < 4000; q++)
		assert_int_equal(ks_log_record(&l, q)->id, q);
	ks_log_fini(&l);
}

/* Ten records, one a second; retention 5 s. The reader has taken the first three when the log
 * expires at 9.5 s: records 0..4 are gone, and 3 and 4, which it had not taken, were lost to it,
 * each counted at its own expiry time (arrival + retention). */
static void expiry_counts_only_what_some_reader_had_not_taken(void **state)
{
	(void)state;
	sim_metrics *m = sim_metrics_create();
	ks_ctx ctx = {.metrics = m, .warmup = 0, .stop = 60 * SIM_S, .interval = SIM_S};
	ks_metric expired;
	ks_metric_init(&expired, &ctx, "streams/s", "records_expired", SIM_SERIES_SUM, 1, "count",
	               "test", NULL);
	ks_log l;
	ks_log_init(&l, 0, 5 * SIM_S, &expired);
	uint64_t keep = 3, taken = 3;
	ks_log_register(&l, &keep, &taken);
	for (uint64_t i = 0; i < 10; i++) {
		ks_record rec = {.arrival = (sim_time)i * SIM_S, .id = i, .bytes = 1};
		ks_log_append(&l, rec);
	}
	ks_log_expire(&l, 9 * SIM_S + SIM_S / 2);
	assert_int_equal(l.live, 5);
	assert_true(expired.total == 2);
	const double *row = sim_series_data(expired.series);
	assert_true(row[8] == 1 && row[9] == 1); /* records 3 and 4 expired at 8 s and 9 s */
	ks_log_fini(&l);
	ks_metric_fini(&expired);
	sim_metrics_destroy(m);
}

/* What ks_log_range must return, record by record: the longest prefix within max_records and
 * max_bytes, but at least one record. */
static uint64_t range_by_hand(const ks_log *l, uint64_t from, uint64_t end, uint64_t max_records,
                              uint64_t max_bytes, uint64_t *bytes)
{
	uint64_t q = from, sum = 0;
	while (q < end && q - from < max_records) {
		uint32_t b = ks_log_record(l, q)->bytes;
		if (q > from && sum + b > max_bytes)
			break;
		sum += b;
		q++;
	}
	*bytes = sum;
	return q;
}

/* Every range of l from `from` by from_step, of 1 to 1,200 records and 0 to byte_limit bytes
 * (the limits growing geometrically from bytes_start), as ks_log_range cuts it and as a walk
 * does: the same end and bytes. */
static void ranges_match_the_walk(const ks_log *l, uint64_t from_step, uint64_t bytes_start,
                                  uint64_t byte_limit)
{
	for (uint64_t from = 0; from <= l->end; from += from_step)
		for (uint64_t most = 1; most <= 1200; most = most * 3 + 1)
			for (uint64_t max_bytes = 0; max_bytes <= byte_limit;
			     max_bytes = max_bytes * 5 + bytes_start) {
				uint64_t want_bytes, got_bytes;
				uint64_t want = range_by_hand(l, from, l->end, most, max_bytes,
				                              &want_bytes);
				uint64_t got =
				        ks_log_range(l, from, l->end, most, max_bytes, &got_bytes);
				assert_int_equal(got, want);
				assert_int_equal(got_bytes, want_bytes);
			}
}

/* Ranges of small records, before and after a large one is appended (the log's largest record
 * decides when a range needs no check per record), cut by the record or the byte limit. */
static void ranges_stop_at_the_record_or_byte_limit(void **state)
{
	(void)state;
	ks_log l;
	ks_log_init(&l, 0, 24 * SIM_HOUR, NULL);
	uint64_t pos = 0;
	ks_log_register(&l, &pos, &pos);
	uint64_t x = 1;
	for (uint64_t i = 0; i < 2000; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		uint32_t bytes = i == 1500 ? 1000000 : (uint32_t)(x >> 54); /* 0..1023, then 1 MB */
		ks_record rec = {.arrival = (sim_time)i, .id = i, .bytes = bytes};
		ks_log_append(&l, rec);
		if (i != 1000 && i != 1999)
			continue;
		ranges_match_the_walk(&l, 97, 700, 2000000);
	}
	ks_log_fini(&l);
}

/* Records all of one size (0, 1, 500 B, 1 MB) and then one of another: a log whose sizes are
 * all equal counts a range's bytes without reading it, and must cut it where a walk would. */
static void ranges_of_records_of_one_size_are_cut_as_a_walk_cuts_them(void **state)
{
	(void)state;
	static const uint32_t sizes[] = {0, 1, 500, 1000000};
	for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
		ks_log l;
		ks_log_init(&l, 0, 24 * SIM_HOUR, NULL);
		uint64_t pos = 0;
		ks_log_register(&l, &pos, &pos);
		for (uint64_t i = 0; i < 700; i++) {
			/* the last one another size: the walk again */
			uint32_t bytes = i == 699 ? sizes[s] + 7 : sizes[s];
			ks_log_append(&l,
			              (ks_record){.arrival = (sim_time)i, .id = i, .bytes = bytes});
			if (i != 698 && i != 699)
				continue;
			ranges_match_the_walk(&l, 37, 499, 3000000);
		}
		ks_log_fini(&l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(log_grows_and_keeps_sequence_order),
	        cmocka_unit_test(readable_end_is_the_first_record_after_the_cutoff),
	        cmocka_unit_test(log_memory_follows_the_backlog_not_the_run_length),
	        cmocka_unit_test(a_log_with_no_reader_keeps_nothing),
	        cmocka_unit_test(a_backlog_is_held_in_blocks_and_given_back),
	        cmocka_unit_test(a_reader_registered_late_starts_mid_block),
	        cmocka_unit_test(expiry_counts_only_what_some_reader_had_not_taken),
	        cmocka_unit_test(ranges_stop_at_the_record_or_byte_limit),
	        cmocka_unit_test(ranges_of_records_of_one_size_are_cut_as_a_walk_cuts_them),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
