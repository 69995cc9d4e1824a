/* SPDX-License-Identifier: ISC */
/*
 * sig: signals as one more readable descriptor.  The handler only records
 * the signal and writes a byte to a self-pipe; the poll loop reads the
 * pipe and asks sig_take() what arrived.
 */
#ifndef SLUICE_SIG_H
#define SLUICE_SIG_H

/*
 * Catches sig unless it was ignored when the program started (the shell
 * ignores SIGINT for background jobs, and that choice is kept).  Opens the
 * self-pipe on first use.  Returns 1 when caught, 0 when left ignored, -1
 * with errno on failure.
 */
int	sig_catch(int sig);

/*
 * Opens the self-pipe, once: call it first, so that a failure (no
 * descriptor left) is reported as what it is.  Returns 0, or -1 with errno.
 */
int	sig_open(void);

/* The read end of the self-pipe, for POLLIN; -1 before sig_catch(). */
int	sig_fd(void);

/*
 * Empties the self-pipe and returns one signal that arrived since the last
 * call (lowest number first), or 0.  Call until 0.  A signal that arrived
 * twice is returned twice, unless the kernel merged the two because the
 * second came before the first was delivered.
 */
int	sig_take(void);

/* Non-zero when a signal is waiting, without a system call. */
int	sig_pending(void);

/* Was sig ignored when the program started?  (Valid after sig_catch.) */
int	sig_was_ignored(int sig);

/*
 * Puts back the default action of sig, unblocks it and raises it, so the
 * parent sees how the program ended.  Returns only if that fails.
 */
void	sig_raise_default(int sig);

#endif
