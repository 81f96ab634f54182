// SPDX-License-Identifier: GPL-2.0
/*
 * The driver's tracepoints (events/mmapdemo/ in tracefs): each test maps
 * and touches the device and asserts the events it must have produced,
 * field by field. The events are recorded in a trace instance of the
 * test's own (instances/mmapdemo_selftest_PID), filtered to the test's
 * process with set_event_pid, so the global buffer and other users of
 * tracing are left alone. Skips without tracefs.
 */
#include <sys/stat.h>
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "mmapdemo_test.h"

#define MAX_EVENTS	256

struct event {
	char name[32];		/* "mmapdemo_fault" */
	char fields[256];	/* "address=0x... pgoff=0 ..." */
};

FIXTURE(trace)
{
	int fd;
	size_t ps;
	size_t size;		/* the buffer's, restored by the resize test */
	char inst[128];		/* the instance's directory, "" if none */
	struct event ev[MAX_EVENTS];
	int nev;
};

/* The tracefs mount with instances, or NULL. */
static const char *tracefs(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[96];
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/instances", dirs[i]);
		if (!access(path, W_OK))
			return dirs[i];
	}
	return NULL;
}

static int inst_write(FIXTURE_DATA(trace) *self, const char *rel,
		      const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", self->inst, rel);
	return md_write_text(path, val);
}

FIXTURE_SETUP(trace)
{
	const char *dir = tracefs();
	struct mmapdemo_info info;
	char pid[16];

	self->inst[0] = '\0';
	OPEN_OR_SKIP(self->fd);
	ASSERT_EQ(0, md_info(self->fd, &info));
	self->ps = info.page_size;
	self->size = info.size;
	ASSERT_LE(64 * self->ps, self->size);
	if (!dir)
		SKIP(return, "no tracefs with instances (mount -t tracefs tracefs /sys/kernel/tracing)");
	snprintf(self->inst, sizeof(self->inst), "%s/instances/mmapdemo_selftest_%d",
		 dir, getpid());
	if (mkdir(self->inst, 0755) && errno != EEXIST) {
		int err = errno;

		self->inst[0] = '\0';
		ASSERT_EQ(0, err) TH_LOG("mkdir %s/instances/...: %s", dir, strerror(err));
	}
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, inst_write(self, "set_event_pid", pid));
	ASSERT_EQ(0, inst_write(self, "events/mmapdemo/enable", "1"))
		TH_LOG("no events/mmapdemo in the instance: the module has no tracepoints?");
	ASSERT_EQ(0, inst_write(self, "trace", ""));
}

FIXTURE_TEARDOWN(trace)
{
	struct mmapdemo_info info;

	if (self->fd >= 0 && !md_info(self->fd, &info) && info.size != self->size)
		md_resize(self->fd, self->size);
	if (self->inst[0]) {
		inst_write(self, "events/mmapdemo/enable", "0");
		rmdir(self->inst);
	}
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * Read the instance's buffer into self->ev and clear it. A line is
 * "  task-PID  [CPU] flags  TIMESTAMP: mmapdemo_fault: address=0x... ...".
 */
static int read_events(FIXTURE_DATA(trace) *self)
{
	char path[256], line[512], *p, *colon;
	FILE *f;

	self->nev = 0;
	snprintf(path, sizeof(path), "%s/trace", self->inst);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && self->nev < MAX_EVENTS) {
		struct event *e = &self->ev[self->nev];

		line[strcspn(line, "\n")] = '\0';
		p = strstr(line, ": mmapdemo_");
		if (line[0] == '#' || !p)
			continue;
		p += 2;
		colon = strchr(p, ':');
		if (!colon)
			continue;
		snprintf(e->name, sizeof(e->name), "%.*s", (int)(colon - p), p);
		snprintf(e->fields, sizeof(e->fields), "%s", colon + 1 + (colon[1] == ' '));
		self->nev++;
	}
	fclose(f);
	return inst_write(self, "trace", "");
}

static int count(FIXTURE_DATA(trace) *self, const char *name)
{
	int i, n = 0;

	for (i = 0; i < self->nev; i++)
		n += !strcmp(self->ev[i].name, name);
	return n;
}

/* The @nth (0-based) event called @name, or NULL. */
static const char *nth(FIXTURE_DATA(trace) *self, const char *name, int n)
{
	int i;

	for (i = 0; i < self->nev; i++)
		if (!strcmp(self->ev[i].name, name) && n-- == 0)
			return self->ev[i].fields;
	return NULL;
}

