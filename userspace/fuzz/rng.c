// SPDX-License-Identifier: GPL-2.0
/* mmapdemo-fuzz: splitmix64, one stream from the seed: a run replays. */
#include "fuzz.h"

uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t rng_below(struct fz *z, uint64_t n)
{
	return n ? rng_next(&z->rng) % n : 0;
}

bool rng_chance(struct fz *z, unsigned int percent)
{
	return rng_below(z, 100) < percent;
}
