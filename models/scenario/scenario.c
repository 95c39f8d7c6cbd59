/* Loading a scenario: the YAML file, --set overrides (which change entities that exist, while
 * --set-new creates them), the format (format.h: the top level and each component's part,
 * references between entities checked by the walker with did-you-mean), each component's own
 * cross-checks, and the checks that span components: the format version, safe and unique
 * names across every kind, the enhanced fan-out limit of a stream, a warm-up shorter than the
 * run.
 *
 * Every check is linear in the size of the scenario (names and streams are found through hash
 * indexes), so scenarios of 10^5 entities load in seconds. */
#include "models/scenario/scenario.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "models/scenario/format.h"
#include "models/scenario/registry.h"
#include "sim/alloc.h"
#include "sim/hashmap.h"
#include "sim/schema.h"
#include "sim/units.h"

#define AWS_RANGE_HINT "set platform.aws_ranges: warn to allow values outside AWS's range"
#define NAME_HINT                                                                                  \
	"names become part of metric paths (<name>.<metric>) and of paths in the output file"
#define FORMAT_VERSION 1

static bool scalar_is(const sim_yaml_node *n, const char *text)
{
	return n && n->kind == SIM_YAML_SCALAR && strcmp(n->text, text) == 0;
}

/* ---- references: the names of the scenario's entries, by kind ----------------------------- */

/* Calls fn for each kind named in `kinds` (scenario keys separated by spaces). */
static void each_kind(const char *kinds, void (*fn)(const ks_component *c, void *ctx), void *ctx)
{
	char key[32];
	for (const char *p = kinds; *p;) {
		size_t len = strcspn(p, " ");
		if (len > 0 && len < sizeof key) {
			memcpy(key, p, len);
			key[len] = '\0';
			const ks_component *c = ks_registry_kind(key);
			if (c)
				fn(c, ctx);
		}
		p += len + (p[len] == ' ');
	}
}

typedef struct lookup {
	const sim_yaml_node *root;
	const char *name;
	bool found;
	const char **out;
	size_t n, max;
} lookup;

static void find_in(const ks_component *c, void *ctx)
{
	lookup *l = ctx;
	if (sim_yaml_get(sim_yaml_get(l->root, c->key), l->name))
		l->found = true;
}

static bool ref_exists(void *ctx, const char *kinds, const char *name)
{
	lookup l = {.root = ctx, .name = name};
	each_kind(kinds, find_in, &l);
	return l.found;
}

static void list_in(const ks_component *c, void *ctx)
{
	lookup *l = ctx;
	const sim_yaml_node *dict = sim_yaml_get(l->root, c->key);
	for (size_t i = 0; dict && dict->kind == SIM_YAML_MAP && i < dict->n && l->n < l->max; i++)
		l->out[l->n++] = dict->pairs[i].key->text;
}

static size_t ref_list(void *ctx, const char *kinds, const char **out, size_t max)
{
	lookup l = {.root = ctx, .out = out, .max = max};
	each_kind(kinds, list_in, &l);
	return l.n;
}

typedef struct nouns {
	const char *noun[16];
	size_t n;
} nouns;

static void noun_of(const ks_component *c, void *ctx)
{
	nouns *ns = ctx;
	if (ns->n < 16)
		ns->noun[ns->n++] = c->noun;
}

/* "stream", "queue or topic", "queue, topic or bucket" */
static void ref_noun(void *ctx, const char *kinds, char *buf, size_t len)
{
	(void)ctx;
	nouns ns = {.n = 0};
	each_kind(kinds, noun_of, &ns);
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ns.n && at < len; i++) {
		const char *sep = i == 0 ? "" : i + 1 == ns.n ? " or " : ", ";
		at += (size_t)snprintf(buf + at, len - at, "%s%s", sep, ns.noun[i]);
	}
}

/* ---- names ------------------------------------------------------------------------------ */

