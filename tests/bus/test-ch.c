/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The cloud-hypervisor engine through D-Bus, against the simulator the service
 * starts exactly as it would start the real binary (path from hypervisord.conf
 * or from <emulator>). The simulator's control socket plays the guest.
 */

#include <errno.h>
#include <gio/gunixfdlist.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
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

static void setup_with(ChTest *c, const char *max_operations, const char *engine_lines) {
        /* Short API time-outs, so that a hung engine is noticed quickly. */
        g_autofree char *config = g_strdup_printf("DefaultEngine=cloud-hypervisor\nMaxOperationsInFlight=%s\n"
                                                  "[cloud-hypervisor]\nBinary=%s/cloud-hypervisor\nAPITimeoutSec=2\n%s",
                                                  max_operations, sim_dir(), engine_lines);

        hv_test_setup(&c->t, config);
        c->kernel = g_build_filename(c->t.dir, "images", "vmlinux", NULL);
        g_assert_true(g_file_set_contents(c->kernel, "", 0, NULL));
}

static void setup(ChTest *c, gconstpointer data) {
        setup_with(c, data ? (const char *) data : "200", "");
}

/* cloud-hypervisor started with --no-shutdown, as hypervisord.conf asks. */
static void setup_no_shutdown(ChTest *c, gconstpointer data) {
        setup_with(c, "200", "NoShutdown=true\n");
}

