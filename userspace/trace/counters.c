// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo-trace: the driver's event counters, from the files of
 * /sys/class/misc/mmapdemo/counters/ (no ioctl needed), to show what a
 * scenario did from the driver's side next to the trace.
 */
#include <stdio.h>

#include "trace.h"

#define COUNTERS_DIR "/sys/class/misc/mmapdemo/counters"

const char *const tr_counter_names[TR_NCOUNTERS] = {
	"faults", "cow_faults", "sigbus", "faultaround_pages", "remap_pages",
	"insert_pages", "huge_pmds",
};

int tr_counters_read(struct counters *c)
{
	char path[128];
	int i, ok;
	FILE *f;

	for (i = 0; i < TR_NCOUNTERS; i++) {
		snprintf(path, sizeof(path), "%s/%s", COUNTERS_DIR,
			 tr_counter_names[i]);
		f = fopen(path, "re");
		if (!f)
			return -1;
		ok = fscanf(f, "%llu", &c->v[i]) == 1;
		fclose(f);
		if (!ok)
			return -1;
	}
	return 0;
}