/* The value of "key=" in @fields as text, or "" */
static const char *field(const char *fields, const char *key)
{
	static char val[128];
	size_t klen = strlen(key);
	const char *p = fields;

	val[0] = '\0';
	while (p && (p = strstr(p, key))) {
		if ((p == fields || p[-1] == ' ') && p[klen] == '=') {
			p += klen + 1;
			snprintf(val, sizeof(val), "%.*s", (int)strcspn(p, " "), p);
			break;
		}
		p += klen;
	}
	return val;
}

static unsigned long ul(const char *fields, const char *key)
{
	const char *v = field(fields, key);

	return *v ? strtoul(v, NULL, 0) : ~0UL;
}

static long sl(const char *fields, const char *key)
{
	const char *v = field(fields, key);

	return *v ? strtol(v, NULL, 0) : -999999;
}

static bool has_word(const char *fields, const char *word)
{
	size_t wlen = strlen(word);
	const char *p = fields;

	while ((p = strstr(p, word))) {
		if ((p == fields || p[-1] == ' ') && (!p[wlen] || p[wlen] == ' '))
			return true;
		p += wlen;
	}
	return false;
}

/* Does the "flags=A|B|C" field name @flag? */
static bool has_flag(const char *fields, const char *flag)
{
	char buf[160], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", field(fields, "flags"));
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save))
		if (!strcmp(tok, flag))
			return true;
	return false;
}

/* The PFN the page at @addr maps now (root sees PFNs), or 0. */
static unsigned long pfn_of(const void *addr)
{
	uint64_t e;

	if (md_pagemap(addr, 1, &e) || !(e & MD_PM_PRESENT))
		return 0;
	return e & MD_PM_PFN_MASK;
}

/* A store without a load first, so that the first touch is a write fault. */
static void store(void *addr, char v)
{
	*(volatile char *)addr = v;
}

static char load(const void *addr)
{
	return *(const volatile char *)addr;
}

/*
 * Where the driver takes mmap_prepare, one remap mapping is one physically
 * contiguous run of the buffer, which the tests before may have left
 * scattered: the first buffer page of a run of @npages, found before the
 * events are cleared (with ->mmap: 0), or -1.
 */
static long one_run(FIXTURE_DATA(trace) *self, size_t npages)
{
	long at = md_mmap_prepare() ? md_find_run(npages) : 0;

	read_events(self);
	return at;
}

TEST_F(trace, mmap_events_carry_range_mode_and_sharing)
{
	/* Not at 0, so that the offset shows: the last 2 pages of a run of 3. */
	long pgoff = one_run(self, 3) + 1;
	unsigned int m;
	int shared;

	ASSERT_LT(0, pgoff) TH_LOG("no 3 contiguous pages in the buffer: %s", strerror(errno));
	for (m = 0; m < MMAPDEMO_MODE_COUNT; m++) {
		if (!mode_taken(m))
			continue;
		for (shared = 0; shared <= 1; shared++) {
			char *p = md_map(self->fd, m, 2 * self->ps, pgoff * self->ps,
					 PROT_READ | PROT_WRITE, shared);
			int err = errno;
			const char *e;

			ASSERT_EQ(0, read_events(self));
			ASSERT_EQ(1, count(self, "mmapdemo_mmap"));
			e = nth(self, "mmapdemo_mmap", 0);
			/*
			 * A private remap mapping must be one physically
			 * contiguous run, which a resized buffer may not have
			 * there: then the event has the refusal.
			 */
			if (p == MAP_FAILED && m == MMAPDEMO_MODE_REMAP && !shared) {
				EXPECT_EQ(EINVAL, err);
				EXPECT_EQ(-EINVAL, sl(e, "ret")) TH_LOG("%s", e);
				EXPECT_STREQ("remap", field(e, "mode"));
				EXPECT_TRUE(has_word(e, "private"));
				continue;
			}
			ASSERT_NE(MAP_FAILED, p) TH_LOG("%s mode: %s", md_mode_name(m),
							 strerror(err));
			EXPECT_EQ((unsigned long)p, ul(e, "start"));
			EXPECT_EQ(2 * self->ps, ul(e, "len"));
			/*
			 * The offset mmap() was given, even where remap_pfn_range()
			 * has made a private VMA's vm_pgoff its first PFN.
			 */
			EXPECT_EQ(pgoff, ul(e, "pgoff")) TH_LOG("%s", e);
			EXPECT_STREQ(md_mode_name(m), field(e, "mode"));
			EXPECT_TRUE(has_word(e, shared ? "shared" : "private")) TH_LOG("%s", e);
			EXPECT_EQ(0, sl(e, "ret"));
			munmap(p, 2 * self->ps);
		}
	}
}

