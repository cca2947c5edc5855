/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Many VMs at once on the cloud-hypervisor simulator: N VMs are defined and
 * all their Boot calls are sent together, while a second connection, in its own
 * thread, reads the State property of other VMs (some running, some only
 * defined) in a loop. Reported: whether every VM ends `running`, the time until
 * every Boot has answered, the latency of the reads made meanwhile, and the
 * daemon's private memory (per VM that runs) and open file descriptors before
 * and after.
 *
 *   build/tests/bench/bench-scale [N_VMS]
 *
 * Besides the table, prints `RESULT key value unit` lines for run-benchmarks.sh.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench-stats.h"
#include "hv-test.h"

#define VM_IFACE "org.example.Hypervisor.VM"
#define N_PROBES 10 /* VMs read meanwhile: the first half running, the rest defined */

typedef struct {
        unsigned done;
        unsigned failed;
        unsigned target;
        char *first_error;
} Calls;

static void on_reply(GObject *source, GAsyncResult *result, gpointer userdata) {
        Calls *calls = userdata;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

        calls->done++;
        if (error) {
                calls->failed++;
                if (!calls->first_error)
                        calls->first_error = g_strdup(error->message);
        }
}

static gboolean all_answered(gpointer data) {
        Calls *calls = data;
        return calls->done >= calls->target;
}

static GDBusConnection *connect_to_bus(HvTest *t) {
        g_autoptr(GError) error = NULL;
        GDBusConnection *c = g_dbus_connection_new_for_address_sync(
                g_test_dbus_get_bus_address(t->bus),
                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL,
                NULL, &error);

        g_assert_no_error(error);
        return c;
}

/*
 * dbus-daemon lets one connection wait for at most max_replies_per_connection
 * (128 by default) answers; so the calls are spread over one connection per
 * CALLS_PER_CONNECTION, as many clients would.
 */
#define CALLS_PER_CONNECTION 100
static GPtrArray *callers;

/* Send method to every path at once; wait for every answer. Returns seconds. */
static double call_all(HvTest *t, GPtrArray *paths, const char *method, Calls *calls) {
        gint64 start;

        while (callers->len * CALLS_PER_CONNECTION < paths->len)
                g_ptr_array_add(callers, connect_to_bus(t));
        *calls = (Calls){ .target = paths->len };
        start = g_get_monotonic_time();
        for (unsigned i = 0; i < paths->len; i++)
                g_dbus_connection_call(callers->pdata[i / CALLS_PER_CONNECTION], "org.example.Hypervisor",
                                       paths->pdata[i], VM_IFACE, method,
                                       g_variant_new("(a{sv})", NULL), NULL, G_DBUS_CALL_FLAGS_NONE, 600000, NULL,
                                       on_reply, calls);
        hv_wait_until("every call to answer", all_answered, calls, 900000);
        return (double) (g_get_monotonic_time() - start) / 1e6;
}

typedef struct {
        GDBusConnection *connection; /* the reader's own connection */
        char *probes[N_PROBES];
        gint stop;
        GArray *latencies; /* double, ms */
        unsigned errors;
} Reader;

static gpointer reader_thread(gpointer data) {
        Reader *reader = data;

        for (unsigned i = 0; !g_atomic_int_get(&reader->stop); i++) {
                g_autoptr(GError) error = NULL;
                gint64 t0 = g_get_monotonic_time();
                g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
                        reader->connection, "org.example.Hypervisor", reader->probes[i % N_PROBES],
                        "org.freedesktop.DBus.Properties", "Get", g_variant_new("(ss)", VM_IFACE, "State"),
                        G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
                double ms = (double) (g_get_monotonic_time() - t0) / 1000.0;

                /* A read that timed out counts with the time it waited. */
                if (error)
                        reader->errors++;
                g_array_append_val(reader->latencies, ms);
        }
        return NULL;
}

static double percentile(GArray *v, double p) {
        if (v->len == 0)
                return -1;
        return bench_percentile_up((double *) v->data, v->len, p);
}

static unsigned count_running(HvTest *t, GPtrArray *paths) {
        unsigned running = 0;

        for (unsigned i = 0; i < paths->len; i++) {
                g_autofree char *state = hv_vm_state(t, paths->pdata[i]);
                if (g_str_equal(state, "running"))
                        running++;
        }
        return running;
}

static void raise_fd_limit(void) {
        struct rlimit limit;

        if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
                limit.rlim_cur = limit.rlim_max;
                (void) setrlimit(RLIMIT_NOFILE, &limit);
        }
}

