/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE		/* ppoll */
#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <time.h>

int64_t
loop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
loop_wait(struct pollfd *fds, int n, int64_t deadline)
{
	struct timespec ts, *tsp = NULL;
	int64_t left;
	int i, r;

	if (deadline != LOOP_NEVER) {
		left = deadline - loop_now();
		if (left < 0)
			left = 0;
		ts.tv_sec = left / 1000000000;
		ts.tv_nsec = left % 1000000000;
		tsp = &ts;
	}
	r = ppoll(fds, (nfds_t)n, tsp, NULL);
	if (r == -1 && errno == EINTR) {
		/* POSIX leaves revents unset here: say nothing is ready */
		for (i = 0; i < n; i++)
			fds[i].revents = 0;
		return 0;
	}
	for (i = 0; r > 0 && i < n; i++)
		if (fds[i].revents & (POLLHUP | POLLERR))
			fds[i].revents =
			    (short)(fds[i].revents | fds[i].events);
	return r;
}
