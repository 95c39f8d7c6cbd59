/* A record in a shard's log: data, not an event (docs/architecture.md, "The record path").
 *
 * 24 bytes. `id` packs the producer's number (upper 16 bits) and the record's index within its
 * producer (lower 48 bits); the record's own uniforms `u` (fate) and `v` (work quantile) are not
 * stored but recomputed from (producer stream seed, index) with sim_crn_uniform, which depends
 * on neither the topology nor the order of consumption (docs/model.md "Time, events and
 * randomness"). */
#ifndef KS_RECORD_H
#define KS_RECORD_H

#include <stdint.h>
#include <string.h>

#include "sim/time.h"

typedef struct ks_record {
	sim_time arrival; /* accepted by the shard */
	uint64_t id;      /* producer << 48 | index */
	uint32_t bytes;   /* data size */
	uint32_t key;     /* the partition key's number within its producer's key set (the low 24
	                   * bits: at most 10^7 keys) and the record's hops (the high 8) */
} ks_record;

/* The partition key's number (keys k0..k<count-1>, then "hot": producer.c). */
static inline uint32_t ks_record_key(const ks_record *r)
{
	return r->key & 0xFFFFFFu;
}
/* Key number k's text, "k" and k in decimal or "hot" past the producer's key_count regular
 * keys, into key (not terminated); returns its length. Written by hand: snprintf cost more
 * than the MD5 of the key, which a producer computes for each of up to 10^7 keys. */
static inline size_t ks_record_key_text(char key[static 12], uint32_t k, uint32_t key_count)
{
	if (k >= key_count) {
		memcpy(key, "hot", 3);
		return 3;
	}
	char digits[10];
	size_t n = 0;
	do {
		digits[n++] = (char)('0' + k % 10);
		k /= 10;
	} while (k);
	key[0] = 'k';
	for (size_t i = 0; i < n; i++)
		key[1 + i] = digits[n - 1 - i];
	return 1 + n;
}

/* How many Lambda functions sent the record on to SQS, SNS, EventBridge or another function
 * (0 for a record from a stream): what Lambda's recursive loop detection counts. */
static inline uint32_t ks_record_hops(const ks_record *r)
{
	return r->key >> 24;
}
/* The record as a function sends it on: one hop more (it saturates at 255). */
static inline ks_record ks_record_hopped(const ks_record *r)
{
	ks_record out = *r;
	if (ks_record_hops(r) < 255)
		out.key += 1u << 24;
	return out;
}
/* [doc] Lambda stops a chain of invocations through SQS, SNS and Lambda after 16. */
#define KS_RECURSION_LIMIT 16

#define KS_RECORD_INDEX_BITS 48
#define KS_RECORD_INDEX_MASK ((UINT64_C(1) << KS_RECORD_INDEX_BITS) - 1)

static inline uint64_t ks_record_id(uint32_t producer, uint64_t index)
{
	return ((uint64_t)producer << KS_RECORD_INDEX_BITS) | (index & KS_RECORD_INDEX_MASK);
}
static inline uint32_t ks_record_producer(const ks_record *r)
{
	return (uint32_t)(r->id >> KS_RECORD_INDEX_BITS);
}
static inline uint64_t ks_record_index(const ks_record *r)
{
	return r->id & KS_RECORD_INDEX_MASK;
}

/* Which of the two per-record uniforms (docs/model.md "Time, events and randomness"). */
enum { KS_RECORD_U_FATE = 0, KS_RECORD_V_WORK = 1 };

#endif
