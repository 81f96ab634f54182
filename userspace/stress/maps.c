// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-stress: a worker's table of mappings and its row of pins (the
 * remap/insert mmaps still alive, which the resizer reads to predict
 * EBUSY), and unmapping them all.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "stress.h"

bool prepopulated(unsigned int mode)
{
	return mode == MMAPDEMO_MODE_REMAP || mode == MMAPDEMO_MODE_INSERT;
}

const char *shape(const struct map *m, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s %s pages %u..%u at %p", md_mode_name(m->mode),
		 m->shared ? "shared" : "private", m->writable ? "rw" : "ro",
		 m->pgoff, m->pgoff + m->npages - 1, (void *)m->addr);
	return buf;
}

/* A pin is dropped with the last VMA of its mmap. */
void pin_put(struct worker *w, int pin)
{
	int i;

	if (pin < 0)
		return;
	for (i = 0; i < MAX_MAPS; i++)
		if (w->maps[i].used && w->maps[i].pin == pin)
			return;
	w->sh->pins[w->id][pin].used = 0;
}

int pin_new(struct worker *w, uint32_t first, uint32_t last,
	    bool private_remap)
{
	struct pin *row = w->sh->pins[w->id];
	int i;

	for (i = 0; i < MAX_PINS; i++) {
		if (!row[i].used) {
			row[i].first = first;
			row[i].last = last;
			row[i].private_remap = private_remap;
			row[i].used = 1;
			return i;
		}
	}
	return -2;
}

struct map *free_map(struct worker *w)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++)
		if (!w->maps[i].used)
			return &w->maps[i];
	return NULL;
}

void drop_map(struct worker *w, struct map *m)
{
	int pin = m->pin;

	m->used = false;
	pin_put(w, pin);
}

/*
 * A shrink was refused because of pins: drop ours (every remap/insert
 * mapping) and make no new ones until a shrink gets through, or the
 * buffer would never shrink while mappings come and go.
 */
void unmap_pinned(struct worker *w)
{
	char d[160];
	int i;

	for (i = 0; i < MAX_MAPS; i++) {
		struct map *m = &w->maps[i];

		if (!m->used || m->pin < 0)
			continue;
		hist_add(w, "munmap (to let a shrink through) the %s", shape(m, d, sizeof(d)));
		if (munmap(m->addr, (size_t)m->npages * w->sh->ps))
			fail(w, "munmap of the %s: %s", d, strerror(errno));
		drop_map(w, m);
	}
}

void unmap_all(struct worker *w)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++) {
		struct map *m = &w->maps[i];

		if (!m->used)
			continue;
		if (munmap(m->addr, (size_t)m->npages * w->sh->ps))
			fail(w, "munmap at the end: %s", strerror(errno));
		drop_map(w, m);
	}
}
