// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo: mmap() and the VMA operations of the mapping modes.
 *
 * fault        ->fault hands out one page per fault (demand paging).
 * faultaround  ->fault plus ->map_pages: a read fault also maps the
 *              neighbouring pages the core mm asks for (fault_around_bytes).
 * remap        remap_pfn_range() makes every PTE in mmap(); no fault ever.
 * insert       vm_insert_pages() makes every PTE in mmap(), batched per
 *              page table, on normal refcounted pages.
 * huge         ->fault plus ->huge_fault: a fault in a 2 MiB window that
 *              is one 2 MiB folio of the buffer maps it with one PMD
 *              (where the kernel can, see compat.h).
 *
 * mmap() validates the range, then one small function per mode maps it.
 * The demand-paged modes may map past the end of the buffer, as a file
 * mapping may map past EOF: those pages raise SIGBUS until a resize makes
 * them part of the buffer. The prepopulated modes map only inside it.
 *
 * The kernel's API decides the entry point (compat.h): ->mmap, which
 * gets the VMA and maps it, or from 7.x mmap_prepare, which describes
 * the mapping before its VMA exists (flags, vm_ops, and the core mm's
 * action for the prepopulated modes: mmap_action_remap_full() or
 * mmap_action_map_kernel_pages_full()); the core mm then makes the VMA,
 * runs the action and calls ->mapped, where the mapping is counted.
 * Everything after mmap() is the same code on every kernel.
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

static const struct vm_operations_struct mmapdemo_fault_vm_ops;
static const struct vm_operations_struct mmapdemo_faultaround_vm_ops;
static const struct vm_operations_struct mmapdemo_remap_vm_ops;
static const struct vm_operations_struct mmapdemo_insert_vm_ops;
#ifdef MMAPDEMO_HUGE
static const struct vm_operations_struct mmapdemo_huge_vm_ops;
#endif

/* The file a VMA maps stays open as long as the VMA exists. */
static struct mmapdemo_dev *mmapdemo_vma_dev(const struct vm_area_struct *vma)
{
	const struct mmapdemo_file *f = vma->vm_file->private_data;

	return f->dev;
}

static u32 mmapdemo_vma_mode(const struct vm_area_struct *vma)
{
	if (vma->vm_ops == &mmapdemo_remap_vm_ops)
		return MMAPDEMO_MODE_REMAP;
	if (vma->vm_ops == &mmapdemo_faultaround_vm_ops)
		return MMAPDEMO_MODE_FAULTAROUND;
	if (vma->vm_ops == &mmapdemo_insert_vm_ops)
		return MMAPDEMO_MODE_INSERT;
#ifdef MMAPDEMO_HUGE
	if (vma->vm_ops == &mmapdemo_huge_vm_ops)
		return MMAPDEMO_MODE_HUGE;
#endif
	return MMAPDEMO_MODE_FAULT;
}

/* A mapping is made: count it (->mmap, or ->mapped with mmap_prepare). */
static void mmapdemo_count_mapping(struct mmapdemo_dev *dev, bool cow)
{
	mmapdemo_count(dev, MMAPDEMO_STAT_MMAPS);
	if (cow)
		mmapdemo_count(dev, MMAPDEMO_STAT_PRIVATE_MMAPS);
	atomic_long_inc(&dev->live_mappings);
}

/*
 * Is @pin's mapping counted? A prepopulated mapping whose mmap action
 * failed never reached ->mapped; the core mm closes its VMA all the same.
 */
static bool mmapdemo_pin_counted(const struct mmapdemo_pin *pin)
{
	return !pin || pin->mapped;
}

/* A VMA was copied from one of ours: split, fork or mremap. */
static void mmapdemo_vma_open(struct vm_area_struct *vma)
{
	struct mmapdemo_pin *pin = vma->vm_private_data;

	if (pin)
		mmapdemo_pin_get(pin);
	if (mmapdemo_pin_counted(pin))
		atomic_long_inc(&mmapdemo_vma_dev(vma)->live_mappings);
	trace_mmapdemo_vma_open(vma, mmapdemo_vma_mode(vma));
}

