// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-stress: each worker's ring of its last operations, and the
 * failure report that prints it with the seed. Output of all processes
 * goes through one process-shared mutex, each message in one write().
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stress.h"

static const char *const names[NR_OPS] = {
	[OP_OPEN] = "open", [OP_CLOSE] = "close", [OP_MODE] = "mode",
	[OP_INFO] = "info", [OP_MMAP] = "mmap", [OP_READ] = "read",
	[OP_WRITE] = "write", [OP_PRIV_WRITE] = "privwrite",
	[OP_FORK] = "fork", [OP_MUNMAP] = "munmap", [OP_MREMAP] = "mremap",
	[OP_DONTNEED] = "dontneed", [OP_PREAD] = "pread",
	[OP_PWRITE] = "pwrite", [OP_RESIZE] = "resize",
	[OP_DEFAULT_MODE] = "defmode", [OP_UNLOAD] = "unload",
};

const char *op_name(enum op_kind k)
{
	return k < NR_OPS ? names[k] : "?";
}

int op_parse(const char *name)
{
	int k;

	for (k = 0; k < NR_OPS; k++)
		if (!strcmp(name, names[k]))
			return k;
	return -1;
}

void hist_add(struct worker *w, const char *fmt, ...)
{
	struct hist *h = &w->hist[w->hpos++ % HISTORY];
	va_list ap;

	h->opno = w->opno;
	va_start(ap, fmt);
	vsnprintf(h->text, sizeof(h->text), fmt, ap);
	va_end(ap);
	if (w->sh->verbose)
		say(w->sh, "w%d #%llu %s\n", w->id, (unsigned long long)w->opno,
		    h->text);
}

static void out(struct shared *sh, int fd, const char *buf, size_t len)
{
	pthread_mutex_lock(&sh->out_lock);
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n <= 0)
			break;
		buf += n;
		len -= (size_t)n;
	}
	pthread_mutex_unlock(&sh->out_lock);
}

void say(struct shared *sh, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	out(sh, STDOUT_FILENO, buf, (size_t)n);
}

void fail(struct worker *w, const char *fmt, ...)
{
	struct shared *sh = w->sh;
	char buf[HISTORY * 200 + 1024];
	size_t len = 0, cap = sizeof(buf);
	unsigned int i, n;
	va_list ap;

#define APPEND(...) do { \
		int k_ = snprintf(buf + len, cap - len, __VA_ARGS__); \
		if (k_ > 0) \
			len += (size_t)k_ < cap - len ? (size_t)k_ : cap - len - 1; \
	} while (0)

	APPEND("mmapdemo-stress: FAIL (seed %llu, worker %d = process %d thread %d%s, op %llu): ",
	       (unsigned long long)sh->seed, w->id, w->proc_idx, w->thread_idx,
	       w->in_child ? ", in a fork child" : "",
	       (unsigned long long)w->opno);
	va_start(ap, fmt);
	{
		int k = vsnprintf(buf + len, cap - len, fmt, ap);

		if (k > 0)
			len += (size_t)k < cap - len ? (size_t)k : cap - len - 1;
	}
	va_end(ap);
	APPEND("\n  buffer size %u pages; last operations of worker %d, oldest first:\n",
	       model_size(sh), w->id);
	n = w->hpos < HISTORY ? w->hpos : HISTORY;
	for (i = w->hpos - n; i != w->hpos; i++) {
		const struct hist *h = &w->hist[i % HISTORY];

		APPEND("    #%-7llu %s\n", (unsigned long long)h->opno, h->text);
	}
#undef APPEND
	atomic_store(&sh->failed, 1);
	out(sh, STDERR_FILENO, buf, len);
}
