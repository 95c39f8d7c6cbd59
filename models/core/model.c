/* The model of one run: the entities of the scenario, built and run by a few generic loops over
 * the component kinds of the registry (component.h).
 *
 * Entities are kept in creation order (registry order, then scenario order within a kind), and
 * indexed by name in an open-addressing hash table, so that linking a scenario of 10^5
 * entities stays linear. Each kind's hooks run in registry order at every stage; destruction
 * runs in reverse (an entity may hold pointers into entities of earlier kinds, e.g. a reader
 * into a stream's shards). */
#include "models/core/component.h"

#include <errno.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/engine.h"
#include "sim/schema.h"

struct ks_model {
	ks_ctx ctx;
	const sim_yaml_node *root;
	const ks_component *const *kinds;
	size_t nkinds;
	void **states; /* per kind: what its prepare returned */
	ks_entity **entities;
	size_t n, cap;
	size_t *index; /* hash table of entity numbers + 1 by name (0: empty) */
	size_t capindex;
	bool summarized; /* records_pending is added up once */
};

/* ---- the name index -------------------------------------------------------------------- */

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void index_put(ks_model *m, size_t i)
{
	size_t mask = m->capindex - 1;
	for (size_t k = hash(m->entities[i]->name) & mask;; k = (k + 1) & mask) {
		if (m->index[k] == 0) {
			m->index[k] = i + 1;
			return;
		}
	}
}

static void index_grow(ks_model *m)
{
	sim_free(m->index);
	m->capindex = m->capindex ? m->capindex * 2 : 64;
	m->index = sim_calloc(m->capindex, sizeof *m->index);
	for (size_t i = 0; i < m->n; i++)
		index_put(m, i);
}

ks_entity *ks_model_entity(ks_model *m, const char *name)
{
	if (!m->capindex)
		return NULL;
	size_t mask = m->capindex - 1;
	for (size_t k = hash(name) & mask; m->index[k]; k = (k + 1) & mask)
		if (strcmp(m->entities[m->index[k] - 1]->name, name) == 0)
			return m->entities[m->index[k] - 1];
	return NULL;
}

/* ---- what components ask of the model --------------------------------------------------- */

ks_ctx *ks_model_ctx(ks_model *m)
{
	return &m->ctx;
}

const sim_yaml_node *ks_model_root(const ks_model *m)
{
	return m->root;
}

const sim_yaml_node *ks_model_platform(const ks_model *m, const char *section)
{
	return sim_yaml_get(sim_yaml_get(m->root, "platform"), section);
}

static size_t kind_number(const ks_model *m, const ks_component *kind)
{
	for (size_t k = 0; k < m->nkinds; k++)
		if (m->kinds[k] == kind)
			return k;
	SIM_ASSERT(!"a kind that is not in the registry");
	return 0;
}

void *ks_model_state(const ks_model *m, const ks_component *kind)
{
	return m->states[kind_number(m, kind)];
}

ks_entity *ks_model_add(ks_model *m, const ks_component *kind, const char *name, const char *entry,
                        const sim_yaml_node *node, void *obj)
{
	SIM_ASSERT(!ks_model_entity(m, name)); /* names are unique: the scenario checked them */
	ks_entity *e = sim_calloc(1, sizeof *e);
	*e = (ks_entity){.kind = kind, .name = sim_strdup(name), .node = node, .obj = obj};
	e->entry = sim_strdup(entry);
	sim_grow(&m->entities, &m->cap, m->n + 1, sizeof *m->entities);
	m->entities[m->n++] = e;
	if (2 * m->n > m->capindex)
		index_grow(m);
	else
		index_put(m, m->n - 1);
	return e;
}

ks_entity *const *ks_model_entities(ks_model *m, const char *entry, size_t *n)
{
	/* The copies of an entry are made in a row, the first named after the entry or after its
	 * first copy. */
	ks_entity *e = ks_model_entity(m, entry);
	if (!e) {
		char *first = sim_asprintf("%s-1", entry);
		e = ks_model_entity(m, first);
		sim_free(first);
	}
	SIM_ASSERT(e && strcmp(e->entry, entry) == 0);
	size_t i = 0;
	while (m->entities[i] != e)
		i++;
	size_t k = i;
	while (k < m->n && strcmp(m->entities[k]->entry, entry) == 0)
		k++;
	*n = k - i;
	return &m->entities[i];
}

