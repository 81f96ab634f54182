// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo: the ioctl dispatcher. Arguments are checked before anything
 * changes; unknown commands get ENOTTY.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/uaccess.h>

#include "internal.h"

static long mmapdemo_ioctl_get_info(struct mmapdemo_file *f, void __user *arg)
{
	struct mmapdemo_dev *dev = f->dev;
	struct mmapdemo_info info = {
		.size = (u64)mmapdemo_buf_nr_pages(&dev->buf) << PAGE_SHIFT,
		.max_size = MMAPDEMO_MAX_SIZE,
		.page_size = PAGE_SIZE,
		.mode = READ_ONCE(f->mode),
		.default_mode = READ_ONCE(dev->default_mode),
		.segments = mmapdemo_buf_segments(&dev->buf),
	};

	mmapdemo_read_counters(dev, &info.counters);
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long mmapdemo_ioctl_set_mode(struct mmapdemo_file *f, u32 __user *arg)
{
	u32 mode;
	int ret;

	if (get_user(mode, arg))
		return -EFAULT;
	ret = mmapdemo_mode_check(mode);
	if (ret)
		return ret;
	WRITE_ONCE(f->mode, mode);
	return 0;
}

static long mmapdemo_ioctl_resize(struct mmapdemo_file *f, u64 __user *arg)
{
	struct mmapdemo_dev *dev = f->dev;
	u64 size;
	long ret;

	if (get_user(size, arg))
		return -EFAULT;
	if (!size || size > MMAPDEMO_MAX_SIZE)
		return -EINVAL;
	ret = mmapdemo_buf_resize(&dev->buf, DIV_ROUND_UP(size, PAGE_SIZE),
				  dev->inode->i_mapping);
	if (!ret)
		mmapdemo_count(dev, MMAPDEMO_STAT_RESIZES);
	return ret;
}

long mmapdemo_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct mmapdemo_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MMAPDEMO_IOC_GET_INFO:
		return mmapdemo_ioctl_get_info(f, uarg);
	case MMAPDEMO_IOC_SET_MODE:
		return mmapdemo_ioctl_set_mode(f, uarg);
	case MMAPDEMO_IOC_RESIZE:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		return mmapdemo_ioctl_resize(f, uarg);
	case MMAPDEMO_IOC_RESET_COUNTERS:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		mmapdemo_reset_counters(f->dev);
		return 0;
	default:
		return -ENOTTY;
	}
}
