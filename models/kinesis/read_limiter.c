/* The shared read limit of one shard: three call limiters and the byte schedule.
 *
 * [doc] 5 GetRecords calls/s and 2 MiB/s per shard, shared by all standard consumers.
 * [choice] platform.kinesis.read_limiter: how "5 per second" is enforced (docs/model.md,
 * Streams, says why the sliding window is the default). [choice] read_byte_tolerance: the burst a
 * byte schedule allows to reads smaller than its worth of bytes; a larger read blocks the shard for
 * its whole b / 2 MiB/s (a 10 MiB read: 5 s, as AWS documents). */
#include "models/kinesis/read_limiter.h"

#include <math.h>

#include "sim/alloc.h"

void ks_read_limiter_init(ks_read_limiter *rl, const ks_read_limiter_config *cfg)
{
	*rl = (ks_read_limiter){.cfg = *cfg};
	/* "5/s" means 5 calls per 1 s window; a fractional rate keeps its ratio over a longer
	 * window (2.5/s: 3 calls per 1.2 s). */
	rl->n = (int)fmax(1.0, round(cfg->calls_per_s));
	rl->window = (sim_time)llround((double)rl->n / cfg->calls_per_s * 1e9);
	rl->times = sim_calloc((size_t)rl->n, sizeof *rl->times);
	for (int i = 0; i < rl->n; i++)
		rl->times[i] = INT64_MIN / 2; /* long ago */
	rl->tokens = rl->n;
	rl->fixed_window = -1;
	rl->tat_ns = 0;
}

void ks_read_limiter_fini(ks_read_limiter *rl)
{
	sim_free(rl->times);
	rl->times = NULL;
}

static bool call_allowed(ks_read_limiter *rl, sim_time now)
{
	switch (rl->cfg.kind) {
	case KS_READ_SLIDING_WINDOW:
		/* The oldest of the last n counted calls must have left (now - W, now]. */
		return rl->times[rl->next] <= now - rl->window;
	case KS_READ_TOKEN_BUCKET:
		rl->tokens = fmin((double)rl->n, rl->tokens + (double)(now - rl->refilled) *
		                                                      rl->cfg.calls_per_s / 1e9);
		rl->refilled = now;
		return rl->tokens >= 1.0;
	case KS_READ_FIXED_WINDOW: {
		int64_t w = now / rl->window;
		if (w != rl->fixed_window) {
			rl->fixed_window = w;
			rl->fixed_count = 0;
		}
		return rl->fixed_count < rl->n;
	}
	}
	return false;
}

static void use_slot(ks_read_limiter *rl, sim_time now)
{
	switch (rl->cfg.kind) {
	case KS_READ_SLIDING_WINDOW:
		rl->times[rl->next] = now;
		rl->next = (rl->next + 1) % rl->n;
		break;
	case KS_READ_TOKEN_BUCKET: rl->tokens = fmax(0.0, rl->tokens - 1.0); break;
	case KS_READ_FIXED_WINDOW: rl->fixed_count++; break;
	}
}

bool ks_read_limiter_admit(ks_read_limiter *rl, sim_time now)
{
	bool ok = call_allowed(rl, now);
	/* The byte limit is checked after the call limit. */
	rl->refused_bytes = false;
	if (ok) {
		ok = rl->tat_ns <= (double)(now + rl->cfg.tolerance) && now >= rl->big_until;
		rl->refused_bytes = !ok;
	}
	if (ok || rl->cfg.throttled_calls_count)
		use_slot(rl, now);
	return ok;
}

void ks_read_limiter_charge(ks_read_limiter *rl, sim_time now, uint64_t bytes)
{
	double ns = (double)bytes / rl->cfg.bytes_per_s * 1e9;
	rl->tat_ns = fmax((double)now, rl->tat_ns) + ns;
	/* [doc] a read of 10 MB throttles the calls of the next 5 s: a read worth more than the
	 * tolerance blocks for its whole time [choice: smaller ones keep the tolerance] */
	if (ns > (double)rl->cfg.tolerance)
		rl->big_until = now + (sim_time)ceil(ns);
}
