/* The `producers:` component (core/component.h): producers, their scenario format and the
 * checks a schema cannot say (one rate source, bursts that agree with the rate, PutRecord's
 * limits). The producers are the run's sources of records: the component brings them up to
 * now for whoever looks at a log (ks_ctx_advance). */
#include "models/kinesis/kinesis.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "models/core/fields.h"
#include "models/kinesis/producer.h"
#include "models/kinesis/trace.h"
#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/units.h"

#define S_ (double)SIM_S

/* Every producer of the run, by number (its place in `producers:`): advanced together so
 * that every shard sees its writes in time order, whoever writes to it. */
typedef struct producers {
	ks_producer **all;
	size_t n, cap;
	ks_model *model;
	bool ahead_decided;  /* at the first advance: on a helper thread or not */
	ks_ahead *ahead;     /* the producers run ahead on a helper thread (NULL: on this one) */
	uint64_t *crn_seeds; /* per producer number: the seed of its records' uniforms */
	uint32_t *key_count; /* per producer number: its partition keys */
	ks_fields *fields;   /* per producer number: the fields its records carry */
} producers;

static const sim_schema_value key_distributions[] = {{"uniform", 0}, {"zipf", 1}, {NULL, 0}};
static const sim_schema_value apis[] = {{"PutRecords", 0}, {"PutRecord", 1}, {NULL, 0}};
static const sim_schema_value jitters[] = {
        {"none", KS_JITTER_NONE}, {"full", KS_JITTER_FULL}, {"equal", KS_JITTER_EQUAL}, {NULL, 0}};

static const sim_schema string_item = {.kind = SIM_SCHEMA_REF, .refs = "streams", .what = "name"};

#define AT(f) SIM_SCHEMA_AT(ks_producer_config, f)
static const sim_schema partition_keys_keys[] = {
        {.key = "count",
         .kind = SIM_SCHEMA_INT,
         .def = "10000",
         .min = 1,
         .max = 10000000,
         AT(key_count)},
        {.key = "distribution",
         .kind = SIM_SCHEMA_ENUM,
         .def = "uniform",
         .values = key_distributions},
        {.key = "zipf_s", .kind = SIM_SCHEMA_NUMBER, .def = "1.0", .min = 0, .max = 10, AT(zipf_s)},
        {.key = "hot_key_share", .kind = SIM_SCHEMA_FRACTION, .def = "0%", AT(hot_key_share)},
        {.key = NULL},
};

static const sim_schema put_keys[] = {
        {.key = "api", .kind = SIM_SCHEMA_ENUM, .def = "PutRecords", .values = apis},
        {.key = "max_records",
         .kind = SIM_SCHEMA_INT,
         .def = "500",
         .min = 1,
         .max = 500,
         .flags = SIM_SCHEMA_SOFT_RANGE,
         AT(max_records)},
        {.key = "linger",
         .kind = SIM_SCHEMA_DURATION,
         .def = "0s",
         .min = 0,
         .max = 3600 * S_,
         AT(linger)},
        {.key = NULL},
};

static const sim_schema retry_keys[] = {
        {.key = "max_attempts",
         .kind = SIM_SCHEMA_INT,
         .def = "4",
         .min = 1,
         .max = 1000,
         AT(max_attempts)},
        {.key = "base",
         .kind = SIM_SCHEMA_DURATION,
         .def = "500ms",
         .min = 0,
         .max = 3600 * S_,
         AT(retry_base)},
        {.key = "cap",
         .kind = SIM_SCHEMA_DURATION,
         .def = "20s",
         .min = 0,
         .max = 3600 * S_,
         AT(retry_cap)},
        {.key = "jitter",
         .kind = SIM_SCHEMA_ENUM,
         .def = "equal",
         .values = jitters,
         AT(retry_jitter)},
        {.key = NULL},
};
#undef AT

static const sim_schema profile_step_keys[] = {
        {.key = "at",
         .kind = SIM_SCHEMA_DURATION,
         .flags = SIM_SCHEMA_REQUIRED,
         .min = 0,
         .max = 366 * 86400 * S_},
        {.key = "rate",
         .kind = SIM_SCHEMA_RATE,
         .flags = SIM_SCHEMA_REQUIRED,
         .min = 0,
         .max = 1e9},
        {.key = "ramp",
         .kind = SIM_SCHEMA_DURATION,
         .def = "0s",
         .min = 0,
         .max = 366 * 86400 * S_},
        {.key = NULL},
};
static const sim_schema profile_step = {
        .kind = SIM_SCHEMA_MAP, .children = profile_step_keys, .what = "profile step"};

