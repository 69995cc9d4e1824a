/* SPDX-License-Identifier: ISC */
/*
 * source: the runtime of every stage that makes records.  It keeps the
 * schedule (record k is due at start + k / rate on CLOCK_MONOTONIC, so
 * the rate never drifts), writes through a non-blocking buffer, waits for
 * a slow reader instead of growing, and ends as the contract says.
 *
 * Records that fall due while the reader is not taking them are made as
 * soon as it takes them again, in a burst: the average rate over the run
 * stays the one asked for.
 */
#ifndef SLUICE_SOURCE_H
#define SLUICE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "prog.h"
#include "run.h"
#include "stats.h"

struct source {
	/* Writes n records at dst, which has room for n * maxout bytes. */
	size_t		 (*fill)(struct source *, char *dst, size_t n);
	size_t		   maxout;	/* the most bytes of one record */
	void		  *ctx;		/* the program's */
	double		   rate;	/* records a second; 0: no schedule */
	int64_t		   count;	/* how many; -1: forever */

	/* the runtime's */
	struct wbuf	   out;
	struct stats_counts counts;
	struct run	   run;
};

/* A source with no rate and no end; the program sets fill and the rest. */
void	source_init(struct source *);

/* The options every source has, for its getopt_long table. */
#define SOURCE_LONGOPTS \
	{ "count",	required_argument,	NULL,	'n' }, \
	{ "rate",	required_argument,	NULL,	'r' }, \
	PROG_LONGOPTS

/*
 * The default case of a source's getopt loop: takes -n/--count and
 * -r/--rate, and hands anything else to prog_option(), which exits.
 */
void	source_option(struct source *, int ch, const char *arg,
	    const char *help);

/*
 * Makes count records (or runs until a stop signal) and returns 0.  Dies
 * by SIGPIPE when the reader goes away and by SIGINT or SIGTERM after
 * writing out every record made; exits 74 on an I/O error.
 */
int	source_run(struct source *);

#endif
