// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo: the buffer of kernel pages.
 *
 * Pages come from high-order allocations where the allocator has them, so
 * that runs of the buffer are physically contiguous for remap_pfn_range(),
 * and are split into order-0 pages, so that each has its own reference
 * count for the fault path. They are zeroed before anyone can see them.
 *
 * Readers (faults, read(), write()) look pages up under RCU. Resize builds
 * a new page array and publishes it; a shrink then waits for readers,
 * unmaps the removed range from every demand-paged mapping and only then
 * drops the buffer's references.
 */
#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>

#include "buffer.h"
#include "compat.h"
#include "trace.h"

static struct mmapdemo_pages *pages_alloc(unsigned long nr)
{
	struct mmapdemo_pages *pages;

	pages = kvzalloc(struct_size(pages, page, nr), GFP_KERNEL);
	if (pages)
		pages->nr = nr;
	return pages;
}

static void pages_put(struct mmapdemo_buf *buf, struct page **page,
		      unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++)
		put_page(page[i]);
	atomic_long_sub(nr, &buf->allocated);
}

/* Fill @page[0..@nr) with zeroed pages, each with one reference. */
static int pages_fill(struct mmapdemo_buf *buf, struct page **page,
		      unsigned long nr)
{
	unsigned int order = buf->alloc_order;
	unsigned long done = 0;

	while (done < nr) {
		unsigned int o = min_t(unsigned int, order, ilog2(nr - done));
		gfp_t gfp = GFP_USER | __GFP_ZERO | __GFP_NOWARN;
		struct page *p;
		unsigned long i;

		/*
		 * High orders are a bonus: give up fast and try smaller.
		 * Single pages: try hard, but fail (ENOMEM) rather than
		 * wake the OOM killer for a buffer too big for the machine.
		 */
		gfp |= o ? __GFP_NORETRY : __GFP_RETRY_MAYFAIL;
		p = alloc_pages(gfp, o);
		if (!p) {
			if (!o)
				goto fail;
			order = o - 1;
			continue;
		}
		split_page(p, o);
		for (i = 0; i < (1UL << o); i++)
			page[done++] = p + i;
		atomic_long_add(1UL << o, &buf->allocated);
	}
	return 0;

fail:
	pages_put(buf, page, done);
	return -ENOMEM;
}

int mmapdemo_buf_init(struct mmapdemo_buf *buf, unsigned long nr_pages,
		      unsigned int alloc_order)
{
	struct mmapdemo_pages *pages;
	int ret;

	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->pins);
	atomic_long_set(&buf->allocated, 0);
	buf->alloc_order = alloc_order;

	pages = pages_alloc(nr_pages);
	if (!pages)
		return -ENOMEM;
	ret = pages_fill(buf, pages->page, nr_pages);
	if (ret) {
		kvfree(pages);
		return ret;
	}
	RCU_INIT_POINTER(buf->pages, pages);
	return 0;
}

/* Module exit: no file is open and no mapping is left. */
void mmapdemo_buf_destroy(struct mmapdemo_buf *buf)
{
	struct mmapdemo_pages *pages = rcu_dereference_protected(buf->pages, 1);

	WARN_ON(!list_empty(&buf->pins));
	pages_put(buf, pages->page, pages->nr);
	RCU_INIT_POINTER(buf->pages, NULL);
	kvfree(pages);
	WARN_ON(atomic_long_read(&buf->allocated));
}

unsigned long mmapdemo_buf_nr_pages(struct mmapdemo_buf *buf)
{
	unsigned long nr;

	rcu_read_lock();
	nr = rcu_dereference(buf->pages)->nr;
	rcu_read_unlock();
	return nr;
}

bool mmapdemo_pages_contiguous(const struct mmapdemo_pages *pages,
			       pgoff_t first, unsigned long nr)
{
	unsigned long pfn = page_to_pfn(pages->page[first]);
	unsigned long i;

	for (i = 1; i < nr; i++)
		if (page_to_pfn(pages->page[first + i]) != pfn + i)
			return false;
	return true;
}

unsigned long mmapdemo_buf_segments(struct mmapdemo_buf *buf)
{
	struct mmapdemo_pages *pages;
	unsigned long i, segments = 0;

	rcu_read_lock();
	pages = rcu_dereference(buf->pages);
	for (i = 0; i < pages->nr; i++)
		if (!i || page_to_pfn(pages->page[i]) !=
			  page_to_pfn(pages->page[i - 1]) + 1)
			segments++;
	rcu_read_unlock();
	return segments;
}

