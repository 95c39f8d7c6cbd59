/* kinesim: the entry point. Dispatches to a subcommand, then makes sure what it printed on
 * stdout was written: a summary cut short by a full disk must not pass for success. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/mpi.h"
#include "kinesim_version.h"
#include "sim/alloc.h"

static const char usage[] =
        "usage: kinesim run SCENARIO [-o FILE.h5] [--set PATH=VALUE]... [--set-new PATH=VALUE]...\n"
        "                    [--seed N] [--format text|json|csv|markdown] [--detail] [--progress]\n"
        "                    [-j N] [--precision P [--max-replications N]] [--max-memory SIZE]\n"
        "                    [--force]\n"
        "       kinesim report FILE.h5 [FILE2.h5...] [--format text|json|csv|markdown] [--detail]\n"
        "       kinesim check SCENARIO [--resolved] [--set PATH=VALUE]... [--set-new "
        "PATH=VALUE]...\n"
        "       kinesim sweep SCENARIO --vary PATH=VALUES... [--set PATH=VALUE]... [--seed N]\n"
        "                    [-o FILE.h5] [--format text|json|csv] [--metric TEXT]...\n"
        "                    [--replications R] [-j N]\n"
        "       kinesim compare A.yaml B.yaml... | A.yaml --vary PATH=V1,V2... [--set ...]\n"
        "                    [--seed N] [--replications R] [--format ...] [--metric TEXT]...\n"
        "       kinesim plan SCENARIO --vary PATH=VALUES... --require 'METRIC OP VALUE'...\n"
        "                    [--set ...] [--seed N] [--replications R] [--format text|json]\n"
        "                    [--precision P [--max-replications N]]\n"
        "       kinesim --help | --version\n";

static const char help[] =
        "kinesim: a discrete-event simulator of AWS stream pipelines (Kinesis, Lambda, ...)\n"
        "\n"
        "Commands:\n"
        "  run SCENARIO      simulate the scenario, write its HDF5 file, print its summary\n"
        "                    and check its expect: lines (exit 1 when one fails)\n"
        "  report FILE.h5... the summary of finished runs' files (a sweep's: a column per\n"
        "                    point), several side by side\n"
        "  check SCENARIO    validate the scenario without running it; --resolved prints it\n"
        "                    with every default filled and where each value came from\n"
        "  sweep SCENARIO    run it at every point of a grid of --vary values: one HDF5 file\n"
        "                    (points/pNNNN, each a complete run) and one table\n"
        "  compare A B...    run variants on the same records (common random numbers) and\n"
        "                    print each metric's paired difference with its 95% interval\n"
        "  plan SCENARIO     the cheapest point of a grid whose --require lines hold with\n"
        "                    95% confidence (bisecting a single --vary)\n"
        "\n"
        "Options of run and check:\n"
        "  --set PATH=VALUE  override a key (created when absent), e.g.\n"
        "                    --set streams.events.shards=8\n"
        "                    --set functions.feed.triggers[0].batch_size=500\n"
        "                    a path into streams, functions... must name an existing entity\n"
        "  --set-new PATH=VALUE  create an entity (--set changes existing ones), e.g.\n"
        "                    --set-new streams.audit.shards=2\n"
        "Options of run (--format and --detail: of report too):\n"
        "  -o FILE.h5        output file (default out/<scenario name>.h5)\n"
        "  --seed N          master seed (default: the scenario's seed)\n"
        "  --format F        summary on stdout as text (default), json, csv or markdown.\n"
        "                    text opens with a verdict per stream and function (OK,\n"
        "                    throttled, falling behind, losing records; the binding limit;\n"
        "                    what to change), then a compact table per kind of entity;\n"
        "                    n/a marks a metric that does not apply or has no data.\n"
        "                    csv: a row per entity, a column per metric (docs/summary.md)\n"
        "  --detail          every metric, one a line, instead of the compact tables\n"
        "  --progress        progress on stderr (simulated time, %, ETA) even when stderr is\n"
        "                    not a terminal (on a terminal it is always shown)\n"
        "  -j, --jobs N      run up to N replications at once, on as many cores (default\n"
        "                    1); the results are the same for any N\n"
        "  --max-memory SIZE refuse a run estimated to need more memory (default: half of\n"
        "                    this machine's; 0: no limit), e.g. --max-memory 8GB\n"
        "  --force           run even when the estimate exceeds --max-memory\n"
        "\n"
        "The file is written as FILE.h5.partial (or FILE.h5.<pid>.partial when that name is\n"
        "taken) and renamed to FILE.h5 when complete; -o replaces only a regular file.\n"
        "SIGINT (Ctrl-C), SIGTERM and SIGHUP stop the run and keep the partial file.\n"
        "\n"
        "Exit codes: 0 ok, 1 an expectation failed, 64 usage, 65 bad scenario, 66 scenario\n"
        "missing, 70 internal error, 73 cannot create the output, 74 I/O error (full disk,\n"
        "stdout), 128 + N stopped by signal N: 129 SIGHUP, 130 SIGINT, 143 SIGTERM.\n"
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

/* The errno of the first failed write to stdout: glibc drops a buffer it could not write, so a
 * later flush succeeds and only the stream's error flag remains, without the cause. */
