/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Figures for the foundation: daemon memory idle and with many definitions,
 * the time to define them and to list them, and the latency of a VM property
 * read through dbus-daemon. Prints a table; asserts nothing.
 *
 *   build/tests/bench/bench-service [N_VMS] [N_READS]
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv-test.h"

static int compare_doubles(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

static double percentile(double *v, size_t n, double p) {
        qsort(v, n, sizeof(*v), compare_doubles);
        return v[(size_t) ((double) (n - 1) * p)];
}

int main(int argc, char *argv[]) {
        unsigned n_vms = argc > 1 ? (unsigned) atoi(argv[1]) : 1000;
        unsigned n_reads = argc > 2 ? (unsigned) atoi(argv[2]) : 20000;
        g_autofree double *lat = g_new(double, n_reads);
        g_autofree char *first_path = NULL;
        HvTest t;
        gint64 start;
        double define_s, read_s;
        long rss_idle, anon_idle, rss_full, anon_full;

        hv_test_setup(&t, "MaxVMsPerUser=1000000\n");
        g_usleep(200 * 1000);
        rss_idle = hv_process_status_kib(t.pid, "VmRSS:");
        anon_idle = hv_process_status_kib(t.pid, "RssAnon:");

        start = g_get_monotonic_time();
        for (unsigned i = 0; i < n_vms; i++) {
                g_autofree char *name = g_strdup_printf("bench%u", i);
                g_autofree char *xml = hv_minimal_xml(&t, name, NULL);
                char *path = hv_define(&t, xml);
                if (!first_path)
                        first_path = path;
                else
                        g_free(path);
        }
        define_s = (double) (g_get_monotonic_time() - start) / 1e6;
        rss_full = hv_process_status_kib(t.pid, "VmRSS:");
        anon_full = hv_process_status_kib(t.pid, "RssAnon:");

        for (unsigned i = 0; i < 200 && i < n_reads; i++) {
                gint64 t0 = g_get_monotonic_time();
                g_autoptr(GVariant) reply = hv_manager_call(&t, "ListVMs", g_variant_new("(a{sv})", NULL), "(ao)", NULL);
                lat[i] = (double) (g_get_monotonic_time() - t0) / 1000.0;
                g_assert_nonnull(reply);
        }
        printf("%-44s %12s\n", "figure", "value");
        printf("%-44s %12ld\n", "daemon VmRSS idle (KiB)", rss_idle);
        printf("%-44s %12ld\n", "daemon RssAnon idle (KiB)", anon_idle);
        printf("%-44s %12ld\n", "daemon VmRSS with VMs defined (KiB)", rss_full);
        printf("%-44s %12ld\n", "daemon RssAnon with VMs defined (KiB)", anon_full);
        printf("%-44s %12.2f\n", "RssAnon per defined VM (KiB)", (double) (anon_full - anon_idle) / n_vms);
        printf("%-44s %12u\n", "VMs defined", n_vms);
        printf("%-44s %12.3f\n", "define all (s, durable, sequential)", define_s);
        printf("%-44s %12.3f\n", "define one (ms, mean)", define_s * 1000 / n_vms);
        {
                unsigned n = MIN(200u, n_reads);
                printf("%-44s %12.3f\n", "ListVMs p50 (ms)", percentile(lat, n, 0.5));
                printf("%-44s %12.3f\n", "ListVMs p99 (ms)", percentile(lat, n, 0.99));
        }

        start = g_get_monotonic_time();
        for (unsigned i = 0; i < n_reads; i++) {
                gint64 t0 = g_get_monotonic_time();
                g_autoptr(GVariant) v = hv_get_property(&t, first_path, "org.example.Hypervisor.VM", "State");
                lat[i] = (double) (g_get_monotonic_time() - t0) / 1000.0;
        }
        read_s = (double) (g_get_monotonic_time() - start) / 1e6;
        printf("%-44s %12.0f\n", "VM property read, calls/s (one client)", n_reads / read_s);
        printf("%-44s %12.3f\n", "VM property read p50 (ms)", percentile(lat, n_reads, 0.5));
        printf("%-44s %12.3f\n", "VM property read p99 (ms)", percentile(lat, n_reads, 0.99));

        hv_test_teardown(&t);
        return 0;
}
