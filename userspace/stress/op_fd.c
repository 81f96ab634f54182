// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-stress: operations on open files: open, close, SET_MODE,
 * GET_INFO, pread and pwrite, each checked against the model (README:
 * read at or past the end gives 0, write there ENOSPC, a write across
 * the end writes what fits; a read-only file cannot write).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "stress.h"

/* GET_INFO on @f agrees with the model. */
static bool info_ok(struct worker *w, struct fdent *f, const char *after)
{
	struct shared *sh = w->sh;
	struct mmapdemo_info info;
	uint32_t size = model_size(sh);

	if (md_info(f->fd, &info)) {
		fail(w, "GET_INFO on fd %d after %s: %s", f->fd, after, strerror(errno));
		return false;
	}
	if (info.size != (uint64_t)size * sh->ps ||
	    info.counters.buffer_pages != size || info.page_size != sh->ps ||
	    info.max_size != MMAPDEMO_MAX_SIZE || info.mode != f->mode ||
	    info.default_mode != atomic_load(&sh->default_mode)) {
		fail(w, "GET_INFO on fd %d after %s: size %llu (%llu pages), page_size %u, max %llu, mode %u, default %u; want %llu, %u, %u, %llu, %u, %u",
		     f->fd, after, (unsigned long long)info.size,
		     (unsigned long long)info.counters.buffer_pages,
		     info.page_size, (unsigned long long)info.max_size,
		     info.mode, info.default_mode,
		     (unsigned long long)size * sh->ps, size, sh->ps,
		     (unsigned long long)MMAPDEMO_MAX_SIZE, f->mode,
		     atomic_load(&sh->default_mode));
		return false;
	}
	return true;
}

void op_open(struct worker *w)
{
	bool ro = rng_chance(&w->rng, 15);
	struct fdent *f = NULL;
	int i;

	for (i = 0; i < MAX_FDS && !f; i++)
		if (w->fds[i].fd < 0)
			f = &w->fds[i];
	if (!f) {
		op_close(w);
		return;
	}
	f->fd = md_open(ro ? O_RDONLY : O_RDWR);
	if (f->fd < 0) {
		fail(w, "open %s: %s", ro ? "O_RDONLY" : "O_RDWR", strerror(errno));
		return;
	}
	/* A new file gets the default mode (module parameter "mode"). */
	f->mode = (uint8_t)atomic_load(&w->sh->default_mode);
	f->writable = !ro;
	hist_add(w, "open %s -> fd %d", ro ? "O_RDONLY" : "O_RDWR", f->fd);
	info_ok(w, f, "open");
}

void op_close(struct worker *w)
{
	struct fdent *f = pick_fd(w, false);

	if (!f)
		return;
	hist_add(w, "close fd %d (mappings stay)", f->fd);
	if (close(f->fd))
		fail(w, "close fd %d: %s", f->fd, strerror(errno));
	f->fd = -1;
}

void op_mode(struct worker *w)
{
	struct fdent *f = pick_fd(w, false);
	uint32_t mode;
	int ret, err;

	if (!f)
		return;
	mode = !rng_chance(&w->rng, 10) ? rng_below(&w->rng, MMAPDEMO_MODE_COUNT) :
	       rng_chance(&w->rng, 50) ? MMAPDEMO_MODE_COUNT :	/* the edge */
	       MMAPDEMO_MODE_COUNT + 1 + rng_below(&w->rng, 1000);
	ret = md_set_mode(f->fd, mode);
	err = errno;
	hist_add(w, "SET_MODE fd %d %u (%s) -> %d %s", f->fd, mode,
		 md_mode_name(mode), ret, ret ? strerror(err) : "");
	if (mode >= MMAPDEMO_MODE_COUNT ||
	    (mode == MMAPDEMO_MODE_HUGE && !w->sh->huge)) {
		int want = mode >= MMAPDEMO_MODE_COUNT ? EINVAL : EOPNOTSUPP;

		if (ret != -1 || err != want) {
			fail(w, "SET_MODE %u: %s, want %s", mode,
			     ret ? strerror(err) : "success", strerror(want));
			return;
		}
	} else if (ret) {
		fail(w, "SET_MODE %u: %s", mode, strerror(err));
		return;
	} else {
		f->mode = (uint8_t)mode;
	}
	info_ok(w, f, "SET_MODE");
}

void op_info(struct worker *w)
{
	struct fdent *f = pick_fd(w, false);

	if (!f)
		return;
	hist_add(w, "GET_INFO fd %d", f->fd);
	info_ok(w, f, "nothing");
}

