// SPDX-License-Identifier: GPL-2.0
/* mmapdemo-stress: the command line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stress.h"

void usage(FILE *f)
{
	fprintf(f,
		"usage: mmapdemo-stress [--time SEC] [--ops N] [--procs P] [--threads T]\n"
		"                       [--seed S] [--size BYTES] [--skip OPS] [--strict] [--verbose]\n\n"
		"Random opens, mmaps in every mode (shared and private), touches, forks,\n"
		"munmaps, mremaps, MADV_DONTNEED, mode switches, resizes and unload\n"
		"attempts on /dev/mmapdemo from P processes of T threads, every byte read\n"
		"checked against a model of the buffer. Stops after SEC seconds or N\n"
		"operations, whichever comes first. Needs root and the module loaded, and\n"
		"no other user of the device.\n\n"
		"  --time SEC     time limit (default 10)\n"
		"  --ops N        operation budget, all workers together (default 1000000)\n"
		"  --procs P      processes, 1 to %d (default 2)\n"
		"  --threads T    threads per process, 1 to %d (default 2)\n"
		"  --seed S       random seed (default: from the clock; printed)\n"
		"  --size BYTES   largest buffer size used, K/M/G suffixes (default 1M);\n"
		"                 resizes go between an eighth of it and it\n"
		"  --skip OPS     leave out these operations (comma-separated names as the\n"
		"                 summary prints them), to narrow down a failure\n"
		"  --strict       fail on the known deviations from README.md too (the\n"
		"                 summary names each one seen)\n"
		"  --verbose      print every operation\n",
		MAX_PROCS, MAX_THREADS);
}

int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "time", required_argument, NULL, 't' },
		{ "ops", required_argument, NULL, 'n' },
		{ "procs", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 'T' },
		{ "seed", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "strict", no_argument, NULL, 'x' },
		{ "skip", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end, *tok;
	int c;

	*o = (struct options){ .time = 10, .ops = 1000000, .procs = 2,
			       .threads = 2, .size = 1 << 20 };
	o->seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	while ((c = getopt_long(argc, argv, "t:n:p:T:s:S:k:vxh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			o->time = strtod(optarg, &end);
			if (*end || o->time <= 0)
				return -1;
			break;
		case 'n':
			o->ops = strtoull(optarg, &end, 0);
			if (*end || !o->ops)
				return -1;
			break;
		case 'p':
			o->procs = (unsigned int)strtoul(optarg, &end, 0);
			if (*end || !o->procs || o->procs > MAX_PROCS)
				return -1;
			break;
		case 'T':
			o->threads = (unsigned int)strtoul(optarg, &end, 0);
			if (*end || !o->threads || o->threads > MAX_THREADS)
				return -1;
			break;
		case 's':
			o->seed = strtoull(optarg, &end, 0);
			if (*end)
				return -1;
			break;
		case 'S':
			if (md_parse_size(optarg, &o->size))
				return -1;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'x':
			o->strict = true;
			break;
		case 'k':
			for (tok = strtok(optarg, ","); tok; tok = strtok(NULL, ",")) {
				int k = op_parse(tok);

				if (k < 0)
					return -1;
				o->skip |= 1u << k;
			}
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
