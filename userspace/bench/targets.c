// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-bench: the targets of issue 5, judged on the figures of this
 * run. Ratios and counts only, never absolute times:
 *   1. faultaround, sequential first read: at most 1 fault per 16 pages;
 *   2. faultaround first read no slower per page than shmem's first read
 *      of resident pages (1 MiB and more);
 *   3. memcpy() from a mapping at least 1.5x read() (1 MiB and more);
 *   4. remap and insert: no fault after mmap() (reads, shared writes;
 *      remap at the sizes it maps: with mmap_prepare, one run);
 *   5. from 6.4 on (per-VMA locks): faultaround faults stay off
 *      mmap_lock, fault mode's retry under it.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "bench.h"

#define MiB	(1ULL << 20)

static struct touch_result *touch;
static size_t ntouch, captouch;

/* faultaround/shmem per size, paired per repetition. */
static struct {
	uint64_t size;
	double ratio;
} fa_shmem[MAX_SIZES];
static unsigned int nfa_shmem;

/* The lowest mapped/read() ratios at 1 MiB and more, and where. */
static struct worst {
	bool seen;
	uint64_t size;
	double ratio;
	const char *mapping;	/* of the mapped side, at that size */
} copy_worst, sum_worst, page_worst;

static struct {
	bool seen;
	double fa_faults_pp, fa_lock, fault_lock;
} lock;

void targets_touch(const struct touch_result *r)
{
	if (ntouch == captouch) {
		captouch = captouch ? 2 * captouch : 256;
		touch = realloc(touch, captouch * sizeof(*touch));
		if (!touch)
			die_errno("realloc");
	}
	touch[ntouch++] = *r;
}

static void lowest(struct worst *w, uint64_t size, double ratio,
		   const char *mapping)
{
	if (size < MiB)
		return;
	if (!w->seen || ratio < w->ratio) {
		w->seen = true;
		w->size = size;
		w->ratio = ratio;
		w->mapping = mapping;
	}
}

void targets_touch_ratio(uint64_t size, double ratio)
{
	if (nfa_shmem < MAX_SIZES) {
		fa_shmem[nfa_shmem].size = size;
		fa_shmem[nfa_shmem++].ratio = ratio;
	}
}

void targets_copy(uint64_t size, const char *mapping, double memcpy_ratio,
		  double sum_ratio, double vs_page_reads)
{
	lowest(&copy_worst, size, memcpy_ratio, mapping);
	lowest(&sum_worst, size, sum_ratio, mapping);
	lowest(&page_worst, size, vs_page_reads, mapping);
}

void targets_lock(enum target t, bool shared, bool write, double faults_pp,
		  double mmap_lock_per_fault)
{
	if (!shared || write)
		return;
	lock.seen = true;
	if (t == T_FAULTAROUND) {
		lock.fa_faults_pp = faults_pp;
		lock.fa_lock = mmap_lock_per_fault;
	} else if (t == T_FAULT) {
		lock.fault_lock = mmap_lock_per_fault;
	}
}

static const struct touch_result *find(enum target t, bool shared,
				       bool random, bool write, uint64_t size)
{
	size_t i;

	for (i = 0; i < ntouch; i++)
		if (touch[i].target == t && touch[i].shared == shared &&
		    touch[i].random == random && touch[i].write == write &&
		    touch[i].size == size)
			return &touch[i];
	return NULL;
}

/* The same at the largest size that has it (remap may not map them all). */
static const struct touch_result *find_largest(enum target t, bool shared,
					       bool random, bool write)
{
	const struct touch_result *r = NULL;
	size_t i;

	for (i = 0; i < ntouch; i++)
		if (touch[i].target == t && touch[i].shared == shared &&
		    touch[i].random == random && touch[i].write == write &&
		    (!r || touch[i].size > r->size))
			r = &touch[i];
	return r;
}

static uint64_t largest_size(void)
{
	uint64_t max = 0;
	size_t i;

	for (i = 0; i < ntouch; i++)
		if (touch[i].size > max)
			max = touch[i].size;
	return max;
}

static struct csv *csv;
static int missed;

static void verdict(const char *name, double measured, const char *op,
		    double limit, const char *detail)
{
	bool met = !strcmp(op, "<=") ? measured <= limit : measured >= limit;

	printf("%-58s %10.5f %2s %-8.5g %-6s %s\n", name, measured, op, limit,
	       met ? "met" : "MISSED", detail);
	csv_row(csv, "\"%s\",%.5f,%s,%.5f,%s,\"%s\"", name, measured, op, limit,
		met ? "met" : "missed", detail);
	missed += !met;
}

/* Kernels from 6.4 have per-VMA locks; the lock target needs them. */
static bool has_per_vma_lock(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 4);
}

