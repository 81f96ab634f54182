// SPDX-License-Identifier: GPL-2.0
/*
 * Resize: growing adds zeroed pages and makes demand-paged addresses past
 * the old end valid without remapping; shrinking unmaps the removed pages
 * from demand-paged mappings (SIGBUS after, private copies included, as
 * truncate does) and is refused with EBUSY under remap and insert
 * mappings, whose PTEs were made in mmap(). No PTE is ever left pointing
 * at a removed page. Each test puts the buffer back to its size.
 */
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "mmapdemo_test.h"

FIXTURE(resize)
{
	int fd;
	size_t ps;
	size_t size;	/* at the start, restored at the end */
};

MD_MODE_VARIANTS(resize);

FIXTURE_SETUP(resize)
{
	struct mmapdemo_info info;

	OPEN_OR_SKIP(self->fd);
	ASSERT_EQ(0, md_info(self->fd, &info));
	self->ps = info.page_size;
	self->size = info.size;
	ASSERT_LE(16 * self->ps, self->size);
}

FIXTURE_TEARDOWN(resize)
{
	if (self->fd >= 0) {
		md_resize(self->fd, self->size);
		close(self->fd);
	}
}

static bool demand_paged(const FIXTURE_VARIANT(resize) *variant)
{
	return md_mode_demand_paged(variant->mode);
}

static size_t buffer_size(int fd)
{
	struct mmapdemo_info info;

	return md_info(fd, &info) ? 0 : info.size;
}

TEST_F(resize, grow_adds_zeroed_pages_and_keeps_data)
{
	size_t big = 2 * self->size;
	char *p;

	ASSERT_EQ(0, buf_fill(self->fd, 0, self->size, 1));
	ASSERT_EQ(0, md_resize(self->fd, big));
	EXPECT_EQ(big, buffer_size(self->fd));
	EXPECT_TRUE(buf_has(self->fd, 0, self->size, 1));
	p = md_map(self->fd, variant->mode, big, 0, PROT_READ, variant->shared);
	if (p == MAP_FAILED && variant->mode == MMAPDEMO_MODE_REMAP &&
	    (!variant->shared || md_mmap_prepare())) {
		struct mmapdemo_info info;

		/*
		 * The new pages are another run: no private remap across,
		 * and with mmap_prepare no remap across at all.
		 */
		EXPECT_EQ(EINVAL, errno);
		ASSERT_EQ(0, md_info(self->fd, &info));
		EXPECT_LT(1, info.segments);
		p = md_map(self->fd, md_mmap_prepare() ? MMAPDEMO_MODE_INSERT :
			   variant->mode, big, 0, PROT_READ, true);
	}
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(mem_has(p, self->size, 0, 1));
	EXPECT_TRUE(all_zero(p + self->size, self->size));
	munmap(p, big);
}

TEST_F(resize, shrink_keeps_the_rest)
{
	size_t small = self->size / 2;

	ASSERT_EQ(0, buf_fill(self->fd, 0, self->size, 2));
	ASSERT_EQ(0, md_resize(self->fd, small));
	EXPECT_EQ(small, buffer_size(self->fd));
	EXPECT_TRUE(buf_has(self->fd, 0, small, 2));
	/* read() stops at the new end, write() past it finds no space. */
	EXPECT_EQ(0, pread(self->fd, (char[8]){ 0 }, 8, small));
	EXPECT_EQ(-1, pwrite(self->fd, "x", 1, small));
	EXPECT_EQ(ENOSPC, errno);
}

TEST_F(resize, grow_makes_addresses_past_the_end_valid)
{
	size_t last = self->size - self->ps;
	char *p;

	p = md_map(self->fd, variant->mode, 3 * self->ps, last,
		   PROT_READ | PROT_WRITE, variant->shared);
	if (!demand_paged(variant)) {
		/* Prepopulated modes never map past the end. */
		EXPECT_EQ(MAP_FAILED, p);
		EXPECT_EQ(EINVAL, errno);
		return;
	}
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(MD_PROBE_OK, md_probe(p, false));
	EXPECT_EQ(MD_PROBE_SIGBUS, md_probe(p + self->ps, false));
	EXPECT_EQ(MD_PROBE_SIGBUS, md_probe(p + 2 * self->ps, true));

	ASSERT_EQ(0, md_resize(self->fd, self->size + 2 * self->ps));
	/* The same addresses, no new mmap(): now they are buffer pages. */
	EXPECT_EQ(MD_PROBE_OK, md_probe(p + self->ps, false));
	EXPECT_TRUE(all_zero(p + self->ps, 2 * self->ps));
	md_pattern_fill(p + self->ps, 2 * self->ps, self->size, 3);
	EXPECT_TRUE(buf_has(self->fd, self->size, 2 * self->ps, 3) == variant->shared);
	munmap(p, 3 * self->ps);
}

