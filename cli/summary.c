/* Printing the summary (cli.h): the verdict and compact tables for people, wide CSV and JSON
 * for machines (docs/output.md). JSON keys are sorted and numbers printed with %.17g, so the same
 * run prints the same bytes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/entities.h"
#include "cli/format.h"
#include "cli/verdict.h"
#include "kinesim_version.h"
#include "sim/alloc.h"

void cli_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void cli_json_number(FILE *f, double v)
{
	if (!isfinite(v))
		fputs("null", f);
	else
		fprintf(f, "%.17g", v);
}

void cli_csv_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void cli_csv_number(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.17g", v);
}

void cli_human(char *buf, size_t len, double v, const char *unit)
{
	cli_fmt_value(buf, len, v, unit);
}

/* ---- JSON ---- */

static const cli_summary_row *sort_rows;

static int by_path(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	return strcmp(sort_rows[i].path, sort_rows[j].path);
}

static size_t *sorted_order(const cli_summary_row *rows, size_t n)
{
	size_t *order = sim_calloc(n ? n : 1, sizeof *order);
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	sort_rows = rows;
	qsort(order, n, sizeof *order, by_path);
	return order;
}

static void json_string_or_null(FILE *f, const char *s)
{
	if (s)
		cli_json_string(f, s);
	else
		fputs("null", f);
}

static void json_verdict(FILE *f, const cli_summary *s)
{
	cli_entities es;
	cli_entities_build(&es, s->rows, s->n);
	cli_verdict *v;
	size_t nv = cli_verdicts(&es, s->measured_s, &v);
	fputs(", \"verdict\": [", f);
	for (size_t i = 0; i < nv; i++) {
		fputs(i ? ", {\"change\": " : "{\"change\": ", f);
		json_string_or_null(f, v[i].change);
		fputs(", \"entity\": ", f);
		cli_json_string(f, v[i].entity->name);
		fputs(", \"finding\": ", f);
		json_string_or_null(f, v[i].finding);
		fputs(", \"limit\": ", f);
		json_string_or_null(f, v[i].limit);
		fputs(", \"state\": ", f);
		cli_json_string(f, cli_state_name(v[i].state));
		fputs("}", f);
	}
	fputs("]", f);
	cli_verdicts_free(v, nv);
	cli_entities_free(&es);
}

/* One summary as an object. A report's also has its file and verdict. */
static void print_json_object(FILE *f, const cli_summary *s)
{
	size_t *order = sorted_order(s->rows, s->n);
	/* keys in sorted order: ci95, expect, [file], kinesim, metrics, replications, scenario,
	 * seed, units, [verdict] */
	fputs("{\"ci95\": {", f);
	for (size_t k = 0; k < s->n; k++) {
		const cli_summary_row *r = &s->rows[order[k]];
		fputs(k ? ", " : "", f);
		cli_json_string(f, r->path);
		fputs(": ", f);
		if (r->ci95 < 0)
			fputs("null", f);
		else
			cli_json_number(f, r->ci95);
	}
	fputs("}, \"expect\": [", f);
	for (size_t i = 0; i < s->nexpects; i++) {
		fputs(i ? ", " : "", f);
		fputs("{\"expr\": ", f);
		cli_json_string(f, s->expects[i].text);
		fputs(", \"ok\": ", f);
		fputs(s->expects[i].ok ? "true" : "false", f);
		fputs(", \"value\": ", f);
		cli_json_number(f, s->expects[i].value);
		fputs("}", f);
	}
	fputs("]", f);
	if (s->label) {
		fputs(", \"file\": ", f);
		cli_json_string(f, s->label);
	}
	fputs(", \"kinesim\": ", f);
	cli_json_string(f, KINESIM_VERSION);
	fputs(", \"metrics\": {", f);
	for (size_t k = 0; k < s->n; k++) {
		fputs(k ? ", " : "", f);
		cli_json_string(f, s->rows[order[k]].path);
		fputs(": ", f);
		cli_json_number(f, s->rows[order[k]].mean);
	}
	fprintf(f, "}, \"replications\": %u, \"scenario\": ", s->replications);
	cli_json_string(f, s->scenario);
	fprintf(f, ", \"seed\": %llu, \"units\": {", s->seed);
	for (size_t k = 0; k < s->n; k++) {
		fputs(k ? ", " : "", f);
		cli_json_string(f, s->rows[order[k]].path);
		fputs(": ", f);
		cli_json_string(f, s->rows[order[k]].unit);
	}
	fputs("}", f);
	if (s->label)
		json_verdict(f, s);
	fputs("}", f);
	sim_free(order);
}

