/* Tests of cli/wire.c: a replication read back holds what was sent, entry for entry and bit
 * for bit (the file rank 0 writes from it must be the one the original gives), a series to
 * which nothing was added stays without data, values_only sends the summary values alone, and
 * bytes cut short anywhere are refused whole. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli/wire.h"
#include "sim/alloc.h"
#include "sim/metrics.h"

typedef struct fixture {
	sim_metrics *m;
	sim_series *busy, *empty;
	sim_hist *hist;
	double *table;
	size_t rows;
	cli_replication r;
} fixture;

static void make(fixture *f)
{
	f->m = sim_metrics_create();
	f->busy = sim_series_create(SIM_SERIES_SUM, 10, 35, 2);
	sim_series_add(f->busy, 3, 0, 1.5);
	sim_series_add(f->busy, 31, 1, 0.1);
	sim_series_add(f->busy, 12, 1, 1e300);
	f->empty = sim_series_create(SIM_SERIES_MAX, 10, 35, 3);
	f->hist = sim_hist_create();
	sim_hist_add(f->hist, 7);
	sim_hist_add_n(f->hist, 123456789, 4);
	f->rows = 2;
	f->table = sim_calloc(4, sizeof *f->table);
	f->table[0] = 0.5, f->table[1] = 1, f->table[2] = 2.5, f->table[3] = 0;
	const char *shards[] = {"shardId-000", "shardId-001"};
	sim_metrics_set_labels(f->m, "streams/s", "shards", shards, 2, "shard ids");
	sim_metrics_add_series(f->m, "streams/s", "bytes", f->busy, "B", "bytes written", "shards");
	sim_metrics_add_series(f->m, "functions/f", "errors", f->empty, "count", "errors", NULL);
	sim_metrics_add_hist(f->m, "functions/f/latency", f->hist, "latency");
	sim_metrics_add_table(f->m, "queues/q", "alarm_events", "time_s,state", 2, &f->table,
	                      &f->rows, "alarm changes");
	sim_metrics_set_attr_text(f->m, "functions/f", "triggers", "kinesis:s");
	sim_metrics_set_attr_int(f->m, "functions/f", "memory_mb", -128);
	sim_metrics_set_value(f->m, "s.bytes", 42.25, "B");
	sim_metrics_set_value(f->m, "f.latency.p99", 0.125, "s");
	f->r = (cli_replication){
	        .index = 7, .metrics = f->m, .run_rc = -4, .reached = 123456, .events = 99};
}

static void unmake(fixture *f)
{
	sim_metrics_destroy(f->m);
	sim_series_destroy(f->busy);
	sim_series_destroy(f->empty);
	sim_hist_destroy(f->hist);
	sim_free(f->table);
}

static void read_back(const cli_wire *w, cli_wire_result *res)
{
	cli_wire_reader r = {w->data, w->len, false};
	assert_int_equal(cli_wire_get_replication(&r, res), 0);
	assert_int_equal(r.left, 0);
}

static void a_replication_reads_back_entry_for_entry(void **state)
{
	(void)state;
	fixture f;
	make(&f);
	cli_wire w = {0};
	cli_wire_replication(&w, &f.r, false);
	cli_wire_result res;
	read_back(&w, &res);
	const sim_metrics *m = res.r.metrics;
	assert_int_equal(res.r.index, 7);
	assert_int_equal(res.r.run_rc, -4);
	assert_int_equal(res.r.reached, 123456);
	assert_int_equal(res.r.events, 99);

	assert_int_equal(sim_metrics_value_count(m), 2);
	assert_string_equal(sim_metrics_value_at(m, 1)->path, "f.latency.p99");
	assert_true(sim_metrics_value_at(m, 1)->value == 0.125);
	assert_string_equal(sim_metrics_value_at(m, 1)->unit, "s");

	assert_int_equal(sim_metrics_labels_count(m), 1);
	const sim_metrics_labels *l = sim_metrics_labels_at(m, 0);
	assert_int_equal(l->n, 2);
	assert_string_equal(l->labels[1], "shardId-001");
	assert_string_equal(l->description, "shard ids");

	assert_int_equal(sim_metrics_series_count(m), 2);
	const sim_metrics_series *s = sim_metrics_series_at(m, 0);
	assert_string_equal(s->scale, "shards");
	assert_int_equal(sim_series_rows(s->series), 4);
	assert_int_equal(sim_series_columns(s->series), 2);
	assert_memory_equal(sim_series_data(s->series), sim_series_data(f.busy),
	                    4 * 2 * sizeof(double));
	const sim_metrics_series *e = sim_metrics_series_at(m, 1);
	assert_null(e->scale);
	assert_null(sim_series_data(e->series)); /* nothing added: no data, not zeros */
	assert_int_equal(sim_series_rows(e->series), 4);
	assert_int_equal(sim_series_columns(e->series), 3);

	assert_int_equal(sim_metrics_hist_count(m), 1);
	const sim_hist *h = sim_metrics_hist_at(m, 0)->hist;
	assert_int_equal(sim_hist_count(h), 5);
	for (size_t i = 0; i < sim_hist_buckets(); i++)
		assert_int_equal(sim_hist_bucket_count(h, i), sim_hist_bucket_count(f.hist, i));

	assert_int_equal(sim_metrics_table_count(m), 1);
	const sim_metrics_table *t = sim_metrics_table_at(m, 0);
	assert_string_equal(t->columns, "time_s,state");
	assert_int_equal(*t->rows, 2);
	assert_memory_equal(*t->data, f.table, 4 * sizeof(double));

	assert_int_equal(sim_metrics_attr_count(m), 2);
	const sim_metrics_attr *a = sim_metrics_attr_at(m, 0);
	assert_string_equal(a->group, "functions/f");
	assert_string_equal(a->name, "triggers");
	assert_string_equal(a->text, "kinesis:s");
	a = sim_metrics_attr_at(m, 1);
	assert_string_equal(a->name, "memory_mb");
	assert_null(a->text);
	assert_int_equal(a->number, -128);

	cli_wire_result_free(&res);
	cli_wire_free(&w);
	unmake(&f);
}

