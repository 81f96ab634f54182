// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo: the buffer of kernel pages.
 *
 * Pages come from high-order allocations where the allocator has them, so
 * that runs of the buffer are physically contiguous for remap_pfn_range(),
 * and are split into order-0 pages, so that each has its own reference
 * count for the fault path. Where huge mode exists, each naturally aligned
 * 2 MiB of the buffer is a 2 MiB folio instead when the allocator has one,
 * with one folio reference per page: put_page() of its pages frees it, as
 * it frees split pages. A shrink that cuts such a folio drops the
 * references of the pages it removes; the folio's memory goes back when
 * its last page leaves the buffer (and the last mapping of it goes). They
 * are zeroed before anyone can see them, and charged to the memory cgroup
 * of whoever loads or grows the buffer, as tmpfs charges its pages to the
 * writer.
 *
 * Readers (faults, read(), write()) look pages up under RCU. Resize builds
 * a new page array and publishes it; a shrink then waits for readers,
 * unmaps the removed range from every demand-paged mapping and only then
 * drops the buffer's references.
 */
#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "buffer.h"
#include "compat.h"
#include "trace.h"

static struct mmapdemo_pages *mmapdemo_pages_alloc(unsigned long nr)
{
	struct mmapdemo_pages *pages;

	pages = kvzalloc(struct_size(pages, page, nr), GFP_KERNEL_ACCOUNT);
	if (pages) {
		refcount_set(&pages->users, 1);
		pages->nr = nr;
	}
	return pages;
}

/* Drop a reference to an array that was published; readers may hold it. */
static void mmapdemo_pages_unref(struct mmapdemo_pages *pages)
{
	if (refcount_dec_and_test(&pages->users))
		kvfree_rcu(pages, rcu);
}

static void mmapdemo_pages_put(struct mmapdemo_buf *buf, struct page **page,
			       unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++)
		put_page(page[i]);
	atomic_long_sub(nr, &buf->allocated);
}

#ifdef MMAPDEMO_HUGE
/*
 * A 2 MiB folio for buffer pages [@idx, @idx + HPAGE_PMD_NR) of @page,
 * where @idx is aligned and the allocation order allows; one reference
 * per page. The allocator gives one up fast: smaller runs do as well.
 * Returns the pages filled: HPAGE_PMD_NR, or 0.
 */
static unsigned long mmapdemo_pages_fill_folio(struct mmapdemo_buf *buf,
					       struct page **page, pgoff_t idx,
					       unsigned long left,
					       unsigned int order, gfp_t gfp)
{
	struct folio *folio;
	unsigned long i;

	if (order < HPAGE_PMD_ORDER || left < HPAGE_PMD_NR ||
	    !IS_ALIGNED(idx, HPAGE_PMD_NR))
		return 0;
	folio = folio_alloc(gfp | __GFP_NORETRY, HPAGE_PMD_ORDER);
	if (!folio)
		return 0;
	/* Left by its last user; finish_fault() reads it (mmapdemo_fault()). */
	folio->index = 0;
	folio_ref_add(folio, HPAGE_PMD_NR - 1);
	for (i = 0; i < HPAGE_PMD_NR; i++)
		page[i] = folio_page(folio, i);
	atomic_long_add(HPAGE_PMD_NR, &buf->allocated);
	return HPAGE_PMD_NR;
}

/* Pages to the next 2 MiB boundary of the buffer from @idx, or 0. */
static unsigned long mmapdemo_pages_to_pmd(pgoff_t idx)
{
	return -idx & (HPAGE_PMD_NR - 1);
}
#else
static unsigned long mmapdemo_pages_fill_folio(struct mmapdemo_buf *buf,
					       struct page **page, pgoff_t idx,
					       unsigned long left,
					       unsigned int order, gfp_t gfp)
{
	return 0;
}

static unsigned long mmapdemo_pages_to_pmd(pgoff_t idx)
{
	return 0;
}
#endif

/*
 * Fill @page[0..@nr), the buffer's pages from @first on, with zeroed
 * pages, each with one reference. Stops with -EINTR when the caller is
 * killed: a grow of 1 GiB takes a while.
 */
