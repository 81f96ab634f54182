// SPDX-License-Identifier: GPL-2.0
/*
 * The module's life: loading with good and bad parameters, the device
 * node, the zeroed buffer, and unloading, refused while the device is open
 * or mapped. Runs with the module not loaded; it loads and unloads it
 * through libkmod ($MMAPDEMO_KO names the file, see mmapdemo_test.sh).
 */
#include <libkmod.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "mmapdemo_test.h"

#define MODE_PARAM "/sys/module/mmapdemo/parameters/mode"

FIXTURE(module)
{
	char why[512];
};

FIXTURE_SETUP(module)
{
	if (geteuid())
		SKIP(return, "loading modules needs root");
	if (!md_module_default_path())
		SKIP(return, "no mmapdemo.ko for this kernel (set MMAPDEMO_KO)");
	if (md_module_loaded())
		ASSERT_EQ(0, md_module_unload(self->why, sizeof(self->why)))
			TH_LOG("mmapdemo is loaded and busy: %s", self->why);
}

FIXTURE_TEARDOWN(module)
{
	if (md_module_loaded())
		md_module_unload(self->why, sizeof(self->why));
}

static int load(FIXTURE_DATA(module) *self, const char *params)
{
	self->why[0] = '\0';
	return md_module_load(NULL, params, self->why, sizeof(self->why));
}

static int unload(FIXTURE_DATA(module) *self)
{
	self->why[0] = '\0';
	return md_module_unload(self->why, sizeof(self->why));
}

