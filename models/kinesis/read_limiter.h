/* The shared read limit of one shard (docs/model.md "Streams"): a call limit (5 GetRecords/s) and a
 * byte schedule (2 MiB/s with a burst tolerance), shared by every standard consumer of the
 * shard. A call is judged at the instant it is made. */
#ifndef KS_READ_LIMITER_H
#define KS_READ_LIMITER_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/time.h"

typedef enum {
	KS_READ_SLIDING_WINDOW, /* [choice] default: < n admitted calls in (t - W, t] */
	KS_READ_TOKEN_BUCKET,   /* n tokens refilled at the call rate */
	KS_READ_FIXED_WINDOW,   /* n admitted calls per calendar window */
} ks_read_limiter_kind;

typedef struct ks_read_limiter_config {
	ks_read_limiter_kind kind;
	double calls_per_s; /* platform.kinesis.read_tps */
	double bytes_per_s; /* platform.kinesis.read_bytes */
	sim_time tolerance; /* platform.kinesis.read_byte_tolerance */
	bool throttled_calls_count;
} ks_read_limiter_config;

typedef struct ks_read_limiter {
	ks_read_limiter_config cfg;
	int n;           /* calls allowed per window */
	sim_time window; /* n / calls_per_s */
	sim_time *times; /* sliding window: the last n counted call times, a ring */
	int next;        /* ring slot of the oldest of them */
	double tokens;   /* token bucket */
	sim_time refilled;
	int64_t fixed_window; /* fixed window: current window number and its count */
	int fixed_count;
	double tat_ns;      /* byte schedule: theoretical arrival time */
	sim_time big_until; /* a large read's own block: no call before this */
	bool refused_bytes; /* the last refused call: by the byte limit, not the call limit */
} ks_read_limiter;

void ks_read_limiter_init(ks_read_limiter *rl, const ks_read_limiter_config *cfg);
void ks_read_limiter_fini(ks_read_limiter *rl);

/* Judges a call made at now: true when admitted (the call then uses a slot). A throttled call
 * uses a slot only with throttled_calls_count. */
bool ks_read_limiter_admit(ks_read_limiter *rl, sim_time now);
/* Charges the bytes an admitted call returned to the byte schedule. */
void ks_read_limiter_charge(ks_read_limiter *rl, sim_time now, uint64_t bytes);

#endif
