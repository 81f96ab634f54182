// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-trace: record what the kernel does between a process's first
 * touch of a mapped page of /dev/mmapdemo and the driver's fault handler,
 * one scenario at a time, with ftrace; then summarize it. As root, with
 * the module loaded. This file reads the command line and runs the rest.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace.h"

static const char usage_text[] =
	"usage: mmapdemo-trace [OPTIONS] SCENARIO[.MODE]...   record scenarios\n"
	"       mmapdemo-trace [OPTIONS] --all [SCENARIO[.MODE]...]\n"
	"       mmapdemo-trace --summary FILE.trace...        summarize saved traces\n"
	"       mmapdemo-trace --excerpt [--fault N] FILE.trace\n"
	"       mmapdemo-trace --list                         the scenarios\n"
	"\n"
	"Runs each scenario in a child process while ftrace records that process:\n"
	"events/mmapdemo/*, exceptions:page_fault_user and a function_graph trace of\n"
	"the fault path (set_graph_function, set_ftrace_pid). Writes DIR/NAME.trace\n"
	"(the raw trace) and DIR/NAME.txt (its summary, also printed) for each run,\n"
	"NAME being the scenario, with .MODE when not in its own mode, and\n"
	"DIR/mmapdemo-trace.dat with every run (trace-cmd extract, when trace-cmd is\n"
	"installed). Uses the top-level tracing instance and puts back every\n"
	"setting it changed. Needs root and the module.\n"
	"\n"
	"  -o, --out DIR       where the files go (default: the current directory)\n"
	"  -m, --mode MODE     mode of the scenarios named without .MODE: fault,\n"
	"                      faultaround, remap, insert or huge\n"
	"  -n, --pages N       pages each scenario maps and touches (default 4;\n"
	"                      past-end always maps the last page and one past it;\n"
	"                      huge mode maps a 2 MiB window the driver maps with\n"
	"                      one PMD, then N pages more)\n"
	"  -a, --all           every scenario, each in its own mode (or -m's)\n"
	"  -M, --mmap-graph    graph the mmap() call (from do_mmap) instead of the\n"
	"                      fault path: where the driver's ->mmap or\n"
	"                      ->mmap_prepare runs and who writes the PTEs\n"
	"  -T, --no-trace-cmd  no .dat, even when trace-cmd is installed\n"
	"  -t, --tracefs DIR   the tracefs mount (default: from /proc/mounts)\n"
	"  -q, --quiet         print no summaries (the .txt files still have them)\n"
	"  -s, --summary       summarize the saved traces given instead of recording\n"
	"  -e, --excerpt       print a saved trace's fault, cut to the key functions\n"
	"  -f, --fault N       with --excerpt: the Nth fault on the mapping (default 1)\n"
	"  -l, --list          list the scenarios\n"
	"\n"
	"Example: mmapdemo-trace -o /tmp/t shared-read shared-read.faultaround\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static void list(void)
{
	size_t i;

	for (i = 0; i < tr_nscenarios; i++)
		printf("%-20s %-6s %s\n", tr_scenarios[i].name,
		       md_mode_name(tr_scenarios[i].mode), tr_scenarios[i].about);
}

