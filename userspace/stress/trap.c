// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-stress: survive an expected SIGBUS or SIGSEGV, per thread.
 * libmmapdemo's md_probe() keeps one global jump buffer and swaps the
 * process's handlers on each call, which threads cannot share; here the
 * handler is installed once and jumps to the calling thread's own buffer.
 * A signal outside trap_run() is a failure of the worker that took it.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stress.h"

static __thread sigjmp_buf *trap_env;
static __thread void *trap_addr;
__thread struct worker *trap_worker;	/* set by worker_run() */

static void trap_handler(int sig, siginfo_t *si, void *uc)
{
	if (!trap_env) {
		if (trap_worker)
			fail(trap_worker, "unexpected %s at %p outside any checked access",
			     sig == SIGBUS ? "SIGBUS" : "SIGSEGV", si->si_addr);
		signal(sig, SIG_DFL);
		raise(sig);
		_exit(1);
	}
	trap_addr = si->si_addr;
	siglongjmp(*trap_env, sig);
}

void trap_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = trap_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

int trap_run(void (*fn)(void *), void *arg, void **addr)
{
	sigjmp_buf env;
	volatile int sig;

	sig = sigsetjmp(env, 1);
	if (!sig) {
		trap_env = &env;
		fn(arg);
	}
	trap_env = NULL;
	if (addr)
		*addr = sig ? trap_addr : NULL;
	return sig;
}

struct probe_arg {
	volatile char *p;
	bool write;
};

static void probe_fn(void *arg)
{
	struct probe_arg *a = arg;

	if (a->write)
		*a->p = 0;	/* a pure store: the write fault path */
	else
		(void)*a->p;
}

int trap_probe(volatile char *p, bool write, void **addr)
{
	struct probe_arg a = { .p = p, .write = write };

	return trap_run(probe_fn, &a, addr);
}
