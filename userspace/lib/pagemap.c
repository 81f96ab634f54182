// SPDX-License-Identifier: GPL-2.0
/*
 * libmmapdemo: /proc/self/pagemap. The kernel's page walk skips VM_PFNMAP
 * mappings (remap mode), which always read as not present.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libmmapdemo.h"

int md_pagemap(const void *addr, size_t npages, uint64_t *entries)
{
	off_t off = (off_t)((uintptr_t)addr / md_page_size()) * 8;
	size_t len = npages * 8;
	ssize_t n;
	int fd, err;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pread(fd, entries, len, off);
	err = errno;
	close(fd);
	if (n < 0) {
		errno = err;
		return -1;
	}
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

long md_present_pages(const void *addr, size_t npages)
{
	uint64_t entry;
	size_t ps = md_page_size(), i;
	long present = 0;

	for (i = 0; i < npages; i++) {
		if (md_pagemap((const char *)addr + i * ps, 1, &entry))
			return -1;
		if (entry & MD_PM_PRESENT)
			present++;
	}
	return present;
}

/*
 * The first buffer page from which @npages pages are one physically
 * contiguous run, or -1 (ENOENT: none). A shared fault-mode mapping of
 * the whole buffer, read once, shows each page's frame (root only).
 */
long md_find_run(size_t npages)
{
	struct mmapdemo_info info;
	size_t ps = md_page_size(), n, i, run = 0;
	uint64_t *pfn = NULL;
	long at = -1;
	int fd, err = ENOENT;
	char *p;

	fd = md_open_mode(MMAPDEMO_MODE_FAULT);
	if (fd < 0)
		return -1;
	if (md_info(fd, &info)) {
		err = errno;
		goto out;
	}
	n = info.size / ps;
	pfn = calloc(n, sizeof(*pfn));
	p = pfn ? mmap(NULL, n * ps, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
	if (p == MAP_FAILED) {
		err = pfn ? errno : ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		(void)*(volatile char *)(p + i * ps);
	if (md_pagemap(p, n, pfn)) {
		err = errno;
	} else {
		for (i = 0; i < n && at < 0; i++) {
			uint64_t f = pfn[i] & MD_PM_PFN_MASK;

			if (!f)
				break;	/* not root: no frames */
			run = i && f == (pfn[i - 1] & MD_PM_PFN_MASK) + 1 ? run + 1 : 1;
			if (run == npages)
				at = (long)(i + 1 - npages);
		}
	}
	munmap(p, n * ps);
out:
	free(pfn);
	close(fd);
	if (at < 0)
		errno = err;
	return at;
}
