// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-stress: changing mappings: partial munmap (head, tail, middle),
 * mremap (grow, shrink, move) and MADV_DONTNEED. README.md: growing a
 * remap/insert mapping is EFAULT, MADV_DONTNEED on a remap mapping EINVAL,
 * and MADV_DONTNEED drops private copies so the buffer shows again.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "stress.h"

/* After munmap, the range must be gone: SIGSEGV (fork lock held exclusively). */
static void check_unmapped(struct worker *w, char *p, const char *what)
{
	void *fa;
	int sig = trap_probe(p, false, &fa);

	if (sig != SIGSEGV)
		fail(w, "read of %p after munmap of the %s: %s, want SIGSEGV", (void *)p,
		     what, sig == SIGBUS ? "SIGBUS" : sig ? "a signal" : "no signal");
	else
		atomic_fetch_add(&w->sh->stats[w->id].sigsegv, 1);
}

void op_munmap(struct worker *w)
{
	struct shared *sh = w->sh;
	struct map *m = pick_map(w, NULL), *m2;
	size_t ps = sh->ps;
	uint32_t n, k, k2;
	unsigned int how;
	char d[160];
	char *p;

	if (!m)
		return;
	n = m->npages;
	how = n == 1 || rng_chance(&w->rng, 25) ? 0 : 1 + rng_below(&w->rng, 3);
	m2 = how == 3 && n >= 3 ? free_map(w) : NULL;
	if (how == 3 && !m2)
		how = 1;
	shape(m, d, sizeof(d));
	switch (how) {
	case 0:	/* all of it */
		hist_add(w, "munmap all of the %s", d);
		if (munmap(m->addr, n * ps)) {
			fail(w, "munmap of the %s: %s", d, strerror(errno));
			return;
		}
		p = m->addr;
		drop_map(w, m);
		check_unmapped(w, p, d);
		return;
	case 1:	/* head */
		k = 1 + rng_below(&w->rng, n - 1);
		hist_add(w, "munmap head %u pages of the %s", k, d);
		if (munmap(m->addr, k * ps)) {
			fail(w, "munmap of the head of the %s: %s", d, strerror(errno));
			return;
		}
		p = m->addr;
		m->addr += k * ps;
		m->pgoff += k;
		m->npages -= k;
		memmove(m->page, m->page + k, m->npages * sizeof(m->page[0]));
		check_unmapped(w, p, d);
		break;
	case 2:	/* tail */
		k = 1 + rng_below(&w->rng, n - 1);
		hist_add(w, "munmap tail %u pages of the %s", k, d);
		if (munmap(m->addr + (n - k) * ps, k * ps)) {
			fail(w, "munmap of the tail of the %s: %s", d, strerror(errno));
			return;
		}
		m->npages -= k;
		check_unmapped(w, m->addr + (n - k) * ps, d);
		break;
	default: /* middle: two VMAs sharing one pin */
		k = 1 + rng_below(&w->rng, n - 2);		/* pages kept at the head */
		k2 = 1 + rng_below(&w->rng, n - k - 1);	/* pages unmapped */
		hist_add(w, "munmap pages %u..%u of the %s", k, k + k2 - 1, d);
		if (munmap(m->addr + k * ps, k2 * ps)) {
			fail(w, "munmap of the middle of the %s: %s", d, strerror(errno));
			return;
		}
		*m2 = *m;
		m2->addr = m->addr + (k + k2) * ps;
		m2->pgoff = m->pgoff + k + k2;
		m2->npages = n - k - k2;
		memmove(m2->page, m->page + k + k2, m2->npages * sizeof(m->page[0]));
		m->npages = k;
		check_unmapped(w, m->addr + k * ps, d);
		if (!atomic_load(&sh->failed))
			check_map_page(w, m2, rng_below(&w->rng, m2->npages));
		break;
	}
	if (!atomic_load(&sh->failed))
		check_map_page(w, m, rng_below(&w->rng, m->npages));
}

