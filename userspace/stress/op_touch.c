// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-stress: touching mappings. Reads check every word against the
 * model; writes go to own pages through shared mappings (the buffer) or
 * to private copies of any page. A demand-paged page past the end must
 * raise SIGBUS on any access, a page inside never; a write to a PROT_READ
 * mapping must raise SIGSEGV.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "stress.h"

static bool demand(const struct map *m)
{
	return md_mode_demand_paged(m->mode);
}

static const char *signame(int sig)
{
	return sig == SIGBUS ? "SIGBUS" : sig == SIGSEGV ? "SIGSEGV" : sig ? "a signal" : "no signal";
}

/* An access that must raise @want inside the page at @p. */
static bool expect_signal(struct worker *w, struct map *m, uint32_t i,
			  bool write, int want, const char *why)
{
	char *p = m->addr + (size_t)i * w->sh->ps, d[160];
	void *fa = NULL;
	int sig = trap_probe(p, write, &fa);

	if (sig != want || (char *)fa < p || (char *)fa >= p + w->sh->ps) {
		fail(w, "%s of page %u of the %s (buffer page %u, %s; buffer %u pages): %s at %p, want %s at %p",
		     write ? "write" : "read", i, shape(m, d, sizeof(d)),
		     m->pgoff + i, why, model_size(w->sh), signame(sig), fa,
		     signame(want), (void *)p);
		return false;
	}
	atomic_fetch_add(want == SIGBUS ? &w->sh->stats[w->id].sigbus
					: &w->sh->stats[w->id].sigsegv, 1);
	return true;
}

bool check_map_page(struct worker *w, struct map *m, uint32_t i)
{
	struct shared *sh = w->sh;
	uint32_t bp = m->pgoff + i;
	char *p = m->addr + (size_t)i * sh->ps, why[512], d[160];
	enum verdict v;
	void *fa;
	int sig;

	if (bp >= model_size(sh)) {
		if (!demand(m)) {
			fail(w, "model: page %u of the %s is past the end (%u pages)",
			     i, shape(m, d, sizeof(d)), model_size(sh));
			return false;
		}
		return expect_signal(w, m, i, false, SIGBUS, "past the end");
	}
	if (map_page_gone(w, m, i))
		m->page[i].priv_gen = 0;
	if (m->page[i].priv_gen)
		v = verify_private_page(w, p, (uint64_t)bp * sh->ps,
					m->page[i].priv_gen, &sig, &fa, why,
					sizeof(why));
	else
		v = verify_buffer_page(w, p, -1, bp, &sig, &fa, why, sizeof(why));
	if (v == V_BAD) {
		fail(w, "read of page %u of the %s (buffer page %u, %s): %s", i,
		     shape(m, d, sizeof(d)), bp,
		     m->page[i].priv_gen ? "our private copy" : "shows the buffer",
		     why);
		return false;
	}
	if (v != V_SKIP)
		atomic_fetch_add(&sh->stats[w->id].bytes_verified, sh->ps);
	return true;
}

/* A random run of up to 8 pages of @m. */
static uint32_t pick_run(struct worker *w, const struct map *m, uint32_t *n)
{
	uint32_t a = rng_below(&w->rng, m->npages), left = m->npages - a;

	*n = 1 + rng_below(&w->rng, left < 8 ? left : 8);
	return a;
}

void op_read(struct worker *w)
{
	struct map *m = pick_map(w, NULL);
	uint32_t a, n, i;
	char d[160];

	if (!m)
		return;
	a = pick_run(w, m, &n);
	hist_add(w, "read pages %u..%u of the %s", a, a + n - 1, shape(m, d, sizeof(d)));
	for (i = a; i < a + n; i++)
		if (!check_map_page(w, m, i))
			return;
}

struct fill_arg {
	volatile uint64_t *dst;
	size_t ps;
	uint64_t offset;
	uint32_t gen;
};

static void fill_fn(void *arg)
{
	struct fill_arg *a = arg;

	fill_page(a->dst, a->ps, a->offset, a->gen);
}

int write_map_page(struct worker *w, struct map *m, uint32_t i, uint32_t gen,
		   void **fa)
{
	struct fill_arg a = {
		.dst = (volatile uint64_t *)(m->addr + (size_t)i * w->sh->ps),
		.ps = w->sh->ps,
		.offset = (uint64_t)(m->pgoff + i) * w->sh->ps,
		.gen = gen,
	};

	return trap_run(fill_fn, &a, fa);
}

static bool fill_ok(struct worker *w, struct map *m, uint32_t i, uint32_t gen)
{
	char d[160];
	void *fa;
	int sig = write_map_page(w, m, i, gen, &fa);

	if (sig)
		fail(w, "write of page %u of the %s (buffer page %u, inside the buffer of %u pages): %s at %p",
		     i, shape(m, d, sizeof(d)), m->pgoff + i, model_size(w->sh),
		     signame(sig), fa);
	return !sig;
}

static void priv_write_run(struct worker *w, struct map *m, uint32_t a,
			   uint32_t n)
{
	struct shared *sh = w->sh;
	uint32_t i, bp, gen;
	char d[160];

	hist_add(w, "private write pages %u..%u of the %s", a, a + n - 1,
		 shape(m, d, sizeof(d)));
	for (i = a; i < a + n; i++) {
		bp = m->pgoff + i;
		if (bp >= model_size(sh)) {
			if (!expect_signal(w, m, i, true, SIGBUS, "past the end"))
				return;
			continue;
		}
		gen = PRIV_GEN_BIT | ((uint32_t)(w->id & 0x7f) << 24) |
		      (++w->priv_counter & 0xffffff);
		if (!fill_ok(w, m, i, gen))
			return;
		m->page[i].priv_gen = gen;
		m->page[i].removed = sh->pages[bp].removed;
		if (!check_map_page(w, m, i))
			return;
	}
}

void op_write(struct worker *w)
{
	struct shared *sh = w->sh;
	struct map *m = pick_map(w, NULL);
	uint32_t a, n, i, bp, gen;
	char d[160];

	if (!m)
		return;
	a = pick_run(w, m, &n);
	if (!m->writable) {
		hist_add(w, "write page %u of the %s", a, shape(m, d, sizeof(d)));
		expect_signal(w, m, a, true, SIGSEGV, "PROT_READ");
		return;
	}
	if (!m->shared) {
		priv_write_run(w, m, a, n);
		return;
	}
	hist_add(w, "write pages %u..%u of the %s", a, a + n - 1, shape(m, d, sizeof(d)));
	for (i = a; i < a + n; i++) {
		bool ok;

		bp = m->pgoff + i;
		if (bp >= model_size(sh)) {
			if (!expect_signal(w, m, i, true, SIGBUS, "past the end"))
				return;
			continue;
		}
		if (!owns(w, bp))
			continue;
		gen = model_gen(sh, bp) + 1;
		model_write_begin(sh, bp, gen);
		ok = fill_ok(w, m, i, gen);
		model_write_end(sh, bp);
		if (!ok || !check_map_page(w, m, i))
			return;
	}
}

static bool private_writable(const struct map *m)
{
	return !m->shared && m->writable;
}

void op_priv_write(struct worker *w)
{
	struct map *m = pick_map(w, private_writable);
	uint32_t a, n;

	if (!m)
		return;
	a = pick_run(w, m, &n);
	priv_write_run(w, m, a, n);
}
