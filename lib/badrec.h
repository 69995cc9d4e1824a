/* SPDX-License-Identifier: ISC */
/*
 * badrec: the bad-input policy (sluice(7), BAD INPUT) as a runtime
 * applies it to the lines its readers hand out: each bad line is counted,
 * warned about (the first BADIN_SHOWN) with the file and line it came
 * from, and kept verbatim in the dead-letter file; at the end, one line
 * sums them up.  Runtime layer, like stage.c, which uses it, and
 * procmerge: it prints, and exits 74 when the dead-letter file cannot be
 * opened or written.
 */
#ifndef SLUICE_BADREC_H
#define SLUICE_BADREC_H

#include <stddef.h>
#include <stdint.h>

#include "reader.h"

struct badrec {
	const char	*path;		/* --rejects FILE; NULL: none */
	int		 fd;		/* the dead-letter file, or -1 */
	int		 error;		/* errno of a failed write, or 0 */
	uint64_t	*count;		/* the counter of bad records */
};

/* No dead-letter file yet; bad lines are counted in *count. */
void	badrec_init(struct badrec *, uint64_t *count);

/* Opens the dead-letter file, if path is set; exits 74 if it cannot. */
void	badrec_open(struct badrec *);

/*
 * A bad record of n bytes at p, found at where ("FILE:LINE", "line N",
 * "entry ID"): counts it and warns "PROG: where: bad record "...": why"
 * for the first BADIN_SHOWN.  The caller keeps it in the dead-letter
 * file (badrec_save) as its input has it.
 */
void	badrec_warn(struct badrec *, const char *where, const char *p,
	    size_t n, const char *why);

/*
 * A bad line l (READER_BAD) at line lineno of the file name (NULL:
 * standard input): counts it, warns as "PROG: name:N: bad record ..." or
 * "PROG: line N: ...", and keeps it in the dead-letter file with a '\n'
 * where the input ended without one.
 */
void	badrec_line(struct badrec *, const char *name, uint64_t lineno,
	    const struct reader_line *l);

/*
 * Appends n bytes to the dead-letter file, if there is one (the rest of
 * an overlong line, READER_REST, or the '\n' that ends it).  A failed
 * write sets error, and nothing more is written: the caller stops as
 * --strict would, writes out its good records and calls badrec_close().
 */
void	badrec_save(struct badrec *, const char *p, size_t n);

/* Closes the dead-letter file; exits 74 if a write or the close failed. */
void	badrec_close(struct badrec *);

/*
 * The last line: how many bad records there were ("N bad records, the
 * first 10 shown"), unless there were none or --strict stopped at the
 * only one.
 */
void	badrec_summary(const struct badrec *, int strict_stopped);

#endif