TEST_F(trace, refused_mmap_has_its_error)
{
	char *p = md_map(self->fd, MMAPDEMO_MODE_REMAP, 2 * self->ps,
			 self->size - self->ps, PROT_READ, true);
	const char *e;

	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(0, read_events(self));
	ASSERT_EQ(1, count(self, "mmapdemo_mmap"));
	e = nth(self, "mmapdemo_mmap", 0);
	EXPECT_STREQ("remap", field(e, "mode"));
	EXPECT_EQ(-EINVAL, sl(e, "ret"));
}

TEST_F(trace, one_fault_event_per_first_touched_page)
{
	static const int order[8] = { 3, 0, 7, 1, 6, 2, 5, 4 };
	size_t ps = self->ps, i, j;
	unsigned long pfns[8];
	char *p;

	p = md_map(self->fd, MMAPDEMO_MODE_FAULT, 8 * ps, 2 * ps, PROT_READ, true);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, read_events(self));
	for (i = 0; i < 8; i++)
		load(p + order[i] * ps);
	for (i = 0; i < 8; i++)	/* mapped now: no fault, no event */
		load(p + i * ps);
	ASSERT_EQ(0, read_events(self));
	ASSERT_EQ(8, count(self, "mmapdemo_fault"));
	for (i = 0; i < 8; i++) {
		const char *e = nth(self, "mmapdemo_fault", i);
		unsigned long pg = ul(e, "address") - (unsigned long)p;

		/* In the order touched, each at its page's offset. */
		EXPECT_EQ(order[i] * ps, pg) TH_LOG("%s", e);
		EXPECT_EQ(2 + order[i], ul(e, "pgoff"));
		EXPECT_STREQ("LOCKED", field(e, "ret"));
		EXPECT_FALSE(has_flag(e, "WRITE"));
		EXPECT_TRUE(has_word(e, "shared"));
		/* The PFN handed out is the one the PTE maps. */
		pfns[order[i]] = ul(e, "pfn");
		EXPECT_EQ(pfn_of(p + order[i] * ps), pfns[order[i]]);
		EXPECT_NE(0, pfns[order[i]]);
	}
	for (i = 0; i < 8; i++)
		for (j = i + 1; j < 8; j++)
			EXPECT_NE(pfns[i], pfns[j]);
	munmap(p, 8 * ps);
}

TEST_F(trace, every_mapping_gets_the_same_pfn_for_a_page)
{
	size_t ps = self->ps;
	char *sh, *pr, *ins;
	unsigned long pfn;
	const char *e;

	sh = md_map(self->fd, MMAPDEMO_MODE_FAULT, ps, 5 * ps, PROT_READ, true);
	pr = md_map(self->fd, MMAPDEMO_MODE_FAULTAROUND, ps, 5 * ps, PROT_READ, false);
	ins = md_map(self->fd, MMAPDEMO_MODE_INSERT, ps, 5 * ps, PROT_READ, true);
	ASSERT_NE(MAP_FAILED, sh);
	ASSERT_NE(MAP_FAILED, pr);
	ASSERT_NE(MAP_FAILED, ins);
	ASSERT_EQ(0, read_events(self));
	load(sh);
	load(pr);
	ASSERT_EQ(0, read_events(self));
	ASSERT_LE(1, count(self, "mmapdemo_fault"));
	e = nth(self, "mmapdemo_fault", 0);
	EXPECT_EQ((unsigned long)sh, ul(e, "address"));
	EXPECT_EQ(5, ul(e, "pgoff"));
	pfn = ul(e, "pfn");
	/* Shared, private before a write, and inserted: the buffer's page. */
	EXPECT_EQ(pfn, pfn_of(sh));
	EXPECT_EQ(pfn, pfn_of(pr));
	EXPECT_EQ(pfn, pfn_of(ins));
	munmap(sh, ps);
	munmap(pr, ps);
	munmap(ins, ps);
}

