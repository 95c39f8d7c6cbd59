/* Random streams: xoshiro256** wrapped as a gsl_rng_type, seeded by a hash of the stream's name.
 *
 * Invariants: a generator's state (four uint64_t) is never all zero, the one state xoshiro256**
 * cannot leave; both seeding paths expand their seed with SplitMix64 and fix that case. A
 * stream's seed depends only on (master, replication, entity, purpose, shard), hashed with an
 * unambiguous encoding, never on the order streams are created in (docs/model.md "Time, events and
 * randomness"). The generator's memory belongs to GSL (gsl_rng_alloc / gsl_rng_free). */
#include "sim/rng.h"

#include <string.h>

#include "sim/assert.h"

/* The strings hashed here are keys like "feed-1"; FNV-1a over their bytes is enough once the
 * result goes through the mixer. The length goes in first and a 0 byte after, so that
 * ("ab", "c") and ("a", "bc") hash differently when strings are chained. */
uint64_t sim_hash_str(uint64_t h, const char *s)
{
	size_t len = s ? strlen(s) : 0;
	h = sim_mix64(h ^ (uint64_t)len ^ SIM_GOLDEN);
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(0x100000001b3);
	}
	h *= UINT64_C(0x100000001b3); /* the terminating 0 byte (its xor is a no-op) */
	return sim_mix64(h);
}

uint64_t sim_rng_seed(uint64_t master, uint32_t replication, const char *entity,
                      const char *purpose, int64_t shard)
{
	uint64_t h = sim_mix64(master + SIM_GOLDEN);
	h = sim_mix64(h ^ ((uint64_t)replication + SIM_GOLDEN));
	h = sim_hash_str(h, entity);
	h = sim_hash_str(h, purpose);
	/* shard < 0 ("not per shard") maps to values no real shard id reaches. */
	return sim_mix64(h ^ ((uint64_t)shard + SIM_GOLDEN));
}

static void seed64(sim_xoshiro *st, uint64_t seed)
{
	/* SplitMix64 as a generator: its state steps by the golden gamma, each output is mixed. */
	uint64_t x = seed;
	for (int i = 0; i < 4; i++) {
		x += SIM_GOLDEN;
		st->s[i] = sim_mix64(x);
	}
	if (!(st->s[0] | st->s[1] | st->s[2] | st->s[3]))
		st->s[0] = SIM_GOLDEN;
}

static void xoshiro_set(void *state, unsigned long seed)
{
	seed64(state, (uint64_t)seed);
}

static unsigned long xoshiro_get(void *state)
{
	return (unsigned long)(sim_xoshiro_next(state) >> 32);
}

static double xoshiro_get_double(void *state)
{
	return sim_xoshiro_uniform(state);
}

static const gsl_rng_type xoshiro_type = {
        .name = "xoshiro256**",
        .max = 0xffffffffUL,
        .min = 0,
        .size = sizeof(sim_xoshiro),
        .set = xoshiro_set,
        .get = xoshiro_get,
        .get_double = xoshiro_get_double,
};

const gsl_rng_type *sim_rng_xoshiro256ss = &xoshiro_type;

gsl_rng *sim_rng_create(uint64_t seed)
{
	gsl_rng *r = gsl_rng_alloc(sim_rng_xoshiro256ss);
	SIM_ASSERT(r);
	seed64(r->state, seed);
	return r;
}

gsl_rng *sim_rng_stream(uint64_t master, uint32_t replication, const char *entity,
                        const char *purpose, int64_t shard)
{
	return sim_rng_create(sim_rng_seed(master, replication, entity, purpose, shard));
}