/* The characters of a name, which are also those of a key in a --set PATH. */
static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* [choice] A name (an entity's, the scenario's) is made of ASCII letters, digits, '-' and '_'.
 * Names become metric paths (<name>.<metric>), groups of the output file (streams/<name>) and
 * the default output file (out/<name>.h5): so a name can never be a path of its own ("a/b",
 * "../x"), be empty, or split a metric path. */
static bool name_is_safe(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!name_char(*p))
			return false;
	return true;
}

/* The scenario keys of every kind, "streams, producers, ... and buckets" (last_sep " and ")
 * or "... or buckets". */
static void kinds_list(char *buf, size_t size, const char *last_sep)
{
	size_t at = 0, nkinds = 0;
	while (ks_registry[nkinds])
		nkinds++;
	buf[0] = '\0';
	for (size_t k = 0; k < nkinds && at < size; k++)
		at += (size_t)snprintf(buf + at, size - at, "%s%s",
		                       k == 0            ? ""
		                       : k + 1 == nkinds ? last_sep
		                                         : ", ",
		                       ks_registry[k]->key);
}

typedef struct name_entry {
	char *name; /* owned */
	const char *kind;
	const sim_yaml_node *at;
} name_entry;

typedef struct name_table {
	name_entry *items;
	size_t n, cap;
	sim_hashmap index; /* items by name */
	const char *every_kind;
} name_table;

/* Registers a name (taking ownership of it), reporting clashes and reserved words. */
static void add_name(name_table *t, char *name, const char *kind, const sim_yaml_node *at,
                     sim_diag *d)
{
	uint64_t h = sim_hash_string(name);
	if (strcmp(name, "cost") == 0) {
		sim_schema_error(d, at, "the name '%s' is reserved for the cost metrics", name);
		sim_diag_hint(d, "choose another name for this %s", kind);
	} else {
		size_t pos = 0, i;
		while ((i = sim_hashmap_next(&t->index, h, &pos)) != SIM_HASHMAP_NONE) {
			if (strcmp(t->items[i].name, name) != 0)
				continue;
			sim_diag_report(d, SIM_DIAG_ERROR, at->file, at->line, at->col,
			                "%s name '%s' is already used by a %s (line %d)", kind,
			                name, t->items[i].kind, t->items[i].at->line);
			sim_diag_hint(d, "names are unique across %s", t->every_kind);
			sim_free(name);
			return;
		}
	}
	sim_grow(&t->items, &t->cap, t->n + 1, sizeof *t->items);
	sim_hashmap_add(&t->index, h, t->n);
	t->items[t->n++] = (name_entry){name, kind, at};
}

/* Names are safe (name_is_safe) and unique across all kinds; an entry that makes several (a
 * function with `count`) contributes each of theirs. */
static void check_names(const sim_yaml_node *root, sim_diag *d)
{
	char every[256];
	kinds_list(every, sizeof every, " and ");
	name_table t = {.every_kind = every};
	for (size_t k = 0; ks_registry[k]; k++) {
		const ks_component *c = ks_registry[k];
		const sim_yaml_node *dict = sim_yaml_get(root, c->key);
		for (size_t i = 0; dict && dict->kind == SIM_YAML_MAP && i < dict->n; i++) {
			const sim_yaml_pair *p = &dict->pairs[i];
			if (!name_is_safe(p->key->text)) {
				if (!*p->key->text)
					sim_schema_error(d, p->key, "a %s name may not be empty",
					                 c->noun);
				else
					sim_schema_error(d, p->key,
					                 "%s name '%s' may contain only letters, "
					                 "digits, '-' and '_'",
					                 c->noun, p->key->text);
				sim_diag_hint(d, NAME_HINT);
				continue;
			}
			if (!c->names) {
				add_name(&t, sim_strdup(p->key->text), c->noun, p->key, d);
				continue;
			}
			size_t count = c->names(p, NULL);
			char **made = sim_calloc(count ? count : 1, sizeof *made);
			c->names(p, made);
			for (size_t j = 0; j < count; j++)
				add_name(&t, made[j], c->noun, p->key, d);
			sim_free(made);
		}
	}
	for (size_t i = 0; i < t.n; i++)
		sim_free(t.items[i].name);
	sim_free(t.items);
	sim_hashmap_fini(&t.index);
}

