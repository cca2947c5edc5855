/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Figures for the foundation: daemon memory idle and with many definitions,
 * the time to define them and to list them, and the latency of a VM property
 * read through dbus-daemon. Prints a table; asserts nothing.
 *
 *   build/tests/bench/bench-service [N_VMS] [N_READS]
 *
 * Besides the table, prints `RESULT key value unit` lines for run-benchmarks.sh.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "bench-echo.h"
#include "bench-stats.h"
#include "hv-test.h"

/* One call answered by an array of object paths, through sd-bus, every path read as a client
 * would; milliseconds. */
static double list_with_sd_bus(sd_bus *bus, const char *name, const char *path, const char *interface,
                               const char *method, unsigned expected) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        gint64 t0 = g_get_monotonic_time();
        const char *object;
        unsigned n = 0;
        int r;

        r = sd_bus_call_method(bus, name, path, interface, method, &error, &reply, "a{sv}", 0);
        g_assert_cmpint(r, >=, 0);
        g_assert_cmpint(sd_bus_message_enter_container(reply, 'a', "o"), >, 0);
        while ((r = sd_bus_message_read(reply, "o", &object)) > 0)
                n++;
        g_assert_cmpint(r, ==, 0);
        g_assert_cmpuint(n, ==, expected);
        sd_bus_message_unref(reply);
        return (double) (g_get_monotonic_time() - t0) / 1000.0;
}

/* ListVMs and the echo's List alternating, from an sd-bus client (as busctl and sd-bus programs are). */
static void list_through_sd_bus(const char *address, unsigned n_vms, unsigned rounds, double *lat, double *floor_lat) {
        sd_bus *bus = NULL;

        g_assert_cmpint(sd_bus_new(&bus), >=, 0);
        g_assert_cmpint(sd_bus_set_address(bus, address), >=, 0);
        g_assert_cmpint(sd_bus_set_bus_client(bus, 1), >=, 0);
        g_assert_cmpint(sd_bus_start(bus), >=, 0);
        for (unsigned i = 0; i < rounds; i++) {
                lat[i] = list_with_sd_bus(bus, "org.example.Hypervisor", "/org/example/Hypervisor",
                                          "org.example.Hypervisor.Manager", "ListVMs", n_vms);
                floor_lat[i] = list_with_sd_bus(bus, BENCH_ECHO_NAME, BENCH_ECHO_PATH, BENCH_ECHO_INTERFACE, "List",
                                                n_vms);
        }
        sd_bus_flush_close_unref(bus);
}

