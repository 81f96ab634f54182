// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: every allocation the driver's load, resize, open, mmap
 * and fault paths make is failed in turn, and each failure must end in a
 * clean ENOMEM that leaves the module, the buffer and every existing
 * mapping as they were, with nothing leaked.
 *
 * How: /proc/thread-self/fail-nth makes the N-th fault-injection point the
 * calling thread passes next fail (and reads 0 once it has). With failslab
 * and fail_page_alloc told not to skip sleeping allocations
 * (ignore-gfp-wait=N), order-0 pages (min-order=0) and user pages
 * (ignore-gfp-highmem=N), every slab and page allocation is such a point;
 * fail-nth bypasses probability and task-filter, and task-filter=Y keeps
 * any probability someone else set away from other tasks. Each operation
 * is swept with N = 1, 2, 3, ... until one attempt no longer reaches the
 * N-th point: that one must succeed normally. Attempts where the failure
 * was absorbed (a fallback, kmemleak's own pool) must succeed normally too.
 *
 * The load sweep aims at the module: the stack-trace filter
 * (require-start/end) only lets an allocation fail when a caller lies
 * above the kernel's text, where x86_64 keeps modules, i.e. while the
 * module's init runs; load_module()'s own ~500 allocations are the
 * kernel's and would take minutes under TCG. The other operations are
 * swept whole, syscall and core mm included: a dozen points each.
 *
 * Runs with the module not loaded (mmapdemo_test.sh lists it among the
 * programs that load it themselves); it loads and unloads it itself.
 * Skips when not root, without the module file, or on a kernel without
 * fault injection (every stock kernel). Every debugfs knob it changes is
 * restored by the parent's teardown, even if a test dies. The last test
 * asks kmemleak for objects the module allocated and lost.
 */
#include <ctype.h>
#include <pthread.h>
#include <linux/perf_event.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>

#include "kselftest_harness.h"
#include "mmapdemo_test.h"

#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define DEBUGFS		"/sys/kernel/debug"
#define KMEMLEAK	DEBUGFS "/kmemleak"
#define REFCNT		"/sys/module/" MD_MODULE "/refcnt"
#define MISC_DIR	"/sys/class/misc/" MD_MODULE

/* Bounds: a sweep that has not ended by then is a failure. */
#define MAX_ATTEMPTS		200
#define MAX_LOAD_ATTEMPTS	600

/* The knobs this program sets, all saved first and restored after. */
static const char *const knob_names[] = {
	"failslab/ignore-gfp-wait",
	"failslab/task-filter",
	"failslab/verbose",
	"failslab/stacktrace-depth",
	"failslab/require-start",
	"failslab/require-end",
	"fail_page_alloc/ignore-gfp-wait",
	"fail_page_alloc/ignore-gfp-highmem",
	"fail_page_alloc/min-order",
	"fail_page_alloc/task-filter",
	"fail_page_alloc/verbose",
	"fail_page_alloc/stacktrace-depth",
	"fail_page_alloc/require-start",
	"fail_page_alloc/require-end",
};
#define NR_KNOBS (sizeof(knob_names) / sizeof(knob_names[0]))

/* What every test shares; in memory the parent's teardown sees. */
struct fi_env {
	char saved[NR_KNOBS][32];
	bool knobs_set;
	int nth;	/* fail-nth of the test's thread */
	int kmsg;	/* the kernel log from setup on */
	int fd;		/* /dev/mmapdemo, once a test loaded the module */
	size_t ps;
	size_t size;
	char why[512];
};

static int knob_set(const char *name, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), DEBUGFS "/%s", name);
	return md_write_text(path, value);
}

/* Both fail_* directories at once. */
static int knobs_set_both(const char *name, const char *value)
{
	char knob[64];
	int ret;

	snprintf(knob, sizeof(knob), "failslab/%s", name);
	ret = knob_set(knob, value);
	snprintf(knob, sizeof(knob), "fail_page_alloc/%s", name);
	return ret | knob_set(knob, value);
}

/* Stack-trace filter: fail only with a caller in [start, end). */
static int knobs_require(unsigned long start, unsigned long end)
{
	char text[32];
	int ret;

	snprintf(text, sizeof(text), "%lu", start);
	ret = knobs_set_both("require-start", text);
	snprintf(text, sizeof(text), "%lu", end);
	return ret | knobs_set_both("require-end", text);
}

static void knobs_restore(struct fi_env *env)
{
	size_t i;

	if (!env->knobs_set)
		return;
	for (i = 0; i < NR_KNOBS; i++)
		knob_set(knob_names[i], env->saved[i]);
	env->knobs_set = false;
}

/* fail-nth: arm for the N-th point from now; disarm returns what was left. */
static void fi_arm(int nth, unsigned int n)
{
	char text[16];
	int len = snprintf(text, sizeof(text), "%u", n);

	if (pwrite(nth, text, len, 0) != len)
		abort();	/* nothing is armed; nothing sensible to do */
}

static unsigned int fi_disarm(int nth)
{
	char text[16] = "";
	unsigned int left;
	ssize_t n;

	n = pread(nth, text, sizeof(text) - 1, 0);
	left = n > 0 ? strtoul(text, NULL, 10) : ~0U;
	if (pwrite(nth, "0", 1, 0) != 1)
		abort();
	return left;
}

/* The kernel log: anything a clean run must not print. */
static const char *const splats[] = {
	"BUG:", "WARNING:", "Oops", "general protection fault", "KASAN:",
	"KFENCE:", "UBSAN:", "kernel BUG", "ad page state", "bad page map",
	"circular locking", "recursive locking", "inconsistent lock state",
	"suspicious RCU usage", "lock held when returning", "held lock freed",
	"sleeping function called from invalid context",
	"scheduling while atomic", "refcount_t:", "list_add corruption",
	"list_del corruption",
};

static int kmsg_splats(struct __test_metadata *_metadata, int kmsg)
{
	char rec[2048], *text;
	int found = 0;
	ssize_t n;
	size_t i;

	if (kmsg < 0)
		return 0;
	for (;;) {
		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		text[strcspn(text, "\n")] = '\0';
		for (i = 0; i < sizeof(splats) / sizeof(splats[0]); i++) {
			if (strstr(text, splats[i])) {
				TH_LOG("kernel log: %s", text);
				found++;
				break;
			}
		}
	}
	return found;
}

/* An errno histogram and the counts of one sweep. */
#define MAX_ERRNOS 6

struct sweep {
	const char *what;
	unsigned int attempts;	/* values of N tried, the last one included */
	unsigned int failed;	/* attempts that returned an error */
	unsigned int absorbed;	/* injected, yet the operation succeeded */
	unsigned int retried;	/* touch: the kernel took the fault again */
	int err[MAX_ERRNOS];
	unsigned int err_count[MAX_ERRNOS];
	bool done;		/* an attempt ran without reaching the point */
	time_t start;
};

static void sweep_start(struct sweep *s, const char *what)
{
	memset(s, 0, sizeof(*s));
	s->what = what;
	s->start = time(NULL);
}

static void sweep_error(struct sweep *s, int err)
{
	int i;

	s->failed++;
	for (i = 0; i < MAX_ERRNOS; i++) {
		if (s->err_count[i] && s->err[i] != err)
			continue;
		s->err[i] = err;
		s->err_count[i]++;
		return;
	}
}

