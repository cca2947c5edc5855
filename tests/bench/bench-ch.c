/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The cloud-hypervisor engine's figures, against the simulator:
 *   - N VMs booted at once: total time, time per VM, daemon RSS after;
 *   - GetInfo calls per second on a running VM (it asks the engine each time);
 *   - engine event to D-Bus signal: a guest reboot asked through the simulator's
 *     control socket, to the GuestEvent arriving at this client (an upper
 *     bound: it includes the control round trip).
 *
 *   build/tests/bench/bench-ch [N_VMS] [N_CALLS]
 *
 * The event figure is also given net of the control round trip (the median
 * answer time of a control command that emits no event), and as
 * `RESULT key value unit` lines for run-benchmarks.sh.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bench-stats.h"
#include "hv-test.h"

#define VM_IFACE "org.example.Hypervisor.VM"
/* Guest events timed for the event-monitor figure: enough for a p99 that is not the worst one. */
#define EVENT_SAMPLES 200

typedef struct {
        unsigned done;
        unsigned failed;
} Boots;

static void on_boot(GObject *source, GAsyncResult *result, gpointer userdata) {
        Boots *boots = userdata;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

        boots->done++;
        if (error) {
                boots->failed++;
                g_printerr("boot failed: %s\n", error->message);
        }
}

static unsigned n_target;

static gboolean all_booted(gpointer data) {
        return ((Boots *) data)->done >= n_target;
}