/* ---- CSV: wide, a row per entity and a column per metric ---- */

typedef struct names {
	const char **v;
	size_t n, cap;
} names;

static void names_add(names *ns, const char *name)
{
	for (size_t i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], name) == 0)
			return;
	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? 2 * ns->cap : 64;
		ns->v = sim_realloc(ns->v, ns->cap * sizeof *ns->v);
	}
	ns->v[ns->n++] = name;
}

static void print_csv(FILE *f, const cli_summary *s, size_t n)
{
	cli_entities *es = sim_calloc(n ? n : 1, sizeof *es);
	names cols = {0};
	for (size_t i = 0; i < n; i++) {
		cli_entities_build(&es[i], s[i].rows, s[i].n);
		for (size_t e = 0; e < es[i].n; e++)
			for (size_t k = es[i].e[e].first; k < es[i].e[e].first + es[i].e[e].count;
			     k++)
				names_add(&cols,
				          cli_metric_name(&s[i].rows[es[i].order[k]], &es[i].e[e]));
	}
	if (n > 1 || s[0].label)
		fputs("file,", f);
	fputs("entity", f);
	for (size_t c = 0; c < cols.n; c++) {
		fputc(',', f);
		cli_csv_field(f, cols.v[c]);
	}
	fputc('\n', f);
	for (size_t i = 0; i < n; i++)
		for (size_t e = 0; e < es[i].n; e++) {
			if (n > 1 || s[0].label) {
				cli_csv_field(f, s[i].label ? s[i].label : s[i].scenario);
				fputc(',', f);
			}
			cli_csv_field(f, es[i].e[e].name);
			for (size_t c = 0; c < cols.n; c++) {
				const cli_summary_row *r =
				        cli_entity_row(&es[i], &es[i].e[e], cols.v[c]);
				fputc(',', f);
				cli_csv_number(f, r ? r->mean : NAN);
			}
			fputc('\n', f);
		}
	for (size_t i = 0; i < n; i++)
		cli_entities_free(&es[i]);
	sim_free(es);
	sim_free(cols.v);
}

/* ---- Tables for people (text and markdown) ---- */

typedef struct table {
	size_t ncols, nrows, cap; /* row 0: the header */
	char **cells;
} table;

static void table_init(table *t, size_t ncols)
{
	*t = (table){.ncols = ncols};
}

static void table_row(table *t)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->cells = sim_realloc(t->cells, t->cap * t->ncols * sizeof *t->cells);
	}
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = NULL;
	t->nrows++;
}

static void table_set(table *t, size_t col, const char *text)
{
	char **cell = &t->cells[(t->nrows - 1) * t->ncols + col];
	sim_free(*cell);
	*cell = sim_strdup(text);
}

static void table_free(table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		sim_free(t->cells[i]);
	sim_free(t->cells);
	*t = (table){0};
}

/* Prints the table (the first column left-aligned, the others right-aligned) and frees it. */
static void table_print(FILE *f, table *t, bool markdown)
{
	size_t *w = sim_calloc(t->ncols, sizeof *w);
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			const char *x = t->cells[r * t->ncols + c];
			if (x && strlen(x) > w[c])
				w[c] = strlen(x);
		}
	for (size_t r = 0; r < t->nrows; r++) {
		fputs(markdown ? "|" : "  ", f);
		for (size_t c = 0; c < t->ncols; c++) {
			const char *x = t->cells[r * t->ncols + c];
			x = x ? x : "";
			if (c == 0)
				fprintf(f, markdown ? " %-*s |" : "%-*s", (int)w[c], x);
			else
				fprintf(f, markdown ? " %*s |" : "  %*s", (int)w[c], x);
		}
		fputc('\n', f);
		if (markdown && r == 0) {
			fputs("|", f);
			for (size_t c = 0; c < t->ncols; c++) {
				fputc(' ', f);
				if (c == 0) {
					for (size_t k = 0; k < (w[c] > 3 ? w[c] : 3); k++)
						fputc('-', f);
				} else {
					for (size_t k = 1; k < (w[c] > 3 ? w[c] : 3); k++)
						fputc('-', f);
					fputc(':', f);
				}
				fputs(" |", f);
			}
			fputc('\n', f);
		}
	}
	sim_free(w);
	table_free(t);
}

