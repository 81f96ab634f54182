// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo: the device's state and counters for people at a shell, under
 * /sys/class/misc/mmapdemo/: size, pages, segments, built_for, and one file
 * per counter in counters/: the numbers of MMAPDEMO_IOC_GET_INFO. The
 * default mode is the module parameter /sys/module/mmapdemo/parameters/mode.
 */
#include <linux/device.h>
#include <linux/stddef.h>
#include <linux/sysfs.h>
#include <generated/utsrelease.h>

#include "internal.h"

static struct mmapdemo_dev *to_mmapdemo(struct device *d)
{
	struct miscdevice *misc = dev_get_drvdata(d);

	return container_of(misc, struct mmapdemo_dev, misc);
}

static ssize_t size_show(struct device *d, struct device_attribute *attr,
			 char *buf)
{
	unsigned long pages = mmapdemo_buf_nr_pages(&to_mmapdemo(d)->buf);

	return sysfs_emit(buf, "%llu\n", (u64)pages << PAGE_SHIFT);
}
static DEVICE_ATTR_RO(size);

static ssize_t pages_show(struct device *d, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  mmapdemo_buf_nr_pages(&to_mmapdemo(d)->buf));
}
static DEVICE_ATTR_RO(pages);

static ssize_t segments_show(struct device *d, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  mmapdemo_buf_segments(&to_mmapdemo(d)->buf));
}
static DEVICE_ATTR_RO(segments);

/* The kernel this module was built for (its vermagic's release). */
static ssize_t built_for_show(struct device *d, struct device_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%s\n", UTS_RELEASE);
}
static DEVICE_ATTR_RO(built_for);

static struct attribute *mmapdemo_attrs[] = {
	&dev_attr_size.attr,
	&dev_attr_pages.attr,
	&dev_attr_segments.attr,
	&dev_attr_built_for.attr,
	NULL,
};

static const struct attribute_group mmapdemo_group = {
	.attrs = mmapdemo_attrs,
};

/* counters/: one read-only file per field of struct mmapdemo_counters. */
struct counter_attribute {
	struct device_attribute attr;
	size_t offset;
};

static ssize_t counter_show(struct device *d, struct device_attribute *attr,
			    char *buf)
{
	struct counter_attribute *ca =
		container_of(attr, struct counter_attribute, attr);
	struct mmapdemo_counters c;

	mmapdemo_read_counters(to_mmapdemo(d), &c);
	return sysfs_emit(buf, "%llu\n", *(u64 *)((char *)&c + ca->offset));
}

static struct counter_attribute counter_table[] = {
	{ .attr = __ATTR(mmaps, 0444, counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, mmaps) },
	{ .attr = __ATTR(mmap_errors, 0444, counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, mmap_errors) },
	{ .attr = __ATTR(live_mappings, 0444, counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, live_mappings) },
	{ .attr = __ATTR(private_mmaps, 0444, counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, private_mmaps) },
	{ .attr = __ATTR(faults, 0444, counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, faults) },
	{ .attr = __ATTR(cow_faults, 0444, counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, cow_faults) },
	{ .attr = __ATTR(sigbus, 0444, counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, sigbus) },
	{ .attr = __ATTR(faultaround_pages, 0444, counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, faultaround_pages) },
	{ .attr = __ATTR(remap_pages, 0444, counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, remap_pages) },
	{ .attr = __ATTR(insert_pages, 0444, counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, insert_pages) },
	{ .attr = __ATTR(resizes, 0444, counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, resizes) },
	{ .attr = __ATTR(buffer_pages, 0444, counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, buffer_pages) },
};

static struct attribute *counter_attrs[] = {
	&counter_table[0].attr.attr,
	&counter_table[1].attr.attr,
	&counter_table[2].attr.attr,
	&counter_table[3].attr.attr,
	&counter_table[4].attr.attr,
	&counter_table[5].attr.attr,
	&counter_table[6].attr.attr,
	&counter_table[7].attr.attr,
	&counter_table[8].attr.attr,
	&counter_table[9].attr.attr,
	&counter_table[10].attr.attr,
	&counter_table[11].attr.attr,
	NULL,
};

static const struct attribute_group counter_group = {
	.name = "counters",
	.attrs = counter_attrs,
};

const struct attribute_group *mmapdemo_groups[] = {
	&mmapdemo_group,
	&counter_group,
	NULL,
};
