/* SPDX-License-Identifier: ISC */
#include "opt.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The most records a second a rate may ask for. */
#define RATE_MAX	1e10

int
opt_int64(const char *s, int64_t min, int64_t max, int64_t *out,
    const char **errstr)
{
	long long v;

	v = strtonum(s, min, max, errstr);
	if (*errstr != NULL)
		return -1;
	*out = v;
	return 0;
}

/* strtod, but only for plain decimal numbers: no hex, inf or nan. */
static int
parse_decimal(const char *s, double *out, char **end, const char **errstr)
{
	if (strspn(s, "0123456789.") == 0 ||
	    strpbrk(s, "xXnN") != NULL) {
		*errstr = "invalid";
		return -1;
	}
	errno = 0;
	*out = strtod(s, end);
	if (*end == s) {
		*errstr = "invalid";
		return -1;
	}
	if (errno == ERANGE || !isfinite(*out)) {
		*errstr = "too large";
		return -1;
	}
	return 0;
}

int
opt_rate(const char *s, double *out, const char **errstr)
{
	char *end;
	double v;

	if (parse_decimal(s, &v, &end, errstr) == -1)
		return -1;
	if (*end != '\0') {
		*errstr = "invalid";
		return -1;
	}
	if (v > RATE_MAX) {
		*errstr = "too large";
		return -1;
	}
	*out = v;
	return 0;
}

int
opt_duration(const char *s, int64_t *out, const char **errstr)
{
	static const struct {
		const char	*name;
		double		 ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		{ "", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
	};
	char *end;
	double v;
	size_t i;

	if (parse_decimal(s, &v, &end, errstr) == -1)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].name) == 0)
			break;
	if (i == sizeof(units) / sizeof(units[0])) {
		*errstr = "invalid";
		return -1;
	}
	v *= units[i].ns;
	if (v < 1) {
		*errstr = "too small";
		return -1;
	}
	/* a century is plenty, and keeps deadlines far from overflow */
	if (v > 100.0 * 365 * 86400 * 1e9) {
		*errstr = "too large";
		return -1;
	}
	*out = (int64_t)v;
	return 0;
}

int
opt_size(const char *s, int64_t min, int64_t max, int64_t *out,
    const char **errstr)
{
	static const struct {
		const char	*name;
		int64_t		 bytes;
	} units[] = {
		{ "", 1 }, { "K", 1 << 10 }, { "KiB", 1 << 10 },
		{ "M", 1 << 20 }, { "MiB", 1 << 20 },
		{ "G", 1 << 30 }, { "GiB", 1 << 30 },
	};
	char digits[24];
	size_t n = strspn(s, "0123456789"), i;
	long long v;

	if (n == 0 || n >= sizeof(digits)) {
		*errstr = n == 0 ? "invalid" : "too large";
		return -1;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(s + n, units[i].name) == 0)
			break;
	if (i == sizeof(units) / sizeof(units[0])) {
		*errstr = "invalid";
		return -1;
	}
	memcpy(digits, s, n);
	digits[n] = '\0';
	v = strtonum(digits, 0, INT64_MAX / units[i].bytes, errstr);
	if (*errstr != NULL)
		return -1;
	v *= units[i].bytes;
	if (v < min || v > max) {
		*errstr = v < min ? "too small" : "too large";
		return -1;
	}
	*out = v;
	return 0;
}

int
opt_int64_pair(const char *s, int64_t min, int64_t max, int64_t *a,
    int64_t *b, const char **errstr)
{
	const char *comma = strchr(s, ',');
	char first[32];

	if (comma == NULL || (size_t)(comma - s) >= sizeof(first)) {
		*errstr = "invalid";
		return -1;
	}
	memcpy(first, s, (size_t)(comma - s));
	first[comma - s] = '\0';
	if (opt_int64(first, min, max, a, errstr) == -1)
		return -1;
	return opt_int64(comma + 1, min, max, b, errstr);
}