TEST_F(trace, prepopulated_modes_take_no_fault)
{
	static const unsigned int modes[] = { MMAPDEMO_MODE_REMAP, MMAPDEMO_MODE_INSERT };
	long pgoff = one_run(self, 8);
	size_t ps = self->ps, i, k;

	ASSERT_LE(0, pgoff) TH_LOG("no 8 contiguous pages in the buffer: %s", strerror(errno));
	for (k = 0; k < 2; k++) {
		char *p = md_map(self->fd, modes[k], 8 * ps, pgoff * ps,
				 PROT_READ | PROT_WRITE, true);

		ASSERT_NE(MAP_FAILED, p) TH_LOG("%s: %s", md_mode_name(modes[k]), strerror(errno));
		for (i = 0; i < 8; i++)
			store(p + i * ps, load(p + i * ps));
		munmap(p, 8 * ps);
		ASSERT_EQ(0, read_events(self));
		EXPECT_EQ(1, count(self, "mmapdemo_mmap"));
		EXPECT_EQ(0, count(self, "mmapdemo_fault"));
		EXPECT_EQ(0, count(self, "mmapdemo_map_pages"));
		EXPECT_EQ(1, count(self, "mmapdemo_vma_close"));
	}
}

TEST_F(trace, private_write_fault_has_the_write_flag)
{
	size_t ps = self->ps;
	unsigned long buffer_pfn;
	const char *e;
	char *sh, *p;

	sh = md_map(self->fd, MMAPDEMO_MODE_FAULT, 2 * ps, 10 * ps, PROT_READ, true);
	p = md_map(self->fd, MMAPDEMO_MODE_FAULT, 2 * ps, 10 * ps,
		   PROT_READ | PROT_WRITE, false);
	ASSERT_NE(MAP_FAILED, sh);
	ASSERT_NE(MAP_FAILED, p);
	load(sh);
	buffer_pfn = pfn_of(sh);
	ASSERT_EQ(0, read_events(self));

	/* A write first: one fault, WRITE, on the buffer's page, copied. */
	store(p, 1);
	ASSERT_EQ(0, read_events(self));
	ASSERT_EQ(1, count(self, "mmapdemo_fault"));
	e = nth(self, "mmapdemo_fault", 0);
	EXPECT_TRUE(has_flag(e, "WRITE")) TH_LOG("%s", e);
	EXPECT_TRUE(has_word(e, "private"));
	EXPECT_EQ(10, ul(e, "pgoff"));
	EXPECT_EQ(buffer_pfn, ul(e, "pfn"));
	EXPECT_NE(buffer_pfn, pfn_of(p));	/* the PTE maps the copy */

	/* A read, then a write: the copy on write needs no ->fault. */
	load(p + ps);
	store(p + ps, 2);
	ASSERT_EQ(0, read_events(self));
	ASSERT_EQ(1, count(self, "mmapdemo_fault"));
	e = nth(self, "mmapdemo_fault", 0);
	EXPECT_FALSE(has_flag(e, "WRITE")) TH_LOG("%s", e);
	EXPECT_EQ(11, ul(e, "pgoff"));
	munmap(sh, 2 * ps);
	munmap(p, 2 * ps);
}

TEST_F(trace, sigbus_past_the_end)
{
	size_t ps = self->ps;
	const char *e;
	char *p;

	p = md_map(self->fd, MMAPDEMO_MODE_FAULT, 2 * ps, self->size - ps,
		   PROT_READ, true);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(MD_PROBE_OK, md_probe(p, false));
	ASSERT_EQ(MD_PROBE_SIGBUS, md_probe(p + ps, false));
	ASSERT_EQ(0, read_events(self));
	ASSERT_EQ(2, count(self, "mmapdemo_fault"));
	e = nth(self, "mmapdemo_fault", 0);
	EXPECT_EQ(self->size / ps - 1, ul(e, "pgoff"));
	EXPECT_STREQ("LOCKED", field(e, "ret"));
	e = nth(self, "mmapdemo_fault", 1);
	EXPECT_EQ((unsigned long)p + ps, ul(e, "address"));
	EXPECT_EQ(self->size / ps, ul(e, "pgoff"));
	EXPECT_STREQ("SIGBUS", field(e, "ret"));
	EXPECT_EQ(0, ul(e, "pfn"));
	munmap(p, 2 * ps);
}

