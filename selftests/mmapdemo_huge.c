// SPDX-License-Identifier: GPL-2.0
/*
 * huge mode: a fault in a 2 MiB window of the mapping that is one of the
 * buffer's 2 MiB folios maps it with one PMD (->huge_fault), the rest
 * falls back to ->fault page by page. Where the kernel cannot (no
 * vmf_insert_folio_pmd(), 6.15; no transparent huge pages, as on -rt; no
 * mmap_prepare) the mode is refused with EOPNOTSUPP:
 * huge_mode_is_the_kernels asserts which, and there mmapdemo_test.sh
 * runs only it (-F huge), as the driver's "modes" file says.
 *
 * Each test makes the buffer 1 MiB, then 8 MiB: its first 2 MiB are small
 * pages (the first 1 MiB's allocation could not be a 2 MiB folio) and the
 * other three windows are folios where the allocator had 2 MiB blocks,
 * which /sys/class/misc/mmapdemo/folios counts. A PMD split or unmapped
 * without its reference and mapcount dropped shows at exit ("Bad
 * rss-counter") to the dmesg check.
 */
#include <ctype.h>
#include <sys/uio.h>

#include "kselftest_harness.h"
#include "mmapdemo_test.h"

#define MIB		(1024UL * 1024)
#define HUGE_SIZE	(8 * MIB)
#define PMD_SZ		(2 * MIB)
#define THP_ENABLED	"/sys/kernel/mm/transparent_hugepage/enabled"

/* What the kernel should say to huge mode: its version and config. */
static bool huge_expected(void)
{
	return md_kernel_at_least(6, 15) && md_mmap_prepare() &&
	       !access(THP_ENABLED, F_OK);
}

static unsigned long sysfs_ul(const char *name)
{
	char path[128], text[32];

	snprintf(path, sizeof(path), MD_SYSFS "/%s", name);
	if (md_read_text(path, text, sizeof(text)))
		return ~0UL;
	return strtoul(text, NULL, 10);
}

/* FilePmdMapped of the VMA that starts at @addr, in kB, or -1. */
static long file_pmd_mapped_kb(const void *addr)
{
	char line[256], start[32];
	bool in = false;
	long kb = -1;
	FILE *f;

	snprintf(start, sizeof(start), "%lx-", (unsigned long)addr);
	f = fopen("/proc/self/smaps", "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (strchr(line, '-') && strchr(line, ' ') > strchr(line, '-') &&
		    isxdigit((unsigned char)line[0]))
			in = !strncmp(line, start, strlen(start));
		else if (in && sscanf(line, "FilePmdMapped: %ld kB", &kb) == 1)
			break;
	}
	if (f)
		fclose(f);
	return kb;
}

/*
 * The driver takes huge mode exactly where the kernel can, says so in
 * "modes", and refuses it otherwise with EOPNOTSUPP, by ioctl and by the
 * module parameter.
 */
TEST(huge_mode_is_the_kernels)
{
	const char *param = "/sys/module/" MD_MODULE "/parameters/mode";
	bool expected = huge_expected();
	char modes[128], old[32];
	int fd, ret;

	OPEN_OR_SKIP(fd);
	ASSERT_EQ(0, md_read_text(MD_SYSFS "/modes", modes, sizeof(modes)));
	EXPECT_EQ(expected, strstr(modes, "huge") != NULL)
		TH_LOG("modes \"%s\" on a kernel %s THP and %s", modes,
		       access(THP_ENABLED, F_OK) ? "without" : "with",
		       md_mmap_prepare() ? "mmap_prepare" : "->mmap only");
	ret = md_set_mode(fd, MMAPDEMO_MODE_HUGE);
	if (expected) {
		EXPECT_EQ(0, ret);
	} else {
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EOPNOTSUPP, errno);
	}
	ASSERT_EQ(0, md_read_text(param, old, sizeof(old)));
	ret = md_write_text(param, "huge");
	if (expected) {
		EXPECT_EQ(0, ret);
		EXPECT_EQ(0, md_write_text(param, old));
	} else {
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EOPNOTSUPP, errno);
	}
	close(fd);
}

/* RssFile of this process, in kB, or -1. */
static long rss_file_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "RssFile: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

FIXTURE(huge)
{
	int fd;
	size_t size;		/* at the start, restored at the end */
	unsigned long folios;	/* of the 8 MiB buffer */
};