static void mmapdemo_vma_close(struct vm_area_struct *vma)
{
	struct mmapdemo_dev *dev = mmapdemo_vma_dev(vma);
	struct mmapdemo_pin *pin = vma->vm_private_data;

	trace_mmapdemo_vma_close(vma, mmapdemo_vma_mode(vma));
	if (mmapdemo_pin_counted(pin))
		atomic_long_dec(&dev->live_mappings);
	if (pin)
		mmapdemo_pin_put(&dev->buf, pin);
}

/* What ->map_pages asks of the buffer's pages, and learns. */
struct mmapdemo_window {
	struct vm_fault *vmf;
	bool hit;	/* vmf->pgoff is mapped now */
};

/*
 * Map @page[0 .. @nr) at buffer pages [@first, @first + @nr) of the
 * faulting VMA, stepping over PTEs that are there already. Returns the
 * pages mapped.
 */
static long mmapdemo_insert_window(void *arg, pgoff_t first,
				   struct page **page, unsigned long nr)
{
	struct mmapdemo_window *w = arg;
	struct vm_fault *vmf = w->vmf;
	struct vm_area_struct *vma = vmf->vma;
	pgoff_t idx = first, end = first + nr;
	long mapped = 0;

	while (idx < end) {
		unsigned long addr = vma->vm_start +
				     ((idx - vma->vm_pgoff) << PAGE_SHIFT);
		unsigned long want = end - idx, left = want;
		int err;

		err = vm_insert_pages(vma, addr, &page[idx - first], &left);
		if (vmf->pgoff >= idx && vmf->pgoff < idx + want - left)
			w->hit = true;
		mapped += want - left;
		idx += want - left;
		if (err != -EBUSY)
			break;
		if (idx == vmf->pgoff)
			w->hit = true;	/* another thread mapped it first */
		idx++;
	}
	return mapped;
}

/*
 * Fault-around: map the pages [start, end] that are in the buffer and not
 * mapped yet. The core mm calls this under RCU from 6.5 on, so it must not
 * sleep; vm_insert_pages() only sleeps to allocate a page table, so
 * without one this leaves the fault to ->fault, which maps one page, and
 * the finish of that fault installs the page table the core preallocated
 * (a module cannot: pmd_install() is not exported). So the first read
 * fault under each empty PMD maps one page, the next its whole window.
 */
static vm_fault_t mmapdemo_map_pages(struct vm_fault *vmf, pgoff_t start,
				     pgoff_t end)
{
	struct mmapdemo_dev *dev = mmapdemo_vma_dev(vmf->vma);
	struct mmapdemo_window w = { .vmf = vmf };
	long mapped;

	if (pmd_none(*vmf->pmd))
		return 0;
	mapped = mmapdemo_buf_map_window(&dev->buf, start, end,
					 mmapdemo_insert_window, &w);
	mmapdemo_count_add(dev, MMAPDEMO_STAT_FAULTAROUND_PAGES, mapped);
	trace_mmapdemo_map_pages(vmf, start, end, mapped,
				 w.hit ? VM_FAULT_NOPAGE : 0);
	return w.hit ? VM_FAULT_NOPAGE : 0;
}

/*
 * Demand paging: return the buffer's page at vmf->pgoff, locked and with
 * a reference of its own; the core mm maps it (shared) or copies it
 * (private write). The page lock closes the race with a shrink, see
 * mmapdemo_buf_lock_page(). No lock here is shared between CPUs, but a
 * page of a 2 MiB folio shares its lock with the other 511.
 *
 * The core mm maps just this page: a large folio's whole range only where
 * it lies inside the file's size (finish_fault()), and the device's inode
 * has size 0, its folios index 0. That must stay so: a whole folio mapped
 * from here could reach pages a shrink has cut off.
 */
