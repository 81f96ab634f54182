// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-trace: where a run in huge mode maps, decided before anything
 * is traced. The driver must take huge mode (7.3; elsewhere
 * MMAPDEMO_IOC_SET_MODE says EOPNOTSUPP, and the run is refused with
 * that answer), and the buffer must have a 2 MiB window that is one of
 * its 2 MiB folios, followed by the run's pages: the run maps the window
 * and those pages, so that its faults show one PMD for the window and
 * ->fault for the pages past it. A window qualifies when the driver maps
 * it with one PMD: mapped alone, read once, /proc/self/smaps shows its
 * 2 MiB in FilePmdMapped.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "trace.h"

#define THP_ENABLED	"/sys/kernel/mm/transparent_hugepage/enabled"

/* The FilePmdMapped kB of this process's VMA that starts at @addr, or -1. */
static long pmd_mapped_kb(const void *addr)
{
	char line[256], head[32];
	bool here = false;
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps", "re");

	snprintf(head, sizeof(head), "%lx-", (unsigned long)addr);
	while (f && fgets(line, sizeof(line), f) && kb < 0) {
		/* A VMA's first line starts with its range, the rest with "Key:". */
		if (!strchr(line, ':') || strchr(line, ' ') < strchr(line, ':'))
			here = !strncmp(line, head, strlen(head));
		else if (here)
			sscanf(line, "FilePmdMapped: %ld kB", &kb);
	}
	if (f)
		fclose(f);
	return kb;
}

/* Does the driver map the window at buffer page @first with one PMD? */
static bool window_is_pmd(int fd, size_t first)
{
	size_t ps = md_page_size();
	bool pmd = false;
	char *p;

	p = mmap(NULL, TR_PMD_SIZE, PROT_READ, MAP_SHARED, fd, first * ps);
	if (p == MAP_FAILED)
		return false;
	if (!((unsigned long)p % TR_PMD_SIZE) && md_probe(p, false) == MD_PROBE_OK)
		pmd = pmd_mapped_kb(p) == (long)(TR_PMD_SIZE >> 10);
	munmap(p, TR_PMD_SIZE);
	return pmd;
}

static void refused(const struct run *r, int err)
{
	char modes[128], thp[64];

	md_read_text(MD_SYSFS "/modes", modes, sizeof(modes));
	md_read_text(THP_ENABLED, thp, sizeof(thp));
	fprintf(stderr, "mmapdemo-trace: %s: the driver takes no huge mode here: "
		"MMAPDEMO_IOC_SET_MODE says %s (%s); modes: %s; THP: %s\n",
		r->name, strerrorname_np(err) ? strerrorname_np(err) : "?",
		strerror(err), modes, *thp ? thp : "none (no " THP_ENABLED ")");
}

/* The first qualifying window for @r, into r->first; -1 if none. */
static int find_window(int fd, struct run *r)
{
	size_t win = tr_window_pages(), pages, w;
	struct mmapdemo_info info;
	char folios[32], thp[64];

	if (md_info(fd, &info)) {
		perror("mmapdemo-trace: " MD_DEVICE);
		return -1;
	}
	pages = info.size / md_page_size();
	for (w = 0; (w + 1) * win + r->npages <= pages; w++) {
		if (window_is_pmd(fd, w * win)) {
			r->first = w * win;
			return 0;
		}
	}
	md_read_text(MD_SYSFS "/folios", folios, sizeof(folios));
	md_read_text(THP_ENABLED, thp, sizeof(thp));
	fprintf(stderr, "mmapdemo-trace: %s: no 2 MiB window of the %zu-page buffer "
		"with %zu pages after it maps with one PMD (2 MiB folios: %s; THP: %s): "
		"grow the buffer (mmapdemo resize 8M) or load the module with size=8M\n",
		r->name, pages, r->npages, folios, thp);
	return -1;
}

int tr_huge_prepare(struct run *runs, int nruns)
{
	int fd = -1, i, ret = 0;

	for (i = 0; i < nruns && !ret; i++) {
		if (runs[i].mode != MMAPDEMO_MODE_HUGE || runs[i].s->past_end)
			continue;
		if (fd < 0)
			fd = md_open_mode(MMAPDEMO_MODE_HUGE);
		if (fd < 0 && (errno == ENOENT || errno == EACCES)) {
			fprintf(stderr, "mmapdemo-trace: %s: %s (is the module loaded?)\n",
				MD_DEVICE, strerror(errno));
			return -1;
		}
		if (fd < 0) {
			refused(&runs[i], errno);
			return -1;
		}
		ret = find_window(fd, &runs[i]);
	}
	if (fd >= 0)
		close(fd);
	return ret;
}
