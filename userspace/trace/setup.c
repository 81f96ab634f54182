// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-trace: what the tool sets up in tracefs.
 *
 * The function_graph tracer with set_graph_function only exists in the
 * top-level instance (instances got function_graph in 6.11, and still
 * have no set_graph_function), so the tool uses the top level; tracefs.c
 * saves every file it changes and puts them back at the end. The tracer
 * stays function_graph while the tool runs (switching tracers costs
 * seconds in an emulated guest); tracing_on is on only while a scenario
 * runs.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracefs.h"

/* The buffer per CPU that every run of one invocation fits in. */
#define BUFFER_KB	4096
#define STR_(x)		#x
#define STR(x)		STR_(x)

/*
 * Where the fault path starts. The arch entry if it can be traced; on
 * x86 exc_page_fault is noinstr and Debian's build inlines
 * do_user_addr_fault, so then its traceable callees: the two ways of
 * finding the VMA, handle_mm_fault and the signal a failed fault sends.
 */
static const char *const arch_entries[] = {
	"exc_page_fault", "do_user_addr_fault", "do_page_fault",
};
static const char *const fault_parts[] = {
	"lock_vma_under_rcu", "lock_mm_and_find_vma", "handle_mm_fault",
	"force_sig_fault",
};
/*
 * What the prepopulated modes call in mmap() instead of faulting; with
 * mmap_prepare the core mm runs their action instead.
 */
static const char *const mmap_parts[] = {
	"remap_pfn_range", "vm_insert_pages", "mmap_action_complete",
};
/*
 * Where the mmap() call starts, for --mmap-graph: the first of these that
 * can be traced (do_mmap is the one every kernel here has).
 */
static const char *const mmap_entries[] = {
	"do_mmap", "vm_mmap_pgoff", "ksys_mmap_pgoff",
};
/* Interrupt work that would land inside a fault's graph. */
static const char *const noise[] = {
	"irq_enter_rcu", "irq_exit_rcu", "handle_softirqs", "__do_softirq",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Append the names of @cands found in available_filter_functions to @out. */
static void pick(const struct tracefs *t, const char *const *cands, size_t n,
		 bool first_only, char *out, size_t len)
{
	char path[PATH_MAX], line[512];
	bool found[16] = { false };
	size_t i;
	FILE *f;

	tf_path(t, "available_filter_functions", path, sizeof(path));
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, " \n")] = '\0';
		for (i = 0; i < n; i++)
			if (!strcmp(line, cands[i]))
				found[i] = true;
	}
	if (f)
		fclose(f);
	for (i = 0; i < n; i++) {
		if (!found[i])
			continue;
		snprintf(out + strlen(out), len - strlen(out), "%s%s",
			 *out ? "," : "", cands[i]);
		if (first_only)
			break;
	}
}

static int set_list(struct tracefs *t, const char *rel, const char *list)
{
	char buf[512], *c;

	snprintf(buf, sizeof(buf), "%s", list);
	for (c = buf; *c; c++)
		if (*c == ',')
			*c = ' ';
	return tf_set(t, rel, buf);
}

/* Every event of events/@sys (or the one event @sys/@name) on. */
static int enable_events(struct tracefs *t, const char *sys)
{
	char path[PATH_MAX], rel[96];
	struct dirent *d;
	int ret = 0, n = 0;
	DIR *dir;

	snprintf(rel, sizeof(rel), "events/%s", sys);
	tf_path(t, rel, path, sizeof(path));
	dir = opendir(path);
	if (!dir) {
		fprintf(stderr, "mmapdemo-trace: no %s/events/%s%s\n", t->dir, sys,
			strncmp(sys, "mmapdemo", 8) ? "" : ": is the module loaded?");
		return -1;
	}
	while ((d = readdir(dir))) {
		struct stat st;

		snprintf(rel, sizeof(rel), "events/%s/%.60s/enable", sys, d->d_name);
		tf_path(t, rel, path, sizeof(path));
		if (d->d_name[0] == '.' || stat(path, &st))
			continue;
		ret |= tf_set(t, rel, "1");
		n++;
	}
	closedir(dir);
	return n ? ret : -1;
}

