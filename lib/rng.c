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
