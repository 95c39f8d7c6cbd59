/* Producers: arrivals, partition keys, record sizes, the write limit's verdict, resends.
 *
 * Per record the work is a few draws and an append: no event, no allocation. Rejected records
 * wait in a small binary heap of resends ordered by (time, index), merged with new arrivals so
 * that every shard sees its writes in time order. */
#include "models/producer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/rng.h"

__extension__ typedef unsigned __int128 u128;

typedef struct resend {
	sim_time t;
	uint64_t index;
	uint32_t bytes;
	uint32_t key;
	uint32_t attempts; /* made so far */
} resend;

struct ks_producer {
	ks_ctx *ctx;
	ks_producer_config cfg;
	char *name;
	gsl_rng *arrivals, *keys, *sizes, *retries;
	uint64_t crn_seed;
	uint32_t *key_shard; /* key number -> shard */
	uint8_t *key_len;    /* bytes of the key string "k<n>", counted by the write limit */
	bool size_is_const;
	uint32_t const_size;

	double next_ns; /* next new arrival, fractional to keep Poisson gaps unbiased */
	uint64_t produced;
	double mean_gap_ns;

	resend *heap;
	size_t nheap, capheap;
};

static bool resend_before(const resend *a, const resend *b)
{
	return a->t < b->t || (a->t == b->t && a->index < b->index);
}

static void heap_push(ks_producer *p, resend r)
{
	sim_grow(&p->heap, &p->capheap, p->nheap + 1, sizeof *p->heap);
	size_t i = p->nheap++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!resend_before(&r, &p->heap[parent]))
			break;
		p->heap[i] = p->heap[parent];
		i = parent;
	}
	p->heap[i] = r;
}

static resend heap_pop(ks_producer *p)
{
	resend top = p->heap[0];
	resend last = p->heap[--p->nheap];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= p->nheap)
			break;
		if (c + 1 < p->nheap && resend_before(&p->heap[c + 1], &p->heap[c]))
			c++;
		if (!resend_before(&p->heap[c], &last))
			break;
		p->heap[i] = p->heap[c];
		i = c;
	}
	if (p->nheap > 0)
		p->heap[i] = last;
	return top;
}

static bool exhausted(const ks_producer *p)
{
	return p->mean_gap_ns <= 0 || (p->cfg.limit >= 0 && p->produced >= (uint64_t)p->cfg.limit);
}

static void draw_next_arrival(ks_producer *p)
{
	if (p->cfg.uniform_arrivals)
		p->next_ns += p->mean_gap_ns;
	else
		p->next_ns += -log1p(-sim_rng_uniform(p->arrivals)) * p->mean_gap_ns;
}

ks_producer *ks_producer_create(ks_ctx *ctx, const ks_producer_config *cfg)
{
	ks_producer *p = sim_calloc(1, sizeof *p);
	p->ctx = ctx;
	p->cfg = *cfg;
	p->name = sim_strdup(cfg->name);
	p->cfg.name = p->name;
	p->cfg.record_size = sim_dist_copy(&cfg->record_size);
	p->arrivals = sim_rng_stream(ctx->seed, ctx->replication, cfg->name, "arrivals", -1);
	p->keys = sim_rng_stream(ctx->seed, ctx->replication, cfg->name, "keys", -1);
	p->sizes = sim_rng_stream(ctx->seed, ctx->replication, cfg->name, "sizes", -1);
	p->retries = sim_rng_stream(ctx->seed, ctx->replication, cfg->name, "retries", -1);
	p->crn_seed = sim_rng_seed(ctx->seed, ctx->replication, cfg->name, "record", -1);

	/* [doc, code: kinesis-mock] keys are k0..k<count-1>; their shards are fixed per key set. */
	p->key_shard = sim_malloc(cfg->key_count * sizeof *p->key_shard);
	p->key_len = sim_malloc(cfg->key_count);
	for (uint32_t k = 0; k < cfg->key_count; k++) {
		char key[16];
		int len = snprintf(key, sizeof key, "k%u", k);
		p->key_shard[k] = (uint32_t)ks_stream_shard_for_key(cfg->stream->nshards, key,
		                                                     (size_t)len);
		p->key_len[k] = (uint8_t)len;
	}
	p->size_is_const = cfg->record_size.kind == SIM_DIST_CONST;
	p->const_size = (uint32_t)fmax(0, llround(cfg->record_size.a));
	p->mean_gap_ns = cfg->rate_per_s > 0 ? 1e9 / cfg->rate_per_s : 0;
	p->next_ns = 0;
	if (!exhausted(p))
		draw_next_arrival(p);
	return p;
}

