// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-fuzz: the other file calls: lseek (fixed_size_llseek(): SEEK_SET,
 * SEEK_CUR and SEEK_END within 0..size, anything else EINVAL), reopening a
 * file with another access mode (a new file gets the default mode), and
 * posix_fadvise (the driver's pseudo file system has no backing device:
 * valid advice is a no-op, invalid advice or a negative length EINVAL, and
 * a negative offset too on kernels whose generic_fadvise() checks it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

void op_lseek(struct fz *z)
{
	struct fzfd *f = pick_fd(z);
	int64_t eof = (int64_t)(z->size * z->ps), off, want, np = 0;
	int whence = (int)rng_below(z, 7), err;
	char what[120];
	long long ret;

	if (whence == 5)
		whence = 99;
	switch (rng_below(z, 5)) {
	case 0:
		off = 0;
		break;
	case 1:
		off = -(int64_t)rng_below(z, 2 * (uint64_t)eof);
		break;
	case 2:
		off = (int64_t)rng_below(z, 2 * (uint64_t)eof);
		break;
	case 3:
		off = (int64_t)(rng_next(&z->rng) >> 2);
		break;
	default:
		off = (int64_t)rng_below(z, (uint64_t)eof + 1);
		break;
	}
	if (whence == SEEK_CUR && (off > (1LL << 40) || off < -(1LL << 40)))
		off = 0;	/* f_pos + offset would overflow in the kernel */
	/*
	 * fixed_size_llseek(): SEEK_SET, SEEK_CUR, SEEK_END through
	 * generic_file_llseek_size(size, size); anything else EINVAL.
	 */
	switch (whence) {
	case SEEK_SET:
		np = off;
		break;
	case SEEK_CUR:
		np = f->pos + off;
		break;
	case SEEK_END:
		np = eof + off;
		break;
	default:
		np = -1;
	}
	if (whence == SEEK_CUR && !off)
		want = f->pos;			/* no check at all */
	else if (np < 0 || np > eof)
		want = -EINVAL;
	else
		want = np;
	ret = lseek(f->fd, off, whence);
	err = errno;
	snprintf(what, sizeof(what), "lseek(fd %d, %lld, %d) at %lld [size %lld]", f->fd,
		 (long long)off, whence, (long long)f->pos, (long long)eof);
	note(z, "%s -> %lld %s", what, ret, ret < 0 ? err_name(err) : "");
	if (!expect(z, what, (long)ret, err, (long)want))
		return;
	if (ret < 0)
		z->errs[OP_LSEEK]++;
	else
		f->pos = ret;
}

void op_reopen(struct fz *z)
{
	static const int accs[] = { O_RDWR, O_RDWR, O_RDONLY, O_WRONLY };
	struct fzfd *f = pick_fd(z);
	int acc = accs[rng_below(z, 4)];
	int extra = rng_chance(z, 20) ? O_NONBLOCK : 0;
	struct mmapdemo_info info;

	close(f->fd);
	f->fd = md_open(acc | extra);
	note(z, "reopen as %s%s -> fd %d", acc == O_RDONLY ? "O_RDONLY" :
	     acc == O_WRONLY ? "O_WRONLY" : "O_RDWR", extra ? "|O_NONBLOCK" : "", f->fd);
	if (f->fd < 0) {
		fail(z, "open %s: %s", MD_DEVICE, strerror(errno));
		return;
	}
	f->acc = acc;
	f->pos = 0;
	if (md_info(f->fd, &info)) {
		fail(z, "GET_INFO on a new file: %s", strerror(errno));
		return;
	}
	if (info.mode != info.default_mode)
		fail(z, "a new file's mode is %u, the default mode is %u", info.mode,
		     info.default_mode);
	f->mode = info.mode;
}

/*
 * Does the core kernel's generic_fadvise() refuse a negative offset?
 * 7.3's does (EINVAL), 6.1's and 6.12's take it; probed once on a memfd,
 * whose tmpfs has no backing device either.
 */
static bool fadvise_refuses_negative_offset(void)
{
	static int refuses = -1;
	int fd;

	if (refuses < 0) {
		fd = memfd_create("mmapdemo-fuzz-probe", 0);
		refuses = fd >= 0 && posix_fadvise(fd, -4096, 4096, POSIX_FADV_NORMAL) == EINVAL;
		if (fd >= 0)
			close(fd);
	}
	return refuses;
}

void op_fadvise(struct fz *z)
{
	struct fzfd *f = pick_fd(z);
	int advice = (int)rng_below(z, 8);	/* 0..5 valid */
	int64_t off = pick_pos(z), len = rng_chance(z, 10) ? -1 : (int64_t)pick_len(z);
	bool neg_off = off < 0 && fadvise_refuses_negative_offset();
	char what[160];
	int ret;

	ret = posix_fadvise(f->fd, off, len, advice);
	snprintf(what, sizeof(what), "posix_fadvise(fd %d, %lld, %lld, %d)%s", f->fd,
		 (long long)off, (long long)len, advice,
		 neg_off ? " (this kernel refuses a negative offset, as a memfd shows)" : "");
	note(z, "%s -> %d", what, ret);
	/* generic_fadvise(): the pseudo fs has no backing device: a no-op. */
	if (!expect(z, what, ret ? -1 : 0, ret,
		    len < 0 || advice > 5 || neg_off ? -EINVAL : 0))
		return;
	if (ret)
		z->errs[OP_FADVISE]++;
}
