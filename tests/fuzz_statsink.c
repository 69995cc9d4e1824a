/* SPDX-License-Identifier: ISC */
/*
 * fuzz_statsink: libFuzzer harness for lib/summary.c, statsink's running
 * figures.  Adds values as statsink does and, at each report (an event
 * in the input) and at the end, checks the figures against a naive
 * recomputation over every value seen: count, exact sum, min and max
 * equal; the mean within [min, max]; the standard deviation, Welford's in
 * double, near a two-pass one in long double and never NaN; the sum's
 * decimal the exact i128.  UBSan watches the arithmetic on extreme
 * values.
 *
 * Input: values (tests/fuzz_values.h); any event is a report (the
 * first 16 are checked).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "summary.h"

#define MAX_VALUES	(1 << 16)

struct model {
	int64_t		*v;
	size_t		 n, max;
};

MODEL static void
keep(struct model *m, int64_t v)
{
	if (m->n == m->max) {
		m->max = m->max == 0 ? 256 : 2 * m->max;
		if ((m->v = reallocarray(m->v, m->max, sizeof(*m->v))) ==
		    NULL)
			abort();
	}
	m->v[m->n++] = v;
}

/* The decimal, read back digit by digit. */
MODEL static summary_i128
parse_i128(const char *s)
{
	summary_i128 v = 0;
	int neg = *s == '-';

	s += neg;
	CHECK(*s != '\0' && (*s != '0' || s[1] == '\0'));
	for (; *s != '\0'; s++) {
		CHECK(*s >= '0' && *s <= '9');
		/* toward the sign, so that the most negative one fits too */
		v = v * 10 + (neg ? -(*s - '0') : *s - '0');
	}
	return v;
}

MODEL static void
check(const struct summary *s, const struct model *m)
{
	char dec[SUMMARY_I128_MAX + 8];
	summary_i128 sum = 0, q, dsum;
	long double mean, var = 0, d, spread, frac, dmean;
	double sd;
	int64_t lo, hi;
	size_t i;

	memset(dec, 'x', sizeof(dec));
	CHECK(s->n == m->n);
	for (i = 0; i < m->n; i++)
		sum += m->v[i];
	CHECK(s->sum == sum);
	summary_i128_format(dec, s->sum);
	CHECK(strlen(dec) < SUMMARY_I128_MAX && parse_i128(dec) == sum);
	CHECK(dec[SUMMARY_I128_MAX] == 'x');
	if (m->n == 0)
		return;
	lo = hi = m->v[0];
	for (i = 1; i < m->n; i++) {
		if (m->v[i] < lo)
			lo = m->v[i];
		if (m->v[i] > hi)
			hi = m->v[i];
	}
	CHECK(s->min == lo && s->max == hi);
	/* the mean, from the exact sum: no further from it than rounding */
	mean = summary_mean(s);
	CHECK(mean >= (long double)lo && mean <= (long double)hi);
	q = sum / (summary_i128)m->n;
	frac = (long double)(sum % (summary_i128)m->n) / (long double)m->n;
	CHECK(fabsl(mean - (long double)(int64_t)q - frac) <=
	    fabsl(mean) * 0x1p-63L + 0x1p-62L);
	/*
	 * Two passes in long double, over the exact distances from the
	 * first value: around 2^63 long double has no digits left for a
	 * fraction of the mean itself.
	 */
	dsum = 0;
	for (i = 0; i < m->n; i++)
		dsum += (summary_i128)m->v[i] - m->v[0];
	dmean = (long double)dsum / (long double)m->n;
	for (i = 0; i < m->n; i++) {
		d = (long double)((summary_i128)m->v[i] - m->v[0]) - dmean;
		var += d * d;
	}
	var /= (long double)m->n;
	sd = summary_stddev(s);
	spread = (long double)hi - (long double)lo;
	CHECK(!isnan(sd) && sd >= 0 && (long double)sd <= spread);
	/*
	 * Welford's error grows with the count and the spread, not with
	 * the values' size: about n * 2^-53 of the spread, under 1e-10 for
	 * the 2^18 values a run may have.
	 */
	CHECK(fabsl((long double)sd - sqrtl(var)) <= spread * 1e-9L + 1e-12L);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model m = { NULL, 0, 0 };
	struct summary s;
	struct fv f;
	enum fv_item it;
	int64_t v;
	int reports = 0;

	memset(&s, 0, sizeof(s));
	fv_init(&f, data, size);
	while ((it = fv_next(&f, &v)) != FV_END && m.n < MAX_VALUES) {
		if (it == FV_EVENT) {
			/* a few reports: each goes over every value */
			if (reports++ < 16)
				check(&s, &m);
			continue;
		}
		summary_add(&s, v);
		keep(&m, v);
	}
	check(&s, &m);
	free(m.v);
	return 0;
}