TEST_F(module, load_creates_the_device_and_unload_removes_it)
{
	struct mmapdemo_info info;
	char text[64];
	struct stat st;
	int fd;

	ASSERT_EQ(0, load(self, "")) TH_LOG("%s", self->why);
	ASSERT_EQ(0, stat(MD_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	fd = md_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, md_info(fd, &info));
	EXPECT_EQ(1 << 20, info.size);
	EXPECT_EQ(MMAPDEMO_MODE_FAULT, info.default_mode);
	EXPECT_EQ(MMAPDEMO_MODE_FAULT, info.mode);
	EXPECT_EQ(0, info.counters.mmaps);
	EXPECT_EQ(0, info.counters.live_mappings);
	EXPECT_EQ(info.size / info.page_size, info.counters.buffer_pages);
	close(fd);
	md_read_text("/sys/class/misc/mmapdemo/size", text, sizeof(text));
	EXPECT_STREQ("1048576", text);
	md_read_text(MODE_PARAM, text, sizeof(text));
	EXPECT_STREQ("fault", text);

	ASSERT_EQ(0, unload(self)) TH_LOG("%s", self->why);
	EXPECT_EQ(-1, stat(MD_DEVICE, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_FALSE(md_module_loaded());
}

TEST_F(module, modinfo_describes_every_parameter)
{
	const char *want[] = { "size:", "mode:", "alloc_order:" };
	bool description = false, license = false, version = false;
	struct kmod_list *info = NULL, *l;
	struct kmod_module *mod;
	struct kmod_ctx *ctx;
	bool parm[3] = { false };
	size_t i;

	ctx = kmod_new(NULL, NULL);
	ASSERT_NE(NULL, ctx);
	ASSERT_LE(0, kmod_module_new_from_path(ctx, md_module_default_path(), &mod));
	ASSERT_LE(0, kmod_module_get_info(mod, &info));
	kmod_list_foreach(l, info) {
		const char *key = kmod_module_info_get_key(l);
		const char *value = kmod_module_info_get_value(l);

		if (!key || !value)
			continue;
		description |= !strcmp(key, "description") && *value;
		license |= !strcmp(key, "license") && !strcmp(value, "GPL");
		version |= !strcmp(key, "version") && *value;
		for (i = 0; i < 3; i++)
			if (!strcmp(key, "parm") && !strncmp(value, want[i], strlen(want[i])))
				/* name:meaning, with the meaning spelled out */
				parm[i] = strlen(value) > strlen(want[i]) + 20;
	}
	kmod_module_info_free_list(info);
	kmod_module_unref(mod);
	kmod_unref(ctx);
	EXPECT_TRUE(description);
	EXPECT_TRUE(license);
	EXPECT_TRUE(version);
	EXPECT_TRUE(parm[0]) TH_LOG("size has no description");
	EXPECT_TRUE(parm[1]) TH_LOG("mode has no description");
	EXPECT_TRUE(parm[2]) TH_LOG("alloc_order has no description");
}

TEST_F(module, size_is_rounded_up_to_pages)
{
	struct mmapdemo_info info;
	int fd;

	ASSERT_EQ(0, load(self, "size=5000")) TH_LOG("%s", self->why);
	fd = md_open(O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, md_info(fd, &info));
	EXPECT_EQ((5000 + info.page_size - 1) / info.page_size * info.page_size,
		  info.size);
	close(fd);
}

/* A bad parameter: EINVAL, one clear line from the kernel, nothing loaded. */
static void bad_load(struct __test_metadata *_metadata,
		     FIXTURE_DATA(module) *self, const char *params,
		     const char *kernel_says)
{
	EXPECT_EQ(-1, load(self, params));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_NE(NULL, strstr(self->why, kernel_says))
		TH_LOG("%s: the loader said: %s", params, self->why);
	EXPECT_FALSE(md_module_loaded());
	EXPECT_NE(0, access(MD_DEVICE, F_OK));
}

TEST_F(module, size_zero_is_refused)
{
	bad_load(_metadata, self, "size=0", "size=0 is out of range");
}

TEST_F(module, size_past_the_limit_is_refused)
{
	bad_load(_metadata, self, "size=1073741825", "out of range");
}

TEST_F(module, size_not_a_number_is_refused)
{
	bad_load(_metadata, self, "size=lots", "invalid for parameter");
}

TEST_F(module, unknown_mode_is_refused)
{
	bad_load(_metadata, self, "mode=lazy", "invalid for parameter");
}

/* A valid name followed by anything else is not that name. */
TEST_F(module, mode_with_trailing_junk_is_refused)
{
	bad_load(_metadata, self, "mode=\"faultaround    junk\"",
		 "invalid for parameter");
}

TEST_F(module, empty_mode_is_refused)
{
	bad_load(_metadata, self, "mode=", "invalid for parameter");
}

TEST_F(module, alloc_order_past_the_maximum_is_refused)
{
	bad_load(_metadata, self, "alloc_order=99", "alloc_order=99 is out of range");
}

TEST_F(module, mode_parameter_sets_the_mode_of_new_opens)
{
	static const char *const bad[] = {
		"lazy\n", "faultaround    junk\n", "remap junk", "fault \n",
		"\n",
	};
	struct mmapdemo_info info;
	char text[64];
	unsigned int i;
	FILE *f;
	int fd;

	ASSERT_EQ(0, load(self, "mode=remap")) TH_LOG("%s", self->why);
	fd = md_open(O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, md_info(fd, &info));
	EXPECT_EQ(MMAPDEMO_MODE_REMAP, info.default_mode);
	EXPECT_EQ(MMAPDEMO_MODE_REMAP, info.mode);
	close(fd);

	/* Writable at run time; files already open keep their mode. */
	fd = md_open(O_RDONLY);
	ASSERT_LE(0, fd);
	f = fopen(MODE_PARAM, "w");
	ASSERT_NE(NULL, f);
	fputs("insert\n", f);
	ASSERT_EQ(0, fclose(f));
	md_read_text(MODE_PARAM, text, sizeof(text));
	EXPECT_STREQ("insert", text);
	ASSERT_EQ(0, md_info(fd, &info));
	EXPECT_EQ(MMAPDEMO_MODE_REMAP, info.mode);
	close(fd);
	fd = md_open(O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, md_info(fd, &info));
	EXPECT_EQ(MMAPDEMO_MODE_INSERT, info.mode);
	close(fd);

	/*
	 * A bad name is refused and changes nothing: an unknown one, a
	 * good one with junk or blanks after it, nothing.
	 */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fd = open(MODE_PARAM, O_WRONLY);
		ASSERT_LE(0, fd);
		EXPECT_EQ(-1, write(fd, bad[i], strlen(bad[i])))
			TH_LOG("'%s' was taken", bad[i]);
		EXPECT_EQ(EINVAL, errno);
		close(fd);
		md_read_text(MODE_PARAM, text, sizeof(text));
		EXPECT_STREQ("insert", text);
	}
}

TEST_F(module, buffer_is_zeroed_at_every_load)
{
	size_t size = 4 << 20, i;
	unsigned char *buf = malloc(size), *p;
	int fd, round;

	ASSERT_NE(NULL, buf);
	for (round = 0; round < 2; round++) {
		ASSERT_EQ(0, load(self, "size=4194304")) TH_LOG("%s", self->why);
		fd = md_open(O_RDWR);
		ASSERT_LE(0, fd);
		ASSERT_EQ(size, pread(fd, buf, size, 0));
		for (i = 0; i < size && !buf[i]; i++)
			;
		EXPECT_EQ(size, i) TH_LOG("round %d: byte %zu is not zero", round, i);
		/*
		 * Where huge mode exists the buffer's runs are 2 MiB folios,
		 * and a remap mapping with mmap_prepare is one run: insert
		 * maps any buffer.
		 */
		p = md_map(fd, md_mmap_prepare() ? MMAPDEMO_MODE_INSERT :
			   MMAPDEMO_MODE_REMAP, size, 0, PROT_READ, true);
		ASSERT_NE(MAP_FAILED, p);
		for (i = 0; i < size && !p[i]; i++)
			;
		EXPECT_EQ(size, i);
		munmap(p, size);
		/* Leave data behind: the next load must not show it. */
		memset(buf, 0xa5, size);
		ASSERT_EQ(size, pwrite(fd, buf, size, 0));
		close(fd);
		ASSERT_EQ(0, unload(self)) TH_LOG("%s", self->why);
	}
	free(buf);
}

TEST_F(module, buffer_is_kept_across_open_and_close)
{
	int fd;

	ASSERT_EQ(0, load(self, "")) TH_LOG("%s", self->why);
	fd = md_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, buf_fill(fd, 0, 8192, 1));
	close(fd);
	fd = md_open(O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_TRUE(buf_has(fd, 0, 8192, 1));
	close(fd);
}

TEST_F(module, unload_refused_while_open)
{
	int fd;

	ASSERT_EQ(0, load(self, "")) TH_LOG("%s", self->why);
	fd = md_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, buf_fill(fd, 0, 4096, 2));
	/* The kernel answers EWOULDBLOCK (EAGAIN) for a module in use. */
	EXPECT_EQ(-1, unload(self));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_NE(NULL, strstr(self->why, "in use"));
	/* Nothing changed. */
	EXPECT_TRUE(md_module_loaded());
	EXPECT_TRUE(buf_has(fd, 0, 4096, 2));
	close(fd);
	EXPECT_EQ(0, unload(self)) TH_LOG("%s", self->why);
}

TEST_F(module, unload_refused_while_mapped_after_close)
{
	unsigned int m;

	ASSERT_EQ(0, load(self, "")) TH_LOG("%s", self->why);
	for (m = 0; m < MMAPDEMO_MODE_COUNT; m++) {
		int fd;
		char *p;

		if (!mode_taken(m))
			continue;
		fd = md_open(O_RDWR);
		ASSERT_LE(0, fd);
		p = md_map(fd, m, 2 * 4096, 0, PROT_READ | PROT_WRITE, true);
		ASSERT_NE(MAP_FAILED, p);
		md_pattern_fill(p, 8192, 0, 3 + m);
		close(fd);
		/* The mapping holds the file, the file holds the module. */
		EXPECT_EQ(-1, unload(self)) TH_LOG("mode %s", md_mode_name(m));
		EXPECT_EQ(EAGAIN, errno);
		EXPECT_TRUE(mem_has(p, 8192, 0, 3 + m));
		munmap(p, 8192);
	}
	EXPECT_EQ(0, unload(self)) TH_LOG("%s", self->why);
}

TEST_F(module, unload_refused_while_a_child_maps_it)
{
	int go[2], status;
	pid_t pid;
	char c;

	ASSERT_EQ(0, load(self, "")) TH_LOG("%s", self->why);
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = md_open(O_RDWR);
		char *p = md_map(fd, MMAPDEMO_MODE_FAULT, 4096, 0, PROT_READ, true);

		close(fd);
		if (p == MAP_FAILED || write(go[1], "m", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(go[0], &c, 1));
	EXPECT_EQ(-1, unload(self));
	EXPECT_EQ(EAGAIN, errno);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, unload(self)) TH_LOG("%s", self->why);
}

TEST_F(module, loader_explains_already_loaded_and_not_loaded)
{
	ASSERT_EQ(0, load(self, "")) TH_LOG("%s", self->why);
	EXPECT_EQ(-1, load(self, ""));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_NE(NULL, strstr(self->why, "already loaded"));
	ASSERT_EQ(0, unload(self));
	EXPECT_EQ(-1, unload(self));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_NE(NULL, strstr(self->why, "not loaded"));
}

TEST_F(module, large_buffer_loads)
{
	struct mmapdemo_info info;
	size_t len = 64 << 20;
	char *p;
	int fd;

	ASSERT_EQ(0, load(self, "size=67108864")) TH_LOG("%s", self->why);
	fd = md_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, md_info(fd, &info));
	EXPECT_EQ(len, info.size);
	EXPECT_LE(1, info.segments);
	ASSERT_EQ(0, buf_fill(fd, len - 8192, 8192, 4));
	p = md_map(fd, MMAPDEMO_MODE_REMAP, len, 0, PROT_READ, true);
	if (md_mmap_prepare() && info.segments > 1) {
		/* One mmap action, one run: the buffer is several. */
		EXPECT_EQ(MAP_FAILED, p) TH_LOG("mmap_prepare: a remap of %u runs", info.segments);
		EXPECT_EQ(EINVAL, errno);
		p = md_map(fd, MMAPDEMO_MODE_INSERT, len, 0, PROT_READ, true);
	}
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_TRUE(mem_has(p + len - 8192, 8192, len - 8192, 4));
	munmap(p, len);
	close(fd);
}

