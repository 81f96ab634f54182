/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmapdemo: what the driver's files share. The device, the open file and
 * the counters.
 */
#ifndef MMAPDEMO_INTERNAL_H
#define MMAPDEMO_INTERNAL_H

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/percpu.h>
#include <linux/sysfs.h>

#include "buffer.h"
#include "compat.h"
#include "uapi/mmapdemo.h"

/*
 * The event counters, in the order of struct mmapdemo_counters; those past
 * MMAPDEMO_STAT_RESIZES are in sysfs only (GET_INFO's layout is fixed).
 */
enum mmapdemo_stat {
	MMAPDEMO_STAT_MMAPS,
	MMAPDEMO_STAT_MMAP_ERRORS,
	MMAPDEMO_STAT_PRIVATE_MMAPS,
	MMAPDEMO_STAT_FAULTS,
	MMAPDEMO_STAT_COW_FAULTS,
	MMAPDEMO_STAT_SIGBUS,
	MMAPDEMO_STAT_FAULTAROUND_PAGES,
	MMAPDEMO_STAT_REMAP_PAGES,
	MMAPDEMO_STAT_INSERT_PAGES,
	MMAPDEMO_STAT_RESIZES,
	MMAPDEMO_STAT_HUGE_PMDS,	/* PMDs ->huge_fault mapped */
	MMAPDEMO_NR_STATS
};

/*
 * Event counters, one copy per CPU: the fault path bumps its own CPU's
 * copy and shares no cache line with faults on other CPUs. Readers sum
 * the copies; a reset races with concurrent events and may miss some.
 */
struct mmapdemo_stats {
	unsigned long count[MMAPDEMO_NR_STATS];
};

struct mmapdemo_dev {
	struct miscdevice misc;
	struct mmapdemo_buf buf;
	/*
	 * An anonymous inode whose address_space every open file of the
	 * device uses as f_mapping, so that every mapping is linked in one
	 * tree and resize can unmap a range from all of them at once.
	 */
	struct inode *inode;
	struct mmapdemo_stats __percpu *stats;
	atomic_long_t live_mappings;	/* VMAs mapping the device */
	u32 default_mode;		/* module parameter "mode" */
};

/* file->private_data. */
struct mmapdemo_file {
	struct mmapdemo_dev *dev;
	u32 mode;	/* enum mmapdemo_mode; READ_ONCE/WRITE_ONCE, no lock */
};

static inline void mmapdemo_count_add(struct mmapdemo_dev *dev,
				      enum mmapdemo_stat stat,
				      unsigned long n)
{
	this_cpu_add(dev->stats->count[stat], n);
}

static inline void mmapdemo_count(struct mmapdemo_dev *dev,
				  enum mmapdemo_stat stat)
{
	mmapdemo_count_add(dev, stat, 1);
}

void mmapdemo_read_counters(struct mmapdemo_dev *dev,
			    struct mmapdemo_counters *c);
unsigned long mmapdemo_read_stat(struct mmapdemo_dev *dev,
				 enum mmapdemo_stat stat);
void mmapdemo_reset_counters(struct mmapdemo_dev *dev);

const char *mmapdemo_mode_name(u32 mode);
/* 0, or -EINVAL (no such mode) or -EOPNOTSUPP (not on this kernel). */
int mmapdemo_mode_check(u32 mode);

#ifdef MMAPDEMO_MMAP_PREPARE
int mmapdemo_mmap_prepare(struct vm_area_desc *desc);
#else
int mmapdemo_mmap(struct file *file, struct vm_area_struct *vma);
#endif
long mmapdemo_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

extern const struct file_operations mmapdemo_fops;
extern const struct attribute_group *mmapdemo_groups[];
void mmapdemo_sysfs_init(void);

#endif /* MMAPDEMO_INTERNAL_H */
