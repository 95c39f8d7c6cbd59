/* The component interface, in the spirit of ROSS's LP types: one struct of hooks per kind of
 * component (a stream, a producer, a function, a queue, ...), listed once in the registry
 * (scenario/registry.c). The model (core/model.c) runs a few generic loops over the entities of
 * the scenario, in registry order and then in scenario order within a kind, stage by stage:
 *
 *   prepare   once per kind: its state shared by all its entities (Lambda's account)
 *   create    once per scenario entry: makes the entity, or several (a function's copies),
 *             registers its metrics, and says what it offers others (a destination, a
 *             source, notifications) through its entity
 *   link      resolves the names it refers to (where its records go, what it reads),
 *             through the model, by name: never by including another service's header
 *   start     schedules its first events
 *   finish    brings itself to the run's end (what expired by then)
 *   pending   adds what it holds unfinished to its functions' records_pending
 *   summarize writes its summary values and the priced quantities it used (core/cost.h)
 *   destroy   in reverse registry order
 *
 * A kind also owns its part of the scenario format: the schema of one entry, its cross-checks,
 * the platform section it reads (platform.kinesis, ...), and its prices. A new AWS component is
 * one folder under models/ and one line in the registry. */
#ifndef KS_COMPONENT_H
#define KS_COMPONENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/core/context.h"
#include "models/core/cost.h"
#include "models/core/sink.h"
#include "models/core/source.h"
#include "sim/diag.h"
#include "sim/metrics.h"
#include "sim/schema.h"
#include "sim/yaml.h"

typedef struct ks_model ks_model;
typedef struct ks_component ks_component;

/* One named thing of the scenario (a function copy, a stream, a queue, ...). */
typedef struct ks_entity {
	const ks_component *kind;
	char *name;        /* in metric paths: "feed-3" */
	const char *entry; /* its key in the scenario ("feed"): the copies of a function share it */
	const sim_yaml_node *node; /* its map in the resolved scenario */
	void *obj;
	ks_sink sink;     /* as a destination (none: it is not one) */
	bool sink_taken;  /* some entity sends to it (ks_model_sink was asked for it) */
	ks_source source; /* as a polled source of messages (none: it is not one) */
} ks_entity;

struct ks_component {
	const char *key;  /* its top-level scenario key: "queues" */
	const char *noun; /* one of them, in messages: "queue" */
	bool required;    /* the scenario needs at least one (streams) */
	/* The format (docs/scenario.md). item: one entry. check: what the schema cannot say, on the
	 * kind's entries (its map of the scenario, NULL when absent); runs even after schema
	 * errors, so it reads text only and checks what it reads. May be NULL. */
	const sim_schema *item;
	void (*check)(const sim_yaml_node *root, const sim_yaml_node *entries, sim_diag *d);
	/* The names an entry makes (default: its key): a function with count makes its
	 * copies. Returns how many; writes them (owned by the caller) into names when not NULL. */
	size_t (*names)(const sim_yaml_pair *entry, char **names);
	const char *platform;            /* its section of platform:, e.g. "kinesis"; NULL: none */
	const sim_schema *platform_keys; /* that section's keys */
	const char *cost_line;           /* cost.<line> its prices add up to; NULL: none */
	const ks_price *prices;          /* its rows of platform.prices, ended by a NULL key */

	void *(*prepare)(ks_model *m); /* may be NULL */
	void (*release)(void *state);
	void (*create)(ks_model *m, const char *entry, const sim_yaml_node *node);
	void (*link)(ks_model *m, ks_entity *e);
	void (*start)(void *obj);
	void (*finish)(void *obj, sim_time end);
	void (*pending)(void *obj);
	void (*summarize)(void *obj, ks_cost *cost);
	void (*destroy)(void *obj);
	/* A source of notifications (a topic's publishes, an S3 object's creation): the
	 * destination is told of each. NULL: the kind has none. */
	void (*subscribe)(void *obj, const ks_sink *sink);
};

/* ---- what a component may ask of the model (core/model.c) ---------------------------------- */

/* A check's helper: reports `at` (a duration written in the scenario, of key `key`) when it
 * falls at or after the run's duration: nothing would happen. */
void ks_check_before_end(const sim_yaml_node *root, const sim_yaml_node *at, const char *key,
                         sim_diag *d);

ks_ctx *ks_model_ctx(ks_model *m);
/* The resolved scenario (every default present), and its platform.<section>. */
const sim_yaml_node *ks_model_root(const ks_model *m);
const sim_yaml_node *ks_model_platform(const ks_model *m, const char *section);
/* The state the kind's prepare returned. */
void *ks_model_state(const ks_model *m, const ks_component *kind);

/* During create: adds an entity; entry is the scenario key it came from (copied). */
ks_entity *ks_model_add(ks_model *m, const ks_component *kind, const char *name, const char *entry,
                        const sim_yaml_node *node, void *obj);

/* During link, by name (the scenario checked every reference, so these find what they look
 * for and assert otherwise). */
/* The entities made from scenario entry `entry` (a function's copies, in order): n of them. */
ks_entity *const *ks_model_entities(ks_model *m, const char *entry, size_t *n);
ks_entity *ks_model_entity(ks_model *m, const char *name);
/* The destination named (a queue, a topic, a bucket, a function's async queue, ...). */
ks_sink ks_model_sink(ks_model *m, const char *name);
/* Subscribes a destination to the notifications of the entity named (a topic, a firehose, a
 * bucket). */
void ks_model_subscribe(ks_model *m, const char *name, const ks_sink *sink);
/* The polled source named (an SQS queue). */
ks_source ks_model_source(ks_model *m, const char *name);
/* The stream named, for core/reader.h. */
struct ks_stream *ks_model_stream(ks_model *m, const char *name);

/* ---- for the scenario layer ---------------------------------------------------------------- */

/* Builds the model of a checked scenario (its resolved tree) for replication `replication`
 * with master seed `seed`, stage by stage up to link, with the kinds of `registry` (NULL
 * ended); registers every series and histogram in metrics. */
ks_model *ks_model_create(const ks_component *const *registry, const sim_yaml_node *root,
                          uint64_t seed, uint32_t replication, sim_metrics *metrics);
void ks_model_destroy(ks_model *m);
/* Runs to the scenario's duration: start, the engine, finish. Returns 0, or -EINTR when
 * *interrupt became nonzero (the model then holds a partial run). progress, when not NULL, is
 * called every ~1% of the run. */
int ks_model_run(ks_model *m, const atomic_int *interrupt,
                 void (*progress)(double fraction, uint64_t events, void *ctx), void *pctx);
/* Lets the run use n cores besides its own for helper threads (before ks_model_run; default
 * 0). Results are the same whatever n is. */
void ks_model_spare_cores(ks_model *m, unsigned n);
/* pending, summarize and the cost (also before a run: all zero, which lists the paths). */
void ks_model_summarize(ks_model *m);
uint64_t ks_model_events(const ks_model *m);
sim_time ks_model_now(const ks_model *m); /* simulated time reached */
/* Every entity, in creation order (tests and traces). */
size_t ks_model_count(const ks_model *m);
ks_entity *ks_model_at(const ks_model *m, size_t i);

#endif
