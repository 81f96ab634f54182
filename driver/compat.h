/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels mmapdemo builds for (Debian's 6.1,
 * 6.12 and 7.3 and their -rt flavours) lives here. The MMAPDEMO_HAVE_* macros
 * come from probes of the kernel's headers in Kbuild; a few macros are
 * tested directly.
 */
#ifndef MMAPDEMO_COMPAT_H
#define MMAPDEMO_COMPAT_H

#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/slab.h>

/* vm_flags became read-only behind vm_flags_set() and friends in 6.3. */
static inline void mmapdemo_vm_flags_set(struct vm_area_struct *vma,
					 vm_flags_t flags)
{
#ifdef MMAPDEMO_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void mmapdemo_vm_flags_clear(struct vm_area_struct *vma,
					   vm_flags_t flags)
{
#ifdef MMAPDEMO_HAVE_VM_FLAGS_SET
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/*
 * Is @vma a copy-on-write (private, writable or not) mapping? 7.3 replaced
 * is_cow_mapping(vm_flags) by vma_is_cow_mapping(vma).
 */
static inline bool mmapdemo_is_cow_mapping(const struct vm_area_struct *vma)
{
#ifdef MMAPDEMO_HAVE_VMA_IS_COW_MAPPING
	return vma_is_cow_mapping(vma);
#else
	return is_cow_mapping(vma->vm_flags);
#endif
}

/*
 * Zap the PTEs of [@address, @address + @size) in the PFN or mixed map
 * @vma. 7.3 renamed zap_vma_ptes() to zap_special_vma_range().
 */
static inline void mmapdemo_zap_special(struct vm_area_struct *vma,
					unsigned long address,
					unsigned long size)
{
#ifdef MMAPDEMO_HAVE_ZAP_SPECIAL_VMA_RANGE
	zap_special_vma_range(vma, address, size);
#else
	zap_vma_ptes(vma, address, size);
#endif
}

/*
 * Allocate one zeroed object of @obj's type: kzalloc_obj() where slab.h
 * has it (7.3), which checkpatch asks for; kzalloc() of its size before.
 */
#ifdef kzalloc_obj
#define mmapdemo_kzalloc_obj(obj, gfp)	kzalloc_obj(obj, gfp)
#else
#define mmapdemo_kzalloc_obj(obj, gfp)	kzalloc(sizeof(obj), gfp)
#endif

/*
 * The mmap API the driver implements, by what the kernel has. From 6.16
 * file_operations.mmap is deprecated for .mmap_prepare, which describes
 * the mapping before the VMA exists; the driver takes it where the kernel
 * also has the actions that map its pages (mmap_action_remap(),
 * mmap_action_map_kernel_pages()) and vm_operations_struct.mapped, where
 * per-mapping state is made. Elsewhere it implements .mmap.
 */
#if defined(MMAPDEMO_HAVE_MMAP_PREPARE) && \
	defined(MMAPDEMO_HAVE_MMAP_ACTION_MAP_KERNEL_PAGES) && \
	defined(MMAPDEMO_HAVE_VM_OPS_MAPPED)
#define MMAPDEMO_MMAP_PREPARE
#define MMAPDEMO_MMAP_API	"mmap_prepare"
#else
#define MMAPDEMO_MMAP_API	"mmap"
#endif

/*
 * huge mode maps a 2 MiB folio of the buffer with one PMD by
 * vmf_insert_folio_pmd() (6.15), which takes a reference and a mapcount of
 * the folio as a page cache PMD does, so that GUP, rmap and smaps see it.
 * It needs transparent huge pages (none on PREEMPT_RT kernels), and the
 * driver offers it with mmap_prepare only: elsewhere "huge" is refused
 * with EOPNOTSUPP.
 */
#if defined(MMAPDEMO_MMAP_PREPARE) && \
	defined(MMAPDEMO_HAVE_VMF_INSERT_FOLIO_PMD) && \
	defined(CONFIG_TRANSPARENT_HUGEPAGE)
#define MMAPDEMO_HUGE
#endif

/*
 * The largest order alloc_pages() takes: MAX_PAGE_ORDER from 6.8; before
 * that MAX_ORDER, exclusive up to 6.3 (6.4 to 6.7 made it inclusive, where
 * this is one order short, which is safe).
 */
#ifdef MAX_PAGE_ORDER
#define MMAPDEMO_MAX_ORDER	MAX_PAGE_ORDER
#else
#define MMAPDEMO_MAX_ORDER	(MAX_ORDER - 1)
#endif

/*
 * Call @fn with the PFN that the PTE at @addr of a VM_PFNMAP mapping points
 * at, with the page table lock held, and return what it returns, or a
 * negative errno if there is no PTE. The caller holds mmap_lock.
 * follow_pte() took the mm until 6.9 and the VMA in 6.10 and 6.11; 6.12
 * replaced it by follow_pfnmap_start().
 */
static inline int mmapdemo_with_pfn(struct vm_area_struct *vma,
				    unsigned long addr,
				    int (*fn)(unsigned long pfn, void *arg),
				    void *arg)
{
#ifdef MMAPDEMO_HAVE_FOLLOW_PFNMAP
	struct follow_pfnmap_args args = { .vma = vma, .address = addr };
	int ret = follow_pfnmap_start(&args);

	if (ret)
		return ret;
	ret = fn(args.pfn, arg);
	follow_pfnmap_end(&args);
#else
	spinlock_t *ptl;	/* the page table lock follow_pte() takes */
	pte_t *ptep;
	int ret;

#ifdef MMAPDEMO_HAVE_FOLLOW_PTE_VMA
	ret = follow_pte(vma, addr, &ptep, &ptl);
#else
	ret = follow_pte(vma->vm_mm, addr, &ptep, &ptl);
#endif
	if (ret)
		return ret;
	__acquire(ptl);		/* for sparse: follow_pte() took it */
	ret = fn(pte_pfn(ptep_get(ptep)), arg);
	pte_unmap_unlock(ptep, ptl);
#endif
	return ret;
}

#endif /* MMAPDEMO_COMPAT_H */
