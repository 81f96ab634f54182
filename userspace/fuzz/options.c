// SPDX-License-Identifier: GPL-2.0
/* mmapdemo-fuzz: the command line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

void usage(FILE *f)
{
	fprintf(f,
		"usage: mmapdemo-fuzz [--seed S] [--ops N] [--size BYTES] [--verbose]\n\n"
		"N random calls on /dev/mmapdemo (ioctl, mmap and what follows on the\n"
		"mappings, touches, read/write and friends, lseek), each result checked\n"
		"against README.md's rules. A failure prints the seed and the operation\n"
		"number: --seed S --ops N+1 replays it. Needs root, the module loaded and\n"
		"no other user of the device.\n\n"
		"  --seed S       random seed (default: from the clock; printed)\n"
		"  --ops N        calls to make (default 20000)\n"
		"  --size BYTES   largest buffer size resizes pick, K/M/G suffixes (default 1M)\n"
		"  --verbose      print every call\n");
}

int parse_options(int argc, char **argv, struct fz *z, uint64_t *bytes)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int c;

	z->seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	z->ops = 20000;
	*bytes = 1 << 20;
	while ((c = getopt_long(argc, argv, "s:n:S:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			z->seed = strtoull(optarg, &end, 0);
			if (*end)
				return -1;
			break;
		case 'n':
			z->ops = strtoull(optarg, &end, 0);
			if (*end)
				return -1;
			break;
		case 'S':
			if (md_parse_size(optarg, bytes))
				return -1;
			break;
		case 'v':
			z->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}
