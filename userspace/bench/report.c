// SPDX-License-Identifier: GPL-2.0
/* mmapdemo-bench: CSV files, table titles and loud failures. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct csv {
	FILE *f;
};

/* @name.csv in opt.out_dir, with @header as its first line; NULL if none. */
struct csv *csv_open(const char *name, const char *header)
{
	struct csv *c;
	char path[4096];

	if (!opt.out_dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s.csv", opt.out_dir, name);
	c = calloc(1, sizeof(*c));
	if (!c)
		die_errno("calloc");
	c->f = fopen(path, "w");
	if (!c->f)
		die_errno(path);
	fprintf(c->f, "%s\n", header);
	return c;
}

void csv_row(struct csv *c, const char *fmt, ...)
{
	va_list ap;

	if (!c)
		return;
	va_start(ap, fmt);
	vfprintf(c->f, fmt, ap);
	va_end(ap);
	fputc('\n', c->f);
	fflush(c->f);
}

void csv_close(struct csv *c)
{
	if (!c)
		return;
	if (fclose(c->f))
		die_errno("writing a CSV file");
	free(c);
}

void table_title(const char *fmt, ...)
{
	va_list ap;

	printf("\n## ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n\n");
}

const char *size_str(uint64_t size)
{
	static char bufs[8][24];
	static unsigned int next;
	char *b = bufs[next++ % 8];

	if (size >= (1ULL << 30) && !(size % (1ULL << 30)))
		snprintf(b, 24, "%lluG", (unsigned long long)(size >> 30));
	else if (size >= (1ULL << 20) && !(size % (1ULL << 20)))
		snprintf(b, 24, "%lluM", (unsigned long long)(size >> 20));
	else if (size >= (1ULL << 10) && !(size % (1ULL << 10)))
		snprintf(b, 24, "%lluK", (unsigned long long)(size >> 10));
	else
		snprintf(b, 24, "%llu", (unsigned long long)size);
	return b;
}

void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "mmapdemo-bench: FAIL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void die_errno(const char *what)
{
	die("%s: %s", what, strerror(errno));
}