/* A compact table's column: a metric as it is, per second of the measured period, or per
 * second and per shard (streams). */
typedef enum { AS_IS, PER_S, PER_SHARD_S } per;
typedef struct column {
	const char *header, *metric;
	per how;
} column;

static const column stream_cols[] = {
        {"shards", "shards", AS_IS},
        {"rec/s in", "incoming_records", PER_S},
        {"MB/s in", "incoming_bytes", PER_S},
        {"write thr", "write_throttled", AS_IS},
        {"reads/s/shard", "read_calls", PER_SHARD_S},
        {"read thr/shard/min", "read_throttled.per_shard_per_minute", AS_IS},
        {"read MB/s/shard", "read_bytes", PER_SHARD_S},
        {"expired", "records_expired", AS_IS},
        {"lost", "records_lost", AS_IS},
        {"age max", "getrecords_iterator_age.max", AS_IS},
        {NULL, NULL, AS_IS},
};
static const column function_cols[] = {
        {"invocations", "invocations", AS_IS},
        {"errors", "errors", AS_IS},
        {"throttles", "throttles", AS_IS},
        {"conc max", "concurrent_max", AS_IS},
        {"processed", "records_processed", AS_IS},
        {"pending", "records_pending", AS_IS},
        {"expired", "records_expired", AS_IS},
        {"age max", "iterator_age.max", AS_IS},
        {"age growth", "iterator_age.growth", AS_IS},
        {"latency p50", "latency.p50", AS_IS},
        {"p99", "latency.p99", AS_IS},
        {NULL, NULL, AS_IS},
};
static const column consumer_cols[] = {
        {"processed", "records_processed", AS_IS},
        {"expired", "records_expired", AS_IS},
        {"read calls", "read_calls", AS_IS},
        {"read thr", "read_throttled", AS_IS},
        {"age max", "getrecords_iterator_age.max", AS_IS},
        {"latency p50", "latency.p50", AS_IS},
        {"p99", "latency.p99", AS_IS},
        {NULL, NULL, AS_IS},
};
static const column producer_cols[] = {
        {"produced", "records_produced", AS_IS},
        {"put calls", "put_calls", AS_IS},
        {"lost", "records_lost", AS_IS},
        {"oversized", "records_oversized", AS_IS},
        {NULL, NULL, AS_IS},
};

static const struct {
	const char *title;
	const column *cols;
} kinds[CLI_NKINDS] = {
        [CLI_KIND_STREAM] = {"streams", stream_cols},
        [CLI_KIND_FUNCTION] = {"functions", function_cols},
        [CLI_KIND_CONSUMER] = {"consumers", consumer_cols},
        [CLI_KIND_PRODUCER] = {"producers", producer_cols},
        [CLI_KIND_OTHER] = {"others", NULL},
        [CLI_KIND_COST] = {"cost", NULL},
};

static void cell_of(char *buf, size_t len, const cli_entities *es, const cli_entity *e,
                    const column *c, double secs)
{
	const cli_summary_row *r = cli_entity_row(es, e, c->metric);
	if (!r) {
		snprintf(buf, len, "n/a");
		return;
	}
	if (c->how == AS_IS) {
		cli_fmt_value(buf, len, r->mean, r->unit);
		return;
	}
	double d = secs;
	if (c->how == PER_SHARD_S)
		d *= cli_entity_value(es, e, "shards.mean");
	double v = d > 0 ? r->mean / d : NAN;
	if (strcmp(r->unit, "B") == 0)
		cli_fmt_number(buf, len, v / 1e6, 2);
	else
		cli_fmt_number(buf, len, v, 1);
}

