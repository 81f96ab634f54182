// SPDX-License-Identifier: GPL-2.0
/* mmapdemo-bench: the clock, medians and how often to repeat. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void series_add(struct series *s, double v)
{
	if (s->n < MAX_REPS)
		s->v[s->n++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median; of an even count, the mean of the middle two. */
double series_median(const struct series *s)
{
	double v[MAX_REPS];

	if (!s->n)
		return 0;
	memcpy(v, s->v, s->n * sizeof(v[0]));
	qsort(v, s->n, sizeof(v[0]), cmp_double);
	if (s->n % 2)
		return v[s->n / 2];
	return (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
}

/*
 * The median over the repetitions of a[i] / b[i]: two measurements of
 * the same repetition, taken a moment apart, so that a slow moment of a
 * shared machine hits both sides of the ratio.
 */
double paired_median(const struct series *a, const struct series *b)
{
	struct series ratio = { 0 };
	unsigned int i;

	for (i = 0; i < a->n && i < b->n; i++)
		series_add(&ratio, a->v[i] / b->v[i]);
	return series_median(&ratio);
}

/*
 * Small sizes take microseconds, where one interrupt is a large share:
 * repeat them more, up to 8 times opt.reps below 128 KiB, and keep the
 * count odd so that the median is one of the samples.
 */
unsigned int reps_for_size(uint64_t size)
{
	uint64_t factor = (1ULL << 20) / (size ? size : 1);
	unsigned int reps;

	if (factor < 1)
		factor = 1;
	if (factor > 8)
		factor = 8;
	reps = opt.reps * (unsigned int)factor;
	if (reps > MAX_REPS)
		reps = MAX_REPS;
	if (!(reps % 2) && reps < MAX_REPS)
		reps++;
	return reps;
}
