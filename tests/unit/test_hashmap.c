/* Tests of hashmap.c: an index of the caller's array by hash; candidates of one hash in the
 * order they were added, through growth and clearing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sim/alloc.h"
#include "sim/hashmap.h"

/* The first index in keys[] whose key equals key, through the map. */
static size_t find(const sim_hashmap *m, char *const *keys, const char *key)
{
	uint64_t h = sim_hash_string(key);
	size_t pos = 0, i;
	while ((i = sim_hashmap_next(m, h, &pos)) != SIM_HASHMAP_NONE)
		if (strcmp(keys[i], key) == 0)
			return i;
	return SIM_HASHMAP_NONE;
}

static void an_empty_map_finds_nothing(void **state)
{
	(void)state;
	sim_hashmap m = {0};
	size_t pos = 0;
	assert_int_equal(sim_hashmap_next(&m, sim_hash_string("a"), &pos), SIM_HASHMAP_NONE);
	sim_hashmap_fini(&m);
	sim_hashmap_fini(&m);
}

static void every_added_key_is_found_through_growth(void **state)
{
	(void)state;
	enum { N = 50000 };
	char **keys = sim_calloc(N, sizeof *keys);
	sim_hashmap m = {0};
	for (size_t i = 0; i < N; i++) {
		keys[i] = sim_asprintf("key-%zu", i);
		sim_hashmap_add(&m, sim_hash_string(keys[i]), i);
	}
	assert_int_equal(m.n, N);
	assert_true(m.cap >= 2 * N);
	for (size_t i = 0; i < N; i++)
		assert_int_equal(find(&m, keys, keys[i]), i);
	assert_int_equal(find(&m, keys, "key-50000"), SIM_HASHMAP_NONE);
	assert_int_equal(find(&m, keys, ""), SIM_HASHMAP_NONE);
	for (size_t i = 0; i < N; i++)
		sim_free(keys[i]);
	sim_free(keys);
	sim_hashmap_fini(&m);
}

static void items_of_one_hash_come_back_in_the_order_added(void **state)
{
	(void)state;
	/* Every item with the same hash, across several growths and past the end of the table
	 * (a hash whose home is the last slot wraps around). */
	sim_hashmap m = {0};
	for (uint64_t home = 0; home < 2; home++) {
		sim_hashmap_clear(&m);
		uint64_t h = home ? UINT64_MAX : 7;
		for (size_t i = 0; i < 100; i++) {
			sim_hashmap_add(&m, h, 1000 + i);
			sim_hashmap_add(&m, h ^ 1, i); /* a neighbour in the same run */
		}
		size_t pos = 0;
		for (size_t i = 0; i < 100; i++)
			assert_int_equal(sim_hashmap_next(&m, h, &pos), 1000 + i);
		assert_int_equal(sim_hashmap_next(&m, h, &pos), SIM_HASHMAP_NONE);
		assert_int_equal(sim_hashmap_next(&m, h, &pos), SIM_HASHMAP_NONE);
	}
	sim_hashmap_fini(&m);
}

static void clear_forgets_and_keeps_the_memory(void **state)
{
	(void)state;
	sim_hashmap m = {0};
	for (size_t i = 0; i < 100; i++)
		sim_hashmap_add(&m, i, i);
	size_t cap = m.cap;
	sim_hashmap_clear(&m);
	assert_int_equal(m.n, 0);
	assert_int_equal(m.cap, cap);
	size_t pos = 0;
	assert_int_equal(sim_hashmap_next(&m, 5, &pos), SIM_HASHMAP_NONE);
	sim_hashmap_add(&m, 5, 42);
	pos = 0;
	assert_int_equal(sim_hashmap_next(&m, 5, &pos), 42);
	sim_hashmap_fini(&m);
}

static void hashes_differ_for_near_keys_and_combine_in_order(void **state)
{
	(void)state;
	assert_int_not_equal(sim_hash_string("a"), sim_hash_string("b"));
	assert_int_not_equal(sim_hash_string(""), sim_hash_string("a"));
	/* Deterministic: no seed, no address. */
	assert_int_equal(sim_hash_string("events"), sim_hash_string("events"));
	uint64_t a = sim_hash_string("streams/a"), b = sim_hash_string("shards");
	assert_int_not_equal(sim_hash_combine(a, b), sim_hash_combine(b, a));
	assert_int_equal(sim_hash_combine(a, b), sim_hash_combine(a, b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(an_empty_map_finds_nothing),
	        cmocka_unit_test(every_added_key_is_found_through_growth),
	        cmocka_unit_test(items_of_one_hash_come_back_in_the_order_added),
	        cmocka_unit_test(clear_forgets_and_keeps_the_memory),
	        cmocka_unit_test(hashes_differ_for_near_keys_and_combine_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
