/* A shard's write limit and its GetRecords call (shard.h); its log is core/log.c. */
#include "models/kinesis/shard.h"

#include <math.h>
#include <stdio.h>

#include "models/kinesis/stream.h"
#include "sim/alloc.h"

void ks_shard_init(ks_shard *s, struct ks_stream *stream, size_t index, sim_time retention,
                   ks_metric *expired, const ks_write_limiter_config *write,
                   const ks_read_limiter_config *read)
{
	*s = (ks_shard){
	        .stream = stream, .index = index, .write = *write, .close_at = SIM_TIME_MAX};
	snprintf(s->id, sizeof s->id, "shardId-%012zu", index);
	ks_log_init(&s->log, index, retention, expired);
	/* [choice] write_limiter: a token bucket of one second's depth starts full. */
	s->record_tokens = write->records_per_s;
	s->byte_tokens = write->bytes_per_s;
	s->fixed_window = -1;
	s->refilled =
	        INT64_MIN / 4; /* full at its first write, which may come before 0 (backlog) */
	if (s->write.burst_bytes < s->write.bytes_per_s) /* no larger records: one second's bytes */
		s->write.burst_bytes = s->write.bytes_per_s;
	ks_read_limiter_init(&s->reads, read);
}

void ks_shard_fini(ks_shard *s)
{
	ks_log_fini(&s->log);
	sim_free(s->parents);
	ks_read_limiter_fini(&s->reads);
}

bool ks_shard_write_admit_fixed(ks_shard *s, sim_time t, uint32_t bytes)
{
	int64_t w = t / SIM_S;
	if (w != s->fixed_window) {
		s->fixed_window = w;
		s->fixed_records = 0;
		s->fixed_bytes = 0;
	}
	/* a record larger than a second's bytes goes alone in its second (burst) */
	bool alone = s->fixed_bytes == 0 && bytes <= s->write.burst_bytes;
	bool records = s->fixed_records + 1 > s->write.records_per_s;
	if (records || (s->fixed_bytes + bytes > s->write.bytes_per_s && !alone)) {
		s->write_refused_bytes = !records;
		return false;
	}
	s->fixed_records += 1;
	s->fixed_bytes += bytes;
	return true;
}

uint64_t ks_shard_get_records(ks_shard *s, sim_time now, sim_time delay, uint64_t from,
                              uint64_t max_records, uint64_t max_bytes, sim_time *age, bool *more)
{
	const ks_log *l = &s->log;
	uint64_t end = ks_log_readable_end(l, now, delay);
	uint64_t bytes;
	uint64_t to = ks_log_range(l, from, end, max_records, max_bytes, &bytes);
	ks_read_limiter_charge(&s->reads, now, bytes);
	if (s->stream && now >= s->stream->ctx->warmup) {
		s->stream->bytes_out += (double)bytes;
		if (s->stream->cfg.on_demand)
			for (uint64_t q = from; q < to; q++)
				s->stream->billed_out +=
				        ks_on_demand_billed_bytes(ks_log_record(l, q)->bytes);
	}
	/* [doc] GetRecords.IteratorAgeMilliseconds: now minus the arrival of the last record
	 * returned; 0 when it returned the newest. */
	*age = (to == end || to == from) ? 0 : now - ks_log_record(l, to - 1)->arrival;
	*more = to < end;
	return to;
}
