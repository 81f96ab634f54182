// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-fuzz: calls on what we mapped: munmap, mprotect, madvise and
 * msync over random arena ranges (mremap: op_mremap.c). Expected results: README
 * ("Errors": MADV_DONTNEED on a remap mapping EINVAL, mprotect to
 * PROT_EXEC EACCES, to writable on a shared mapping of a read-only file
 * EACCES, growing a remap/insert mapping EFAULT), design.md (remap
 * mappings are VM_IO | VM_PFNMAP, the demand-paged ones VM_MIXEDMAP, so
 * all are VM_SPECIAL), and the core kernel's rules for the rest. Calls
 * over several VMAs stop at the first that refuses: pages before it are
 * done.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "fuzz.h"

#ifndef MADV_COLD
#define MADV_COLD		20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

/* A run of arena pages, mostly starting on a device page. */
static unsigned int pick_range(struct fz *z, unsigned int *n)
{
	unsigned int a = 1 + (unsigned int)rng_below(z, ARENA_PAGES - 2), t;

	for (t = 0; t < 8 && z->ap[a].kind != A_DEV; t++)
		a = 1 + (unsigned int)rng_below(z, ARENA_PAGES - 2);
	*n = 1 + (unsigned int)rng_below(z, ARENA_PAGES - 1 - a < MAX_RUN ?
					 ARENA_PAGES - 1 - a : MAX_RUN);
	return a;
}

void op_munmap(struct fz *z)
{
	unsigned int n, a = pick_range(z, &n);
	char what[120];
	long ret;
	int err;

	if (rng_chance(z, 4)) {
		ret = munmap(apage_addr(z, a) + 1 + rng_below(z, z->ps - 1), z->ps);
		err = errno;
		snprintf(what, sizeof(what), "munmap of an unaligned address");
		note(z, "%s -> %ld", what, ret);
		if (expect(z, what, ret, err, -EINVAL))
			z->errs[OP_MUNMAP]++;
		return;
	}
	ret = munmap(apage_addr(z, a), n * z->ps);
	err = errno;
	snprintf(what, sizeof(what), "munmap of arena pages %u..%u", a, a + n - 1);
	note(z, "%s -> %ld", what, ret);
	if (!expect(z, what, ret, err, 0))
		return;
	if (md_probe(apage_addr(z, a + rng_below(z, n)), false) != MD_PROBE_SIGSEGV) {
		fail(z, "a page of arena pages %u..%u is readable after munmap", a, a + n - 1);
		return;
	}
	z->sigsegv++;
	reserve(z, a, n);
	pins_collect(z);
}

void op_mprotect(struct fz *z)
{
	static const int prots[] = {
		PROT_NONE, PROT_READ, PROT_WRITE, PROT_READ | PROT_WRITE,
		PROT_READ | PROT_WRITE, PROT_READ, PROT_EXEC, PROT_READ | PROT_EXEC,
		PROT_READ | 0x8 /* PROT_SEM, ignored on x86 */, 0x40, PROT_GROWSDOWN,
	};
	unsigned int n, a = pick_range(z, &n), i, k;
	int prot = prots[rng_below(z, sizeof(prots) / sizeof(prots[0]))], err;
	long ret, want = 0;
	char what[120];

	/* Only device pages: reserve pages would become accessible. */
	for (k = 0; k < n && z->ap[a + k].kind == A_DEV; k++)
		;
	if (!k)
		return;
	n = k;
	if (prot & 0x40)
		want = -EINVAL;
	else if (prot & PROT_GROWSDOWN)
		want = -EINVAL;		/* not a VM_GROWSDOWN mapping */
	ret = mprotect(apage_addr(z, a), n * z->ps, prot);
	err = errno;
	snprintf(what, sizeof(what), "mprotect(arena pages %u..%u, %d)", a, a + n - 1, prot);
	for (i = a; !want && i < a + n; i++) {
		struct apage *p = &z->ap[i];

		/* VMA by VMA: the first that refuses ends the call. */
		if ((prot & PROT_EXEC) || ((prot & PROT_WRITE) && !p->maywrite)) {
			want = -EACCES;
			break;
		}
		p->prot = (uint8_t)(prot & (PROT_READ | PROT_WRITE));
	}
	note(z, "%s -> %ld %s", what, ret, ret ? err_name(err) : "");
	z->maps_dirty = true;
	if (!expect(z, what, ret, err, want))
		describe_range(z, a, n);
	else if (ret)
		z->errs[OP_MPROTECT]++;
}