TEST_F(resize, shrink_unmaps_demand_paged_mappings)
{
	size_t len = 8 * self->ps, off = self->size - len, small = self->size - 4 * self->ps;
	char *p;

	ASSERT_EQ(0, buf_fill(self->fd, off, len, 4));
	p = md_map(self->fd, variant->mode, len, off, PROT_READ | PROT_WRITE,
		   variant->shared);
	ASSERT_NE(MAP_FAILED, p);
	/* Every page mapped; private ones even copied. */
	md_pattern_fill(p, len, off, 5);

	if (!demand_paged(variant)) {
		/* PTEs made in mmap() cannot be zapped safely: EBUSY. */
		EXPECT_EQ(-1, md_resize(self->fd, small));
		EXPECT_EQ(EBUSY, errno);
		EXPECT_EQ(self->size, buffer_size(self->fd));
		EXPECT_TRUE(mem_has(p, len, off, 5));
		munmap(p, len);
		/* Unmapped, the shrink goes through. */
		EXPECT_EQ(0, md_resize(self->fd, small));
		return;
	}
	ASSERT_EQ(0, md_resize(self->fd, small));
	/* The kept half is untouched, the removed half raises SIGBUS. */
	EXPECT_TRUE(mem_has(p, 4 * self->ps, off, 5));
	EXPECT_EQ(MD_PROBE_SIGBUS, md_probe(p + 4 * self->ps, false));
	EXPECT_EQ(MD_PROBE_SIGBUS, md_probe(p + len - 1, true));
	EXPECT_EQ(4, md_present_pages(p, 8));

	/* Grown again, the same addresses show new, zeroed pages. */
	ASSERT_EQ(0, md_resize(self->fd, self->size));
	EXPECT_TRUE(all_zero(p + 4 * self->ps, 4 * self->ps));
	munmap(p, len);
}

TEST_F(resize, shrink_outside_a_prepopulated_mapping_is_allowed)
{
	size_t len = 4 * self->ps;
	char *p;

	ASSERT_EQ(0, buf_fill(self->fd, 0, len, 6));
	p = md_map(self->fd, variant->mode, len, 0, PROT_READ, variant->shared);
	ASSERT_NE(MAP_FAILED, p);
	if (variant->mode == MMAPDEMO_MODE_REMAP && !variant->shared) {
		/*
		 * A private remap mapping's vm_pgoff is a page frame number,
		 * so unmap_mapping_range() could not find it reliably: no
		 * shrink at all while one exists.
		 */
		EXPECT_EQ(-1, md_resize(self->fd, self->size / 2));
		EXPECT_EQ(EBUSY, errno);
	} else {
		EXPECT_EQ(0, md_resize(self->fd, self->size / 2));
	}
	EXPECT_TRUE(mem_has(p, len, 0, 6));
	munmap(p, len);
}

TEST_F(resize, grow_and_shrink_while_mapped_keep_data_consistent)
{
	size_t len = 16 * self->ps, i;
	char *p;

	ASSERT_EQ(0, buf_fill(self->fd, 0, len, 7));
	p = md_map(self->fd, variant->mode, len, 0, PROT_READ, variant->shared);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, md_resize(self->fd, self->size + (i + 1) * self->ps));
		/* Shrinks that keep the mapped range; see the test above. */
		if (variant->mode != MMAPDEMO_MODE_REMAP || variant->shared)
			ASSERT_EQ(0, md_resize(self->fd, self->size - i * self->ps));
		EXPECT_TRUE(mem_has(p, len, 0, 7));
	}
	munmap(p, len);
}

/* Arguments, outside the matrix */

FIXTURE(resize_args)
{
	int fd;
	size_t size;
};

FIXTURE_SETUP(resize_args)
{
	struct mmapdemo_info info;

	OPEN_OR_SKIP(self->fd);
	ASSERT_EQ(0, md_info(self->fd, &info));
	self->size = info.size;
}

FIXTURE_TEARDOWN(resize_args)
{
	if (self->fd >= 0) {
		md_resize(self->fd, self->size);
		close(self->fd);
	}
}

