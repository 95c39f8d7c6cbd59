/* Producers: the rate, the arrival pattern, partition keys, record sizes, PutRecords calls, the
 * write limit's verdict, resends, and the fate of a record written to several streams.
 *
 * Arrivals. A rate source is an intensity lambda(t) with cumulative Lambda(t). Arrival k comes
 * at Lambda^-1(S_k), S_k = S_(k-1) + E_k: E_k ~ Exp(1) gives a Poisson process, exact in
 * distribution for any intensity (inversion of the cumulative rate, Cinlar); E_k = 1 gives
 * evenly spaced arrivals; a bursty pattern steps `burst` at once and puts `burst` records at
 * that instant, so bursts come every burst/rate and the mean rate holds. A constant rate keeps
 * the direct form t += E / rate. A profile or a trace is a piecewise-linear intensity, inverted
 * in closed form per segment; a diurnal sine is inverted by Newton steps kept inside a bracket.
 * All of it draws from the producer's own streams only, so it is deterministic.
 *
 * Calls. Records gather into the open call: up to max_records records and 10 MiB, sent `linger`
 * after its first record or when it fills, whichever is first (linger 0: the records produced
 * at the same instant). The call's records reach the shards at its send time, each with its
 * own verdict; the failed ones of one call on one stream are resent together after one backoff,
 * as an SDK resends the failed entries of a PutRecords response. PutRecord is the call of one.
 * A call is completed by drawing ahead (arrivals up to its deadline): draws depend on nothing
 * but the producer's streams, so producing ahead changes no value.
 *
 * Per record the work is a few draws and an append: no event, no allocation. Rejected records
 * wait in a binary heap of resends ordered by (time, group, index), merged with new calls so
 * that every shard sees its writes in time order; a group is the records resent in one call.
 *
 * Fate. A record whose verdicts are all final at its first send needs no state; one with a
 * resend pending holds a fate slot (streams that accepted, lost, pending) until the last
 * stream decides; it then counts as lost (no stream took it) or as a partial publish (some
 * did, some lost it). */
#include "models/kinesis/producer.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/engine.h"
#include "sim/heap.h"
#include "sim/rng.h"

__extension__ typedef unsigned __int128 u128;

/* [doc] PutRecords: each request up to 10 MiB, partition keys included. */
#define MAX_CALL_BYTES (10.0 * 1048576.0)
#define NO_FATE        UINT32_MAX

typedef struct resend {
	sim_time t;
	uint64_t group; /* the call it is resent in */
	uint64_t index;
	uint32_t bytes;
	uint32_t key;
	uint32_t fate;     /* slot, or NO_FATE */
	uint16_t stream;   /* target number */
	uint16_t attempts; /* made so far */
} resend;

typedef struct fate {
	uint32_t accepted, lost, pending;
	uint32_t next_free;
} fate;

typedef struct pending {
	uint64_t index;
	uint32_t bytes;
	uint32_t key;
	uint32_t size; /* bytes + the key's length: what the limits count, computed once */
} pending;

/* A piece of a piecewise-linear intensity, from t0 to the next segment's t0. */
typedef struct segment {
	double t0;    /* ns */
	double rate0; /* records per ns at t0 */
	double slope; /* records per ns^2 */
	double cum0;  /* expected records before t0 */
	int64_t size; /* bytes per record in this segment (a trace row with bytes); < 0: none */
} segment;

/* A stream written to, and the group its failed records of the current call go in. */
typedef struct target {
	ks_stream *stream;
	/* key -> shard in the stream's generation in force over [gen_from, gen_until); rebuilt
	 * when a reshard or an on-demand split changes the open shard set. shard_bytes per key:
	 * 1 while the stream has at most 256 shards, 2 up to 65,536, else 4, so that a million
	 * keys' table (read at random, once per record) stays in a core's cache. Made at the
	 * first record: a model built only to list its metrics never hashes its keys. */
	void *key_shard;
	unsigned shard_bytes;
	size_t ngens_seen;
	sim_time gen_from, gen_until;
	uint64_t group_in, group_out; /* the last call that failed here, and its resend call */
	sim_time group_delay;
} target;

enum { SRC_CONST, SRC_SEGMENTS, SRC_DIURNAL };

/* Keys drawn ahead of their records (next_key): a record's key is known this many records
 * before its write looks up the key's shard, time for the cache line to arrive. */
#define KEYS_AHEAD 16
/* Key tables up to this many bytes in all are read without drawing ahead (half an L2). */
#define KEY_TABLES_CACHED (256u * 1024u)
/* From this many shards in a target, a write's shard and its log's tail are prefetched too:
 * written at random, a thousand shards' admission state and tail lines leave the cache
 * (measured: 10% of the time of bench/shards-1024.yaml; nothing at 256 or 64 shards). */
#define PREFETCH_SHARDS_FROM 512u

struct ks_producer {
	ks_ctx *ctx;
	ks_producer_config cfg;
	char *name;
	gsl_rng *arrivals, *keys, *sizes, *retries;
	uint64_t crn_seed;

	target *targets;
	size_t ntargets;
	uint32_t nkeys;
	ks_hash *key_hash; /* each key's MD5, routed to a shard by each stream's ranges */
	/* The next KEYS_AHEAD keys, drawn in advance (ring from ahead_at): see next_key. */
	uint32_t ahead[KEYS_AHEAD];
	uint32_t ahead_at;
	bool ahead_ready;
	bool look_ahead;   /* the key tables are too big for a core's cache: draw ahead */
	bool shards_ahead; /* and prefetch the shards the next writes go to */
	gsl_ran_discrete_t *zipf;
	bool size_is_const;
	uint32_t const_size;

	int source;
	double mean_gap_ns; /* SRC_CONST */
	segment *segs;      /* SRC_SEGMENTS */
	size_t nsegs, seg;
	double d_mean, d_amp, d_omega, d_peak_at, d_sin0; /* SRC_DIURNAL, per ns */
	double d_lo, d_cum_lo, d_rate_lo; /* the previous root, Lambda and lambda there */
	double cum;                       /* S of the next arrival */
	double next_ns;      /* the next arrival, fractional to keep the gaps unbiased */
	sim_time next_t;     /* next_ns rounded up: its instant */
	int64_t next_size;   /* its size when the source fixes it; < 0: drawn */
	uint32_t burst_left; /* records still due at next_ns in the current burst */
	bool dry;            /* the source has no more arrivals */
	uint64_t produced;

