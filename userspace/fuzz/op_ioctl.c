// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-fuzz: ioctl. The four commands with arguments of every kind,
 * the right numbers with the wrong size or direction, other numbers with
 * and without the 0xE6 magic (not the VFS's own generic ioctls, which never
 * reach the driver), and 64-bit values whose low half is a command (the
 * syscall takes an unsigned int). README "Errors": unknown command ENOTTY,
 * unknown mode or resize to 0 or past 1 GiB EINVAL, bad pointer EFAULT,
 * resize or reset on a file not open for writing EBADF, shrinking under a
 * pin EBUSY.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "fuzz.h"

static const unsigned long valid_cmds[] = {
	MMAPDEMO_IOC_GET_INFO, MMAPDEMO_IOC_SET_MODE, MMAPDEMO_IOC_RESIZE,
	MMAPDEMO_IOC_RESET_COUNTERS,
};

struct fzfd *pick_fd(struct fz *z)
{
	return &z->fds[rng_below(z, NFDS)];
}

void apply_resize(struct fz *z, uint64_t nr)
{
	unsigned int i;

	if (nr < z->size) {
		/* unmap_mapping_range(even_cows): private copies go too. */
		for (i = 0; i < ARENA_PAGES; i++)
			if (z->ap[i].kind == A_DEV && z->ap[i].pgoff >= nr)
				z->ap[i].priv = false;
	} else if (nr > z->size) {
		memset(shadow_page(z, z->size), 0, (nr - z->size) * z->ps);
	}
	z->size = nr;
	z->resizes++;
}

/* The generic ioctls do_vfs_ioctl() answers itself, by type byte. */
static bool vfs_ioctl(uint32_t cmd)
{
	unsigned int type = _IOC_TYPE(cmd);

	return cmd <= 2 || type == 'f' || type == 'X' || type == 0x94 ||
	       type == 0x15 || type == 'T';
}

static unsigned long pick_cmd(struct fz *z)
{
	unsigned int r = (unsigned int)rng_below(z, 100), nr, dir, size;
	unsigned long cmd;

	if (r < 45) {
		cmd = valid_cmds[rng_below(z, 4)];
		if (rng_chance(z, 10))
			cmd |= rng_next(&z->rng) << 32;
		return cmd;
	}
	if (r < 60) {
		/* a valid number with another direction or size */
		do {
			nr = (unsigned int)rng_below(z, 4);
			dir = (unsigned int)rng_below(z, 4);
			size = rng_chance(z, 50) ? (unsigned int)rng_below(z, 16)
						 : (unsigned int)rng_below(z, 1 << 14);
			cmd = _IOC(dir, MMAPDEMO_IOC_MAGIC, nr, size);
		} while (cmd == valid_cmds[0] || cmd == valid_cmds[1] ||
			 cmd == valid_cmds[2] || cmd == valid_cmds[3]);
		return cmd;
	}
	if (r < 75)
		return _IOC(rng_below(z, 4), MMAPDEMO_IOC_MAGIC, 4 + rng_below(z, 252),
			    rng_below(z, 1 << 14));
	do {
		cmd = r < 95 ? (uint32_t)rng_next(&z->rng) : rng_next(&z->rng);
	} while (vfs_ioctl((uint32_t)cmd) ||
		 ((uint32_t)cmd == valid_cmds[0] || (uint32_t)cmd == valid_cmds[1] ||
		  (uint32_t)cmd == valid_cmds[2] || (uint32_t)cmd == valid_cmds[3]));
	return cmd;
}

/* The value a command will read through @u, if it can read @len bytes. */
static bool value_at(struct fz *z, const struct uptr *u, size_t len, uint64_t *v)
{
	*v = 0;
	if (u->bad_range || u->readable < len)
		return false;
	if (u->kind == P_ARENA) {
		const uint8_t *b = page_bytes(z, (unsigned int)u->arena_page);

		memcpy(v, b + ((uintptr_t)u->p & (z->ps - 1)), len);
	} else {
		memcpy(v, u->p, len);
	}
	return true;
}

