/* SPDX-License-Identifier: ISC */
/*
 * fuzz_record: libFuzzer harness for lib/record.c.  Checks rec_parse
 * against a slow reference written from sluice(7), RECORD FORMAT, and that
 * every record parsed formats back to the canonical form and parses again
 * to the same value.  scripts/fuzz builds and runs it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

/* The reference: one rule at a time, no cleverness. */
static enum rec_status
reference(const uint8_t *s, size_t n, int64_t *v)
{
	size_t i = 0, j = n, k;
	int neg = 0;
	__int128 mag = 0;

	for (k = 0; k < n; k++)
		if (s[k] == '\0')
			goto nul_or_notint;
	if (j > 0 && s[j - 1] == '\r')
		j--;
	while (i < j && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (j > i && (s[j - 1] == ' ' || s[j - 1] == '\t'))
		j--;
	if (i == j)
		return REC_BLANK;
	if (s[i] == '+' || s[i] == '-')
		neg = s[i++] == '-';
	if (i == j)
		return REC_NOTINT;
	for (k = i; k < j; k++) {
		if (s[k] < '0' || s[k] > '9')
			return REC_NOTINT;
		if (mag <= (__int128)1 << 64)
			mag = mag * 10 + (s[k] - '0');
	}
	if (neg)
		mag = -mag;
	if (mag > INT64_MAX || mag < INT64_MIN)
		return REC_RANGE;
	*v = (int64_t)mag;
	return REC_OK;
nul_or_notint:
	/* a NUL in what would be blank still makes the line bad */
	return REC_NUL;
}

/* rec_scan, the inline fast path, must agree with rec_parse. */
static void
check_scan(const uint8_t *data, size_t size)
{
	char *copy;
	int64_t a = 0, b = 0;
	size_t n;

	/* as the reader gives it: the data, then a NUL sentinel */
	if ((copy = malloc(size + 1)) == NULL)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	n = rec_scan(copy, &a);
	if (n > 0 && (n > size || copy[n - 1] != '\n' ||
	    rec_parse(copy, n - 1, &b) != REC_OK || a != b))
		abort();
	/* and it must take every line of 1 to 18 bare digits */
	if (n == 0) {
		const char *nl = memchr(copy, '\n', size);
		size_t len = nl != NULL ? (size_t)(nl - copy) : 0;

		if (nl != NULL && len >= 1 && len <= 18 &&
		    strspn(copy, "0123456789") == len)
			abort();
	}
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[REC_FMT_MAX];
	int64_t a = 0, b = 0, c = 0;
	enum rec_status ra, rb;
	size_t n;

	check_scan(data, size);
	ra = rec_parse((const char *)data, size, &a);
	rb = reference(data, size, &b);
	if (ra != rb || (ra == REC_OK && a != b))
		abort();
	if (ra != REC_OK)
		return 0;
	n = rec_format(buf, a);
	if (buf[n - 1] != '\n' || rec_parse(buf, n - 1, &c) != REC_OK ||
	    c != a)
		abort();
	/* canonical: no '+', no leading zero, never "-0" */
	if (buf[0] == '+' || (buf[0] == '0' && n > 2) ||
	    (buf[0] == '-' && buf[1] == '0'))
		abort();
	return 0;
}