static void kind_table(FILE *f, const cli_entities *es, cli_kind kind, double secs, bool md)
{
	const column *cols = kinds[kind].cols;
	size_t ncols = 0;
	while (cols[ncols].header)
		ncols++;
	table t;
	table_init(&t, ncols + 1);
	table_row(&t);
	table_set(&t, 0, kinds[kind].title);
	for (size_t c = 0; c < ncols; c++)
		table_set(&t, c + 1, cols[c].header);
	for (size_t i = 0; i < es->n; i++) {
		if (es->e[i].kind != kind)
			continue;
		table_row(&t);
		table_set(&t, 0, es->e[i].name);
		for (size_t c = 0; c < ncols; c++) {
			char cell[64];
			cell_of(cell, sizeof cell, es, &es->e[i], &cols[c], secs);
			table_set(&t, c + 1, cell);
		}
	}
	if (t.nrows > 1) {
		fputc('\n', f);
		table_print(f, &t, md);
	} else {
		table_free(&t); /* no entity of this kind */
	}
}

/* Entities of no known kind, a table for each set of metrics they share: the columns are the
 * metrics with a non-zero value in some of them (the others are in --detail). */
#define OTHER_MAX_COLS 8

static bool same_metrics(const cli_entities *es, const cli_entity *a, const cli_entity *b)
{
	if (a->count != b->count)
		return false;
	for (size_t k = 0; k < a->count; k++)
		if (strcmp(cli_metric_name(&es->rows[es->order[a->first + k]], a),
		           cli_metric_name(&es->rows[es->order[b->first + k]], b)) != 0)
			return false;
	return true;
}

static void other_tables(FILE *f, const cli_entities *es, bool md)
{
	bool *done = sim_calloc(es->n ? es->n : 1, sizeof *done);
	for (size_t i = 0; i < es->n; i++) {
		const cli_entity *a = &es->e[i];
		if (a->kind != CLI_KIND_OTHER || done[i])
			continue;
		/* the columns: metrics non-zero in some entity of the group */
		size_t *cols = sim_calloc(a->count, sizeof *cols), ncols = 0;
		for (size_t k = 0; k < a->count && ncols < OTHER_MAX_COLS; k++) {
			bool shown = false;
			for (size_t j = i; j < es->n && !shown; j++) {
				if (es->e[j].kind != CLI_KIND_OTHER ||
				    !same_metrics(es, a, &es->e[j]))
					continue;
				double v = es->rows[es->order[es->e[j].first + k]].mean;
				shown = v != 0 && !isnan(v);
			}
			if (shown)
				cols[ncols++] = k;
		}
		for (size_t k = 0; ncols == 0 && k < a->count && k < 4; k++)
			cols[k] = k, ncols = k + 1 > ncols ? k + 1 : ncols;
		table t;
		table_init(&t, ncols + 1);
		table_row(&t);
		table_set(&t, 0, "");
		for (size_t c = 0; c < ncols; c++)
			table_set(&t, c + 1,
			          cli_metric_name(&es->rows[es->order[a->first + cols[c]]], a));
		for (size_t j = i; j < es->n; j++) {
			const cli_entity *b = &es->e[j];
			if (b->kind != CLI_KIND_OTHER || done[j] || !same_metrics(es, a, b))
				continue;
			done[j] = true;
			table_row(&t);
			table_set(&t, 0, b->name);
			for (size_t c = 0; c < ncols; c++) {
				const cli_summary_row *r = &es->rows[es->order[b->first + cols[c]]];
				char cell[64];
				cli_fmt_value(cell, sizeof cell, r->mean, r->unit);
				table_set(&t, c + 1, cell);
			}
		}
		fputc('\n', f);
		table_print(f, &t, md);
		sim_free(cols);
	}
	sim_free(done);
}

