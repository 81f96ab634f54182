/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmapdemo-bench: what its files share. One file per family of
 * measurements (touch.c, copy.c, threads.c, lock.c, resize.c), plus the pieces they
 * use: timing and medians (stats.c), the mappings under test (target.c),
 * page orders, touch loops and byte checks (access.c), table and CSV
 * output (report.c), and the targets of issues 5 and 15 (targets.c).
 */
#ifndef MMAPDEMO_BENCH_H
#define MMAPDEMO_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "libmmapdemo.h"

#define MAX_SIZES	32
#define MAX_REPS	255

/* The options, set once by main.c. */
struct options {
	uint64_t sizes[MAX_SIZES];
	unsigned int nsizes;
	unsigned int reps;		/* repetitions at 1 MiB and more */
	unsigned int families;		/* FAMILY_* bits */
	size_t chunk;			/* read()/write()/memcpy() chunk */
	uint64_t full_check_max;	/* byte-check whole mappings up to this */
	uint64_t threads_min;		/* smallest size of the threads family */
	uint64_t lock_size;		/* size of the lock family's mappings */
	const char *out_dir;		/* CSV files go here, or NULL */
};

#define FAMILY_TOUCH	(1u << 0)
#define FAMILY_COPY	(1u << 1)
#define FAMILY_THREADS	(1u << 2)
#define FAMILY_LOCK	(1u << 3)
#define FAMILY_RESIZE	(1u << 4)
#define FAMILY_ALL	(FAMILY_TOUCH | FAMILY_COPY | FAMILY_THREADS | FAMILY_LOCK | \
			 FAMILY_RESIZE)

extern struct options opt;
extern size_t page_size;

/* The pages of one PMD mapping: 2 MiB. */
#define HUGE_PAGES	((2UL << 20) / page_size)

/* The pattern seed of the buffer's (and the shmem file's) contents. */
#define BENCH_SEED	0x6d6d6170u

/*
 * Everything one buffer size shares: the device resized to @size and
 * filled with the pattern through write(), a shmem file holding the same
 * bytes, and the page orders.
 */
struct sizectx {
	uint64_t size;
	size_t pages;
	int fd;				/* /dev/mmapdemo, O_RDWR */
	int memfd;			/* shmem, same contents */
	uint32_t *random_order;		/* a permutation of the pages */
	uint64_t expect_pattern;	/* touch_read() sum over the pattern */
	unsigned int reps;		/* repetitions at this size */
	unsigned int segments;		/* contiguous runs of the buffer */
	long folios;			/* its 2 MiB folios (sysfs; -1: none) */
	bool mmap_prepare;		/* the driver maps with mmap_prepare */
};

/* stats.c: clocks and medians. */
uint64_t now_ns(void);
struct series {
	double v[MAX_REPS];
	unsigned int n;
};
void series_add(struct series *s, double v);
double series_median(const struct series *s);
/* Median over the repetitions of a->v[i] / b->v[i]. */
double paired_median(const struct series *a, const struct series *b);
unsigned int reps_for_size(uint64_t size);

