// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-bench, family "copy": moving the whole buffer through
 * read()/write() on the device against memcpy() from and to a mapping,
 * in chunks of opt.chunk bytes through one user buffer, and consuming it
 * (summing its words) in place through a mapping against read() into a
 * buffer and summing that. The mapping of the warm variants exists
 * already (remap, shared: no fault; insert, shared, where remap cannot map
 * the buffer: with mmap_prepare, several runs); the "cold" ones include
 * mmap(), the faults and munmap(). Cold remap is not run where remap
 * cannot map the buffer: over one run of it, it would move less than the
 * buffer and not be the figure its row names.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

enum copy_op {
	OP_READ,		/* pread() into the user buffer */
	OP_READ_4K,		/* the same, one page per call */
	OP_MAP_READ,		/* memcpy() from a populated mapping */
	OP_COLD_FAULTAROUND,	/* mmap faultaround + memcpy + munmap */
	OP_COLD_REMAP,		/* mmap remap + memcpy + munmap */
	OP_READ_SUM,		/* pread() into the buffer, sum its words */
	OP_MAP_SUM,		/* sum the words in place in the mapping */
	OP_WRITE,		/* pwrite() from the user buffer */
	OP_MAP_WRITE,		/* memcpy() into a populated mapping */
	NR_OPS
};

static const struct {
	const char *name;
	enum copy_op base;	/* what its throughput is compared with */
} ops[NR_OPS] = {
	[OP_READ] = { "read", OP_READ },
	[OP_READ_4K] = { "read-4k", OP_READ },
	[OP_MAP_READ] = { "map-read", OP_READ },
	[OP_COLD_FAULTAROUND] = { "map-read-cold-faultaround", OP_READ },
	[OP_COLD_REMAP] = { "map-read-cold-remap", OP_READ },
	[OP_READ_SUM] = { "read-sum", OP_READ_SUM },
	[OP_MAP_SUM] = { "map-sum", OP_READ_SUM },
	[OP_WRITE] = { "write", OP_WRITE },
	[OP_MAP_WRITE] = { "map-write", OP_WRITE },
};

static struct csv *csv;

/* Keep the compiler from dropping copies into a buffer nobody reads yet. */
#define clobber(p) __asm__ volatile("" : : "r"(p) : "memory")

/* The bytes of the chunk at @off: a whole chunk but maybe the last. */
static size_t span(uint64_t size, uint64_t off, size_t chunk)
{
	return size - off < chunk ? (size_t)(size - off) : chunk;
}

void copy_begin(void)
{
	csv = csv_open("copy", "size,op,chunk,reps,ns,mib_per_s,base,vs_base,mapping");
	table_title("copy: read()/write() against memcpy() with a mapping (MiB/s, medians)");
	if (md_mmap_prepare())
		printf("mmap_prepare: map-read, map-sum and map-write use a remap mapping where\n"
		       "the buffer is one contiguous run, else an insert one; a line before\n"
		       "the size's rows says which (the CSV's mapping column too).\n\n");
	printf("%-5s %-26s %6s %4s %12s %9s %8s %s\n", "size", "op", "chunk",
	       "reps", "ns", "MiB/s", "vs base", "base");
}

void copy_end(void)
{
	csv_close(csv);
}

static uint64_t sum_words(const void *p, size_t n)
{
	const uint64_t *w = p;
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < n / 8; i++)
		s += w[i];
	return s;
}

static void copy_from(char *dst, const char *map, uint64_t size, size_t chunk)
{
	uint64_t off;

	for (off = 0; off < size; off += chunk) {
		memcpy(dst, map + off, span(size, off, chunk));
		clobber(dst);
	}
}

/* read() the whole buffer; with @sum, sum each chunk's words. */
static uint64_t read_all(int fd, char *dst, uint64_t size, size_t chunk,
			 bool sum)
{
	uint64_t off, s = 0;

	for (off = 0; off < size; off += chunk) {
		size_t n = span(size, off, chunk);

		if (pread(fd, dst, n, off) != (ssize_t)n)
			die_errno("read() from " MD_DEVICE);
		if (sum)
			s += sum_words(dst, n);
	}
	return s;
}

