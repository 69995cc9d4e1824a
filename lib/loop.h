/* SPDX-License-Identifier: ISC */
/*
 * loop: the clock and the wait of every stage's poll loop.  Deadlines are
 * absolute CLOCK_MONOTONIC nanoseconds, so a loop that wakes early or late
 * never drifts.
 */
#ifndef SLUICE_LOOP_H
#define SLUICE_LOOP_H

#include <poll.h>
#include <stdint.h>

#define LOOP_NEVER	INT64_MAX

/* Now on CLOCK_MONOTONIC, in nanoseconds. */
int64_t	loop_now(void);

/*
 * Waits until one of the n descriptors is ready or the clock reaches
 * deadline (LOOP_NEVER: no deadline), with nanosecond resolution.
 * Returns the number of ready descriptors, 0 at the deadline (or on
 * EINTR: the caller's loop looks again), -1 with errno.
 *
 * A slot that reports POLLHUP or POLLERR also gets the events it asked
 * for in its revents, as skalibs' iopause does: a caller tests the bit it
 * asked for and still sees the hang-up (a read then finds the end of
 * input, a write the error).
 */
int	loop_wait(struct pollfd *fds, int n, int64_t deadline);

#endif
