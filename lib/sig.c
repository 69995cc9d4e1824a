/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE		/* pipe2 */
#include "sig.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define NSIGS	65

/*
 * The handler counts each arrival; sig_take() hands out one per arrival
 * by catching up its own count.  Neither ever resets the other's count,
 * so a second SIGTERM that comes while the first is being taken is
 * never folded into it.
 */
static int			 self_pipe[2] = { -1, -1 };
static volatile sig_atomic_t	 arrived[NSIGS];
static sig_atomic_t		 taken[NSIGS];
static volatile sig_atomic_t	 any_arrived;
static unsigned char		 ignored[NSIGS];

static void
on_signal(int sig)
{
	int saved = errno;
	ssize_t n;

	if (sig > 0 && sig < NSIGS)
		arrived[sig]++;
	any_arrived = 1;
	/*
	 * a full pipe already says "look"; losing this byte is fine (a cast
	 * to void does not quiet _FORTIFY_SOURCE's warn_unused_result)
	 */
	n = write(self_pipe[1], "", 1);
	(void)n;
	errno = saved;
}

int
sig_open(void)
{
	if (self_pipe[0] == -1 &&
	    pipe2(self_pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	return 0;
}

int
sig_catch(int sig)
{
	struct sigaction sa, old;

	if (sig <= 0 || sig >= NSIGS) {
		errno = EINVAL;
		return -1;
	}
	if (sig_open() == -1)
		return -1;
	if (sigaction(sig, NULL, &old) == -1)
		return -1;
	if (old.sa_handler == SIG_IGN) {
		ignored[sig] = 1;
		return 0;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) == -1)
		return -1;
	return 1;
}

int
sig_fd(void)
{
	return self_pipe[0];
}

int
sig_pending(void)
{
	return any_arrived;
}

int
sig_take(void)
{
	char junk[64];
	int sig;

	if (self_pipe[0] != -1)
		while (read(self_pipe[0], junk, sizeof(junk)) > 0)
			;
	any_arrived = 0;
	for (sig = 1; sig < NSIGS; sig++)
		if (taken[sig] != arrived[sig]) {
			taken[sig]++;
			/* more waiting, of this one or others: say so */
			any_arrived = 1;
			return sig;
		}
	return 0;
}

int
sig_was_ignored(int sig)
{
	return sig > 0 && sig < NSIGS && ignored[sig];
}

void
sig_raise_default(int sig)
{
	sigset_t set;

	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}