static uint64_t cold_read(const struct sizectx *sc, unsigned int mode,
			  char *dst, size_t chunk)
{
	uint64_t t0 = now_ns(), t1;
	void *map = md_map(sc->fd, mode, sc->size, 0, PROT_READ, true);

	if (map == MAP_FAILED)
		die_errno("mmap for a cold read");
	copy_from(dst, map, sc->size, chunk);
	munmap(map, sc->size);
	t1 = now_ns();
	return t1 - t0;
}

/* Every chunk of the buffer, seen through @map, holds @src. */
static void check_chunks(const char *map, const char *src, uint64_t size,
			 size_t chunk, const char *what)
{
	uint64_t off;

	for (off = 0; off < size; off += chunk)
		if (memcmp(map + off, src, span(size, off, chunk)))
			die("%s of %s: the buffer at offset %llu does not hold what was written",
			    what, size_str(size), (unsigned long long)off);
}

/* The mapping @op reads or writes through, for the CSV; "" for none. */
static const char *op_mapping(enum copy_op op, enum target warm)
{
	switch (op) {
	case OP_MAP_READ:
	case OP_MAP_SUM:
	case OP_MAP_WRITE:
		return target_name(warm);
	case OP_COLD_FAULTAROUND:
		return target_name(T_FAULTAROUND);
	case OP_COLD_REMAP:
		return target_name(T_REMAP);
	default:
		return "";
	}
}

static void timed(struct series *s, uint64_t t0)
{
	series_add(s, (double)(now_ns() - t0));
}