static void values_only_sends_the_summary_values_alone(void **state)
{
	(void)state;
	fixture f;
	make(&f);
	cli_wire w = {0}, full = {0};
	cli_wire_replication(&w, &f.r, true);
	cli_wire_replication(&full, &f.r, false);
	assert_true(w.len < full.len / 10);
	cli_wire_result res;
	read_back(&w, &res);
	assert_int_equal(sim_metrics_value_count(res.r.metrics), 2);
	assert_int_equal(sim_metrics_series_count(res.r.metrics), 0);
	assert_int_equal(sim_metrics_hist_count(res.r.metrics), 0);
	cli_wire_result_free(&res);
	cli_wire_free(&w);
	cli_wire_free(&full);
	unmake(&f);
}

static void bytes_cut_short_anywhere_are_refused(void **state)
{
	(void)state;
	fixture f;
	make(&f);
	cli_wire w = {0};
	cli_wire_replication(&w, &f.r, false);
	/* every cut in the small part, then one in every 997 bytes of the histogram's */
	for (size_t len = 0; len < w.len; len += len < 2000 ? 1 : 997) {
		cli_wire_reader r = {w.data, len, false};
		cli_wire_result res;
		assert_int_equal(cli_wire_get_replication(&r, &res), -EPROTO);
	}
	cli_wire_free(&w);
	unmake(&f);
}

static void a_count_larger_than_the_bytes_is_refused_before_allocating(void **state)
{
	(void)state;
	cli_wire w = {0};
	for (int i = 0; i < 4; i++) /* index, run_rc, reached, events */
		cli_wire_u64(&w, 0);
	cli_wire_u64(&w, UINT64_MAX / 2); /* values */
	cli_wire_reader r = {w.data, w.len, false};
	cli_wire_result res;
	assert_int_equal(cli_wire_get_replication(&r, &res), -EPROTO);
	cli_wire_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(a_replication_reads_back_entry_for_entry),
	        cmocka_unit_test(values_only_sends_the_summary_values_alone),
	        cmocka_unit_test(bytes_cut_short_anywhere_are_refused),
	        cmocka_unit_test(a_count_larger_than_the_bytes_is_refused_before_allocating),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
