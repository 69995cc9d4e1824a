/* SPDX-License-Identifier: ISC */
/*
 * window: procwin's arithmetic, one aggregate (count, sum, min, max,
 * mean) over a tumbling window of records.  A pure module: the stage
 * says when a window closes and writes what it shows.
 */
#ifndef SLUICE_WINDOW_H
#define SLUICE_WINDOW_H

#include <stdint.h>

enum win_emit { WIN_COUNT, WIN_SUM, WIN_MIN, WIN_MAX, WIN_MEAN };

/* What win_add() made of a value. */
enum win_added {
	WIN_TAKEN,	/* in the window */
	WIN_FULL,	/* in the window, which now has its size: close it */
	WIN_OVERFLOW	/* refused: it takes the sum out of int64_t */
};

__extension__ typedef __int128 win_i128;

struct win {
	int64_t		size;		/* records a window; 0: by time */
	int64_t		period;		/* ns a window; 0: by count */
	enum win_emit	emit;
	int		full_only;	/* at the end, drop a window not full */
	int		saturate;	/* clamp a sum beyond int64_t */
	int64_t		start;		/* of the grid of time windows */

	int64_t		n;		/* of the window open now */
	win_i128	sum;		/* exact: 2^64 records of 2^63 fit */
	int64_t		min, max;
};

/*
 * Adds v to the open window.  Under --emit sum without --saturate, the
 * value that would take the sum out of int64_t is the bad one: it is
 * refused and the window stays as it was.
 */
enum win_added	win_add(struct win *, int64_t v);

/*
 * Closes the open window and starts an empty one.  Returns 0 and sets
 * *v to the aggregate, or -1 when the window has nothing to show (empty,
 * unless it counts).  A mean rounds toward negative infinity.
 */
int		win_close(struct win *, int64_t *v);

/*
 * When the time window that is open at now ends: on the grid laid at
 * start, so windows do not drift.  A window that ends late (a stalled
 * reader held procwin up) stretches to the next line of the grid rather
 * than inventing empty windows for the time it was not reading.
 */
int64_t		win_next_end(const struct win *, int64_t now);

#endif
