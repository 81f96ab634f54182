/* SPDX-License-Identifier: GPL-2.0 */
/* The mmapdemo command: what its subcommand files share. */
#ifndef MMAPDEMO_CMD_H
#define MMAPDEMO_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libmmapdemo.h"

/* Exit codes of every subcommand. */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

struct cmd {
	const char *name;
	const char *args;	/* the synopsis after the name */
	const char *summary;
	const char *help;	/* options and details, for --help */
	int (*run)(int argc, char **argv);
};

extern const struct cmd cmd_load, cmd_unload, cmd_info, cmd_mode, cmd_resize;
extern const struct cmd cmd_map, cmd_fill, cmd_dump, cmd_demo, cmd_pages;

/* util.c */
extern const char *progname;
void print_help(const struct cmd *c);
int usage_error(const struct cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fail_errno(const char *what);
/* Handle -h/--help as the only argument: returns true if it printed help. */
bool wants_help(const struct cmd *c, int argc, char **argv);

/*
 * A range of the device mapped by map, fill and dump: the options
 * --mode, --private/--shared, --offset and --length, parsed by
 * range_option() inside each subcommand's getopt loop.
 */
struct range {
	unsigned int mode;
	bool shared;
	uint64_t offset;
	uint64_t length;	/* 0: to the end of the buffer */
	int fd;
	void *addr;
	struct mmapdemo_info info;
};
#define RANGE_OPTIONS "m:pso:l:"
#define RANGE_LONG_OPTIONS						\
	{ "mode", required_argument, NULL, 'm' },			\
	{ "private", no_argument, NULL, 'p' },				\
	{ "shared", no_argument, NULL, 's' },				\
	{ "offset", required_argument, NULL, 'o' },			\
	{ "length", required_argument, NULL, 'l' }
#define RANGE_HELP							\
	"  -m, --mode MODE     fault, faultaround, remap or insert (default: the\n" \
	"                      device's default mode)\n"		\
	"  -p, --private       MAP_PRIVATE (default MAP_SHARED)\n"	\
	"  -s, --shared        MAP_SHARED\n"				\
	"  -o, --offset BYTES  offset into the buffer, a multiple of the page size\n" \
	"  -l, --length BYTES  length (default: to the end of the buffer)\n"
void range_init(struct range *r);
/* 1 if @opt was a range option, 0 if not, -1 on a bad value. */
int range_option(const struct cmd *c, struct range *r, int opt,
		 const char *arg);
/* Open the device and map the range with @prot; returns an exit code. */
int range_map(struct range *r, int prot);
void range_unmap(struct range *r);

#endif /* MMAPDEMO_CMD_H */
