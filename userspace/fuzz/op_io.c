// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-fuzz: the data calls: read, write, pread, pwrite, readv,
 * writev, preadv and pwritev (lseek and the rest: op_file.c). README "Errors": read at or past the end 0,
 * write there ENOSPC, a write across the end writes what fits. The VFS
 * first: a file not open for it EBADF, a kernel address EFAULT, a bad
 * iovec count EINVAL, a negative or overflowing position EINVAL. A bad
 * buffer stops the copy where it faults: the bytes before it count, none
 * is EFAULT. Every byte moved is checked against the buffer's model.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fuzz.h"

#define MAX_RW_COUNT	(INT_MAX & ~4095L)
#define MAX_SEGS	4

struct seg {
	struct uptr u;
	size_t len;
};

/* Bytes the call moves (>= 0) or -errno; @segs in order, the first fault stops it. */
static long io_expect(struct fz *z, const struct fzfd *f, bool wr, int64_t pos,
		      const struct seg *segs, unsigned int nseg, bool vectored,
		      bool positional)
{
	uint64_t end = z->size * z->ps, total = 0, avail, n, moved = 0;
	unsigned int i;

	/* ksys_pread64() and friends refuse a negative position first. */
	if (positional && pos < 0)
		return -EINVAL;
	if (wr ? f->acc == O_RDONLY : f->acc == O_WRONLY)
		return -EBADF;
	for (i = 0; i < nseg; i++) {
		if (segs[i].u.bad_range)
			return -EFAULT;		/* access_ok() */
		total += segs[i].len;
	}
	if (total > MAX_RW_COUNT)
		total = MAX_RW_COUNT;
	if (vectored && !total)
		return 0;
	if (pos < 0 || (int64_t)((uint64_t)pos + total) < 0)
		return -EINVAL;
	if (wr && !total)
		return 0;
	avail = (uint64_t)pos >= end ? 0 : end - (uint64_t)pos;
	if (!avail)
		return wr ? -ENOSPC : 0;
	n = total < avail ? total : avail;
	for (i = 0; i < nseg && moved < n; i++) {
		size_t usable = wr ? segs[i].u.readable : segs[i].u.writable;
		uint64_t take = segs[i].len < n - moved ? segs[i].len : n - moved;

		if (usable < take) {
			moved += usable;
			break;
		}
		moved += take;
	}
	return moved ? (long)moved : (n ? -EFAULT : 0);
}

/* Fill what a write will read from; P_RO holds known bytes already. */
static void prepare_source(struct fz *z, struct seg *s, uint64_t offset)
{
	if (s->u.kind == P_VALID || s->u.kind == P_STRADDLE)
		md_pattern_fill(s->u.p, s->len < s->u.writable ? s->len : s->u.writable,
				offset, (uint32_t)z->opno);
}

/* Model the bytes moved: into the buffer, or check them out of it. */
static bool account(struct fz *z, bool wr, int64_t pos, const struct seg *segs,
		    unsigned int nseg, long moved, const char *what)
{
	uint64_t at = (uint64_t)pos;
	unsigned int i;

	for (i = 0; i < nseg && moved > 0; i++) {
		size_t k = segs[i].len < (size_t)moved ? segs[i].len : (size_t)moved;

		if (!k)
			continue;
		if (wr) {
			memcpy(z->shadow + at, segs[i].u.p, k);
		} else if (memcmp(segs[i].u.p, z->shadow + at, k)) {
			size_t b = 0;

			while (((uint8_t *)segs[i].u.p)[b] == z->shadow[at + b])
				b++;
			fail(z, "%s: byte at buffer offset 0x%llx is 0x%02x, want 0x%02x",
			     what, (unsigned long long)(at + b),
			     ((uint8_t *)segs[i].u.p)[b], z->shadow[at + b]);
			return false;
		} else {
			z->bytes_checked += k;
		}
		at += k;
		moved -= (long)k;
	}
	return true;
}

int64_t pick_pos(struct fz *z)
{
	uint64_t end = z->size * z->ps;

	switch (rng_below(z, 10)) {
	case 0:
		return (int64_t)end;
	case 1:
		return (int64_t)(end - 1 - rng_below(z, z->ps));
	case 2:
		return (int64_t)(end + rng_below(z, 4 * z->ps));
	case 3:
		return -(int64_t)(1 + rng_below(z, 1 << 20));
	case 4:
		return INT64_MAX - (int64_t)rng_below(z, 4096);
	default:
		return (int64_t)rng_below(z, end);
	}
}

size_t pick_len(struct fz *z)
{
	switch (rng_below(z, 8)) {
	case 0:
		return 0;
	case 1:
		return 1 + rng_below(z, 8);
	case 2:
		return 2 * z->ps + rng_below(z, z->ps);
	default:
		return 1 + rng_below(z, z->ps);
	}
}

static const char *acc_name(const struct fzfd *f)
{
	return f->acc == O_RDONLY ? "ro" : f->acc == O_WRONLY ? "wo" : "rw";
}

