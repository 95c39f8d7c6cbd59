/* A Kinesis data stream: its shards, the partition-key -> shard mapping, and its metrics. */
#ifndef KS_STREAM_H
#define KS_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "models/core/context.h"
#include "models/core/metric.h"
#include "models/core/sink.h"
#include "models/kinesis/efo.h"
#include "models/kinesis/shard.h"
#include "sim/dist.h"

/* An UpdateShardCount call during the run. */
typedef struct ks_reshard {
	sim_time at;
	size_t shards;
} ks_reshard;

typedef struct ks_stream_config {
	const char *name;
	size_t shards;
	const ks_reshard *reshards; /* in time order */
	size_t nreshards;
	sim_time retention;
	double max_record_size;   /* [doc] bytes of data and partition key a record may hold */
	sim_time backlog;         /* its producers start this long before the run, nobody reading */
	sim_time put_to_readable; /* [choice] platform.kinesis.put_to_readable */
	ks_write_limiter_config write;
	ks_read_limiter_config read;
	/* On-demand capacity mode: [doc] starts with 4 MiB/s of write capacity and accommodates up
	 * to twice the previous peak, scaling to a new peak within 15 minutes (traffic that more
	 * than doubles within them is throttled). [choice] The mechanism: a shard whose incoming
	 * rate passes 500 KiB/s (half its write limit) splits in two after split_after, so a
	 * stream settles at twice its peak on every shard, and a single hot key stays limited to
	 * one shard's 1 MiB/s. */
	bool on_demand;
	bool advantage;           /* [doc] On-demand Advantage (an account-level mode) */
	double split_bytes_per_s; /* 500 KB/s (AWS's KB: KiB) */
	sim_time split_after;     /* [choice] platform.kinesis.on_demand_split_after */
	size_t max_shards;        /* [choice] the most shards an on-demand stream grows to */
	/* How its shards are read (core/reader.h): the response time of a GetRecords call and
	 * enhanced fan-out's push (platform.kinesis); borrowed, they outlive the stream. */
	const sim_dist *getrecords_latency;
	ks_efo_config efo;
} ks_stream_config;

struct ks_readers;

typedef struct ks_stream {
	char *name;
	ks_ctx *ctx;
	sim_time retention, put_to_readable;
	size_t nshards; /* every shard of the run, open or not yet or closed; their array never
	                 * moves (on-demand streams reserve max_shards), so pointers stay valid */
	ks_shard *shards;
	size_t capshards;
	/* shard_lifetimes, the output's table: a row (shard, open_s, close_s) per shard, close_s
	 * +inf while open; kept current as shards open and close */
	double *lifetimes;
	size_t nlifetimes;
	ks_stream_config cfg;        /* limits for shards made later */
	struct ks_readers **readers; /* its subscribers' reader sets, told of every new shard */
	size_t nreaders;
	/* Partition keys of the records' producers, to route a re-published record: producer
	 * number i has keys k0..k<key_count[i]-1>, and key number key_count[i] is "hot"
	 * (producer.c). Borrowed; set before a re-publish can happen. */
	const uint32_t *key_count;
	size_t nproducers;
	/* Generations of the open shard set: generation g is in force from gens[g].at; its open
	 * shards are listed by ascending hash range. */
	struct ks_generation {
		sim_time at;
		size_t *open;
		size_t n;
	} * gens;
	size_t ngens;
	/* Per-shard series (docs/output.md) with their measured totals. */
	ks_metric incoming_records, incoming_bytes, write_throttled, records_lost, read_calls,
	        read_throttled, iterator_age_max_ms, records_expired;
	/* Which limit refused, measured period: the summary names the binding one. */
	double write_throttled_bytes, read_throttled_bytes;
	double put_payload_units;   /* [doc] 25 KB units of accepted records, measured period */
	double backlog_records;     /* accepted before the run started (streams.X.backlog) */
	double bytes_in, bytes_out; /* accepted and returned by GetRecords, measured period */
	/* [doc] on-demand data in and out is billed per record rounded up to 1 KiB: the bytes
	 * billed, measured period (on-demand streams only) */
	double billed_in, billed_out;
} ks_stream;

