// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-stress: fork with mappings. The child checks what it inherited
 * (the buffer through shared and not yet copied private pages, the
 * parent's private copies), writes one of our own pages through a shared
 * mapping and a private copy of its own, and exits; the parent then sees
 * the shared write and not the private one. Called with the fork lock
 * held exclusively, so no thread of this process is between a copy of a
 * private remap mapping's first page and the count of such copies: fork
 * must fail with ENOMEM exactly when one exists (README, "Errors"), on
 * kernels before 6.17 (x86 PAT); from 6.17 such a fork works.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stress.h"

struct plan {
	struct map *sm, *pm;	/* shared and private mappings to write */
	uint32_t si, pi;	/* their pages */
};

static bool pick_page(struct worker *w, bool shared, struct map **mp,
		      uint32_t *ip)
{
	uint32_t size = model_size(w->sh), start = rng_below(&w->rng, MAX_MAPS), k, i;

	for (k = 0; k < MAX_MAPS; k++) {
		struct map *m = &w->maps[(start + k) % MAX_MAPS];

		if (!m->used || m->shared != shared || !m->writable)
			continue;
		for (i = 0; i < m->npages; i++) {
			uint32_t bp = m->pgoff + i;

			if (bp < size && (!shared || owns(w, bp))) {
				*mp = m;
				*ip = i;
				return true;
			}
		}
	}
	return false;
}

static bool child_write(struct worker *w, struct map *m, uint32_t i, uint32_t gen)
{
	void *fa;
	int sig = write_map_page(w, m, i, gen, &fa);

	if (sig)
		fail(w, "fork child: signal %d at %p writing page %u (buffer page %u)",
		     sig, fa, i, m->pgoff + i);
	return !sig;
}

static void child(struct worker *w, struct plan *pl)
{
	struct shared *sh = w->sh;
	uint32_t i, k;
	int j;

	w->in_child = true;
	for (j = 0; j < MAX_MAPS; j++) {
		struct map *m = &w->maps[j];

		if (!m->used)
			continue;
		for (k = 0; k < 4 && k < m->npages; k++) {
			i = rng_below(&w->rng, m->npages);
			if (!check_map_page(w, m, i))
				_exit(1);
		}
	}
	if (pl->sm) {
		uint32_t bp = pl->sm->pgoff + pl->si, gen = model_gen(sh, bp) + 1;
		bool ok;

		/* Ours while the parent waits: the model moves with the data. */
		model_write_begin(sh, bp, gen);
		ok = child_write(w, pl->sm, pl->si, gen);
		model_write_end(sh, bp);
		if (!ok || !check_map_page(w, pl->sm, pl->si))
			_exit(1);
	}
	if (pl->pm) {
		uint32_t gen = PRIV_GEN_BIT | 0x7f000000u | (++w->priv_counter & 0xffffff);

		if (!child_write(w, pl->pm, pl->pi, gen))
			_exit(1);
		pl->pm->page[pl->pi].priv_gen = gen;
		pl->pm->page[pl->pi].removed = sh->pages[pl->pm->pgoff + pl->pi].removed;
		if (!check_map_page(w, pl->pm, pl->pi))
			_exit(1);
	}
	_exit(0);
}

void op_fork(struct worker *w)
{
	bool must_fail = atomic_load(&w->proc->cow_first) > 0 && !md_kernel_at_least(6, 17);
	struct plan pl = { 0 };
	int status, err;
	pid_t pid;

	if (!pick_page(w, true, &pl.sm, &pl.si))
		pl.sm = NULL;
	if (!pick_page(w, false, &pl.pm, &pl.pi))
		pl.pm = NULL;
	hist_add(w, "fork (%d private remap mappings of this process with a copied first page)%s%s",
		 atomic_load(&w->proc->cow_first),
		 pl.sm ? ", child writes a shared page" : "",
		 pl.pm ? ", child writes a private page" : "");
	pid = fork();
	if (pid == 0)
		child(w, &pl);
	err = errno;
	if (pid < 0) {
		if (must_fail && err == ENOMEM)
			atomic_fetch_add(&w->sh->stats[w->id].fork_enomem, 1);
		else
			fail(w, "fork: %s, want %s", strerror(err),
			     must_fail ? "ENOMEM" : "success");
		return;
	}
	if (waitpid(pid, &status, 0) != pid) {
		fail(w, "waitpid %d: %s", (int)pid, strerror(errno));
		return;
	}
	if (must_fail) {
		fail(w, "fork succeeded, want ENOMEM before 6.17 (x86 PAT): a private remap mapping's first page was copied on write (README, \"Errors\")");
		return;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		if (!atomic_load(&w->sh->failed))
			fail(w, "fork child %d: %s %d", (int)pid,
			     WIFEXITED(status) ? "exit status" : "killed by signal",
			     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		else
			atomic_store(&w->sh->failed, 1);
		return;
	}
	/* The child's shared write is ours to see, its private one is not. */
	if (pl.sm && !check_map_page(w, pl.sm, pl.si))
		return;
	if (pl.pm)
		check_map_page(w, pl.pm, pl.pi);
}
