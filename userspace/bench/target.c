// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-bench: the mappings under test. The driver's five modes (huge
 * where the driver takes it, see target_not_run()), and the kernel's own
 * paths as anchors: anonymous memory with and without MAP_POPULATE in
 * 4 KiB pages (the process runs with PR_SET_THP_DISABLE, so that
 * anonymous pages are the same size as the driver's), anonymous memory
 * with transparent huge pages (the anchor of huge mode), and a memfd
 * whose pages are already resident, mapped shared.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"

static const char *const names[NR_TARGETS] = {
	[T_REMAP] = "remap",
	[T_INSERT] = "insert",
	[T_FAULT] = "fault",
	[T_FAULTAROUND] = "faultaround",
	[T_HUGE] = "huge",
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
	[T_HUGE] = MMAPDEMO_MODE_HUGE,
};

const char *target_name(enum target t)
{
	return names[t];
}

bool target_is_device(enum target t)
{
	return t <= T_HUGE;
}

const char *target_not_run(enum target t)
{
	static char why[256];
	static int huge = -1;
	struct utsname u;
	char modes[64];

	if (t != T_HUGE)
		return NULL;
	if (huge < 0) {
		huge = md_huge_mode();
		uname(&u);
		md_read_text(MD_SYSFS "/modes", modes, sizeof(modes));
		snprintf(why, sizeof(why),
			 "the driver does not take huge on %s: MMAPDEMO_IOC_SET_MODE says EOPNOTSUPP; its modes: %s",
			 u.release, modes[0] ? modes : "?");
	}
	return huge ? NULL : why;
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

/*
 * PR_SET_THP_DISABLE for all but anon-thp and huge (whose PMDs the core
 * mm would not ask for in a process without THP); -1: not known yet.
 */
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
	set_thp_disabled(t != T_ANON_THP && t != T_HUGE);
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
