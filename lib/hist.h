/* SPDX-License-Identifier: ISC */
/*
 * hist: histsink's counts.  Values fall into HIST_FINE fine bins that
 * merge in pairs as the observed range grows, so memory stays fixed and
 * every count stays exact; bars are then made of whole fine bins.  With
 * both limits given the bins are direct instead: equal ranges between
 * them.  A pure module: histsink draws.
 */
#ifndef SLUICE_HIST_H
#define SLUICE_HIST_H

#include <stddef.h>
#include <stdint.h>

#define HIST_FINE	4096

__extension__ typedef unsigned __int128 hist_u128;

/* A bar: the keys it covers, inclusive, and how many values fell there. */
struct hist_bar {
	uint64_t	lo, hi;
	uint64_t	count;
};

/*
 * The fine counts: HIST_FINE bins of 2^shift consecutive keys each, the
 * first holding key base << shift.
 */
struct hist {
	uint64_t	lo, hi;		/* keys of --min, --max or the limits */
	int		fixed;		/* both given: direct bins */
	hist_u128	width;		/* keys a direct bin */

	uint64_t	fine[HIST_FINE];
	int		shift;
	uint64_t	base;
	uint64_t	kmin, kmax;	/* observed keys, when n > 0 */
	uint64_t	n, below, above;

	struct hist_bar	bars[HIST_FINE];
};

/*
 * A key orders like the value it stands for, in unsigned arithmetic:
 * INT64_MIN is key 0.
 */
static inline uint64_t
hist_key(int64_t v)
{
	return (uint64_t)v ^ ((uint64_t)1 << 63);
}

int64_t	hist_unkey(uint64_t k);

/*
 * Counts values from lo to hi (keys, lo <= hi) in the bins, the others
 * below or above; with fixed set, in bins direct bins of equal width
 * (1 <= bins <= HIST_FINE).
 */
void	hist_init(struct hist *, uint64_t lo, uint64_t hi, int fixed,
	    int64_t bins);

void	hist_add(struct hist *, int64_t v);

/*
 * Groups the counts into at most want bars (1 <= want <= HIST_FINE) of
 * equal width, each a whole number of fine bins, in h->bars, and returns
 * how many; the first and last are labelled from what can be there, not
 * beyond.  Only when n > 0 or fixed.
 */
size_t	hist_bars(struct hist *, size_t want);

#endif