#define AT(f) SIM_SCHEMA_AT(ks_diurnal, f)
static const sim_schema diurnal_keys[] = {
        {.key = "peak",
         .kind = SIM_SCHEMA_RATE,
         .flags = SIM_SCHEMA_REQUIRED,
         .min = 0,
         .max = 1e9,
         AT(peak_per_s)},
        {.key = "trough",
         .kind = SIM_SCHEMA_RATE,
         .flags = SIM_SCHEMA_REQUIRED,
         .min = 0,
         .max = 1e9,
         AT(trough_per_s)},
        {.key = "period",
         .kind = SIM_SCHEMA_DURATION,
         .def = "24h",
         .min = 1 * S_,
         .max = 366 * 86400 * S_,
         AT(period)},
        {.key = "peak_at",
         .kind = SIM_SCHEMA_DURATION,
         .def = "0s",
         .min = 0,
         .max = 366 * 86400 * S_,
         AT(peak_at)},
        {.key = NULL},
};
#undef AT

static const sim_schema producer_keys[] = {
        {.key = "stream", .kind = SIM_SCHEMA_REF, .refs = "streams"},
        {.key = "streams", .kind = SIM_SCHEMA_SEQ, .item = &string_item},
        {.key = "rate", .kind = SIM_SCHEMA_RATE, .min = 0, .max = 1e9},
        {.key = "arrivals", .kind = SIM_SCHEMA_ANY, .def = "poisson"},
        {.key = "profile", .kind = SIM_SCHEMA_SEQ, .item = &profile_step},
        {.key = "diurnal", .kind = SIM_SCHEMA_MAP, .children = diurnal_keys, .what = "diurnal"},
        {.key = "trace", .kind = SIM_SCHEMA_STRING},
        {.key = "record_size", .kind = SIM_SCHEMA_DIST_SIZE, .flags = SIM_SCHEMA_REQUIRED},
        /* what event filters see of a record (core/fields.h); checked by ks_fields_check */
        {.key = "fields", .kind = SIM_SCHEMA_ANY},
        {.key = "limit", .kind = SIM_SCHEMA_INT, .min = 0, .max = 9e15},
        {.key = "partition_keys",
         .kind = SIM_SCHEMA_MAP,
         .children = partition_keys_keys,
         .flags = SIM_SCHEMA_FILL,
         .what = "partition_keys"},
        {.key = "put",
         .kind = SIM_SCHEMA_MAP,
         .children = put_keys,
         .flags = SIM_SCHEMA_FILL,
         .what = "put"},
        {.key = "retry",
         .kind = SIM_SCHEMA_MAP,
         .children = retry_keys,
         .flags = SIM_SCHEMA_FILL,
         .what = "retry"},
        {.key = NULL},
};
static const sim_schema producer_item = {
        .kind = SIM_SCHEMA_MAP, .children = producer_keys, .what = "producer"};

/* ---- the checks a schema cannot say ----------------------------------------------------- */

/* A rate of records (not bytes) per time. */
static void check_count_rate(const sim_yaml_node *rate, const char *key, sim_diag *d)
{
	sim_rate r;
	char err[160];
	if (rate && rate->kind == SIM_YAML_SCALAR &&
	    sim_parse_rate(rate->text, &r, err, sizeof err) == 0 && r.is_bytes)
		sim_schema_error(d, rate, "%s must count records, e.g. '100/s' (got '%s')", key,
		                 rate->text);
}

/* arrivals: poisson | uniform | {bursty: {burst: N[, every: T]}}. Bursty is a pattern applied
 * to the producer's rate, which stays its one source of volume: bursts of `burst` records at
 * one instant, spaced so the rate holds (every burst/rate). `every` may restate that spacing,
 * only beside a constant `rate`, and must agree with it. */
