// SPDX-License-Identifier: GPL-2.0
/* The mmapdemo command: messages, size parsing and mapped ranges. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cmd.h"

const char *progname = "mmapdemo";

void print_help(const struct cmd *c)
{
	printf("usage: %s %s %s\n\n%s.\n", progname, c->name, c->args,
	       c->summary);
	if (c->help && *c->help)
		printf("\n%s", c->help);
}

int usage_error(const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", progname, c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s %s %s (see %s %s --help)\n", progname,
		c->name, c->args, progname, c->name);
	return EXIT_USAGE;
}

int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int fail_errno(const char *what)
{
	int err = errno;

	if (err == ENOENT && strstr(what, MD_DEVICE))
		return fail("%s: %s (is the module loaded? try: %s load)", what,
			    strerror(err), progname);
	return fail("%s: %s (%s)", what, strerror(err),
		    strerrorname_np(err) ? strerrorname_np(err) : "?");
}

bool wants_help(const struct cmd *c, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			print_help(c);
			return true;
		}
		if (!strcmp(argv[i], "--"))
			break;
	}
	return false;
}

void range_init(struct range *r)
{
	memset(r, 0, sizeof(*r));
	r->mode = MMAPDEMO_MODE_COUNT;	/* the device's default */
	r->shared = true;
	r->fd = -1;
	r->addr = MAP_FAILED;
}

int range_option(const struct cmd *c, struct range *r, int opt,
		 const char *arg)
{
	switch (opt) {
	case 'm':
		if (md_mode_parse(arg, &r->mode)) {
			usage_error(c, "unknown mode '%s' (fault, faultaround, remap, insert)",
				    arg);
			return -1;
		}
		return 1;
	case 'p':
		r->shared = false;
		return 1;
	case 's':
		r->shared = true;
		return 1;
	case 'o':
	case 'l':
		if (md_parse_size(arg, opt == 'o' ? &r->offset : &r->length)) {
			usage_error(c, "bad %s '%s'",
				    opt == 'o' ? "offset" : "length", arg);
			return -1;
		}
		return 1;
	}
	return 0;
}

int range_map(struct range *r, int prot)
{
	char what[128];

	r->fd = md_open(prot & PROT_WRITE ? O_RDWR : O_RDONLY);
	if (r->fd < 0)
		return fail_errno("open " MD_DEVICE);
	if (md_info(r->fd, &r->info))
		return fail_errno("MMAPDEMO_IOC_GET_INFO");
	if (r->mode == MMAPDEMO_MODE_COUNT)
		r->mode = r->info.mode;
	if (!r->length) {
		if (r->offset >= r->info.size)
			return fail("offset %llu is at or past the end of the %llu-byte buffer",
				    (unsigned long long)r->offset,
				    (unsigned long long)r->info.size);
		r->length = r->info.size - r->offset;
	}
	r->addr = md_map(r->fd, r->mode, r->length, r->offset, prot, r->shared);
	if (r->addr == MAP_FAILED) {
		snprintf(what, sizeof(what),
			 "mmap of %llu bytes at offset %llu (%s, %s)",
			 (unsigned long long)r->length,
			 (unsigned long long)r->offset, md_mode_name(r->mode),
			 r->shared ? "MAP_SHARED" : "MAP_PRIVATE");
		return fail_errno(what);
	}
	return EXIT_OK;
}

void range_unmap(struct range *r)
{
	if (r->addr != MAP_FAILED)
		munmap(r->addr, r->length);
	if (r->fd >= 0)
		close(r->fd);
	r->addr = MAP_FAILED;
	r->fd = -1;
}