/* The configured binary is missing: only a VM's own <emulator> can run. */
static void setup_no_default_binary(ChTest *c, gconstpointer data) {
        g_autofree char *config = g_strdup_printf("DefaultEngine=cloud-hypervisor\n[cloud-hypervisor]\n"
                                                  "Binary=%s/missing/cloud-hypervisor\nAPITimeoutSec=2\n",
                                                  sim_dir());

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

static char *ch_xml_with(ChTest *c, const char *name, const char *emulator, const char *devices) {
        g_autofree char *emulator_element = emulator ? g_strdup_printf("<emulator>%s</emulator>", emulator)
                                                     : g_strdup("");
        return g_strdup_printf("<domain type='kvm'><name>%s</name><memory unit='MiB'>512</memory><vcpu>2</vcpu>"
                               "<os><type arch='x86_64'>hvm</type><kernel>%s</kernel>"
                               "<cmdline>console=ttyS0</cmdline></os><devices>%s%s</devices></domain>",
                               name, c->kernel, emulator_element, devices ? devices : "");
}

static char *ch_xml(ChTest *c, const char *name, const char *emulator) {
        return ch_xml_with(c, name, emulator, NULL);
}

/* With lifecycle elements (<on_crash>, <on_reboot>...) after <devices>. */
static char *ch_xml_lifecycle(ChTest *c, const char *name, const char *lifecycle) {
        g_autofree char *xml = ch_xml(c, name, NULL);
        g_autofree char *head = g_strndup(xml, strlen(xml) - strlen("</domain>"));
        return g_strconcat(head, lifecycle, "</domain>", NULL);
}

/* The nth GuestEvent of path, whose name must be event: its details. */
static GVariant *nth_guest_event(HvSignalLog *log, const char *path, unsigned n, const char *event) {
        g_autoptr(GVariant) body = hv_signal_log_wait(log, "GuestEvent", path, n, WAIT_MS);
        GVariant *details = NULL;
        const char *name = NULL;
        g_variant_get(body, "(&s@a{sv})", &name, &details);
        g_assert_cmpstr(name, ==, event);
        return details;
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

/* The example of libvirt's Cloud Hypervisor driver page (docs/drvch.rst in libvirt,
 * LGPL-2.1-or-later, as of 2024): <kernel> names the firmware, found in the firmware
 * directories; memory in G; no arch, no <emulator>, an ethernet interface without a tap
 * name. It defines on this engine as written, gets a MAC, and its GetXML defines again. */
static void test_libvirt_driver_page_example(ChTest *c, gconstpointer data) {
        static const char xml[] = "<domain type='kvm'>\n"
                                  "  <name>cloudhypervisor</name>\n"
                                  "  <uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>\n"
                                  "  <os>\n"
                                  "    <type>hvm</type>\n"
                                  "    <kernel>hypervisor-fw</kernel>\n"
                                  "  </os>\n"
                                  "  <memory unit='G'>2</memory>\n"
                                  "  <devices>\n"
                                  "    <disk type='file'>\n"
                                  "      <source file='disk.raw'/>\n"
                                  "      <target dev='vda' bus='virtio'/>\n"
                                  "    </disk>\n"
                                  "    <interface type='ethernet'>\n"
                                  "      <model type='virtio'/>\n"
                                  "    </interface>\n"
                                  "  </devices>\n"
                                  "  <vcpu>2</vcpu>\n"
                                  "</domain>\n";
        g_autofree char *path = hv_define(&c->t, xml);
        g_autofree char *again = NULL;
        g_autoptr(GVariant) engine = hv_get_property(&c->t, path, VM_IFACE, "Engine");
        g_autoptr(GVariant) memory = hv_get_property(&c->t, path, VM_IFACE, "Memory");
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        const char *written;

        g_assert_cmpstr(g_variant_get_string(engine, NULL), ==, "cloud-hypervisor");
        g_assert_cmpuint(g_variant_get_uint64(memory), ==, 2ull << 30);
        reply = hv_vm_call(&c->t, path, "GetXML", g_variant_new("(a{sv})", NULL), "(s)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(&s)", &written);
        g_test_message("%s", written);
        g_assert_nonnull(strstr(written, "<interface type='ethernet'>"));
        g_assert_nonnull(strstr(written, "<mac address='52:54:00:"));
        g_assert_nonnull(strstr(written, "disk.raw"));
        again = hv_define(&c->t, written);
        g_assert_cmpstr(again, ==, path);
}

/* libvirt's own Cloud Hypervisor example (tests/chxml2xmlin/basic.xml in libvirt,
 * LGPL-2.1-or-later, as of 2024) defines on this engine as written, and its GetXML defines
 * again, with its <clock offset='utc'>, <boot dev='hd'> and the console's <target>. */
static void test_libvirt_example(ChTest *c, gconstpointer data) {
        static const char xml[] =
                "<domain type='kvm'>\n"
                "  <name>cloudhypervisor</name>\n"
                "  <uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>\n"
                "  <memory unit='KiB'>2097152</memory>\n"
                "  <currentMemory unit='KiB'>2097152</currentMemory>\n"
                "  <vcpu placement='static'>2</vcpu>\n"
                "  <os>\n"
                "    <type arch='x86_64'>hvm</type>\n"
                "    <kernel>/path/to/hypervisor-fw</kernel>\n"
                "    <boot dev='hd'/>\n"
                "  </os>\n"
                "  <clock offset='utc'/>\n"
                "  <on_poweroff>destroy</on_poweroff>\n"
                "  <on_reboot>restart</on_reboot>\n"
                "  <on_crash>destroy</on_crash>\n"
                "  <devices>\n"
                "    <emulator>/usr/local/bin/cloud-hypervisor</emulator>\n"
                "    <disk type='file' device='disk'>\n"
                "      <source file='/path/to/disk.raw'/>\n"
                "      <target dev='vda' bus='virtio'/>\n"
                "    </disk>\n"
                "    <interface type='ethernet'>\n"
                "      <mac address='52:54:00:5c:e4:84'/>\n"
                "      <model type='virtio'/>\n"
                "    </interface>\n"
                "    <console type='pty'>\n"
                "      <target type='serial' port='0'/>\n"
                "    </console>\n"
                "  </devices>\n"
                "</domain>\n";
        g_autofree char *path = hv_define(&c->t, xml);
        g_autofree char *again = NULL;
        g_autoptr(GVariant) engine = hv_get_property(&c->t, path, VM_IFACE, "Engine");
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        const char *written;

        g_assert_cmpstr(g_variant_get_string(engine, NULL), ==, "cloud-hypervisor");
        reply = hv_vm_call(&c->t, path, "GetXML", g_variant_new("(a{sv})", NULL), "(s)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(&s)", &written);
        g_assert_nonnull(strstr(written, "<clock offset='utc'"));
        g_assert_nonnull(strstr(written, "<boot dev='hd'/>"));
        g_assert_nonnull(strstr(written, "52:54:00:5c:e4:84"));
        again = hv_define(&c->t, written);
        g_assert_cmpstr(again, ==, path);
}

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

/*
 * The engine-wide probe found no cloud-hypervisor, yet a VM
 * naming its own by absolute path boots; that binary is asked its version (as
 * the VM's owner) and the engine goes by its answer. A program that is not
 * cloud-hypervisor is refused with EngineFailed.
 */
static void test_emulator_without_default(ChTest *c, gconstpointer data) {
        g_autofree char *emulator = g_build_filename(sim_dir(), "cloud-hypervisor-v52", NULL);
        g_autofree char *xml = ch_xml(c, "ownbinary", emulator);
        g_autofree char *other_xml = ch_xml(c, "notch", "/bin/true");
        g_autofree char *path = hv_define(&c->t, xml);
        g_autofree char *other = hv_define(&c->t, other_xml);
        g_autoptr(GVariant) facts = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        const char *version = NULL;

        call_ok(c, path, "Boot", NULL);
        facts = info(c, path);
        g_assert_true(g_variant_lookup(facts, "engine-version", "&s", &version));
        g_test_message("engine version: %s", version);
        g_assert_nonnull(strstr(version, "v52"));
        /* The second boot takes the kept answer. */
        call_ok(c, path, "PowerOff", NULL);
        call_ok(c, path, "Boot", NULL);

        reply = hv_vm_call(&c->t, other, "Boot", g_variant_new("(a{sv})", NULL), NULL, &error);
        g_assert_null(reply);
        hv_assert_error(error, "org.example.Hypervisor.Error.EngineFailed", "is not cloud-hypervisor");
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
        /* <on_crash> is destroy by default: the engine ends the VMM, as QEMU does */
        hv_expect_state_changed(&log, path, 3, "crashed", "guest-panicked", WAIT_MS);
        hv_signal_log_stop(&log);
}

static void test_guest_panic_restart(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml_lifecycle(c, "phoenix", "<on_crash>restart</on_crash>");
        g_autofree char *path = hv_define(&c->t, xml);
        HvSignalLog log;

        hv_signal_log_start(&log, &c->t, VM_IFACE, path);
        call_ok(c, path, "Boot", NULL);
        hv_expect_state_changed(&log, path, 2, "running", "booted", WAIT_MS);
        g_free(control(c, path, "panic"));
        hv_expect_state_changed(&log, path, 3, "crashed", "guest-panicked", WAIT_MS);
        hv_expect_state_changed(&log, path, 4, "starting", NULL, WAIT_MS);
        hv_expect_state_changed(&log, path, 5, "running", "booted", WAIT_MS);
        /* the new run knows nothing of the panic: a clean power-off is the guest's */
        g_free(control(c, path, "poweroff"));
        hv_expect_state_changed(&log, path, 6, "shutoff", "guest", WAIT_MS);
        hv_signal_log_stop(&log);
}

/* <on_reboot>destroy: the guest resetting ends the VM (shutoff/guest-reset, as on
 * QEMU); the Reboot verb is the user's wish and reboots. */
static void test_reboot_destroy(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml_lifecycle(c, "oneshot", "<on_reboot>destroy</on_reboot>");
        g_autofree char *path = hv_define(&c->t, xml);
        g_autofree char *s = NULL;
        HvSignalLog log;

        hv_signal_log_start(&log, &c->t, VM_IFACE, path);
        call_ok(c, path, "Boot", NULL);
        hv_expect_state_changed(&log, path, 2, "running", "booted", WAIT_MS);
        call_ok(c, path, "Reboot", NULL);
        hv_expect_guest_event(&log, path, "reset", "vm/rebooted", WAIT_MS);
        s = state_of(c, path);
        g_assert_cmpstr(s, ==, "running");
        g_free(control(c, path, "reboot"));
        hv_expect_state_changed(&log, path, 3, "shutoff", "guest-reset", WAIT_MS);
        hv_signal_log_stop(&log);
}

/* The VMM leaving unasked is a crash, not a guest power-off (--no-shutdown is the
 * default, and tells them apart). */
static void test_engine_sigterm(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml_lifecycle(c, "termed", "<on_poweroff>restart</on_poweroff>");
        g_autofree char *path = hv_define(&c->t, xml);
        g_autoptr(GVariant) facts = NULL;
        gboolean no_shutdown = FALSE;
        guint32 pid = 0;
        HvSignalLog log;

        hv_signal_log_start(&log, &c->t, VM_IFACE, path);
        call_ok(c, path, "Boot", NULL);
        hv_expect_state_changed(&log, path, 2, "running", "booted", WAIT_MS);
        facts = info(c, path);
        g_assert_true(g_variant_lookup(facts, "no-shutdown", "b", &no_shutdown));
        g_assert_true(no_shutdown);
        g_assert_true(g_variant_lookup(facts, "pid", "u", &pid));
        g_assert_cmpint(kill((pid_t) pid, SIGTERM), ==, 0);
        hv_expect_state_changed(&log, path, 3, "crashed", "engine-crashed", WAIT_MS);
        /* no 'shutdown' GuestEvent, and no restart */
        for (unsigned i = 0; i < hv_signal_log_count(&log, "GuestEvent", path); i++) {
                g_autoptr(GVariant) body = hv_signal_log_wait(&log, "GuestEvent", path, i + 1, WAIT_MS);
                const char *name = NULL;
                g_variant_get(body, "(&s@a{sv})", &name, NULL);
                g_assert_cmpstr(name, !=, "shutdown");
        }
        g_free(state_of(c, path));
        g_assert_cmpuint(hv_signal_log_count(&log, "StateChanged", path), ==, 3);
        hv_signal_log_stop(&log);
}

/* GuestEvents carry the engine's own time of the event. */
static void test_engine_timestamp(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml(c, "timely", NULL);
        g_autofree char *path = hv_define(&c->t, xml);
        guint64 before = (guint64) g_get_real_time(), stamp = 0;
        HvSignalLog log;

        hv_signal_log_start(&log, &c->t, VM_IFACE, path);
        call_ok(c, path, "Boot", NULL);
        {
                g_autoptr(GVariant) details = nth_guest_event(&log, path, 1, "booted");
                g_assert_true(g_variant_lookup(details, "engine-timestamp", "t", &stamp));
        }
        g_assert_cmpuint(stamp, >=, before);
        g_assert_cmpuint(stamp, <=, (guint64) g_get_real_time());
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

/* ---- console ------------------------------------------------------------------ */

static int open_console(ChTest *c, const char *path) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GUnixFDList) fds = NULL;
        g_autoptr(GVariant) reply = g_dbus_connection_call_with_unix_fd_list_sync(
                c->t.connection, "org.example.Hypervisor", path, VM_IFACE, "OpenConsole",
                g_variant_new("(a{sv})", NULL), G_VARIANT_TYPE("(h)"), G_DBUS_CALL_FLAGS_NONE, WAIT_MS, NULL, &fds,
                NULL, &error);
        gint32 handle;

        g_assert_no_error(error);
        g_variant_get(reply, "(h)", &handle);
        g_assert_nonnull(fds);
        g_assert_cmpint(handle, <, g_unix_fd_list_get_length(fds));
        return g_unix_fd_list_get(fds, handle, NULL);
}

/* Reads from fd until text appears (the test fails after timeout_ms); returns all that was read. */
static char *read_until(int fd, const char *text, unsigned timeout_ms) {
        g_autoptr(GString) seen = g_string_new(NULL);
        gint64 deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;

        while (!strstr(seen->str, text)) {
                gint64 left_ms = (deadline - g_get_monotonic_time()) / 1000;
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                char buffer[256];
                ssize_t n;

                if (left_ms <= 0)
                        g_error("Timed out waiting for '%s' on the console; got '%s'", text, seen->str);
                if (poll(&pfd, 1, (int) left_ms) <= 0)
                        continue;
                n = read(fd, buffer, sizeof(buffer));
                if (n <= 0)
                        g_error("The console closed (%s) before '%s' came; got '%s'",
                                n < 0 ? g_strerror(errno) : "EOF", text, seen->str);
                g_string_append_len(seen, buffer, n);
        }
        return g_string_free(g_steal_pointer(&seen), FALSE);
}

static void write_all(int fd, const char *text) {
        g_assert_cmpint(write(fd, text, strlen(text)), ==, (gssize) strlen(text));
}

static void test_console(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml(c, "talker", NULL);
        g_autofree char *path = hv_define(&c->t, xml);
        g_autoptr(GVariant) facts = NULL;
        g_autofree char *socket_path = NULL;
        const char *console_socket = NULL;
        HvSignalLog log;
        int fd;

        hv_signal_log_start(&log, &c->t, VM_IFACE, path);
        call_ok(c, path, "Boot", NULL);
        facts = info(c, path);
        g_assert_true(g_variant_lookup(facts, "console-socket", "&s", &console_socket));
        socket_path = g_strdup(console_socket);
        g_assert_true(g_file_test(socket_path, G_FILE_TEST_EXISTS));

        /* Both directions through the descriptor OpenConsole hands out. */
        fd = open_console(c, path);
        g_free(read_until(fd, "serial console ready", WAIT_MS));
        write_all(fd, "hello from the test\n");
        g_free(read_until(fd, "ch-sim-guest: hello from the test", WAIT_MS));
        /* cloud-hypervisor closes the serial socket and binds it again at every reset
         * (as ch-sim does); the console client's stream carries on, as on QEMU: after
         * a guest reset, and after a Reboot call. */
        g_free(control(c, path, "reboot"));
        g_free(read_until(fd, "rebooting", WAIT_MS));
        write_all(fd, "still there\n");
        g_free(read_until(fd, "ch-sim-guest: still there", WAIT_MS));
        call_ok(c, path, "Reboot", NULL);
        g_free(read_until(fd, "serial console ready", WAIT_MS));
        write_all(fd, "and again\n");
        g_free(read_until(fd, "ch-sim-guest: and again", WAIT_MS));
        close(fd);

        /* An engine that dies leaves its socket file behind (cloud-hypervisor binds, it does
         * not replace); whoever tidies up, the next boot must not trip on a leftover. */
        g_assert_null(hv_ch_sim_control(&c->t, path, "crash", FALSE));
        hv_expect_state_changed(&log, path, 3, "crashed", "engine-crashed", WAIT_MS);
        if (!g_file_test(socket_path, G_FILE_TEST_EXISTS)) {
                g_autofree char *socket_dir = g_path_get_dirname(socket_path);
                g_assert_cmpint(g_mkdir_with_parents(socket_dir, 0700), ==, 0);
                g_assert_true(g_file_set_contents(socket_path, "", 0, NULL));
        }
        call_ok(c, path, "Boot", NULL);
        fd = open_console(c, path);
        g_free(read_until(fd, "serial console ready", WAIT_MS));
        write_all(fd, "again\n");
        g_free(read_until(fd, "ch-sim-guest: again", WAIT_MS));
        close(fd);

        /* A clean stop removes the socket, as cloud-hypervisor does. */
        call_ok(c, path, "PowerOff", NULL);
        g_assert_false(g_file_test(socket_path, G_FILE_TEST_EXISTS));
        {
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply = hv_vm_call(&c->t, path, "OpenConsole", g_variant_new("(a{sv})", NULL),
                                                       NULL, &error);
                hv_assert_error(error, "org.example.Hypervisor.Error.InvalidState", NULL);
        }
        hv_signal_log_stop(&log);
}

/* ---- hot-plug of net, vsock and VFIO ---------------------------------------------- */

/* Network tests run in a network namespace of their own (we are root): the
 * test process, the private bus, hypervisord and the simulator all in it, so
 * the taps never touch the host. */
static void setup_netns(ChTest *c, gconstpointer data) {
        if (unshare(CLONE_NEWNET) < 0)
                g_error("Cannot create a network namespace for the tap tests: %s", g_strerror(errno));
        setup(c, data);
}

static char *live_xml(ChTest *c, const char *path) {
        GVariantBuilder options;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        char *xml;

        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        g_variant_builder_add(&options, "{sv}", "live", g_variant_new_boolean(TRUE));
        reply = hv_vm_call(&c->t, path, "GetXML", g_variant_new("(a{sv})", &options), "(s)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(s)", &xml);
        return xml;
}

/* Plugs the device, checks it is there, removes it on the guest's ack. */
static void hotplug_round_trip(ChTest *c, const char *path, HvSignalLog *log, unsigned n, const char *device_xml,
                               const char *id, const char *xml_mark) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = hv_vm_call(&c->t, path, "AddDevice", g_variant_new("(sa{sv})", device_xml, NULL),
                                               "(s)", &error);
        g_autoptr(GVariant) added = NULL;
        g_autoptr(GVariant) removed = NULL;
        g_autofree char *xml = NULL;
        g_autofree char *alias = g_strdup_printf("'%s'", id);
        AsyncCall removal = { 0 };
        const char *got;

        g_assert_no_error(error);
        g_variant_get(reply, "(&s)", &got);
        g_assert_cmpstr(got, ==, id);
        added = hv_signal_log_wait(log, "DeviceAdded", path, n, WAIT_MS);
        g_variant_get(added, "(&s)", &got);
        g_assert_cmpstr(got, ==, id);
        xml = live_xml(c, path);
        if (!strstr(xml, alias) || !strstr(xml, xml_mark))
                g_error("The live XML lacks %s (%s): %s", alias, xml_mark, xml);
        g_clear_pointer(&xml, g_free);

        /* Removal completes only when the guest acknowledges it. */
        g_free(control(c, path, "manual-ack on"));
        g_dbus_connection_call(c->t.connection, "org.example.Hypervisor", path, VM_IFACE, "RemoveDevice",
                               g_variant_new("(sa{sv})", id, NULL), NULL, G_DBUS_CALL_FLAGS_NONE, 60000, NULL,
                               on_async_done, &removal);
        g_usleep(300000);
        while (g_main_context_iteration(NULL, FALSE))
                ;
        g_assert_false(removal.done);
        {
                g_autofree char *command = g_strdup_printf("ack-remove %s", id);
                g_free(control(c, path, command));
        }
        hv_wait_until("the removal to complete", async_done, &removal, WAIT_MS);
        g_assert_no_error(removal.error);
        removed = hv_signal_log_wait(log, "DeviceRemoved", path, n, WAIT_MS);
        g_variant_get(removed, "(&s)", &got);
        g_assert_cmpstr(got, ==, id);
        xml = live_xml(c, path);
        if (strstr(xml, alias))
                g_error("The live XML still has %s: %s", alias, xml);
}

