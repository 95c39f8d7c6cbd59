/* The schema walker: checks a YAML tree against a static description (arrays of sim_schema),
 * reports every mistake through diag.h and fills defaults in, so that after a clean check the
 * tree is the resolved document and the typed getters below cannot fail.
 *
 * The walk never stops at the first mistake: each node is checked on its own, and a container
 * with a wrong shape only skips its own subtree. Defaults are parsed from their YAML text and
 * walked like user values, so a wrong default shows up as an error rather than a crash later.
 * A null value where a map or a list belongs (`topics: {t: }`) is read as an empty one and
 * changed into it in place, so that the getters see the container.
 *
 * Enum values and references are data too: an ENUM is a table of (name, value) pairs, so a
 * getter or sim_schema_fill cannot see a name outside it, and a REF is resolved through the
 * caller's sim_schema_names, the engine knowing nothing of what the entities are. */
#include "sim/schema.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/assert.h"

typedef struct ctx {
	sim_yaml_doc *doc;
	bool soft_ranges_warn;
	const char *soft_range_hint;   /* NULL: none */
	const sim_schema_names *names; /* NULL: REFs are plain strings */
	sim_diag *d;                   /* NULL: count only (the getters re-parse checked values) */
	size_t errors;
} ctx;

static void report(ctx *c, sim_diag_severity sev, const sim_yaml_node *at, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static void report(ctx *c, sim_diag_severity sev, const sim_yaml_node *at, const char *fmt, ...)
{
	if (sev == SIM_DIAG_ERROR)
		c->errors++;
	if (!c->d)
		return;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sim_diag_report(c->d, sev, at->file, at->line, at->col, "%s", msg);
}

/* "; did you mean 'x'?" or "" */
static void suggestion(char *buf, size_t len, const char *word, const char *const *cands, size_t n)
{
	const char *s = sim_diag_suggest(word, cands, n);
	if (s)
		snprintf(buf, len, "; did you mean '%s'?", s);
	else
		buf[0] = '\0';
}

/* The names of an ENUM's values in table order, for join and suggestion. The caller frees
 * *out (sim_free). */
static size_t value_names(const sim_schema_value *values, const char ***out)
{
	size_t n = 0;
	while (values[n].name)
		n++;
	const char **names = sim_malloc((n + 1) * sizeof *names);
	for (size_t i = 0; i < n; i++)
		names[i] = values[i].name;
	names[n] = NULL;
	*out = names;
	return n;
}

/* "a, b, c" of a NULL-terminated list, or of the keys of a children[] array. */
static void join(char *buf, size_t len, const char *const *words, const sim_schema *children)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; words ? words[i] != NULL : children[i].key != NULL; i++) {
		const char *w = words ? words[i] : children[i].key;
		int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", w);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

/* ---- scalar parsing shared by the walker and the getters ---- */

static bool parse_bool(const char *t, bool *out)
{
	if (strcmp(t, "true") == 0)
		*out = true;
	else if (strcmp(t, "false") == 0)
		*out = false;
	else
		return false;
	return true;
}

static bool parse_int(const char *t, int64_t *out)
{
	const char *p = t + (*t == '+' || *t == '-');
	if (!isdigit((unsigned char)*p))
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(t, &end, 10);
	if (*end || errno)
		return false;
	*out = v;
	return true;
}

static bool parse_number(const char *t, double *out)
{
	/* strtod also takes hex, "inf" and "nan": a scenario means none of them. */
	const char *p = t + (*t == '+' || *t == '-');
	if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
		return false;
	if (strchr(t, 'x') || strchr(t, 'X'))
		return false;
	char *end;
	errno = 0;
	double v = strtod(t, &end);
	if (*end || errno || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static bool is_neg1(const sim_schema *s, const char *t)
{
	return (s->flags & SIM_SCHEMA_NEG1) && strcmp(t, "-1") == 0;
}

/* ---- ranges in readable units ---- */

/* Documented duration limits are usually whole hours or seconds ("24..8760 hours",
 * "60..604800 seconds"), so bounds use the largest of h, s, ms, us, ns that divides them
 * exactly. */
static void format_duration_bound(char *buf, size_t len, double v)
{
	static const struct {
		sim_time ns;
		const char *name;
	} units[] = {{SIM_HOUR, "h"}, {SIM_S, "s"}, {SIM_MS, "ms"}, {SIM_US, "us"}, {SIM_NS, "ns"}};
	sim_time t = (sim_time)v;
	if (t == 0) {
		snprintf(buf, len, "0s");
		return;
	}
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (t % units[i].ns == 0) {
			snprintf(buf, len, "%lld%s", (long long)(t / units[i].ns), units[i].name);
			return;
		}
	}
}

static void format_size_bound(char *buf, size_t len, double v, bool binary_mb)
{
	static const struct {
		double bytes;
		const char *name;
	} units[] = {{1073741824.0, "GiB"}, {1e9, "GB"},     {1048576.0, "MiB"},
	             {1e6, "MB"},           {1024.0, "KiB"}, {1e3, "KB"}};
	/* Where "MB" means MiB (e.g. memory), bounds read as the user writes them:
	 * 128MB..10240MB. */
	if (binary_mb && v > 0 && fmod(v, 1048576.0) == 0) {
		snprintf(buf, len, "%.0fMB", v / 1048576.0);
		return;
	}
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (v > 0 && fmod(v, units[i].bytes) == 0) {
			snprintf(buf, len, "%.0f%s", v / units[i].bytes, units[i].name);
			return;
		}
	}
	snprintf(buf, len, "%gB", v);
}

static void format_bound(char *buf, size_t len, sim_schema_kind kind, double v, bool bytes)
{
	switch (kind) {
	case SIM_SCHEMA_INT: snprintf(buf, len, "%lld", (long long)v); break;
	case SIM_SCHEMA_DURATION:
	case SIM_SCHEMA_DIST_DURATION: format_duration_bound(buf, len, v); break;
	case SIM_SCHEMA_SIZE:
	case SIM_SCHEMA_DIST_SIZE: format_size_bound(buf, len, v, false); break;
	case SIM_SCHEMA_SIZE_BINARY_MB: format_size_bound(buf, len, v, true); break;
	case SIM_SCHEMA_RATE:
		if (bytes) {
			format_size_bound(buf, len, v, false);
			strncat(buf, "/s", len - strlen(buf) - 1);
		} else {
			snprintf(buf, len, "%g/s", v);
		}
		break;
	default: snprintf(buf, len, "%g", v); break;
	}
}

/* Checks v against s's range (when it has one); a soft range is only a warning when the caller
 * asked for that, else an error followed by the caller's hint. The value is shown as the user
 * wrote it. */
bool sim_schema_format_range(const sim_schema *s, bool bytes, char *buf, size_t len)
{
	if (!(s->max > s->min))
		return false;
	char lo[64], hi[64];
	format_bound(lo, sizeof lo, s->kind, s->min, bytes);
	format_bound(hi, sizeof hi, s->kind, s->max, bytes);
	snprintf(buf, len, "%s..%s", lo, hi);
	return true;
}

static void check_range(ctx *c, const sim_yaml_node *node, const sim_schema *s, const char *key,
                        double v, bool bytes)
{
	if (!(s->max > s->min) || (v >= s->min && v <= s->max))
		return;
	char range[140];
	sim_schema_format_range(s, bytes, range, sizeof range);
	bool soft = s->flags & SIM_SCHEMA_SOFT_RANGE;
	sim_diag_severity sev = soft && c->soft_ranges_warn ? SIM_DIAG_WARNING : SIM_DIAG_ERROR;
	report(c, sev, node, "%s must be %s%s (got %s)", key, range,
	       (s->flags & SIM_SCHEMA_NEG1) ? " or -1" : "", node->text);
	if (soft && !c->soft_ranges_warn && c->soft_range_hint && c->d)
		sim_diag_hint(c->d, "%s", c->soft_range_hint);
}

/* ---- distributions ---- */

typedef struct dist_form {
	const char *name;
	const char *p1, *p2; /* required parameters; p2 may be NULL */
} dist_form;

static const dist_form forms[] = {
        {"constant", "value", NULL}, {"exponential", "mean", NULL}, {"lognormal", "median", "p99"},
        {"uniform", "min", "max"},   {"normal", "mean", "sd"},      {"empirical", "file", NULL},
};
#define NFORMS (sizeof forms / sizeof forms[0])

static const char *const form_names[] = {"constant", "exponential", "lognormal", "uniform",
                                         "normal",   "empirical",   NULL};

/* A duration (ns) or a size (SI bytes) from a scalar; reports "<key> <phrase>". */
static bool parse_quantity(ctx *c, const sim_yaml_node *n, const char *key, bool size, double *v)
{
	char err[256];
	if (n->kind != SIM_YAML_SCALAR) {
		report(c, SIM_DIAG_ERROR, n, "%s must be %s, not a %s", key,
		       size ? "a size, e.g. '1KB'" : "a duration, e.g. '20ms'",
		       n->kind == SIM_YAML_MAP ? "map" : "list");
		return false;
	}
	if (size) {
		double b;
		if (sim_parse_size(n->text, false, &b, err, sizeof err) < 0) {
			report(c, SIM_DIAG_ERROR, n, "%s %s", key, err);
			return false;
		}
		*v = b;
	} else {
		sim_time t;
		if (sim_parse_duration(n->text, &t, err, sizeof err) < 0) {
			report(c, SIM_DIAG_ERROR, n, "%s %s", key, err);
			return false;
		}
		*v = (double)t;
	}
	return true;
}

typedef struct unit_factor {
	const char *name;
	double factor;
} unit_factor;

static const unit_factor duration_factors[] = {
        {"ns", 1},     {"us", 1e3},   {"ms", 1e6},    {"s", 1e9}, {"m", 60e9},
        {"min", 60e9}, {"h", 3600e9}, {"d", 86400e9}, {NULL, 0},
};
static const unit_factor size_factors[] = {
        {"B", 1},        {"KB", 1e3},        {"MB", 1e6},           {"GB", 1e9},
        {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {NULL, 0},
};

static char *trim(char *s)
{
	char *hash = strchr(s, '#');
	if (hash)
		*hash = '\0';
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Reads an empirical distribution: a unit line, then one bare number per line. On failure
 * writes a message into msg and returns -1. Values come back in base units (ns or bytes). */
static int read_empirical(const char *path, const char *shown, bool size, double **values,
                          size_t *n, char *msg, size_t msglen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(msg, msglen, "cannot read '%s': %s", shown, strerror(errno));
		return -1;
	}
	const unit_factor *units = size ? size_factors : duration_factors;
	double factor = 0;
	double *v = NULL;
	size_t count = 0, cap = 0;
	char *line = NULL;
	size_t linecap = 0;
	int lineno = 0, rc = 0;
	while (getline(&line, &linecap, f) >= 0) {
		lineno++;
		char *t = trim(line);
		if (!*t)
			continue;
		if (factor == 0) {
			for (size_t i = 0; units[i].name; i++)
				if (strcmp(t, units[i].name) == 0)
					factor = units[i].factor;
			if (factor == 0) {
				snprintf(msg, msglen,
				         "%s:%d: the first line must name the unit of the values, "
				         "one of "
				         "%s (got '%s')",
				         shown, lineno,
				         size ? "B, KB, MB, GB, KiB, MiB, GiB"
				              : "ns, us, ms, s, m, min, h, d",
				         t);
				rc = -1;
				break;
			}
			continue;
		}
		double x;
		if (!parse_number(t, &x) || x < 0) {
			snprintf(msg, msglen, "%s:%d: bad value '%s'", shown, lineno, t);
			rc = -1;
			break;
		}
		sim_grow(&v, &cap, count + 1, sizeof(double));
		v[count++] = x * factor;
	}
	if (rc == 0 && ferror(f)) {
		snprintf(msg, msglen, "cannot read '%s': %s", shown, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && count == 0) {
		snprintf(msg, msglen,
		         "%s: no values (expected the unit on the first line, then one "
		         "value per line)",
		         shown);
		rc = -1;
	}
	free(line); /* from getline: the C library's allocator, not ours */
	fclose(f);
	if (rc < 0) {
		sim_free(v);
		return rc;
	}
	*values = v;
	*n = count;
	return 0;
}

/* The path of an empirical file: relative to the directory of the file that names it. */
static char *resolve_path(const sim_yaml_node *n)
{
	const char *slash = n->file && n->line > 0 ? strrchr(n->file, '/') : NULL;
	if (n->text[0] == '/' || !slash)
		return sim_strdup(n->text);
	return sim_asprintf("%.*s/%s", (int)(slash - n->file + 1), n->file, n->text);
}

static int parse_dist(ctx *c, const sim_yaml_node *node, const char *key, bool size, sim_dist *out)
{
	size_t before = c->errors;
	double v;
	if (node->kind == SIM_YAML_SCALAR) {
		if (!parse_quantity(c, node, key, size, &v))
			return -EINVAL;
		*out = sim_dist_const(v);
		return 0;
	}
	if (node->kind == SIM_YAML_SEQ) {
		report(c, SIM_DIAG_ERROR, node,
		       "%s must be %s or a distribution like {dist: lognormal, median: %s, p99: "
		       "%s}, "
		       "not a list",
		       key, size ? "a size" : "a duration", size ? "1KB" : "20ms",
		       size ? "10KB" : "200ms");
		return -EINVAL;
	}
	const sim_yaml_node *dn = sim_yaml_get(node, "dist");
	if (!dn) {
		report(c, SIM_DIAG_ERROR, node, "missing required key 'dist' in %s", key);
		return -EINVAL;
	}
	const dist_form *form = NULL;
	if (dn->kind == SIM_YAML_SCALAR)
		for (size_t i = 0; i < NFORMS; i++)
			if (strcmp(dn->text, forms[i].name) == 0)
				form = &forms[i];
	if (!form) {
		char list[256], hint[128];
		join(list, sizeof list, form_names, NULL);
		suggestion(hint, sizeof hint, dn->kind == SIM_YAML_SCALAR ? dn->text : "",
		           form_names, NFORMS);
		report(c, SIM_DIAG_ERROR, dn, "dist must be one of %s (got '%s')%s", list,
		       dn->kind == SIM_YAML_SCALAR ? dn->text : "a map or list", hint);
		return -EINVAL;
	}
	const char *const keys[] = {"dist", form->p1, form->p2};
	for (size_t i = 0; i < node->n; i++) {
		const sim_yaml_node *k = node->pairs[i].key;
		bool known = false;
		for (size_t j = 0; j < 3; j++)
			known |= keys[j] && strcmp(k->text, keys[j]) == 0;
		if (!known) {
			char hint[128];
			suggestion(hint, sizeof hint, k->text, keys, form->p2 ? 3 : 2);
			report(c, SIM_DIAG_ERROR, k, "unknown key '%s' in %s distribution%s",
			       k->text, form->name, hint);
		}
	}
	const sim_yaml_node *n1 = sim_yaml_get(node, form->p1);
	const sim_yaml_node *n2 = form->p2 ? sim_yaml_get(node, form->p2) : NULL;
	if (!n1)
		report(c, SIM_DIAG_ERROR, node, "missing required key '%s' in %s distribution",
		       form->p1, form->name);
	if (form->p2 && !n2)
		report(c, SIM_DIAG_ERROR, node, "missing required key '%s' in %s distribution",
		       form->p2, form->name);

	if (strcmp(form->name, "empirical") == 0) {
		if (!n1 || c->errors > before)
			return -EINVAL;
		if (n1->kind != SIM_YAML_SCALAR || !n1->text[0]) {
			report(c, SIM_DIAG_ERROR, n1,
			       "file must be the name of a file, e.g. "
			       "durations.csv");
			return -EINVAL;
		}
		char *path = resolve_path(n1);
		char msg[1024];
		double *values;
		size_t n;
		int rc = read_empirical(path, n1->text, size, &values, &n, msg, sizeof msg);
		sim_free(path);
		if (rc < 0) {
			report(c, SIM_DIAG_ERROR, n1, "%s", msg);
			return -EINVAL;
		}
		*out = sim_dist_empirical(values, n);
		return 0;
	}

	double a = 0, b = 0;
	bool ok1 = n1 && parse_quantity(c, n1, form->p1, size, &a);
	bool ok2 = n2 && parse_quantity(c, n2, form->p2, size, &b);
	if (c->errors > before || !ok1 || (form->p2 && !ok2))
		return -EINVAL;
	switch (form - forms) {
	case 0: *out = sim_dist_const(a); break;
	case 1:
		if (a <= 0) {
			report(c, SIM_DIAG_ERROR, n1, "exponential mean must be above 0 (got %s)",
			       n1->text);
			return -EINVAL;
		}
		*out = sim_dist_exponential(a);
		break;
	case 2:
		if (a <= 0) {
			report(c, SIM_DIAG_ERROR, n1, "lognormal median must be above 0 (got %s)",
			       n1->text);
			return -EINVAL;
		}
		if (b <= a) {
			report(c, SIM_DIAG_ERROR, n2,
			       "lognormal p99 must be above its median (got p99 %s, median %s)",
			       n2->text, n1->text);
			return -EINVAL;
		}
		*out = sim_dist_lognormal_q(a, b);
		break;
	case 3:
		if (b < a) {
			report(c, SIM_DIAG_ERROR, n2,
			       "uniform max must not be below its min (got max %s, min %s)",
			       n2->text, n1->text);
			return -EINVAL;
		}
		*out = sim_dist_uniform(a, b);
		break;
	default: *out = sim_dist_normal(a, b); break;
	}
	return 0;
}

int sim_schema_parse_dist(const sim_yaml_node *node, const char *key, bool size, sim_dist *out,
                          sim_diag *d)
{
	ctx c = {.d = d};
	return parse_dist(&c, node, key, size, out);
}

/* ---- the walk ---- */

static void walk(ctx *c, sim_yaml_node *node, const sim_schema *s, const char *key,
                 const char *what, const sim_yaml_node *at);

static const char *shape(const sim_yaml_node *n)
{
	return n->kind == SIM_YAML_MAP ? "a map" : n->kind == SIM_YAML_SEQ ? "a list" : "a value";
}

/* Whether node is (or, being null, has been made into) a container of that kind. */
static bool as_container(ctx *c, sim_yaml_node *node, sim_yaml_kind kind, const char *what)
{
	const char *want = kind == SIM_YAML_MAP ? "a map" : "a list";
	if (sim_yaml_is_null(node)) {
		sim_free(node->text);
		node->text = NULL;
		node->kind = kind;
		node->n = 0;
		return true;
	}
	if (node->kind == kind)
		return true;
	if (node->kind == SIM_YAML_SCALAR)
		report(c, SIM_DIAG_ERROR, node, "%s must be %s (got '%s')", what, want, node->text);
	else
		report(c, SIM_DIAG_ERROR, node, "%s must be %s, not %s", what, want, shape(node));
	return false;
}

static const sim_schema *find_child(const sim_schema *children, const char *key)
{
	for (size_t i = 0; children[i].key; i++)
		if (strcmp(children[i].key, key) == 0)
			return &children[i];
	return NULL;
}

static size_t child_keys(const sim_schema *children, const char ***out)
{
	size_t n = 0;
	while (children[n].key)
		n++;
	const char **keys = sim_malloc((n ? n : 1) * sizeof *keys);
	for (size_t i = 0; i < n; i++)
		keys[i] = children[i].key;
	*out = keys;
	return n;
}

static void walk_map(ctx *c, sim_yaml_node *node, const sim_schema *s, const char *what,
                     const sim_yaml_node *at)
{
	if (!as_container(c, node, SIM_YAML_MAP, what))
		return;
	const char **keys;
	size_t nkeys = child_keys(s->children, &keys);
	for (size_t i = 0; i < node->n; i++) {
		const sim_yaml_node *k = node->pairs[i].key;
		if (find_child(s->children, k->text))
			continue;
		char hint[128];
		suggestion(hint, sizeof hint, k->text, keys, nkeys);
		report(c, SIM_DIAG_ERROR, k, "unknown key '%s' in %s%s", k->text, what, hint);
	}
	sim_free(keys);
	for (const sim_schema *ch = s->children; ch->key; ch++) {
		const char *cwhat = ch->what ? ch->what : ch->key;
		sim_yaml_pair *p = sim_yaml_get_pair(node, ch->key);
		if (p) {
			walk(c, p->value, ch, ch->key, cwhat, p->key);
		} else if (ch->flags & SIM_SCHEMA_REQUIRED) {
			report(c, SIM_DIAG_ERROR, at, "missing required key '%s' in %s", ch->key,
			       what);
		} else if (ch->def) {
			sim_yaml_node *v = sim_yaml_parse_value(c->doc, ch->def, NULL, NULL);
			SIM_ASSERT(v); /* a default that is not YAML is a bug in the schema */
			sim_yaml_map_set(c->doc, node, ch->key, v);
			walk(c, v, ch, ch->key, cwhat, at);
		} else if ((ch->flags & SIM_SCHEMA_FILL) && ch->kind == SIM_SCHEMA_MAP) {
			sim_yaml_node *m = sim_yaml_new_map(c->doc);
			sim_yaml_map_set(c->doc, node, ch->key, m);
			walk(c, m, ch, ch->key, cwhat, at);
		}
	}
}

static void walk_variant(ctx *c, sim_yaml_node *node, const sim_schema *s, const char *what,
                         const sim_yaml_node *at)
{
	if (!as_container(c, node, SIM_YAML_MAP, what))
		return;
	const sim_yaml_pair *first = NULL, *second = NULL;
	const sim_schema *pick = NULL;
	for (size_t i = 0; i < node->n && !second; i++) {
		const sim_schema *ch = find_child(s->children, node->pairs[i].key->text);
		if (!ch)
			continue;
		if (!first) {
			first = &node->pairs[i];
			pick = ch;
		} else {
			second = &node->pairs[i];
		}
	}
	if (second) {
		report(c, SIM_DIAG_ERROR, second->key, "%s has both '%s' and '%s'", what,
		       first->key->text, second->key->text);
		return;
	}
	if (!pick) {
		/* A misspelt discriminator is better named than reported as missing. */
		const char **keys;
		size_t nkeys = child_keys(s->children, &keys);
		const sim_yaml_node *typo = NULL;
		const char *sugg = NULL;
		for (size_t i = 0; i < node->n && !typo; i++) {
			sugg = sim_diag_suggest(node->pairs[i].key->text, keys, nkeys);
			if (sugg)
				typo = node->pairs[i].key;
		}
		sim_free(keys);
		if (typo) {
			report(c, SIM_DIAG_ERROR, typo,
			       "unknown key '%s' in %s; did you mean '%s'?", typo->text, what,
			       sugg);
		} else {
			char list[512];
			join(list, sizeof list, NULL, s->children);
			report(c, SIM_DIAG_ERROR, at, "%s needs one of %s", what, list);
		}
		return;
	}
	SIM_ASSERT(pick->kind == SIM_SCHEMA_MAP);
	walk_map(c, node, pick, pick->what ? pick->what : what, at);
}

static const sim_schema_value *find_value(const sim_schema_value *values, const char *name)
{
	for (size_t i = 0; values[i].name; i++)
		if (strcmp(values[i].name, name) == 0)
			return &values[i];
	return NULL;
}

/* A REF that names nothing: "no stream named 'x'". With a single candidate the hint names it
 * whatever the distance (there is only one thing the user can have meant); otherwise the
 * nearest close one, if any. */
static void check_ref(ctx *c, const sim_yaml_node *node, const sim_schema *s)
{
	const sim_schema_names *nm = c->names;
	if (!nm || nm->exists(nm->ctx, s->refs, node->text))
		return;
	char noun[128];
	noun[0] = '\0';
	nm->noun(nm->ctx, s->refs, noun, sizeof noun);
	/* list may fill the whole buffer: ask again with a larger one until it does not. */
	size_t cap = 32, n;
	const char **cands = NULL;
	for (;;) {
		cands = sim_reallocarray(cands, cap, sizeof *cands);
		n = nm->list(nm->ctx, s->refs, cands, cap);
		if (n < cap)
			break;
		cap *= 2;
	}
	const char *sugg = n == 1 ? cands[0] : sim_diag_suggest(node->text, cands, n);
	char hint[256];
	if (sugg)
		snprintf(hint, sizeof hint, "; did you mean '%s'?", sugg);
	else
		hint[0] = '\0';
	report(c, SIM_DIAG_ERROR, node, "no %s named '%s'%s", noun, node->text, hint);
	sim_free(cands);
}

static const char *kind_phrase(const sim_schema *s)
{
	switch (s->kind) {
	case SIM_SCHEMA_BOOL: return "true or false";
	case SIM_SCHEMA_INT: return "an integer";
	case SIM_SCHEMA_NUMBER: return "a number";
	case SIM_SCHEMA_ENUM: return "one of its choices";
	case SIM_SCHEMA_DURATION: return "a duration, e.g. '250ms'";
	case SIM_SCHEMA_SIZE:
	case SIM_SCHEMA_SIZE_BINARY_MB: return "a size, e.g. '1KB'";
	case SIM_SCHEMA_RATE: return "a rate, e.g. '10/s'";
	case SIM_SCHEMA_FRACTION: return "a fraction, e.g. '0.5' or '50%'";
	default: return "a single value";
	}
}

static void walk_scalar(ctx *c, sim_yaml_node *node, const sim_schema *s, const char *key)
{
	if (node->kind != SIM_YAML_SCALAR) {
		if (s->kind == SIM_SCHEMA_ENUM) {
			char list[512];
			const char **names;
			value_names(s->values, &names);
			join(list, sizeof list, names, NULL);
			sim_free(names);
			report(c, SIM_DIAG_ERROR, node, "%s must be one of %s, not %s", key, list,
			       shape(node));
		} else {
			report(c, SIM_DIAG_ERROR, node, "%s must be %s, not %s", key,
			       kind_phrase(s), shape(node));
		}
		return;
	}
	const char *t = node->text;
	char err[256];
	if (is_neg1(s, t))
		return;
	switch (s->kind) {
	case SIM_SCHEMA_BOOL: {
		bool b;
		if (!parse_bool(t, &b))
			report(c, SIM_DIAG_ERROR, node, "%s must be true or false (got '%s')", key,
			       t);
		break;
	}
	case SIM_SCHEMA_INT: {
		int64_t v;
		if (!parse_int(t, &v))
			report(c, SIM_DIAG_ERROR, node, "%s must be an integer (got '%s')", key, t);
		else if (!(s->max > s->min) && v < 0)
			report(c, SIM_DIAG_ERROR, node, "%s must not be negative (got '%s')", key,
			       t);
		else if (s->offset && s->size == sizeof(int32_t) &&
		         (v < INT32_MIN || v > INT32_MAX) && !(s->max > s->min))
			/* The field sim_schema_fill writes would not hold it. */
			report(c, SIM_DIAG_ERROR, node, "%s must be 0..%d (got %s)", key,
			       (int)INT32_MAX, t);
		else
			check_range(c, node, s, key, (double)v, false);
		break;
	}
	case SIM_SCHEMA_NUMBER: {
		double v;
		if (!parse_number(t, &v))
			report(c, SIM_DIAG_ERROR, node, "%s must be a number (got '%s')", key, t);
		else if (!(s->max > s->min) && v < 0)
			report(c, SIM_DIAG_ERROR, node, "%s must not be negative (got '%s')", key,
			       t);
		else
			check_range(c, node, s, key, v, false);
		break;
	}
	case SIM_SCHEMA_ENUM: {
		if (find_value(s->values, t))
			break;
		const char **names;
		size_t n = value_names(s->values, &names);
		char list[512], hint[128];
		join(list, sizeof list, names, NULL);
		suggestion(hint, sizeof hint, t, names, n);
		sim_free(names);
		report(c, SIM_DIAG_ERROR, node, "%s must be one of %s (got '%s')%s", key, list, t,
		       hint);
		break;
	}
	case SIM_SCHEMA_REF: check_ref(c, node, s); break;
	case SIM_SCHEMA_DURATION:
	case SIM_SCHEMA_DIST_DURATION: {
		sim_time v;
		if (sim_parse_duration(t, &v, err, sizeof err) < 0)
			report(c, SIM_DIAG_ERROR, node, "%s %s", key, err);
		else
			check_range(c, node, s, key, (double)v, false);
		break;
	}
	case SIM_SCHEMA_SIZE:
	case SIM_SCHEMA_SIZE_BINARY_MB:
	case SIM_SCHEMA_DIST_SIZE: {
		double v;
		bool binary_mb = s->kind == SIM_SCHEMA_SIZE_BINARY_MB;
		if (sim_parse_size(t, binary_mb, &v, err, sizeof err) < 0)
			report(c, SIM_DIAG_ERROR, node, "%s %s", key, err);
		else
			check_range(c, node, s, key, v, false);
		break;
	}
	case SIM_SCHEMA_RATE: {
		sim_rate r;
		if (sim_parse_rate(t, &r, err, sizeof err) < 0)
			report(c, SIM_DIAG_ERROR, node, "%s %s", key, err);
		else
			check_range(c, node, s, key, r.per_s, r.is_bytes);
		break;
	}
	case SIM_SCHEMA_FRACTION: {
		double v;
		if (sim_parse_fraction(t, &v, err, sizeof err) < 0)
			report(c, SIM_DIAG_ERROR, node, "%s %s", key, err);
		break;
	}
	default: break;
	}
}

/* Structural equality of two trees (map keys in any order), for comparing with defaults. */
static bool same_tree(const sim_yaml_node *a, const sim_yaml_node *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == SIM_YAML_SCALAR)
		return strcmp(a->text, b->text) == 0;
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		if (a->kind == SIM_YAML_SEQ) {
			if (!same_tree(a->items[i], b->items[i]))
				return false;
			continue;
		}
		const sim_yaml_node *other = sim_yaml_get(b, a->pairs[i].key->text);
		if (!other || !same_tree(a->pairs[i].value, other))
			return false;
	}
	return true;
}

/* A present NOT_IMPLEMENTED key is accepted only with its default value (a scenario may spell
 * the default out, and filled-in defaults pass here too); anything else would be silently
 * ignored, so it is an error. */
static bool implemented(ctx *c, const sim_yaml_node *node, const sim_schema *s)
{
	if (!s->def)
		return false;
	if (node->kind == SIM_YAML_SCALAR)
		return strcmp(node->text, s->def) == 0;
	const sim_yaml_node *def = sim_yaml_parse_value(c->doc, s->def, NULL, NULL);
	return def && same_tree(node, def);
}

static void walk(ctx *c, sim_yaml_node *node, const sim_schema *s, const char *key,
                 const char *what, const sim_yaml_node *at)
{
	if ((s->flags & SIM_SCHEMA_NOT_IMPLEMENTED) && !implemented(c, node, s)) {
		/* A value that is wrong in itself is reported as such first: a user who fixes
		 * it learns the key's range even before its model lands. */
		bool scalar_kind = s->kind > SIM_SCHEMA_VARIANT && s->kind != SIM_SCHEMA_ANY;
		if (scalar_kind && node->kind == SIM_YAML_SCALAR) {
			size_t before = c->errors;
			walk_scalar(c, node, s, key);
			if (c->errors > before)
				return;
		}
		report(c, SIM_DIAG_ERROR, at,
		       "'%s' is not implemented yet in this version of kinesim", key);
		if (c->d)
			sim_diag_hint(c->d, "remove '%s' from the scenario", key);
		return;
	}
	switch (s->kind) {
	case SIM_SCHEMA_MAP: walk_map(c, node, s, what, at); break;
	case SIM_SCHEMA_DICT:
		if (!as_container(c, node, SIM_YAML_MAP, what))
			break;
		for (size_t i = 0; i < node->n; i++) {
			const char *name = node->pairs[i].key->text;
			char *w = s->item->what ? sim_asprintf("%s '%s'", s->item->what, name)
			                        : sim_strdup(name);
			walk(c, node->pairs[i].value, s->item, name, w, node->pairs[i].key);
			sim_free(w);
		}
		break;
	case SIM_SCHEMA_SEQ:
		if (!as_container(c, node, SIM_YAML_SEQ, key))
			break;
		for (size_t i = 0; i < node->n; i++) {
			char *k = sim_asprintf("%s[%zu]", key, i);
			walk(c, node->items[i], s->item, k, s->item->what ? s->item->what : k,
			     node->items[i]);
			sim_free(k);
		}
		break;
	case SIM_SCHEMA_VARIANT: walk_variant(c, node, s, what, at); break;
	case SIM_SCHEMA_DIST_DURATION:
	case SIM_SCHEMA_DIST_SIZE:
		if (node->kind == SIM_YAML_SCALAR) {
			walk_scalar(c, node, s, key); /* a constant, with the key's range */
		} else {
			sim_dist dist;
			if (parse_dist(c, node, key, s->kind == SIM_SCHEMA_DIST_SIZE, &dist) == 0)
				sim_dist_fini(&dist);
		}
		break;
	case SIM_SCHEMA_ANY: break;
	default: walk_scalar(c, node, s, key); break;
	}
}

size_t sim_schema_check(sim_yaml_doc *doc, sim_yaml_node *node, const sim_schema *s,
                        const sim_schema_options *opt, sim_diag *d)
{
	ctx c = {.doc = doc, .d = d};
	if (opt) {
		c.soft_ranges_warn = opt->soft_ranges_warn;
		c.soft_range_hint = opt->soft_range_hint;
		c.names = opt->names;
	}
	const char *what = s->what ? s->what : s->key ? s->key : "the document";
	walk(&c, node, s, s->key ? s->key : what, what, node);
	return c.errors;
}

/* ---- getters: the tree was checked, so failures here are bugs ---- */

static const char *scalar_of(const sim_yaml_node *map, const char *key)
{
	const sim_yaml_node *n = sim_yaml_get(map, key);
	SIM_ASSERT(n && n->kind == SIM_YAML_SCALAR);
	return n->text;
}

bool sim_schema_bool(const sim_yaml_node *map, const char *key)
{
	bool b = false;
	bool ok = parse_bool(scalar_of(map, key), &b);
	SIM_ASSERT(ok);
	return b;
}

int64_t sim_schema_int(const sim_yaml_node *map, const char *key)
{
	int64_t v = 0;
	bool ok = parse_int(scalar_of(map, key), &v);
	SIM_ASSERT(ok);
	return v;
}

double sim_schema_number(const sim_yaml_node *map, const char *key)
{
	double v = 0;
	bool ok = parse_number(scalar_of(map, key), &v);
	SIM_ASSERT(ok);
	return v;
}

const char *sim_schema_string(const sim_yaml_node *map, const char *key)
{
	return scalar_of(map, key);
}

int sim_schema_enum(const sim_yaml_node *map, const char *key, const sim_schema_value *values)
{
	const sim_schema_value *v = find_value(values, scalar_of(map, key));
	SIM_ASSERT(v);
	return v->value;
}

sim_time sim_schema_duration(const sim_yaml_node *map, const char *key)
{
	const char *t = scalar_of(map, key);
	if (strcmp(t, "-1") == 0)
		return -1;
	sim_time v = 0;
	int rc = sim_parse_duration(t, &v, NULL, 0);
	SIM_ASSERT(rc == 0);
	return v;
}

double sim_schema_size(const sim_yaml_node *map, const char *key, bool binary_mb)
{
	double v = 0;
	int rc = sim_parse_size(scalar_of(map, key), binary_mb, &v, NULL, 0);
	SIM_ASSERT(rc == 0);
	return v;
}

sim_rate sim_schema_rate(const sim_yaml_node *map, const char *key)
{
	sim_rate r = {0};
	int rc = sim_parse_rate(scalar_of(map, key), &r, NULL, 0);
	SIM_ASSERT(rc == 0);
	return r;
}

double sim_schema_fraction(const sim_yaml_node *map, const char *key)
{
	double v = 0;
	int rc = sim_parse_fraction(scalar_of(map, key), &v, NULL, 0);
	SIM_ASSERT(rc == 0);
	return v;
}

sim_dist sim_schema_dist(const sim_yaml_node *map, const char *key, bool size)
{
	const sim_yaml_node *n = sim_yaml_get(map, key);
	SIM_ASSERT(n);
	ctx c = {0};
	sim_dist d = {0};
	int rc = parse_dist(&c, n, key, size, &d);
	SIM_ASSERT(rc == 0);
	return d;
}

/* ---- filling config structs ---- */

/* Copies a value of the kind's C type into its field, whose size the row declares. */
static void store(char *field, const sim_schema *row, const void *v, size_t size)
{
	SIM_ASSERT(row->size == size);
	memcpy(field, v, size);
}

/* The value of a row whose C type is double. */
static double fill_double(const sim_yaml_node *map, const sim_schema *row)
{
	switch (row->kind) {
	case SIM_SCHEMA_NUMBER: return sim_schema_number(map, row->key);
	case SIM_SCHEMA_FRACTION: return sim_schema_fraction(map, row->key);
	case SIM_SCHEMA_RATE: return sim_schema_rate(map, row->key).per_s;
	case SIM_SCHEMA_SIZE: return sim_schema_size(map, row->key, false);
	default: return sim_schema_size(map, row->key, true); /* SIZE_BINARY_MB */
	}
}

void sim_schema_fill(const sim_yaml_node *map, const sim_schema *children, void *out)
{
	SIM_ASSERT(map && map->kind == SIM_YAML_MAP);
	for (const sim_schema *row = children; row->key; row++) {
		if (!row->offset)
			continue;
		const sim_yaml_node *n = sim_yaml_get(map, row->key);
		if (!n)
			continue;
		char *field = (char *)out + row->offset - 1;
		/* A bare -1 (infinite) is no value of the kind's parser: stored as it reads. */
		bool neg1 = n->kind == SIM_YAML_SCALAR && is_neg1(row, n->text);
		switch (row->kind) {
		case SIM_SCHEMA_BOOL: {
			bool v = sim_schema_bool(map, row->key);
			store(field, row, &v, sizeof v);
			break;
		}
		case SIM_SCHEMA_INT: {
			int64_t v = sim_schema_int(map, row->key);
			if (row->size == sizeof(int32_t)) {
				SIM_ASSERT(v >= INT32_MIN && v <= INT32_MAX);
				int32_t v32 = (int32_t)v;
				store(field, row, &v32, sizeof v32);
			} else {
				store(field, row, &v, sizeof v);
			}
			break;
		}
		case SIM_SCHEMA_NUMBER:
		case SIM_SCHEMA_FRACTION:
		case SIM_SCHEMA_SIZE:
		case SIM_SCHEMA_SIZE_BINARY_MB:
		case SIM_SCHEMA_RATE: {
			double v = neg1 ? -1 : fill_double(map, row);
			store(field, row, &v, sizeof v);
			break;
		}
		case SIM_SCHEMA_DURATION: {
			sim_time v = sim_schema_duration(map, row->key); /* -1 stays -1 */
			store(field, row, &v, sizeof v);
			break;
		}
		case SIM_SCHEMA_ENUM: {
			int v = sim_schema_enum(map, row->key, row->values);
			store(field, row, &v, sizeof v);
			break;
		}
		case SIM_SCHEMA_STRING:
		case SIM_SCHEMA_REF: {
			const char *v = sim_schema_string(map, row->key);
			store(field, row, &v, sizeof v);
			break;
		}
		case SIM_SCHEMA_DIST_DURATION:
		case SIM_SCHEMA_DIST_SIZE: {
			SIM_ASSERT(row->size == sizeof(sim_dist));
			sim_dist v =
			        sim_schema_dist(map, row->key, row->kind == SIM_SCHEMA_DIST_SIZE);
			store(field, row, &v, sizeof v);
			break;
		}
		case SIM_SCHEMA_MAP: sim_schema_fill(n, row->children, field); break;
		default: SIM_ASSERT(!"SEQ, DICT, VARIANT and ANY rows are not filled"); break;
		}
	}
}

/* schema.h. Integers and durations compare by value, everything else as written. */
bool sim_schema_holds_default(const sim_yaml_pair *kv, const sim_schema *rows)
{
	const sim_schema *row = rows;
	while (row->key && strcmp(row->key, kv->key->text) != 0)
		row++;
	const sim_yaml_node *v = kv->value;
	if (!row->key || !row->def || v->kind != SIM_YAML_SCALAR)
		return false;
	char err[128];
	if (row->kind == SIM_SCHEMA_INT) {
		int64_t a, b;
		return sim_parse_count(v->text, &a, err, sizeof err) == 0 &&
		       sim_parse_count(row->def, &b, err, sizeof err) == 0 && a == b;
	}
	if (row->kind == SIM_SCHEMA_DURATION) {
		sim_time a, b;
		return sim_parse_duration(v->text, &a, err, sizeof err) == 0 &&
		       sim_parse_duration(row->def, &b, err, sizeof err) == 0 && a == b;
	}
	return strcmp(v->text, row->def) == 0;
}

void sim_schema_error(sim_diag *d, const sim_yaml_node *at, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sim_diag_report(d, SIM_DIAG_ERROR, at->file, at->line, at->col, "%s", msg);
}
