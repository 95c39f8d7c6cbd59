/* Tests of metrics.c: summary values keep their registration order, a second set replaces,
 * labels of a (group, name) are replaced; and lookups stay fast with many entities (a linear
 * search made 20,000 streams take over a minute). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "sim/alloc.h"
#include "sim/metrics.h"

/* Processor time, not wall time: the bound holds on a busy machine too. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void values_keep_their_order_and_a_second_set_replaces(void **state)
{
	(void)state;
	sim_metrics *m = sim_metrics_create();
	sim_metrics_set_value(m, "b.x", 1, "count");
	sim_metrics_set_value(m, "a.x", 2, "s");
	sim_metrics_set_value(m, "b.x", 3, "B");
	assert_int_equal(sim_metrics_value_count(m), 2);
	assert_string_equal(sim_metrics_value_at(m, 0)->path, "b.x");
	assert_true(sim_metrics_value_at(m, 0)->value == 3);
	assert_string_equal(sim_metrics_value_at(m, 0)->unit, "B");
	assert_string_equal(sim_metrics_value_at(m, 1)->path, "a.x");
	assert_ptr_equal(sim_metrics_find_value(m, "a.x"), sim_metrics_value_at(m, 1));
	assert_null(sim_metrics_find_value(m, "c.x"));
	assert_null(sim_metrics_find_value(m, "a"));
	sim_metrics_destroy(m);
	sim_metrics_destroy(NULL);
}

static void labels_of_the_same_group_and_name_are_replaced(void **state)
{
	(void)state;
	sim_metrics *m = sim_metrics_create();
	const char *const one[] = {"shardId-0"};
	const char *const two[] = {"shardId-0", "shardId-1"};
	sim_metrics_set_labels(m, "streams/a", "shards", one, 1, "ids");
	sim_metrics_set_labels(m, "streams/b", "shards", one, 1, "ids");
	sim_metrics_set_labels(m, "streams/a", "shards", two, 2, "ids");
	/* The group and name are one key, not a concatenation: these are two others. */
	sim_metrics_set_labels(m, "streams/a/shards", "", one, 1, "ids");
	sim_metrics_set_labels(m, "streams", "a/shards", one, 1, "ids");
	assert_int_equal(sim_metrics_labels_count(m), 4);
	assert_int_equal(sim_metrics_labels_at(m, 0)->n, 2);
	assert_string_equal(sim_metrics_labels_at(m, 0)->labels[1], "shardId-1");
	assert_string_equal(sim_metrics_labels_at(m, 1)->group, "streams/b");
	sim_metrics_destroy(m);
}

static void attributes_keep_their_order_and_type(void **state)
{
	(void)state;
	sim_metrics *m = sim_metrics_create();
	sim_metrics_set_attr_text(m, "functions/f", "triggers", "kinesis:s");
	sim_metrics_set_attr_int(m, "functions/f", "memory_mb", 512);
	sim_metrics_set_attr_text(m, "consumers/c", "stream", NULL);
	assert_int_equal(sim_metrics_attr_count(m), 3);
	const sim_metrics_attr *a = sim_metrics_attr_at(m, 0);
	assert_string_equal(a->group, "functions/f");
	assert_string_equal(a->text, "kinesis:s");
	a = sim_metrics_attr_at(m, 1);
	assert_null(a->text);
	assert_int_equal(a->number, 512);
	assert_string_equal(sim_metrics_attr_at(m, 2)->text, ""); /* NULL text: an empty string */
	sim_metrics_destroy(m);
}

/* A reader labels its columns one shard at a time: 10,000 shards once re-copied every label
 * at each new one (3 s to check a scenario; now linear). */
static void labels_added_one_by_one_append_in_order(void **state)
{
	(void)state;
	sim_metrics *m = sim_metrics_create();
	char id[32];
	double t0 = now_s();
	for (size_t i = 0; i < 100000; i++) {
		snprintf(id, sizeof id, "shardId-%06zu", i);
		assert_int_equal(sim_metrics_add_label(m, "functions/f", "shard", id, "shards"), i);
	}
	double took = now_s() - t0;
	printf("# 100000 labels added one by one in %.3f s of processor time\n", took);
	assert_true(took < 2.0);
	/* A second list of its own; set_labels replaces, add_label then appends to it. */
	assert_int_equal(sim_metrics_add_label(m, "consumers/c", "shard", "shardId-000000", "x"),
	                 0);
	const char *const two[] = {"a", "b"};
	sim_metrics_set_labels(m, "functions/f", "shard", two, 2, "shards");
	assert_int_equal(sim_metrics_add_label(m, "functions/f", "shard", "c", "shards"), 2);
	assert_int_equal(sim_metrics_labels_count(m), 2);
	const sim_metrics_labels *l = sim_metrics_labels_at(m, 0);
	assert_int_equal(l->n, 3);
	assert_string_equal(l->labels[0], "a");
	assert_string_equal(l->labels[2], "c");
	assert_string_equal(sim_metrics_labels_at(m, 1)->labels[0], "shardId-000000");
	/* An empty list, as a function starts with before its readers open. */
	sim_metrics_set_labels(m, "functions/g", "shard", NULL, 0, "shards");
	assert_int_equal(sim_metrics_labels_at(m, 2)->n, 0);
	sim_metrics_destroy(m);
}

#define BIG         200000
#define BIG_SECONDS 10.0 /* generous: well under a second in a release build */

static void two_hundred_thousand_values_are_set_and_found_in_seconds(void **state)
{
	(void)state;
	sim_metrics *m = sim_metrics_create();
	double t0 = now_s();
	char path[64];
	for (int i = 0; i < BIG; i++) {
		snprintf(path, sizeof path, "s%d.incoming_records", i);
		sim_metrics_set_value(m, path, i, "count");
	}
	for (int i = 0; i < BIG; i++) {
		snprintf(path, sizeof path, "s%d.incoming_records", i);
		sim_metrics_set_value(m, path, i + 1, "count");
		const char *const labels[] = {path};
		sim_metrics_set_labels(m, path, "shards", labels, 1, "ids");
	}
	for (int i = 0; i < BIG; i++) {
		snprintf(path, sizeof path, "s%d.incoming_records", i);
		const sim_metrics_value *v = sim_metrics_find_value(m, path);
		assert_non_null(v);
		assert_true(v->value == i + 1);
	}
	double took = now_s() - t0;
	printf("# %d values set twice and found in %.3f s of processor time\n", BIG, took);
	assert_int_equal(sim_metrics_value_count(m), BIG);
	assert_string_equal(sim_metrics_value_at(m, BIG - 1)->path, "s199999.incoming_records");
	assert_true(took < BIG_SECONDS);
	sim_metrics_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(values_keep_their_order_and_a_second_set_replaces),
	        cmocka_unit_test(labels_of_the_same_group_and_name_are_replaced),
	        cmocka_unit_test(two_hundred_thousand_values_are_set_and_found_in_seconds),
	        cmocka_unit_test(labels_added_one_by_one_append_in_order),
	        cmocka_unit_test(attributes_keep_their_order_and_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
