// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-stress: one worker thread. It runs batches of random
 * operations with the resize lock held shared, and now and then a resize
 * or a default-mode switch with it held exclusively, or an unload attempt,
 * until the time, the operation budget or a failure anywhere stops it.
 * Within its process, fork and munmap hold the fork lock exclusively so
 * that what fork must do and what an unmapped range must show are exact.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "stress.h"

extern __thread struct worker *trap_worker;

/* Relative weights of the operations of a batch. */
static const unsigned int weights[NR_OPS] = {
	[OP_OPEN] = 4, [OP_CLOSE] = 3, [OP_MODE] = 4, [OP_INFO] = 2,
	[OP_MMAP] = 12, [OP_READ] = 22, [OP_WRITE] = 14, [OP_PRIV_WRITE] = 8,
	[OP_FORK] = 2, [OP_MUNMAP] = 8, [OP_MREMAP] = 6, [OP_DONTNEED] = 5,
	[OP_PREAD] = 6, [OP_PWRITE] = 5,
};

static void (*const batch_ops[NR_OPS])(struct worker *) = {
	[OP_OPEN] = op_open, [OP_CLOSE] = op_close, [OP_MODE] = op_mode,
	[OP_INFO] = op_info, [OP_MMAP] = op_mmap, [OP_READ] = op_read,
	[OP_WRITE] = op_write, [OP_PRIV_WRITE] = op_priv_write,
	[OP_FORK] = op_fork, [OP_MUNMAP] = op_munmap, [OP_MREMAP] = op_mremap,
	[OP_DONTNEED] = op_dontneed, [OP_PREAD] = op_pread,
	[OP_PWRITE] = op_pwrite,
};

void count_op(struct worker *w, enum op_kind k)
{
	atomic_fetch_add_explicit(&w->sh->stats[w->id].ops[k], 1,
				  memory_order_relaxed);
}

static bool stopping(struct worker *w)
{
	struct shared *sh = w->sh;

	return atomic_load(&sh->failed) || now_ns() >= sh->deadline_ns ||
	       atomic_load(&sh->ops_done) >= sh->ops_limit;
}

/* Take one operation from the budget; false when it is spent. */
static bool take_op(struct worker *w)
{
	if (atomic_fetch_add(&w->sh->ops_done, 1) >= w->sh->ops_limit)
		return false;
	w->opno++;
	return true;
}

struct map *pick_map(struct worker *w, bool (*want)(const struct map *))
{
	unsigned int start = rng_below(&w->rng, MAX_MAPS), i;

	for (i = 0; i < MAX_MAPS; i++) {
		struct map *m = &w->maps[(start + i) % MAX_MAPS];

		if (m->used && (!want || want(m)))
			return m;
	}
	return NULL;
}

struct fdent *pick_fd(struct worker *w, bool writable)
{
	unsigned int start = rng_below(&w->rng, MAX_FDS), i;

	for (i = 0; i < MAX_FDS; i++) {
		struct fdent *f = &w->fds[(start + i) % MAX_FDS];

		if (f->fd >= 0 && (!writable || f->writable))
			return f;
	}
	return NULL;
}

/* A read-write file, opened now if we have none. */
struct fdent *ensure_fd(struct worker *w)
{
	struct fdent *f = pick_fd(w, true);
	struct mmapdemo_info info;
	int i;

	if (f)
		return f;
	for (i = 0; i < MAX_FDS && w->fds[i].fd >= 0; i++)
		;
	if (i == MAX_FDS) {
		close(w->fds[0].fd);
		hist_add(w, "close fd %d (to make room)", w->fds[0].fd);
		i = 0;
	}
	f = &w->fds[i];
	f->fd = md_open(O_RDWR);
	if (f->fd < 0 || md_info(f->fd, &info)) {
		fail(w, "open O_RDWR or GET_INFO: %s", strerror(errno));
		if (f->fd >= 0)
			close(f->fd);
		f->fd = -1;
		return NULL;
	}
	f->mode = (uint8_t)info.mode;
	f->writable = true;
	hist_add(w, "open O_RDWR -> fd %d (mode %s)", f->fd, md_mode_name(f->mode));
	return f;
}

/*
 * Does page @i of @m hold a private copy still? A shrink that removed its
 * buffer page zapped it (unmap_mapping_range(even_cows)).
 */
bool map_page_gone(struct worker *w, const struct map *m, uint32_t i)
{
	const struct map_page *mp = &m->page[i];

	return mp->priv_gen &&
	       mp->removed != w->sh->pages[m->pgoff + i].removed;
}