static int mmapdemo_pages_fill(struct mmapdemo_buf *buf, struct page **page,
			       pgoff_t first, unsigned long nr)
{
	unsigned int order = buf->alloc_order;
	unsigned long done = 0;
	int ret = -ENOMEM;

	while (done < nr) {
		unsigned int o = min_t(unsigned int, order, ilog2(nr - done));
		gfp_t gfp = GFP_USER | __GFP_ZERO | __GFP_NOWARN | __GFP_ACCOUNT;
		unsigned long to_pmd = mmapdemo_pages_to_pmd(first + done);
		unsigned long i, n;
		struct page *p;

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto fail;
		}
		n = mmapdemo_pages_fill_folio(buf, page + done, first + done,
					      nr - done, order, gfp);
		if (n) {
			done += n;
			cond_resched();
			continue;
		}
		/* A split run stops at the next 2 MiB, where a folio may go. */
		if (to_pmd)
			o = min_t(unsigned int, o, ilog2(to_pmd));
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
		cond_resched();
	}
	return 0;

fail:
	mmapdemo_pages_put(buf, page, done);
	return ret;
}

int mmapdemo_buf_init(struct mmapdemo_buf *buf, unsigned long nr_pages,
		      unsigned int alloc_order)
{
	struct mmapdemo_pages *pages;
	int ret;

	mutex_init(&buf->resize_lock);
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->pins);
	INIT_LIST_HEAD(&buf->abandoned);
	atomic_long_set(&buf->allocated, 0);
	buf->alloc_order = alloc_order;

	pages = mmapdemo_pages_alloc(nr_pages);
	if (!pages)
		return -ENOMEM;
	ret = mmapdemo_pages_fill(buf, pages->page, 0, nr_pages);
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
	WARN_ON(!list_empty(&buf->abandoned));
	mmapdemo_pages_put(buf, pages->page, pages->nr);
	RCU_INIT_POINTER(buf->pages, NULL);
	mmapdemo_pages_unref(pages);
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

/*
 * The length of the physically contiguous run that starts at @page[0],
 * at most @nr: the one place contiguity is computed.
 */
unsigned long mmapdemo_pages_run(struct page *const *page, unsigned long nr)
{
	unsigned long pfn = page_to_pfn(page[0]);
	unsigned long run;

	for (run = 1; run < nr; run++)
		if (page_to_pfn(page[run]) != pfn + run)
			break;
	return run;
}

