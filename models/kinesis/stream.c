/* A stream: shards, key -> shard mapping (MD5 hash ranges), per-shard metrics. */
#include "models/kinesis/stream.h"

#include <math.h>
#include <md5.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/md5x4.h"

#define SHARD_IDS "shard ids, the column dimension of the per-shard series"

static void metric_init(ks_stream *s, ks_metric *m, sim_series_kind kind, const char *name,
                        const char *units, const char *description)
{
	char *group = sim_asprintf("streams/%s", s->name);
	ks_metric_init(m, s->ctx, group, name, kind, s->nshards, units, description, "shard");
	sim_free(group);
}

static ks_hash range_size(size_t n)
{
	/* floor(2^128 / n) computed as floor((2^128 - 1) / n), one more when n divides 2^128 */
	ks_hash size = (~(ks_hash)0) / n;
	if ((~(ks_hash)0) % n == (ks_hash)n - 1)
		size += 1;
	return size;
}

/* Opens n shards of equal ranges at time `at`, closing the previous generation's, whose
 * overlapping shards become the new ones' parents [doc: UpdateShardCount, uniform scaling]. */
/* Row `index` of the shard_lifetimes table, from the shard's open_at and close_at. */
static void note_lifetime(ks_stream *s, size_t index)
{
	const ks_shard *sh = &s->shards[index];
	double *row = &s->lifetimes[3 * index];
	row[0] = (double)index;
	row[1] = sim_time_to_s(sh->open_at);
	row[2] = sh->close_at == SIM_TIME_MAX ? INFINITY : sim_time_to_s(sh->close_at);
	if (s->nlifetimes < index + 1)
		s->nlifetimes = index + 1;
}

static void open_generation(ks_stream *s, sim_time at, size_t n, const ks_stream_config *cfg)
{
	struct ks_generation *prev = s->ngens ? &s->gens[s->ngens - 1] : NULL;
	s->gens = sim_reallocarray(s->gens, s->ngens + 1, sizeof *s->gens);
	struct ks_generation *g = &s->gens[s->ngens++];
	prev = s->ngens > 1 ? &s->gens[s->ngens - 2] : NULL;
	*g = (struct ks_generation){.at = at, .open = sim_calloc(n, sizeof(size_t)), .n = n};
	ks_hash size = n > 1 ? range_size(n) : 0;
	for (size_t j = 0; j < n; j++) {
		size_t index = s->nshards++;
		ks_shard *sh = &s->shards[index];
		ks_shard_init(sh, s, index, cfg->retention, &s->records_expired, &cfg->write,
		              &cfg->read);
		sh->open_at = at;
		sh->lo = n > 1 ? size * j : 0;
		sh->hi = (n == 1 || j == n - 1) ? ~(ks_hash)0 : size * (j + 1) - 1;
		g->open[j] = index;
		for (size_t k = 0; prev && k < prev->n; k++) {
			ks_shard *parent = &s->shards[prev->open[k]];
			if (parent->lo <= sh->hi && sh->lo <= parent->hi) {
				sh->parents = sim_reallocarray(sh->parents, sh->nparents + 1,
				                               sizeof *sh->parents);
				sh->parents[sh->nparents++] = parent->index;
			}
		}
	}
	for (size_t k = 0; prev && k < prev->n; k++)
		s->shards[prev->open[k]].close_at = at;
	for (size_t i = 0; i < s->nshards; i++)
		note_lifetime(s, i);
}