TEST_F(trace, vma_open_on_split_and_close_on_munmap)
{
	unsigned long start, end, base;
	size_t ps = self->ps;
	int i, opens;
	char *p;

	p = md_map(self->fd, MMAPDEMO_MODE_FAULT, 4 * ps, 0, PROT_READ, true);
	ASSERT_NE(MAP_FAILED, p);
	base = (unsigned long)p;
	ASSERT_EQ(0, read_events(self));

	/* A hole in the middle: split into pieces, the middle one closed. */
	ASSERT_EQ(0, munmap(p + ps, ps));
	ASSERT_EQ(0, read_events(self));
	opens = count(self, "mmapdemo_vma_open");
	EXPECT_LE(1, opens);
	for (i = 0; i < opens; i++) {
		const char *e = nth(self, "mmapdemo_vma_open", i);

		EXPECT_LE(base, ul(e, "start")) TH_LOG("%s", e);
		EXPECT_GE(base + 4 * ps, ul(e, "end")) TH_LOG("%s", e);
		EXPECT_STREQ("fault", field(e, "mode"));
	}
	ASSERT_EQ(1, count(self, "mmapdemo_vma_close"));
	EXPECT_EQ(base + ps, ul(nth(self, "mmapdemo_vma_close", 0), "start"));
	EXPECT_EQ(base + 2 * ps, ul(nth(self, "mmapdemo_vma_close", 0), "end"));

	/* The two pieces left: one close each, no open. */
	ASSERT_EQ(0, munmap(p, 4 * ps));
	ASSERT_EQ(0, read_events(self));
	EXPECT_EQ(0, count(self, "mmapdemo_vma_open"));
	ASSERT_EQ(2, count(self, "mmapdemo_vma_close"));
	for (i = 0; i < 2; i++) {
		start = ul(nth(self, "mmapdemo_vma_close", i), "start");
		end = ul(nth(self, "mmapdemo_vma_close", i), "end");
		EXPECT_TRUE((start == base && end == base + ps) ||
			    (start == base + 2 * ps && end == base + 4 * ps))
			TH_LOG("closed 0x%lx-0x%lx of 0x%lx-0x%lx", start, end,
			       base, base + 4 * ps);
	}
}

TEST_F(trace, vma_open_on_fork)
{
	size_t ps = self->ps;
	const char *e;
	int status;
	pid_t pid;
	char *p;

	p = md_map(self->fd, MMAPDEMO_MODE_FAULT, 2 * ps, 0, PROT_READ, false);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, read_events(self));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	/* fork() copies the VMA in the parent: its pid, the same range. */
	ASSERT_EQ(0, read_events(self));
	ASSERT_EQ(1, count(self, "mmapdemo_vma_open"));
	e = nth(self, "mmapdemo_vma_open", 0);
	EXPECT_EQ((unsigned long)p, ul(e, "start"));
	EXPECT_EQ((unsigned long)p + 2 * ps, ul(e, "end"));
	EXPECT_EQ(0, ul(e, "pgoff"));
	munmap(p, 2 * ps);
}

TEST_F(trace, faultaround_maps_pages_in_batches)
{
	size_t ps = self->ps, i;
	unsigned long mapped = 0, pgoff, addr, first, last;
	int calls, faults;
	char *p;

	p = md_map(self->fd, MMAPDEMO_MODE_FAULTAROUND, 32 * ps, 0, PROT_READ, true);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, read_events(self));
	for (i = 0; i < 32; i++)
		load(p + i * ps);
	ASSERT_EQ(0, read_events(self));
	calls = count(self, "mmapdemo_map_pages");
	faults = count(self, "mmapdemo_fault");
	EXPECT_LE(1, calls);
	for (i = 0; i < (size_t)calls; i++) {
		const char *e = nth(self, "mmapdemo_map_pages", i);

		EXPECT_EQ(2, sscanf(field(e, "pgoff"), "%lu-%lu", &first, &last)) TH_LOG("%s", e);
		addr = ul(e, "address");
		pgoff = (addr - (unsigned long)p) / ps;
		EXPECT_TRUE(first <= pgoff && pgoff <= last) TH_LOG("%s", e);
		EXPECT_FALSE(has_flag(e, "WRITE"));
		mapped += ul(e, "mapped");
	}
	/* Every page mapped once, by ->map_pages or by ->fault... */
	EXPECT_EQ(32, mapped + faults);
	/* ...in fewer faults than pages. */
	EXPECT_GT(32, calls);
	munmap(p, 32 * ps);
}

