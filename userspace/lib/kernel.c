// SPDX-License-Identifier: GPL-2.0
/*
 * libmmapdemo: the running kernel's version, for checks whose answer is
 * the core kernel's and changed between the kernels of the matrix.
 */
#include <stdio.h>
#include <sys/utsname.h>

#include "libmmapdemo.h"

bool md_kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}
