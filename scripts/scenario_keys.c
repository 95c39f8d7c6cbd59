/* Writes docs/scenario-keys.md, the table of every key of the scenario format, from the schema
 * the loader checks scenarios against (models/scenario/format.h): each key's path, the kind of
 * value with its units, its default, its range and its flags. The table is generated so it
 * cannot drift from the loader; docs/scenario.md explains the keys and shows them in use.
 *
 *   build/scripts/scenario-keys > docs/scenario-keys.md     write it
 *   build/scripts/scenario-keys --check docs/scenario-keys.md
 *                                    exit 1 when the file is not what the loader reads (a test)
 *
 * Sections: the top level, each section of platform:, and one per kind of entity
 * (streams.<name>, ...), a trigger or forward item of each form in its own. Inside a section,
 * nested maps and lists of maps are written inline with dotted paths (partition_keys.count,
 * reshard[].at). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/scenario/format.h"
#include "sim/schema.h"
#include "sim/units.h"

#define MAX_SECTIONS 64

typedef struct section {
	char title[160];
	const sim_schema *children; /* the rows of a MAP (or of a picked VARIANT form) */
	const char *intro;
} section;

static section sections[MAX_SECTIONS];
static size_t nsections;
static const char *current; /* the title of the section being written */

static void push(const char *title, const sim_schema *children, const char *intro)
{
	if (nsections == MAX_SECTIONS) {
		fprintf(stderr, "scenario-keys: more than %d sections\n", MAX_SECTIONS);
		exit(2);
	}
	section *s = &sections[nsections++];
	snprintf(s->title, sizeof s->title, "%s", title);
	s->children = children;
	s->intro = intro;
}

/* "streams" -> "stream", as the loader's messages name one entity of a kind. */
static const char *noun(const char *kind, size_t len)
{
	static const struct {
		const char *kind, *noun;
	} nouns[] = {
	        {"streams", "stream"},     {"producers", "producer"}, {"functions", "function"},
	        {"consumers", "consumer"}, {"topics", "topic"},       {"queues", "queue"},
	        {"firehoses", "firehose"}, {"buckets", "bucket"},     {"buses", "bus"}};
	for (size_t i = 0; i < sizeof nouns / sizeof nouns[0]; i++)
		if (strlen(nouns[i].kind) == len && !strncmp(nouns[i].kind, kind, len))
			return nouns[i].noun;
	return NULL;
}

/* "queues topics buckets" -> "name of a queue, topic or bucket". */
static void ref_text(const char *refs, FILE *out)
{
	const char *words[16];
	size_t lens[16], n = 0;
	for (const char *p = refs; *p && n < 16;) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		if (e > p) {
			words[n] = p;
			lens[n++] = (size_t)(e - p);
		}
		p = e;
	}
	fputs("name of a ", out);
	for (size_t i = 0; i < n; i++) {
		const char *w = noun(words[i], lens[i]);
		if (i)
			fputs(i + 1 == n ? " or " : ", ", out);
		if (w)
			fputs(w, out);
		else
			fprintf(out, "%.*s", (int)lens[i], words[i]);
	}
}

/* A rate's range reads in bytes when its default is a size per duration (read_bytes: 2MiB/s). */
static bool rate_of_bytes(const sim_schema *s)
{
	sim_rate r;
	char err[128];
	return s->kind == SIM_SCHEMA_RATE && s->def &&
	       sim_parse_rate(s->def, &r, err, sizeof err) == 0 && r.is_bytes;
}

