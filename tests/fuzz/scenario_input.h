/* One fuzz input through the scenario loader: the code path shared by the libFuzzer target
 * (fuzz_scenario.c) and the regression replay of the normal test suite (replay.c).
 *
 * The input format (docs/fuzzing.md):
 *
 *   --set PATH=VALUE\n      optional: up to FUZZ_MAX_SETS leading lines that start with "--set "
 *   --set PATH=VALUE\n      (exactly those six bytes), each one --set assignment as on the
 *   kinesim: 1\n            command line (the rest of the line, without the newline)
 *   ...                     the rest: the scenario file, byte for byte
 *
 * An input without a leading "--set " line is a scenario file as it is, so any scenario is a
 * seed. The scenario is written to an anonymous memory file (memfd, or a temporary file where
 * there is none) and loaded with ks_scenario_load, as `kinesim check` does; when it loads, the
 * model is built (ks_model_build: every component fills its configuration), summarized without
 * running, its expect: lines are parsed against the metric names, and everything is freed. The
 * diagnostics are formatted with their source lines, as the command line prints them. */
#ifndef KS_FUZZ_SCENARIO_INPUT_H
#define KS_FUZZ_SCENARIO_INPUT_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_MAX_SETS 4

/* What became of an input. */
typedef enum {
	FUZZ_LOADED,  /* loaded, built and freed */
	FUZZ_INVALID, /* reported errors (the usual outcome of a mutated input) */
	FUZZ_NO_FILE, /* the memory file could not be made or read back: the environment, not
	               * the input */
} fuzz_outcome;

fuzz_outcome fuzz_scenario_input(const uint8_t *data, size_t size);

#endif
