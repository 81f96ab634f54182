// SPDX-License-Identifier: GPL-2.0
/*
 * libmmapdemo: /proc/self/pagemap. The kernel's page walk skips VM_PFNMAP
 * mappings (remap mode), which always read as not present.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
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