static bool have_trace_cmd(void)
{
	const char *path = getenv("PATH");
	char dir[PATH_MAX];

	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(dir, sizeof(dir), "%.*s/trace-cmd", (int)n, path);
		if (n && !access(dir, X_OK))
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/* "name" or "name.mode" into @r. */
static int parse_run(const char *arg, const char *mode, size_t npages,
		     struct run *r)
{
	char buf[64], *dot;

	snprintf(buf, sizeof(buf), "%s", arg);
	dot = strchr(buf, '.');
	if (dot)
		*dot++ = '\0';
	r->s = tr_scenario_find(buf);
	if (!r->s) {
		fprintf(stderr, "mmapdemo-trace: no scenario '%s' (see --list)\n", buf);
		return -1;
	}
	r->mode = r->s->mode;
	if (!dot)
		dot = (char *)mode;
	if (dot && md_mode_parse(dot, &r->mode)) {
		fprintf(stderr, "mmapdemo-trace: unknown mode '%s'\n", dot);
		return -1;
	}
	r->npages = npages;
	r->first = 0;
	if (r->mode == r->s->mode)
		snprintf(r->name, sizeof(r->name), "%s", r->s->name);
	else
		snprintf(r->name, sizeof(r->name), "%s.%s", r->s->name,
			 md_mode_name(r->mode));
	return 0;
}

static int summarize_to(const char *trace, const char *txt, bool quiet)
{
	FILE *f = fopen(txt, "we");
	int ret;

	if (!f) {
		perror(txt);
		return -1;
	}
	ret = tr_summarize(trace, f);
	if (fclose(f) || ret)
		return -1;
	if (!quiet) {
		ret = tr_summarize(trace, stdout);
		putchar('\n');
	}
	return ret;
}

static int record_all(struct run *runs, int nruns, const char *tracefs_dir,
		      const struct record_opts *o, bool mmap_graph, bool quiet)
{
	char path[PATH_MAX], txt[PATH_MAX + 8];
	struct sigaction sa = { .sa_handler = on_signal };
	struct child c = { .pid = -1, .to_child = -1, .from_child = -1 };
	struct tracefs *t;
	int i, status = EXIT_OK;

	if (mkdir(o->outdir, 0755) && errno != EEXIST) {
		perror(o->outdir);
		return EXIT_FAIL;
	}
	t = tr_tracefs_open(tracefs_dir);
	if (!t)
		return EXIT_FAIL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* The pid filters are written before the tracer runs: see scenario.c. */
	if (tr_tracefs_setup(t, mmap_graph) || tr_child_start(runs, nruns, &c) ||
	    tr_tracefs_filter_pid(t, c.pid) || tr_tracefs_start(t)) {
		status = EXIT_FAIL;
		goto out;
	}
	if (!quiet)
		printf("# mmapdemo-trace: tracefs %s, graph functions %s\n\n",
		       tr_tracefs_dir(t), tr_tracefs_graph(t));
	for (i = 0; i < nruns && !stop; i++) {
		if (tr_record(t, &c, runs, i, o, path, sizeof(path))) {
			status = EXIT_FAIL;
			break;
		}
		snprintf(txt, sizeof(txt), "%.*s.txt", (int)(strlen(path) - 6), path);
		if (summarize_to(path, txt, quiet))
			status = EXIT_FAIL;
		fflush(stdout);
	}
	if (o->dat && !stop) {
		snprintf(path, sizeof(path), "%s/%s", o->outdir, o->dat);
		if (tr_extract(path)) {
			fprintf(stderr, "mmapdemo-trace: trace-cmd extract -o %s failed\n",
				path);
			status = EXIT_FAIL;
		} else if (!quiet) {
			printf("# mmapdemo-trace: every run is in %s (trace-cmd report -i %s)\n",
			       path, path);
		}
	}
out:
	if (c.pid > 0 && tr_child_finish(&c, status != EXIT_OK || stop))
		status = EXIT_FAIL;
	tr_tracefs_close(t);
	if (stop) {
		fprintf(stderr, "mmapdemo-trace: stopped by signal %d\n", (int)stop);
		status = EXIT_FAIL;
	}
	return status;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "mode", required_argument, NULL, 'm' },
		{ "pages", required_argument, NULL, 'n' },
		{ "all", no_argument, NULL, 'a' },
		{ "mmap-graph", no_argument, NULL, 'M' },
		{ "no-trace-cmd", no_argument, NULL, 'T' },
		{ "tracefs", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "summary", no_argument, NULL, 's' },
		{ "excerpt", no_argument, NULL, 'e' },
		{ "fault", required_argument, NULL, 'f' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct record_opts o = { .outdir = ".", .dat = "mmapdemo-trace.dat" };
	bool trace_cmd = true;
	const char *mode = NULL, *tracefs_dir = NULL;
	bool all = false, quiet = false, summary = false, excerpt = false;
	bool mmap_graph = false;
	long npages = 4, nth = 1;
	struct run runs[64];
	int opt, nruns = 0, i, status = EXIT_OK;
	size_t k;

	while ((opt = getopt_long(argc, argv, "o:m:n:aMTt:qsef:lh", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': o.outdir = optarg; break;
		case 'm': mode = optarg; break;
		case 'n': npages = strtol(optarg, NULL, 0); break;
		case 'a': all = true; break;
		case 'M': mmap_graph = true; break;
		case 'T': trace_cmd = false; break;
		case 't': tracefs_dir = optarg; break;
		case 'q': quiet = true; break;
		case 's': summary = true; break;
		case 'e': excerpt = true; break;
		case 'f': nth = strtol(optarg, NULL, 0); break;
		case 'l': list(); return EXIT_OK;
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		default: fputs(usage_text, stderr); return EXIT_USAGE;
		}
	}
	if (npages < 1 || npages > TR_MAX_NPAGES || nth < 1) {
		fprintf(stderr, "mmapdemo-trace: --pages is 1 to %d, --fault from 1\n",
			TR_MAX_NPAGES);
		return EXIT_USAGE;
	}
	if (summary || excerpt) {
		if (optind >= argc || (excerpt && optind + 1 != argc)) {
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
		if (excerpt)
			return tr_excerpt(argv[optind], nth, stdout) ? EXIT_FAIL : EXIT_OK;
		for (i = optind; i < argc; i++) {
			if (tr_summarize(argv[i], stdout))
				status = EXIT_FAIL;
			if (i + 1 < argc)
				putchar('\n');
		}
		return status;
	}
	for (k = 0; all && k < tr_nscenarios; k++)
		if (parse_run(tr_scenarios[k].name, mode, npages, &runs[nruns++]))
			return EXIT_USAGE;
	for (i = optind; i < argc; i++) {
		if (nruns == (int)(sizeof(runs) / sizeof(runs[0])) ||
		    parse_run(argv[i], mode, npages, &runs[nruns++]))
			return EXIT_USAGE;
	}
	if (!nruns) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (tr_huge_prepare(runs, nruns))
		return EXIT_FAIL;
	if (!trace_cmd || !have_trace_cmd())
		o.dat = NULL;
	return record_all(runs, nruns, tracefs_dir, &o, mmap_graph, quiet);
}
