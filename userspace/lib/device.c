// SPDX-License-Identifier: GPL-2.0
/* libmmapdemo: the device, its ioctls and its mappings. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libmmapdemo.h"

static const char *const mode_names[MMAPDEMO_MODE_COUNT] = {
	[MMAPDEMO_MODE_FAULT] = "fault",
	[MMAPDEMO_MODE_REMAP] = "remap",
	[MMAPDEMO_MODE_FAULTAROUND] = "faultaround",
	[MMAPDEMO_MODE_INSERT] = "insert",
	[MMAPDEMO_MODE_HUGE] = "huge",
};

size_t md_page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

int md_open(int flags)
{
	return open(MD_DEVICE, flags | O_CLOEXEC);
}

int md_info(int fd, struct mmapdemo_info *info)
{
	return ioctl(fd, MMAPDEMO_IOC_GET_INFO, info);
}

int md_set_mode(int fd, unsigned int mode)
{
	__u32 m = mode;

	return ioctl(fd, MMAPDEMO_IOC_SET_MODE, &m);
}

int md_resize(int fd, uint64_t size)
{
	__u64 s = size;

	return ioctl(fd, MMAPDEMO_IOC_RESIZE, &s);
}

int md_reset_counters(int fd)
{
	return ioctl(fd, MMAPDEMO_IOC_RESET_COUNTERS);
}

const char *md_mode_name(unsigned int mode)
{
	return mode < MMAPDEMO_MODE_COUNT ? mode_names[mode] : "unknown";
}

bool md_mode_demand_paged(unsigned int mode)
{
	return mode == MMAPDEMO_MODE_FAULT || mode == MMAPDEMO_MODE_FAULTAROUND ||
	       mode == MMAPDEMO_MODE_HUGE;
}

int md_mode_parse(const char *name, unsigned int *mode)
{
	unsigned int i;

	for (i = 0; i < MMAPDEMO_MODE_COUNT; i++) {
		if (!strcmp(name, mode_names[i])) {
			*mode = i;
			return 0;
		}
	}
	errno = EINVAL;
	return -1;
}

void *md_map(int fd, unsigned int mode, size_t len, off_t offset, int prot,
	     bool shared)
{
	if (md_set_mode(fd, mode))
		return MAP_FAILED;
	return mmap(NULL, len, prot, shared ? MAP_SHARED : MAP_PRIVATE, fd,
		    offset);
}

int md_open_mode(unsigned int mode)
{
	int fd = md_open(O_RDWR);

	if (fd < 0)
		return -1;
	if (md_set_mode(fd, mode)) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/*
 * Does the loaded driver implement mmap_prepare (7.x) rather than ->mmap?
 * Its sysfs file mmap_api says; dev.mmap_api_is_the_kernels checks that
 * against the kernel's version.
 */
bool md_mmap_prepare(void)
{
	char api[32];

	/* Not cached: a test may load the module after it starts. */
	md_read_text(MD_SYSFS "/mmap_api", api, sizeof(api));
	return !strcmp(api, "mmap_prepare");
}

/*
 * Does the loaded driver take huge mode (else MMAPDEMO_IOC_SET_MODE says
 * EOPNOTSUPP)? mmapdemo_huge checks the answer against the kernel.
 */
bool md_huge_mode(void)
{
	int fd = md_open_mode(MMAPDEMO_MODE_HUGE);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}
