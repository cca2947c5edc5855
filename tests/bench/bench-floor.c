/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The floor for a property read: a trivial sd-bus service with one read-only
 * string property on the same private dbus-daemon as hypervisord, read the same
 * way, in interleaved rounds; and the raw cost of a durable write (write, fsync,
 * rename, fsync of the directory) of a definition's bytes, against DefineVM.
 *
 *   build/tests/bench/bench-floor [N_READS] [N_DEFINES]
 */

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "hv-test.h"

#define ECHO_NAME "org.example.HypervisorBenchEcho"

static int get_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                     sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", "shutoff");
}

static const sd_bus_vtable echo_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("State", "s", get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_VTABLE_END,
};

/* The echo service, in a child process: one object, one property, nothing else. */
static pid_t start_echo(const char *address) {
        pid_t pid = fork();

        if (pid == 0) {
                sd_bus *bus = NULL;
                if (sd_bus_new(&bus) < 0 || sd_bus_set_address(bus, address) < 0 ||
                    sd_bus_set_bus_client(bus, 1) < 0 || sd_bus_start(bus) < 0 ||
                    sd_bus_add_object_vtable(bus, NULL, "/echo", "org.example.Echo", echo_vtable, NULL) < 0 ||
                    sd_bus_request_name(bus, ECHO_NAME, 0) < 0)
                        _exit(1);
                for (;;) {
                        int r = sd_bus_process(bus, NULL);
                        if (r < 0)
                                _exit(1);
                        if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
                                _exit(1);
                }
        }
        return pid;
}

static int compare_doubles(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

static double percentile(double *v, size_t n, double p) {
        qsort(v, n, sizeof(*v), compare_doubles);
        return v[(size_t) ((double) (n - 1) * p)];
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

int main(int argc, char *argv[]) {
        unsigned n_reads = argc > 1 ? (unsigned) atoi(argv[1]) : 20000;
        unsigned n_defines = argc > 2 ? (unsigned) atoi(argv[2]) : 500;
        g_autofree double *floor_lat = g_new(double, n_reads);
        g_autofree double *service_lat = g_new(double, n_reads);
        g_autofree double *raw_write = g_new(double, n_defines);
        g_autofree double *define = g_new(double, n_defines);
        g_autofree char *vm_path = NULL;
        g_autofree char *floor_dir = NULL;
        HvTest t;
        pid_t echo;
        int status;

        hv_test_setup(&t, "MaxVMsPerUser=1000000\n");
        echo = start_echo(g_test_dbus_get_bus_address(t.bus));
        {
                g_autofree char *xml = hv_minimal_xml(&t, "floor", NULL);
                vm_path = hv_define(&t, xml);
        }
        /* Until the echo service owns its name. */
        for (int i = 0; i < 500; i++) {
                g_autoptr(GVariant) r = g_dbus_connection_call_sync(
                        t.connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                        "NameHasOwner", g_variant_new("(s)", ECHO_NAME), G_VARIANT_TYPE("(b)"),
                        G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
                gboolean owned = FALSE;
                if (r)
                        g_variant_get(r, "(b)", &owned);
                if (owned)
                        break;
                g_usleep(10000);
        }

        /* Interleaved, so that the machine's mood falls on both alike. */
        for (unsigned i = 0; i < n_reads; i++) {
                floor_lat[i] = read_once(t.connection, ECHO_NAME, "/echo", "org.example.Echo");
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

        printf("%-56s %10s %10s %8s\n", "figure", "floor", "service", "ratio");
        {
                double fp50 = percentile(floor_lat, n_reads, 0.5), sp50 = percentile(service_lat, n_reads, 0.5);
                double fp99 = percentile(floor_lat, n_reads, 0.99), sp99 = percentile(service_lat, n_reads, 0.99);
                printf("%-56s %10.3f %10.3f %8.2f\n", "property read p50 (ms)", fp50, sp50, sp50 / fp50);
                printf("%-56s %10.3f %10.3f %8.2f\n", "property read p99 (ms)", fp99, sp99, sp99 / fp99);
        }
        {
                double fm = percentile(raw_write, n_defines, 0.5), sm = percentile(define, n_defines, 0.5);
                printf("%-56s %10.0f %10.0f %8.2f\n", "durable definitions per second (median based)", 1000.0 / fm,
                       1000.0 / sm, fm / sm);
        }

        kill(echo, SIGTERM);
        waitpid(echo, &status, 0);
        hv_test_teardown(&t);
        return 0;
}
