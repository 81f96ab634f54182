/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmapdemo-stress: processes and threads that open, map, touch, fork,
 * unmap, remap, resize and try to unload at random, checking every byte
 * they read against a model of the buffer kept in shared memory.
 *
 * The model. Each worker (one thread) owns a range of buffer pages and is
 * the only one that writes them through the buffer (shared mappings,
 * pwrite); every 8-byte word it writes names its offset and the page's
 * generation (word_enc()). Per page the model holds that generation, a
 * sequence count (odd while the owner writes) and the number of shrinks
 * that removed the page. A process-shared rwlock guards the size: workers
 * hold it shared around a batch of operations, the resizer exclusively,
 * so "SIGBUS exactly past the end" is exact. Private copies are modelled
 * per mapping page by the worker that owns the mapping.
 */
#ifndef MMAPDEMO_STRESS_H
#define MMAPDEMO_STRESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "libmmapdemo.h"

#define MAX_PROCS	16
#define MAX_THREADS	8
#define MAX_WORKERS	(MAX_PROCS * MAX_THREADS)
#define MAX_MAPS	8	/* live mappings per worker */
#define MAX_MAP_PAGES	512	/* pages per mapping: a 2 MiB window of 4 KiB pages */
#define PMD_BYTES	(2U << 20)	/* what one PMD maps (x86_64) */
#define MAX_FDS		4	/* open files per worker */
#define MAX_PINS	(MAX_MAPS * 2)	/* prepopulated mmaps alive per worker */
#define HISTORY		32	/* operations kept for a failure report */
#define PRIV_GEN_BIT	0x80000000u	/* generations of private copies */

enum op_kind {
	OP_OPEN, OP_CLOSE, OP_MODE, OP_INFO, OP_MMAP, OP_READ, OP_WRITE,
	OP_PRIV_WRITE, OP_FORK, OP_MUNMAP, OP_MREMAP, OP_DONTNEED, OP_PREAD,
	OP_PWRITE, OP_RESIZE, OP_DEFAULT_MODE, OP_UNLOAD,
	NR_OPS
};

/* Per page of the buffer, in shared memory. */
struct page_model {
	_Atomic uint32_t seq;	/* odd while the owner writes the page */
	_Atomic uint32_t gen;	/* 0: zeroed; else what word_enc() wrote */
	uint32_t removed;	/* shrinks that removed it: kills private copies */
	uint32_t pad;
};

/* A prepopulated (remap/insert) mmap still alive: the driver's pin. */
struct pin {
	uint32_t first, last;	/* buffer pages of the original mmap */
	uint8_t used;
	uint8_t private_remap;
};

/*
 * Deviations from README.md this program knows and reports instead of
 * failing, unless --strict (see known.c). Each is counted and named in
 * the summary.
 */
enum known {
	KNOWN_MREMAP_GROW_ENOMEM, /* 6.12 core mm: in-place grow of a VM_SPECIAL VMA */
	NR_KNOWN
};

struct worker_stats {
	_Atomic uint64_t ops[NR_OPS];
	_Atomic uint64_t bytes_verified;
	_Atomic uint64_t sigbus;	/* expected SIGBUS seen */
	_Atomic uint64_t sigsegv;	/* expected SIGSEGV seen */
	_Atomic uint64_t ebusy;		/* shrinks refused as predicted */
	_Atomic uint64_t shrinks, grows;	/* resizes done */
	_Atomic uint64_t fork_enomem;	/* forks refused as predicted */
	_Atomic uint64_t loose_pages;	/* pages checked while being written */
	_Atomic uint64_t known[NR_KNOWN];
};

/* Everything processes share: MAP_SHARED | MAP_ANONYMOUS. */
struct shared {
	pthread_rwlock_t resize_lock;
	pthread_mutex_t out_lock;
	uint64_t seed;
	uint64_t ops_limit;
	uint64_t deadline_ns;	/* CLOCK_MONOTONIC */
	uint32_t ps;
	uint32_t max_pages, min_pages;
	uint32_t nprocs, nthreads, nworkers, per_worker;
	bool verbose;
	bool strict;		/* known deviations fail too */
	bool huge;		/* the driver takes huge mode */
	unsigned long huge_pmds;	/* counters/huge_pmds at the start */
	uint32_t skip;		/* 1 << enum op_kind: operations not to do */
	_Atomic uint32_t size_pages;	/* changes only under resize_lock held exclusively */
	_Atomic uint32_t default_mode;	/* likewise */
	_Atomic uint64_t ops_done;
	_Atomic int failed;
	_Atomic int drain;	/* a shrink was refused: workers drop their pins */
	struct worker_stats stats[MAX_WORKERS];
	struct pin pins[MAX_WORKERS][MAX_PINS];	/* each worker writes its own row */
	struct page_model pages[];	/* max_pages of them */
};

/* The threads of one worker process. */
struct proc {
	pthread_rwlock_t fork_lock;	/* fork: exclusive; every other op: shared */
	_Atomic int cow_first;		/* private remap VMAs whose first page was copied */
};

/* One page of a mapping, as this process sees it. */
struct map_page {
	uint32_t priv_gen;	/* 0: shows the buffer; else our private copy */
	uint32_t removed;	/* page_model.removed when the copy was made */
};

struct map {
	bool used;
	char *addr;
	uint32_t npages;
	uint32_t pgoff;		/* buffer page of addr */
	uint8_t mode;
	bool shared;
	bool writable;		/* PROT_WRITE */
	int pin;		/* index in our pins row, or -1 */
	struct map_page page[MAX_MAP_PAGES];
};

struct fdent {
	int fd;			/* -1: free */
	uint8_t mode;
	bool writable;
};

