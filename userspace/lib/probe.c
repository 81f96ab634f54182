// SPDX-License-Identifier: GPL-2.0
/*
 * libmmapdemo: touch an address and say whether it worked, raised SIGBUS
 * or raised SIGSEGV, without dying. Not thread-safe: one probe at a time.
 */
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "libmmapdemo.h"

static sigjmp_buf probe_jmp;

static void probe_handler(int sig)
{
	siglongjmp(probe_jmp, sig);
}

enum probe_access { PROBE_READ, PROBE_RMW, PROBE_STORE };

static enum md_probe_result probe(volatile char *p, enum probe_access how,
				  char val)
{
	struct sigaction sa, old_bus, old_segv;
	volatile enum md_probe_result result = MD_PROBE_OK;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = probe_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);

	sig = sigsetjmp(probe_jmp, 1);
	if (!sig) {
		if (how == PROBE_STORE)
			*p = val;
		else if (how == PROBE_RMW)
			*p = *p;
		else
			(void)*p;
	} else {
		result = sig == SIGBUS ? MD_PROBE_SIGBUS : MD_PROBE_SIGSEGV;
	}

	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return result;
}

enum md_probe_result md_probe(volatile void *addr, bool write)
{
	return probe(addr, write ? PROBE_RMW : PROBE_READ, 0);
}

enum md_probe_result md_probe_store(volatile void *addr, char val)
{
	return probe(addr, PROBE_STORE, val);
}

const char *md_probe_name(enum md_probe_result r)
{
	switch (r) {
	case MD_PROBE_OK:
		return "ok";
	case MD_PROBE_SIGBUS:
		return "SIGBUS";
	case MD_PROBE_SIGSEGV:
		return "SIGSEGV";
	}
	return "?";
}