/* The scenario's name names the default output file, out/<name>.h5. */
static void check_scenario_name(const sim_yaml_node *root, sim_diag *d)
{
	const sim_yaml_node *name = sim_yaml_get(root, "name");
	if (!name || name->kind != SIM_YAML_SCALAR || name_is_safe(name->text))
		return; /* absent or not a value: reported by the schema */
	if (!*name->text)
		sim_schema_error(d, name, "the scenario name may not be empty");
	else
		sim_schema_error(d, name,
		                 "scenario name '%s' may contain only letters, digits, '-' and '_'",
		                 name->text);
	sim_diag_hint(d, "the name names the output file, out/<name>.h5, unless -o says otherwise");
}

/* ---- checks that span components -------------------------------------------------------- */

/* The format version: the schema knows it is an integer; which one this kinesim reads is said
 * here, in words, rather than as a range. */
static void check_version(const sim_yaml_node *root, sim_diag *d)
{
	const sim_yaml_node *v = sim_yaml_get(root, "kinesim");
	int64_t version;
	char err[128];
	if (v && v->kind == SIM_YAML_SCALAR &&
	    sim_parse_count(v->text, &version, err, sizeof err) == 0 && version != FORMAT_VERSION)
		sim_schema_error(d, v, "this version of kinesim reads format version %d (got %s)",
		                 FORMAT_VERSION, v->text);
}

static size_t copies_of(const sim_yaml_pair *entry)
{
	const ks_component *functions = ks_registry_kind("functions");
	return functions && functions->names ? functions->names(entry, NULL) : 1;
}

typedef struct efo_count {
	size_t n;                /* registered consumers */
	size_t limit;            /* 20, or 50 for an on-demand stream with On-demand Advantage */
	const sim_yaml_node *at; /* the enhanced_fanout that passed the limit */
} efo_count;

/* Counts n consumers registered through efo on the stream named by `stream` (if it is one). */
static void count_efo(const sim_yaml_node *streams, efo_count *counts, const sim_yaml_node *stream,
                      const sim_yaml_node *efo, size_t n)
{
	if (!stream || stream->kind != SIM_YAML_SCALAR || !scalar_is(efo, "true"))
		return;
	const sim_yaml_pair *p = sim_yaml_get_pair(streams, stream->text);
	if (!p)
		return; /* no such stream: reported by the schema */
	efo_count *c = &counts[p - streams->pairs];
	c->n += n;
	if (c->n > c->limit && !c->at)
		c->at = efo;
}

/* [doc] at most 20 enhanced fan-out consumers per stream, 50 on an on-demand stream with
 * On-demand Advantage (an AWS limit: a warning under aws_ranges: warn): a function's copies each
 * register one per trigger, and so does each consumer with enhanced_fanout. Counted in one pass
 * over the functions, then the consumers, so the consumer reported is the first past the limit in
 * that order. */