static void test_hotplug_net(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml(c, "netplug", NULL);
        g_autofree char *path = hv_define(&c->t, xml);
        g_autofree char *fds = NULL;
        HvSignalLog log;

        hv_signal_log_start(&log, &c->t, VM_IFACE, path);
        call_ok(c, path, "Boot", NULL);
        g_assert_cmpuint(if_nametoindex("hvtap-plug"), ==, 0);
        {
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply = hv_vm_call(
                        &c->t, path, "AddDevice",
                        g_variant_new("(sa{sv})",
                                      "<interface type='ethernet'><mac address='52:54:00:aa:bb:01'/>"
                                      "<target dev='hvtap-plug'/><model type='virtio'/>"
                                      "<alias name='ua-net1'/></interface>",
                                      NULL),
                        "(s)", &error);
                g_assert_no_error(error);
        }
        g_variant_unref(hv_signal_log_wait(&log, "DeviceAdded", path, 1, WAIT_MS));
        /* The service made the tap in our namespace, and its descriptor reached the engine. */
        g_assert_cmpuint(if_nametoindex("hvtap-plug"), >, 0);
        fds = control(c, path, "fds");
        g_test_message("descriptors held by the simulator: %s", fds);
        g_assert_nonnull(strstr(fds, "tap:hvtap-plug"));
        {
                g_autofree char *live = live_xml(c, path);
                g_assert_nonnull(strstr(live, "'ua-net1'"));
                g_assert_nonnull(strstr(live, "hvtap-plug"));
        }

        g_free(control(c, path, "manual-ack on"));
        {
                AsyncCall removal = { 0 };
                g_dbus_connection_call(c->t.connection, "org.example.Hypervisor", path, VM_IFACE, "RemoveDevice",
                                       g_variant_new("(sa{sv})", "ua-net1", NULL), NULL, G_DBUS_CALL_FLAGS_NONE,
                                       60000, NULL, on_async_done, &removal);
                g_usleep(300000);
                while (g_main_context_iteration(NULL, FALSE))
                        ;
                g_assert_false(removal.done);
                g_free(control(c, path, "ack-remove ua-net1"));
                hv_wait_until("the removal to complete", async_done, &removal, WAIT_MS);
                g_assert_no_error(removal.error);
        }
        g_variant_unref(hv_signal_log_wait(&log, "DeviceRemoved", path, 1, WAIT_MS));
        hv_expect_guest_event(&log, path, "device-removed", "vm/device-removed", WAIT_MS);
        {
                g_autofree char *live = live_xml(c, path);
                g_autofree char *after = control(c, path, "fds");
                g_assert_null(strstr(live, "'ua-net1'"));
                g_assert_null(strstr(after, "tap:hvtap-plug"));
        }
        /* Nobody holds the tap any more: it is gone. */
        g_assert_cmpuint(if_nametoindex("hvtap-plug"), ==, 0);
        hv_signal_log_stop(&log);
}

