// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-trace: the tracefs files: finding the mount, writing files and
 * keeping what they held, writing it back at the end, and reading the
 * buffer. What the tool sets up is setup.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "tracefs.h"

void tf_path(const struct tracefs *t, const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", t->dir, rel);
}

char *tf_read(const char *path)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 == cap) {
			char *bigger = realloc(buf, cap * 2);

			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/*
 * Write @val to @rel. Lists take one name per write() and report a short
 * count, as set_graph_function does: write the rest until all is taken.
 */
int tf_put(const struct tracefs *t, const char *rel, const char *val)
{
	size_t len = strlen(val), done = 0;
	char path[PATH_MAX];
	ssize_t n = 0;
	int fd, err;

	tf_path(t, rel, path, sizeof(path));
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (done < len) {
		n = write(fd, val + done, len - done);
		if (n <= 0)
			break;
		done += n;
	}
	err = errno;
	close(fd);
	errno = err;
	return done < len ? -1 : 0;
}

/* Write @val into @rel, keeping what was there for tr_tracefs_close(). */
int tf_set(struct tracefs *t, const char *rel, const char *val)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < t->nsaved && strcmp(t->saved[i].rel, rel); i++)
		;
	if (i == t->nsaved && t->nsaved < MAX_SAVED) {
		tf_path(t, rel, path, sizeof(path));
		t->saved[i].old = tf_read(path);
		if (!t->saved[i].old)
			return -1;
		snprintf(t->saved[i].rel, sizeof(t->saved[i].rel), "%s", rel);
		t->nsaved++;
	}
	if (tf_put(t, rel, val)) {
		fprintf(stderr, "mmapdemo-trace: writing '%s' to %s/%s: %s\n",
			val, t->dir, rel, strerror(errno));
		return -1;
	}
	return 0;
}

static bool is_tracefs(const char *dir)
{
	char path[PATH_MAX];

	if (strlen(dir) >= sizeof(((struct tracefs *)0)->dir))
		return false;
	snprintf(path, sizeof(path), "%.255s/current_tracer", dir);
	return access(path, W_OK) == 0;
}

/* The tracefs mount from /proc/mounts, else the usual places, else mount it. */
static int find_dir(char *dir, size_t len)
{
	char src[256], mnt[256], type[64];
	FILE *f = fopen("/proc/mounts", "re");

	while (f && fscanf(f, "%255s %255s %63s %*[^\n]", src, mnt, type) == 3) {
		if (!strcmp(type, "tracefs") && is_tracefs(mnt)) {
			snprintf(dir, len, "%s", mnt);
			fclose(f);
			return 0;
		}
	}
	if (f)
		fclose(f);
	if (is_tracefs("/sys/kernel/debug/tracing")) {
		snprintf(dir, len, "/sys/kernel/debug/tracing");
		return 0;
	}
	if (!mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) &&
	    is_tracefs("/sys/kernel/tracing")) {
		snprintf(dir, len, "/sys/kernel/tracing");
		return 0;
	}
	return -1;
}

struct tracefs *tr_tracefs_open(const char *dir)
{
	struct tracefs *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (dir && is_tracefs(dir))
		snprintf(t->dir, sizeof(t->dir), "%s", dir);
	else if (dir || find_dir(t->dir, sizeof(t->dir))) {
		fprintf(stderr, "mmapdemo-trace: no writable tracefs%s%s (root? "
			"CONFIG_FTRACE? mount -t tracefs tracefs /sys/kernel/tracing)\n",
			dir ? " at " : "", dir ? dir : "");
		free(t);
		return NULL;
	}
	return t;
}

const char *tr_tracefs_dir(const struct tracefs *t)
{
	return t->dir;
}

int tr_tracefs_filter_pid(struct tracefs *t, int pid)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", pid);
	return tf_set(t, "set_ftrace_pid", buf) || tf_set(t, "set_event_pid", buf) ? -1 : 0;
}

int tr_tracefs_clear(struct tracefs *t)
{
	return tf_put(t, "trace", "");
}

int tr_tracefs_on(struct tracefs *t, bool on)
{
	return tf_set(t, "tracing_on", on ? "1" : "0");
}

int tr_tracefs_mark(struct tracefs *t, const char *text)
{
	return tf_put(t, "trace_marker", text);
}

/* The pid in a graph line's task column (" 1)  mmapdem-187   |"), or -1. */
static int line_pid(const char *line)
{
	const char *paren = strchr(line, ')'), *bar = strchr(line, '|'), *dash;

	if (!paren || !bar || bar < paren)
		return -1;
	for (dash = bar; dash > paren && *dash != '-'; dash--)
		;
	return dash > paren ? atoi(dash + 1) : -1;
}

int tr_tracefs_copy(struct tracefs *t, int pid, const char *mark, FILE *out)
{
	char path[PATH_MAX], *line = NULL;
	bool in_run = false;
	size_t cap = 0;
	FILE *f;

	tf_path(t, "trace", path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		if (strstr(line, "/* " TR_MARK))
			in_run = strstr(line, mark) != NULL;
		else if (line[0] == '#' || (in_run && line_pid(line) == pid))
			fputs(line, out);
	}
	free(line);
	fclose(f);
	return ferror(out) ? -1 : 0;
}

/*
 * Lists read back as "#### all functions enabled ####" or "no pid" when
 * empty: those are written back as nothing. A buffer not used yet reads
 * as "7 (expanded: 1408)": using it expands it, to that size.
 */
static const char *old_value(char *old)
{
	char *exp = strstr(old, "(expanded: ");

	if (old[0] == '#' || !strncmp(old, "no pid", 6))
		return "";
	/* buffer_size_kb before first use: "7 (expanded: 1408)". */
	if (exp) {
		exp += strlen("(expanded: ");
		exp[strspn(exp, "0123456789")] = '\0';
		return exp;
	}
	return old;
}

void tr_tracefs_close(struct tracefs *t)
{
	int i;

	if (!t)
		return;
	/* Our runs' lines go, if we changed anything (so the buffer has them). */
	if (t->nsaved)
		tr_tracefs_clear(t);
	/* Backwards: tracing_on, saved first, goes back last. */
	for (i = t->nsaved - 1; i >= 0; i--) {
		if (tf_put(t, t->saved[i].rel, old_value(t->saved[i].old)))
			fprintf(stderr, "mmapdemo-trace: could not put back %s/%s: %s\n",
				t->dir, t->saved[i].rel, strerror(errno));
		free(t->saved[i].old);
	}
	free(t);
}
