// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-trace: the scenarios, and the child process that runs them.
 *
 * One child runs every run of an invocation, so that set_ftrace_pid is
 * written once, before the function_graph tracer is on: writing it while
 * the tracer runs patches the live ftrace trampoline, which crashed
 * Debian's 6.1 in QEMU (a double fault in the int3 handler). For each run
 * the child maps and touches twice: once untraced, so that every page of
 * its own (code after fork, stack, data copied on write) is in, and once
 * traced. The traced pass then faults only on the device's mapping.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace.h"

const struct scenario tr_scenarios[] = {
	{ "shared-read", "read every page of a MAP_SHARED mapping",
	  MMAPDEMO_MODE_FAULT, true, TOUCH_READ, false },
	{ "shared-write", "write every page of a MAP_SHARED mapping",
	  MMAPDEMO_MODE_FAULT, true, TOUCH_WRITE, false },
	{ "private-read", "read every page of a MAP_PRIVATE mapping",
	  MMAPDEMO_MODE_FAULT, false, TOUCH_READ, false },
	{ "private-write", "write every page of a MAP_PRIVATE mapping first (copy on write)",
	  MMAPDEMO_MODE_FAULT, false, TOUCH_WRITE, false },
	{ "private-read-write", "read, then write, every page of a MAP_PRIVATE mapping",
	  MMAPDEMO_MODE_FAULT, false, TOUCH_READ_WRITE, false },
	{ "remap-access", "read and write every page of a MAP_SHARED remap mapping",
	  MMAPDEMO_MODE_REMAP, true, TOUCH_READ_WRITE, false },
	{ "past-end", "read the buffer's last page and the page past its end",
	  MMAPDEMO_MODE_FAULT, true, TOUCH_READ, true },
};
const size_t tr_nscenarios = sizeof(tr_scenarios) / sizeof(tr_scenarios[0]);

const struct scenario *tr_scenario_find(const char *name)
{
	size_t i;

	for (i = 0; i < tr_nscenarios; i++)
		if (!strcmp(tr_scenarios[i].name, name))
			return &tr_scenarios[i];
	return NULL;
}

const char *tr_touch_name(enum touch t)
{
	return t == TOUCH_READ ? "read" : t == TOUCH_WRITE ? "write" : "read,write";
}

size_t tr_window_pages(void)
{
	return TR_PMD_SIZE / md_page_size();
}

size_t tr_run_pages(const struct run *r)
{
	if (r->s->past_end)
		return 2;
	return r->npages + (r->mode == MMAPDEMO_MODE_HUGE ? tr_window_pages() : 0);
}

static size_t touches(const struct run *r, size_t npages)
{
	return npages * (r->s->touch == TOUCH_READ_WRITE ? 2 : 1);
}

size_t tr_run_touches(const struct run *r)
{
	return touches(r, tr_run_pages(r));
}

static char probe_char(enum md_probe_result p)
{
	return p == MD_PROBE_OK ? 'o' : p == MD_PROBE_SIGBUS ? 'B' : 'S';
}

/*
 * One pass: map, touch, unmap. Returns 0 or the mmap errno. A write
 * stores the byte read() finds there, so that a shared mapping leaves
 * the buffer as it was.
 */
static int pass(int fd, const struct run *r, off_t off, size_t npages,
		char *res)
{
	size_t ps = md_page_size(), i, k = 0;
	char old[TR_MAX_PAGES] = { 0 }, *p;

	for (i = 0; i < npages; i++)
		if (pread(fd, &old[i], 1, off + i * ps) < 0)
			old[i] = 0;
	p = md_map(fd, r->mode, npages * ps, off, PROT_READ | PROT_WRITE,
		   r->s->shared);
	if (p == MAP_FAILED) {
		memset(res, 'E', touches(r, npages));
		return errno;
	}
	for (i = 0; i < npages; i++) {
		if (r->s->touch != TOUCH_WRITE)
			res[k++] = probe_char(md_probe(p + i * ps, false));
		if (r->s->touch != TOUCH_READ)
			res[k++] = probe_char(md_probe_store(p + i * ps, old[i]));
	}
	munmap(p, npages * ps);
	return 0;
}

