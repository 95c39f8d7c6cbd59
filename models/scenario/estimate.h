/* The size of a run, estimated before it starts from the resolved scenario (issue 9, "never
 * hang"): so that `kinesim run` can refuse a scenario that would take more memory than the
 * machine has (metrics.interval: 1ms over a year asks for 252 GB of series) or hours of
 * producing (rate: 1e9/s), before the first allocation.
 *
 * What is counted, per replication unless said otherwise:
 *   produced     records the producers generate, rejected ones included: the producers' work
 *                (each record is a few draws and a write attempt, ~40 ns) grows with it
 *   records      records the streams accept: produced, capped by each stream's write limits
 *                (platform.kinesis.write_records and write_bytes per shard, 1,000/s and
 *                1 MiB/s by default), once per stream a producer writes to
 *   deliveries   records handed to readers: each stream's records times its readers (a Lambda
 *                kinesis trigger per copy of its function, a consumer, a Firehose)
 *   events       engine events, an order of magnitude: GetRecords calls and responses per
 *                shard per reader, EFO pushes, invocations by kinesis triggers (records are
 *                data, not events: producing costs `produced`, not events)
 *   memory_bytes peak memory of one replication: the interval series (duration / interval
 *                rows x the columns of every series), the shard logs' backlog (records held
 *                for readers that fall behind: at most the retention's worth at the accepted
 *                rate, or every record of the run if fewer), and the producers' resends
 *                (records rejected by a full shard, held until their backoff is over), and
 *                the producers' key tables (partition_keys.count: up to 10 million keys)
 *   output_bytes the HDF5 file: the series of every replication, as if uncompressed
 *
 * It is an upper-ish estimate: it assumes what costs most where the run's course decides
 * (readers that fall a whole retention behind, keys spread so evenly that every shard fills
 * to its limit, resends after the longest backoff) and ignores what is small (histograms,
 * summary values, the per-entity state of a few hundred entities). Left out, because they come
 * from failures and retries it does not model: messages held by SQS queues and asynchronous
 * invocation queues and the invocations of sqs, sns and s3 triggers, records forwarded by
 * functions into streams, and Firehose buffers (at most their buffer size each). Readers'
 * positions, batches and Lambda lanes point into the logs and add nothing per record. The
 * log backlog's bound is far above a run whose readers keep up (bench/big-stream.yaml:
 * 2.8 GB estimated, 51 MB used): it is what the run may need, not what it usually takes. */
#ifndef KS_ESTIMATE_H
#define KS_ESTIMATE_H

#include <stddef.h>

#include "models/scenario/scenario.h"
#include "sim/yaml.h"

typedef struct ks_estimate {
	double produced;     /* records generated, rejected ones included */
	double records;      /* records accepted by the streams (sum over streams) */
	double deliveries;   /* records read: records x readers of each stream */
	double events;       /* engine events, an order of magnitude */
	double memory_bytes; /* one replication: the sum of the four parts below */
	double output_bytes; /* the output file: every replication's series */
	/* The parts of memory_bytes. */
	double series_bytes; /* interval series: rows x columns x 8 B */
	double log_bytes;    /* records held in the shard logs */
	double resend_bytes; /* records waiting for a resend in the producers */
	double key_bytes;    /* the producers' partition key tables */
	double rows;         /* rows of each series: duration / metrics.interval, rounded up */
	double columns;      /* columns of all series together */
} ks_estimate;

/* Estimates the run of a resolved scenario tree (every default present: a scenario that loaded,
 * ks_scenario_load). Reads a producer's trace file again; a trace that cannot be read counts
 * as no records. Never fails. */
ks_estimate ks_estimate_tree(const sim_yaml_node *root);
/* The same, of a loaded scenario (its root). */
ks_estimate ks_estimate_scenario(const ks_scenario *sc);

/* The estimate in words for a message, into buf (always terminated); returns buf:
 *   "about 3.6e+12 records produced (3.6e+06 accepted), 250 GB of memory, 40 GB of output"
 * (the part in parentheses only when the streams reject some). Sizes use SI units. */
const char *ks_estimate_format(const ks_estimate *e, char *buf, size_t len);

/* A size in bytes for a message, e.g. "252 GB", "12 MB", "800 B", into buf; returns buf. */
const char *ks_estimate_format_bytes(double bytes, char *buf, size_t len);

#endif
