/* SPDX-License-Identifier: ISC */
/*
 * fuzz.h: what the libFuzzer harnesses tests/fuzz_*.c share.
 *
 * CHECK(c) aborts with the file and line when c is false: libFuzzer
 * keeps the input, tests/replay names it.  MODEL marks the functions of
 * a harness's own reference, checks and input decoding: clang leaves
 * them out of the coverage it steers by and of its comparison tracing,
 * which cost more than the code under test.
 *
 * The value stream: the values a stage harness (fuzz_procwin,
 * fuzz_statsink, fuzz_histsink) feeds its stage, decoded from the input
 * so that a byte or two reaches the values that matter (the limits of
 * int64_t, powers of two, long runs of one value), with events between
 * them.  One byte an item:
 *   0x00-0xdf  a small value, the byte less 0x70 (-112 to 111)
 *   0xe0-0xe3  INT64_MIN, INT64_MAX, INT64_MIN + 1, INT64_MAX - 1
 *   0xe4       the next 8 bytes, little-endian (what is there of them)
 *   0xe5       the next byte b: 2^(b % 64), negated when b >= 128
 *              (2^63 only so: positive it is 2^62)
 *   0xe6       the next 2 bytes, a signed 16-bit number times 2^48
 *   0xe7       the last value again, 1 to 256 times (the next byte + 1)
 *   0xe8-0xff  an event, for the harness to define: its number is the
 *              byte less 0xe8 (0 to 23)
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(__clang__)
#define MODEL	__attribute__((__no_sanitize__("coverage")))
#else
#define MODEL
#endif

#define CHECK(c)	do { if (!(c)) fuzz_fail(#c, __FILE__, __LINE__); } while (0)

static void	fuzz_fail(const char *, const char *, int)
		    __attribute__((__noreturn__, __unused__));

static void
fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: %s\n", file, line, what);
	abort();
}

enum fv_item { FV_END, FV_VALUE, FV_EVENT };

struct fv {
	const uint8_t	*p, *end;
	int64_t		 last;
	unsigned	 repeat;	/* times the last value is still due */
};

MODEL static inline void
fv_init(struct fv *f, const uint8_t *p, size_t n)
{
	f->p = p;
	f->end = p + n;
	f->last = 0;
	f->repeat = 0;
}

MODEL static inline unsigned
fv_byte(struct fv *f)
{
	return f->p < f->end ? *f->p++ : 0;
}

/* The next item: a value in *v, or an event's number in *v. */
MODEL static inline enum fv_item
fv_next(struct fv *f, int64_t *v)
{
	uint64_t u = 0;
	unsigned b, i;

	if (f->repeat > 0) {
		f->repeat--;
		*v = f->last;
		return FV_VALUE;
	}
	if (f->p == f->end)
		return FV_END;
	b = *f->p++;
	if (b >= 0xe8) {
		*v = b - 0xe8;
		return FV_EVENT;
	}
	switch (b) {
	case 0xe0:
		*v = INT64_MIN;
		break;
	case 0xe1:
		*v = INT64_MAX;
		break;
	case 0xe2:
		*v = INT64_MIN + 1;
		break;
	case 0xe3:
		*v = INT64_MAX - 1;
		break;
	case 0xe4:
		for (i = 0; i < 8; i++)
			u |= (uint64_t)fv_byte(f) << (8 * i);
		*v = (int64_t)u;
		break;
	case 0xe5:
		b = fv_byte(f);
		u = (uint64_t)1 << (b % 64);
		*v = b >= 128 ? (int64_t)(0 - u) : (int64_t)(u >> (u >> 63));
		break;
	case 0xe6:
		b = fv_byte(f);
		b |= fv_byte(f) << 8;
		*v = (int64_t)(int16_t)b * ((int64_t)1 << 48);
		break;
	case 0xe7:
		f->repeat = fv_byte(f);
		*v = f->last;
		return FV_VALUE;
	default:
		*v = (int64_t)b - 0x70;
	}
	f->last = *v;
	return FV_VALUE;
}

#endif
