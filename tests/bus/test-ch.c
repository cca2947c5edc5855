/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The cloud-hypervisor engine through D-Bus, against the simulator the service
 * starts exactly as it would start the real binary (path from hypervisord.conf
 * or from <emulator>). The simulator's control socket plays the guest.
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hv-test.h"

#define VM_IFACE "org.example.Hypervisor.VM"
#define WAIT_MS 30000

typedef struct {
        HvTest t;
        char *kernel; /* an empty file: the simulator only checks that it exists */
} ChTest;

static const char *sim_dir(void) {
        const char *dir = g_getenv("CH_SIM_DIR");
        g_autofree char *binary = NULL;

        if (!dir || !*dir)
                g_error("CH_SIM_DIR is not set: run through meson test");
        binary = g_build_filename(dir, "cloud-hypervisor", NULL);
        if (!g_file_test(binary, G_FILE_TEST_IS_EXECUTABLE))
                g_error("The simulator is missing: '%s'", binary);
        return dir;
}

static void setup(ChTest *c, gconstpointer data) {
        /* Short API time-outs, so that a hung engine is noticed quickly. */
        g_autofree char *config = g_strdup_printf("DefaultEngine=cloud-hypervisor\nMaxOperationsInFlight=%s\n"
                                                  "[cloud-hypervisor]\nBinary=%s/cloud-hypervisor\nAPITimeoutSec=2\n",
                                                  data ? (const char *) data : "200", sim_dir());

        hv_test_setup(&c->t, config);
        c->kernel = g_build_filename(c->t.dir, "images", "vmlinux", NULL);
        g_assert_true(g_file_set_contents(c->kernel, "", 0, NULL));
}

static void teardown(ChTest *c, gconstpointer data) {
        g_autoptr(GVariant) list = hv_manager_call(&c->t, "ListVMs", g_variant_new("(a{sv})", NULL), "(ao)", NULL);

        /* Leave no simulator behind. */
        if (list) {
                g_autoptr(GVariant) paths = g_variant_get_child_value(list, 0);
                GVariantIter iter;
                const char *path;
                g_variant_iter_init(&iter, paths);
                while (g_variant_iter_next(&iter, "&o", &path)) {
                        g_autoptr(GVariant) reply = hv_vm_call(&c->t, path, "PowerOff", g_variant_new("(a{sv})", NULL),
                                                               NULL, NULL);
                }
        }
        g_free(c->kernel);
        hv_test_teardown(&c->t);
}

static char *ch_xml(ChTest *c, const char *name, const char *emulator) {
        g_autofree char *emulator_element = emulator ? g_strdup_printf("<emulator>%s</emulator>", emulator)
                                                     : g_strdup("");
        return g_strdup_printf("<domain type='kvm'><name>%s</name><memory unit='MiB'>512</memory><vcpu>2</vcpu>"
                               "<os><type arch='x86_64'>hvm</type><kernel>%s</kernel>"
                               "<cmdline>console=ttyS0</cmdline></os><devices>%s</devices></domain>",
                               name, c->kernel, emulator_element);
}

static void call_ok(ChTest *c, const char *path, const char *method, GVariant *args) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = hv_vm_call(&c->t, path, method, args ? args : g_variant_new("(a{sv})", NULL),
                                               NULL, &error);
        if (error)
                g_error("%s failed: %s", method, error->message);
}

static GVariant *info(ChTest *c, const char *path) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = hv_vm_call(&c->t, path, "GetInfo", g_variant_new("(a{sv})", NULL), "(a{sv})",
                                               &error);
        g_assert_no_error(error);
        return g_variant_get_child_value(reply, 0);
}

static char *control(ChTest *c, const char *path, const char *command) {
        return hv_ch_sim_control(&c->t, path, command, TRUE);
}

static char *state_of(ChTest *c, const char *path) {
        return hv_vm_state(&c->t, path);
}

/* ---- tests ------------------------------------------------------------------- */