	pending *call; /* the open call; one slot more for a record that did not fit */
	uint32_t ncall, max_records;
	sim_time linger, call_t0, call_send;
	double call_bytes;
	bool call_ready, carry;

	uint64_t groups;
	uint64_t popped_group;
	resend *heap;
	size_t nheap, capheap;
	fate *fates;
	size_t nfates, capfates;
	uint32_t free_fate;

	double records_produced, records_lost, partial_publishes, put_calls, records_oversized;
	ks_ahead *helper; /* running on a helper thread: accepted records go through its ring */
};

/* ---- resends ------------------------------------------------------------------------------ */

static bool resend_before(const resend *a, const resend *b)
{
	if (a->t != b->t)
		return a->t < b->t;
	if (a->group != b->group)
		return a->group < b->group;
	return a->index < b->index;
}

SIM_HEAP_DEFINE(resend_heap, resend, resend_before);

/* ---- arrivals ----------------------------------------------------------------------------- */

static void push_segment(segment **segs, size_t *n, size_t *cap, double t0, double rate0,
                         double slope, int64_t size)
{
	/* A step replaces whatever was planned from its start on (a ramp it cuts short). */
	while (*n > 0 && (*segs)[*n - 1].t0 >= t0)
		(*n)--;
	sim_grow(segs, cap, *n + 1, sizeof **segs);
	(*segs)[(*n)++] = (segment){.t0 = t0, .rate0 = rate0, .slope = slope, .size = size};
}

static double rate_at(const segment *segs, size_t n, double t)
{
	for (size_t i = n; i-- > 0;)
		if (segs[i].t0 <= t)
			return segs[i].rate0 + segs[i].slope * (t - segs[i].t0);
	return 0;
}

/* [choice] a profile: rate 0 before the first step; each step ramps linearly over `ramp` from
 * the rate in effect at its `at` (the previous step's rate unless that one's ramp is cut
 * short) to its own rate, then holds it. */