static void sweep_report(struct sweep *s)
{
	char errs[160] = "";
	size_t len = 0;
	int i;

	for (i = 0; i < MAX_ERRNOS && s->err_count[i]; i++)
		len += snprintf(errs + len, sizeof(errs) - len, "%s%s x%u",
				i ? ", " : "", strerrorname_np(s->err[i]) ?: "?",
				s->err_count[i]);
	ksft_print_msg("%s: %u attempts in %lds: %u failed (%s), %u absorbed%s%.0u%s, %s\n",
		       s->what, s->attempts, (long)(time(NULL) - s->start),
		       s->failed, len ? errs : "none", s->absorbed,
		       s->retried ? ", " : "", s->retried,
		       s->retried ? " retried by the kernel" : "",
		       s->done ? "then the operation passed every point" :
				 "NOT FINISHED");
}

static int module_refcnt(void)
{
	char text[32];

	return md_read_text(REFCNT, text, sizeof(text)) ? -1 : atoi(text);
}

/* VMAs of this process that map the device. */
static int device_vmas(void)
{
	char line[512];
	int n = 0;
	FILE *f;

	f = fopen("/proc/self/maps", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, MD_DEVICE))
			n++;
	fclose(f);
	return n;
}

static int unload(void)
{
	return syscall(SYS_delete_module, MD_MODULE, O_NONBLOCK);
}

/*
 * Common setup: skip unless this can run, save and set the knobs. Every
 * skip comes before the first change.
 */
static void env_setup(struct __test_metadata *_metadata, struct fi_env *env)
{
	char path[128];
	size_t i;

	env->nth = env->kmsg = env->fd = -1;
	if (geteuid())
		SKIP(return, "fault injection needs root");
	if (access(FAIL_NTH, R_OK | W_OK) ||
	    access(DEBUGFS "/failslab/ignore-gfp-wait", W_OK) ||
	    access(DEBUGFS "/fail_page_alloc/min-order", W_OK))
		SKIP(return, "no fault injection in this kernel (CONFIG_FAULT_INJECTION_DEBUG_FS, CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, debugfs mounted at " DEBUGFS ")");
	if (!md_module_default_path())
		SKIP(return, "no mmapdemo.ko for this kernel (set MMAPDEMO_KO)");
	if (md_module_loaded())
		ASSERT_EQ(0, md_module_unload(env->why, sizeof(env->why)))
			TH_LOG("mmapdemo is loaded and busy: %s", env->why);

	for (i = 0; i < NR_KNOBS; i++) {
		snprintf(path, sizeof(path), DEBUGFS "/%s", knob_names[i]);
		if (md_read_text(path, env->saved[i], sizeof(env->saved[i])))
			SKIP(return, "no %s (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER)", path);
	}
	env->knobs_set = true;
	ASSERT_EQ(0, knobs_set_both("ignore-gfp-wait", "N"));
	ASSERT_EQ(0, knob_set("fail_page_alloc/ignore-gfp-highmem", "N"));
	ASSERT_EQ(0, knob_set("fail_page_alloc/min-order", "0"));
	ASSERT_EQ(0, knobs_set_both("task-filter", "Y"));
	/* MMAPDEMO_FI_VERBOSE=2: a stack trace per injected failure. */
	ASSERT_EQ(0, knobs_set_both("verbose", getenv("MMAPDEMO_FI_VERBOSE") ?: "0"));
	ASSERT_EQ(0, knobs_set_both("stacktrace-depth", "32"));
	ASSERT_EQ(0, knobs_require(0, ~0UL));

	env->nth = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, env->nth);
	env->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (env->kmsg >= 0)
		lseek(env->kmsg, 0, SEEK_END);
	/*
	 * Each test runs in a fresh fork: break copy-on-write of every page
	 * now, so that no page fault of our own between arming and the
	 * operation takes the injected failure.
	 */
	mlockall(MCL_CURRENT);
}

/* The parent's teardown: the test may have died. */
static void env_teardown(struct fi_env *env)
{
	knobs_restore(env);
	if (md_module_loaded())
		md_module_unload(env->why, sizeof(env->why));
}

/* Load with @params (libkmod), open, and note the geometry. */
static void env_load(struct __test_metadata *_metadata, struct fi_env *env,
		     const char *params)
{
	struct mmapdemo_info info;

	ASSERT_EQ(0, md_module_load(NULL, params, env->why, sizeof(env->why)))
		TH_LOG("%s", env->why);
	env->fd = md_open(O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, env->fd);
	ASSERT_EQ(0, md_info(env->fd, &info));
	env->ps = info.page_size;
	env->size = info.size;
}

/* Close, unload (nothing may hold the module) and read the kernel log. */
static void env_finish(struct __test_metadata *_metadata, struct fi_env *env)
{
	if (env->fd >= 0)
		close(env->fd);
	env->fd = -1;
	EXPECT_EQ(0, unload()) TH_LOG("unload: %s", strerror(errno));
	EXPECT_FALSE(md_module_loaded());
	EXPECT_EQ(0, kmsg_splats(_metadata, env->kmsg));
}

FIXTURE(fi)
{
	struct fi_env env;
};

FIXTURE_SETUP(fi)
{
	env_setup(_metadata, &self->env);
}

FIXTURE_TEARDOWN_PARENT(fi)
{
	env_teardown(&self->env);
}

/*
 * The first caller above the kernel's text: on x86_64 modules live above
 * it, so a stack with such a caller is running module code. 0 if the
 * address is hidden or the layout is not known.
 */
static unsigned long module_area_start(void)
{
#if defined(__x86_64__)
	unsigned long addr = 0, a;
	char line[256], sym[128], type;
	FILE *f;

	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %127s", &a, &type, sym) == 3 &&
		    !strcmp(sym, "_etext")) {
			addr = a;
			break;
		}
	}
	fclose(f);
	return addr;
#else
	return 0;
#endif
}

