// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo: the command people use to load the module, look at the device
 * and map it. One subcommand per file; this one dispatches.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const struct cmd *const cmds[] = {
	&cmd_load, &cmd_unload, &cmd_info, &cmd_mode, &cmd_resize,
	&cmd_map, &cmd_fill, &cmd_dump, &cmd_demo, &cmd_pages,
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s COMMAND [ARGS...]\n\n"
		"Load, inspect and map /dev/mmapdemo, the mmap teaching driver.\n\n"
		"Commands:\n", progname);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cmds[i]->name, cmds[i]->summary);
	fprintf(f, "\nRun '%s COMMAND --help' for a command's options.\n"
		"Exit status: 0 success, 1 failure, 2 bad usage.\n", progname);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(argv[1], cmds[i]->name)) {
			if (wants_help(cmds[i], argc - 1, argv + 1))
				return EXIT_OK;
			return cmds[i]->run(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "%s: unknown command '%s'\n\n", progname, argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