struct hist {
	uint64_t opno;
	char text[160];
};

struct worker {
	int id, proc_idx, thread_idx;
	uint64_t rng;
	struct shared *sh;
	struct proc *proc;
	struct map maps[MAX_MAPS];
	struct fdent fds[MAX_FDS];
	uint32_t own_first, own_count;	/* the pages we write */
	uint32_t priv_counter;
	int cow_first;			/* our share of proc->cow_first */
	uint64_t opno;
	unsigned int hpos;
	struct hist hist[HISTORY];
	bool in_child;			/* a fork child: report and _exit */
};

/* rng.c */
uint64_t rng_next(uint64_t *state);
uint32_t rng_below(uint64_t *state, uint32_t n);	/* 0..n-1, n >= 1 */
bool rng_chance(uint64_t *state, unsigned int percent);
uint64_t rng_seed_for(uint64_t seed, uint64_t stream);

/* model.c: the shared model and the word code */
struct shared *model_create(uint32_t max_pages, size_t ps);
uint64_t word_enc(uint64_t offset, uint32_t gen);
bool owns(const struct worker *w, uint32_t page);
void model_write_begin(struct shared *sh, uint32_t page, uint32_t gen);
void model_write_end(struct shared *sh, uint32_t page);
uint32_t model_gen(struct shared *sh, uint32_t page);
uint32_t model_size(struct shared *sh);
uint64_t now_ns(void);

/* trap.c: per-thread recovery from SIGBUS and SIGSEGV */
void trap_install(void);
/* Run fn(arg); 0 if it returned, else the signal, with its address. */
int trap_run(void (*fn)(void *), void *arg, void **addr);
/* Read a byte, or store 0 into it: only where a signal is expected. */
int trap_probe(volatile char *p, bool write, void **addr);

/* verify.c: what a page read through the buffer must hold */
/* V_SKIP: the page changed too often during the copy to say anything. */
enum verdict { V_OK, V_LOOSE_OK, V_SKIP, V_BAD };
void fill_page(volatile uint64_t *dst, size_t ps, uint64_t offset,
	       uint32_t gen);
long check_exact(const uint64_t *copy, size_t ps, uint64_t offset,
		 uint32_t gen);
/*
 * Read the buffer page @page through @src (a mapping) or @fd (pread),
 * and check it against the model; on a mismatch describe it in @why.
 * The copy may stop at a signal: *sig and *addr say which.
 */
enum verdict verify_buffer_page(struct worker *w, const volatile char *src,
				int fd, uint32_t page, int *sig, void **addr,
				char *why, size_t whylen);
/* A private copy written with @gen, read through @src. */
enum verdict verify_private_page(struct worker *w, const volatile char *src,
				 uint64_t offset, uint32_t gen, int *sig,
				 void **addr, char *why, size_t whylen);

/* history.c: the ring of recent operations and failure reports */
void hist_add(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fail(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void say(struct shared *sh, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *op_name(enum op_kind k);
int op_parse(const char *name);

/* known.c */
/* Count a known deviation; false (and a failure) under --strict. */
bool known(struct worker *w, enum known k, const char *detail);
const char *known_name(enum known k);

/* contig.c */
int range_contiguous(uint32_t first, uint32_t npages, size_t ps);

/* options.c */
#define EXIT_USAGE	2
struct options {
	double time;
	uint64_t ops;
	unsigned int procs, threads;
	uint64_t seed;
	uint64_t size;
	bool verbose;
	bool strict;
	uint32_t skip;
};
void usage(FILE *f);
int parse_options(int argc, char **argv, struct options *o);

/* summary.c */
void summary(struct shared *sh, double secs, bool ok);
unsigned long huge_pmds(void);

/* worker.c */
void worker_run(struct worker *w);
void count_op(struct worker *w, enum op_kind k);
struct map *pick_map(struct worker *w, bool (*want)(const struct map *));
struct fdent *pick_fd(struct worker *w, bool writable);
struct fdent *ensure_fd(struct worker *w);
void cow_recount(struct worker *w);
bool map_page_gone(struct worker *w, const struct map *m, uint32_t i);

/* op_fd.c */
void op_open(struct worker *w);
void op_close(struct worker *w);
void op_mode(struct worker *w);
void op_info(struct worker *w);
void op_pread(struct worker *w);
void op_pwrite(struct worker *w);

/* maps.c */
bool prepopulated(unsigned int mode);
const char *shape(const struct map *m, char *buf, size_t len);
void pin_put(struct worker *w, int pin);
int pin_new(struct worker *w, uint32_t first, uint32_t last,
	    bool private_remap);
struct map *free_map(struct worker *w);
void drop_map(struct worker *w, struct map *m);
void unmap_all(struct worker *w);
void unmap_pinned(struct worker *w);

/* op_mmap.c */
void op_mmap(struct worker *w);

/* op_unmap.c */
void op_munmap(struct worker *w);
void op_mremap(struct worker *w);
void op_dontneed(struct worker *w);

/* op_touch.c */
void op_read(struct worker *w);
void op_write(struct worker *w);
void op_priv_write(struct worker *w);
bool check_map_page(struct worker *w, struct map *m, uint32_t i);
/* Write page @i of @m with @gen: 0, or the signal it raised (at *@fa). */
int write_map_page(struct worker *w, struct map *m, uint32_t i, uint32_t gen,
		   void **fa);

/* op_fork.c */
void op_fork(struct worker *w);

/* op_global.c: operations under the exclusive lock, and unload */
void op_resize(struct worker *w);
void op_default_mode(struct worker *w);
void op_unload(struct worker *w);

#endif /* MMAPDEMO_STRESS_H */