/* A loaded module with @params: the device, the size, a zeroed buffer. */
static void check_loaded(struct __test_metadata *_metadata, size_t want_size,
			 unsigned int attempt)
{
	struct mmapdemo_info info;
	char *buf;
	int fd;

	EXPECT_TRUE(md_module_loaded()) TH_LOG("attempt %u", attempt);
	fd = md_open(O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("attempt %u: open: %s", attempt, strerror(errno));
	ASSERT_EQ(0, md_info(fd, &info));
	EXPECT_EQ(want_size, info.size) TH_LOG("attempt %u", attempt);
	EXPECT_EQ(want_size / info.page_size, info.counters.buffer_pages);
	EXPECT_EQ(0, info.counters.live_mappings);
	EXPECT_EQ(MMAPDEMO_MODE_FAULT, info.default_mode);
	buf = malloc(want_size);
	ASSERT_NE(NULL, buf);
	EXPECT_EQ(want_size, pread(fd, buf, want_size, 0));
	EXPECT_TRUE(all_zero(buf, want_size)) TH_LOG("attempt %u: buffer not zeroed", attempt);
	free(buf);
	close(fd);
}

/*
 * Load: every allocation the module's init makes fails in turn. A failed
 * load is ENOMEM with nothing left: no module, no /dev/mmapdemo, no misc
 * class entry; a later load works. The buffer is three pages, an order-1
 * and an order-0 allocation: a failed order-1 falls back to single pages,
 * a failed order-0 fails the fill half done. (The default 1 MiB buffer is
 * one order-8 allocation, whose failure only falls back, and a sweep costs
 * about a second per attempt under TCG: the final load checks it.)
 */
#define LOAD_PARAMS	"size=12288"
#define LOAD_SIZE	12288

TEST_F_TIMEOUT(fi, load_fails_cleanly, 600)
{
	unsigned long start = module_area_start();
	unsigned int n, left;
	struct sweep s;
	int kofd, r, err;

	if (!start)
		SKIP(return, "cannot aim at the module: no _etext in /proc/kallsyms or not x86_64");
	kofd = open(md_module_default_path(), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, kofd);
	ASSERT_EQ(0, knobs_require(start, ~0UL));

	/* Warm up: the same calls once, without injection. */
	ASSERT_EQ(0, syscall(SYS_finit_module, kofd, LOAD_PARAMS, 0))
		TH_LOG("load " LOAD_PARAMS ": %s", strerror(errno));
	check_loaded(_metadata, LOAD_SIZE, 0);
	ASSERT_EQ(0, unload());

	sweep_start(&s, "load (" LOAD_PARAMS ")");
	for (n = 1; n <= MAX_LOAD_ATTEMPTS && !s.done; n++) {
		fi_arm(self->env.nth, n);
		r = syscall(SYS_finit_module, kofd, LOAD_PARAMS, 0);
		err = errno;
		left = fi_disarm(self->env.nth);
		s.attempts++;
		s.done = left != 0;
		if (r) {
			sweep_error(&s, err);
			EXPECT_EQ(ENOMEM, err) TH_LOG("load, attempt %u: %s", n, strerror(err));
			EXPECT_EQ(0, left) TH_LOG("load failed (%s) without an injected failure",
						 strerror(err));
			EXPECT_FALSE(md_module_loaded()) TH_LOG("attempt %u", n);
			EXPECT_NE(0, access(MD_DEVICE, F_OK)) TH_LOG("attempt %u", n);
			EXPECT_NE(0, access(MISC_DIR, F_OK)) TH_LOG("attempt %u", n);
			if (md_module_loaded())
				break;
			continue;
		}
		if (!left)
			s.absorbed++;
		check_loaded(_metadata, LOAD_SIZE, n);
		ASSERT_EQ(0, unload()) TH_LOG("attempt %u: unload: %s", n, strerror(errno));
	}
	sweep_report(&s);
	EXPECT_TRUE(s.done) TH_LOG("load: no success within %u attempts", MAX_LOAD_ATTEMPTS);
	/* The filter reached the module: something failed. */
	EXPECT_LT(0, s.failed) TH_LOG("load: no allocation of the module's init was failed");

	/* A later load works and gives the normal device. */
	ASSERT_EQ(0, knobs_require(0, ~0UL));
	ASSERT_EQ(0, syscall(SYS_finit_module, kofd, "", 0)) TH_LOG("%s", strerror(errno));
	check_loaded(_metadata, 1 << 20, 0);
	close(kofd);
	env_finish(_metadata, &self->env);
}

/*
 * The mappings resize must keep right: demand-paged ones over the whole
 * buffer (one reaching past its end), prepopulated ones over its first
 * quarter (shrinks leave that alone), and private copies in each kind.
 */
struct resize_maps {
	char *fault_shared;	/* [0, size + 4 pages), touched */
	char *remap_shared;	/* [0, size / 4) */
	char *insert_shared;	/* [0, size / 4) */
	char *around_private;	/* [0, size), one page copied at size - 2 pages */
	char *insert_private;	/* [0, size / 4), page 0 copied */
	size_t size;
	size_t ps;
};

#define SEED_BUF	1
#define SEED_COPY	2

static void resize_maps_copy(struct resize_maps *m)
{
	md_pattern_fill(m->around_private + m->size - 2 * m->ps, m->ps,
			m->size - 2 * m->ps, SEED_COPY);
	md_pattern_fill(m->insert_private, m->ps, 0, SEED_COPY);
}

static void resize_maps_create(struct __test_metadata *_metadata,
			       struct fi_env *env, struct resize_maps *m)
{
	size_t q = env->size / 4;

	m->size = env->size;
	m->ps = env->ps;
	m->fault_shared = md_map(env->fd, MMAPDEMO_MODE_FAULT, m->size + 4 * m->ps,
				 0, PROT_READ | PROT_WRITE, true);
	m->remap_shared = md_map(env->fd, MMAPDEMO_MODE_REMAP, q, 0, PROT_READ, true);
	m->insert_shared = md_map(env->fd, MMAPDEMO_MODE_INSERT, q, 0, PROT_READ, true);
	m->around_private = md_map(env->fd, MMAPDEMO_MODE_FAULTAROUND, m->size, 0,
				   PROT_READ | PROT_WRITE, false);
	m->insert_private = md_map(env->fd, MMAPDEMO_MODE_INSERT, q, 0,
				   PROT_READ | PROT_WRITE, false);
	ASSERT_NE(MAP_FAILED, m->fault_shared);
	ASSERT_NE(MAP_FAILED, m->remap_shared);
	ASSERT_NE(MAP_FAILED, m->insert_shared);
	ASSERT_NE(MAP_FAILED, m->around_private);
	ASSERT_NE(MAP_FAILED, m->insert_private);
	resize_maps_copy(m);
}

/*
 * Every mapping shows what it must while the buffer is @size bytes of
 * SEED_BUF (grown pages zero up to m->size... see the callers).
 */
static bool resize_maps_ok(struct __test_metadata *_metadata,
			   struct resize_maps *m, const char *when)
{
	size_t q = m->size / 4, copy = m->size - 2 * m->ps;
	bool ok = true;

#define MAPCHECK(cond) do {						\
		if (!(cond)) {						\
			TH_LOG("%s: %s", when, #cond);			\
			ok = false;					\
		}							\
	} while (0)
	MAPCHECK(mem_has(m->fault_shared, m->size, 0, SEED_BUF));
	MAPCHECK(md_probe(m->fault_shared + m->size, false) == MD_PROBE_SIGBUS);
	MAPCHECK(mem_has(m->remap_shared, q, 0, SEED_BUF));
	MAPCHECK(mem_has(m->insert_shared, q, 0, SEED_BUF));
	MAPCHECK(mem_has(m->around_private, copy, 0, SEED_BUF));
	MAPCHECK(mem_has(m->around_private + copy, m->ps, copy, SEED_COPY));
	MAPCHECK(mem_has(m->around_private + copy + m->ps, m->ps, copy + m->ps,
			 SEED_BUF));
	MAPCHECK(mem_has(m->insert_private, m->ps, 0, SEED_COPY));
	MAPCHECK(mem_has(m->insert_private + m->ps, q - m->ps, m->ps, SEED_BUF));
#undef MAPCHECK
	EXPECT_TRUE(ok);
	return ok;
}

/* After a successful resize to @to: the new state, then back to m->size. */
static void resize_success(struct __test_metadata *_metadata,
			   struct fi_env *env, struct resize_maps *m,
			   size_t to, unsigned int attempt)
{
	struct mmapdemo_info info;
	char *buf;

	ASSERT_EQ(0, md_info(env->fd, &info));
	EXPECT_EQ(to, info.size) TH_LOG("attempt %u", attempt);
	EXPECT_TRUE(buf_has(env->fd, 0, to < m->size ? to : m->size, SEED_BUF))
		TH_LOG("attempt %u: data lost", attempt);
	if (to > m->size) {
		size_t past = to - m->size < 4 * m->ps ? to - m->size : 4 * m->ps;

		buf = malloc(to - m->size);
		ASSERT_NE(NULL, buf);
		EXPECT_EQ(to - m->size, pread(env->fd, buf, to - m->size, m->size));
		EXPECT_TRUE(all_zero(buf, to - m->size)) TH_LOG("attempt %u: new pages not zero",
								 attempt);
		free(buf);
		/* The same addresses past the old end: valid and zero now. */
		EXPECT_EQ(MD_PROBE_OK, md_probe(m->fault_shared + m->size, false));
		EXPECT_TRUE(all_zero(m->fault_shared + m->size, past));
		ASSERT_EQ(0, md_resize(env->fd, m->size));
	} else {
		/* Removed pages are gone from demand-paged mappings, copies too. */
		EXPECT_EQ(MD_PROBE_SIGBUS, md_probe(m->fault_shared + to, false));
		EXPECT_EQ(MD_PROBE_SIGBUS,
			  md_probe(m->around_private + m->size - 2 * m->ps, false));
		EXPECT_TRUE(mem_has(m->fault_shared, to, 0, SEED_BUF));
		ASSERT_EQ(0, md_resize(env->fd, m->size));
		ASSERT_EQ(0, buf_fill(env->fd, to, m->size - to, SEED_BUF));
		resize_maps_copy(m);
	}
	resize_maps_ok(_metadata, m, "restored");
}

/*
 * Resize: growing or shrinking, a failure is ENOMEM and changes nothing:
 * size, data, counters, mappings (a page past the end still SIGBUS).
 */
TEST_F_TIMEOUT(fi, resize_fails_cleanly, 300)
{
	struct fi_env *env = &self->env;
	struct resize_maps m;
	struct mmapdemo_info base, info;
	unsigned int n, left, i;
	struct sweep s;
	uint64_t to;
	int r, err;

	env_load(_metadata, env, "");
	ASSERT_EQ(0, buf_fill(env->fd, 0, env->size, SEED_BUF));
	resize_maps_create(_metadata, env, &m);
	ASSERT_TRUE(resize_maps_ok(_metadata, &m, "before"));

	const struct {
		const char *what;
		uint64_t to;
	} steps[] = {
		{ "resize: grow by 3 pages", env->size + 3 * env->ps },
		{ "resize: grow to twice the size", 2 * env->size },
		{ "resize: shrink by 3 pages", env->size - 3 * env->ps },
		{ "resize: shrink to half", env->size / 2 },
	};

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		/* Warm up: the same calls once, without injection. */
		to = steps[i].to;
		ASSERT_EQ(0, ioctl(env->fd, MMAPDEMO_IOC_RESIZE, &to));
		resize_success(_metadata, env, &m, to, 0);

		sweep_start(&s, steps[i].what);
		for (n = 1; n <= MAX_ATTEMPTS && !s.done; n++) {
			ASSERT_EQ(0, md_info(env->fd, &base));
			to = steps[i].to;
			fi_arm(env->nth, n);
			r = ioctl(env->fd, MMAPDEMO_IOC_RESIZE, &to);
			err = errno;
			left = fi_disarm(env->nth);
			s.attempts++;
			s.done = left != 0;
			if (!r) {
				if (!left)
					s.absorbed++;
				resize_success(_metadata, env, &m, to, n);
				continue;
			}
			sweep_error(&s, err);
			EXPECT_EQ(ENOMEM, err) TH_LOG("%s, attempt %u: %s", s.what, n,
						      strerror(err));
			EXPECT_EQ(0, left) TH_LOG("%s: failed (%s) without an injected failure",
						 s.what, strerror(err));
			ASSERT_EQ(0, md_info(env->fd, &info));
			EXPECT_EQ(env->size, info.size) TH_LOG("%s, attempt %u", s.what, n);
			EXPECT_EQ(base.counters.buffer_pages, info.counters.buffer_pages);
			EXPECT_EQ(base.counters.resizes, info.counters.resizes);
			EXPECT_EQ(base.counters.live_mappings, info.counters.live_mappings);
			EXPECT_TRUE(buf_has(env->fd, 0, env->size, SEED_BUF))
				TH_LOG("%s, attempt %u: data changed", s.what, n);
			EXPECT_EQ(0, pread(env->fd, (char[8]){ 0 }, 8, env->size));
			if (!resize_maps_ok(_metadata, &m, s.what))
				break;
		}
		sweep_report(&s);
		EXPECT_TRUE(s.done) TH_LOG("%s: no success within %u attempts",
					   s.what, MAX_ATTEMPTS);
		/* Growing 256 pages never fails: kvzalloc falls back to vmalloc. */
		EXPECT_LT(1, s.attempts) TH_LOG("%s: no allocation reached", s.what);
	}

	munmap(m.fault_shared, m.size + 4 * m.ps);
	munmap(m.remap_shared, m.size / 4);
	munmap(m.insert_shared, m.size / 4);
	munmap(m.around_private, m.size);
	munmap(m.insert_private, m.size / 4);
	ASSERT_EQ(0, md_info(env->fd, &info));
	EXPECT_EQ(0, info.counters.live_mappings);
	/* No pin left behind: any shrink goes through now. */
	EXPECT_EQ(0, md_resize(env->fd, env->ps));
	EXPECT_EQ(0, md_resize(env->fd, env->size));
	env_finish(_metadata, env);
}

