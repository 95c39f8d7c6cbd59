/* A stream: shards, key -> shard mapping (MD5 hash ranges), per-shard metrics. */
#include "models/stream.h"

#include <md5.h>
#include <string.h>

#include "sim/alloc.h"

__extension__ typedef unsigned __int128 u128;

static void metric_init(ks_stream *s, ks_metric *m, sim_series_kind kind, const char *name,
                        const char *units, const char *description)
{
	char *group = sim_asprintf("streams/%s", s->name);
	ks_metric_init(m, s->ctx, group, name, kind, s->nshards, units, description, "shard");
	sim_free(group);
}

ks_stream *ks_stream_create(ks_ctx *ctx, const ks_stream_config *cfg)
{
	ks_stream *s = sim_calloc(1, sizeof *s);
	s->name = sim_strdup(cfg->name);
	s->ctx = ctx;
	s->retention = cfg->retention;
	s->put_to_readable = cfg->put_to_readable;
	s->nshards = cfg->shards;
	s->shards = sim_calloc(cfg->shards, sizeof *s->shards);
	const char **ids = sim_calloc(cfg->shards, sizeof *ids);
	for (size_t i = 0; i < cfg->shards; i++) {
		ks_shard_init(&s->shards[i], s, i, &cfg->write, &cfg->read);
		ids[i] = s->shards[i].id;
	}
	char *group = sim_asprintf("streams/%s", s->name);
	sim_metrics_set_labels(ctx->metrics, group, "shard", ids, cfg->shards,
	                       "shard ids, the column dimension of the per-shard series");
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

void ks_stream_destroy(ks_stream *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nshards; i++)
		ks_shard_fini(&s->shards[i]);
	sim_free(s->shards);
	ks_metric *metrics[] = {&s->incoming_records, &s->incoming_bytes,   &s->write_throttled,
	                        &s->records_lost,     &s->read_calls,       &s->read_throttled,
	                        &s->iterator_age_max_ms, &s->records_expired};
	for (size_t i = 0; i < sizeof metrics / sizeof metrics[0]; i++)
		ks_metric_fini(metrics[i]);
	sim_free(s->name);
	sim_free(s);
}

size_t ks_stream_shard_for_key(size_t nshards, const char *key, size_t len)
{
	if (nshards <= 1)
		return 0;
	MD5_CTX md5;
	unsigned char digest[16];
	MD5Init(&md5);
	MD5Update(&md5, (const unsigned char *)key, len);
	MD5Final(digest, &md5);
	u128 h = 0;
	for (int i = 0; i < 16; i++)
		h = (h << 8) | digest[i];
	/* floor(2^128 / N) computed as floor((2^128 - 1) / N), equal unless N divides 2^128,
	 * where the remainder adjustment below covers it. */
	u128 size = (~(u128)0) / nshards;
	if ((~(u128)0) % nshards == (u128)nshards - 1)
		size += 1;
	u128 shard = h / size;
	return shard >= nshards ? nshards - 1 : (size_t)shard;
}

void ks_stream_expire(ks_stream *s, sim_time now)
{
	for (size_t i = 0; i < s->nshards; i++)
		ks_shard_expire(&s->shards[i], now, s->retention);
}

void ks_stream_note_read(ks_stream *s, size_t shard, sim_time t, bool admitted,
                         sim_time iterator_age)
{
	ks_metric_add(&s->read_calls, t, shard, 1);
	if (!admitted) {
		ks_metric_add(&s->read_throttled, t, shard, 1);
		return;
	}
	ks_metric_max(&s->iterator_age_max_ms, t, shard, (double)iterator_age / 1e6);
}

void ks_stream_summarize(const ks_stream *s)
{
	sim_metrics *m = s->ctx->metrics;
	double minutes = (double)(s->ctx->stop - s->ctx->warmup) / (double)SIM_MIN;
	struct {
		const char *name;
		double value;
		const char *unit;
	} rows[] = {
		{"incoming_records", s->incoming_records.total, "count"},
		{"incoming_bytes", s->incoming_bytes.total, "B"},
		{"write_throttled", s->write_throttled.total, "count"},
		{"records_lost", s->records_lost.total, "count"},
		{"read_calls", s->read_calls.total, "count"},
		{"read_throttled", s->read_throttled.total, "count"},
		{"read_throttled.per_shard_per_minute",
		 minutes > 0 ? s->read_throttled.total / (double)s->nshards / minutes : 0, "1/min"},
		{"records_expired", s->records_expired.total, "count"},
		{"getrecords_iterator_age.max", s->iterator_age_max_ms.total / 1e3, "s"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char *path = sim_asprintf("%s.%s", s->name, rows[i].name);
		sim_metrics_set_value(m, path, rows[i].value, rows[i].unit);
		sim_free(path);
	}
}