/* A shared remap of the whole buffer, @segments runs, read-only. */
static void shared_remap_of_runs(struct __test_metadata *_metadata, int fd,
				 size_t size, unsigned int segments)
{
	char *p = md_map(fd, MMAPDEMO_MODE_REMAP, size, 0, PROT_READ, true);

	if (md_mmap_prepare() && segments > 1) {
		EXPECT_EQ(MAP_FAILED, p) TH_LOG("mmap_prepare: a remap of %u runs", segments);
		EXPECT_EQ(EINVAL, errno);
		return;
	}
	ASSERT_NE(MAP_FAILED, p) TH_LOG("->mmap: a remap of %u runs: %s", segments,
					strerror(errno));
	EXPECT_TRUE(mem_has(p, size, 0, 5));
	munmap(p, size);
}

/*
 * With single-page allocations the buffer is (almost surely) several
 * physically contiguous runs. remap_pfn_range() only copies on write over
 * one run covering the whole VMA: a private remap mapping across runs is
 * refused with EINVAL. ->mmap maps a shared one run by run; mmap_prepare
 * describes one action, which maps one run: EINVAL there too.
 */
TEST_F(module, private_remap_needs_one_contiguous_run)
{
	size_t size = 256 << 10;
	struct mmapdemo_info info;
	char *p;
	int fd;

	ASSERT_EQ(0, load(self, "size=262144 alloc_order=0")) TH_LOG("%s", self->why);
	fd = md_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, md_info(fd, &info));
	ASSERT_EQ(0, buf_fill(fd, 0, size, 5));

	p = md_map(fd, MMAPDEMO_MODE_REMAP, size, 0, PROT_READ | PROT_WRITE, false);
	if (info.segments > 1) {
		EXPECT_EQ(MAP_FAILED, p);
		EXPECT_EQ(EINVAL, errno);
	} else {
		/* The allocator happened to hand out consecutive pages. */
		ASSERT_NE(MAP_FAILED, p);
		munmap(p, size);
	}
	/* One page is always one run. */
	p = md_map(fd, MMAPDEMO_MODE_REMAP, 4096, 4096, PROT_READ | PROT_WRITE, false);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(mem_has(p, 4096, 4096, 5));
	munmap(p, 4096);
	/* Shared: one remap_pfn_range() per run, the right bytes everywhere. */
	shared_remap_of_runs(_metadata, fd, size, info.segments);
	close(fd);
	/* So is a MAP_SHARED mapping of a read-only file, which cannot copy. */
	fd = md_open(O_RDONLY);
	ASSERT_LE(0, fd);
	shared_remap_of_runs(_metadata, fd, size, info.segments);
	close(fd);
}

TEST_HARNESS_MAIN