int main(int argc, char *argv[]) {
        unsigned n_vms = argc > 1 ? (unsigned) atoi(argv[1]) : 1000;
        unsigned n_reads = argc > 2 ? (unsigned) atoi(argv[2]) : 20000;
        g_autofree double *lat = g_new(double, MAX(n_reads, 200u));
        g_autofree double *list_floor = g_new(double, 200);
        g_autofree double *sd_lat = g_new(double, 200);
        g_autofree double *sd_floor = g_new(double, 200);
        pid_t echo;
        g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
        const char *first_path;
        unsigned n_getxml = MIN(MAX(n_vms, 1u), 1000u);
        g_autofree double *xml_lat = g_new(double, n_getxml);
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
                g_ptr_array_add(paths, hv_define(&t, xml));
        }
        g_assert_cmpuint(paths->len, >, 0);
        first_path = paths->pdata[0];
        define_s = (double) (g_get_monotonic_time() - start) / 1e6;
        rss_full = hv_process_status_kib(t.pid, "VmRSS:");
        anon_full = hv_process_status_kib(t.pid, "RssAnon:");

        /* ListVMs, alternating with the floor: an sd-bus service answering the same paths. */
        echo = bench_echo_start(t.connection, g_test_dbus_get_bus_address(t.bus), paths);
        for (unsigned i = 0; i < 200 && i < n_reads; i++) {
                gint64 t0 = g_get_monotonic_time();
                g_autoptr(GVariant) reply = hv_manager_call(&t, "ListVMs", g_variant_new("(a{sv})", NULL), "(ao)", NULL);
                g_autoptr(GVariant) floor_reply = NULL;
                lat[i] = (double) (g_get_monotonic_time() - t0) / 1000.0;
                g_assert_nonnull(reply);
                t0 = g_get_monotonic_time();
                floor_reply = g_dbus_connection_call_sync(t.connection, BENCH_ECHO_NAME, BENCH_ECHO_PATH,
                                                          BENCH_ECHO_INTERFACE, "List", g_variant_new("(a{sv})", NULL),
                                                          G_VARIANT_TYPE("(ao)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                                          NULL);
                list_floor[i] = (double) (g_get_monotonic_time() - t0) / 1000.0;
                g_assert_nonnull(floor_reply);
        }
        list_through_sd_bus(g_test_dbus_get_bus_address(t.bus), n_vms, MIN(200u, n_reads), sd_lat, sd_floor);
        bench_echo_stop(echo);
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
                printf("%-44s %12.3f\n", "ListVMs p50 (ms)", bench_percentile(lat, n, 0.5));
                printf("%-44s %12.3f\n", "ListVMs p99 (ms)", bench_percentile(lat, n, 0.99));
                printf("RESULT service.vms %u count\n", n_vms);
                printf("RESULT rss.idle.anon %ld KiB\n", anon_idle);
                printf("RESULT rss.idle.rss %ld KiB\n", rss_idle);
                printf("RESULT rss.defined.anon %ld KiB\n", anon_full);
                printf("RESULT rss.per_defined %.3f KiB\n", (double) (anon_full - anon_idle) / n_vms);
                printf("RESULT listvms.p50 %.3f ms\n", bench_percentile(lat, n, 0.5));
                printf("RESULT listvms.p99 %.3f ms\n", bench_percentile(lat, n, 0.99));
                printf("%-44s %12.3f\n", "floor: same paths from sd-bus echo, p50 (ms)", bench_percentile(list_floor, n, 0.5));
                printf("%-44s %12.3f\n", "floor: same paths from sd-bus echo, p99 (ms)", bench_percentile(list_floor, n, 0.99));
                printf("RESULT listvms.floor.p50 %.3f ms\n", bench_percentile(list_floor, n, 0.5));
                printf("RESULT listvms.floor.p99 %.3f ms\n", bench_percentile(list_floor, n, 0.99));
                printf("%-44s %12.3f\n", "ListVMs, sd-bus client, p50 (ms)", bench_percentile(sd_lat, n, 0.5));
                printf("%-44s %12.3f\n", "ListVMs, sd-bus client, p99 (ms)", bench_percentile(sd_lat, n, 0.99));
                printf("%-44s %12.3f\n", "floor, sd-bus client, p50 (ms)", bench_percentile(sd_floor, n, 0.5));
                printf("%-44s %12.3f\n", "floor, sd-bus client, p99 (ms)", bench_percentile(sd_floor, n, 0.99));
                printf("RESULT listvms.sd_bus.p50 %.3f ms\n", bench_percentile(sd_lat, n, 0.5));
                printf("RESULT listvms.sd_bus.p99 %.3f ms\n", bench_percentile(sd_lat, n, 0.99));
                printf("RESULT listvms.sd_bus.floor.p50 %.3f ms\n", bench_percentile(sd_floor, n, 0.5));
                printf("RESULT listvms.sd_bus.floor.p99 %.3f ms\n", bench_percentile(sd_floor, n, 0.99));
        }

        /* GetXML of VMs spread over the whole set, in a scrambled order. */
        for (unsigned i = 0; i < n_getxml; i++) {
                const char *path = paths->pdata[(i * 7919u) % paths->len];
                gint64 t0 = g_get_monotonic_time();
                g_autoptr(GVariant) reply = hv_vm_call(&t, path, "GetXML", g_variant_new("(a{sv})", NULL), "(s)", NULL);
                xml_lat[i] = (double) (g_get_monotonic_time() - t0) / 1000.0;
                g_assert_nonnull(reply);
        }
        printf("%-44s %12.3f\n", "GetXML p50 (ms)", bench_percentile(xml_lat, n_getxml, 0.5));
        printf("%-44s %12.3f\n", "GetXML p99 (ms)", bench_percentile(xml_lat, n_getxml, 0.99));
        printf("RESULT getxml.p50 %.3f ms\n", bench_percentile(xml_lat, n_getxml, 0.5));
        printf("RESULT getxml.p99 %.3f ms\n", bench_percentile(xml_lat, n_getxml, 0.99));

        start = g_get_monotonic_time();
        for (unsigned i = 0; i < n_reads; i++) {
                gint64 t0 = g_get_monotonic_time();
                g_autoptr(GVariant) v = hv_get_property(&t, first_path, "org.example.Hypervisor.VM", "State");
                lat[i] = (double) (g_get_monotonic_time() - t0) / 1000.0;
        }
        read_s = (double) (g_get_monotonic_time() - start) / 1e6;
        printf("%-44s %12.0f\n", "VM property read, calls/s (one client)", n_reads / read_s);
        printf("%-44s %12.3f\n", "VM property read p50 (ms)", bench_percentile(lat, n_reads, 0.5));
        printf("%-44s %12.3f\n", "VM property read p99 (ms)", bench_percentile(lat, n_reads, 0.99));
        printf("RESULT service.define.mean %.3f ms\n", define_s * 1000 / n_vms);

        hv_test_teardown(&t);
        return 0;
}
