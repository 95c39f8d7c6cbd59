/* kinesim check: validate a scenario (and its expect: paths) without running it. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "models/scenario/build.h"
#include "models/scenario/expect.h"
#include "sim/alloc.h"
#include "sim/schema.h"

int cli_check(int argc, char **argv)
{
	static const struct option options[] = {
	        {"set", required_argument, NULL, 's'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char **sets = sim_calloc((size_t)argc, sizeof *sets);
	size_t nsets = 0;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 's': sets[nsets++] = optarg; break;
		case 'h':
			sim_free(sets);
			printf("usage: kinesim check SCENARIO [--set PATH=VALUE]...\n");
			return EXIT_OK;
		case ':':
			sim_free(sets);
			return cli_usage_error("check", "option '%s' needs a value",
			                       argv[optind - 1]);
		default:
			sim_free(sets);
			return cli_usage_error("check", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		sim_free(sets);
		return cli_usage_error("check", "no scenario file given");
	}
	if (optind + 1 < argc) {
		sim_free(sets);
		return cli_usage_error("check", "one scenario at a time (got '%s' too)",
		                       argv[optind + 1]);
	}
	ks_scenario *sc = NULL;
	int rc = cli_load_scenario(argv[optind], sets, nsets, &sc);
	sim_free(sets);
	if (rc)
		return rc;

	/* The expect: paths name metrics: list them from a model that has not run. */
	sim_metrics *names = sim_metrics_create();
	ks_model *model = ks_model_build(sc, 1, 0, names);
	ks_model_summarize(model);
	sim_diag *d = sim_diag_create();
	sim_diag_add_source(d, sc->path, sc->source, sc->source_len);
	ks_expect *expects = NULL;
	size_t nexpects = 0;
	size_t errors =
	        ks_expect_parse(sim_yaml_get(sc->root, "expect"), names, d, &expects, &nexpects);
	sim_diag_print(d, stderr);
	sim_diag_destroy(d);
	ks_expect_free(expects, nexpects);
	ks_model_destroy(model);
	sim_metrics_destroy(names);
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