int main(int argc, char *argv[]) {
        unsigned n_vms = argc > 1 ? (unsigned) atoi(argv[1]) : 1000;
        const char *sim = g_getenv("CH_SIM_DIR") ? g_getenv("CH_SIM_DIR") : CH_SIM_DIR_DEFAULT;
        g_autofree char *config = g_strdup_printf("MaxVMsPerUser=1000000\nMaxOperationsInFlight=100000\n"
                                                  "DefaultEngine=cloud-hypervisor\n"
                                                  "[cloud-hypervisor]\nBinary=%s/cloud-hypervisor\n",
                                                  sim);
        g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) probe_running = g_ptr_array_new();
        g_autofree char *kernel = NULL;
        g_autoptr(GThread) thread = NULL;
        Reader reader = { 0 };
        Calls boots, offs, probe_boots;
        HvTest t;
        double boot_s;
        long anon_before, anon_after, fds_before, fds_after, rss_before, rss_after;
        unsigned running;

        callers = g_ptr_array_new_with_free_func(g_object_unref);
        hv_test_setup(&t, config);
        /* After the daemon started, so that it keeps the limit it was given. */
        raise_fd_limit();
        kernel = g_build_filename(t.dir, "images", "vmlinux", NULL);
        g_assert_true(g_file_set_contents(kernel, "", 0, NULL));
        for (unsigned i = 0; i < N_PROBES + n_vms; i++) {
                g_autofree char *xml = g_strdup_printf(
                        "<domain type='kvm'><name>%s%u</name><memory unit='MiB'>512</memory><vcpu>1</vcpu>"
                        "<os><type>hvm</type><kernel>%s</kernel></os></domain>",
                        i < N_PROBES ? "probe" : "scale", i, kernel);
                char *path = hv_define(&t, xml);
                if (i < N_PROBES)
                        reader.probes[i] = path;
                else
                        g_ptr_array_add(paths, path);
        }
        for (unsigned i = 0; i < N_PROBES / 2; i++)
                g_ptr_array_add(probe_running, reader.probes[i]);
        call_all(&t, probe_running, "Boot", &probe_boots);
        g_assert_cmpuint(probe_boots.failed, ==, 0);

        g_usleep(200 * 1000);
        anon_before = hv_process_status_kib(t.pid, "RssAnon:");
        rss_before = hv_process_status_kib(t.pid, "VmRSS:");
        fds_before = hv_count_fds(t.pid);

        reader.connection = connect_to_bus(&t);
        reader.latencies = g_array_new(FALSE, FALSE, sizeof(double));
        thread = g_thread_new("reader", reader_thread, &reader);

        boot_s = call_all(&t, paths, "Boot", &boots);
        g_atomic_int_set(&reader.stop, 1);
        g_thread_join(g_steal_pointer(&thread));

        g_usleep(200 * 1000);
        anon_after = hv_process_status_kib(t.pid, "RssAnon:");
        rss_after = hv_process_status_kib(t.pid, "VmRSS:");
        fds_after = hv_count_fds(t.pid);
        running = count_running(&t, paths);

        printf("%u VMs booted at once on the cloud-hypervisor simulator\n", n_vms);
        printf("%-56s %12s\n", "figure", "value");
        printf("%-56s %12u\n", "VMs booted at once", n_vms);
        printf("%-56s %12u\n", "boots failed", boots.failed);
        if (boots.first_error)
                printf("%-56s %s\n", "first boot error", boots.first_error);
        printf("%-56s %12u\n", "VMs running afterwards", running);
        printf("%-56s %12.3f\n", "all Boot calls answered (s)", boot_s);
        printf("%-56s %12u\n", "property reads meanwhile (other VMs)", reader.latencies->len);
        printf("%-56s %12u\n", "property reads failed meanwhile", reader.errors);
        printf("%-56s %12.3f\n", "property read meanwhile, p50 (ms)", percentile(reader.latencies, 0.5));
        printf("%-56s %12.3f\n", "property read meanwhile, p99 (ms)", percentile(reader.latencies, 0.99));
        printf("%-56s %12.3f\n", "property read meanwhile, max (ms)", percentile(reader.latencies, 1.0));
        printf("%-56s %12ld\n", "daemon RssAnon before (KiB)", anon_before);
        printf("%-56s %12ld\n", "daemon RssAnon with all running (KiB)", anon_after);
        printf("%-56s %12.2f\n", "daemon RssAnon per running VM (KiB)", (double) (anon_after - anon_before) / MAX(running, 1u));
        printf("%-56s %12ld\n", "daemon VmRSS before (KiB)", rss_before);
        printf("%-56s %12ld\n", "daemon VmRSS with all running (KiB)", rss_after);
        printf("%-56s %12ld\n", "daemon open fds before", fds_before);
        printf("%-56s %12ld\n", "daemon open fds with all running", fds_after);

        printf("RESULT scale.vms %u count\n", n_vms);
        printf("RESULT scale.failed %u count\n", boots.failed);
        printf("RESULT scale.running %u count\n", running);
        printf("RESULT scale.all_running %s bool\n", running == n_vms ? "yes" : "no");
        printf("RESULT scale.boot_all %.3f s\n", boot_s);
        printf("RESULT scale.read.count %u count\n", reader.latencies->len);
        printf("RESULT scale.read.errors %u count\n", reader.errors);
        printf("RESULT scale.read.p50 %.3f ms\n", percentile(reader.latencies, 0.5));
        printf("RESULT scale.read.p99 %.3f ms\n", percentile(reader.latencies, 0.99));
        printf("RESULT scale.read.max %.3f ms\n", percentile(reader.latencies, 1.0));
        printf("RESULT scale.anon.before %ld KiB\n", anon_before);
        printf("RESULT scale.anon.after %ld KiB\n", anon_after);
        printf("RESULT scale.anon.per_running %.2f KiB\n", (double) (anon_after - anon_before) / MAX(running, 1u));
        printf("RESULT scale.fds.before %ld count\n", fds_before);
        printf("RESULT scale.fds.after %ld count\n", fds_after);
        if (boots.first_error)
                printf("NOTE scale.first_error %s\n", boots.first_error);
        fflush(stdout);

        g_ptr_array_add(paths, g_strdup(reader.probes[0]));
        call_all(&t, paths, "PowerOff", &offs);
        for (unsigned i = 1; i < N_PROBES / 2; i++) {
                g_autoptr(GVariant) r = hv_vm_call(&t, reader.probes[i], "PowerOff", g_variant_new("(a{sv})", NULL),
                                                   NULL, NULL);
        }
        for (unsigned i = 0; i < N_PROBES; i++)
                g_free(reader.probes[i]);
        g_free(boots.first_error);
        g_free(offs.first_error);
        g_free(probe_boots.first_error);
        g_array_unref(reader.latencies);
        g_object_unref(reader.connection);
        g_ptr_array_unref(callers);
        hv_test_teardown(&t);
        return 0;
}
