// SPDX-License-Identifier: GPL-2.0
/*
 * The device's other interfaces: every ioctl with good and bad arguments,
 * read()/write()/lseek() as a file of fixed size, open modes, the counters
 * and their sysfs files.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "kselftest_harness.h"
#include "mmapdemo_test.h"

FIXTURE(dev)
{
	int fd;
	size_t ps;
	struct mmapdemo_info info;
};

FIXTURE_SETUP(dev)
{
	OPEN_OR_SKIP(self->fd);
	ASSERT_EQ(0, md_info(self->fd, &self->info));
	self->ps = md_page_size();
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* ioctl */

TEST_F(dev, get_info_describes_the_buffer)
{
	struct mmapdemo_info *i = &self->info;

	EXPECT_EQ(self->ps, i->page_size);
	EXPECT_EQ(0, i->size % i->page_size);
	EXPECT_LT(0, i->size);
	EXPECT_EQ(MMAPDEMO_MAX_SIZE, i->max_size);
	EXPECT_EQ(i->default_mode, i->mode);
	EXPECT_LT(i->default_mode, MMAPDEMO_MODE_COUNT);
	EXPECT_LE(1, i->segments);
	EXPECT_GE(i->size / i->page_size, i->segments);
	EXPECT_EQ(i->size / i->page_size, i->counters.buffer_pages);
}

TEST_F(dev, get_info_bad_pointer_is_efault)
{
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_GET_INFO, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_GET_INFO, (void *)16));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(dev, set_mode_is_per_open_file)
{
	struct mmapdemo_info info;
	unsigned int m;
	int other = md_open(O_RDONLY);

	ASSERT_LE(0, other);
	for (m = 0; m < MMAPDEMO_MODE_COUNT; m++) {
		if (!mode_taken(m)) {
			EXPECT_EQ(-1, md_set_mode(self->fd, m));
			EXPECT_EQ(EOPNOTSUPP, errno);
			continue;
		}
		ASSERT_EQ(0, md_set_mode(self->fd, m));
		ASSERT_EQ(0, md_info(self->fd, &info));
		EXPECT_EQ(m, info.mode);
		/* The default and other files do not change. */
		EXPECT_EQ(self->info.default_mode, info.default_mode);
		ASSERT_EQ(0, md_info(other, &info));
		EXPECT_EQ(self->info.default_mode, info.mode);
	}
	close(other);
}

TEST_F(dev, set_mode_bad_values)
{
	struct mmapdemo_info info;

	ASSERT_EQ(0, md_set_mode(self->fd, MMAPDEMO_MODE_REMAP));
	EXPECT_EQ(-1, md_set_mode(self->fd, MMAPDEMO_MODE_COUNT));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, md_set_mode(self->fd, 0xffffffffu));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_SET_MODE, NULL));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, md_info(self->fd, &info));
	EXPECT_EQ(MMAPDEMO_MODE_REMAP, info.mode);
}

TEST_F(dev, set_mode_decides_how_mmap_maps)
{
	struct mmapdemo_info a, b;
	char *p;

	ASSERT_EQ(0, md_info(self->fd, &a));
	p = md_map(self->fd, MMAPDEMO_MODE_REMAP, 4 * self->ps, 0, PROT_READ, true);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, 4 * self->ps);
	p = md_map(self->fd, MMAPDEMO_MODE_INSERT, 2 * self->ps, 0, PROT_READ, true);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, 2 * self->ps);
	ASSERT_EQ(0, md_info(self->fd, &b));
	EXPECT_EQ(a.counters.remap_pages + 4, b.counters.remap_pages);
	EXPECT_EQ(a.counters.insert_pages + 2, b.counters.insert_pages);
}

TEST_F(dev, reset_counters)
{
	struct mmapdemo_info info;
	char *p;
	int ro;

	p = md_map(self->fd, MMAPDEMO_MODE_FAULT, self->ps, 0, PROT_READ, true);
	ASSERT_NE(MAP_FAILED, p);
	(void)*(volatile char *)p;
	ASSERT_EQ(0, md_info(self->fd, &info));
	EXPECT_LT(0, info.counters.mmaps);
	EXPECT_LT(0, info.counters.faults);

	ro = md_open(O_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-1, md_reset_counters(ro));
	EXPECT_EQ(EBADF, errno);
	close(ro);

	ASSERT_EQ(0, md_reset_counters(self->fd));
	ASSERT_EQ(0, md_info(self->fd, &info));
	EXPECT_EQ(0, info.counters.mmaps);
	EXPECT_EQ(0, info.counters.faults);
	/* States are not events: the live mapping and the pages remain. */
	EXPECT_LE(1, info.counters.live_mappings);
	EXPECT_EQ(info.size / info.page_size, info.counters.buffer_pages);
	munmap(p, self->ps);
}

