/* SPDX-License-Identifier: ISC */
/*
 * opt: option values.  Each parser returns 0 and sets *out, or -1 and
 * sets *errstr to what is wrong ("invalid", "too large"), in the style of
 * strtonum(3), for the caller to name the option and the value.
 */
#ifndef SLUICE_OPT_H
#define SLUICE_OPT_H

#include <stdint.h>

/* A decimal integer in [min, max]. */
int	opt_int64(const char *s, int64_t min, int64_t max, int64_t *out,
	    const char **errstr);

/* Records per second: a decimal number >= 0 ("0.5", "1000", "1e6"). */
int	opt_rate(const char *s, double *out, const char **errstr);

/*
 * A duration > 0 in nanoseconds: a decimal number and a unit, ns, us,
 * ms, s, m or h ("250ms", "1.5s", "2m"); a bare number is seconds.
 */
int	opt_duration(const char *s, int64_t *out, const char **errstr);

/*
 * A size in bytes in [min, max]: a decimal integer and an optional unit,
 * K, M or G, or KiB, MiB or GiB, which are the same powers of 1024
 * ("65536", "64K", "1MiB").
 */
int	opt_size(const char *s, int64_t min, int64_t max, int64_t *out,
	    const char **errstr);

/* Two integers separated by a comma ("-5,5"), each in [min, max]. */
int	opt_int64_pair(const char *s, int64_t min, int64_t max, int64_t *a,
	    int64_t *b, const char **errstr);

#endif
