/* An S3 bucket (`buckets:`): a destination that keeps what it is sent as objects, and a source
 * of S3 event notifications.
 *
 * [doc] A Kinesis event source mapping's on_failure destination may be a bucket: where SQS and
 * SNS get the invocation record only, a bucket gets the invocation record with the batch
 * itself, one object per discarded batch; so does an asynchronous invocation's on_failure (one
 * object per failed event). A record forwarded to it is one object. [choice] An object's size
 * is the data of its records (the JSON envelope and base64 are left out).
 *
 * [doc] S3 Event Notifications invoke the functions whose s3 trigger names the bucket, one
 * asynchronous event per object with the object's records (so a failed batch can be processed
 * again). [choice] The notification leaves when the object is put.
 *
 * Cost [doc]: PUT requests, and storage in GB-months: each object from its put to the end of the
 * run, [choice] a month of 730 hours. Counts belong to the instant of the put and only those in
 * the measured period reach the summary. */
#ifndef KS_BUCKET_H
#define KS_BUCKET_H

#include <stddef.h>
#include <stdint.h>

#include "models/core/context.h"
#include "models/core/metric.h"
#include "models/core/sink.h"

#define KS_S3_MONTH_HOURS 730.0

typedef struct ks_bucket {
	char *name;
	ks_ctx *ctx;
	ks_metric objects, bytes, records; /* put, per interval; totals over the measured period */
	double byte_hours;                 /* storage in the measured period */
	ks_sink *subscribers;              /* told of every object (s3 triggers) */
	size_t nsubscribers;
} ks_bucket;

ks_bucket *ks_bucket_create(ks_ctx *ctx, const char *name);
void ks_bucket_destroy(ks_bucket *b); /* NULL: nothing */
/* Puts one object holding n records at t (>= now); nothing at or after the stop time. */
void ks_bucket_put(ks_bucket *b, sim_time t, const ks_record *r, uint32_t n);
void ks_bucket_subscribe(ks_bucket *b, const ks_sink *sink);
/* The bucket as a destination: a record, a batch or a failed batch is one object. */
ks_sink ks_bucket_sink(ks_bucket *b);
/* Writes <bucket>.{objects,records,bytes}. */
void ks_bucket_summarize(const ks_bucket *b);

#endif
