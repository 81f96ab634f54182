// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-trace: which kernel functions the summary and the excerpts
 * look for. Names are compared without the compiler's suffixes
 * (".isra.0", ".constprop.0", ".part.0"). Many of the fault path's
 * functions are static and inlined in a given build (do_read_fault,
 * do_cow_fault and do_shared_fault in Debian's 6.1 and 6.12), so every
 * list names what some kernel can show, not what each one does.
 */
#include <string.h>

#include "trace.h"

static bool in(const char *func, const char *const *names)
{
	size_t n = strcspn(func, ". ");

	for (; *names; names++)
		if (strlen(*names) == n && !strncmp(func, *names, n))
			return true;
	return false;
}

/* Where a fault's graph blocks start: see tracefs.c. */
bool tr_is_fault_top(const char *func)
{
	static const char *const names[] = {
		"exc_page_fault", "do_user_addr_fault", "do_page_fault",
		"lock_vma_under_rcu", "lock_mm_and_find_vma", "handle_mm_fault",
		"force_sig_fault", NULL,
	};

	return in(func, names);
}

/* Where the mmap() call's graph starts (--mmap-graph): see setup.c. */
bool tr_is_mmap_top(const char *func)
{
	static const char *const names[] = {
		"do_mmap", "vm_mmap_pgoff", "ksys_mmap_pgoff", NULL,
	};

	return in(func, names);
}

/* The functions that write the PTE, or the last traceable ones before. */
bool tr_is_pte_update(const char *func)
{
	static const char *const names[] = {
		"do_set_pte", "set_pte_range", "insert_page_into_pte_locked",
		"insert_pages", "insert_page", "wp_page_copy", "wp_page_reuse",
		"remap_pte_range", "remap_pfn_range_internal",
		"remap_pfn_range_notrack",
		/* 7.3 inlines the three above into it. */
		"remap_pfn_range_track", NULL,
	};

	return in(func, names);
}

/*
 * The functions that write a PMD in a fault (huge mode, 7.3), outermost
 * first: what the driver calls, the static one that does it.
 */
bool tr_is_pmd_update(const char *func)
{
	static const char *const names[] = {
		"vmf_insert_folio_pmd", "vmf_insert_pfn_pmd", "insert_pmd", NULL,
	};

	return in(func, names);
}

/* What docs/fault-path.md talks about: the excerpts keep these. */
bool tr_is_key_function(const char *func)
{
	static const char *const names[] = {
		"exc_page_fault", "do_user_addr_fault", "do_page_fault",
		"lock_vma_under_rcu", "lock_mm_and_find_vma", "find_vma",
		"handle_mm_fault", "__handle_mm_fault", "handle_pte_fault",
		"do_fault", "do_read_fault", "do_cow_fault", "do_shared_fault",
		"do_fault_around", "__do_fault", "finish_fault", "do_set_pte",
		"set_pte_range", "filemap_map_pages", "vm_insert_pages",
		"insert_pages", "insert_page", "insert_page_into_pte_locked",
		"do_wp_page", "wp_page_copy", "wp_page_reuse",
		"__vmf_anon_prepare", "vmf_anon_prepare", "__anon_vma_prepare",
		"folio_prealloc", "alloc_anon_folio", "vma_alloc_folio",
		"vma_alloc_folio_noprof", "copy_mc_user_highpage",
		"copy_user_highpage", "__wp_page_copy_user", "copy_mc_to_kernel",
		"page_add_new_anon_rmap", "folio_add_new_anon_rmap",
		"fault_dirty_shared_page", "do_page_mkwrite", "__pte_alloc",
		"mm_fault_error", "do_sigbus", "force_sig_fault",
		"remap_pfn_range", "remap_pfn_range_notrack", "remap_pfn_range_internal",
		"track_pfn_remap",
		/* 7.3: the PAT tracking that fork() shares, and its caller. */
		"remap_pfn_range_track", "pfnmap_track",
		/* 7.3's mmap_prepare: the action, run after the VMA exists. */
		"mmap_action_complete", "remap_pfn_range_complete",
		"map_kernel_pages_complete",
		/*
		 * The mmap() call: where the VMA is made, where the driver's
		 * ->mmap or ->mmap_prepare runs, and (7.3) the action and
		 * ->mapped after the VMA is in the tree.
		 */
		"do_mmap", "vm_mmap_pgoff", "ksys_mmap_pgoff",
		"__get_unmapped_area", "mmap_region", "__mmap_region",
		"__mmap_setup", "call_mmap_prepare", "vfs_mmap_prepare",
		"mmap_file", "vfs_mmap", "call_mmap", "__mmap_new_vma",
		"__mmap_new_file_vma", "vm_area_alloc", "vma_link_file",
		"__mmap_complete", "mmap_action_prepare", "mmap_action_finish",
		"call_vma_mapped", "vma_set_page_prot",
		/*
		 * huge mode (7.3): the PMD-level fault, the driver's PMD
		 * insert, the folio's rmap, and the split a private write or
		 * a partial unmap makes.
		 */
		"create_huge_pmd", "__thp_vma_allowable_orders",
		"vmf_insert_folio_pmd", "vmf_insert_pfn_pmd", "insert_pmd",
		"folio_add_file_rmap_pmd",
		"wp_huge_pmd", "do_huge_pmd_wp_page", "__split_huge_pmd",
		"thp_get_unmapped_area", "__thp_get_unmapped_area",
		/* 6.12: vma_end_read() is inlined to this when a fault retries. */
		"up_read",
		NULL,
	};

	return in(func, names);
}
