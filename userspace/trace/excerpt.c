// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-trace --excerpt: one fault of a saved trace, cut down to what
 * docs/fault-path.md talks about. The lines are the trace's own, less the
 * CPU and task columns. A line stays if it is an event, the top of a
 * graph block, a function of the driver or one of names.c's key
 * functions, or encloses one of those; each run of other lines becomes
 * one "..." line. Without a fault on the mapping (remap, insert) it shows
 * what mmap() did instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

struct line {
	char *text;
	struct rec r;
	int depth;
	bool keep;
};

struct lines {
	struct line *v;
	int n;
	char name[64], kernel[96], mode[32], map[32], graph[512];
	unsigned long page_size;
};

static int load(const char *path, struct lines *L)
{
	size_t cap = 0, lcap = 0;
	char *buf = NULL;
	FILE *f = fopen(path, "re");

	if (!f) {
		perror(path);
		return -1;
	}
	L->page_size = md_page_size();
	while (getline(&buf, &cap, f) > 0) {
		struct line *l;

		buf[strcspn(buf, "\n")] = '\0';
		if ((size_t)L->n == lcap) {
			lcap = lcap ? 2 * lcap : 1024;
			L->v = realloc(L->v, lcap * sizeof(*L->v));
			if (!L->v) {
				fclose(f);
				return -1;
			}
		}
		l = &L->v[L->n++];
		l->text = strdup(buf);
		l->keep = false;
		tr_parse_line(l->text, &l->r);
		if (l->r.kind == REC_META) {
			tr_field(l->r.fields, "name", L->name, sizeof(L->name));
			tr_field(l->r.fields, "kernel", L->kernel, sizeof(L->kernel));
			tr_field(l->r.fields, "mode", L->mode, sizeof(L->mode));
			tr_field(l->r.fields, "map", L->map, sizeof(L->map));
			tr_field(l->r.fields, "graph", L->graph, sizeof(L->graph));
			tr_field_ul(l->r.fields, "page_size", &L->page_size);
		}
	}
	free(buf);
	fclose(f);
	return 0;
}

static bool is_event(const struct line *l, const char *name)
{
	return l->r.kind == REC_EVENT && !strcmp(l->r.event, name);
}

/*
 * [*from, *to) of the @nth fault on the mapping (1-based): from its
 * page_fault_user event to the next fault, mmap or munmap. Returns the
 * fault's page, or -1 with the mmap() part (up to the mmapdemo_mmap event)
 * if there is no such fault or the graph is the mmap() call's
 * (--mmap-graph: the faults have no graph), and *total the faults on the
 * mapping.
 */
static long find_range(const struct lines *L, int nth, int *from, int *to,
		       int *total)
{
	unsigned long start = 0, len = 0, a;
	long page = -1;
	int i, k = 0, mmap_at = -1, depth, block;

	*from = *to = -1;
	for (i = 0; i < L->n; i++) {
		const struct line *l = &L->v[i];

		if (is_event(l, "mmapdemo_mmap") && mmap_at < 0) {
			mmap_at = i;
			tr_field_ul(l->r.fields, "start", &start);
			tr_field_ul(l->r.fields, "len", &len);
		}
		if (*from >= 0 && *to < 0 &&
		    (is_event(l, "page_fault_user") || is_event(l, "mmapdemo_mmap") ||
		     is_event(l, "mmapdemo_vma_close")))
			*to = i;
		if (is_event(l, "page_fault_user") &&
		    !tr_field_ul(l->r.fields, "address", &a) && len &&
		    a >= start && a - start < len && ++k == nth &&
		    !tr_is_mmap_top(L->graph)) {
			*from = i;
			page = (a - start) / L->page_size;
		}
	}
	*total = k;
	if (*from >= 0) {
		if (*to < 0)
			*to = L->n;
		return page;
	}
	/*
	 * No such fault: from the first graph line to the mmap event, or,
	 * if the event is inside a graph block (do_mmap's, with
	 * --mmap-graph), that whole block: on 7.3 the driver's mmap_prepare
	 * fires the event before the core mm runs its action.
	 */
	for (i = 0; i < L->n && L->v[i].r.kind != REC_ENTRY &&
		    L->v[i].r.kind != REC_LEAF && L->v[i].r.kind != REC_EVENT; i++)
		;
	*from = i;
	*to = mmap_at >= 0 ? mmap_at + 1 : L->n;
	for (depth = 0, block = i; mmap_at >= 0 && i < L->n; i++) {
		if (i == mmap_at && depth)
			*from = block;
		if (L->v[i].r.kind == REC_ENTRY && !depth++)
			block = i;
		depth -= L->v[i].r.kind == REC_EXIT && depth > 0;
		if (i >= mmap_at && !depth) {
			*to = i + 1;
			break;
		}
	}
	return -1;
}