static void check_efo_limit(const sim_yaml_node *root, sim_diag *d)
{
	const sim_yaml_node *streams = sim_yaml_get(root, "streams");
	const sim_yaml_node *functions = sim_yaml_get(root, "functions");
	const sim_yaml_node *consumers = sim_yaml_get(root, "consumers");
	if (!streams || streams->kind != SIM_YAML_MAP || streams->n == 0)
		return;
	efo_count *counts = sim_calloc(streams->n, sizeof *counts);
	const sim_yaml_node *kinesis = sim_yaml_get(sim_yaml_get(root, "platform"), "kinesis");
	bool advantage = scalar_is(sim_yaml_get(kinesis, "on_demand_advantage"), "true");
	for (size_t s = 0; s < streams->n; s++) {
		bool on_demand =
		        scalar_is(sim_yaml_get(streams->pairs[s].value, "mode"), "on_demand");
		counts[s].limit = advantage && on_demand ? 50 : 20;
	}
	for (size_t f = 0; functions && functions->kind == SIM_YAML_MAP && f < functions->n; f++) {
		const sim_yaml_node *triggers = sim_yaml_get(functions->pairs[f].value, "triggers");
		for (size_t t = 0; triggers && triggers->kind == SIM_YAML_SEQ && t < triggers->n;
		     t++)
			count_efo(streams, counts, sim_yaml_get(triggers->items[t], "kinesis"),
			          sim_yaml_get(triggers->items[t], "enhanced_fanout"),
			          copies_of(&functions->pairs[f]));
	}
	for (size_t c = 0; consumers && consumers->kind == SIM_YAML_MAP && c < consumers->n; c++) {
		const sim_yaml_node *cn = consumers->pairs[c].value;
		count_efo(streams, counts, sim_yaml_get(cn, "stream"),
		          sim_yaml_get(cn, "enhanced_fanout"), 1);
	}
	/* an AWS limit: a warning under aws_ranges: warn, as the other limits */
	bool warn = scalar_is(sim_yaml_get(sim_yaml_get(root, "platform"), "aws_ranges"), "warn");
	for (size_t s = 0; s < streams->n; s++) {
		const sim_yaml_node *at = counts[s].at;
		if (!at)
			continue;
		sim_diag_report(
		        d, warn ? SIM_DIAG_WARNING : SIM_DIAG_ERROR, at->file, at->line, at->col,
		        "stream '%s' has %zu enhanced fan-out consumers; AWS allows %zu per "
		        "stream",
		        streams->pairs[s].key->text, counts[s].n, counts[s].limit);
		sim_diag_hint(d, "each copy of a function (count: N) registers its own consumer");
	}
	sim_free(counts);
}

static void check_warmup(const sim_yaml_node *root, sim_diag *d)
{
	const sim_yaml_pair *warmup = sim_yaml_get_pair(root, "warmup");
	const sim_yaml_node *duration = sim_yaml_get(root, "duration");
	sim_time w, t;
	char err[128];
	if (!warmup || warmup->key->line == 0 || !duration ||
	    warmup->value->kind != SIM_YAML_SCALAR || duration->kind != SIM_YAML_SCALAR ||
	    sim_parse_duration(warmup->value->text, &w, err, sizeof err) < 0 ||
	    sim_parse_duration(duration->text, &t, err, sizeof err) < 0 || w < t)
		return;
	char ws[64], ts[64];
	sim_time_format(ws, sizeof ws, w);
	sim_time_format(ts, sizeof ts, t);
	sim_schema_error(d, warmup->value,
	                 "warmup must be shorter than duration (got %s, duration %s)", ws, ts);
}

/* What a schema cannot say: each component's own checks, then those that span components.
 * They read text only, so they run even after schema errors: every mistake is reported in one
 * go. */
static void check_semantics(const sim_yaml_node *root, sim_diag *d)
{
	for (size_t k = 0; ks_registry[k]; k++)
		if (ks_registry[k]->check)
			ks_registry[k]->check(root, sim_yaml_get(root, ks_registry[k]->key), d);
	check_version(root, d);
	check_scenario_name(root, d);
	check_names(root, d);
	check_efo_limit(root, d);
	check_warmup(root, d);
}

/* ---- --set and --set-new ------------------------------------------------------------------ */

/* The entity an assignment's PATH goes into: its first key a kind of entity and its second the
 * name ("streams.events.shards=4": streams, events). False when the PATH does not start so
 * (or is not well formed, which sim_yaml_set_path reports). */
