/* Random streams: one independent generator per (entity, purpose).
 *
 * A stream's seed is a 64-bit hash of (master seed, replication, entity name, purpose, shard id),
 * never its creation order, so adding an entity to a scenario does not change the numbers any
 * other entity draws (docs/model.md "Time, events and randomness"). The generator is xoshiro256**
 * (Blackman & Vigna), registered as a gsl_rng_type so GSL's distributions run on it: it takes a
 * full 64-bit seed (expanded with SplitMix64; GSL's gsl_rng_set takes only 32 bits, and with
 * 10^4..10^5 streams 32-bit seeds collide), has a 2^256 period, passes BigCrush, and costs ~1 ns a
 * draw.
 *
 * Per-record values (docs/model.md "Time, events and randomness": the fate `u` and the work
 * quantile `v`) come from a counter-based hash of (producer stream seed, record index), so they can
 * be recomputed anywhere without storing them and without depending on the order records are
 * consumed. */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

#include "sim/assert.h"

/* 2^64 / golden ratio: SplitMix64's step, and the offset that keeps hashed inputs apart */
#define SIM_GOLDEN UINT64_C(0x9e3779b97f4a7c15)

/* The SplitMix64 finaliser: a bijective 64-bit mix. */
static inline uint64_t sim_mix64(uint64_t x)
{
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

/* Hash of a string into a running 64-bit state (FNV-1a bytes, then mixed). */
uint64_t sim_hash_str(uint64_t h, const char *s);

/* The seed of the stream of `entity` for `purpose`; shard < 0 when not per shard. */
uint64_t sim_rng_seed(uint64_t master, uint32_t replication, const char *entity,
                      const char *purpose, int64_t shard);

/* xoshiro256** as a GSL generator type (gsl_rng_get gives 32 bits; sim_rng_u64 gives 64). */
extern const gsl_rng_type *sim_rng_xoshiro256ss;

/* A new generator seeded with all 64 bits of seed. Free with gsl_rng_free. */
gsl_rng *sim_rng_create(uint64_t seed);
/* Shortcut: sim_rng_create(sim_rng_seed(...)). */
gsl_rng *sim_rng_stream(uint64_t master, uint32_t replication, const char *entity,
                        const char *purpose, int64_t shard);

/* A generator's state: four words, never all zero. In the header so that the draws below inline:
 * producers draw per record. */
typedef struct sim_xoshiro {
	uint64_t s[4];
} sim_xoshiro;

static inline uint64_t sim_rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0, as published by Blackman and Vigna (prng.di.unimi.it). */
static inline uint64_t sim_xoshiro_next(sim_xoshiro *st)
{
	uint64_t *s = st->s;
	uint64_t result = sim_rotl64(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = sim_rotl64(s[3], 45);
	return result;
}

/* Uniform in [0, 1) with 53 bits. */
static inline double sim_xoshiro_uniform(sim_xoshiro *st)
{
	return (double)(sim_xoshiro_next(st) >> 11) * 0x1.0p-53;
}

/* The state of a generator created by sim_rng_create, for a loop that keeps it in registers
 * (a copy, stored back after). */
static inline sim_xoshiro *sim_rng_xoshiro(gsl_rng *r)
{
	SIM_ASSERT(r->type == sim_rng_xoshiro256ss);
	return r->state;
}

/* 64 random bits from a generator created by sim_rng_create. */
static inline uint64_t sim_rng_u64(gsl_rng *r)
{
	return sim_xoshiro_next(sim_rng_xoshiro(r));
}

/* Uniform in [0, 1) with 53 bits, from a generator created by sim_rng_create. */
static inline double sim_rng_uniform(gsl_rng *r)
{
	return sim_xoshiro_uniform(sim_rng_xoshiro(r));
}

/* Counter-based uniforms: the `index`-th output of a SplitMix64 sequence whose start is keyed by
 * (stream_seed, which). SplitMix64 outputs are a bijection of the counter, so distinct records
 * of one stream never share a value before the 53-bit cut, and `which` selects an unrelated
 * sequence (hashing it, rather than using index * 2 + which, keeps any which >= 2 distinct).
 * A reader that draws for many records of one stream keeps the sequence's start (sim_crn_base)
 * and draws with sim_crn_uniform_at. */
static inline uint64_t sim_crn_base(uint64_t stream_seed, uint32_t which)
{
	return sim_mix64(stream_seed ^ sim_mix64((uint64_t)which + SIM_GOLDEN));
}

static inline double sim_crn_uniform_at(uint64_t base, uint64_t index)
{
	uint64_t x = sim_mix64(base + (index + 1) * SIM_GOLDEN);
	return (double)(x >> 11) * 0x1.0p-53;
}

/* Uniform in [0, 1): a pure function of (stream seed, index, which). */
static inline double sim_crn_uniform(uint64_t stream_seed, uint64_t index, uint32_t which)
{
	return sim_crn_uniform_at(sim_crn_base(stream_seed, which), index);
}

#endif