static vm_fault_t mmapdemo_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mmapdemo_dev *dev = mmapdemo_vma_dev(vma);
	struct page *page;

	page = mmapdemo_buf_lock_page(&dev->buf, vmf->pgoff);
	if (!page) {
		mmapdemo_count(dev, MMAPDEMO_STAT_SIGBUS);
		trace_mmapdemo_fault(vmf, vmf->pgoff, 0, VM_FAULT_SIGBUS);
		return VM_FAULT_SIGBUS;
	}
	vmf->page = page;
	mmapdemo_count(dev, MMAPDEMO_STAT_FAULTS);
	if ((vmf->flags & FAULT_FLAG_WRITE) && !(vma->vm_flags & VM_SHARED))
		mmapdemo_count(dev, MMAPDEMO_STAT_COW_FAULTS);
	trace_mmapdemo_fault(vmf, vmf->pgoff, page_to_pfn(page),
			     VM_FAULT_LOCKED);
	return VM_FAULT_LOCKED;
}

#ifdef MMAPDEMO_HUGE
/*
 * huge mode: map the 2 MiB window around the fault with one PMD, if the
 * window lies in the VMA, starts at a 2 MiB boundary of the buffer and is
 * one of the buffer's 2 MiB folios. vmf_insert_folio_pmd() takes its own
 * reference and mapcount, which the unmap of the PMD drops, split or
 * whole. A private mapping's write copies one page: the core mm does that
 * at the PTE level, so it falls back to ->fault, as does everything that
 * is not such a window (the edges, small pages, a folio a shrink cut).
 * A shared write to a read-only PMD comes here again and makes it
 * writable. The folio lock closes the race with a shrink, as the page
 * lock does for ->fault.
 */
static vm_fault_t mmapdemo_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mmapdemo_dev *dev = mmapdemo_vma_dev(vma);
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	struct folio *folio = NULL;
	vm_fault_t ret = VM_FAULT_FALLBACK;
	pgoff_t pgoff;
	pmd_t pmd;

	pgoff = linear_page_index(vma, haddr);
	if (order != HPAGE_PMD_ORDER || (write && !(vma->vm_flags & VM_SHARED)) ||
	    haddr < vma->vm_start || haddr + HPAGE_PMD_SIZE > vma->vm_end ||
	    !IS_ALIGNED(pgoff, HPAGE_PMD_NR))
		goto out;
	folio = mmapdemo_buf_lock_folio(&dev->buf, pgoff);
	if (!folio)
		goto out;
	/*
	 * The PMD was empty when the core mm called us, but a fault that
	 * fell back (an older array, THP turned off meanwhile) may have put
	 * a page table there since; a ->fault of this folio holds its lock
	 * until its PTE is set, so under the lock this is exact. An insert
	 * over a table WARNs; a PMD already there is this folio's.
	 */
	pmd = pmdp_get(vmf->pmd);
	if (!pmd_none(pmd) && !pmd_trans_huge(pmd)) {
		folio_unlock(folio);
		goto out;
	}
	ret = vmf_insert_folio_pmd(vmf, folio, write);
	folio_unlock(folio);
	if (ret == VM_FAULT_NOPAGE && pmd_none(pmd))
		mmapdemo_count(dev, MMAPDEMO_STAT_HUGE_PMDS);
out:
	trace_mmapdemo_huge_fault(vmf, pgoff, folio ? folio_pfn(folio) : 0, ret);
	if (folio)
		folio_put(folio);
	return ret;
}
#endif

/*
 * ptrace and /proc/PID/mem on a remap mapping: VM_IO | VM_PFNMAP keeps
 * get_user_pages() out, so the core mm asks here instead, and checks no
 * permission first. So this applies get_user_pages()'s own rules
 * (check_vma_flags() in mm/gup.c): a read sees whatever the PTE maps, the
 * buffer's page or a private copy. A write through a shared mapping needs
 * VM_WRITE, as the process itself would, even when the caller forces it
 * (a debugger always does). A write through a private mapping may only
 * land in the process's own copy of the page, the anonymous page a write
 * fault made and no other process shares: a forced write would have to
 * copy the buffer's page, or a copy shared since fork(), first, and
 * ->access cannot, so it never writes the buffer or another's memory.
 */
