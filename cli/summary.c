/* Printing the summary: an aligned table for people, JSON or CSV for machines (OUTPUT.md).
 * JSON keys are sorted and numbers printed with %.17g, so the same run prints the same bytes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "kinesim_version.h"
#include "sim/alloc.h"

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

static void print_json(FILE *f, const char *scenario, unsigned long long seed,
                       unsigned replications, const cli_summary_row *rows, size_t n,
                       const cli_expect_result *expects, size_t nexpects)
{
	size_t *order = sorted_order(rows, n);
	/* Top-level keys in sorted order: ci95, expect, kinesim, metrics, replications,
	 * scenario, seed, units. */
	fputs("{\"ci95\": {", f);
	for (size_t k = 0; k < n; k++) {
		const cli_summary_row *r = &rows[order[k]];
		fputs(k ? ", " : "", f);
		cli_json_string(f, r->path);
		fputs(": ", f);
		if (r->ci95 < 0)
			fputs("null", f);
		else
			cli_json_number(f, r->ci95);
	}
	fputs("}, \"expect\": [", f);
	for (size_t i = 0; i < nexpects; i++) {
		fputs(i ? ", " : "", f);
		fputs("{\"expr\": ", f);
		cli_json_string(f, expects[i].text);
		fputs(", \"ok\": ", f);
		fputs(expects[i].ok ? "true" : "false", f);
		fputs(", \"value\": ", f);
		cli_json_number(f, expects[i].value);
		fputs("}", f);
	}
	fputs("], \"kinesim\": ", f);
	cli_json_string(f, KINESIM_VERSION);
	fputs(", \"metrics\": {", f);
	for (size_t k = 0; k < n; k++) {
		fputs(k ? ", " : "", f);
		cli_json_string(f, rows[order[k]].path);
		fputs(": ", f);
		cli_json_number(f, rows[order[k]].mean);
	}
	fprintf(f, "}, \"replications\": %u, \"scenario\": ", replications);
	cli_json_string(f, scenario);
	fprintf(f, ", \"seed\": %llu, \"units\": {", seed);
	for (size_t k = 0; k < n; k++) {
		fputs(k ? ", " : "", f);
		cli_json_string(f, rows[order[k]].path);
		fputs(": ", f);
		cli_json_string(f, rows[order[k]].unit);
	}
	fputs("}}\n", f);
	sim_free(order);
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

static void print_csv(FILE *f, const cli_summary_row *rows, size_t n,
                      const cli_expect_result *expects, size_t nexpects)
{
	size_t *order = sorted_order(rows, n);
	fputs("metric,value,unit,ci95\n", f);
	for (size_t k = 0; k < n; k++) {
		const cli_summary_row *r = &rows[order[k]];
		cli_csv_field(f, r->path);
		fprintf(f, ",%.17g,", r->mean);
		cli_csv_field(f, r->unit);
		if (r->ci95 >= 0)
			fprintf(f, ",%.17g\n", r->ci95);
		else
			fputs(",\n", f);
	}
	for (size_t i = 0; i < nexpects; i++) {
		fputs("expect:", f);
		cli_csv_field(f, expects[i].text);
		fprintf(f, ",%.17g,%s,\n", expects[i].value, expects[i].ok ? "ok" : "FAILED");
	}
	sim_free(order);
}

/* A value for people: durations in a readable unit, counts as integers. */
void cli_human(char *buf, size_t len, double v, const char *unit)
{
	if (strcmp(unit, "s") == 0) {
		double a = fabs(v);
		if (a == 0)
			snprintf(buf, len, "0 s");
		else if (a < 1e-3)
			snprintf(buf, len, "%.1f us", v * 1e6);
		else if (a < 1)
			snprintf(buf, len, "%.1f ms", v * 1e3);
		else
			snprintf(buf, len, "%.3f s", v);
	} else if (strcmp(unit, "USD") == 0) {
		snprintf(buf, len, "$%.4f", v);
	} else if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, len, "%.0f", v);
	} else {
		snprintf(buf, len, "%.4g", v);
	}
}

static void print_text(FILE *f, const char *scenario, unsigned long long seed,
                       unsigned replications, const cli_summary_row *rows, size_t n,
                       const cli_expect_result *expects, size_t nexpects)
{
	fprintf(f, "scenario %s, seed %llu, %u replication%s\n", scenario, seed, replications,
	        replications == 1 ? "" : "s");
	size_t width = 6;
	for (size_t i = 0; i < n; i++)
		if (strlen(rows[i].path) > width)
			width = strlen(rows[i].path);
	const char *entity = "";
	size_t entity_len = 0;
	for (size_t i = 0; i < n; i++) {
		const cli_summary_row *r = &rows[i];
		size_t len = strcspn(r->path, ".");
		if (len != entity_len || strncmp(r->path, entity, len) != 0) {
			fputc('\n', f);
			entity = r->path;
			entity_len = len;
		}
		char value[64];
		cli_human(value, sizeof value, r->mean, r->unit);
		fprintf(f, "  %-*s  %14s", (int)width, r->path, value);
		if (r->ci95 >= 0) {
			char ci[64];
			cli_human(ci, sizeof ci, r->ci95, r->unit);
			fprintf(f, "  +/- %s", ci);
		}
		fputc('\n', f);
	}
	if (nexpects)
		fputs("\nexpect:\n", f);
	for (size_t i = 0; i < nexpects; i++)
		fprintf(f, "  %-6s %s   (got %.6g)\n", expects[i].ok ? "ok" : "FAILED",
		        expects[i].text, expects[i].value);
}

void cli_print_summary(FILE *f, cli_format format, const char *scenario, unsigned long long seed,
                       unsigned replications, const cli_summary_row *rows, size_t n,
                       const cli_expect_result *expects, size_t nexpects)
{
	switch (format) {
	case CLI_FORMAT_JSON:
		print_json(f, scenario, seed, replications, rows, n, expects, nexpects);
		break;
	case CLI_FORMAT_CSV: print_csv(f, rows, n, expects, nexpects); break;
	case CLI_FORMAT_TEXT:
		print_text(f, scenario, seed, replications, rows, n, expects, nexpects);
		break;
	}
}