static void check_arrivals(const sim_yaml_node *pr, sim_diag *d)
{
	const sim_yaml_node *arrivals = sim_yaml_get(pr, "arrivals");
	if (!arrivals)
		return;
	if (arrivals->kind == SIM_YAML_SCALAR &&
	    (strcmp(arrivals->text, "poisson") == 0 || strcmp(arrivals->text, "uniform") == 0))
		return;
	const sim_yaml_node *bursty = sim_yaml_get(arrivals, "bursty");
	if (arrivals->kind != SIM_YAML_MAP || arrivals->n != 1 || !bursty) {
		sim_schema_error(
		        d, arrivals,
		        "arrivals must be poisson, uniform or {bursty: {burst: N}} (got %s)",
		        arrivals->kind == SIM_YAML_SCALAR ? arrivals->text : "another map");
		return;
	}
	const sim_yaml_node *burst = sim_yaml_get(bursty, "burst");
	const sim_yaml_node *every = sim_yaml_get(bursty, "every");
	int64_t n = 0;
	sim_time t;
	char err[160];
	if (bursty->kind != SIM_YAML_MAP || !burst || bursty->n != (every ? 2u : 1u)) {
		sim_schema_error(
		        d, bursty,
		        "bursty needs 'burst' (records per burst), and may restate 'every' "
		        "(time between bursts, burst/rate)");
		sim_diag_hint(d, "e.g. rate: 50/s with arrivals: {bursty: {burst: 50}} sends 50 "
		                 "records at once every second");
		return;
	}
	if (burst->kind != SIM_YAML_SCALAR ||
	    sim_parse_count(burst->text, &n, err, sizeof err) < 0 || n < 1 || n > 1000000) {
		sim_schema_error(d, burst,
		                 "burst must be a whole number of records 1..1000000 (got '%s')",
		                 burst->kind == SIM_YAML_SCALAR ? burst->text : "a collection");
		return;
	}
	if (!every)
		return;
	if (every->kind != SIM_YAML_SCALAR ||
	    sim_parse_duration(every->text, &t, err, sizeof err) < 0 || t <= 0) {
		sim_schema_error(d, every,
		                 "every must be a positive duration, e.g. '1s' (got '%s')",
		                 every->kind == SIM_YAML_SCALAR ? every->text : "a collection");
		return;
	}
	const sim_yaml_node *rate = sim_yaml_get(pr, "rate");
	sim_rate r;
	if (!rate) {
		sim_schema_error(d, every, "bursty 'every' needs a constant 'rate' beside it");
		sim_diag_hint(d,
		              "with a profile, diurnal or trace the bursts follow the rate: give "
		              "'burst' alone");
		return;
	}
	if (rate->kind != SIM_YAML_SCALAR || sim_parse_rate(rate->text, &r, err, sizeof err) < 0 ||
	    r.is_bytes)
		return; /* reported with the rate */
	if (r.per_s <= 0) {
		sim_schema_error(d, every, "bursty 'every' needs a rate above 0/s (got %s)",
		                 rate->text);
		return;
	}
	sim_time spacing = (sim_time)((double)n * 1e9 / r.per_s + 0.5);
	if (t - spacing > 1 || spacing - t > 1) {
		char want[64];
		sim_time_format(want, sizeof want, spacing);
		sim_schema_error(d, every,
		                 "every: %s disagrees with rate %s: bursts of %lld records at that "
		                 "rate come "
		                 "every %s",
		                 every->text, rate->text, (long long)n, want);
		sim_diag_hint(d,
		              "give 'burst' alone (the rate spaces the bursts), or make rate "
		              "burst/every (%.6g/s)",
		              (double)n * 1e9 / (double)t);
	}
}