/* Keep proc->cow_first: our private remap VMAs whose first page is a copy. */
void cow_recount(struct worker *w)
{
	int n = 0, i;

	for (i = 0; i < MAX_MAPS; i++) {
		const struct map *m = &w->maps[i];

		if (m->used && m->mode == MMAPDEMO_MODE_REMAP && !m->shared &&
		    m->page[0].priv_gen)
			n++;
	}
	if (n != w->cow_first) {
		atomic_fetch_add(&w->proc->cow_first, n - w->cow_first);
		w->cow_first = n;
	}
}

static enum op_kind pick_kind(struct worker *w)
{
	unsigned int total = 0, r, k;

	for (k = 0; k < NR_OPS; k++)
		if (!(w->sh->skip & (1u << k)))
			total += weights[k];
	if (!total)
		return OP_INFO;
	r = rng_below(&w->rng, total);
	for (k = 0; k < NR_OPS; k++) {
		if (w->sh->skip & (1u << k))
			continue;
		if (r < weights[k])
			return (enum op_kind)k;
		r -= weights[k];
	}
	return OP_INFO;
}

static void one_op(struct worker *w)
{
	enum op_kind k = pick_kind(w);
	pthread_rwlock_t *fl = &w->proc->fork_lock;
	bool excl;
	int i;

	if (k == OP_MMAP && !(w->sh->skip & (1u << OP_MUNMAP))) {
		/* All mapping slots taken: unmap instead. */
		for (i = 0; i < MAX_MAPS && w->maps[i].used; i++)
			;
		if (i == MAX_MAPS)
			k = OP_MUNMAP;
	}
	excl = k == OP_FORK || k == OP_MUNMAP;

	if (excl)
		pthread_rwlock_wrlock(fl);
	else
		pthread_rwlock_rdlock(fl);
	batch_ops[k](w);
	count_op(w, k);
	cow_recount(w);
	pthread_rwlock_unlock(fl);
}

static void exclusive_op(struct worker *w, void (*op)(struct worker *),
			 enum op_kind k)
{
	if (w->sh->skip & (1u << k))
		return;
	pthread_rwlock_wrlock(&w->sh->resize_lock);
	pthread_rwlock_rdlock(&w->proc->fork_lock);
	if (!atomic_load(&w->sh->failed)) {
		op(w);
		count_op(w, k);
	}
	pthread_rwlock_unlock(&w->proc->fork_lock);
	pthread_rwlock_unlock(&w->sh->resize_lock);
}

void worker_run(struct worker *w)
{
	struct shared *sh = w->sh;
	unsigned int n, i, r;

	trap_worker = w;
	while (!stopping(w)) {
		r = rng_below(&w->rng, 1000);
		if (r < 30) {
			if (take_op(w))
				exclusive_op(w, op_resize, OP_RESIZE);
		} else if (r < 35) {
			if (take_op(w))
				exclusive_op(w, op_default_mode, OP_DEFAULT_MODE);
		} else if (r < 40) {
			if (take_op(w) && !(sh->skip & (1u << OP_UNLOAD))) {
				/* libkmod maps files: not while a munmap is checked */
				pthread_rwlock_rdlock(&w->proc->fork_lock);
				op_unload(w);
				count_op(w, OP_UNLOAD);
				pthread_rwlock_unlock(&w->proc->fork_lock);
			}
		} else {
			pthread_rwlock_rdlock(&sh->resize_lock);
			if (atomic_load(&sh->drain)) {
				pthread_rwlock_rdlock(&w->proc->fork_lock);
				unmap_pinned(w);
				cow_recount(w);
				pthread_rwlock_unlock(&w->proc->fork_lock);
			}
			n = 1 + rng_below(&w->rng, 8);
			for (i = 0; i < n && !atomic_load(&sh->failed); i++) {
				if (!take_op(w))
					break;
				one_op(w);
			}
			pthread_rwlock_unlock(&sh->resize_lock);
		}
	}

	pthread_rwlock_rdlock(&sh->resize_lock);
	pthread_rwlock_rdlock(&w->proc->fork_lock);
	unmap_all(w);
	cow_recount(w);
	for (i = 0; i < MAX_FDS; i++) {
		if (w->fds[i].fd >= 0)
			close(w->fds[i].fd);
		w->fds[i].fd = -1;
	}
	pthread_rwlock_unlock(&w->proc->fork_lock);
	pthread_rwlock_unlock(&sh->resize_lock);
}