/*
 * Since 6.7 the core mm calls ->fault under the per-VMA lock only when
 * the VMA also has ->map_pages (vmf_can_call_fault()); without it the
 * fault is retried under mmap_lock first. Fault mode never sees
 * FAULT_FLAG_VMA_LOCK; faultaround mode's write faults see it from 6.7.
 */
TEST_F(trace, vma_lock_flag_only_with_map_pages)
{
	int major = 0, minor = 0, i;
	size_t ps = self->ps;
	bool vma_lock_kernel;
	struct utsname u;
	char b[2], *p, *q;

	ASSERT_EQ(0, uname(&u));
	sscanf(u.release, "%d.%d", &major, &minor);
	vma_lock_kernel = major > 6 || (major == 6 && minor >= 7);
	/* Write back what is there: the buffer stays as it was. */
	ASSERT_EQ(1, pread(self->fd, &b[0], 1, 0));
	ASSERT_EQ(1, pread(self->fd, &b[1], 1, ps));

	p = md_map(self->fd, MMAPDEMO_MODE_FAULT, 2 * ps, 0, PROT_READ | PROT_WRITE, true);
	q = md_map(self->fd, MMAPDEMO_MODE_FAULTAROUND, 2 * ps, 0,
		   PROT_READ | PROT_WRITE, true);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(0, read_events(self));
	store(p, b[0]);
	store(p + ps, b[1]);
	ASSERT_EQ(0, read_events(self));
	ASSERT_EQ(2, count(self, "mmapdemo_fault"));
	for (i = 0; i < 2; i++) {
		EXPECT_TRUE(has_flag(nth(self, "mmapdemo_fault", i), "WRITE"));
		EXPECT_FALSE(has_flag(nth(self, "mmapdemo_fault", i), "VMA_LOCK"))
			TH_LOG("%s", nth(self, "mmapdemo_fault", i));
	}

	/* A write fault does no fault-around: ->fault, under the VMA lock. */
	store(q, b[0]);
	ASSERT_EQ(0, read_events(self));
	ASSERT_EQ(1, count(self, "mmapdemo_fault"));
	EXPECT_TRUE(has_flag(nth(self, "mmapdemo_fault", 0), "WRITE"));
	EXPECT_EQ(vma_lock_kernel, has_flag(nth(self, "mmapdemo_fault", 0), "VMA_LOCK"))
		TH_LOG("kernel %s: %s", u.release, nth(self, "mmapdemo_fault", 0));
	munmap(p, 2 * ps);
	munmap(q, 2 * ps);
}

TEST_F(trace, resize_events)
{
	unsigned long pages = self->size / self->ps, from, to;
	size_t ps = self->ps;
	const char *e;
	char *p;

	ASSERT_EQ(0, md_resize(self->fd, self->size + 4 * ps));
	ASSERT_EQ(0, md_resize(self->fd, self->size));
	p = md_map(self->fd, MMAPDEMO_MODE_REMAP, ps, self->size - ps, PROT_READ, true);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, md_resize(self->fd, self->size - ps));
	EXPECT_EQ(EBUSY, errno);
	munmap(p, ps);
	ASSERT_EQ(0, read_events(self));
	ASSERT_EQ(3, count(self, "mmapdemo_resize"));

	e = nth(self, "mmapdemo_resize", 0);
	ASSERT_EQ(2, sscanf(field(e, "pages"), "%lu->%lu", &from, &to)) TH_LOG("%s", e);
	EXPECT_EQ(pages, from);
	EXPECT_EQ(pages + 4, to);
	EXPECT_EQ(0, sl(e, "ret"));
	e = nth(self, "mmapdemo_resize", 1);
	ASSERT_EQ(2, sscanf(field(e, "pages"), "%lu->%lu", &from, &to)) TH_LOG("%s", e);
	EXPECT_EQ(pages + 4, from);
	EXPECT_EQ(pages, to);
	EXPECT_EQ(0, sl(e, "ret"));
	e = nth(self, "mmapdemo_resize", 2);
	ASSERT_EQ(2, sscanf(field(e, "pages"), "%lu->%lu", &from, &to)) TH_LOG("%s", e);
	EXPECT_EQ(pages, from);
	EXPECT_EQ(pages - 1, to);
	EXPECT_EQ(-EBUSY, sl(e, "ret"));
}