/* The kind of value, with its units. */
static void value_text(const sim_schema *s, FILE *out)
{
	switch (s->kind) {
	case SIM_SCHEMA_MAP: fputs("map (keys below)", out); break;
	case SIM_SCHEMA_DICT: fputs("map of names to entries (below)", out); break;
	case SIM_SCHEMA_SEQ:
		fputs("list of ", out);
		if (s->item->kind == SIM_SCHEMA_MAP)
			fputs("maps (keys below)", out);
		else if (s->item->kind == SIM_SCHEMA_VARIANT)
			fputs("items, each of one form (sections below)", out);
		else {
			fputs("items; each: ", out);
			value_text(s->item, out);
		}
		break;
	case SIM_SCHEMA_VARIANT: fputs("one of several forms (sections below)", out); break;
	case SIM_SCHEMA_STRING: fputs("text", out); break;
	case SIM_SCHEMA_REF: ref_text(s->refs, out); break;
	case SIM_SCHEMA_BOOL: fputs("`true` or `false`", out); break;
	case SIM_SCHEMA_INT: fputs("integer", out); break;
	case SIM_SCHEMA_NUMBER: fputs("number", out); break;
	case SIM_SCHEMA_ENUM:
		fputs("one of ", out);
		for (const sim_schema_value *v = s->values; v->name; v++)
			fprintf(out, "%s`%s`", v == s->values ? "" : ", ", v->name);
		break;
	case SIM_SCHEMA_DURATION: fputs("duration", out); break;
	case SIM_SCHEMA_SIZE: fputs("size (KB = 1000 B, KiB = 1024 B)", out); break;
	case SIM_SCHEMA_SIZE_BINARY_MB: fputs("size, AWS's MB (MB = MiB)", out); break;
	case SIM_SCHEMA_RATE:
		fputs(rate_of_bytes(s) ? "rate of bytes (`2MiB/s`)"
		                       : "rate (`1000/s`, `60/m`, `2MiB/s`)",
		      out);
		break;
	case SIM_SCHEMA_FRACTION: fputs("fraction (`0.01` or `1%`)", out); break;
	case SIM_SCHEMA_DIST_DURATION: fputs("duration or distribution of durations", out); break;
	case SIM_SCHEMA_DIST_SIZE: fputs("size or distribution of sizes (KB = 1000 B)", out); break;
	case SIM_SCHEMA_ANY: fputs("see docs/scenario.md", out); break;
	}
}

static void row(const char *path, const sim_schema *s, FILE *out)
{
	fprintf(out, "| `%s` | ", path);
	value_text(s, out);
	fputs(" | ", out);
	if (s->flags & SIM_SCHEMA_REQUIRED)
		fputs("required", out);
	else if (s->def)
		fprintf(out, "`%s`", s->def);
	else if (s->flags & SIM_SCHEMA_FILL)
		fputs("its keys' defaults", out);
	else
		fputs("none", out);
	fputs(" | ", out);
	char range[160];
	if (s->kind == SIM_SCHEMA_FRACTION)
		fputs("0..1", out);
	else if (sim_schema_format_range(s, rate_of_bytes(s), range, sizeof range))
		fputs(range, out);
	if (s->flags & SIM_SCHEMA_NEG1)
		fputs(", or -1 (infinite)", out);
	fputs(" | ", out);
	const char *sep = "";
	if (s->flags & SIM_SCHEMA_SOFT_RANGE) {
		fputs("AWS's range: a warning under `platform.aws_ranges: warn`", out);
		sep = "; ";
	}
	if (s->flags & SIM_SCHEMA_NOT_IMPLEMENTED)
		fprintf(out, "%snot implemented yet: refused %s", sep,
		        s->def ? "unless it holds its default" : "when present");
	fputs(" |\n", out);
}

static void rows(const char *prefix, const sim_schema *children, FILE *out);

/* A VARIANT's forms, each its own section: "functions.<name>.triggers[] with kinesis:". */
static void variant_sections(const char *path, const sim_schema *v)
{
	for (const sim_schema *form = v->children; form->key; form++) {
		char title[160];
		snprintf(title, sizeof title, "%s%s%s: the `%s:` form", current,
		         *current ? "." : "", path, form->key);
		push(title, form->children, NULL);
	}
}

static void child(const char *prefix, const sim_schema *s, FILE *out)
{
	char path[256];
	snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", s->key);
	row(path, s, out);
	if (s->kind == SIM_SCHEMA_MAP) {
		rows(path, s->children, out);
	} else if (s->kind == SIM_SCHEMA_SEQ && s->item->kind == SIM_SCHEMA_MAP) {
		strncat(path, "[]", sizeof path - strlen(path) - 1);
		rows(path, s->item->children, out);
	} else if (s->kind == SIM_SCHEMA_DICT && s->item->kind == SIM_SCHEMA_MAP) {
		strncat(path, ".<name>", sizeof path - strlen(path) - 1);
		rows(path, s->item->children, out);
	} else if (s->kind == SIM_SCHEMA_SEQ && s->item->kind == SIM_SCHEMA_VARIANT) {
		strncat(path, "[]", sizeof path - strlen(path) - 1);
		variant_sections(path, s->item);
	}
}

