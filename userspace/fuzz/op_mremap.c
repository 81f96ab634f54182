// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-fuzz: mremap of a device VMA (its bounds from /proc/self/maps):
 * shrink, same size, grow in place (no room in the arena: ENOMEM; a
 * remap/insert mapping EFAULT, README "Errors"), move with MREMAP_FIXED
 * (growing a remap/insert mapping EFAULT), the "duplicate" of a shared
 * mapping (old length 0), a range past the VMA (EFAULT; from 6.17 a
 * move that keeps the size takes the next VMAs along instead), bad flags
 * (EINVAL). The order is the kernel's: MREMAP_FIXED unmaps the
 * destination, and a shrinking move the old tail, before anything can
 * fail, so those pages are gone even when the call fails.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "fuzz.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif

/* Move the model of arena pages [a, a + n) to [d, d + n) (d + n <= a or d >= a + n). */
static void move_pages(struct fz *z, unsigned int a, unsigned int d, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		z->ap[d + k] = z->ap[a + k];
		memcpy(priv_page(z, d + k), priv_page(z, a + k), z->ps);
	}
}

/* The device VMA around arena page @a, in arena pages. */
static bool vma_of(struct fz *z, unsigned int a, unsigned int *first,
		   unsigned int *end)
{
	uintptr_t s = 0, e = 0;

	if (dev_vmas(z, (uintptr_t)apage_addr(z, a), &s, &e) < 0 || !s) {
		fail(z, "no VMA of %s around arena page %u in /proc/self/maps", MD_DEVICE, a);
		return false;
	}
	*first = (unsigned int)((s - (uintptr_t)z->arena) / z->ps);
	*end = (unsigned int)((e - (uintptr_t)z->arena) / z->ps);
	return true;
}

void op_mremap(struct fz *z)
{
	unsigned int a = 1 + (unsigned int)rng_below(z, ARENA_PAGES - 2), t, vs, ve;
	unsigned int n, n2, d = 0, r, k;
	unsigned long flags;
	long want = 0, err;
	bool dest_gone = false, prepop, multi;
	char what[240];
	void *q;

	for (t = 0; t < 16 && z->ap[a].kind != A_DEV; t++)
		a = 1 + (unsigned int)rng_below(z, ARENA_PAGES - 2);
	if (z->ap[a].kind != A_DEV || !vma_of(z, a, &vs, &ve))
		return;
	prepop = noexpand_mode(z->ap[a].mode);
	a = vs + (unsigned int)rng_below(z, ve - vs);
	n = 1 + (unsigned int)rng_below(z, ve - a);
	if (rng_chance(z, 5) && ve < ARENA_PAGES - 1)
		n = ve - a + 1;				/* beyond the VMA: EFAULT */
	r = (unsigned int)rng_below(z, 100);
	if (r < 20)
		n2 = n > 1 ? 1 + (unsigned int)rng_below(z, n - 1) : n;	/* shrink */
	else if (r < 60)
		n2 = n;
	else
		n2 = n + 1 + (unsigned int)rng_below(z, MAX_RUN - 1);	/* grow */
	flags = rng_chance(z, 75) ? MREMAP_MAYMOVE | MREMAP_FIXED :
		rng_chance(z, 50) ? 0 : rng_chance(z, 50) ? MREMAP_FIXED : 0x10;
	if ((flags & MREMAP_FIXED) && rng_chance(z, 10) && z->ap[a].mayshare)
		n = 0;					/* duplicate a shared mapping */
	if (flags & MREMAP_FIXED) {
		/* A destination in the arena that does not overlap the source. */
		unsigned int tries;

		for (tries = 0; tries < 16; tries++) {
			d = 1 + (unsigned int)rng_below(z, ARENA_PAGES - 1 - n2);
			if (d + n2 <= a || d >= a + (n ? n : 1))
				break;
		}
		if (tries == 16)
			return;
	}
	/* From 6.17 a move that keeps the size moves every VMA in the range. */
	multi = (flags & MREMAP_FIXED) && n == n2 && a + n > ve && md_kernel_at_least(6, 17);
	q = mremap(apage_addr(z, a), n * z->ps, n2 * z->ps, (int)flags,
		   apage_addr(z, d));
	err = errno;
	snprintf(what, sizeof(what), "mremap(arena page %u, %u pages, %u pages, flags 0x%lx, arena page %u) of a %s VMA of pages %u..%u%s",
		 a, n, n2, flags, d, md_mode_name(z->ap[a].mode), vs, ve - 1,
		 multi ? " (6.17 and later move the VMAs after it too)" : "");
	note(z, "%s -> %p %s", what, q, q == MAP_FAILED ? err_name((int)err) : "");
	z->maps_dirty = true;

	/* The syscall's own checks, then mremap_to() or the in-place path. */
	if (flags & ~(unsigned long)(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP) ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))) {
		want = -EINVAL;
	} else if (flags & MREMAP_FIXED) {
		if (d < a + (n ? n : 1) && a < d + n2) {
			want = -EINVAL;			/* overlap */
		} else {
			dest_gone = true;		/* unmapped first */
			if (n > n2) {
				/* the old tail goes before anything can fail */
				for (k = a + n2; k < a + n; k++)
					z->ap[k].kind = A_RESERVE;
				n = n2;
			}
			if (!n && !z->ap[a].mayshare)
				want = -EINVAL;
			else if (a + n > ve && !multi)
				want = -EFAULT;
			else if (n2 > n && prepop)
				want = -EFAULT;		/* VM_DONTEXPAND / VM_PFNMAP */
		}
	} else if (n2 <= n) {
		/* A shrink just unmaps the tail, whatever VMAs it covers. */
		for (k = a + n2; k < a + n; k++)
			z->ap[k].kind = A_RESERVE;
	} else {
		if (a + n > ve || prepop)
			want = -EFAULT;
		else
			want = -ENOMEM;		/* the next page is mapped: no room */
	}

	if (q == MAP_FAILED ? !expect(z, what, -1, (int)err, want) :
	    !expect(z, what, 0, 0, want))
		goto fixup;
	if (q == MAP_FAILED) {
		z->errs[OP_MREMAP]++;
		goto fixup;
	}
	if (flags & MREMAP_FIXED) {
		if (q != apage_addr(z, d)) {
			fail(z, "%s: moved to %p, not to arena page %u", what, q, d);
			goto fixup;
		}
		if (n) {
			move_pages(z, a, d, n);
			for (k = a; k < a + n; k++)
				z->ap[k].kind = A_RESERVE;
		} else {
			z->ap[d] = z->ap[a];
			z->ap[d].priv = false;
			n = 0;
		}
		for (k = n; k < n2; k++) {
			/* grown (or duplicated) pages map on, showing the buffer */
			z->ap[d + k] = z->ap[d];
			z->ap[d + k].pgoff = z->ap[d].pgoff + k;
			z->ap[d + k].priv = false;
		}
		dest_gone = false;
	}
fixup:
	/* Reserve again whatever is not mapped any more. */
	if (dest_gone)
		for (k = d; k < d + n2; k++)
			z->ap[k].kind = A_RESERVE;
	for (k = 1; k < ARENA_PAGES - 1; k++) {
		unsigned int e = k;

		if (z->ap[k].kind != A_RESERVE)
			continue;
		while (e < ARENA_PAGES - 1 && z->ap[e].kind == A_RESERVE)
			e++;
		reserve(z, k, e - k);
		k = e;
	}
	pins_collect(z);
}
