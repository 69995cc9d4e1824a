/* SPDX-License-Identifier: ISC */
/*
 * rng: the generator behind randsrc.  xoshiro256** (Blackman and Vigna,
 * 2018), seeded through splitmix64 so that one 64-bit seed gives one
 * stream on every machine.  Values in a range come in batches, several
 * from one 64-bit output (Brackett-Rozinsky and Lemire, 2024), without
 * bias.  Not for secrets.
 */
#ifndef SLUICE_RNG_H
#define SLUICE_RNG_H

#include <stdint.h>

struct rng {
	uint64_t	s[4];
};

/* Seeds from a number: the same seed, the same stream, everywhere. */
void	rng_seed(struct rng *, uint64_t seed);

/* Seeds from the system's entropy (arc4random_buf). */
void	rng_seed_random(struct rng *);

static inline uint64_t
rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return result;
}

/*
 * Draws in [0, n) come k at a time from one output x: x * n is a 128-bit
 * product whose high half is the first draw and whose low half, times n
 * again, gives the next, and so on.  Together the k draws are the base-n
 * digits of the high half of x * n^k (Lemire's multiply-and-reject over
 * a range of n^k values), and the last low half is the low half of that
 * product: a batch whose last low half falls below 2^64 mod n^k is drawn
 * again, whole, which removes the bias.  k is the largest number, at most
 * RNG_BATCH_MAX, with n^k <= 2^60, so that for any n up to 2^60 fewer
 * than one batch in 16 is drawn again (a wider range has batches of one).
 * n == 0 stands for 2^64: one draw, the output itself.
 */
#define RNG_BATCH_MAX	16

struct rng_batch {
	uint64_t	n;		/* draws are in [0, n); 0: 2^64 */
	uint64_t	threshold;	/* 2^64 mod n^k */
	unsigned	k;		/* draws a batch */
	uint64_t	pow[RNG_BATCH_MAX + 1];	/* n^i mod 2^64 */
};

void	rng_batch_init(struct rng_batch *, uint64_t n);

/*
 * Draw i (from 0) of the batch of output x.  The low half that i
 * multiplications by n one after the other leave is x * n^i mod 2^64,
 * so each draw is had from x directly, without waiting for the draw
 * before it: the high half of (x * n^i mod 2^64) * n.
 */
static inline uint64_t
rng_draw(const struct rng_batch *b, uint64_t x, unsigned i)
{
	__extension__ typedef unsigned __int128 u128;

	return (uint64_t)((u128)(x * b->pow[i]) * b->n >> 64);
}

/* Is the batch of output x drawn again: its last low half too low? */
static inline int
rng_rejected(const struct rng_batch *b, uint64_t x)
{
	return x * b->pow[b->k] < b->threshold;
}

/* One batch: b->k draws at out, which has room for RNG_BATCH_MAX. */
static inline void
rng_batch(struct rng *r, const struct rng_batch *b, uint64_t *out)
{
	uint64_t x;
	unsigned i;

	if (b->n == 0) {
		out[0] = rng_next(r);
		return;
	}
	do {
		x = rng_next(r);
		for (i = 0; i < b->k; i++)
			out[i] = rng_draw(b, x, i);
	} while (rng_rejected(b, x));
}

#endif
