// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo: mmap() and the VMA operations of the four mapping modes.
 *
 * fault        ->fault hands out one page per fault (demand paging).
 * faultaround  ->fault plus ->map_pages: a read fault also maps the
 *              neighbouring pages the core mm asks for (fault_around_bytes).
 * remap        remap_pfn_range() makes every PTE in mmap(); no fault ever.
 * insert       vm_insert_pages() makes every PTE in mmap(), batched per
 *              page table, on normal refcounted pages.
 *
 * mmap() validates the range, then one small function per mode maps it.
 * The demand-paged modes may map past the end of the buffer, as a file
 * mapping may map past EOF: those pages raise SIGBUS until a resize makes
 * them part of the buffer. The prepopulated modes map only inside it.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "compat.h"
#include "internal.h"
#include "trace.h"

#define MMAPDEMO_MAX_PAGES	(MMAPDEMO_MAX_SIZE >> PAGE_SHIFT)

static const struct vm_operations_struct fault_vm_ops;
static const struct vm_operations_struct faultaround_vm_ops;
static const struct vm_operations_struct remap_vm_ops;
static const struct vm_operations_struct insert_vm_ops;

/* The file a VMA maps stays open as long as the VMA exists. */
static struct mmapdemo_dev *vma_dev(const struct vm_area_struct *vma)
{
	const struct mmapdemo_file *f = vma->vm_file->private_data;

	return f->dev;
}

static u32 vma_mode(const struct vm_area_struct *vma)
{
	if (vma->vm_ops == &remap_vm_ops)
		return MMAPDEMO_MODE_REMAP;
	if (vma->vm_ops == &faultaround_vm_ops)
		return MMAPDEMO_MODE_FAULTAROUND;
	if (vma->vm_ops == &insert_vm_ops)
		return MMAPDEMO_MODE_INSERT;
	return MMAPDEMO_MODE_FAULT;
}

/* A VMA was copied from one of ours: split, fork or mremap. */
static void mmapdemo_vma_open(struct vm_area_struct *vma)
{
	struct mmapdemo_pin *pin = vma->vm_private_data;

	if (pin)
		refcount_inc(&pin->users);
	atomic_long_inc(&vma_dev(vma)->live_mappings);
	trace_mmapdemo_vma_open(vma, vma_mode(vma));
}

static void mmapdemo_vma_close(struct vm_area_struct *vma)
{
	struct mmapdemo_dev *dev = vma_dev(vma);
	struct mmapdemo_pin *pin = vma->vm_private_data;

	trace_mmapdemo_vma_close(vma, vma_mode(vma));
	atomic_long_dec(&dev->live_mappings);
	if (pin)
		mmapdemo_pin_put(&dev->buf, pin);
}

/* The core mm's fault-around window at its default fault_around_bytes. */
#define FAULT_AROUND_SIZE	SZ_64K
#define FAULT_AROUND_PAGES	(FAULT_AROUND_SIZE >> PAGE_SHIFT)

/*
 * Map @page[0 .. @end - @start] at buffer offsets [@start, @end] of the
 * faulting VMA, stepping over PTEs that are there already. Returns the
 * pages mapped; *@hit says whether vmf->pgoff is mapped now.
 */
static unsigned long insert_window(struct vm_fault *vmf, struct page **page,
				   pgoff_t start, pgoff_t end, bool *hit)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long mapped = 0;
	pgoff_t idx = start;

	*hit = false;
	while (idx <= end) {
		unsigned long addr = vma->vm_start +
				     ((idx - vma->vm_pgoff) << PAGE_SHIFT);
		unsigned long want = end - idx + 1, left = want;
		int err;

		err = vm_insert_pages(vma, addr, &page[idx - start], &left);
		if (vmf->pgoff >= idx && vmf->pgoff < idx + want - left)
			*hit = true;
		mapped += want - left;
		idx += want - left;
		if (err != -EBUSY)
			break;
		if (idx == vmf->pgoff)
			*hit = true;	/* another thread mapped it first */
		idx++;
	}
	return mapped;
}

/*
 * Fault-around: map the pages [start, end] that are in the buffer and not
 * mapped yet. The core mm calls this under RCU from 6.5 on, so it must not
 * sleep; vm_insert_pages() only sleeps to allocate a page table, so
 * without one this leaves the fault to ->fault (see fault_window()).
 */
