// SPDX-License-Identifier: GPL-2.0
/*
 * No side door writes the buffer through a mapping its owner could not
 * write. The owner maps one page PROT_READ, either as user nobody through
 * a read-only open of a node made mode 0644 for the test (a site letting
 * a group read), or as root through a read-write open. Then every way
 * a debugger, another process or the kernel on the owner's behalf has to
 * write into an address space is tried on that page: /proc/PID/mem (its
 * own and another process's), ptrace(PTRACE_POKEDATA), process_vm_writev()
 * (its own and another's), read() into the page, MADV_POPULATE_WRITE, and
 * mprotect() to writable. The buffer must come out unchanged, in every
 * mode, shared and private.
 *
 * A private mapping may still take a debugger's forced write into a copy
 * of its own (a breakpoint), as any private mapping does: the doors that
 * force (ptrace, /proc/PID/mem) are held to what they do to a private
 * anonymous PROT_READ page in the same process, the kernel's own answer
 * (/proc/PID/mem forces only where the kernel's proc_mem.force_override
 * says so). In remap mode ->access cannot copy, so it refuses instead.
 */
#include <grp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "kselftest_harness.h"
#include "mmapdemo_test.h"

#define NOBODY		65534
#define DOOR_PAGE	48	/* the buffer page the owner maps */

enum door {
	DOOR_PROC_MEM,		/* pwrite() to /proc/PID/mem */
	DOOR_PTRACE,		/* PTRACE_POKEDATA, from a tracer */
	DOOR_VM_WRITEV,		/* process_vm_writev() */
	DOOR_READ,		/* read() from a pipe into the page */
	DOOR_POPULATE,		/* madvise(MADV_POPULATE_WRITE) */
	DOOR_MPROTECT,		/* mprotect(PROT_WRITE), then a store */
};

/* What one write through a door did. */
struct door_result {
	long ret;
	int err;
	bool seen;	/* the owner's page shows the bytes afterwards */
};

/*
 * Shared between the test, the owner and the other process: the owner's
 * addresses and both results, for the device page and for the control,
 * an anonymous page mapped the same way (shared or private, PROT_READ).
 */
struct door_ctl {
	char *addr;
	char *control;
	struct door_result dev;
	struct door_result ctrl;
};

static const char door_bytes[8] = "sidedoor";

FIXTURE(door)
{
	int fd;
	size_t ps;
	mode_t node_mode;	/* the node's mode before the test */
	struct door_ctl *ctl;
};

MD_MODE_VARIANTS(door);

FIXTURE_SETUP(door)
{
	struct stat st;

	OPEN_OR_SKIP(self->fd);
	self->ps = md_page_size();
	ASSERT_EQ(0, stat(MD_DEVICE, &st));
	self->node_mode = st.st_mode & 07777;
	ASSERT_EQ(0, chmod(MD_DEVICE, 0644));
	self->ctl = mmap(NULL, sizeof(*self->ctl), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->ctl);
}

FIXTURE_TEARDOWN(door)
{
	if (self->fd < 0)
		return;
	chmod(MD_DEVICE, self->node_mode);
	close(self->fd);
}

static int drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		return -1;
	/*
	 * setuid() made us undumpable, which keeps even a process of our
	 * own user out: let it in, as a program run by nobody would be.
	 */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return -1;
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);	/* Yama */
	return 0;
}

