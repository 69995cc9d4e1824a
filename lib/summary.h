/* SPDX-License-Identifier: ISC */
/*
 * summary: statsink's figures of a stream, kept as records come: count,
 * exact sum, min, max, and Welford's running variance.  A pure module:
 * the stage decides when to report and how to lay the figures out.
 */
#ifndef SLUICE_SUMMARY_H
#define SLUICE_SUMMARY_H

#include <stdint.h>

__extension__ typedef __int128 summary_i128;

/* Room for the decimal of any summary_i128, with its sign and a NUL. */
#define SUMMARY_I128_MAX	41

struct summary {
	uint64_t	n;
	summary_i128	sum;		/* exact: 2^64 records of 2^63 fit */
	int64_t		min, max;	/* when n > 0 */
	int64_t		shift;		/* the first value */
	double		mean, m2;	/* Welford's, of value - shift */
};

void		summary_add(struct summary *, int64_t v);

/*
 * The mean, from the exact sum (better than Welford's), within a unit in
 * the last place of the exact mean; never outside [min, max].  n > 0.
 */
long double	summary_mean(const struct summary *);

/* The population standard deviation; n > 0. */
double		summary_stddev(const struct summary *);

/* Writes the exact decimal of v, which printf cannot, and returns dst. */
char		*summary_i128_format(char dst[SUMMARY_I128_MAX],
		    summary_i128 v);

#endif