ks_sink ks_model_sink(ks_model *m, const char *name)
{
	ks_entity *e = ks_model_entity(m, name);
	SIM_ASSERT(e && ks_sink_set(&e->sink));
	e->sink_taken = true;
	return e->sink;
}

void ks_model_subscribe(ks_model *m, const char *name, const ks_sink *sink)
{
	ks_entity *e = ks_model_entity(m, name);
	SIM_ASSERT(e && e->kind->subscribe);
	e->kind->subscribe(e->obj, sink);
}

ks_source ks_model_source(ks_model *m, const char *name)
{
	ks_entity *e = ks_model_entity(m, name);
	SIM_ASSERT(e && e->source.ops);
	return e->source;
}

struct ks_stream *ks_model_stream(ks_model *m, const char *name)
{
	ks_entity *e = ks_model_entity(m, name);
	SIM_ASSERT(e && strcmp(e->kind->key, "streams") == 0);
	return e->obj;
}

size_t ks_model_count(const ks_model *m)
{
	return m->n;
}

ks_entity *ks_model_at(const ks_model *m, size_t i)
{
	SIM_ASSERT(i < m->n);
	return m->entities[i];
}

/* ---- the stages ------------------------------------------------------------------------- */

ks_model *ks_model_create(const ks_component *const *registry, const sim_yaml_node *root,
                          uint64_t seed, uint32_t replication, sim_metrics *metrics)
{
	ks_model *m = sim_calloc(1, sizeof *m);
	m->root = root;
	m->kinds = registry;
	while (registry[m->nkinds])
		m->nkinds++;
	m->states = sim_calloc(m->nkinds ? m->nkinds : 1, sizeof *m->states);
	m->ctx = (ks_ctx){
	        .engine = sim_engine_create(),
	        .metrics = metrics,
	        .seed = seed,
	        .replication = replication,
	        .warmup = sim_schema_duration(root, "warmup"),
	        .stop = sim_schema_duration(root, "duration"),
	        .interval = sim_schema_duration(sim_yaml_get(root, "metrics"), "interval"),
	};
	sim_engine_set_warmup(m->ctx.engine, m->ctx.warmup);
	for (size_t k = 0; k < m->nkinds; k++)
		if (m->kinds[k]->prepare)
			m->states[k] = m->kinds[k]->prepare(m);
	for (size_t k = 0; k < m->nkinds; k++) {
		const ks_component *kind = m->kinds[k];
		const sim_yaml_node *entries = sim_yaml_get(root, kind->key);
		for (size_t i = 0; entries && entries->kind == SIM_YAML_MAP && i < entries->n; i++)
			kind->create(m, entries->pairs[i].key->text, entries->pairs[i].value);
	}
	for (size_t i = 0; i < m->n; i++)
		if (m->entities[i]->kind->link)
			m->entities[i]->kind->link(m, m->entities[i]);
	return m;
}

void ks_model_destroy(ks_model *m)
{
	if (!m)
		return;
	for (size_t i = m->n; i-- > 0;) {
		ks_entity *e = m->entities[i];
		if (e->kind->destroy)
			e->kind->destroy(e->obj);
		sim_free(e->name);
		sim_free((char *)e->entry);
		sim_free(e);
	}
	for (size_t k = m->nkinds; k-- > 0;)
		if (m->kinds[k]->release)
			m->kinds[k]->release(m->states[k]);
	sim_free(m->entities);
	sim_free(m->index);
	sim_free(m->states);
	sim_engine_destroy(m->ctx.engine);
	sim_free(m);
}

typedef struct progress_ctx {
	ks_model *m;
	void (*fn)(double, uint64_t, void *);
	void *ctx;
} progress_ctx;

