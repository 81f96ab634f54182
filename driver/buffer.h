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

#include "compat.h"

/*
 * One generation of the buffer's page array. Readers find it with
 * rcu_dereference() and never see it change: resize publishes a new one.
 * The buffer holds one reference per page, so a fault can take and hand
 * out references page by page: each page is an order-0 page, or (where
 * huge mode exists) one of the 512 pages of a 2 MiB folio that fills a
 * naturally aligned 2 MiB of the buffer, whose reference is the folio's.
 */
struct mmapdemo_pages {
	struct rcu_head rcu;
	refcount_t users;	/* the buffer's, and each pending pin's */
	unsigned long nr;
	struct page *page[];
};

/*
 * A prepopulated mapping (remap or insert mode). With ->mmap its PTEs are
 * made there, before the VMA is linked where unmap_mapping_range() looks,
 * so resize cannot zap them and refuses to remove pages a pin covers.
 * A private remap mapping is worse: remap_pfn_range() replaced its
 * vm_pgoff by a page frame number, so it sits in the file's mapping tree
 * under the wrong key. While one exists, no shrink is allowed at all.
 *
 * With mmap_prepare the core mm makes the PTEs after the VMA exists, by
 * the action mmap_prepare described, from PFNs or a page array read
 * there. So the pin is made in mmap_prepare, pending: it holds the page
 * array (a grow may replace the buffer's) and the mm whose mmap made it,
 * until ->mapped, which runs after the action, completes it. An mmap that
 * fails after mmap_prepare and before its VMA exists leaves a pending pin
 * that no hook of the driver sees; see mmapdemo_pin_abandoned().
 */
struct mmapdemo_pin {
	struct list_head node;		/* in mmapdemo_buf.pins or .abandoned */
	refcount_t users;		/* VMAs sharing it: splits, forks */
	pgoff_t first;			/* buffer pages [first, last) */
	pgoff_t last;
	bool private;			/* a private remap mapping */
	bool cow;			/* a mapping that may copy on write */
	bool mapped;			/* counted: ->mmap or ->mapped ran */
	/* Pending, from mmap_prepare until ->mapped: */
	struct mm_struct *mm;		/* whose mmap made it, mmgrab()bed */
	struct mmapdemo_pages *pages;	/* the array the action reads */
	const struct file *file;	/* whose mmap made it; no reference */
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
	 * and @abandoned (the mmap or mmap_prepare of the prepopulated
	 * modes, their ->mapped, the last close of their VMAs, which
	 * munmap() waits for under mmap_lock, and the release of a file)
	 * and keeps the array stable while a prepopulated mmap maps it. It is never held
	 * across an allocation: a shrink holds it across one grace period
	 * and the unmap of the removed range. The fault path never takes it.
	 */
	struct mutex lock;
	struct mmapdemo_pages __rcu *pages;
	struct list_head pins;
	/* Pending pins no mmap will complete, until their file's release. */
	struct list_head abandoned;
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
/* The 2 MiB folios that ->huge_fault can map (0 without huge mode). */
unsigned long mmapdemo_buf_folios(struct mmapdemo_buf *buf);
unsigned long mmapdemo_pages_run(struct page *const *page, unsigned long nr);

/* read() and write(): the page at @idx with a reference, or NULL. */
struct page *mmapdemo_buf_get_page(struct mmapdemo_buf *buf, pgoff_t idx);
/* ->fault: the same, locked and still the buffer's, or NULL. */
struct page *mmapdemo_buf_lock_page(struct mmapdemo_buf *buf, pgoff_t idx);
#ifdef MMAPDEMO_HUGE
/*
 * ->huge_fault: the 2 MiB folio that is the buffer's pages [@idx, @idx +
 * HPAGE_PMD_NR), locked, still the buffer's and with a reference of its
 * own; or NULL if those pages are not one such folio.
 */
struct folio *mmapdemo_buf_lock_folio(struct mmapdemo_buf *buf, pgoff_t idx);
#endif

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
/* The prepopulated modes' ->mmap: map the range and pin it, or fail. */
int mmapdemo_buf_map_pinned(struct mmapdemo_buf *buf, pgoff_t first,
			    unsigned long nr, bool private, mmapdemo_map_fn map,
			    void *arg, struct mmapdemo_pin **pinp);
/*
 * Their mmap_prepare: pin the range, pending, and let @describe tell the
 * core mm how to map its pages; ->mapped completes the pin.
 */
int mmapdemo_buf_pin_pending(struct mmapdemo_buf *buf, pgoff_t first,
			     unsigned long nr, bool private, bool cow,
			     const struct file *file, mmapdemo_map_fn describe,
			     void *arg, struct mmapdemo_pin **pinp);
void mmapdemo_pin_mapped(struct mmapdemo_buf *buf, struct mmapdemo_pin *pin);
/* @file is released: no mmap of it is in flight, none will complete. */
void mmapdemo_buf_release_file(struct mmapdemo_buf *buf,
			       const struct file *file);

void mmapdemo_pin_get(struct mmapdemo_pin *pin);
void mmapdemo_pin_put(struct mmapdemo_buf *buf, struct mmapdemo_pin *pin);

#endif /* MMAPDEMO_BUFFER_H */
