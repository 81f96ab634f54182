// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-bench, family "touch": the cost of mmap() and of touching
 * every page once, for each mapping mode and anchor, shared and private,
 * sequential and random, read and write, with the page faults it took
 * (getrusage) and what the driver counted. Each repetition runs every
 * combination once, so that drift in the machine's speed hits them all.
 * The "/remap" column is each combination against remap, shared, of the
 * same order and access; where remap cannot map the whole buffer (with
 * mmap_prepare, a buffer of several runs) against insert, shared, the
 * other mode that populates in mmap(), and a line and the CSV say so.
 * huge is set against anon-thp (first touch) and fault (mmap()), paired
 * per repetition too; where the driver does not take huge its rows say
 * "not run" and why.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"

struct combo {
	enum target target;
	bool shared, random, write;
	bool unsupported;	/* remap that cannot map this buffer */
	const char *not_run;	/* huge where the driver does not take it */
	bool checked;		/* bytes checked in full once */
	struct series mmap, touch, total, munmap;
	struct series minflt_mmap, minflt_touch, drv_faults, drv_mapped;
	struct series huge_pmds;	/* PMDs ->huge_fault mapped (sysfs) */
};

#define MAX_COMBOS	(NR_TARGETS * 8)

static struct csv *csv;

void touch_begin(void)
{
	csv = csv_open("touch",
		       "size,pages,target,share,order,access,reps,mmap_ns,touch_ns,total_ns,munmap_ns,"
		       "mmap_ns_per_page,touch_ns_per_page,total_ns_per_page,munmap_ns_per_page,"
		       "minflt_mmap_per_page,minflt_touch_per_page,drv_faults_per_page,drv_mapped_per_page,"
		       "total_vs_remap,anchor,folios,huge_pmds,note");
	table_title("first touch: mmap() and one access to every page (ns per page, medians)");
	printf("total = mmap + touch; /remap = median over the repetitions of total\n"
	       "against remap (shared) of the same order and access; flt = getrusage\n"
	       "minor faults of the touch; drvflt = ->fault calls, mapped = pages the\n"
	       "driver mapped itself (map_pages, remap, insert, huge PMDs), both per\n"
	       "page; pmds = PMDs ->huge_fault mapped (counters/huge_pmds), a count.\n");
	if (md_mmap_prepare())
		printf("mmap_prepare: a remap mapping must be one contiguous run; at a size\n"
		       "where the buffer is several, /remap is against insert (shared), and\n"
		       "a line before the size's rows says so.\n");
	printf("\n");
	printf("%-5s %-13s %-7s %-4s %-5s %4s %9s %9s %9s %7s %9s %8s %8s %8s %5s\n",
	       "size", "target", "share", "ord", "acc", "reps", "mmap/pg",
	       "touch/pg", "total/pg", "/remap", "unmap/pg", "flt/pg", "drvflt",
	       "mapped", "pmds");
}

void touch_end(void)
{
	csv_close(csv);
}

static const char *combo_name(const struct sizectx *sc, const struct combo *c)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s %s %s %s %s", size_str(sc->size),
		 target_name(c->target), c->shared ? "shared" : "private",
		 c->random ? "random" : "sequential", c->write ? "write" : "read");
	return buf;
}

/* counters/huge_pmds, or -1 where the driver has no such file. */
static long huge_pmds(void)
{
	char text[32];

	if (md_read_text(MD_SYSFS "/counters/huge_pmds", text, sizeof(text)))
		return -1;
	return strtol(text, NULL, 10);
}

