// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-bench: the mappings under test. The driver's four modes, and
 * the kernel's own paths as anchors: anonymous memory with and without
 * MAP_POPULATE in 4 KiB pages (the process runs with PR_SET_THP_DISABLE,
 * so that anonymous pages are the same size as the driver's), anonymous
 * memory with transparent huge pages, and a memfd whose pages are
 * already resident, mapped shared.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bench.h"

static const char *const names[NR_TARGETS] = {
	[T_REMAP] = "remap",
	[T_INSERT] = "insert",
	[T_FAULT] = "fault",
	[T_FAULTAROUND] = "faultaround",
	[T_ANON] = "anon",
	[T_ANON_POPULATE] = "anon-populate",
	[T_ANON_THP] = "anon-thp",
	[T_SHMEM] = "shmem",
};

static const unsigned int device_mode[NR_TARGETS] = {
	[T_REMAP] = MMAPDEMO_MODE_REMAP,
	[T_INSERT] = MMAPDEMO_MODE_INSERT,
	[T_FAULT] = MMAPDEMO_MODE_FAULT,
	[T_FAULTAROUND] = MMAPDEMO_MODE_FAULTAROUND,
};

const char *target_name(enum target t)
{
	return names[t];
}

bool target_is_device(enum target t)
{
	return t <= T_FAULTAROUND;
}

bool target_has_share(enum target t, bool shared)
{
	if (target_is_device(t))
		return true;
	if (t == T_SHMEM)
		return shared;
	return !shared;
}

bool target_maps_buffer(const struct sizectx *sc, enum target t, bool shared)
{
	if (t != T_REMAP || sc->segments == 1)
		return true;
	return shared && !sc->mmap_prepare;
}

enum target target_anchor(const struct sizectx *sc)
{
	return target_maps_buffer(sc, T_REMAP, true) ? T_REMAP : T_INSERT;
}

bool target_has_pattern(enum target t)
{
	return target_is_device(t) || t == T_SHMEM;
}

/* PR_SET_THP_DISABLE for all but anon-thp; -1: not known yet. */
static int thp_disabled = -1;

static void set_thp_disabled(int disable)
{
	if (thp_disabled == disable)
		return;
	if (prctl(PR_SET_THP_DISABLE, disable, 0, 0, 0))
		die_errno("prctl(PR_SET_THP_DISABLE)");
	thp_disabled = disable;
}

void target_prepare(const struct sizectx *sc, enum target t)
{
	set_thp_disabled(t != T_ANON_THP);
	if (target_is_device(t) && md_set_mode(sc->fd, device_mode[t]))
		die_errno("MMAPDEMO_IOC_SET_MODE");
}

void *target_map(const struct sizectx *sc, enum target t, bool shared)
{
	const int prot = PROT_READ | PROT_WRITE;
	const int anon = MAP_PRIVATE | MAP_ANONYMOUS;
	void *p;

	switch (t) {
	case T_ANON:
		return mmap(NULL, sc->size, prot, anon, -1, 0);
	case T_ANON_POPULATE:
		return mmap(NULL, sc->size, prot, anon | MAP_POPULATE, -1, 0);
	case T_ANON_THP:
		p = mmap(NULL, sc->size, prot, anon, -1, 0);
		if (p != MAP_FAILED)
			madvise(p, sc->size, MADV_HUGEPAGE);
		return p;
	case T_SHMEM:
		return mmap(NULL, sc->size, prot, MAP_SHARED, sc->memfd, 0);
	default:
		/* The mode was set by target_prepare(), off the clock. */
		return mmap(NULL, sc->size, prot,
			    shared ? MAP_SHARED : MAP_PRIVATE, sc->fd, 0);
	}
}

uint64_t target_file_word(const struct sizectx *sc, enum target t,
			  size_t page)
{
	int fd = t == T_SHMEM ? sc->memfd : sc->fd;
	uint64_t w;

	if (pread(fd, &w, sizeof(w), (off_t)page * page_size) != sizeof(w))
		die_errno("pread of one word");
	return w;
}
