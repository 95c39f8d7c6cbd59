/* The size of a run before it runs (estimate.h): records, deliveries, events, memory, output.
 *
 * How. The run is cut into NCELLS equal cells of simulated time. Each producer's expected
 * records per cell come from its cumulative rate Lambda(t) (constant, profile and trace:
 * piecewise linear; diurnal: in closed form), cut at its `limit`; they are added to every
 * stream it writes to. A stream accepts per cell at most its shards' write limits (records,
 * and bytes at the mean size of what is offered to it); the rest is rejected and resent. The
 * cells let a burst of a profile be capped where it happens, and their number bounds the
 * work (a few hundred kilobytes and well under a millisecond for a scenario of tens of
 * entities); a cell averages what varies inside it, which can only overstate what is accepted.
 *
 * The series columns follow what the components register (tests/models/scenario checks them
 * against a built model of every library scenario): a stream 8 per shard, a function copy 23
 * plus 2 per shard its kinesis triggers read, a consumer 5 per shard, a queue 9, a topic 2, a
 * bucket 3; a shard counts once for every shard ever opened (resharding and on-demand splits
 * add columns). This file must follow when a component registers a series. */
#include "models/scenario/estimate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/kinesis/trace.h"
#include "models/scenario/registry.h"
#include "sim/alloc.h"
#include "sim/diag.h"
#include "sim/schema.h"

#define NCELLS 4096

/* Series columns per entity (the comment at the top). */
#define STREAM_SERIES_PER_SHARD   8
#define FUNCTION_SERIES           23 /* 20 registered metrics + duration sum, count, average */
#define FUNCTION_SERIES_PER_SHARD 2  /* iterator_age_max_ms, read_throttled */
#define CONSUMER_SERIES_PER_SHARD 5
#define QUEUE_SERIES              9
#define TOPIC_SERIES              2
#define BUCKET_SERIES             3

/* Bytes per record held: a log slot is a ks_record (core/record.h); a resend is producer.c's
 * `resend`. Both live in arrays that double when full, so a run may take up to twice this for
 * them; the counts they multiply (every reader a whole retention behind, every rejected record
 * waiting out every backoff in full) are the larger overstatement, so that factor is left
 * out rather than piled on. */
#define LOG_BYTES_PER_RECORD    24.0
#define RESEND_BYTES_PER_RECORD 40.0

/* [doc] on-demand: starts with 4 shards; a shard whose writes pass 500 KiB/s is split. */
#define ON_DEMAND_START_SHARDS 4
#define ON_DEMAND_SPLIT_BYTES  (500.0 * 1024)

/* Engine events per GetRecords call (the call and its response, which starts the
 * invocation), per invocation (its end), and per second per shard of an enhanced fan-out
 * subscription (pushes at a few per second). Orders of magnitude, which match the counts of
 * bench/big-stream.yaml (3.5 M estimated, 3.6 M run) and scenarios/hot-stream.yaml (9,000
 * and 8,000). */
#define EVENTS_PER_READ       2.0
#define EVENTS_PER_INVOCATION 1.0
#define EFO_EVENTS_PER_SECOND 10.0

/* A piece of a piecewise-linear rate, in seconds: from t0 to the next piece's t0. */
typedef struct piece {
	double t0, rate0, slope, cum0;
} piece;

typedef struct rate_source {
	enum { SRC_NONE, SRC_PIECES, SRC_DIURNAL } kind;
	piece *pieces;
	size_t n, cap;
	double mean, amp, omega, peak_at; /* diurnal, per second */
	double limit;                     /* records at most; INFINITY: none */
	size_t at;                        /* the piece of the last time asked (times only grow) */
} rate_source;

typedef struct stream_est {
	const char *name;
	double shards0;     /* shards at the start (provisioned) */
	double shards_max;  /* most open at once */
	double shards_ever; /* every shard ever opened: the series' columns */
	bool on_demand;
	double on_demand_max;
	double retention; /* s */
	double backlog;   /* s of writing before the run (streams.X.backlog) */
	const sim_yaml_node *reshard;
	double *offered;  /* records offered per cell */
	double *bytes;    /* their bytes (data and key) */
	double *accepted; /* records accepted per cell */
	double readers;   /* readers of every kind: deliveries per record */
	double backoff;   /* the longest resend horizon of the producers writing to it, s */
} stream_est;

