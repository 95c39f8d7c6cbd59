/* The `topics:` component (core/component.h): SNS topics (core/publisher.h) as destinations and as
 * sources of notifications (the functions whose sns triggers name a topic subscribe to it),
 * platform.sns and the SNS price. */
#include "models/sns/sns.h"

#include "models/core/publisher.h"
#include "sim/alloc.h"

typedef struct sns_platform {
	sim_dist delivery_latency;
} sns_platform;

static const sim_schema platform_keys[] = {
        {.key = "delivery_latency",
         .kind = SIM_SCHEMA_DIST_DURATION,
         .def = "{dist: lognormal, median: 70ms, p99: 200ms}",
         SIM_SCHEMA_AT(sns_platform, delivery_latency)},
        {.key = NULL},
};

/* A topic has no keys of its own: its subscribers are the functions whose triggers name it. */
static const sim_schema topic_keys[] = {
        {.key = NULL},
};
static const sim_schema topic_item = {
        .kind = SIM_SCHEMA_MAP, .children = topic_keys, .what = "topic"};

/* [doc] us-east-1: publishes, per million (deliveries to Lambda are free). */
static const ks_price prices[] = {
        {"sns_request_million", "0.50", KS_PER_MILLION},
        {NULL, NULL, 0},
};

static void *prepare(ks_model *m)
{
	sns_platform *p = sim_calloc(1, sizeof *p);
	sim_schema_fill(ks_model_platform(m, "sns"), platform_keys, p);
	return p;
}

static void release(void *state)
{
	sns_platform *p = state;
	sim_dist_fini(&p->delivery_latency);
	sim_free(p);
}

static void create(ks_model *m, const char *entry, const sim_yaml_node *node)
{
	const sns_platform *p = ks_model_state(m, &ks_topics_component);
	ks_publisher *t = ks_publisher_create(ks_model_ctx(m), "topics", "sns_delivery", entry,
	                                      &p->delivery_latency);
	ks_entity *e = ks_model_add(m, &ks_topics_component, entry, entry, node, t);
	e->sink = ks_publisher_sink(t);
}

static void subscribe(void *obj, const ks_sink *sink)
{
	ks_publisher_subscribe(obj, sink);
}

static void summarize(void *obj, ks_cost *cost)
{
	ks_publisher *t = obj;
	ks_publisher_summarize(t);
	*ks_cost_quantity(cost, "sns_request_million") += t->requests;
}

static void destroy(void *obj)
{
	ks_publisher_destroy(obj);
}

const ks_component ks_topics_component = {
        .key = "topics",
        .noun = "topic",
        .item = &topic_item,
        .platform = "sns",
        .platform_keys = platform_keys,
        .cost_line = "sns",
        .prices = prices,
        .prepare = prepare,
        .release = release,
        .create = create,
        .summarize = summarize,
        .destroy = destroy,
        .subscribe = subscribe,
};