static int stdout_errno;

static void flush_stdout(void)
{
	if (fflush(stdout) != 0 && stdout_errno == 0)
		stdout_errno = errno ? errno : EIO;
}

void cli_write_stdout(const char *buf, size_t len)
{
	if (fwrite(buf, 1, len, stdout) != len && stdout_errno == 0)
		stdout_errno = errno ? errno : EIO;
	flush_stdout();
}

FILE *cli_output_open(cli_output *out)
{
	*out = (cli_output){0};
	out->f = open_memstream(&out->buf, &out->len);
	return out->f ? out->f : stdout;
}

void cli_output_close(cli_output *out)
{
	if (!out->f)
		return; /* it was printed to stdout directly */
	fclose(out->f);
	cli_write_stdout(out->buf, out->len);
	free(out->buf); /* open_memstream's buffer, from malloc */
}

/* Flushes and closes stdout: 0, or -errno (-EIO when the cause is lost). */
static int close_stdout(void)
{
	flush_stdout();
	int failed = stdout_errno != 0 || ferror(stdout);
	if (fclose(stdout) != 0 && !failed) {
		failed = 1;
		stdout_errno = errno;
	}
	return failed ? -(stdout_errno ? stdout_errno : EIO) : 0;
}

static int dispatch(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(NULL, "no command given");
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		/* in memory, then written at once: a failed write keeps its cause (cli_output) */
		cli_output out;
		FILE *f = cli_output_open(&out);
		fputs(usage, f);
		fputs("\n", f);
		fputs(help, f);
		fputs(cli_mpi_help(), f);
		cli_output_close(&out);
		return EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("kinesim %s\n", KINESIM_VERSION);
		return EXIT_OK;
	}
	if (strcmp(cmd, "run") == 0)
		return cli_run(argc - 1, argv + 1);
	if (strcmp(cmd, "report") == 0)
		return cli_report(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return cli_check(argc - 1, argv + 1);
	if (strcmp(cmd, "sweep") == 0)
		return cli_sweep(argc - 1, argv + 1);
	if (strcmp(cmd, "compare") == 0)
		return cli_compare(argc - 1, argv + 1);
	if (strcmp(cmd, "plan") == 0)
		return cli_plan(argc - 1, argv + 1);
	if (cmd[0] == '-')
		return cli_usage_error(NULL, "unknown option '%s' (options follow the command)",
		                       cmd);
	return cli_usage_error(NULL, "unknown command '%s'", cmd);
}

static int command(int argc, char **argv)
{
	int rc = dispatch(argc, argv);
	int err = close_stdout();
	if (err == 0)
		return rc;
	fprintf(stderr, "kinesim: writing to standard output failed: %s\n", strerror(-err));
	/* An error of the command itself says more; a lost summary is an I/O error. */
	return rc == EXIT_OK || rc == EXIT_EXPECT_FAILED ? EXIT_IO : rc;
}

/* Under mpirun, rank 0 runs the command and the other ranks serve it (cli/mpi.h); they all
 * exit with its status. */
int main(int argc, char **argv)
{
	sim_alloc_tune();
	cli_mpi_init(&argc, &argv);
	if (cli_mpi_rank() > 0)
		return cli_mpi_serve();
	int rc = command(argc, argv);
	cli_mpi_finish(rc);
	return rc;
}