/* Where the driver takes huge mode: mmapdemo_test.sh runs these only there. */
FIXTURE_SETUP(huge)
{
	struct mmapdemo_info info;

	OPEN_OR_SKIP(self->fd);
	ASSERT_EQ(0, md_info(self->fd, &info));
	self->size = info.size;
	ASSERT_EQ(0, md_set_mode(self->fd, MMAPDEMO_MODE_HUGE))
		TH_LOG("huge mode: %s", strerror(errno));
	ASSERT_EQ(0, md_resize(self->fd, 1 * MIB));
	ASSERT_EQ(0, md_resize(self->fd, HUGE_SIZE));
	ASSERT_EQ(0, buf_fill(self->fd, 0, HUGE_SIZE, 7));
	self->folios = sysfs_ul("folios");
	ASSERT_GE(HUGE_SIZE / PMD_SZ - 1, self->folios);
	ASSERT_LE(1, self->folios)
		TH_LOG("the buffer got no 2 MiB folio: no free 2 MiB block?");
	ASSERT_EQ(0, md_reset_counters(self->fd));
}

FIXTURE_TEARDOWN(huge)
{
	if (self->fd >= 0) {
		md_resize(self->fd, self->size);
		close(self->fd);
	}
}

static void *map_huge(int fd, size_t len, off_t off, bool shared)
{
	return md_map(fd, MMAPDEMO_MODE_HUGE, len, off, PROT_READ | PROT_WRITE,
		      shared);
}

/* Read every page of [@p, @p + @len): the first touch of each. */
static void touch_all(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += 4096)
		(void)*(volatile const char *)(p + i);
}

TEST_F(huge, addresses_are_2m_aligned)
{
	char *p;

	p = map_huge(self->fd, HUGE_SIZE, 0, true);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, (unsigned long)p % PMD_SZ);
	munmap(p, HUGE_SIZE);
}

TEST_F(huge, one_pmd_per_folio_and_small_pages_elsewhere)
{
	unsigned long small = (HUGE_SIZE / PMD_SZ - self->folios) * (PMD_SZ / 4096);
	struct mmapdemo_info info;
	char *p;

	p = map_huge(self->fd, HUGE_SIZE, 0, true);
	ASSERT_NE(MAP_FAILED, p);
	touch_all(p, HUGE_SIZE);
	EXPECT_TRUE(mem_has(p, HUGE_SIZE, 0, 7));
	EXPECT_EQ(self->folios, sysfs_ul("counters/huge_pmds"));
	ASSERT_EQ(0, md_info(self->fd, &info));
	EXPECT_EQ(small, info.counters.faults);
	EXPECT_EQ(self->folios * PMD_SZ / 1024, file_pmd_mapped_kb(p));
	munmap(p, HUGE_SIZE);
}

/*
 * thp_get_unmapped_area() puts the address where it lines up with the
 * offset's 2 MiB windows: an unaligned offset loses only its first one.
 */
TEST_F(huge, unaligned_offset_still_maps_the_whole_windows)
{
	struct mmapdemo_info info;
	size_t len = HUGE_SIZE - 4096;
	char *p;

	p = map_huge(self->fd, len, 4096, true);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(4096, (unsigned long)p % PMD_SZ);
	touch_all(p, len);
	EXPECT_TRUE(mem_has(p, len, 4096, 7));
	EXPECT_EQ(self->folios, sysfs_ul("counters/huge_pmds"));
	ASSERT_EQ(0, md_info(self->fd, &info));
	EXPECT_EQ(len / 4096 - self->folios * (PMD_SZ / 4096), info.counters.faults);
	munmap(p, len);
}

