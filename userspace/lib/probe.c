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

enum md_probe_result md_probe(volatile void *addr, bool write)
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
		volatile char *p = addr;

		if (write)
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
