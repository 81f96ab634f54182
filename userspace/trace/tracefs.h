/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmapdemo-trace: the tracefs handle, shared by tracefs.c (files, saving
 * and putting back) and setup.c (what the tool sets up).
 */
#ifndef MMAPDEMO_TRACE_TRACEFS_H
#define MMAPDEMO_TRACE_TRACEFS_H

#include "trace.h"

#define MAX_SAVED	64

struct saved {
	char rel[96];
	char *old;
};

struct tracefs {
	char dir[256];		/* the tracefs mount */
	char graph[512];	/* set_graph_function, "a,b,c" */
	char notrace[256];	/* set_graph_notrace */
	struct saved saved[MAX_SAVED];
	int nsaved;
};

/* @rel's path under the mount. */
void tf_path(const struct tracefs *t, const char *rel, char *buf, size_t len);
/* A small file's contents (malloc'ed), or NULL. */
char *tf_read(const char *path);
/* Write @val to @rel, all of it. */
int tf_put(const struct tracefs *t, const char *rel, const char *val);
/* The same, keeping what was there for tr_tracefs_close() to put back. */
int tf_set(struct tracefs *t, const char *rel, const char *val);

#endif /* MMAPDEMO_TRACE_TRACEFS_H */
