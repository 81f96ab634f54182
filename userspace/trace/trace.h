/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmapdemo-trace: what its files share. The tool runs a scenario (a
 * mapping of /dev/mmapdemo and a set of touches) in a child process while
 * ftrace records that process's page faults: the driver's tracepoints,
 * exceptions:page_fault_user and a function_graph trace of the fault path.
 * It saves the raw trace, trace-cmd's .dat when trace-cmd is installed,
 * and a summary computed from the raw trace alone.
 */
#ifndef MMAPDEMO_TRACE_H
#define MMAPDEMO_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "libmmapdemo.h"

#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

/*
 * The most pages a run maps: --pages is at most TR_MAX_NPAGES, and a run
 * in huge mode maps a 2 MiB window of TR_MAX_NPAGES 4 KiB pages before
 * them.
 */
#define TR_MAX_NPAGES	512
#define TR_MAX_PAGES	(2 * TR_MAX_NPAGES)
#define TR_PMD_SIZE	(2UL << 20)
/*
 * More pages (or touches) in a row than this with the same fault count
 * (or result) print as one range: "1-511:0", "o*516".
 */
#define TR_LONG_RUN	8

/* scenario.c: what a scenario maps and touches. */
enum touch { TOUCH_READ, TOUCH_WRITE, TOUCH_READ_WRITE };

struct scenario {
	const char *name;
	const char *about;
	unsigned int mode;	/* its default mapping mode */
	bool shared;
	enum touch touch;	/* what it does to every page it maps */
	bool past_end;		/* map the buffer's last page and one past it */
};

/*
 * One run: a scenario in a mode, on @npages pages from buffer page @first
 * (past-end: the buffer's last page and one past it). In huge mode
 * @first is a 2 MiB window of the buffer that the driver maps with one
 * PMD, and the run maps that window, then @npages pages after it.
 */
struct run {
	const struct scenario *s;
	unsigned int mode;
	size_t npages;
	size_t first;
	char name[64];		/* the scenario's name, ".MODE" if not its own */
};

extern const struct scenario tr_scenarios[];
extern const size_t tr_nscenarios;
const struct scenario *tr_scenario_find(const char *name);
const char *tr_touch_name(enum touch t);
/* Pages the run maps, and touches it makes (a read and a write: two). */
size_t tr_run_pages(const struct run *r);
size_t tr_run_touches(const struct run *r);
/* Pages of a 2 MiB window (huge mode's PMD). */
size_t tr_window_pages(void);

/*
 * huge.c: where each run in huge mode maps (@first), found before any
 * tracing: the driver must take huge mode, and the buffer must have a
 * 2 MiB window it maps with one PMD, with @npages pages after it. Else
 * one line on stderr saying what the kernel answered, and -1.
 */
int tr_huge_prepare(struct run *runs, int nruns);

/*
 * The child that runs the scenarios, see scenario.c. tr_child_prepare()
 * has it run @run (an index of the runs it was started with) once
 * untraced and wait; tr_child_go() lets it run the traced pass.
 */
struct child {
	int pid;
	int to_child;		/* write end: run indexes, the go */
	int from_child;		/* read end: ready, then the results */
};
int tr_child_start(const struct run *runs, int nruns, struct child *c);
int tr_child_prepare(struct child *c, int run);
int tr_child_go(struct child *c);
/*
 * Wait for the traced pass; @results gets one character per touch: 'o'
 * it worked, 'B' SIGBUS, 'S' SIGSEGV. Returns 0, 1 with errno if the
 * child's mmap() failed, or -1 if the child died or did not answer.
 */
int tr_child_results(struct child *c, char *results, size_t len);
/* Let the child exit (or kill it) and reap it; 0 if it exited with 0. */
int tr_child_finish(struct child *c, bool kill_it);

/* tracefs.c: the top-level tracing instance, set up and put back. */
struct tracefs;
struct tracefs *tr_tracefs_open(const char *dir);
/*
 * Graph functions, options, events; the nop tracer, tracing off. The
 * graph starts at the fault path, or with @mmap_graph at the mmap() call
 * (do_mmap): one or the other for a whole invocation, as the graph
 * functions are set before the tracer runs.
 */
