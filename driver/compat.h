/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels mmapdemo builds for (Debian's 6.1
 * and 6.12 and their -rt flavours) lives here, decided by version checks.
 */
#ifndef MMAPDEMO_COMPAT_H
#define MMAPDEMO_COMPAT_H

#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/version.h>

/* vm_flags became read-only behind vm_flags_set() and friends in 6.3. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
static inline void mmapdemo_vm_flags_set(struct vm_area_struct *vma,
					 vm_flags_t flags)
{
	vm_flags_set(vma, flags);
}

static inline void mmapdemo_vm_flags_clear(struct vm_area_struct *vma,
					   vm_flags_t flags)
{
	vm_flags_clear(vma, flags);
}
#else
static inline void mmapdemo_vm_flags_set(struct vm_area_struct *vma,
					 vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void mmapdemo_vm_flags_clear(struct vm_area_struct *vma,
					   vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * The largest order alloc_pages() takes: MAX_ORDER was exclusive before
 * 6.4, inclusive from 6.4, and renamed MAX_PAGE_ORDER in 6.8.
 */
#if defined(MAX_PAGE_ORDER)
#define MMAPDEMO_MAX_ORDER	MAX_PAGE_ORDER
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define MMAPDEMO_MAX_ORDER	MAX_ORDER
#else
#define MMAPDEMO_MAX_ORDER	(MAX_ORDER - 1)
#endif

/*
 * Look up the PFN a PTE of a VM_PFNMAP mapping points at, with the page
 * table lock held until mmapdemo_pfn_unlock(). The caller holds mmap_lock.
 * follow_pte() took the mm before 6.10 and the VMA from 6.10; 6.12
 * replaced it with follow_pfnmap_start().
 */
struct mmapdemo_pfn_walk {
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	struct follow_pfnmap_args args;
#else
	pte_t *ptep;
	spinlock_t *ptl;
#endif
	unsigned long pfn;
};

static inline int mmapdemo_pfn_lock(struct vm_area_struct *vma,
				    unsigned long addr,
				    struct mmapdemo_pfn_walk *walk)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	int ret;

	walk->args = (struct follow_pfnmap_args) {
		.vma = vma,
		.address = addr,
	};
	ret = follow_pfnmap_start(&walk->args);
	if (!ret)
		walk->pfn = walk->args.pfn;
	return ret;
#else
	int ret;

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
	ret = follow_pte(vma, addr, &walk->ptep, &walk->ptl);
#else
	ret = follow_pte(vma->vm_mm, addr, &walk->ptep, &walk->ptl);
#endif
	if (!ret)
		walk->pfn = pte_pfn(ptep_get(walk->ptep));
	return ret;
#endif
}

static inline void mmapdemo_pfn_unlock(struct mmapdemo_pfn_walk *walk)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	follow_pfnmap_end(&walk->args);
#else
	pte_unmap_unlock(walk->ptep, walk->ptl);
#endif
}

#endif /* MMAPDEMO_COMPAT_H */
