// SPDX-License-Identifier: GPL-2.0
/* mmapdemo map, fill and dump: the buffer through a mapping. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cmd.h"

static const struct option range_opts[] = {
	RANGE_LONG_OPTIONS,
	{ "touch", required_argument, NULL, 't' },
	{ "hold", required_argument, NULL, 'H' },
	{ "string", required_argument, NULL, 'S' },
	{ "pattern", required_argument, NULL, 'P' },
	{ "byte", required_argument, NULL, 'B' },
	{ NULL, 0, NULL, 0 },
};

static int run_map(int argc, char **argv)
{
	struct mmapdemo_info before, after;
	int touch = 1, hold = 0, opt, ret, r_ok;
	size_t ps = md_page_size(), i, npages;
	long minflt, present;
	enum md_probe_result res = MD_PROBE_OK;
	struct range r;

	range_init(&r);
	while ((opt = getopt_long(argc, argv, RANGE_OPTIONS "t:H:", range_opts,
				  NULL)) != -1) {
		r_ok = range_option(&cmd_map, &r, opt, optarg);
		if (r_ok < 0)
			return EXIT_USAGE;
		if (r_ok)
			continue;
		if (opt == 't') {
			if (!strcmp(optarg, "none"))
				touch = 0;
			else if (!strcmp(optarg, "read"))
				touch = 1;
			else if (!strcmp(optarg, "write"))
				touch = 2;
			else
				return usage_error(&cmd_map, "--touch takes none, read or write");
		} else if (opt == 'H') {
			hold = atoi(optarg);
		} else {
			return usage_error(&cmd_map, "unknown option");
		}
	}
	if (optind < argc)
		return usage_error(&cmd_map, "unexpected argument '%s'", argv[optind]);

	ret = range_map(&r, PROT_READ | (touch == 2 ? PROT_WRITE : 0));
	if (ret)
		return ret;
	md_info(r.fd, &before);
	npages = (r.length + ps - 1) / ps;
	/* A first probe faults in the probe's own data: keep it out. */
	md_probe(&touch, false);
	minflt = md_minflt();
	for (i = 0; touch && i < npages && res == MD_PROBE_OK; i++)
		res = md_probe((char *)r.addr + i * ps, touch == 2);
	minflt = md_minflt() - minflt;
	md_info(r.fd, &after);
	present = md_present_pages(r.addr, npages);

	printf("mapped:   %llu bytes at %p, offset %llu, %s, %s\n",
	       (unsigned long long)r.length, r.addr,
	       (unsigned long long)r.offset, md_mode_name(r.mode),
	       r.shared ? "MAP_SHARED" : "MAP_PRIVATE");
	if (touch)
		printf("touched:  %zu of %zu pages (%s)%s%s\n", i, npages,
		       touch == 2 ? "write" : "read",
		       res != MD_PROBE_OK ? ", stopped by " : "",
		       res != MD_PROBE_OK ? md_probe_name(res) : "");
	printf("faults:   %ld taken by this process, %llu handled by ->fault, %llu pages by fault-around\n",
	       minflt,
	       (unsigned long long)(after.counters.faults - before.counters.faults),
	       (unsigned long long)(after.counters.faultaround_pages -
				    before.counters.faultaround_pages));
	if (r.mode == MMAPDEMO_MODE_REMAP)
		printf("present:  not shown: pagemap does not walk VM_PFNMAP (remap) mappings\n");
	else
		printf("present:  %ld of %zu pages (pagemap)\n", present, npages);
	if (hold > 0) {
		printf("holding the mapping for %d s (pid %d)\n", hold, getpid());
		fflush(stdout);
		sleep((unsigned int)hold);
	}
	range_unmap(&r);
	return res == MD_PROBE_OK ? EXIT_OK : EXIT_FAIL;
}

