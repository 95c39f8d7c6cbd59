/* The resource guard (guard.h). The estimate is deliberately high (readers a whole retention
 * behind, every shard full): the default limit is half the memory, so a run that passes has
 * room, and --force is there for the user who knows the run's course better. */
#include "cli/guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "models/scenario/estimate.h"

/* Records produced above which a run is told it may take long: ~10 minutes at the producers'
 * pace of some 25 M records a second on one core. */
#define MANY_RECORDS 1.5e10

/* A cgroup v2 limit on this process's memory (containers, systemd units); 0 when none. */
static double cgroup_memory_limit(void)
{
	FILE *f = fopen("/sys/fs/cgroup/memory.max", "r");
	double limit = 0;
	if (f) {
		unsigned long long v;
		if (fscanf(f, "%llu", &v) == 1) /* "max" reads as no number: no limit */
			limit = (double)v;
		fclose(f);
	}
	return limit;
}

double cli_default_memory_limit(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
	double physical = pages > 0 && page > 0 ? (double)pages * (double)page : 0;
	double cgroup = cgroup_memory_limit();
	if (cgroup > 0 && (physical == 0 || cgroup < physical))
		physical = cgroup;
	return physical / 2;
}

/* What to change, by the largest part of the estimate, and the key to point at. */
static const char *hint(const ks_estimate *e, const ks_scenario *sc, const sim_yaml_node **at)
{
	const sim_yaml_node *duration = sim_yaml_get(sc->root, "duration");
	*at = duration;
	if (e->series_bytes >= e->log_bytes && e->series_bytes >= e->resend_bytes &&
	    e->series_bytes >= e->key_bytes) {
		const sim_yaml_node *interval =
		        sim_yaml_get(sim_yaml_get(sc->root, "metrics"), "interval");
		if (interval && interval->line > 0)
			*at = interval;
		return "the interval series hold most of it: raise metrics.interval or shorten "
		       "duration";
	}
	if (e->log_bytes >= e->resend_bytes && e->log_bytes >= e->key_bytes)
		return "the shard logs hold most of it (records kept for readers that may fall a "
		       "retention behind): shorten duration or retention_period, or lower the rate";
	*at = sim_yaml_get(sc->root, "producers");
	if (e->resend_bytes >= e->key_bytes)
		return "the producers' resends hold most of it (records rejected by full shards): "
		       "add shards, lower the rate, or set retry.max_attempts: 1";
	return "the partition key tables hold most of it: lower partition_keys.count";
}

int cli_guard(const ks_scenario *sc, unsigned at_once, double max_memory, bool force)
{
	ks_estimate e = ks_estimate_scenario(sc);
	/* Replications run at once hold a model each. */
	double k = at_once > 1 ? at_once : 1;
	e.memory_bytes *= k;
	e.series_bytes *= k;
	e.log_bytes *= k;
	e.resend_bytes *= k;
	e.key_bytes *= k;
	char words[160], need[32], limit[32];
	ks_estimate_format(&e, words, sizeof words);
	ks_estimate_format_bytes(e.memory_bytes, need, sizeof need);
	ks_estimate_format_bytes(max_memory, limit, sizeof limit);
	if (max_memory > 0 && e.memory_bytes > max_memory) {
		if (force) {
			fprintf(stderr,
			        "kinesim: warning: this run may need about %s of memory, more than "
			        "--max-memory (%s); going on as --force asks\n",
			        need, limit);
			return 0;
		}
		const sim_yaml_node *at = NULL;
		const char *what = hint(&e, sc, &at);
		if (at && at->line > 0) /* a key set by --set has no place in the file */
			fprintf(stderr, "%s:%d:%d: ", sc->path, at->line, at->col);
		else
			fprintf(stderr, "%s: ", sc->path);
		fprintf(stderr,
		        "error: this run needs about %s of memory, more than --max-memory (%s)\n"
		        "  estimate: %s\n"
		        "  hint: %s; or, if the estimate is too high for this run, raise "
		        "--max-memory or give --force\n",
		        need, limit, words, what);
		return EXIT_BAD_SCENARIO;
	}
	if (e.produced > MANY_RECORDS)
		fprintf(stderr,
		        "kinesim: warning: a big run (%s): it may take a long time; Ctrl-C "
		        "stops it and keeps the finished intervals\n",
		        words);
	return 0;
}
