// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-trace: a write that is only a write. md_probe()'s write is
 * "*p = *p", a load then a store: the load faults first, as a read, and a
 * write fault never happens on a shared mapping (the read fault maps the
 * page writable) or becomes a second, write-protect fault on a private
 * one. The scenarios need the first touch to be the write itself, so this
 * stores a byte the caller read beforehand through read(), without
 * loading from the page, and catches SIGBUS and SIGSEGV as md_probe()
 * does.
 */
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "trace.h"

static sigjmp_buf store_jmp;

static void store_handler(int sig)
{
	siglongjmp(store_jmp, sig);
}

enum md_probe_result tr_store(volatile char *addr, char val)
{
	struct sigaction sa, old_bus, old_segv;
	volatile enum md_probe_result result = MD_PROBE_OK;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = store_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	sig = sigsetjmp(store_jmp, 1);
	if (!sig)
		*addr = val;
	else
		result = sig == SIGBUS ? MD_PROBE_SIGBUS : MD_PROBE_SIGSEGV;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return result;
}
