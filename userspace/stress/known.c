// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-stress: results that differ from README.md for a known reason.
 * The checks accept the README's answer and, for these cases only, the
 * known other one too; each time the other one shows, it is counted and
 * the summary names it, so it is never accepted silently. --strict makes
 * it a failure. When the cause is fixed the README's answer shows and the
 * entry can go.
 */
#include "stress.h"

static const char *const names[NR_KNOWN] = {
	[KNOWN_MREMAP_GROW_ENOMEM] =
		"kernels from 6.7 (6.12, 7.3): mremap(MREMAP_MAYMOVE) growing a demand-paged (VM_MIXEDMAP) mapping "
		"with free space after it fails with ENOMEM (vma_merge_extend() refuses VM_SPECIAL "
		"VMAs and mremap does not fall back to moving), as README.md says",
};

const char *known_name(enum known k)
{
	return k < NR_KNOWN ? names[k] : "?";
}

bool known(struct worker *w, enum known k, const char *detail)
{
	atomic_fetch_add(&w->sh->stats[w->id].known[k], 1);
	if (w->sh->strict) {
		fail(w, "%s (--strict): %s", detail, names[k]);
		return false;
	}
	return true;
}