static void run_once(struct sizectx *sc, struct combo *c, unsigned int rep)
{
	const uint32_t *order = c->random ? sc->random_order : NULL;
	uint64_t token = 0xa5a5a5a500000000ULL | (rep << 8) | c->target;
	bool device = target_is_device(c->target);
	struct mmapdemo_info info;
	uint64_t t0, t1, t2, t3, t4, t5, sum = 0;
	long f0, f1, f2, pmds = 0;
	void *map;
	double pages = (double)sc->pages;

	target_prepare(sc, c->target);
	if (device && md_reset_counters(sc->fd))
		die_errno("MMAPDEMO_IOC_RESET_COUNTERS");
	f0 = md_minflt();
	t0 = now_ns();
	map = target_map(sc, c->target, c->shared);
	t1 = now_ns();
	if (map == MAP_FAILED)
		die("mmap of %s: %s", combo_name(sc, c), strerror(errno));
	f1 = md_minflt();
	t2 = now_ns();
	if (c->write)
		touch_write(map, order, 0, sc->pages, token);
	else
		sum = touch_read(map, order, 0, sc->pages);
	t3 = now_ns();
	f2 = md_minflt();
	if (device && md_info(sc->fd, &info))
		die_errno("MMAPDEMO_IOC_GET_INFO");
	if (device)
		pmds = huge_pmds();

	if (c->write) {
		check_written(sc, c->target, c->shared, map, token,
			      combo_name(sc, c));
	} else {
		uint64_t want = target_has_pattern(c->target) ?
				sc->expect_pattern : 0;

		if (sum != want)
			die("%s: the pages read back wrong (weighted sum %#llx, expected %#llx)",
			    combo_name(sc, c), (unsigned long long)sum,
			    (unsigned long long)want);
		if (!c->checked && target_has_pattern(c->target) &&
		    sc->size <= opt.full_check_max) {
			check_pattern(map, sc->size, 0, combo_name(sc, c));
			c->checked = true;
		}
	}

	t4 = now_ns();
	if (munmap(map, sc->size))
		die_errno("munmap");
	t5 = now_ns();

	series_add(&c->mmap, (double)(t1 - t0));
	series_add(&c->touch, (double)(t3 - t2));
	series_add(&c->total, (double)(t1 - t0 + t3 - t2));
	series_add(&c->munmap, (double)(t5 - t4));
	series_add(&c->minflt_mmap, (f1 - f0) / pages);
	series_add(&c->minflt_touch, (f2 - f1) / pages);
	if (device) {
		const struct mmapdemo_counters *k = &info.counters;

		series_add(&c->drv_faults, k->faults / pages);
		series_add(&c->drv_mapped, (k->faultaround_pages +
					    k->remap_pages + k->insert_pages +
					    (pmds > 0 ? pmds : 0) *
					    (double)HUGE_PAGES) / pages);
		if (pmds >= 0)
			series_add(&c->huge_pmds, (double)pmds);
	}
}

static struct combo *find_combo(struct combo *combos, unsigned int n,
				enum target t, bool shared, bool random,
				bool write)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (combos[i].target == t && combos[i].shared == shared &&
		    combos[i].random == random && combos[i].write == write)
			return &combos[i];
	return NULL;
}

