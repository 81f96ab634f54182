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

#define COUNTER_ATTR(_name)						\
	struct counter_attribute counter_attr_##_name = {		\
		.attr = __ATTR(_name, 0444, counter_show, NULL),	\
		.offset = offsetof(struct mmapdemo_counters, _name),	\
	}

static COUNTER_ATTR(mmaps);
static COUNTER_ATTR(mmap_errors);
static COUNTER_ATTR(live_mappings);
static COUNTER_ATTR(private_mmaps);
static COUNTER_ATTR(faults);
static COUNTER_ATTR(cow_faults);
static COUNTER_ATTR(sigbus);
static COUNTER_ATTR(faultaround_pages);
static COUNTER_ATTR(remap_pages);
static COUNTER_ATTR(insert_pages);
static COUNTER_ATTR(resizes);
static COUNTER_ATTR(buffer_pages);

static struct attribute *counter_attrs[] = {
	&counter_attr_mmaps.attr.attr,
	&counter_attr_mmap_errors.attr.attr,
	&counter_attr_live_mappings.attr.attr,
	&counter_attr_private_mmaps.attr.attr,
	&counter_attr_faults.attr.attr,
	&counter_attr_cow_faults.attr.attr,
	&counter_attr_sigbus.attr.attr,
	&counter_attr_faultaround_pages.attr.attr,
	&counter_attr_remap_pages.attr.attr,
	&counter_attr_insert_pages.attr.attr,
	&counter_attr_resizes.attr.attr,
	&counter_attr_buffer_pages.attr.attr,
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
