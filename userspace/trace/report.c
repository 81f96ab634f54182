// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-trace: print what summary.c gathered, one "key: value" line
 * each, for people and for scripts (scripts/guest-check.d/50-trace,
 * scripts/fault-path-doc).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"

static const char *meta(const struct summary *s, const char *key, char *buf,
			size_t len)
{
	int i;

	for (i = 0; i < s->nmeta; i++)
		if (!tr_field(s->meta[i], key, buf, len))
			return buf;
	snprintf(buf, len, "?");
	return buf;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void print_times(FILE *out, const char *key, double *v, int n)
{
	double sum = 0;
	int i;

	if (!n) {
		fprintf(out, "%s: none\n", key);
		return;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	for (i = 0; i < n; i++)
		sum += v[i];
	fprintf(out, "%s: n=%d min=%.1f median=%.1f mean=%.1f max=%.1f us\n",
		key, n, v[0], v[n / 2], sum / n, v[n - 1]);
}

static void print_paths(FILE *out, const char *key, const struct chain *set,
			const char *none)
{
	int i;

	if (!set[0].count)
		fprintf(out, "%s: %s\n", key, none);
	for (i = 0; i < MAX_CHAINS && set[i].count; i++)
		fprintf(out, "%s: %s (%d)\n", key, set[i].text, set[i].count);
}

/* Which of do_fault()'s inlined branches each fault took, from what it did. */
static void print_branches(FILE *out, const struct summary *s, bool shared)
{
	int rd = 0, cow = 0, sh = 0, wp = 0, i;

	for (i = 0; i < s->nfaults; i++) {
		const struct fault *f = &s->faults[i];

		if (f->do_wp_page)
			wp++;
		else if (f->do_fault && !f->write)
			rd++;
		else if (f->do_fault)
			shared ? sh++ : cow++;
	}
	fprintf(out, "do_fault branch: do_read_fault=%d do_shared_fault=%d "
		"do_cow_fault=%d do_wp_page=%d\n", rd, sh, cow, wp);
}

static void print_locking(FILE *out, const struct summary *s, bool vma_traced)
{
	int hmf = 0, tried = 0, retried = 0, mmap_only = 0, vl = 0, ml = 0, i;
	double *t = malloc((s->nfaults + 1) * sizeof(*t));

	for (i = 0; i < s->nfaults; i++) {
		const struct fault *f = &s->faults[i];

		hmf += f->hmf;
		vl += f->vma_lock;
		ml += f->mmap_lock;
		tried += f->vma_lock > 0;
		retried += f->vma_lock > 0 && f->mmap_lock > 0 && f->hmf > 1;
		mmap_only += f->mmap_lock > 0 && f->hmf == 1;
		t[i] = f->time_us;
	}
	fprintf(out, "handle_mm_fault calls: %d\n", hmf);
	fprintf(out, "vma lookups: lock_vma_under_rcu=%d lock_mm_and_find_vma=%d\n",
		vl, ml);
	if (vma_traced)
		fprintf(out, "vma lock: tried=%d retried_under_mmap_lock=%d "
			"mmap_lock_only=%d\n", tried, retried, mmap_only);
	else
		fprintf(out, "vma lock: not traced (no lock_vma_under_rcu on this kernel)\n");
	fprintf(out, "driver ran under the vma lock: %d of %d ->fault calls\n",
		s->drv_vmalock, s->drv_faults);
	print_times(out, "time per fault", t, s->nfaults);
	free(t);
}

static void print_pages(FILE *out, const struct summary *s, long npages)
{
	long i, j, *per = calloc(npages > 0 ? npages : 1, sizeof(*per));
	int in = 0;

	for (i = 0; i < s->nfaults; i++)
		if (s->faults[i].page < npages) {
			per[s->faults[i].page]++;
			in++;
		}
	fprintf(out, "faults: %d on %ld pages (%.2f per page)\n", in, npages,
		npages ? (double)in / npages : 0.0);
	fprintf(out, "faults per page:");
	for (i = 0; i < npages; i = j) {
		for (j = i + 1; j < npages && per[j] == per[i]; j++)
			;
		if (j - i > TR_LONG_RUN) {
			fprintf(out, " %ld-%ld:%ld", i, j - 1, per[i]);
		} else {
			fprintf(out, " %ld:%ld", i, per[i]);
			j = i + 1;
		}
	}
	fprintf(out, "\nother faults: %d (not on the mapping)\n", s->other_faults);
	free(per);
}

/*
 * huge mode: the faults in the mapping's first 2 MiB, the window the run
 * chose for its PMD, and in the pages after it, which ->fault maps.
 */
static void print_window(FILE *out, const struct summary *s, long npages)
{
	long win = TR_PMD_SIZE / s->page_size, in = 0, past = 0, i;

	for (i = 0; i < s->nfaults; i++) {
		if (s->faults[i].page < win)
			in++;
		else if (s->faults[i].page < npages)
			past++;
	}
	fprintf(out, "faults in the 2 MiB window: %ld on %ld pages (mapping %s)\n",
		in, win, !s->mapped ? "not seen" : s->start % TR_PMD_SIZE ?
		"not 2 MiB-aligned" : "2 MiB-aligned");
	fprintf(out, "faults past the window: %ld on %ld pages\n", past,
		npages > win ? npages - win : 0);
}

void sm_print(FILE *out, struct summary *s, const char *path)
{
	char name[64], mode[32], map[32], pages[32], touch[32], kernel[96],
	     graph[256], results[1100], err[64];
	bool shared;
	int i;

	meta(s, "name", name, sizeof(name));
	meta(s, "mode", mode, sizeof(mode));
	meta(s, "map", map, sizeof(map));
	meta(s, "pages", pages, sizeof(pages));
	meta(s, "touch", touch, sizeof(touch));
	shared = !strcmp(map, "shared");
	fprintf(out, "== %s: %s mode, MAP_%s, %s %s pages ==\n", name, mode,
		shared ? "SHARED" : "PRIVATE", touch, pages);
	fprintf(out, "kernel: %s\n", meta(s, "kernel", kernel, sizeof(kernel)));
	fprintf(out, "trace: %s\n", path);
	fprintf(out, "graph functions: %s\n", meta(s, "graph", graph, sizeof(graph)));
	if (strcmp(meta(s, "mmap_error", err, sizeof(err)), "?"))
		fprintf(out, "mmap: failed with %s\n", err);
	else
		fprintf(out, "mmap: %s\n", s->mapped ? s->mmap_fields : "no mmapdemo_mmap event");
	meta(s, "results", results, sizeof(results));
	fprintf(out, "results: %s (one per touch: o ok, B SIGBUS, S SIGSEGV%s)\n",
		results, strchr(results, '*') ? "; o*N: N in a row" : "");
	print_pages(out, s, atol(pages));
	if (!strcmp(mode, "huge"))
		print_window(out, s, atol(pages));
	fprintf(out, "driver faults: %d (LOCKED=%d SIGBUS=%d WRITE=%d)\n",
		s->drv_faults, s->drv_locked, s->drv_sigbus, s->drv_write);
	fprintf(out, "driver map_pages: %d (pages mapped=%d)\n", s->map_pages,
		s->map_pages_mapped);
	fprintf(out, "driver huge_fault: %d (NOPAGE=%d FALLBACK=%d)\n",
		s->huge_faults, s->huge_nopage, s->huge_fallback);
	fprintf(out, "signals sent: %d\n", s->signals);
	if (tr_is_mmap_top(graph)) {
		fprintf(out, "fault path: not traced (--mmap-graph: the graph is "
			"the mmap() call's)\n");
		print_paths(out, "mmap chain", s->mmap_chains,
			    "none (mmap() did not call the driver)");
	} else {
		print_paths(out, "chain", s->chains, "none (no fault reached the driver)");
		print_branches(out, s, shared);
		print_paths(out, "pte update", s->ptes, "none in a fault");
		print_paths(out, "pmd update", s->pmds, "none in a fault");
		print_locking(out, s, strstr(graph, "lock_vma_under_rcu") != NULL);
		print_times(out, "driver fault handler", s->drv_us, s->ndrv_us);
		fprintf(out, "mmap chain: not traced (record with --mmap-graph)\n");
	}
	print_paths(out, "mmap-time pte setup", s->mmap_ptes, "none");
	if (s->mmap_us > 0)
		fprintf(out, "mmap-time pte setup time: %.1f us\n", s->mmap_us);
	if (s->mmap_call_us > 0)
		fprintf(out, "mmap() time: %.1f us (do_mmap)\n", s->mmap_call_us);
	fprintf(out, "vma events: open=%d close=%d\n", s->vma_open, s->vma_close);
	for (i = 0; i < s->nmeta; i++)
		if (!strncmp(s->meta[i], "counters ", 9))
			fprintf(out, "counters: %s (/sys/class/misc/mmapdemo/counters/)\n",
				s->meta[i] + 9);
}

