// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-bench, family "threads": first touch of a new mapping by one
 * thread against two threads faulting disjoint halves of it at once. The
 * time is from the first thread's start to the last one's end. The
 * threads spin until all are ready, so that no wake-up of an idle CPU
 * lands in the time.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "bench.h"

struct start {
	atomic_uint ready;
	atomic_bool go;
};

struct worker {
	pthread_t thread;
	struct start *start_line;
	void *map;
	size_t first, count;
	bool write;
	uint64_t token;
	uint64_t sum;
	uint64_t start, end;
	long minflt;
};

struct tcombo {
	enum target target;
	bool shared, write;
	struct series touch[2], minflt[2];
};

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax()	__builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpu_relax()	__asm__ volatile("yield" ::: "memory")
#else
#define cpu_relax()	__asm__ volatile("" ::: "memory")
#endif

static const enum target thread_targets[] = {
	T_FAULT, T_FAULTAROUND, T_HUGE, T_INSERT, T_ANON, T_SHMEM,
};
#define NR_TCOMBOS	(sizeof(thread_targets) / sizeof(thread_targets[0]) * 2)

static struct csv *csv;

void threads_begin(void)
{
	csv = csv_open("threads",
		       "size,target,share,access,threads,reps,touch_ns,ns_per_page,minflt_per_page,speedup");
	table_title("threads: first touch by one thread against two on disjoint halves (medians)");
	printf("%-5s %-13s %-7s %-5s %7s %4s %12s %9s %8s %8s\n", "size",
	       "target", "share", "acc", "threads", "reps", "touch ns",
	       "ns/page", "flt/pg", "speedup");
}

void threads_end(void)
{
	csv_close(csv);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	long f0;

	f0 = md_thread_minflt();
	atomic_fetch_add(&w->start_line->ready, 1);
	while (!atomic_load_explicit(&w->start_line->go, memory_order_acquire))
		cpu_relax();
	w->start = now_ns();
	if (w->write)
		touch_write(w->map, NULL, w->first, w->count, w->token);
	else
		w->sum = touch_read(w->map, NULL, w->first, w->count);
	w->end = now_ns();
	w->minflt = md_thread_minflt() - f0;
	return NULL;
}

static void run_once(struct sizectx *sc, struct tcombo *c, unsigned int nthreads,
		     unsigned int rep)
{
	struct worker w[2] = { 0 };
	struct start start_line = { 0 };
	uint64_t start = UINT64_MAX, end = 0, sum = 0;
	long minflt = 0;
	unsigned int i;
	char what[96];
	void *map;

	snprintf(what, sizeof(what), "%s %s %s %s, %u threads",
		 size_str(sc->size), target_name(c->target),
		 c->shared ? "shared" : "private", c->write ? "write" : "read",
		 nthreads);
	target_prepare(sc, c->target);
	map = target_map(sc, c->target, c->shared);
	if (map == MAP_FAILED)
		die_errno(what);
	for (i = 0; i < nthreads; i++) {
		w[i].start_line = &start_line;
		w[i].map = map;
		w[i].first = sc->pages / nthreads * i;
		w[i].count = i + 1 < nthreads ? sc->pages / nthreads :
			     sc->pages - w[i].first;
		w[i].write = c->write;
		w[i].token = 0x7e7e7e7e00000000ULL | (rep << 8) | c->target;
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]))
			die("pthread_create failed");
	}
	while (atomic_load(&start_line.ready) < nthreads)
		cpu_relax();
	atomic_store_explicit(&start_line.go, true, memory_order_release);
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].thread, NULL);
		start = w[i].start < start ? w[i].start : start;
		end = w[i].end > end ? w[i].end : end;
		sum += w[i].sum;
		minflt += w[i].minflt;
	}

	if (c->write) {
		check_written(sc, c->target, c->shared, map, w[0].token, what);
	} else {
		uint64_t want = target_has_pattern(c->target) ?
				sc->expect_pattern : 0;

		if (sum != want)
			die("%s: the pages read back wrong", what);
	}
	munmap(map, sc->size);
	series_add(&c->touch[nthreads - 1], (double)(end - start));
	series_add(&c->minflt[nthreads - 1], (double)minflt / sc->pages);
}

void threads_size(struct sizectx *sc)
{
	struct tcombo combos[NR_TCOMBOS] = { 0 };
	unsigned int n = 0, i, rep, t;

	if (sc->size < opt.threads_min || sc->pages < 2)
		return;
	for (i = 0; i < NR_TCOMBOS / 2; i++) {
		if (target_not_run(thread_targets[i])) {
			printf("%-5s %-13s (not run: %s)\n", size_str(sc->size),
			       target_name(thread_targets[i]),
			       target_not_run(thread_targets[i]));
			continue;
		}
		for (t = 0; t < 2; t++) {
			combos[n].target = thread_targets[i];
			combos[n].shared = thread_targets[i] != T_ANON;
			combos[n].write = t;
			n++;
		}
	}
	for (rep = 0; rep < sc->reps; rep++)
		for (i = 0; i < n; i++)
			for (t = 1; t <= 2; t++)
				run_once(sc, &combos[i], t, rep);

	for (i = 0; i < n; i++) {
		double one = series_median(&combos[i].touch[0]);

		for (t = 1; t <= 2; t++) {
			double ns = series_median(&combos[i].touch[t - 1]);
			double flt = series_median(&combos[i].minflt[t - 1]);

			printf("%-5s %-13s %-7s %-5s %7u %4u %12.0f %9.0f %8.4f %7.2fx\n",
			       size_str(sc->size), target_name(combos[i].target),
			       combos[i].shared ? "shared" : "private",
			       combos[i].write ? "write" : "read", t,
			       combos[i].touch[t - 1].n, ns, ns / sc->pages,
			       flt, one / ns);
			csv_row(csv, "%llu,%s,%s,%s,%u,%u,%.0f,%.2f,%.5f,%.3f",
				(unsigned long long)sc->size,
				target_name(combos[i].target),
				combos[i].shared ? "shared" : "private",
				combos[i].write ? "write" : "read", t,
				combos[i].touch[t - 1].n, ns, ns / sc->pages,
				flt, one / ns);
		}
	}
	fflush(stdout);
}
