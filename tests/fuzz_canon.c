/* SPDX-License-Identifier: ISC */
/*
 * fuzz_canon: libFuzzer harness for lib/canon.c, the fast path of proctee
 * and procprint.  Checks canon_span() against a reference written from
 * its contract one line at a time: a line is taken when rec_parse()
 * accepts it, it has at most CANON_LINE_MAX characters, and rec_format()
 * of its value gives it back byte for byte with its '\n'.  Then checks
 * canon_prefix() on what canon_span() took against each line written
 * after the prefix, with procprint's prefix and a one-byte one, into an
 * allocation of just the room it asks for.  The input is placed at every
 * alignment the first byte asks for, repeated as the second asks (so
 * that a short input spans many 64-byte blocks), and cut short at a
 * length the third asks for; the bytes sit at the end of an allocation
 * of their own, so that ASan sees a read past p + n.
 *
 * Input: 3 control bytes, then the data.
 *   c[0]  the offset of the data in its allocation, 0 to 63
 *   c[1]  the data repeated 1 to 16 times (the low 4 bits, plus 1)
 *   c[2]  cut: the span of all of it and of it less 0 to 255 bytes
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "fuzz.h"
#include "record.h"

#define CTL	3

MODEL static size_t
reference(const char *p, size_t n, uint64_t *records)
{
	char fmt[REC_FMT_MAX];
	const char *nl;
	size_t i = 0, len;
	int64_t v;

	*records = 0;
	while (i < n && (nl = memchr(p + i, '\n', n - i)) != NULL) {
		len = (size_t)(nl - (p + i));
		if (len > CANON_LINE_MAX || rec_parse(p + i, len, &v) != REC_OK ||
		    rec_format(fmt, v) != len + 1 ||
		    memcmp(fmt, p + i, len + 1) != 0)
			break;
		i += len + 1;
		(*records)++;
	}
	return i;
}

static void
check_prefix(const char *p, size_t len, uint64_t records, const char *prefix,
    size_t plen)
{
	size_t out = len + records * plen, i, k;
	char *got, *want;
	const char *nl;

	if ((got = malloc(out + CANON_PREFIX_SLACK)) == NULL ||
	    (want = malloc(out > 0 ? out : 1)) == NULL)
		abort();
	for (i = k = 0; i < len; i += (size_t)(nl - (p + i)) + 1) {
		nl = memchr(p + i, '\n', len - i);
		memcpy(want + k, prefix, plen);
		memcpy(want + k + plen, p + i, (size_t)(nl - (p + i)) + 1);
		k += plen + (size_t)(nl - (p + i)) + 1;
	}
	CHECK(k == out);
	CHECK(canon_prefix(got, p, len, prefix, plen) == out);
	CHECK(memcmp(got, want, out) == 0);
	free(got);
	free(want);
}

static void
check(const char *p, size_t n)
{
	static const char print[16] = "Received data: ", one[16] = "x";
	uint64_t want_recs, got_recs;
	size_t want, got;

	want = reference(p, n, &want_recs);
	got = canon_span(p, n, &got_recs);
	CHECK(got == want);
	CHECK(got_recs == want_recs);
	check_prefix(p, got, got_recs, print, 15);
	check_prefix(p, got, got_recs, one, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off, times, cut, n, k;
	char *buf, *p;

	if (size < CTL)
		return 0;
	off = data[0] % 64;
	times = (size_t)(data[1] & 15) + 1;
	cut = data[2];
	data += CTL;
	size -= CTL;
	n = size * times;
	if ((buf = malloc(off + n > 0 ? off + n : 1)) == NULL)
		abort();
	p = buf + off;
	for (k = 0; k < times; k++)
		memcpy(p + k * size, data, size);
	check(p, n);
	if (cut <= n)
		check(p, n - cut);
	free(buf);
	return 0;
}
