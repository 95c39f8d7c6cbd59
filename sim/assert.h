/* Bugs, not errors: an assertion that fails prints where and at what simulated time, then
 * aborts. Input and I/O problems are never asserted; they are reported (diag.h, errno). */
#ifndef SIM_ASSERT_H
#define SIM_ASSERT_H

#include "sim/time.h"

/* The simulated time of the event being run, kept by the engine for assertion messages; one
 * per thread, as replications may run on several (-j). */
extern _Thread_local sim_time sim_assert_now;

_Noreturn void sim_assert_fail(const char *expr, const char *file, int line, const char *func);

#define SIM_ASSERT(e) ((e) ? (void)0 : sim_assert_fail(#e, __FILE__, __LINE__, __func__))

#endif