static void test_hotplug_vsock(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml(c, "vsockplug", NULL);
        g_autofree char *path = hv_define(&c->t, xml);
        HvSignalLog log;

        hv_signal_log_start(&log, &c->t, VM_IFACE, path);
        call_ok(c, path, "Boot", NULL);
        hotplug_round_trip(c, path, &log, 1,
                           "<vsock model='virtio'><cid auto='no' address='7'/><alias name='ua-vsock'/></vsock>",
                           "ua-vsock", "address='7'");
        /* cloud-hypervisor has one vsock; once removed, another can come. */
        hotplug_round_trip(c, path, &log, 2,
                           "<vsock model='virtio'><cid auto='no' address='8'/><alias name='ua-vsock2'/></vsock>",
                           "ua-vsock2", "address='8'");
        hv_signal_log_stop(&log);
}

/* <cid auto='yes'>: each Boot gives the lowest CID from 3 that no other VM uses, running or
 * defined with a fixed one; a hot-plugged one too. The definition keeps auto='yes'. */
static void test_vsock_auto_cid(ChTest *c, gconstpointer data) {
        static const char auto_cid[] = "<vsock model='virtio'><cid auto='yes'/></vsock>";
        g_autofree char *fixed_xml = ch_xml_with(c, "cidfixed", NULL, "<vsock model='virtio'><cid address='3'/></vsock>");
        g_autofree char *first_xml = ch_xml_with(c, "cidauto1", NULL, auto_cid);
        g_autofree char *second_xml = ch_xml_with(c, "cidauto2", NULL, auto_cid);
        g_autofree char *plug_xml = ch_xml(c, "cidplug", NULL);
        g_autofree char *fixed = hv_define(&c->t, fixed_xml);
        g_autofree char *first = hv_define(&c->t, first_xml);
        g_autofree char *second = hv_define(&c->t, second_xml);
        g_autofree char *plug = hv_define(&c->t, plug_xml);
        HvSignalLog log;

        (void) fixed; /* defined, never booted: its CID 3 stays its own */
        call_ok(c, first, "Boot", NULL);
        call_ok(c, second, "Boot", NULL);
        g_autofree char *first_live = live_xml(c, first);
        g_autofree char *second_live = live_xml(c, second);
        if (!strstr(first_live, "<cid auto='yes' address='4'/>") || !strstr(second_live, "<cid auto='yes' address='5'/>"))
                g_error("The CIDs chosen are not 4 and 5:\n%s\n%s", first_live, second_live);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) config = hv_vm_call(&c->t, first, "GetXML", g_variant_new("(a{sv})", NULL), "(s)", &error);
        g_assert_no_error(error);
        const char *config_xml;
        g_variant_get(config, "(&s)", &config_xml);
        g_assert_nonnull(strstr(config_xml, "<cid auto='yes'/>"));

        hv_signal_log_start(&log, &c->t, VM_IFACE, plug);
        call_ok(c, plug, "Boot", NULL);
        hotplug_round_trip(c, plug, &log, 1, "<vsock model='virtio'><cid auto='yes'/><alias name='ua-vsock'/></vsock>",
                           "ua-vsock", "address='6'");
        hv_signal_log_stop(&log);
}

