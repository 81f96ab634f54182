// SPDX-License-Identifier: GPL-2.0
/*
 * libmmapdemo: data patterns. Each 8-byte word holds a mix of its buffer
 * offset and a seed, so a page mapped at the wrong offset, a stale page
 * and a lost write all read back wrong.
 */
#include <string.h>

#include "libmmapdemo.h"

uint64_t md_pattern_word(uint64_t offset, uint32_t seed)
{
	uint64_t x = (offset / 8) ^ ((uint64_t)seed << 32);

	/* splitmix64's finaliser: every input bit moves every output bit */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x | 1;	/* never all zero, so a zeroed page never matches */
}

void md_pattern_fill(void *addr, size_t len, uint64_t offset, uint32_t seed)
{
	unsigned char *p = addr;
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t w = md_pattern_word(offset + i, seed);

		memcpy(p + i, &w, len - i < 8 ? len - i : 8);
	}
}

long long md_pattern_check(const void *addr, size_t len, uint64_t offset,
			   uint32_t seed)
{
	const unsigned char *p = addr;
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t w = md_pattern_word(offset + i, seed);

		if (memcmp(p + i, &w, len - i < 8 ? len - i : 8))
			return (long long)i;
	}
	return -1;
}