static void emit(const struct sizectx *sc, const struct combo *c,
		 const struct combo *anchor)
{
	double pages = (double)sc->pages;
	bool device = target_is_device(c->target);
	struct touch_result r = {
		.target = c->target,
		.shared = c->shared,
		.random = c->random,
		.write = c->write,
		.size = sc->size,
		.mmap_pp = series_median(&c->mmap) / pages,
		.touch_pp = series_median(&c->touch) / pages,
		.total_pp = series_median(&c->total) / pages,
		.minflt_touch_pp = series_median(&c->minflt_touch),
		.drv_faults_pp = device ? series_median(&c->drv_faults) : -1,
	};
	double munmap_pp = series_median(&c->munmap) / pages;
	/* Against the anchor, same order and access, in the same run. */
	double vs_remap = anchor ? paired_median(&c->total, &anchor->total) : 0;
	double mapped = device ? series_median(&c->drv_mapped) : -1;
	char drv[16] = "-", map[16] = "-", pmds[16] = "-";

	if (device) {
		snprintf(drv, sizeof(drv), "%.4f", r.drv_faults_pp);
		snprintf(map, sizeof(map), "%.4f", mapped);
	}
	if (device && c->huge_pmds.n)
		snprintf(pmds, sizeof(pmds), "%.0f", series_median(&c->huge_pmds));
	printf("%-5s %-13s %-7s %-4s %-5s %4u %9.0f %9.0f %9.0f %7.2f %9.0f %8.4f %8s %8s %5s\n",
	       size_str(sc->size), target_name(c->target),
	       c->shared ? "shared" : "private", c->random ? "rand" : "seq",
	       c->write ? "write" : "read", c->mmap.n, r.mmap_pp, r.touch_pp,
	       r.total_pp, vs_remap, munmap_pp, r.minflt_touch_pp, drv, map,
	       pmds);
	csv_row(csv, "%llu,%zu,%s,%s,%s,%s,%u,%.0f,%.0f,%.0f,%.0f,%.2f,%.2f,%.2f,%.2f,%.5f,%.5f,%s,%s,%.4f,%s,%ld,%s,",
		(unsigned long long)sc->size, sc->pages, target_name(c->target),
		c->shared ? "shared" : "private", c->random ? "random" : "seq",
		c->write ? "write" : "read", c->mmap.n,
		series_median(&c->mmap), series_median(&c->touch),
		series_median(&c->total), series_median(&c->munmap),
		r.mmap_pp, r.touch_pp, r.total_pp, munmap_pp,
		series_median(&c->minflt_mmap), r.minflt_touch_pp,
		device ? drv : "", device ? map : "", vs_remap,
		anchor ? target_name(anchor->target) : "", sc->folios,
		strcmp(pmds, "-") ? pmds : "");
	targets_touch(&r);
}

/* A combination that cannot run here: a line, and a CSV row saying why. */
static void emit_not_run(const struct sizectx *sc, const struct combo *c)
{
	const char *share = c->shared ? "shared" : "private";
	const char *order = c->random ? "random" : "seq";
	const char *access = c->write ? "write" : "read";

	if (!c->random && !c->write)
		printf("%-5s %-13s %-7s (not run: %s)\n", size_str(sc->size),
		       target_name(c->target), share, c->not_run);
	csv_row(csv, "%llu,%zu,%s,%s,%s,%s,0,,,,,,,,,,,,,,,%ld,,\"not run: %s\"",
		(unsigned long long)sc->size, sc->pages, target_name(c->target),
		share, order, access, sc->folios, c->not_run);
}

/*
 * faultaround's first sequential read against shmem's, as the median of
 * the ratios of the two in each repetition: a slow moment of the machine
 * then hits both sides of a ratio, not one side of the medians.
 */
static void paired_ratio(const struct sizectx *sc, struct combo *combos,
			 unsigned int n)
{
	struct combo *fa = find_combo(combos, n, T_FAULTAROUND, true, false, false);
	struct combo *sh = find_combo(combos, n, T_SHMEM, true, false, false);
	double ratio;

	if (!fa || !sh)
		return;
	ratio = paired_median(&fa->touch, &sh->touch);
	printf("%-5s faultaround/shmem first sequential read, median of per-repetition ratios: %.3f\n",
	       size_str(sc->size), ratio);
	targets_touch_ratio(sc->size, ratio);
}

/*
 * The median over the repetitions, and over the combinations of share,
 * order and access that both have, of @a's mmap() against @b's: one
 * mmap() is a few microseconds, where one interrupt shows, so pool them.
 */
static double pooled_mmap_ratio(struct combo *combos, unsigned int n,
				enum target a, enum target b,
				unsigned int *pairs)
{
	struct series ratio = { 0 };
	struct combo *x, *y;
	unsigned int i, k;

	for (i = 0; i < n; i++) {
		x = &combos[i];
		if (x->target != a || x->not_run)
			continue;
		y = find_combo(combos, n, b, x->shared, x->random, x->write);
		if (!y)
			continue;
		for (k = 0; k < x->mmap.n && k < y->mmap.n; k++)
			series_add(&ratio, x->mmap.v[k] / y->mmap.v[k]);
	}
	*pairs = ratio.n;
	return series_median(&ratio);
}

