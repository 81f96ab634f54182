// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo pages: map the device, touch the pages it is told to, and draw
 * one cell per page from /proc/self/pagemap: not present, present and
 * shared with the buffer, a private copy made on write, or past the end.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cmd.h"

enum cell { NOT_PRESENT, SHARED_PAGE, COW_COPY, PAST_END, UNKNOWN };

static const struct {
	char glyph;
	const char *colour;
	const char *meaning;
} cells[] = {
	[NOT_PRESENT] = { '.', "\033[2m", "not present: no PTE yet (the next touch faults)" },
	[SHARED_PAGE] = { 'S', "\033[32m", "present, the buffer's own page (shared with it)" },
	[COW_COPY] = { 'C', "\033[33m", "present, a private copy made by copy-on-write" },
	[PAST_END] = { 'X', "\033[31m", "past the end of the buffer: touching it raises SIGBUS" },
	[UNKNOWN] = { '?', "\033[35m", "unknown: pagemap does not show this page" },
};

/* "0,5,9-12" into a per-page flag array; -1 on a bad list. */
static int parse_list(const char *list, bool *flags, size_t n)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int ret = 0;

	for (tok = strtok_r(copy, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long a = strtoul(tok, &end, 0), b = a;

		if (*end == '-')
			b = strtoul(end + 1, &end, 0);
		if (*end || b < a || b >= n) {
			ret = -1;
			break;
		}
		while (a <= b)
			flags[a++] = true;
	}
	free(copy);
	return ret;
}

static enum cell classify(uint64_t entry, bool past_end, bool remap)
{
	if (remap)
		return past_end ? PAST_END : UNKNOWN;
	if (entry & MD_PM_PRESENT)
		return entry & MD_PM_FILE ? SHARED_PAGE : COW_COPY;
	return past_end ? PAST_END : NOT_PRESENT;
}

static int run_pages(int argc, char **argv)
{
	static const struct option opts[] = {
		RANGE_LONG_OPTIONS,
		{ "pages", required_argument, NULL, 'n' },
		{ "touch", required_argument, NULL, 't' },
		{ "write", required_argument, NULL, 'w' },
		{ "colour", no_argument, NULL, 'c' },
		{ "no-colour", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	const char *touch = NULL, *writes = NULL;
	size_t ps = md_page_size(), n = 16, i, buf_pages;
	bool *rd, *wr, remap;
	uint64_t *pm, pages_arg = 0;
	int opt, ret, r_ok, colour = isatty(STDOUT_FILENO);
	struct range r;

	range_init(&r);
	while ((opt = getopt_long(argc, argv, RANGE_OPTIONS "n:t:w:", opts,
				  NULL)) != -1) {
		r_ok = range_option(&cmd_pages, &r, opt, optarg);
		if (r_ok < 0)
			return EXIT_USAGE;
		if (r_ok)
			continue;
		if (opt == 'n' && !md_parse_size(optarg, &pages_arg) && pages_arg &&
		    pages_arg <= 4096)
			n = pages_arg;
		else if (opt == 't')
			touch = optarg;
		else if (opt == 'w')
			writes = optarg;
		else if (opt == 'c' || opt == 'C')
			colour = opt == 'c';
		else
			return usage_error(&cmd_pages, "bad option or value");
	}
	if (optind < argc)
		return usage_error(&cmd_pages, "unexpected argument '%s'", argv[optind]);
	if (r.length)
		n = (r.length + ps - 1) / ps;
	r.length = n * ps;

	rd = calloc(n, sizeof(bool));
	wr = calloc(n, sizeof(bool));
	pm = calloc(n, sizeof(uint64_t));
	if (!rd || !wr || !pm)
		return fail("out of memory");
	if ((touch && parse_list(touch, rd, n)) ||
	    (writes && parse_list(writes, wr, n))) {
		free(rd), free(wr), free(pm);
		return usage_error(&cmd_pages, "page lists are like 0,5,9-12, below %zu", n);
	}

	ret = range_map(&r, PROT_READ | PROT_WRITE);
	if (ret) {
		free(rd), free(wr), free(pm);
		return ret;
	}
	remap = r.mode == MMAPDEMO_MODE_REMAP;
	buf_pages = r.info.size / ps;
	for (i = 0; i < n; i++) {
		char *p = (char *)r.addr + i * ps;

		if (rd[i])
			md_probe(p, false);
		if (wr[i])
			md_probe(p, true);
	}
	if (md_pagemap(r.addr, n, pm))
		memset(pm, 0, n * sizeof(*pm));

	printf("%zu pages at offset %llu, %s, %s", n,
	       (unsigned long long)r.offset, md_mode_name(r.mode),
	       r.shared ? "MAP_SHARED" : "MAP_PRIVATE");
	if (touch)
		printf(", read %s", touch);
	if (writes)
		printf(", wrote %s", writes);
	printf("\n");
	for (i = 0; i < n; i++) {
		enum cell c = classify(pm[i], r.offset / ps + i >= buf_pages, remap);

		if (i % 64 == 0)
			printf("%s%6zu  ", i ? "\n" : "", i);
		if (colour)
			printf("%s%c\033[0m", cells[c].colour, cells[c].glyph);
		else
			putchar(cells[c].glyph);
	}
	printf("\n\n");
	for (i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
		if (i == UNKNOWN && !remap)
			continue;
		if (colour)
			printf("  %s%c\033[0m  %s\n", cells[i].colour,
			       cells[i].glyph, cells[i].meaning);
		else
			printf("  %c  %s\n", cells[i].glyph, cells[i].meaning);
	}
	if (remap)
		printf("\nremap mappings are VM_PFNMAP: the kernel's pagemap does not walk them,\n"
		       "so it cannot show their state. remap_pfn_range() made every PTE at\n"
		       "mmap() time; private writes still copy on write.\n");
	range_unmap(&r);
	free(rd);
	free(wr);
	free(pm);
	return EXIT_OK;
}

const struct cmd cmd_pages = {
	.name = "pages",
	.args = "[OPTIONS]",
	.summary = "Draw a mapping's pages: not present, shared, copied on write, past the end",
	.help = RANGE_HELP
	"  -n, --pages N       map N pages (default 16; or use --length)\n"
	"  -t, --touch LIST    read these pages first, e.g. 0,5,9-12\n"
	"  -w, --write LIST    write these pages\n"
	"  -c, --colour        colours even when stdout is not a terminal\n"
	"  -C, --no-colour     no colours\n\n"
	"Example: mmapdemo pages --mode fault --private --touch 0,5,9 --write 5\n",
	.run = run_pages,
};
