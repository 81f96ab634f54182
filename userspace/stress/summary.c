// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-stress: the one-line summary of all workers' counts, and a line
 * for each known deviation from README.md that showed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "stress.h"

/* The driver's counters/huge_pmds: PMDs its huge faults mapped (0 if none). */
unsigned long huge_pmds(void)
{
	char text[32];

	if (md_read_text(MD_SYSFS "/counters/huge_pmds", text, sizeof(text)))
		return 0;
	return strtoul(text, NULL, 10);
}

void summary(struct shared *sh, double secs, bool ok)
{
	uint64_t ops[NR_OPS] = { 0 }, total = 0, bytes = 0, sigbus = 0,
		 sigsegv = 0, ebusy = 0, enomem = 0, loose = 0, shrinks = 0,
		 grows = 0;
	char line[2048];
	size_t len = 0;
	unsigned int i, k;

	for (i = 0; i < sh->nworkers; i++) {
		struct worker_stats *s = &sh->stats[i];

		for (k = 0; k < NR_OPS; k++)
			ops[k] += s->ops[k];
		bytes += s->bytes_verified;
		sigbus += s->sigbus;
		sigsegv += s->sigsegv;
		ebusy += s->ebusy;
		shrinks += s->shrinks;
		grows += s->grows;
		enomem += s->fork_enomem;
		loose += s->loose_pages;
	}
	for (k = 0; k < NR_OPS; k++)
		total += ops[k];
	len += (size_t)snprintf(line + len, sizeof(line) - len,
		"mmapdemo-stress: %s: %llu ops in %.1f s (%.0f/s) by %u workers; %llu bytes verified; %llu shrinks, %llu grows; expected SIGBUS %llu, SIGSEGV %llu, EBUSY %llu, fork ENOMEM %llu; %llu pages checked mid-write; ops:",
		ok ? "ok" : "FAILED", (unsigned long long)total, secs,
		secs > 0 ? (double)total / secs : 0.0, sh->nworkers,
		(unsigned long long)bytes, (unsigned long long)shrinks,
		(unsigned long long)grows, (unsigned long long)sigbus,
		(unsigned long long)sigsegv, (unsigned long long)ebusy,
		(unsigned long long)enomem, (unsigned long long)loose);
	for (k = 0; k < NR_OPS && len < sizeof(line); k++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s %llu",
					op_name((enum op_kind)k),
					(unsigned long long)ops[k]);
	if (sh->huge && len < sizeof(line))
		len += (size_t)snprintf(line + len, sizeof(line) - len,
					"; huge PMDs mapped %lu",
					huge_pmds() - sh->huge_pmds);
	printf("%s; seed %llu\n", line, (unsigned long long)sh->seed);
	for (k = 0; k < NR_KNOWN; k++) {
		uint64_t n = 0;

		for (i = 0; i < sh->nworkers; i++)
			n += sh->stats[i].known[k];
		if (n)
			printf("mmapdemo-stress: KNOWN DEVIATION from README.md seen %llu times: %s\n",
			       (unsigned long long)n, known_name((enum known)k));
	}
}
