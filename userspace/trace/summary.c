// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-trace: the summary of a saved trace, from the trace alone.
 *
 * A fault starts at each exceptions:page_fault_user event; the graph
 * blocks after it (lock_vma_under_rcu, handle_mm_fault, ... or the arch
 * entry when it can be traced) are its work, and their durations add up
 * to its time. Faults on the scenario's mapping (from the mmapdemo_mmap
 * event) are counted per page; others are only counted. The call chain
 * is the stack of the graph when the first driver function is entered.
 * A block of the mmap() call (do_mmap with --mmap-graph, or the
 * prepopulating calls the fault path's graph also starts at) gives the
 * mmap-time PTE paths, and the stacks where mmap() calls the driver.
 * report.c prints it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"

/* The stack, plus @func, as "a > b > c", counted in @set. */
static void note_path(struct summary *s, const char *func, struct chain *set)
{
	char text[512] = "";
	int i;

	for (i = 0; i < s->depth; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s > ",
			 s->stack[i]);
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s", func);
	for (i = 0; i < MAX_CHAINS && set[i].count; i++) {
		if (!strcmp(set[i].text, text)) {
			set[i].count++;
			return;
		}
	}
	if (i < MAX_CHAINS) {
		snprintf(set[i].text, sizeof(set[i].text), "%s", text);
		set[i].count = 1;
	}
}

static struct fault *new_fault(struct summary *s, long page)
{
	if (s->nfaults == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->faults = realloc(s->faults, s->cap * sizeof(*s->faults));
		s->drv_us = realloc(s->drv_us, s->cap * sizeof(*s->drv_us));
		if (!s->faults || !s->drv_us) {
			perror("mmapdemo-trace");
			exit(EXIT_FAIL);
		}
	}
	memset(&s->faults[s->nfaults], 0, sizeof(s->faults[0]));
	s->faults[s->nfaults].page = page;
	return &s->faults[s->nfaults++];
}

static void on_event(struct summary *s, const struct rec *r)
{
	unsigned long v, pages = 0;
	char buf[256];

	if (!strcmp(r->event, "page_fault_user")) {
		s->cur = NULL;
		if (!tr_field_ul(r->fields, "address", &v) && s->mapped &&
		    v >= s->start && v - s->start < s->len) {
			s->cur = new_fault(s, (v - s->start) / s->page_size);
			/* x86's error code: bit 1 is a write. */
			if (!tr_field_ul(r->fields, "error_code", &v))
				s->cur->write = v & 2;
		} else {
			s->other_faults++;
		}
	} else if (!strcmp(r->event, "mmapdemo_mmap")) {
		s->cur = NULL;
		if (s->mapped)
			return;		/* the scenario's mapping was the first */
		if (!tr_field_ul(r->fields, "ret", &v) && v == 0 &&
		    !tr_field_ul(r->fields, "start", &s->start) &&
		    !tr_field_ul(r->fields, "len", &s->len))
			s->mapped = true;
		snprintf(s->mmap_fields, sizeof(s->mmap_fields), "%s", r->fields);
	} else if (!strcmp(r->event, "mmapdemo_fault")) {
		s->drv_faults++;
		tr_field(r->fields, "ret", buf, sizeof(buf));
		s->drv_locked += !!strstr(buf, "LOCKED");
		s->drv_sigbus += !!strstr(buf, "SIGBUS");
		tr_field(r->fields, "flags", buf, sizeof(buf));
		if (strstr(buf, "WRITE")) {
			s->drv_write++;
			if (s->cur)
				s->cur->write = true;
		}
		s->drv_vmalock += !!strstr(buf, "VMA_LOCK");
		if (s->cur)
			s->cur->driver_fault = true;
	} else if (!strcmp(r->event, "mmapdemo_huge_fault")) {
		s->huge_faults++;
		tr_field(r->fields, "ret", buf, sizeof(buf));
		s->huge_nopage += !!strstr(buf, "NOPAGE");
		s->huge_fallback += !!strstr(buf, "FALLBACK");
	} else if (!strcmp(r->event, "mmapdemo_map_pages")) {
		s->map_pages++;
		if (!tr_field_ul(r->fields, "mapped", &pages))
			s->map_pages_mapped += pages;
		if (s->cur)
			s->cur->map_pages = true;
	} else if (!strcmp(r->event, "mmapdemo_vma_open")) {
		s->vma_open++;
	} else if (!strcmp(r->event, "mmapdemo_vma_close")) {
		s->vma_close++;
	}
}

static bool base_is(const char *func, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(func, name, n) && (!func[n] || func[n] == '.');
}

/* Is no function on the stack one that @is names? */
static bool outermost(const struct summary *s, bool (*is)(const char *))
{
	int i;

	for (i = 0; i < s->depth && i < MAX_DEPTH; i++)
		if (is(s->stack[i]))
			return false;
	return true;
}

/* A function entered (ENTRY) or called and returned (LEAF). */
static void on_call(struct summary *s, const struct rec *r)
{
	struct fault *f = s->cur;

	if (s->depth == 0)
		s->block_is_mmap_call = tr_is_mmap_top(r->func);
	if (s->depth == 0)
		s->block_is_mmap = !tr_is_fault_top(r->func) &&
				   (s->block_is_mmap_call ||
				    base_is(r->func, "remap_pfn_range") ||
				    base_is(r->func, "vm_insert_pages") ||
				    base_is(r->func, "mmap_action_complete"));
	if (s->block_is_mmap && tr_is_pte_update(r->func))
		note_path(s, r->func, s->mmap_ptes);
	if (s->block_is_mmap && tr_is_driver(r->func) &&
	    (s->depth == 0 || !tr_is_driver(s->stack[s->depth - 1])))
		note_path(s, r->func, s->mmap_chains);
	if (f && base_is(r->func, "force_sig_fault"))
		s->signals++;
	if (!f)
		return;
	f->hmf += base_is(r->func, "handle_mm_fault");
	f->vma_lock += base_is(r->func, "lock_vma_under_rcu");
	f->mmap_lock += base_is(r->func, "lock_mm_and_find_vma");
	/* Only do_fault()'s branches call these: they show it where it is inlined. */
	f->do_fault |= base_is(r->func, "do_fault") || base_is(r->func, "__do_fault") ||
		       base_is(r->func, "do_fault_around");
	f->do_wp_page |= base_is(r->func, "do_wp_page");
	if (tr_is_driver(r->func) && (s->depth == 0 || !tr_is_driver(s->stack[s->depth - 1])))
		note_path(s, r->func, s->chains);
	if (tr_is_pte_update(r->func) && outermost(s, tr_is_pte_update))
		note_path(s, r->func, s->ptes);
	if (tr_is_pmd_update(r->func) && outermost(s, tr_is_pmd_update))
		note_path(s, r->func, s->pmds);
}

/* A function returned after @dur_us; @top: a block of the graph ended. */
static void on_return(struct summary *s, const char *func, double dur_us,
		      bool top)
{
	if (top && s->cur)
		s->cur->time_us += dur_us;
	if (top && s->block_is_mmap_call)
		s->mmap_call_us += dur_us;
	else if (top && s->block_is_mmap)
		s->mmap_us += dur_us;
	if (base_is(func, "mmapdemo_fault [mmapdemo]") && s->cur &&
	    s->ndrv_us < s->cap)
		s->drv_us[s->ndrv_us++] = dur_us;
}

static void feed(struct summary *s, const struct rec *r)
{
	switch (r->kind) {
	case REC_META:
		if (s->nmeta < 6)
			snprintf(s->meta[s->nmeta++], sizeof(s->meta[0]), "%s",
				 r->fields);
		tr_field_ul(r->fields, "page_size", &s->page_size);
		break;
	case REC_EVENT:
		on_event(s, r);
		break;
	case REC_ENTRY:
		on_call(s, r);
		if (s->depth < MAX_DEPTH)
			snprintf(s->stack[s->depth], sizeof(s->stack[0]), "%s", r->func);
		s->depth++;
		break;
	case REC_LEAF:
		on_call(s, r);
		on_return(s, r->func, r->dur_us, s->depth == 0);
		break;
	case REC_EXIT:
		if (s->depth > 0)
			s->depth--;
		on_return(s, s->depth < MAX_DEPTH ? s->stack[s->depth] : "",
			  r->dur_us, s->depth == 0);
		break;
	default:
		break;
	}
}

int tr_summarize(const char *path, FILE *out)
{
	struct summary *s = calloc(1, sizeof(*s));
	size_t cap = 0;
	char *line = NULL;
	struct rec r;
	ssize_t n;
	FILE *f;

	f = fopen(path, "re");
	if (s)
		s->page_size = md_page_size();
	if (!f || !s) {
		perror(path);
		free(s);
		return -1;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		line[strcspn(line, "\n")] = '\0';
		tr_parse_line(line, &r);
		feed(s, &r);
	}
	fclose(f);
	free(line);
	sm_print(out, s, path);
	free(s->faults);
	free(s->drv_us);
	free(s);
	return 0;
}