/*
 * The worker: for each run index it is sent, one untraced pass, "R", wait
 * for the go, the traced pass, the results. Until the pipe closes.
 */
static void child_main(const struct run *runs, int nruns, int in, int out)
{
	char res[2 * TR_MAX_PAGES];
	struct mmapdemo_info info;
	const struct run *r;
	int fd, err, i;
	off_t off;
	char b;

	fd = md_open(O_RDWR);
	if (fd < 0)
		_exit(3);
	while (read(in, &i, sizeof(i)) == sizeof(i)) {
		if (i < 0 || i >= nruns || md_info(fd, &info))
			_exit(4);
		r = &runs[i];
		off = r->s->past_end ? (off_t)(info.size - md_page_size()) :
				       (off_t)(r->first * md_page_size());
		pass(fd, r, off, tr_run_pages(r), res);		/* untraced */
		if (write(out, "R", 1) != 1 || read(in, &b, 1) != 1)
			_exit(5);
		err = pass(fd, r, off, tr_run_pages(r), res);	/* traced */
		if (write(out, res, tr_run_touches(r)) < 0 ||
		    write(out, &err, sizeof(err)) < 0)
			_exit(6);
	}
	_exit(0);
}

/*
 * A child that does not answer in this time is stuck (in the kernel,
 * most likely): give up on it rather than wait for ever.
 */
#define CHILD_TIMEOUT	300

static void on_alarm(int sig)
{
}

/* read() all of @len, or fail after CHILD_TIMEOUT seconds. */
static int read_all(int fd, void *buf, size_t len)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	size_t got = 0;
	ssize_t n;

	sigaction(SIGALRM, &sa, &old);	/* no SA_RESTART: read() stops */
	alarm(CHILD_TIMEOUT);
	while (got < len) {
		n = read(fd, (char *)buf + got, len - got);
		if (n <= 0)
			break;
		got += n;
	}
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	return got == len ? 0 : -1;
}

int tr_child_start(const struct run *runs, int nruns, struct child *c)
{
	int down[2], up[2];

	if (pipe2(down, O_CLOEXEC))
		return -1;
	if (pipe2(up, O_CLOEXEC)) {
		close(down[0]);
		close(down[1]);
		return -1;
	}
	fflush(NULL);
	c->pid = fork();
	if (c->pid == 0) {
		close(down[1]);
		close(up[0]);
		child_main(runs, nruns, down[0], up[1]);
	}
	close(down[0]);
	close(up[1]);
	c->to_child = down[1];
	c->from_child = up[0];
	if (c->pid < 0) {
		tr_child_finish(c, false);
		return -1;
	}
	return 0;
}

int tr_child_prepare(struct child *c, int run)
{
	char b;

	if (write(c->to_child, &run, sizeof(run)) != sizeof(run) ||
	    read_all(c->from_child, &b, 1) || b != 'R') {
		errno = ECHILD;
		return -1;
	}
	return 0;
}

int tr_child_go(struct child *c)
{
	return write(c->to_child, "G", 1) == 1 ? 0 : -1;
}

int tr_child_results(struct child *c, char *results, size_t len)
{
	int err;

	if (read_all(c->from_child, results, len) ||
	    read_all(c->from_child, &err, sizeof(err))) {
		errno = EPIPE;
		return -1;
	}
	if (err) {
		errno = err;
		return 1;	/* the child's mmap() failed */
	}
	return 0;
}

int tr_child_finish(struct child *c, bool kill_it)
{
	int status = 0;

	if (c->to_child >= 0)
		close(c->to_child);
	if (c->from_child >= 0)
		close(c->from_child);
	c->to_child = c->from_child = -1;
	if (kill_it && c->pid > 0)
		kill(c->pid, SIGKILL);
	if (c->pid > 0 && waitpid(c->pid, &status, 0) == c->pid &&
	    WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return -1;
}