void ks_producer_destroy(ks_producer *p)
{
	if (!p)
		return;
	gsl_rng_free(p->arrivals);
	gsl_rng_free(p->keys);
	gsl_rng_free(p->sizes);
	gsl_rng_free(p->retries);
	sim_dist_fini(&p->cfg.record_size);
	sim_free(p->key_shard);
	sim_free(p->key_len);
	sim_free(p->heap);
	sim_free(p->name);
	sim_free(p);
}

uint64_t ks_producer_crn_seed(const ks_producer *p)
{
	return p->crn_seed;
}

/* The time of the producer's next write attempt, SIM_TIME_MAX when it has none. */
static sim_time next_attempt(const ks_producer *p)
{
	sim_time t = exhausted(p) ? SIM_TIME_MAX : (sim_time)ceil(p->next_ns);
	if (p->nheap > 0 && p->heap[0].t < t)
		t = p->heap[0].t;
	return t;
}

static sim_time resend_delay(ks_producer *p, uint32_t failed_attempts)
{
	/* [choice] producer retry, the AWS Java SDK v2 throttling policy [code]: exponential
	 * backoff from `base`, capped, with jitter. */
	double d = (double)p->cfg.retry_base * ldexp(1.0, (int)failed_attempts - 1);
	d = fmin(d, (double)p->cfg.retry_cap);
	switch (p->cfg.retry_jitter) {
	case KS_JITTER_NONE:
		break;
	case KS_JITTER_FULL:
		d = d * sim_rng_uniform(p->retries);
		break;
	case KS_JITTER_EQUAL:
		d = d / 2 + d / 2 * sim_rng_uniform(p->retries);
		break;
	}
	return (sim_time)llround(d);
}

/* One write attempt at time t. */
static void attempt(ks_producer *p, sim_time t, uint64_t index, uint32_t bytes, uint32_t key,
                    uint32_t attempts_before)
{
	ks_stream *s = p->cfg.stream;
	size_t shard = p->key_shard[key];
	ks_shard *sh = &s->shards[shard];
	if (ks_shard_write_admit(sh, t, bytes + p->key_len[key])) {
		ks_record r = {.arrival = t, .id = ks_record_id(p->cfg.number, index), .bytes = bytes,
		               .key = key};
		ks_shard_push(sh, &r);
		ks_metric_add(&s->incoming_records, t, shard, 1);
		ks_metric_add(&s->incoming_bytes, t, shard, bytes);
		if (t >= p->ctx->warmup)
			s->put_payload_units += bytes == 0 ? 1 : (bytes + 25599) / 25600;
		return;
	}
	/* [doc] every rejected attempt counts in WriteProvisionedThroughputExceeded. */
	ks_metric_add(&s->write_throttled, t, shard, 1);
	uint32_t attempts = attempts_before + 1;
	if ((int)attempts >= p->cfg.max_attempts) {
		ks_metric_add(&s->records_lost, t, shard, 1);
		return;
	}
	heap_push(p, (resend){.t = t + resend_delay(p, attempts), .index = index, .bytes = bytes,
	                      .key = key, .attempts = attempts});
}

/* Performs the producer's next attempt, due at t. */
static void emit(ks_producer *p, sim_time t)
{
	if (p->nheap > 0 && p->heap[0].t == t) {
		/* Resends due at t go before a new arrival at the same instant: they are older. */
		resend r = heap_pop(p);
		attempt(p, t, r.index, r.bytes, r.key, r.attempts);
		return;
	}
	uint32_t key = (uint32_t)(((u128)sim_rng_u64(p->keys) * p->cfg.key_count) >> 64);
	uint32_t bytes = p->size_is_const
	                     ? p->const_size
	                     : (uint32_t)fmax(0, llround(sim_dist_sample(&p->cfg.record_size,
	                                                                 p->sizes)));
	uint64_t index = p->produced++;
	draw_next_arrival(p);
	attempt(p, t, index, bytes, key, 0);
}

void ks_producers_advance(ks_producer **producers, size_t n, sim_time now)
{
	if (n == 1) {
		ks_producer *p = producers[0];
		for (sim_time t; (t = next_attempt(p)) <= now;)
			emit(p, t);
		return;
	}
	/* Several producers: merge their attempts by time (ties by producer order), so each shard
	 * sees its writes in time order. */
	for (;;) {
		ks_producer *first = NULL;
		sim_time tmin = SIM_TIME_MAX;
		for (size_t i = 0; i < n; i++) {
			sim_time t = next_attempt(producers[i]);
			if (t < tmin) {
				tmin = t;
				first = producers[i];
			}
		}
		if (!first || tmin > now)
			return;
		emit(first, tmin);
	}
}