static void check_producer(const sim_yaml_pair *p, sim_diag *d)
{
	static const char *const sources[] = {"rate", "profile", "diurnal", "trace"};
	const sim_yaml_node *pr = p->value;
	const char *first = NULL;
	for (size_t i = 0; i < 4; i++) {
		if (!sim_yaml_get(pr, sources[i]))
			continue;
		if (first) {
			const sim_yaml_pair *second = sim_yaml_get_pair(pr, sources[i]);
			sim_diag_report(d, SIM_DIAG_ERROR, second->key->file, second->key->line,
			                second->key->col, "producer '%s' has both '%s' and '%s'",
			                p->key->text, first, sources[i]);
			sim_diag_hint(
			        d, "a producer gives exactly one of rate, profile, diurnal, trace");
		}
		first = first ? first : sources[i];
	}
	if (!first)
		sim_schema_error(d, p->key,
		                 "producer '%s' needs one of rate, profile, diurnal, trace",
		                 p->key->text);

	const sim_yaml_node *stream = sim_yaml_get(pr, "stream");
	const sim_yaml_node *list = sim_yaml_get(pr, "streams");
	if (!stream && !list)
		sim_schema_error(d, p->key, "producer '%s' needs 'stream' (or 'streams')",
		                 p->key->text);
	if (stream && list) {
		const sim_yaml_pair *second = sim_yaml_get_pair(pr, "streams");
		sim_schema_error(d, second->key, "producer '%s' has both 'stream' and 'streams'",
		                 p->key->text);
		sim_diag_hint(d, "streams: [a, b] writes each record to every stream named");
	}

	check_count_rate(sim_yaml_get(pr, "rate"), "rate", d);
	const sim_yaml_node *profile = sim_yaml_get(pr, "profile");
	sim_time last_at = -1;
	for (size_t i = 0; profile && profile->kind == SIM_YAML_SEQ && i < profile->n; i++) {
		const sim_yaml_node *step = profile->items[i];
		check_count_rate(sim_yaml_get(step, "rate"), "rate", d);
		const sim_yaml_node *at = sim_yaml_get(step, "at");
		sim_time t;
		char err[160];
		if (!at || at->kind != SIM_YAML_SCALAR ||
		    sim_parse_duration(at->text, &t, err, sizeof err) < 0)
			continue;
		if (t <= last_at)
			sim_schema_error(
			        d, at,
			        "profile steps must be in time order (got at: %s after a later "
			        "step)",
			        at->text);
		last_at = t;
	}
	const sim_yaml_node *diurnal = sim_yaml_get(pr, "diurnal");
	if (diurnal && diurnal->kind == SIM_YAML_MAP) {
		check_count_rate(sim_yaml_get(diurnal, "peak"), "peak", d);
		check_count_rate(sim_yaml_get(diurnal, "trough"), "trough", d);
	}
	const sim_yaml_node *trace = sim_yaml_get(pr, "trace");
	if (trace && trace->kind == SIM_YAML_SCALAR) {
		ks_trace t;
		if (ks_trace_load(trace, &t, d) == 0)
			ks_trace_fini(&t);
	}
	for (size_t i = 0; list && list->kind == SIM_YAML_SEQ && i < list->n; i++) {
		const sim_yaml_node *a = list->items[i];
		for (size_t j = 0; j < i && a->kind == SIM_YAML_SCALAR; j++) {
			const sim_yaml_node *b = list->items[j];
			if (b->kind == SIM_YAML_SCALAR && strcmp(a->text, b->text) == 0) {
				sim_schema_error(d, a, "stream '%s' is listed twice in streams",
				                 a->text);
				break;
			}
		}
	}
	if (list && list->kind == SIM_YAML_SEQ && list->n == 0)
		sim_schema_error(d, list, "streams needs at least one stream");
	if (profile && profile->kind == SIM_YAML_SEQ && profile->n == 0)
		sim_schema_error(d, profile,
		                 "profile needs at least one step, e.g. [{at: 0s, rate: 100/s}]");
	const sim_yaml_node *peak = sim_yaml_get(diurnal, "peak");
	const sim_yaml_node *trough = sim_yaml_get(diurnal, "trough");
	sim_rate rp, rt;
	char err[160];
	if (diurnal && diurnal->kind == SIM_YAML_MAP && peak && trough &&
	    peak->kind == SIM_YAML_SCALAR && trough->kind == SIM_YAML_SCALAR &&
	    sim_parse_rate(peak->text, &rp, err, sizeof err) == 0 &&
	    sim_parse_rate(trough->text, &rt, err, sizeof err) == 0 && rp.per_s < rt.per_s)
		sim_schema_error(d, peak, "diurnal peak (%s) must be at least its trough (%s)",
		                 peak->text, trough->text);
	/* Keys written in the scenario (line > 0), not defaults the schema filled in, nor
	 * written with their default value. */
	const sim_yaml_node *put = sim_yaml_get(pr, "put");
	const sim_yaml_node *api = sim_yaml_get(put, "api");
	static const char *const batching[] = {"max_records", "linger"};
	for (size_t i = 0;
	     api && api->kind == SIM_YAML_SCALAR && strcmp(api->text, "PutRecord") == 0 && i < 2;
	     i++) {
		const sim_yaml_pair *kv = sim_yaml_get_pair(put, batching[i]);
		if (kv && kv->key->line > 0 && !sim_schema_holds_default(kv, put_keys))
			sim_schema_error(d, kv->key,
			                 "put.%s applies to PutRecords only (PutRecord sends one "
			                 "record per call)",
			                 batching[i]);
	}
	check_arrivals(pr, d);
}

