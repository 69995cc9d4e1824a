/* SPDX-License-Identifier: ISC */
/*
 * badin: the bad-input policy (sluice(7), BAD INPUT), the part that does
 * not print: the excerpt a warning shows and the dead-letter file.
 */
#ifndef SLUICE_BADIN_H
#define SLUICE_BADIN_H

#include <stddef.h>

/* How many bad records are reported one by one before only a count. */
#define BADIN_SHOWN	10

/* Room an excerpt needs: each byte may take 4 ("\xff"), plus "..." */
#define BADIN_EXCERPT_MAX	(32 * 4 + 4)

/*
 * Writes into dst (BADIN_EXCERPT_MAX bytes) a printable, NUL-terminated
 * excerpt of the n bytes of a bad line: at most 32 of them, with quotes,
 * backslashes and control bytes escaped as C does, and "..." after a cut.
 */
void	badin_excerpt(char *dst, const char *line, size_t n);

/*
 * Opens the dead-letter file for appending, creating it if need be.
 * Returns a descriptor (close-on-exec), or -1 with errno.
 */
int	badin_open(const char *path);

/* Appends n bytes to the dead-letter file fd.  Returns 0 or -1. */
int	badin_save(int fd, const char *p, size_t n);

#endif