static void test_lifecycle(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml(c, "chvm", NULL);
        g_autofree char *path = hv_define(&c->t, xml);
        g_autoptr(GVariant) engine = hv_get_property(&c->t, path, VM_IFACE, "Engine");
        g_autoptr(GVariant) facts = NULL;
        g_autofree char *s = NULL;
        const char *engine_state = NULL;
        guint32 pid = 0;
        HvSignalLog log;
        GVariantBuilder options;

        g_assert_cmpstr(g_variant_get_string(engine, NULL), ==, "cloud-hypervisor");
        hv_signal_log_start(&log, &c->t, VM_IFACE, path);
        call_ok(c, path, "Boot", NULL);
        hv_expect_state_changed(&log, path, 1, "starting", "user", WAIT_MS);
        hv_expect_state_changed(&log, path, 2, "running", "booted", WAIT_MS);

        facts = info(c, path);
        g_assert_true(g_variant_lookup(facts, "pid", "u", &pid));
        g_assert_cmpuint(pid, >, 0);
        g_assert_true(g_variant_lookup(facts, "engine-state", "&s", &engine_state));
        g_assert_cmpstr(engine_state, ==, "Running");

        call_ok(c, path, "Pause", NULL);
        hv_expect_state_changed(&log, path, 3, "paused", "user", WAIT_MS);
        call_ok(c, path, "Resume", NULL);
        hv_expect_state_changed(&log, path, 4, "running", "user", WAIT_MS);
        call_ok(c, path, "Reboot", NULL);
        hv_expect_guest_event(&log, path, "reset", "vm/rebooted", WAIT_MS);

        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        g_variant_builder_add(&options, "{sv}", "timeout", g_variant_new_uint32(20));
        call_ok(c, path, "Shutdown", g_variant_new("(a{sv})", &options));
        s = state_of(c, path);
        g_assert_cmpstr(s, ==, "shutoff");
        hv_expect_state_changed(&log, path, 5, "shutting-down", "user", WAIT_MS);
        hv_expect_state_changed(&log, path, 6, "shutoff", "user", WAIT_MS);
        hv_signal_log_stop(&log);
}

static void test_emulator_from_xml(ChTest *c, gconstpointer data) {
        /* <emulator> picks the engine and its binary; here the v52 behaviour (all errors 500). */
        g_autofree char *emulator = g_build_filename(sim_dir(), "cloud-hypervisor-v52", NULL);
        g_autofree char *xml = ch_xml(c, "old", emulator);
        g_autofree char *path = NULL;
        g_autoptr(GVariant) facts = NULL;
        const char *version = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        /* The default engine is cloud-hypervisor here; <emulator> must win over a qemu default too. */
        path = hv_define(&c->t, xml);
        call_ok(c, path, "Boot", NULL);
        facts = info(c, path);
        g_assert_true(g_variant_lookup(facts, "engine-version", "&s", &version));
        g_test_message("engine version: %s", version);
        g_assert_nonnull(strstr(version, "v52"));
        /* An error answered with v52's blanket 500 still reaches the user as a state error. */
        reply = hv_vm_call(&c->t, path, "Resume", g_variant_new("(a{sv})", NULL), NULL, &error);
        hv_assert_error(error, "org.example.Hypervisor.Error.InvalidState", "running");
}

static void test_guest_poweroff(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml(c, "selfoff", NULL);
        g_autofree char *path = hv_define(&c->t, xml);
        g_autofree char *answer = NULL;
        HvSignalLog log;

        hv_signal_log_start(&log, &c->t, VM_IFACE, path);
        call_ok(c, path, "Boot", NULL);
        answer = control(c, path, "poweroff");
        hv_expect_guest_event(&log, path, "shutdown", "vm/shutdown", WAIT_MS);
        hv_expect_state_changed(&log, path, 3, "shutoff", "guest", WAIT_MS);
        hv_signal_log_stop(&log);
}

static void test_guest_panic(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml(c, "panicky", NULL);
        g_autofree char *path = hv_define(&c->t, xml);
        g_autofree char *answer = NULL;
        HvSignalLog log;

        hv_signal_log_start(&log, &c->t, VM_IFACE, path);
        call_ok(c, path, "Boot", NULL);
        answer = control(c, path, "panic");
        hv_expect_guest_event(&log, path, "panicked", "guest/panic", WAIT_MS);
        hv_signal_log_stop(&log);
}