typedef struct world {
	double duration; /* s */
	double dt;       /* a cell, s */
	stream_est *streams;
	size_t nstreams;
	double write_records, write_bytes; /* per shard per second */
	double read_tps;
	double poll_interval; /* s */
	double key_bytes;     /* the producers' key tables */
} world;

static double seconds(sim_time t)
{
	return (double)t / (double)SIM_S;
}

static stream_est *find_stream(world *w, const char *name)
{
	for (size_t i = 0; name && i < w->nstreams; i++)
		if (strcmp(w->streams[i].name, name) == 0)
			return &w->streams[i];
	return NULL;
}

/* ---- rates ---------------------------------------------------------------------------------- */

static double pieces_rate_at(const rate_source *r, double t)
{
	for (size_t i = r->n; i-- > 0;)
		if (r->pieces[i].t0 <= t)
			return r->pieces[i].rate0 + r->pieces[i].slope * (t - r->pieces[i].t0);
	return 0;
}

/* As producer.c's push_segment: a piece replaces whatever was planned from its start on. */
static void push_piece(rate_source *r, double t0, double rate0, double slope)
{
	while (r->n > 0 && r->pieces[r->n - 1].t0 >= t0)
		r->n--;
	sim_grow(&r->pieces, &r->cap, r->n + 1, sizeof *r->pieces);
	r->pieces[r->n++] = (piece){.t0 = t0, .rate0 = rate0, .slope = slope};
}

static void finish_pieces(rate_source *r)
{
	for (size_t i = 1; i < r->n; i++) {
		const piece *g = &r->pieces[i - 1];
		double len = r->pieces[i].t0 - g->t0;
		r->pieces[i].cum0 = g->cum0 + g->rate0 * len + g->slope * len * len / 2;
	}
}

/* A profile, as producer.c builds it: 0 before the first step; a step ramps linearly from the
 * rate in effect at its `at` to its own rate. */
