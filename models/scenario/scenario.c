/* Loading a scenario: the YAML file, --set overrides, the format (format.h: the top level and
 * each component's part, references between entities checked by the walker with did-you-mean),
 * each component's own cross-checks, and the checks that span components: names unique across
 * every kind, the enhanced fan-out limit of a stream, a warm-up shorter than the run. */
#include "models/scenario/scenario.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "models/scenario/format.h"
#include "models/scenario/registry.h"
#include "sim/alloc.h"
#include "sim/schema.h"
#include "sim/units.h"

#define AWS_RANGE_HINT "set platform.aws_ranges: warn to allow values outside AWS's range"

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

/* ---- checks that span components -------------------------------------------------------- */

typedef struct name_entry {
	char *name; /* owned */
	const char *kind;
	const sim_yaml_node *at;
} name_entry;

/* Registers a name (taking ownership of it), reporting clashes and reserved words. */
static void add_name(name_entry **names, size_t *n, size_t *cap, char *name, const char *kind,
                     const sim_yaml_node *at, const char *every_kind, sim_diag *d)
{
	if (strcmp(name, "cost") == 0) {
		sim_schema_error(d, at, "the name '%s' is reserved for the cost metrics", name);
		sim_diag_hint(d, "choose another name for this %s", kind);
	} else if (!*name || strpbrk(name, ". \t")) {
		sim_schema_error(d, at, "%s name '%s' may not be empty or contain '.' or spaces",
		                 kind, name);
		sim_diag_hint(d, "metric paths are <name>.<metric>, so a name is one word");
	} else {
		for (size_t i = 0; i < *n; i++) {
			if (strcmp((*names)[i].name, name) != 0)
				continue;
			sim_diag_report(d, SIM_DIAG_ERROR, at->file, at->line, at->col,
			                "%s name '%s' is already used by a %s (line %d)", kind,
			                name, (*names)[i].kind, (*names)[i].at->line);
			sim_diag_hint(d, "names are unique across %s", every_kind);
			sim_free(name);
			return;
		}
	}
	sim_grow(names, cap, *n + 1, sizeof **names);
	(*names)[(*n)++] = (name_entry){name, kind, at};
}

/* Names are unique across all kinds; an entry that makes several (a function with `count`)
 * contributes each of theirs. */
static void check_names(const sim_yaml_node *root, sim_diag *d)
{
	char every[256] = "";
	size_t at = 0, nkinds = 0;
	while (ks_registry[nkinds])
		nkinds++;
	for (size_t k = 0; k < nkinds && at < sizeof every; k++)
		at += (size_t)snprintf(every + at, sizeof every - at, "%s%s",
		                       k == 0            ? ""
		                       : k + 1 == nkinds ? " and "
		                                         : ", ",
		                       ks_registry[k]->key);
	name_entry *names = NULL;
	size_t n = 0, cap = 0;
	for (size_t k = 0; k < nkinds; k++) {
		const ks_component *c = ks_registry[k];
		const sim_yaml_node *dict = sim_yaml_get(root, c->key);
		for (size_t i = 0; dict && dict->kind == SIM_YAML_MAP && i < dict->n; i++) {
			const sim_yaml_pair *p = &dict->pairs[i];
			if (!c->names) {
				add_name(&names, &n, &cap, sim_strdup(p->key->text), c->noun,
				         p->key, every, d);
				continue;
			}
			size_t count = c->names(p, NULL);
			char **made = sim_calloc(count ? count : 1, sizeof *made);
			c->names(p, made);
			for (size_t j = 0; j < count; j++)
				add_name(&names, &n, &cap, made[j], c->noun, p->key, every, d);
			sim_free(made);
		}
	}
	for (size_t i = 0; i < n; i++)
		sim_free(names[i].name);
	sim_free(names);
}

static size_t copies_of(const sim_yaml_pair *entry)
{
	const ks_component *functions = ks_registry_kind("functions");
	return functions && functions->names ? functions->names(entry, NULL) : 1;
}

/* [doc] at most 20 enhanced fan-out consumers per stream: a function's copies each register
 * one per trigger, and so does each consumer with enhanced_fanout. */
static void check_efo_limit(const sim_yaml_node *root, sim_diag *d)
{
	const sim_yaml_node *streams = sim_yaml_get(root, "streams");
	const sim_yaml_node *functions = sim_yaml_get(root, "functions");
	const sim_yaml_node *consumers = sim_yaml_get(root, "consumers");
	for (size_t s = 0; streams && streams->kind == SIM_YAML_MAP && s < streams->n; s++) {
		const char *name = streams->pairs[s].key->text;
		size_t n = 0;
		const sim_yaml_node *at = NULL;
		for (size_t f = 0; functions && functions->kind == SIM_YAML_MAP && f < functions->n;
		     f++) {
			const sim_yaml_node *triggers =
			        sim_yaml_get(functions->pairs[f].value, "triggers");
			for (size_t t = 0;
			     triggers && triggers->kind == SIM_YAML_SEQ && t < triggers->n; t++) {
				const sim_yaml_node *efo =
				        sim_yaml_get(triggers->items[t], "enhanced_fanout");
				if (!scalar_is(sim_yaml_get(triggers->items[t], "kinesis"), name) ||
				    !scalar_is(efo, "true"))
					continue;
				n += copies_of(&functions->pairs[f]);
				if (n > 20 && !at)
					at = efo;
			}
		}
		for (size_t c = 0; consumers && consumers->kind == SIM_YAML_MAP && c < consumers->n;
		     c++) {
			const sim_yaml_node *cn = consumers->pairs[c].value;
			const sim_yaml_node *efo = sim_yaml_get(cn, "enhanced_fanout");
			if (!scalar_is(sim_yaml_get(cn, "stream"), name) || !scalar_is(efo, "true"))
				continue;
			if (++n > 20 && !at)
				at = efo;
		}
		if (at) {
			sim_schema_error(
			        d, at,
			        "stream '%s' has %zu enhanced fan-out consumers; AWS allows 20 per "
			        "stream",
			        name, n);
			sim_diag_hint(
			        d, "each copy of a function (count: N) registers its own consumer");
		}
	}
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
	check_names(root, d);
	check_efo_limit(root, d);
	check_warmup(root, d);
}

/* ---- loading ------------------------------------------------------------------------------ */

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
	if (root->kind != SIM_YAML_MAP) {
		sim_diag_report(
		        d, SIM_DIAG_ERROR, path, root->line ? root->line : 1,
		        root->col ? root->col : 1,
		        "a scenario is a map of keys (kinesim, name, duration, streams, ...)");
		sim_diag_hint(d, "scenarios/minimal.yaml is the smallest complete example");
		sim_yaml_doc_destroy(doc);
		return KS_SCENARIO_INVALID;
	}
	for (size_t i = 0; i < nsets; i++) {
		char label[32];
		snprintf(label, sizeof label, "--set #%zu", i + 1);
		sim_yaml_set_path(doc, root, sets[i], label, d);
	}
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
	sc->ranges_warn = warn;
	*out = sc;
	return 0;
}

void ks_scenario_destroy(ks_scenario *sc)
{
	if (!sc)
		return;
	sim_yaml_doc_destroy(sc->doc);
	sim_free(sc->path);
	sim_free(sc->source);
	sim_free(sc->resolved);
	sim_free(sc);
}