static int run_fill(int argc, char **argv)
{
	const char *string = NULL;
	uint64_t seed = 0, byte = 0;
	int kind = 0, opt, ret, r_ok;
	struct range r;

	range_init(&r);
	while ((opt = getopt_long(argc, argv, RANGE_OPTIONS "S:P:B:", range_opts,
				  NULL)) != -1) {
		r_ok = range_option(&cmd_fill, &r, opt, optarg);
		if (r_ok < 0)
			return EXIT_USAGE;
		if (r_ok)
			continue;
		if (opt == 'S') {
			string = optarg;
		} else if ((opt == 'P' && md_parse_size(optarg, &seed)) ||
			   (opt == 'B' && (md_parse_size(optarg, &byte) || byte > 255))) {
			return usage_error(&cmd_fill, "bad value '%s'", optarg);
		} else if (opt != 'P' && opt != 'B') {
			return usage_error(&cmd_fill, "unknown option");
		}
		kind = opt;
	}
	if (!kind)
		return usage_error(&cmd_fill, "say what to write: --string, --pattern or --byte");
	if (optind < argc)
		return usage_error(&cmd_fill, "unexpected argument '%s'", argv[optind]);
	if (kind == 'S' && !r.length)
		r.length = (strlen(string) + md_page_size() - 1) /
			   md_page_size() * md_page_size();
	if (!r.length && kind == 'S')
		return usage_error(&cmd_fill, "empty string");

	ret = range_map(&r, PROT_READ | PROT_WRITE);
	if (ret)
		return ret;
	if (kind == 'S')
		memcpy(r.addr, string, strlen(string));
	else if (kind == 'P')
		md_pattern_fill(r.addr, r.length, r.offset, (uint32_t)seed);
	else
		memset(r.addr, (int)byte, r.length);
	/*
	 * What a program does before it trusts mapped data elsewhere. The
	 * buffer has nothing to write back, so this only reports success.
	 */
	if (msync(r.addr, r.length, MS_SYNC)) {
		ret = fail_errno("msync");
		range_unmap(&r);
		return ret;
	}
	printf("wrote %llu bytes at offset %llu through a %s %s mapping, msync MS_SYNC ok\n",
	       (unsigned long long)(kind == 'S' ? strlen(string) : r.length),
	       (unsigned long long)r.offset, md_mode_name(r.mode),
	       r.shared ? "shared" : "private");
	range_unmap(&r);
	return EXIT_OK;
}

static void hexdump(const unsigned char *p, size_t len, uint64_t base)
{
	unsigned char prev[16];
	bool squeezed = false;
	size_t i, j;

	for (i = 0; i < len; i += 16) {
		size_t n = len - i < 16 ? len - i : 16;

		if (i && n == 16 && !memcmp(prev, p + i, 16)) {
			if (!squeezed)
				printf("*\n");
			squeezed = true;
			continue;
		}
		squeezed = false;
		memcpy(prev, p + i, n);
		printf("%08llx  ", (unsigned long long)(base + i));
		for (j = 0; j < 16; j++) {
			if (j < n)
				printf("%02x ", p[i + j]);
			else
				printf("   ");
			if (j == 7)
				putchar(' ');
		}
		printf(" |");
		for (j = 0; j < n; j++)
			putchar(p[i + j] >= 32 && p[i + j] < 127 ? p[i + j] : '.');
		printf("|\n");
	}
	printf("%08llx\n", (unsigned long long)(base + len));
}

static int run_dump(int argc, char **argv)
{
	size_t ps = md_page_size();
	uint64_t offset, length;
	int opt, ret, r_ok;
	struct range r;

	range_init(&r);
	while ((opt = getopt_long(argc, argv, RANGE_OPTIONS, range_opts,
				  NULL)) != -1) {
		r_ok = range_option(&cmd_dump, &r, opt, optarg);
		if (r_ok < 0)
			return EXIT_USAGE;
		if (!r_ok)
			return usage_error(&cmd_dump, "unknown option");
	}
	if (optind < argc)
		return usage_error(&cmd_dump, "unexpected argument '%s'", argv[optind]);
	offset = r.offset;
	length = r.length ? r.length : 256;
	/* Map the whole pages around [offset, offset + length). */
	r.offset = offset / ps * ps;
	r.length = (offset + length + ps - 1) / ps * ps - r.offset;
	ret = range_map(&r, PROT_READ);
	if (ret)
		return ret;
	if (offset + length > r.info.size) {
		range_unmap(&r);
		return fail("dump: %llu bytes at %llu reach past the %llu-byte buffer",
			    (unsigned long long)length, (unsigned long long)offset,
			    (unsigned long long)r.info.size);
	}
	hexdump((unsigned char *)r.addr + (offset - r.offset), length, offset);
	range_unmap(&r);
	return EXIT_OK;
}

const struct cmd cmd_map = {
	.name = "map",
	.args = "[OPTIONS]",
	.summary = "Map a range, touch it, and report faults and present pages",
	.help = RANGE_HELP
	"  -t, --touch KIND    none, read (default) or write every page\n"
	"  -H, --hold SECONDS  keep the mapping that long before unmapping\n",
	.run = run_map,
};

const struct cmd cmd_fill = {
	.name = "fill",
	.args = "[OPTIONS] (--string TEXT | --pattern SEED | --byte VALUE)",
	.summary = "Write a string, a checkable pattern or a byte through a mapping",
	.help = RANGE_HELP
	"  -S, --string TEXT   write TEXT at the offset\n"
	"  -P, --pattern SEED  fill the range with the pattern the tests check\n"
	"  -B, --byte VALUE    fill the range with one byte value\n",
	.run = run_fill,
};

const struct cmd cmd_dump = {
	.name = "dump",
	.args = "[OPTIONS]",
	.summary = "Hexdump a range of the buffer read through a mapping",
	.help = RANGE_HELP
	"  (for dump the offset may be any byte and the length defaults to 256)\n",
	.run = run_dump,
};
