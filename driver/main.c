// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo: a misc device, /dev/mmapdemo, that maps its own kernel pages
 * into processes by remap_pfn_range() or by demand paging, so that the two
 * can be studied and tested side by side.
 *
 * This file holds the module parameters, load and unload, and the counters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/mount.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pseudo_fs.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "compat.h"
#include "internal.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

#define MMAPDEMO_VERSION	"1.0.0"
#define MMAPDEMO_FS_MAGIC	0x6d6d6170	/* "mmap" */

/* "size": bytes, with K, M or G suffixes as memparse() reads them. */
static unsigned long param_size = SZ_1M;

static int mmapdemo_size_param_set(const char *val,
				   const struct kernel_param *kp)
{
	unsigned long long size;
	char *end;

	size = memparse(val, &end);
	if (end == val || (*end && *end != '\n') || size > ULONG_MAX)
		return -EINVAL;
	*(unsigned long *)kp->arg = size;
	return 0;
}

static const struct kernel_param_ops mmapdemo_size_param_ops = {
	.set = mmapdemo_size_param_set,
	.get = param_get_ulong,
};
module_param_cb(size, &mmapdemo_size_param_ops, &param_size, 0444);
MODULE_PARM_DESC(size,
		 "Buffer size in bytes (K, M, G suffixes), rounded up to whole pages: 1 to 1G, default 1M");

static unsigned int param_alloc_order = MMAPDEMO_MAX_ORDER;
module_param_named(alloc_order, param_alloc_order, uint, 0444);
MODULE_PARM_DESC(alloc_order,
		 "Largest page allocation order for the buffer's contiguous runs: 0 (single pages) to the kernel's maximum, the default");

static const char *const mmapdemo_mode_names[MMAPDEMO_MODE_COUNT] = {
	[MMAPDEMO_MODE_FAULT] = "fault",
	[MMAPDEMO_MODE_REMAP] = "remap",
	[MMAPDEMO_MODE_FAULTAROUND] = "faultaround",
	[MMAPDEMO_MODE_INSERT] = "insert",
	[MMAPDEMO_MODE_HUGE] = "huge",
};

const char *mmapdemo_mode_name(u32 mode)
{
	return mode < MMAPDEMO_MODE_COUNT ? mmapdemo_mode_names[mode] :
					    "unknown";
}

int mmapdemo_mode_check(u32 mode)
{
	if (mode >= MMAPDEMO_MODE_COUNT)
		return -EINVAL;
#ifndef MMAPDEMO_HUGE
	if (mode == MMAPDEMO_MODE_HUGE)
		return -EOPNOTSUPP;
#endif
	return 0;
}

static struct mmapdemo_dev mmapdemo = {
	.misc = {
		.minor = MISC_DYNAMIC_MINOR,
		.name = "mmapdemo",
		.fops = &mmapdemo_fops,
		.mode = 0600,
		.groups = mmapdemo_groups,
	},
	.default_mode = MMAPDEMO_MODE_FAULT,
};

/*
 * "mode": parsed into mmapdemo.default_mode at load and on writes, a whole
 * name with at most a trailing newline (sysfs_match_string()). A bad name
 * fails with EINVAL; at load the kernel logs "`x' invalid for parameter
 * `mode'". "huge" where this kernel cannot fails with EOPNOTSUPP and says
 * why.
 */
static int mmapdemo_mode_param_set(const char *val,
				   const struct kernel_param *kp)
{
	int mode = sysfs_match_string(mmapdemo_mode_names, val);
	int ret;

	if (mode < 0)
		return -EINVAL;
	ret = mmapdemo_mode_check(mode);
	if (ret == -EOPNOTSUPP)
		pr_err("mode=huge: not on this kernel: it needs vmf_insert_folio_pmd() (6.15), mmap_prepare and transparent huge pages\n");
	if (ret)
		return ret;
	WRITE_ONCE(mmapdemo.default_mode, mode);
	return 0;
}

static int mmapdemo_mode_param_get(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%s\n",
			  mmapdemo_mode_name(READ_ONCE(mmapdemo.default_mode)));
}

static const struct kernel_param_ops mmapdemo_mode_param_ops = {
	.set = mmapdemo_mode_param_set,
	.get = mmapdemo_mode_param_get,
};
module_param_cb(mode, &mmapdemo_mode_param_ops, NULL, 0644);
MODULE_PARM_DESC(mode,
		 "Mapping mode of new opens: fault (default), faultaround, remap, insert or huge (where the kernel can); writable in /sys/module/mmapdemo/parameters/mode");

void mmapdemo_read_counters(struct mmapdemo_dev *dev,
			    struct mmapdemo_counters *c)
{
	unsigned long sum[MMAPDEMO_NR_STATS] = { 0 };
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct mmapdemo_stats *s = per_cpu_ptr(dev->stats, cpu);