int tr_tracefs_setup(struct tracefs *t, bool mmap_graph);
/* The function_graph tracer on (tracing_on stays off): clears the buffer. */
int tr_tracefs_start(struct tracefs *t);
const char *tr_tracefs_graph(const struct tracefs *t);	/* "a,b,c" */
const char *tr_tracefs_notrace(const struct tracefs *t);
const char *tr_tracefs_dir(const struct tracefs *t);
int tr_tracefs_filter_pid(struct tracefs *t, int pid);
int tr_tracefs_clear(struct tracefs *t);
int tr_tracefs_on(struct tracefs *t, bool on);
/* A line into the buffer through trace_marker. */
int tr_tracefs_mark(struct tracefs *t, const char *text);
/*
 * Append to @out the "trace" file's header and the lines of @pid that
 * follow the trace_marker line @mark, up to the next mark of the tool's.
 */
#define TR_MARK		"mmapdemo-trace: run "
int tr_tracefs_copy(struct tracefs *t, int pid, const char *mark, FILE *out);
/* Put back every setting changed, and free @t. */
void tr_tracefs_close(struct tracefs *t);

/* counters.c: the driver's counters from sysfs. */
#define TR_NCOUNTERS	7
struct counters {
	unsigned long long v[TR_NCOUNTERS];
};
extern const char *const tr_counter_names[TR_NCOUNTERS];
int tr_counters_read(struct counters *c);

/*
 * record.c: record runs[@i], run by @c, into DIR/NAME.trace. Every run
 * stays in the buffer after a trace_marker line naming it, for
 * tr_extract() to write them all into one .dat at the end.
 */
struct record_opts {
	const char *outdir;
	const char *dat;	/* the .dat's name, in the trace's header */
};
int tr_record(struct tracefs *t, struct child *c, const struct run *runs,
	      int i, const struct record_opts *o, char *path, size_t pathlen);
/* trace-cmd extract -o @dat; -1 with errno ENOENT if not installed. */
int tr_extract(const char *dat);

/* parse.c: a saved trace, line by line. */
enum rec_kind { REC_ENTRY, REC_EXIT, REC_LEAF, REC_EVENT, REC_META, REC_OTHER };
struct rec {
	enum rec_kind kind;
	int cpu;
	double dur_us;		/* EXIT and LEAF: the graph tracer's duration */
	bool has_ret;		/* funcgraph-retval printed a return value */
	long ret;
	char func[128];		/* ENTRY, EXIT, LEAF; " [mod]" kept */
	char event[64];		/* EVENT: its name; META: "mmapdemo-trace" */
	char fields[512];	/* EVENT: what follows "name: "; META: the text */
	const char *graph;	/* where the graph column starts in the line */
};
/* Parse @line (no newline) into @r; returns r->kind. */
enum rec_kind tr_parse_line(const char *line, struct rec *r);
/* The value of "key=" in @fields into @val (up to a blank), or -1. */
int tr_field(const char *fields, const char *key, char *val, size_t len);
int tr_field_ul(const char *fields, const char *key, unsigned long *val);
/* Is @word one of the blank-separated words of @fields? */
bool tr_has_word(const char *fields, const char *word);
/* Does @func name a function of the driver ("... [mmapdemo]")? */
bool tr_is_driver(const char *func);

/* The core-mm functions the summary and the excerpts look for. */
bool tr_is_pte_update(const char *func);
bool tr_is_pmd_update(const char *func);
bool tr_is_fault_top(const char *func);
bool tr_is_mmap_top(const char *func);
bool tr_is_key_function(const char *func);

/* summary.c: the summary of a saved trace, printed to @out. */
int tr_summarize(const char *path, FILE *out);

/* excerpt.c: one fault (or the mmap, if none) of a saved trace. */
int tr_excerpt(const char *path, int nth_fault, FILE *out);

#endif /* MMAPDEMO_TRACE_H */