static vm_fault_t mmapdemo_map_pages(struct vm_fault *vmf, pgoff_t start,
				     pgoff_t end)
{
	struct mmapdemo_dev *dev = vma_dev(vmf->vma);
	struct mmapdemo_pages *pages;
	unsigned long mapped = 0;
	bool hit = false;

	if (pmd_none(*vmf->pmd))
		return 0;

	rcu_read_lock();
	pages = rcu_dereference(dev->buf.pages);
	end = min_t(pgoff_t, end, pages->nr - 1);
	if (start <= end)
		mapped = insert_window(vmf, &pages->page[start], start, end,
				       &hit);
	rcu_read_unlock();

	mmapdemo_count_add(dev, MMAPDEMO_STAT_FAULTAROUND_PAGES, mapped);
	trace_mmapdemo_map_pages(vmf, start, end, mapped,
				 hit ? VM_FAULT_NOPAGE : 0);
	return hit ? VM_FAULT_NOPAGE : 0;
}

/*
 * The first read fault under a PMD without a page table, which
 * ->map_pages left to ->fault: map the fault's 64 KiB window here, where
 * sleeping to allocate the table is allowed, so that this fault maps 16
 * pages as the others do. A shrink removes a tail of the buffer and locks
 * each removed page before it unmaps them: while we hold the lock of the
 * window's last page, found still in the buffer, every page of the window
 * stays until its PTE is set. Returns 0 to leave the fault to the
 * single-page path.
 */
static vm_fault_t fault_window(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mmapdemo_dev *dev = vma_dev(vma);
	unsigned long base = ALIGN_DOWN(vmf->address, FAULT_AROUND_SIZE);
	unsigned long first = max(base, vma->vm_start);
	unsigned long stop = min(base + FAULT_AROUND_SIZE, vma->vm_end);
	pgoff_t start = vmf->pgoff - ((vmf->address - first) >> PAGE_SHIFT);
	pgoff_t end = start + ((stop - first) >> PAGE_SHIFT) - 1;
	struct page *batch[FAULT_AROUND_PAGES], *last = NULL;
	struct mmapdemo_pages *pages;
	unsigned long mapped = 0;
	bool stable, hit = false;

	rcu_read_lock();
	pages = rcu_dereference(dev->buf.pages);
	if (vmf->pgoff < pages->nr) {
		end = min_t(pgoff_t, end, pages->nr - 1);
		last = pages->page[end];
		get_page(last);
	}
	rcu_read_unlock();
	if (!last)
		return 0;

	lock_page(last);
	rcu_read_lock();
	pages = rcu_dereference(dev->buf.pages);
	stable = end < pages->nr && pages->page[end] == last;
	if (stable)
		memcpy(batch, &pages->page[start],
		       (end - start + 1) * sizeof(batch[0]));
	rcu_read_unlock();
	if (stable)
		mapped = insert_window(vmf, batch, start, end, &hit);
	unlock_page(last);
	put_page(last);

	mmapdemo_count_add(dev, MMAPDEMO_STAT_FAULTAROUND_PAGES, mapped);
	trace_mmapdemo_map_pages(vmf, start, end, mapped,
				 hit ? VM_FAULT_NOPAGE : 0);
	return hit ? VM_FAULT_NOPAGE : 0;
}

/*
 * Demand paging: return the buffer's page at vmf->pgoff, locked and with
 * a reference of its own; the core mm maps it (shared) or copies it
 * (private write). The page lock closes the race with a shrink, see
 * shrink_removed() in buffer.c. No lock here is shared between CPUs.
 */
static vm_fault_t mmapdemo_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mmapdemo_dev *dev = vma_dev(vma);
	struct page *page;

	if (vma->vm_ops == &faultaround_vm_ops &&
	    !(vmf->flags & FAULT_FLAG_WRITE) && pmd_none(*vmf->pmd)) {
		vm_fault_t ret = fault_window(vmf);

		if (ret)
			return ret;
	}
	for (;;) {
		page = mmapdemo_buf_get_page(&dev->buf, vmf->pgoff);
		if (!page) {
			mmapdemo_count(dev, MMAPDEMO_STAT_SIGBUS);
			trace_mmapdemo_fault(vmf, 0, VM_FAULT_SIGBUS);
			return VM_FAULT_SIGBUS;
		}
		lock_page(page);
		if (mmapdemo_buf_has_page(&dev->buf, vmf->pgoff, page))
			break;
		/* A shrink removed the page after we found it. */
		unlock_page(page);
		put_page(page);
	}
	vmf->page = page;
	mmapdemo_count(dev, MMAPDEMO_STAT_FAULTS);
	if ((vmf->flags & FAULT_FLAG_WRITE) && !(vma->vm_flags & VM_SHARED))
		mmapdemo_count(dev, MMAPDEMO_STAT_COW_FAULTS);
	trace_mmapdemo_fault(vmf, page_to_pfn(page), VM_FAULT_LOCKED);
	return VM_FAULT_LOCKED;
}