/* MAP_FIXED where no window lines up: every page is a small one. */
TEST_F(huge, misaligned_address_takes_small_pages)
{
	struct mmapdemo_info info;
	size_t len = HUGE_SIZE;
	char *area, *p;

	area = mmap(NULL, len + 2 * PMD_SZ, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	p = (char *)((((unsigned long)area + PMD_SZ - 1) & ~(PMD_SZ - 1)) + 4096);
	ASSERT_EQ(0, md_set_mode(self->fd, MMAPDEMO_MODE_HUGE));
	ASSERT_EQ(p, mmap(p, len, PROT_READ, MAP_SHARED | MAP_FIXED, self->fd, 0));
	touch_all(p, len);
	EXPECT_TRUE(mem_has(p, len, 0, 7));
	EXPECT_EQ(0, sysfs_ul("counters/huge_pmds"));
	ASSERT_EQ(0, md_info(self->fd, &info));
	EXPECT_EQ(len / 4096, info.counters.faults);
	munmap(area, len + 2 * PMD_SZ);
}

TEST_F(huge, shared_writes_reach_the_buffer_and_other_mappings)
{
	char *p, *q;

	p = map_huge(self->fd, HUGE_SIZE, 0, true);
	ASSERT_NE(MAP_FAILED, p);
	touch_all(p, HUGE_SIZE);
	md_pattern_fill(p, HUGE_SIZE, 0, 8);
	EXPECT_TRUE(buf_has(self->fd, 0, HUGE_SIZE, 8));
	q = map_huge(self->fd, HUGE_SIZE, 0, true);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_TRUE(mem_has(q, HUGE_SIZE, 0, 8));
	EXPECT_EQ(0, run_helper("check", MMAPDEMO_MODE_HUGE, 0, HUGE_SIZE, 8));
	munmap(q, HUGE_SIZE);
	munmap(p, HUGE_SIZE);
}

/* A write into each window that may be a folio's: a copy, and its PMD split. */
TEST_F(huge, private_write_copies_one_page_and_splits_the_pmd)
{
	struct mmapdemo_info info;
	size_t off;
	char *p;

	p = map_huge(self->fd, HUGE_SIZE, 0, false);
	ASSERT_NE(MAP_FAILED, p);
	touch_all(p, HUGE_SIZE);
	EXPECT_EQ(self->folios, sysfs_ul("counters/huge_pmds"));
	EXPECT_EQ(self->folios * PMD_SZ / 1024, file_pmd_mapped_kb(p));
	for (off = PMD_SZ + 4096; off < HUGE_SIZE; off += PMD_SZ) {
		p[off] = ~p[off];
		EXPECT_FALSE(mem_has(p + off, 4096, off, 7));
	}
	EXPECT_TRUE(buf_has(self->fd, 0, HUGE_SIZE, 7));
	EXPECT_EQ(0, file_pmd_mapped_kb(p));
	for (off = PMD_SZ + 4096; off < HUGE_SIZE; off += PMD_SZ)
		p[off] = ~p[off];
	EXPECT_TRUE(mem_has(p, HUGE_SIZE, 0, 7));
	ASSERT_EQ(0, md_info(self->fd, &info));
	EXPECT_EQ(HUGE_SIZE / PMD_SZ - 1, info.counters.cow_faults);
	munmap(p, HUGE_SIZE);
}

/*
 * Each of these splits a PMD. The split must drop the PMD's page count of
 * the process (MM_FILEPAGES, RssFile) as the unmap of a whole one does: a
 * split that left it would show 2 MiB more after munmap() (the margin is
 * for this process's own code faulted in meanwhile).
 */
TEST_F(huge, partial_munmap_mprotect_and_dontneed_keep_the_data)
{
	long rss = rss_file_kb();
	char *p;

	p = map_huge(self->fd, HUGE_SIZE, 0, true);
	ASSERT_NE(MAP_FAILED, p);
	touch_all(p, HUGE_SIZE);
	ASSERT_EQ(0, munmap(p + 2 * MIB + 8192, 4096));
	ASSERT_EQ(0, mprotect(p + 4 * MIB, 4096, PROT_READ));
	ASSERT_EQ(0, madvise(p + 6 * MIB + 4096, 8192, MADV_DONTNEED));
	EXPECT_TRUE(mem_has(p, 2 * MIB + 8192, 0, 7));
	EXPECT_TRUE(mem_has(p + 2 * MIB + 12288, HUGE_SIZE - 2 * MIB - 12288,
			    2 * MIB + 12288, 7));
	EXPECT_EQ(MD_PROBE_SIGSEGV, md_probe(p + 2 * MIB + 8192, false));
	EXPECT_EQ(MD_PROBE_SIGSEGV, md_probe_store(p + 4 * MIB, 0));
	munmap(p, HUGE_SIZE);
	EXPECT_GT(rss + 1024, rss_file_kb());
}

TEST_F(huge, dontneed_of_the_whole_maps_the_pmds_again)
{
	char *p;

	p = map_huge(self->fd, HUGE_SIZE, 0, true);
	ASSERT_NE(MAP_FAILED, p);
	touch_all(p, HUGE_SIZE);
	ASSERT_EQ(0, madvise(p, HUGE_SIZE, MADV_DONTNEED));
	EXPECT_EQ(0, file_pmd_mapped_kb(p));
	touch_all(p, HUGE_SIZE);
	EXPECT_EQ(2 * self->folios, sysfs_ul("counters/huge_pmds"));
	EXPECT_TRUE(mem_has(p, HUGE_SIZE, 0, 7));
	munmap(p, HUGE_SIZE);
}

TEST_F(huge, fork_child_sees_the_buffer)
{
	int status;
	pid_t pid;
	char *p;

	p = map_huge(self->fd, HUGE_SIZE, 0, true);
	ASSERT_NE(MAP_FAILED, p);
	touch_all(p, HUGE_SIZE);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		bool ok = mem_has(p, HUGE_SIZE, 0, 7);

		md_pattern_fill(p + 6 * MIB, PMD_SZ, 6 * MIB, 9);
		_exit(ok ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_TRUE(mem_has(p + 6 * MIB, PMD_SZ, 6 * MIB, 9));
	munmap(p, HUGE_SIZE);
}

TEST_F(huge, shrink_unmaps_the_pmds_then_sigbus)
{
	char *p;

	p = map_huge(self->fd, HUGE_SIZE, 0, true);
	ASSERT_NE(MAP_FAILED, p);
	touch_all(p, HUGE_SIZE);
	/* Cuts the folio of the window at 2 MiB, if it is one. */
	ASSERT_EQ(0, md_resize(self->fd, 3 * MIB));
	EXPECT_EQ(MD_PROBE_SIGBUS, md_probe(p + 3 * MIB, false));
	EXPECT_EQ(MD_PROBE_SIGBUS, md_probe(p + 7 * MIB, false));
	EXPECT_EQ(0, file_pmd_mapped_kb(p));
	ASSERT_EQ(0, md_reset_counters(self->fd));
	/* The cut folio's pages still in the buffer: small pages now. */
	touch_all(p, 3 * MIB);
	EXPECT_TRUE(mem_has(p, 3 * MIB, 0, 7));
	EXPECT_EQ(0, sysfs_ul("counters/huge_pmds"));
	EXPECT_EQ(0, sysfs_ul("folios"));
	munmap(p, HUGE_SIZE);
}

TEST_F(huge, thp_never_falls_back_to_small_pages)
{
	char old[64], *p, *sel;

	ASSERT_EQ(0, md_read_text(THP_ENABLED, old, sizeof(old)));
	sel = strchr(old, '[');
	ASSERT_NE(NULL, sel);
	*strchr(sel, ']') = '\0';
	ASSERT_EQ(0, md_write_text(THP_ENABLED, "never"));
	p = map_huge(self->fd, HUGE_SIZE, 0, true);
	if (p != MAP_FAILED) {
		touch_all(p, HUGE_SIZE);
		EXPECT_EQ(0, sysfs_ul("counters/huge_pmds"));
		EXPECT_TRUE(mem_has(p, HUGE_SIZE, 0, 7));
		munmap(p, HUGE_SIZE);
	}
	ASSERT_EQ(0, md_write_text(THP_ENABLED, sel + 1));
	ASSERT_NE(MAP_FAILED, p);
}

TEST_F(huge, gup_reads_through_the_pmd)
{
	char *p, *tmp = malloc(PMD_SZ);
	struct iovec local = { tmp, PMD_SZ }, remote;
	int mem;

	ASSERT_NE(NULL, tmp);
	p = map_huge(self->fd, HUGE_SIZE, 0, true);
	ASSERT_NE(MAP_FAILED, p);
	touch_all(p, HUGE_SIZE);
	remote = (struct iovec){ p + 6 * MIB, PMD_SZ };
	EXPECT_EQ((ssize_t)PMD_SZ, process_vm_readv(getpid(), &local, 1, &remote, 1, 0));
	EXPECT_TRUE(mem_has(tmp, PMD_SZ, 6 * MIB, 7));
	mem = open("/proc/self/mem", O_RDWR);
	ASSERT_LE(0, mem);
	memset(tmp, 0, PMD_SZ);
	EXPECT_EQ((ssize_t)PMD_SZ, pread(mem, tmp, PMD_SZ, (off_t)(p + 4 * MIB)));
	EXPECT_TRUE(mem_has(tmp, PMD_SZ, 4 * MIB, 7));
	/* A shared writable mapping: the write goes to the buffer. */
	md_pattern_fill(tmp, 4096, 4 * MIB, 10);
	EXPECT_EQ(4096, pwrite(mem, tmp, 4096, (off_t)(p + 4 * MIB)));
	EXPECT_TRUE(buf_has(self->fd, 4 * MIB, 4096, 10));
	close(mem);
	munmap(p, HUGE_SIZE);
	free(tmp);
}

/* The offset of a window of the buffer that a PMD maps, or 0. */
static size_t folio_window(int fd)
{
	size_t off;
	bool pmd;
	char *p;

	for (off = HUGE_SIZE - PMD_SZ; off; off -= PMD_SZ) {
		p = map_huge(fd, PMD_SZ, off, true);
		if (p == MAP_FAILED)
			return 0;
		touch_all(p, PMD_SZ);
		pmd = file_pmd_mapped_kb(p) == PMD_SZ / 1024;
		munmap(p, PMD_SZ);
		if (pmd)
			return off;
	}
	return 0;
}

/*
 * O_DIRECT through a PMD: the block layer pins the folio's pages with
 * get_user_pages() as the source of a write(), and as the destination of
 * a read(), which reaches the buffer through a shared mapping and keeps
 * its PMD, and into a private one splits the PMD and copies. (The debug
 * kernel has no block layer, so no loop device: skipped there.)
 */
TEST_F(huge, o_direct_through_the_pmd)
{
	const size_t kb = PMD_SZ / 1024;
	char *p, *q, *tmp = malloc(PMD_SZ);
	struct md_loop lo;
	size_t off;

	ASSERT_NE(NULL, tmp);
	if (md_loop_open(&lo, PMD_SZ))
		SKIP(return, "no loop device here (%s): no O_DIRECT", strerror(errno));
	off = folio_window(self->fd);
	ASSERT_NE(0, off) TH_LOG("no window is a folio");
	p = map_huge(self->fd, PMD_SZ, off, true);
	q = map_huge(self->fd, PMD_SZ, off, false);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(MAP_FAILED, q);
	touch_all(p, PMD_SZ);
	touch_all(q, PMD_SZ);
	EXPECT_EQ(kb, file_pmd_mapped_kb(p));
	EXPECT_EQ(kb, file_pmd_mapped_kb(q));

	EXPECT_EQ((ssize_t)PMD_SZ, pwrite(lo.fd, p, PMD_SZ, 0))
		TH_LOG("O_DIRECT write: %s", strerror(errno));
	ASSERT_EQ((ssize_t)PMD_SZ, pread(lo.backing, tmp, PMD_SZ, 0));
	EXPECT_TRUE(mem_has(tmp, PMD_SZ, off, 7));
	EXPECT_EQ(kb, file_pmd_mapped_kb(p));

	md_pattern_fill(tmp, PMD_SZ, off, 11);
	ASSERT_EQ((ssize_t)PMD_SZ, pwrite(lo.backing, tmp, PMD_SZ, 0));
	EXPECT_EQ((ssize_t)PMD_SZ, pread(lo.fd, q, PMD_SZ, 0))
		TH_LOG("O_DIRECT read, private: %s", strerror(errno));
	EXPECT_TRUE(mem_has(q, PMD_SZ, off, 11));
	EXPECT_TRUE(buf_has(self->fd, off, PMD_SZ, 7));
	EXPECT_EQ(0, file_pmd_mapped_kb(q)) TH_LOG("the private PMD was not split");

	EXPECT_EQ((ssize_t)PMD_SZ, pread(lo.fd, p, PMD_SZ, 0))
		TH_LOG("O_DIRECT read, shared: %s", strerror(errno));
	EXPECT_TRUE(buf_has(self->fd, off, PMD_SZ, 11));
	EXPECT_EQ(kb, file_pmd_mapped_kb(p));
	munmap(p, PMD_SZ);
	munmap(q, PMD_SZ);
	md_loop_close(&lo);
	free(tmp);
}

TEST_F(huge, mremap_moves_and_mlock_is_a_no_op)
{
	char *p, *dst, *q;

	p = map_huge(self->fd, HUGE_SIZE, 0, true);
	ASSERT_NE(MAP_FAILED, p);
	touch_all(p, HUGE_SIZE);
	/* A free 2 MiB-aligned place to move it to. */
	dst = mmap(NULL, HUGE_SIZE + PMD_SZ, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, dst);
	q = (char *)(((unsigned long)dst + PMD_SZ - 1) & ~(PMD_SZ - 1));
	q = mremap(p, HUGE_SIZE, HUGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED, q);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_TRUE(mem_has(q, HUGE_SIZE, 0, 7));
	/* VM_DONTEXPAND: it does not grow. */
	EXPECT_EQ(MAP_FAILED, mremap(q, HUGE_SIZE, HUGE_SIZE + 4096, 0));
	EXPECT_EQ(EFAULT, errno);
	/* A special VMA, as every mode's: mlock() leaves it as it is. */
	EXPECT_EQ(0, mlock(q, HUGE_SIZE));
	EXPECT_TRUE(mem_has(q, HUGE_SIZE, 0, 7));
	munlock(q, HUGE_SIZE);
	munmap(dst, HUGE_SIZE + PMD_SZ);
}

TEST_HARNESS_MAIN
