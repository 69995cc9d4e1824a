/* SPDX-License-Identifier: ISC */
#include "hist.h"

#include <string.h>

int64_t
hist_unkey(uint64_t k)
{
	k ^= (uint64_t)1 << 63;
	return k > INT64_MAX ? -(int64_t)(~k) - 1 : (int64_t)k;
}

void
hist_init(struct hist *h, uint64_t lo, uint64_t hi, int fixed, int64_t bins)
{
	memset(h, 0, sizeof(*h));
	h->lo = lo;
	h->hi = hi;
	if ((h->fixed = fixed))
		h->width = (((hist_u128)hi - lo) + bins) / (hist_u128)bins;
}

/* Merges the fine bins in pairs until the observed range fits them. */
static void
widen(struct hist *h)
{
	uint64_t old[HIST_FINE], i, b;
	int s = h->shift;

	while ((h->kmax >> s) - (h->kmin >> s) >= HIST_FINE)
		s++;
	memcpy(old, h->fine, sizeof(old));
	memset(h->fine, 0, sizeof(h->fine));
	b = h->kmin >> s;
	for (i = 0; i < HIST_FINE; i++)
		if (old[i] != 0)
			h->fine[((h->base + i) >> (s - h->shift)) - b] += old[i];
	h->shift = s;
	h->base = b;
}

void
hist_add(struct hist *h, int64_t v)
{
	uint64_t k = hist_key(v), i;

	if (k < h->lo || k > h->hi) {
		if (k < h->lo)
			h->below++;
		else
			h->above++;
		return;
	}
	if (h->fixed)
		i = (uint64_t)((k - h->lo) / h->width);
	else {
		if (h->n == 0) {
			h->kmin = h->kmax = h->base = k;
		} else if (k < h->kmin)
			h->kmin = k;
		else if (k > h->kmax)
			h->kmax = k;
		/* below base, the difference wraps: it may look in range */
		if ((k >> h->shift) < h->base ||
		    (k >> h->shift) - h->base >= HIST_FINE)
			widen(h);
		i = (k >> h->shift) - h->base;
	}
	h->fine[i]++;
	h->n++;
}

size_t
hist_bars(struct hist *h, size_t want)
{
	uint64_t nf, per, j, i, total;
	hist_u128 unit, lo;
	size_t nb;

	if (h->fixed) {
		nf = (uint64_t)(((hist_u128)h->hi - h->lo) / h->width) + 1;
		unit = h->width;
		lo = h->lo;
		per = 1;
	} else {
		nf = (h->kmax >> h->shift) - h->base + 1;
		unit = (hist_u128)1 << h->shift;
		lo = (hist_u128)h->base << h->shift;
		per = (nf + want - 1) / want;
	}
	nb = (size_t)((nf + per - 1) / per);
	for (j = 0; j < nb; j++) {
		total = 0;
		for (i = j * per; i < (j + 1) * per && i < nf; i++)
			total += h->fine[i];
		h->bars[j].count = total;
		h->bars[j].lo = (uint64_t)(lo + (hist_u128)j * per * unit);
		h->bars[j].hi = (uint64_t)(lo + (hist_u128)(j + 1) * per * unit - 1);
	}
	/* labelled from what can be there, not beyond */
	if (!h->fixed) {
		h->bars[0].lo = h->kmin;
		h->bars[nb - 1].hi = h->kmax;
	} else if (h->bars[nb - 1].hi > h->hi ||
	    h->bars[nb - 1].hi < h->bars[nb - 1].lo)
		h->bars[nb - 1].hi = h->hi;
	return nb;
}