TEST_F(dev, unknown_ioctls_are_enotty)
{
	unsigned long cmds[] = {
		0,
		_IO(MMAPDEMO_IOC_MAGIC, 0x10),
		_IOR(MMAPDEMO_IOC_MAGIC, 0x00, __u32),	/* right number, wrong size */
		_IOW(MMAPDEMO_IOC_MAGIC, 0x02, __u32),
		_IOR('x', 1, int),
		0xffffffff,
	};
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], &self->info));
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd 0x%lx", cmds[i]);
	}
}

/* Counters */

TEST_F(dev, counters_follow_mmap_munmap_fork_and_errors)
{
	struct mmapdemo_info a, b;
	int status;
	char *p, *q;
	pid_t pid;

	ASSERT_EQ(0, md_info(self->fd, &a));
	p = md_map(self->fd, MMAPDEMO_MODE_FAULT, self->ps, 0, PROT_READ, true);
	ASSERT_NE(MAP_FAILED, p);
	q = md_map(self->fd, MMAPDEMO_MODE_FAULT, self->ps, 0, PROT_READ, false);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(MAP_FAILED, md_map(self->fd, MMAPDEMO_MODE_REMAP, self->ps,
				     self->info.size, PROT_READ, true));
	ASSERT_EQ(0, md_info(self->fd, &b));
	EXPECT_EQ(a.counters.mmaps + 2, b.counters.mmaps);
	EXPECT_EQ(a.counters.mmap_errors + 1, b.counters.mmap_errors);
	EXPECT_EQ(a.counters.private_mmaps + 1, b.counters.private_mmaps);
	EXPECT_EQ(a.counters.live_mappings + 2, b.counters.live_mappings);

	/* A child's copies of the mappings are live mappings too. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct mmapdemo_info c;

		_exit(md_info(self->fd, &c) ||
		      c.counters.live_mappings != b.counters.live_mappings + 2);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	munmap(p, self->ps);
	munmap(q, self->ps);
	ASSERT_EQ(0, md_info(self->fd, &b));
	EXPECT_EQ(a.counters.live_mappings, b.counters.live_mappings);
}

TEST_F(dev, sysfs_matches_the_ioctl)
{
	static const char *const names[] = {
		"mmaps", "mmap_errors", "live_mappings", "private_mmaps",
		"faults", "cow_faults", "sigbus", "faultaround_pages",
		"remap_pages", "insert_pages", "resizes", "buffer_pages",
	};
	const __u64 *values = (const __u64 *)&self->info.counters;
	unsigned long long v;
	char path[128];
	size_t i;
	FILE *f;

	ASSERT_EQ(sizeof(names) / sizeof(names[0]) * sizeof(__u64),
		  sizeof(struct mmapdemo_counters));
	ASSERT_EQ(0, md_info(self->fd, &self->info));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path),
			 "/sys/class/misc/mmapdemo/counters/%s", names[i]);
		f = fopen(path, "r");
		ASSERT_NE(NULL, f) TH_LOG("%s", path);
		ASSERT_EQ(1, fscanf(f, "%llu", &v));
		fclose(f);
		EXPECT_EQ(values[i], v) TH_LOG("%s", names[i]);
	}
	f = fopen("/sys/class/misc/mmapdemo/size", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%llu", &v));
	fclose(f);
	EXPECT_EQ(self->info.size, v);
	f = fopen("/sys/class/misc/mmapdemo/segments", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%llu", &v));
	fclose(f);
	EXPECT_EQ(self->info.segments, v);
}

/* Does /proc/kallsyms list @name, a function of the module? */
static bool module_has_function(const char *name)
{
	char line[512], sym[256], mod[64];
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %*s %255s %63s", sym, mod) == 2 &&
			!strcmp(sym, name) && !strcmp(mod, "[" MD_MODULE "]");
	fclose(f);
	return found;
}

/*
 * The entry point the driver implements is the kernel's own API: ->mmap
 * before 6.16, mmap_prepare on 7.3, which has its mmap actions and
 * vm_operations_struct.mapped as well (the driver's probes decide, in
 * between). sysfs names it, and the module's symbols agree: the one
 * entry point built, not the other.
 */
TEST_F(dev, mmap_api_is_the_kernels)
{
	char api[32];

	ASSERT_EQ(0, md_read_text(MD_SYSFS "/mmap_api", api, sizeof(api)));
	if (md_kernel_at_least(7, 3)) {
		EXPECT_STREQ("mmap_prepare", api) TH_LOG("7.3 and later: mmap_prepare");
	} else if (!md_kernel_at_least(6, 16)) {
		EXPECT_STREQ("mmap", api) TH_LOG("before 6.16: ->mmap");
	}
	EXPECT_EQ(md_mmap_prepare(), !strcmp(api, "mmap_prepare"));
	EXPECT_EQ(md_mmap_prepare(), module_has_function("mmapdemo_mmap_prepare"));
	EXPECT_EQ(!md_mmap_prepare(), module_has_function("mmapdemo_mmap"));
	EXPECT_TRUE(module_has_function("mmapdemo_fault"))
		TH_LOG("/proc/kallsyms does not list the module's functions");
}

/* read, write, lseek */

TEST_F(dev, read_and_write_like_a_file)
{
	char buf[64];

	ASSERT_EQ(0, buf_fill(self->fd, 100, 3 * self->ps, 1));
	EXPECT_TRUE(buf_has(self->fd, 100, 3 * self->ps, 1));
	/* Sequential I/O moves the file position. */
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_SET));
	ASSERT_EQ(5, write(self->fd, "hello", 5));
	EXPECT_EQ(5, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_SET));
	ASSERT_EQ(sizeof(buf), read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(sizeof(buf), lseek(self->fd, 0, SEEK_CUR));
}

