/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The floor for a property read: a trivial sd-bus service with one read-only
 * string property on the same private dbus-daemon as hypervisord, read the same
 * way, in interleaved rounds; and the raw cost of a durable write (write, fsync,
 * rename, fsync of the directory) of a definition's bytes, against DefineVM;
 * and the same with DEFINE_IN_FLIGHT DefineVM calls under way at once, as an
 * orchestrator that defines many VMs makes them; and property reads while another
 * client defines VMs without pause, against the reads of the first part (a
 * definition's fsync must not hold up other callers).
 *
 *   build/tests/bench/bench-floor [N_READS] [N_DEFINES]
 *
 * Besides the table, prints `RESULT key value unit` lines for run-benchmarks.sh.
 */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-echo.h"
#include "bench-stats.h"
#include "hv-test.h"

static double sum(const double *v, size_t n) {
        double total = 0;
        for (size_t i = 0; i < n; i++)
                total += v[i];
        return total;
}

static double read_once(GDBusConnection *c, const char *name, const char *path, const char *interface) {
        gint64 t0 = g_get_monotonic_time();
        g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
                c, name, path, "org.freedesktop.DBus.Properties", "Get", g_variant_new("(ss)", interface, "State"),
                G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);

        g_assert_nonnull(reply);
        return (double) (g_get_monotonic_time() - t0) / 1000.0;
}

/* write + fsync + rename + fsync(dir) of the same bytes, as the store does. */
static double durable_write_once(const char *dir, const char *data, unsigned i) {
        g_autofree char *temp = g_strdup_printf("%s/.floor-%u.tmp", dir, i);
        g_autofree char *final = g_strdup_printf("%s/floor-%u.xml", dir, i);
        gint64 t0 = g_get_monotonic_time();
        int fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        int dir_fd;

        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(write(fd, data, strlen(data)), ==, (gssize) strlen(data));
        g_assert_cmpint(fsync(fd), ==, 0);
        close(fd);
        g_assert_cmpint(rename(temp, final), ==, 0);
        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        g_assert_cmpint(fsync(dir_fd), ==, 0);
        close(dir_fd);
        return (double) (g_get_monotonic_time() - t0) / 1000.0;
}

/* DefineVM calls under way at once in the in-flight phase, and the definitions per round. */
#define DEFINE_IN_FLIGHT 8
#define DEFINE_ROUND 50

/* DefineVM calls sent on one connection, DEFINE_IN_FLIGHT at a time: each answer sends the next. */
typedef struct {
        HvTest *t;
        unsigned round;
        unsigned sent;
        unsigned answered;
} InFlight;

static void in_flight_send(InFlight *f);

static void on_in_flight_defined(GObject *source, GAsyncResult *result, gpointer data) {
        InFlight *f = data;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

        g_assert_no_error(error);
        f->answered++;
        if (f->sent < DEFINE_ROUND)
                in_flight_send(f);
}

static void in_flight_send(InFlight *f) {
        g_autofree char *name = g_strdup_printf("inflight%u-%u", f->round, f->sent++);
        g_autofree char *xml = hv_minimal_xml(f->t, name, NULL);

        g_dbus_connection_call(f->t->connection, "org.example.Hypervisor", "/org/example/Hypervisor",
                               "org.example.Hypervisor.Manager", "DefineVM", g_variant_new("(sa{sv})", xml, NULL),
                               G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_in_flight_defined, f);
}

/* Milliseconds for DEFINE_ROUND definitions with DEFINE_IN_FLIGHT under way at once. */
static double define_round_in_flight(HvTest *t, unsigned round) {
        InFlight f = { .t = t, .round = round };
        gint64 t0 = g_get_monotonic_time();

        for (unsigned i = 0; i < DEFINE_IN_FLIGHT; i++)
                in_flight_send(&f);
        while (f.answered < DEFINE_ROUND)
                g_main_context_iteration(NULL, TRUE);
        return (double) (g_get_monotonic_time() - t0) / 1000.0;
}