static void test_engine_crash(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml(c, "crashy", NULL);
        g_autofree char *path = hv_define(&c->t, xml);
        g_autoptr(GVariant) facts = NULL;
        const char *tail = NULL;
        HvSignalLog log;

        hv_signal_log_start(&log, &c->t, VM_IFACE, path);
        call_ok(c, path, "Boot", NULL);
        /* 'crash' kills the simulator before it can answer: send it without waiting. */
        g_assert_null(hv_ch_sim_control(&c->t, path, "crash", FALSE));
        hv_expect_state_changed(&log, path, 3, "crashed", "engine-crashed", WAIT_MS);
        facts = info(c, path);
        g_assert_true(g_variant_lookup(facts, "log-tail", "&s", &tail));
        hv_signal_log_stop(&log);
}

typedef struct {
        gboolean done;
        GError *error;
        gint64 finished;
} AsyncCall;

static void on_async_done(GObject *source, GAsyncResult *result, gpointer userdata) {
        AsyncCall *call = userdata;
        g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &call->error);

        call->finished = g_get_monotonic_time();
        call->done = TRUE;
}

static gboolean async_done(gpointer data) {
        return ((AsyncCall *) data)->done;
}

static void test_hang_isolated(ChTest *c, gconstpointer data) {
        g_autofree char *xml_a = ch_xml(c, "hung", NULL);
        g_autofree char *xml_b = ch_xml(c, "healthy", NULL);
        g_autofree char *a = hv_define(&c->t, xml_a);
        g_autofree char *b = hv_define(&c->t, xml_b);
        g_autofree char *answer = NULL;
        AsyncCall pause = { 0 };
        double worst_ms = 0;

        call_ok(c, a, "Boot", NULL);
        call_ok(c, b, "Boot", NULL);
        answer = control(c, a, "hang");
        g_dbus_connection_call(c->t.connection, "org.example.Hypervisor", a, VM_IFACE, "Pause",
                               g_variant_new("(a{sv})", NULL), NULL, G_DBUS_CALL_FLAGS_NONE, 60000, NULL,
                               on_async_done, &pause);
        /* While A's call hangs, B and the manager answer. */
        for (int i = 0; i < 20 && !pause.done; i++) {
                gint64 t0 = g_get_monotonic_time();
                g_autoptr(GVariant) facts = info(c, b);
                g_autoptr(GVariant) list = hv_manager_call(&c->t, "ListVMs", g_variant_new("(a{sv})", NULL), "(ao)",
                                                           NULL);
                double ms = (double) (g_get_monotonic_time() - t0) / 1000.0;
                worst_ms = MAX(worst_ms, ms);
                g_assert_nonnull(list);
                g_usleep(20000);
        }
        g_test_message("slowest GetInfo+ListVMs on other objects while one engine hung: %.2f ms", worst_ms);
        g_assert_false(pause.done); /* those calls were answered while A's was still pending */
        hv_wait_until("the hung call to time out", async_done, &pause, WAIT_MS);
        hv_assert_error(pause.error, "org.example.Hypervisor.Error.Timeout", "'hung'");
        g_clear_error(&pause.error);
        {
                g_autofree char *s = state_of(c, b);
                g_assert_cmpstr(s, ==, "running");
        }
}

static void test_hotplug(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml(c, "plug", NULL);
        g_autofree char *path = hv_define(&c->t, xml);
        g_autofree char *disk = g_build_filename(c->t.dir, "images", "extra.raw", NULL);
        g_autofree char *answer = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        AsyncCall removal = { 0 };
        const char *id;
        HvSignalLog log;

        g_assert_true(g_file_set_contents(disk, "", 0, NULL));
        hv_signal_log_start(&log, &c->t, VM_IFACE, path);
        call_ok(c, path, "Boot", NULL);
        reply = hv_vm_call(&c->t, path, "AddDevice",
                           g_variant_new("(sa{sv})",
                                         "<disk type='file' device='disk'><source file='extra.raw'/>"
                                         "<target dev='vdb' bus='virtio'/><alias name='ua-extra'/></disk>",
                                         NULL),
                           "(s)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(&s)", &id);
        g_assert_cmpstr(id, ==, "ua-extra");
        g_variant_unref(hv_signal_log_wait(&log, "DeviceAdded", path, 1, WAIT_MS));

        /* Removal completes only when the guest acknowledges it. */
        g_free(control(c, path, "manual-ack on"));
        g_dbus_connection_call(c->t.connection, "org.example.Hypervisor", path, VM_IFACE, "RemoveDevice",
                               g_variant_new("(sa{sv})", "ua-extra", NULL), NULL, G_DBUS_CALL_FLAGS_NONE, 60000, NULL,
                               on_async_done, &removal);
        g_usleep(300000);
        while (g_main_context_iteration(NULL, FALSE))
                ;
        g_assert_false(removal.done);
        answer = control(c, path, "ack-remove ua-extra");
        hv_wait_until("the removal to complete", async_done, &removal, WAIT_MS);
        g_assert_no_error(removal.error);
        g_variant_unref(hv_signal_log_wait(&log, "DeviceRemoved", path, 1, WAIT_MS));
        hv_expect_guest_event(&log, path, "device-removed", "vm/device-removed", WAIT_MS);
        hv_signal_log_stop(&log);
}

