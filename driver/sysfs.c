// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo: the device's state and counters for people at a shell, under
 * /sys/class/misc/mmapdemo/: size, pages, segments, folios (the 2 MiB
 * folios huge mode maps with PMDs), built_for, mmap_api (the entry point
 * the driver implements on this kernel: "mmap" or "mmap_prepare"), modes
 * (the mapping modes it takes here), and one file per counter in
 * counters/: the numbers of MMAPDEMO_IOC_GET_INFO, and huge_pmds. The
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

/* The buffer's 2 MiB folios, each of which huge mode maps with a PMD. */
static ssize_t folios_show(struct device *d, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  mmapdemo_buf_folios(&to_mmapdemo(d)->buf));
}
static DEVICE_ATTR_RO(folios);

/* The kernel this module was built for (its vermagic's release). */
static ssize_t built_for_show(struct device *d, struct device_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%s\n", UTS_RELEASE);
}
static DEVICE_ATTR_RO(built_for);

/* The mapping modes this build of the driver takes, by name. */
static ssize_t modes_show(struct device *d, struct device_attribute *attr,
			  char *buf)
{
	int len = 0;
	u32 mode;

	for (mode = 0; mode < MMAPDEMO_MODE_COUNT; mode++)
		if (!mmapdemo_mode_check(mode))
			len += sysfs_emit_at(buf, len, "%s%s", len ? " " : "",
					     mmapdemo_mode_name(mode));
	return len + sysfs_emit_at(buf, len, "\n");
}
static DEVICE_ATTR_RO(modes);

static ssize_t mmap_api_show(struct device *d, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%s\n", MMAPDEMO_MMAP_API);
}
static DEVICE_ATTR_RO(mmap_api);

static struct attribute *mmapdemo_attrs[] = {
	&dev_attr_size.attr,
	&dev_attr_pages.attr,
	&dev_attr_segments.attr,
	&dev_attr_folios.attr,
	&dev_attr_built_for.attr,
	&dev_attr_mmap_api.attr,
	&dev_attr_modes.attr,
	NULL,
};

static const struct attribute_group mmapdemo_group = {
	.attrs = mmapdemo_attrs,
};

/*
 * counters/: one read-only file per field of struct mmapdemo_counters,
 * and of those that GET_INFO's fixed layout has no room for.
 */
struct mmapdemo_sysfs_counters {
	struct mmapdemo_counters c;	/* first: its offsets are ours */
	u64 huge_pmds;
};

struct mmapdemo_counter_attr {
	struct device_attribute attr;
	size_t offset;
};

static ssize_t mmapdemo_counter_show(struct device *d,
				     struct device_attribute *attr, char *buf)
{
	struct mmapdemo_counter_attr *ca =
		container_of(attr, struct mmapdemo_counter_attr, attr);
	struct mmapdemo_dev *dev = to_mmapdemo(d);
	struct mmapdemo_sysfs_counters c;

	mmapdemo_read_counters(dev, &c.c);
	c.huge_pmds = mmapdemo_read_stat(dev, MMAPDEMO_STAT_HUGE_PMDS);
	return sysfs_emit(buf, "%llu\n", *(u64 *)((char *)&c + ca->offset));
}

static struct mmapdemo_counter_attr mmapdemo_counter_table[] = {
	{ .attr = __ATTR(mmaps, 0444, mmapdemo_counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, mmaps) },
	{ .attr = __ATTR(mmap_errors, 0444, mmapdemo_counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, mmap_errors) },
	{ .attr = __ATTR(live_mappings, 0444, mmapdemo_counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, live_mappings) },
	{ .attr = __ATTR(private_mmaps, 0444, mmapdemo_counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, private_mmaps) },
	{ .attr = __ATTR(faults, 0444, mmapdemo_counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, faults) },
	{ .attr = __ATTR(cow_faults, 0444, mmapdemo_counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, cow_faults) },
	{ .attr = __ATTR(sigbus, 0444, mmapdemo_counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, sigbus) },
	{ .attr = __ATTR(faultaround_pages, 0444, mmapdemo_counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, faultaround_pages) },
	{ .attr = __ATTR(remap_pages, 0444, mmapdemo_counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, remap_pages) },
	{ .attr = __ATTR(insert_pages, 0444, mmapdemo_counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, insert_pages) },
	{ .attr = __ATTR(resizes, 0444, mmapdemo_counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, resizes) },
	{ .attr = __ATTR(buffer_pages, 0444, mmapdemo_counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_counters, buffer_pages) },
	{ .attr = __ATTR(huge_pmds, 0444, mmapdemo_counter_show, NULL),
	  .offset = offsetof(struct mmapdemo_sysfs_counters, huge_pmds) },
};

/* Filled from the table by mmapdemo_sysfs_init(), NULL-terminated. */
static struct attribute *
mmapdemo_counter_attrs[ARRAY_SIZE(mmapdemo_counter_table) + 1];

static const struct attribute_group mmapdemo_counter_group = {
	.name = "counters",
	.attrs = mmapdemo_counter_attrs,
};

const struct attribute_group *mmapdemo_groups[] = {
	&mmapdemo_group,
	&mmapdemo_counter_group,
	NULL,
};

/* Before the device is registered, which creates the files. */
void mmapdemo_sysfs_init(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mmapdemo_counter_table); i++)
		mmapdemo_counter_attrs[i] = &mmapdemo_counter_table[i].attr.attr;
}