/* One write of door_bytes to @addr in @pid; @mem is its /proc/PID/mem. */
static void door_write(enum door door, pid_t pid, int mem, char *addr,
		       size_t ps, struct door_result *r)
{
	struct iovec local = { (void *)door_bytes, sizeof(door_bytes) };
	struct iovec remote = { addr, sizeof(door_bytes) };
	long word;
	int pfd[2];

	errno = 0;
	switch (door) {
	case DOOR_PROC_MEM:
		r->ret = pwrite(mem, door_bytes, sizeof(door_bytes),
				(off_t)(uintptr_t)addr);
		break;
	case DOOR_PTRACE:
		memcpy(&word, door_bytes, sizeof(word));
		r->ret = ptrace(PTRACE_POKEDATA, pid, addr, word);
		break;
	case DOOR_VM_WRITEV:
		r->ret = process_vm_writev(pid, &local, 1, &remote, 1, 0);
		break;
	case DOOR_READ:
		if (pipe(pfd)) {
			r->ret = -2;
			break;
		}
		if (write(pfd[1], door_bytes, sizeof(door_bytes)) < 0)
			r->ret = -2;
		else
			r->ret = read(pfd[0], addr, sizeof(door_bytes));
		close(pfd[0]);
		close(pfd[1]);
		break;
	case DOOR_POPULATE:
		r->ret = madvise(addr, ps, MADV_POPULATE_WRITE);
		break;
	case DOOR_MPROTECT:
		r->ret = mprotect(addr, ps, PROT_READ | PROT_WRITE);
		if (!r->ret)
			memcpy(addr, door_bytes, sizeof(door_bytes));
		break;
	}
	r->err = r->ret < 0 ? errno : 0;
}

/* Both writes, the device page and the control, through @door in @pid. */
static void door_write_both(enum door door, pid_t pid, struct door_ctl *ctl,
			    size_t ps)
{
	char path[32];
	int mem = -1;

	if (door == DOOR_PROC_MEM) {
		snprintf(path, sizeof(path), "/proc/%d/mem", pid);
		mem = open(path, O_RDWR);
	}
	door_write(door, pid, mem, ctl->addr, ps, &ctl->dev);
	door_write(door, pid, mem, ctl->control, ps, &ctl->ctrl);
	if (mem >= 0)
		close(mem);
}

/*
 * The owner: map the page, read it, run @door on itself if it is a door
 * of its own, tell the test it is ready, wait to be told to go on, and
 * report whether its pages now show the bytes.
 */
static void owner_main(const FIXTURE_VARIANT(door) *variant, size_t ps,
		       bool nobody, enum door door, bool own, struct door_ctl *ctl,
		       int ready, int go)
{
	int share = variant->shared ? MAP_SHARED : MAP_PRIVATE;
	char c = 0;
	int fd;

	if (nobody && drop_to_nobody())
		_exit(10);
	fd = md_open(nobody ? O_RDONLY : O_RDWR);
	if (fd < 0)
		_exit(11);
	ctl->addr = md_map(fd, variant->mode, ps, DOOR_PAGE * ps, PROT_READ,
			   variant->shared);
	ctl->control = mmap(NULL, ps, PROT_READ, share | MAP_ANONYMOUS, -1, 0);
	if (ctl->addr == MAP_FAILED || ctl->control == MAP_FAILED)
		_exit(12);
	c = *(volatile char *)ctl->addr + *(volatile char *)ctl->control;
	if (own)
		door_write_both(door, getpid(), ctl, ps);
	if (write(ready, &c, 1) != 1 || read(go, &c, 1) != 1)
		_exit(13);
	ctl->dev.seen = !memcmp(ctl->addr, door_bytes, sizeof(door_bytes));
	ctl->ctrl.seen = !memcmp(ctl->control, door_bytes, sizeof(door_bytes));
	_exit(0);
}

/* The other process: a debugger or a peer of the owner's user. */
static void other_main(bool nobody, enum door door, pid_t owner,
		       struct door_ctl *ctl, size_t ps)
{
	int status;

	if (nobody && drop_to_nobody())
		_exit(20);
	if (door == DOOR_PTRACE) {
		if (ptrace(PTRACE_ATTACH, owner, 0, 0) ||
		    waitpid(owner, &status, 0) != owner || !WIFSTOPPED(status))
			_exit(21);
	}
	door_write_both(door, owner, ctl, ps);
	if (door == DOOR_PTRACE && ptrace(PTRACE_DETACH, owner, 0, 0))
		_exit(22);
	_exit(0);
}

