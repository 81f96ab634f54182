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
#include "uapi/mmapdemo.h"

/*
 * Event counters, one copy per CPU: the fault path bumps its own CPU's
 * copy and shares no cache line with faults on other CPUs. Readers sum
 * the copies; a reset races with concurrent events and may miss some.
 */
struct mmapdemo_stats {
	unsigned long mmaps;
	unsigned long mmap_errors;
	unsigned long private_mmaps;
	unsigned long faults;
	unsigned long cow_faults;
	unsigned long sigbus;
	unsigned long faultaround_pages;
	unsigned long remap_pages;
	unsigned long insert_pages;
	unsigned long resizes;
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

#define mmapdemo_count(dev, field)	this_cpu_inc((dev)->stats->field)
#define mmapdemo_count_add(dev, field, n) this_cpu_add((dev)->stats->field, n)

void mmapdemo_read_counters(struct mmapdemo_dev *dev,
			    struct mmapdemo_counters *c);
void mmapdemo_reset_counters(struct mmapdemo_dev *dev);

const char *mmapdemo_mode_name(u32 mode);
int mmapdemo_mode_parse(const char *name, u32 *mode);

int mmapdemo_mmap(struct file *file, struct vm_area_struct *vma);
long mmapdemo_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

extern const struct file_operations mmapdemo_fops;
extern const struct attribute_group *mmapdemo_groups[];

#endif /* MMAPDEMO_INTERNAL_H */