		for (i = 0; i < MMAPDEMO_NR_STATS; i++)
			sum[i] += READ_ONCE(s->count[i]);
	}
	*c = (struct mmapdemo_counters) {
		.mmaps = sum[MMAPDEMO_STAT_MMAPS],
		.mmap_errors = sum[MMAPDEMO_STAT_MMAP_ERRORS],
		.live_mappings = atomic_long_read(&dev->live_mappings),
		.private_mmaps = sum[MMAPDEMO_STAT_PRIVATE_MMAPS],
		.faults = sum[MMAPDEMO_STAT_FAULTS],
		.cow_faults = sum[MMAPDEMO_STAT_COW_FAULTS],
		.sigbus = sum[MMAPDEMO_STAT_SIGBUS],
		.faultaround_pages = sum[MMAPDEMO_STAT_FAULTAROUND_PAGES],
		.remap_pages = sum[MMAPDEMO_STAT_REMAP_PAGES],
		.insert_pages = sum[MMAPDEMO_STAT_INSERT_PAGES],
		.resizes = sum[MMAPDEMO_STAT_RESIZES],
		.buffer_pages = mmapdemo_buf_nr_pages(&dev->buf),
	};
}

unsigned long mmapdemo_read_stat(struct mmapdemo_dev *dev,
				 enum mmapdemo_stat stat)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(dev->stats, cpu)->count[stat]);
	return sum;
}

void mmapdemo_reset_counters(struct mmapdemo_dev *dev)
{
	int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(dev->stats, cpu), 0,
		       sizeof(struct mmapdemo_stats));
}

/*
 * A pseudo file system with one anonymous inode, whose address_space every
 * open file of the device maps through (see mmapdemo_dev.inode).
 */
static int mmapdemo_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, MMAPDEMO_FS_MAGIC) ? 0 : -ENOMEM;
}

/* No .owner: the module's own kern_mount() must not pin the module. */
static struct file_system_type mmapdemo_fs_type = {
	.name = "mmapdemo",
	.init_fs_context = mmapdemo_init_fs_context,
	.kill_sb = kill_anon_super,
};

static struct vfsmount *mmapdemo_mnt;

static int __init mmapdemo_check_params(void)
{
	if (!param_size || param_size > MMAPDEMO_MAX_SIZE) {
		pr_err("size=%lu is out of range: it must be 1 to %llu bytes\n",
		       param_size, MMAPDEMO_MAX_SIZE);
		return -EINVAL;
	}
	if (param_alloc_order > MMAPDEMO_MAX_ORDER) {
		pr_err("alloc_order=%u is out of range: it must be 0 to %u\n",
		       param_alloc_order, MMAPDEMO_MAX_ORDER);
		return -EINVAL;
	}
	return 0;
}

static int __init mmapdemo_init(void)
{
	struct mmapdemo_dev *dev = &mmapdemo;
	unsigned long nr_pages = DIV_ROUND_UP(param_size, PAGE_SIZE);
	int ret;

	ret = mmapdemo_check_params();
	if (ret)
		return ret;

	atomic_long_set(&dev->live_mappings, 0);
	dev->stats = alloc_percpu(struct mmapdemo_stats);
	if (!dev->stats)
		return -ENOMEM;

	mmapdemo_mnt = kern_mount(&mmapdemo_fs_type);
	if (IS_ERR(mmapdemo_mnt)) {
		ret = PTR_ERR(mmapdemo_mnt);
		goto free_stats;
	}
	dev->inode = alloc_anon_inode(mmapdemo_mnt->mnt_sb);
	if (IS_ERR(dev->inode)) {
		ret = PTR_ERR(dev->inode);
		goto unmount;
	}

	ret = mmapdemo_buf_init(&dev->buf, nr_pages, param_alloc_order);
	if (ret) {
		pr_err("cannot allocate the buffer of %lu pages: %d\n",
		       nr_pages, ret);
		goto put_inode;
	}

	mmapdemo_sysfs_init();
	ret = misc_register(&dev->misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", dev->misc.name, ret);
		goto free_buf;
	}
	pr_info("/dev/%s: %lu pages in %lu contiguous runs, mode %s\n",
		dev->misc.name, nr_pages, mmapdemo_buf_segments(&dev->buf),
		mmapdemo_mode_name(dev->default_mode));
	return 0;

free_buf:
	mmapdemo_buf_destroy(&dev->buf);
put_inode:
	iput(dev->inode);
unmount:
	kern_unmount(mmapdemo_mnt);
free_stats:
	free_percpu(dev->stats);
	return ret;
}

/*
 * Every open file holds a reference on the module and every mapping holds
 * its file, so by now nothing maps or uses the buffer.
 */
static void __exit mmapdemo_exit(void)
{
	struct mmapdemo_dev *dev = &mmapdemo;

	misc_deregister(&dev->misc);
	mmapdemo_buf_destroy(&dev->buf);
	iput(dev->inode);
	kern_unmount(mmapdemo_mnt);
	free_percpu(dev->stats);
}

module_init(mmapdemo_init);
module_exit(mmapdemo_exit);

MODULE_DESCRIPTION("Map kernel pages into processes by remap_pfn_range() or demand paging");
MODULE_AUTHOR("The mmapdemo developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(MMAPDEMO_VERSION);