/* @parent: the enclosing call, or NULL. The driver's own callees go. */
static bool self_kept(const struct line *l, int depth,
		      const struct line *parent)
{
	switch (l->r.kind) {
	case REC_EVENT:
		return true;
	case REC_ENTRY:
	case REC_LEAF:
		if (tr_is_driver(l->r.func))
			return !parent || !tr_is_driver(parent->r.func);
		return depth == 0 || tr_is_key_function(l->r.func);
	default:
		return false;
	}
}

/* Mark what stays: the lines themselves, then every enclosing call. */
static void mark(struct lines *L, int from, int to)
{
	int stack[128], depth = 0, i, j;

	for (i = from; i < to; i++) {
		struct line *l = &L->v[i];

		l->depth = depth;
		if (l->r.kind == REC_EXIT) {
			if (depth > 0)
				depth--;
			l->depth = depth;
			l->keep = depth < 128 && L->v[stack[depth]].keep;
			continue;
		}
		if (self_kept(l, depth, depth > 0 && depth <= 128 ?
				  &L->v[stack[depth - 1]] : NULL)) {
			l->keep = true;
			for (j = 0; j < depth && j < 128; j++)
				L->v[stack[j]].keep = true;
		}
		if (l->r.kind == REC_ENTRY) {
			if (depth < 128)
				stack[depth] = i;
			depth++;
		}
	}
}

/* The line without its CPU and task columns: "duration | tree". */
static const char *columns(const char *text)
{
	const char *bar = strchr(text, '|');

	return bar ? bar + 1 : text;
}

static void print(const struct lines *L, int from, int to, FILE *out)
{
	bool eliding = false;
	int i;

	for (i = from; i < to; i++) {
		const struct line *l = &L->v[i];

		if (l->r.kind == REC_OTHER || l->r.kind == REC_META)
			continue;
		if (l->keep) {
			fprintf(out, "%s\n", columns(l->text));
			eliding = false;
		} else if (!eliding) {
			fprintf(out, "               |  %*s...\n", 2 * l->depth, "");
			eliding = true;
		}
	}
}

int tr_excerpt(const char *path, int nth, FILE *out)
{
	struct lines L = { 0 };
	int from, to, total, i;
	long page;

	if (load(path, &L))
		return -1;
	page = find_range(&L, nth, &from, &to, &total);
	if (page >= 0)
		fprintf(out, "# %s (%s mode, MAP_%s) on %s: fault %d of %d on the "
			"mapping, page %ld; ... marks calls left out\n", L.name,
			L.mode, strcmp(L.map, "shared") ? "PRIVATE" : "SHARED",
			L.kernel, nth, total, page);
	else
		fprintf(out, "# %s (%s mode, MAP_%s) on %s: %d faults on the "
			"mapping; what mmap() did; ... marks calls left out\n",
			L.name, L.mode, strcmp(L.map, "shared") ? "PRIVATE" : "SHARED",
			L.kernel, total);
	mark(&L, from, to);
	print(&L, from, to, out);
	for (i = 0; i < L.n; i++)
		free(L.v[i].text);
	free(L.v);
	return 0;
}