static void print_cost(FILE *f, const cli_entities *es, double secs, bool md)
{
	const cli_entity *cost = NULL;
	for (size_t i = 0; i < es->n; i++)
		if (es->e[i].kind == CLI_KIND_COST)
			cost = &es->e[i];
	if (!cost)
		return;
	char total[64], hourly[64], monthly[64], span[64];
	cli_fmt_money(total, sizeof total, cli_entity_value(es, cost, "total"));
	cli_fmt_money(hourly, sizeof hourly, cli_entity_value(es, cost, "hourly.total"));
	cli_fmt_money(monthly, sizeof monthly, cli_entity_value(es, cost, "monthly.total"));
	cli_fmt_value(span, sizeof span, secs, "s");
	fprintf(f, "\n%scost: %s for the %s measured; %s an hour, %s a month", md ? "**" : "",
	        total, span, hourly, monthly);
	/* the services that cost anything, by their monthly cost */
	const char *sep = " (";
	for (size_t k = cost->first; k < cost->first + cost->count; k++) {
		const cli_summary_row *r = &es->rows[es->order[k]];
		const char *m = cli_metric_name(r, cost);
		if (strncmp(m, "monthly.", 8) != 0 || strcmp(m, "monthly.total") == 0 ||
		    !(r->mean > 0))
			continue;
		char v[64];
		cli_fmt_money(v, sizeof v, r->mean);
		fprintf(f, "%s%s %s", sep, m + 8, v);
		sep = ", ";
	}
	fprintf(f, "%s%s\n", *sep == ',' ? ")" : "", md ? "**" : "");
}

/* Prints label and text from column `at` on, wrapped at spaces before WRAP_COLUMN, the
 * following lines indented to `at` plus the label's width. */
#define WRAP_COLUMN 100
static void print_wrapped(FILE *f, int at, const char *label, const char *text)
{
	int indent = at + (int)strlen(label), col = indent;
	fputs(label, f);
	while (*text) {
		size_t word = strcspn(text, " ");
		if (col > indent && col + 1 + (int)word > WRAP_COLUMN) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fwrite(text, 1, word, f);
		col += (int)word;
		text += word;
		while (*text == ' ')
			text++;
	}
	fputc('\n', f);
}

static void print_verdict(FILE *f, const cli_entities *es, double secs, bool md)
{
	cli_verdict *v;
	size_t nv = cli_verdicts(es, secs, &v);
	fputs(md ? "\n**Verdict**\n\n" : "\nverdict:\n", f);
	size_t width = 4;
	for (size_t i = 0; i < nv; i++)
		if (strlen(v[i].entity->name) > width)
			width = strlen(v[i].entity->name);
	/* Entities with something to say get their lines; the quiet OK ones one line together. */
	for (size_t i = 0; i < nv; i++) {
		if (v[i].state == CLI_OK && !v[i].finding)
			continue;
		const char *state = cli_state_name(v[i].state);
		if (md) {
			fprintf(f, "- **%s**: %s%s%s\n", v[i].entity->name,
			        v[i].state == CLI_OK ? "OK" : state, v[i].finding ? ": " : "",
			        v[i].finding ? v[i].finding : "");
			if (v[i].limit)
				fprintf(f, "  - binding limit: %s\n", v[i].limit);
			if (v[i].change)
				fprintf(f, "  - change: %s\n", v[i].change);
			continue;
		}
		int at = fprintf(f, "  %-*s  %-14s  ", (int)width, v[i].entity->name,
		                 v[i].state == CLI_OK ? "OK" : state);
		print_wrapped(f, at, "", v[i].finding ? v[i].finding : "");
		if (v[i].limit) {
			fprintf(f, "%*s", at, "");
			print_wrapped(f, at, "binding limit: ", v[i].limit);
		}
		if (v[i].change) {
			fprintf(f, "%*s", at, "");
			print_wrapped(f, at, "change: ", v[i].change);
		}
	}
	size_t quiet = 0;
	for (size_t i = 0; i < nv; i++)
		if (v[i].state == CLI_OK && !v[i].finding)
			quiet++;
	if (quiet) {
		char *quiet_names = NULL;
		for (size_t i = 0; i < nv; i++)
			if (v[i].state == CLI_OK && !v[i].finding) {
				char *more =
				        sim_asprintf("%s%s%s", quiet_names ? quiet_names : "",
				                     quiet_names ? ", " : "", v[i].entity->name);
				sim_free(quiet_names);
				quiet_names = more;
			}
		if (md) {
			fprintf(f, "- OK: %s\n", quiet_names);
		} else {
			fputs("  ", f);
			print_wrapped(f, 2, "OK: ", quiet_names);
		}
		sim_free(quiet_names);
	}
	if (nv == 0)
		fputs(md ? "- nothing to judge\n" : "  nothing to judge\n", f);
	cli_verdicts_free(v, nv);
}

