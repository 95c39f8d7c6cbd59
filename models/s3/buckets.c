/* The `buckets:` component (core/component.h): S3 buckets (bucket.h) as destinations and as
 * sources of S3 event notifications, and the S3 prices. */
#include "models/s3/s3.h"

#include "models/s3/bucket.h"

/* A bucket has no keys of its own yet: what it holds is what it is sent. */
static const sim_schema bucket_keys[] = {
        {.key = NULL},
};
static const sim_schema bucket_item = {
        .kind = SIM_SCHEMA_MAP, .children = bucket_keys, .what = "bucket"};

/* [doc] us-east-1, S3 Standard: $0.005 per 1,000 PUT requests, $0.023 per GB-month (first
 * 50 TB). */
static const ks_price prices[] = {
        {"s3_put_request_million", "5.0", KS_PER_MILLION},
        {"s3_gb_month", "0.023", KS_PER_GB *KS_S3_MONTH_HOURS},
        {NULL, NULL, 0},
};

static void create(ks_model *m, const char *entry, const sim_yaml_node *node)
{
	ks_bucket *b = ks_bucket_create(ks_model_ctx(m), entry);
	ks_entity *e = ks_model_add(m, &ks_buckets_component, entry, entry, node, b);
	e->sink = ks_bucket_sink(b);
}

static void subscribe(void *obj, const ks_sink *sink)
{
	ks_bucket_subscribe(obj, sink);
}

static void summarize(void *obj, ks_cost *cost)
{
	const ks_bucket *b = obj;
	ks_bucket_summarize(b);
	*ks_cost_quantity(cost, "s3_put_request_million") += b->objects.total;
	*ks_cost_quantity(cost, "s3_gb_month") += b->byte_hours;
}

static void destroy(void *obj)
{
	ks_bucket_destroy(obj);
}

const ks_component ks_buckets_component = {
        .key = "buckets",
        .noun = "bucket",
        .item = &bucket_item,
        .cost_line = "s3",
        .prices = prices,
        .create = create,
        .summarize = summarize,
        .destroy = destroy,
        .subscribe = subscribe,
};
