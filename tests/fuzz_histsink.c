/* SPDX-License-Identifier: ISC */
/*
 * fuzz_histsink: libFuzzer harness for lib/hist.c, histsink's counts.
 * Adds values as histsink does and, at each drawing (an event in the
 * input) and at the end, checks the counts against every value seen:
 * below + above + in the bins = all; the bars, for several numbers of
 * bars asked for, are at most that many, in order, touching, covering
 * the observed range (or exactly --min to --max), and each holds the
 * values whose key falls in it, counted one by one.  UBSan watches the
 * key and bin arithmetic on extreme values.
 *
 * Input: 1 control byte, then values (tests/fuzz_values.h).
 *   c[0]  1 --min, 2 --max (both: direct bins), 4 --bins from the next
 *         item
 *   the first items: --min, --max, --bins when asked for (a value, or
 *   0 when the item is an event); the events after them are drawings
 *   (the first 4 checked), asking for (event number * 97) % 4096 + 1
 *   bars; the end asks for --bins, 1 and 4096
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hist.h"

#define MAX_VALUES	(1 << 16)
#define DEFAULT_BINS	20	/* as histsink */

struct model {
	uint64_t	*k;		/* the keys of every value */
	size_t		 n, max;
	int64_t		 bins;		/* direct bins asked for */
};

MODEL static void
keep(struct model *m, uint64_t k)
{
	if (m->n == m->max) {
		m->max = m->max == 0 ? 256 : 2 * m->max;
		if ((m->k = reallocarray(m->k, m->max, sizeof(*m->k))) ==
		    NULL)
			abort();
	}
	m->k[m->n++] = k;
}

/* The bar that holds key k: they are in order, a binary search finds it. */
MODEL static size_t
bar_of(const struct hist_bar *b, size_t nb, uint64_t k)
{
	size_t lo = 0, hi = nb;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (b[mid].lo <= k)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

MODEL static void
check_bars(struct hist *h, const struct model *m, size_t want,
    uint64_t *count)
{
	uint64_t total = 0, kmin = UINT64_MAX, kmax = 0;
	size_t nb, j, i, in = 0;

	for (i = 0; i < m->n; i++) {
		if (m->k[i] < h->lo || m->k[i] > h->hi)
			continue;
		in++;
		if (m->k[i] < kmin)
			kmin = m->k[i];
		if (m->k[i] > kmax)
			kmax = m->k[i];
	}
	if (in == 0 && !h->fixed)
		return;
	nb = hist_bars(h, want);
	CHECK(nb >= 1 && nb <= HIST_FINE);
	CHECK(nb <= (h->fixed ? (size_t)m->bins : want));
	for (j = 0; j < nb; j++) {
		CHECK(h->bars[j].lo <= h->bars[j].hi);
		if (j > 0)
			CHECK(h->bars[j].lo == h->bars[j - 1].hi + 1);
		total += h->bars[j].count;
		count[j] = 0;
	}
	CHECK(total == h->n);
	if (h->fixed)
		CHECK(h->bars[0].lo == h->lo && h->bars[nb - 1].hi == h->hi);
	else
		CHECK(h->bars[0].lo == kmin && h->bars[nb - 1].hi == kmax);
	for (i = 0; i < m->n; i++) {
		if (m->k[i] < h->lo || m->k[i] > h->hi)
			continue;
		j = bar_of(h->bars, nb, m->k[i]);
		CHECK(h->bars[j].lo <= m->k[i] && m->k[i] <= h->bars[j].hi);
		count[j]++;
	}
	for (j = 0; j < nb; j++)
		CHECK(count[j] == h->bars[j].count);
}

MODEL static void
check(struct hist *h, const struct model *m, size_t want, uint64_t *count)
{
	uint64_t below = 0, above = 0, fine = 0;
	size_t i;

	for (i = 0; i < m->n; i++) {
		CHECK(hist_key(hist_unkey(m->k[i])) == m->k[i]);
		if (m->k[i] < h->lo)
			below++;
		else if (m->k[i] > h->hi)
			above++;
	}
	CHECK(h->below == below && h->above == above &&
	    h->n + below + above == m->n);
	for (i = 0; i < HIST_FINE; i++)
		fine += h->fine[i];
	CHECK(fine == h->n);
	check_bars(h, m, want, count);
}

/* The next item as an option's value: an event stands for 0. */
static int64_t
option(struct fv *f)
{
	int64_t v;

	if (fv_next(f, &v) != FV_VALUE)
		v = 0;
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hist h;
	static uint64_t count[HIST_FINE];
	struct model m = { NULL, 0, 0, 0 };
	uint64_t lo = 0, hi = UINT64_MAX, t;
	enum fv_item it;
	struct fv f;
	int64_t v, bins = 0;
	int draws = 0;

	if (size < 1)
		return 0;
	fv_init(&f, data + 1, size - 1);
	if (data[0] & 1)
		lo = hist_key(option(&f));
	if (data[0] & 2)
		hi = hist_key(option(&f));
	if (data[0] & 4)
		bins = 1 + (int64_t)((uint64_t)option(&f) % HIST_FINE);
	/* histsink refuses --min above --max: the same, the other way */
	if (lo > hi) {
		t = lo;
		lo = hi;
		hi = t;
	}
	if ((data[0] & 3) == 3 && bins == 0)
		bins = DEFAULT_BINS;
	m.bins = bins;
	hist_init(&h, lo, hi, (data[0] & 3) == 3, bins);
	while ((it = fv_next(&f, &v)) != FV_END && m.n < MAX_VALUES) {
		if (it == FV_EVENT) {
			/* a few drawings: each goes over every value */
			if (draws++ < 4)
				check(&h, &m, (size_t)(v * 97) % HIST_FINE + 1,
				    count);
			continue;
		}
		hist_add(&h, v);
		keep(&m, hist_key(v));
	}
	check(&h, &m, bins > 0 ? (size_t)bins : DEFAULT_BINS, count);
	check_bars(&h, &m, 1, count);
	check_bars(&h, &m, HIST_FINE, count);
	free(m.k);
	return 0;
}
