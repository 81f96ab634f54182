// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-stress: check a page read through the buffer against the
 * model. The owner's pages are exact. Another worker's page is exact when
 * its sequence count did not move during the copy; else (after retries)
 * every word must be a word of its own offset with a generation from just
 * before the copy to just after it. Syscall copies (pwrite, pread) move
 * bytes, not words, under TCG, so a word may mix two such generations
 * byte by byte: that is accepted too, a wrong offset is not.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stress.h"

#define LOOSE_MAX_SPAN	64	/* generations a loose check tries at most */

void fill_page(volatile uint64_t *dst, size_t ps, uint64_t offset,
	       uint32_t gen)
{
	size_t i;

	for (i = 0; i < ps / 8; i++)
		dst[i] = word_enc(offset + i * 8, gen);
}

long check_exact(const uint64_t *copy, size_t ps, uint64_t offset,
		 uint32_t gen)
{
	size_t i;

	for (i = 0; i < ps / 8; i++)
		if (copy[i] != word_enc(offset + i * 8, gen))
			return (long)i;
	return -1;
}

static bool byte_mix_ok(uint64_t w, uint64_t offset, uint32_t lo, uint32_t hi)
{
	int b;

	for (b = 0; b < 8; b++) {
		unsigned int want = (unsigned int)(w >> (8 * b)) & 0xff;
		bool found = false;
		uint32_t g;

		for (g = lo; g <= hi && !found; g++)
			found = ((word_enc(offset, g) >> (8 * b)) & 0xff) == want;
		if (!found)
			return false;
	}
	return true;
}

/* -1 if every word fits a generation in [lo, hi], else the first that does not. */
static long check_loose(const uint64_t *copy, size_t ps, uint64_t offset,
			uint32_t lo, uint32_t hi)
{
	size_t i;

	for (i = 0; i < ps / 8; i++) {
		uint64_t w = copy[i], off = offset + i * 8;
		uint32_t g = (uint32_t)(w >> 32);

		if (g >= lo && g <= hi && w == word_enc(off, g))
			continue;
		if (!w && !lo)
			continue;
		if (!byte_mix_ok(w, off, lo, hi))
			return (long)i;
	}
	return -1;
}

struct copy_arg {
	const volatile uint64_t *src;
	uint64_t *dst;
	size_t words;
};

static void copy_fn(void *arg)
{
	struct copy_arg *a = arg;
	size_t i;

	for (i = 0; i < a->words; i++)
		a->dst[i] = a->src[i];
}

/* Copy one page through the mapping or pread(); 0, or why not in @why. */
static int copy_page(const volatile char *src, int fd, uint64_t offset,
		     uint64_t *dst, size_t ps, int *sig, void **addr,
		     char *why, size_t whylen)
{
	if (src) {
		struct copy_arg a = {
			.src = (const volatile uint64_t *)src,
			.dst = dst,
			.words = ps / 8,
		};

		*sig = trap_run(copy_fn, &a, addr);
		if (*sig) {
			snprintf(why, whylen, "%s at %p reading a page inside the buffer",
				 *sig == SIGBUS ? "SIGBUS" : "SIGSEGV", *addr);
			return -1;
		}
	} else {
		ssize_t n = pread(fd, dst, ps, (off_t)offset);

		*sig = 0;
		if (n != (ssize_t)ps) {
			snprintf(why, whylen, "pread of %zu bytes at 0x%llx inside the buffer returned %zd (%s)",
				 ps, (unsigned long long)offset, n,
				 n < 0 ? strerror(errno) : "short");
			return -1;
		}
	}
	return 0;
}

static void describe(char *why, size_t whylen, const uint64_t *copy,
		     long bad, uint64_t offset, const char *want)
{
	uint64_t w = copy[bad];

	snprintf(why, whylen,
		 "word at buffer offset 0x%llx is 0x%016llx (generation %u%s), want %s",
		 (unsigned long long)(offset + (uint64_t)bad * 8),
		 (unsigned long long)w, (unsigned int)(w >> 32),
		 w == word_enc(offset + (uint64_t)bad * 8, (uint32_t)(w >> 32)) ?
		 "" : ", and not a word of this offset", want);
}

enum verdict verify_buffer_page(struct worker *w, const volatile char *src,
				int fd, uint32_t page, int *sig, void **addr,
				char *why, size_t whylen)
{
	struct shared *sh = w->sh;
	size_t ps = sh->ps;
	uint64_t offset = (uint64_t)page * ps, copy[ps / 8];
	struct page_model *pm = &sh->pages[page];
	uint32_t s0, s1, g0 = 0, g1 = 0, lo;
	char want[64];
	long bad;
	int tries;

	*sig = 0;
	if (owns(w, page)) {
		g0 = model_gen(sh, page);
		if (copy_page(src, fd, offset, copy, ps, sig, addr, why, whylen))
			return V_BAD;
		bad = check_exact(copy, ps, offset, g0);
		if (bad < 0)
			return V_OK;
		snprintf(want, sizeof(want), "generation %u (own page)", g0);
		describe(why, whylen, copy, bad, offset, want);
		return V_BAD;
	}
	for (tries = 0; tries < 3; tries++) {
		s0 = atomic_load_explicit(&pm->seq, memory_order_acquire);
		g0 = atomic_load_explicit(&pm->gen, memory_order_acquire);
		if (copy_page(src, fd, offset, copy, ps, sig, addr, why, whylen))
			return V_BAD;
		atomic_thread_fence(memory_order_acquire);
		s1 = atomic_load_explicit(&pm->seq, memory_order_relaxed);
		g1 = atomic_load_explicit(&pm->gen, memory_order_relaxed);
		if (!(s0 & 1) && s0 == s1) {
			bad = check_exact(copy, ps, offset, g0);
			if (bad < 0)
				return V_OK;
			snprintf(want, sizeof(want), "generation %u (page at rest)", g0);
			describe(why, whylen, copy, bad, offset, want);
			return V_BAD;
		}
	}
	lo = g0 ? g0 - 1 : 0;
	if (g1 < lo || g1 - lo > LOOSE_MAX_SPAN)
		return V_SKIP;
	bad = check_loose(copy, ps, offset, lo, g1);
	if (bad < 0) {
		atomic_fetch_add(&sh->stats[w->id].loose_pages, 1);
		return V_LOOSE_OK;
	}
	snprintf(want, sizeof(want), "a word of this offset, generation %u..%u", lo, g1);
	describe(why, whylen, copy, bad, offset, want);
	return V_BAD;
}

enum verdict verify_private_page(struct worker *w, const volatile char *src,
				 uint64_t offset, uint32_t gen, int *sig,
				 void **addr, char *why, size_t whylen)
{
	size_t ps = w->sh->ps;
	uint64_t copy[ps / 8];
	char want[64];
	long bad;

	if (copy_page(src, -1, offset, copy, ps, sig, addr, why, whylen))
		return V_BAD;
	bad = check_exact(copy, ps, offset, gen);
	if (bad < 0)
		return V_OK;
	snprintf(want, sizeof(want), "private copy generation 0x%x", gen);
	describe(why, whylen, copy, bad, offset, want);
	return V_BAD;
}