/* The body of the engine's vm.info, asked on its API socket as the service asks it. */
static char *engine_vm_info(ChTest *c, const char *path) {
        g_autoptr(GVariant) facts = info(c, path);
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        static const char request[] = "GET /api/v1/vm.info HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n";
        g_autoptr(GString) answer = g_string_new(NULL);
        const char *api = NULL;
        const char *body;
        unsigned long length = 0;
        int fd;

        g_assert_true(g_variant_lookup(facts, "api-socket", "&s", &api));
        g_strlcpy(addr.sun_path, api, sizeof(addr.sun_path));
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(connect(fd, (struct sockaddr *) &addr, sizeof(addr)), ==, 0);
        g_assert_cmpint(write(fd, request, strlen(request)), ==, (gssize) strlen(request));
        for (;;) {
                struct pollfd pfd = {.fd = fd, .events = POLLIN};
                char buffer[4096];
                const char *header = strstr(answer->str, "\r\n\r\n");
                const char *field = g_strstr_len(answer->str, -1, "Content-Length: ");
                ssize_t n;

                if (header && field && sscanf(field, "Content-Length: %lu", &length) == 1 &&
                    answer->len >= (size_t) (header + 4 - answer->str) + length)
                        break;
                g_assert_cmpint(poll(&pfd, 1, 5000), ==, 1);
                n = read(fd, buffer, sizeof(buffer));
                g_assert_cmpint(n, >, 0);
                g_string_append_len(answer, buffer, n);
        }
        close(fd);
        g_assert_true(g_str_has_prefix(answer->str, "HTTP/1.1 200"));
        body = strstr(answer->str, "\r\n\r\n") + 4;
        return g_strndup(body, length);
}

/* A document of ch_xml() with top (<uuid>, <sysinfo>...) before its <memory> and, when
 * sysinfo_mode, <smbios mode='sysinfo'/> in its <os>. */
static char *ch_xml_top(ChTest *c, const char *name, const char *emulator, const char *top, bool sysinfo_mode) {
        g_autofree char *base = ch_xml(c, name, emulator);
        const char *memory = strstr(base, "<memory");
        const char *os_end = strstr(base, "</os>");

        return g_strdup_printf("%.*s%s%.*s%s%s", (int) (memory - base), base, top, (int) (os_end - memory), memory,
                               sysinfo_mode ? "<smbios mode='sysinfo'/>" : "", os_end);
}

static char *boot_error(ChTest *c, const char *xml) {
        g_autofree char *path = hv_define(&c->t, xml);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = hv_vm_call(&c->t, path, "Boot", g_variant_new("(a{sv})", NULL), NULL, &error);

        g_assert_nonnull(error);
        return g_strdup(error->message);
}

/* <sysinfo type='smbios'> with <os><smbios mode='sysinfo'/>: the fields reach its platform
 * config, with the VM's UUID, on the newest release (which renames some) and on v52; a
 * release that would ignore one refuses at Boot; what its tables cannot hold is refused at
 * DefineVM. */
