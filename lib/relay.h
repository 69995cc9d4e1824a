/* SPDX-License-Identifier: ISC */
/*
 * relay: cuts the bytes a stage writes to its stderr into whole lines, so
 * that pipesup can prefix each one with the stage's name and lines of
 * different stages never mix.  The bytes are read by the caller straight
 * into the relay's buffer; the relay never reads, prints or allocates.
 *
 * A line longer than RELAY_LINE_MAX comes out in pieces of that size; a
 * last line without '\n' comes out at relay_end().
 */
#ifndef SLUICE_RELAY_H
#define SLUICE_RELAY_H

#include <stddef.h>

#define RELAY_LINE_MAX	4096

struct relay {
	char	buf[RELAY_LINE_MAX];
	size_t	len;		/* bytes held: the start of a line */
};

/* Called with each line (its '\n' included, when it has one). */
typedef void	relay_emit(void *arg, const char *line, size_t n);

void	relay_init(struct relay *);

/* Where the next read may put bytes; *room is never 0. */
char	*relay_space(struct relay *, size_t *room);

/* n bytes were put at relay_space(): emits every line they complete. */
void	relay_took(struct relay *, size_t n, relay_emit *, void *arg);

/* End of input: emits what is held, if anything, as the last line. */
void	relay_end(struct relay *, relay_emit *, void *arg);

#endif
