// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-fuzz: mmap. Random type, flags, protection, length, offset and
 * address (mostly MAP_FIXED into the arena, over reserve pages and over
 * our own mappings). The expected result follows the checks in the order
 * the kernel makes them: sys_mmap (unaligned offset EINVAL), the file
 * path (MAP_HUGETLB EINVAL), do_mmap (zero length EINVAL, length overflow
 * ENOMEM, page offset overflow EOVERFLOW, address space ENOMEM, unaligned
 * fixed address EINVAL, MAP_FIXED_NOREPLACE over a mapping EEXIST,
 * file_mmap_ok() EOVERFLOW, unknown flags with MAP_SHARED_VALIDATE
 * EOPNOTSUPP, shared writable on a read-only file or any mapping of a
 * write-only file EACCES, MAP_GROWSDOWN or an unknown type EINVAL), then
 * the driver (README: PROT_EXEC EPERM, past 1 GiB EINVAL, remap/insert past
 * the end EINVAL, private remap not contiguous EINVAL, and any remap not
 * contiguous where the driver takes mmap_prepare). A MAP_FIXED mmap
 * the driver refuses has already unmapped what was there.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MAP_SYNC
#define MAP_SYNC		0x80000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#define LEGACY_MAP_MASK	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | \
			 MAP_DENYWRITE | MAP_EXECUTABLE | MAP_GROWSDOWN | \
			 MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | \
			 MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | 0x4000000)
#define TASK_SIZE_4L	0x7ffffffff000ULL
#define MAX_PAGES	(MMAPDEMO_MAX_SIZE >> 12)

struct req {
	uintptr_t addr;
	size_t len;
	int prot, flags;
	int64_t off;
	unsigned int first;	/* arena page of a fixed mapping */
	struct fzfd *f;
};

