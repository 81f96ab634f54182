// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-fuzz: the model: arena pages, the buffer's bytes, pins, what a
 * touch of a page must do, and the checks of the driver's counters
 * (live_mappings against the device's VMAs in /proc/self/maps).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

char *apage_addr(struct fz *z, unsigned int i)
{
	return z->arena + (size_t)i * z->ps;
}

uint8_t *priv_page(struct fz *z, unsigned int i)
{
	return z->priv + (size_t)i * z->ps;
}

uint8_t *shadow_page(struct fz *z, uint64_t bp)
{
	return z->shadow + bp * z->ps;
}

bool prepop_mode(unsigned int mode)
{
	return !md_mode_demand_paged(mode);
}

/* VM_DONTEXPAND (or VM_PFNMAP): mremap() does not grow it. */
bool noexpand_mode(unsigned int mode)
{
	return prepop_mode(mode) || mode == MMAPDEMO_MODE_HUGE;
}

bool reserve(struct fz *z, unsigned int first, unsigned int n)
{
	void *p = mmap(apage_addr(z, first), n * z->ps, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		       -1, 0);
	unsigned int i;

	if (p != apage_addr(z, first)) {
		fail(z, "reserving arena pages %u..%u: %s", first, first + n - 1,
		     strerror(errno));
		return false;
	}
	for (i = first; i < first + n; i++) {
		memset(&z->ap[i], 0, sizeof(z->ap[i]));
		z->ap[i].kind = A_RESERVE;
		z->ap[i].pin = -1;
	}
	z->maps_dirty = true;
	return true;
}

/* A pin lives as long as a page of its mmap is mapped. */
void pins_collect(struct fz *z)
{
	bool alive[MAX_PINS] = { false };
	unsigned int i;

	for (i = 0; i < ARENA_PAGES; i++)
		if (z->ap[i].kind == A_DEV && z->ap[i].pin >= 0)
			alive[z->ap[i].pin] = true;
	for (i = 0; i < MAX_PINS; i++)
		if (!alive[i])
			z->pins[i].used = false;
}

int pin_new(struct fz *z, uint64_t first, uint64_t last, bool private_remap)
{
	unsigned int i;

	pins_collect(z);
	for (i = 0; i < MAX_PINS; i++) {
		if (!z->pins[i].used) {
			z->pins[i] = (struct pin){ true, private_remap, first, last };
			return (int)i;
		}
	}
	fail(z, "internal: out of pins");
	return -1;
}

bool shrink_busy(struct fz *z, uint64_t nr)
{
	unsigned int i;

	pins_collect(z);
	for (i = 0; i < MAX_PINS; i++) {
		const struct pin *p = &z->pins[i];

		if (p->used && (p->private_remap ||
				(p->first < z->size && nr < p->last)))
			return true;
	}
	return false;
}

int dev_vmas(struct fz *z, uintptr_t addr, uintptr_t *start, uintptr_t *end)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	int n = 0;

	if (!f) {
		fail(z, "/proc/self/maps: %s", strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		size_t len = strlen(line);

		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len < sizeof(MD_DEVICE) || strcmp(line + len - strlen(MD_DEVICE), MD_DEVICE))
			continue;
		if (sscanf(line, "%lx-%lx", &s, &e) != 2)
			continue;
		n++;
		if (start && addr >= s && addr < e) {
			*start = s;
			*end = e;
		}
	}
	fclose(f);
	return n;
}

bool check_counters(struct fz *z)
{
	struct mmapdemo_info info;
	int vmas = -1;

	if (md_info(z->ctl, &info)) {
		fail(z, "GET_INFO on the check file: %s", strerror(errno));
		return false;
	}
	if (z->maps_dirty) {
		vmas = dev_vmas(z, 0, NULL, NULL);
		if (vmas < 0)
			return false;
		z->maps_dirty = false;
	}
	if (info.size != z->size * z->ps || info.counters.buffer_pages != z->size ||
	    info.counters.mmaps != z->mmaps ||
	    info.counters.mmap_errors != z->mmap_errors ||
	    info.counters.resizes != z->resizes ||
	    (vmas >= 0 && info.counters.live_mappings != (uint64_t)vmas)) {
		fail(z, "counters: size %llu, buffer_pages %llu, mmaps %llu, mmap_errors %llu, resizes %llu, live_mappings %llu; want %llu, %llu, %llu, %llu, %llu, %d (VMAs of %s in /proc/self/maps)",
		     (unsigned long long)info.size,
		     (unsigned long long)info.counters.buffer_pages,
		     (unsigned long long)info.counters.mmaps,
		     (unsigned long long)info.counters.mmap_errors,
		     (unsigned long long)info.counters.resizes,
		     (unsigned long long)info.counters.live_mappings,
		     (unsigned long long)(z->size * z->ps),
		     (unsigned long long)z->size, (unsigned long long)z->mmaps,
		     (unsigned long long)z->mmap_errors,
		     (unsigned long long)z->resizes, vmas, MD_DEVICE);
		return false;
	}
	return true;
}