TEST_F(resize_args, size_is_rounded_up_to_pages)
{
	ASSERT_EQ(0, md_resize(self->fd, 5000));
	EXPECT_EQ((5000 + md_page_size() - 1) / md_page_size() * md_page_size(),
		  buffer_size(self->fd));
}

TEST_F(resize_args, zero_and_past_the_limit_are_refused)
{
	EXPECT_EQ(-1, md_resize(self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, md_resize(self->fd, MMAPDEMO_MAX_SIZE + 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, md_resize(self->fd, ~0ULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(self->size, buffer_size(self->fd));
}

TEST_F(resize_args, bad_pointer_is_efault)
{
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_RESIZE, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_RESIZE, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(self->size, buffer_size(self->fd));
}

TEST_F(resize_args, read_only_file_is_ebadf)
{
	int fd = md_open(O_RDONLY);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, md_resize(fd, 2 * self->size));
	EXPECT_EQ(EBADF, errno);
	close(fd);
	EXPECT_EQ(self->size, buffer_size(self->fd));
}

TEST_F(resize_args, read_only_shared_remap_does_not_block_shrink)
{
	int ro = md_open(O_RDONLY);
	char *p;

	/* A MAP_SHARED mapping of a read-only file has no VM_SHARED. */
	ASSERT_LE(0, ro);
	ASSERT_EQ(0, buf_fill(self->fd, 0, 8192, 8));
	p = md_map(ro, MMAPDEMO_MODE_REMAP, 8192, 0, PROT_READ, true);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, md_resize(self->fd, self->size / 2))
		TH_LOG("a read-only shared mapping was taken for a private one");
	EXPECT_TRUE(mem_has(p, 8192, 0, 8));
	munmap(p, 8192);
	close(ro);
}

TEST_F(resize_args, counts_resizes)
{
	struct mmapdemo_info a, b;

	ASSERT_EQ(0, md_info(self->fd, &a));
	ASSERT_EQ(0, md_resize(self->fd, 2 * self->size));
	ASSERT_EQ(0, md_resize(self->fd, self->size));
	EXPECT_EQ(-1, md_resize(self->fd, 0));
	ASSERT_EQ(0, md_info(self->fd, &b));
	EXPECT_EQ(a.counters.resizes + 2, b.counters.resizes);
	EXPECT_EQ(self->size / md_page_size(), b.counters.buffer_pages);
}

/*
 * Free memory in kB: the buddy allocator's free pages and the per-CPU
 * free lists (/proc/zoneinfo "count:"), where pages freed one by one
 * wait and MemFree does not see them (as scripts/guest-check.d/40-stress
 * counts it).
 */
static long mem_free_kb(void)
{
	long pages = -1, count, pcp = 0;
	char line[256];
	FILE *f;

	f = fopen("/proc/vmstat", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "nr_free_pages %ld", &pages) == 1)
			break;
	fclose(f);
	f = fopen("/proc/zoneinfo", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &count) == 1)
			pcp += count;
	fclose(f);
	return pages < 0 ? -1 : (pages + pcp) * (long)(md_page_size() / 1024);
}

/*
 * A grow allocates page by page, and a caller killed meanwhile stops it:
 * the buffer keeps its size and the pages taken so far go back. The kill
 * comes once the grow has taken 16 MiB of its 256 MiB, with a margin of
 * 8 MiB for the free memory to come back.
 */
