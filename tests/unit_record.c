/* SPDX-License-Identifier: ISC */
/*
 * unit_record: table tests of lib/record.c, the parser and formatter every
 * stage trusts.  Prints one line per failure and exits 1 if there was any.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "record.h"
#include "rng.h"

static int failures;

#define LINE(s)	s, sizeof(s) - 1

static void
parse_ok(const char *s, size_t n, int64_t want)
{
	int64_t v = 0;
	enum rec_status r = rec_parse(s, n, &v);

	if (r != REC_OK || v != want) {
		printf("parse \"%.*s\": status %d value %" PRId64
		    ", want %" PRId64 "\n", (int)n, s, r, v, want);
		failures++;
	}
}

static void
parse_bad(const char *s, size_t n, enum rec_status want)
{
	int64_t v = 12345;
	enum rec_status r = rec_parse(s, n, &v);

	if (r != want || v != 12345) {
		printf("parse \"%.*s\": status %d, want %d\n", (int)n, s, r,
		    want);
		failures++;
	}
}

static void
format_is(int64_t v, const char *want)
{
	char buf[REC_FMT_MAX + 8];
	size_t n;

	memset(buf, 'x', sizeof(buf));
	n = rec_format(buf, v);
	if (n != strlen(want) || memcmp(buf, want, n) != 0 ||
	    buf[n] != 'x') {
		printf("format %" PRId64 ": \"%.*s\", want \"%s\"\n", v,
		    (int)n, buf, want);
		failures++;
	}
}

static void
roundtrip(int64_t v)
{
	char buf[REC_FMT_MAX];
	int64_t back;
	size_t n = rec_format(buf, v);

	if (rec_parse(buf, n - 1, &back) != REC_OK || back != v) {
		printf("roundtrip %" PRId64 " failed\n", v);
		failures++;
	}
}

int
main(void)
{
	struct rng r;
	int64_t p;
	int i;

	parse_ok(LINE("0"), 0);
	parse_ok(LINE("42"), 42);
	parse_ok(LINE("-42"), -42);
	parse_ok(LINE("+42"), 42);
	parse_ok(LINE("007"), 7);
	parse_ok(LINE("-0"), 0);
	parse_ok(LINE("+0"), 0);
	parse_ok(LINE("000"), 0);
	parse_ok(LINE(" \t 5 \t"), 5);
	parse_ok(LINE("5\r"), 5);
	parse_ok(LINE(" -5 \r"), -5);
	parse_ok(LINE("9223372036854775807"), INT64_MAX);
	parse_ok(LINE("-9223372036854775808"), INT64_MIN);
	parse_ok(LINE("0000000000000000000000009223372036854775807"),
	    INT64_MAX);
	parse_ok(LINE("-00009223372036854775808"), INT64_MIN);

	parse_bad(LINE(""), REC_BLANK);
	parse_bad(LINE("   "), REC_BLANK);
	parse_bad(LINE("\t\r"), REC_BLANK);
	parse_bad(LINE("\r"), REC_BLANK);
	parse_bad(LINE("abc"), REC_NOTINT);
	parse_bad(LINE("1e3"), REC_NOTINT);
	parse_bad(LINE("0x10"), REC_NOTINT);
	parse_bad(LINE("-"), REC_NOTINT);
	parse_bad(LINE("+"), REC_NOTINT);
	parse_bad(LINE("--1"), REC_NOTINT);
	parse_bad(LINE("+-1"), REC_NOTINT);
	parse_bad(LINE("- 1"), REC_NOTINT);
	parse_bad(LINE("1 2"), REC_NOTINT);
	parse_bad(LINE("1.0"), REC_NOTINT);
	parse_bad(LINE("12a"), REC_NOTINT);
	parse_bad(LINE("1\r\r"), REC_NOTINT);
	parse_bad(LINE("\r1"), REC_NOTINT);
	parse_bad(LINE("١"), REC_NOTINT);
	parse_bad(LINE("1\0"), REC_NUL);
	parse_bad(LINE("\0"), REC_NUL);
	parse_bad(LINE("1\0002"), REC_NUL);
	parse_bad(LINE("9223372036854775808"), REC_RANGE);
	parse_bad(LINE("-9223372036854775809"), REC_RANGE);
	parse_bad(LINE("18446744073709551615"), REC_RANGE);
	parse_bad(LINE("18446744073709551616"), REC_RANGE);
	parse_bad(LINE("99999999999999999999999"), REC_RANGE);

	format_is(0, "0\n");
	format_is(7, "7\n");
	format_is(10, "10\n");
	format_is(99, "99\n");
	format_is(100, "100\n");
	format_is(-1, "-1\n");
	format_is(-100, "-100\n");
	format_is(1234567890, "1234567890\n");
	format_is(INT64_MAX, "9223372036854775807\n");
	format_is(INT64_MIN, "-9223372036854775808\n");

	/* every power of ten and its neighbours, both signs */
	for (p = 1; ; p *= 10) {
		roundtrip(p - 1);
		roundtrip(p);
		roundtrip(p + 1);
		roundtrip(-p);
		roundtrip(-p + 1);
		roundtrip(-p - 1);
		if (p > INT64_MAX / 10)
			break;
	}
	rng_seed(&r, 1);
	for (i = 0; i < 1000000; i++)
		roundtrip((int64_t)rng_next(&r) >> (rng_next(&r) % 64));
	printf("%d failure%s\n", failures, failures == 1 ? "" : "s");
	return failures != 0;
}
