/* kinesim check: validate a scenario (and its expect: paths) without running it; with
 * --resolved, print it as a run resolves it (every default filled, --set applied), each value
 * with where it came from. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "models/scenario/expect.h"
#include "sim/alloc.h"
#include "sim/schema.h"

/* The assignments, to name a value's --set by its text. */
typedef struct origins {
	char *const *sets;
	size_t nsets;
} origins;

/* Where a value came from: the file and line it was written at, the --set or --set-new that
 * gave it (nodes from an assignment carry its label, "--set #2"), or the default the schema
 * (or a model's rule) filled in: nodes made by code carry no file. */
static char *origin_of(const sim_yaml_node *v, void *ctx)
{
	const origins *o = ctx;
	if (!v->file)
		return sim_strdup("default");
	if (v->line > 0)
		return sim_asprintf("%s:%d", v->file, v->line);
	bool create = strncmp(v->file, "--set-new #", 11) == 0;
	if (create || strncmp(v->file, "--set #", 7) == 0) {
		size_t rank = strtoul(v->file + (create ? 11 : 7), NULL, 10), seen = 0;
		for (size_t i = 0; i < o->nsets; i++) {
			bool is_new = o->sets[i][0] == KS_SET_NEW;
			if (is_new == create && ++seen == rank)
				return sim_asprintf("%s %s", create ? "--set-new" : "--set",
				                    o->sets[i] + is_new);
		}
	}
	return sim_strdup(v->file);
}

int cli_check(int argc, char **argv)
{
	static const struct option options[] = {
	        {"set", required_argument, NULL, 's'},
	        {"set-new", required_argument, NULL, 'n'},
	        {"resolved", no_argument, NULL, 'r'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	/* Every assignment is a copy, so that all are freed alike: a --set-new is "+PATH=VALUE"
	 * (KS_SET_NEW, scenario.h), in order among the --set ones. */
	char **sets = sim_calloc((size_t)argc, sizeof *sets);
	size_t nsets = 0;
	int c, rc = 0;
	bool resolved = false;
	opterr = 0;
	optind = 1;
	while (rc == 0 && (c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 's': sets[nsets++] = sim_strdup(optarg); break;
		case 'n': sets[nsets++] = sim_asprintf("%c%s", KS_SET_NEW, optarg); break;
		case 'r': resolved = true; break;
		case 'h':
			printf("usage: kinesim check SCENARIO [--resolved] [--set PATH=VALUE]... "
			       "[--set-new PATH=VALUE]...\n");
			rc = -1;
			break;
		case ':':
			rc = cli_usage_error("check", "option '%s' needs a value",
			                     argv[optind - 1]);
			break;
		default:
			rc = cli_usage_error("check", "unknown option '%s'", argv[optind - 1]);
			break;
		}
	}
	if (rc == 0 && optind >= argc)
		rc = cli_usage_error("check", "no scenario file given");
	else if (rc == 0 && optind + 1 < argc)
		rc = cli_usage_error("check", "one scenario at a time (got '%s' too)",
		                     argv[optind + 1]);
	ks_scenario *sc = NULL;
	if (rc == 0)
		rc = cli_load_scenario(argv[optind], (const char *const *)sets, nsets, &sc);
	if (rc == 0 && resolved) {
		origins o = {sets, nsets};
		char *text = sim_yaml_emit_noted(sc->root, origin_of, &o);
		cli_output out;
		FILE *f = cli_output_open(&out);
		fprintf(f,
		        "# %s as a run reads it: every default filled in, --set applied; on each "
		        "value's right, where it came from (FILE:LINE, the --set, or default)\n",
		        sc->path);
		fputs(text, f);
		cli_output_close(&out);
		sim_free(text);
	}
	for (size_t i = 0; i < nsets; i++)
		sim_free(sets[i]);
	sim_free(sets);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;

	/* The expect: paths name metrics: list them from a model that has not run. */
	sim_diag *d = sim_diag_create();
	sim_diag_add_source(d, sc->path, sc->source, sc->source_len);
	ks_expect *expects = NULL;
	size_t nexpects = 0;
	size_t errors = ks_expect_scenario(sc, d, &expects, &nexpects);
	sim_diag_print(d, stderr);
	sim_diag_destroy(d);
	ks_expect_free(expects, nexpects);
	if (errors) {
		fprintf(stderr, "kinesim: %zu error%s in scenario '%s'\n", errors,
		        errors == 1 ? "" : "s", sc->path);
		ks_scenario_destroy(sc);
		return EXIT_BAD_SCENARIO;
	}
	fprintf(stderr, "%s: ok\n", sc->path);
	ks_scenario_destroy(sc);
	return EXIT_OK;
}
