// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-stress: the program. With the options (options.c), grow the buffer to
 * --size and write every page once so its content is known, start
 * --procs processes of --threads workers each, wait for them within the
 * time limit (a hang is a failure), check that no mapping is left, put the
 * buffer and the default mode back, and print a one-line summary.
 * Exit status: 0 all checks passed, 1 a check failed, 2 bad usage or setup.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stress.h"

static void *thread_main(void *arg)
{
	worker_run(arg);
	return NULL;
}

/* One worker process: its threads, each one worker. */
static int proc_main(struct shared *sh, unsigned int pi)
{
	struct worker *ws = calloc(sh->nthreads, sizeof(*ws));
	pthread_t tids[MAX_THREADS];
	struct proc pr;
	unsigned int t, j;

	if (!ws)
		return 2;
	pthread_rwlock_init(&pr.fork_lock, NULL);
	atomic_store(&pr.cow_first, 0);
	for (t = 0; t < sh->nthreads; t++) {
		struct worker *w = &ws[t];

		w->id = (int)(pi * sh->nthreads + t);
		w->proc_idx = (int)pi;
		w->thread_idx = (int)t;
		w->sh = sh;
		w->proc = &pr;
		w->rng = rng_seed_for(sh->seed, (uint64_t)w->id + 1);
		w->own_first = (uint32_t)w->id * sh->per_worker;
		w->own_count = sh->per_worker;
		for (j = 0; j < MAX_FDS; j++)
			w->fds[j].fd = -1;
		if (pthread_create(&tids[t], NULL, thread_main, w)) {
			atomic_store(&sh->failed, 1);
			sh->nthreads = t;
			break;
		}
	}
	for (t = 0; t < sh->nthreads; t++)
		pthread_join(tids[t], NULL);
	return atomic_load(&sh->failed) ? 1 : 0;
}

/* Give the buffer @pages pages, each written with generation 1. */
static int prepare_buffer(struct shared *sh, int fd, uint32_t pages)
{
	size_t ps = sh->ps;
	uint64_t buf[ps / 8];
	uint32_t p;

	if (md_resize(fd, (uint64_t)pages * ps)) {
		fprintf(stderr, "mmapdemo-stress: resize to %u pages: %s (another user of the device?)\n",
			pages, strerror(errno));
		return -1;
	}
	for (p = 0; p < pages; p++) {
		fill_page(buf, ps, (uint64_t)p * ps, 1);
		if (pwrite(fd, buf, ps, (off_t)p * ps) != (ssize_t)ps) {
			fprintf(stderr, "mmapdemo-stress: pwrite of page %u: %s\n", p,
				strerror(errno));
			return -1;
		}
		atomic_store(&sh->pages[p].gen, 1);
	}
	atomic_store(&sh->size_pages, pages);
	return 0;
}

/* Wait for the processes; kill them if they outlive @limit_ns. */
static bool wait_procs(struct shared *sh, pid_t *pids, unsigned int n,
		       uint64_t limit_ns)
{
	unsigned int left = n, i;
	bool ok = true;

	while (left) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid > 0) {
			for (i = 0; i < n; i++)
				if (pids[i] == pid)
					break;
			if (i == n)
				continue;
			pids[i] = 0;
			left--;
			if (WIFSIGNALED(status)) {
				fprintf(stderr, "mmapdemo-stress: FAIL (seed %llu): process %u killed by signal %d\n",
					(unsigned long long)sh->seed, i, WTERMSIG(status));
				ok = false;
			} else if (WEXITSTATUS(status)) {
				ok = false;
			}
			continue;
		}
		if (now_ns() > limit_ns) {
			fprintf(stderr, "mmapdemo-stress: FAIL (seed %llu): %u processes still running %llu s after the time limit: hung; killing them\n",
				(unsigned long long)sh->seed, left,
				(unsigned long long)((limit_ns - sh->deadline_ns) / 1000000000ULL));
			for (i = 0; i < n; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGKILL);
			atomic_store(&sh->failed, 1);
			limit_ns = UINT64_MAX;
			ok = false;
			continue;
		}
		usleep(50000);
	}
	return ok;
}

