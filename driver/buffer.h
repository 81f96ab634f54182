/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The buffer: the device's kernel pages, looked up without locks by the
 * fault path and replaced as a whole by resize.
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
	unsigned long first_pfn;	/* private remap: PFN of page @first */
	u32 mode;			/* enum mmapdemo_mode */
	bool private;
};

struct mmapdemo_buf {
	/*
	 * @lock serialises every writer of @pages (resize) with the users
	 * of @pins (mmap of the prepopulated modes, their last close) and
	 * keeps the page array stable while a prepopulated mmap maps it.
	 * The fault path never takes it.
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
struct page *mmapdemo_buf_get_page(struct mmapdemo_buf *buf, pgoff_t idx);
bool mmapdemo_buf_has_page(struct mmapdemo_buf *buf, pgoff_t idx,
			   struct page *page);
bool mmapdemo_pages_contiguous(const struct mmapdemo_pages *pages,
			       pgoff_t first, unsigned long nr);

void mmapdemo_pin_add(struct mmapdemo_buf *buf, struct mmapdemo_pin *pin);
void mmapdemo_pin_put(struct mmapdemo_buf *buf, struct mmapdemo_pin *pin);

#endif /* MMAPDEMO_BUFFER_H */
