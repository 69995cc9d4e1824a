/*
 * rng: the generator behind randsrc.  xoshiro256** (Blackman and Vigna,
 * 2018), seeded through splitmix64 so that one 64-bit seed gives one
 * stream on every machine, and Lemire's multiply-and-reject (2019) to draw
 * in a range without modulo bias.  Not for secrets.
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
 * Uniform in [0, n), or any 64-bit value when n is 0 (2^64 outcomes).
 * The product of a draw and n splits into an index (high half) and a
 * remainder (low half); draws whose remainder falls in the first
 * 2^64 mod n values are redrawn, which removes the bias.
 */
static inline uint64_t
rng_below(struct rng *r, uint64_t n)
{
	__extension__ typedef unsigned __int128 u128;
	u128 m;
	uint64_t low, threshold;

	if (n == 0)
		return rng_next(r);
	m = (u128)rng_next(r) * n;
	low = (uint64_t)m;
	if (low < n) {
		threshold = (0 - n) % n;
		while (low < threshold) {
			m = (u128)rng_next(r) * n;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

/* Uniform in [lo, hi], any int64_t bounds with lo <= hi. */
static inline int64_t
rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	/* width - 1 fits in uint64_t; the full range wraps to n == 0 */
	uint64_t n = (uint64_t)hi - (uint64_t)lo + 1;

	return (int64_t)((uint64_t)lo + rng_below(r, n));
}

#endif
