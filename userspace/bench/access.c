// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-bench: how pages are touched and how what they hold is checked.
 * A touch reads or writes the first word of each page, in order or in a
 * fixed random permutation. Reads are summed with a weight per page, so
 * that a page mapped at the wrong place changes the sum; writes store a
 * word that names the page and the run, checked afterwards through the
 * mapping and through pread() on the file behind it.
 */
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"

uint32_t *random_order(size_t pages, uint64_t seed)
{
	uint32_t *order = malloc(pages * sizeof(*order));
	uint64_t x = seed | 1;
	size_t i;

	if (!order)
		die_errno("malloc of a page order");
	for (i = 0; i < pages; i++)
		order[i] = (uint32_t)i;
	/* Fisher-Yates with xorshift64*: the same permutation every run. */
	for (i = pages; i > 1; i--) {
		size_t j;
		uint32_t tmp;

		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		j = (size_t)((x * 0x2545f4914f6cdd1dULL) % i);
		tmp = order[i - 1];
		order[i - 1] = order[j];
		order[j] = tmp;
	}
	return order;
}

uint64_t touch_read(const void *map, const uint32_t *order, size_t first,
		    size_t count)
{
	const char *base = map;
	uint64_t sum = 0;
	size_t i;

	if (order) {
		for (i = first; i < first + count; i++) {
			size_t p = order[i];

			sum += *(const volatile uint64_t *)(base + p * page_size) *
			       (2 * p + 1);
		}
	} else {
		for (i = first; i < first + count; i++)
			sum += *(const volatile uint64_t *)(base + i * page_size) *
			       (2 * i + 1);
	}
	return sum;
}

void touch_write(void *map, const uint32_t *order, size_t first, size_t count,
		 uint64_t token)
{
	char *base = map;
	size_t i;

	if (order) {
		for (i = first; i < first + count; i++) {
			size_t p = order[i];

			*(volatile uint64_t *)(base + p * page_size) =
				write_word(p, token);
		}
	} else {
		for (i = first; i < first + count; i++)
			*(volatile uint64_t *)(base + i * page_size) =
				write_word(i, token);
	}
}

uint64_t expect_read(size_t pages, bool pattern)
{
	uint64_t sum = 0;
	size_t p;

	if (!pattern)
		return 0;
	for (p = 0; p < pages; p++)
		sum += md_pattern_word((uint64_t)p * page_size, BENCH_SEED) *
		       (2 * p + 1);
	return sum;
}

void fill_files(int fd, int memfd, uint64_t size)
{
	size_t chunk = 1 << 20;
	char *buf = malloc(chunk);
	uint64_t off;

	if (!buf)
		die_errno("malloc");
	for (off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;

		md_pattern_fill(buf, n, off, BENCH_SEED);
		if (pwrite(fd, buf, n, off) != (ssize_t)n)
			die_errno("write() of the pattern to " MD_DEVICE);
		if (memfd >= 0 && pwrite(memfd, buf, n, off) != (ssize_t)n)
			die_errno("write() of the pattern to the memfd");
	}
	free(buf);
}

void check_pattern(const void *map, size_t len, uint64_t off, const char *what)
{
	long long bad = md_pattern_check(map, len, off, BENCH_SEED);
	uint64_t got;

	if (bad < 0)
		return;
	got = *(const uint64_t *)((const char *)map + (bad & ~7LL));
	die("%s: byte %llu of the buffer holds word %#llx, the pattern says %#llx",
	    what, (unsigned long long)(off + bad), (unsigned long long)got,
	    (unsigned long long)md_pattern_word(off + (bad & ~7LL), BENCH_SEED));
}

void check_written(const struct sizectx *sc, enum target t, bool shared,
		   void *map, uint64_t token, const char *what)
{
	char *base = map;
	size_t i, p, step = sc->pages > 64 ? sc->pages / 64 : 1;

	for (p = 0; p < sc->pages; p++) {
		uint64_t w = *(uint64_t *)(base + p * page_size);

		if (w != write_word(p, token))
			die("%s: page %zu reads %#llx through the mapping after the write, not %#llx",
			    what, p, (unsigned long long)w,
			    (unsigned long long)write_word(p, token));
	}
	if (!target_has_pattern(t))
		return;
	/* 65 pages of the file: a shared write reaches it, a private one not. */
	for (i = 0; i <= 64; i++) {
		uint64_t w, want;

		p = i < 64 ? i * step : sc->pages - 1;	/* and the last page */
		if (p >= sc->pages)
			continue;
		w = target_file_word(sc, t, p);
		want = shared ? write_word(p, token) :
			md_pattern_word((uint64_t)p * page_size, BENCH_SEED);
		if (w != want)
			die("%s: pread() of page %zu gives %#llx after a %s write, not %#llx",
			    what, p, (unsigned long long)w,
			    shared ? "shared" : "private",
			    (unsigned long long)want);
	}
	if (!shared)
		return;
	for (p = 0; p < sc->pages; p++)
		*(uint64_t *)(base + p * page_size) =
			md_pattern_word((uint64_t)p * page_size, BENCH_SEED);
}
