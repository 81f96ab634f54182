// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-stress: the model of the buffer in memory every process shares,
 * and the code of the words written into the buffer.
 *
 * A word names its byte offset in the buffer and its page's generation:
 * the generation in the high half, the offset mixed with the generation
 * in the low half, so that a reader that does not know the generation can
 * still tell a right word (any generation, its own offset) from a word of
 * another page, a torn page or garbage. Generation 0 is the zeroed page.
 *
 * The owner of a page writes it as a seqlock writer: sequence odd, new
 * generation, data, sequence even. A reader that sees the same even
 * sequence before and after its copy knows the exact generation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "stress.h"

static uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

uint64_t word_enc(uint64_t offset, uint32_t gen)
{
	if (!gen)
		return 0;
	return ((uint64_t)gen << 32) | ((uint32_t)offset ^ mix32(gen));
}

struct shared *model_create(uint32_t max_pages, size_t ps)
{
	size_t len = sizeof(struct shared) + max_pages * sizeof(struct page_model);
	pthread_rwlockattr_t ra;
	pthread_mutexattr_t ma;
	struct shared *sh;

	sh = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		  -1, 0);
	if (sh == MAP_FAILED)
		return NULL;
	memset(sh, 0, len);
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setpshared(&ra, PTHREAD_PROCESS_SHARED);
	/* A resize must not starve behind a stream of batches. */
	pthread_rwlockattr_setkind_np(&ra,
				      PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&sh->resize_lock, &ra);
	pthread_rwlockattr_destroy(&ra);
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&sh->out_lock, &ma);
	pthread_mutexattr_destroy(&ma);
	sh->ps = (uint32_t)ps;
	sh->huge = md_huge_mode();
	sh->huge_pmds = huge_pmds();
	sh->max_pages = max_pages;
	return sh;
}

bool owns(const struct worker *w, uint32_t page)
{
	return page >= w->own_first && page < w->own_first + w->own_count;
}

void model_write_begin(struct shared *sh, uint32_t page, uint32_t gen)
{
	struct page_model *pm = &sh->pages[page];

	atomic_fetch_add_explicit(&pm->seq, 1, memory_order_relaxed);
	atomic_store_explicit(&pm->gen, gen, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

void model_write_end(struct shared *sh, uint32_t page)
{
	atomic_thread_fence(memory_order_release);
	atomic_fetch_add_explicit(&sh->pages[page].seq, 1, memory_order_relaxed);
}

uint32_t model_gen(struct shared *sh, uint32_t page)
{
	return atomic_load_explicit(&sh->pages[page].gen, memory_order_acquire);
}

uint32_t model_size(struct shared *sh)
{
	return atomic_load_explicit(&sh->size_pages, memory_order_acquire);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
