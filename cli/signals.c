/* Stopping a run on a signal (signals.h). */
#include "cli/signals.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

atomic_int cli_stop_signal;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "a signal handler may only touch lock-free atomics");
static const int stop_signals[CLI_NSTOP] = {SIGINT, SIGTERM, SIGHUP};

static void on_stop_signal(int sig)
{
	static const char again[] = "kinesim: stopping; wait for the partial file to be written\n";
	int saved = errno;

	if (cli_stop_signal == 0) {
		cli_stop_signal = sig;
	} else {
		ssize_t w = write(STDERR_FILENO, again, sizeof again - 1);
		(void)w; /* stderr is gone: nothing to tell */
	}
	errno = saved;
}

void cli_catch_stop_signals(struct sigaction old[CLI_NSTOP])
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < CLI_NSTOP; i++)
		sigaddset(&sa.sa_mask, stop_signals[i]);
	sa.sa_flags = SA_RESTART; /* the writes in progress go on */
	for (size_t i = 0; i < CLI_NSTOP; i++) {
		sigaction(stop_signals[i], NULL, &old[i]);
		if (old[i].sa_handler != SIG_IGN)
			sigaction(stop_signals[i], &sa, NULL);
	}
}

void cli_restore_stop_signals(const struct sigaction old[CLI_NSTOP])
{
	for (size_t i = 0; i < CLI_NSTOP; i++)
		sigaction(stop_signals[i], &old[i], NULL);
}

const char *cli_signal_name(int sig)
{
	switch (sig) {
	case SIGINT: return "SIGINT";
	case SIGTERM: return "SIGTERM";
	case SIGHUP: return "SIGHUP";
	default: return "a signal";
	}
}