static void test_snapshot_restore(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml(c, "snappy", NULL);
        g_autofree char *path = hv_define(&c->t, xml);
        g_autofree char *snapshot = g_build_filename(c->t.dir, "snap", NULL);
        g_autofree char *before = NULL;
        g_autofree char *after = NULL;
        g_autofree char *s = NULL;
        GVariantBuilder options;
        long at_snapshot, restored;

        call_ok(c, path, "Boot", NULL);
        g_usleep(500000);
        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        g_variant_builder_add(&options, "{sv}", "stop", g_variant_new_boolean(FALSE));
        call_ok(c, path, "Pause", NULL);
        before = control(c, path, "counter");
        call_ok(c, path, "Snapshot", g_variant_new("(sa{sv})", snapshot, &options));
        s = state_of(c, path);
        g_assert_cmpstr(s, ==, "paused"); /* back to the state it was in */
        call_ok(c, path, "PowerOff", NULL);

        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        call_ok(c, path, "Restore", g_variant_new("(sa{sv})", snapshot, &options));
        g_free(s);
        s = state_of(c, path);
        g_assert_cmpstr(s, ==, "paused");
        after = control(c, path, "counter");
        at_snapshot = strtol(before + 3, NULL, 10);
        restored = strtol(after + 3, NULL, 10);
        g_test_message("counter at snapshot %ld, after restore %ld", at_snapshot, restored);
        g_assert_cmpint(at_snapshot, >, 0);
        g_assert_cmpint(restored, ==, at_snapshot);
        call_ok(c, path, "Resume", NULL);
}

static gboolean all_running(gpointer data) {
        GPtrArray *calls = data;
        for (guint i = 0; i < calls->len; i++)
                if (!((AsyncCall *) g_ptr_array_index(calls, i))->done)
                        return FALSE;
        return TRUE;
}

static void test_fifty_at_once(ChTest *c, gconstpointer data) {
        g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) calls = g_ptr_array_new_with_free_func(g_free);
        gint64 start;

        for (unsigned i = 0; i < 50; i++) {
                g_autofree char *name = g_strdup_printf("many%u", i);
                g_autofree char *xml = ch_xml(c, name, NULL);
                g_ptr_array_add(paths, hv_define(&c->t, xml));
        }
        start = g_get_monotonic_time();
        for (unsigned i = 0; i < 50; i++) {
                AsyncCall *call = g_new0(AsyncCall, 1);
                g_ptr_array_add(calls, call);
                g_dbus_connection_call(c->t.connection, "org.example.Hypervisor", paths->pdata[i], VM_IFACE, "Boot",
                                       g_variant_new("(a{sv})", NULL), NULL, G_DBUS_CALL_FLAGS_NONE, 120000, NULL,
                                       on_async_done, call);
        }
        hv_wait_until("50 boots", all_running, calls, 120000);
        g_test_message("50 VMs booted at once in %.0f ms", (double) (g_get_monotonic_time() - start) / 1000.0);
        for (unsigned i = 0; i < 50; i++) {
                AsyncCall *call = calls->pdata[i];
                g_autofree char *s = NULL;
                g_assert_no_error(call->error);
                s = state_of(c, paths->pdata[i]);
                g_assert_cmpstr(s, ==, "running");
        }
}

typedef struct {
        ChTest *c;
        const char *path;
} ShutoffWait;

static gboolean is_shutoff(gpointer data) {
        ShutoffWait *w = data;
        g_autofree char *s = state_of(w->c, w->path);
        return g_str_equal(s, "shutoff");
}

