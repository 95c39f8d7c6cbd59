/* The libFuzzer target for the scenario loader (docs/fuzzing.md): each input is a scenario file
 * with optional leading --set lines, run through fuzz_scenario_input (scenario_input.h), the
 * same function the regression replay of the normal test suite calls. Built only with
 * -Dfuzz=true and clang (tests/fuzz/meson.build). */
#include <stddef.h>
#include <stdint.h>

#include "tests/fuzz/scenario_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_scenario_input(data, size);
	return 0;
}
