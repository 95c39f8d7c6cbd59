/* Tests of the typed binary heap (sim/heap.h): random pushes and pops checked against a sorted
 * reference and, for keys with ties, against copies of the private heaps the models had before
 * it (the hole-based heap of the SQS queue and the producer, and the swap-based heap of the
 * async queue): the same elements must come out in the same order and the arrays must hold the
 * same elements at the same places after every step, since simulation results depend on it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sim/alloc.h"
#include "sim/heap.h"

/* A fixed-seed generator for the schedules (xorshift64*). */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1du;
}

static bool int_less(const int *a, const int *b)
{
	return *a < *b;
}

SIM_HEAP_DEFINE(int_heap, int, int_less);

/* An element whose key has ties: `tag` tells equal keys apart but is not part of the order. */
typedef struct item {
	int64_t key;
	uint64_t tag;
} item;

static bool item_less(const item *a, const item *b)
{
	return a->key < b->key;
}

SIM_HEAP_DEFINE(item_heap, item, item_less);

/* The heap of models/sqs/queue.c and models/kinesis/producer.c before sim/heap.h, verbatim
 * but for the names. */
typedef struct old_heap {
	item *heap;
	size_t nheap, capheap;
} old_heap;

static void old_push(old_heap *q, item d)
{
	sim_grow(&q->heap, &q->capheap, q->nheap + 1, sizeof *q->heap);
	size_t i = q->nheap++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!item_less(&d, &q->heap[p]))
			break;
		q->heap[i] = q->heap[p];
		i = p;
	}
	q->heap[i] = d;
}

static item old_pop(old_heap *q)
{
	item top = q->heap[0], last = q->heap[--q->nheap];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= q->nheap)
			break;
		if (c + 1 < q->nheap && item_less(&q->heap[c + 1], &q->heap[c]))
			c++;
		if (!item_less(&q->heap[c], &last))
			break;
		q->heap[i] = q->heap[c];
		i = c;
	}
	if (q->nheap > 0)
		q->heap[i] = last;
	return top;
}

/* The heap of models/lambda/async.c before sim/heap.h (swap-based), verbatim but for the
 * names. */
static void swap_items(item *x, item *y)
{
	item t = *x;
	*x = *y;
	*y = t;
}

static void async_push(old_heap *a, item ev)
{
	sim_grow(&a->heap, &a->capheap, a->nheap + 1, sizeof *a->heap);
	size_t i = a->nheap++;
	a->heap[i] = ev;
	while (i > 0 && item_less(&a->heap[i], &a->heap[(i - 1) / 2])) {
		swap_items(&a->heap[i], &a->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
}

static item async_pop(old_heap *a)
{
	item top = a->heap[0];
	a->heap[0] = a->heap[--a->nheap];
	for (size_t i = 0;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < a->nheap && item_less(&a->heap[l], &a->heap[m]))
			m = l;
		if (r < a->nheap && item_less(&a->heap[r], &a->heap[m]))
			m = r;
		if (m == i)
			break;
		swap_items(&a->heap[i], &a->heap[m]);
		i = m;
	}
	return top;
}

static void assert_same_items(const item *a, const item *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(a[i].key, b[i].key);
		assert_int_equal(a[i].tag, b[i].tag);
	}
}

static void assert_heap_order(const item *h, size_t n)
{
	for (size_t i = 1; i < n; i++)
		assert_false(item_less(&h[i], &h[(i - 1) / 2]));
}

/* Random pushes and pops with keys drawn from `keys` values, run through the heap and through
 * both old heaps in step. */
