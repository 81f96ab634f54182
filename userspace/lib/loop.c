// SPDX-License-Identifier: GPL-2.0
/*
 * libmmapdemo: a loop block device over a memfd, opened with O_DIRECT, so
 * that a test can make the block layer pin a mapping's pages through
 * get_user_pages(): write() takes them as the source, read() as the
 * destination. No file system and no disk is needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libmmapdemo.h"

#define LOOP_CONTROL	"/dev/loop-control"

int md_loop_open(struct md_loop *lo, size_t size)
{
	char path[32];
	int ctl, err;

	lo->nr = -1;
	lo->fd = -1;
	lo->backing = -1;
	ctl = open(LOOP_CONTROL, O_RDWR | O_CLOEXEC);
	if (ctl < 0 && errno == ENOENT && !system("modprobe -q loop"))
		ctl = open(LOOP_CONTROL, O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -1;
	lo->backing = memfd_create("mmapdemo-loop", MFD_CLOEXEC);
	if (lo->backing < 0 || ftruncate(lo->backing, size))
		goto fail;
	lo->nr = ioctl(ctl, LOOP_CTL_GET_FREE);
	if (lo->nr < 0)
		goto fail;
	snprintf(path, sizeof(path), "/dev/loop%d", lo->nr);
	lo->fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (lo->fd < 0 || ioctl(lo->fd, LOOP_SET_FD, lo->backing))
		goto fail;
	close(ctl);
	return 0;
fail:
	err = errno;
	close(ctl);
	md_loop_close(lo);
	errno = err;
	return -1;
}

void md_loop_close(struct md_loop *lo)
{
	int ctl;

	if (lo->fd >= 0) {
		ioctl(lo->fd, LOOP_CLR_FD, 0);
		close(lo->fd);
	}
	if (lo->backing >= 0)
		close(lo->backing);
	if (lo->nr >= 0) {
		ctl = open(LOOP_CONTROL, O_RDWR | O_CLOEXEC);
		if (ctl >= 0) {
			ioctl(ctl, LOOP_CTL_REMOVE, lo->nr);
			close(ctl);
		}
	}
	lo->nr = lo->fd = lo->backing = -1;
}