static void on_progress(sim_engine *e, void *ctx)
{
	progress_ctx *p = ctx;
	p->fn((double)sim_engine_now(e) / (double)p->m->ctx.stop, sim_engine_events(e), p->ctx);
}

int ks_model_run(ks_model *m, const atomic_int *interrupt,
                 void (*progress)(double, uint64_t, void *), void *pctx)
{
	sim_engine *e = m->ctx.engine;
	if (interrupt)
		sim_engine_set_interrupt(e, interrupt);
	progress_ctx pc = {m, progress, pctx};
	if (progress)
		sim_engine_set_progress(e, m->ctx.stop / 100 > 0 ? m->ctx.stop / 100 : 1,
		                        on_progress, &pc);
	for (size_t i = 0; i < m->n; i++) /* creation order: kind by kind, as create made them */
		if (m->entities[i]->kind->start)
			m->entities[i]->kind->start(m->entities[i]->obj);
	int rc = sim_engine_run(e, m->ctx.stop);
	sim_time end = rc == 0 ? m->ctx.stop : sim_engine_now(e);
	/* Arrivals at t < end belong to the run: bring the records up to the end first. */
	if (end > 0)
		ks_ctx_advance(&m->ctx, end - 1);
	/* An interrupt during that last advance cut it short (the producers stop when they see
	 * it): the run is partial, not complete. */
	if (rc == 0 && sim_engine_interrupted(e))
		rc = -EINTR;
	for (size_t i = 0; i < m->n; i++)
		if (m->entities[i]->kind->finish)
			m->entities[i]->kind->finish(m->entities[i]->obj, end);
	sim_engine_set_progress(e, 0, NULL, NULL);
	return rc;
}

void ks_model_summarize(ks_model *m)
{
	/* What each function had not finished when the run ended (conservation: accepted =
	 * processed + skipped + forwarded + expired + on_failure + pending, docs/validation.md case
	 * 4): every entity adds what it holds before any function writes its summary. */
	SIM_ASSERT(!m->summarized);
	m->summarized = true;
	for (size_t i = 0; i < m->n; i++)
		if (m->entities[i]->kind->pending)
			m->entities[i]->kind->pending(m->entities[i]->obj);
	ks_cost *cost = ks_cost_create();
	const sim_yaml_node *prices = ks_model_platform(m, "prices");
	for (size_t k = 0; k < m->nkinds; k++)
		if (m->kinds[k]->cost_line)
			ks_cost_add_line(cost, m->kinds[k]->cost_line, m->kinds[k]->prices, prices);
	for (size_t i = 0; i < m->n; i++)
		if (m->entities[i]->kind->summarize)
			m->entities[i]->kind->summarize(m->entities[i]->obj, cost);
	ks_cost_summarize(cost, m->ctx.metrics,
	                  (double)(m->ctx.stop - m->ctx.warmup) / (double)SIM_HOUR);
	ks_cost_destroy(cost);
}

void ks_model_spare_cores(ks_model *m, unsigned n)
{
	m->ctx.spare_cores = n;
}

uint64_t ks_model_events(const ks_model *m)
{
	return sim_engine_events(m->ctx.engine);
}

sim_time ks_model_now(const ks_model *m)
{
	return sim_engine_now(m->ctx.engine);
}

/* ---- checks' helpers ------------------------------------------------------------------- */

void ks_check_before_end(const sim_yaml_node *root, const sim_yaml_node *at, const char *key,
                         sim_diag *d)
{
	const sim_yaml_node *duration = sim_yaml_get(root, "duration");
	sim_time t, end;
	char err[128];
	if (!at || at->line == 0 || at->kind != SIM_YAML_SCALAR || !duration ||
	    duration->kind != SIM_YAML_SCALAR ||
	    sim_parse_duration(at->text, &t, err, sizeof err) < 0 ||
	    sim_parse_duration(duration->text, &end, err, sizeof err) < 0 || t < end || t == 0)
		return;
	sim_schema_error(d, at,
	                 "%s %s is not before the run's end (duration %s): nothing would happen",
	                 key, at->text, duration->text);
}