/* ---- the component ---------------------------------------------------------------------- */

/* Whether the producers may run ahead on a helper (kinesis/ahead.h): a core to spare, no
 * stream they write to changes with what the readers do, and some reader to share the work
 * with. A stream that something else writes to (a function, a topic or a rule re-publishing),
 * an on-demand stream (its splits) and a resharded one change. Without readers the
 * simulation's thread would only append, and one thread doing everything is faster (the
 * ring costs some 7%). */
static bool may_run_ahead(const producers *ps, sim_time *from)
{
	if (ps->n == 0 || ks_model_ctx(ps->model)->spare_cores == 0)
		return false;
	*from = 0;
	bool read = false;
	for (size_t i = 0; i < ps->n; i++)
		for (size_t k = 0; k < ks_producer_ntargets(ps->all[i]); k++) {
			ks_stream *s = ks_producer_target(ps->all[i], k);
			if (ks_model_entity(ps->model, s->name)->sink_taken || s->cfg.on_demand ||
			    s->cfg.nreshards > 0)
				return false;
			read = read || s->nreaders > 0;
			if (-s->cfg.backlog < *from)
				*from = -s->cfg.backlog;
		}
	return read;
}

static void advance(void *world, sim_time now)
{
	producers *ps = world;
	if (!ps->ahead_decided) {
		ps->ahead_decided = true;
		sim_time from;
		if (may_run_ahead(ps, &from)) {
			ks_model_ctx(ps->model)->spare_cores--;
			ps->ahead = ks_ahead_start(ps->all, ps->n, ks_model_ctx(ps->model), from);
		}
	}
	if (ps->ahead)
		ks_ahead_advance(ps->ahead, now);
	else
		ks_producers_advance(ps->all, ps->n, now);
}

/* A fixed record_size over a target stream's max_record_size: every record would be refused
 * [doc: MaxRecordSize, 1 MiB by default, up to 10 MiB]. A distribution may cross it now and
 * then: those records count in records_oversized at run time. */
static void check_record_size(const sim_yaml_node *root, const sim_yaml_node *pr, sim_diag *d)
{
	const sim_yaml_node *size = sim_yaml_get(pr, "record_size");
	double bytes, max;
	char err[128];
	if (!size || size->kind != SIM_YAML_SCALAR ||
	    sim_parse_size(size->text, false, &bytes, err, sizeof err) < 0)
		return;
	const sim_yaml_node *stream = sim_yaml_get(pr, "stream");
	const sim_yaml_node *list = sim_yaml_get(pr, "streams");
	size_t n = stream ? 1 : list && list->kind == SIM_YAML_SEQ ? list->n : 0;
	for (size_t i = 0; i < n; i++) {
		const sim_yaml_node *name = stream ? stream : list->items[i];
		if (name->kind != SIM_YAML_SCALAR)
			continue;
		const sim_yaml_node *s = sim_yaml_get(sim_yaml_get(root, "streams"), name->text);
		const sim_yaml_node *m = sim_yaml_get(s, "max_record_size");
		const char *max_text = m && m->kind == SIM_YAML_SCALAR ? m->text : "1MiB";
		if (!s || sim_parse_size(max_text, true, &max, err, sizeof err) < 0 || bytes <= max)
			continue;
		sim_schema_error(d, size,
		                 "record_size %s is over the max_record_size of stream '%s' (%s): "
		                 "Kinesis refuses every such record",
		                 size->text, name->text, max_text);
		sim_diag_hint(d, "raise the stream's max_record_size (up to 10MiB), or send "
		                 "smaller records");
		return;
	}
}

/* A stream's backlog (streams.X.backlog) is written by its producers before the run: each
 * must have a constant rate (what it wrote before is its rate at the start), and a producer of
 * several streams needs the same backlog on each. */