/* read, write, pread, pwrite: one buffer. */
static void plain_io(struct fz *z, bool wr, bool positional)
{
	struct fzfd *f = pick_fd(z);
	struct seg s;
	int64_t pos = positional ? pick_pos(z) : f->pos;
	char what[200];
	long want, ret;
	int err;

	s.len = pick_len(z);
	s.u = pick_ptr(z, s.len, false);
	if (wr)
		prepare_source(z, &s, (uint64_t)pos);
	want = io_expect(z, f, wr, pos, &s, 1, false, positional);
	if (wr)
		ret = positional ? pwrite(f->fd, s.u.p, s.len, pos) : write(f->fd, s.u.p, s.len);
	else
		ret = positional ? pread(f->fd, s.u.p, s.len, pos) : read(f->fd, s.u.p, s.len);
	err = errno;
	snprintf(what, sizeof(what), "%s%s(fd %d %s, %s %p, %zu%s%lld) [size %llu]",
		 positional ? "p" : "", wr ? "write" : "read", f->fd, acc_name(f),
		 ptr_name(&s.u), (void *)s.u.p, s.len, positional ? ", " : " at ",
		 (long long)pos, (unsigned long long)(z->size * z->ps));
	note(z, "%s -> %ld %s", what, ret, ret < 0 ? err_name(err) : "");
	if (!expect(z, what, ret, err, want))
		return;
	if (ret < 0) {
		z->errs[wr ? (positional ? OP_PWRITE : OP_WRITE) :
			(positional ? OP_PREAD : OP_READ)]++;
		return;
	}
	if (!account(z, wr, pos, &s, 1, ret, what))
		return;
	if (!positional)
		f->pos += ret;
}

void op_read(struct fz *z)
{
	plain_io(z, false, false);
}

void op_write(struct fz *z)
{
	plain_io(z, true, false);
}

void op_pread(struct fz *z)
{
	plain_io(z, false, true);
}

void op_pwrite(struct fz *z)
{
	plain_io(z, true, true);
}

static void vector_io(struct fz *z, bool wr)
{
	struct fzfd *f = pick_fd(z);
	bool positional = rng_chance(z, 40);
	int64_t pos = positional ? pick_pos(z) : f->pos;
	unsigned int nseg = (unsigned int)rng_below(z, MAX_SEGS + 1), i;
	struct iovec iov[MAX_SEGS], *iovp = iov;
	struct seg segs[MAX_SEGS] = { 0 };
	uint64_t at = (uint64_t)pos;
	int cnt = (int)nseg, err;
	char what[200];
	long want, ret, import_err = 0, mode_err, alt = 1;

	for (i = 0; i < nseg; i++) {
		segs[i].len = pick_len(z) / 3;	/* up to a page: no overlap */
		segs[i].u = pick_ptr(z, segs[i].len, false);
		/* Two segments must not share bytes: give each its own. */
		if (segs[i].u.kind == P_VALID) {
			segs[i].u.p = z->rw + i * z->ps;
			segs[i].u.readable = segs[i].u.writable = (4 - i) * z->ps;
		} else if (segs[i].u.kind == P_STRADDLE && i) {
			/* one straddling buffer only: the others fault at once */
			segs[i].u = (struct uptr){ .kind = P_NULL, .arena_page = -1 };
		}
		if (wr)
			prepare_source(z, &segs[i], at);
		at += segs[i].len;
		iov[i].iov_base = segs[i].u.p;
		iov[i].iov_len = segs[i].len;
	}
	want = io_expect(z, f, wr, pos, segs, nseg, true, positional);
	switch (rng_below(z, 20)) {
	case 0:
		cnt = 1025 + (int)rng_below(z, 100);	/* past UIO_MAXIOV */
		import_err = -EINVAL;
		break;
	case 1:
		if (nseg) {
			iovp = NULL;			/* the iovec array itself */
			import_err = -EFAULT;
		}
		break;
	}
	for (i = 0; i < nseg && !import_err; i++)
		if (segs[i].u.bad_range)
			import_err = -EFAULT;
	/*
	 * A file not open for it and an iovec that cannot be imported: 6.12
	 * checks the file first (EBADF), 6.1 imports the iovec first.
	 */
	mode_err = (wr ? f->acc == O_RDONLY : f->acc == O_WRONLY) ? -EBADF : 0;
	if (!(positional && pos < 0) && import_err && !mode_err)
		want = import_err;
	else if (!(positional && pos < 0) && import_err && mode_err)
		alt = import_err;
	if (wr)
		ret = positional ? pwritev(f->fd, iovp, cnt, pos) : writev(f->fd, iovp, cnt);
	else
		ret = positional ? preadv(f->fd, iovp, cnt, pos) : readv(f->fd, iovp, cnt);
	err = errno;
	snprintf(what, sizeof(what), "%s%sv(fd %d %s, %s, %d segments%s%lld) [size %llu]",
		 positional ? "p" : "", wr ? "write" : "read", f->fd, acc_name(f),
		 iovp ? "iovecs" : "NULL", cnt, positional ? ", " : " at ", (long long)pos,
		 (unsigned long long)(z->size * z->ps));
	note(z, "%s -> %ld %s", what, ret, ret < 0 ? err_name(err) : "");
	if (alt != 1 && ret == -1 && err == -alt)
		want = alt;
	if (!expect(z, what, ret, err, want)) {
		for (i = 0; i < nseg; i++)
			fprintf(stderr, "    segment %u: %s %p, %zu bytes (%zu readable, %zu writable)\n",
				i, ptr_name(&segs[i].u), (void *)segs[i].u.p, segs[i].len,
				segs[i].u.readable, segs[i].u.writable);
		return;
	}
	if (ret < 0) {
		z->errs[wr ? OP_WRITEV : OP_READV]++;
		return;
	}
	if (!account(z, wr, pos, segs, nseg, ret, what))
		return;
	if (!positional)
		f->pos += ret;
}

void op_readv(struct fz *z)
{
	vector_io(z, false);
}

void op_writev(struct fz *z)
{
	vector_io(z, true);
}
