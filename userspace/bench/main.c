// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-bench: what mapping /dev/mmapdemo costs in each mode, against
 * the kernel's own paths, for buffer sizes from 4 KiB up. It resizes the
 * device for each size, fills it through write() and checks what every
 * mapping returns; a wrong byte ends the run with status 1. Every figure
 * is a median over repetitions. Run as root with the module loaded
 * (scripts/bench does it in QEMU guests).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"

struct options opt = {
	.reps = 5,
	.families = FAMILY_ALL,
	.chunk = 128 << 10,
	.full_check_max = 64ULL << 20,
	.threads_min = 1ULL << 20,
	.lock_size = 4ULL << 20,
};
size_t page_size;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mmapdemo-bench [OPTIONS]\n\n"
		"Measure mmap() and first touch of /dev/mmapdemo in each mode (huge where\n"
		"the driver takes it) against anonymous memory, with and without THP,\n"
		"and shmem, read()/write() against memcpy() with a mapping, one thread\n"
		"against two, the lock faults run under, and how long munmap() waits\n"
		"for a resize. Prints tables; with --out writes\n"
		"touch.csv, copy.csv, threads.csv, lock.csv, resize.csv and\n"
		"targets.csv. Needs /dev/mmapdemo open for writing.\n\n"
		"  -s, --sizes LIST      sizes: 4K,1M,... or a range MIN-MAX (default 4K-256M)\n"
		"  -x, --step N          factor between the sizes of a range (default 4)\n"
		"  -r, --reps N          repetitions at 1 MiB and more (default 5; smaller\n"
		"                        sizes repeat up to 8 times as often)\n"
		"  -f, --families LIST   touch,copy,threads,lock,resize (default: all)\n"
		"  -c, --chunk BYTES     read()/write()/memcpy() chunk (default 128K)\n"
		"  -o, --out DIR         write the CSV files into DIR\n"
		"      --full-check MAX  compare every byte of each mapping once up to this\n"
		"                        size (default 64M; above, one word per page)\n"
		"      --threads-min MIN smallest size of the threads family (default 1M)\n"
		"      --lock-size SIZE  size of the lock family's mappings (default 4M)\n"
		"  -q, --quick           4K-16M, 3 repetitions: a smoke test\n"
		"  -h, --help            this text\n\n"
		"Exit status: 0 every check passed (missed targets are reported, not\n"
		"fatal), 1 a check or a call failed, 2 bad usage.\n");
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int parse_sizes(const char *arg, unsigned int step)
{
	char *copy = strdup(arg), *tok, *save = NULL, *dash;
	uint64_t lo, hi, s;

	opt.nsizes = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		dash = strchr(tok, '-');
		if (dash) {
			*dash = 0;
			if (md_parse_size(tok, &lo) || md_parse_size(dash + 1, &hi) ||
			    !lo || lo > hi)
				return -1;
			for (s = lo; s <= hi && opt.nsizes < MAX_SIZES; s *= step)
				opt.sizes[opt.nsizes++] = s;
		} else {
			if (md_parse_size(tok, &s) || !s || opt.nsizes == MAX_SIZES)
				return -1;
			opt.sizes[opt.nsizes++] = s;
		}
	}
	free(copy);
	qsort(opt.sizes, opt.nsizes, sizeof(opt.sizes[0]), cmp_u64);
	return opt.nsizes ? 0 : -1;
}

static int parse_families(const char *arg)
{
	static const char *const names[] = {
		"touch", "copy", "threads", "lock", "resize",
	};
	const unsigned int nnames = sizeof(names) / sizeof(names[0]);
	char *copy = strdup(arg), *tok, *save = NULL;
	unsigned int i;

	opt.families = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < nnames; i++)
			if (!strcmp(tok, names[i]))
				break;
		if (i == nnames)
			return -1;
		opt.families |= 1u << i;
	}
	free(copy);
	return 0;
}