static uint64_t pick_size(struct fz *z)
{
	static const uint64_t edges[] = {
		0, 1, MMAPDEMO_MAX_SIZE + 1, UINT64_MAX, 1ULL << 63,
		(1ULL << 32) + 4096,	/* a u32 would read 4096 */
		(1ULL << 32) | 1,
	};

	switch (rng_below(z, 8)) {
	case 0:
		return edges[rng_below(z, sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return MMAPDEMO_MAX_SIZE + 1 + rng_below(z, 1 << 20);
	case 2:
		return rng_next(&z->rng) | (1ULL << 63);
	case 3:
		return (1 + rng_below(z, z->max_pages)) * z->ps;	/* whole pages */
	case 4:	/* a page boundary, give or take a byte */
		return (1 + rng_below(z, z->max_pages - 1)) * z->ps - 1 + rng_below(z, 3);
	default:
		return 1 + rng_below(z, z->max_pages * z->ps);
	}
}

/* Check GET_INFO's answer; model a copy into a device mapping. */
static void info_done(struct fz *z, struct fzfd *f, const struct uptr *u)
{
	struct mmapdemo_info info;

	memcpy(&info, u->p, sizeof(info));
	if (info.size != z->size * z->ps || info.max_size != MMAPDEMO_MAX_SIZE ||
	    info.page_size != z->ps || info.mode != f->mode || !info.segments ||
	    info.counters.buffer_pages != z->size || info.counters.mmaps != z->mmaps ||
	    info.counters.mmap_errors != z->mmap_errors ||
	    info.counters.resizes != z->resizes)
		fail(z, "GET_INFO into a %s: size %llu mode %u segments %u mmaps %llu errors %llu resizes %llu; want size %llu mode %u mmaps %llu errors %llu resizes %llu",
		     ptr_name(u), (unsigned long long)info.size, info.mode,
		     info.segments, (unsigned long long)info.counters.mmaps,
		     (unsigned long long)info.counters.mmap_errors,
		     (unsigned long long)info.counters.resizes,
		     (unsigned long long)(z->size * z->ps), f->mode,
		     (unsigned long long)z->mmaps, (unsigned long long)z->mmap_errors,
		     (unsigned long long)z->resizes);
	if (u->kind == P_ARENA) {
		uint8_t *dst = page_for_write(z, (unsigned int)u->arena_page);

		memcpy(dst + ((uintptr_t)u->p & (z->ps - 1)), &info, sizeof(info));
	}
}

void op_ioctl(struct fz *z)
{
	struct fzfd *f = pick_fd(z);
	unsigned long cmd = pick_cmd(z);
	uint32_t c32 = (uint32_t)cmd;
	size_t len = c32 == MMAPDEMO_IOC_GET_INFO ? sizeof(struct mmapdemo_info) :
		     c32 == MMAPDEMO_IOC_SET_MODE ? 4 : 8;
	struct uptr u = pick_ptr(z, len, true);
	bool writable_fd = f->acc != O_RDONLY;
	uint64_t v = 0;
	long want = 0, ret;
	char what[200];
	int err;

	if (c32 == MMAPDEMO_IOC_SET_MODE || c32 == MMAPDEMO_IOC_RESIZE) {
		/* Put a value where we can; elsewhere it is what is there. */
		static const uint32_t mode_edges[] = {
			MMAPDEMO_MODE_COUNT - 1, MMAPDEMO_MODE_COUNT,
			MMAPDEMO_MODE_COUNT + 1, UINT32_MAX, 0x80000000u, 0x100,
		};
		uint64_t val = c32 != MMAPDEMO_IOC_SET_MODE ? pick_size(z) :
			       rng_chance(z, 50) ? rng_below(z, MMAPDEMO_MODE_COUNT) :
			       rng_chance(z, 60) ? mode_edges[rng_below(z, 6)] :
			       (uint32_t)rng_next(&z->rng);

		if (u.kind == P_VALID || u.kind == P_STRADDLE)
			memcpy(u.p, &val, u.writable < len ? u.writable : len);
		if (c32 == MMAPDEMO_IOC_RESIZE && value_at(z, &u, 8, &v) && v &&
		    v <= MMAPDEMO_MAX_SIZE && v > z->max_pages * z->ps) {
			/* too big for the guest: our own value instead */
			u = (struct uptr){ .kind = P_VALID, .p = z->rw,
					   .readable = z->ps, .writable = z->ps,
					   .arena_page = -1 };
			memcpy(u.p, &val, len);
		}
	}
	if (c32 == MMAPDEMO_IOC_GET_INFO) {
		want = u.bad_range || u.writable < len ? -EFAULT : 0;
	} else if (c32 == MMAPDEMO_IOC_SET_MODE) {
		if (!value_at(z, &u, 4, &v))
			want = -EFAULT;
		else
			want = (uint32_t)v >= MMAPDEMO_MODE_COUNT ? -EINVAL :
			       v == MMAPDEMO_MODE_HUGE && !z->huge ? -EOPNOTSUPP : 0;
	} else if (c32 == MMAPDEMO_IOC_RESIZE) {
		if (!writable_fd)
			want = -EBADF;
		else if (!value_at(z, &u, 8, &v))
			want = -EFAULT;
		else if (!v || v > MMAPDEMO_MAX_SIZE)
			want = -EINVAL;
		else if ((v + z->ps - 1) / z->ps < z->size &&
			 shrink_busy(z, (v + z->ps - 1) / z->ps))
			want = -EBUSY;
	} else if (c32 == MMAPDEMO_IOC_RESET_COUNTERS) {
		want = writable_fd ? 0 : -EBADF;
	} else {
		want = -ENOTTY;
	}

	ret = ioctl(f->fd, cmd, u.p);
	err = errno;
	snprintf(what, sizeof(what), "ioctl(fd %d %s, 0x%lx%s, %s %p) [value %llu]", f->fd,
		 f->acc == O_RDONLY ? "ro" : f->acc == O_WRONLY ? "wo" : "rw", cmd,
		 c32 == MMAPDEMO_IOC_GET_INFO ? " GET_INFO" : c32 == MMAPDEMO_IOC_SET_MODE ?
		 " SET_MODE" : c32 == MMAPDEMO_IOC_RESIZE ? " RESIZE" :
		 c32 == MMAPDEMO_IOC_RESET_COUNTERS ? " RESET_COUNTERS" : "",
		 ptr_name(&u), (void *)u.p, (unsigned long long)v);
	note(z, "%s -> %ld %s", what, ret, ret < 0 ? err_name(err) : "");
	if (!expect(z, what, ret, err, want))
		return;
	if (ret < 0) {
		z->errs[OP_IOCTL]++;
		return;
	}
	if (c32 == MMAPDEMO_IOC_GET_INFO)
		info_done(z, f, &u);
	else if (c32 == MMAPDEMO_IOC_SET_MODE)
		f->mode = (unsigned int)(uint32_t)v;
	else if (c32 == MMAPDEMO_IOC_RESIZE)
		apply_resize(z, (v + z->ps - 1) / z->ps);
	else if (c32 == MMAPDEMO_IOC_RESET_COUNTERS)
		z->mmaps = z->mmap_errors = z->resizes = 0;
}
