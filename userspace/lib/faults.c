// SPDX-License-Identifier: GPL-2.0
/* libmmapdemo: page fault counts from getrusage(). */
#include <sys/resource.h>

#include "libmmapdemo.h"

long md_minflt(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return ru.ru_minflt;
}

long md_thread_minflt(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return -1;
	return ru.ru_minflt;
}