int targets_report(void)
{
	uint64_t max = largest_size();
	const struct touch_result *fa, *sh;
	char detail[200];
	size_t i;

	table_title("targets of issue 5 (this run)");
	csv = csv_open("targets", "target,measured,op,limit,verdict,detail");
	printf("%-58s %10s %2s %-8s %-6s %s\n", "target", "measured", "", "limit",
	       "", "detail");

	fa = find(T_FAULTAROUND, true, false, false, max);
	if (fa) {
		/*
		 * The windows are aligned to 16 pages of virtual address: a
		 * mapping that does not start on one spans one window more.
		 */
		double pages = (double)max / page_size;

		snprintf(detail, sizeof(detail),
			 "%s: 1 fault per %.2f pages (limit: 1/16, plus one window for an unaligned start); driver ->fault %.5f/page",
			 size_str(max), fa->minflt_touch_pp > 0 ? 1 / fa->minflt_touch_pp : 0,
			 fa->drv_faults_pp);
		verdict("faultaround seq. first read: faults per page",
			fa->minflt_touch_pp, "<=", (pages / 16 + 1) / pages, detail);
	}

	/* The worst ratio over the sizes of 1 MiB and more. */
	{
		double worst = 0, at_max = 0;
		uint64_t at = 0;
		unsigned int k;

		for (k = 0; k < nfa_shmem; k++) {
			if (fa_shmem[k].size < MiB)
				continue;
			if (fa_shmem[k].ratio > worst) {
				worst = fa_shmem[k].ratio;
				at = fa_shmem[k].size;
			}
			if (fa_shmem[k].size == max)
				at_max = fa_shmem[k].ratio;
		}
		if (at) {
			fa = find(T_FAULTAROUND, true, false, false, max);
			sh = find(T_SHMEM, true, false, false, max);
			snprintf(detail, sizeof(detail),
				 "median of per-repetition ratios; worst at %s; at %s: %.3f (medians %.0f against %.0f ns/page)",
				 size_str(at), size_str(max), at_max,
				 fa ? fa->touch_pp : 0, sh ? sh->touch_pp : 0);
			verdict("faultaround / shmem first-read cost per page (>=1M)",
				worst, "<=", 1.0, detail);
		}
	}

	if (copy_worst.seen) {
		snprintf(detail, sizeof(detail),
			 "lowest at %s (%s mapping), %s chunks; against 4K read()s %.2fx (at %s); summed in place against read()+sum %.2fx (at %s)",
			 size_str(copy_worst.size), copy_worst.mapping,
			 size_str(opt.chunk),
			 page_worst.ratio, size_str(page_worst.size),
			 sum_worst.ratio, size_str(sum_worst.size));
		verdict("memcpy from mapping / read() throughput (>=1M)",
			copy_worst.ratio, ">=", 1.5, detail);
	}

	{
		double worst = 0;
		const struct touch_result *r, *i2;

		for (i = 0; i < ntouch; i++) {
			r = &touch[i];
			if (r->target != T_REMAP && r->target != T_INSERT)
				continue;
			if (r->write && !r->shared)
				continue;	/* copy on write faults by design */
			if (r->minflt_touch_pp > worst)
				worst = r->minflt_touch_pp;
			if (r->drv_faults_pp > worst)
				worst = r->drv_faults_pp;
		}
		r = find_largest(T_REMAP, true, false, false);
		i2 = find(T_INSERT, true, false, false, max);
		if (r && i2 && r->size == max)
			snprintf(detail, sizeof(detail),
				 "populating in mmap() at %s: remap %.1f, insert %.1f ns/page",
				 size_str(max), r->mmap_pp, i2->mmap_pp);
		else if (r && i2)
			snprintf(detail, sizeof(detail),
				 "populating in mmap() at %s: insert %.1f ns/page; remap %.1f at %s, the largest size it mapped (mmap_prepare: one run only)",
				 size_str(max), i2->mmap_pp, r->mmap_pp,
				 size_str(r->size));
		else if (i2)
			snprintf(detail, sizeof(detail),
				 "populating in mmap() at %s: insert %.1f ns/page; remap mapped no size (mmap_prepare: one run only)",
				 size_str(max), i2->mmap_pp);
		if (i2)
			verdict("remap and insert: faults per page after mmap()",
				worst, "<=", 0, detail);
	}

	if (lock.seen && has_per_vma_lock()) {
		snprintf(detail, sizeof(detail),
			 "fault mode: %.3f mmap_lock per fault (retries); faultaround %.4f faults/page",
			 lock.fault_lock, lock.fa_faults_pp);
		verdict("faultaround: mmap_lock acquisitions per fault (6.4+)",
			lock.fa_lock, "<=", 0.01, detail);
	} else if (lock.seen) {
		printf("%-58s %10.4f    (no per-VMA locks before 6.4: every fault takes mmap_lock)\n",
		       "faultaround: mmap_lock acquisitions per fault", lock.fa_lock);
	}
	csv_close(csv);
	return missed;
}
