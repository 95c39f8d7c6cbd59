/* One fuzz input through the scenario loader (scenario_input.h): the path of `kinesim check`
 * (cli/check.c) without the printing, on an input that carries its --set assignments in front.
 *
 * Nothing here may keep state between inputs: libFuzzer calls it millions of times in one
 * process, and the replay test calls it once per file and counts live allocations around it. */
#include "tests/fuzz/scenario_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "models/scenario/expect.h"
#include "models/scenario/scenario.h"
#include "sim/alloc.h"
#include "sim/diag.h"

static const char set_prefix[] = "--set ";
#define SET_PREFIX_LEN (sizeof set_prefix - 1)

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A file holding text[0..len) and a path that opens it: an anonymous memory file (no disk, no
 * name to clean up; /proc/self/fd/N opens it from the start), else a temporary file that is
 * unlinked as soon as the load is done. Returns the descriptor, or -1. */
static int make_file(const uint8_t *text, size_t len, char *path, size_t pathsize)
{
	int fd = memfd_create("scenario.yaml", MFD_CLOEXEC);
	if (fd >= 0 && access("/proc/self/fd", X_OK) == 0) {
		snprintf(path, pathsize, "/proc/self/fd/%d", fd);
	} else {
		if (fd >= 0)
			close(fd);
		const char *dir = getenv("TMPDIR");
		snprintf(path, pathsize, "%s/kinesim-fuzz-XXXXXX", dir && *dir ? dir : "/tmp");
		fd = mkstemp(path);
		if (fd < 0)
			return -1;
	}
	if (write_all(fd, text, len) < 0) {
		close(fd);
		if (strncmp(path, "/proc/", 6) != 0)
			unlink(path);
		return -1;
	}
	return fd;
}

/* What `kinesim check` does with a scenario that loaded: build the model without running it,
 * summarize it (every path is listed, all zero), parse expect: against those paths. */
static void check_model(const ks_scenario *sc)
{
	sim_diag *d = sim_diag_create();
	sim_diag_add_source(d, sc->path, sc->source, sc->source_len);
	ks_expect *expects = NULL;
	size_t nexpects = 0;
	ks_expect_scenario(sc, d, &expects, &nexpects);
	sim_free(sim_diag_format(d, true));
	sim_diag_destroy(d);
	ks_expect_free(expects, nexpects);
}

fuzz_outcome fuzz_scenario_input(const uint8_t *data, size_t size)
{
	/* The leading --set lines; a NUL inside one ends its string there, as it would on a
	 * command line. */
	char *sets[FUZZ_MAX_SETS];
	size_t nsets = 0, at = 0;
	while (nsets < FUZZ_MAX_SETS && size - at >= SET_PREFIX_LEN &&
	       memcmp(data + at, set_prefix, SET_PREFIX_LEN) == 0) {
		const uint8_t *start = data + at + SET_PREFIX_LEN;
		const uint8_t *nl = memchr(start, '\n', size - at - SET_PREFIX_LEN);
		size_t len = nl ? (size_t)(nl - start) : size - at - SET_PREFIX_LEN;
		sets[nsets++] = sim_strndup((const char *)start, len);
		at += SET_PREFIX_LEN + len + (nl ? 1 : 0);
	}

	fuzz_outcome outcome = FUZZ_NO_FILE;
	char path[4096];
	int fd = make_file(data + at, size - at, path, sizeof path);
	if (fd >= 0) {
		sim_diag *d = sim_diag_create();
		ks_scenario *sc = NULL;
		int err_no = 0;
		int rc = ks_scenario_load(path, (const char *const *)sets, nsets, d, &sc, &err_no);
		sim_free(sim_diag_format(d, true)); /* what the command line prints */
		sim_diag_destroy(d);
		if (strncmp(path, "/proc/", 6) != 0)
			unlink(path);
		if (rc == 0) {
			check_model(sc);
			ks_scenario_destroy(sc);
			outcome = FUZZ_LOADED;
		} else if (rc == KS_SCENARIO_INVALID) {
			outcome = FUZZ_INVALID;
		}
		close(fd);
	}
	for (size_t i = 0; i < nsets; i++)
		sim_free(sets[i]);
	return outcome;
}