static void print_detail(FILE *f, const cli_entities *es, bool md)
{
	bool ci = false; /* a 95% column only with replications to have one */
	for (size_t k = 0; k < es->nrows; k++)
		ci = ci || es->rows[k].ci95 >= 0;
	for (size_t i = 0; i < es->n; i++) {
		fputc('\n', f);
		table t;
		table_init(&t, ci ? 3 : 2);
		table_row(&t);
		table_set(&t, 0, es->e[i].name);
		table_set(&t, 1, "value");
		if (ci)
			table_set(&t, 2, "95% +/-");
		for (size_t k = es->e[i].first; k < es->e[i].first + es->e[i].count; k++) {
			const cli_summary_row *r = &es->rows[es->order[k]];
			char v[64], half[64] = "";
			cli_fmt_value(v, sizeof v, r->mean, r->unit);
			if (r->ci95 >= 0)
				cli_fmt_value(half, sizeof half, r->ci95, r->unit);
			table_row(&t);
			table_set(&t, 0, cli_metric_name(r, &es->e[i]));
			table_set(&t, 1, v);
			if (ci)
				table_set(&t, 2, half);
		}
		table_print(f, &t, md);
	}
}

static void print_expects(FILE *f, const cli_summary *s, bool md)
{
	if (!s->nexpects)
		return;
	fputs(md ? "\n**expect**\n\n" : "\nexpect:\n", f);
	for (size_t i = 0; i < s->nexpects; i++) {
		const cli_expect_result *x = &s->expects[i];
		/* the value in its metric's unit: the path is the line's first word */
		size_t plen = strcspn(x->text, " <>=!");
		const char *unit = "";
		for (size_t k = 0; k < s->n; k++)
			if (strlen(s->rows[k].path) == plen &&
			    strncmp(s->rows[k].path, x->text, plen) == 0)
				unit = s->rows[k].unit;
		char got[64];
		if (isnan(x->value))
			snprintf(got, sizeof got, "n/a: the metric has no data or does not apply");
		else
			cli_fmt_value(got, sizeof got, x->value, unit);
		fprintf(f, md ? "- %s `%s` (got %s)\n" : "  %-6s %s   (got %s)\n",
		        x->ok ? "ok" : "FAILED", x->text, got);
	}
}

static void print_heading(FILE *f, const cli_summary *s, bool md)
{
	char span[64];
	cli_fmt_value(span, sizeof span, s->measured_s, "s");
	fprintf(f, "%s%s%sscenario %s, seed %llu, %u replication%s, %s measured%s\n",
	        md ? "### " : "", s->label ? s->label : "", s->label ? ": " : "", s->scenario,
	        s->seed, s->replications, s->replications == 1 ? "" : "s", span,
	        s->replications > 1 ? " (values are means)" : "");
}

static void print_people(FILE *f, const cli_summary *s, bool detail, bool md)
{
	cli_entities es;
	cli_entities_build(&es, s->rows, s->n);
	print_heading(f, s, md);
	print_verdict(f, &es, s->measured_s, md);
	if (detail) {
		print_detail(f, &es, md);
	} else {
		for (cli_kind k = CLI_KIND_STREAM; k < CLI_KIND_OTHER; k++)
			kind_table(f, &es, k, s->measured_s, md);
		other_tables(f, &es, md);
	}
	if (!detail)
		fprintf(f, "\n%s(every metric: --detail; n/a: does not apply or no data)%s\n",
		        md ? "_" : "", md ? "_" : "");
	print_cost(f, &es, s->measured_s, md);
	print_expects(f, s, md);
	cli_entities_free(&es);
}