static void test_sysinfo(ChTest *c, gconstpointer data) {
        g_autofree char *v52 = g_build_filename(sim_dir(), "cloud-hypervisor-v52", NULL);
        const char *const emulators[] = {NULL, v52};

        for (size_t i = 0; i < G_N_ELEMENTS(emulators); i++) {
                g_autofree char *name = g_strdup_printf("smbios%zu", i);
                g_autofree char *uuid = g_strdup_printf("6c9f3a2e-0d4b-4b7e-9f1a-1e2d3c4b5a6%zu", i);
                g_autofree char *top = g_strdup_printf(
                        "<uuid>%s</uuid><sysinfo type='smbios'><system><entry name='serial'>ds=nocloud</entry>"
                        "<entry name='uuid'>%s</entry></system><oemStrings><entry>io.systemd.credential:a=b</entry>"
                        "<entry>two</entry></oemStrings></sysinfo>",
                        uuid, uuid);
                g_autofree char *xml = ch_xml_top(c, name, emulators[i], top, true);
                g_autofree char *path = hv_define(&c->t, xml);
                g_autofree char *serial =
                        g_strdup_printf("\"%s\":\"ds=nocloud\"", i == 0 ? "system_serial_number" : "serial_number");
                g_autofree char *uuid_member = g_strdup_printf("\"%s\":\"%s\"", i == 0 ? "system_uuid" : "uuid", uuid);
                g_autofree char *vm_info = NULL;

                call_ok(c, path, "Boot", NULL);
                vm_info = engine_vm_info(c, path);
                g_test_message("%s", vm_info);
                if (!strstr(vm_info, serial) || !strstr(vm_info, uuid_member) ||
                    !strstr(vm_info, "\"oem_strings\":[\"io.systemd.credential:a=b\",\"two\"]"))
                        g_error("vm.info lacks the SMBIOS fields (%s, %s):\n%s", serial, uuid_member, vm_info);
                call_ok(c, path, "PowerOff", NULL);
        }

        /* v53's fields: given by the newest release, refused at Boot by v52 (which would ignore them). */
        static const char v53_top[] = "<sysinfo type='smbios'><system><entry name='manufacturer'>Example Corp."
                                      "</entry></system><chassis><entry name='asset'>40000101</entry></chassis>"
                                      "</sysinfo>";
        g_autofree char *newest_xml = ch_xml_top(c, "smbios53", NULL, v53_top, true);
        g_autofree char *newest = hv_define(&c->t, newest_xml);
        g_autofree char *newest_info = NULL;
        call_ok(c, newest, "Boot", NULL);
        newest_info = engine_vm_info(c, newest);
        if (!strstr(newest_info, "\"system_manufacturer\":\"Example Corp.\"") ||
            !strstr(newest_info, "\"chassis_asset_tag\":\"40000101\""))
                g_error("vm.info lacks v53's SMBIOS fields:\n%s", newest_info);
        call_ok(c, newest, "PowerOff", NULL);
        g_autofree char *v52_xml = ch_xml_top(c, "smbios53old", v52, v53_top, true);
        g_autofree char *v52_error = boot_error(c, v52_xml);
        g_assert_nonnull(strstr(v52_error, "cloud-hypervisor v52.0.0 does not give a guest the <sysinfo> <system>"
                                           "<entry name='manufacturer'>: v53 and later do"));

        /* A release before v26 would take the fields and ignore them: Boot says so. */
        g_autofree char *sim = g_build_filename(sim_dir(), "cloud-hypervisor", NULL);
        g_autofree char *v25 = g_build_filename(c->t.dir, "cloud-hypervisor-v25", NULL);
        g_assert_cmpint(symlink(sim, v25), ==, 0);
        g_autofree char *v25_xml =
                ch_xml_top(c, "smbiosold", v25,
                           "<sysinfo type='smbios'><system><entry name='serial'>s1</entry></system></sysinfo>", true);
        g_autofree char *v25_error = boot_error(c, v25_xml);
        g_assert_nonnull(strstr(v25_error, "cloud-hypervisor v25.0.0 does not give a guest the <sysinfo> <system>"
                                           "<entry name='serial'>: v26 and later do"));

        /* The BIOS and an empty OEM string: each named, with the engine. */
        g_autofree char *bad = ch_xml_top(c, "smbiosbad", NULL,
                                          "<sysinfo type='smbios'><bios><entry name='vendor'>LENOVO</entry>"
                                          "</bios><oemStrings><entry></entry></oemStrings></sysinfo>",
                                          true);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply =
                hv_manager_call(&c->t, "DefineVM", g_variant_new("(sa{sv})", bad, NULL), "(o)", &error);
        hv_assert_error(error, "org.example.Hypervisor.Error.NotSupported",
                        "<sysinfo type='smbios'> <bios><entry name='vendor'>");
        g_assert_nonnull(strstr(error->message, "An empty <oemStrings> entry in <sysinfo>"));
}

static void test_hotplug_vfio(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml(c, "vfioplug", NULL);
        g_autofree char *path = hv_define(&c->t, xml);
        HvSignalLog log;

        hv_signal_log_start(&log, &c->t, VM_IFACE, path);
        call_ok(c, path, "Boot", NULL);
        hotplug_round_trip(c, path, &log, 1,
                           "<hostdev mode='subsystem' type='pci' managed='no'><source>"
                           "<address domain='0x0000' bus='0x00' slot='0x1f' function='0x2'/></source>"
                           "<alias name='ua-vfio'/></hostdev>",
                           "ua-vfio", "slot='0x1f'");
        hv_signal_log_stop(&log);
}

static void test_boot_tap(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml_with(c, "tapboot", NULL,
                                           "<interface type='ethernet'><mac address='52:54:00:aa:bb:02'/>"
                                           "<target dev='hvtap-boot'/><model type='virtio'/>"
                                           "<alias name='ua-net0'/></interface>");
        g_autofree char *path = hv_define(&c->t, xml);
        g_autofree char *fds = NULL;
        g_autofree char *s = NULL;

        g_assert_cmpuint(if_nametoindex("hvtap-boot"), ==, 0);
        call_ok(c, path, "Boot", NULL);
        s = state_of(c, path);
        g_assert_cmpstr(s, ==, "running");
        /* Made by the service during the start, handed over with vm.add-net before vm.boot. */
        g_assert_cmpuint(if_nametoindex("hvtap-boot"), >, 0);
        fds = control(c, path, "fds");
        g_test_message("descriptors held by the simulator: %s", fds);
        g_assert_nonnull(strstr(fds, "tap:hvtap-boot"));
        {
                g_autofree char *live = live_xml(c, path);
                g_assert_nonnull(strstr(live, "hvtap-boot"));
        }
        call_ok(c, path, "PowerOff", NULL);
        g_assert_cmpuint(if_nametoindex("hvtap-boot"), ==, 0);
        /* And again: a second boot makes the tap anew. */
        call_ok(c, path, "Boot", NULL);
        g_assert_cmpuint(if_nametoindex("hvtap-boot"), >, 0);
}

/* ---- no KVM ------------------------------------------------------------------------- */

static void test_no_kvm(ChTest *c, gconstpointer data) {
        /* This simulator name behaves like cloud-hypervisor on a host without /dev/kvm. */
        g_autofree char *emulator = g_build_filename(sim_dir(), "cloud-hypervisor-no-kvm", NULL);
        g_autofree char *xml = ch_xml(c, "nokvm", emulator);
        g_autofree char *path = hv_define(&c->t, xml);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *s = NULL;
        gint64 t0 = g_get_monotonic_time();

        reply = hv_vm_call(&c->t, path, "Boot", g_variant_new("(a{sv})", NULL), NULL, &error);
        g_test_message("Boot answered after %.0f ms: %s", (double) (g_get_monotonic_time() - t0) / 1000.0,
                       error ? error->message : "(success)");
        /* What the host lacks, then cloud-hypervisor's own words. */
        hv_assert_error(error, "org.example.Hypervisor.Error.NotSupported",
                        g_file_test("/dev/kvm", G_FILE_TEST_EXISTS) ? "/dev/kvm cannot be used"
                                                                     : "/dev/kvm is missing");
        g_assert_nonnull(strstr(error->message, "cloud-hypervisor said: \""));
        g_assert_nonnull(strstr(error->message, "no supported hypervisor"));
        s = state_of(c, path);
        g_assert_cmpstr(s, !=, "running");
        g_assert_cmpstr(s, !=, "starting");
}

/* ---- malformed replies ------------------------------------------------------------- */

static gboolean is_paused(gpointer data) {
        ShutoffWait *w = data;
        g_autofree char *s = state_of(w->c, w->path);
        return g_str_equal(s, "paused");
}

