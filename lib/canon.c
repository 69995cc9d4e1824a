/* SPDX-License-Identifier: ISC */
#include "canon.h"

#include <string.h>

/* -DCANON_GENERIC builds the portable path on x86 too, to test it */
#if defined(__SSE2__) && !defined(CANON_GENERIC)
#define CANON_SSE2
#include <emmintrin.h>
#endif

/*
 * The input is taken 64 bytes at a time as four bit masks, bit i for
 * byte i: newlines, minus signs, zeros, digits.  Every rule of the
 * canonical form is then about a byte and the one before it, which a
 * mask shifted by one bit gives (the bit shifted in is the last byte of
 * the block before), and a line's length is a run of bits outside the
 * newline mask.  A byte that breaks a rule sets a bit in "bad" inside
 * its own line, so the lines before the first bad bit are good.
 */
struct masks {
	uint64_t	nl, minus, zero, digit;
};

#if defined(CANON_SSE2)
static inline uint64_t
mask16(__m128i eq, size_t k)
{
	return (uint64_t)(unsigned)_mm_movemask_epi8(eq) << (16 * k);
}

static inline void
classify(const char *p, struct masks *m)
{
	const __m128i nl = _mm_set1_epi8('\n'), minus = _mm_set1_epi8('-');
	const __m128i zero = _mm_set1_epi8('0');
	const __m128i below = _mm_set1_epi8('0' - 1), above = _mm_set1_epi8('9' + 1);
	__m128i v;
	size_t k;

	m->nl = m->minus = m->zero = m->digit = 0;
	for (k = 0; k < 4; k++) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
		m->nl |= mask16(_mm_cmpeq_epi8(v, nl), k);
		m->minus |= mask16(_mm_cmpeq_epi8(v, minus), k);
		m->zero |= mask16(_mm_cmpeq_epi8(v, zero), k);
		/* signed: the bytes from 0x80 up are below '0' */
		m->digit |= mask16(_mm_and_si128(_mm_cmpgt_epi8(v, below),
		    _mm_cmplt_epi8(v, above)), k);
	}
}
#else
static inline void
classify(const char *p, struct masks *m)
{
	uint64_t bit;
	int i;

	m->nl = m->minus = m->zero = m->digit = 0;
	for (i = 0; i < 64; i++) {
		bit = (uint64_t)1 << i;
		switch (p[i]) {
		case '\n':
			m->nl |= bit;
			break;
		case '-':
			m->minus |= bit;
			break;
		case '0':
			m->zero |= bit;
			/* FALLTHROUGH */
		case '1': case '2': case '3': case '4': case '5':
		case '6': case '7': case '8': case '9':
			m->digit |= bit;
			break;
		}
	}
}
#endif

/*
 * The newlines of a block.  Without the instruction (x86-64's baseline
 * has none), __builtin_popcountll is a call into libgcc that cost more
 * than the masks of the block.
 */
static inline uint64_t
count(uint64_t x)
{
#if defined(__POPCNT__)
	return (uint64_t)__builtin_popcountll(x);
#else
	x -= (x >> 1) & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (x * 0x0101010101010101ULL) >> 56;
#endif
}

/* One canonical line at p, before end: its bytes with the '\n', or 0. */
static size_t
line(const char *p, const char *end)
{
	const char *q = p, *digits;

	if (q < end && *q == '-')
		q++;
	if (q == end)
		return 0;
	if (*q == '0')
		return q == p && end - q >= 2 && q[1] == '\n' ? 2 : 0;
	for (digits = q; q < end && (unsigned char)(*q - '0') <= 9; q++)
		continue;
	if (q == digits || q - p > CANON_LINE_MAX || q == end || *q != '\n')
		return 0;
	return (size_t)(q - p) + 1;
}

