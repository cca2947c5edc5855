/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Re-attach after a crash: N running VMs on the cloud-hypervisor simulator (some
 * of them paused), hypervisord killed with SIGKILL and started again. Measured
 * from the spawn of the new daemon to
 *   - its bus name being owned (the VM objects exist from then on), and
 *   - every VM answering GetInfo from its engine with the same pid, in the state
 *     it had (running or paused, reason daemon-restart).
 * The same restart with no VM running gives the daemon's own start-up for
 * comparison. Medians over the rounds.
 *
 *   build-X/tests/bench/bench-reattach [N_VMS=50] [ROUNDS=5]
 *
 * Also prints `RESULT key value unit` lines.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-stats.h"
#include "hv-test.h"

#define VM_IFACE "org.example.Hypervisor.VM"

typedef struct {
        HvTest *t;
        GPtrArray *paths;
        guint32 *pids;
        unsigned answered;
        unsigned wrong;
} Check;

typedef struct {
        Check *check;
        unsigned index;
} CheckCall;

static void on_info(GObject *source, GAsyncResult *result, gpointer userdata) {
        CheckCall *call = userdata;
        Check *check = call->check;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
        g_autoptr(GVariant) facts = NULL;
        guint32 pid = 0;
        const char *state = NULL, *reason = NULL;
        bool paused = call->index % 10 == 0;

        check->answered++;
        if (error) {
                g_printerr("GetInfo of %s: %s\n", (char *) g_ptr_array_index(check->paths, call->index),
                           error->message);
                check->wrong++;
        } else {
                facts = g_variant_get_child_value(reply, 0);
                g_variant_lookup(facts, "pid", "u", &pid);
                g_variant_lookup(facts, "state", "&s", &state);
                g_variant_lookup(facts, "state-reason", "&s", &reason);
                if (pid != check->pids[call->index] || g_strcmp0(state, paused ? "paused" : "running") != 0 ||
                    g_strcmp0(reason, "daemon-restart") != 0) {
                        g_printerr("VM %u came back wrong: pid %u (was %u), %s (%s)\n", call->index, pid,
                                   check->pids[call->index], state, reason);
                        check->wrong++;
                }
        }
        g_free(call);
}

static gboolean all_answered(gpointer data) {
        Check *check = data;
        return check->answered == check->paths->len;
}

/* SIGKILL the daemon, start it again; the two times in ms since the spawn. */
static void restart_and_measure(HvTest *t, GPtrArray *paths, guint32 *pids, double *ret_name_ms,
                                double *ret_all_ms) {
        Check check = { .t = t, .paths = paths, .pids = pids };
        gint64 spawned;

        hv_test_stop_daemon(t, SIGKILL);
        spawned = g_get_monotonic_time();
        hv_test_start_daemon(t);
        *ret_name_ms = (g_get_monotonic_time() - spawned) / 1000.0;
        for (unsigned i = 0; i < paths->len; i++) {
                CheckCall *call = g_new0(CheckCall, 1);
                call->check = &check;
                call->index = i;
                g_dbus_connection_call(t->connection, "org.example.Hypervisor", g_ptr_array_index(paths, i),
                                       VM_IFACE, "GetInfo", g_variant_new("(a{sv})", NULL), G_VARIANT_TYPE("(a{sv})"),
                                       G_DBUS_CALL_FLAGS_NONE, 60000, NULL, on_info, call);
        }
        hv_wait_until("every VM to answer", all_answered, &check, 60000);
        *ret_all_ms = (g_get_monotonic_time() - spawned) / 1000.0;
        if (check.wrong > 0) {
                g_printerr("%u VMs did not come back right\n", check.wrong);
                exit(EXIT_FAILURE);
        }
}

static void call_ok(HvTest *t, const char *path, const char *method) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        reply = hv_vm_call(t, path, method, g_variant_new("(a{sv})", NULL), NULL, &error);
        if (error) {
                g_printerr("%s of %s failed: %s\n", method, path, error->message);
                exit(EXIT_FAILURE);
        }
}

