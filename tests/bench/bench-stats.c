/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>

#include "bench-stats.h"

static int compare_doubles(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

void bench_sort(double *v, size_t n) {
        qsort(v, n, sizeof(*v), compare_doubles);
}

double bench_median(double *v, size_t n) {
        bench_sort(v, n);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double bench_percentile(double *v, size_t n, double p) {
        bench_sort(v, n);
        return v[(size_t) ((double) (n - 1) * p)];
}

double bench_percentile_up(double *v, size_t n, double p) {
        double rank = (double) (n - 1) * p;
        size_t index = (size_t) rank;

        if ((double) index < rank)
                index++;
        bench_sort(v, n);
        return v[index];
}