TEST_F(resize_args, killed_grow_stops_and_gives_the_pages_back)
{
	long before = mem_free_kb(), now;
	struct mmapdemo_info a, b;
	int status, i;
	pid_t pid;

	ASSERT_LT(0, before);
	ASSERT_LT(384L * 1024, before) TH_LOG("the test needs 384 MiB free");
	ASSERT_EQ(0, md_info(self->fd, &a));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		md_resize(self->fd, 256ULL << 20);
		_exit(0);
	}
	for (i = 0; i < 60000; i++) {
		now = mem_free_kb();
		if (now < before - 16 * 1024 ||
		    waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ASSERT_TRUE(WIFSIGNALED(status))
		TH_LOG("the grow ended before the kill: status %#x", status);
	ASSERT_EQ(0, md_info(self->fd, &b));
	EXPECT_EQ(self->size, b.size) TH_LOG("the killed grow changed the size");
	EXPECT_EQ(a.counters.resizes, b.counters.resizes);
	/* kvfree_rcu() and the per-CPU lists settle within a second. */
	for (i = 0; i < 100 && mem_free_kb() < before - 8 * 1024; i++)
		usleep(10000);
	now = mem_free_kb();
	ksft_print_msg("killed grow: %ld kB free before, %ld kB after\n",
		       before, now);
	EXPECT_LE(before - 8 * 1024, now)
		TH_LOG("%ld kB of the killed grow did not come back",
		       before - now);
}

/*
 * The buffer's pages are charged to the memory cgroup of whoever grows
 * it (__GFP_ACCOUNT), so a cgroup's limit holds against a resize. A child
 * process joins a new cgroup limited to 64 MiB and grows the buffer: by
 * 8 MiB it can, and memory.current shows it; by 128 MiB it cannot.
 */
#define CG_ROOT		"/sys/fs/cgroup"
#define CG_CHILD	CG_ROOT "/mmapdemo-resize"

static long cg_current(void)
{
	char text[32];

	return md_read_text(CG_CHILD "/memory.current", text, sizeof(text)) ?
	       -1 : atol(text);
}

/* Does the kernel know the cgroup2 file system? */
static bool has_cgroup2(void)
{
	char line[128];
	bool found = false;
	FILE *f = fopen("/proc/filesystems", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strcmp(line, "nodev\tcgroup2\n");
	fclose(f);
	return found;
}

TEST_F(resize_args, grow_is_charged_to_the_callers_memory_cgroup)
{
	bool mounted = false;
	char text[256];
	int status;
	pid_t pid;

	if (!has_cgroup2())
		SKIP(return, "no cgroup2 in this kernel (CONFIG_CGROUPS)");
	if (md_read_text(CG_ROOT "/cgroup.controllers", text, sizeof(text))) {
		mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL);
		ASSERT_EQ(0, md_read_text(CG_ROOT "/cgroup.controllers", text,
					  sizeof(text)))
			TH_LOG("mount cgroup2: %s", strerror(errno));
		mounted = true;
	}
	if (!strstr(text, "memory"))
		SKIP(goto out, "no memory controller in this kernel (CONFIG_MEMCG)");
	ASSERT_EQ(0, md_write_text(CG_ROOT "/cgroup.subtree_control", "+memory"));
	rmdir(CG_CHILD);
	ASSERT_EQ(0, mkdir(CG_CHILD, 0755));
	ASSERT_EQ(0, md_write_text(CG_CHILD "/memory.max", "67108864"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		long base;

		if (md_write_text(CG_CHILD "/cgroup.procs", "0"))
			_exit(10);
		base = cg_current();
		if (md_resize(self->fd, self->size + (8 << 20)))
			_exit(11);
		if (cg_current() < base + (8 << 20))
			_exit(12);
		if (md_resize(self->fd, self->size + (128 << 20)) == 0)
			_exit(13);
		_exit(errno == ENOMEM ? 0 : 14);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("status %#x: 10 join, 11 grow by 8M, 12 not charged, 13 grow past the limit went through, 14 not ENOMEM",
		       status);
	/* The charged pages go with the shrink; then the cgroup can go. */
	EXPECT_EQ(0, md_resize(self->fd, self->size));
	EXPECT_EQ(self->size, buffer_size(self->fd));
	EXPECT_EQ(0, rmdir(CG_CHILD)) TH_LOG("rmdir: %s", strerror(errno));
out:
	if (mounted)
		umount(CG_ROOT);
}

/* A shrink's SIGBUS, as the harness sees it: the test dies of it. */
FIXTURE(dies)
{
	size_t size;
};

FIXTURE_SETUP(dies)
{
	struct mmapdemo_info info;
	int fd;

	OPEN_OR_SKIP(fd);
	ASSERT_EQ(0, md_info(fd, &info));
	self->size = info.size;
	close(fd);
}

/* The test's process is dead by then: the parent puts the size back. */
FIXTURE_TEARDOWN_PARENT(dies)
{
	int fd = md_open(O_RDWR);

	if (fd >= 0 && self->size)
		md_resize(fd, self->size);
	if (fd >= 0)
		close(fd);
}

TEST_F_SIGNAL(dies, touch_after_shrink_raises_sigbus, SIGBUS)
{
	size_t ps = md_page_size();
	volatile char *p;
	int fd;

	OPEN_OR_SKIP(fd);
	p = md_map(fd, MMAPDEMO_MODE_FAULT, ps, self->size - ps, PROT_READ, true);
	ASSERT_NE(MAP_FAILED, p);
	(void)*p;
	ASSERT_EQ(0, md_resize(fd, self->size - ps));
	(void)*p;
	TH_LOG("a read of a page removed by a shrink did not raise SIGBUS");
}

TEST_HARNESS_MAIN