static void run_against_the_old_heaps(uint64_t seed, int64_t keys, int steps)
{
	item *h = NULL;
	size_t n = 0, cap = 0;
	old_heap old = {0}, async = {0};
	uint64_t s = seed, tag = 0;
	for (int step = 0; step < steps; step++) {
		/* pushes a little more often than pops, so the heap grows and drains in waves */
		if (n == 0 || rnd(&s) % 16 < 9) {
			item x = {.key = (int64_t)(rnd(&s) % (uint64_t)keys), .tag = ++tag};
			item_heap_push(&h, &n, &cap, x);
			old_push(&old, x);
			async_push(&async, x);
		} else {
			item got = item_heap_pop(h, &n);
			item want = old_pop(&old);
			item want_async = async_pop(&async);
			assert_same_items(&got, &want, 1);
			assert_same_items(&got, &want_async, 1);
		}
		assert_int_equal(n, old.nheap);
		assert_int_equal(n, async.nheap);
		assert_same_items(h, old.heap, n);
		assert_same_items(h, async.heap, n);
		assert_heap_order(h, n);
	}
	while (n > 0) {
		item got = item_heap_pop(h, &n);
		item want = old_pop(&old);
		assert_same_items(&got, &want, 1);
	}
	sim_free(h);
	sim_free(old.heap);
	sim_free(async.heap);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static void pops_in_key_order(void **state)
{
	(void)state;
	enum { N = 5000 };
	static int ref[N];
	int *h = NULL;
	size_t n = 0, cap = 0;
	uint64_t s = 7;
	for (int i = 0; i < N; i++) {
		ref[i] = (int)(rnd(&s) % 100000) - 50000;
		int_heap_push(&h, &n, &cap, ref[i]);
	}
	qsort(ref, N, sizeof *ref, cmp_int);
	for (int i = 0; i < N; i++)
		assert_int_equal(int_heap_pop(h, &n), ref[i]);
	assert_int_equal(n, 0);
	sim_free(h);
}

static void equal_keys_pop_as_the_old_heaps_did(void **state)
{
	(void)state;
	run_against_the_old_heaps(1, 3, 20000);       /* almost every key tied */
	run_against_the_old_heaps(2, 40, 20000);      /* many ties */
	run_against_the_old_heaps(3, 1, 5000);        /* one key: the tags alone tell the order */
	run_against_the_old_heaps(4, 1000000, 20000); /* few ties */
}

/* The models' way to keep ties first in, first out: the sequence number is part of the key. */
static bool item_then_tag_less(const item *a, const item *b)
{
	return a->key < b->key || (a->key == b->key && a->tag < b->tag);
}

SIM_HEAP_DEFINE(fifo_heap, item, item_then_tag_less);

static void equal_keys_with_a_sequence_number_pop_in_push_order(void **state)
{
	(void)state;
	item *h = NULL;
	size_t n = 0, cap = 0;
	uint64_t s = 11;
	for (uint64_t seq = 0; seq < 3000; seq++) {
		fifo_heap_push(&h, &n, &cap, (item){.key = (int64_t)(rnd(&s) % 4), .tag = seq});
		if (rnd(&s) % 4 == 0)
			fifo_heap_pop(h, &n);
	}
	item prev = fifo_heap_pop(h, &n);
	while (n > 0) {
		item x = fifo_heap_pop(h, &n);
		assert_true(x.key > prev.key || (x.key == prev.key && x.tag > prev.tag));
		prev = x;
	}
	sim_free(h);
}

static void grows_past_its_first_capacity(void **state)
{
	(void)state;
	long live = sim_alloc_live();
	int *h = NULL;
	size_t n = 0, cap = 0;
	for (int i = 1000; i > 0; i--) {
		int_heap_push(&h, &n, &cap, i);
		assert_true(n <= cap);
		assert_int_equal(*int_heap_top(h, n), i);
	}
	assert_int_equal(n, 1000);
	assert_true(cap >= 1000);
	for (int i = 1; i <= 1000; i++)
		assert_int_equal(int_heap_pop(h, &n), i);
	assert_int_equal(live + 1, sim_alloc_live()); /* one array, grown in place */
	sim_free(h);
	assert_int_equal(sim_alloc_live(), live);
}

static void top_is_null_when_empty_and_the_least_otherwise(void **state)
{
	(void)state;
	int *h = NULL;
	size_t n = 0, cap = 0;
	assert_null(int_heap_top(h, n));
	int_heap_push(&h, &n, &cap, 5);
	int_heap_push(&h, &n, &cap, 3);
	int_heap_push(&h, &n, &cap, 4);
	assert_int_equal(*int_heap_top(h, n), 3);
	assert_int_equal(n, 3); /* top does not remove */
	assert_int_equal(int_heap_pop(h, &n), 3);
	assert_int_equal(int_heap_pop(h, &n), 4);
	assert_int_equal(int_heap_pop(h, &n), 5);
	assert_null(int_heap_top(h, n));
	sim_free(h);
}

static void a_drained_heap_takes_pushes_again_without_growing(void **state)
{
	(void)state;
	int *h = NULL;
	size_t n = 0, cap = 0;
	for (int i = 0; i < 8; i++)
		int_heap_push(&h, &n, &cap, i);
	size_t first_cap = cap;
	while (n > 0)
		int_heap_pop(h, &n);
	for (int i = 8; i > 0; i--)
		int_heap_push(&h, &n, &cap, i);
	assert_int_equal(cap, first_cap);
	assert_int_equal(int_heap_pop(h, &n), 1);
	sim_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(pops_in_key_order),
	        cmocka_unit_test(equal_keys_pop_as_the_old_heaps_did),
	        cmocka_unit_test(equal_keys_with_a_sequence_number_pop_in_push_order),
	        cmocka_unit_test(grows_past_its_first_capacity),
	        cmocka_unit_test(top_is_null_when_empty_and_the_least_otherwise),
	        cmocka_unit_test(a_drained_heap_takes_pushes_again_without_growing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