ks_stream *ks_stream_create(ks_ctx *ctx, const ks_stream_config *cfg)
{
	ks_stream *s = sim_calloc(1, sizeof *s);
	s->name = sim_strdup(cfg->name);
	s->ctx = ctx;
	s->retention = cfg->retention;
	s->put_to_readable = cfg->put_to_readable;
	s->cfg = *cfg;
	s->cfg.name = s->name;
	s->cfg.reshards = NULL;
	/* Every scheduled shard of the run is made now, and an on-demand stream reserves room
	 * for its splits, so the array never moves. */
	size_t total = cfg->shards;
	for (size_t i = 0; i < cfg->nreshards; i++)
		total += cfg->reshards[i].shards;
	if (cfg->on_demand && cfg->max_shards > total)
		total = cfg->max_shards;
	s->capshards = total;
	s->shards = sim_calloc_aligned(64, total * sizeof *s->shards); /* see ks_shard.log */
	s->lifetimes = sim_calloc(3 * (total ? total : 1), sizeof *s->lifetimes);
	open_generation(s, 0, cfg->shards, cfg);
	for (size_t i = 0; i < cfg->nreshards; i++)
		if (cfg->reshards[i].at < ctx->stop)
			open_generation(s, cfg->reshards[i].at, cfg->reshards[i].shards, cfg);
	const char **ids = sim_calloc(s->nshards, sizeof *ids);
	for (size_t i = 0; i < s->nshards; i++)
		ids[i] = s->shards[i].id;
	char *group = sim_asprintf("streams/%s", s->name);
	sim_metrics_set_labels(ctx->metrics, group, "shard", ids, s->nshards, SHARD_IDS);
	/* shards: open at the start; the shard scale also lists those a reshard opens later. */
	sim_metrics_set_attr_int(ctx->metrics, group, "shards", (int64_t)cfg->shards);
	sim_metrics_add_table(ctx->metrics, group, "shard_lifetimes", "shard,open_s,close_s", 3,
	                      &s->lifetimes, &s->nlifetimes,
	                      "when each shard took writes: [open_s, close_s), close_s +inf while "
	                      "open (shard: column of the per-shard series)");
	sim_free(group);
	sim_free(ids);

	metric_init(s, &s->incoming_records, SIM_SERIES_SUM, "incoming_records", "count",
	            "records accepted by the shard");
	metric_init(s, &s->incoming_bytes, SIM_SERIES_SUM, "incoming_bytes", "B",
	            "data bytes accepted by the shard");
	metric_init(s, &s->write_throttled, SIM_SERIES_SUM, "write_throttled", "count",
	            "write attempts rejected by the write limit "
	            "(WriteProvisionedThroughputExceeded; each resend counts)");
	metric_init(s, &s->records_lost, SIM_SERIES_SUM, "records_lost", "count",
	            "records never accepted after all resends");
	metric_init(s, &s->read_calls, SIM_SERIES_SUM, "read_calls", "count",
	            "GetRecords calls, admitted and throttled");
	metric_init(s, &s->read_throttled, SIM_SERIES_SUM, "read_throttled", "count",
	            "GetRecords calls throttled (ReadProvisionedThroughputExceeded)");
	metric_init(s, &s->iterator_age_max_ms, SIM_SERIES_MAX, "iterator_age_max_ms", "ms",
	            "maximum GetRecords.IteratorAgeMilliseconds over the consumers' calls");
	metric_init(s, &s->records_expired, SIM_SERIES_SUM, "records_expired", "count",
	            "records that aged out of retention before some consumer processed them");
	return s;
}

/* The per-shard metrics, by number; NULL past the last. */
static ks_metric *stream_metrics(ks_stream *s, size_t i)
{
	ks_metric *all[] = {&s->incoming_records,    &s->incoming_bytes, &s->write_throttled,
	                    &s->records_lost,        &s->read_calls,     &s->read_throttled,
	                    &s->iterator_age_max_ms, &s->records_expired};
	return i < sizeof all / sizeof all[0] ? all[i] : NULL;
}

void ks_stream_destroy(ks_stream *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nshards; i++)
		ks_shard_fini(&s->shards[i]);
	sim_free(s->shards);
	sim_free(s->lifetimes);
	for (size_t g = 0; g < s->ngens; g++)
		sim_free(s->gens[g].open);
	sim_free(s->gens);
	sim_free(s->readers);
	for (size_t i = 0; stream_metrics(s, i); i++)
		ks_metric_fini(stream_metrics(s, i));
	sim_free(s->name);
	sim_free(s);
}

/* An MD5 digest as a 128-bit big-endian number (stream.h): four big-endian words (a load and a
 * byte swap each). */
