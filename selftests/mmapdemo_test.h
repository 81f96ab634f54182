/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the mmapdemo selftest programs share: opening the device or
 * skipping, writing and checking patterns through read()/write(), and an
 * unrelated helper process (the test program itself, run again).
 */
#ifndef MMAPDEMO_TEST_H
#define MMAPDEMO_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libmmapdemo.h"

/*
 * Open the device read-write, or skip the test with a reason when it is
 * not there (module not loaded) or not ours to open (not root).
 */
#define OPEN_OR_SKIP(fd) do {						\
	(fd) = md_open(O_RDWR);						\
	if ((fd) < 0 && (errno == ENOENT || errno == ENXIO))		\
		SKIP(return, MD_DEVICE " is missing: load the module");	\
	if ((fd) < 0 && errno == EACCES)				\
		SKIP(return, MD_DEVICE " needs root");			\
	ASSERT_LE(0, (fd)) TH_LOG("open " MD_DEVICE ": %s", strerror(errno)); \
} while (0)

/*
 * The matrix of the mapping tests: fixture @f gets a variant with .mode and
 * .shared, and one variant for each mode, shared and private, named like
 * "fault_shared". Where the driver takes no huge mode, mmapdemo_test.sh
 * leaves out huge_shared and huge_private (-V): mmapdemo_huge's
 * huge_mode_is_the_kernels asserts that refusal.
 */
#define MD_VARIANT_ADD(f, name, m, s)					\
	FIXTURE_VARIANT_ADD(f, name) { .mode = (m), .shared = (s), }
#define MD_MODE_VARIANTS(f)						\
	FIXTURE_VARIANT(f) {						\
		unsigned int mode;					\
		bool shared;						\
	};								\
	MD_VARIANT_ADD(f, fault_shared, MMAPDEMO_MODE_FAULT, true);	\
	MD_VARIANT_ADD(f, fault_private, MMAPDEMO_MODE_FAULT, false);	\
	MD_VARIANT_ADD(f, faultaround_shared, MMAPDEMO_MODE_FAULTAROUND, true); \
	MD_VARIANT_ADD(f, faultaround_private, MMAPDEMO_MODE_FAULTAROUND, false); \
	MD_VARIANT_ADD(f, remap_shared, MMAPDEMO_MODE_REMAP, true);	\
	MD_VARIANT_ADD(f, remap_private, MMAPDEMO_MODE_REMAP, false);	\
	MD_VARIANT_ADD(f, insert_shared, MMAPDEMO_MODE_INSERT, true);	\
	MD_VARIANT_ADD(f, insert_private, MMAPDEMO_MODE_INSERT, false);	\
	MD_VARIANT_ADD(f, huge_shared, MMAPDEMO_MODE_HUGE, true);	\
	MD_VARIANT_ADD(f, huge_private, MMAPDEMO_MODE_HUGE, false)

/*
 * Does the driver take mode @m here? All but huge everywhere; huge where
 * the kernel can (mmapdemo_huge's huge_mode_is_the_kernels checks that the
 * refusal elsewhere, EOPNOTSUPP, is the kernel's answer). Loops over
 * every mode leave out the ones it does not take.
 */
static inline bool mode_taken(unsigned int m)
{
	return m != MMAPDEMO_MODE_HUGE || md_huge_mode();
}

/* Are all @len bytes at @p zero? */
static inline bool all_zero(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* Write the pattern of @seed into the buffer at [@off, @off + @len). */
static inline int buf_fill(int fd, size_t off, size_t len, uint32_t seed)
{
	char *tmp = malloc(len);
	ssize_t n;

	if (!tmp)
		return -1;
	md_pattern_fill(tmp, len, off, seed);
	n = pwrite(fd, tmp, len, off);
	free(tmp);
	return n == (ssize_t)len ? 0 : -1;
}

/* Does the buffer at [@off, @off + @len) hold the pattern of @seed? */
static inline bool buf_has(int fd, size_t off, size_t len, uint32_t seed)
{
	char *tmp = malloc(len);
	bool ok;

	if (!tmp)
		return false;
	ok = pread(fd, tmp, len, off) == (ssize_t)len &&
	     md_pattern_check(tmp, len, off, seed) < 0;
	free(tmp);
	return ok;
}

/* Does memory at @p hold the pattern of @seed for buffer offset @off? */
static inline bool mem_has(const void *p, size_t len, size_t off, uint32_t seed)
{
	return md_pattern_check(p, len, off, seed) < 0;
}

/*
 * An unrelated process: the test program run again through
 * /proc/self/exe with MMAPDEMO_TEST_HELPER="fill|check MODE OFF LEN SEED"
 * maps the range shared in MODE on a fresh open and fills it with, or
 * checks it for, the pattern. Exit status 0 means done / it matches.
 */
static inline int run_helper(const char *op, unsigned int mode, size_t off,
			     size_t len, uint32_t seed)
{
	char spec[160], *argv[] = { "mmapdemo-helper", NULL };
	char *envp[] = { spec, NULL };
	int status;
	pid_t pid;

	snprintf(spec, sizeof(spec), "MMAPDEMO_TEST_HELPER=%s %u %zu %zu %u",
		 op, mode, off, len, seed);
	/* posix_spawn(), not fork(): nothing of our mappings is copied. */
	if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv, envp))
		return -1;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void __attribute__((constructor)) mmapdemo_helper_main(void)
{
	const char *spec = getenv("MMAPDEMO_TEST_HELPER");
	unsigned int mode, seed;
	size_t off, len;
	char op[8];
	void *p;
	int fd;

	if (!spec)
		return;
	if (sscanf(spec, "%7s %u %zu %zu %u", op, &mode, &off, &len, &seed) != 5)
		_exit(126);
	fd = md_open(O_RDWR);
	if (fd < 0)
		_exit(125);
	p = md_map(fd, mode, len, off, PROT_READ | PROT_WRITE, true);
	if (p == MAP_FAILED)
		_exit(124);
	if (!strcmp(op, "fill")) {
		md_pattern_fill(p, len, off, seed);
		_exit(0);
	}
	_exit(md_pattern_check(p, len, off, seed) < 0 ? 0 : 1);
}

#endif /* MMAPDEMO_TEST_H */