static void build_profile(ks_producer *p, const ks_profile_step *steps, size_t n)
{
	size_t cap = 0;
	push_segment(&p->segs, &p->nsegs, &cap, 0, 0, 0, -1);
	for (size_t i = 0; i < n; i++) {
		double at = (double)steps[i].at, ramp = (double)steps[i].ramp;
		double to = steps[i].rate_per_s * 1e-9;
		double from = rate_at(p->segs, p->nsegs, at);
		if (ramp > 0) {
			push_segment(&p->segs, &p->nsegs, &cap, at, from, (to - from) / ramp, -1);
			push_segment(&p->segs, &p->nsegs, &cap, at + ramp, to, 0, -1);
		} else {
			push_segment(&p->segs, &p->nsegs, &cap, at, to, 0, -1);
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* A trace: each row's records arrive at a constant rate over its period, which lasts until the
 * next row (the last row: the median period); nothing after the last row. */
static void build_trace(ks_producer *p, const ks_trace *tr)
{
	size_t cap = 0;
	SIM_ASSERT(tr->n >= 2);
	double *periods = sim_malloc((tr->n - 1) * sizeof *periods);
	for (size_t i = 0; i + 1 < tr->n; i++)
		periods[i] = (double)(tr->rows[i + 1].t - tr->rows[i].t);
	qsort(periods, tr->n - 1, sizeof *periods, cmp_double);
	size_t m = tr->n - 1;
	double median = m % 2 ? periods[m / 2] : (periods[m / 2 - 1] + periods[m / 2]) / 2;
	sim_free(periods);
	for (size_t i = 0; i < tr->n; i++) {
		const ks_trace_row *r = &tr->rows[i];
		double t0 = (double)r->t;
		double period = i + 1 < tr->n ? (double)tr->rows[i + 1].t - t0 : median;
		int64_t size = -1;
		if (tr->has_bytes && r->records > 0 && r->bytes >= 0)
			size = llround(r->bytes / r->records);
		push_segment(&p->segs, &p->nsegs, &cap, t0, r->records / period, 0, size);
		if (i + 1 == tr->n)
			push_segment(&p->segs, &p->nsegs, &cap, t0 + period, 0, 0, -1);
	}
}

static void finish_segments(ks_producer *p)
{
	for (size_t i = 1; i < p->nsegs; i++) {
		const segment *g = &p->segs[i - 1];
		double len = p->segs[i].t0 - g->t0;
		p->segs[i].cum0 = g->cum0 + g->rate0 * len + g->slope * len * len / 2;
	}
}

/* The time at which the cumulative rate reaches s; s never decreases between calls. */
static double segments_inverse(ks_producer *p, double s)
{
	while (p->seg + 1 < p->nsegs && s >= p->segs[p->seg + 1].cum0)
		p->seg++;
	const segment *g = &p->segs[p->seg];
	double d = s - g->cum0, tau = 0;
	if (g->slope == 0) {
		if (g->rate0 <= 0) { /* only the last segment: the source is spent */
			p->dry = true;
			return g->t0;
		}
		tau = d / g->rate0;
	} else if (d > 0) {
		/* rate0 tau + slope tau^2 / 2 = d, in the form that does not cancel. */
		double disc = g->rate0 * g->rate0 + 2 * g->slope * d;
		tau = 2 * d / (g->rate0 + sqrt(disc > 0 ? disc : 0));
	}
	double t = g->t0 + tau;
	if (p->seg + 1 < p->nsegs && t > p->segs[p->seg + 1].t0)
		t = p->segs[p->seg + 1].t0;
	p->next_size = g->size;
	return t;
}

/* Diurnal: lambda(t) = mean + amp cos(w (t - peak_at)),
 * Lambda(t) = mean t + amp / w (sin(w (t - peak_at)) + sin(w peak_at)). */
static double diurnal_cum(const ks_producer *p, double t)
{
	return p->d_mean * t +
	       p->d_amp / p->d_omega * (sin(p->d_omega * (t - p->d_peak_at)) + p->d_sin0);
}

static double diurnal_rate(const ks_producer *p, double t)
{
	return p->d_mean + p->d_amp * cos(p->d_omega * (t - p->d_peak_at));
}

/* The root of Lambda(t) = s after the previous one (d_lo, where Lambda = d_cum_lo). */
static double diurnal_inverse(ks_producer *p, double s)
{
	double lo = p->d_lo, need = s - p->d_cum_lo;
	if (need <= 0)
		return lo;
	/* Fast path, one sine and cosine: a step at the rate of the previous arrival, then one
	 * Newton step, kept when the error it leaves, |lambda'| / (2 lambda) dt^2, is below
	 * 10^-3 ns. Gaps are tiny against the period, so it nearly always is. */
	if (p->d_rate_lo > 0) {
		double t = lo + need / p->d_rate_lo;
		double x = p->d_omega * (t - p->d_peak_at), sn = sin(x), cs = cos(x);
		double f = p->d_mean * t + p->d_amp / p->d_omega * (sn + p->d_sin0) - s;
		double r = p->d_mean + p->d_amp * cs, dr = p->d_amp * p->d_omega * fabs(sn);
		if (r > 0) {
			double dt = f / r, next = t - dt;
			if (next > lo && dr * dt * dt < 2e-3 * r) {
				p->d_lo = next;
				p->d_cum_lo = s;
				p->d_rate_lo = r;
				return next;
			}
		}
	}
	/* Safe path: Newton inside a bracket. Lambda(lo + x) - Lambda(lo) >= mean x - 2 amp / w
	 * bounds the root from above. */
	double hi = lo + (need + 2 * p->d_amp / p->d_omega) / p->d_mean;
	double t = lo + need / p->d_mean;
	for (int i = 0; i < 200 && hi - lo > 1e-3; i++) {
		double f = diurnal_cum(p, t) - s;
		if (f < 0)
			lo = t;
		else
			hi = t;
		double r = diurnal_rate(p, t);
		double next = r > 0 ? t - f / r : (lo + hi) / 2;
		if (!(next > lo && next < hi))
			next = (lo + hi) / 2;
		if (fabs(next - t) < 1e-3) {
			t = next;
			break;
		}
		t = next;
	}
	p->d_lo = t;
	p->d_cum_lo = s;
	p->d_rate_lo = diurnal_rate(p, t);
	return t;
}

/* Exp(1) by the ziggurat method (Marsaglia & Tsang 2000) on 256 layers: exact in distribution,
 * and ~98% of draws cost one 64-bit draw and a multiply, where -log1p(-U) cost a libm call per
 * record. The low 8 bits pick the layer and the top 53 the abscissa, so the two are independent
 * (Doornik 2005 points out the flaw of sharing them). */
static struct {
	double w[256], f[256];
	uint64_t k[256];
} zig;
static pthread_once_t zig_once = PTHREAD_ONCE_INIT; /* replications may run on threads (-j) */

static void zig_fill(void)
{
	const double m = 0x1.0p53, v = 3.949659822581572e-3;
	double d = 7.697117470131487, t = d;
	double q = v / exp(-d);
	zig.k[0] = (uint64_t)(d / q * m);
	zig.k[1] = 0;
	zig.w[0] = q / m;
	zig.w[255] = d / m;
	zig.f[0] = 1;
	zig.f[255] = exp(-d);
	for (int i = 254; i >= 1; i--) {
		d = -log(v / d + exp(-d));
		zig.k[i + 1] = (uint64_t)(d / t * m);
		t = d;
		zig.f[i] = exp(-d);
		zig.w[i] = d / m;
	}
}

static void zig_init(void)
{
	pthread_once(&zig_once, zig_fill);
}

/* On a generator's state (the caller may keep it in registers: put_run). */
static inline double exp1(sim_xoshiro *st)
{
	for (;;) {
		uint64_t u = sim_xoshiro_next(st);
		unsigned i = (unsigned)(u & 255);
		uint64_t j = u >> 11;
		double x = (double)j * zig.w[i];
		if (__builtin_expect(j < zig.k[i], 1))
			return x; /* inside the layer's rectangle */
		if (i == 0)       /* the tail beyond r: memoryless */
			return 7.697117470131487 - log1p(-sim_xoshiro_uniform(st));
		if (zig.f[i] + sim_xoshiro_uniform(st) * (zig.f[i - 1] - zig.f[i]) < exp(-x))
			return x;
	}
}

static bool exhausted(const ks_producer *p)
{
	return p->dry || (p->cfg.limit >= 0 && p->produced >= (uint64_t)p->cfg.limit);
}

static void draw_next_arrival(ks_producer *p)
{
	if (p->burst_left > 0) { /* the rest of a burst: same instant */
		p->burst_left--;
		return;
	}
	double step;
	if (p->cfg.burst > 1) {
		step = p->cfg.burst;
		p->burst_left = p->cfg.burst - 1;
	} else if (p->cfg.uniform_arrivals) {
		step = 1;
	} else {
		step = exp1(sim_rng_xoshiro(p->arrivals));
	}
	if (p->source == SRC_CONST) {
		p->next_ns += step * p->mean_gap_ns;
	} else {
		p->cum += step;
		p->next_ns = p->source == SRC_DIURNAL ? diurnal_inverse(p, p->cum)
		                                      : segments_inverse(p, p->cum);
	}
	/* Past ~292 years of simulated time nothing more can happen. */
	if (!(p->next_ns < 9e18)) {
		p->dry = true;
		return;
	}
	p->next_t = sim_time_ceil(p->next_ns);
}

/* ---- keys and records --------------------------------------------------------------------- */

/* Each key's MD5, once per producer, at its first record: four keys at a time, a third of the
 * instructions (a million keys: 0.98 G instructions one at a time). */
static void hash_keys(ks_producer *p)
{
	p->key_hash = sim_malloc(p->nkeys * sizeof *p->key_hash);
	uint32_t k = 0;
	for (; k + 4 <= p->nkeys; k += 4) {
		char text[4][12];
		const char *key[4];
		size_t len[4];
		for (int i = 0; i < 4; i++) {
			len[i] = ks_record_key_text(text[i], k + (uint32_t)i, p->cfg.key_count);
			key[i] = text[i];
		}
		ks_stream_key_hash4(key, len, &p->key_hash[k]);
	}
	for (; k < p->nkeys; k++) {
		char key[12];
		size_t len = ks_record_key_text(key, k, p->cfg.key_count);
		p->key_hash[k] = ks_stream_key_hash(key, len);
	}
}

/* Brings a target's key -> shard table up to time t [doc: the open shard whose hash range
 * holds the key's MD5]. */
static inline void route(ks_producer *p, target *tg, sim_time t)
{
	const ks_stream *s = tg->stream;
	if (s->ngens == tg->ngens_seen && t >= tg->gen_from && t < tg->gen_until)
		return;
	if (!p->key_hash)
		hash_keys(p);
	if (!tg->key_shard) {
		tg->shard_bytes = s->capshards <= 256 ? 1 : s->capshards <= 65536 ? 2 : 4;
		tg->key_shard = sim_malloc((size_t)p->nkeys * tg->shard_bytes);
	}
	size_t g = ks_stream_generation(s, t);
	tg->ngens_seen = s->ngens;
	/* the first generation also holds the backlog written before 0 */
	tg->gen_from = g == 0 ? INT64_MIN : s->gens[g].at;
	tg->gen_until = g + 1 < s->ngens ? s->gens[g + 1].at : SIM_TIME_MAX;
	for (uint32_t k = 0; k < p->nkeys; k++) {
		size_t shard = ks_stream_route(s, g, p->key_hash[k]);
		switch (tg->shard_bytes) {
		case 1: ((uint8_t *)tg->key_shard)[k] = (uint8_t)shard; break;
		case 2: ((uint16_t *)tg->key_shard)[k] = (uint16_t)shard; break;
		default: ((uint32_t *)tg->key_shard)[k] = (uint32_t)shard; break;
		}
	}
}

/* Key k's shard in a target's table as it is (route brings it up to a time). */
static inline size_t table_shard(const target *tg, uint32_t k)
{
	switch (tg->shard_bytes) {
	case 1: return ((const uint8_t *)tg->key_shard)[k];
	case 2: return ((const uint16_t *)tg->key_shard)[k];
	default: return ((const uint32_t *)tg->key_shard)[k];
	}
}

/* The shard of key k in a target at time t. */
static inline size_t shard_of(ks_producer *p, target *tg, sim_time t, uint32_t k)
{
	route(p, tg, t);
	return table_shard(tg, k);
}

static uint32_t draw_key(ks_producer *p)
{
	if (p->cfg.hot_key_share > 0 && sim_rng_uniform(p->keys) < p->cfg.hot_key_share)
		return p->cfg.key_count; /* the key "hot" */
	if (p->zipf)
		return (uint32_t)gsl_ran_discrete(p->keys, p->zipf);
	return (uint32_t)(((u128)sim_rng_u64(p->keys) * p->cfg.key_count) >> 64);
}

/* The bytes of key k's string, which the write limit counts: "k" and k in decimal, or "hot".
 * Computed, not looked up: a table of a million keys' lengths missed the cache at every
 * record. */
static inline uint32_t key_length(const ks_producer *p, uint32_t k)
{
	static const uint32_t pow10[10] = {1,      10,      100,      1000,      10000,
	                                   100000, 1000000, 10000000, 100000000, 1000000000};
	if (k >= p->cfg.key_count)
		return 3;
	/* "k" and the decimal digits, from the binary ones: bits x log10(2) (1233 / 4096) is the
	 * digit count or one less, which the table of powers tells. k | 1 has k's digits (a power
	 * of ten is even) and at least one bit. */
	uint32_t odd = k | 1u;
	uint32_t t = ((32u - (uint32_t)__builtin_clz(odd)) * 1233u) >> 12;
	return 1u + t + (odd >= pow10[t]);
}

/* Asks for the cache line of key k's shard in every target's key table, which its write reads
 * later: with a million keys a table is megabytes, read at random, and the wait for it was a
 * fifth of a large run. Only a hint: a reshard in between costs nothing. */
static inline void prefetch_route(const ks_producer *p, size_t ntargets, uint32_t k)
{
	for (size_t i = 0; i < ntargets; i++) {
		const target *tg = &p->targets[i];
		__builtin_prefetch((const char *)tg->key_shard + (size_t)k * tg->shard_bytes);
	}
}

/* The shard of key k in a target, as the table says now (a reshard in between costs nothing:
 * a prefetch of the wrong line is only wasted). */
static inline const ks_shard *routed_shard(const target *tg, uint32_t k)
{
	return &tg->stream->shards[table_shard(tg, k)];
}

/* Two more steps of the pipeline, on many shards: half-way (whose key table line has come by
 * then) the shard's admission state and append fields; a quarter of the way (the shard's lines
 * have come) the log's tail, where the record will go. Prefetches never fault. On a helper
 * thread only the admission state: the log's lines are the simulation thread's, and a
 * prefetch for writing would take them from it. */
static inline void prefetch_shards(const ks_producer *p, uint32_t k_half, uint32_t k_quarter)
{
	for (size_t i = 0; i < p->ntargets; i++) {
		const target *tg = &p->targets[i];
		const char *sh = (const char *)routed_shard(tg, k_half);
		__builtin_prefetch(sh, 1);
		if (p->helper)
			continue; /* the log is the other thread's: the append is not made here */
		__builtin_prefetch(sh + offsetof(ks_shard, log.tail), 1);
		const ks_log *l = &routed_shard(tg, k_quarter)->log;
		if (l->tail)
			__builtin_prefetch(l->tail + (l->end & (KS_LOG_BLOCK - 1)), 1);
	}
}

/* One step of the ring of keys drawn ahead, at position *at: returns the key drawn KEYS_AHEAD
 * records ago and puts `drawn` in its place, prefetching its route in the first ntargets
 * targets (all of them; put_run's 1, a constant, leaves no loop: it was 4% of its instructions
 * a record) and, with shards_ahead, the shards of the keys half and a quarter of the ring ahead
 * (in every target: given the constant there too, GCC laid the pipeline out so that
 * bench/shards-1024.yaml took 7% longer, with 10% fewer instructions). */
static inline uint32_t key_ahead(ks_producer *p, size_t ntargets, bool shards_ahead, uint32_t *at,
                                 uint32_t drawn)
{
	uint32_t k = p->ahead[*at];
	if (shards_ahead)
		prefetch_shards(p, p->ahead[(*at + KEYS_AHEAD / 2) % KEYS_AHEAD],
		                p->ahead[(*at + KEYS_AHEAD / 4) % KEYS_AHEAD]);
	p->ahead[*at] = drawn;
	prefetch_route(p, ntargets, drawn);
	*at = (*at + 1) % KEYS_AHEAD;
	return k;
}

/* The next record's key. Keys are drawn KEYS_AHEAD records in advance, each prefetched as it is
 * drawn; the keys stream serves nothing else, so the keys and their order are those of drawing
 * each one when its record comes. */
static inline uint32_t next_key(ks_producer *p)
{
	if (!p->ahead_ready) { /* the first record: the key tables too */
		size_t bytes = 0;
		for (size_t i = 0; i < p->ntargets; i++) {
			route(p, &p->targets[i], p->next_t);
			bytes += (size_t)p->nkeys * p->targets[i].shard_bytes;
			p->shards_ahead |= p->targets[i].stream->nshards >= PREFETCH_SHARDS_FROM;
		}
		/* Tables that fit in L2 are read from it: drawing ahead would cost more than it
		 * hides. */
		p->look_ahead = bytes > KEY_TABLES_CACHED || p->shards_ahead;
		p->ahead_ready = true;
		if (!p->look_ahead)
			return draw_key(p);
		for (uint32_t i = 0; i < KEYS_AHEAD; i++) {
			p->ahead[i] = draw_key(p);
			prefetch_route(p, p->ntargets, p->ahead[i]);
		}
	}
	if (!p->look_ahead)
		return draw_key(p);
	return key_ahead(p, p->ntargets, p->shards_ahead, &p->ahead_at, draw_key(p));
}

/* Produces the next record into r; returns its production time. */
static sim_time produce(ks_producer *p, pending *r)
{
	sim_time t = p->next_t;
	r->key = next_key(p);
	if (p->next_size >= 0)
		r->bytes = (uint32_t)p->next_size;
	else if (p->size_is_const)
		r->bytes = p->const_size;
	else
		r->bytes =
		        (uint32_t)fmax(0, llround(sim_dist_sample(&p->cfg.record_size, p->sizes)));
	r->size = r->bytes + key_length(p, r->key);
	r->index = p->produced++;
	draw_next_arrival(p);
	return t;
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

ks_producer *ks_producer_create(ks_ctx *ctx, const ks_producer_config *cfg)
{
	/* The producer, its targets and its open call on cache lines of their own: on a helper
	 * thread (kinesis/ahead.h) it writes them at every record, and a line shared with what
	 * the simulation's thread writes (a neighbour in the heap) made the helper 2.3 times
	 * slower than one thread. */
	ks_producer *p = sim_calloc_aligned(64, sizeof *p);
	p->ctx = ctx;
	p->cfg = *cfg;
	p->name = sim_strdup(cfg->name);
	p->cfg.name = p->name;
	p->cfg.record_size = sim_dist_copy(&cfg->record_size);
	p->cfg.profile = NULL;
	p->cfg.diurnal = NULL;
	p->cfg.trace = NULL;
	zig_init();
	p->arrivals = sim_rng_stream(ctx->seed, ctx->replication, cfg->name, "arrivals", -1);
	p->keys = sim_rng_stream(ctx->seed, ctx->replication, cfg->name, "keys", -1);
	p->sizes = sim_rng_stream(ctx->seed, ctx->replication, cfg->name, "sizes", -1);
	p->retries = sim_rng_stream(ctx->seed, ctx->replication, cfg->name, "retries", -1);
	p->crn_seed = sim_rng_seed(ctx->seed, ctx->replication, cfg->name, "record", -1);

	/* [doc, code: kinesis-mock] keys are k0..k<count-1>, plus "hot" when a share of the
	 * records uses one single key [choice: its own name, so it is not also a regular key];
	 * their shards are fixed per key set. */
	SIM_ASSERT(cfg->key_count >= 1);
	uint32_t nkeys = cfg->key_count + (cfg->hot_key_share > 0 ? 1 : 0);
	p->nkeys = nkeys;
	p->ntargets = cfg->streams ? cfg->nstreams : 1;
	SIM_ASSERT(p->ntargets >= 1 && p->ntargets <= UINT16_MAX);
	p->targets = sim_calloc_aligned(64, p->ntargets * sizeof *p->targets);
	for (size_t i = 0; i < p->ntargets; i++) {
		ks_stream *s = cfg->streams ? cfg->streams[i] : cfg->stream;
		p->targets[i] = (target){.stream = s};
	}
	p->cfg.streams = NULL;
	if (cfg->zipf_keys) {
		double *w = sim_malloc(cfg->key_count * sizeof *w);
		for (uint32_t k = 0; k < cfg->key_count; k++)
			w[k] = pow(k + 1.0, -cfg->zipf_s);
		p->zipf = gsl_ran_discrete_preproc(cfg->key_count, w);
		sim_free(w);
	}
	p->size_is_const = cfg->record_size.kind == SIM_DIST_CONST;
	p->const_size = (uint32_t)fmax(0, llround(cfg->record_size.a));

	p->next_size = -1;
	/* streams.X.backlog: a constant-rate producer starts that long before the run */
	p->next_ns = -(double)cfg->backlog;
	if (cfg->profile) {
		p->source = SRC_SEGMENTS;
		build_profile(p, cfg->profile, cfg->nprofile);
		finish_segments(p);
	} else if (cfg->diurnal) {
		const ks_diurnal *d = cfg->diurnal;
		p->source = SRC_DIURNAL;
		p->d_mean = (d->peak_per_s + d->trough_per_s) / 2 * 1e-9;
		p->d_amp = (d->peak_per_s - d->trough_per_s) / 2 * 1e-9;
		p->d_omega = 2 * M_PI / (double)d->period;
		p->d_peak_at = (double)d->peak_at;
		p->d_sin0 = sin(p->d_omega * p->d_peak_at);
		p->d_rate_lo = diurnal_rate(p, 0);
		p->dry = p->d_mean <= 0;
	} else if (cfg->trace) {
		p->source = SRC_SEGMENTS;
		build_trace(p, cfg->trace);
		finish_segments(p);
	} else {
		p->source = SRC_CONST;
		p->mean_gap_ns = cfg->rate_per_s > 0 ? 1e9 / cfg->rate_per_s : 0;
		p->dry = p->mean_gap_ns <= 0;
	}

	p->max_records = cfg->max_records ? cfg->max_records : 1;
	p->linger = cfg->linger;
	p->call = sim_calloc_aligned(64, (p->max_records + 1) * sizeof *p->call);
	p->free_fate = NO_FATE;
	if (!exhausted(p))
		draw_next_arrival(p);
	return p;
}

void ks_producer_destroy(ks_producer *p)
{
	if (!p)
		return;
	if (p->helper)
		ks_ahead_stop(p->helper); /* before anything it may touch goes */
	gsl_rng_free(p->arrivals);
	gsl_rng_free(p->keys);
	gsl_rng_free(p->sizes);
	gsl_rng_free(p->retries);
	if (p->zipf)
		gsl_ran_discrete_free(p->zipf);
	sim_dist_fini(&p->cfg.record_size);
	for (size_t i = 0; i < p->ntargets; i++)
		sim_free(p->targets[i].key_shard);
	sim_free(p->key_hash);
	sim_free(p->targets);
	sim_free(p->segs);
	sim_free(p->call);
	sim_free(p->heap);
	sim_free(p->fates);
	sim_free(p->name);
	sim_free(p);
}

void ks_producer_set_ahead(ks_producer *p, ks_ahead *a)
{
	p->helper = a;
}

size_t ks_producer_ntargets(const ks_producer *p)
{
	return p->ntargets;
}

ks_stream *ks_producer_target(const ks_producer *p, size_t i)
{
	return p->targets[i].stream;
}

uint64_t ks_producer_crn_seed(const ks_producer *p)
{
	return p->crn_seed;
}

/* ---- calls -------------------------------------------------------------------------------- */

/* Completes the open call (fills it from the arrivals until it is full or its linger is over)
 * and returns its send time; SIM_TIME_MAX when nothing is left to send. */
static sim_time call_due(ks_producer *p)
{
	if (p->call_ready)
		return p->call_send;
	if (p->ncall == 0) {
		if (exhausted(p))
			return SIM_TIME_MAX;
		p->call_t0 = produce(p, &p->call[0]);
		p->call_bytes = p->call[0].size;
		p->ncall = 1;
	}
	sim_time deadline = p->call_t0 + p->linger, last = p->call_t0;
	sim_time send = deadline;
	for (;;) {
		if (p->ncall == p->max_records) {
			send = last; /* full: it goes at once */
			break;
		}
		if (exhausted(p) || p->next_t > deadline)
			break;
		pending *r = &p->call[p->ncall];
		sim_time t = produce(p, r);
		double b = r->size;
		if (p->call_bytes + b > MAX_CALL_BYTES) {
			p->carry = true; /* it opens the next call */
			send = t;
			break;
		}
		p->call_bytes += b;
		p->ncall++;
		last = t;
	}
	p->call_ready = true;
	p->call_send = send;
	return send;
}

static sim_time resend_delay(ks_producer *p, uint32_t failed_attempts)
{
	/* [choice] producer retry, the AWS Java SDK v2 throttling policy [code]: exponential
	 * backoff from `base`, capped, with jitter. */
	double d = (double)p->cfg.retry_base * ldexp(1.0, (int)failed_attempts - 1);
	d = fmin(d, (double)p->cfg.retry_cap);
	switch (p->cfg.retry_jitter) {
	case KS_JITTER_NONE: break;
	case KS_JITTER_FULL: d = d * sim_rng_uniform(p->retries); break;
	case KS_JITTER_EQUAL: d = d / 2 + d / 2 * sim_rng_uniform(p->retries); break;
	}
	return (sim_time)llround(d);
}

/* One write attempt of record r on a target at t: whether the shard accepted it. Always
 * inlined: GCC kept it a call, whose register saves and reloads of the producer's fields were
 * a tenth of put_run's instructions a record. */
static inline __attribute__((always_inline)) bool write_one(ks_producer *p, target *tg, sim_time t,
                                                            const pending *r)
{
	ks_stream *s = tg->stream;
	size_t shard = shard_of(p, tg, t, r->key);
	ks_shard *sh = &s->shards[shard];
	if (ks_shard_write_admit(sh, t, r->size)) {
		ks_record rec = {.arrival = t,
		                 .id = ks_record_id(p->cfg.number, r->index),
		                 .bytes = r->bytes,
		                 .key = r->key};
		if (p->helper)
			ks_ahead_push(p->helper, &sh->log, &rec);
		else
			ks_log_append(&sh->log, rec);
		ks_stream_accepted(s, shard, t, r->bytes);
		return true;
	}
	/* [doc] every rejected attempt counts in WriteProvisionedThroughputExceeded. */
	ks_stream_note_write_throttled(s, shard, t);
	return false;
}

/* After a rejected attempt (the `attempts`-th) of call group_in: either the record is lost on
 * that stream (returns false) or it joins the resend call of its group (returns true). */
static bool schedule_resend(ks_producer *p, size_t ti, sim_time t, const pending *r,
                            uint32_t attempts, uint64_t group_in, uint32_t fate_slot)
{
	target *tg = &p->targets[ti];
	if ((int)attempts >= p->cfg.max_attempts) {
		ks_metric_add(&tg->stream->records_lost, t, shard_of(p, tg, t, r->key), 1);
		return false;
	}
	if (tg->group_in != group_in) {
		tg->group_in = group_in;
		tg->group_out = ++p->groups;
		tg->group_delay = resend_delay(p, attempts);
	}
	resend_heap_push(&p->heap, &p->nheap, &p->capheap,
	                 (resend){.t = t + tg->group_delay,
	                          .group = tg->group_out,
	                          .index = r->index,
	                          .bytes = r->bytes,
	                          .key = r->key,
	                          .fate = fate_slot,
	                          .stream = (uint16_t)ti,
	                          .attempts = (uint16_t)attempts});
	return true;
}

static void finalize(ks_producer *p, sim_time t, uint32_t accepted, uint32_t lost)
{
	if (t < p->ctx->warmup || lost == 0)
		return;
	if (accepted == 0)
		p->records_lost += 1;
	else
		p->partial_publishes += 1; /* docs/model.md "Producers" */
}

static uint32_t fate_alloc(ks_producer *p)
{
	if (p->free_fate != NO_FATE) {
		uint32_t i = p->free_fate;
		p->free_fate = p->fates[i].next_free;
		return i;
	}
	sim_grow(&p->fates, &p->capfates, p->nfates + 1, sizeof *p->fates);
	return (uint32_t)p->nfates++;
}

static void fate_settle(ks_producer *p, sim_time t, uint32_t slot, bool accepted)
{
	fate *f = &p->fates[slot];
	if (accepted)
		f->accepted++;
	else
		f->lost++;
	if (--f->pending > 0)
		return;
	finalize(p, t, f->accepted, f->lost);
	f->next_free = p->free_fate;
	p->free_fate = slot;
}

/* Sends the open call at t: every record to every stream. */
static void send_call(ks_producer *p, sim_time t)
{
	uint64_t group = ++p->groups; /* the call, as the group its failed records come from */
	if (t >= p->ctx->warmup) {
		p->put_calls += (double)p->ntargets; /* one call per stream */
		p->records_produced += p->ncall;
	}
	bool resends = p->cfg.max_attempts > 1;
	for (uint32_t i = 0; i < p->ncall; i++) {
		const pending *r = &p->call[i];
		uint32_t accepted = 0, lost = 0, waiting = 0, slot = NO_FATE;
		for (size_t k = 0; k < p->ntargets; k++) {
			/* [doc] a record over the stream's MaxRecordSize is refused [choice: by the
			 * client before it sends, as the KPL and the SDKs' validation do, so the
			 * rest of its call goes on]: lost on that stream, never retried */
			if (r->size > p->targets[k].stream->cfg.max_record_size) {
				if (t >= p->ctx->warmup)
					p->records_oversized += 1;
				lost++;
				continue;
			}
			if (write_one(p, &p->targets[k], t, r)) {
				accepted++;
				continue;
			}
			if (slot == NO_FATE && resends)
				slot = fate_alloc(p);
			if (schedule_resend(p, k, t, r, 1, group, slot))
				waiting++;
			else
				lost++;
		}
		if (waiting > 0)
			p->fates[slot] =
			        (fate){.accepted = accepted, .lost = lost, .pending = waiting};
		else
			finalize(p, t, accepted, lost);
	}
	/* A record that did not fit opens the next call, produced when this one went. */
	p->call_ready = false;
	if (p->carry) {
		p->carry = false;
		p->call[0] = p->call[p->ncall];
		p->call_t0 = t;
		p->call_bytes = p->call[0].size;
		p->ncall = 1;
	} else {
		p->ncall = 0;
	}
}

/* One resend due at t (the records of a resend call come out of the heap one after another). */
static void send_resend(ks_producer *p, sim_time t)
{
	resend r = resend_heap_pop(p->heap, &p->nheap);
	if (r.group != p->popped_group) {
		p->popped_group = r.group;
		if (t >= p->ctx->warmup)
			p->put_calls += 1;
	}
	pending rec = {.index = r.index,
	               .bytes = r.bytes,
	               .key = r.key,
	               .size = r.bytes + key_length(p, r.key)};
	if (write_one(p, &p->targets[r.stream], t, &rec)) {
		fate_settle(p, t, r.fate, true);
		return;
	}
	if (!schedule_resend(p, r.stream, t, &rec, r.attempts + 1u, r.group, r.fate))
		fate_settle(p, t, r.fate, false);
}

/* The time of the producer's next write attempt, SIM_TIME_MAX when it has none. */
static sim_time next_attempt(ks_producer *p)
{
	sim_time t = call_due(p);
	if (p->nheap > 0 && p->heap[0].t < t)
		t = p->heap[0].t;
	return t;
}

/* Performs the producer's next attempt, due at t. */
static void emit(ks_producer *p, sim_time t)
{
	/* Resends due at t go before a new call at the same instant: they are older. */
	if (p->nheap > 0 && p->heap[0].t == t)
		send_resend(p, t);
	else
		send_call(p, t);
}

/* Write attempts between two looks at the engine's interrupt flag. An attempt is one call (at
 * most max_records <= 500 records) or one resend, so a slice is at most 128 k records: some
 * 60 ms in the worst case, a shard rejecting nearly everything (2 M records/s, each rejection
 * a push on a heap of millions of resends), and at 1e8/s into one shard Ctrl-C is seen within
 * 5 ms. So an interrupt is answered quickly however many records one advance has to produce
 * (at 1e9/s, a reader's poll a second after the last asks for 1e9), for one load per slice.
 * The flag is also looked at before the first attempt, so once it is up an advance produces
 * nothing (the end of an interrupted run brings the producers up to its last instant). */
#define ATTEMPTS_PER_SLICE 256u

/* ---- the default producer in one loop ------------------------------------------------------ */

/* Whether put_run can make the producer's attempts: calls sent as soon as made (PutRecord, or
 * PutRecords with no linger), to one stream, Poisson arrivals at a constant rate, a constant
 * size, uniform keys. The default producer, and every benchmark's. */
static bool puts_in_one_loop(const ks_producer *p)
{
	return (p->max_records == 1 || p->linger == 0) && p->ntargets == 1 &&
	       p->source == SRC_CONST && p->cfg.burst <= 1 && !p->cfg.uniform_arrivals &&
	       p->size_is_const && p->next_size < 0 && !p->zipf && !(p->cfg.hot_key_share > 0) &&
	       p->cfg.limit < 0;
}

/* The producer's fields that put_run changes at every record, held in locals while it runs
 * (GCC reloads a field after every store through another pointer: the log's, a series', the
 * shard's), and stored back when it returns; put_send stores `groups` back around the one
 * call that reads it, schedule_resend. */
typedef struct put_state {
	/* read at every record and not changed by it: loaded once */
	sim_time warmup;
	uint32_t key_count, const_size, max_size;
	double mean_gap_ns;
	bool look_ahead, shards_ahead, joins;
	/* changed at every record */
	sim_xoshiro arrivals, keys;
	uint64_t produced, groups;
	uint64_t calls; /* measured calls made, one record each: put_calls and records_produced */
	double next_ns;
	sim_time next_t;
	uint32_t ahead_at;
	bool dry;
} put_state;

static inline void put_state_load(const ks_producer *p, put_state *st)
{
	*st = (put_state){.warmup = p->ctx->warmup,
	                  .key_count = p->cfg.key_count,
	                  .const_size = p->const_size,
	                  .max_size = p->targets[0].stream->cfg.max_record_size,
	                  .mean_gap_ns = p->mean_gap_ns,
	                  .look_ahead = p->look_ahead,
	                  .shards_ahead = p->shards_ahead,
	                  .joins = p->max_records > 1,
	                  .arrivals = *sim_rng_xoshiro(p->arrivals),
	                  .keys = *sim_rng_xoshiro(p->keys),
	                  .produced = p->produced,
	                  .groups = p->groups,
	                  .next_ns = p->next_ns,
	                  .next_t = p->next_t,
	                  .ahead_at = p->ahead_at,
	                  .dry = p->dry};
}

static inline void put_state_store(ks_producer *p, const put_state *st)
{
	*sim_rng_xoshiro(p->arrivals) = st->arrivals;
	*sim_rng_xoshiro(p->keys) = st->keys;
	p->produced = st->produced;
	p->groups = st->groups;
	/* whole numbers: the sum is the same as one at a time */
	p->put_calls += (double)st->calls;
	p->records_produced += (double)st->calls;
	p->next_ns = st->next_ns;
	p->next_t = st->next_t;
	p->ahead_at = st->ahead_at;
	p->dry = st->dry;
}

/* put_run's record: produce, next_key and draw_next_arrival for this kind of producer. Returns
 * the record's time. */
static inline sim_time put_produce(ks_producer *p, put_state *st, pending *r)
{
	sim_time t = st->next_t;
	uint32_t drawn = (uint32_t)(((u128)sim_xoshiro_next(&st->keys) * st->key_count) >> 64);
	uint32_t key =
	        st->look_ahead ? key_ahead(p, 1, st->shards_ahead, &st->ahead_at, drawn) : drawn;
	*r = (pending){.index = st->produced++,
	               .bytes = st->const_size,
	               .key = key,
	               .size = st->const_size + key_length(p, key)};
	st->next_ns += exp1(&st->arrivals) * st->mean_gap_ns;
	if (!(st->next_ns < 9e18)) {
		st->dry = true;
	} else {
		st->next_t = sim_time_ceil(st->next_ns);
	}
	return t;
}

/* put_run's call: record r sent alone at t to the one stream (send_call's one record).
 * Returns whether it was refused and is to be sent again (a resend was scheduled). */
static inline __attribute__((always_inline)) bool put_send(ks_producer *p, put_state *st,
                                                           sim_time t, pending r)
{
	target *tg = &p->targets[0];
	uint64_t group = ++st->groups;
	bool measured = t >= st->warmup;
	st->calls += measured;
	if (r.size > st->max_size) {
		if (measured)
			p->records_oversized += 1;
		finalize(p, t, 0, 1);
		return false;
	}
	if (write_one(p, tg, t, &r))
		return false;
	uint32_t slot = p->cfg.max_attempts > 1 ? fate_alloc(p) : NO_FATE;
	p->groups = st->groups;
	pending refused = r; /* by address, a copy: r itself stays in registers */
	bool again = schedule_resend(p, 0, t, &refused, 1, group, slot);
	st->groups = p->groups;
	if (again)
		p->fates[slot] = (fate){.pending = 1};
	else
		finalize(p, t, 0, 1);
	return again;
}

/* Makes up to `most` attempts due by now, each the call of one new record, which goes at once;
 * the last record, after now, is produced and held in the open call, as call_due holds it (the
 * next advance sends it first). Stops before anything else, for the general path: a resend due
 * first, the end of the arrivals, a record that the next one joins in its call (two at the
 * same instant with no linger: the call is handed over open). The same draws, values and order
 * as next_attempt and emit with call_due, send_call, produce, next_key, draw_key and
 * draw_next_arrival on such a producer, in one function with its state in registers (a
 * put_state): some 280 instructions a record (bench-c; the producer was some 520 a record,
 * most of a run with few readers). Returns true when the advance is done; *made: the attempts
 * made. */
static bool put_run(ks_producer *p, sim_time now, uint32_t most, uint32_t *made)
{
	sim_time resend_at = p->nheap > 0 ? p->heap[0].t : SIM_TIME_MAX;
	uint32_t sent = 0;
	*made = 0;
	if (p->call_ready) { /* the record held by the last advance, alone in its call */
		if (p->ncall != 1 || resend_at <= p->call_send)
			return false;
		if (p->call_send > now)
			return true;
	} else if (p->ncall != 0) {
		return false;
	}
	put_state st;
	put_state_load(p, &st);
	if (p->call_ready) {
		if (put_send(p, &st, p->call_send, p->call[0]))
			resend_at = p->heap[0].t;
		p->call_ready = false;
		p->ncall = 0;
		sent++;
	}
	bool done = false;
	while (sent < most && !st.dry && st.next_t < resend_at) {
		pending r;
		sim_time t = put_produce(p, &st, &r);
		bool joined = st.joins && !st.dry && st.next_t <= t;
		/* joined: left open for call_due to go on with; after now: held as it holds it */
		if (joined || t > now) {
			p->call[0] = r;
			p->call_t0 = t;
			p->call_bytes = r.size;
			p->ncall = 1;
			p->call_ready = !joined;
			p->call_send = t;
			done = !joined;
			break;
		}
		if (put_send(p, &st, t, r))
			resend_at = p->heap[0].t;
		sent++;
	}
	put_state_store(p, &st);
	*made = sent;
	return done;
}

void ks_producers_advance(ks_producer **producers, size_t n, sim_time now)
{
	if (n == 0)
		return;
	const sim_engine *e = producers[0]->ctx->engine;
	if (n == 1) {
		ks_producer *p = producers[0];
		bool one_loop = puts_in_one_loop(p);
		for (uint32_t k = 0;; k++) {
			/* Interrupted: the run is ending, its loop stops before the next event. */
			if (k % ATTEMPTS_PER_SLICE == 0 && sim_engine_interrupted(e))
				return;
			if (one_loop && p->ahead_ready) {
				uint32_t made;
				if (put_run(p, now, ATTEMPTS_PER_SLICE - k % ATTEMPTS_PER_SLICE,
				            &made))
					return;
				if (made > 0) {
					k += made - 1;
					continue;
				}
			}
			sim_time t = next_attempt(p);
			if (t > now)
				return;
			emit(p, t);
		}
	}
	/* Several producers: merge their attempts by time (ties by producer order), so each shard
	 * sees its writes in time order. */
	for (uint32_t k = 0;; k++) {
		if (k % ATTEMPTS_PER_SLICE == 0 && sim_engine_interrupted(e))
			return;
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

void ks_producer_summarize(const ks_producer *p)
{
	const ks_summary_row rows[] = {
	        {"records_produced", p->records_produced, "count"},
	        {"records_lost", p->records_lost, "count"},
	        {"records_oversized", p->records_oversized, "count"},
	        {"partial_publishes", p->partial_publishes, "count"},
	        {"put_calls", p->put_calls, "count"},
	};
	ks_summary_rows(p->ctx, p->name, rows, sizeof rows / sizeof rows[0]);
}
