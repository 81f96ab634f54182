// SPDX-License-Identifier: GPL-2.0
/* mmapdemo info, mode and resize: the device's state. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cmd.h"

#define MODE_PARAM "/sys/module/" MD_MODULE "/parameters/mode"

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	snprintf(buf, len, "?");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static int run_info(int argc, char **argv)
{
	struct mmapdemo_info info;
	struct mmapdemo_counters *c = &info.counters;
	char version[64], built_for[128];
	struct utsname u;
	int fd;

	if (argc > 1)
		return usage_error(&cmd_info, "unexpected argument '%s'", argv[1]);
	fd = md_open(O_RDONLY);
	if (fd < 0)
		return fail_errno("open " MD_DEVICE);
	if (md_info(fd, &info)) {
		close(fd);
		return fail_errno("MMAPDEMO_IOC_GET_INFO");
	}
	close(fd);
	read_line("/sys/module/" MD_MODULE "/version", version, sizeof(version));
	read_line("/sys/class/misc/" MD_MODULE "/built_for", built_for,
		  sizeof(built_for));
	uname(&u);

	printf("module:        mmapdemo %s, built for %s, running %s\n",
	       version, built_for, u.release);
	printf("size:          %llu bytes (%llu pages of %u bytes, max %llu bytes)\n",
	       (unsigned long long)info.size,
	       (unsigned long long)(info.size / info.page_size), info.page_size,
	       (unsigned long long)info.max_size);
	printf("segments:      %u physically contiguous run%s\n", info.segments,
	       info.segments == 1 ? "" : "s");
	printf("default mode:  %s\n", md_mode_name(info.default_mode));
	printf("counters:\n");
	printf("  mmaps              %llu\n", (unsigned long long)c->mmaps);
	printf("  mmap_errors        %llu\n", (unsigned long long)c->mmap_errors);
	printf("  live_mappings      %llu\n", (unsigned long long)c->live_mappings);
	printf("  private_mmaps      %llu\n", (unsigned long long)c->private_mmaps);
	printf("  faults             %llu\n", (unsigned long long)c->faults);
	printf("  cow_faults         %llu\n", (unsigned long long)c->cow_faults);
	printf("  sigbus             %llu\n", (unsigned long long)c->sigbus);
	printf("  faultaround_pages  %llu\n", (unsigned long long)c->faultaround_pages);
	printf("  remap_pages        %llu\n", (unsigned long long)c->remap_pages);
	printf("  insert_pages       %llu\n", (unsigned long long)c->insert_pages);
	printf("  resizes            %llu\n", (unsigned long long)c->resizes);
	printf("  buffer_pages       %llu\n", (unsigned long long)c->buffer_pages);
	return EXIT_OK;
}

static int run_mode(int argc, char **argv)
{
	unsigned int mode;
	char cur[32];
	FILE *f;

	if (argc > 2)
		return usage_error(&cmd_mode, "too many arguments");
	if (argc == 1) {
		if (access(MODE_PARAM, R_OK))
			return fail_errno(MODE_PARAM " (is the module loaded?)");
		read_line(MODE_PARAM, cur, sizeof(cur));
		printf("%s\n", cur);
		return EXIT_OK;
	}
	if (md_mode_parse(argv[1], &mode))
		return usage_error(&cmd_mode,
				   "unknown mode '%s' (fault, faultaround, remap, insert)",
				   argv[1]);
	f = fopen(MODE_PARAM, "w");
	if (!f)
		return fail_errno("open " MODE_PARAM);
	if (fprintf(f, "%s\n", md_mode_name(mode)) < 0 || fclose(f) == EOF)
		return fail_errno("write " MODE_PARAM);
	printf("default mode: %s\n", md_mode_name(mode));
	return EXIT_OK;
}

static int run_resize(int argc, char **argv)
{
	struct mmapdemo_info info;
	uint64_t size;
	int fd;

	if (argc != 2)
		return usage_error(&cmd_resize, "expected one SIZE");
	if (md_parse_size(argv[1], &size))
		return usage_error(&cmd_resize, "bad size '%s'", argv[1]);
	fd = md_open(O_RDWR);
	if (fd < 0)
		return fail_errno("open " MD_DEVICE);
	if (md_resize(fd, size)) {
		int err = errno;

		close(fd);
		errno = err;
		if (err == EBUSY)
			return fail("resize: a remap or insert mapping covers the pages a shrink would remove, or a private remap mapping exists (EBUSY)");
		if (err == EINVAL)
			return fail("resize: %llu bytes is out of range: 1 byte to 1 GiB (EINVAL)",
				    (unsigned long long)size);
		return fail_errno("resize");
	}
	if (md_info(fd, &info) == 0)
		printf("size: %llu bytes\n", (unsigned long long)info.size);
	close(fd);
	return EXIT_OK;
}

const struct cmd cmd_info = {
	.name = "info",
	.args = "",
	.summary = "Show the buffer, the default mode, the counters and the module's version",
	.help = "",
	.run = run_info,
};

const struct cmd cmd_mode = {
	.name = "mode",
	.args = "[fault|faultaround|remap|insert]",
	.summary = "Show or set the mapping mode new opens of the device get",
	.help = "Writes the module parameter " MODE_PARAM " (root).\n",
	.run = run_mode,
};

const struct cmd cmd_resize = {
	.name = "resize",
	.args = "SIZE",
	.summary = "Resize the buffer (SIZE in bytes, K, M or G suffixes)",
	.help =
	"Growing adds zeroed pages. Shrinking unmaps the removed pages from demand-\n"
	"paged mappings (touching them then raises SIGBUS) and is refused with EBUSY\n"
	"while a remap or insert mapping covers them or a private remap mapping exists.\n",
	.run = run_resize,
};