/* Read pages through pread() and check them; at and past the end: 0. */
void op_pread(struct worker *w)
{
	struct shared *sh = w->sh;
	struct fdent *f = pick_fd(w, false);
	uint32_t size = model_size(sh), first, n, p;
	char why[512], page[sh->ps];
	ssize_t got;
	void *addr;
	int sig;

	if (!f)
		return;
	n = 1 + rng_below(&w->rng, 4);
	if (rng_chance(&w->rng, 20)) {
		/* Across the end: the part inside, then 0. */
		uint32_t in = 1 + rng_below(&w->rng, 8);
		uint64_t off = (uint64_t)(size - 1) * sh->ps + in * 8;
		size_t len = 2 * sh->ps;
		char buf[len];

		got = pread(f->fd, buf, len, (off_t)off);
		hist_add(w, "pread fd %d 0x%llx+%zu across the end -> %zd", f->fd,
			 (unsigned long long)off, len, got);
		if (got != (ssize_t)(sh->ps - in * 8))
			fail(w, "pread of %zu bytes at 0x%llx across the end (size %u pages): %zd (%s), want %zu",
			     len, (unsigned long long)off, size, got,
			     got < 0 ? strerror(errno) : "count", (size_t)(sh->ps - in * 8));
		return;
	}
	first = rng_below(&w->rng, sh->max_pages + 2);
	hist_add(w, "pread fd %d pages %u..%u", f->fd, first, first + n - 1);
	for (p = first; p < first + n; p++) {
		if (p < size) {
			enum verdict v = verify_buffer_page(w, NULL, f->fd, p, &sig,
							    &addr, why, sizeof(why));

			if (v == V_BAD) {
				fail(w, "pread of buffer page %u: %s", p, why);
				return;
			}
			if (v != V_SKIP)
				atomic_fetch_add(&sh->stats[w->id].bytes_verified, sh->ps);
			continue;
		}
		got = pread(f->fd, page, sh->ps, (off_t)p * sh->ps);
		if (got != 0) {
			fail(w, "pread at page %u, past the end (%u pages): %zd (%s), want 0",
			     p, size, got, got < 0 ? strerror(errno) : "bytes");
			return;
		}
	}
}

/* Write own pages through pwrite(), as a seqlock writer. */
void op_pwrite(struct worker *w)
{
	struct shared *sh = w->sh;
	struct fdent *f = pick_fd(w, false);
	uint32_t size = model_size(sh), n, first, end, p;
	size_t ps = sh->ps;
	ssize_t got, want;
	int err;

	if (!f)
		return;
	n = 1 + rng_below(&w->rng, 4);
	if (n > w->own_count)
		n = w->own_count;
	first = w->own_first + rng_below(&w->rng, w->own_count - n + 1);
	/* The pages the write reaches: up to the end of the buffer. */
	end = first + n < size ? first + n : (first < size ? size : first);
	{
		uint64_t buf[n * ps / 8];

		for (p = first; p < first + n; p++)
			fill_page(buf + (p - first) * ps / 8, ps, (uint64_t)p * ps,
				  p < size ? model_gen(sh, p) + 1 : 1);
		if (!f->writable) {
			got = pwrite(f->fd, buf, n * ps, (off_t)first * ps);
			err = errno;
			hist_add(w, "pwrite fd %d (read-only) pages %u..%u -> %zd %s",
				 f->fd, first, first + n - 1, got,
				 got < 0 ? strerror(err) : "");
			if (got != -1 || err != EBADF)
				fail(w, "pwrite on a read-only file: %zd%s%s, want EBADF",
				     got, got < 0 ? " " : "", got < 0 ? strerror(err) : "");
			return;
		}
		for (p = first; p < end; p++)
			model_write_begin(sh, p, model_gen(sh, p) + 1);
		got = pwrite(f->fd, buf, n * ps, (off_t)first * ps);
		err = errno;
		for (p = first; p < end; p++)
			model_write_end(sh, p);
	}
	hist_add(w, "pwrite fd %d pages %u..%u (size %u) -> %zd %s", f->fd,
		 first, first + n - 1, size, got, got < 0 ? strerror(err) : "");
	if (first >= size) {
		if (got != -1 || err != ENOSPC)
			fail(w, "pwrite at page %u, past the end (%u pages): %zd%s%s, want ENOSPC",
			     first, size, got, got < 0 ? " " : "", got < 0 ? strerror(err) : "");
		return;
	}
	want = (ssize_t)((end - first) * ps);
	if (got != want) {
		fail(w, "pwrite of pages %u..%u (size %u pages): %zd (%s), want %zd",
		     first, first + n - 1, size, got, got < 0 ? strerror(err) : "bytes",
		     want);
		return;
	}
	for (p = first; p < end; p++) {
		char why[512];
		void *addr;
		int sig;

		if (verify_buffer_page(w, NULL, f->fd, p, &sig, &addr, why,
				       sizeof(why)) == V_BAD) {
			fail(w, "read back after pwrite, page %u: %s", p, why);
			return;
		}
		atomic_fetch_add(&sh->stats[w->id].bytes_verified, ps);
	}
}