/* [doc] An on-demand record's billed size: rounded up to 1 KiB. */
static inline double ks_on_demand_billed_bytes(uint32_t bytes)
{
	return bytes == 0 ? 1024.0 : (double)(((uint64_t)bytes + 1023) / 1024 * 1024);
}

ks_stream *ks_stream_create(ks_ctx *ctx, const ks_stream_config *cfg);
void ks_stream_destroy(ks_stream *s);

/* [doc] MD5 of the key as a 128-bit big-endian number. */
ks_hash ks_stream_key_hash(const char *key, size_t len);
/* The same for four keys at once (sim/md5x4.h), each of at most SIM_MD5X4_MAX_LEN bytes. */
void ks_stream_key_hash4(const char *const key[4], const size_t len[4], ks_hash hash[4]);
/* [doc] N shards split [0, 2^128) into equal ranges of floor(2^128 / N), the last taking the
 * remainder: the shard (0..N-1) of a key in a stream of N shards. */
size_t ks_stream_shard_for_key(size_t nshards, const char *key, size_t len);

/* On-demand mode: a record of `bytes` accepted at t on a shard counts in its incoming rate,
 * which may plan a split (which makes shards and calls the listener). */
void ks_stream_watch_rate(ks_stream *s, size_t shard, sim_time t, uint32_t bytes);

/* A record was accepted at t on a shard: counts it and, in on-demand mode, watches the
 * shard's incoming rate. Inline: the producers call it once per record. */
static inline void ks_stream_accepted(ks_stream *s, size_t shard, sim_time t, uint32_t bytes)
{
	if (t < 0) { /* the backlog: before the run, in no series */
		s->backlog_records += 1;
		return;
	}
	ks_metric_add(&s->incoming_records, t, shard, 1);
	ks_metric_add(&s->incoming_bytes, t, shard, bytes);
	/* [doc] PUT payload units: 25 KB per record, rounded up. */
	if (t >= s->ctx->warmup) {
		/* most records are one unit: no division for them */
		s->put_payload_units += bytes <= 25600 ? 1 : (bytes + 25599) / 25600;
		s->bytes_in += bytes;
		if (s->cfg.on_demand)
			s->billed_in += ks_on_demand_billed_bytes(bytes);
	}
	if (s->cfg.on_demand)
		ks_stream_watch_rate(s, shard, t, bytes);
}

/* A subscriber's reader set (kinesis/reader.c): told of every shard the stream opens later
 * (ks_readers_open_shard), after the shard's series columns exist. */
void ks_stream_add_readers(ks_stream *s, struct ks_readers *set);
void ks_readers_open_shard(struct ks_readers *set, size_t shard);

/* The generation in force at t. */
size_t ks_stream_generation(const ks_stream *s, sim_time t);
/* The open shard of generation g whose range holds hash (an index into s->shards). */
size_t ks_stream_route(const ks_stream *s, size_t g, ks_hash hash);

/* The stream as a destination (the fan-out layer's `{stream: ...}`): each record is
 * re-published through the write limit of the shard its key routes to, with the record's
 * producer index and key (so its uniforms and routing follow it); a rejected record is lost
 * (the stream's write_throttled and records_lost). [choice] The new stream's record is accepted
 * at the re-publish instant, and its consumers measure latency from then: the record does not
 * carry its first acceptance. Nothing is re-published at or after the stop time. */
ks_sink ks_stream_sink(ks_stream *s);

/* Expires records of every shard at now (the run's end calls it with the stop time). */
void ks_stream_expire(ks_stream *s, sim_time now);

/* A write refused by a shard's write limit: counts it, and which limit refused. */
void ks_stream_note_write_throttled(ks_stream *s, size_t shard, sim_time t);
/* A GetRecords call on a shard: counts it, and when admitted its iterator age. */
void ks_stream_note_read(ks_stream *s, size_t shard, sim_time t, bool admitted,
                         sim_time iterator_age);

/* Hours shard i is open in the measured period; their sum over the shards (what a provisioned
 * stream is billed for). */
double ks_stream_shard_open_hours(const ks_stream *s, size_t i);
double ks_stream_shard_hours(const ks_stream *s);

/* Writes the stream's summary values into the registry. */
void ks_stream_summarize(const ks_stream *s);

#endif
