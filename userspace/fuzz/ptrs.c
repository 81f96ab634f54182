// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-fuzz: user pointers of every kind, for ioctl arguments and
 * read/write buffers: valid, NULL, below mmap_min_addr, a PROT_NONE page,
 * a read-only page, a buffer that runs into a PROT_NONE page, a kernel
 * address (refused by access_ok() before any copy), and a page of our
 * own device mappings (whatever the model says that page does).
 * Each knows how many bytes from it can be read and written.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "fuzz.h"

#define RW_PAGES	4

static char *region(struct fz *z, unsigned int good, int prot)
{
	char *p = mmap(NULL, (good + 1) * z->ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	md_pattern_fill(p, good * z->ps, 0, 0x5eed);
	mprotect(p, good * z->ps, prot);
	mprotect(p + good * z->ps, z->ps, PROT_NONE);	/* what follows faults */
	return p;
}

void ptrs_init(struct fz *z)
{
	z->rw = region(z, RW_PAGES, PROT_READ | PROT_WRITE);
	z->ro = region(z, 1, PROT_READ);
	z->straddle = region(z, 1, PROT_READ | PROT_WRITE);
	if (!z->rw || !z->ro || !z->straddle)
		fail(z, "cannot map the pointer regions");
}

static const char *const kind_names[NR_PTR_KINDS] = {
	[P_VALID] = "valid", [P_NULL] = "NULL", [P_LOW] = "low address",
	[P_NONE] = "PROT_NONE page", [P_RO] = "read-only page",
	[P_STRADDLE] = "straddling into PROT_NONE", [P_KERNEL] = "kernel address",
	[P_ARENA] = "device mapping",
};

const char *ptr_name(const struct uptr *u)
{
	return kind_names[u->kind];
}

struct uptr pick_ptr(struct fz *z, size_t len, bool arena)
{
	static const unsigned int weights[NR_PTR_KINDS] = {
		[P_VALID] = 50, [P_NULL] = 7, [P_LOW] = 5, [P_NONE] = 8,
		[P_RO] = 8, [P_STRADDLE] = 12, [P_KERNEL] = 5, [P_ARENA] = 5,
	};
	struct uptr u = { .arena_page = -1 };
	unsigned int r = (unsigned int)rng_below(z, 100), k;
	size_t room, off;

	for (k = 0; k < NR_PTR_KINDS - 1 && r >= weights[k]; k++)
		r -= weights[k];
	u.kind = (enum ptr_kind)k;
	if (u.kind == P_ARENA && (!arena || len > z->ps || !len))
		u.kind = P_VALID;
	switch (u.kind) {
	case P_VALID:
		room = RW_PAGES * z->ps;
		off = len < room ? rng_below(z, room - len + 1) : 0;
		u.p = z->rw + off;
		u.readable = u.writable = room - off;
		break;
	case P_NULL:
		u.p = NULL;
		break;
	case P_LOW:
		u.p = (char *)0x1000;
		break;
	case P_NONE:
		u.p = apage_addr(z, 0) + rng_below(z, z->ps);	/* the first guard */
		break;
	case P_RO:
		off = rng_below(z, z->ps);
		u.p = z->ro + off;
		u.readable = z->ps - off;
		break;
	case P_STRADDLE:
		off = 1 + rng_below(z, len > 1 && len - 1 < z->ps ? len - 1 : z->ps);
		u.p = z->straddle + z->ps - off;
		u.readable = u.writable = off;
		break;
	case P_KERNEL:
		u.p = (char *)0xffffffff81000000UL;
		u.bad_range = true;
		break;
	case P_ARENA:
		u.arena_page = (int)(1 + rng_below(z, ARENA_PAGES - 2));
		off = rng_below(z, z->ps - len + 1);
		u.p = apage_addr(z, (unsigned int)u.arena_page) + off;
		u.readable = page_signal(z, (unsigned int)u.arena_page, false) ? 0 : z->ps - off;
		u.writable = page_signal(z, (unsigned int)u.arena_page, true) ? 0 : z->ps - off;
		break;
	default:
		break;
	}
	return u;
}