unsigned long mmapdemo_buf_segments(struct mmapdemo_buf *buf)
{
	struct mmapdemo_pages *pages;
	unsigned long i, segments = 0;

	rcu_read_lock();
	pages = rcu_dereference(buf->pages);
	for (i = 0; i < pages->nr; segments++)
		i += mmapdemo_pages_run(&pages->page[i], pages->nr - i);
	rcu_read_unlock();
	return segments;
}

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
static bool mmapdemo_buf_has_page(struct mmapdemo_buf *buf, pgoff_t idx,
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

/*
 * The truncate protocol's reader side: take the page, lock it, and check
 * it is still the buffer's, since a shrink may have removed it between
 * the lookup and the lock (see mmapdemo_shrink_unmap()). The caller gets
 * it locked, with a reference of its own, and keeps it locked until its
 * PTE is set (->fault returns VM_FAULT_LOCKED).
 */
struct page *mmapdemo_buf_lock_page(struct mmapdemo_buf *buf, pgoff_t idx)
{
	struct page *page;

	for (;;) {
		page = mmapdemo_buf_get_page(buf, idx);
		if (!page)
			return NULL;
		lock_page(page);
		if (mmapdemo_buf_has_page(buf, idx, page))
			return page;
		unlock_page(page);
		put_page(page);
	}
}

#ifdef MMAPDEMO_HUGE
/* Are @pages [@idx, @idx + HPAGE_PMD_NR) the pages of @folio, in order? */
static bool mmapdemo_pages_are_folio(struct mmapdemo_pages *pages, pgoff_t idx,
				     struct folio *folio)
{
	/*
	 * A folio's pages go into the array together, in order (fill), and
	 * leave it from the end (shrink): its first and last page in place
	 * mean all of them are.
	 */
	return idx < pages->nr && HPAGE_PMD_NR <= pages->nr - idx &&
	       folio_order(folio) == HPAGE_PMD_ORDER &&
	       pages->page[idx] == folio_page(folio, 0) &&
	       pages->page[idx + HPAGE_PMD_NR - 1] ==
	       folio_page(folio, HPAGE_PMD_NR - 1);
}

static struct folio *mmapdemo_buf_get_folio(struct mmapdemo_buf *buf,
					    pgoff_t idx)
{
	struct mmapdemo_pages *pages;
	struct folio *folio = NULL;

	rcu_read_lock();
	pages = rcu_dereference(buf->pages);
	if (idx < pages->nr) {
		folio = page_folio(pages->page[idx]);
		if (mmapdemo_pages_are_folio(pages, idx, folio))
			folio_get(folio);
		else
			folio = NULL;
	}
	rcu_read_unlock();
	return folio;
}

static bool mmapdemo_buf_has_folio(struct mmapdemo_buf *buf, pgoff_t idx,
				   struct folio *folio)
{
	bool ret;

	rcu_read_lock();
	ret = mmapdemo_pages_are_folio(rcu_dereference(buf->pages), idx, folio);
	rcu_read_unlock();
	return ret;
}

unsigned long mmapdemo_buf_folios(struct mmapdemo_buf *buf)
{
	struct mmapdemo_pages *pages;
	unsigned long i, n = 0;

	rcu_read_lock();
	pages = rcu_dereference(buf->pages);
	for (i = 0; i < pages->nr; i += HPAGE_PMD_NR)
		n += mmapdemo_pages_are_folio(pages, i,
					      page_folio(pages->page[i]));
	rcu_read_unlock();
	return n;
}

/*
 * The same protocol as mmapdemo_buf_lock_page(), for a whole folio: a
 * shrink locks every page it removes, so it waits for the folio's lock,
 * and a fault that locks the folio after sees it gone and backs off.
 */
struct folio *mmapdemo_buf_lock_folio(struct mmapdemo_buf *buf, pgoff_t idx)
{
	struct folio *folio;

	for (;;) {
		folio = mmapdemo_buf_get_folio(buf, idx);
		if (!folio)
			return NULL;
		folio_lock(folio);
		if (mmapdemo_buf_has_folio(buf, idx, folio))
			return folio;
		folio_unlock(folio);
		folio_put(folio);
	}
}
#else
unsigned long mmapdemo_buf_folios(struct mmapdemo_buf *buf)
{
	return 0;
}
#endif

/*
 * Hand @map the pages [@first, @last] that are in the buffer, under RCU:
 * every page it maps is still the buffer's when its PTE is set, as a
 * shrink waits for a grace period before it unmaps and frees.
 */
long mmapdemo_buf_map_window(struct mmapdemo_buf *buf, pgoff_t first,
			     pgoff_t last, mmapdemo_map_fn map, void *arg)
{
	struct mmapdemo_pages *pages;
	long ret = 0;

	rcu_read_lock();
	pages = rcu_dereference(buf->pages);
	if (first < pages->nr) {
		last = min_t(pgoff_t, last, pages->nr - 1);
		if (first <= last)
			ret = map(arg, first, &pages->page[first],
				  last - first + 1);
	}
	rcu_read_unlock();
	return ret;
}

/*
 * Pin [@first, @first + @nr) under @lock: check the range lies in the
 * buffer (-EINVAL), let @map map it or describe how, and record the pin
 * in the same critical section, so that a shrink either sees the pin or
 * ran entirely before, and then the range check fails. A pin for @file's
 * mmap_prepare is pending and holds the array @map was given.
 */
static int mmapdemo_buf_pin(struct mmapdemo_buf *buf, pgoff_t first,
			    unsigned long nr, bool private, bool cow,
			    const struct file *file, mmapdemo_map_fn map,
			    void *arg, struct mmapdemo_pin **pinp)
{
	struct mmapdemo_pages *pages;
	struct mmapdemo_pin *pin;
	long ret;

	pin = mmapdemo_kzalloc_obj(*pin, GFP_KERNEL);
	if (!pin)
		return -ENOMEM;

	mutex_lock(&buf->lock);
	pages = rcu_dereference_protected(buf->pages, lockdep_is_held(&buf->lock));
	ret = -EINVAL;
	if (first < pages->nr && nr <= pages->nr - first)
		ret = map(arg, first, &pages->page[first], nr);
	if (!ret) {
		pin->first = first;
		pin->last = first + nr;
		pin->private = private;
		pin->cow = cow;
		refcount_set(&pin->users, 1);
		if (file) {
			pin->file = file;
			pin->mm = current->mm;
			mmgrab(pin->mm);
			pin->pages = pages;
			refcount_inc(&pages->users);
		} else {
			pin->mapped = true;
		}
		list_add(&pin->node, &buf->pins);
		*pinp = pin;
		pin = NULL;
	}
	mutex_unlock(&buf->lock);
	kfree(pin);
	return ret;
}

/*
 * ->mmap: @map makes every PTE. It undoes its own PTEs when it fails,
 * before @lock is dropped: no PTE without a pin may outlive it.
 */
int mmapdemo_buf_map_pinned(struct mmapdemo_buf *buf, pgoff_t first,
			    unsigned long nr, bool private, mmapdemo_map_fn map,
			    void *arg, struct mmapdemo_pin **pinp)
{
	return mmapdemo_buf_pin(buf, first, nr, private, false, NULL, map,
				arg, pinp);
}

/*
 * mmap_prepare: @describe sets the mmap action from the pages; the core
 * mm maps them once the VMA exists, while the pending pin keeps a shrink
 * from freeing them and the array from going away.
 */
int mmapdemo_buf_pin_pending(struct mmapdemo_buf *buf, pgoff_t first,
			     unsigned long nr, bool private, bool cow,
			     const struct file *file, mmapdemo_map_fn describe,
			     void *arg, struct mmapdemo_pin **pinp)
{
	return mmapdemo_buf_pin(buf, first, nr, private, cow, file, describe,
				arg, pinp);
}

/* A pending pin stops being pending: completed, abandoned or put. */
static void mmapdemo_pin_settle(struct mmapdemo_pin *pin)
{
	if (!pin->mm)
		return;
	mmdrop(pin->mm);
	pin->mm = NULL;
	mmapdemo_pages_unref(pin->pages);
	pin->pages = NULL;
}

/* ->mapped: the action has mapped the pages; the pin is a VMA's now. */
void mmapdemo_pin_mapped(struct mmapdemo_buf *buf, struct mmapdemo_pin *pin)
{
	mutex_lock(&buf->lock);
	mmapdemo_pin_settle(pin);
	pin->mapped = true;
	mutex_unlock(&buf->lock);
}

/*
 * Is @pin pending with no mmap left to complete it? The mmap that made it
 * holds its mm's mmap_lock from mmap_prepare through ->mapped, which
 * takes @lock, held here, to complete it. So if that mmap_lock is free,
 * the mmap failed after mmap_prepare: either no VMA came to be, or the
 * core mm unmapped it (its ->close put the pin). A failed unmap of a
 * failed mapping would leave a VMA holding the pin: it stops blocking a
 * shrink, whose unmap of the range reaches that VMA like any other, and
 * is freed when its last VMA closes.
 */
static bool mmapdemo_pin_abandoned(struct mmapdemo_pin *pin)
{
	if (!pin->mm || !mmap_read_trylock(pin->mm))
		return false;
	mmap_read_unlock(pin->mm);
	return true;
}

/* Under @lock: @pin blocks nothing any more; its file's release frees it. */
static void mmapdemo_pin_abandon(struct mmapdemo_buf *buf,
				 struct mmapdemo_pin *pin)
{
	list_move(&pin->node, &buf->abandoned);
	mmapdemo_pin_settle(pin);
}

void mmapdemo_buf_release_file(struct mmapdemo_buf *buf,
			       const struct file *file)
{
	struct mmapdemo_pin *pin, *next;

	mutex_lock(&buf->lock);
	list_for_each_entry_safe(pin, next, &buf->pins, node) {
		if (pin->mm && pin->file == file)
			mmapdemo_pin_abandon(buf, pin);
	}
	list_for_each_entry_safe(pin, next, &buf->abandoned, node) {
		if (pin->file == file) {
			list_del(&pin->node);
			kfree(pin);
		}
	}
	mutex_unlock(&buf->lock);
}

/* A VMA holding @pin was copied: split, fork or mremap. */
void mmapdemo_pin_get(struct mmapdemo_pin *pin)
{
	refcount_inc(&pin->users);
}

/* A VMA holding @pin closes, with mmap_lock held. */
void mmapdemo_pin_put(struct mmapdemo_buf *buf, struct mmapdemo_pin *pin)
{
	if (!refcount_dec_and_test(&pin->users))
		return;
	mutex_lock(&buf->lock);
	list_del(&pin->node);
	mmapdemo_pin_settle(pin);
	mutex_unlock(&buf->lock);
	kfree(pin);
}

/* May pages [@first, @last) go away? Abandoned pins stop counting. */
static bool mmapdemo_pins_allow_shrink(struct mmapdemo_buf *buf,
				       pgoff_t first, pgoff_t last)
{
	struct mmapdemo_pin *pin, *next;

	lockdep_assert_held(&buf->lock);
	list_for_each_entry_safe(pin, next, &buf->pins, node) {
		if (!pin->private && (pin->last <= first || last <= pin->first))
			continue;
		if (!mmapdemo_pin_abandoned(pin))
			return false;
		mmapdemo_pin_abandon(buf, pin);
	}
	return true;
}

/*
 * Removing pages [@nr, @old->nr), once the smaller array is published:
 * readers that found the old array are done after the grace period. A
 * fault that took a page before that holds the page lock until its PTE is
 * set, and one that locks it later sees the new array and backs off
 * (mmapdemo_buf_lock_page()), so after a lock and unlock of every removed
 * page no new PTE can appear, and unmapping the range removes the rest,
 * private copies included, as truncate does. Under @lock, so that no
 * private remap mapping, whose key in the tree is a PFN, appears while
 * the range is unmapped.
 */
static void mmapdemo_shrink_unmap(struct mmapdemo_buf *buf,
				  struct mmapdemo_pages *old, unsigned long nr,
				  struct address_space *mapping)
{
	unsigned long i;

	lockdep_assert_held(&buf->lock);
	synchronize_rcu();
	for (i = nr; i < old->nr; i++) {
		lock_page(old->page[i]);
		unlock_page(old->page[i]);
	}
	unmap_mapping_range(mapping, (loff_t)nr << PAGE_SHIFT,
			    (loff_t)(old->nr - nr) << PAGE_SHIFT, 1);
}

/*
 * Resize to @nr pages. A grow allocates and zeroes the new pages before
 * it takes @lock, so munmap() of a pinned mapping never waits for that.
 */
int mmapdemo_buf_resize(struct mmapdemo_buf *buf, unsigned long nr,
			struct address_space *mapping)
{
	struct mmapdemo_pages *old, *new;
	unsigned long keep, old_nr;
	int ret = 0;

	if (mutex_lock_killable(&buf->resize_lock))
		return -EINTR;
	/* Only a resize changes the size, and we are the only one. */
	old_nr = mmapdemo_buf_nr_pages(buf);
	if (nr == old_nr)
		goto out;
	keep = min(nr, old_nr);
	new = mmapdemo_pages_alloc(nr);
	if (!new) {
		ret = -ENOMEM;
		goto out;
	}
	if (nr > old_nr) {
		ret = mmapdemo_pages_fill(buf, new->page + keep, keep, nr - keep);
		if (ret) {
			kvfree(new);
			goto out;
		}
	}

	mutex_lock(&buf->lock);
	old = rcu_dereference_protected(buf->pages, lockdep_is_held(&buf->lock));
	if (nr < old_nr && !mmapdemo_pins_allow_shrink(buf, nr, old_nr)) {
		mutex_unlock(&buf->lock);
		kvfree(new);
		ret = -EBUSY;
		goto out;
	}
	memcpy(new->page, old->page, keep * sizeof(new->page[0]));
	rcu_assign_pointer(buf->pages, new);
	if (nr < old_nr)
		mmapdemo_shrink_unmap(buf, old, nr, mapping);
	mutex_unlock(&buf->lock);

	if (nr < old_nr) {
		/* Unreachable and unmapped: drop the buffer's references. */
		mmapdemo_pages_put(buf, old->page + nr, old_nr - nr);
	}
	/* A pending pin may still read its part of the array. */
	mmapdemo_pages_unref(old);
out:
	trace_mmapdemo_resize(old_nr, nr, ret);
	mutex_unlock(&buf->resize_lock);
	return ret;
}