/* report.c: one CSV file per family, and the printed tables. */
struct csv;
struct csv *csv_open(const char *name, const char *header);
void csv_row(struct csv *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void csv_close(struct csv *c);
void table_title(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *size_str(uint64_t size);	/* "4K", "256M"; rotating buffers */

/* Fail loudly: a wrong byte or a failed call ends the run with status 1. */
void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void die_errno(const char *what) __attribute__((noreturn));

/* target.c: the mappings under test, the driver's modes and anchors. */
enum target {
	T_REMAP,
	T_INSERT,
	T_FAULT,
	T_FAULTAROUND,
	T_HUGE,			/* 7.3: one PMD per 2 MiB folio of the buffer */
	T_ANON,			/* MAP_PRIVATE|MAP_ANONYMOUS, 4 KiB pages */
	T_ANON_POPULATE,	/* the same with MAP_POPULATE */
	T_ANON_THP,		/* anonymous with MADV_HUGEPAGE */
	T_SHMEM,		/* memfd, resident pages, mapped shared */
	NR_TARGETS
};
const char *target_name(enum target t);
bool target_is_device(enum target t);
/*
 * Why @t cannot run here at all (huge where the driver says EOPNOTSUPP),
 * or NULL: its rows are printed as "not run" with this, never dropped.
 */
const char *target_not_run(enum target t);
/* Can @t be mapped shared / private at all? */
bool target_has_share(enum target t, bool shared);
/*
 * Can @t map the whole buffer of @sc? All but remap can. A private remap
 * mapping must be one physically contiguous run of the buffer, and with
 * mmap_prepare (7.3) a shared one too; else mmap() fails with EINVAL.
 */
bool target_maps_buffer(const struct sizectx *sc, enum target t, bool shared);
/*
 * The prepopulated mapping of the whole buffer that the touch family's
 * "/remap" column is against and the copy family's warm mapping is:
 * remap, shared, where it maps the buffer, else insert, shared.
 */
enum target target_anchor(const struct sizectx *sc);
/* Set up what target_map() needs before the clock starts. */
void target_prepare(const struct sizectx *sc, enum target t);
/* mmap() only, so that the caller can time it; MAP_FAILED on failure. */
void *target_map(const struct sizectx *sc, enum target t, bool shared);
/* What a page's first word should read: the pattern, or zero for anon. */
bool target_has_pattern(enum target t);
/* Read the first word of page @page from the file behind @t with pread. */
uint64_t target_file_word(const struct sizectx *sc, enum target t,
			  size_t page);

/* access.c: page orders, touch loops and checks. */
uint32_t *random_order(size_t pages, uint64_t seed);
/* Sum over pages of word * (2 * page + 1), so a misplaced page shows. */
uint64_t touch_read(const void *map, const uint32_t *order, size_t first,
		    size_t count);
void touch_write(void *map, const uint32_t *order, size_t first, size_t count,
		 uint64_t token);
uint64_t expect_read(size_t pages, bool pattern);
/* The word touch_write() stores in page @page. */
static inline uint64_t write_word(size_t page, uint64_t token)
{
	return token ^ ((uint64_t)page * 0x9e3779b97f4a7c15ULL);
}
/* Fill the device (and @memfd if >= 0) with the pattern through write(). */
void fill_files(int fd, int memfd, uint64_t size);
/* Die unless [map, map + len) holds the pattern of buffer offset @off. */
void check_pattern(const void *map, size_t len, uint64_t off, const char *what);
/* After touch_write(): check the mapping and the file, restore shared ones. */
void check_written(const struct sizectx *sc, enum target t, bool shared,
		   void *map, uint64_t token, const char *what);

/* The families; each prints its table and writes its CSV. */
void touch_begin(void);
void touch_size(struct sizectx *sc);
void touch_end(void);
void copy_begin(void);
void copy_size(struct sizectx *sc);
void copy_end(void);
void threads_begin(void);
void threads_size(struct sizectx *sc);
void threads_end(void);
/* The lock family runs once, at opt.lock_size. */
void lock_run(struct sizectx *sc);
/* The resize family runs once, from the size of @sc to @big and back. */
void resize_run(struct sizectx *sc, uint64_t big);

/* targets.c: the figures issue 5 sets limits on, gathered on the way. */
struct touch_result {
	enum target target;
	bool shared, random, write;
	uint64_t size;
	double mmap_pp, touch_pp, total_pp;	/* ns per page */
	double minflt_touch_pp, drv_faults_pp;
};
void targets_touch(const struct touch_result *r);
/* faultaround/shmem first sequential read, paired per repetition. */
void targets_touch_ratio(uint64_t size, double ratio);
/*
 * Mapped throughput over read()'s: memcpy, summing in place, 4K reads,
 * through a shared mapping of mode @mapping ("remap", "insert").
 */
void targets_copy(uint64_t size, const char *mapping, double memcpy_ratio,
		  double sum_ratio, double vs_page_reads);
/* huge against anon-thp and fault at one size, from touch.c. */
struct huge_result {
	uint64_t size;
	long folios;			/* 2 MiB folios of the buffer */
	double vs_thp[2][2];		/* [random][write], total, paired */
	double mmap_vs_fault;		/* mmap() alone, pooled pairs */
	double mmap_control;		/* faultaround / fault, the same */
	unsigned int mmap_pairs;
};
void targets_huge(const struct huge_result *h);
void targets_lock(enum target t, bool shared, bool write, double faults_pp,
		  double mmap_lock_per_fault);
/* Print the verdicts and write targets.csv; returns how many were missed. */
int targets_report(void);

#endif /* MMAPDEMO_BENCH_H */