static ks_hash number_of(const uint8_t digest[16])
{
	ks_hash h = 0;
	for (int w = 0; w < 16; w += 4) {
		const uint8_t *d = &digest[w];
		h = (h << 32) | ((uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 |
		                 (uint32_t)d[3]);
	}
	return h;
}

ks_hash ks_stream_key_hash(const char *key, size_t len)
{
	uint8_t digest[16];
	if (len <= MD5_BLOCK_LENGTH - 9) {
		/* One block, padded here (the key, 0x80, zeros, the bit length in little-endian):
		 * MD5Update and MD5Final's copying and padding cost half as much as the transform,
		 * and a producer hashes each of up to 10^7 keys. */
		uint8_t block[MD5_BLOCK_LENGTH] = {0};
		memcpy(block, key, len);
		block[len] = 0x80;
		uint64_t bits = (uint64_t)len * 8;
		for (int i = 0; i < 8; i++)
			block[MD5_BLOCK_LENGTH - 8 + i] = (uint8_t)(bits >> (8 * i));
		uint32_t state[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
		MD5Transform(state, block);
		for (int i = 0; i < 16; i++)
			digest[i] = (uint8_t)(state[i / 4] >> (8 * (i % 4)));
	} else {
		MD5_CTX md5;
		MD5Init(&md5);
		MD5Update(&md5, (const unsigned char *)key, len);
		MD5Final(digest, &md5);
	}
	return number_of(digest);
}

void ks_stream_key_hash4(const char *const key[4], const size_t len[4], ks_hash hash[4])
{
	uint8_t digest[4][16];
	sim_md5x4(key, len, digest);
	for (int i = 0; i < 4; i++)
		hash[i] = number_of(digest[i]);
}

size_t ks_stream_shard_for_key(size_t nshards, const char *key, size_t len)
{
	if (nshards <= 1)
		return 0;
	ks_hash shard = ks_stream_key_hash(key, len) / range_size(nshards);
	return shard >= nshards ? nshards - 1 : (size_t)shard;
}

size_t ks_stream_generation(const ks_stream *s, sim_time t)
{
	size_t g = 0;
	while (g + 1 < s->ngens && s->gens[g + 1].at <= t)
		g++;
	return g;
}

size_t ks_stream_route(const ks_stream *s, size_t g, ks_hash hash)
{
	const struct ks_generation *gen = &s->gens[g];
	size_t lo = 0, hi = gen->n - 1;
	while (lo < hi) { /* the first open shard whose range ends at or after hash */
		size_t mid = lo + (hi - lo) / 2;
		if (s->shards[gen->open[mid]].hi < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	return gen->open[lo];
}

void ks_stream_add_readers(ks_stream *s, struct ks_readers *set)
{
	s->readers = sim_reallocarray(s->readers, s->nreaders + 1, sizeof *s->readers);
	s->readers[s->nreaders++] = set;
}

/* A new shard during the run: initialised, with a column in every per-shard series. */
static ks_shard *make_shard(ks_stream *s, sim_time at, ks_hash lo, ks_hash hi, size_t parent)
{
	size_t index = s->nshards++;
	ks_shard *sh = &s->shards[index];
	ks_shard_init(sh, s, index, s->retention, &s->records_expired, &s->cfg.write, &s->cfg.read);
	sh->open_at = at;
	sh->lo = lo;
	sh->hi = hi;
	sh->parents = sim_calloc(1, sizeof *sh->parents);
	sh->parents[0] = parent;
	sh->nparents = 1;
	note_lifetime(s, index);
	for (size_t i = 0; stream_metrics(s, i); i++)
		sim_series_add_column(stream_metrics(s, i)->series);
	char *group = sim_asprintf("streams/%s", s->name);
	sim_metrics_add_label(s->ctx->metrics, group, "shard", sh->id, SHARD_IDS);
	sim_free(group);
	return sh;
}

/* On-demand: split a hot shard in two halves of its hash range at time `at` (stream.h: the
 * [doc] stream-level rule, the [choice] per-shard mechanism). */
static void split(ks_stream *s, size_t parent, sim_time at)
{
	if (s->nshards + 2 > s->capshards)
		return; /* at the stream's limit: the shard stays hot (and throttles) */
	struct ks_generation *last = &s->gens[s->ngens - 1];
	if (last->at != at) { /* a new generation: the previous open set, to be edited */
		s->gens = sim_reallocarray(s->gens, s->ngens + 1, sizeof *s->gens);
		struct ks_generation *prev = &s->gens[s->ngens - 1];
		struct ks_generation *g = &s->gens[s->ngens++];
		*g = (struct ks_generation){
		        .at = at, .open = sim_calloc(prev->n + 1, sizeof(size_t)), .n = prev->n};
		for (size_t i = 0; i < prev->n; i++)
			g->open[i] = prev->open[i];
		last = g;
	} else {
		last->open = sim_reallocarray(last->open, last->n + 1, sizeof *last->open);
	}
	ks_shard *p = &s->shards[parent];
	ks_hash mid = p->lo + (p->hi - p->lo) / 2;
	p->splitting = true;
	p->close_at = at;
	note_lifetime(s, parent);
	size_t a = make_shard(s, at, p->lo, mid, parent)->index;
	size_t b = make_shard(s, at, mid + 1, p->hi, parent)->index;
	/* the open list stays sorted by range: the two halves take the parent's place */
	size_t k = 0;
	while (last->open[k] != parent)
		k++;
	for (size_t i = last->n; i > k + 1; i--)
		last->open[i] = last->open[i - 1];
	last->open[k] = a;
	last->open[k + 1] = b;
	last->n++;
	for (size_t i = 0; i < s->nreaders; i++)
		ks_readers_open_shard(s->readers[i], a);
	for (size_t i = 0; i < s->nreaders; i++)
		ks_readers_open_shard(s->readers[i], b);
}

void ks_stream_watch_rate(ks_stream *s, size_t shard, sim_time t, uint32_t bytes)
{
	/* Measured per calendar minute: a minute over the threshold plans a split, which takes
	 * effect split_after the minute it was seen in. */
	ks_shard *sh = &s->shards[shard];
	int64_t minute = t / SIM_MIN;
	if (minute != sh->rate_minute) {
		sh->rate_minute = minute;
		sh->rate_bytes = 0;
	}
	sh->rate_bytes += bytes;
	if (!sh->splitting && sh->rate_bytes > s->cfg.split_bytes_per_s * 60) {
		sim_time at = minute * SIM_MIN + s->cfg.split_after;
		if (at < s->ctx->stop)
			split(s, shard, at);
		else
			sh->splitting = true; /* too late to matter in this run */
	}
}

void ks_stream_expire(ks_stream *s, sim_time now)
{
	for (size_t i = 0; i < s->nshards; i++)
		ks_log_expire(&s->shards[i].log, now);
}

void ks_stream_note_write_throttled(ks_stream *s, size_t shard, sim_time t)
{
	ks_metric_add(&s->write_throttled, t, shard, 1);
	if (t >= s->ctx->warmup && s->shards[shard].write_refused_bytes)
		s->write_throttled_bytes += 1;
}

void ks_stream_note_read(ks_stream *s, size_t shard, sim_time t, bool admitted,
                         sim_time iterator_age)
{
	ks_metric_add(&s->read_calls, t, shard, 1);
	if (!admitted) {
		ks_metric_add(&s->read_throttled, t, shard, 1);
		if (t >= s->ctx->warmup && s->shards[shard].reads.refused_bytes)
			s->read_throttled_bytes += 1;
		return;
	}
	ks_metric_max(&s->iterator_age_max_ms, t, shard, (double)iterator_age / 1e6);
}

double ks_stream_shard_open_hours(const ks_stream *s, size_t i)
{
	const ks_shard *sh = &s->shards[i];
	sim_time from = sh->open_at > s->ctx->warmup ? sh->open_at : s->ctx->warmup;
	sim_time to = sh->close_at < s->ctx->stop ? sh->close_at : s->ctx->stop;
	return to > from ? (double)(to - from) / (double)SIM_HOUR : 0;
}

double ks_stream_shard_hours(const ks_stream *s)
{
	double hours = 0;
	for (size_t i = 0; i < s->nshards; i++)
		hours += ks_stream_shard_open_hours(s, i);
	return hours;
}

void ks_stream_summarize(const ks_stream *s)
{
	/* Per shard per minute: over the shard-minutes open in the measured period. */
	double shard_minutes = ks_stream_shard_hours(s) * 60;
	/* Shards open at the end, and on average over the measured period: an on-demand stream
	 * grows its own. */
	double open_at_end = 0;
	for (size_t i = 0; i < s->nshards; i++)
		if (s->shards[i].open_at < s->ctx->stop && s->shards[i].close_at >= s->ctx->stop)
			open_at_end += 1;
	double measured_minutes = (double)(s->ctx->stop - s->ctx->warmup) / (double)SIM_MIN;
	const ks_summary_row rows[] = {
	        {"shards", open_at_end, "count"},
	        {"shards.mean", measured_minutes > 0 ? shard_minutes / measured_minutes : NAN,
	         "count"},
	        {"incoming_records", s->incoming_records.total, "count"},
	        {"incoming_bytes", s->incoming_bytes.total, "B"},
	        {"write_throttled", s->write_throttled.total, "count"},
	        {"write_throttled.by_bytes", s->write_throttled_bytes, "count"},
	        {"records_lost", s->records_lost.total, "count"},
	        {"read_calls", s->read_calls.total, "count"},
	        {"read_bytes", s->bytes_out, "B"},
	        {"read_throttled", s->read_throttled.total, "count"},
	        {"read_throttled.by_bytes", s->read_throttled_bytes, "count"},
	        {"read_throttled.per_shard_per_minute",
	         shard_minutes > 0 ? s->read_throttled.total / shard_minutes : 0, "1/min"},
	        {"records_expired", s->records_expired.total, "count"},
	        /* NaN: no GetRecords call admitted (enhanced fan-out readers only, or none) */
	        {"getrecords_iterator_age.max",
	         s->read_calls.total > s->read_throttled.total ? s->iterator_age_max_ms.total / 1e3
	                                                       : NAN,
	         "s"},
	        {"backlog_records", s->backlog_records, "count"},
	};
	ks_summary_rows(s->ctx, s->name, rows, sizeof rows / sizeof rows[0]);
}

/* Re-publishes r on stream s at now through the write limit of the shard its key routes to. */
static void republish(void *obj, sim_time now, const ks_record *r)
{
	ks_stream *s = obj;
	if (now >= s->ctx->stop)
		return;
	/* the producers first, so that the shards see writes in time order */
	ks_ctx_advance(s->ctx, now);
	uint32_t producer = ks_record_producer(r);
	SIM_ASSERT(s->key_count && producer < s->nproducers);
	char key[12];
	uint32_t k = ks_record_key(r);
	size_t len = ks_record_key_text(key, k, s->key_count[producer]);
	ks_hash hash = ks_stream_key_hash(key, len);
	size_t shard = ks_stream_route(s, ks_stream_generation(s, now), hash);
	ks_shard *sh = &s->shards[shard];
	if (!ks_shard_write_admit(sh, now, r->bytes + (uint32_t)len)) {
		/* [choice] no retry: the forwarder's write is rejected and the record is lost */
		ks_stream_note_write_throttled(s, shard, now);
		ks_metric_add(&s->records_lost, now, shard, 1);
		return;
	}
	ks_record copy = *r;
	copy.arrival = now;
	copy.key = k; /* [doc] a stream is not in Lambda's recursion detection: no hops */
	ks_log_append(&sh->log, copy);
	ks_stream_accepted(s, shard, now, r->bytes);
}

static const ks_sink_ops sink_ops = {.record = republish};

ks_sink ks_stream_sink(ks_stream *s)
{
	return (ks_sink){&sink_ops, s};
}