/* Put back the size and the default mode the module had. */
static void restore(int fd, const struct mmapdemo_info *orig)
{
	FILE *f = fopen("/sys/module/" MD_MODULE "/parameters/mode", "w");

	if (f) {
		fprintf(f, "%s\n", md_mode_name(orig->default_mode));
		fclose(f);
	}
	if (md_resize(fd, orig->size))
		fprintf(stderr, "mmapdemo-stress: resize back to %llu bytes: %s\n",
			(unsigned long long)orig->size, strerror(errno));
}

int main(int argc, char **argv)
{
	struct options o;
	struct shared *sh;
	struct mmapdemo_info info;
	pid_t pids[MAX_PROCS];
	uint32_t max_pages, nworkers;
	uint64_t start;
	size_t ps = md_page_size();
	bool ok;
	unsigned int i;
	struct mmapdemo_info orig;
	int fd;

	if (parse_options(argc, argv, &o)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	nworkers = o.procs * o.threads;
	max_pages = (uint32_t)((o.size + ps - 1) / ps);
	if (o.size > (256ULL << 20) || max_pages < 4 * nworkers) {
		fprintf(stderr, "mmapdemo-stress: --size must be at least %u pages (4 per worker) and at most 256M\n",
			4 * nworkers);
		return EXIT_USAGE;
	}
	fd = md_open(O_RDWR);
	if (fd < 0 || md_info(fd, &info)) {
		fprintf(stderr, "mmapdemo-stress: %s: %s (is the module loaded?)\n",
			MD_DEVICE, strerror(errno));
		return EXIT_USAGE;
	}
	sh = model_create(max_pages, ps);
	if (!sh) {
		perror("mmapdemo-stress: shared memory");
		return EXIT_USAGE;
	}
	sh->seed = o.seed;
	sh->ops_limit = o.ops;
	sh->nprocs = o.procs;
	sh->nthreads = o.threads;
	sh->nworkers = nworkers;
	sh->per_worker = max_pages / nworkers;
	sh->min_pages = max_pages / 8 > 1 ? max_pages / 8 : 1;
	sh->verbose = o.verbose;
	sh->strict = o.strict;
	sh->skip = o.skip;
	atomic_store(&sh->default_mode, info.default_mode);
	orig = info;
	if (prepare_buffer(sh, fd, max_pages))
		return EXIT_USAGE;

	printf("mmapdemo-stress: seed %llu, %u processes x %u threads, buffer up to %u pages (%llu bytes), %.0f s or %llu ops\n",
	       (unsigned long long)o.seed, o.procs, o.threads, max_pages,
	       (unsigned long long)o.size, o.time, (unsigned long long)o.ops);
	fflush(stdout);
	trap_install();
	start = now_ns();
	sh->deadline_ns = start + (uint64_t)(o.time * 1e9);
	for (i = 0; i < o.procs; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(proc_main(sh, i));
		if (pids[i] < 0) {
			perror("mmapdemo-stress: fork");
			atomic_store(&sh->failed, 1);
			o.procs = i;
			break;
		}
	}
	/* Under TCG a batch can take long; a minute past the limit is a hang. */
	ok = wait_procs(sh, pids, o.procs, sh->deadline_ns + 60ULL * 1000000000ULL);
	ok = ok && !atomic_load(&sh->failed);

	if (md_info(fd, &info)) {
		fprintf(stderr, "mmapdemo-stress: FAIL: GET_INFO at the end: %s\n", strerror(errno));
		ok = false;
	} else if (info.counters.live_mappings) {
		fprintf(stderr, "mmapdemo-stress: FAIL (seed %llu): %llu mappings still counted live after every worker exited\n",
			(unsigned long long)o.seed,
			(unsigned long long)info.counters.live_mappings);
		ok = false;
	}
	summary(sh, (double)(now_ns() - start) / 1e9, ok);
	restore(fd, &orig);
	close(fd);
	return ok ? 0 : 1;
}