/* ---- Several side by side ---- */

/* The metrics of the compact view: those of the kind's columns, every one of other kinds,
 * the cost's totals. */
static bool compact_metric(const cli_entity *e, const char *metric)
{
	if (e->kind == CLI_KIND_OTHER)
		return true;
	if (e->kind == CLI_KIND_COST)
		return strcmp(metric, "total") == 0 || strcmp(metric, "hourly.total") == 0 ||
		       strcmp(metric, "monthly.total") == 0;
	for (const column *c = kinds[e->kind].cols; c->header; c++)
		if (strcmp(c->metric, metric) == 0)
			return true;
	return false;
}

static void print_side_by_side(FILE *f, const cli_summary *s, size_t n, bool detail, bool md)
{
	cli_entities *es = sim_calloc(n, sizeof *es);
	for (size_t i = 0; i < n; i++) {
		cli_entities_build(&es[i], s[i].rows, s[i].n);
		if (i)
			fputc('\n', f);
		print_heading(f, &s[i], md);
		print_verdict(f, &es[i], s[i].measured_s, md);
	}
	/* rows: every path of any summary, the first one's order, then the others' new ones */
	names paths = {0};
	for (size_t i = 0; i < n; i++)
		for (size_t e = 0; e < es[i].n; e++)
			for (size_t k = es[i].e[e].first; k < es[i].e[e].first + es[i].e[e].count;
			     k++) {
				const cli_summary_row *r = &s[i].rows[es[i].order[k]];
				if (detail ||
				    compact_metric(&es[i].e[e], cli_metric_name(r, &es[i].e[e])))
					names_add(&paths, r->path);
			}
	table t;
	table_init(&t, n + 1);
	table_row(&t);
	table_set(&t, 0, "metric");
	for (size_t i = 0; i < n; i++)
		table_set(&t, i + 1, s[i].label ? s[i].label : s[i].scenario);
	for (size_t p = 0; p < paths.n; p++) {
		table_row(&t);
		table_set(&t, 0, paths.v[p]);
		for (size_t i = 0; i < n; i++) {
			const cli_summary_row *r = NULL;
			for (size_t k = 0; k < s[i].n && !r; k++)
				if (strcmp(s[i].rows[k].path, paths.v[p]) == 0)
					r = &s[i].rows[k];
			char cell[64];
			if (r)
				cli_fmt_value(cell, sizeof cell, r->mean, r->unit);
			else
				snprintf(cell, sizeof cell, "n/a");
			table_set(&t, i + 1, cell);
		}
	}
	fputc('\n', f);
	table_print(f, &t, md);
	if (!detail)
		fprintf(f, "\n%s(every metric: --detail; n/a: does not apply or no data)%s\n",
		        md ? "_" : "", md ? "_" : "");
	sim_free(paths.v);
	for (size_t i = 0; i < n; i++)
		cli_entities_free(&es[i]);
	sim_free(es);
}

void cli_print_summaries(FILE *f, cli_format format, bool detail, const cli_summary *s, size_t n)
{
	switch (format) {
	case CLI_FORMAT_JSON:
		fputs("{\"files\": [", f);
		for (size_t i = 0; i < n; i++) {
			fputs(i ? ", " : "", f);
			print_json_object(f, &s[i]);
		}
		fputs("]}\n", f);
		break;
	case CLI_FORMAT_CSV: print_csv(f, s, n); break;
	case CLI_FORMAT_TEXT:
	case CLI_FORMAT_MARKDOWN:
		if (n == 1)
			print_people(f, s, detail, format == CLI_FORMAT_MARKDOWN);
		else
			print_side_by_side(f, s, n, detail, format == CLI_FORMAT_MARKDOWN);
		break;
	}
}

void cli_print_summary(FILE *f, cli_format format, bool detail, const cli_summary *s)
{
	if (format == CLI_FORMAT_JSON) {
		print_json_object(f, s);
		fputc('\n', f);
		return;
	}
	cli_print_summaries(f, format, detail, s, 1);
}
