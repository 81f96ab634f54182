/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmapdemo-fuzz: random arguments for every call /dev/mmapdemo answers,
 * each result checked against README.md ("Errors"), docs/design.md and,
 * where the call is refused before the driver sees it, the core kernel's
 * documented order of checks. One process, one thread: a fixed seed and
 * operation count replay a run exactly.
 *
 * The model. The buffer's bytes (a shadow copy), its size, the pins of
 * remap/insert mmaps, the open files, and an arena of pages at a fixed
 * place in which every mapping is made (MAP_FIXED), page by page: a
 * reserve page (PROT_NONE anonymous) or a device page with its buffer
 * page, mode, protection, sharing and private copy. The arena is always
 * fully mapped: whatever a call unmaps is reserved again at once, so that
 * nothing else in the process can land there.
 */
#ifndef MMAPDEMO_FUZZ_H
#define MMAPDEMO_FUZZ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "libmmapdemo.h"

#define ARENA_PAGES	96	/* first and last stay reserve pages (guards) */
#define MAX_RUN		16	/* pages per mapping made in the arena */
#define NFDS		3
#define MAX_PINS	(ARENA_PAGES)
#define HISTORY		24

enum apage_kind { A_RESERVE, A_DEV };

/* One page of the arena. */
struct apage {
	uint8_t kind;
	uint8_t mode;		/* enum mmapdemo_mode */
	uint8_t prot;		/* PROT_READ | PROT_WRITE */
	bool shared;		/* VM_SHARED: writes reach the buffer */
	bool mayshare;		/* MAP_SHARED asked (VM_MAYSHARE) */
	bool maywrite;		/* VM_MAYWRITE: mprotect may add PROT_WRITE */
	bool priv;		/* holds a private copy (in fz.priv) */
	bool dontfork;
	int pin;		/* index in fz.pins, or -1 */
	uint64_t pgoff;		/* buffer page it maps */
};

struct pin {
	bool used;
	bool private_remap;	/* README: a private remap mapping */
	uint64_t first, last;	/* the mmap's buffer pages [first, last) */
};

struct fzfd {
	int fd;
	int acc;		/* O_RDONLY, O_WRONLY, O_RDWR */
	unsigned int mode;
	int64_t pos;		/* file position */
};

enum op_kind {
	OP_IOCTL, OP_MMAP, OP_TOUCH, OP_MUNMAP, OP_MPROTECT, OP_MADVISE,
	OP_MSYNC, OP_MREMAP, OP_READ, OP_WRITE, OP_PREAD, OP_PWRITE,
	OP_READV, OP_WRITEV, OP_LSEEK, OP_REOPEN, OP_FADVISE,
	NR_OPS
};

struct fz {
	uint64_t seed, ops, opno;
	uint64_t rng;
	size_t ps;
	bool verbose;
	int ctl;			/* an O_RDWR file of our own for checks */
	uint64_t max_pages;		/* the largest size we resize to */
	bool huge;			/* the driver takes huge mode */
	uint64_t size;			/* buffer pages now */
	uint8_t *shadow;		/* max_pages pages: the buffer's bytes */
	char *arena;
	struct apage ap[ARENA_PAGES];
	uint8_t *priv;			/* ARENA_PAGES pages: private copies */
	struct pin pins[MAX_PINS];
	struct fzfd fds[NFDS];
	/* Pointers of every kind, made once (ptrs.c). */
	char *rw;			/* 4 read-write pages */
	char *ro;			/* a PROT_READ page of known bytes */
	char *straddle;			/* a read-write page, then PROT_NONE */
	/* The driver's counters as they must be (reset at start). */
	uint64_t mmaps, mmap_errors, resizes;
	bool maps_dirty;		/* a VMA may have changed: count them */
	/* Results. */
	uint64_t count[NR_OPS];
	uint64_t errs[NR_OPS];		/* calls that failed as expected */
	uint64_t sigbus, sigsegv, bytes_checked;
	unsigned int hpos;
	char hist[HISTORY][200];
	uint64_t hist_op[HISTORY];
	bool failed;
};