/* Open: a failed open is ENOMEM and takes nothing: no module reference. */
TEST_F_TIMEOUT(fi, open_fails_cleanly, 120)
{
	struct fi_env *env = &self->env;
	struct mmapdemo_info base, info;
	unsigned int n, left;
	int refs, fd2, err;
	struct sweep s;
	char *p;

	env_load(_metadata, env, "");
	ASSERT_EQ(0, buf_fill(env->fd, 0, env->size, SEED_BUF));
	p = md_map(env->fd, MMAPDEMO_MODE_FAULT, 16 * env->ps, 0, PROT_READ, true);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_TRUE(mem_has(p, 16 * env->ps, 0, SEED_BUF));
	ASSERT_EQ(0, md_info(env->fd, &base));
	refs = module_refcnt();
	ASSERT_LT(0, refs);

	/* Warm up. */
	fd2 = open(MD_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	close(fd2);

	sweep_start(&s, "open");
	for (n = 1; n <= MAX_ATTEMPTS && !s.done; n++) {
		fi_arm(env->nth, n);
		fd2 = open(MD_DEVICE, O_RDWR | O_CLOEXEC);
		err = errno;
		left = fi_disarm(env->nth);
		s.attempts++;
		s.done = left != 0;
		if (fd2 >= 0) {
			if (!left)
				s.absorbed++;
			ASSERT_EQ(0, md_info(fd2, &info));
			EXPECT_EQ(MMAPDEMO_MODE_FAULT, info.mode);
			EXPECT_EQ(env->size, info.size);
			EXPECT_TRUE(buf_has(fd2, 0, env->size, SEED_BUF));
			EXPECT_EQ(refs + 1, module_refcnt());
			close(fd2);
			EXPECT_EQ(refs, module_refcnt());
			continue;
		}
		sweep_error(&s, err);
		EXPECT_EQ(ENOMEM, err) TH_LOG("open, attempt %u: %s", n, strerror(err));
		EXPECT_EQ(0, left) TH_LOG("open failed (%s) without an injected failure",
					 strerror(err));
		EXPECT_EQ(refs, module_refcnt()) TH_LOG("open, attempt %u: module reference leaked", n);
		ASSERT_EQ(0, md_info(env->fd, &info));
		EXPECT_EQ(base.counters.live_mappings, info.counters.live_mappings);
		EXPECT_EQ(env->size, info.size);
		EXPECT_TRUE(mem_has(p, 16 * env->ps, 0, SEED_BUF));
		EXPECT_TRUE(buf_has(env->fd, 0, env->size, SEED_BUF));
	}
	sweep_report(&s);
	EXPECT_TRUE(s.done) TH_LOG("open: no success within %u attempts", MAX_ATTEMPTS);
	EXPECT_LT(0, s.failed) TH_LOG("open: no allocation failed it");
	munmap(p, 16 * env->ps);
	env_finish(_metadata, env);
}

/* One sigsetjmp probe that can also write a value; handlers set outside. */
static sigjmp_buf touch_jmp;

static void touch_handler(int sig)
{
	siglongjmp(touch_jmp, sig);
}

static int touch(volatile uint64_t *p, bool write, uint64_t val, uint64_t *seen)
{
	int sig = sigsetjmp(touch_jmp, 1);

	if (sig)
		return sig;
	if (write)
		*p = val;
	else
		*seen = *p;
	return 0;
}

static long long perf_read(int fd)
{
	long long v;

	return fd >= 0 && read(fd, &v, sizeof(v)) == sizeof(v) ? v : -1;
}

/*
 * A fault whose allocations fail: a demand-paged touch at a fresh 2 MiB
 * boundary (no page table there yet) with each allocation of the fault
 * failed in turn. The page table, anon_vma and copy-on-write page are the
 * core mm's: their failure is VM_FAULT_OOM, and since 5.16 the x86 #PF
 * handler (pagefault_out_of_memory()) neither kills nor signals for it
 * without a memcg OOM: it returns and the instruction faults again. So
 * every touch must complete with the right bytes and no SIGBUS; the
 * per-task page-fault count (perf, counted at each #PF entry) shows the
 * retry. The driver allocates nothing in the fault path. OOM killer
 * insurance: this process is its first choice.
 */
TEST_F_TIMEOUT(fi, fault_is_retried_by_the_kernel, 300)
{
	struct fi_env *env = &self->env;
	struct perf_event_attr pa = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(pa),
		.config = PERF_COUNT_SW_PAGE_FAULTS,
	};
	struct sigaction sa = { .sa_handler = touch_handler }, old_bus, old_segv;
	struct mmapdemo_info base, info;
	unsigned int n, left, c;
	long long before, entries;
	size_t off, rlen = 4 << 20, len;
	uint64_t want, seen = 0;
	char what[80], *res, *at;
	struct sweep s;
	int perf, sig;

	env_load(_metadata, env, "");
	ASSERT_EQ(0, buf_fill(env->fd, 0, env->size, SEED_BUF));
	md_write_text("/proc/self/oom_score_adj", "1000");
	perf = syscall(SYS_perf_event_open, &pa, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (perf < 0)
		TH_LOG("no perf page-fault counter (%s): retries not counted",
		       strerror(errno));
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	len = 16 * env->ps;
	off = 5 * env->ps + 8;
	want = md_pattern_word(off, SEED_BUF);

	for (c = 0; c < 8; c++) {
		unsigned int mode = c & 4 ? MMAPDEMO_MODE_FAULTAROUND : MMAPDEMO_MODE_FAULT;
		bool shared = !(c & 2), write = c & 1;

		snprintf(what, sizeof(what), "fault: %s %s %s", md_mode_name(mode),
			 shared ? "shared" : "private", write ? "write" : "read");
		ASSERT_EQ(0, md_set_mode(env->fd, mode));
		sweep_start(&s, what);
		/* n = 0 is the warm-up: the same calls without injection. */
		for (n = 0; n <= MAX_ATTEMPTS && !s.done; n++) {
			res = mmap(NULL, rlen, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
			ASSERT_NE(MAP_FAILED, res);
			at = (char *)(((uintptr_t)res + (2 << 20) - 1) & ~(uintptr_t)((2 << 20) - 1));
			ASSERT_EQ(at, mmap(at, len, PROT_READ | PROT_WRITE,
					   (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED,
					   env->fd, 0));
			ASSERT_EQ(0, md_info(env->fd, &base));
			before = perf_read(perf);
			if (n)
				fi_arm(env->nth, n);
			sig = touch((volatile uint64_t *)(at + off), write, want, &seen);
			left = n ? fi_disarm(env->nth) : 1;
			entries = perf_read(perf) - before;
			if (n) {
				s.attempts++;
				s.done = left != 0;
			}
			EXPECT_EQ(0, sig) TH_LOG("%s, attempt %u: the touch raised %s", what, n,
						 strsignal(sig));
			if (!sig && !write)
				EXPECT_EQ(want, seen) TH_LOG("%s, attempt %u: wrong data", what, n);
			if (!sig)
				EXPECT_EQ(want, *(volatile uint64_t *)(at + off));
			ASSERT_EQ(0, md_info(env->fd, &info));
			EXPECT_EQ(base.counters.sigbus, info.counters.sigbus);
			if (perf >= 0)
				EXPECT_LE(1, entries);
			if (n && !left) {
				if (perf >= 0 && entries > 1)
					s.retried++;
				else
					s.absorbed++;
			}
			if (!n && perf >= 0)
				EXPECT_EQ(1, entries) TH_LOG("%s: one touch, %lld faults", what,
							     entries);
			munmap(res, rlen);
		}
		sweep_report(&s);
		EXPECT_TRUE(s.done) TH_LOG("%s: no success within %u attempts", what,
					   MAX_ATTEMPTS);
		/* The page table of the core mm is always one of the points. */
		if (perf >= 0)
			EXPECT_LT(0, s.retried) TH_LOG("%s: no fault was retried", what);
	}
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	if (perf >= 0)
		close(perf);
	/* The buffer is as it was: private writes stayed private. */
	EXPECT_TRUE(buf_has(env->fd, 0, env->size, SEED_BUF));
	ASSERT_EQ(0, md_info(env->fd, &info));
	EXPECT_EQ(0, info.counters.live_mappings);
	env_finish(_metadata, env);
}

static unsigned long huge_pmds(void)
{
	char text[32];

	if (md_read_text(MISC_DIR "/counters/huge_pmds", text, sizeof(text)))
		return ~0UL;
	return strtoul(text, NULL, 10);
}

/*
 * A huge fault allocates nothing. With the PMD table already there (an
 * anonymous page in the next 2 MiB, inside the same 1 GiB, made it), the
 * core mm offers a 2 MiB window of a huge mapping to ->huge_fault, which
 * maps the buffer's folio with one PMD: the driver allocates nothing, and
 * on x86 vmf_insert_folio_pmd() deposits no page table. So a failure
 * armed for the first allocation is never taken, for a shared read, a
 * shared write and a private read, and each maps one PMD. (A private
 * write falls back to ->fault and a copy: the test above.) The window
 * is one the warm-up saw mapped by a PMD: the buffer's folios are where
 * the allocator had 2 MiB blocks. Where the driver takes no huge mode,
 * the kernel's answer is EOPNOTSUPP.
 */
TEST_F_TIMEOUT(fi, huge_fault_allocates_nothing, 120)
{
	struct fi_env *env = &self->env;
	const size_t pmd = 2UL << 20, gib = 1UL << 30, size = 8UL << 20;
	struct sigaction sa = { .sa_handler = touch_handler }, old_bus, old_segv;
	unsigned long before;
	uint64_t want, seen = 0;
	char what[64], *res, *at, *anon, *p;
	unsigned int c, left;
	size_t win = 0, off;
	int sig;

	env_load(_metadata, env, "");
	if (!md_huge_mode()) {
		EXPECT_EQ(-1, md_set_mode(env->fd, MMAPDEMO_MODE_HUGE));
		EXPECT_EQ(EOPNOTSUPP, errno) TH_LOG("no huge mode: the kernel's answer");
		env_finish(_metadata, env);
		return;
	}
	/* As mmapdemo_huge: the windows after the first are folios. */
	ASSERT_EQ(0, md_resize(env->fd, size));
	ASSERT_EQ(0, buf_fill(env->fd, 0, size, SEED_BUF));
	p = md_map(env->fd, MMAPDEMO_MODE_HUGE, size, 0, PROT_READ, true);
	ASSERT_NE(MAP_FAILED, p);
	for (off = pmd; off < size && !win; off += pmd) {
		before = huge_pmds();
		(void)*(volatile char *)(p + off);
		if (huge_pmds() == before + 1)
			win = off;
	}
	munmap(p, size);
	ASSERT_NE(0, win) TH_LOG("no window of the buffer was mapped by a PMD: no folio?");

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	off = win + 5 * env->ps + 8;
	want = md_pattern_word(off, SEED_BUF);
	for (c = 0; c < 3; c++) {
		bool shared = c < 2, write = c == 1;

		snprintf(what, sizeof(what), "huge fault: %s %s",
			 shared ? "shared" : "private", write ? "write" : "read");
		res = mmap(NULL, 4 * pmd, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		ASSERT_NE(MAP_FAILED, res);
		at = (char *)(((uintptr_t)res + pmd - 1) & ~(uintptr_t)(pmd - 1));
		if (((uintptr_t)at & ~(gib - 1)) != (((uintptr_t)at + pmd) & ~(gib - 1)))
			at += pmd;
		anon = mmap(at + pmd, env->ps, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		ASSERT_EQ(at + pmd, anon);
		*(volatile char *)anon = 1;
		ASSERT_EQ(0, md_set_mode(env->fd, MMAPDEMO_MODE_HUGE));
		ASSERT_EQ(at, mmap(at, pmd, PROT_READ | PROT_WRITE,
				   (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED,
				   env->fd, win));
		before = huge_pmds();
		fi_arm(env->nth, 1);
		sig = touch((volatile uint64_t *)(at + off - win), write, want, &seen);
		left = fi_disarm(env->nth);
		EXPECT_EQ(0, sig) TH_LOG("%s: the touch raised %s", what, strsignal(sig));
		EXPECT_NE(0, left) TH_LOG("%s: took an allocation", what);
		EXPECT_EQ(before + 1, huge_pmds()) TH_LOG("%s: no PMD", what);
		if (!sig && !write)
			EXPECT_EQ(want, seen) TH_LOG("%s: wrong data", what);
		munmap(res, 4 * pmd);
	}
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	EXPECT_TRUE(buf_has(env->fd, 0, size, SEED_BUF));
	env_finish(_metadata, env);
}

/* mmap, in each mode, shared and private. */
FIXTURE(fi_mmap)
{
	struct fi_env env;
};

MD_MODE_VARIANTS(fi_mmap);

FIXTURE_SETUP(fi_mmap)
{
	env_setup(_metadata, &self->env);
}

FIXTURE_TEARDOWN_PARENT(fi_mmap)
{
	env_teardown(&self->env);
}

/*
 * Address space for one mapping per attempt, reserved and never touched:
 * a mapping placed across the 2 MiB boundary in the middle of a window
 * needs two new page tables, so remap_pfn_range() and vm_insert_pages()
 * in ->mmap allocate, and can fail half way through.
 */
#define WINDOW	(4UL << 20)

struct windows {
	char *reserved;
	size_t len;
	char *first;
	unsigned int used, nr;
};

static int windows_reserve(struct windows *w, unsigned int nr)
{
	w->len = (nr + 1) * WINDOW;
	w->reserved = mmap(NULL, w->len, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (w->reserved == MAP_FAILED)
		return -1;
	w->first = (char *)(((uintptr_t)w->reserved + WINDOW / 2 - 1) &
			    ~(uintptr_t)(WINDOW / 2 - 1));
	w->used = 0;
	w->nr = nr;
	return 0;
}

/*
 * Where the next mapping of @len goes: a hole, so mmap unmaps nothing.
 * With @first_table, an anonymous page touched at the start of the
 * window makes the page table the mapping's first half lies in.
 */
static char *windows_next(struct windows *w, size_t len, bool first_table)
{
	char *at, *anon;

	if (w->used == w->nr)
		return NULL;
	at = w->first + w->used++ * WINDOW;
	munmap(at, WINDOW);
	if (first_table) {
		anon = mmap(at, 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (anon != at)
			return NULL;
		*(volatile char *)anon = 1;
	}
	return at + WINDOW / 2 - len / 2;
}

/*
 * A failed mmap is ENOMEM and leaves no trace: no VMA, no count, no
 * module reference, no pin (a shrink goes through afterwards), and the
 * earlier mappings (one of the same kind with a private copy, one shared
 * over the whole buffer) keep their bytes.
 *
 * A shared remap mapping starts where a page table already is. When
 * remap_pfn_range() fails before it has set the VMA's first PTE, up to
 * 6.12 at least, its clean-up (zap_page_range_single() -> untrack_pfn())
 * looks that PTE up to find the PAT memtype, finds none in a mapping that
 * is not copy-on-write and WARNs in get_pat_info(): the kernel's bug, not
 * the driver's, and a WARNING fails the run. With the first table there,
 * every later allocation of remap_pfn_range() is still failed in turn.
 */
TEST_F_TIMEOUT(fi_mmap, mmap_fails_cleanly, 180)
{
	struct fi_env *env = &self->env;
	int flags = variant->shared ? MAP_SHARED : MAP_PRIVATE;
	bool first_table = variant->shared && variant->mode == MMAPDEMO_MODE_REMAP;
	struct mmapdemo_info base, info;
	size_t len, off, elen;
	unsigned int n, left;
	int refs, vmas, err;
	char what[64], *p, *at, *earlier, *whole;
	struct windows w;
	struct sweep s;

	ASSERT_EQ(0, windows_reserve(&w, MAX_ATTEMPTS + 1));
	env_load(_metadata, env, "");
	len = 16 * env->ps;
	off = env->size / 4;
	elen = 4 * env->ps;
	ASSERT_EQ(0, buf_fill(env->fd, 0, env->size, SEED_BUF));
	whole = md_map(env->fd, MMAPDEMO_MODE_FAULT, env->size, 0, PROT_READ, true);
	ASSERT_NE(MAP_FAILED, whole);
	ASSERT_TRUE(mem_has(whole, env->size, 0, SEED_BUF));
	earlier = md_map(env->fd, variant->mode, elen, 0, PROT_READ | PROT_WRITE,
			 variant->shared);
	ASSERT_NE(MAP_FAILED, earlier) TH_LOG("earlier mapping: %s", strerror(errno));
	if (!variant->shared)
		md_pattern_fill(earlier, env->ps, 0, SEED_COPY);
	ASSERT_EQ(0, md_set_mode(env->fd, variant->mode));

	/* Warm up. */
	at = windows_next(&w, len, first_table);
	ASSERT_NE(NULL, at);
	p = mmap(at, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED_NOREPLACE, env->fd, off);
	if (p == MAP_FAILED && errno == EINVAL && variant->mode == MMAPDEMO_MODE_REMAP)
		SKIP(goto out, "the buffer is not one contiguous run here: no private remap");
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	munmap(p, len);

	ASSERT_EQ(0, md_info(env->fd, &base));
	refs = module_refcnt();
	vmas = device_vmas();
	snprintf(what, sizeof(what), "mmap: %s %s", md_mode_name(variant->mode),
		 variant->shared ? "shared" : "private");
	sweep_start(&s, what);
	for (n = 1; n <= MAX_ATTEMPTS && !s.done; n++) {
		at = windows_next(&w, len, first_table);
		ASSERT_NE(NULL, at);
		fi_arm(env->nth, n);
		p = mmap(at, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED_NOREPLACE,
			 env->fd, off);
		err = errno;
		left = fi_disarm(env->nth);
		s.attempts++;
		s.done = left != 0;
		if (p != MAP_FAILED) {
			if (!left)
				s.absorbed++;
			EXPECT_EQ(at, p);
			EXPECT_TRUE(mem_has(p, len, off, SEED_BUF))
				TH_LOG("%s, attempt %u: wrong bytes", what, n);
			ASSERT_EQ(0, md_info(env->fd, &info));
			EXPECT_EQ(base.counters.live_mappings + 1, info.counters.live_mappings);
			EXPECT_EQ(vmas + 1, device_vmas());
			munmap(p, len);
			ASSERT_EQ(0, md_info(env->fd, &info));
			EXPECT_EQ(base.counters.live_mappings, info.counters.live_mappings);
			base = info;
			continue;
		}
		sweep_error(&s, err);
		EXPECT_EQ(ENOMEM, err) TH_LOG("%s, attempt %u: %s", what, n, strerror(err));
		EXPECT_EQ(0, left) TH_LOG("%s failed (%s) without an injected failure",
					 what, strerror(err));
		ASSERT_EQ(0, md_info(env->fd, &info));
		EXPECT_EQ(base.counters.live_mappings, info.counters.live_mappings)
			TH_LOG("%s, attempt %u: live_mappings changed", what, n);
		EXPECT_EQ(base.counters.mmaps, info.counters.mmaps);
		EXPECT_EQ(refs, module_refcnt()) TH_LOG("%s, attempt %u", what, n);
		EXPECT_EQ(vmas, device_vmas()) TH_LOG("%s, attempt %u", what, n);
		EXPECT_TRUE(mem_has(whole, env->size, 0, SEED_BUF));
		if (variant->shared) {
			EXPECT_TRUE(mem_has(earlier, elen, 0, SEED_BUF));
		} else {
			EXPECT_TRUE(mem_has(earlier, env->ps, 0, SEED_COPY));
			EXPECT_TRUE(mem_has(earlier + env->ps, elen - env->ps, env->ps,
					    SEED_BUF));
		}
		base = info;
	}
	sweep_report(&s);
	EXPECT_TRUE(s.done) TH_LOG("%s: no success within %u attempts", what, MAX_ATTEMPTS);
	EXPECT_LT(0, s.failed) TH_LOG("%s: no allocation failed it", what);
	EXPECT_TRUE(buf_has(env->fd, 0, env->size, SEED_BUF));

out:
	munmap(w.reserved, w.len);
	munmap(earlier, elen);
	munmap(whole, env->size);
	ASSERT_EQ(0, md_info(env->fd, &info));
	EXPECT_EQ(0, info.counters.live_mappings);
	/* No pin left behind by a failed prepopulated mmap. */
	EXPECT_EQ(0, md_resize(env->fd, env->ps)) TH_LOG("shrink: %s", strerror(errno));
	EXPECT_EQ(0, md_resize(env->fd, env->size));
	env_finish(_metadata, env);
}

/*
 * A shared remap mapping over several physically contiguous runs (with
 * alloc_order=0 the buffer is scattered single pages) takes one
 * remap_pfn_range() per run. It lies across a 2 MiB boundary with a page
 * table for its first half only, so the allocation that fails is the new
 * table of the first run that reaches the second half, after the runs
 * before it set their PTEs, which hold no page reference: the driver must
 * zap them before it lets go of the buffer's lock. Meanwhile a second
 * thread shrinks the buffer below the mapping and grows it back, again
 * and again, so that a PTE left behind would point at a freed page. The
 * core mm unmaps a failed VMA microseconds later, while a shrink waits a
 * grace period before it frees, so no test can catch that window
 * reliably; this one runs the error path against shrinks under KASAN,
 * lockdep and kmemleak, and checks that each failure leaves nothing.
 *
 * With mmap_prepare one action maps one PFN range, so a remap across the
 * boundary is EINVAL, and the sweep maps the same range in insert mode:
 * there the hazard is the pending pin and the page array its action
 * reads. Both are taken in mmap_prepare, the PTEs come later, a grow may
 * publish a new array meanwhile, and a failure in between (the VMA's
 * allocation) calls no hook of the driver, while the shrinker keeps
 * trying to free the range; a pin left pending would keep the last
 * shrink below from getting through. (A one-run remap would not stay one
 * run: the shrinker's regrown single pages are scattered.)
 */
struct shrinker {
	int fd;
	size_t small, size;
	volatile bool stop;
	unsigned long shrinks;
};

static void *shrink_loop(void *arg)
{
	struct shrinker *t = arg;

	while (!t->stop) {
		if (!md_resize(t->fd, t->small))
			t->shrinks++;
		md_resize(t->fd, t->size);
	}
	return NULL;
}

/*
 * The first buffer page from @from on whose run ends at the page before
 * it, or 0 if the buffer from @from on is one run (pagemap of a fault
 * mapping; root sees the PFNs).
 */
static size_t run_boundary(struct fi_env *env, size_t from)
{
	size_t n = env->size / env->ps - from, i, at = 0;
	uint64_t *pfn = calloc(n, sizeof(*pfn));
	char *p;

	if (!pfn)
		return 0;
	p = md_map(env->fd, MMAPDEMO_MODE_FAULT, n * env->ps, from * env->ps,
		   PROT_READ, true);
	if (p != MAP_FAILED) {
		for (i = 0; i < n; i++)
			(void)*(volatile char *)(p + i * env->ps);
		if (!md_pagemap(p, n, pfn))
			for (i = 1; i < n && !at; i++)
				if ((pfn[i] & MD_PM_PFN_MASK) !=
				    (pfn[i - 1] & MD_PM_PFN_MASK) + 1)
					at = from + i;
		munmap(p, n * env->ps);
	}
	free(pfn);
	return at;
}

/*
 * Wait (up to 30 s) until the shrinking thread has grown the buffer back
 * to at least @size bytes; its grow takes far longer than its shrink.
 */
static void wait_for_size(int fd, uint64_t size)
{
	struct mmapdemo_info info;
	int i;

	for (i = 0; i < 30000; i++) {
		if (!md_info(fd, &info) && info.size >= size)
			return;
		usleep(1000);
	}
}

TEST_F_TIMEOUT(fi, remap_of_many_runs_fails_cleanly, 300)
{
	struct fi_env *env = &self->env;
	struct shrinker t = { .stop = false };
	struct mmapdemo_info base, info, before;
	unsigned int n, left, busy = 0, i;
	size_t len, off, b;
	char *p, *at;
	struct windows w;
	struct sweep s;
	pthread_t tid;
	int err;

	ASSERT_EQ(0, windows_reserve(&w, 5 * MAX_ATTEMPTS));
	env_load(_metadata, env, "size=4M alloc_order=0");
	len = 16 * env->ps;
	/*
	 * Start the mapping 4 pages before a run boundary, so that a later
	 * run than the first allocates the second table. Single pages often come in
	 * order from a fresh allocator: shrink and regrow until they do not.
	 */
	for (i = 0, b = 0; i < 8 && (!b || b + 12 > env->size / env->ps); i++) {
		b = run_boundary(env, env->size / 4 / env->ps + 4);
		if (!b || b + 12 > env->size / env->ps) {
			ASSERT_EQ(0, md_resize(env->fd, env->size / 4));
			ASSERT_EQ(0, md_resize(env->fd, env->size));
		}
	}
	ASSERT_TRUE(b && b + 12 <= env->size / env->ps)
		TH_LOG("no run boundary in the buffer's upper part: %zu", b);
	off = (b - 4) * env->ps;
	ASSERT_EQ(0, md_set_mode(env->fd, MMAPDEMO_MODE_REMAP));
	ASSERT_EQ(0, md_info(env->fd, &base));
	if (md_mmap_prepare()) {
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, env->fd, off);
		EXPECT_EQ(MAP_FAILED, p) TH_LOG("mmap_prepare: a remap across runs was mapped");
		EXPECT_EQ(EINVAL, errno);
		ASSERT_EQ(0, md_info(env->fd, &info));
		EXPECT_EQ(base.counters.mmap_errors + 1, info.counters.mmap_errors);
		EXPECT_EQ(0, device_vmas());
		ASSERT_EQ(0, md_set_mode(env->fd, MMAPDEMO_MODE_INSERT));
		base = info;
	}
	t.fd = md_open(O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, t.fd);
	t.small = env->size / 4;
	t.size = env->size;
	ASSERT_EQ(0, pthread_create(&tid, NULL, shrink_loop, &t));

	sweep_start(&s, md_mmap_prepare() ? "mmap_prepare: insert shared, many runs, shrinking" :
					    "mmap: remap shared, many runs, shrinking");
	for (n = 1; n <= MAX_ATTEMPTS && !s.done; n++) {
		at = windows_next(&w, len, true);
		ASSERT_NE(NULL, at);
		wait_for_size(env->fd, off + len);
		ASSERT_EQ(0, md_info(env->fd, &before));
		fi_arm(env->nth, n);
		p = mmap(at, len, PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE,
			 env->fd, off);
		err = errno;
		left = fi_disarm(env->nth);
		ASSERT_EQ(0, md_info(env->fd, &info));
		/*
		 * A shrink ran meanwhile: it has published the small buffer
		 * (the size shows it) or returned (its count shows it).
		 */
		if (p == MAP_FAILED && err == EINVAL && busy < 4 * MAX_ATTEMPTS &&
		    (before.size < off + len || info.size < off + len ||
		     info.counters.resizes != before.counters.resizes)) {
			busy++;
			n--;
			continue;
		}
		s.attempts++;
		s.done = left != 0;
		if (p != MAP_FAILED) {
			if (!left)
				s.absorbed++;
			EXPECT_EQ(at, p);
			munmap(p, len);
			continue;
		}
		sweep_error(&s, err);
		EXPECT_EQ(ENOMEM, err) TH_LOG("attempt %u: %s", n, strerror(err));
		EXPECT_EQ(0, left) TH_LOG("failed (%s) without an injected failure",
					 strerror(err));
		ASSERT_EQ(0, md_info(env->fd, &info));
		EXPECT_EQ(base.counters.live_mappings, info.counters.live_mappings)
			TH_LOG("attempt %u: live_mappings changed", n);
		EXPECT_EQ(0, device_vmas()) TH_LOG("attempt %u", n);
	}
	t.stop = true;
	pthread_join(tid, NULL);
	sweep_report(&s);
	ksft_print_msg("%lu shrinks ran meanwhile, %u mmaps met a small buffer\n",
		       t.shrinks, busy);
	EXPECT_TRUE(s.done) TH_LOG("no success within %u attempts", MAX_ATTEMPTS);
	EXPECT_LT(0, s.failed) TH_LOG("no allocation failed it");
	EXPECT_LT(0, t.shrinks) TH_LOG("no shrink ran during the sweep");

	munmap(w.reserved, w.len);
	close(t.fd);
	/* No pin left behind: a shrink over the range goes through. */
	EXPECT_EQ(0, md_resize(env->fd, env->ps)) TH_LOG("shrink: %s", strerror(errno));
	ASSERT_EQ(0, md_info(env->fd, &info));
	EXPECT_EQ(0, info.counters.live_mappings);
	env_finish(_metadata, env);
}

/*
 * Last: kmemleak (scan, let objects age past its 5 s, scan again) must
 * name no object allocated by the module. The module is unloaded by now,
 * so its frames show as bare addresses: those count as the module's too.
 * The harness runs the tests fixture by fixture, in the order the
 * fixtures are declared, so this one has a fixture of its own, declared
 * last, with the same setup and teardown as fi.
 */
FIXTURE(fi_leaks)
{
	struct fi_env env;
};

FIXTURE_SETUP(fi_leaks)
{
	env_setup(_metadata, &self->env);
}

FIXTURE_TEARDOWN_PARENT(fi_leaks)
{
	env_teardown(&self->env);
}

TEST_F_TIMEOUT(fi_leaks, nothing_leaked, 600)
{
	char line[512], block[4096];
	bool in_trace = false, flagged = false;
	size_t blen = 0;
	int leaks = 0, total = 0;
	FILE *f;

	if (access(KMEMLEAK, W_OK))
		SKIP(return, "no kmemleak in this kernel");
	ASSERT_FALSE(md_module_loaded());
	ASSERT_EQ(0, md_write_text(KMEMLEAK, "scan"));
	sleep(6);
	ASSERT_EQ(0, md_write_text(KMEMLEAK, "scan"));
	f = fopen(KMEMLEAK, "re");
	ASSERT_NE(NULL, f);
	block[0] = '\0';
	for (;;) {
		bool end = !fgets(line, sizeof(line), f);

		if (end || !strncmp(line, "unreferenced object", 19)) {
			if (flagged) {
				TH_LOG("kmemleak:\n%s", block);
				leaks++;
			}
			if (end)
				break;
			total++;
			blen = 0;
			block[0] = '\0';
			in_trace = flagged = false;
		}
		if (blen < sizeof(block) - 1)
			blen += snprintf(block + blen, sizeof(block) - blen, "%s", line);
		if (strstr(line, "backtrace"))
			in_trace = true;
		else if (in_trace && strstr(line, "[<")) {
			const char *sym = strstr(line, "] ");

			/* "[mmapdemo]", or a frame of an unloaded module. */
			if (strstr(line, "[" MD_MODULE "]") ||
			    (sym && !strncmp(sym + 2, "0x", 2)))
				flagged = true;
		}
	}
	fclose(f);
	ksft_print_msg("kmemleak: %d unreferenced objects, %d of them the module's\n",
		       total, leaks);
	EXPECT_EQ(0, leaks);
	EXPECT_EQ(0, kmsg_splats(_metadata, self->env.kmsg));
}

TEST_HARNESS_MAIN