static void check_backlog(const sim_yaml_node *root, const sim_yaml_pair *p, sim_diag *d)
{
	const sim_yaml_node *streams = sim_yaml_get(root, "streams");
	const sim_yaml_node *stream = sim_yaml_get(p->value, "stream");
	const sim_yaml_node *list = sim_yaml_get(p->value, "streams");
	size_t n = stream ? 1 : list && list->kind == SIM_YAML_SEQ ? list->n : 0;
	const sim_yaml_node *first = NULL;
	sim_time first_t = 0;
	for (size_t i = 0; i < n; i++) {
		const sim_yaml_node *name = stream ? stream : list->items[i];
		if (name->kind != SIM_YAML_SCALAR)
			continue;
		const sim_yaml_node *b = sim_yaml_get(sim_yaml_get(streams, name->text), "backlog");
		sim_time t = 0;
		char err[128];
		if (b && (b->kind != SIM_YAML_SCALAR ||
		          sim_parse_duration(b->text, &t, err, sizeof err) < 0))
			return; /* reported by the schema */
		if (i == 0) {
			first = b;
			first_t = t;
		} else if (t != first_t) {
			sim_schema_error(d, name,
			                 "producer '%s' writes to streams with different backlogs "
			                 "(%s and %s)",
			                 p->key->text, first ? first->text : "0s",
			                 b ? b->text : "0s");
			sim_diag_hint(d, "give its streams the same backlog");
			return;
		}
	}
	if (first_t > 0 && !sim_yaml_get(p->value, "rate"))
		sim_schema_error(d, p->key,
		                 "producer '%s' writes to a stream with a backlog, so it needs a "
		                 "constant rate (its rate before the run)",
		                 p->key->text);
}

static void check_all(const sim_yaml_node *root, const sim_yaml_node *entries, sim_diag *d)
{
	for (size_t i = 0; entries && entries->kind == SIM_YAML_MAP && i < entries->n; i++) {
		check_producer(&entries->pairs[i], d);
		check_record_size(root, entries->pairs[i].value, d);
		check_backlog(root, &entries->pairs[i], d);
		ks_fields_check(sim_yaml_get(entries->pairs[i].value, "fields"), d);
	}
}

static void *prepare(ks_model *m)
{
	producers *ps = sim_calloc(1, sizeof *ps);
	const sim_yaml_node *entries = sim_yaml_get(ks_model_root(m), "producers");
	ps->cap = entries && entries->kind == SIM_YAML_MAP ? entries->n : 0;
	ps->all = sim_calloc(ps->cap ? ps->cap : 1, sizeof *ps->all);
	ps->crn_seeds = sim_calloc(ps->cap ? ps->cap : 1, sizeof *ps->crn_seeds);
	ps->key_count = sim_calloc(ps->cap ? ps->cap : 1, sizeof *ps->key_count);
	ps->fields = sim_calloc(ps->cap ? ps->cap : 1, sizeof *ps->fields);
	ps->model = m;
	ks_ctx *ctx = ks_model_ctx(m);
	ctx->advance = advance;
	ctx->world = ps;
	ctx->crn_seeds = ps->crn_seeds;
	ctx->fields = ps->fields;
	ctx->key_counts = ps->key_count;
	return ps;
}

static void release(void *state)
{
	producers *ps = state;
	ks_ahead_free(ps->ahead);
	sim_free(ps->all);
	sim_free(ps->crn_seeds);
	sim_free(ps->key_count);
	for (size_t i = 0; i < ps->n; i++)
		ks_fields_fini(&ps->fields[i]);
	sim_free(ps->fields);
	sim_free(ps);
}

static bool is_scalar(const sim_yaml_node *n, const char *text)
{
	return n && n->kind == SIM_YAML_SCALAR && strcmp(n->text, text) == 0;
}

/* The scenario was checked, so every value read here is present and valid; a trace file is
 * read a second time. */
