/* A hash index over the caller's array: it maps a key's hash to the positions (indices) of the
 * array's items with that hash, and the caller compares the keys. So one small table serves
 * any key (a string, a pair of strings) and any item type, stores no key, and never owns what
 * it indexes.
 *
 * Open addressing with linear probing, at most half full, the capacity a power of two. Items
 * are only added (the indexed arrays only grow); sim_hashmap_clear starts over. Candidates of
 * one hash come back in the order they were added, so "the first equal item" is well defined.
 * The layout depends only on the hashes and the order of additions: no address or clock
 * reaches it, and nothing iterates over it, so it cannot change any output.
 *
 * Looking a key up:
 *
 *     uint64_t h = sim_hash_string(key);
 *     size_t pos = 0, i;
 *     while ((i = sim_hashmap_next(&map, h, &pos)) != SIM_HASHMAP_NONE)
 *             if (strcmp(items[i].key, key) == 0)
 *                     return &items[i];
 */
#ifndef SIM_HASHMAP_H
#define SIM_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

#define SIM_HASHMAP_NONE SIZE_MAX

typedef struct sim_hashmap_slot {
	uint64_t hash;
	size_t index; /* the item's index plus one; 0: an empty slot */
} sim_hashmap_slot;

/* Zero-initialized ({0}) is an empty map. */
typedef struct sim_hashmap {
	sim_hashmap_slot *slots;
	size_t cap, n;
} sim_hashmap;

void sim_hashmap_fini(sim_hashmap *m);  /* frees the slots; m is empty again */
void sim_hashmap_clear(sim_hashmap *m); /* forgets every item, keeps the memory */

/* Records that the item at index has this hash (index < SIZE_MAX). */
void sim_hashmap_add(sim_hashmap *m, uint64_t hash, size_t index);

/* The next index recorded with this hash, in the order they were added, or SIM_HASHMAP_NONE;
 * *pos starts at 0 and carries the search from one call to the next. */
size_t sim_hashmap_next(const sim_hashmap *m, uint64_t hash, size_t *pos);

/* Hashes of keys: a string; and two hashes combined, for a key of two parts (the order
 * matters). Well mixed in every bit. */
uint64_t sim_hash_string(const char *s);
uint64_t sim_hash_combine(uint64_t a, uint64_t b);

#endif