TEST_F(dev, readv_and_writev_across_pages)
{
	char a[3000], b[3000], c[3000];
	struct iovec iov[3] = { { a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) } };
	size_t off = self->ps - 1000;

	md_pattern_fill(a, sizeof(a), off, 2);
	md_pattern_fill(b, sizeof(b), off + 3000, 2);
	md_pattern_fill(c, sizeof(c), off + 6000, 2);
	ASSERT_EQ(9000, pwritev(self->fd, iov, 3, off));
	EXPECT_TRUE(buf_has(self->fd, off, 9000, 2));
	memset(b, 0, sizeof(b));
	ASSERT_EQ(9000, preadv(self->fd, iov, 3, off));
	EXPECT_TRUE(mem_has(b, sizeof(b), off + 3000, 2));
}

TEST_F(dev, read_at_and_across_the_end)
{
	size_t size = self->info.size;
	char buf[100];

	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), size));
	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), size + 12345));
	EXPECT_EQ(40, pread(self->fd, buf, sizeof(buf), size - 40));
	EXPECT_EQ(0, pread(self->fd, buf, 0, 0));
}

/*
 * Offsets whose page number does not fit 32 bits (page 2^32 at 2^44)
 * are past the end too, not page 0 again: on a 32-bit kernel pgoff_t
 * would have cut them. The matrix is x86_64 only, so this holds the
 * 64-bit behaviour; the driver bounds the offset before it shifts.
 */
TEST_F(dev, huge_offsets_are_past_the_end)
{
	static const off_t offs[] = {
		1LL << 44, (1LL << 44) + 4096, (1LL << 62), INT64_MAX - 4096,
	};
	char buf[100];
	unsigned int i;

	memset(buf, 0x5a, sizeof(buf));
	ASSERT_EQ(sizeof(buf), pwrite(self->fd, buf, sizeof(buf), 0));
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), offs[i]))
			TH_LOG("pread at %#llx", (unsigned long long)offs[i]);
		EXPECT_EQ(-1, pwrite(self->fd, buf, sizeof(buf), offs[i]));
		EXPECT_EQ(ENOSPC, errno);
	}
}

TEST_F(dev, write_across_the_end_writes_what_fits_then_enospc)
{
	size_t size = self->info.size;
	char buf[100];

	memset(buf, 0x5a, sizeof(buf));
	ASSERT_EQ(size - 60, lseek(self->fd, size - 60, SEEK_SET));
	EXPECT_EQ(60, write(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(-1, write(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, pwrite(self->fd, buf, 1, size + 4096));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, pwrite(self->fd, buf, 0, size));
	ASSERT_EQ(60, pread(self->fd, buf, sizeof(buf), size - 60));
	EXPECT_EQ(0x5a, buf[59]);
}

TEST_F(dev, bad_user_buffers_are_efault)
{
	char *none = mmap(NULL, self->ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	ASSERT_NE(MAP_FAILED, none);
	EXPECT_EQ(-1, pread(self->fd, none, 16, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pwrite(self->fd, none, 16, 0));
	EXPECT_EQ(EFAULT, errno);
	munmap(none, self->ps);
}

TEST_F(dev, lseek_within_a_file_of_fixed_size)
{
	off_t size = (off_t)self->info.size;

	EXPECT_EQ(size, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(size - 10, lseek(self->fd, -10, SEEK_END));
	EXPECT_EQ(size - 5, lseek(self->fd, 5, SEEK_CUR));
	EXPECT_EQ(7, lseek(self->fd, 7, SEEK_SET));
	EXPECT_EQ(-1, lseek(self->fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->fd, size + 1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(7, lseek(self->fd, 0, SEEK_CUR));
}

/* Open modes */

TEST_F(dev, device_node_is_0600)
{
	struct stat st;

	ASSERT_EQ(0, stat(MD_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
}

TEST_F(dev, write_only_open_cannot_map_or_read)
{
	int fd = md_open(O_WRONLY);
	char c;

	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->ps, PROT_WRITE, MAP_SHARED, fd, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, read(fd, &c, 1));
	EXPECT_EQ(EBADF, errno);
	close(fd);
}

TEST_F(dev, read_only_open_cannot_write)
{
	int fd = md_open(O_RDONLY);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EBADF, errno);
	close(fd);
}

TEST_HARNESS_MAIN
