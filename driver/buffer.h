/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The buffer: the device's kernel pages, looked up without locks by the
 * fault path and replaced as a whole by resize. Its protocol (the RCU
 * page array, the page lock and recheck against a shrink, the pins) lives
 * in buffer.c alone: the rest of the driver asks for pages through these
 * functions and never touches the array.
 */
#ifndef MMAPDEMO_BUFFER_H
#define MMAPDEMO_BUFFER_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>

/*
 * One generation of the buffer's page array. Readers find it with
 * rcu_dereference() and never see it change: resize publishes a new one.
 * Each page is an order-0 page with its own reference held by the
 * buffer, so a fault can take and hand out references page by page.
 */
struct mmapdemo_pages {
	struct rcu_head rcu;
	unsigned long nr;
	struct page *page[];
};

/*
 * A prepopulated mapping (remap or insert mode). Its PTEs were made in
 * ->mmap, before the VMA was linked where unmap_mapping_range() looks, so
 * resize cannot zap them and refuses to remove pages a pin covers.
 * A private remap mapping is worse: remap_pfn_range() replaced its
 * vm_pgoff by a page frame number, so it sits in the file's mapping tree
 * under the wrong key. While one exists, no shrink is allowed at all.
 */
struct mmapdemo_pin {
	struct list_head node;		/* in mmapdemo_buf.pins */
	refcount_t users;		/* VMAs sharing it: splits, forks */
	pgoff_t first;			/* buffer pages [first, last) */
	pgoff_t last;
	bool private;			/* a private remap mapping */
};

struct mmapdemo_buf {
	/*
	 * @resize_lock serialises resizes, so that a grow can allocate its
	 * pages, which may take long, without holding @lock. Nothing but
	 * resize takes it.
	 */
	struct mutex resize_lock;
	/*
	 * @lock serialises the publishing of @pages with the users of @pins
	 * (the mmap of the prepopulated modes, the last close of their
	 * VMAs, which munmap() waits for under mmap_lock) and keeps the
	 * array stable while a prepopulated mmap maps it. It is never held
	 * across an allocation: a shrink holds it across one grace period
	 * and the unmap of the removed range. The fault path never takes it.
	 */
	struct mutex lock;
	struct mmapdemo_pages __rcu *pages;
	struct list_head pins;
	unsigned int alloc_order;	/* largest allocation order tried */
	atomic_long_t allocated;	/* pages whose reference we hold */
};

int mmapdemo_buf_init(struct mmapdemo_buf *buf, unsigned long nr_pages,
		      unsigned int alloc_order);
void mmapdemo_buf_destroy(struct mmapdemo_buf *buf);
int mmapdemo_buf_resize(struct mmapdemo_buf *buf, unsigned long nr_pages,
			struct address_space *mapping);

unsigned long mmapdemo_buf_nr_pages(struct mmapdemo_buf *buf);
unsigned long mmapdemo_buf_segments(struct mmapdemo_buf *buf);
unsigned long mmapdemo_pages_run(struct page *const *page, unsigned long nr);

/* read() and write(): the page at @idx with a reference, or NULL. */
struct page *mmapdemo_buf_get_page(struct mmapdemo_buf *buf, pgoff_t idx);
/* ->fault: the same, locked and still the buffer's, or NULL. */
struct page *mmapdemo_buf_lock_page(struct mmapdemo_buf *buf, pgoff_t idx);

/*
 * How a caller maps @nr of the buffer's pages starting at buffer page
 * @first, @page[0 .. @nr). Returns what it mapped (window) or 0/-errno
 * (pinned); it must undo what it mapped before it returns an error.
 */
typedef long (*mmapdemo_map_fn)(void *arg, pgoff_t first,
				struct page **page, unsigned long nr);

/* ->map_pages: under RCU, so @map must not sleep. */
long mmapdemo_buf_map_window(struct mmapdemo_buf *buf, pgoff_t first,
			     pgoff_t last, mmapdemo_map_fn map, void *arg);
/* The prepopulated modes' mmap: map the range and pin it, or fail. */
int mmapdemo_buf_map_pinned(struct mmapdemo_buf *buf, pgoff_t first,
			    unsigned long nr, bool private, mmapdemo_map_fn map,
			    void *arg, struct mmapdemo_pin **pinp);

void mmapdemo_pin_get(struct mmapdemo_pin *pin);
void mmapdemo_pin_put(struct mmapdemo_buf *buf, struct mmapdemo_pin *pin);

#endif /* MMAPDEMO_BUFFER_H */