static void rows(const char *prefix, const sim_schema *children, FILE *out)
{
	for (const sim_schema *s = children; s && s->key; s++)
		child(prefix, s, out);
}

static const char header[] =
        "# Every scenario key\n"
        "\n"
        "Generated by `scripts/scenario_keys.c` from the schema the loader checks scenarios "
        "against\n"
        "(`build/scripts/scenario-keys > docs/scenario-keys.md`; a test fails when this file "
        "and the\n"
        "loader disagree). What the keys mean, with examples: [scenario.md](scenario.md).\n"
        "\n"
        "- **path**: where the key goes; `<name>` is a name you choose, `[]` an item of a "
        "list.\n"
        "- **value**: the kind of value and its units (docs/scenario.md, \"Units\"). Every "
        "dimensioned\n"
        "  value carries its unit; only `0` may be bare. Sizes are decimal (`1KB` = 1000 B) "
        "except\n"
        "  where AWS's own MB is meant (`memory`, a firehose's `buffer.size`: `MB` = MiB).\n"
        "- **default**: filled in when the key is absent (`/scenario/resolved` in the output "
        "file holds\n"
        "  every default); *required*: the scenario must give it; *none*: absent means "
        "off.\n"
        "- **range**: values outside are an error; AWS's documented ranges are only a "
        "warning under\n"
        "  `platform.aws_ranges: warn`.\n";

static void render(FILE *out)
{
	const sim_schema *top = ks_format();
	fputs(header, out);
	nsections = 0;
	current = "";
	/* The top level's scalars and small maps first; platform's sections and each kind of
	 * entity after, in the loader's order. */
	fputs("\n## The top level\n\n| path | value | default | range | notes "
	      "|\n|---|---|---|---|---|\n",
	      out);
	for (const sim_schema *s = top->children; s->key; s++) {
		if (!strcmp(s->key, "platform")) {
			row("platform", s, out);
			for (const sim_schema *p = s->children; p->key; p++) {
				if (p->kind == SIM_SCHEMA_MAP) {
					char title[160];
					snprintf(title, sizeof title, "platform.%s", p->key);
					push(title, p->children, NULL);
				} else {
					char path[160];
					snprintf(path, sizeof path, "platform.%s", p->key);
					row(path, p, out);
				}
			}
		} else if (s->kind == SIM_SCHEMA_DICT) {
			row(s->key, s, out);
			char title[160];
			snprintf(title, sizeof title, "%s.<name>", s->key);
			push(title, s->item->children, NULL);
		} else {
			child("", s, out);
		}
	}
	for (size_t i = 0; i < nsections; i++) {
		section *sec = &sections[i];
		fprintf(out, "\n## %s\n\n", sec->title);
		if (!sec->children || !sec->children->key) {
			fputs("No keys of its own: write `{}`.\n", out);
			continue;
		}
		fputs("| path | value | default | range | notes |\n|---|---|---|---|---|\n", out);
		/* Paths inside a section are relative to its title. */
		current = sec->title;
		rows("", sec->children, out);
	}
}

static int check(const char *path)
{
	char *want = NULL;
	size_t wlen = 0;
	FILE *mem = open_memstream(&want, &wlen);
	if (!mem)
		return 2;
	render(mem);
	fclose(mem);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "scenario-keys: cannot read '%s': %s\n", path, strerror(errno));
		free(want);
		return 2;
	}
	char *have = malloc(wlen + 2);
	size_t hlen = have ? fread(have, 1, wlen + 1, f) : 0;
	fclose(f);
	int rc = (have && hlen == wlen && !memcmp(have, want, wlen)) ? 0 : 1;
	if (rc)
		fprintf(stderr,
		        "%s is not what the loader reads: run build/scripts/scenario-keys > %s\n",
		        path, path);
	free(have);
	free(want);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--check"))
		return check(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: scenario-keys [--check FILE]\n");
		return 2;
	}
	render(stdout);
	return fflush(stdout) ? 2 : 0;
}