/*
 * ptrace and /proc/PID/mem on a remap mapping: VM_IO | VM_PFNMAP keeps
 * get_user_pages() out, so the core mm asks here instead, and checks no
 * permission first. So this applies get_user_pages()'s own rules
 * (check_vma_flags() in mm/gup.c): a read sees whatever the PTE maps, the
 * buffer's page or a private copy. A write through a shared mapping needs
 * VM_WRITE, as the process itself would, even when the caller forces it
 * (a debugger always does). A write through a private mapping may only
 * land in the process's own copy of the page, the anonymous page a write
 * fault made: a forced write would have to copy the buffer's page first,
 * and ->access cannot, so it never writes the buffer.
 */
struct remap_access {
	struct vm_area_struct *vma;
	unsigned long addr;
	void *buf;
	int len;
	bool write;
	bool private;
};

/* Called with the page table lock held: the page cannot go away. */
static int remap_access_pfn(unsigned long pfn, void *arg)
{
	struct remap_access *a = arg;
	unsigned long offset = offset_in_page(a->addr);
	struct page *page;
	void *kaddr;

	if (!pfn_valid(pfn))
		return -EACCES;
	page = pfn_to_page(pfn);
	if (a->write && a->private && !PageAnon(page))
		return -EACCES;
	/* What __access_remote_vm() does for pages, for caches that alias. */
	kaddr = kmap_local_page(page);
	if (a->write)
		copy_to_user_page(a->vma, page, a->addr, kaddr + offset,
				  a->buf, a->len);
	else
		copy_from_user_page(a->vma, page, a->addr, a->buf,
				    kaddr + offset, a->len);
	kunmap_local(kaddr);
	return a->len;
}

static int mmapdemo_remap_access(struct vm_area_struct *vma,
				 unsigned long addr, void *buf, int len,
				 int write)
{
	struct mmapdemo_pin *pin = vma->vm_private_data;
	struct remap_access a = {
		.vma = vma,
		.addr = addr,
		.buf = buf,
		.len = min_t(int, len, PAGE_SIZE - offset_in_page(addr)),
		.write = write,
		.private = pin->private,
	};

	/* The caller holds mmap_lock: vm_flags cannot change under us. */
	if (write && !a.private && !(vma->vm_flags & VM_WRITE))
		return -EACCES;
	return mmapdemo_with_pfn(vma, addr, remap_access_pfn, &a);
}

static const struct vm_operations_struct fault_vm_ops = {
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.fault = mmapdemo_fault,
};

static const struct vm_operations_struct faultaround_vm_ops = {
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.fault = mmapdemo_fault,
	.map_pages = mmapdemo_map_pages,
};

static const struct vm_operations_struct remap_vm_ops = {
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.access = mmapdemo_remap_access,
};

/* ->fault maps pages again after MADV_DONTNEED. */
static const struct vm_operations_struct insert_vm_ops = {
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.fault = mmapdemo_fault,
};