int main(int argc, char *argv[]) {
        unsigned n_vms = argc > 1 ? (unsigned) atoi(argv[1]) : 50;
        unsigned rounds = argc > 2 ? (unsigned) atoi(argv[2]) : 5;
        const char *sim = g_getenv("CH_SIM_DIR") ? g_getenv("CH_SIM_DIR") : CH_SIM_DIR_DEFAULT;
        g_autofree char *config = g_strdup_printf("MaxVMsPerUser=100000\nMaxOperationsInFlight=100000\n"
                                                  "DefaultEngine=cloud-hypervisor\n"
                                                  "[cloud-hypervisor]\nBinary=%s/cloud-hypervisor\n",
                                                  sim);
        g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) none = g_ptr_array_new();
        g_autofree guint32 *pids = NULL;
        g_autofree double *name_ms = NULL, *all_ms = NULL, *empty_name_ms = NULL, *empty_all_ms = NULL;
        g_autofree char *kernel = NULL;
        char label[64];
        HvTest t;

        if (rounds == 0)
                rounds = 1;
        pids = g_new0(guint32, MAX(n_vms, 1));
        name_ms = g_new0(double, rounds);
        all_ms = g_new0(double, rounds);
        empty_name_ms = g_new0(double, rounds);
        empty_all_ms = g_new0(double, rounds);

        hv_test_setup(&t, config);
        kernel = g_build_filename(t.dir, "images", "vmlinux", NULL);
        g_assert_true(g_file_set_contents(kernel, "", 0, NULL));

        /* The daemon's own restart, nothing to take back. */
        for (unsigned r = 0; r < rounds; r++)
                restart_and_measure(&t, none, pids, &empty_name_ms[r], &empty_all_ms[r]);

        for (unsigned i = 0; i < n_vms; i++) {
                g_autofree char *xml = g_strdup_printf(
                        "<domain type='kvm'><name>reattach-%u</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                        "<os><type arch='x86_64'>hvm</type><kernel>%s</kernel></os></domain>",
                        i, kernel);
                g_ptr_array_add(paths, hv_define(&t, xml));
        }
        for (unsigned i = 0; i < n_vms; i++) {
                g_autoptr(GVariant) pid = NULL;

                call_ok(&t, g_ptr_array_index(paths, i), "Boot");
                if (i % 10 == 0)
                        call_ok(&t, g_ptr_array_index(paths, i), "Pause");
                pid = hv_get_property(&t, g_ptr_array_index(paths, i), VM_IFACE, "PID");
                pids[i] = g_variant_get_uint32(pid);
        }
        for (unsigned r = 0; r < rounds; r++)
                restart_and_measure(&t, paths, pids, &name_ms[r], &all_ms[r]);

        printf("Re-attach after SIGKILL, %u rounds, medians (ms from the new daemon's spawn):\n", rounds);
        printf("%-28s %12s %18s\n", "", "bus name", "all VMs answer");
        printf("%-28s %12.1f %18.1f\n", "no VM running", bench_median(empty_name_ms, rounds),
               bench_median(empty_all_ms, rounds));
        g_snprintf(label, sizeof(label), "%u VMs running (%u paused)", n_vms, (n_vms + 9) / 10);
        printf("%-28s %12.1f %18.1f\n", label, bench_median(name_ms, rounds), bench_median(all_ms, rounds));
        printf("%-28s %12s %18.2f\n", "per VM (difference / N)", "",
               n_vms ? (bench_median(all_ms, rounds) - bench_median(empty_all_ms, rounds)) / n_vms : 0.0);
        printf("RESULT reattach_%u_vms_ms %.1f ms\n", n_vms, bench_median(all_ms, rounds));
        printf("RESULT reattach_empty_ms %.1f ms\n", bench_median(empty_all_ms, rounds));

        for (unsigned i = 0; i < n_vms; i++)
                call_ok(&t, g_ptr_array_index(paths, i), "PowerOff");
        hv_test_teardown(&t);
        return 0;
}
