// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-stress: is a range of the buffer one physically contiguous run?
 * A private remap mapping must be (README, "Mapping modes"), and after a
 * grow the buffer is several runs. A shared fault-mode mapping of the
 * range, read once, shows each page's frame in /proc/self/pagemap (root).
 * Called with the resize lock held, for a range inside the buffer.
 * Returns 1 (contiguous), 0 (not) or -1 with errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "stress.h"

int range_contiguous(uint32_t first, uint32_t npages, size_t ps)
{
	uint64_t entries[MAX_MAP_PAGES];
	int fd, ret = -1, err = 0;
	uint32_t i;
	char *p;

	if (npages > MAX_MAP_PAGES) {
		errno = EINVAL;
		return -1;
	}
	fd = md_open_mode(MMAPDEMO_MODE_FAULT);
	if (fd < 0)
		return -1;
	p = mmap(NULL, npages * ps, PROT_READ, MAP_SHARED, fd, (off_t)first * (off_t)ps);
	if (p == MAP_FAILED) {
		err = errno;
		goto out;
	}
	for (i = 0; i < npages; i++) {
		if (trap_probe(p + i * ps, false, NULL)) {
			err = EFAULT;
			goto unmap;
		}
	}
	if (md_pagemap(p, npages, entries)) {
		err = errno;
		goto unmap;
	}
	ret = 1;
	for (i = 0; i < npages; i++) {
		if (!(entries[i] & MD_PM_PRESENT) || !(entries[i] & MD_PM_PFN_MASK)) {
			err = ENODATA;
			ret = -1;
			break;
		}
		if (i && (entries[i] & MD_PM_PFN_MASK) !=
			 (entries[i - 1] & MD_PM_PFN_MASK) + 1)
			ret = 0;
	}
unmap:
	munmap(p, npages * ps);
out:
	close(fd);
	if (ret < 0)
		errno = err;
	return ret;
}
