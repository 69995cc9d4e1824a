/* SPDX-License-Identifier: ISC */
#include "rng.h"

#include <stdlib.h>

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

void
rng_seed_random(struct rng *r)
{
	/* an all-zero state would stay zero; 2^-256 odds, but cheap to rule out */
	do
		arc4random_buf(r->s, sizeof(r->s));
	while ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0);
}

void
rng_batch_init(struct rng_batch *b, uint64_t n)
{
	const uint64_t limit = (uint64_t)1 << 60;
	uint64_t p = n;

	b->n = n;
	b->k = 1;
	b->pow[0] = 1;
	b->pow[1] = n;
	if (n == 0) {
		b->threshold = 0;
		return;
	}
	/* p = n^k; n <= limit / p keeps n^(k+1) <= 2^60 without overflow */
	while (b->k < RNG_BATCH_MAX && n <= limit / p) {
		p *= n;
		b->pow[++b->k] = p;
	}
	/* 2^64 mod p, in 64 bits: (2^64 - p) mod p */
	b->threshold = (0 - p) % p;
}
