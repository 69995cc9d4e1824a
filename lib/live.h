/* SPDX-License-Identifier: ISC */
/*
 * live: a few rows at the bottom of a terminal that one program redraws
 * while others write to the same terminal.
 *
 * The rows above them are made the terminal's scroll region (DECSTBM,
 * terminfo's csr): whatever anyone writes there scrolls there and never
 * reaches the kept rows.  Each drawing is one write(2) that saves the
 * cursor, draws the kept rows and puts the cursor back; a terminal
 * takes a write whole, so a line that another process is in the middle
 * of goes on where it was.  The sequences come from terminfo ($TERM).
 *
 * A pure module: it writes to the descriptor it was given and returns
 * -1 with errno set on failure; it never prints otherwise, never exits.
 */
#ifndef SLUICE_LIVE_H
#define SLUICE_LIVE_H

#include <stddef.h>

struct live {
	int		 fd;
	int		 rows, cols;	/* the terminal's, when last kept */
	int		 height;	/* rows kept at the bottom; 0: none */
	int		 width;		/* what a kept row may fill */
	int		 corner;	/* filling the last cell scrolls */
	const char	*csr, *cup, *sc, *rc, *el, *ed, *cuu;
};

/*
 * Looks fd's terminal up in terminfo.  Returns 0, or -1 with errno:
 * ENOTTY (not a terminal), ENOENT (no $TERM, or not in terminfo),
 * ENOTSUP (it cannot set a scroll region, move, save the cursor or
 * clear a line).  Draws nothing.
 */
int	live_open(struct live *, int fd);

/* The terminal's size now.  Returns 0, or -1 with errno. */
int	live_size(const struct live *, int *rows, int *cols);

/*
 * Keeps the bottom height rows from now on, for a terminal of rows
 * by cols (live_size's): the screen scrolls up as far as the cursor
 * needs room, the rows above become the scroll region, the cursor stays
 * in it.  Called again (the size or the height changed, or after
 * live_end), it first gives the screen back and clears from the cursor
 * down, where rows kept before may be after a resize.  The cursor ends
 * at the start of its line.  Returns 0, or -1 with errno (ERANGE: no
 * room above height rows).
 */
int	live_begin(struct live *, int height, int rows, int cols);

/*
 * Draws text, lines ended by '\n', in the kept rows, one a row and
 * each cut at l->width bytes; rows without a line are cleared.  One
 * write.  Returns 0, or -1 with errno (EINVAL: nothing is kept).
 */
int	live_draw(struct live *, const char *text, size_t len);

/*
 * Gives the whole screen back: the scroll region reset, the kept rows
 * cleared, the cursor where it was, so that output goes on from there.
 * Does nothing when nothing is kept.  Returns 0, or -1 with errno.
 */
int	live_end(struct live *);

#endif
