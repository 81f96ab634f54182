// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo: the file operations. open() gives each file its own mapping
 * mode; read(), write() and llseek() treat the buffer as a file of fixed
 * size, so that syscall I/O can be compared with mapped I/O.
 */
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "internal.h"

static int mmapdemo_open(struct inode *inode, struct file *file)
{
	/* misc_open() left our miscdevice in private_data. */
	struct mmapdemo_dev *dev = container_of(file->private_data,
						struct mmapdemo_dev, misc);
	struct mmapdemo_file *f;

	f = mmapdemo_kzalloc_obj(*f, GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->dev = dev;
	f->mode = READ_ONCE(dev->default_mode);
	file->private_data = f;
	file->f_mapping = dev->inode->i_mapping;
	return 0;
}

static int mmapdemo_release(struct inode *inode, struct file *file)
{
	struct mmapdemo_file *f = file->private_data;

	mmapdemo_buf_release_file(&f->dev->buf, file);
	kfree(f);
	return 0;
}

static loff_t mmapdemo_llseek(struct file *file, loff_t offset, int whence)
{
	struct mmapdemo_file *f = file->private_data;
	loff_t size = (loff_t)mmapdemo_buf_nr_pages(&f->dev->buf) << PAGE_SHIFT;

	return fixed_size_llseek(file, offset, whence, size);
}

/*
 * Copy between the buffer at iocb->ki_pos and @iter, page by page, each
 * page held by a reference of its own so that a concurrent shrink cannot
 * free it under us. Stops at the end of the buffer; returns the bytes
 * copied, or -EFAULT if a bad user address stopped it before any.
 */
static ssize_t mmapdemo_copy(struct kiocb *iocb, struct iov_iter *iter,
			     bool write)
{
	struct mmapdemo_file *f = iocb->ki_filp->private_data;
	struct mmapdemo_buf *buf = &f->dev->buf;
	loff_t pos = iocb->ki_pos;
	size_t done = 0;

	while (iov_iter_count(iter)) {
		size_t offset = offset_in_page(pos);
		size_t chunk = min_t(size_t, iov_iter_count(iter),
				     PAGE_SIZE - offset);
		struct page *page;
		size_t copied;

		/* Bound pos first: on 32-bit, pgoff_t cannot hold pos >> PAGE_SHIFT. */
		if (pos >= MMAPDEMO_MAX_SIZE)
			break;
		page = mmapdemo_buf_get_page(buf, pos >> PAGE_SHIFT);
		if (!page)
			break;
		/*
		 * The page may be mapped into user space at any address: on
		 * a CPU whose data cache can alias, take the user's stores
		 * into account before reading, and make ours visible to the
		 * user's mappings after writing, as filemap_read() and the
		 * write paths of file systems do. Both are no-ops on x86.
		 */
		if (write) {
			copied = copy_page_from_iter(page, offset, chunk, iter);
			flush_dcache_page(page);
		} else {
			flush_dcache_page(page);
			copied = copy_page_to_iter(page, offset, chunk, iter);
		}
		put_page(page);
		done += copied;
		pos += copied;
		if (copied < chunk) {
			if (!done)
				return -EFAULT;
			break;
		}
	}
	iocb->ki_pos = pos;
	return done;
}

/* At or past the end: 0 bytes, as for a regular file. */
static ssize_t mmapdemo_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	return mmapdemo_copy(iocb, to, false);
}

/* Writes what fits; at or past the end: ENOSPC. */
static ssize_t mmapdemo_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	ssize_t ret;

	if (!iov_iter_count(from))
		return 0;
	ret = mmapdemo_copy(iocb, from, true);
	return ret ? ret : -ENOSPC;
}

/*
 * fsync(), fdatasync() and msync(MS_SYNC) of a shared mapping: nothing to
 * write back. The buffer has no backing store: it is the memory itself,
 * and every mapping's PTEs point at its pages (or, private, at copies that
 * never reach it), so a store is in the buffer the moment it is made, and
 * read() sees it. noop_fsync() says so, as it does for tmpfs.
 */
const struct file_operations mmapdemo_fops = {
	.owner = THIS_MODULE,
	.open = mmapdemo_open,
	.release = mmapdemo_release,
	.llseek = mmapdemo_llseek,
	.read_iter = mmapdemo_read_iter,
	.write_iter = mmapdemo_write_iter,
#ifdef MMAPDEMO_MMAP_PREPARE
	.mmap_prepare = mmapdemo_mmap_prepare,
#else
	.mmap = mmapdemo_mmap,
#endif
#ifdef MMAPDEMO_HUGE
	/*
	 * Every mapping of the device: huge mode's PMDs need the alignment,
	 * the other modes do not mind it, and mremap() moves several VMAs
	 * at once (6.17) only of files with this one or none.
	 */
	.get_unmapped_area = thp_get_unmapped_area,
#endif
	.fsync = noop_fsync,
	.unlocked_ioctl = mmapdemo_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