static void test_malformed_reply(ChTest *c, gconstpointer data) {
        static const char *const modes[] = { "garbage", "truncate", "bad-json" };
        g_autofree char *xml = ch_xml(c, "garbled", NULL);
        g_autofree char *path = hv_define(&c->t, xml);
        g_autoptr(GVariant) pid_before = NULL;

        call_ok(c, path, "Boot", NULL);
        pid_before = hv_get_property(&c->t, path, VM_IFACE, "PID");
        for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
                g_autofree char *command = g_strdup_printf("corrupt-next %s", modes[i]);
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply = NULL;
                g_autoptr(GVariant) pid_after = NULL;
                g_autofree char *s = NULL;
                gint64 t0;
                double ms;

                g_free(control(c, path, command));
                t0 = g_get_monotonic_time();
                /* GetInfo starts with vm.info, which gets the broken answer. */
                reply = hv_vm_call(&c->t, path, "GetInfo", g_variant_new("(a{sv})", NULL), "(a{sv})", &error);
                ms = (double) (g_get_monotonic_time() - t0) / 1000.0;
                g_test_message("%s: answered in %.1f ms: %s", modes[i], ms, error ? error->message : "(success)");
                /* A clear failure, at once: not a time-out (APITimeoutSec=2), not a crash. */
                hv_assert_error(error, "org.example.Hypervisor.Error.EngineFailed", "cloud-hypervisor");
                g_assert_cmpfloat(ms, <, 1500);

                /* The VM and the daemon carry on. */
                g_variant_unref(info(c, path));
                call_ok(c, path, "Pause", NULL);
                call_ok(c, path, "Resume", NULL);
                s = state_of(c, path);
                g_assert_cmpstr(s, ==, "running");
                pid_after = hv_get_property(&c->t, path, VM_IFACE, "PID");
                g_assert_cmpuint(g_variant_get_uint32(pid_after), ==, g_variant_get_uint32(pid_before));
        }
        /* A broken answer to a verb too: Pause gets garbage. */
        {
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply = NULL;
                g_autofree char *s = NULL;
                g_autofree char *engine_state = NULL;
                ShutoffWait w = { c, path };

                g_free(control(c, path, "corrupt-next garbage"));
                reply = hv_vm_call(&c->t, path, "Pause", g_variant_new("(a{sv})", NULL), NULL, &error);
                hv_assert_error(error, "org.example.Hypervisor.Error.EngineFailed", "cloud-hypervisor");
                /* The engine did pause (only its answer was lost): the state says so. */
                engine_state = control(c, path, "state");
                g_assert_cmpstr(engine_state, ==, "ok Paused");
                hv_wait_until("the service to see the pause", is_paused, &w, WAIT_MS);
                call_ok(c, path, "Resume", NULL);
                s = state_of(c, path);
                g_assert_cmpstr(s, ==, "running");
        }
        g_variant_unref(info(c, path));
        g_assert_cmpint(kill(c->t.pid, 0), ==, 0);
}

/* ---- --no-shutdown ------------------------------------------------------------------ */

static gboolean pid_gone(gpointer data) {
        return kill((pid_t) GPOINTER_TO_INT(data), 0) < 0 && errno == ESRCH;
}

static void test_no_shutdown(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml(c, "staysup", NULL);
        g_autofree char *path = hv_define(&c->t, xml);
        g_autoptr(GVariant) facts = NULL;
        g_autoptr(GVariant) pid = NULL;
        g_autoptr(GVariant) reason = NULL;
        g_autofree char *log_text = NULL;
        g_autofree char *vm_log = NULL;
        gboolean no_shutdown = FALSE;
        HvSignalLog log;
        GVariantBuilder options;

        hv_signal_log_start(&log, &c->t, VM_IFACE, path);
        call_ok(c, path, "Boot", NULL);
        facts = info(c, path);
        g_assert_true(g_variant_lookup(facts, "no-shutdown", "b", &no_shutdown));
        g_assert_true(no_shutdown);
        pid = hv_get_property(&c->t, path, VM_IFACE, "PID");

        /* The guest powers off; the VMM stays up, its VM "Created": still the guest's doing. */
        g_free(control(c, path, "poweroff"));
        hv_expect_guest_event(&log, path, "shutdown", "vm/shutdown", WAIT_MS);
        hv_expect_state_changed(&log, path, 3, "shutoff", "guest", WAIT_MS);
        reason = hv_get_property(&c->t, path, VM_IFACE, "StateReason");
        g_assert_cmpstr(g_variant_get_string(reason, NULL), ==, "guest");
        /* and the VMM it left behind goes too */
        hv_wait_until("the VMM to go", pid_gone, GINT_TO_POINTER((int) g_variant_get_uint32(pid)), WAIT_MS);

        /* A graceful Shutdown works the same way with the option on. */
        call_ok(c, path, "Boot", NULL);
        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        g_variant_builder_add(&options, "{sv}", "timeout", g_variant_new_uint32(20));
        call_ok(c, path, "Shutdown", g_variant_new("(a{sv})", &options));
        hv_expect_state_changed(&log, path, 7, "shutoff", "user", WAIT_MS);

        /* The engine was really started with the option. */
        vm_log = g_build_filename(c->t.dir, "log", NULL);
        {
                g_autofree char *command = g_strdup_printf("grep -rh 'hypervisord: starting' '%s'", vm_log);
                g_assert_true(g_spawn_command_line_sync(command, &log_text, NULL, NULL, NULL));
        }
        if (!strstr(log_text, "--no-shutdown"))
                g_error("No engine was started with --no-shutdown: %s", log_text);
        hv_signal_log_stop(&log);
}

/* ---- events after a daemon restart -------------------------------------------------- */

static void test_events_after_restart(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml(c, "listens", NULL);
        g_autofree char *path = hv_define(&c->t, xml);
        g_autofree char *control_path = NULL;
        g_autoptr(GVariant) facts = NULL;
        gboolean monitored = FALSE;
        HvSignalLog log;

        call_ok(c, path, "Boot", NULL);
        control_path = hv_ch_sim_control_path(&c->t, path);
        hv_test_stop_daemon(&c->t, SIGKILL);

        /* The guest resets while nobody listens: the records wait in the FIFO. */
        g_free(hv_ch_sim_control_at(control_path, "reboot", TRUE));

        hv_signal_log_start(&log, &c->t, VM_IFACE, path);
        hv_test_start_daemon(&c->t);
        hv_expect_guest_event(&log, path, "reset", "vm/rebooted", WAIT_MS);
        facts = info(c, path);
        g_assert_true(g_variant_lookup(facts, "event-monitor", "b", &monitored));
        g_assert_true(monitored);

        /* And events flow live again: a guest power-off is a guest power-off, not a crash. */
        g_free(control(c, path, "poweroff"));
        hv_expect_guest_event(&log, path, "shutdown", "vm/shutdown", WAIT_MS);
        {
                ShutoffWait w = { c, path };
                g_autoptr(GVariant) reason = NULL;
                hv_wait_until("the re-attached VM to be off", is_shutoff, &w, WAIT_MS);
                reason = hv_get_property(&c->t, path, VM_IFACE, "StateReason");
                g_assert_cmpstr(g_variant_get_string(reason, NULL), ==, "guest");
        }
        g_assert_cmpuint(hv_signal_log_count(&log, "GuestEvent", path), >=, 2);
        hv_signal_log_stop(&log);
}