static void create(ks_model *m, const char *entry, const sim_yaml_node *p)
{
	producers *ps = ks_model_state(m, &ks_producers_component);
	SIM_ASSERT(ps->n < ps->cap);
	const sim_yaml_node *keys = sim_yaml_get(p, "partition_keys");
	const sim_yaml_node *put = sim_yaml_get(p, "put");
	const sim_yaml_node *arrivals = sim_yaml_get(p, "arrivals");
	const sim_yaml_node *bursty = arrivals && arrivals->kind == SIM_YAML_MAP
	                                      ? sim_yaml_get(arrivals, "bursty")
	                                      : NULL;
	ks_producer_config cfg = {
	        .name = entry,
	        .number = (uint32_t)ps->n,
	        .uniform_arrivals = is_scalar(arrivals, "uniform"),
	        .burst = bursty ? (uint32_t)sim_schema_int(bursty, "burst") : 0,
	        .record_size = sim_schema_dist(p, "record_size", true),
	        .limit = sim_yaml_get(p, "limit") ? sim_schema_int(p, "limit") : -1,
	        .zipf_keys = sim_schema_enum(keys, "distribution", key_distributions) == 1,
	};
	sim_schema_fill(keys, partition_keys_keys, &cfg);
	sim_schema_fill(put, put_keys, &cfg);
	sim_schema_fill(sim_yaml_get(p, "retry"), retry_keys, &cfg);
	if (sim_schema_enum(put, "api", apis) == 1) { /* PutRecord: one record per call */
		cfg.max_records = 1;
		cfg.linger = 0;
	}

	const sim_yaml_node *list = sim_yaml_get(p, "streams");
	ks_stream **streams = NULL;
	if (list) {
		streams = sim_calloc(list->n, sizeof *streams);
		for (size_t i = 0; i < list->n; i++)
			streams[i] = ks_model_stream(m, list->items[i]->text);
		cfg.streams = streams;
		cfg.nstreams = list->n;
	} else {
		cfg.stream = ks_model_stream(m, sim_schema_string(p, "stream"));
	}
	cfg.backlog = (cfg.streams ? cfg.streams[0] : cfg.stream)->cfg.backlog;

	const sim_yaml_node *profile = sim_yaml_get(p, "profile");
	const sim_yaml_node *diurnal = sim_yaml_get(p, "diurnal");
	const sim_yaml_node *trace_at = sim_yaml_get(p, "trace");
	ks_profile_step *steps = NULL;
	ks_diurnal sine = {0};
	ks_trace trace = {0};
	if (profile) {
		steps = sim_calloc(profile->n ? profile->n : 1, sizeof *steps);
		for (size_t i = 0; i < profile->n; i++) {
			const sim_yaml_node *s = profile->items[i];
			steps[i] = (ks_profile_step){
			        .at = sim_schema_duration(s, "at"),
			        .rate_per_s = sim_schema_rate(s, "rate").per_s,
			        .ramp = sim_schema_duration(s, "ramp"),
			};
		}
		cfg.profile = steps;
		cfg.nprofile = profile->n;
	} else if (diurnal) {
		sim_schema_fill(diurnal, diurnal_keys, &sine);
		cfg.diurnal = &sine;
	} else if (trace_at) {
		/* Checked when the scenario loaded; a file changed since then is a failure of the
		 * environment we cannot report from here. */
		sim_diag *d = sim_diag_create();
		int rc = ks_trace_load(trace_at, &trace, d);
		sim_diag_destroy(d);
		SIM_ASSERT(rc == 0);
		cfg.trace = &trace;
	} else {
		cfg.rate_per_s = sim_schema_rate(p, "rate").per_s;
	}

	ks_producer *pr = ks_producer_create(ks_model_ctx(m), &cfg);
	sim_dist_fini(&cfg.record_size);
	sim_free(streams);
	sim_free(steps);
	ks_trace_fini(&trace);
	ps->crn_seeds[ps->n] = ks_producer_crn_seed(pr);
	ps->key_count[ps->n] = cfg.key_count;
	ks_fields_read(sim_yaml_get(p, "fields"), &ps->fields[ps->n]);
	ps->all[ps->n++] = pr;
	ks_model_add(m, &ks_producers_component, entry, entry, p, pr);
}

const uint32_t *ks_producers_key_counts(ks_model *m, size_t *n)
{
	producers *ps = ks_model_state(m, &ks_producers_component);
	*n = ps->n;
	return ps->key_count;
}

static void summarize(void *obj, ks_cost *cost)
{
	(void)cost;
	ks_producer_summarize(obj);
}

static void destroy(void *obj)
{
	ks_producer_destroy(obj);
}

const ks_component ks_producers_component = {
        .key = "producers",
        .noun = "producer",
        .item = &producer_item,
        .check = check_all,
        .prepare = prepare,
        .release = release,
        .create = create,
        .summarize = summarize,
        .destroy = destroy,
};
