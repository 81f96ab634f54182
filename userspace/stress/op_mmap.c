// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-stress: mmap in the file's mode, shared or private, read-only
 * or read-write, at random offsets (past the end too). Expected results
 * come from README.md's "Errors" table: remap/insert ranges past the end
 * and private remap ranges that are not one contiguous run are EINVAL (any
 * remap range where the driver takes mmap_prepare), a
 * shared writable mapping of a read-only file EACCES. Prepopulated mmaps
 * are registered as pins.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "stress.h"

/* Choose where to map: often our own pages, often inside the buffer. */
static uint32_t pick_pgoff(struct worker *w, uint32_t npages, bool prepop)
{
	struct shared *sh = w->sh;
	uint32_t size = model_size(sh);

	if (prepop && rng_chance(&w->rng, 85))
		return size >= npages ? rng_below(&w->rng, size - npages + 1) : 0;
	if (rng_chance(&w->rng, 40))
		return w->own_first + rng_below(&w->rng, w->own_count);
	if (rng_chance(&w->rng, 60))
		return rng_below(&w->rng, size);
	return rng_below(&w->rng, sh->max_pages + 4);
}

/*
 * huge mode, sometimes: one whole 2 MiB window of the buffer (or past its
 * end), so that where it is a folio the first touch maps it with a PMD,
 * which shrinks, private writes and partial munmaps then zap or split.
 */
static void pick_window(struct worker *w, uint32_t *npages, uint32_t *pgoff)
{
	uint32_t win = PMD_BYTES / w->sh->ps;

	if (win > MAX_MAP_PAGES)
		return;
	*npages = win;
	*pgoff = rng_below(&w->rng, w->sh->max_pages / win + 1) * win;
}

void op_mmap(struct worker *w)
{
	struct shared *sh = w->sh;
	struct map *m = free_map(w);
	struct fdent *f = pick_fd(w, false);
	uint32_t size = model_size(sh), npages, pgoff;
	bool shared, writable, prepop;
	int want = 0, err, c;
	char d[160];
	void *p;

	if (!m)
		return;	/* one_op() unmaps instead */
	if (!f)
		f = ensure_fd(w);
	if (!f)
		return;
	if (rng_chance(&w->rng, 30)) {
		uint32_t mode = rng_below(&w->rng, MMAPDEMO_MODE_COUNT);

		if (mode == MMAPDEMO_MODE_HUGE && !sh->huge)
			mode = MMAPDEMO_MODE_FAULT;	/* op_mode tries EOPNOTSUPP */
		if (md_set_mode(f->fd, mode)) {
			fail(w, "SET_MODE %u on fd %d: %s", mode, f->fd, strerror(errno));
			return;
		}
		f->mode = (uint8_t)mode;
	}
	prepop = prepopulated(f->mode);
	if (prepop && atomic_load(&sh->drain))
		return;	/* no new pins until a shrink gets through */
	shared = rng_chance(&w->rng, 60);
	writable = rng_chance(&w->rng, 80);
	npages = 1 + rng_below(&w->rng, 16);
	pgoff = pick_pgoff(w, npages, prepop);
	if (f->mode == MMAPDEMO_MODE_HUGE && rng_chance(&w->rng, 50))
		pick_window(w, &npages, &pgoff);

	if (shared && writable && !f->writable)
		want = EACCES;
	else if (prepop && (pgoff >= size || npages > size - pgoff))
		want = EINVAL;
	else if (f->mode == MMAPDEMO_MODE_REMAP && (!shared || md_mmap_prepare())) {
		c = range_contiguous(pgoff, npages, sh->ps);
		if (c < 0) {
			fail(w, "contiguity of pages %u..%u through pagemap: %s",
			     pgoff, pgoff + npages - 1, strerror(errno));
			return;
		}
		if (!c)
			want = EINVAL;
	}

	p = mmap(NULL, (size_t)npages * sh->ps,
		 PROT_READ | (writable ? PROT_WRITE : 0),
		 shared ? MAP_SHARED : MAP_PRIVATE, f->fd, (off_t)pgoff * sh->ps);
	err = errno;
	m->addr = p;
	m->npages = npages;
	m->pgoff = pgoff;
	m->mode = f->mode;
	m->shared = shared;
	m->writable = writable;
	m->pin = -1;
	memset(m->page, 0, sizeof(m->page));
	hist_add(w, "mmap fd %d%s %s (size %u) -> %s%s", f->fd,
		 f->writable ? "" : " (read-only)", shape(m, d, sizeof(d)), size,
		 p == MAP_FAILED ? "" : "ok", p == MAP_FAILED ? strerror(err) : "");
	if (p == MAP_FAILED) {
		if (err != want)
			fail(w, "mmap %s through fd %d%s, buffer %u pages: %s, want %s",
			     shape(m, d, sizeof(d)), f->fd,
			     f->writable ? "" : " (read-only)", size, strerror(err),
			     want ? strerror(want) : "success");
		return;
	}
	if (want) {
		fail(w, "mmap %s through fd %d%s, buffer %u pages: success, want %s",
		     shape(m, d, sizeof(d)), f->fd, f->writable ? "" : " (read-only)",
		     size, strerror(want));
		munmap(p, (size_t)npages * sh->ps);
		return;
	}
	if (prepop) {
		m->pin = pin_new(w, pgoff, pgoff + npages,
				 m->mode == MMAPDEMO_MODE_REMAP && !shared);
		if (m->pin == -2) {
			fail(w, "internal: no free pin slot");
			munmap(p, (size_t)npages * sh->ps);
			return;
		}
	}
	m->used = true;
	check_map_page(w, m, rng_below(&w->rng, npages));
}