typedef struct {
        HvTest *t;
        GDBusConnection *connection; /* the definer's own connection */
        gint stop;
        gint defined;
} Definer;

/* Defines VMs one after another on its own connection until told to stop. */
static gpointer definer_run(gpointer data) {
        Definer *d = data;

        while (!g_atomic_int_get(&d->stop)) {
                g_autofree char *name = g_strdup_printf("busy%d", g_atomic_int_get(&d->defined));
                g_autofree char *xml = hv_minimal_xml(d->t, name, NULL);
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
                        d->connection, "org.example.Hypervisor", "/org/example/Hypervisor",
                        "org.example.Hypervisor.Manager", "DefineVM", g_variant_new("(sa{sv})", xml, NULL),
                        G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);

                g_assert_no_error(error);
                g_atomic_int_inc(&d->defined);
        }
        return NULL;
}

int main(int argc, char *argv[]) {
        unsigned n_reads = argc > 1 ? (unsigned) atoi(argv[1]) : 20000;
        unsigned n_defines = argc > 2 ? (unsigned) atoi(argv[2]) : 500;
        g_autofree double *floor_lat = g_new(double, n_reads);
        g_autofree double *service_lat = g_new(double, n_reads);
        g_autofree double *raw_write = g_new(double, n_defines);
        g_autofree double *define = g_new(double, n_defines);
        g_autofree double *busy_lat = g_new(double, n_reads);
        unsigned n_busy = 0;
        unsigned n_rounds = MAX(n_defines / DEFINE_ROUND, 1);
        double raw_round_ms = 0, in_flight_ms = 0;
        g_autofree char *vm_path = NULL;
        g_autofree char *floor_dir = NULL;
        HvTest t;
        pid_t echo;

        hv_test_setup(&t, "MaxVMsPerUser=1000000\n");
        {
                g_autofree char *xml = hv_minimal_xml(&t, "floor", NULL);
                vm_path = hv_define(&t, xml);
        }
        echo = bench_echo_start(t.connection, g_test_dbus_get_bus_address(t.bus), NULL);

        /* Interleaved, so that the machine's mood falls on both alike. */
        for (unsigned i = 0; i < n_reads; i++) {
                floor_lat[i] = read_once(t.connection, BENCH_ECHO_NAME, BENCH_ECHO_PATH, BENCH_ECHO_INTERFACE);
                service_lat[i] = read_once(t.connection, "org.example.Hypervisor", vm_path, "org.example.Hypervisor.VM");
        }

        floor_dir = g_build_filename(t.dir, "floor", NULL);
        g_assert_cmpint(g_mkdir_with_parents(floor_dir, 0700), ==, 0);
        for (unsigned i = 0; i < n_defines; i++) {
                g_autofree char *name = g_strdup_printf("durable%u", i);
                g_autofree char *xml = hv_minimal_xml(&t, name, NULL);
                gint64 t0;
                raw_write[i] = durable_write_once(floor_dir, xml, i);
                t0 = g_get_monotonic_time();
                g_free(hv_define(&t, xml));
                define[i] = (double) (g_get_monotonic_time() - t0) / 1000.0;
        }

        /* Rounds of DEFINE_ROUND raw writes one after the other, then as many DefineVM calls with
         * DEFINE_IN_FLIGHT under way at once; rates from the total time of each kind. */
        for (unsigned r = 0; r < n_rounds; r++) {
                gint64 t0 = g_get_monotonic_time();

                for (unsigned i = 0; i < DEFINE_ROUND; i++) {
                        g_autofree char *name = g_strdup_printf("inflight%u-%u", r, i);
                        g_autofree char *xml = hv_minimal_xml(&t, name, NULL);

                        durable_write_once(floor_dir, xml, n_defines + r * DEFINE_ROUND + i);
                }
                raw_round_ms += (double) (g_get_monotonic_time() - t0) / 1000.0;
                in_flight_ms += define_round_in_flight(&t, r);
        }

        /* Reads while a second client keeps the daemon writing definitions; as many reads as the
         * definer makes definitions in the time, at most n_reads. */
        {
                Definer d = { .t = &t };
                GThread *thread;
                g_autoptr(GError) error = NULL;

                d.connection = g_dbus_connection_new_for_address_sync(
                        g_test_dbus_get_bus_address(t.bus),
                        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                        NULL, NULL, &error);
                g_assert_no_error(error);
                thread = g_thread_new("definer", definer_run, &d);
                while (n_busy < n_reads && g_atomic_int_get(&d.defined) < (gint) n_defines)
                        busy_lat[n_busy++] = read_once(t.connection, "org.example.Hypervisor", vm_path,
                                                       "org.example.Hypervisor.VM");
                g_atomic_int_set(&d.stop, 1);
                g_thread_join(thread);
                g_object_unref(d.connection);
                g_assert_cmpuint(n_busy, >, 0);
        }

        printf("%-56s %10s %10s %8s\n", "figure", "floor", "service", "ratio");
        {
                double fp50 = bench_percentile(floor_lat, n_reads, 0.5), sp50 = bench_percentile(service_lat, n_reads, 0.5);
                double fp99 = bench_percentile(floor_lat, n_reads, 0.99), sp99 = bench_percentile(service_lat, n_reads, 0.99);
                printf("%-56s %10.3f %10.3f %8.2f\n", "property read p50 (ms)", fp50, sp50, sp50 / fp50);
                printf("%-56s %10.3f %10.3f %8.2f\n", "property read p99 (ms)", fp99, sp99, sp99 / fp99);
                printf("RESULT floor.read.p50 %.4f ms\n", fp50);
                printf("RESULT floor.read.p99 %.4f ms\n", fp99);
                printf("RESULT vm.read.p50 %.4f ms\n", sp50);
                printf("RESULT vm.read.p99 %.4f ms\n", sp99);
                /* Calls per second of one client, from the mean time of each kind in the interleaved run. */
                printf("RESULT floor.read.rate %.0f calls/s\n", 1000.0 * n_reads / sum(floor_lat, n_reads));
                printf("RESULT vm.read.rate %.0f calls/s\n", 1000.0 * n_reads / sum(service_lat, n_reads));
        }
        {
                double fm = bench_percentile(raw_write, n_defines, 0.5), sm = bench_percentile(define, n_defines, 0.5);
                printf("%-56s %10.0f %10.0f %8.2f\n", "durable definitions per second (median based)", 1000.0 / fm,
                       1000.0 / sm, fm / sm);
                printf("RESULT floor.define.rate %.1f per_s\n", 1000.0 / fm);
                printf("RESULT vm.define.rate %.1f per_s\n", 1000.0 / sm);
        }
        {
                double fr = 1000.0 * n_rounds * DEFINE_ROUND / raw_round_ms;
                double sr = 1000.0 * n_rounds * DEFINE_ROUND / in_flight_ms;

                printf("%-56s %10.0f %10.0f %8.2f\n", "durable definitions per second, " G_STRINGIFY(DEFINE_IN_FLIGHT) " in flight",
                       fr, sr, sr / fr);
                printf("RESULT floor.define_in_flight.rate %.1f per_s\n", fr);
                printf("RESULT vm.define_in_flight.rate %.1f per_s\n", sr);
                printf("RESULT vm.define_in_flight.calls %d calls\n", DEFINE_IN_FLIGHT);
        }

        {
                double ip99 = bench_percentile(service_lat, n_reads, 0.99), bp99 = bench_percentile(busy_lat, n_busy, 0.99);
                printf("%-56s %10.3f %10.3f %8.2f\n", "read p99 (ms): idle | while another client defines", ip99, bp99,
                       bp99 / ip99);
                printf("RESULT vm.read_during_defines.p50 %.4f ms\n", bench_percentile(busy_lat, n_busy, 0.5));
                printf("RESULT vm.read_during_defines.p99 %.4f ms\n", bp99);
                printf("RESULT vm.read_during_defines.n %u reads\n", n_busy);
        }

        bench_echo_stop(echo);
        hv_test_teardown(&t);
        return 0;
}