/* The buffer's 2 MiB folios (sysfs folios), -1 if the driver has no file. */
static long read_folios(void)
{
	char text[32];

	if (md_read_text(MD_SYSFS "/folios", text, sizeof(text)))
		return -1;
	return strtol(text, NULL, 10);
}

/* Resize and fill the device, make the shmem file, for one size. */
static void size_setup(struct sizectx *sc, int fd, uint64_t size)
{
	struct mmapdemo_info info;

	memset(sc, 0, sizeof(*sc));
	sc->size = size;
	sc->pages = size / page_size;
	sc->fd = fd;
	if (md_resize(fd, size))
		die("MMAPDEMO_IOC_RESIZE to %s: %s%s", size_str(size),
		    strerror(errno), errno == ENOMEM ?
		    " (give the guest more memory: scripts/vm -m MIB)" : "");
	if (md_info(fd, &info))
		die_errno("MMAPDEMO_IOC_GET_INFO");
	sc->segments = info.segments;
	sc->folios = read_folios();
	sc->mmap_prepare = md_mmap_prepare();
	sc->memfd = memfd_create("mmapdemo-bench", MFD_CLOEXEC);
	if (sc->memfd < 0)
		die_errno("memfd_create");
	if (ftruncate(sc->memfd, (off_t)size))
		die_errno("ftruncate of the memfd");
	fill_files(fd, sc->memfd, size);
	sc->random_order = random_order(sc->pages, 0x2545f4914f6cdd1dULL ^ size);
	sc->expect_pattern = expect_read(sc->pages, true);
	sc->reps = reps_for_size(size);
}

static void size_teardown(struct sizectx *sc)
{
	close(sc->memfd);
	free(sc->random_order);
}