void copy_size(struct sizectx *sc)
{
	size_t chunk = opt.chunk < sc->size ? opt.chunk : sc->size;
	uint64_t last = (sc->size - 1) / chunk * chunk, off, t0, want, got;
	size_t last_n = span(sc->size, last, chunk);
	struct series s[NR_OPS] = { 0 };
	double mibs[NR_OPS];
	char *dst, *src, *map;
	unsigned int rep, op;
	/* The warm mapping: remap, or insert where remap cannot map it all. */
	enum target warm = target_anchor(sc);
	unsigned int warm_mode = warm == T_REMAP ? MMAPDEMO_MODE_REMAP :
				 MMAPDEMO_MODE_INSERT;
	bool cold_remap = target_maps_buffer(sc, T_REMAP, true);
	char what[64];

	dst = aligned_alloc(page_size, chunk);
	src = aligned_alloc(page_size, chunk);
	if (!dst || !src)
		die_errno("aligned_alloc");
	memset(dst, 0, chunk);
	md_pattern_fill(src, chunk, 0, BENCH_SEED + 1);
	snprintf(what, sizeof(what), "mmap (%s, shared) for the copy family",
		 target_name(warm));
	map = md_map(sc->fd, warm_mode, sc->size, 0, PROT_READ | PROT_WRITE,
		     true);
	if (map == MAP_FAILED)
		die_errno(what);

	/* Check every byte both ways once, off the clock. */
	want = 0;
	for (off = 0; off < sc->size; off += chunk) {
		size_t n = span(sc->size, off, chunk);

		if (pread(sc->fd, dst, n, off) != (ssize_t)n)
			die_errno("read() from " MD_DEVICE);
		check_pattern(dst, n, off, "read() from the device");
		want += sum_words(dst, n);
		memset(dst, 0, n);
		memcpy(dst, map + off, n);
		check_pattern(dst, n, off, "memcpy() from the mapping");
	}

	for (rep = 0; rep < sc->reps; rep++) {
		t0 = now_ns();
		read_all(sc->fd, dst, sc->size, chunk, false);
		timed(&s[OP_READ], t0);
		check_pattern(dst, last_n, last, "read() from the device");

		t0 = now_ns();
		read_all(sc->fd, dst, sc->size, page_size, false);
		timed(&s[OP_READ_4K], t0);
		check_pattern(dst, page_size, sc->size - page_size,
			      "read() of single pages from the device");

		t0 = now_ns();
		copy_from(dst, map, sc->size, chunk);
		timed(&s[OP_MAP_READ], t0);
		check_pattern(dst, last_n, last, "memcpy() from the mapping");

		series_add(&s[OP_COLD_FAULTAROUND],
			   (double)cold_read(sc, MMAPDEMO_MODE_FAULTAROUND, dst, chunk));
		check_pattern(dst, last_n, last, "memcpy() from a new faultaround mapping");
		if (cold_remap) {
			series_add(&s[OP_COLD_REMAP],
				   (double)cold_read(sc, MMAPDEMO_MODE_REMAP, dst, chunk));
			check_pattern(dst, last_n, last, "memcpy() from a new remap mapping");
		}

		t0 = now_ns();
		got = read_all(sc->fd, dst, sc->size, chunk, true);
		timed(&s[OP_READ_SUM], t0);
		if (got != want)
			die("read() and sum of %s: %#llx, not %#llx", size_str(sc->size),
			    (unsigned long long)got, (unsigned long long)want);

		t0 = now_ns();
		got = sum_words(map, sc->size);
		timed(&s[OP_MAP_SUM], t0);
		if (got != want)
			die("sum through the mapping of %s: %#llx, not %#llx",
			    size_str(sc->size), (unsigned long long)got,
			    (unsigned long long)want);
	}

	for (rep = 0; rep < sc->reps; rep++) {
		t0 = now_ns();
		for (off = 0; off < sc->size; off += chunk) {
			size_t n = span(sc->size, off, chunk);

			if (pwrite(sc->fd, src, n, off) != (ssize_t)n)
				die_errno("write() to " MD_DEVICE);
		}
		timed(&s[OP_WRITE], t0);
		if (!rep)
			check_chunks(map, src, sc->size, chunk, "write()");
		memset(map, 0, sc->size);

		t0 = now_ns();
		for (off = 0; off < sc->size; off += chunk) {
			memcpy(map + off, src, span(sc->size, off, chunk));
			clobber(map + off);
		}
		timed(&s[OP_MAP_WRITE], t0);
		if (!rep)
			check_chunks(map, src, sc->size, chunk, "memcpy() to the mapping");
	}
	munmap(map, sc->size);
	fill_files(sc->fd, -1, sc->size);

	for (op = 0; op < NR_OPS; op++)
		mibs[op] = (double)sc->size / (1 << 20) /
			   (series_median(&s[op]) / 1e9);
	if (warm != T_REMAP)
		printf("%-5s map-read, map-sum, map-write: an %s mapping (shared); remap cannot map %u runs with mmap_prepare\n",
		       size_str(sc->size), target_name(warm), sc->segments);
	for (op = 0; op < NR_OPS; op++) {
		enum copy_op base = ops[op].base;
		size_t c = op == OP_READ_4K ? page_size : chunk;

		if (op == OP_COLD_REMAP && !cold_remap) {
			printf("%-5s %-26s (not run: a remap mapping of the buffer's %u runs gives EINVAL with mmap_prepare)\n",
			       size_str(sc->size), ops[op].name, sc->segments);
			continue;
		}
		printf("%-5s %-26s %6s %4u %12.0f %9.1f %7.2fx %s\n",
		       size_str(sc->size), ops[op].name, size_str(c), s[op].n,
		       series_median(&s[op]), mibs[op], mibs[op] / mibs[base],
		       ops[base].name);
		csv_row(csv, "%llu,%s,%zu,%u,%.0f,%.2f,%s,%.3f,%s",
			(unsigned long long)sc->size, ops[op].name, c, s[op].n,
			series_median(&s[op]), mibs[op], ops[base].name,
			mibs[op] / mibs[base], op_mapping(op, warm));
	}
	targets_copy(sc->size, target_name(warm),
		     mibs[OP_MAP_READ] / mibs[OP_READ],
		     mibs[OP_MAP_SUM] / mibs[OP_READ_SUM],
		     mibs[OP_MAP_READ] / mibs[OP_READ_4K]);
	fflush(stdout);
	free(dst);
	free(src);
}
