// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-fuzz: the history of the last calls, the failure report (seed
 * and operation number, so that --seed S --ops N+1 replays it), result
 * comparison, and the report of a signal nobody expected.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static const char *const names[NR_OPS] = {
	[OP_IOCTL] = "ioctl", [OP_MMAP] = "mmap", [OP_TOUCH] = "touch",
	[OP_MUNMAP] = "munmap", [OP_MPROTECT] = "mprotect",
	[OP_MADVISE] = "madvise", [OP_MSYNC] = "msync", [OP_MREMAP] = "mremap",
	[OP_READ] = "read", [OP_WRITE] = "write", [OP_PREAD] = "pread",
	[OP_PWRITE] = "pwrite", [OP_READV] = "readv", [OP_WRITEV] = "writev",
	[OP_LSEEK] = "lseek", [OP_REOPEN] = "reopen", [OP_FADVISE] = "fadvise",
};

const char *op_name(enum op_kind k)
{
	return k < NR_OPS ? names[k] : "?";
}

const char *err_name(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "E?";
}

void note(struct fz *z, const char *fmt, ...)
{
	unsigned int i = z->hpos++ % HISTORY;
	va_list ap;

	z->hist_op[i] = z->opno;
	va_start(ap, fmt);
	vsnprintf(z->hist[i], sizeof(z->hist[i]), fmt, ap);
	va_end(ap);
	if (z->verbose)
		printf("#%llu %s\n", (unsigned long long)z->opno, z->hist[i]);
}

void fail(struct fz *z, const char *fmt, ...)
{
	unsigned int n = z->hpos < HISTORY ? z->hpos : HISTORY, i;
	va_list ap;

	if (z->failed)
		return;
	z->failed = true;
	fflush(stdout);
	fprintf(stderr, "mmapdemo-fuzz: FAIL (seed %llu, op %llu; replay: --seed %llu --ops %llu): ",
		(unsigned long long)z->seed, (unsigned long long)z->opno,
		(unsigned long long)z->seed, (unsigned long long)z->opno + 1);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n  buffer %llu pages; last calls, oldest first:\n",
		(unsigned long long)z->size);
	for (i = z->hpos - n; i != z->hpos; i++)
		fprintf(stderr, "    #%-7llu %s\n",
			(unsigned long long)z->hist_op[i % HISTORY],
			z->hist[i % HISTORY]);
	fflush(stderr);
}

bool expect(struct fz *z, const char *what, long ret, int err, long want)
{
	bool ok = want < 0 ? ret == -1 && err == -want : ret == want;

	if (!ok) {
		char got[64], exp[64];

		if (ret == -1)
			snprintf(got, sizeof(got), "-1 %s", err_name(err));
		else
			snprintf(got, sizeof(got), "%ld", ret);
		if (want < 0)
			snprintf(exp, sizeof(exp), "-1 %s", err_name((int)-want));
		else
			snprintf(exp, sizeof(exp), "%ld", want);
		fail(z, "%s: got %s, want %s", what, got, exp);
	}
	return ok;
}

static struct fz *fatal_z;

static void fatal_handler(int sig, siginfo_t *si, void *uc)
{
	if (fatal_z)
		fail(fatal_z, "unexpected %s at %p (a touch the model said was safe, or a copy into our own memory)",
		     sig == SIGBUS ? "SIGBUS" : "SIGSEGV", si->si_addr);
	_exit(1);
}

/* md_probe() saves and restores these around each probe. */
void catch_fatal_signals(struct fz *z)
{
	struct sigaction sa;

	fatal_z = z;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fatal_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}
