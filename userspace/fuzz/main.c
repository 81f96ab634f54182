// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-fuzz: the program. Set up the model (buffer size and content,
 * the arena, three files: read-write, read-only, write-only), run --ops
 * random calls from --seed, checking each result and the driver's
 * counters after each, then unmap everything, check that no mapping is
 * counted live, put the size back and print a one-line summary.
 * Exit status: 0 every result was documented, 1 one was not, 2 bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

static const unsigned int weights[NR_OPS] = {
	[OP_IOCTL] = 18, [OP_MMAP] = 16, [OP_TOUCH] = 22, [OP_MUNMAP] = 5,
	[OP_MPROTECT] = 5, [OP_MADVISE] = 6, [OP_MSYNC] = 3, [OP_MREMAP] = 6,
	[OP_READ] = 3, [OP_WRITE] = 3, [OP_PREAD] = 3, [OP_PWRITE] = 3,
	[OP_READV] = 2, [OP_WRITEV] = 2, [OP_LSEEK] = 3, [OP_REOPEN] = 1,
	[OP_FADVISE] = 1,
};

static void (*const ops[NR_OPS])(struct fz *) = {
	[OP_IOCTL] = op_ioctl, [OP_MMAP] = op_mmap, [OP_TOUCH] = op_touch,
	[OP_MUNMAP] = op_munmap, [OP_MPROTECT] = op_mprotect,
	[OP_MADVISE] = op_madvise, [OP_MSYNC] = op_msync,
	[OP_MREMAP] = op_mremap, [OP_READ] = op_read, [OP_WRITE] = op_write,
	[OP_PREAD] = op_pread, [OP_PWRITE] = op_pwrite, [OP_READV] = op_readv,
	[OP_WRITEV] = op_writev, [OP_LSEEK] = op_lseek, [OP_REOPEN] = op_reopen,
	[OP_FADVISE] = op_fadvise,
};

static enum op_kind pick_op(struct fz *z)
{
	unsigned int total = 0, r, k;

	for (k = 0; k < NR_OPS; k++)
		total += weights[k];
	r = (unsigned int)rng_below(z, total);
	for (k = 0; k < NR_OPS && r >= weights[k]; k++)
		r -= weights[k];
	return (enum op_kind)k;
}

static int setup(struct fz *z, struct mmapdemo_info *orig)
{
	static const int accs[NFDS] = { O_RDWR, O_RDONLY, O_WRONLY };
	unsigned int i;

	z->ctl = md_open(O_RDWR);
	if (z->ctl < 0 || md_info(z->ctl, orig)) {
		fprintf(stderr, "mmapdemo-fuzz: %s: %s (is the module loaded?)\n",
			MD_DEVICE, strerror(errno));
		return -1;
	}
	if (orig->counters.live_mappings) {
		fprintf(stderr, "mmapdemo-fuzz: the device is mapped by someone else (%llu mappings)\n",
			(unsigned long long)orig->counters.live_mappings);
		return -1;
	}
	z->shadow = calloc(z->max_pages, z->ps);
	z->priv = calloc(ARENA_PAGES, z->ps);
	z->arena = mmap(NULL, ARENA_PAGES * z->ps, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!z->shadow || !z->priv || z->arena == MAP_FAILED) {
		perror("mmapdemo-fuzz: memory");
		return -1;
	}
	for (i = 0; i < ARENA_PAGES; i++)
		z->ap[i] = (struct apage){ .kind = A_RESERVE, .pin = -1 };
	/* Known contents, counters from zero. */
	z->size = z->max_pages / 2 ? z->max_pages / 2 : 1;
	if (md_resize(z->ctl, z->size * z->ps) || md_reset_counters(z->ctl)) {
		fprintf(stderr, "mmapdemo-fuzz: resize or reset: %s\n", strerror(errno));
		return -1;
	}
	md_pattern_fill(z->shadow, z->size * z->ps, 0, (uint32_t)z->seed);
	if (pwrite(z->ctl, z->shadow, z->size * z->ps, 0) != (ssize_t)(z->size * z->ps)) {
		fprintf(stderr, "mmapdemo-fuzz: pwrite: %s\n", strerror(errno));
		return -1;
	}
	for (i = 0; i < NFDS; i++) {
		z->fds[i] = (struct fzfd){ .fd = md_open(accs[i]), .acc = accs[i],
					   .mode = orig->default_mode };
		if (z->fds[i].fd < 0) {
			fprintf(stderr, "mmapdemo-fuzz: open: %s\n", strerror(errno));
			return -1;
		}
	}
	ptrs_init(z);
	catch_fatal_signals(z);
	return z->failed ? -1 : 0;
}

static void summary(struct fz *z, double secs)
{
	char line[2048];
	size_t len = 0;
	unsigned int k;

	len += (size_t)snprintf(line, sizeof(line),
		"mmapdemo-fuzz: %s: %llu ops in %.1f s (%.0f/s), seed %llu; %llu bytes checked, SIGBUS %llu, SIGSEGV %llu; calls (refused as documented):",
		z->failed ? "FAILED" : "ok", (unsigned long long)z->opno, secs,
		secs > 0 ? (double)z->opno / secs : 0.0, (unsigned long long)z->seed,
		(unsigned long long)z->bytes_checked, (unsigned long long)z->sigbus,
		(unsigned long long)z->sigsegv);
	for (k = 0; k < NR_OPS && len < sizeof(line); k++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s %llu (%llu)",
					op_name((enum op_kind)k),
					(unsigned long long)z->count[k],
					(unsigned long long)z->errs[k]);
	printf("%s\n", line);
}

int main(int argc, char **argv)
{
	static struct fz fz;
	struct fz *z = &fz;
	struct mmapdemo_info orig, info;
	uint64_t bytes;
	struct timespec t0, t1;
	unsigned int i;

	if (parse_options(argc, argv, z, &bytes)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	z->ps = md_page_size();
	z->huge = md_huge_mode();
	z->max_pages = (bytes + z->ps - 1) / z->ps;
	if (z->max_pages < 4 || bytes > (64ULL << 20)) {
		fprintf(stderr, "mmapdemo-fuzz: --size must be 4 pages to 64M\n");
		return EXIT_USAGE;
	}
	z->rng = z->seed;
	printf("mmapdemo-fuzz: seed %llu, %llu ops, buffer up to %llu pages\n",
	       (unsigned long long)z->seed, (unsigned long long)z->ops,
	       (unsigned long long)z->max_pages);
	fflush(stdout);
	if (setup(z, &orig))
		return EXIT_USAGE;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (z->opno = 0; z->opno < z->ops && !z->failed; z->opno++) {
		enum op_kind k = pick_op(z);

		z->count[k]++;
		ops[k](z);
		if (!z->failed)
			check_counters(z);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	if (!z->failed) {
		munmap(z->arena, ARENA_PAGES * z->ps);
		for (i = 0; i < NFDS; i++)
			close(z->fds[i].fd);
		if (md_info(z->ctl, &info))
			fail(z, "GET_INFO at the end: %s", strerror(errno));
		else if (info.counters.live_mappings)
			fail(z, "%llu mappings still counted live after everything was unmapped",
			     (unsigned long long)info.counters.live_mappings);
		if (md_resize(z->ctl, orig.size))
			fprintf(stderr, "mmapdemo-fuzz: resize back to %llu bytes: %s\n",
				(unsigned long long)orig.size, strerror(errno));
	}
	summary(z, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return z->failed ? 1 : 0;
}
