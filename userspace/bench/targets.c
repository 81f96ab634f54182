// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-bench: the targets of issues 5 (1-5) and 15 (6-8), judged on
 * the figures of this run. Ratios and counts only, never absolute times:
 *   1. faultaround, sequential first read: at most 1 fault per 16 pages;
 *   2. faultaround first read no slower per page than shmem's first read
 *      of resident pages (1 MiB and more);
 *   3. memcpy() from a mapping at least 1.5x read() (1 MiB and more);
 *   4. remap and insert: no fault after mmap() (reads, shared writes;
 *      remap at the sizes it maps: with mmap_prepare, one run);
 *   5. from 6.4 on (per-VMA locks): faultaround faults stay off
 *      mmap_lock, fault mode's retry under it;
 *   6. huge, sequential first touch of 64 MiB (else the largest size):
 *      at most 1 fault per 512 pages, edges included;
 *   7. huge first touch (mmap() + touch) per page at most anon-thp's,
 *      the median of per-repetition ratios, same size;
 *   8. mmap() in huge mode no dearer than in fault mode, same size.
 * 6 and 7 are "not judged" where the buffer had no 2 MiB folios or THP
 * is never (no PMDs to measure); 6 to 8 "not run" where the driver does
 * not take huge.
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

static struct huge_result huge[MAX_SIZES];
static unsigned int nhuge;

/* The size targets 6 to 8 are judged at. */
#define HUGE_TARGET_SIZE	(64 * MiB)

/* mmap() of huge against fault's: 1.0, with this much for noise. */
#define HUGE_MMAP_LIMIT		1.15

void targets_huge(const struct huge_result *h)
{
	if (nhuge < MAX_SIZES)
		huge[nhuge++] = *h;
}

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

/* A target with no verdict: @how is "not run" or "not judged". */
static void no_verdict(const char *name, const char *how, const char *why)
{
	printf("%-58s %10s %2s %-8s %-6s %s: %s\n", name, "-", "", "", "", how,
	       why);
	csv_row(csv, "\"%s\",,,,%s,\"%s\"", name, how, why);
}

/* THP "never": the core mm asks no ->huge_fault, so there are no PMDs. */
static bool thp_never(void)
{
	char text[128];

	md_read_text("/sys/kernel/mm/transparent_hugepage/enabled", text,
		     sizeof(text));
	return strstr(text, "[never]") != NULL;
}

static const struct huge_result *huge_at(uint64_t size)
{
	unsigned int k;

	for (k = 0; k < nhuge; k++)
		if (huge[k].size == size)
			return &huge[k];
	return NULL;
}

static const char *const huge_names[] = {
	"huge seq. first touch: faults per page",
	"huge / anon-thp first-touch cost per page",
	"huge / fault mmap() cost",
};

/* Targets 6 and 7, where the buffer has folios to map with PMDs. */
static void judge_huge(const struct huge_result *h, uint64_t size,
		       const char *at)
{
	const struct touch_result *rd, *wr, *prd;
	char detail[300];
	double worst;

	rd = find(T_HUGE, true, false, false, size);
	wr = find(T_HUGE, true, false, true, size);
	prd = find(T_HUGE, false, false, false, size);
	if (rd && wr && prd) {
		worst = rd->minflt_touch_pp;
		if (wr->minflt_touch_pp > worst)
			worst = wr->minflt_touch_pp;
		if (prd->minflt_touch_pp > worst)
			worst = prd->minflt_touch_pp;
		snprintf(detail, sizeof(detail),
			 "%s: worst of shared read %.5f, shared write %.5f, private read %.5f (1 per %.0f pages; private writes copy per page by design)",
			 at, rd->minflt_touch_pp, wr->minflt_touch_pp,
			 prd->minflt_touch_pp, worst > 0 ? 1 / worst : 0);
		verdict(huge_names[0], worst, "<=", 1.0 / HUGE_PAGES, detail);
	}

	worst = h->vs_thp[0][0] > h->vs_thp[0][1] ? h->vs_thp[0][0] :
		h->vs_thp[0][1];
	snprintf(detail, sizeof(detail),
		 "%s: worse of seq read %.3f, seq write %.3f (huge shared, mmap() + touch, per-repetition ratios); random read %.3f, write %.3f",
		 at, h->vs_thp[0][0], h->vs_thp[0][1], h->vs_thp[1][0],
		 h->vs_thp[1][1]);
	verdict(huge_names[1], worst, "<=", 1.0, detail);
}

/* Targets 6 to 8, at 64 MiB or else the largest size of the run. */
static void huge_targets(uint64_t max)
{
	const struct huge_result *h;
	uint64_t size = huge_at(HUGE_TARGET_SIZE) ? HUGE_TARGET_SIZE : max;
	const char *why = target_not_run(T_HUGE);
	char detail[300], at[64];
	unsigned int k;

	if (why) {
		for (k = 0; k < 3; k++)
			no_verdict(huge_names[k], "not run", why);
		return;
	}
	h = huge_at(size);
	if (!h)
		return;		/* the touch family did not run */
	snprintf(at, sizeof(at), "%s%s, %ld 2 MiB folios of %llu", size_str(size),
		 size == HUGE_TARGET_SIZE ? "" : " (64M not in this run)",
		 h->folios, (unsigned long long)(size / (2 * MiB)));

	if (h->folios <= 0 || size < 2 * MiB || thp_never()) {
		snprintf(detail, sizeof(detail), "%s at %s",
			 thp_never() ? "THP is never, no PMDs" :
			 "the buffer had no 2 MiB folios", at);
		no_verdict(huge_names[0], "not judged", detail);
		no_verdict(huge_names[1], "not judged", detail);
	} else {
		judge_huge(h, size, at);
	}

	/* mmap() maps nothing up front, folios or not: always judged. */
	snprintf(detail, sizeof(detail),
		 "%s: median of %u per-repetition pairs over share, order, access; limit 1.0 + %.0f%% for noise; faultaround / fault (the same work) %.3f",
		 at, h->mmap_pairs, (HUGE_MMAP_LIMIT - 1) * 100,
		 h->mmap_control);
	verdict(huge_names[2], h->mmap_vs_fault, "<=", HUGE_MMAP_LIMIT, detail);
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

	table_title("targets of issues 5 (1-5) and 15 (6-8), this run");
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
	huge_targets(max);
	csv_close(csv);
	return missed;
}
