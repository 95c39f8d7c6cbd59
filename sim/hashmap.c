/* The hash index (hashmap.h).
 *
 * Invariants: cap is 0 or a power of two of at least 16; n <= cap / 2, so every probe meets an
 * empty slot; the items of one hash sit along one run of occupied slots, in the order they were
 * added, which growing keeps (it re-adds each run from its start). */
#include "sim/hashmap.h"

#include <string.h>

#include "sim/alloc.h"
#include "sim/assert.h"

void sim_hashmap_fini(sim_hashmap *m)
{
	sim_free(m->slots);
	*m = (sim_hashmap){0};
}

void sim_hashmap_clear(sim_hashmap *m)
{
	if (m->slots)
		memset(m->slots, 0, m->cap * sizeof *m->slots);
	m->n = 0;
}

static void place(sim_hashmap_slot *slots, size_t cap, uint64_t hash, size_t index_plus_one)
{
	size_t i = (size_t)hash & (cap - 1);
	while (slots[i].index)
		i = (i + 1) & (cap - 1);
	slots[i] = (sim_hashmap_slot){hash, index_plus_one};
}

static void grow(sim_hashmap *m)
{
	size_t cap = m->cap ? 2 * m->cap : 16;
	sim_hashmap_slot *slots = sim_calloc(cap, sizeof *slots);
	if (m->n) {
		/* From just after an empty slot, so each run is re-added from its start and items
		 * of one hash keep their order. */
		size_t start = 0;
		while (m->slots[start].index)
			start++;
		for (size_t k = 1; k <= m->cap; k++) {
			const sim_hashmap_slot *s = &m->slots[(start + k) & (m->cap - 1)];
			if (s->index)
				place(slots, cap, s->hash, s->index);
		}
	}
	sim_free(m->slots);
	m->slots = slots;
	m->cap = cap;
}

void sim_hashmap_add(sim_hashmap *m, uint64_t hash, size_t index)
{
	SIM_ASSERT(index < SIZE_MAX);
	if (2 * (m->n + 1) > m->cap)
		grow(m);
	place(m->slots, m->cap, hash, index + 1);
	m->n++;
}

size_t sim_hashmap_next(const sim_hashmap *m, uint64_t hash, size_t *pos)
{
	if (m->n == 0)
		return SIM_HASHMAP_NONE;
	for (size_t step = *pos; step < m->cap; step++) {
		const sim_hashmap_slot *s = &m->slots[((size_t)hash + step) & (m->cap - 1)];
		if (!s->index)
			break;
		if (s->hash == hash) {
			*pos = step + 1;
			return s->index - 1;
		}
	}
	*pos = m->cap;
	return SIM_HASHMAP_NONE;
}

/* MurmurHash3's finalizer: every input bit affects every output bit, so the low bits that pick
 * a slot are as good as the high ones. */
static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

uint64_t sim_hash_string(const char *s)
{
	/* FNV-1a over the bytes, then mixed. */
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h ^= *p;
		h *= UINT64_C(0x100000001b3);
	}
	return mix(h);
}

uint64_t sim_hash_combine(uint64_t a, uint64_t b)
{
	return mix(a * UINT64_C(0x9e3779b97f4a7c15) + b);
}