static void profile_source(rate_source *r, const sim_yaml_node *steps)
{
	r->kind = SRC_PIECES;
	push_piece(r, 0, 0, 0);
	for (size_t i = 0; i < steps->n; i++) {
		const sim_yaml_node *s = steps->items[i];
		double at = seconds(sim_schema_duration(s, "at"));
		double ramp = seconds(sim_schema_duration(s, "ramp"));
		double to = sim_schema_rate(s, "rate").per_s;
		double from = pieces_rate_at(r, at);
		if (ramp > 0) {
			push_piece(r, at, from, (to - from) / ramp);
			push_piece(r, at + ramp, to, 0);
		} else {
			push_piece(r, at, to, 0);
		}
	}
	finish_pieces(r);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* A trace, as producer.c reads it: each row's records at a constant rate until the next row
 * (the last: for the median period), nothing after. A trace that cannot be read (the file
 * changed since the scenario loaded) is no records. */
static void trace_source(rate_source *r, const sim_yaml_node *at)
{
	r->kind = SRC_PIECES;
	ks_trace tr = {0};
	sim_diag *d = sim_diag_create();
	int rc = ks_trace_load(at, &tr, d);
	sim_diag_destroy(d);
	if (rc != 0 || tr.n < 2) {
		if (rc == 0)
			ks_trace_fini(&tr);
		r->kind = SRC_NONE;
		return;
	}
	double *periods = sim_malloc((tr.n - 1) * sizeof *periods);
	for (size_t i = 0; i + 1 < tr.n; i++)
		periods[i] = seconds(tr.rows[i + 1].t - tr.rows[i].t);
	qsort(periods, tr.n - 1, sizeof *periods, cmp_double);
	size_t m = tr.n - 1;
	double median = m % 2 ? periods[m / 2] : (periods[m / 2 - 1] + periods[m / 2]) / 2;
	sim_free(periods);
	for (size_t i = 0; i < tr.n; i++) {
		double t0 = seconds(tr.rows[i].t);
		double period = i + 1 < tr.n ? seconds(tr.rows[i + 1].t) - t0 : median;
		push_piece(r, t0, period > 0 ? tr.rows[i].records / period : 0, 0);
		if (i + 1 == tr.n)
			push_piece(r, t0 + period, 0, 0);
	}
	ks_trace_fini(&tr);
	finish_pieces(r);
}

/* Expected records before t, Lambda(t), cut at the limit; t never decreases between calls (a
 * trace of a day in seconds is 86,400 pieces). */
static double cumulative(rate_source *r, double t)
{
	double c = 0;
	if (r->kind == SRC_PIECES && r->n > 0 && r->pieces[0].t0 <= t) {
		while (r->at + 1 < r->n && r->pieces[r->at + 1].t0 <= t)
			r->at++;
		const piece *g = &r->pieces[r->at];
		double tau = t - g->t0;
		c = g->cum0 + g->rate0 * tau + g->slope * tau * tau / 2;
	} else if (r->kind == SRC_DIURNAL) {
		c = r->mean * t +
		    r->amp / r->omega *
		            (sin(r->omega * (t - r->peak_at)) + sin(r->omega * r->peak_at));
	}
	c = c > 0 ? c : 0;
	return c < r->limit ? c : r->limit;
}

static rate_source producer_source(const sim_yaml_node *p)
{
	rate_source r = {.kind = SRC_NONE, .limit = INFINITY};
	const sim_yaml_node *profile = sim_yaml_get(p, "profile");
	const sim_yaml_node *diurnal = sim_yaml_get(p, "diurnal");
	const sim_yaml_node *trace = sim_yaml_get(p, "trace");
	if (profile && profile->kind == SIM_YAML_SEQ) {
		profile_source(&r, profile);
	} else if (diurnal) {
		double peak = sim_schema_rate(diurnal, "peak").per_s;
		double trough = sim_schema_rate(diurnal, "trough").per_s;
		r.kind = SRC_DIURNAL;
		r.mean = (peak + trough) / 2;
		r.amp = (peak - trough) / 2;
		r.omega = 2 * M_PI / seconds(sim_schema_duration(diurnal, "period"));
		r.peak_at = seconds(sim_schema_duration(diurnal, "peak_at"));
	} else if (trace) {
		trace_source(&r, trace);
	} else if (sim_yaml_get(p, "rate")) {
		r.kind = SRC_PIECES;
		push_piece(&r, 0, sim_schema_rate(p, "rate").per_s, 0);
	}
	if (sim_yaml_get(p, "limit"))
		r.limit = (double)sim_schema_int(p, "limit");
	return r;
}

/* ---- the entities --------------------------------------------------------------------------- */

static void read_streams(world *w, const sim_yaml_node *root)
{
	const sim_yaml_node *streams = sim_yaml_get(root, "streams");
	const sim_yaml_node *kinesis = sim_yaml_get(sim_yaml_get(root, "platform"), "kinesis");
	w->write_records = sim_schema_rate(kinesis, "write_records").per_s;
	w->write_bytes = sim_schema_rate(kinesis, "write_bytes").per_s;
	w->read_tps = sim_schema_rate(kinesis, "read_tps").per_s;
	double on_demand_max = (double)sim_schema_int(kinesis, "on_demand_max_shards");
	w->nstreams = streams && streams->kind == SIM_YAML_MAP ? streams->n : 0;
	w->streams = sim_calloc(w->nstreams ? w->nstreams : 1, sizeof *w->streams);
	for (size_t i = 0; i < w->nstreams; i++) {
		const sim_yaml_node *s = streams->pairs[i].value;
		stream_est *st = &w->streams[i];
		st->name = streams->pairs[i].key->text;
		st->retention = seconds(sim_schema_duration(s, "retention"));
		st->backlog = seconds(sim_schema_duration(s, "backlog"));
		const sim_yaml_node *mode = sim_yaml_get(s, "mode");
		st->on_demand = mode && strcmp(mode->text, "on_demand") == 0;
		st->on_demand_max = on_demand_max;
		st->shards0 = st->on_demand
		                      ? fmax(ON_DEMAND_START_SHARDS,
		                             ceil(sim_schema_rate(s, "warm_throughput").per_s /
		                                  1048576.0))
		                      : (double)sim_schema_int(s, "shards");
		st->shards_max = st->shards_ever = st->shards0;
		const sim_yaml_node *plan = sim_yaml_get(s, "reshard");
		st->reshard = plan && plan->kind == SIM_YAML_SEQ ? plan : NULL;
		for (size_t k = 0; st->reshard && k < plan->n; k++) {
			double n = (double)sim_schema_int(plan->items[k], "shards");
			st->shards_ever += n;
			st->shards_max = fmax(st->shards_max, n);
		}
		st->offered = sim_calloc(NCELLS, sizeof *st->offered);
		st->bytes = sim_calloc(NCELLS, sizeof *st->bytes);
		st->accepted = sim_calloc(NCELLS, sizeof *st->accepted);
	}
}

/* The longest time a rejected record waits for its resends: every backoff in full. */
static double resend_horizon(const sim_yaml_node *p)
{
	const sim_yaml_node *retry = sim_yaml_get(p, "retry");
	int64_t attempts = sim_schema_int(retry, "max_attempts");
	double base = seconds(sim_schema_duration(retry, "base"));
	double cap = seconds(sim_schema_duration(retry, "cap"));
	double sum = 0;
	for (int64_t k = 1; k < attempts; k++)
		sum += fmin(base * ldexp(1.0, (int)(k < 60 ? k - 1 : 59)), cap);
	return sum;
}

/* Adds each producer's records per cell to the streams it writes to; returns the records it
 * generates. */
static double read_producers(world *w, const sim_yaml_node *root)
{
	const sim_yaml_node *producers = sim_yaml_get(root, "producers");
	double produced = 0;
	for (size_t i = 0; producers && producers->kind == SIM_YAML_MAP && i < producers->n; i++) {
		const sim_yaml_node *p = producers->pairs[i].value;
		rate_source r = producer_source(p);
		sim_dist size = sim_schema_dist(p, "record_size", true);
		double key_count =
		        (double)sim_schema_int(sim_yaml_get(p, "partition_keys"), "count");
		/* keys k0..k<count-1>: about 2 + log10(count) bytes, counted by the write limit */
		double bytes = fmax(0, sim_dist_mean(&size)) + 2 + floor(log10(key_count));
		sim_dist_fini(&size);
		double horizon = resend_horizon(p);

		const sim_yaml_node *list = sim_yaml_get(p, "streams");
		size_t ntargets = 0, max = list && list->kind == SIM_YAML_SEQ ? list->n : 1;
		stream_est **targets = sim_calloc(max ? max : 1, sizeof *targets);
		if (list && list->kind == SIM_YAML_SEQ) {
			for (size_t k = 0; k < list->n; k++)
				if ((targets[ntargets] = find_stream(w, list->items[k]->text)))
					ntargets++;
		} else if ((targets[0] = find_stream(w, sim_yaml_get(p, "stream")
		                                                ? sim_schema_string(p, "stream")
		                                                : NULL))) {
			ntargets = 1;
		}
		double before = cumulative(&r, 0);
		for (size_t c = 0; c < NCELLS; c++) {
			double next = cumulative(&r, (double)(c + 1) * w->dt);
			double n = next - before;
			before = next;
			for (size_t k = 0; k < ntargets; k++) {
				targets[k]->offered[c] += n;
				targets[k]->bytes[c] += n * bytes;
			}
		}
		produced += before;
		/* Per key (and the hot one): its MD5 (16 B) and length, its shard in each stream,
		 * and with a zipf distribution gsl's alias table (about 16 B). */
		w->key_bytes += (key_count + 1) * (17 + 4.0 * (double)ntargets + 16);
		for (size_t k = 0; k < ntargets; k++)
			targets[k]->backoff = fmax(targets[k]->backoff, horizon);
		sim_free(targets);
		sim_free(r.pieces);
	}
	return produced;
}

/* The shards open at t on a provisioned stream (its reshard plan). */
static double shards_at(const stream_est *st, double t)
{
	double n = st->shards0;
	for (size_t k = 0; st->reshard && k < st->reshard->n; k++)
		if (seconds(sim_schema_duration(st->reshard->items[k], "at")) <= t)
			n = (double)sim_schema_int(st->reshard->items[k], "shards");
	return n;
}

/* Caps each cell at the write limits; on demand, first the shards the writes would split the
 * stream into. */
static void accept(world *w, stream_est *st)
{
	if (st->on_demand) {
		double peak = 0;
		for (size_t c = 0; c < NCELLS; c++)
			peak = fmax(peak, st->bytes[c] / w->dt);
		double need = ceil(peak / ON_DEMAND_SPLIT_BYTES);
		need = fmin(fmax(need, ON_DEMAND_START_SHARDS), fmax(st->on_demand_max, 1));
		st->shards_max = need;
		/* a split closes one shard and opens two */
		st->shards_ever = ON_DEMAND_START_SHARDS + 2 * (need - ON_DEMAND_START_SHARDS);
	}
	for (size_t c = 0; c < NCELLS; c++) {
		double shards =
		        st->on_demand ? st->shards_max : shards_at(st, ((double)c + 0.5) * w->dt);
		double cap = shards * w->write_records * w->dt;
		if (st->bytes[c] > 0) {
			double by_bytes =
			        shards * w->write_bytes * w->dt * st->offered[c] / st->bytes[c];
			cap = fmin(cap, by_bytes);
		}
		st->accepted[c] = fmin(st->offered[c], cap);
	}
}

/* Readers of each stream; returns the engine events of reading and invoking per second. */
static double read_readers(world *w, const sim_yaml_node *root)
{
	double per_second = 0;
	const sim_yaml_node *lambda = sim_yaml_get(sim_yaml_get(root, "platform"), "lambda");
	double poll = seconds(sim_schema_duration(lambda, "poll_interval"));
	poll = poll > 0 ? poll : 1;

	const ks_component *functions_kind = ks_registry_kind("functions");
	const sim_yaml_node *functions = sim_yaml_get(root, "functions");
	for (size_t i = 0; functions && functions->kind == SIM_YAML_MAP && i < functions->n; i++) {
		const sim_yaml_node *fn = functions->pairs[i].value;
		double copies = functions_kind && functions_kind->names
		                        ? (double)functions_kind->names(&functions->pairs[i], NULL)
		                        : 1;
		copies = copies > 0 ? copies : 1;
		const sim_yaml_node *triggers = sim_yaml_get(fn, "triggers");
		for (size_t t = 0; triggers && triggers->kind == SIM_YAML_SEQ && t < triggers->n;
		     t++) {
			const sim_yaml_node *k = triggers->items[t]; /* {kinesis: NAME, ...} */
			stream_est *st = sim_yaml_get(k, "kinesis")
			                         ? find_stream(w, sim_schema_string(k, "kinesis"))
			                         : NULL;
			if (!st)
				continue;
			st->readers += copies;
			double accepted = 0;
			for (size_t c = 0; c < NCELLS; c++)
				accepted += st->accepted[c];
			double per_shard = accepted / w->duration / st->shards_max;
			double lanes = (double)sim_schema_int(k, "parallelization_factor");
			double batch = fmin(fmax(per_shard * poll / lanes, 1),
			                    (double)sim_schema_int(k, "batch_size"));
			double invocations = per_shard / batch;
			double reads = sim_schema_bool(k, "enhanced_fanout")
			                       ? EFO_EVENTS_PER_SECOND
			                       : fmin(1 / poll, w->read_tps) * EVENTS_PER_READ;
			per_second += copies * st->shards_max *
			              (reads + invocations * EVENTS_PER_INVOCATION);
		}
	}
	const sim_yaml_node *consumers = sim_yaml_get(root, "consumers");
	for (size_t i = 0; consumers && consumers->kind == SIM_YAML_MAP && i < consumers->n; i++) {
		const sim_yaml_node *c = consumers->pairs[i].value;
		stream_est *st = find_stream(w, sim_schema_string(c, "stream"));
		if (!st)
			continue;
		st->readers += 1;
		double idle = seconds(sim_schema_duration(c, "idle_time_between_reads"));
		double calls = idle > 0 ? fmin(1 / idle, w->read_tps) : w->read_tps;
		/* a read with records also ends in a processing event */
		per_second += st->shards_max * (sim_schema_bool(c, "enhanced_fanout")
		                                        ? EFO_EVENTS_PER_SECOND
		                                        : calls * (EVENTS_PER_READ + 1));
	}
	const sim_yaml_node *firehoses = sim_yaml_get(root, "firehoses");
	for (size_t i = 0; firehoses && firehoses->kind == SIM_YAML_MAP && i < firehoses->n; i++) {
		stream_est *st =
		        find_stream(w, sim_schema_string(firehoses->pairs[i].value, "source"));
		if (!st)
			continue;
		st->readers += 1;
		per_second += st->shards_max * EVENTS_PER_READ; /* one read a second per shard */
	}
	return per_second;
}

/* Columns of every series but the streams'. */
static double other_columns(world *w, const sim_yaml_node *root)
{
	double columns = 0;
	const ks_component *functions_kind = ks_registry_kind("functions");
	const sim_yaml_node *functions = sim_yaml_get(root, "functions");
	for (size_t i = 0; functions && functions->kind == SIM_YAML_MAP && i < functions->n; i++) {
		double copies = functions_kind && functions_kind->names
		                        ? (double)functions_kind->names(&functions->pairs[i], NULL)
		                        : 1;
		copies = copies > 0 ? copies : 1;
		double shards = 0;
		const sim_yaml_node *triggers = sim_yaml_get(functions->pairs[i].value, "triggers");
		for (size_t t = 0; triggers && triggers->kind == SIM_YAML_SEQ && t < triggers->n;
		     t++) {
			const sim_yaml_node *k = triggers->items[t];
			const stream_est *st =
			        sim_yaml_get(k, "kinesis")
			                ? find_stream(w, sim_schema_string(k, "kinesis"))
			                : NULL;
			shards += st ? st->shards_ever : 0;
		}
		columns += copies * (FUNCTION_SERIES + FUNCTION_SERIES_PER_SHARD * shards);
	}
	const sim_yaml_node *consumers = sim_yaml_get(root, "consumers");
	for (size_t i = 0; consumers && consumers->kind == SIM_YAML_MAP && i < consumers->n; i++) {
		const stream_est *st =
		        find_stream(w, sim_schema_string(consumers->pairs[i].value, "stream"));
		columns += CONSUMER_SERIES_PER_SHARD * (st ? st->shards_ever : 0);
	}
	static const struct {
		const char *key;
		double series;
	} single[] = {
	        {"queues", QUEUE_SERIES}, {"topics", TOPIC_SERIES}, {"buckets", BUCKET_SERIES}};
	for (size_t k = 0; k < sizeof single / sizeof single[0]; k++) {
		const sim_yaml_node *entries = sim_yaml_get(root, single[k].key);
		if (entries && entries->kind == SIM_YAML_MAP)
			columns += single[k].series * (double)entries->n;
	}
	return columns;
}

/* ---- the estimate --------------------------------------------------------------------------- */

ks_estimate ks_estimate_tree(const sim_yaml_node *root)
{
	ks_estimate e = {0};
	world w = {.duration = seconds(sim_schema_duration(root, "duration"))};
	if (!(w.duration > 0))
		return e;
	w.dt = w.duration / NCELLS;
	read_streams(&w, root);
	e.produced = read_producers(&w, root);
	for (size_t i = 0; i < w.nstreams; i++)
		accept(&w, &w.streams[i]);
	double events_per_s = read_readers(&w, root);

	double columns = other_columns(&w, root);
	for (size_t i = 0; i < w.nstreams; i++) {
		stream_est *st = &w.streams[i];
		double accepted = 0, peak = 0, rejected_peak = 0;
		for (size_t c = 0; c < NCELLS; c++) {
			accepted += st->accepted[c];
			peak = fmax(peak, st->accepted[c] / w.dt);
			rejected_peak =
			        fmax(rejected_peak, (st->offered[c] - st->accepted[c]) / w.dt);
		}
		/* The backlog: the first cell's accepted rate, for the backlog's time before 0
		 * (what it holds expires with retention). */
		double backlog = st->accepted[0] / w.dt * fmin(st->backlog, st->retention);
		e.records += accepted + backlog;
		e.deliveries += (accepted + backlog) * st->readers;
		/* A log with no reader keeps nothing; with readers, at most a retention's worth. */
		if (st->readers > 0)
			e.log_bytes += fmin(accepted + backlog,
			                    fmax(peak, st->accepted[0] / w.dt) * st->retention) *
			               LOG_BYTES_PER_RECORD;
		/* Records rejected during the longest backoff wait in the producers' heaps. */
		double offered = 0;
		for (size_t c = 0; c < NCELLS; c++)
			offered += st->offered[c];
		e.resend_bytes += fmin(rejected_peak * st->backoff, offered - accepted) *
		                  RESEND_BYTES_PER_RECORD;
		columns += STREAM_SERIES_PER_SHARD * st->shards_ever;
		sim_free(st->offered);
		sim_free(st->bytes);
		sim_free(st->accepted);
	}
	sim_free(w.streams);

	sim_time interval = sim_schema_duration(sim_yaml_get(root, "metrics"), "interval");
	sim_time stop = sim_schema_duration(root, "duration");
	e.rows = interval > 0 ? ceil((double)stop / (double)interval) : 1;
	e.columns = columns;
	e.series_bytes = e.rows * columns * sizeof(double);
	e.events = events_per_s * w.duration;
	e.key_bytes = w.key_bytes;
	e.memory_bytes = e.series_bytes + e.log_bytes + e.resend_bytes + e.key_bytes;
	double replications = (double)sim_schema_int(root, "replications");
	e.output_bytes = e.series_bytes * (replications > 1 ? replications : 1);
	return e;
}

ks_estimate ks_estimate_scenario(const ks_scenario *sc)
{
	return ks_estimate_tree(sc->root);
}

/* ---- words ---------------------------------------------------------------------------------- */

const char *ks_estimate_format_bytes(double bytes, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
	size_t u = 0;
	while (bytes >= 999.5 && u + 1 < sizeof units / sizeof units[0]) {
		bytes /= 1000;
		u++;
	}
	snprintf(buf, len, bytes < 9.95 && u > 0 ? "%.1f %s" : "%.0f %s", bytes, units[u]);
	return buf;
}

/* A count as 27046 or, from a million on, 3.6e+12. */
static void format_count(double n, char *buf, size_t len)
{
	snprintf(buf, len, n < 1e6 ? "%.0f" : "%.2g", n);
}

const char *ks_estimate_format(const ks_estimate *e, char *buf, size_t len)
{
	char produced[32], records[32], memory[32], output[32];
	format_count(e->produced, produced, sizeof produced);
	format_count(e->records, records, sizeof records);
	ks_estimate_format_bytes(e->memory_bytes, memory, sizeof memory);
	ks_estimate_format_bytes(e->output_bytes, output, sizeof output);
	if (e->produced > 1.01 * e->records)
		snprintf(buf, len,
		         "about %s records produced (%s accepted), %s of memory, %s of output",
		         produced, records, memory, output);
	else
		snprintf(buf, len, "about %s records, %s of memory, %s of output", records, memory,
		         output);
	return buf;
}