size_t
canon_span(const char *p, size_t n, uint64_t *records)
{
	struct masks m;
	uint64_t lead_zero, prev_nl, prev_minus, prev_digit, prev_lz, bad;
	uint64_t carry_nl = 1, carry_minus = 0, carry_digit = 0, carry_lz = 0;
	uint64_t before, run_ge19, recs = 0;
	size_t off, start = 0, k;
	unsigned run = 0;	/* bytes of the line that the last block left open */

	for (off = 0; n - off >= 64; off += 64) {
		classify(p + off, &m);
		prev_nl = m.nl << 1 | carry_nl;
		prev_minus = m.minus << 1 | carry_minus;
		prev_digit = m.digit << 1 | carry_digit;
		lead_zero = m.zero & prev_nl;
		prev_lz = lead_zero << 1 | carry_lz;
		bad = ~(m.nl | m.minus | m.digit) |	/* no other byte */
		    (m.minus & ~prev_nl) |		/* '-' begins a line */
		    (prev_minus & ~(m.digit & ~m.zero)) |	/* then 1-9 */
		    (prev_lz & ~m.nl) |			/* a 0 alone */
		    (m.nl & ~prev_digit);		/* a line ends in a digit */
		/* bit i: bytes i to i + 18 are all in one line (too long) */
		run_ge19 = ~m.nl;
		run_ge19 &= run_ge19 >> 1;
		run_ge19 &= run_ge19 >> 2;
		run_ge19 &= run_ge19 >> 4;
		run_ge19 &= run_ge19 >> 8;
		run_ge19 &= run_ge19 >> 3;
		bad |= run_ge19;
		/* the line the block before left open, too long by now */
		if (m.nl == 0 ||
		    run + (unsigned)__builtin_ctzll(m.nl) > CANON_LINE_MAX)
			bad |= 1;
		if (bad != 0) {
			before = m.nl & ((bad & -bad) - 1);
			if (before != 0) {
				start = off + 64 - (size_t)__builtin_clzll(before);
				recs += count(before);
			}
			*records = recs;
			return start;
		}
		run = (unsigned)__builtin_clzll(m.nl);
		recs += count(m.nl);
		start = off + 64 - run;
		carry_nl = m.nl >> 63;
		carry_minus = m.minus >> 63;
		carry_digit = m.digit >> 63;
		carry_lz = lead_zero >> 63;
	}
	/* the last bytes, less than a block, from the line left open */
	while ((k = line(p + start, p + n)) > 0) {
		start += k;
		recs++;
	}
	*records = recs;
	return start;
}

/*
 * Where the first '\n' is in the 8 bytes of w, taken from memory, or 8:
 * a byte is 0 in w ^ newlines, which (x - 0x01...) & ~x & 0x80... finds;
 * the borrow of a zero byte can mark the bytes above it, never below, so
 * the lowest mark is right.
 */
static inline unsigned
first_newline(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL;
	uint64_t x = w ^ (ones * '\n'), m = (x - ones) & ~x & (ones << 7);

	if (m == 0)
		return 8;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (unsigned)__builtin_clzll(m) / 8;
#else
	return (unsigned)__builtin_ctzll(m) / 8;
#endif
}

#if defined(CANON_SSE2)
/* The newlines of the 64 bytes at p: bit i for byte i. */
static inline uint64_t
newlines(const char *p)
{
	const __m128i nl = _mm_set1_epi8('\n');
	uint64_t m = 0;
	size_t k;

	for (k = 0; k < 4; k++)
		m |= mask16(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)
		    (const void *)(p + 16 * k)), nl), k);
	return m;
}
#endif

size_t
canon_prefix(char *dst, const char *p, size_t len, const char *prefix,
    size_t plen)
{
	const char *s = p, *end = p + len, *e;
	char pre[16], *q = dst;
	uint64_t w;
	size_t n;
	unsigned k;

	memcpy(pre, prefix, sizeof(pre));
#if defined(CANON_SSE2)
	/*
	 * The newlines of a block at a time, each line then copied 24 bytes
	 * (a line is at most CANON_LINE_MAX + 1 = 19): a line that begins in
	 * the block may read 24 bytes on from its start.
	 */
	for (size_t off = 0; len - off >= 64 + 24; off += 64) {
		uint64_t nl = newlines(p + off);

		for (; nl != 0; nl &= nl - 1) {
			e = p + off + (size_t)__builtin_ctzll(nl);
			memcpy(q, pre, sizeof(pre));
			q += plen;
			memcpy(q, s, 24);
			q += e - s + 1;
			s = e + 1;
		}
		if (len - off < 64 + 64 + 24)
			break;
	}
#endif
	/* a line is at most CANON_LINE_MAX + 1 = 19 bytes: 24 are read */
	while (end - s >= 24) {
		memcpy(q, pre, sizeof(pre));
		q += plen;
		memcpy(q, s, 24);
		for (n = 0;; n += 8) {
			memcpy(&w, s + n, 8);
			if ((k = first_newline(w)) < 8)
				break;
		}
		n += k + 1;
		q += n;
		s += n;
	}
	for (; s < end; s += n) {
		n = (size_t)((const char *)memchr(s, '\n', (size_t)(end - s)) -
		    s) + 1;
		memcpy(q, pre, sizeof(pre));
		q += plen;
		memcpy(q, s, n);
		q += n;
	}
	return (size_t)(q - dst);
}