/* options.c */
#define EXIT_USAGE	2
void usage(FILE *f);
int parse_options(int argc, char **argv, struct fz *z, uint64_t *bytes);

/* rng.c */
uint64_t rng_next(uint64_t *state);
uint64_t rng_below(struct fz *z, uint64_t n);
bool rng_chance(struct fz *z, unsigned int percent);

/* report.c */
void note(struct fz *z, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fail(struct fz *z, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void catch_fatal_signals(struct fz *z);
const char *op_name(enum op_kind k);
const char *err_name(int err);
/* Compare a result: @ret (-1 with @err, or a value) against @want (a
 * value >= 0) or -@errno; false and a failure if they differ. */
bool expect(struct fz *z, const char *what, long ret, int err, long want);

/* model.c */
char *apage_addr(struct fz *z, unsigned int i);
uint8_t *priv_page(struct fz *z, unsigned int i);
uint8_t *shadow_page(struct fz *z, uint64_t bp);
bool prepop_mode(unsigned int mode);
bool noexpand_mode(unsigned int mode);
/* Map [first, first + n) of the arena as reserve again; false on error. */
bool reserve(struct fz *z, unsigned int first, unsigned int n);
void pins_collect(struct fz *z);
int pin_new(struct fz *z, uint64_t first, uint64_t last, bool private_remap);
/* Would a shrink to @nr pages be refused (EBUSY)? */
bool shrink_busy(struct fz *z, uint64_t nr);
/* The device VMAs in /proc/self/maps: count, and the one around @addr. */
int dev_vmas(struct fz *z, uintptr_t addr, uintptr_t *start, uintptr_t *end);
bool check_counters(struct fz *z);
/* Is page @i of the arena readable / writable now without a signal? */
int page_signal(struct fz *z, unsigned int i, bool write);
/* The bytes page @i shows when read (buffer or private copy). */
const uint8_t *page_bytes(struct fz *z, unsigned int i);
/* Model a write fault (COW for a private mapping) of page @i. */
uint8_t *page_for_write(struct fz *z, unsigned int i);
void describe_page(struct fz *z, unsigned int i, char *buf, size_t len);
/* Every page of [a, a + n), for a failure report. */
void describe_range(struct fz *z, unsigned int a, unsigned int n);
bool range_contiguous(struct fz *z, uint64_t first, uint64_t n, int *c);

/* ptrs.c: user pointers of every kind */
enum ptr_kind {
	P_VALID, P_NULL, P_LOW, P_NONE, P_RO, P_STRADDLE, P_KERNEL, P_ARENA,
	NR_PTR_KINDS
};
struct uptr {
	enum ptr_kind kind;
	char *p;
	size_t readable, writable;	/* bytes usable from p on */
	bool bad_range;			/* access_ok() refuses it */
	int arena_page;			/* P_ARENA: the page, else -1 */
};
void ptrs_init(struct fz *z);
/* A pointer for @len bytes of kind chosen at random (@arena: allow P_ARENA). */
struct uptr pick_ptr(struct fz *z, size_t len, bool arena);
const char *ptr_name(const struct uptr *u);

/* op_*.c */
void op_ioctl(struct fz *z);
void op_mmap(struct fz *z);
void op_touch(struct fz *z);
void op_munmap(struct fz *z);
void op_mprotect(struct fz *z);
void op_madvise(struct fz *z);
void op_msync(struct fz *z);
void op_mremap(struct fz *z);
void op_read(struct fz *z);
void op_write(struct fz *z);
void op_pread(struct fz *z);
void op_pwrite(struct fz *z);
void op_readv(struct fz *z);
void op_writev(struct fz *z);
void op_lseek(struct fz *z);
void op_reopen(struct fz *z);
void op_fadvise(struct fz *z);

/* op_io.c: file positions and lengths near the edges */
int64_t pick_pos(struct fz *z);
size_t pick_len(struct fz *z);

/* op_ioctl.c: used by the others too */
struct fzfd *pick_fd(struct fz *z);
void apply_resize(struct fz *z, uint64_t nr);

#endif /* MMAPDEMO_FUZZ_H */