/*
 * Run @door with the owner as user nobody (read-only open) or as root
 * (read-write open, PROT_READ mapping), from the owner itself if @own,
 * else from another process; the results land in self->ctl.
 */
static void door_run(struct __test_metadata *_metadata,
		     FIXTURE_DATA(door) *self,
		     const FIXTURE_VARIANT(door) *variant, enum door door,
		     bool own, bool nobody)
{
	int ready[2], go[2], status;
	pid_t owner, other;
	char c;

	memset(self->ctl, 0, sizeof(*self->ctl));
	ASSERT_EQ(0, buf_fill(self->fd, DOOR_PAGE * self->ps, self->ps, 80));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	owner = fork();
	ASSERT_LE(0, owner);
	if (owner == 0)
		owner_main(variant, self->ps, nobody, door, own, self->ctl,
			   ready[1], go[0]);
	close(ready[1]);
	close(go[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1))
		TH_LOG("the owner did not get its mapping");
	if (!own) {
		other = fork();
		ASSERT_LE(0, other);
		if (other == 0)
			other_main(nobody, door, owner, self->ctl, self->ps);
		ASSERT_EQ(other, waitpid(other, &status, 0));
		ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("the other process failed: status %#x", status);
	}
	ASSERT_EQ(1, write(go[1], &c, 1));
	ASSERT_EQ(owner, waitpid(owner, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("the owner failed: status %#x", status);
	close(ready[0]);
	close(go[1]);
	EXPECT_TRUE(buf_has(self->fd, DOOR_PAGE * self->ps, self->ps, 80))
		TH_LOG("the buffer changed through a read-only mapping");
}

/* A write that was refused with @err and left the owner's page as it was. */
#define EXPECT_REFUSED(r, e, what) do {					\
	EXPECT_EQ(-1, (r).ret) TH_LOG("%s: the write went through", what); \
	EXPECT_EQ((e), (r).err) TH_LOG("%s: %s", what, strerror((r).err)); \
	EXPECT_FALSE((r).seen) TH_LOG("%s: the page changed", what);	\
} while (0)

/*
 * The doors that force (ptrace, /proc/PID/mem): refused on a shared
 * mapping, as on the shared control; on a private one, a copy of the
 * owner's own as on the private control, but refused in remap mode.
 */
static void expect_forced(struct __test_metadata *_metadata,
			  FIXTURE_DATA(door) *self,
			  const FIXTURE_VARIANT(door) *variant, int err)
{
	struct door_ctl *ctl = self->ctl;

	if (variant->shared) {
		EXPECT_REFUSED(ctl->ctrl, err, "shared anonymous control");
		EXPECT_REFUSED(ctl->dev, err, "shared device mapping");
	} else if (variant->mode == MMAPDEMO_MODE_REMAP) {
		EXPECT_REFUSED(ctl->dev, err, "private remap mapping");
	} else if (ctl->ctrl.ret < 0) {
		/* This kernel's /proc/PID/mem does not force. */
		EXPECT_REFUSED(ctl->dev, ctl->ctrl.err, "private device mapping");
	} else {
		EXPECT_LE(0, ctl->dev.ret)
			TH_LOG("a forced write into a private copy: %s",
			       strerror(ctl->dev.err));
		EXPECT_TRUE(ctl->dev.seen)
			TH_LOG("the private copy lacks the forced write");
	}
}

/* The doors that never force: refused everywhere, as on the control. */
static void expect_unforced(struct __test_metadata *_metadata,
			    FIXTURE_DATA(door) *self, int err)
{
	EXPECT_REFUSED(self->ctl->ctrl, err, "anonymous control");
	EXPECT_REFUSED(self->ctl->dev, err, "device mapping");
}

/*
 * Run @door from the owner itself (@own) or from another process, with
 * the owner as user nobody and then as root, and hold each run to what
 * the kernel does for such a door: @err when it refuses.
 */
static void door_try(struct __test_metadata *_metadata,
		     FIXTURE_DATA(door) *self,
		     const FIXTURE_VARIANT(door) *variant, enum door door,
		     bool own, int err)
{
	bool forced = door == DOOR_PROC_MEM || door == DOOR_PTRACE;
	int nobody;

	for (nobody = 1; nobody >= 0; nobody--) {
		door_run(_metadata, self, variant, door, own, nobody);
		if (forced)
			expect_forced(_metadata, self, variant, err);
		else
			expect_unforced(_metadata, self, err);
	}
}

TEST_F(door, proc_self_mem)
{
	door_try(_metadata, self, variant, DOOR_PROC_MEM, true, EIO);
}

TEST_F(door, proc_pid_mem_of_another_process)
{
	door_try(_metadata, self, variant, DOOR_PROC_MEM, false, EIO);
}

TEST_F(door, ptrace_pokedata)
{
	door_try(_metadata, self, variant, DOOR_PTRACE, false, EIO);
}

TEST_F(door, process_vm_writev_own)
{
	door_try(_metadata, self, variant, DOOR_VM_WRITEV, true, EFAULT);
}

TEST_F(door, process_vm_writev_of_another_process)
{
	door_try(_metadata, self, variant, DOOR_VM_WRITEV, false, EFAULT);
}

TEST_F(door, read_into_the_mapping)
{
	door_try(_metadata, self, variant, DOOR_READ, true, EFAULT);
}

TEST_F(door, madvise_populate_write)
{
	door_try(_metadata, self, variant, DOOR_POPULATE, true, EINVAL);
}

/*
 * A read-only opener cannot make a shared mapping writable; a private one
 * can, and its write goes into a copy. (Root's read-write open may make
 * its shared mapping writable: that is no side door.)
 */
TEST_F(door, mprotect_writable)
{
	struct door_ctl *ctl = self->ctl;

	door_run(_metadata, self, variant, DOOR_MPROTECT, true, true);
	if (variant->shared) {
		EXPECT_REFUSED(ctl->dev, EACCES, "shared read-only open");
	} else {
		EXPECT_EQ(0, ctl->dev.ret) TH_LOG("%s", strerror(ctl->dev.err));
		EXPECT_TRUE(ctl->dev.seen);
	}
}

/*
 * After fork() a private mapping's copies are shared by parent and child
 * until one of them writes. A debugger's write into the child's copy must
 * not reach the parent's: get_user_pages() copies the page first (fault,
 * faultaround, insert), ->access cannot and refuses (remap). Page 1 of
 * two is the one copied: 6.x cannot fork a private remap mapping whose
 * first page was copied.
 */
TEST_F(door, debugger_write_into_a_copy_shared_since_fork)
{
	size_t off = DOOR_PAGE * self->ps, ps = self->ps;
	char path[32], *p;
	int mem, status, err;
	ssize_t n;
	pid_t pid;

	if (variant->shared)
		SKIP(return, "a shared mapping has no copies");
	p = md_map(self->fd, variant->mode, 2 * ps, off, PROT_READ | PROT_WRITE,
		   false);
	ASSERT_NE(MAP_FAILED, p);
	md_pattern_fill(p + ps, ps, off + ps, 81);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		raise(SIGSTOP);
		_exit(memcmp(p + ps, door_bytes, sizeof(door_bytes)) ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	mem = open(path, O_RDWR);
	ASSERT_LE(0, mem);
	n = pwrite(mem, door_bytes, sizeof(door_bytes), (off_t)(uintptr_t)(p + ps));
	err = errno;
	close(mem);
	EXPECT_TRUE(mem_has(p + ps, ps, off + ps, 81))
		TH_LOG("the write into the child's copy reached the parent's");
	kill(pid, SIGCONT);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (variant->mode == MMAPDEMO_MODE_REMAP) {
		EXPECT_EQ(-1, n);
		EXPECT_EQ(EIO, err);
	} else {
		EXPECT_EQ(sizeof(door_bytes), n) TH_LOG("%s", strerror(err));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("the child's copy lacks the write");
	}
	munmap(p, 2 * ps);
}

TEST_HARNESS_MAIN