/* remap_pfn_range() once per physically contiguous run of the range. */
static int remap_runs(struct vm_area_struct *vma, struct mmapdemo_pages *pages,
		      pgoff_t first, unsigned long npages)
{
	unsigned long i, run;
	int ret;

	for (i = 0; i < npages; i += run) {
		unsigned long pfn = page_to_pfn(pages->page[first + i]);

		for (run = 1; i + run < npages; run++)
			if (page_to_pfn(pages->page[first + i + run]) != pfn + run)
				break;
		ret = remap_pfn_range(vma, vma->vm_start + (i << PAGE_SHIFT),
				      pfn, run << PAGE_SHIFT, vma->vm_page_prot);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The prepopulated modes: under buf->lock the range is checked against
 * the buffer, mapped, and pinned so that no shrink removes it.
 * remap_pfn_range() only allows copy-on-write when one call covers the
 * whole VMA, so a private remap mapping must be one contiguous run.
 */
static int mmap_prepopulated(struct mmapdemo_dev *dev,
			     struct vm_area_struct *vma, u32 mode)
{
	struct mmapdemo_buf *buf = &dev->buf;
	unsigned long npages = vma_pages(vma);
	/*
	 * Copy on write is what makes a mapping private here; a MAP_SHARED
	 * mapping of a read-only file has lost VM_SHARED but cannot copy.
	 */
	bool private = mmapdemo_is_cow_mapping(vma);
	pgoff_t first = vma->vm_pgoff;
	struct mmapdemo_pages *pages;
	struct mmapdemo_pin *pin;
	int ret;

	pin = kzalloc(sizeof(*pin), GFP_KERNEL);
	if (!pin)
		return -ENOMEM;

	mutex_lock(&buf->lock);
	pages = rcu_dereference_protected(buf->pages, lockdep_is_held(&buf->lock));
	ret = -EINVAL;
	if (first >= pages->nr || npages > pages->nr - first)
		goto out;

	if (mode == MMAPDEMO_MODE_REMAP) {
		if (private && !mmapdemo_pages_contiguous(pages, first, npages))
			goto out;
		ret = remap_runs(vma, pages, first, npages);
		if (ret)
			goto out;
		mmapdemo_count_add(dev, MMAPDEMO_STAT_REMAP_PAGES, npages);
		vma->vm_ops = &remap_vm_ops;
	} else {
		unsigned long left = npages;

		mmapdemo_vm_flags_set(vma, VM_MIXEDMAP | VM_DONTEXPAND);
		ret = vm_insert_pages(vma, vma->vm_start, &pages->page[first],
				      &left);
		mmapdemo_count_add(dev, MMAPDEMO_STAT_INSERT_PAGES, npages - left);
		if (ret)
			goto out;
		vma->vm_ops = &insert_vm_ops;
	}

	pin->first = first;
	pin->last = first + npages;
	pin->private = private && mode == MMAPDEMO_MODE_REMAP;
	pin->mode = mode;
	mmapdemo_pin_add(buf, pin);
	vma->vm_private_data = pin;
	pin = NULL;
out:
	mutex_unlock(&buf->lock);
	kfree(pin);
	return ret;
}

/*
 * The demand-paged modes map nothing now. VM_MIXEDMAP lets ->map_pages
 * use vm_insert_pages() and keeps mlock() away from pages that are not on
 * the LRU, while get_user_pages() (ptrace, O_DIRECT) still works.
 */
static int mmap_demand(struct vm_area_struct *vma, u32 mode)
{
	mmapdemo_vm_flags_set(vma, VM_MIXEDMAP);
	vma->vm_private_data = NULL;
	vma->vm_ops = mode == MMAPDEMO_MODE_FAULTAROUND ?
		      &faultaround_vm_ops : &fault_vm_ops;
	return 0;
}

int mmapdemo_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mmapdemo_file *f = file->private_data;
	struct mmapdemo_dev *dev = f->dev;
	u32 mode = READ_ONCE(f->mode);
	/* remap_pfn_range() makes a private VMA's vm_pgoff its first PFN. */
	pgoff_t pgoff = vma->vm_pgoff;
	int ret;

	if (vma->vm_flags & VM_EXEC) {
		ret = -EPERM;
	} else if ((vma->vm_flags & VM_SHARED) && (vma->vm_flags & VM_WRITE) &&
		   !(file->f_mode & FMODE_WRITE)) {
		ret = -EACCES;	/* the VFS refuses this before we see it */
	} else if (vma->vm_pgoff >= MMAPDEMO_MAX_PAGES ||
		   vma_pages(vma) > MMAPDEMO_MAX_PAGES - vma->vm_pgoff) {
		ret = -EINVAL;
	} else {
		mmapdemo_vm_flags_clear(vma, VM_MAYEXEC);
		if (mode == MMAPDEMO_MODE_REMAP || mode == MMAPDEMO_MODE_INSERT)
			ret = mmap_prepopulated(dev, vma, mode);
		else
			ret = mmap_demand(vma, mode);
	}
	trace_mmapdemo_mmap(vma, pgoff, mode, ret);
	if (ret) {
		mmapdemo_count(dev, MMAPDEMO_STAT_MMAP_ERRORS);
		return ret;
	}
	mmapdemo_count(dev, MMAPDEMO_STAT_MMAPS);
	if (mmapdemo_is_cow_mapping(vma))
		mmapdemo_count(dev, MMAPDEMO_STAT_PRIVATE_MMAPS);
	atomic_long_inc(&dev->live_mappings);
	return 0;
}