/*
 * huge (shared) against anon-thp, mmap() + first touch, paired per
 * repetition; its mmap() against fault's, and faultaround's against
 * fault's as the control: the same work, so its distance from 1 is noise.
 */
static void huge_ratios(const struct sizectx *sc, struct combo *combos,
			unsigned int n)
{
	struct huge_result h = { .size = sc->size, .folios = sc->folios };
	struct combo *hg, *thp;
	unsigned int o, w, pairs;

	for (o = 0; o < 2; o++)
		for (w = 0; w < 2; w++) {
			hg = find_combo(combos, n, T_HUGE, true, o, w);
			thp = find_combo(combos, n, T_ANON_THP, false, o, w);
			if (!hg || hg->not_run || !thp)
				return;
			h.vs_thp[o][w] = paired_median(&hg->total, &thp->total);
		}
	h.mmap_vs_fault = pooled_mmap_ratio(combos, n, T_HUGE, T_FAULT, &pairs);
	h.mmap_pairs = pairs;
	h.mmap_control = pooled_mmap_ratio(combos, n, T_FAULTAROUND, T_FAULT,
					   &pairs);
	printf("%-5s huge (shared) / anon-thp, mmap() + first touch, median of per-repetition ratios: seq read %.3f, seq write %.3f, random read %.3f, random write %.3f\n",
	       size_str(sc->size), h.vs_thp[0][0], h.vs_thp[0][1],
	       h.vs_thp[1][0], h.vs_thp[1][1]);
	printf("%-5s mmap() huge / fault, median of %u per-repetition pairs: %.3f (faultaround / fault, the same work: %.3f); %ld 2 MiB folios in the buffer\n",
	       size_str(sc->size), h.mmap_pairs, h.mmap_vs_fault,
	       h.mmap_control, sc->folios);
	targets_huge(&h);
}

void touch_size(struct sizectx *sc)
{
	struct combo *combos = calloc(MAX_COMBOS, sizeof(*combos));
	enum target anchor = target_anchor(sc);
	unsigned int n = 0, i, rep;
	int t, s, o, w;

	if (!combos)
		die_errno("calloc");
	for (t = 0; t < NR_TARGETS; t++)
		for (s = 1; s >= 0; s--)
			for (o = 0; o < 2; o++)
				for (w = 0; w < 2; w++) {
					if (!target_has_share(t, s))
						continue;
					combos[n].target = t;
					combos[n].shared = s;
					combos[n].random = o;
					combos[n].write = w;
					combos[n].unsupported =
						!target_maps_buffer(sc, t, s);
					combos[n].not_run = target_not_run(t);
					n++;
				}

	for (rep = 0; rep < sc->reps; rep++)
		for (i = 0; i < n; i++)
			if (!combos[i].unsupported && !combos[i].not_run)
				run_once(sc, &combos[i], rep);

	if (anchor != T_REMAP)
		printf("%-5s /remap of this size is against %s (shared): remap cannot map %u runs with mmap_prepare\n",
		       size_str(sc->size), target_name(anchor), sc->segments);
	if (!target_not_run(T_HUGE))
		printf("%-5s the buffer holds %ld 2 MiB folios (of %llu whole 2 MiB windows)\n",
		       size_str(sc->size), sc->folios,
		       (unsigned long long)(sc->pages / HUGE_PAGES));
	for (i = 0; i < n; i++) {
		if (combos[i].not_run) {
			emit_not_run(sc, &combos[i]);
			continue;
		}
		if (combos[i].unsupported) {
			if (!combos[i].random && !combos[i].write)
				printf("%-5s %-13s %-7s (not run: mmap() gives EINVAL, the buffer is %u runs, not one contiguous run)\n",
				       size_str(sc->size), "remap",
				       combos[i].shared ? "shared" : "private",
				       sc->segments);
			continue;
		}
		emit(sc, &combos[i],
		     find_combo(combos, n, anchor, true, combos[i].random,
				combos[i].write));
	}
	paired_ratio(sc, combos, n);
	huge_ratios(sc, combos, n);
	fflush(stdout);
	free(combos);
}