int page_signal(struct fz *z, unsigned int i, bool write)
{
	const struct apage *a = &z->ap[i];

	if (a->kind != A_DEV)
		return SIGSEGV;
	/* x86: PROT_WRITE alone reads too; PROT_NONE does neither. */
	if (write ? !(a->prot & PROT_WRITE) : !(a->prot & (PROT_READ | PROT_WRITE)))
		return SIGSEGV;
	if (a->pgoff >= z->size)
		return md_mode_demand_paged(a->mode) ? SIGBUS : -1;	/* -1: cannot be */
	return 0;
}

const uint8_t *page_bytes(struct fz *z, unsigned int i)
{
	const struct apage *a = &z->ap[i];

	return a->priv ? priv_page(z, i) : shadow_page(z, a->pgoff);
}

uint8_t *page_for_write(struct fz *z, unsigned int i)
{
	struct apage *a = &z->ap[i];

	if (a->shared)
		return shadow_page(z, a->pgoff);
	if (!a->priv) {
		memcpy(priv_page(z, i), shadow_page(z, a->pgoff), z->ps);
		a->priv = true;
	}
	return priv_page(z, i);
}

void describe_page(struct fz *z, unsigned int i, char *buf, size_t len)
{
	const struct apage *a = &z->ap[i];

	if (a->kind != A_DEV) {
		snprintf(buf, len, "arena page %u (reserve)", i);
		return;
	}
	snprintf(buf, len, "arena page %u (%s %s%s prot %s%s%s, buffer page %llu%s%s)", i,
		 md_mode_name(a->mode), a->shared ? "shared" : "private",
		 a->mayshare && !a->shared ? " (MAP_SHARED of a read-only file)" : "",
		 a->prot & PROT_READ ? "r" : "-", a->prot & PROT_WRITE ? "w" : "-",
		 a->prot ? "" : " (none)", (unsigned long long)a->pgoff,
		 a->pgoff >= z->size ? ", past the end" : "",
		 a->priv ? ", private copy" : "");
}

void describe_range(struct fz *z, unsigned int a, unsigned int n)
{
	char d[200];
	unsigned int i;

	for (i = a; i < a + n && i < ARENA_PAGES; i++) {
		describe_page(z, i, d, sizeof(d));
		fprintf(stderr, "    model: %s\n", d);
	}
}

/*
 * Is [first, first + n) one physically contiguous run? A shared
 * fault-mode mapping of it, read once, shows the frames in pagemap. Its
 * mmap counts in the driver's counters.
 */
bool range_contiguous(struct fz *z, uint64_t first, uint64_t n, int *c)
{
	uint64_t entries[MAX_RUN];
	uint64_t i;
	char *p;
	int fd;

	if (n > MAX_RUN) {
		*c = 0;
		return true;
	}
	fd = md_open_mode(MMAPDEMO_MODE_FAULT);
	if (fd < 0) {
		fail(z, "open for the contiguity check: %s", strerror(errno));
		return false;
	}
	p = mmap(NULL, n * z->ps, PROT_READ, MAP_SHARED, fd, (off_t)(first * z->ps));
	if (p == MAP_FAILED) {
		fail(z, "mmap for the contiguity check: %s", strerror(errno));
		close(fd);
		return false;
	}
	z->mmaps++;
	for (i = 0; i < n; i++)
		if (md_probe(p + i * z->ps, false) != MD_PROBE_OK)
			break;
	*c = 1;
	if (i < n || md_pagemap(p, n, entries)) {
		fail(z, "contiguity check of pages %llu..%llu: cannot read them",
		     (unsigned long long)first, (unsigned long long)(first + n - 1));
		*c = -1;
	}
	for (i = 1; *c == 1 && i < n; i++)
		if ((entries[i] & MD_PM_PFN_MASK) != (entries[i - 1] & MD_PM_PFN_MASK) + 1)
			*c = 0;
	munmap(p, n * z->ps);
	close(fd);
	return *c >= 0;
}
