// SPDX-License-Identifier: GPL-2.0
/*
 * The mapping matrix: every test runs for each mode (fault, faultaround,
 * remap, insert, and huge where the driver takes it) mapped MAP_SHARED
 * and MAP_PRIVATE, and asserts what that combination must do. Shared
 * mappings are the buffer; private ones read the buffer until they
 * write, and then have a copy of their own.
 */
#include <pthread.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "kselftest_harness.h"
#include "mmapdemo_test.h"

FIXTURE(map)
{
	int fd;
	size_t ps;
	size_t size;		/* the buffer's */
	struct mmapdemo_info info;
};

MD_MODE_VARIANTS(map);

FIXTURE_SETUP(map)
{
	OPEN_OR_SKIP(self->fd);
	ASSERT_EQ(0, md_info(self->fd, &self->info));
	self->ps = md_page_size();
	self->size = self->info.size;
	ASSERT_LE(64 * self->ps, self->size)
		TH_LOG("the tests need a buffer of at least 64 pages");
}

FIXTURE_TEARDOWN(map)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The variant's mapping of @npages pages at page @pg of the buffer. */
static void *map_pages(FIXTURE_DATA(map) *self,
		       const FIXTURE_VARIANT(map) *variant, size_t pg,
		       size_t npages, int prot)
{
	return md_map(self->fd, variant->mode, npages * self->ps, pg * self->ps,
		      prot, variant->shared);
}

/*
 * The same at a 2 MiB aligned address no mapping has used yet, so that no
 * page table exists there: the first fault under the PMD is the case
 * fault-around must handle too. The rest of the reservation stays
 * PROT_NONE until the test process exits.
 */