static void print_header(const struct mmapdemo_info *info)
{
	struct utsname u;
	char fab[32] = "?", thp[128] = "?";
	FILE *f;

	uname(&u);
	f = fopen("/sys/kernel/debug/fault_around_bytes", "re");
	if (f) {
		if (fgets(fab, sizeof(fab), f))
			fab[strcspn(fab, "\n")] = 0;
		fclose(f);
	}
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");
	if (f) {
		if (fgets(thp, sizeof(thp), f))
			thp[strcspn(thp, "\n")] = 0;
		fclose(f);
	}
	printf("# mmapdemo-bench: kernel %s %s, %ld CPUs, page %zu bytes\n",
	       u.release, u.machine, sysconf(_SC_NPROCESSORS_ONLN), page_size);
	printf("# fault_around_bytes %s, THP %s, device buffer %s in %u runs at start\n",
	       fab, thp, size_str(info->size), info->segments);
	printf("# every figure is a median; reps %u at 1M and more, up to %u below\n",
	       opt.reps, reps_for_size(page_size));
	if (md_mmap_prepare())
		printf("# the driver maps with mmap_prepare: a remap mapping must be one contiguous\n"
		       "# run, so where the buffer is several, insert stands in for remap (notes say where)\n");
	if (target_not_run(T_HUGE))
		printf("# huge: not run: %s\n", target_not_run(T_HUGE));
	else
		printf("# huge: the driver takes it; %ld 2 MiB folios in the buffer at start\n",
		       read_folios());
	if (getenv("GLIBC_TUNABLES"))
		printf("# GLIBC_TUNABLES=%s\n", getenv("GLIBC_TUNABLES"));
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sizes", required_argument, NULL, 's' },
		{ "step", required_argument, NULL, 'x' },
		{ "reps", required_argument, NULL, 'r' },
		{ "families", required_argument, NULL, 'f' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "full-check", required_argument, NULL, 'F' },
		{ "threads-min", required_argument, NULL, 'T' },
		{ "lock-size", required_argument, NULL, 'L' },
		{ "quick", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *sizes = "4K-256M";
	unsigned int step = 4, i;
	struct mmapdemo_info info;
	struct sizectx sc;
	uint64_t chunk, v;
	int c, fd, missed;

	page_size = md_page_size();
	while ((c = getopt_long(argc, argv, "s:x:r:f:c:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			sizes = optarg;
			break;
		case 'x':
			step = (unsigned int)atoi(optarg);
			if (step < 2)
				goto bad;
			break;
		case 'r':
			opt.reps = (unsigned int)atoi(optarg);
			if (opt.reps < 1 || opt.reps > MAX_REPS / 8)
				goto bad;
			break;
		case 'f':
			if (parse_families(optarg))
				goto bad;
			break;
		case 'c':
			if (md_parse_size(optarg, &chunk) || !chunk ||
			    chunk % page_size)
				goto bad;
			opt.chunk = chunk;
			break;
		case 'o':
			opt.out_dir = optarg;
			break;
		case 'F':
		case 'T':
		case 'L':
			if (md_parse_size(optarg, &v))
				goto bad;
			if (c == 'F')
				opt.full_check_max = v;
			else if (c == 'T')
				opt.threads_min = v;
			else if (!v || v % page_size)
				goto bad;
			else
				opt.lock_size = v;
			break;
		case 'q':
			sizes = "4K-16M";
			opt.reps = 3;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc || parse_sizes(sizes, step))
		goto bad;
	for (i = 0; i < opt.nsizes; i++)
		if (opt.sizes[i] % page_size || opt.sizes[i] > MMAPDEMO_MAX_SIZE) {
			fprintf(stderr, "mmapdemo-bench: size %s is not a multiple of the page size up to 1G\n",
				size_str(opt.sizes[i]));
			return 2;
		}

	fd = md_open(O_RDWR);
	if (fd < 0)
		die("open " MD_DEVICE ": %s (is the module loaded? run as root)",
		    strerror(errno));
	if (md_info(fd, &info))
		die_errno("MMAPDEMO_IOC_GET_INFO");
	setvbuf(stdout, NULL, _IOLBF, 0);
	print_header(&info);

	if (opt.families & FAMILY_TOUCH) {
		/*
		 * From the largest size down: a grow keeps the buffer's
		 * pages and adds more, so a buffer grown in steps from 4K
		 * has small pages in its first 2 MiB for good, and huge
		 * mode would measure them. A shrink keeps whole folios, so
		 * each size from the largest down is the buffer a load at
		 * that size gives (scripts/bench loads at 2M).
		 */
		touch_begin();
		for (i = opt.nsizes; i-- > 0;) {
			size_setup(&sc, fd, opt.sizes[i]);
			touch_size(&sc);
			size_teardown(&sc);
		}
		touch_end();
	}
	if (opt.families & FAMILY_COPY) {
		copy_begin();
		for (i = 0; i < opt.nsizes; i++) {
			size_setup(&sc, fd, opt.sizes[i]);
			copy_size(&sc);
			size_teardown(&sc);
		}
		copy_end();
	}
	if (opt.families & FAMILY_THREADS) {
		threads_begin();
		for (i = 0; i < opt.nsizes; i++) {
			if (opt.sizes[i] < opt.threads_min)
				continue;
			size_setup(&sc, fd, opt.sizes[i]);
			threads_size(&sc);
			size_teardown(&sc);
		}
		threads_end();
	}
	if (opt.families & FAMILY_LOCK) {
		size_setup(&sc, fd, opt.lock_size);
		sc.reps = opt.reps;
		lock_run(&sc);
		size_teardown(&sc);
	}
	if (opt.families & FAMILY_RESIZE) {
		/* From the smallest size of 1 MiB or more to the largest. */
		for (i = 0; i + 1 < opt.nsizes && opt.sizes[i] < (1ULL << 20); i++)
			;
		size_setup(&sc, fd, opt.sizes[i]);
		sc.reps = opt.reps;
		resize_run(&sc, opt.sizes[opt.nsizes - 1]);
		size_teardown(&sc);
	}

	missed = targets_report();
	if (md_resize(fd, info.size))
		die_errno("resizing the device back");
	close(fd);
	printf("\n# all byte checks passed; %d target%s missed\n", missed,
	       missed == 1 ? "" : "s");
	return 0;

bad:
	usage(stderr);
	return 2;
}
