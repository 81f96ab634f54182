// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-bench, family "resize": how long munmap() of a prepopulated
 * mapping waits while another thread resizes the buffer. The last close
 * of a remap or insert VMA drops its pin under the buffer's lock, with
 * mmap_lock held, so whatever a resize does under that lock, a munmap()
 * waits for. One thread grows the buffer from its size to the largest of
 * the run and shrinks it back; the other maps one page in remap mode and
 * unmaps it over and over, timing each munmap(). Reported: the grow and
 * the shrink, and the median and the worst munmap() during each, against
 * the worst with no resize running.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

#define MAX_UNMAPS	100000

struct unmapper {
	int fd;
	volatile bool stop;
	volatile unsigned int n;	/* the main thread waits for the first */
	double ns[MAX_UNMAPS];
};

static void *unmap_loop(void *arg)
{
	struct unmapper *u = arg;

	while (!u->stop && u->n < MAX_UNMAPS) {
		void *p = md_map(u->fd, MMAPDEMO_MODE_REMAP, page_size, 0,
				 PROT_READ, true);
		uint64_t t;

		if (p == MAP_FAILED)
			die_errno("mmap in remap mode");
		t = now_ns();
		munmap(p, page_size);
		u->ns[u->n++] = (double)(now_ns() - t);
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct phase {
	double ns;			/* the resize itself */
	double median, worst;		/* munmap() meanwhile */
	unsigned int unmaps;
};

/* Run @resize_to (0: nothing, for the baseline) against the unmapper. */
static void phase_run(int fd, uint64_t resize_to, struct phase *ph)
{
	struct unmapper *u = calloc(1, sizeof(*u));
	pthread_t tid;
	uint64_t t;

	if (!u)
		die_errno("calloc");
	u->fd = md_open(O_RDWR);
	if (u->fd < 0)
		die_errno("open " MD_DEVICE);
	if (pthread_create(&tid, NULL, unmap_loop, u))
		die("pthread_create failed");
	while (!u->n)
		sched_yield();
	t = now_ns();
	if (resize_to && md_resize(fd, resize_to))
		die("resize to %s: %s", size_str(resize_to), strerror(errno));
	if (!resize_to)
		usleep(200000);
	ph->ns = (double)(now_ns() - t);
	u->stop = true;
	pthread_join(tid, NULL);
	close(u->fd);
	qsort((void *)u->ns, u->n, sizeof(u->ns[0]), cmp_double);
	ph->unmaps = u->n;
	ph->median = u->ns[u->n / 2];
	ph->worst = u->ns[u->n - 1];
	free(u);
}

void resize_run(struct sizectx *sc, uint64_t big)
{
	struct series s[5] = { 0 };	/* grow, its worst, shrink, its worst, idle */
	struct phase grow, shrink, idle;
	unsigned int r;
	struct csv *csv;

	table_title("resize: munmap() of a remap mapping while another thread grows the buffer from %s to %s and shrinks it back (medians of %u)",
		    size_str(sc->size), size_str(big), sc->reps);
	csv = csv_open("resize", "from,to,rep,grow_ns,grow_unmaps,grow_munmap_median_ns,grow_munmap_worst_ns,shrink_ns,shrink_unmaps,shrink_munmap_median_ns,shrink_munmap_worst_ns,idle_munmap_worst_ns");
	for (r = 0; r < sc->reps; r++) {
		phase_run(sc->fd, 0, &idle);
		phase_run(sc->fd, big, &grow);
		phase_run(sc->fd, sc->size, &shrink);
		series_add(&s[0], grow.ns);
		series_add(&s[1], grow.worst);
		series_add(&s[2], shrink.ns);
		series_add(&s[3], shrink.worst);
		series_add(&s[4], idle.worst);
		csv_row(csv, "%llu,%llu,%u,%.0f,%u,%.0f,%.0f,%.0f,%u,%.0f,%.0f,%.0f",
			(unsigned long long)sc->size, (unsigned long long)big, r,
			grow.ns, grow.unmaps, grow.median, grow.worst, shrink.ns,
			shrink.unmaps, shrink.median, shrink.worst, idle.worst);
	}
	csv_close(csv);
	printf("| phase | resize | worst munmap() | worst munmap() / resize |\n");
	printf("|---|---|---|---|\n");
	printf("| grow to %s | %.1f ms | %.2f ms | %.3f |\n", size_str(big),
	       series_median(&s[0]) / 1e6, series_median(&s[1]) / 1e6,
	       series_median(&s[1]) / series_median(&s[0]));
	printf("| shrink to %s | %.1f ms | %.2f ms | %.3f |\n",
	       size_str(sc->size), series_median(&s[2]) / 1e6,
	       series_median(&s[3]) / 1e6,
	       series_median(&s[3]) / series_median(&s[2]));
	printf("| no resize | - | %.2f ms | - |\n", series_median(&s[4]) / 1e6);
}
