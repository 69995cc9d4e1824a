/* SPDX-License-Identifier: ISC */
/*
 * merge: procmerge's core without its I/O.  Several inputs, each an rbuf
 * that a reader of its own splits into lines, go into one writer:
 *
 * - whole records only: a line is taken once its '\n' is there (or its
 *   input has ended), so a part line waits in its own input's rbuf for
 *   the rest, whatever the other inputs bring meanwhile;
 * - each input's records in their order, written in canonical form;
 * - fair: the inputs take turns in a ring, at most MERGE_QUANTUM lines a
 *   turn, and a turn cut short by a full writer goes on where it stopped;
 *   an input that runs out of lines since its last fill is reported
 *   (MERGE_DRY), so that the caller looks for more of it before the others
 *   go on alone;
 * - the bad-input policy of each reader, and one dead-letter file whose
 *   lines stay whole: while the overlong bad line of one input is partly
 *   there, the bad lines of the others wait in their rbufs (their good
 *   records do not).
 *
 * A pure module: it never reads, prints or exits.  merge_next() hands back
 * one event at a time for the caller (bin/procmerge.c, or a test) to act
 * on; the caller fills the rbufs in reads of any size.
 */
#ifndef SLUICE_MERGE_H
#define SLUICE_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "reader.h"

/* The most lines (good or bad) an input gives in one turn. */
#define MERGE_QUANTUM	64

#define MERGE_NONE	((size_t)-1)

struct merge_in {
	struct rbuf	 in;		/* the caller fills it, fd is its own */
	struct reader	 rd;
	uint64_t	 records;	/* good records taken */
	int		 fresh;		/* filled since it last ran dry */
};

struct merge {
	struct merge_in	*ins;
	size_t		 n;
	size_t		 turn;		/* the input whose turn it is */
	unsigned	 used;		/* lines that turn has taken */
	size_t		 failed;	/* --strict stopped here; MERGE_NONE */
	size_t		 open;		/* whose overlong bad line is partly
					   in the dead-letter file; MERGE_NONE */
	int		 rejects;	/* there is a dead-letter file */
	uint64_t	 records;	/* good records written, of every input */
	/*
	 * Lines, not records (procmerge --lines): set by the caller after
	 * merge_init().  Every line is copied as it came, whatever it
	 * holds: no reader, no bad line, records counts the lines.  A
	 * line longer than an rbuf goes in parts, and the turn stays with
	 * its input (partial) until its end.
	 */
	int		 lines;
	size_t		 partial;	/* whose long line is partly out;
					   MERGE_NONE */
};

enum merge_ev {
	MERGE_IDLE,	/* no input had a whole line: fill them, or end */
	MERGE_DRY,	/* input *which ran out since its last fill: look */
	MERGE_FULL,	/* the writer has no room for one more record */
	MERGE_BAD,	/* a bad line of input *which: l, as READER_BAD */
	MERGE_REST,	/* dead-letter bytes of *which: l->p, l->save */
	MERGE_STOP	/* --strict: input *which stopped at its bad line */
};

/*
 * n inputs, each with an rbuf of cap bytes (at least REC_LINE_MAX + 2)
 * on descriptor -1 for the caller to set, and a reader with the policy
 * given.  Returns 0, or -1 with errno ENOMEM (nothing allocated).
 */
int	merge_init(struct merge *, size_t n, size_t cap, int strict,
	    int rejects);
void	merge_free(struct merge *);

/*
 * Takes lines from the inputs in turn, writing each good record into
 * out, until something needs the caller: returns the event and sets
 * *which to the input it concerns and *l as reader_next() does (l is
 * valid until that input's rbuf is filled).  Once --strict has stopped at
 * a bad line (after MERGE_BAD), only that input is read, for the rest of
 * its line for the dead-letter file, and no record is written any more.
 * Between calls the caller may fill any input that merge_wants(), and
 * marks one it filled with data by setting its fresh.
 */
enum merge_ev	merge_next(struct merge *, struct wbuf *out, size_t *which,
		    struct reader_line *l);

/*
 * Should input i be read now?  Not after its end, nor when its rbuf is
 * full, nor, after a --strict stop, unless it is the input that stopped.
 */
int	merge_wants(const struct merge *, size_t i);

/* Has every input ended, and every line of each been taken? */
int	merge_ended(const struct merge *);

#endif