/*
 * huge mode (7.3): ->huge_fault's event names the 2 MiB window it was
 * asked for (pgoff: the window's first page, not the faulting page's),
 * NOPAGE where the window is one of the buffer's folios and it mapped
 * the PMD, FALLBACK elsewhere, after which ->fault's own event names the
 * page. (A fault that falls back under the per-VMA lock is retried under
 * mmap_lock, and asks ->huge_fault again.) Read one page in the middle of
 * each window of an 8 MiB buffer grown from 1 MiB: its first window is
 * small pages. Where the driver takes no huge mode the kernel refuses the
 * mode (EOPNOTSUPP) and the event never fires.
 */
#define HUGE_WINDOWS	4

TEST_F(trace, huge_fault_event_names_the_window)
{
	const size_t win = (2UL << 20) / self->ps, mid = 7;
	const size_t len = HUGE_WINDOWS * win * self->ps;
	int events[HUGE_WINDOWS] = { 0 }, nopage[HUGE_WINDOWS] = { 0 };
	unsigned long folios, page, w;
	char text[32], *p;
	const char *e;
	int i, n, pmds = 0;

	if (!md_huge_mode()) {
		EXPECT_EQ(-1, md_set_mode(self->fd, MMAPDEMO_MODE_HUGE));
		EXPECT_EQ(EOPNOTSUPP, errno);
		ASSERT_EQ(0, read_events(self));
		EXPECT_EQ(0, count(self, "mmapdemo_huge_fault"));
		return;
	}
	ASSERT_EQ(0, md_read_text("/sys/kernel/mm/transparent_hugepage/enabled",
				  text, sizeof(text)));
	if (strstr(text, "[never]"))
		SKIP(return, "transparent huge pages are off: no ->huge_fault");
	ASSERT_EQ(0, md_resize(self->fd, 1UL << 20));
	ASSERT_EQ(0, md_resize(self->fd, len));
	ASSERT_EQ(0, md_read_text(MD_SYSFS "/folios", text, sizeof(text)));
	folios = strtoul(text, NULL, 10);
	p = md_map(self->fd, MMAPDEMO_MODE_HUGE, len, 0, PROT_READ, true);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, (unsigned long)p % (win * self->ps));
	ASSERT_EQ(0, read_events(self));
	for (w = 0; w < HUGE_WINDOWS; w++)
		load(p + (w * win + mid) * self->ps);
	ASSERT_EQ(0, read_events(self));
	n = count(self, "mmapdemo_huge_fault");
	for (i = 0; i < n; i++) {
		e = nth(self, "mmapdemo_huge_fault", i);
		page = (ul(e, "address") - (unsigned long)p) / self->ps;
		w = page / win;
		ASSERT_GT(HUGE_WINDOWS, w) TH_LOG("%s", e);
		EXPECT_EQ(mid, page % win) TH_LOG("%s", e);
		EXPECT_EQ(w * win, ul(e, "pgoff")) TH_LOG("%s", e);
		EXPECT_TRUE(has_word(e, "shared")) TH_LOG("%s", e);
		events[w]++;
		if (!strcmp(field(e, "ret"), "NOPAGE")) {
			nopage[w]++;
			pmds++;
			EXPECT_NE(0, ul(e, "pfn")) TH_LOG("%s", e);
		} else {
			EXPECT_STREQ("FALLBACK", field(e, "ret")) TH_LOG("%s", e);
		}
	}
	for (w = 0; w < HUGE_WINDOWS; w++) {
		EXPECT_LE(1, events[w]) TH_LOG("window %lu", w);
		EXPECT_GE(1, nopage[w]) TH_LOG("window %lu", w);
	}
	/* The first window is small pages: ->fault names its page. */
	EXPECT_EQ(0, nopage[0]);
	EXPECT_EQ(folios, pmds);
	EXPECT_EQ(HUGE_WINDOWS - folios, count(self, "mmapdemo_fault"));
	e = nth(self, "mmapdemo_fault", 0);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(mid, ul(e, "pgoff")) TH_LOG("%s", e);
	munmap(p, len);
}

TEST_HARNESS_MAIN
