/* Replays fuzz inputs through the fuzz target's code path (scenario_input.h) in the normal
 * build: the seeds and the crashers kept in tests/fuzz/regressions/ (docs/fuzzing.md).
 *
 *   replay [-v] FILE|DIR...
 *
 * A DIR stands for its regular files, in name order, except README* and dot files (not
 * recursive). Each input must come back without crashing (the sanitizers of the debug build
 * say so) and without leaking through the allocation wrapper (sim_alloc_live before and after).
 * -v prints each input's outcome and time. Exit status: 0, 1 when an input leaked or could not
 * be read, 64 on bad usage (including no input at all: a misplaced directory is an error, not an
 * empty pass). */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "models/scenario/format.h"
#include "sim/alloc.h"
#include "tests/fuzz/scenario_input.h"

typedef struct {
	bool verbose;
	size_t inputs, loaded, invalid, failed;
	double slowest;
	char *slowest_name;
} replay;

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -errno;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		sim_grow(&buf, &cap, len + 65536, 1);
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	int err = ferror(f) ? -EIO : 0;
	fclose(f);
	if (err) {
		sim_free(buf);
		return err;
	}
	*data = buf;
	*size = len;
	return 0;
}

static void replay_file(replay *r, const char *path)
{
	uint8_t *data = NULL;
	size_t size = 0;
	int err = read_file(path, &data, &size);
	if (err) {
		fprintf(stderr, "replay: cannot read '%s': %s\n", path, strerror(-err));
		r->failed++;
		return;
	}
	long live = sim_alloc_live();
	double start = now_s();
	fuzz_outcome o = fuzz_scenario_input(data, size);
	double took = now_s() - start;
	long leaked = sim_alloc_live() - live;
	sim_free(data);
	r->inputs++;
	if (o == FUZZ_LOADED)
		r->loaded++;
	else if (o == FUZZ_INVALID)
		r->invalid++;
	if (took > r->slowest || !r->slowest_name) {
		sim_free(r->slowest_name);
		r->slowest_name = sim_strdup(path);
		r->slowest = took;
	}
	if (r->verbose)
		printf("%s: %s, %zu bytes, %.3f s\n", path,
		       o == FUZZ_LOADED    ? "loaded"
		       : o == FUZZ_INVALID ? "invalid"
		                           : "no memory file",
		       size, took);
	if (o == FUZZ_NO_FILE) {
		fprintf(stderr, "replay: '%s': cannot make the memory file: %s\n", path,
		        strerror(errno));
		r->failed++;
	}
	if (leaked) {
		fprintf(stderr, "replay: '%s': %ld block%s leaked (sim_alloc_live)\n", path, leaked,
		        leaked == 1 ? "" : "s");
		r->failed++;
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_dir(replay *r, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", dir, strerror(errno));
		r->failed++;
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strncmp(e->d_name, "README", 6) == 0)
			continue;
		char *path = sim_asprintf("%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			sim_free(path);
			continue;
		}
		sim_grow(&names, &cap, n + 1, sizeof *names);
		names[n++] = path;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		replay_file(r, names[i]);
		sim_free(names[i]);
	}
	sim_free(names);
}

int main(int argc, char **argv)
{
	/* The format is assembled once and kept (a few strings among its tables): not a leak of
	 * the first input. */
	ks_format();
	replay r = {0};
	int first = 1;
	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		r.verbose = true;
		first = 2;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: replay [-v] FILE|DIR...\n");
		return 64;
	}
	for (int i = first; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			replay_dir(&r, argv[i]);
		else
			replay_file(&r, argv[i]);
	}
	if (r.inputs == 0 && r.failed == 0) {
		fprintf(stderr, "replay: no input in the files and folders given\n");
		return 64;
	}
	printf("replay: %zu input%s: %zu loaded, %zu invalid; slowest %.3f s (%s)\n", r.inputs,
	       r.inputs == 1 ? "" : "s", r.loaded, r.invalid, r.slowest,
	       r.slowest_name ? r.slowest_name : "-");
	sim_free(r.slowest_name);
	if (r.failed) {
		fprintf(stderr, "replay: %zu input%s failed\n", r.failed, r.failed == 1 ? "" : "s");
		return 1;
	}
	return 0;
}
