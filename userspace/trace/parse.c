// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-trace: one line of a saved trace, as tracefs's "trace" file
 * prints the function_graph tracer with the options tracefs.c sets:
 *
 *  1)  mmapdem-187   |               |  handle_mm_fault() {
 *  1)  mmapdem-187   |   0.852 us    |    __rcu_read_lock();
 *  1)  mmapdem-187   |               |    /+ mmapdemo_fault: address=0x... +/
 *  1)  mmapdem-187   | ! 305.652 us  |  } /+ handle_mm_fault +/
 *
 * (comments written /+ +/ here): CPU, task, duration with the overhead
 * mark, then the call tree, where events show as comments. Lines of
 * "# mmapdemo-trace: " are the header record.c wrote.
 */
#include <stdlib.h>
#include <string.h>

#include "trace.h"

#define META "# mmapdemo-trace: "

static void copy_n(char *dst, size_t len, const char *src, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * "name [mod]() {", "name();", "} /+ name +/", or with funcgraph-retval
 * "} /+ name = 0x400 +/" and "name(); /+ = 0x0 +/".
 */
static void func_name(const char *s, const char *end, struct rec *r)
{
	const char *ret = strstr(s, " = ");

	if (ret) {
		r->has_ret = true;
		r->ret = strtol(ret + 3, NULL, 0);
		if (ret < end)
			end = ret;
	}
	copy_n(r->func, sizeof(r->func), s, end - s);
}

static void parse_graph(const char *g, struct rec *r)
{
	const char *end;
	size_t n;

	while (*g == ' ')
		g++;
	n = strlen(g);
	if (!strncmp(g, "/* ", 3)) {
		const char *colon = strchr(g + 3, ':');

		if (!colon)
			return;
		r->kind = REC_EVENT;
		copy_n(r->event, sizeof(r->event), g + 3, colon - g - 3);
		g = colon + 1 + (colon[1] == ' ');
		n = strlen(g);
		if (n >= 3 && !strcmp(g + n - 3, " */"))
			n -= 3;
		copy_n(r->fields, sizeof(r->fields), g, n);
	} else if (*g == '}') {
		r->kind = REC_EXIT;
		if (!strncmp(g, "} /* ", 5) && (end = strstr(g + 5, " */")))
			func_name(g + 5, end, r);
	} else if (n > 4 && !strcmp(g + n - 4, "() {")) {
		r->kind = REC_ENTRY;
		func_name(g, g + n - 4, r);
	} else if ((end = strstr(g, "();"))) {
		r->kind = REC_LEAF;
		func_name(g, end, r);
	}
}

enum rec_kind tr_parse_line(const char *line, struct rec *r)
{
	const char *bar1, *bar2, *p;

	memset(r, 0, sizeof(*r));
	r->kind = REC_OTHER;
	r->cpu = -1;
	if (!strncmp(line, META, strlen(META))) {
		r->kind = REC_META;
		snprintf(r->event, sizeof(r->event), "mmapdemo-trace");
		snprintf(r->fields, sizeof(r->fields), "%s", line + strlen(META));
		return r->kind;
	}
	if (line[0] == '#')
		return r->kind;
	bar1 = strchr(line, '|');
	bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
	p = strchr(line, ')');
	if (!bar2 || !p || p > bar1)
		return r->kind;
	r->cpu = atoi(line);
	for (p = bar1 + 1; p < bar2 && !(*p >= '0' && *p <= '9'); p++)
		;
	if (p < bar2)
		r->dur_us = strtod(p, NULL);
	r->graph = bar2 + 1;
	parse_graph(bar2 + 1, r);
	return r->kind;
}

int tr_field(const char *fields, const char *key, char *val, size_t len)
{
	size_t klen = strlen(key);
	const char *p = fields;

	while ((p = strstr(p, key))) {
		if ((p == fields || p[-1] == ' ') && p[klen] == '=') {
			p += klen + 1;
			copy_n(val, len, p, strcspn(p, " "));
			return 0;
		}
		p += klen;
	}
	return -1;
}

int tr_field_ul(const char *fields, const char *key, unsigned long *val)
{
	char buf[64], *end;

	if (tr_field(fields, key, buf, sizeof(buf)))
		return -1;
	*val = strtoul(buf, &end, 0);
	return end == buf ? -1 : 0;
}

bool tr_has_word(const char *fields, const char *word)
{
	size_t wlen = strlen(word);
	const char *p = fields;

	while ((p = strstr(p, word))) {
		if ((p == fields || p[-1] == ' ') && (!p[wlen] || p[wlen] == ' '))
			return true;
		p += wlen;
	}
	return false;
}

bool tr_is_driver(const char *func)
{
	return strstr(func, " [mmapdemo]") != NULL;
}
