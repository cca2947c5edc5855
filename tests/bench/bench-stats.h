/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Order statistics of samples (milliseconds, seconds: any unit). Each sorts @v in place. */

#include <stddef.h>

void bench_sort(double *v, size_t n);
/* The middle sample; the mean of the two middle ones for an even @n. */
double bench_median(double *v, size_t n);
/* The sample at rank (n - 1) * p, rounded down: for many samples. */
double bench_percentile(double *v, size_t n, double p);
/* The same rank rounded up: with few samples, p99 is the worst one. */
double bench_percentile_up(double *v, size_t n, double p);
