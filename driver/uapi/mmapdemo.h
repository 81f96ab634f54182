/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mmapdemo: the ioctl ABI of /dev/mmapdemo, shared by the driver and its
 * userspace programs. Every field has a fixed width and a fixed place, so
 * 32- and 64-bit callers see the same layout.
 */
#ifndef _UAPI_MMAPDEMO_H
#define _UAPI_MMAPDEMO_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The largest buffer the module accepts, for "size" and for resize. */
#define MMAPDEMO_MAX_SIZE	0x40000000ULL	/* 1 GiB */

/*
 * How mmap() maps the buffer, chosen per open file (MMAPDEMO_IOC_SET_MODE)
 * with the module parameter "mode" as the default of new opens.
 */
enum mmapdemo_mode {
	/* Demand paging: ->fault hands out one page per fault. */
	MMAPDEMO_MODE_FAULT = 0,
	/* remap_pfn_range() at mmap() time: every PTE made at once. */
	MMAPDEMO_MODE_REMAP = 1,
	/* Demand paging with ->map_pages: one fault maps its neighbours. */
	MMAPDEMO_MODE_FAULTAROUND = 2,
	/* vm_insert_pages() at mmap() time, batched per page table. */
	MMAPDEMO_MODE_INSERT = 3,
	/*
	 * Demand paging with ->huge_fault: a 2 MiB-aligned window inside the
	 * buffer is mapped by one PMD, the rest page by page as in fault
	 * mode. Where the kernel cannot (no vmf_insert_folio_pmd(), no
	 * transparent huge pages), choosing it fails with EOPNOTSUPP.
	 */
	MMAPDEMO_MODE_HUGE = 4,
	MMAPDEMO_MODE_COUNT
};

/*
 * Counters. "live_mappings" and "buffer_pages" are states and survive
 * MMAPDEMO_IOC_RESET_COUNTERS; every other field counts events since load
 * or the last reset.
 */
struct mmapdemo_counters {
	__u64 mmaps;		/* successful mmap() calls */
	__u64 mmap_errors;	/* mmap() calls the driver refused */
	__u64 live_mappings;	/* VMAs that map the device now */
	__u64 private_mmaps;	/* MAP_PRIVATE mmaps that may copy on write */
	__u64 faults;		/* ->fault calls that returned a page */
	__u64 cow_faults;	/* of those, write faults on private mappings */
	__u64 sigbus;		/* faults past the end of the buffer */
	__u64 faultaround_pages; /* pages mapped by ->map_pages */
	__u64 remap_pages;	/* pages mapped by remap_pfn_range() */
	__u64 insert_pages;	/* pages mapped by vm_insert_pages() at mmap */
	__u64 resizes;		/* successful resizes */
	__u64 buffer_pages;	/* pages the buffer holds now */
};

/* MMAPDEMO_IOC_GET_INFO: all fields are out. */
struct mmapdemo_info {
	__u64 size;		/* buffer size in bytes, a multiple of page_size */
	__u64 max_size;		/* MMAPDEMO_MAX_SIZE */
	__u32 page_size;	/* the kernel's PAGE_SIZE */
	__u32 mode;		/* this open file's enum mmapdemo_mode */
	__u32 default_mode;	/* the mode of new opens (module parameter) */
	__u32 segments;		/* physically contiguous runs in the buffer */
	struct mmapdemo_counters counters;
};

#define MMAPDEMO_IOC_MAGIC	0xE6

/* Read the buffer's geometry, this file's mode and the counters. */
#define MMAPDEMO_IOC_GET_INFO	_IOR(MMAPDEMO_IOC_MAGIC, 0x00, struct mmapdemo_info)
/* Set this open file's mode for later mmap() calls: a __u32 enum mmapdemo_mode. */
#define MMAPDEMO_IOC_SET_MODE	_IOW(MMAPDEMO_IOC_MAGIC, 0x01, __u32)
/*
 * Resize the buffer to a __u64 number of bytes (1..MMAPDEMO_MAX_SIZE,
 * rounded up to pages). Growing adds zeroed pages; shrinking unmaps the
 * removed range from demand-paged mappings (later access: SIGBUS) and
 * fails with EBUSY while a remap or insert mapping covers it.
 */
#define MMAPDEMO_IOC_RESIZE	_IOW(MMAPDEMO_IOC_MAGIC, 0x02, __u64)
/* Zero the event counters. */
#define MMAPDEMO_IOC_RESET_COUNTERS _IO(MMAPDEMO_IOC_MAGIC, 0x03)

#endif /* _UAPI_MMAPDEMO_H */