static void *map_pages_fresh(FIXTURE_DATA(map) *self,
			     const FIXTURE_VARIANT(map) *variant, size_t pg,
			     size_t npages, int prot)
{
	size_t pmd = 2UL << 20, len = npages * self->ps;
	char *area, *aligned;

	area = mmap(NULL, len + 2 * pmd, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		return MAP_FAILED;
	aligned = (char *)(((uintptr_t)area + pmd - 1) & ~(pmd - 1));
	if (md_set_mode(self->fd, variant->mode))
		return MAP_FAILED;
	return mmap(aligned, len, prot,
		    (variant->shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED,
		    self->fd, pg * self->ps);
}

static bool demand_paged(const FIXTURE_VARIANT(map) *variant)
{
	return md_mode_demand_paged(variant->mode);
}

static unsigned long long counter_faults(int fd)
{
	struct mmapdemo_info info;

	return md_info(fd, &info) ? ~0ULL : info.counters.faults;
}

/* Data */

TEST_F(map, read_sees_buffer)
{
	size_t len = 4 * self->ps;
	char *p;

	ASSERT_EQ(0, buf_fill(self->fd, 0, len, 1));
	p = map_pages(self, variant, 0, 4, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(mem_has(p, len, 0, 1));
	munmap(p, len);
}

TEST_F(map, write_reaches_buffer_only_if_shared)
{
	size_t len = 4 * self->ps;
	char *p;

	ASSERT_EQ(0, buf_fill(self->fd, 0, len, 2));
	p = map_pages(self, variant, 0, 4, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	md_pattern_fill(p, len, 0, 3);
	EXPECT_TRUE(mem_has(p, len, 0, 3));
	EXPECT_TRUE(buf_has(self->fd, 0, len, variant->shared ? 3 : 2));
	munmap(p, len);
}

TEST_F(map, second_mapping_sees_write_only_if_shared)
{
	size_t len = 4 * self->ps;
	char *p, *q;

	ASSERT_EQ(0, buf_fill(self->fd, 4 * self->ps, len, 4));
	p = map_pages(self, variant, 4, 4, PROT_READ | PROT_WRITE);
	q = map_pages(self, variant, 4, 4, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_TRUE(mem_has(q, len, 4 * self->ps, 4));	/* q maps now */
	md_pattern_fill(p, len, 4 * self->ps, 5);
	EXPECT_TRUE(mem_has(q, len, 4 * self->ps, variant->shared ? 5 : 4));
	munmap(p, len);
	munmap(q, len);
}

TEST_F(map, other_modes_see_the_same_bytes)
{
	size_t len = 4 * self->ps;
	unsigned int m;
	char *p, *q;

	ASSERT_EQ(0, buf_fill(self->fd, 8 * self->ps, len, 6));
	p = map_pages(self, variant, 8, 4, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	md_pattern_fill(p, len, 8 * self->ps, 7);
	for (m = 0; m < MMAPDEMO_MODE_COUNT; m++) {
		int fd;

		if (!mode_taken(m))
			continue;
		fd = md_open_mode(m);

		ASSERT_LE(0, fd);
		q = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 8 * self->ps);
		ASSERT_NE(MAP_FAILED, q) TH_LOG("mode %s", md_mode_name(m));
		EXPECT_TRUE(mem_has(q, len, 8 * self->ps, variant->shared ? 7 : 6))
			TH_LOG("a shared %s mapping", md_mode_name(m));
		munmap(q, len);
		close(fd);
	}
	munmap(p, len);
}

TEST_F(map, write_syscall_visible_in_existing_mapping)
{
	size_t len = 4 * self->ps;
	char *p;

	ASSERT_EQ(0, buf_fill(self->fd, 12 * self->ps, len, 8));
	p = map_pages(self, variant, 12, 4, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_TRUE(mem_has(p, len, 12 * self->ps, 8));	/* every PTE made */
	ASSERT_EQ(0, buf_fill(self->fd, 12 * self->ps, len, 9));
	EXPECT_TRUE(mem_has(p, len, 12 * self->ps, 9));

	/* After a write of its own, a private mapping keeps its copy. */
	md_pattern_fill(p, self->ps, 12 * self->ps, 10);
	ASSERT_EQ(0, buf_fill(self->fd, 12 * self->ps, self->ps, 11));
	EXPECT_TRUE(mem_has(p, self->ps, 12 * self->ps, variant->shared ? 11 : 10));
	munmap(p, len);
}

/* Processes */

TEST_F(map, fork_child_sees_parent_write_only_if_shared)
{
	size_t len = 2 * self->ps;
	int go[2], status;
	char *p;
	pid_t pid;

	ASSERT_EQ(0, buf_fill(self->fd, 16 * self->ps, len, 12));
	p = map_pages(self, variant, 16, 2, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char c;

		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(mem_has(p, len, 16 * self->ps, 13) ? 0 : 1);
	}
	md_pattern_fill(p, len, 16 * self->ps, 13);
	ASSERT_EQ(1, write(go[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(variant->shared ? 0 : 1, WEXITSTATUS(status));
	munmap(p, len);
}

TEST_F(map, fork_parent_sees_child_write_only_if_shared)
{
	size_t len = 2 * self->ps;
	int status;
	char *p;
	pid_t pid;

	ASSERT_EQ(0, buf_fill(self->fd, 18 * self->ps, len, 14));
	p = map_pages(self, variant, 18, 2, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		md_pattern_fill(p, len, 18 * self->ps, 15);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(mem_has(p, len, 18 * self->ps, variant->shared ? 15 : 14));
	EXPECT_TRUE(buf_has(self->fd, 18 * self->ps, len, variant->shared ? 15 : 14));
	munmap(p, len);
}

TEST_F(map, fork_after_write_keeps_copies_apart)
{
	size_t off = 20 * self->ps, ps = self->ps;
	int status;
	char *p;
	pid_t pid;

	/* The second page is written: see fork_after_first_page_copied. */
	ASSERT_EQ(0, buf_fill(self->fd, off, 2 * ps, 16));
	p = map_pages(self, variant, 20, 2, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	md_pattern_fill(p + ps, ps, off + ps, 17);
	pid = fork();
	ASSERT_LE(0, pid) TH_LOG("fork: %s", strerror(errno));
	if (pid == 0) {
		/* The child inherits what the parent wrote, copy or not. */
		if (!mem_has(p + ps, ps, off + ps, 17))
			_exit(1);
		md_pattern_fill(p + ps, ps, off + ps, 18);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("the child did not see the parent's write");
	EXPECT_TRUE(mem_has(p + ps, ps, off + ps, variant->shared ? 18 : 17));
	EXPECT_TRUE(buf_has(self->fd, off + ps, ps, variant->shared ? 18 : 16));
	EXPECT_TRUE(mem_has(p, ps, off, 16));
	munmap(p, 2 * ps);
}

TEST_F(map, fork_after_first_page_copied)
{
	char *p = map_pages(self, variant, 22, 2, PROT_READ | PROT_WRITE);
	int status;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	*(volatile char *)p = 1;
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (variant->mode == MMAPDEMO_MODE_REMAP && !variant->shared &&
	    !md_kernel_at_least(6, 17)) {
		/*
		 * x86 PAT up to 6.16: fork() must copy the cache mode of a
		 * whole-VMA remap_pfn_range() from the PTE of the first page,
		 * and a copy made on write has none: the kernel fails the
		 * fork. From 6.17 the child shares the VMA's PAT tracking
		 * (pfnmap_track_ctx) instead, and the fork works.
		 */
		EXPECT_EQ(-1, pid) TH_LOG("x86 PAT before 6.17: this fork fails");
		EXPECT_EQ(ENOMEM, errno);
	} else {
		ASSERT_LT(0, pid) TH_LOG("fork: %s (works from 6.17 for private remap too)",
					 strerror(errno));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
	}
	munmap(p, 2 * self->ps);
}

TEST_F(map, unrelated_process_shares_only_if_shared)
{
	size_t off = 22 * self->ps, len = 2 * self->ps;
	char *p;

	ASSERT_EQ(0, buf_fill(self->fd, off, len, 19));
	p = map_pages(self, variant, 22, 2, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	md_pattern_fill(p, len, off, 20);
	/* Another process, mapping the device on its own, sees our write? */
	EXPECT_EQ(variant->shared ? 0 : 1,
		  run_helper("check", variant->mode, off, len, 20));
	/* And we see its write? A private mapping keeps its copy. */
	EXPECT_EQ(0, run_helper("fill", MMAPDEMO_MODE_FAULT, off, len, 21));
	EXPECT_TRUE(mem_has(p, len, off, variant->shared ? 21 : 20));
	munmap(p, len);
}

/* Copy on write, discarded */

TEST_F(map, madvise_dontneed)
{
	size_t off = 24 * self->ps, len = 4 * self->ps;
	char *p;
	int ret;

	ASSERT_EQ(0, buf_fill(self->fd, off, len, 22));
	p = map_pages(self, variant, 24, 4, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	md_pattern_fill(p, len, off, 23);
	ret = madvise(p, len, MADV_DONTNEED);
	if (variant->mode == MMAPDEMO_MODE_REMAP) {
		/* The core mm does not zap VM_PFNMAP mappings for madvise. */
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EINVAL, errno);
		EXPECT_TRUE(mem_has(p, len, off, 23));
	} else {
		ASSERT_EQ(0, ret) TH_LOG("madvise: %s", strerror(errno));
		/* A private copy is dropped and the buffer shows again. */
		EXPECT_TRUE(mem_has(p, len, off, variant->shared ? 23 : 22));
	}
	munmap(p, len);
}

/* Faults */

TEST_F(map, first_read_touch_faults)
{
	size_t npages = 32, i, len = npages * self->ps;
	unsigned long long faults;
	long minflt;
	char *p;

	ASSERT_EQ(0, buf_fill(self->fd, 32 * self->ps, len, 24));
	p = map_pages_fresh(self, variant, 32, npages, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	faults = counter_faults(self->fd);
	minflt = md_thread_minflt();
	for (i = 0; i < npages; i++)
		(void)*(volatile char *)(p + i * self->ps);
	minflt = md_thread_minflt() - minflt;
	faults = counter_faults(self->fd) - faults;

	switch (variant->mode) {
	case MMAPDEMO_MODE_HUGE:
		/*
		 * 32 pages hold no 2 MiB window: the core mm does not offer
		 * ->huge_fault a PMD, and huge maps as fault mode does (it
		 * has no ->map_pages). mmapdemo_huge tests the windows.
		 */
	case MMAPDEMO_MODE_FAULT:
		/* Exactly one fault per page, seen by the driver and the mm. */
		EXPECT_EQ(npages, faults);
		EXPECT_EQ(npages, minflt);
		EXPECT_EQ(npages, md_present_pages(p, npages));
		break;
	case MMAPDEMO_MODE_FAULTAROUND:
		/*
		 * One fault per 16-page window, and one more: the first
		 * fault under the new page table is ->fault's single page
		 * (->map_pages cannot make the table), the next maps the
		 * rest of its window.
		 */
		EXPECT_EQ(npages / 16 + 1, minflt);
		EXPECT_EQ(1, faults);
		EXPECT_EQ(npages, md_present_pages(p, npages));
		break;
	case MMAPDEMO_MODE_REMAP:
		/* Every PTE made by mmap(): pagemap does not walk VM_PFNMAP. */
		EXPECT_EQ(0, faults);
		EXPECT_EQ(0, minflt);
		break;
	case MMAPDEMO_MODE_INSERT:
		EXPECT_EQ(0, faults);
		EXPECT_EQ(0, minflt);
		EXPECT_EQ(npages, md_present_pages(p, npages));
		break;
	}
	EXPECT_TRUE(mem_has(p, len, 32 * self->ps, 24));
	munmap(p, len);
}

TEST_F(map, second_touch_takes_no_fault)
{
	size_t npages = 16, i, len = npages * self->ps;
	long minflt;
	char *p;

	p = map_pages(self, variant, 0, npages, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < npages; i++)
		(void)*(volatile char *)(p + i * self->ps);
	minflt = md_thread_minflt();
	for (i = 0; i < npages; i++)
		(void)*(volatile char *)(p + i * self->ps);
	EXPECT_EQ(0, md_thread_minflt() - minflt);
	munmap(p, len);
}

TEST_F(map, first_write_touch_faults)
{
	size_t npages = 8, i, len = npages * self->ps;
	struct mmapdemo_info before, after;
	long minflt;
	char *p;

	p = map_pages(self, variant, 0, npages, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, md_info(self->fd, &before));
	minflt = md_thread_minflt();
	for (i = 0; i < npages; i++)
		*(volatile char *)(p + i * self->ps) = 1;
	minflt = md_thread_minflt() - minflt;
	ASSERT_EQ(0, md_info(self->fd, &after));

	if (demand_paged(variant)) {
		/* One fault each; a private write copies in the same fault. */
		EXPECT_EQ(npages, minflt);
		EXPECT_EQ(npages, after.counters.faults - before.counters.faults);
		EXPECT_EQ(variant->shared ? 0 : npages,
			  after.counters.cow_faults - before.counters.cow_faults);
	} else {
		/* Made by mmap(): shared writes go through, private ones copy. */
		EXPECT_EQ(variant->shared ? 0 : npages, minflt);
		EXPECT_EQ(0, after.counters.faults - before.counters.faults);
	}
	if (variant->mode != MMAPDEMO_MODE_REMAP) {
		uint64_t pm[8];

		/* pagemap: shared pages are file pages, copies anonymous. */
		ASSERT_EQ(0, md_pagemap(p, npages, pm));
		for (i = 0; i < npages; i++) {
			EXPECT_TRUE(pm[i] & MD_PM_PRESENT);
			EXPECT_EQ(variant->shared, !!(pm[i] & MD_PM_FILE));
		}
	}
	munmap(p, len);
}

/* Offsets and sizes */

TEST_F(map, nonzero_offset_maps_the_right_pages)
{
	size_t len = 3 * self->ps;
	char *p;

	ASSERT_EQ(0, buf_fill(self->fd, 0, 16 * self->ps, 25));
	p = map_pages(self, variant, 5, 3, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(mem_has(p, len, 5 * self->ps, 25));
	munmap(p, len);
}

TEST_F(map, last_page)
{
	size_t last = self->size / self->ps - 1;
	char *p;

	ASSERT_EQ(0, buf_fill(self->fd, last * self->ps, self->ps, 26));
	p = map_pages(self, variant, last, 1, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(mem_has(p, self->ps, last * self->ps, 26));
	munmap(p, self->ps);
}

TEST_F(map, one_page_past_the_end)
{
	size_t last = self->size / self->ps - 1;
	char *p;

	p = map_pages(self, variant, last, 2, PROT_READ);
	if (!demand_paged(variant)) {
		/* Prepopulated modes map only what exists. */
		EXPECT_EQ(MAP_FAILED, p);
		EXPECT_EQ(EINVAL, errno);
		return;
	}
	/* As a file mapping past EOF: the page inside works, the next SIGBUS. */
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(MD_PROBE_OK, md_probe(p, false));
	EXPECT_EQ(MD_PROBE_SIGBUS, md_probe(p + self->ps, false));
	munmap(p, 2 * self->ps);
}

TEST_F(map, mapping_wholly_past_the_end)
{
	char *p = map_pages(self, variant, self->size / self->ps, 1, PROT_READ);

	if (!demand_paged(variant)) {
		EXPECT_EQ(MAP_FAILED, p);
		EXPECT_EQ(EINVAL, errno);
		return;
	}
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(MD_PROBE_SIGBUS, md_probe(p, false));
	munmap(p, self->ps);
}

TEST_F(map, offset_beyond_the_size_limit)
{
	/* Past MMAPDEMO_MAX_SIZE no page can ever exist: EINVAL. */
	void *p = md_map(self->fd, variant->mode, self->ps,
			 (off_t)self->info.max_size, PROT_READ, variant->shared);

	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = md_map(self->fd, variant->mode, 2 * self->ps,
		   (off_t)self->info.max_size - self->ps, PROT_READ,
		   variant->shared);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(map, overflowing_offset)
{
	/* An offset whose page number overflows: the core mm says EOVERFLOW. */
	void *p = md_map(self->fd, variant->mode, self->ps,
			 (off_t)-(off_t)self->ps, PROT_READ, variant->shared);

	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EOVERFLOW, errno);
}

TEST_F(map, zero_length_and_unaligned_offset)
{
	void *p = md_map(self->fd, variant->mode, 0, 0, PROT_READ,
			 variant->shared);

	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = md_map(self->fd, variant->mode, self->ps, 100, PROT_READ,
		   variant->shared);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

/* Permissions */

TEST_F(map, read_only_mapping_segfaults_on_write)
{
	char *p = map_pages(self, variant, 0, 1, PROT_READ);

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(MD_PROBE_OK, md_probe(p, false));
	EXPECT_EQ(MD_PROBE_SIGSEGV, md_probe(p, true));
	munmap(p, self->ps);
}

TEST_F(map, exec_refused)
{
	char *p = map_pages(self, variant, 0, 1, PROT_READ | PROT_EXEC);

	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPERM, errno);
	p = map_pages(self, variant, 0, 1, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, self->ps, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	munmap(p, self->ps);
}

TEST_F(map, read_only_open)
{
	int fd = md_open(O_RDONLY);
	char *p;

	ASSERT_LE(0, fd);
	p = md_map(fd, variant->mode, self->ps, 0, PROT_READ | PROT_WRITE,
		   variant->shared);
	if (variant->shared) {
		/* No shared writable mapping, now or by mprotect() later. */
		EXPECT_EQ(MAP_FAILED, p);
		EXPECT_EQ(EACCES, errno);
		p = md_map(fd, variant->mode, self->ps, 0, PROT_READ, true);
		ASSERT_NE(MAP_FAILED, p);
		EXPECT_EQ(-1, mprotect(p, self->ps, PROT_READ | PROT_WRITE));
		EXPECT_EQ(EACCES, errno);
	} else {
		/* A private writable mapping only ever writes its copy. */
		ASSERT_NE(MAP_FAILED, p);
		ASSERT_EQ(0, buf_fill(self->fd, 0, self->ps, 27));
		md_pattern_fill(p, self->ps, 0, 28);
		EXPECT_TRUE(buf_has(self->fd, 0, self->ps, 27));
	}
	if (p != MAP_FAILED)
		munmap(p, self->ps);
	close(fd);
}

/* Lifetime */

TEST_F(map, mapping_outlives_close)
{
	size_t len = 2 * self->ps;
	char *p;

	ASSERT_EQ(0, buf_fill(self->fd, 26 * self->ps, len, 29));
	p = map_pages(self, variant, 26, 2, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	close(self->fd);
	self->fd = -1;
	EXPECT_TRUE(mem_has(p, len, 26 * self->ps, 29));
	md_pattern_fill(p, len, 26 * self->ps, 30);
	self->fd = md_open(O_RDWR);
	ASSERT_LE(0, self->fd);
	EXPECT_TRUE(buf_has(self->fd, 26 * self->ps, len, variant->shared ? 30 : 29));
	munmap(p, len);
}

TEST_F(map, partial_munmap)
{
	size_t off = 28 * self->ps, len = 8 * self->ps;
	struct mmapdemo_info a, b, c;
	char *p;

	ASSERT_EQ(0, buf_fill(self->fd, off, len, 31));
	ASSERT_EQ(0, md_info(self->fd, &a));
	p = map_pages(self, variant, 28, 8, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	/* Unmapping the middle splits the VMA in two. */
	ASSERT_EQ(0, munmap(p + 3 * self->ps, 2 * self->ps));
	ASSERT_EQ(0, md_info(self->fd, &b));
	EXPECT_EQ(a.counters.live_mappings + 2, b.counters.live_mappings);
	EXPECT_TRUE(mem_has(p, 3 * self->ps, off, 31));
	EXPECT_TRUE(mem_has(p + 5 * self->ps, 3 * self->ps, off + 5 * self->ps, 31));
	EXPECT_EQ(MD_PROBE_SIGSEGV, md_probe(p + 3 * self->ps, false));
	ASSERT_EQ(0, munmap(p, len));
	ASSERT_EQ(0, md_info(self->fd, &c));
	EXPECT_EQ(a.counters.live_mappings, c.counters.live_mappings);
}

TEST_F(map, mremap_grow)
{
	size_t off = 36 * self->ps, ps = self->ps;
	char *area, *p, *q;

	ASSERT_EQ(0, buf_fill(self->fd, off, 4 * ps, 32));
	/* Two pages with free address space right after them. */
	area = mmap(NULL, 16 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	ASSERT_EQ(0, munmap(area + 2 * ps, 14 * ps));
	ASSERT_EQ(0, md_set_mode(self->fd, variant->mode));
	p = mmap(area, 2 * ps, PROT_READ,
		 (variant->shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED,
		 self->fd, off);
	ASSERT_EQ(area, p);

	q = mremap(p, 2 * ps, 4 * ps, 0);
	if (!demand_paged(variant) || variant->mode == MMAPDEMO_MODE_HUGE) {
		/*
		 * remap, insert and huge mappings are VM_DONTEXPAND (huge's
		 * are special through it, not being mixed maps).
		 */
		EXPECT_EQ(MAP_FAILED, q);
		EXPECT_EQ(EFAULT, errno);
		munmap(p, 2 * ps);
		return;
	}
	if (q == MAP_FAILED) {
		/*
		 * From 6.7 mremap() grows in place through vma_merge_extend(),
		 * which refuses VM_SPECIAL (here VM_MIXEDMAP) VMAs: ENOMEM.
		 * 6.1 grows them.
		 */
		EXPECT_EQ(ENOMEM, errno);
		EXPECT_TRUE(md_kernel_at_least(6, 7)) TH_LOG("in-place growth failed on an older kernel");
	} else {
		ASSERT_EQ(p, q);
		EXPECT_TRUE(mem_has(q, 4 * ps, off, 32));
		p = mremap(q, 4 * ps, 2 * ps, 0);
		ASSERT_EQ(q, p);
	}
	/* Grown while moved to a place of our choosing, it works everywhere. */
	area = mmap(NULL, 8 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	q = mremap(p, 2 * ps, 4 * ps, MREMAP_MAYMOVE | MREMAP_FIXED, area);
	ASSERT_EQ(area, q) TH_LOG("mremap: %s", strerror(errno));
	EXPECT_TRUE(mem_has(q, 4 * ps, off, 32));
	munmap(area, 8 * ps);
}

TEST_F(map, mremap_shrink_and_move)
{
	size_t off = 40 * self->ps;
	char *p, *q, *r;

	ASSERT_EQ(0, buf_fill(self->fd, off, 4 * self->ps, 33));
	p = map_pages(self, variant, 40, 4, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	q = mremap(p, 4 * self->ps, 2 * self->ps, 0);
	ASSERT_EQ(p, q);
	EXPECT_TRUE(mem_has(q, 2 * self->ps, off, 33));
	/* Move it elsewhere: the PTEs move with it. */
	r = mmap(NULL, 8 * self->ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	q = mremap(q, 2 * self->ps, 2 * self->ps, MREMAP_MAYMOVE | MREMAP_FIXED,
		   r + 4 * self->ps);
	ASSERT_EQ(r + 4 * self->ps, q);
	EXPECT_TRUE(mem_has(q, 2 * self->ps, off, 33));
	munmap(r, 8 * self->ps);
}

/*
 * The buffer is memory with no backing store: msync() and fsync() have
 * nothing to write back, succeed, and change nothing.
 */
TEST_F(map, msync_and_fsync_succeed)
{
	size_t len = 4 * self->ps, off = 52 * self->ps;
	static const int flags[] = {
		MS_SYNC, MS_ASYNC, MS_INVALIDATE, MS_SYNC | MS_INVALIDATE,
	};
	unsigned int i;
	char *p;

	ASSERT_EQ(0, buf_fill(self->fd, off, len, 50));
	p = map_pages(self, variant, 52, 4, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	md_pattern_fill(p, len, off, 51);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		EXPECT_EQ(0, msync(p, len, flags[i]))
			TH_LOG("msync(%#x): %s", flags[i], strerror(errno));
	EXPECT_EQ(0, fsync(self->fd)) TH_LOG("fsync: %s", strerror(errno));
	EXPECT_EQ(0, fdatasync(self->fd)) TH_LOG("fdatasync: %s", strerror(errno));
	EXPECT_TRUE(mem_has(p, len, off, 51));
	EXPECT_TRUE(buf_has(self->fd, off, len, variant->shared ? 51 : 50));
	munmap(p, len);
}

TEST_F(map, proc_maps_names_the_device)
{
	char line[512], want[64];
	bool found = false;
	char *p;
	FILE *f;

	p = map_pages(self, variant, 0, 1, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	snprintf(want, sizeof(want), "%lx-", (unsigned long)p);
	f = fopen("/proc/self/maps", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, strlen(want)))
			continue;
		found = true;
		EXPECT_NE(NULL, strstr(line, MD_DEVICE)) TH_LOG("%s", line);
		EXPECT_EQ(variant->shared ? 's' : 'p', line[strcspn(line, " ") + 4]);
	}
	fclose(f);
	EXPECT_TRUE(found);
	munmap(p, self->ps);
}

/* Other processes' access: ptrace, /proc/PID/mem, process_vm_readv */

/*
 * A child maps page @pg, writes @seed there if told to, and stops (as a
 * tracee of ours if @traceme); the parent looks at its memory. When it
 * goes on, it exits 0 if the page holds @seed + 1. Returns its pid, and
 * the address of the page in it in @addr.
 */
static pid_t stopped_child(FIXTURE_DATA(map) *self,
			   const FIXTURE_VARIANT(map) *variant, size_t pg,
			   uint32_t seed, bool write, bool traceme, char **addr)
{
	char *p = map_pages(self, variant, pg, 1, PROT_READ | PROT_WRITE);
	pid_t pid;

	if (p == MAP_FAILED)
		return -1;
	*addr = p;
	pid = fork();
	if (pid == 0) {
		if (write)
			md_pattern_fill(p, self->ps, pg * self->ps, seed);
		if (traceme && ptrace(PTRACE_TRACEME, 0, 0, 0))
			_exit(2);
		raise(SIGSTOP);
		/* Report whether the parent's write reached us. */
		_exit(mem_has(p, self->ps, pg * self->ps, seed + 1) ? 0 : 1);
	}
	munmap(p, self->ps);
	return pid;
}

TEST_F(map, proc_pid_mem_reads_and_writes)
{
	size_t off = 44 * self->ps;
	char path[64], *addr, *tmp;
	int mem, status;
	pid_t pid;

	ASSERT_EQ(0, buf_fill(self->fd, off, self->ps, 34));
	pid = stopped_child(self, variant, 44, 35, true, false, &addr);
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	mem = open(path, O_RDWR);
	ASSERT_LE(0, mem);
	tmp = malloc(self->ps);
	ASSERT_NE(NULL, tmp);
	/* It reads what the child sees: its write, shared or copied. */
	ASSERT_EQ(self->ps, pread(mem, tmp, self->ps, (off_t)(uintptr_t)addr));
	EXPECT_TRUE(mem_has(tmp, self->ps, off, 35));
	/* A debugger's write lands where the child's write did. */
	md_pattern_fill(tmp, self->ps, off, 36);
	EXPECT_EQ(self->ps, pwrite(mem, tmp, self->ps, (off_t)(uintptr_t)addr));
	close(mem);
	free(tmp);
	kill(pid, SIGCONT);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_TRUE(buf_has(self->fd, off, self->ps, variant->shared ? 36 : 34));
}

TEST_F(map, ptrace_peek_and_poke)
{
	size_t off = 45 * self->ps;
	long word, want, first;
	char *addr;
	int status;
	pid_t pid;

	ASSERT_EQ(0, buf_fill(self->fd, off, self->ps, 37));
	pid = stopped_child(self, variant, 45, 37, false, true, &addr);
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSTOPPED(status));

	/* The child has not touched the page: PEEK reads the buffer. */
	errno = 0;
	word = ptrace(PTRACE_PEEKDATA, pid, addr, 0);
	ASSERT_EQ(0, errno) TH_LOG("PEEKDATA: %s", strerror(errno));
	md_pattern_fill(&want, sizeof(want), off, 37);
	EXPECT_EQ(want, word);

	md_pattern_fill(&want, sizeof(want), off, 38);
	if (variant->mode == MMAPDEMO_MODE_REMAP && !variant->shared) {
		/*
		 * ->access never writes the buffer through a private mapping
		 * whose page has not been copied yet: the poke fails.
		 */
		EXPECT_EQ(-1, ptrace(PTRACE_POKEDATA, pid, addr, want));
		EXPECT_EQ(EIO, errno);
	} else {
		EXPECT_EQ(0, ptrace(PTRACE_POKEDATA, pid, addr, want));
		EXPECT_EQ(want, ptrace(PTRACE_PEEKDATA, pid, addr, 0));
	}
	/* Shared: the poke is in the buffer. Private: only in the copy. */
	ASSERT_EQ(sizeof(first), pread(self->fd, &first, sizeof(first), off));
	if (variant->shared) {
		EXPECT_EQ(want, first);
	} else {
		EXPECT_TRUE(buf_has(self->fd, off, self->ps, 37));
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

TEST_F(map, process_vm_readv)
{
	size_t off = 46 * self->ps;
	struct iovec local, remote;
	char *addr, *tmp;
	int status;
	pid_t pid;
	ssize_t n;

	ASSERT_EQ(0, buf_fill(self->fd, off, self->ps, 39));
	pid = stopped_child(self, variant, 46, 40, true, false, &addr);
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	tmp = malloc(self->ps);
	ASSERT_NE(NULL, tmp);
	local = (struct iovec){ tmp, self->ps };
	remote = (struct iovec){ addr, self->ps };
	n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (variant->mode == MMAPDEMO_MODE_REMAP) {
		/*
		 * It pins pages, and get_user_pages() refuses VM_IO |
		 * VM_PFNMAP mappings, copies included. ptrace goes through
		 * ->access instead.
		 */
		EXPECT_EQ(-1, n);
		EXPECT_EQ(EFAULT, errno);
	} else {
		EXPECT_EQ(self->ps, n) TH_LOG("process_vm_readv: %s", strerror(errno));
		EXPECT_TRUE(mem_has(tmp, self->ps, off, 40));
	}
	free(tmp);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/*
 * O_DIRECT: the block layer pins the mapping's pages with
 * get_user_pages(), as the source of a write() and the destination of a
 * read() (a write into a private mapping breaks copy on write first).
 * Like process_vm_readv, refused for remap's VM_PFNMAP, copies included.
 * The debug kernel has no block layer, so no loop device: skipped there.
 */
TEST_F(map, o_direct_io_through_gup)
{
	size_t off = 50 * self->ps, len = 4 * self->ps;
	struct md_loop lo;
	char *p, *tmp;
	ssize_t n;

	if (md_loop_open(&lo, len))
		SKIP(return, "no loop device here (%s): no O_DIRECT", strerror(errno));
	tmp = malloc(len);
	ASSERT_NE(NULL, tmp);
	ASSERT_EQ(0, buf_fill(self->fd, off, len, 42));
	p = map_pages(self, variant, 50, 4, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);

	n = pwrite(lo.fd, p, len, 0);
	if (variant->mode == MMAPDEMO_MODE_REMAP) {
		EXPECT_EQ(-1, n);
		EXPECT_EQ(EFAULT, errno);
	} else {
		EXPECT_EQ(len, n) TH_LOG("O_DIRECT write: %s", strerror(errno));
		ASSERT_EQ(len, pread(lo.backing, tmp, len, 0));
		EXPECT_TRUE(mem_has(tmp, len, off, 42));
	}

	md_pattern_fill(tmp, len, off, 43);
	ASSERT_EQ(len, pwrite(lo.backing, tmp, len, 0));
	n = pread(lo.fd, p, len, 0);
	if (variant->mode == MMAPDEMO_MODE_REMAP) {
		EXPECT_EQ(-1, n);
		EXPECT_EQ(EFAULT, errno);
		EXPECT_TRUE(mem_has(p, len, off, 42));
	} else {
		EXPECT_EQ(len, n) TH_LOG("O_DIRECT read: %s", strerror(errno));
		EXPECT_TRUE(mem_has(p, len, off, 43));
		/* Shared: the buffer has it. Private: only the copies. */
		EXPECT_TRUE(buf_has(self->fd, off, len, variant->shared ? 43 : 42));
	}
	munmap(p, len);
	free(tmp);
	md_loop_close(&lo);
}

/* Concurrency */

struct toucher {
	char *p;
	size_t ps, first, count, off;
	uint32_t seed;
	bool ok;
};

static void *touch_and_check(void *arg)
{
	struct toucher *t = arg;
	size_t i;

	t->ok = true;
	for (i = t->first; i < t->first + t->count; i++)
		if (!mem_has(t->p + i * t->ps, t->ps, t->off + i * t->ps, t->seed))
			t->ok = false;
	return NULL;
}

static void threads_touch(struct __test_metadata *_metadata,
			  FIXTURE_DATA(map) *self,
			  const FIXTURE_VARIANT(map) *variant, bool same)
{
	size_t npages = 64, off = 64 * self->ps, i;
	struct toucher t[4];
	pthread_t tid[4];
	char *p;

	ASSERT_EQ(0, buf_fill(self->fd, off, npages * self->ps, 41));
	p = map_pages(self, variant, 64, npages, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 4; i++) {
		t[i] = (struct toucher){
			.p = p, .ps = self->ps, .off = off, .seed = 41,
			.first = same ? 0 : i * npages / 4,
			.count = same ? npages : npages / 4,
		};
		ASSERT_EQ(0, pthread_create(&tid[i], NULL, touch_and_check, &t[i]));
	}
	for (i = 0; i < 4; i++) {
		pthread_join(tid[i], NULL);
		EXPECT_TRUE(t[i].ok) TH_LOG("thread %zu read wrong data", i);
	}
	if (variant->mode != MMAPDEMO_MODE_REMAP)
		EXPECT_EQ(npages, md_present_pages(p, npages));
	munmap(p, npages * self->ps);
}

TEST_F(map, threads_fault_the_same_pages)
{
	threads_touch(_metadata, self, variant, true);
}

TEST_F(map, threads_fault_different_pages)
{
	threads_touch(_metadata, self, variant, false);
}

TEST_F(map, processes_write_their_own_pages)
{
	size_t npages = 16, off = 128 * self->ps, i;
	int status;
	char *p;

	ASSERT_EQ(0, buf_fill(self->fd, off, npages * self->ps, 42));
	p = map_pages(self, variant, 128, npages, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 4; i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0) {
			size_t first = i * npages / 4;

			md_pattern_fill(p + first * self->ps, npages / 4 * self->ps,
					off + first * self->ps, 43);
			_exit(0);
		}
	}
	for (i = 0; i < 4; i++) {
		ASSERT_LT(0, wait(&status));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	/* Shared: every child's quarter arrived; private: none did. */
	EXPECT_TRUE(mem_has(p, npages * self->ps, off, variant->shared ? 43 : 42));
	EXPECT_TRUE(buf_has(self->fd, off, npages * self->ps, variant->shared ? 43 : 42));
	munmap(p, npages * self->ps);
}

/* The harness's own signal tests: the test must die of the signal. */

TEST_SIGNAL(fault_mode_touch_past_the_end_raises_sigbus, SIGBUS)
{
	struct mmapdemo_info info;
	volatile char *p;
	int fd;

	OPEN_OR_SKIP(fd);
	ASSERT_EQ(0, md_info(fd, &info));
	p = md_map(fd, MMAPDEMO_MODE_FAULT, info.page_size, info.size, PROT_READ,
		   true);
	ASSERT_NE(MAP_FAILED, p);
	(void)*p;
	TH_LOG("a read past the end of the buffer did not raise SIGBUS");
}

TEST_SIGNAL(remap_mode_write_to_read_only_mapping_raises_sigsegv, SIGSEGV)
{
	volatile char *p;
	int fd;

	OPEN_OR_SKIP(fd);
	p = md_map(fd, MMAPDEMO_MODE_REMAP, md_page_size(), 0, PROT_READ, true);
	ASSERT_NE(MAP_FAILED, p);
	*p = 1;
	TH_LOG("a write to a PROT_READ mapping did not raise SIGSEGV");
}

TEST_HARNESS_MAIN
