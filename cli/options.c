/* The options the commands share (options.h). */
#include "cli/options.h"

#include "sim/units.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cli_option_seed(const char *command, const char *arg, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v > INT64_MAX)
		return cli_usage_error(command, "--seed takes an integer from 0 to %lld (got '%s')",
		                       (long long)INT64_MAX, arg);
	*out = v;
	return 0;
}

int cli_option_format(const char *command, const char *arg, bool csv, cli_format *out)
{
	if (strcmp(arg, "text") == 0)
		*out = CLI_FORMAT_TEXT;
	else if (strcmp(arg, "json") == 0)
		*out = CLI_FORMAT_JSON;
	else if (csv && strcmp(arg, "csv") == 0)
		*out = CLI_FORMAT_CSV;
	else
		return cli_usage_error(command, "--format takes %s (got '%s')",
		                       csv ? "text, json or csv" : "text or json", arg);
	return 0;
}

int cli_option_summary_format(const char *command, const char *arg, cli_format *out)
{
	if (strcmp(arg, "markdown") == 0) {
		*out = CLI_FORMAT_MARKDOWN;
		return 0;
	}
	if (strcmp(arg, "text") != 0 && strcmp(arg, "json") != 0 && strcmp(arg, "csv") != 0)
		return cli_usage_error(
		        command, "--format takes text, json, csv or markdown (got '%s')", arg);
	return cli_option_format(command, arg, true, out);
}

int cli_option_count(const char *command, const char *option, const char *what, const char *arg,
                     long min, long max, unsigned *out)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		return cli_usage_error(command, "%s%s, %ld to %ld (got '%s')", option, what, min,
		                       max, arg);
	*out = (unsigned)v;
	return 0;
}

bool cli_metric_shown(const char *const *filters, size_t n, const char *path)
{
	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (strstr(path, filters[i]))
			return true;
	return false;
}

int cli_option_precision(const char *command, const char *arg, double *out)
{
	char err[128];
	if (sim_parse_fraction(arg, out, err, sizeof err) < 0 || !(*out > 0))
		return cli_usage_error(
		        command, "--precision takes a share of the mean, e.g. 5%% (got '%s')", arg);
	return 0;
}

int cli_option_jobs(const char *command, const char *arg, unsigned *out)
{
	return cli_option_count(command, "-j", " takes the number of replications to run at once",
	                        arg, 1, 256, out);
}

int cli_option_replications(const char *command, const char *arg, long min, unsigned *out)
{
	return cli_option_count(command, "--replications", " takes the number of replications", arg,
	                        min, 100000, out);
}

int cli_option_max_replications(const char *command, const char *arg, unsigned *out)
{
	return cli_option_count(command, "--max-replications",
	                        " takes the most replications --precision may run", arg, 2, 100000,
	                        out);
}
