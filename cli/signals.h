/* SIGINT, SIGTERM and SIGHUP stop a run between events: the handler only records the first
 * signal in cli_stop_signal (the engine polls it); a second one is told to wait for the partial
 * file. Shared by `run` and `sweep`. */
#ifndef KS_CLI_SIGNALS_H
#define KS_CLI_SIGNALS_H

#include <signal.h>
#include <stdatomic.h>

enum { CLI_NSTOP = 3 };

/* The first of the stop signals received, 0 before (lock-free: safe in a handler and across
 * the -j threads). */
extern atomic_int cli_stop_signal;

/* Installs the handler (saving the old actions in old), except for a signal that was ignored
 * when kinesim started: `nohup kinesim run ...` must survive its SIGHUP. */
void cli_catch_stop_signals(struct sigaction old[CLI_NSTOP]);
void cli_restore_stop_signals(const struct sigaction old[CLI_NSTOP]);
const char *cli_signal_name(int sig);

#endif
