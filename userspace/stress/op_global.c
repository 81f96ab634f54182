// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-stress: operations that change what everyone sees, run with
 * the resize lock held exclusively (no worker is inside a batch), and the
 * unload attempt. Resize: grow adds zeroed pages; a shrink is EBUSY while
 * any pin (a remap/insert mmap still mapped) covers a removed page or any
 * private remap mapping exists, and else removes the pages from every
 * demand-paged mapping, private copies included; a read-only file gets
 * EBADF. Unload must fail with EAGAIN while the device is open.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stress.h"

/*
 * Would a shrink from @cur to @nr pages be refused (EBUSY)? Yes while a
 * private remap mapping exists, or a remap/insert mapping covers a page
 * the shrink removes.
 */
static bool shrink_busy(struct shared *sh, uint32_t nr, uint32_t cur,
			char *why, size_t len)
{
	uint32_t i, j;

	for (i = 0; i < sh->nworkers; i++) {
		for (j = 0; j < MAX_PINS; j++) {
			const struct pin *p = &sh->pins[i][j];
			bool priv = p->private_remap;

			if (!p->used)
				continue;
			if (priv || (p->first < cur && nr < p->last)) {
				snprintf(why, len, "worker %u has a %s mmap of pages %u..%u",
					 i, priv ? "private remap" : "remap/insert",
					 p->first, p->last - 1);
				return true;
			}
		}
	}
	return false;
}

static bool zero_pages_ok(struct worker *w, int fd, uint32_t first,
			  uint32_t end)
{
	size_t ps = w->sh->ps;
	uint64_t copy[ps / 8];
	uint32_t p;

	for (p = first; p < end; p++) {
		ssize_t n = pread(fd, copy, ps, (off_t)p * ps);
		long bad;

		if (n != (ssize_t)ps) {
			fail(w, "pread of new page %u after a grow: %zd (%s)", p, n,
			     n < 0 ? strerror(errno) : "short");
			return false;
		}
		bad = check_exact(copy, ps, (uint64_t)p * ps, 0);
		if (bad >= 0) {
			fail(w, "page %u after a grow is not zeroed: word %ld is 0x%016llx",
			     p, bad, (unsigned long long)copy[bad]);
			return false;
		}
		atomic_fetch_add(&w->sh->stats[w->id].bytes_verified, ps);
	}
	return true;
}

void op_resize(struct worker *w)
{
	struct shared *sh = w->sh;
	uint32_t cur = model_size(sh), nr, p;
	struct fdent *f = NULL;
	struct mmapdemo_info info;
	int want = 0, ret, err;
	char busy[160] = "";
	uint64_t bytes;

	if (rng_chance(&w->rng, 10))
		for (p = 0; p < MAX_FDS && !f; p++)
			if (w->fds[p].fd >= 0 && !w->fds[p].writable)
				f = &w->fds[p];
	if (!f)
		f = ensure_fd(w);
	if (!f)
		return;
	if (cur >= sh->max_pages || (cur > sh->min_pages && rng_chance(&w->rng, 50)))
		nr = sh->min_pages + rng_below(&w->rng, cur - sh->min_pages);
	else
		nr = cur + 1 + rng_below(&w->rng, sh->max_pages - cur);
	bytes = (uint64_t)nr * sh->ps;
	if (rng_chance(&w->rng, 30))
		bytes -= rng_below(&w->rng, sh->ps);	/* rounded up to pages */

	if (!f->writable)
		want = EBADF;
	else if (nr < cur && shrink_busy(sh, nr, cur, busy, sizeof(busy)))
		want = EBUSY;
	ret = md_resize(f->fd, bytes);
	err = errno;
	hist_add(w, "RESIZE fd %d%s %u -> %u pages (%llu bytes)%s%s -> %d %s", f->fd,
		 f->writable ? "" : " (read-only)", cur, nr,
		 (unsigned long long)bytes, *busy ? ": " : "", busy, ret,
		 ret ? strerror(err) : "");
	if (ret ? err != want : want != 0) {
		fail(w, "resize from %u to %u pages: %s, want %s%s%s", cur, nr,
		     ret ? strerror(err) : "success",
		     want ? strerror(want) : "success", *busy ? " because " : "", busy);
		return;
	}
	if (ret) {
		if (want == EBUSY) {
			atomic_fetch_add(&sh->stats[w->id].ebusy, 1);
			atomic_store(&sh->drain, 1);
		}
		return;
	}
	if (nr < cur)
		atomic_store(&sh->drain, 0);
	atomic_fetch_add(nr < cur ? &sh->stats[w->id].shrinks : &sh->stats[w->id].grows, 1);
	for (p = nr; p < cur; p++) {
		atomic_store(&sh->pages[p].gen, 0);
		sh->pages[p].removed++;
	}
	atomic_store(&sh->size_pages, nr);
	if (md_info(f->fd, &info) || info.size != (uint64_t)nr * sh->ps) {
		fail(w, "GET_INFO after resizing to %u pages: size %llu", nr,
		     (unsigned long long)info.size);
		return;
	}
	if (nr > cur)
		zero_pages_ok(w, f->fd, cur, nr);
}

/* The module parameter "mode": the mode of new opens. */
void op_default_mode(struct worker *w)
{
	struct shared *sh = w->sh;
	uint32_t mode = rng_below(&w->rng, MMAPDEMO_MODE_COUNT);
	const char *path = "/sys/module/" MD_MODULE "/parameters/mode";
	struct mmapdemo_info info;
	int fd, ok, err;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	ok = fd >= 0 && dprintf(fd, "%s\n", md_mode_name(mode)) > 0;
	err = errno;
	if (fd >= 0)
		close(fd);
	hist_add(w, "default mode %s -> %s", md_mode_name(mode), ok ? "ok" : strerror(err));
	if (mode == MMAPDEMO_MODE_HUGE && !sh->huge) {
		if (ok || err != EOPNOTSUPP)
			fail(w, "writing huge to %s where the driver has no huge mode: %s, want %s",
			     path, ok ? "success" : strerror(err), strerror(EOPNOTSUPP));
		return;
	}
	if (!ok) {
		fail(w, "writing %s to %s: %s", md_mode_name(mode), path, strerror(errno));
		return;
	}
	atomic_store(&sh->default_mode, mode);
	fd = md_open(O_RDONLY);
	if (fd < 0 || md_info(fd, &info) || info.mode != mode ||
	    info.default_mode != mode)
		fail(w, "a file opened after setting the default mode to %s has mode %u (default %u)",
		     md_mode_name(mode), fd < 0 ? 99 : info.mode,
		     fd < 0 ? 99 : info.default_mode);
	if (fd >= 0)
		close(fd);
}

void op_unload(struct worker *w)
{
	char why[256] = "";
	int ret, err;

	ret = md_module_unload(why, sizeof(why));
	err = errno;
	hist_add(w, "unload -> %d %s", ret, ret ? strerror(err) : "");
	if (!ret)
		fail(w, "the module unloaded while the device is open and mapped");
	else if (err != EAGAIN)
		fail(w, "unload while in use: %s (%s), want EAGAIN", strerror(err), why);
}
