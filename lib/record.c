/* SPDX-License-Identifier: ISC */
#include "record.h"

#include <string.h>

const char rec_digit_pairs[201] =
    "00010203040506070809"
    "10111213141516171819"
    "20212223242526272829"
    "30313233343536373839"
    "40414243444546474849"
    "50515253545556575859"
    "60616263646566676869"
    "70717273747576777879"
    "80818283848586878889"
    "90919293949596979899";

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

enum rec_status
rec_parse(const char *s, size_t n, int64_t *v)
{
	const char *p = s, *end = s + n;
	const char *sign_end, *digits;
	uint64_t mag = 0, limit = INT64_MAX;
	int neg = 0;

	/* Peel the lenient decorations off both ends, then one digit pass. */
	if (end > p && end[-1] == '\r')
		end--;
	while (p < end && is_blank(*p))
		p++;
	while (end > p && is_blank(end[-1]))
		end--;
	if (p == end)
		return REC_BLANK;
	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		p++;
	}
	sign_end = p;
	while (p < end && *p == '0')
		p++;
	digits = p;
	for (; p < end; p++) {
		unsigned d = (unsigned char)*p - '0';
		if (d > 9)
			break;
		mag = mag * 10 + d;
	}
	if (p != end)
		return memchr(s, '\0', n) != NULL ? REC_NUL : REC_NOTINT;
	if (p == sign_end)
		return REC_NOTINT;
	/* 19 digits cannot wrap a uint64_t; 20 always exceed int64 */
	if (p - digits > 19)
		return REC_RANGE;
	if (neg)
		limit = (uint64_t)INT64_MAX + 1;
	if (mag > limit)
		return REC_RANGE;
	*v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return REC_OK;
}

static size_t
count_digits(uint64_t u)
{
	size_t n = 1;

	for (;;) {
		if (u < 10)
			return n;
		if (u < 100)
			return n + 1;
		if (u < 1000)
			return n + 2;
		if (u < 10000)
			return n + 3;
		u /= 10000;
		n += 4;
	}
}

size_t
rec_format_digits(char *dst, int64_t v)
{
	uint64_t u = (uint64_t)v;
	size_t len = 0, nd;
	char *p;

	if (v < 0) {
		/* unsigned negation: well defined even for INT64_MIN */
		u = 0 - u;
		*dst++ = '-';
		len = 1;
	}
	nd = count_digits(u);
	p = dst + nd;
	while (u >= 100) {
		unsigned i = (unsigned)(u % 100) * 2;
		u /= 100;
		p -= 2;
		memcpy(p, rec_digit_pairs + i, 2);
	}
	if (u >= 10) {
		p -= 2;
		memcpy(p, rec_digit_pairs + u * 2, 2);
	} else
		*--p = (char)('0' + u);
	return len + nd;
}

size_t
rec_format_any(char *dst, int64_t v)
{
	size_t n = rec_format_digits(dst, v);

	dst[n] = '\n';
	return n + 1;
}

const char *
rec_strerror(enum rec_status s)
{
	switch (s) {
	case REC_OK:
		return "no error";
	case REC_BLANK:
		return "blank line";
	case REC_NOTINT:
		return "not an integer";
	case REC_RANGE:
		return "out of range";
	case REC_NUL:
		return "contains a NUL byte";
	case REC_LONG:
		return "line longer than 4096 bytes";
	case REC_OVERFLOW:
		return "overflow";
	}
	return "unknown error";
}
