// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-bench, family "lock": which lock the page faults ran under.
 * From 6.4 a fault first tries the per-VMA lock; a handler that cannot run
 * there makes the fault retry under mmap_lock. 6.12's core mm lets ->fault
 * run under the VMA lock only when the VMA also has ->map_pages, so the
 * driver's faultaround mode should stay there and its fault mode should
 * not. Debian does not build the vma_lock_* vmstat counters
 * (CONFIG_PER_VMA_LOCK_STATS), so this counts the mmap_lock read
 * acquisitions of this process during the first touch with the
 * mmap_lock:mmap_lock_acquire_returned trace event, in a tracefs instance
 * of its own (removed at the end, so no one else's tracing is touched):
 * faults minus those are the faults that completed under the per-VMA lock.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

#define EVENT	"events/mmap_lock/mmap_lock_acquire_returned"

static char tracefs[256];	/* our instance */

static int tfs_write(const char *file, const char *val)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tracefs, file);
	return md_write_text(path, val);
}

/* Make a tracefs instance with the event; false if there is none. */
static bool tfs_instance(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[320];
	unsigned int i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/" EVENT "/enable", dirs[i]);
		if (access(path, W_OK))
			continue;
		snprintf(tracefs, sizeof(tracefs), "%s/instances/mmapdemo-bench.%d",
			 dirs[i], (int)getpid());
		if (mkdir(tracefs, 0700))
			return false;
		snprintf(path, sizeof(path), "%s/" EVENT "/enable", tracefs);
		if (!access(path, W_OK))
			return true;
		rmdir(tracefs);
		return false;
	}
	return false;
}

/* Events of this name in the trace buffer. */
static long count_events(void)
{
	char path[512], line[512];
	long n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", tracefs);
	f = fopen(path, "re");
	if (!f)
		die_errno(path);
	while (fgets(line, sizeof(line), f))
		if (line[0] != '#' && strstr(line, "mmap_lock_acquire_returned:"))
			n++;
	fclose(f);
	return n;
}

struct lcombo {
	enum target target;
	bool shared, write;
	struct series faults, locks;
};

static void run_once(struct sizectx *sc, struct lcombo *c, unsigned int rep)
{
	uint64_t token = 0x3c3c3c3c00000000ULL | (rep << 8) | c->target;
	uint64_t sum = 0;
	long f0, f1, locks;
	char what[96];
	void *map;

	snprintf(what, sizeof(what), "lock: %s %s %s %s", size_str(sc->size),
		 target_name(c->target), c->shared ? "shared" : "private",
		 c->write ? "write" : "read");
	target_prepare(sc, c->target);
	map = target_map(sc, c->target, c->shared);
	if (map == MAP_FAILED)
		die_errno(what);
	if (tfs_write("trace", "") || tfs_write("tracing_on", "1"))
		die_errno("starting the trace");
	f0 = md_minflt();
	if (c->write)
		touch_write(map, NULL, 0, sc->pages, token);
	else
		sum = touch_read(map, NULL, 0, sc->pages);
	f1 = md_minflt();
	if (tfs_write("tracing_on", "0"))
		die_errno("stopping the trace");
	locks = count_events();

	if (c->write)
		check_written(sc, c->target, c->shared, map, token, what);
	else if (sum != (target_has_pattern(c->target) ? sc->expect_pattern : 0))
		die("%s: the pages read back wrong", what);
	munmap(map, sc->size);
	series_add(&c->faults, (double)(f1 - f0));
	series_add(&c->locks, (double)locks);
}

void lock_run(struct sizectx *sc)
{
	static const struct { enum target t; bool shared; } list[] = {
		{ T_FAULT, true }, { T_FAULTAROUND, true },
		{ T_FAULT, false }, { T_FAULTAROUND, false },
		{ T_HUGE, true }, { T_HUGE, false },
		{ T_ANON, false }, { T_SHMEM, true },
	};
	struct lcombo combos[2 * sizeof(list) / sizeof(list[0])] = { 0 };
	unsigned int n = 0, i, rep;
	struct csv *csv;
	char pid[32];

	table_title("lock: page faults of a %s first touch and the mmap_lock read acquisitions they took (medians)",
		    size_str(sc->size));
	if (!tfs_instance()) {
		printf("skipped: no tracefs instance with %s (needs root and CONFIG_TRACING)\n",
		       EVENT);
		return;
	}
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (tfs_write("tracing_on", "0") || tfs_write("set_event_pid", pid) ||
	    tfs_write(EVENT "/filter", "write == 0 && success == 1") ||
	    tfs_write(EVENT "/enable", "1"))
		die_errno("setting up the mmap_lock trace event");

	for (i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
		if (target_not_run(list[i].t)) {
			if (list[i].shared)
				printf("%-5s %-13s (not run: %s)\n",
				       size_str(sc->size), target_name(list[i].t),
				       target_not_run(list[i].t));
			continue;
		}
		combos[n].target = list[i].t;
		combos[n++].shared = list[i].shared;
		combos[n].target = list[i].t;
		combos[n].shared = list[i].shared;
		combos[n++].write = true;
	}
	for (rep = 0; rep < sc->reps; rep++)
		for (i = 0; i < n; i++)
			run_once(sc, &combos[i], rep);

	tfs_write(EVENT "/enable", "0");
	if (rmdir(tracefs))
		die_errno(tracefs);

	csv = csv_open("lock",
		       "size,target,share,access,reps,faults,faults_per_page,mmap_lock,mmap_lock_per_fault,under_vma_lock");
	printf("%-5s %-13s %-7s %-5s %4s %8s %8s %10s %10s %10s\n", "size",
	       "target", "share", "acc", "reps", "faults", "flt/pg",
	       "mmap_lock", "per fault", "vma lock");
	for (i = 0; i < n; i++) {
		struct lcombo *c = &combos[i];
		double faults = series_median(&c->faults);
		double locks = series_median(&c->locks);
		double per = faults ? locks / faults : 0;
		double vma = faults ? 1 - per : 0;

		if (vma < 0)
			vma = 0;
		printf("%-5s %-13s %-7s %-5s %4u %8.0f %8.4f %10.0f %10.3f %9.1f%%\n",
		       size_str(sc->size), target_name(c->target),
		       c->shared ? "shared" : "private",
		       c->write ? "write" : "read", c->faults.n, faults,
		       faults / sc->pages, locks, per, 100 * vma);
		csv_row(csv, "%llu,%s,%s,%s,%u,%.0f,%.5f,%.0f,%.4f,%.4f",
			(unsigned long long)sc->size, target_name(c->target),
			c->shared ? "shared" : "private",
			c->write ? "write" : "read", c->faults.n, faults,
			faults / sc->pages, locks, per, vma);
		targets_lock(c->target, c->shared, c->write,
			     faults / sc->pages, per);
	}
	csv_close(csv);
	fflush(stdout);
}