static void test_daemon_restart(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml(c, "keeps", NULL);
        g_autofree char *path = hv_define(&c->t, xml);
        g_autoptr(GVariant) pid_before = NULL;
        g_autoptr(GVariant) pid_after = NULL;
        g_autoptr(GVariant) reason = NULL;
        g_autofree char *s = NULL;
        g_autofree char *counter = NULL;

        call_ok(c, path, "Boot", NULL);
        pid_before = hv_get_property(&c->t, path, VM_IFACE, "PID");
        hv_test_stop_daemon(&c->t, SIGKILL);
        hv_test_start_daemon(&c->t);

        /* The same simulator process, still running, and every verb works on it. */
        pid_after = hv_get_property(&c->t, path, VM_IFACE, "PID");
        g_assert_cmpuint(g_variant_get_uint32(pid_after), ==, g_variant_get_uint32(pid_before));
        s = state_of(c, path);
        g_assert_cmpstr(s, ==, "running");
        reason = hv_get_property(&c->t, path, VM_IFACE, "StateReason");
        g_assert_cmpstr(g_variant_get_string(reason, NULL), ==, "daemon-restart");
        call_ok(c, path, "Pause", NULL);
        counter = control(c, path, "state");
        g_assert_cmpstr(counter, ==, "ok Paused");
        call_ok(c, path, "Resume", NULL);
        /* Its exit is still seen: a guest power-off while re-attached. */
        g_free(control(c, path, "poweroff"));
        {
                ShutoffWait w = { c, path };
                hv_wait_until("the re-attached VM to be off", is_shutoff, &w, WAIT_MS);
        }
}

typedef struct {
        unsigned done;
        unsigned limited;
} InfoCalls;

static void on_info_done(GObject *source, GAsyncResult *result, gpointer userdata) {
        InfoCalls *calls = userdata;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
        g_autofree char *name = error ? g_dbus_error_get_remote_error(error) : NULL;

        calls->done++;
        if (g_strcmp0(name, "org.freedesktop.DBus.Error.LimitsExceeded") == 0)
                calls->limited++;
}

static gboolean info_calls_done(gpointer data) {
        return ((InfoCalls *) data)->done == 4;
}

static void test_operations_limit(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml(c, "limited", NULL);
        g_autofree char *path = hv_define(&c->t, xml);
        g_autofree char *control_path = NULL;
        InfoCalls calls = { 0 };

        /* With MaxOperationsInFlight=3 and a hung engine, a fourth call is refused at once. */
        call_ok(c, path, "Boot", NULL);
        control_path = hv_ch_sim_control_path(&c->t, path);
        g_free(hv_ch_sim_control_at(control_path, "hang", TRUE));
        for (int i = 0; i < 4; i++)
                g_dbus_connection_call(c->t.connection, "org.example.Hypervisor", path, VM_IFACE, "GetInfo",
                                       g_variant_new("(a{sv})", NULL), NULL, G_DBUS_CALL_FLAGS_NONE, 60000, NULL,
                                       on_info_done, &calls);
        hv_wait_until("the calls to end", info_calls_done, &calls, WAIT_MS);
        g_assert_cmpuint(calls.limited, ==, 1);
        /* The limit is about calls in flight: once they ended, calls go through again. */
        g_free(hv_ch_sim_control_at(control_path, "unhang", TRUE));
        g_variant_unref(info(c, path));
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, ChTest, NULL, setup, fn, teardown)
        ADD("/ch/lifecycle", test_lifecycle);
        ADD("/ch/emulator-from-xml", test_emulator_from_xml);
        ADD("/ch/guest-poweroff", test_guest_poweroff);
        ADD("/ch/guest-panic", test_guest_panic);
        ADD("/ch/engine-crash", test_engine_crash);
        ADD("/ch/hang-isolated", test_hang_isolated);
        ADD("/ch/hotplug", test_hotplug);
        ADD("/ch/snapshot-restore", test_snapshot_restore);
        ADD("/ch/fifty-at-once", test_fifty_at_once);
        g_test_add("/ch/operations-limit", ChTest, "3", setup, test_operations_limit, teardown);
        ADD("/ch/daemon-restart", test_daemon_restart);
#undef ADD
        return g_test_run();
}
