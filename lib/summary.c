/* SPDX-License-Identifier: ISC */
#include "summary.h"

#include <math.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

void
summary_add(struct summary *s, int64_t v)
{
	double x, d;

	if (s->n == 0)
		s->shift = v;
	if (s->n == 0 || v < s->min)
		s->min = v;
	if (s->n == 0 || v > s->max)
		s->max = v;
	s->n++;
	s->sum += v;
	/*
	 * Welford (1962) does not cancel catastrophically over 1e9 records;
	 * shifting by the first value keeps the digits of the spread when
	 * the values are large and close (10^15 + 0..9).
	 */
	x = (double)((summary_i128)v - s->shift);
	d = x - s->mean;
	s->mean += d / (double)s->n;
	s->m2 += d * (x - s->mean);
}

long double
summary_mean(const struct summary *s)
{
	summary_i128 n = (summary_i128)s->n;

	/*
	 * Not sum / n in long double: a sum beyond 2^64 loses digits there
	 * (the mean of three INT64_MIN + 1 came out above them all).  The
	 * quotient fits int64_t, which long double holds exactly; only the
	 * fraction rounds.
	 */
	return (long double)(int64_t)(s->sum / n) +
	    (long double)(s->sum % n) / (long double)s->n;
}

double
summary_stddev(const struct summary *s)
{
	return sqrt(s->m2 / (double)s->n);
}

char *
summary_i128_format(char dst[SUMMARY_I128_MAX], summary_i128 v)
{
	u128 u = v < 0 ? -(u128)v : (u128)v;
	char tmp[SUMMARY_I128_MAX - 1], *p = tmp + sizeof(tmp);

	do {
		*--p = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	memcpy(dst, p, (size_t)(tmp + sizeof(tmp) - p));
	dst[tmp + sizeof(tmp) - p] = '\0';
	return dst;
}
