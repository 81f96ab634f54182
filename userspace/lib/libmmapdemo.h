/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libmmapdemo: the one small library every mmapdemo program shares. It
 * opens the device, wraps the ioctls and mmap(), decodes
 * /proc/self/pagemap, probes addresses for SIGBUS/SIGSEGV, fills and
 * checks data patterns, and loads and unloads the module through libkmod.
 * Functions return 0 or a result on success and -1 with errno on failure
 * unless they say otherwise.
 */
#ifndef LIBMMAPDEMO_H
#define LIBMMAPDEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "uapi/mmapdemo.h"

#define MD_DEVICE	"/dev/mmapdemo"
#define MD_MODULE	"mmapdemo"
#define MD_SYSFS	"/sys/class/misc/mmapdemo"

/* device.c */
size_t md_page_size(void);
int md_open(int flags);
int md_info(int fd, struct mmapdemo_info *info);
int md_set_mode(int fd, unsigned int mode);
int md_resize(int fd, uint64_t size);
int md_reset_counters(int fd);
const char *md_mode_name(unsigned int mode);
int md_mode_parse(const char *name, unsigned int *mode);
/* Is @mode demand-paged (fault, faultaround, huge): nothing mapped by mmap()? */
bool md_mode_demand_paged(unsigned int mode);
/* mmap() of the device in @mode; MAP_FAILED with errno on failure. */
void *md_map(int fd, unsigned int mode, size_t len, off_t offset, int prot,
	     bool shared);
/* A fresh read-write file in @mode, or -1. */
int md_open_mode(unsigned int mode);
/*
 * The driver maps with mmap_prepare, where one remap mapping is one
 * physically contiguous run of the buffer, shared too (else EINVAL).
 */
bool md_mmap_prepare(void);
/* The driver takes huge mode (else it says EOPNOTSUPP). */
bool md_huge_mode(void);

/*
 * loop.c: a loop device over a memfd of @size bytes, @fd opened O_DIRECT:
 * its read() and write() pin user pages with get_user_pages(). -1 with
 * errno if the kernel has none (ENOENT: no loop driver, no block layer).
 */
struct md_loop {
	int nr;		/* /dev/loopNR */
	int fd;		/* the device, O_DIRECT */
	int backing;	/* the memfd it reads and writes */
};
int md_loop_open(struct md_loop *lo, size_t size);
void md_loop_close(struct md_loop *lo);

/* pagemap.c: /proc/self/pagemap, one 64-bit entry per page. */
#define MD_PM_PRESENT	(1ULL << 63)
#define MD_PM_SWAP	(1ULL << 62)
#define MD_PM_FILE	(1ULL << 61)	/* file page or shared anonymous */
#define MD_PM_EXCLUSIVE	(1ULL << 56)	/* mapped by this process only */
#define MD_PM_SOFT_DIRTY (1ULL << 55)
#define MD_PM_PFN_MASK	((1ULL << 55) - 1)
int md_pagemap(const void *addr, size_t npages, uint64_t *entries);
/* Pages in [addr, addr + npages pages) that pagemap shows present. */
long md_present_pages(const void *addr, size_t npages);
/* The first buffer page that starts a contiguous run of @npages, or -1. */
long md_find_run(size_t npages);

/* probe.c: touch one byte and report what happened. */
enum md_probe_result {
	MD_PROBE_OK = 0,
	MD_PROBE_SIGBUS,
	MD_PROBE_SIGSEGV,
};
enum md_probe_result md_probe(volatile void *addr, bool write);
/*
 * A store of @val that is only a store. md_probe()'s write is "*p = *p":
 * its load faults first, as a read, which maps a shared page writable and
 * turns a private one's write into a second, write-protect fault. Where
 * the first touch must be the write itself, store a byte read beforehand.
 */
enum md_probe_result md_probe_store(volatile void *addr, char val);
const char *md_probe_name(enum md_probe_result r);

/* faults.c: this process's minor page faults so far (getrusage). */
long md_minflt(void);
/* The calling thread's minor faults (RUSAGE_THREAD). */
long md_thread_minflt(void);

/*
 * pattern.c: a pattern every 8-byte word of which names its buffer offset
 * and a seed, so that a wrong page, a stale page or a lost write shows.
 */
uint64_t md_pattern_word(uint64_t offset, uint32_t seed);
void md_pattern_fill(void *addr, size_t len, uint64_t offset, uint32_t seed);
/* Offset of the first word that differs, or -1 if all match. */
long long md_pattern_check(const void *addr, size_t len, uint64_t offset,
			   uint32_t seed);

/* module.c: load and unload through libkmod, errors as sentences. */
/*
 * Load the module file @path (NULL: the build tree's, else the installed
 * one) with @params ("size=... mode=..."). On failure returns -1 with
 * errno set and a sentence in @why.
 */
int md_module_load(const char *path, const char *params, char *why,
		   size_t whylen);
int md_module_unload(char *why, size_t whylen);
bool md_module_loaded(void);
/* The module file md_module_load(NULL, ...) would load, or NULL. */
const char *md_module_default_path(void);
/* The kernel release the module file was built for (its vermagic). */
int md_module_built_for(const char *path, char *release, size_t len);

/*
 * text.c: a small file of sysfs, debugfs, tracefs or procfs. Read: its
 * first line, without the newline ("" and -1 if it cannot be read).
 * Write: @text in one write(), truncating; -1 with errno if not all went.
 */
int md_read_text(const char *path, char *buf, size_t len);
int md_write_text(const char *path, const char *text);

/*
 * size.c: a size with an optional K, M or G suffix (binary, "KiB" and "KB"
 * too), in decimal, 0x hex or 0 octal. 0, or -1 if it is not one.
 */
int md_parse_size(const char *s, uint64_t *out);

/* kernel.c: is the running kernel @major.@minor or newer? */
bool md_kernel_at_least(int major, int minor);

#endif /* LIBMMAPDEMO_H */
