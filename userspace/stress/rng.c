// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-stress: the random numbers, splitmix64, one stream per worker
 * derived from the seed, so that a worker's choices follow from the seed.
 */
#include "stress.h"

uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t rng_below(uint64_t *state, uint32_t n)
{
	return (uint32_t)(rng_next(state) % n);
}

bool rng_chance(uint64_t *state, unsigned int percent)
{
	return rng_below(state, 100) < percent;
}

uint64_t rng_seed_for(uint64_t seed, uint64_t stream)
{
	uint64_t s = seed ^ (stream * 0xd1342543de82ef95ULL);

	return rng_next(&s);
}