/* The page at @idx with a reference for the caller, or NULL past the end. */
struct page *mmapdemo_buf_get_page(struct mmapdemo_buf *buf, pgoff_t idx)
{
	struct mmapdemo_pages *pages;
	struct page *page = NULL;

	rcu_read_lock();
	pages = rcu_dereference(buf->pages);
	if (idx < pages->nr) {
		page = pages->page[idx];
		get_page(page);
	}
	rcu_read_unlock();
	return page;
}

/* Is @page still the buffer's page at @idx? */
bool mmapdemo_buf_has_page(struct mmapdemo_buf *buf, pgoff_t idx,
			   struct page *page)
{
	struct mmapdemo_pages *pages;
	bool ret;

	rcu_read_lock();
	pages = rcu_dereference(buf->pages);
	ret = idx < pages->nr && pages->page[idx] == page;
	rcu_read_unlock();
	return ret;
}

/* May pages [@first, @last) go away? Called with buf->lock held. */
static bool pins_allow_shrink(struct mmapdemo_buf *buf, pgoff_t first,
			      pgoff_t last)
{
	struct mmapdemo_pin *pin;

	list_for_each_entry(pin, &buf->pins, node)
		if (pin->private || (pin->first < last && first < pin->last))
			return false;
	return true;
}

/*
 * Removing pages: readers that found the old array are done after the
 * grace period. A fault that took a page before that holds the page lock
 * until its PTE is set (->fault returns VM_FAULT_LOCKED), and one that
 * locks it later sees the new array and backs off, so after a lock and
 * unlock of every removed page no new PTE can appear, and unmapping the
 * range removes the rest, private copies included, as truncate does.
 */
static void shrink_removed(struct mmapdemo_buf *buf, struct mmapdemo_pages *old,
			   unsigned long nr, struct address_space *mapping)
{
	unsigned long i;

	synchronize_rcu();
	for (i = nr; i < old->nr; i++) {
		lock_page(old->page[i]);
		unlock_page(old->page[i]);
	}
	unmap_mapping_range(mapping, (loff_t)nr << PAGE_SHIFT,
			    (loff_t)(old->nr - nr) << PAGE_SHIFT, 1);
	pages_put(buf, old->page + nr, old->nr - nr);
}

int mmapdemo_buf_resize(struct mmapdemo_buf *buf, unsigned long nr,
			struct address_space *mapping)
{
	struct mmapdemo_pages *old, *new;
	unsigned long keep, old_nr;
	int ret = 0;

	mutex_lock(&buf->lock);
	old = rcu_dereference_protected(buf->pages, lockdep_is_held(&buf->lock));
	old_nr = old->nr;
	if (nr == old->nr)
		goto out;
	if (nr < old->nr && !pins_allow_shrink(buf, nr, old->nr)) {
		ret = -EBUSY;
		goto out;
	}
	new = pages_alloc(nr);
	if (!new) {
		ret = -ENOMEM;
		goto out;
	}
	keep = min(nr, old->nr);
	memcpy(new->page, old->page, keep * sizeof(new->page[0]));
	if (nr > old->nr) {
		ret = pages_fill(buf, new->page + keep, nr - keep);
		if (ret) {
			kvfree(new);
			goto out;
		}
	}
	rcu_assign_pointer(buf->pages, new);
	if (nr < old->nr) {
		shrink_removed(buf, old, nr, mapping);
		kvfree(old);
	} else {
		kvfree_rcu(old, rcu);
	}
out:
	trace_mmapdemo_resize(old_nr, nr, ret);
	mutex_unlock(&buf->lock);
	return ret;
}

/* Called with buf->lock held, by the mmap of a prepopulated mode. */
void mmapdemo_pin_add(struct mmapdemo_buf *buf, struct mmapdemo_pin *pin)
{
	lockdep_assert_held(&buf->lock);
	refcount_set(&pin->users, 1);
	list_add(&pin->node, &buf->pins);
}

/* Called when a VMA holding @pin closes, with mmap_lock held. */
void mmapdemo_pin_put(struct mmapdemo_buf *buf, struct mmapdemo_pin *pin)
{
	if (!refcount_dec_and_test(&pin->users))
		return;
	mutex_lock(&buf->lock);
	list_del(&pin->node);
	mutex_unlock(&buf->lock);
	kfree(pin);
}