/* madvise(@advice) on page @i: 0, or the errno its VMA answers. */
static int advice_result(struct fz *z, unsigned int i, int advice)
{
	const struct apage *p = &z->ap[i];
	bool dev = p->kind == A_DEV, pfnmap = dev && p->mode == MMAPDEMO_MODE_REMAP;

	switch (advice) {
	case MADV_DONTNEED:
	case MADV_COLD:
	case MADV_PAGEOUT:
		return pfnmap ? EINVAL : 0;
	case MADV_DOFORK:
		/*
		 * 6.1 and 6.12 refuse VM_IO only; 7.3 every VM_SPECIAL VMA
		 * (keyed at 7.0: the matrix has no kernel in between).
		 */
		if (md_kernel_at_least(7, 0))
			return dev ? EINVAL : 0;
		return pfnmap ? EINVAL : 0;	/* VM_IO */
	case MADV_DODUMP:
		return dev ? EINVAL : 0;	/* VM_SPECIAL */
	case MADV_FREE:
		return dev ? EINVAL : 0;	/* anonymous only */
	case MADV_REMOVE:
		if (!dev)
			return EINVAL;
		return p->shared && p->maywrite ? ENODEV : EACCES;
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
		/* GUP without FOLL_FORCE: it needs VM_READ, or VM_WRITE to write. */
		if (!dev || pfnmap ||
		    !(p->prot & (advice == MADV_POPULATE_WRITE ? PROT_WRITE : PROT_READ)))
			return EINVAL;
		return p->pgoff >= z->size ? EFAULT : 0;
	default:
		return 0;
	}
}

void op_madvise(struct fz *z)
{
	static const int advices[] = {
		MADV_DONTNEED, MADV_DONTNEED, MADV_DONTNEED, MADV_WILLNEED,
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_DONTFORK,
		MADV_DOFORK, MADV_DONTDUMP, MADV_DODUMP, MADV_FREE, MADV_REMOVE,
		MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
		999,
	};
	int advice = advices[rng_below(z, sizeof(advices) / sizeof(advices[0]))], err, r;
	unsigned int n, a = pick_range(z, &n), i;
	long ret, want = 0;
	char what[160];

	ret = madvise(apage_addr(z, a), n * z->ps, advice);
	err = errno;
	snprintf(what, sizeof(what), "madvise(arena pages %u..%u, %d)%s", a, a + n - 1, advice,
		 advice == MADV_DOFORK && md_kernel_at_least(7, 0) ?
		 " (7.x refuses MADV_DOFORK on VM_SPECIAL VMAs)" : "");
	if (advice == 999)
		want = -EINVAL;
	for (i = a; !want && i < a + n; i++) {
		struct apage *p = &z->ap[i];

		r = advice_result(z, i, advice);
		if (r) {
			want = -r;
			break;
		}
		if (p->kind != A_DEV)
			continue;
		if (advice == MADV_DONTNEED)
			p->priv = false;	/* the buffer shows again */
		else if (advice == MADV_POPULATE_WRITE)
			page_for_write(z, i);	/* a write fault: copy on write */
		else if (advice == MADV_DONTFORK || advice == MADV_DOFORK)
			p->dontfork = advice == MADV_DONTFORK;
	}
	note(z, "%s -> %ld %s", what, ret, ret ? err_name(err) : "");
	z->maps_dirty = true;
	if (!expect(z, what, ret, err, want))
		describe_range(z, a, n);
	else if (ret)
		z->errs[OP_MADVISE]++;
}

void op_msync(struct fz *z)
{
	static const int flagsets[] = {
		MS_ASYNC, MS_SYNC, MS_INVALIDATE, MS_ASYNC | MS_INVALIDATE,
		MS_SYNC | MS_INVALIDATE, MS_ASYNC | MS_SYNC, 0x10,
	};
	int flags = flagsets[rng_below(z, sizeof(flagsets) / sizeof(flagsets[0]))], err;
	unsigned int n, a = pick_range(z, &n);
	long ret, want = 0;
	char what[120];

	ret = msync(apage_addr(z, a), n * z->ps, flags);
	err = errno;
	snprintf(what, sizeof(what), "msync(arena pages %u..%u, 0x%x)", a, a + n - 1, flags);
	if ((flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		want = -EINVAL;
	/* MS_SYNC fsyncs the file of a shared mapping: a no-op that succeeds. */
	note(z, "%s -> %ld %s", what, ret, ret ? err_name(err) : "");
	if (!expect(z, what, ret, err, want))
		describe_range(z, a, n);
	else if (ret)
		z->errs[OP_MSYNC]++;
}