static bool entity_of(const char *assignment, const ks_component **kind, char *name, size_t size)
{
	char key[32];
	size_t l = 0;
	while (name_char(assignment[l]))
		l++;
	if (l == 0 || l >= sizeof key || assignment[l] != '.')
		return false;
	memcpy(key, assignment, l);
	key[l] = '\0';
	const ks_component *c = ks_registry_kind(key);
	if (!c)
		return false;
	const char *p = assignment + l + 1;
	size_t m = 0;
	while (name_char(p[m]))
		m++;
	if (m == 0 || m >= size || (p[m] != '.' && p[m] != '[' && p[m] != '='))
		return false;
	memcpy(name, p, m);
	name[m] = '\0';
	*kind = c;
	return true;
}

/* --set changes the entities the scenario has (a misspelt name would otherwise make a new,
 * empty one that the run ignores, silently); --set-new creates one. Inside an entity both
 * create the keys they name. Returns whether the assignment may go ahead; reports why not. */
static bool check_set_target(const sim_yaml_node *root, const char *assignment, bool create,
                             const char *label, sim_diag *d)
{
	const ks_component *kind;
	char name[256];
	if (!entity_of(assignment, &kind, name, sizeof name)) {
		if (!create)
			return true;
		char kinds[256];
		kinds_list(kinds, sizeof kinds, " or ");
		sim_diag_report(d, SIM_DIAG_ERROR, label, 0, 0,
		                "--set-new creates an entity: its PATH is a kind (%s), a new name "
		                "and keys, like streams.audit.shards=2 (got '%s')",
		                kinds, assignment);
		return false;
	}
	const sim_yaml_node *dict = sim_yaml_get(root, kind->key);
	bool exists = sim_yaml_get(dict, name) != NULL;
	if (create && exists) {
		sim_diag_report(d, SIM_DIAG_ERROR, label, 0, 0, "there is already a %s named '%s'",
		                kind->noun, name);
		sim_diag_hint(d, "--set %s changes it", assignment);
		return false;
	}
	if (!create && !exists) {
		size_t n = dict && dict->kind == SIM_YAML_MAP ? dict->n : 0;
		const char **names = sim_calloc(n ? n : 1, sizeof *names);
		for (size_t i = 0; i < n; i++)
			names[i] = dict->pairs[i].key->text;
		const char *near = sim_diag_suggest(name, names, n);
		if (near)
			sim_diag_report(d, SIM_DIAG_ERROR, label, 0, 0,
			                "no %s named '%s'; did you mean '%s'?", kind->noun, name,
			                near);
		else
			sim_diag_report(d, SIM_DIAG_ERROR, label, 0, 0, "no %s named '%s'",
			                kind->noun, name);
		sim_free(names);
		sim_diag_hint(d, "--set-new %s would create a new %s '%s'", assignment, kind->noun,
		              name);
		return false;
	}
	return true;
}

/* Applies the assignments in order, each labelled by its option and its rank among them
 * ("--set #2", "--set-new #1"). */
static void apply_sets(sim_yaml_doc *doc, sim_yaml_node *root, const char *const *sets,
                       size_t nsets, sim_diag *d)
{
	size_t nset = 0, nnew = 0;
	for (size_t i = 0; i < nsets; i++) {
		bool create = sets[i][0] == KS_SET_NEW;
		const char *assignment = sets[i] + create;
		char label[32];
		if (create)
			snprintf(label, sizeof label, "--set-new #%zu", ++nnew);
		else
			snprintf(label, sizeof label, "--set #%zu", ++nset);
		if (check_set_target(root, assignment, create, label, d))
			sim_yaml_set_path(doc, root, assignment, label, d);
	}
}

/* ---- loading ------------------------------------------------------------------------------ */

/* Applies the sets to a parsed tree, checks and resolves it: 0 with *out set, or
 * KS_SCENARIO_INVALID (doc destroyed) when d has more errors than errors_before (those of
 * parsing count: after duplicate keys alone the tree is whole). */
