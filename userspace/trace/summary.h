/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmapdemo-trace: what summary.c gathers from a saved trace and report.c
 * prints.
 */
#ifndef MMAPDEMO_TRACE_SUMMARY_H
#define MMAPDEMO_TRACE_SUMMARY_H

#include "trace.h"

#define MAX_DEPTH	64
#define MAX_CHAINS	4

struct fault {
	long page;		/* in the mapping */
	bool write;		/* the driver saw FAULT_FLAG_WRITE, or x86's W bit */
	int hmf, vma_lock, mmap_lock;	/* calls of those functions */
	bool do_fault, do_wp_page, driver_fault, map_pages;
	double time_us;
};

struct chain {
	char text[512];
	int count;
};

struct summary {
	char meta[6][512];
	int nmeta;
	unsigned long start, len;	/* the mapping */
	unsigned long page_size;
	bool mapped;
	char mmap_fields[512];
	struct fault *faults;
	int nfaults, cap, other_faults;
	struct fault *cur;		/* NULL: not in a fault of the mapping */
	char stack[MAX_DEPTH][128];
	int depth;
	bool block_is_mmap;		/* a do_mmap/remap_pfn_range/... block */
	bool block_is_mmap_call;	/* of those, do_mmap's (--mmap-graph) */
	double mmap_us, mmap_call_us;
	struct chain chains[MAX_CHAINS], ptes[MAX_CHAINS], mmap_ptes[MAX_CHAINS];
	struct chain pmds[MAX_CHAINS];		/* the PMD inserts of faults */
	struct chain mmap_chains[MAX_CHAINS];	/* the driver, called in mmap() */
	int drv_faults, drv_locked, drv_sigbus, drv_write, drv_vmalock;
	int map_pages, map_pages_mapped, vma_open, vma_close, signals;
	int huge_faults, huge_nopage, huge_fallback;	/* ->huge_fault's events */
	double *drv_us;
	int ndrv_us;
};

void sm_print(FILE *out, struct summary *s, const char *path);

#endif /* MMAPDEMO_TRACE_SUMMARY_H */
