/* kinesim: the entry point. Dispatches to a subcommand. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "kinesim_version.h"

static const char usage[] =
        "usage: kinesim run SCENARIO [-o FILE.h5] [--set PATH=VALUE]... [--seed N]\n"
        "                    [--format text|json|csv]\n"
        "       kinesim check SCENARIO [--set PATH=VALUE]...\n"
        "       kinesim --help | --version\n";

static const char help[] =
        "kinesim: a discrete-event simulator of AWS stream pipelines (Kinesis, Lambda, ...)\n"
        "\n"
        "Commands:\n"
        "  run SCENARIO      simulate the scenario, write its HDF5 file, print its summary\n"
        "                    and check its expect: lines (exit 1 when one fails)\n"
        "  check SCENARIO    validate the scenario without running it\n"
        "\n"
        "Options of run and check:\n"
        "  --set PATH=VALUE  override a key (created when absent), e.g.\n"
        "                    --set streams.events.shards=8\n"
        "                    --set functions.feed.triggers[0].batch_size=500\n"
        "Options of run:\n"
        "  -o FILE.h5        output file (default out/<scenario name>.h5)\n"
        "  --seed N          master seed (default: the scenario's seed)\n"
        "  --format F        summary on stdout as text (default), json or csv\n"
        "\n"
        "Exit codes: 0 ok, 1 an expectation failed, 64 usage, 65 bad scenario, 66 scenario\n"
        "missing, 70 internal error, 73 cannot create the output, 74 I/O error, 130 interrupted.\n"
        "Scenario format: docs/scenario.md; output layout: docs/output.md.\n";

int cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "kinesim%s%s: ", command ? " " : "", command ? command : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(NULL, "no command given");
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage, stdout);
		fputs("\n", stdout);
		fputs(help, stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("kinesim %s\n", KINESIM_VERSION);
		return EXIT_OK;
	}
	if (strcmp(cmd, "run") == 0)
		return cli_run(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return cli_check(argc - 1, argv + 1);
	if (cmd[0] == '-')
		return cli_usage_error(NULL, "unknown option '%s' (options follow the command)",
		                       cmd);
	return cli_usage_error(NULL, "unknown command '%s'", cmd);
}
