// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo demo: the four kinds of mapping the mmap literature names
 * (private and shared, anonymous and file-backed) beside the device in
 * each mode, shared and private. For each: a first mapping, a second
 * mapping of the same object and a child forked before a write; then one
 * byte is written through the first mapping, and the table says what the
 * write cost in page faults, who sees it, and whether the object changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"

#define ORIGINAL	'A'
#define WRITTEN		'B'

enum kind { ANON, FILEMAP, DEVICE };

struct row {
	enum kind kind;
	bool shared;
	unsigned int mode;	/* DEVICE only */
	/* results */
	long faults;
	long driver_faults;
	int child_sees;		/* 1 yes, 0 no, -1 failed */
	int second_sees;	/* 1 yes, 0 no, -2 not applicable */
	int object_changed;	/* 1 yes, 0 no, -2 not applicable */
	char error[96];
};

/* The object behind a row: its fd (none for anonymous memory). */
static int object_open(struct row *r, char *tmpl)
{
	int fd;

	if (r->kind == ANON)
		return -1;
	if (r->kind == FILEMAP) {
		char page[4096];

		fd = mkstemp(tmpl);
		if (fd < 0)
			return -1;
		unlink(tmpl);
		memset(page, ORIGINAL, sizeof(page));
		if (pwrite(fd, page, sizeof(page), 0) != (ssize_t)sizeof(page)) {
			close(fd);
			return -1;
		}
		return fd;
	}
	fd = md_open_mode(r->mode);
	if (fd >= 0 && pwrite(fd, (char[]){ ORIGINAL }, 1, 0) != 1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void *object_map(struct row *r, int fd, size_t len)
{
	int flags = r->shared ? MAP_SHARED : MAP_PRIVATE;

	if (r->kind == ANON)
		return mmap(NULL, len, PROT_READ | PROT_WRITE,
			    flags | MAP_ANONYMOUS, -1, 0);
	return mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);
}

static void run_row(struct row *r)
{
	size_t ps = md_page_size();
	char tmpl[] = "/tmp/mmapdemo-demo.XXXXXX";
	struct mmapdemo_info before, after;
	char *first, *second = MAP_FAILED;
	int fd, go[2], seen[2];
	char c = 0;
	pid_t pid;
	long flt;

	r->second_sees = r->object_changed = -2;
	fd = object_open(r, tmpl);
	if (r->kind != ANON && fd < 0) {
		snprintf(r->error, sizeof(r->error), "open: %s", strerror(errno));
		return;
	}
	first = object_map(r, fd, ps);
	if (r->kind != ANON)
		second = object_map(r, fd, ps);
	if (first == MAP_FAILED || (r->kind != ANON && second == MAP_FAILED)) {
		snprintf(r->error, sizeof(r->error), "mmap: %s", strerror(errno));
		goto out;
	}
	if (pipe(go) || pipe(seen)) {
		snprintf(r->error, sizeof(r->error), "pipe: %s", strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid == 0) {
		/* The child waits for the parent's write, then looks. */
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		c = *(volatile char *)first;
		_exit(write(seen[1], &c, 1) == 1 ? 0 : 1);
	}

	if (r->kind == DEVICE)
		md_info(fd, &before);
	md_minflt();	/* its own copy-on-write fault on the stack, if any */
	flt = md_minflt();
	*(volatile char *)first = WRITTEN;
	r->faults = md_minflt() - flt;
	if (r->kind == DEVICE) {
		md_info(fd, &after);
		r->driver_faults = (long)(after.counters.faults -
					  before.counters.faults);
	}

	r->child_sees = -1;
	if (pid > 0 && write(go[1], "x", 1) == 1 && read(seen[0], &c, 1) == 1)
		r->child_sees = c == WRITTEN;
	if (pid > 0)
		waitpid(pid, NULL, 0);
	close(go[0]);
	close(go[1]);
	close(seen[0]);
	close(seen[1]);

	if (r->kind != ANON) {
		r->second_sees = *(volatile char *)second == WRITTEN;
		if (pread(fd, &c, 1, 0) == 1)
			r->object_changed = c == WRITTEN;
		else
			snprintf(r->error, sizeof(r->error), "pread: %s",
				 strerror(errno));
	}
out:
	if (first != MAP_FAILED)
		munmap(first, ps);
	if (second != MAP_FAILED)
		munmap(second, ps);
	if (fd >= 0)
		close(fd);
}

/*
 * fork() leaves this process's own stack and data copy-on-write too, so a
 * store of ours next to the measured one (getrusage()'s result, a spilled
 * register) may fault once more. Whether it does depends on where the
 * randomised stack top puts a page boundary: one row in two hundred,
 * with getrusage()'s own fault taken before the count.
 * Such faults only add, so of three fresh tries the one with the fewest
 * faults is the write's own cost.
 */
static void run_best_row(struct row *r)
{
	struct row best = *r, try;
	int i;

	for (i = 0; i < 3; i++) {
		try = *r;
		run_row(&try);
		if (i == 0 || (!*try.error &&
			       (*best.error || try.faults < best.faults)))
			best = try;
	}
	*r = best;
}

static const char *yes_no(int v)
{
	return v == 1 ? "yes" : v == 0 ? "no" : v == -2 ? "-" : "?";
}

static void print_row(const struct row *r)
{
	char name[40], driver[16];

	if (r->kind == ANON)
		snprintf(name, sizeof(name), "anonymous");
	else if (r->kind == FILEMAP)
		snprintf(name, sizeof(name), "file (/tmp)");
	else
		snprintf(name, sizeof(name), "/dev/mmapdemo %s",
			 md_mode_name(r->mode));
	if (r->kind == DEVICE)
		snprintf(driver, sizeof(driver), "%ld", r->driver_faults);
	else
		snprintf(driver, sizeof(driver), "-");
	if (*r->error) {
		printf("%-26s %-11s  error: %s\n", name,
		       r->shared ? "MAP_SHARED" : "MAP_PRIVATE", r->error);
		return;
	}
	printf("%-26s %-11s  %6ld  %8s  %-10s  %-11s  %s\n", name,
	       r->shared ? "MAP_SHARED" : "MAP_PRIVATE", r->faults, driver,
	       yes_no(r->child_sees), yes_no(r->second_sees),
	       yes_no(r->object_changed));
}

static int run_demo(int argc, char **argv)
{
	static const unsigned int modes[] = {
		MMAPDEMO_MODE_FAULT, MMAPDEMO_MODE_FAULTAROUND,
		MMAPDEMO_MODE_REMAP, MMAPDEMO_MODE_INSERT,
	};
	bool device = access(MD_DEVICE, F_OK) == 0;
	struct row r;
	size_t m;
	int s, failed = 0;

	if (argc > 1)
		return usage_error(&cmd_demo, "unexpected argument '%s'", argv[1]);

	printf("One byte is written through the first mapping of each object, after a\n"
	       "second mapping was made and a child was forked. What did that cost and\n"
	       "who sees it?\n\n");
	printf("%-26s %-11s  %6s  %8s  %-10s  %-11s  %s\n", "object", "sharing",
	       "faults", "->fault", "child sees", "2nd mapping", "object changed");
	for (s = 0; s < 4; s++) {
		r = (struct row){ .kind = s < 2 ? ANON : FILEMAP, .shared = s & 1 };
		run_best_row(&r);
		print_row(&r);
		failed |= !!*r.error;
	}
	if (!device) {
		printf("\n/dev/mmapdemo is not there: load the module (%s load) to see its rows.\n",
		       progname);
		return failed ? EXIT_FAIL : EXIT_OK;
	}
	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		for (s = 1; s >= 0; s--) {
			r = (struct row){ .kind = DEVICE, .shared = s,
					  .mode = modes[m] };
			run_best_row(&r);
			print_row(&r);
			failed |= !!*r.error;
		}
	}
	printf("\nfaults: minor page faults the write took in this process (getrusage;\n"
	       "        the fewest of three tries).\n"
	       "->fault: calls of the driver's fault handler during the write.\n"
	       "child sees: a child forked before the write reads the new byte.\n"
	       "2nd mapping: a second mapping of the same object, same sharing, sees it.\n"
	       "object changed: read() of the file or device returns the new byte.\n"
	       "Shared mappings write the object itself; private ones get a copy on write.\n"
	       "remap and insert make every PTE in mmap(), so a shared write takes no\n"
	       "fault; a private write still faults once, to copy the page.\n");
	return failed ? EXIT_FAIL : EXIT_OK;
}

const struct cmd cmd_demo = {
	.name = "demo",
	.args = "",
	.summary = "Compare anonymous, file and device mappings, shared and private, in one table",
	.help = "Needs the module loaded (and root, for /dev/mmapdemo's mode 0600) for the\n"
		"device's rows; the anonymous and file rows work anywhere.\n",
	.run = run_demo,
};