int main(int argc, char *argv[]) {
        unsigned n_vms = argc > 1 ? (unsigned) atoi(argv[1]) : 100;
        unsigned n_calls = argc > 2 ? (unsigned) atoi(argv[2]) : 2000;
        const char *sim = g_getenv("CH_SIM_DIR") ? g_getenv("CH_SIM_DIR") : CH_SIM_DIR_DEFAULT;
        g_autofree char *config = g_strdup_printf("MaxVMsPerUser=100000\nMaxOperationsInFlight=100000\nDefaultEngine=cloud-hypervisor\n"
                                                  "[cloud-hypervisor]\nBinary=%s/cloud-hypervisor\n",
                                                  sim);
        g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *kernel = NULL;
        g_autofree double *lat = g_new(double, EVENT_SAMPLES);
        g_autofree double *net = g_new(double, EVENT_SAMPLES);
        g_autofree double *control_rtt = g_new(double, EVENT_SAMPLES);
        double control_p50;
        g_autofree char *control_path = NULL;
        Boots boots = { 0 };
        HvTest t;
        gint64 start;
        double boot_s, info_s;
        long rss_before, rss_after;

        hv_test_setup(&t, config);
        kernel = g_build_filename(t.dir, "images", "vmlinux", NULL);
        g_assert_true(g_file_set_contents(kernel, "", 0, NULL));
        for (unsigned i = 0; i < n_vms; i++) {
                g_autofree char *xml = g_strdup_printf(
                        "<domain type='kvm'><name>ch%u</name><memory unit='MiB'>512</memory><vcpu>1</vcpu>"
                        "<os><type>hvm</type><kernel>%s</kernel></os></domain>",
                        i, kernel);
                g_ptr_array_add(paths, hv_define(&t, xml));
        }
        rss_before = hv_process_status_kib(t.pid, "VmRSS:");

        n_target = n_vms;
        start = g_get_monotonic_time();
        for (unsigned i = 0; i < n_vms; i++)
                g_dbus_connection_call(t.connection, "org.example.Hypervisor", paths->pdata[i], VM_IFACE, "Boot",
                                       g_variant_new("(a{sv})", NULL), NULL, G_DBUS_CALL_FLAGS_NONE, 600000, NULL,
                                       on_boot, &boots);
        hv_wait_until("every boot to answer", all_booted, &boots, 600000);
        boot_s = (double) (g_get_monotonic_time() - start) / 1e6;
        rss_after = hv_process_status_kib(t.pid, "VmRSS:");

        start = g_get_monotonic_time();
        for (unsigned i = 0; i < n_calls; i++) {
                g_autoptr(GVariant) reply = hv_vm_call(&t, paths->pdata[0], "GetInfo", g_variant_new("(a{sv})", NULL),
                                                       "(a{sv})", NULL);
                g_assert_nonnull(reply);
        }
        info_s = (double) (g_get_monotonic_time() - start) / 1e6;

        control_path = hv_ch_sim_control_path(&t, paths->pdata[1]);
        for (unsigned i = 0; i < EVENT_SAMPLES; i++) {
                gint64 t0 = g_get_monotonic_time();
                g_free(hv_ch_sim_control_at(control_path, "state", TRUE));
                control_rtt[i] = (double) (g_get_monotonic_time() - t0) / 1000.0;
        }
        control_p50 = bench_median(control_rtt, EVENT_SAMPLES);
        for (unsigned i = 0; i < EVENT_SAMPLES; i++) {
                HvSignalLog log;
                g_autoptr(GVariant) body = NULL;
                gint64 t0;

                hv_signal_log_start(&log, &t, VM_IFACE, paths->pdata[1]);
                {
                        /* A round trip to the bus, so that the match rule is in place before the event. */
                        g_autoptr(GVariant) id = g_dbus_connection_call_sync(
                                t.connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                "GetId", NULL, G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
                }
                t0 = g_get_monotonic_time();
                g_free(hv_ch_sim_control_at(control_path, "reboot", TRUE));
                body = hv_signal_log_wait(&log, "GuestEvent", paths->pdata[1], 1, 10000);
                lat[i] = (double) (g_get_monotonic_time() - t0) / 1000.0;
                hv_signal_log_stop(&log);
                net[i] = lat[i] - control_p50;
        }

        printf("cloud-hypervisor engine against the simulator\n");
        printf("%-56s %12s\n", "figure", "value");
        printf("%-56s %12u\n", "VMs booted at once", n_vms);
        printf("%-56s %12u\n", "boots failed", boots.failed);
        printf("%-56s %12.3f\n", "all booted (s)", boot_s);
        printf("%-56s %12.2f\n", "per VM (ms)", boot_s * 1000 / n_vms);
        printf("%-56s %12ld\n", "daemon VmRSS before (KiB)", rss_before);
        printf("%-56s %12ld\n", "daemon VmRSS with all running (KiB)", rss_after);
        printf("%-56s %12.0f\n", "GetInfo calls/s on a running VM (one client)", n_calls / info_s);
        printf("%-56s %12.2f\n", "guest event -> GuestEvent at client, p50 (ms)", bench_median(lat, EVENT_SAMPLES));
        printf("%-56s %12.2f\n", "guest event -> GuestEvent at client, p99 (ms)", bench_percentile(lat, EVENT_SAMPLES, 0.99));
        printf("%-56s %12.2f\n", "control round trip without event, p50 (ms)", control_p50);
        printf("%-56s %12.2f\n", "  event -> GuestEvent net of that, p99 (ms)", bench_percentile(net, EVENT_SAMPLES, 0.99));
        printf("RESULT ch.vms %u count\n", n_vms);
        printf("RESULT ch.boot_all %.3f s\n", boot_s);
        printf("RESULT ch.getinfo.rate %.0f calls/s\n", n_calls / info_s);
        printf("RESULT ch.event.p50 %.3f ms\n", bench_median(lat, EVENT_SAMPLES));
        printf("RESULT ch.event.p99 %.3f ms\n", bench_percentile(lat, EVENT_SAMPLES, 0.99));
        printf("RESULT ch.control.p50 %.3f ms\n", control_p50);
        printf("RESULT ch.event.net.p50 %.3f ms\n", bench_median(net, EVENT_SAMPLES));
        printf("RESULT ch.event.net.p99 %.3f ms\n", bench_percentile(net, EVENT_SAMPLES, 0.99));
        printf("RESULT ch.event.samples %d count\n", EVENT_SAMPLES);

        for (unsigned i = 0; i < n_vms; i++) {
                g_autoptr(GVariant) r = hv_vm_call(&t, paths->pdata[i], "PowerOff", g_variant_new("(a{sv})", NULL),
                                                   NULL, NULL);
        }
        hv_test_teardown(&t);
        return 0;
}
