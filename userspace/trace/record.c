// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-trace: record one run. Have the scenarios' process (which
 * set_ftrace_pid and set_event_pid point at) run it untraced, then turn
 * tracing on, write a trace_marker line naming the run, let the traced
 * pass run, and save the run's lines of the trace with a header of
 * "# mmapdemo-trace:" lines that say what ran (summary.c reads them). The
 * buffer keeps every run, for one trace-cmd extract when all are done.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace.h"

extern char **environ;

int tr_extract(const char *dat)
{
	char *argv[] = { "trace-cmd", "extract", "-o", (char *)dat, NULL };
	posix_spawn_file_actions_t fa;
	int status, err;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	err = posix_spawnp(&pid, "trace-cmd", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err) {
		errno = err;
		return -1;
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/*
 * The results, one character per touch; where more than TR_LONG_RUN
 * touches in a row have the same result (a 2 MiB window: 512), every run
 * of them as "o*512", comma-separated: "o*512,B*4".
 */
static void write_results(FILE *out, const char *res)
{
	const char *p;
	bool runs = false;
	size_t n;

	for (p = res; *p; p += n) {
		n = strspn(p, (char[]){ *p, '\0' });
		runs |= n > TR_LONG_RUN;
	}
	if (!runs) {
		fprintf(out, "%s", res);
		return;
	}
	for (p = res; *p; p += n) {
		n = strspn(p, (char[]){ *p, '\0' });
		fprintf(out, "%s%c*%zu", p == res ? "" : ",", *p, n);
	}
}

static void write_header(FILE *out, struct tracefs *t, const struct run *r,
			 const struct mmapdemo_info *info, int pid,
			 const char *results, int mmap_err,
			 const struct counters *before,
			 const struct counters *after)
{
	size_t ps = md_page_size();
	struct utsname u;
	int i;

	uname(&u);
	fprintf(out, "# mmapdemo-trace: scenario=%s name=%s mode=%s map=%s pages=%zu "
		"offset=%llu touch=%s\n", r->s->name, r->name, md_mode_name(r->mode),
		r->s->shared ? "shared" : "private", tr_run_pages(r),
		r->s->past_end ? (unsigned long long)(info->size / ps - 1) :
				 (unsigned long long)r->first,
		tr_touch_name(r->s->touch));
	fprintf(out, "# mmapdemo-trace: kernel=%s page_size=%zu buffer_pages=%llu "
		"pid=%d\n", u.release, ps, (unsigned long long)(info->size / ps), pid);
	fprintf(out, "# mmapdemo-trace: graph=%s notrace=%s\n",
		tr_tracefs_graph(t), tr_tracefs_notrace(t));
	if (mmap_err) {
		fprintf(out, "# mmapdemo-trace: mmap_error=%s\n",
			strerrorname_np(mmap_err) ? strerrorname_np(mmap_err) : "?");
	} else {
		fprintf(out, "# mmapdemo-trace: results=");
		write_results(out, results);
		fprintf(out, "\n");
	}
	if (before && after) {
		fprintf(out, "# mmapdemo-trace: counters");
		for (i = 0; i < TR_NCOUNTERS; i++)
			fprintf(out, " %s=+%llu", tr_counter_names[i],
				after->v[i] - before->v[i]);
		fprintf(out, "\n");
	}
}

/* Write NAME.trace: the header, then the run's lines of the buffer. */
static int save(struct tracefs *t, const struct run *r,
		const struct record_opts *o, const struct mmapdemo_info *info,
		int pid, const char *mark, const char *results, int err,
		const struct counters *before, const struct counters *after,
		char *path, size_t pathlen)
{
	FILE *out;
	int ret;

	snprintf(path, pathlen, "%s/%s.trace", o->outdir, r->name);
	out = fopen(path, "we");
	if (!out) {
		fprintf(stderr, "mmapdemo-trace: %s: %s\n", path, strerror(errno));
		return -1;
	}
	write_header(out, t, r, info, pid, results, err, before, after);
	if (o->dat)
		fprintf(out, "# mmapdemo-trace: dat=%s (trace-cmd report -i %s: "
			"this run follows the marker \"%s\")\n", o->dat, o->dat, mark);
	ret = tr_tracefs_copy(t, pid, mark, out);
	if (fclose(out) || ret) {
		fprintf(stderr, "mmapdemo-trace: writing %s failed\n", path);
		return -1;
	}
	return 0;
}

int tr_record(struct tracefs *t, struct child *c, const struct run *runs,
	      int i, const struct record_opts *o, char *path, size_t pathlen)
{
	char results[2 * TR_MAX_PAGES + 1] = "", mark[128];
	const struct run *r = &runs[i];
	struct counters before, after;
	struct mmapdemo_info info;
	int fd, ret, err = 0;
	bool counters;

	fd = md_open(O_RDONLY);
	if (fd < 0 || md_info(fd, &info)) {
		fprintf(stderr, "mmapdemo-trace: %s: %s (is the module loaded?)\n",
			MD_DEVICE, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (tr_child_prepare(c, i)) {
		fprintf(stderr, "mmapdemo-trace: %s: the scenarios' process failed\n",
			r->name);
		return -1;
	}
	counters = !tr_counters_read(&before);
	snprintf(mark, sizeof(mark), TR_MARK "%d %s", i + 1, r->name);
	ret = tr_tracefs_on(t, true) || tr_tracefs_mark(t, mark) ||
	      tr_child_go(c) ? -1 : 0;
	if (!ret) {
		ret = tr_child_results(c, results, tr_run_touches(r));
		if (ret > 0)
			err = errno;
	}
	tr_tracefs_on(t, false);
	counters = counters && !tr_counters_read(&after);
	if (ret < 0) {
		fprintf(stderr, "mmapdemo-trace: %s: the scenarios' process failed\n",
			r->name);
		return -1;
	}
	/* The mark as the trace shows it: followed by its blank. */
	strcat(mark, " ");
	return save(t, r, o, &info, c->pid, mark, results, err,
		    counters ? &before : NULL, counters ? &after : NULL,
		    path, pathlen);
}