void op_mremap(struct worker *w)
{
	struct shared *sh = w->sh;
	struct map *m = pick_map(w, NULL);
	size_t ps = sh->ps;
	uint32_t n, n2;
	unsigned int how;
	char d[160];
	void *q, *r;
	int err;

	if (!m)
		return;
	n = m->npages;
	how = rng_below(&w->rng, 3);
	if (how == 0 && n >= MAX_MAP_PAGES)
		how = 1;
	if (how == 1 && n == 1)
		how = 2;
	shape(m, d, sizeof(d));
	switch (how) {
	case 0:	/* grow, anywhere */
		n2 = n + 1 + rng_below(&w->rng, 8);
		if (n2 > MAX_MAP_PAGES)
			n2 = MAX_MAP_PAGES;
		q = mremap(m->addr, n * ps, n2 * ps, MREMAP_MAYMOVE);
		err = errno;
		hist_add(w, "mremap grow to %u pages the %s -> %p %s", n2, d, q,
			 q == MAP_FAILED ? strerror(err) : "");
		if (prepopulated(m->mode) || m->mode == MMAPDEMO_MODE_HUGE) {
			if (q != MAP_FAILED || err != EFAULT)
				fail(w, "mremap grow of the %s: %s, want EFAULT (VM_DONTEXPAND)",
				     d, q == MAP_FAILED ? strerror(err) : "success");
			return;
		}
		if (q == MAP_FAILED && err == ENOMEM &&
		    known(w, KNOWN_MREMAP_GROW_ENOMEM, "mremap grow in place")) {
			/*
			 * 6.12: growing a VM_SPECIAL (here VM_MIXEDMAP) VMA in
			 * place goes through vma_merge_extend(), which refuses
			 * special VMAs, and mremap() answers ENOMEM instead of
			 * moving it. Growing into a place of our own must work.
			 */
			r = mmap(NULL, n2 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (r == MAP_FAILED) {
				fail(w, "mmap of a reserve: %s", strerror(errno));
				return;
			}
			q = mremap(m->addr, n * ps, n2 * ps, MREMAP_MAYMOVE | MREMAP_FIXED, r);
			err = errno;
			hist_add(w, "mremap grow to %u pages into %p -> %p %s", n2, r, q,
				 q == MAP_FAILED ? strerror(err) : "");
			if (q == MAP_FAILED)
				munmap(r, n2 * ps);
		}
		if (q == MAP_FAILED) {
			fail(w, "mremap grow of the %s to %u pages: %s", d, n2, strerror(err));
			return;
		}
		m->addr = q;
		memset(m->page + n, 0, (n2 - n) * sizeof(m->page[0]));
		m->npages = n2;
		break;
	case 1:	/* shrink in place */
		n2 = 1 + rng_below(&w->rng, n - 1);
		q = mremap(m->addr, n * ps, n2 * ps, 0);
		err = errno;
		hist_add(w, "mremap shrink to %u pages the %s -> %p %s", n2, d, q,
			 q == MAP_FAILED ? strerror(err) : "");
		if (q != m->addr) {
			fail(w, "mremap shrink of the %s to %u pages: %s", d, n2,
			     q == MAP_FAILED ? strerror(err) : "moved");
			return;
		}
		m->npages = n2;
		break;
	default: /* move to a place we reserved */
		r = mmap(NULL, n * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (r == MAP_FAILED) {
			fail(w, "mmap of a reserve: %s", strerror(errno));
			return;
		}
		q = mremap(m->addr, n * ps, n * ps, MREMAP_MAYMOVE | MREMAP_FIXED, r);
		err = errno;
		hist_add(w, "mremap move the %s to %p -> %p %s", d, r, q,
			 q == MAP_FAILED ? strerror(err) : "");
		if (q != r) {
			fail(w, "mremap move of the %s to %p: %s", d, r,
			     q == MAP_FAILED ? strerror(err) : "elsewhere");
			munmap(r, n * ps);
			return;
		}
		m->addr = q;
		break;
	}
	check_map_page(w, m, rng_below(&w->rng, m->npages));
}

void op_dontneed(struct worker *w)
{
	struct shared *sh = w->sh;
	struct map *m = pick_map(w, NULL);
	uint32_t a, n, i;
	char d[160];
	int ret, err;

	if (!m)
		return;
	a = rng_below(&w->rng, m->npages);
	n = 1 + rng_below(&w->rng, m->npages - a);
	ret = madvise(m->addr + (size_t)a * sh->ps, (size_t)n * sh->ps,
		      MADV_DONTNEED);
	err = errno;
	hist_add(w, "MADV_DONTNEED pages %u..%u of the %s -> %d %s", a,
		 a + n - 1, shape(m, d, sizeof(d)), ret, ret ? strerror(err) : "");
	if (m->mode == MMAPDEMO_MODE_REMAP) {
		if (ret != -1 || err != EINVAL)
			fail(w, "MADV_DONTNEED on the %s: %s, want EINVAL (VM_PFNMAP)",
			     d, ret ? strerror(err) : "success");
		return;
	}
	if (ret) {
		fail(w, "MADV_DONTNEED on the %s: %s", d, strerror(err));
		return;
	}
	/* Private copies are dropped: the buffer shows again. */
	for (i = a; i < a + n; i++)
		m->page[i].priv_gen = 0;
	for (i = a; i < a + n && !atomic_load(&sh->failed); i++)
		check_map_page(w, m, i);
}