/* ---- a bridge ----------------------------------------------------------------------- */

static void run_host(const char *command) {
        g_autoptr(GError) error = NULL;
        g_autofree char *out = NULL, *err = NULL;
        int status;

        if (!g_spawn_command_line_sync(command, &out, &err, &status, &error))
                g_error("Cannot run '%s': %s", command, error->message);
        if (!g_spawn_check_wait_status(status, NULL))
                g_error("'%s' failed: %s%s", command, out, err);
}

static void setup_bridge(ChTest *c, gconstpointer data) {
        if (unshare(CLONE_NEWNET) < 0)
                g_error("Cannot create a network namespace for the bridge test: %s", g_strerror(errno));
        run_host("ip link add hvbr0 type bridge");
        run_host("ip link set hvbr0 up");
        setup_with(c, "200", "[network.lan]\nBridge=hvbr0\n");
}

/* The interfaces whose master is bridge, by name ("ip": /sys shows another namespace). */
static char *bridge_ports(const char *bridge) {
        g_autofree char *command = g_strdup_printf("ip -o link show master %s", bridge);
        g_autofree char *out = NULL;
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) lines = NULL;
        GString *names = g_string_new(NULL);
        int status;

        if (!g_spawn_command_line_sync(command, &out, NULL, &status, &error) ||
            !g_spawn_check_wait_status(status, &error))
                g_error("'%s' failed: %s", command, error->message);
        lines = g_strsplit(out, "\n", -1);
        for (char **line = lines; *line; line++) {
                g_auto(GStrv) fields = g_strsplit(*line, ": ", 3);
                if (g_strv_length(fields) >= 2)
                        g_string_append_printf(names, "%s%s", names->len ? " " : "", fields[1]);
        }
        return g_string_free(names, FALSE);
}

/* <interface type='bridge'> and type='network' mapped to the bridge: the service makes
 * each tap, joins it to the bridge and hands it over with vm.add-net; with the VM, the
 * taps and their bridge membership go. */
static void test_boot_bridge(ChTest *c, gconstpointer data) {
        g_autofree char *xml = ch_xml_with(c, "brboot", NULL,
                                           "<interface type='bridge'><source bridge='hvbr0'/></interface>"
                                           "<interface type='network'><source network='lan'/></interface>");
        g_autofree char *path = hv_define(&c->t, xml);
        g_autofree char *ports = bridge_ports("hvbr0");
        g_autofree char *fds = NULL, *s = NULL;
        g_auto(GStrv) names = NULL;

        g_assert_cmpstr(ports, ==, "");
        call_ok(c, path, "Boot", NULL);
        s = state_of(c, path);
        g_assert_cmpstr(s, ==, "running");
        g_free(ports);
        ports = bridge_ports("hvbr0");
        g_test_message("ports of hvbr0: '%s'", ports);
        names = g_strsplit(ports, " ", -1);
        g_assert_cmpuint(g_strv_length(names), ==, 2);
        fds = control(c, path, "fds");
        g_test_message("descriptors held by the simulator: %s", fds);
        for (char **name = names; *name; name++) {
                g_autofree char *held = g_strconcat("tap:", *name, NULL);
                g_assert_nonnull(strstr(fds, held));
        }
        /* Hot-plugged on the bridge too (vm.add-net with the tap). */
        {
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply =
                        hv_vm_call(&c->t, path, "AddDevice",
                                   g_variant_new("(sa{sv})",
                                                 "<interface type='bridge'><source bridge='hvbr0'/></interface>", NULL),
                                   "(s)", &error);
                g_auto(GStrv) now = NULL;
                g_assert_no_error(error);
                g_free(ports);
                ports = bridge_ports("hvbr0");
                now = g_strsplit(ports, " ", -1);
                g_assert_cmpuint(g_strv_length(now), ==, 3);
        }
        /* The service restarts: the VM runs on, its network as it was. */
        hv_test_stop_daemon(&c->t, SIGKILL);
        hv_test_start_daemon(&c->t);
        g_free(s);
        s = state_of(c, path);
        g_assert_cmpstr(s, ==, "running");
        call_ok(c, path, "PowerOff", NULL);
        g_free(ports);
        ports = bridge_ports("hvbr0");
        g_assert_cmpstr(ports, ==, "");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, ChTest, NULL, setup, fn, teardown)
        ADD("/ch/lifecycle", test_lifecycle);
        ADD("/ch/libvirt-example", test_libvirt_example);
        ADD("/ch/libvirt-driver-page-example", test_libvirt_driver_page_example);
        ADD("/ch/emulator-from-xml", test_emulator_from_xml);
        g_test_add("/ch/emulator-without-default", ChTest, NULL, setup_no_default_binary,
                   test_emulator_without_default, teardown);
        ADD("/ch/guest-poweroff", test_guest_poweroff);
        ADD("/ch/guest-panic", test_guest_panic);
        ADD("/ch/guest-panic-restart", test_guest_panic_restart);
        ADD("/ch/reboot-destroy", test_reboot_destroy);
        ADD("/ch/engine-sigterm", test_engine_sigterm);
        ADD("/ch/engine-timestamp", test_engine_timestamp);
        ADD("/ch/engine-crash", test_engine_crash);
        ADD("/ch/hang-isolated", test_hang_isolated);
        ADD("/ch/hotplug", test_hotplug);
        ADD("/ch/snapshot-restore", test_snapshot_restore);
        ADD("/ch/fifty-at-once", test_fifty_at_once);
        g_test_add("/ch/operations-limit", ChTest, "3", setup, test_operations_limit, teardown);
        ADD("/ch/daemon-restart", test_daemon_restart);
        ADD("/ch/console", test_console);
        g_test_add("/ch/hotplug-net", ChTest, NULL, setup_netns, test_hotplug_net, teardown);
        ADD("/ch/hotplug-vsock", test_hotplug_vsock);
        ADD("/ch/vsock-auto-cid", test_vsock_auto_cid);
        ADD("/ch/sysinfo", test_sysinfo);
        ADD("/ch/hotplug-vfio", test_hotplug_vfio);
        g_test_add("/ch/boot-tap", ChTest, NULL, setup_netns, test_boot_tap, teardown);
        g_test_add("/ch/boot-bridge", ChTest, NULL, setup_bridge, test_boot_bridge, teardown);
        ADD("/ch/no-kvm", test_no_kvm);
        ADD("/ch/malformed-reply", test_malformed_reply);
        ADD("/ch/events-after-restart", test_events_after_restart);
        g_test_add("/ch/no-shutdown", ChTest, NULL, setup_no_shutdown, test_no_shutdown, teardown);
#undef ADD
        return g_test_run();
}