/* How the kernel answers @q: 0 or -errno; *driver: the driver decided. */
static long mmap_expect(struct fz *z, const struct req *q, bool *driver)
{
	uint64_t pgoff = (uint64_t)q->off >> 12, alen, npages;
	int flags = q->flags, type = q->flags & 0x0f, c;
	bool fd_r = q->f->acc != O_WRONLY, fd_w = q->f->acc != O_RDONLY;

	*driver = false;
	if (q->off & (int64_t)(z->ps - 1))
		return -EINVAL;
	if (flags & MAP_HUGETLB)
		return -EINVAL;
	if (!q->len)
		return -EINVAL;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	alen = ((uint64_t)q->len + z->ps - 1) & ~(uint64_t)(z->ps - 1);
	if (!alen)
		return -ENOMEM;
	npages = alen >> 12;
	if (pgoff + npages < pgoff)
		return -EOVERFLOW;
	if (alen > TASK_SIZE_4L)
		return -ENOMEM;
	if (flags & MAP_FIXED) {
		if (q->addr > TASK_SIZE_4L - alen)
			return -ENOMEM;
		if (q->addr & (z->ps - 1))
			return -EINVAL;
	}
	if (flags & MAP_FIXED_NOREPLACE)
		return -EEXIST;		/* the arena is always mapped */
	if (pgoff > (UINT64_MAX - alen) >> 12)
		return -EOVERFLOW;
	switch (type) {
	case MAP_SHARED:
		flags &= LEGACY_MAP_MASK;
		/* fallthrough */
	case MAP_SHARED_VALIDATE:
		if (flags & ~LEGACY_MAP_MASK)
			return -EOPNOTSUPP;
		if ((q->prot & PROT_WRITE) && !fd_w)
			return -EACCES;
		/* fallthrough */
	case MAP_PRIVATE:
		if (!fd_r)
			return -EACCES;
		if (flags & MAP_GROWSDOWN)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	*driver = true;
	if (q->prot & PROT_EXEC)
		return -EPERM;
	if (pgoff >= MAX_PAGES || npages > MAX_PAGES - pgoff)
		return -EINVAL;
	if (md_mode_demand_paged(q->f->mode))
		return 0;
	if (pgoff >= z->size || npages > z->size - pgoff)
		return -EINVAL;
	/*
	 * A private mapping copies on write: one contiguous run or EINVAL;
	 * with mmap_prepare one action maps one run, shared too.
	 */
	if (q->f->mode == MMAPDEMO_MODE_REMAP &&
	    (type == MAP_PRIVATE || md_mmap_prepare())) {
		if (!range_contiguous(z, pgoff, npages, &c))
			return 0;
		if (!c)
			return -EINVAL;
	}
	return 0;
}

static void pick_req(struct fz *z, struct req *q)
{
	static const int bad_types[] = { 0, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0c, 0x0f };
	unsigned int r = (unsigned int)rng_below(z, 100), npages;
	static const int prots[] = {
		PROT_READ, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
		PROT_READ | PROT_WRITE, PROT_NONE, PROT_WRITE, PROT_READ | PROT_EXEC,
		PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC,
	};

	memset(q, 0, sizeof(*q));
	q->f = pick_fd(z);
	q->flags = r < 45 ? MAP_SHARED : r < 88 ? MAP_PRIVATE : r < 95 ?
		   MAP_SHARED_VALIDATE : bad_types[rng_below(z, 8)];
	if (rng_chance(z, 80))
		q->flags |= MAP_FIXED;
	if (rng_chance(z, 3))
		q->flags |= MAP_FIXED_NOREPLACE;
	if (rng_chance(z, 12))
		q->flags |= MAP_POPULATE;
	if (rng_chance(z, 6))
		q->flags |= MAP_LOCKED;
	if (rng_chance(z, 8))
		q->flags |= MAP_NORESERVE;
	if (rng_chance(z, 2))
		q->flags |= MAP_GROWSDOWN;
	if (rng_chance(z, 2))
		q->flags |= MAP_HUGETLB;
	if (rng_chance(z, 3))
		q->flags |= MAP_SYNC;
	q->prot = prots[rng_below(z, sizeof(prots) / sizeof(prots[0]))];
	if (rng_chance(z, 90))
		q->prot &= ~PROT_EXEC;

	npages = 1 + (unsigned int)rng_below(z, MAX_RUN);
	q->len = npages * z->ps;
	r = (unsigned int)rng_below(z, 100);
	if (r < 4)
		q->len = 0;
	else if (r < 9)
		q->len -= 1 + rng_below(z, z->ps - 1);		/* rounded up */
	else if (r < 11)
		q->len = SIZE_MAX - rng_below(z, z->ps);	/* overflows */
	else if (r < 13)
		q->len = (1ULL << 60) + rng_below(z, 1 << 20);	/* no room */
	else if (r < 16 && !(q->flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)))
		q->len = 256ULL << 20;				/* big, elsewhere */

	r = (unsigned int)rng_below(z, 100);
	if (r < 55)
		q->off = (int64_t)(rng_below(z, z->max_pages + 8) * z->ps);
	else if (r < 68)
		q->off = (int64_t)(rng_below(z, z->size) * z->ps);
	else if (r < 75)	/* the end of the buffer, a page either side */
		q->off = (int64_t)((z->size + 1 - (npages < z->size + 1 ? npages : z->size + 1) -
				    rng_below(z, 2) + rng_below(z, 2)) * z->ps);
	else if (r < 80)
		q->off = (int64_t)(rng_below(z, z->max_pages * z->ps) | 1);
	else if (r < 85)
		q->off = (int64_t)(rng_next(&z->rng) & ~(uint64_t)(z->ps - 1));
	else if (r < 90)
		q->off = -(int64_t)((1 + rng_below(z, 1 << 20)) * z->ps);
	else if (r < 95)
		q->off = (int64_t)((MAX_PAGES - rng_below(z, 24)) * z->ps);
	else
		q->off = (int64_t)(((UINT64_MAX >> 12) - rng_below(z, 1 << 16)) << 12);

	q->first = 1 + (unsigned int)rng_below(z, ARENA_PAGES - 1 - npages);
	q->addr = (uintptr_t)apage_addr(z, q->first);
	if (rng_chance(z, 3))
		q->addr += 1 + rng_below(z, z->ps - 1);
	if (!(q->flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)))
		q->addr = 0;
}

/* A mapping the kernel placed: check its first page, then unmap it. */
static void check_elsewhere(struct fz *z, const struct req *q, char *p)
{
	uint64_t pgoff = (uint64_t)q->off >> 12;
	size_t alen = (q->len + z->ps - 1) & ~(z->ps - 1);
	int want = 0;
	enum md_probe_result r;

	if (!(q->prot & (PROT_READ | PROT_WRITE)))
		want = SIGSEGV;
	else if (pgoff >= z->size)
		want = SIGBUS;
	r = md_probe(p, false);
	if ((want == SIGSEGV) != (r == MD_PROBE_SIGSEGV) ||
	    (want == SIGBUS) != (r == MD_PROBE_SIGBUS)) {
		fail(z, "read of the first page of a new mapping of buffer page %llu (buffer %llu pages) at %p: %s, want %s",
		     (unsigned long long)pgoff, (unsigned long long)z->size, (void *)p,
		     md_probe_name(r), want == SIGBUS ? "SIGBUS" : want ? "SIGSEGV" : "ok");
	} else if (!want && memcmp(p, shadow_page(z, pgoff), z->ps)) {
		fail(z, "first page of a new mapping of buffer page %llu differs from the buffer",
		     (unsigned long long)pgoff);
	} else if (!want) {
		z->bytes_checked += z->ps;
	}
	if (munmap(p, alen))
		fail(z, "munmap of a new mapping at %p: %s", (void *)p, strerror(errno));
	z->maps_dirty = true;
}