struct mmapdemo_access_args {
	struct vm_area_struct *vma;
	unsigned long addr;
	void *buf;
	int len;
	bool write;
	bool private;
};

/* Called with the page table lock held: the page cannot go away. */
static int mmapdemo_remap_access_pfn(unsigned long pfn, void *arg)
{
	struct mmapdemo_access_args *a = arg;
	unsigned long offset = offset_in_page(a->addr);
	struct page *page;
	void *kaddr;

	if (!pfn_valid(pfn))
		return -EACCES;
	page = pfn_to_page(pfn);
	/*
	 * A copy still shared after fork() (not exclusive) belongs to the
	 * other process too: get_user_pages() would copy it first.
	 */
	if (a->write && a->private &&
	    !(PageAnon(page) && PageAnonExclusive(page)))
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
	struct mmapdemo_access_args a = {
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
	return mmapdemo_with_pfn(vma, addr, mmapdemo_remap_access_pfn, &a);
}

#ifdef MMAPDEMO_MMAP_PREPARE
static int mmapdemo_demand_mapped(unsigned long start, unsigned long end,
				  pgoff_t pgoff, const struct file *file,
				  void **vm_private_data);
static int mmapdemo_remap_mapped(unsigned long start, unsigned long end,
				 pgoff_t pgoff, const struct file *file,
				 void **vm_private_data);
static int mmapdemo_insert_mapped(unsigned long start, unsigned long end,
				  pgoff_t pgoff, const struct file *file,
				  void **vm_private_data);
#endif

static const struct vm_operations_struct mmapdemo_fault_vm_ops = {
#ifdef MMAPDEMO_MMAP_PREPARE
	.mapped = mmapdemo_demand_mapped,
#endif
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.fault = mmapdemo_fault,
};

static const struct vm_operations_struct mmapdemo_faultaround_vm_ops = {
#ifdef MMAPDEMO_MMAP_PREPARE
	.mapped = mmapdemo_demand_mapped,
#endif
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.fault = mmapdemo_fault,
	.map_pages = mmapdemo_map_pages,
};

static const struct vm_operations_struct mmapdemo_remap_vm_ops = {
#ifdef MMAPDEMO_MMAP_PREPARE
	.mapped = mmapdemo_remap_mapped,
#endif
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.access = mmapdemo_remap_access,
};

/* ->fault maps pages again after MADV_DONTNEED. */
static const struct vm_operations_struct mmapdemo_insert_vm_ops = {
#ifdef MMAPDEMO_MMAP_PREPARE
	.mapped = mmapdemo_insert_mapped,
#endif
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.fault = mmapdemo_fault,
};

/*
 * No VM_MIXEDMAP here, unlike the other demand-paged modes: the core mm
 * splits a PMD of a VM_MIXEDMAP VMA as a special one, dropping neither
 * the folio's reference nor its mapcount. So no ->map_pages either
 * (vm_insert_pages() needs VM_MIXEDMAP): the small-page fallback is
 * ->fault, one page per fault.
 */
#ifdef MMAPDEMO_HUGE
static const struct vm_operations_struct mmapdemo_huge_vm_ops = {
	.mapped = mmapdemo_demand_mapped,
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.fault = mmapdemo_fault,
	.huge_fault = mmapdemo_huge_fault,
};
#endif

/* What any mmap of the device must be: not executable, within the limit. */
static int mmapdemo_mmap_check(bool exec, pgoff_t pgoff, unsigned long pages)
{
	if (exec)
		return -EPERM;
	if (pgoff >= MMAPDEMO_MAX_PAGES || pages > MMAPDEMO_MAX_PAGES - pgoff)
		return -EINVAL;
	return 0;
}

static bool mmapdemo_mode_prepopulated(u32 mode)
{
	return mode == MMAPDEMO_MODE_REMAP || mode == MMAPDEMO_MODE_INSERT;
}

#ifdef MMAPDEMO_MMAP_PREPARE
/*
 * One mmap action maps one PFN range: a remap mapping is one physically
 * contiguous run of the buffer, shared or private (-EINVAL otherwise).
 * ->mmap could make one remap_pfn_range() per run; mmap_prepare cannot.
 */
static long mmapdemo_remap_describe(void *arg, pgoff_t first,
				    struct page **page, unsigned long nr)
{
	struct vm_area_desc *desc = arg;

	if (mmapdemo_pages_run(page, nr) != nr)
		return -EINVAL;
	mmap_action_remap_full(desc, page_to_pfn(page[0]));
	return 0;
}

/* The action reads @page when it runs: the pending pin keeps the array. */
static long mmapdemo_insert_describe(void *arg, pgoff_t first,
				     struct page **page, unsigned long nr)
{
	mmap_action_map_kernel_pages_full(arg, page);
	return 0;
}

/*
 * A private demand-paged mapping's mark, from mmap_prepare to ->mapped,
 * which clears it: the descriptor that knew is gone by then.
 */
static char mmapdemo_demand_cow;

static int mmapdemo_demand_mapped(unsigned long start, unsigned long end,
				  pgoff_t pgoff, const struct file *file,
				  void **vm_private_data)
{
	const struct mmapdemo_file *f = file->private_data;
	bool cow = *vm_private_data == &mmapdemo_demand_cow;

	*vm_private_data = NULL;
	mmapdemo_count_mapping(f->dev, cow);
	return 0;
}

/* The action has made every PTE: the pin is the VMA's now. */
static int mmapdemo_prepopulated_mapped(const struct file *file,
					struct mmapdemo_pin *pin,
					enum mmapdemo_stat stat)
{
	const struct mmapdemo_file *f = file->private_data;

	mmapdemo_pin_mapped(&f->dev->buf, pin);
	mmapdemo_count_add(f->dev, stat, pin->last - pin->first);
	mmapdemo_count_mapping(f->dev, pin->cow);
	return 0;
}

static int mmapdemo_remap_mapped(unsigned long start, unsigned long end,
				 pgoff_t pgoff, const struct file *file,
				 void **vm_private_data)
{
	return mmapdemo_prepopulated_mapped(file, *vm_private_data,
					    MMAPDEMO_STAT_REMAP_PAGES);
}

static int mmapdemo_insert_mapped(unsigned long start, unsigned long end,
				  pgoff_t pgoff, const struct file *file,
				  void **vm_private_data)
{
	return mmapdemo_prepopulated_mapped(file, *vm_private_data,
					    MMAPDEMO_STAT_INSERT_PAGES);
}

/*
 * The prepopulated modes pin the range now, pending, and leave the PTEs
 * to the action; no shrink can free the pages before it runs.
 */
static int mmapdemo_prepare_prepopulated(struct mmapdemo_dev *dev,
					 struct vm_area_desc *desc, u32 mode,
					 bool cow)
{
	bool remap = mode == MMAPDEMO_MODE_REMAP;
	struct mmapdemo_pin *pin;
	int ret;

	if (!remap)
		vma_desc_set_flags(desc, VMA_MIXEDMAP_BIT, VMA_DONTEXPAND_BIT);
	ret = mmapdemo_buf_pin_pending(&dev->buf, desc->pgoff,
				       vma_desc_pages(desc), remap && cow, cow,
				       desc->file,
				       remap ? mmapdemo_remap_describe :
				       mmapdemo_insert_describe,
				       desc, &pin);
	if (ret)
		return ret;
	desc->private_data = pin;
	desc->vm_ops = remap ? &mmapdemo_remap_vm_ops : &mmapdemo_insert_vm_ops;
	return 0;
}

/*
 * huge mode, where there is one: not a mixed map (mmapdemo_huge_vm_ops).
 * VM_DONTEXPAND makes the VMA special (VM_SPECIAL), as VM_MIXEDMAP makes
 * the other modes': mlock() leaves it alone. It also keeps mremap() from
 * growing it. VM_HUGEPAGE asks for PMDs where THP is "madvise". Returns
 * whether @mode was huge.
 */
static bool mmapdemo_prepare_huge(struct vm_area_desc *desc, u32 mode,
				  bool cow)
{
#ifdef MMAPDEMO_HUGE
	if (mode != MMAPDEMO_MODE_HUGE)
		return false;
	vma_desc_set_flags(desc, VMA_DONTEXPAND_BIT, VMA_HUGEPAGE_BIT);
	desc->private_data = cow ? &mmapdemo_demand_cow : NULL;
	desc->vm_ops = &mmapdemo_huge_vm_ops;
	return true;
#else
	return false;
#endif
}

/*
 * mmap_prepare should keep no state: the mmap may still fail after it,
 * and no hook says so. The one thing it makes is the prepopulated modes'
 * pending pin, without which a shrink could free the pages the action
 * will map; ->mapped completes it, ->close puts it, and buffer.c takes
 * care of one abandoned by a failed mmap. fault and faultaround set
 * VM_MIXEDMAP, as with ->mmap; huge does not (mmapdemo_huge_vm_ops). The
 * VFS has already refused a shared writable mapping of a read-only file
 * (EACCES).
 */
int mmapdemo_mmap_prepare(struct vm_area_desc *desc)
{
	struct mmapdemo_file *f = desc->file->private_data;
	struct mmapdemo_dev *dev = f->dev;
	u32 mode = READ_ONCE(f->mode);
	bool cow = vma_desc_is_cow_mapping(desc);
	/* A private remap's action makes pgoff its first PFN. */
	pgoff_t pgoff = desc->pgoff;
	int ret;

	ret = mmapdemo_mmap_check(vma_desc_test(desc, VMA_EXEC_BIT), pgoff,
				  vma_desc_pages(desc));
	if (!ret) {
		vma_desc_clear_flags(desc, VMA_MAYEXEC_BIT);
		if (mmapdemo_mode_prepopulated(mode)) {
			ret = mmapdemo_prepare_prepopulated(dev, desc, mode, cow);
		} else if (!mmapdemo_prepare_huge(desc, mode, cow)) {
			vma_desc_set_flags(desc, VMA_MIXEDMAP_BIT);
			desc->private_data = cow ? &mmapdemo_demand_cow : NULL;
			desc->vm_ops = mode == MMAPDEMO_MODE_FAULTAROUND ?
				       &mmapdemo_faultaround_vm_ops :
				       &mmapdemo_fault_vm_ops;
		}
	}
	trace_mmapdemo_mmap(desc->start, desc->end - desc->start, pgoff,
			    vma_flags_to_legacy(desc->vma_flags), mode, ret);
	if (ret)
		mmapdemo_count(dev, MMAPDEMO_STAT_MMAP_ERRORS);
	return ret;
}

#else /* !MMAPDEMO_MMAP_PREPARE */

/*
 * remap_pfn_range() once per physically contiguous run of the range.
 * Only one call covering the whole VMA may copy on write, so a private
 * mapping must be one run (-EINVAL). When run N fails, remap_pfn_range()
 * has undone its own PTEs but not those of runs 1..N-1, which hold no
 * page reference: zap them before the buffer's lock is dropped, or a
 * shrink could free their pages while the PTEs still exist.
 */
static long mmapdemo_remap_runs(void *arg, pgoff_t first,
				struct page **page, unsigned long nr)
{
	struct vm_area_struct *vma = arg;
	unsigned long i, run;
	int ret;

	if (mmapdemo_is_cow_mapping(vma) &&
	    mmapdemo_pages_run(page, nr) != nr)
		return -EINVAL;
	for (i = 0; i < nr; i += run) {
		run = mmapdemo_pages_run(&page[i], nr - i);
		ret = remap_pfn_range(vma, vma->vm_start + (i << PAGE_SHIFT),
				      page_to_pfn(page[i]), run << PAGE_SHIFT,
				      vma->vm_page_prot);
		if (ret) {
			if (i)
				mmapdemo_zap_special(vma, vma->vm_start,
						     i << PAGE_SHIFT);
			return ret;
		}
	}
	mmapdemo_count_add(mmapdemo_vma_dev(vma), MMAPDEMO_STAT_REMAP_PAGES, nr);
	return 0;
}

/*
 * vm_insert_pages() over the range, batched per page table. PTEs it made
 * before a failure each hold a page reference, so no shrink frees their
 * pages; the core mm unmaps the failed VMA.
 */
static long mmapdemo_insert_all(void *arg, pgoff_t first,
				struct page **page, unsigned long nr)
{
	struct vm_area_struct *vma = arg;
	unsigned long left = nr;
	int ret;

	ret = vm_insert_pages(vma, vma->vm_start, page, &left);
	mmapdemo_count_add(mmapdemo_vma_dev(vma), MMAPDEMO_STAT_INSERT_PAGES,
			   nr - left);
	return ret;
}

/*
 * The prepopulated modes map every page now, inside the buffer only, and
 * pin the range so that no shrink removes it.
 */
static int mmapdemo_mmap_prepopulated(struct mmapdemo_dev *dev,
				      struct vm_area_struct *vma, u32 mode)
{
	/*
	 * Copy on write is what makes a mapping private here; a MAP_SHARED
	 * mapping of a read-only file has lost VM_SHARED but cannot copy.
	 */
	bool private = mode == MMAPDEMO_MODE_REMAP &&
		       mmapdemo_is_cow_mapping(vma);
	struct mmapdemo_pin *pin;
	int ret;

	if (mode == MMAPDEMO_MODE_INSERT)
		mmapdemo_vm_flags_set(vma, VM_MIXEDMAP | VM_DONTEXPAND);
	ret = mmapdemo_buf_map_pinned(&dev->buf, vma->vm_pgoff, vma_pages(vma),
				      private,
				      mode == MMAPDEMO_MODE_REMAP ?
				      mmapdemo_remap_runs : mmapdemo_insert_all,
				      vma, &pin);
	if (ret)
		return ret;
	vma->vm_private_data = pin;
	vma->vm_ops = mode == MMAPDEMO_MODE_REMAP ? &mmapdemo_remap_vm_ops :
						      &mmapdemo_insert_vm_ops;
	return 0;
}

/*
 * The demand-paged modes map nothing now. VM_MIXEDMAP lets ->map_pages
 * use vm_insert_pages() and keeps mlock() away from pages that are not on
 * the LRU, while get_user_pages() (ptrace, O_DIRECT) still works.
 */
static int mmapdemo_mmap_demand(struct vm_area_struct *vma, u32 mode)
{
	mmapdemo_vm_flags_set(vma, VM_MIXEDMAP);
	vma->vm_private_data = NULL;
	vma->vm_ops = mode == MMAPDEMO_MODE_FAULTAROUND ?
		      &mmapdemo_faultaround_vm_ops : &mmapdemo_fault_vm_ops;
	return 0;
}

/*
 * The VFS has already refused a shared writable mapping of a read-only
 * file (EACCES) and taken VM_MAYWRITE from it.
 */
int mmapdemo_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mmapdemo_file *f = file->private_data;
	struct mmapdemo_dev *dev = f->dev;
	u32 mode = READ_ONCE(f->mode);
	/* remap_pfn_range() makes a private VMA's vm_pgoff its first PFN. */
	pgoff_t pgoff = vma->vm_pgoff;
	int ret;

	ret = mmapdemo_mmap_check(vma->vm_flags & VM_EXEC, pgoff,
				  vma_pages(vma));
	if (!ret) {
		mmapdemo_vm_flags_clear(vma, VM_MAYEXEC);
		if (mmapdemo_mode_prepopulated(mode))
			ret = mmapdemo_mmap_prepopulated(dev, vma, mode);
		else
			ret = mmapdemo_mmap_demand(vma, mode);
	}
	trace_mmapdemo_mmap(vma->vm_start, vma->vm_end - vma->vm_start, pgoff,
			    vma->vm_flags, mode, ret);
	if (ret) {
		mmapdemo_count(dev, MMAPDEMO_STAT_MMAP_ERRORS);
		return ret;
	}
	mmapdemo_count_mapping(dev, mmapdemo_is_cow_mapping(vma));
	return 0;
}

#endif /* MMAPDEMO_MMAP_PREPARE */