static int finish_load(sim_yaml_doc *doc, sim_yaml_node *root, const char *path,
                       const char *const *sets, size_t nsets, sim_diag *d, size_t errors_before,
                       ks_scenario **out)
{
	if (root->kind != SIM_YAML_MAP) {
		sim_diag_report(
		        d, SIM_DIAG_ERROR, path, root->line ? root->line : 1,
		        root->col ? root->col : 1,
		        "a scenario is a map of keys (kinesim, name, duration, streams, ...)");
		sim_diag_hint(d, "scenarios/minimal.yaml is the smallest complete example");
		sim_yaml_doc_destroy(doc);
		return KS_SCENARIO_INVALID;
	}
	apply_sets(doc, root, sets, nsets, d);
	bool warn = scalar_is(sim_yaml_get(sim_yaml_get(root, "platform"), "aws_ranges"), "warn");
	sim_schema_names names = {
	        .exists = ref_exists, .list = ref_list, .noun = ref_noun, .ctx = (void *)root};
	sim_schema_options opt = {
	        .soft_ranges_warn = warn, .soft_range_hint = AWS_RANGE_HINT, .names = &names};
	sim_schema_check(doc, root, ks_format(), &opt, d);
	check_semantics(root, d);
	if (sim_diag_errors(d) > errors_before) {
		sim_yaml_doc_destroy(doc);
		return KS_SCENARIO_INVALID;
	}

	ks_scenario *sc = sim_calloc(1, sizeof *sc);
	sc->doc = doc;
	sc->root = root;
	sc->path = sim_strdup(path);
	size_t len = 0;
	const char *text = sim_yaml_source_text(doc, path, &len);
	sc->source = sim_strndup(text ? text : "", text ? len : 0);
	sc->source_len = text ? len : 0;
	sc->resolved = sim_yaml_emit(root);
	sc->name = sim_schema_string(root, "name");
	sim_yaml_index_all(root); /* the tree is final: reading it from threads writes nothing */
	sc->ranges_warn = warn;
	sc->sets = sim_calloc(nsets ? nsets : 1, sizeof *sc->sets);
	for (size_t i = 0; i < nsets; i++)
		sc->sets[i] = sim_strdup(sets[i]);
	sc->nsets = nsets;
	*out = sc;
	return 0;
}

int ks_scenario_load(const char *path, const char *const *sets, size_t nsets, sim_diag *d,
                     ks_scenario **out, int *err_no)
{
	sim_yaml_doc *doc = sim_yaml_doc_create();
	int err = 0;
	size_t errors_before = sim_diag_errors(d);
	sim_yaml_node *root = sim_yaml_load_file(doc, path, d, &err);
	if (!root && err != -EINVAL) {
		sim_yaml_doc_destroy(doc);
		*err_no = -err;
		return KS_SCENARIO_MISSING;
	}
	if (!root) {
		sim_yaml_doc_destroy(doc);
		return KS_SCENARIO_INVALID;
	}
	return finish_load(doc, root, path, sets, nsets, d, errors_before, out);
}

int ks_scenario_load_text(const char *name, const char *text, size_t len, const char *const *sets,
                          size_t nsets, sim_diag *d, ks_scenario **out)
{
	sim_yaml_doc *doc = sim_yaml_doc_create();
	size_t errors_before = sim_diag_errors(d);
	sim_yaml_node *root = sim_yaml_parse(doc, name, text, len, d);
	if (!root) {
		sim_yaml_doc_destroy(doc);
		return KS_SCENARIO_INVALID;
	}
	return finish_load(doc, root, name, sets, nsets, d, errors_before, out);
}

void ks_scenario_destroy(ks_scenario *sc)
{
	if (!sc)
		return;
	sim_yaml_doc_destroy(sc->doc);
	sim_free(sc->path);
	sim_free(sc->source);
	sim_free(sc->resolved);
	for (size_t i = 0; i < sc->nsets; i++)
		sim_free(sc->sets[i]);
	sim_free(sc->sets);
	sim_free(sc);
}