/* MAP_POPULATE / MAP_LOCKED write-fault private writable pages: copies. */
static void model_populate(struct fz *z, unsigned int first, unsigned int n)
{
	unsigned int i;

	for (i = first; i < first + n; i++) {
		struct apage *a = &z->ap[i];

		if (a->mode == MMAPDEMO_MODE_REMAP || a->shared ||
		    !(a->prot & PROT_WRITE))
			return;
		if (a->pgoff >= z->size)
			return;		/* SIGBUS stops the populate */
		page_for_write(z, i);
	}
}

void op_mmap(struct fz *z)
{
	struct req q;
	long want, err;
	bool driver, fixed;
	unsigned int i, n;
	char what[240];
	int type;
	void *p;

	pick_req(z, &q);
	if (rng_chance(z, 30)) {
		unsigned int mode = (unsigned int)rng_below(z, MMAPDEMO_MODE_COUNT);

		if (mode == MMAPDEMO_MODE_HUGE && !z->huge)
			mode = MMAPDEMO_MODE_FAULT;	/* op_ioctl tries EOPNOTSUPP */
		if (md_set_mode(q.f->fd, mode)) {
			fail(z, "SET_MODE %u on fd %d: %s", mode, q.f->fd, strerror(errno));
			return;
		}
		q.f->mode = mode;
	}
	want = mmap_expect(z, &q, &driver);
	if (z->failed)
		return;
	p = mmap((void *)q.addr, q.len, q.prot, q.flags, q.f->fd, (off_t)q.off);
	err = errno;
	snprintf(what, sizeof(what), "mmap(%p, 0x%zx, prot %d, flags 0x%x, fd %d %s %s, off 0x%llx)",
		 (void *)q.addr, q.len, q.prot, q.flags, q.f->fd,
		 q.f->acc == O_RDONLY ? "ro" : q.f->acc == O_WRONLY ? "wo" : "rw",
		 md_mode_name(q.f->mode), (unsigned long long)q.off);
	note(z, "%s -> %p %s", what, p, p == MAP_FAILED ? err_name((int)err) : "");
	if (!expect(z, what, p == MAP_FAILED ? -1 : 0, (int)err, want))
		return;
	fixed = q.flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	n = (unsigned int)((q.len + z->ps - 1) / z->ps);
	if (driver)
		(*(p == MAP_FAILED ? &z->mmap_errors : &z->mmaps))++;
	if (p == MAP_FAILED) {
		z->errs[OP_MMAP]++;
		if (driver && fixed) {
			/* The old mapping was unmapped before ->mmap failed. */
			if (msync((void *)q.addr, n * z->ps, MS_ASYNC) != -1 || errno != ENOMEM)
				fail(z, "after a MAP_FIXED mmap the driver refused, the range is still mapped; want it unmapped (mmap_region() removes the old mapping first)");
			reserve(z, q.first, n);
		}
		return;
	}
	z->maps_dirty = true;
	if (!fixed) {
		check_elsewhere(z, &q, p);
		return;
	}
	type = q.flags & 0x0f;
	for (i = q.first; i < q.first + n; i++) {
		struct apage *a = &z->ap[i];

		memset(a, 0, sizeof(*a));
		a->kind = A_DEV;
		a->mode = (uint8_t)q.f->mode;
		a->prot = (uint8_t)q.prot;
		a->mayshare = type != MAP_PRIVATE;
		a->shared = a->mayshare && q.f->acc != O_RDONLY;
		a->maywrite = !(a->mayshare && !a->shared);
		a->pgoff = ((uint64_t)q.off >> 12) + (i - q.first);
		a->pin = -1;
	}
	if (prepop_mode(q.f->mode)) {
		int pin = pin_new(z, (uint64_t)q.off >> 12, ((uint64_t)q.off >> 12) + n,
				  q.f->mode == MMAPDEMO_MODE_REMAP && type == MAP_PRIVATE);

		for (i = q.first; i < q.first + n; i++)
			z->ap[i].pin = pin;
	}
	pins_collect(z);
	if (q.flags & (MAP_POPULATE | MAP_LOCKED))
		model_populate(z, q.first, n);
}
