/* kinesim check: validate a scenario (and its expect: paths) without running it. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "models/scenario/expect.h"
#include "sim/alloc.h"
#include "sim/schema.h"

int cli_check(int argc, char **argv)
{
	static const struct option options[] = {
	        {"set", required_argument, NULL, 's'},
	        {"set-new", required_argument, NULL, 'n'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	/* Every assignment is a copy, so that all are freed alike: a --set-new is "+PATH=VALUE"
	 * (KS_SET_NEW, scenario.h), in order among the --set ones. */
	char **sets = sim_calloc((size_t)argc, sizeof *sets);
	size_t nsets = 0;
	int c, rc = 0;
	opterr = 0;
	optind = 1;
	while (rc == 0 && (c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 's': sets[nsets++] = sim_strdup(optarg); break;
		case 'n': sets[nsets++] = sim_asprintf("%c%s", KS_SET_NEW, optarg); break;
		case 'h':
			printf("usage: kinesim check SCENARIO [--set PATH=VALUE]... "
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
