/* SPDX-License-Identifier: ISC */
/*
 * run: the core the two runtimes share, stage (readers) and source
 * (makers): the set-up of standard output and the signals, the signals a
 * loop takes, and the writing out of what is queued.  Like them it ends
 * the program as the contract says: exits 71 or 74, dies by SIGPIPE when
 * the reader goes away and at once on a second stop signal.
 */
#ifndef SLUICE_RUN_H
#define SLUICE_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct run {
	struct wbuf	*out;
	int		 stopsig;	/* SIGINT or SIGTERM arrived */
	int		 usr1;		/* SIGUSR1 arrived, not yet answered */
};

/*
 * Opens out, a writer of cap bytes on standard output, non-blocking where
 * the contract allows; catches SIGINT and SIGTERM, and SIGUSR1 when usr1
 * is set; attaches pipesup's counters.
 */
void	run_setup(struct run *, struct wbuf *out, size_t cap, int usr1);

/*
 * Takes the signals from the self-pipe: the first stop is remembered in
 * stopsig, a second one dies at once; SIGUSR1 sets usr1 for the loop to
 * answer, never from inside a wait.
 */
void	run_signals(struct run *);

/* Writes what the reader takes now without waiting. */
void	run_flush(struct run *);

/*
 * Waits for a signal, the deadline (LOOP_NEVER: none) or, when want_out
 * is set, room in standard output; takes the signals that came.
 */
void	run_wait(struct run *, int want_out, int64_t deadline);

/* Writes out everything queued, waiting for the reader as long as needed. */
void	run_write_out(struct run *);

/* Frees the writer; dies by the stop signal if one came. */
void	run_end(struct run *);

#endif