static const struct {
	const char *name;
	const char *val;
	bool optional;
} options[] = {
	/* The layout parse.c reads: cpu, proc, duration, the tree. */
	{ "funcgraph-cpu", "1", false }, { "funcgraph-proc", "1", false },
	{ "funcgraph-duration", "1", false }, { "funcgraph-overhead", "1", false },
	{ "funcgraph-abstime", "0", false }, { "funcgraph-tail", "1", false },
	/* Interrupts are not the fault's work. */
	{ "funcgraph-irqs", "0", false },
	/* Return values, where the kernel has them (6.5+, a config). */
	{ "funcgraph-retval", "1", true },
	/* The scenario's process only, not its children. */
	{ "function-fork", "0", true }, { "event-fork", "0", true },
};

int tr_tracefs_setup(struct tracefs *t, bool mmap_graph)
{
	char self[32], rel[96], path[PATH_MAX], *old;
	size_t i;

	if (!*t->graph && mmap_graph) {
		pick(t, mmap_entries, N(mmap_entries), true, t->graph,
		     sizeof(t->graph));
		if (!*t->graph) {
			fprintf(stderr, "mmapdemo-trace: none of %s, %s, %s can be "
				"traced here\n", mmap_entries[0], mmap_entries[1],
				mmap_entries[2]);
			return -1;
		}
		pick(t, noise, N(noise), false, t->notrace, sizeof(t->notrace));
	}
	if (!*t->graph) {
		pick(t, arch_entries, N(arch_entries), true, t->graph,
		     sizeof(t->graph));
		if (!*t->graph)
			pick(t, fault_parts, N(fault_parts), false, t->graph,
			     sizeof(t->graph));
		if (!*t->graph) {
			fprintf(stderr, "mmapdemo-trace: none of the fault path's "
				"functions can be traced here "
				"(CONFIG_FUNCTION_GRAPH_TRACER?)\n");
			return -1;
		}
		pick(t, mmap_parts, N(mmap_parts), false, t->graph,
		     sizeof(t->graph));
		pick(t, noise, N(noise), false, t->notrace, sizeof(t->notrace));
	}

	snprintf(self, sizeof(self), "%d", (int)getpid());
	/* No events but ours: set_event keeps the list to put back. */
	if (tf_set(t, "tracing_on", "0") || tf_set(t, "current_tracer", "nop") ||
	    tf_set(t, "set_event", "") ||
	    set_list(t, "set_graph_function", t->graph) ||
	    set_list(t, "set_graph_notrace", t->notrace) ||
	    tf_set(t, "set_ftrace_pid", self) || tf_set(t, "set_event_pid", self))
		return -1;
	for (i = 0; i < N(options); i++) {
		snprintf(rel, sizeof(rel), "options/%s", options[i].name);
		tf_path(t, rel, path, sizeof(path));
		if (options[i].optional && access(path, F_OK))
			continue;
		if (tf_set(t, rel, options[i].val))
			return -1;
	}
	if (enable_events(t, "mmapdemo"))
		return -1;
	if (tf_set(t, "events/exceptions/page_fault_user/enable", "1")) {
		fprintf(stderr, "mmapdemo-trace: no exceptions:page_fault_user "
			"event: the faults are counted from the driver's events only\n");
	}
	/* Every run stays in the buffer until the end: make room. */
	tf_path(t, "buffer_size_kb", path, sizeof(path));
	old = tf_read(path);
	if (old && strtol(old, NULL, 10) < BUFFER_KB)
		tf_set(t, "buffer_size_kb", STR(BUFFER_KB));
	free(old);
	return 0;
}

int tr_tracefs_start(struct tracefs *t)
{
	return tf_set(t, "current_tracer", "function_graph") || tr_tracefs_clear(t);
}

const char *tr_tracefs_graph(const struct tracefs *t)
{
	return t->graph;
}

const char *tr_tracefs_notrace(const struct tracefs *t)
{
	return t->notrace;
}

