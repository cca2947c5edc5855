/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The QEMU engine through D-Bus, on the real tiny guest under TCG: boot and
 * console, pause/resume, shutdown, guest power-off, panic, engine crash,
 * disk hot-plug, snapshot/restore.
 */

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv-test.h"

#define VM_IFACE "org.example.Hypervisor.VM"
#define BOOT_TIMEOUT_MS 90000

typedef struct {
        HvTest t;
        char *path;      /* the VM */
        int console;     /* -1 when closed */
        GString *output; /* what the console printed so far */
        HvSignalLog log; /* the VM's signals */
} GuestTest;

static const char *guest_dir(void) {
        return hv_env_dir("HV_GUEST_DIR", "vmlinux");
}

static char *guest_xml(const char *name, const char *action, const char *extra_devices, const char *lifecycle) {
        g_autofree char *cmdline_path = g_build_filename(guest_dir(), "cmdline", NULL);
        g_autofree char *cmdline = NULL;

        g_assert_true(g_file_get_contents(cmdline_path, &cmdline, NULL, NULL));
        g_strstrip(cmdline);
        return g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                               "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>vmlinux</kernel>"
                               "<initrd>initramfs.cpio.gz</initrd><cmdline>%s%s%s</cmdline></os>%s"
                               "<devices>%s</devices></domain>",
                               name, cmdline, action ? " hv.action=" : "", action ? action : "",
                               lifecycle ? lifecycle : "", extra_devices ? extra_devices : "");
}

static void setup(GuestTest *g, gconstpointer data) {
        /* A later key wins: the guest's folder is the firmware directory. */
        g_autofree char *config = g_strdup_printf("FirmwareDirectories=%s\n", guest_dir());

        hv_test_setup(&g->t, config);
        g->console = -1;
        g->output = g_string_new(NULL);
}

/* The configured QEMU is missing: only a VM's own <emulator> can run. */
static void setup_no_default_binary(GuestTest *g, gconstpointer data) {
        g_autofree char *config =
                g_strdup_printf("FirmwareDirectories=%s\n[qemu]\nBinary=/nonexistent/qemu\n", guest_dir());

        hv_test_setup(&g->t, config);
        g->console = -1;
        g->output = g_string_new(NULL);
}

static void setup_netns(GuestTest *g, gconstpointer data) {
        if (unshare(CLONE_NEWNET) < 0)
                g_error("Cannot create a network namespace for the tap test: %s", g_strerror(errno));
        setup(g, data);
}

static void teardown(GuestTest *g, gconstpointer data) {
        if (g->path) {
                g_autoptr(GVariant) r =
                        hv_vm_call(&g->t, g->path, "PowerOff", g_variant_new("(a{sv})", NULL), NULL, NULL);
                hv_signal_log_stop(&g->log);
        }
        if (g->console >= 0)
                close(g->console);
        g_string_free(g->output, TRUE);
        g_free(g->path);
        hv_test_teardown(&g->t);
}

static void define_with(GuestTest *g, const char *name, const char *action, const char *lifecycle) {
        g_autofree char *xml = guest_xml(name, action, NULL, lifecycle);

        g->path = hv_define(&g->t, xml);
        hv_signal_log_start(&g->log, &g->t, VM_IFACE, g->path);
}

static void define(GuestTest *g, const char *name, const char *action, const char *extra_devices) {
        g_autofree char *xml = guest_xml(name, action, extra_devices, NULL);

        g->path = hv_define(&g->t, xml);
        hv_signal_log_start(&g->log, &g->t, VM_IFACE, g->path);
}

static void call_ok(GuestTest *g, const char *method, GVariant *args) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply =
                hv_vm_call(&g->t, g->path, method, args ? args : g_variant_new("(a{sv})", NULL), NULL, &error);
        if (error)
                g_error("%s failed: %s", method, error->message);
}

static char *state(GuestTest *g) {
        return hv_vm_state(&g->t, g->path);
}

static void open_console(GuestTest *g) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GUnixFDList) fds = NULL;
        g_autoptr(GVariant) reply = NULL;
        int handle;

        reply = g_dbus_connection_call_with_unix_fd_list_sync(g->t.connection, "org.example.Hypervisor", g->path,
                                                              VM_IFACE, "OpenConsole", g_variant_new("(a{sv})", NULL),
                                                              G_VARIANT_TYPE("(h)"), G_DBUS_CALL_FLAGS_NONE, 30000,
                                                              NULL, &fds, NULL, &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(h)", &handle);
        g->console = g_unix_fd_list_get(fds, handle, &error);
        g_assert_no_error(error);
        g_assert_cmpint(g->console, >=, 0);
        fcntl(g->console, F_SETFL, fcntl(g->console, F_GETFL) | O_NONBLOCK);
}

static void close_console(GuestTest *g) {
        if (g->console >= 0)
                close(g->console);
        g->console = -1;
}

/* Read the console (and dispatch signals) until it printed `needle` after `from`. */
static void console_wait(GuestTest *g, const char *needle, gsize from) {
        gint64 deadline = g_get_monotonic_time() + (gint64) BOOT_TIMEOUT_MS * 1000;

        while (!strstr(g->output->str + MIN(from, g->output->len), needle)) {
                struct pollfd p = {.fd = g->console, .events = POLLIN};
                char buffer[4096];
                ssize_t n;

                if (g_get_monotonic_time() > deadline)
                        g_error("The console did not show '%s' within %d ms; it showed:\n%s", needle, BOOT_TIMEOUT_MS,
                                g->output->str);
                while (g_main_context_iteration(NULL, FALSE))
                        ;
                if (poll(&p, 1, 20) <= 0)
                        continue;
                n = read(g->console, buffer, sizeof(buffer));
                if (n == 0)
                        g_error("The console closed while waiting for '%s':\n%s", needle, g->output->str);
                if (n > 0)
                        g_string_append_len(g->output, buffer, n);
        }
}

/* Take in what the console still has (the VM is off or about to be). */
static void console_drain(GuestTest *g) {
        for (int idle = 0; idle < 10;) {
                struct pollfd p = {.fd = g->console, .events = POLLIN};
                char buffer[4096];
                ssize_t n;

                if (poll(&p, 1, 20) <= 0) {
                        idle++;
                        continue;
                }
                n = read(g->console, buffer, sizeof(buffer));
                if (n <= 0)
                        return;
                g_string_append_len(g->output, buffer, n);
        }
}

static void console_type(GuestTest *g, const char *line) {
        g_autofree char *text = g_strconcat(line, "\n", NULL);
        g_assert_cmpint(write(g->console, text, strlen(text)), ==, (gssize) strlen(text));
}

static void expect_state_changed(GuestTest *g, unsigned n, const char *state_name, const char *reason) {
        hv_expect_state_changed(&g->log, g->path, n, state_name, reason, BOOT_TIMEOUT_MS);
}

static void expect_guest_event(GuestTest *g, const char *event, const char *engine_event) {
        hv_expect_guest_event(&g->log, g->path, event, engine_event, BOOT_TIMEOUT_MS);
}

static void boot_to_marker(GuestTest *g) {
        call_ok(g, "Boot", NULL);
        open_console(g);
        console_wait(g, "HV-GUEST-READY", 0);
}

/* ---- the tests ---------------------------------------------------------------- */

/* What virt-install --boot uefi writes (firmware='efi', no <nvram>) boots with the
 * firmware libvirt picks on Debian 12 for a q35 (secure boot, Microsoft's keys enrolled:
 * OVMF_CODE_4M.ms.fd, SMM on), on variables the service keeps for the VM and hands over
 * open; they stay across boots and go with the VM. The kernel is the bzImage, booted by OVMF. */
static void test_uefi_boot(GuestTest *g, gconstpointer data) {
        g_autofree char *cmdline_path = g_build_filename(guest_dir(), "cmdline", NULL);
        g_autofree char *cmdline = NULL;
        g_autofree char *xml = NULL;
        g_autoptr(GVariant) uuid = NULL;
        g_autofree char *vars = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        struct stat template_st, st;

        g_assert_true(g_file_get_contents(cmdline_path, &cmdline, NULL, NULL));
        g_strstrip(cmdline);
        xml = g_strdup_printf("<domain type='qemu'><name>uefi</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                              "<os firmware='efi'><type arch='x86_64' machine='q35'>hvm</type>"
                              "<kernel>vmlinuz</kernel><initrd>initramfs.cpio.gz</initrd><cmdline>%s</cmdline>"
                              "</os><devices/></domain>",
                              cmdline);
        g->path = hv_define(&g->t, xml);
        hv_signal_log_start(&g->log, &g->t, VM_IFACE, g->path);
        uuid = hv_get_property(&g->t, g->path, VM_IFACE, "UUID");
        vars = g_strdup_printf("%s/state/nvram/%s_VARS.fd", g->t.dir, g_variant_get_string(uuid, NULL));
        g_assert_false(g_file_test(vars, G_FILE_TEST_EXISTS)); /* made at the first boot */

        boot_to_marker(g);
        g_assert_cmpint(stat(vars, &st), ==, 0);
        g_assert_cmpint(stat("/usr/share/OVMF/OVMF_VARS_4M.ms.fd", &template_st), ==, 0);
        g_assert_cmpint(st.st_size, ==, template_st.st_size);
        g_assert_cmpint(st.st_mode & 07777, ==, 0600);
        g_assert_cmpint(st.st_uid, ==, getuid());
        call_ok(g, "PowerOff", NULL);
        g_assert_true(g_file_test(vars, G_FILE_TEST_EXISTS)); /* kept for the next boot */

        reply = hv_vm_call(&g->t, g->path, "Delete", g_variant_new("(a{sv})", NULL), NULL, &error);
        g_assert_no_error(error);
        g_assert_false(g_file_test(vars, G_FILE_TEST_EXISTS));
        hv_signal_log_stop(&g->log);
        g_clear_pointer(&g->path, g_free);
}

/* A VM that names its own QEMU boots although the configured one is missing. */
static void test_emulator_without_default(GuestTest *g, gconstpointer data) {
        g_autofree char *emulator = g_find_program_in_path("qemu-system-x86_64");
        g_autofree char *element = NULL;
        g_autofree char *s = NULL;

        g_assert_nonnull(emulator);
        element = g_strdup_printf("<emulator>%s</emulator>", emulator);
        define(g, "ownqemu", NULL, element);
        boot_to_marker(g);
        s = state(g);
        g_assert_cmpstr(s, ==, "running");
}

static void test_boot_console(GuestTest *g, gconstpointer data) {
        g_autoptr(GVariant) pid = NULL;
        g_autofree char *s = NULL;
        gsize mark;

        define(g, "console", NULL, NULL);
        boot_to_marker(g);
        s = state(g);
        g_assert_cmpstr(s, ==, "running");
        expect_state_changed(g, 1, "starting", NULL);
        expect_state_changed(g, 2, "running", "booted");
        pid = hv_get_property(&g->t, g->path, VM_IFACE, "PID");
        g_assert_cmpuint(g_variant_get_uint32(pid), >, 0);
        g_assert_cmpint(kill((pid_t) g_variant_get_uint32(pid), 0), ==, 0);

        /* GetInfo carries the engine's live facts. */
        {
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply =
                        hv_vm_call(&g->t, g->path, "GetInfo", g_variant_new("(a{sv})", NULL), "(a{sv})", &error);
                g_autoptr(GVariant) info = NULL;
                g_autoptr(GVariant) threads = NULL;
                const char *version = NULL, *engine_state = NULL;
                guint32 info_pid = 0;

                g_assert_no_error(error);
                info = g_variant_get_child_value(reply, 0);
                g_assert_true(g_variant_lookup(info, "pid", "u", &info_pid));
                g_assert_cmpuint(info_pid, ==, g_variant_get_uint32(pid));
                g_assert_true(g_variant_lookup(info, "engine-version", "&s", &version));
                g_assert_true(g_ascii_isdigit(version[0]));
                g_assert_true(g_variant_lookup(info, "engine-state", "&s", &engine_state));
                g_assert_cmpstr(engine_state, ==, "running");
                threads = g_variant_lookup_value(info, "vcpu-threads", G_VARIANT_TYPE("au"));
                g_assert_nonnull(threads);
                g_assert_cmpuint(g_variant_n_children(threads), ==, 1);
        }

        /* The console is a two-way stream into the guest's shell. */
        mark = g->output->len;
        console_type(g, "echo typed-$((6*7))");
        console_wait(g, "typed-42", mark);
}

static void test_pause_resume(GuestTest *g, gconstpointer data) {
        g_autofree char *paused = NULL;
        g_autofree char *running = NULL;

        define(g, "pauser", "counter", NULL);
        boot_to_marker(g);
        call_ok(g, "Pause", NULL);
        paused = state(g);
        g_assert_cmpstr(paused, ==, "paused");
        expect_state_changed(g, 3, "paused", "user");
        expect_guest_event(g, "stop", "STOP");
        call_ok(g, "Resume", NULL);
        running = state(g);
        g_assert_cmpstr(running, ==, "running");
        expect_state_changed(g, 4, "running", "user");
        console_wait(g, "HV-COUNT", g->output->len);
}

static void test_shutdown(GuestTest *g, gconstpointer data) {
        GVariantBuilder options;
        g_autoptr(GVariant) pid = NULL;
        g_autoptr(GVariant) reason = NULL;
        g_autofree char *s = NULL;

        define(g, "shutter", NULL, NULL);
        boot_to_marker(g);
        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        g_variant_builder_add(&options, "{sv}", "timeout", g_variant_new_uint32(60));
        /* With a timeout the reply waits until the VM is off. */
        call_ok(g, "Shutdown", g_variant_new("(a{sv})", &options));
        s = state(g);
        g_assert_cmpstr(s, ==, "shutoff");
        reason = hv_get_property(&g->t, g->path, VM_IFACE, "StateReason");
        g_assert_cmpstr(g_variant_get_string(reason, NULL), ==, "user");
        pid = hv_get_property(&g->t, g->path, VM_IFACE, "PID");
        g_assert_cmpuint(g_variant_get_uint32(pid), ==, 0);
        expect_guest_event(g, "powerdown", "POWERDOWN");
        expect_state_changed(g, 3, "shutting-down", "user");
        expect_state_changed(g, 4, "shutoff", "user");
}

/* What the daemon's descriptor 0 is. */
static char *daemon_stdin(GuestTest *g) {
        g_autofree char *link = g_strdup_printf("/proc/%d/fd/0", (int) g->t.pid);
        char *target = g_file_read_link(link, NULL);

        g_assert_nonnull(target);
        return target;
}

/* PowerOff of a QEMU VM closes nothing of the daemon's own: each such stop once closed
 * descriptor 0 (an op of the shared skeleton was cleared as if it held a restore's). */
static void test_poweroff_keeps_descriptors(GuestTest *g, gconstpointer data) {
        g_autofree char *before = daemon_stdin(g);
        g_autofree char *after = NULL;

        define(g, "stopper", NULL, NULL);
        for (int i = 0; i < 2; i++) {
                call_ok(g, "Boot", NULL);
                call_ok(g, "PowerOff", NULL);
        }
        after = daemon_stdin(g);
        g_assert_cmpstr(after, ==, before);
}

static void test_guest_poweroff(GuestTest *g, gconstpointer data) {
        define(g, "selfoff", "poweroff", NULL);
        call_ok(g, "Boot", NULL);
        expect_guest_event(g, "shutdown", "SHUTDOWN");
        /* starting, running, then off by the guest's own doing */
        expect_state_changed(g, 3, "shutoff", "guest");
}

static void test_guest_panic(GuestTest *g, gconstpointer data) {
        g_autofree char *s = NULL;

        define(g, "panicker", "panic", NULL);
        call_ok(g, "Boot", NULL);
        expect_guest_event(g, "panicked", "GUEST_PANICKED");
        expect_state_changed(g, 3, "crashed", "guest-panicked");
        s = state(g);
        g_assert_cmpstr(s, ==, "crashed");
}

static void test_engine_crash(GuestTest *g, gconstpointer data) {
        g_autoptr(GVariant) pid = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) info = NULL;
        g_autoptr(GVariant) dict = NULL;
        const char *tail = NULL;

        define(g, "crasher", NULL, NULL);
        boot_to_marker(g);
        pid = hv_get_property(&g->t, g->path, VM_IFACE, "PID");
        g_assert_cmpint(kill((pid_t) g_variant_get_uint32(pid), SIGKILL), ==, 0);
        expect_state_changed(g, 3, "crashed", "engine-crashed");
        info = hv_vm_call(&g->t, g->path, "GetInfo", g_variant_new("(a{sv})", NULL), "(a{sv})", &error);
        g_assert_no_error(error);
        dict = g_variant_get_child_value(info, 0);
        g_assert_true(g_variant_lookup(dict, "log-tail", "&s", &tail));
        g_test_message("log tail after the crash: %s", tail);
        /* A crashed VM boots again. */
        close_console(g);
        g_string_truncate(g->output, 0);
        boot_to_marker(g);
}

static void test_hotplug_disk(GuestTest *g, gconstpointer data) {
        g_autofree char *image = g_build_filename(g->t.dir, "images", "hot.raw", NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *live = NULL;
        const char *id;
        gsize mark;

        g_assert_true(g_file_set_contents(image, "", 0, NULL));
        g_assert_cmpint(truncate(image, 16 << 20), ==, 0);
        define(g, "hotplug", NULL, NULL);
        boot_to_marker(g);

        mark = g->output->len;
        reply = hv_vm_call(&g->t, g->path, "AddDevice",
                           g_variant_new("(sa{sv})",
                                         "<disk type='file' device='disk'><source file='hot.raw'/>"
                                         "<target dev='vdb' bus='virtio'/></disk>",
                                         NULL),
                           "(s)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(&s)", &id);
        console_wait(g, "HV-DISK-ADDED vd", mark);
        g_variant_unref(hv_signal_log_wait(&g->log, "DeviceAdded", g->path, 1, 10000));
        live = NULL;
        {
                g_autoptr(GVariant) x = hv_vm_call(&g->t, g->path, "GetXML",
                                                   g_variant_new_parsed("({'live': <true>},)"), "(s)", &error);
                g_assert_no_error(error);
                g_variant_get(x, "(s)", &live);
                g_assert_nonnull(strstr(live, image));
        }

        mark = g->output->len;
        {
                g_autoptr(GVariant) r =
                        hv_vm_call(&g->t, g->path, "RemoveDevice", g_variant_new("(sa{sv})", id, NULL), NULL, &error);
                g_assert_no_error(error);
        }
        /* The reply came after the guest let go of the disk. */
        console_wait(g, "HV-DISK-REMOVED vd", mark);
        g_variant_unref(hv_signal_log_wait(&g->log, "DeviceRemoved", g->path, 1, 10000));
        expect_guest_event(g, "device-removed", "DEVICE_DELETED");
}

/* The last count the console printed as a whole line (the newest one may be half read). */
static int last_count(GString *output) {
        int count = -1;

        for (const char *p = output->str; (p = strstr(p, "HV-COUNT ")); p += 9) {
                const char *end = p + 9;
                while (g_ascii_isdigit(*end))
                        end++;
                if (end > p + 9 && (*end == '\r' || *end == '\n'))
                        count = atoi(p + 9);
        }
        return count;
}

static void test_snapshot_restore(GuestTest *g, gconstpointer data) {
        g_autofree char *snapshot = g_build_filename(g->t.dir, "snap1", NULL);
        g_autofree char *s = NULL;
        GVariantBuilder options;
        int at_snapshot, after;
        gsize mark;

        define(g, "snapper", "counter", NULL);
        boot_to_marker(g);
        console_wait(g, "HV-COUNT 3\r\n", 0);
        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        g_variant_builder_add(&options, "{sv}", "stop", g_variant_new_boolean(TRUE));
        call_ok(g, "Snapshot", g_variant_new("(sa{sv})", snapshot, &options));
        console_drain(g);
        at_snapshot = last_count(g->output);
        s = state(g);
        g_assert_cmpstr(s, ==, "shutoff");
        close_console(g);

        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        call_ok(g, "Restore", g_variant_new("(sa{sv})", snapshot, &options));
        g_free(s);
        s = state(g);
        g_assert_cmpstr(s, ==, "paused");
        {
                g_autoptr(GVariant) reason = hv_get_property(&g->t, g->path, VM_IFACE, "StateReason");
                g_assert_cmpstr(g_variant_get_string(reason, NULL), ==, "restored");
        }
        open_console(g);
        mark = g->output->len;
        call_ok(g, "Resume", NULL);
        console_wait(g, "HV-COUNT ", mark);
        console_wait(g, "\n", strstr(g->output->str + mark, "HV-COUNT ") - g->output->str);
        after = atoi(strstr(g->output->str + mark, "HV-COUNT ") + 9);
        g_test_message("count at snapshot: %d, first after restore: %d", at_snapshot, after);
        /* It continues where it was, instead of starting again at 1. */
        g_assert_cmpint(after, >=, at_snapshot);
        g_assert_cmpint(after, <=, at_snapshot + 2);
}

static void test_on_reboot_destroy(GuestTest *g, gconstpointer data) {
        define_with(g, "rebootoff", "reboot", "<on_reboot>destroy</on_reboot>");
        call_ok(g, "Boot", NULL);
        expect_state_changed(g, 3, "shutoff", "guest-reset");
}

/* Reboot is the user's wish, not the guest's: the VM reboots whatever <on_reboot> says. */
static void test_reboot_verb_on_reboot_destroy(GuestTest *g, gconstpointer data) {
        g_autofree char *s = NULL;
        gsize mark;

        define_with(g, "rebootverb", NULL, "<on_reboot>destroy</on_reboot>");
        boot_to_marker(g);
        mark = g->output->len;
        call_ok(g, "Reboot", NULL);
        expect_guest_event(g, "reset", "RESET");
        /* The guest starts again on the same console. */
        console_wait(g, "HV-GUEST-READY", mark);
        s = state(g);
        g_assert_cmpstr(s, ==, "running");
        /* starting, running: nothing since */
        g_assert_cmpuint(hv_signal_log_count(&g->log, "StateChanged", g->path), ==, 2);

        /* The guest's own reboot still follows <on_reboot>destroy. */
        console_type(g, "reboot -f");
        expect_state_changed(g, 3, "shutoff", "guest-reset");
}

/* <interface type='ethernet'>: the service makes the tap (in this test's own network
 * namespace) and QEMU inherits it as -netdev tap,fd=N; the guest sees the NIC. */
static void test_boot_tap(GuestTest *g, gconstpointer data) {
        gsize mark;

        define(g, "tapboot", NULL,
               "<interface type='ethernet'><mac address='52:54:00:aa:bb:07'/><target dev='hvqtap0'/>"
               "<model type='virtio'/></interface>");
        g_assert_cmpuint(if_nametoindex("hvqtap0"), ==, 0);
        boot_to_marker(g);
        g_assert_cmpuint(if_nametoindex("hvqtap0"), >, 0);
        mark = g->output->len;
        console_type(g, "cat /sys/class/net/*/address");
        console_wait(g, "52:54:00:aa:bb:07", mark);
        call_ok(g, "PowerOff", NULL);
        /* Made for this VM: it went with QEMU. */
        g_assert_cmpuint(if_nametoindex("hvqtap0"), ==, 0);
}

static void test_on_reboot_restart(GuestTest *g, gconstpointer data) {
        g_autofree char *s = NULL;

        /* The default: the guest resets in place and keeps running. */
        define_with(g, "rebooter", "reboot", NULL);
        call_ok(g, "Boot", NULL);
        expect_guest_event(g, "reset", "RESET");
        s = state(g);
        g_assert_cmpstr(s, ==, "running");
        g_assert_cmpuint(hv_signal_log_count(&g->log, "StateChanged", g->path), ==, 2);
}

static void test_on_crash_restart_limit(GuestTest *g, gconstpointer data) {
        g_autoptr(GVariant) reason = NULL;
        unsigned n = 2;

        /* A guest that panics at every boot is restarted a few times, then left alone. */
        define_with(g, "crashloop", "panic", "<on_crash>restart</on_crash>");
        call_ok(g, "Boot", NULL);
        expect_state_changed(g, 1, "starting", "user");
        expect_state_changed(g, 2, "running", "booted");
        for (unsigned i = 0; i < 3; i++) {
                expect_state_changed(g, ++n, "crashed", "guest-panicked");
                expect_state_changed(g, ++n, "starting", "restart");
                expect_state_changed(g, ++n, "running", "booted");
        }
        expect_state_changed(g, ++n, "crashed", "guest-panicked");
        expect_state_changed(g, ++n, "crashed", "restart-limit");
        reason = hv_get_property(&g->t, g->path, VM_IFACE, "StateReason");
        g_assert_cmpstr(g_variant_get_string(reason, NULL), ==, "restart-limit");
}

static pid_t vm_pid(GuestTest *g) {
        g_autoptr(GVariant) pid = hv_get_property(&g->t, g->path, VM_IFACE, "PID");
        return (pid_t) g_variant_get_uint32(pid);
}

/* Restart the daemon as a crash would (SIGKILL) or a stop (SIGTERM), keeping the signal log. */
static void restart_daemon(GuestTest *g, int signal_number) {
        hv_signal_log_stop(&g->log);
        hv_test_stop_daemon(&g->t, signal_number);
        hv_test_start_daemon(&g->t);
        hv_signal_log_start(&g->log, &g->t, VM_IFACE, g->path);
}

static void test_daemon_restart(GuestTest *g, gconstpointer data) {
        g_autoptr(GVariant) reason = NULL;
        g_autofree char *s = NULL;
        pid_t before;

        define(g, "survivor", "counter", NULL);
        boot_to_marker(g);
        console_wait(g, "HV-COUNT 2", 0);
        before = vm_pid(g);
        restart_daemon(g, SIGKILL);

        /* Same engine process, right state, and it says why. */
        g_assert_cmpint(vm_pid(g), ==, before);
        g_assert_cmpint(kill(before, 0), ==, 0);
        s = state(g);
        g_assert_cmpstr(s, ==, "running");
        reason = hv_get_property(&g->t, g->path, VM_IFACE, "StateReason");
        g_assert_cmpstr(g_variant_get_string(reason, NULL), ==, "daemon-restart");

        /* Verbs and events work again, and so does the console. */
        call_ok(g, "Pause", NULL);
        expect_guest_event(g, "stop", "STOP");
        call_ok(g, "Resume", NULL);
        close_console(g);
        open_console(g);
        console_wait(g, "HV-COUNT", g->output->len);
        {
                GVariantBuilder options;
                g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
                g_variant_builder_add(&options, "{sv}", "timeout", g_variant_new_uint32(60));
                call_ok(g, "Shutdown", g_variant_new("(a{sv})", &options));
        }
        g_free(s);
        s = state(g);
        g_assert_cmpstr(s, ==, "shutoff");
}

static void test_sigterm_leaves_vms_running(GuestTest *g, gconstpointer data) {
        g_autofree char *s = NULL;
        pid_t before;

        define(g, "keeper", NULL, NULL);
        boot_to_marker(g);
        before = vm_pid(g);
        restart_daemon(g, SIGTERM);
        g_assert_cmpint(vm_pid(g), ==, before);
        s = state(g);
        g_assert_cmpstr(s, ==, "running");
}

static void test_stopped_while_away(GuestTest *g, gconstpointer data) {
        g_autoptr(GVariant) reason = NULL;
        g_autofree char *s = NULL;
        pid_t pid;
        int status = 0;

        define(g, "leaver", NULL, NULL);
        boot_to_marker(g);
        pid = vm_pid(g);
        hv_signal_log_stop(&g->log);
        hv_test_stop_daemon(&g->t, SIGKILL);
        /* The engine dies while nobody watches (it is an orphan now: reap by waiting for it to go). */
        g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
        for (int i = 0; i < 500 && kill(pid, 0) == 0; i++) {
                waitpid(pid, &status, WNOHANG);
                g_usleep(10000);
        }
        hv_test_start_daemon(&g->t);
        hv_signal_log_start(&g->log, &g->t, VM_IFACE, g->path);
        s = state(g);
        g_assert_cmpstr(s, ==, "shutoff");
        reason = hv_get_property(&g->t, g->path, VM_IFACE, "StateReason");
        g_assert_cmpstr(g_variant_get_string(reason, NULL), ==, "exited-while-daemon-down");
        /* It boots again. */
        close_console(g);
        g_string_truncate(g->output, 0);
        boot_to_marker(g);
}

static gboolean vm_is_running(gpointer data) {
        g_autofree char *s = state(data);
        return g_str_equal(s, "running");
}

static void test_autostart(GuestTest *g, gconstpointer data) {
        g_autofree char *xml = guest_xml("early", NULL, NULL, NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GVariant) autostart = NULL;
        g_autofree char *s = NULL;

        reply = hv_manager_call(&g->t, "DefineVM", g_variant_new_parsed("(%s, {'autostart': <true>})", xml), "(o)",
                                &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(o)", &g->path);
        autostart = hv_get_property(&g->t, g->path, VM_IFACE, "Autostart");
        g_assert_true(g_variant_get_boolean(autostart));
        s = state(g);
        g_assert_cmpstr(s, ==, "shutoff");

        /* The next start of the service boots it. */
        hv_test_stop_daemon(&g->t, SIGTERM);
        hv_test_start_daemon(&g->t);
        hv_signal_log_start(&g->log, &g->t, VM_IFACE, g->path);
        hv_wait_until("the autostarted VM to run", vm_is_running, g, 90000);
        {
                g_autoptr(GVariant) reason = hv_get_property(&g->t, g->path, VM_IFACE, "StateReason");
                g_assert_cmpstr(g_variant_get_string(reason, NULL), ==, "booted");
        }
        open_console(g);
        console_wait(g, "HV-GUEST-READY", 0);
}
/* Disks off virtio, as virt-install writes them (a SATA disk on q35's AHCI, a SCSI
 * disk on virtio-scsi with its drive address), with the balloon, the guest agent's channel
 * and a watchdog beside them: the guest sees both disks at their sizes. */
static void test_sata_scsi_disks(GuestTest *g, gconstpointer data) {
        static const char devices[] =
                "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='sata.raw'/>"
                "<target dev='sda' bus='sata'/><address type='drive' controller='0' bus='0' target='0' unit='0'/>"
                "</disk>"
                "<disk type='file' device='disk'><driver name='qemu' type='raw' discard='unmap'/>"
                "<source file='scsi.raw'/><target dev='sdb' bus='scsi'/></disk>"
                "<controller type='sata' index='0'/>"
                "<controller type='scsi' index='0' model='virtio-scsi'/>"
                "<controller type='pci' index='0' model='pcie-root'/>"
                "<channel type='unix'><source mode='bind'/>"
                "<target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
                "<watchdog model='i6300esb' action='reset'/>"
                "<memballoon model='virtio'/>";
        const char *sizes[] = {"sata.raw", "scsi.raw"};
        gsize mark;

        for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
                g_autofree char *image = g_build_filename(g->t.dir, "images", sizes[i], NULL);
                g_assert_true(g_file_set_contents(image, "", 0, NULL));
                g_assert_cmpint(truncate(image, (off_t) (i == 0 ? 24 : 12) << 20), ==, 0);
        }
        define(g, "sata-scsi", NULL, devices);
        boot_to_marker(g);

        /* 24 MiB and 12 MiB in 1 KiB blocks; the names are the guest's probe order. */
        mark = g->output->len;
        console_type(g, "cat /proc/partitions; echo partitions-$((40+2))");
        console_wait(g, "partitions-42", mark);
        if (!strstr(g->output->str + mark, "24576 sd") || !strstr(g->output->str + mark, "12288 sd"))
                g_error("The guest does not show the SATA and SCSI disks:\n%s", g->output->str + mark);
}

/* A disc image of size bytes that begins with label. */
static char *make_disc(GuestTest *g, const char *name, const char *label, off_t size) {
        char *path = g_build_filename(g->t.dir, "images", name, NULL);

        g_assert_true(g_file_set_contents(path, label, -1, NULL));
        g_assert_cmpint(truncate(path, size), ==, 0);
        return path;
}

static void update_cdrom(GuestTest *g, const char *source, const char *scope, GError **error) {
        g_autofree char *xml =
                g_strdup_printf("<disk type='file' device='cdrom'>%s%s%s<target dev='sda' bus='sata'/>"
                                "<readonly/></disk>",
                                source ? "<source file='" : "", source ? source : "", source ? "'/>" : "");
        GVariantBuilder options;

        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        if (scope)
                g_variant_builder_add(&options, "{sv}", scope, g_variant_new_boolean(TRUE));
        g_autoptr(GVariant) reply =
                hv_vm_call(&g->t, g->path, "UpdateDevice", g_variant_new("(sa{sv})", xml, &options), NULL, error);
}

/* What the guest reads of its cdrom: its first 8 bytes (opening it makes Linux look at the
 * drive again) or why it cannot, and its size in 512-byte sectors, as "<bytes>|<sectors>".
 * The first read after a change fails in Linux (the drive reports the change as an error,
 * as a real one does), so it reads twice. An empty drive has "No medium found"; its size
 * is then whatever Linux had last (2097151 before any disc). */
static char *guest_cdrom(GuestTest *g, unsigned round) {
        g_autofree char *command = g_strdup_printf("head -c 8 /dev/sr0 >/dev/null 2>&1; echo \"cd=$(head -c 8 "
                                                   "/dev/sr0 2>&1)|$(cat /sys/block/sr0/size)|$((%u+1000))\"",
                                                   round);
        g_autofree char *end = g_strdup_printf("|%u", round + 1000);
        gsize mark = g->output->len;
        const char *line, *stop;

        console_type(g, command);
        console_wait(g, end, mark); /* the echoed command has "$((N+1000))", not the number */
        stop = strstr(g->output->str + mark, end);
        line = g_strrstr_len(g->output->str + mark, stop - (g->output->str + mark), "cd=");
        g_assert_nonnull(line);
        return g_strndup(line + 3, (gsize) (stop - line - 3));
}

static char *vm_xml(GuestTest *g, gboolean live) {
        GVariantBuilder options;
        char *xml = NULL;

        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        if (live)
                g_variant_builder_add(&options, "{sv}", "live", g_variant_new_boolean(TRUE));
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply =
                hv_vm_call(&g->t, g->path, "GetXML", g_variant_new("(a{sv})", &options), "(s)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(s)", &xml);
        return xml;
}

/* The read-bytes GetStats reports for the VM's one disk, -1 when it reports none: the engine
 * knows a drive's block node from its runtime record, which follows each change. */
static gint64 disk_read_bytes(GuestTest *g) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply =
                hv_vm_call(&g->t, g->path, "GetStats", g_variant_new("(a{sv})", NULL), "(a{sv})", &error);
        g_autoptr(GVariant) stats = NULL, block = NULL;
        guint64 bytes;

        g_assert_no_error(error);
        stats = g_variant_get_child_value(reply, 0);
        block = g_variant_lookup_value(stats, "block", G_VARIANT_TYPE("aa{sv}"));
        g_assert_nonnull(block);
        if (g_variant_n_children(block) == 0)
                return -1;
        g_assert_cmpuint(g_variant_n_children(block), ==, 1);
        g_autoptr(GVariant) entry = g_variant_get_child_value(block, 0);
        g_assert_true(g_variant_lookup(entry, "read-bytes", "t", &bytes));
        return (gint64) bytes;
}

/* An install from discs, as virt-install --cdrom and virsh change-media: an empty SATA cdrom
 * gets a disc while the guest runs, then another, then none; the guest reads each (its bytes,
 * its size), the live XML shows it, the definition keeps its own until 'config' changes it. A
 * file QEMU cannot open changes nothing. */
static void test_cdrom_media(GuestTest *g, gconstpointer data) {
        static const char devices[] = "<disk type='file' device='cdrom'><target dev='sda' bus='sata'/><readonly/>"
                                      "</disk><controller type='sata' index='0'/>";
        g_autofree char *one = make_disc(g, "disc1.iso", "HVDISC-1", 2 << 20);
        g_autofree char *two = make_disc(g, "disc2.iso", "HVDISC-2", 4 << 20);
        g_autofree char *missing = g_build_filename(g->t.dir, "images", "missing.iso", NULL);
        g_autoptr(GError) error = NULL;
        g_autofree char *seen = NULL, *live = NULL, *stored = NULL;
        unsigned round = 0;

        define(g, "install", NULL, devices);
        boot_to_marker(g);
        seen = guest_cdrom(g, round++);
        g_assert_nonnull(strstr(seen, "No medium found|"));

        update_cdrom(g, one, NULL, &error); /* running: the drive, not the definition */
        g_assert_no_error(error);
        g_free(seen);
        seen = guest_cdrom(g, round++);
        g_assert_cmpstr(seen, ==, "HVDISC-1|4096");
        g_assert_cmpint(disk_read_bytes(g), >, 0);
        live = vm_xml(g, TRUE);
        stored = vm_xml(g, FALSE);
        g_assert_nonnull(strstr(live, one));
        g_assert_null(strstr(stored, one));

        update_cdrom(g, two, "live", &error);
        g_assert_no_error(error);
        g_free(seen);
        seen = guest_cdrom(g, round++);
        g_assert_cmpstr(seen, ==, "HVDISC-2|8192");
        g_assert_cmpint(disk_read_bytes(g), >, 0);

        update_cdrom(g, missing, NULL, &error);
        hv_assert_error(error, "org.example.Hypervisor.Error.EngineFailed", "missing.iso");
        g_clear_error(&error);
        g_free(live);
        live = vm_xml(g, TRUE);
        g_assert_nonnull(strstr(live, two));
        g_assert_null(strstr(live, missing));
        g_free(seen);
        seen = guest_cdrom(g, round++);
        g_assert_cmpstr(seen, ==, "HVDISC-2|8192");

        update_cdrom(g, NULL, NULL, &error); /* eject */
        g_assert_no_error(error);
        g_free(seen);
        seen = guest_cdrom(g, round++);
        g_assert_nonnull(strstr(seen, "No medium found|"));
        g_assert_cmpint(disk_read_bytes(g), ==, -1); /* an empty drive has no block node */
        g_free(live);
        live = vm_xml(g, TRUE);
        g_assert_null(strstr(live, two));
        g_assert_null(strstr(live, "<source"));
        g_assert_cmpint(disk_read_bytes(g), ==, -1);

        /* The definition alone: the running drive stays empty. */
        update_cdrom(g, two, "config", &error);
        g_assert_no_error(error);
        g_free(live);
        g_free(stored);
        live = vm_xml(g, TRUE);
        stored = vm_xml(g, FALSE);
        g_assert_null(strstr(live, two));
        g_assert_nonnull(strstr(stored, two));
        g_free(seen);
        seen = guest_cdrom(g, round++);
        g_assert_nonnull(strstr(seen, "No medium found|"));

        /* Swapped again, in the drive: the next boot gets what the definition has. */
        update_cdrom(g, one, NULL, &error);
        g_assert_no_error(error);
        g_free(seen);
        seen = guest_cdrom(g, round++);
        g_assert_cmpstr(seen, ==, "HVDISC-1|4096");

        /* A restarted service finds the drive as it was left (the runtime record): the
         * disc in the live XML, its block node for GetStats, and ejects it again. */
        restart_daemon(g, SIGTERM);
        g_free(live);
        live = vm_xml(g, TRUE);
        g_assert_nonnull(strstr(live, one));
        g_assert_cmpint(disk_read_bytes(g), >, 0);
        update_cdrom(g, NULL, "live", &error);
        g_assert_no_error(error);
        g_assert_cmpint(disk_read_bytes(g), ==, -1);
}

/* <filesystem> as virtio-9p: the guest mounts a folder of the test's (accessmode='mapped'),
 * reads the file there and writes one back that the test sees; a <readonly/> share refuses
 * the guest's write. A snapshot while the share is mounted fails with QEMU's reason. */
static void test_filesystem_9p(GuestTest *g, gconstpointer data) {
        g_autofree char *share = g_build_filename(g->t.dir, "share", NULL);
        g_autofree char *ro = g_build_filename(g->t.dir, "share-ro", NULL);
        g_autofree char *known = g_build_filename(share, "hello.txt", NULL);
        g_autofree char *back = g_build_filename(share, "back.txt", NULL);
        g_autofree char *ro_known = g_build_filename(ro, "hello.txt", NULL);
        g_autofree char *ro_new = g_build_filename(ro, "new.txt", NULL);
        g_autofree char *snapshot = g_build_filename(g->t.dir, "snap-9p", NULL);
        g_autofree char *devices = NULL, *text = NULL, *s = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        GVariantBuilder options;
        gsize mark;

        g_assert_cmpint(g_mkdir_with_parents(share, 0755), ==, 0);
        g_assert_cmpint(g_mkdir_with_parents(ro, 0755), ==, 0);
        g_assert_true(g_file_set_contents(known, "hv-9p-known-content\n", -1, NULL));
        g_assert_true(g_file_set_contents(ro_known, "hv-9p-read-only\n", -1, NULL));
        devices = g_strdup_printf("<filesystem type='mount' accessmode='mapped'><source dir='%s'/>"
                                  "<target dir='share0'/></filesystem>",
                                  share);
        define(g, "nine-p", NULL, devices);
        /* On the shut-off VM, AddDevice adds the read-only share to the definition. */
        g_free(devices);
        devices = g_strdup_printf("<filesystem type='mount'><source dir='%s'/><target dir='ro0'/><readonly/>"
                                  "</filesystem>",
                                  ro);
        reply = hv_vm_call(&g->t, g->path, "AddDevice", g_variant_new("(sa{sv})", devices, NULL), "(s)", &error);
        g_assert_no_error(error);
        g_clear_pointer(&reply, g_variant_unref);
        boot_to_marker(g);

        /* No hot-plug: refused naming the element. */
        reply = hv_vm_call(&g->t, g->path, "AddDevice",
                           g_variant_new("(sa{sv})",
                                         "<filesystem><source dir='/nonexistent'/><target dir='hot'/></filesystem>",
                                         NULL),
                           "(s)", &error);
        g_assert_null(reply);
        g_assert_nonnull(error);
        g_test_message("AddDevice of a <filesystem> while running: %s", error->message);
        if (!strstr(error->message, "NotSupported") || !strstr(error->message, "<filesystem>"))
                g_error("Hot-plug of a <filesystem> was not refused naming it: %s", error->message);
        g_clear_error(&error);

        /* Read the host's file, write one back. */
        mark = g->output->len;
        console_type(g, "mkdir -p /mnt/a /mnt/b && mount -t 9p -o trans=virtio share0 /mnt/a && "
                        "cat /mnt/a/hello.txt && echo written-by-guest > /mnt/a/back.txt && sync; "
                        "echo mounted-$((40+2))");
        console_wait(g, "mounted-42", mark);
        if (!strstr(g->output->str + mark, "hv-9p-known-content"))
                g_error("The guest did not read the shared file:\n%s", g->output->str + mark);
        g_assert_true(g_file_get_contents(back, &text, NULL, NULL));
        g_assert_cmpstr(text, ==, "written-by-guest\n");

        /* <readonly/>: the guest reads, its write is refused, nothing appears on the host. */
        mark = g->output->len;
        console_type(g, "mount -t 9p -o trans=virtio ro0 /mnt/b && cat /mnt/b/hello.txt && "
                        "{ echo x > /mnt/b/new.txt && echo ro-written-$((40+2)) || echo ro-refused-$((40+2)); }");
        console_wait(g, "-42", mark);
        if (!strstr(g->output->str + mark, "hv-9p-read-only") || !strstr(g->output->str + mark, "ro-refused-42"))
                g_error("The read-only share was not read, or took a write:\n%s", g->output->str + mark);
        g_assert_false(g_file_test(ro_new, G_FILE_TEST_EXISTS));

        /* QEMU blocks migration, hence a snapshot, while a 9p export is mounted: its words (naming
         * one of the mounted exports). */
        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        reply = hv_vm_call(&g->t, g->path, "Snapshot", g_variant_new("(sa{sv})", snapshot, &options), NULL, &error);
        g_assert_null(reply);
        g_assert_nonnull(error);
        g_test_message("Snapshot with a mounted share: %s", error->message);
        if (!strstr(error->message, "VirtFS") || !strstr(error->message, "mount_tag"))
                g_error("The snapshot's error does not give QEMU's reason: %s", error->message);
        s = state(g);
        g_assert_cmpstr(s, ==, "running");
}

/* ---- a real bridge ----------------------------------------------------------- */

#define TEST_BRIDGE "hvbr0"
#define TEST_BRIDGE_ADDRESS "10.77.0.1"

static void run_host(const char *command) {
        g_autoptr(GError) error = NULL;
        g_autofree char *out = NULL, *err = NULL;
        int status;

        if (!g_spawn_command_line_sync(command, &out, &err, &status, &error))
                g_error("Cannot run '%s': %s", command, error->message);
        if (!g_spawn_check_wait_status(status, NULL))
                g_error("'%s' failed: %s%s", command, out, err);
}

/* Our own network namespace with a bridge that has an address, and hypervisord.conf
 * naming it as the network 'lan'. */
static void setup_bridge(GuestTest *g, gconstpointer data) {
        g_autofree char *config =
                g_strdup_printf("FirmwareDirectories=%s\n[network.lan]\nBridge=" TEST_BRIDGE "\n", guest_dir());

        if (unshare(CLONE_NEWNET) < 0)
                g_error("Cannot create a network namespace for the bridge test: %s", g_strerror(errno));
        run_host("ip link set lo up");
        run_host("ip link add " TEST_BRIDGE " type bridge");
        run_host("ip addr add " TEST_BRIDGE_ADDRESS "/24 dev " TEST_BRIDGE);
        run_host("ip link set " TEST_BRIDGE " up");
        hv_test_setup(&g->t, config);
        g->console = -1;
        g->output = g_string_new(NULL);
}

/* The bridge's ports, by name, space-separated ("ip", as /sys shows the namespace of
 * whoever mounted it, not ours). */
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
        /* "7: tap0: <BROADCAST,...> ... master hvbr0 ..." */
        for (char **line = lines; *line; line++) {
                g_auto(GStrv) fields = g_strsplit(*line, ": ", 3);
                if (g_strv_length(fields) >= 2)
                        g_string_append_printf(names, "%s%s", names->len ? " " : "", fields[1]);
        }
        return g_string_free(names, FALSE);
}

static char *vm_mac(GuestTest *g) {
        g_autoptr(GVariant) reply = hv_vm_call(&g->t, g->path, "GetXML", g_variant_new("(a{sv})", NULL), "(s)", NULL);
        const char *xml, *at;

        g_assert_nonnull(reply);
        g_variant_get(reply, "(&s)", &xml);
        at = strstr(xml, "<mac address='");
        g_assert_nonnull(at);
        return g_strndup(at + strlen("<mac address='"), 17);
}

/*
 * <interface type='bridge'> (data NULL) or type='network' mapped to the bridge ("lan"):
 * the service makes a tap, joins it to the bridge and QEMU gets it; the guest, given an
 * address, pings the host's end of the bridge and answers the host's ping. The tap
 * leaves the bridge with the VM.
 */
static void test_bridge_ping(GuestTest *g, gconstpointer data) {
        const char *network = data;
        const char *guest_address = network ? "10.77.0.3" : "10.77.0.2";
        g_autofree char *element =
                network ? g_strdup_printf("<interface type='network'><source network='%s'/></interface>", network)
                        : g_strdup("<interface type='bridge'><source bridge='" TEST_BRIDGE "'/>"
                                   "<model type='virtio'/></interface>");
        g_autofree char *ports = NULL, *mac = NULL, *typed = NULL, *host_ping = NULL;
        gsize mark;

        define(g, network ? "netping" : "brping", NULL, element);
        mac = vm_mac(g);
        g_assert_true(g_str_has_prefix(mac, "52:54:00:"));
        ports = bridge_ports(TEST_BRIDGE);
        g_assert_cmpstr(ports, ==, "");
        boot_to_marker(g);
        g_free(ports);
        ports = bridge_ports(TEST_BRIDGE);
        g_test_message("ports of " TEST_BRIDGE ": '%s'", ports);
        g_assert_cmpstr(ports, !=, "");
        g_assert_null(strchr(ports, ' '));

        /* The guest's NIC has the address GetXML shows. */
        mark = g->output->len;
        console_type(g, "cat /sys/class/net/eth0/address");
        console_wait(g, mac, mark);

        /* (The markers are computed by the guest's shell: the echoed command line does not match.) */
        mark = g->output->len;
        typed = g_strdup_printf("ip addr add %s/24 dev eth0 && ip link set eth0 up && echo HV-NET-$((40+2))",
                                guest_address);
        console_type(g, typed);
        console_wait(g, "HV-NET-42", mark);
        mark = g->output->len;
        console_type(g, "ping -c 2 -w 60 " TEST_BRIDGE_ADDRESS " >/dev/null && echo HV-PING-$((40+2))");
        console_wait(g, "HV-PING-42", mark);
        host_ping = g_strdup_printf("busybox ping -c 2 -w 60 %s", guest_address);
        run_host(host_ping);

        call_ok(g, "PowerOff", NULL);
        g_free(ports);
        ports = bridge_ports(TEST_BRIDGE);
        g_assert_cmpstr(ports, ==, "");
}

/* <interface type='network'><source network='default'/>: user-mode networking, built in; the
 * guest reaches slirp's gateway (10.0.2.2 answers pings). */
static void test_default_network(GuestTest *g, gconstpointer data) {
        gsize mark;

        define(g, "usernet", NULL, "<interface type='network'><source network='default'/></interface>");
        boot_to_marker(g);
        mark = g->output->len;
        console_type(g, "ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up && "
                        "ping -c 2 -w 60 10.0.2.2 >/dev/null && echo HV-PING-$((40+2))");
        console_wait(g, "HV-PING-42", mark);
        call_ok(g, "PowerOff", NULL);
}

/* AddDevice of an <interface type='bridge'> on a running VM: the service's tap, joined to
 * the bridge, reaches QEMU by getfd (netdev_add, device_add on a free root port); the guest
 * gets a NIC with the address GetXML shows and pings the host over it. RemoveDevice takes
 * it away, and the tap leaves the bridge. */
static void test_hotplug_interface(GuestTest *g, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *ports = NULL, *live = NULL, *mac = NULL;
        const char *id, *at;
        gsize mark;

        define(g, "hotnet", NULL, NULL);
        boot_to_marker(g);
        reply = hv_vm_call(&g->t, g->path, "AddDevice",
                           g_variant_new("(sa{sv})",
                                         "<interface type='bridge'><source bridge='" TEST_BRIDGE "'/></interface>",
                                         NULL),
                           "(s)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(&s)", &id);
        ports = bridge_ports(TEST_BRIDGE);
        g_assert_cmpstr(ports, !=, "");
        {
                g_autoptr(GVariant) x = hv_vm_call(&g->t, g->path, "GetXML",
                                                   g_variant_new_parsed("({'live': <true>},)"), "(s)", &error);
                g_assert_no_error(error);
                g_variant_get(x, "(s)", &live);
        }
        at = strstr(live, "<mac address='");
        g_assert_nonnull(at);
        mac = g_strndup(at + strlen("<mac address='"), 17);

        /* The guest may take a moment to bind the driver: wait for the NIC. */
        mark = g->output->len;
        console_type(g, "until [ -e /sys/class/net/eth0 ]; do sleep 0.2; done; cat /sys/class/net/eth0/address");
        console_wait(g, mac, mark);
        mark = g->output->len;
        console_type(g, "ip addr add 10.77.0.4/24 dev eth0 && ip link set eth0 up && "
                        "ping -c 2 -w 60 " TEST_BRIDGE_ADDRESS " >/dev/null && echo HV-PING-$((40+2))");
        console_wait(g, "HV-PING-42", mark);

        {
                g_autoptr(GVariant) r =
                        hv_vm_call(&g->t, g->path, "RemoveDevice", g_variant_new("(sa{sv})", id, NULL), NULL, &error);
                g_assert_no_error(error);
        }
        expect_guest_event(g, "device-removed", "DEVICE_DELETED");
        /* netdev_del went out after the reply; the tap goes once QEMU closed it. */
        for (int i = 0; i < 100; i++) {
                g_free(ports);
                ports = bridge_ports(TEST_BRIDGE);
                if (!*ports)
                        break;
                g_usleep(100000);
        }
        g_assert_cmpstr(ports, ==, "");
}

/* TCGFallback= said in so many words (it is on by default): a type='kvm' VM runs under TCG when
 * KVM is not usable. */
static void setup_tcg_fallback(GuestTest *g, gconstpointer data) {
        g_autofree char *config = g_strdup_printf("FirmwareDirectories=%s\n[qemu]\nTCGFallback=true\n", guest_dir());

        hv_test_setup(&g->t, config);
        g->console = -1;
        g->output = g_string_new(NULL);
}

/* What the service's probe found: can the QEMU engine use KVM on this host? */
static bool qemu_probe_has_kvm(GuestTest *g) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply =
                hv_manager_call(&g->t, "GetCapabilities", g_variant_new("(a{sv})", NULL), "(a{sv})", &error);
        g_autoptr(GVariant) caps = NULL;
        g_autoptr(GVariant) engines = NULL;
        g_autoptr(GVariant) qemu = NULL;
        gboolean kvm = FALSE;

        g_assert_no_error(error);
        caps = g_variant_get_child_value(reply, 0);
        engines = g_variant_lookup_value(caps, "engines", G_VARIANT_TYPE_VARDICT);
        g_assert_nonnull(engines);
        qemu = g_variant_lookup_value(engines, "qemu", G_VARIANT_TYPE_VARDICT);
        g_assert_nonnull(qemu);
        g_assert_true(g_variant_lookup(qemu, "kvm", "b", &kvm));
        return kvm;
}

/* <cpu mode='host-passthrough'> needs KVM. A <domain type='kvm'> asking for it is defined
 * whatever the host, and Boot checks it against the accelerator the VM really gets. Under
 * TCG (KVM unusable, TCGFallback=) Boot refuses it, naming the CPU mode and TCG, and the VM
 * stays off. Under KVM it passes that check: QEMU is started with -cpu host and KVM (and
 * runs; on a host whose KVM cannot give a guest the host CPU, as some nested ones, QEMU's
 * own failure is the answer, never a refusal of the CPU mode). Which of the two this host
 * shows, the service's probe says. */
static void test_kvm_host_cpu_at_boot(GuestTest *g, gconstpointer data) {
        g_autofree char *qemu_xml = guest_xml("hostcpu", NULL, NULL, "<cpu mode='host-passthrough'/>");
        g_autofree char *xml = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GVariant) uuid = NULL;
        g_autofree char *log_name = NULL;
        g_autofree char *log_path = NULL;
        g_autofree char *log = NULL;
        g_autofree char *s = NULL;
        bool kvm = qemu_probe_has_kvm(g);

        g_assert_true(g_str_has_prefix(qemu_xml, "<domain type='qemu'>"));
        xml = g_strconcat("<domain type='kvm'>", qemu_xml + strlen("<domain type='qemu'>"), NULL);
        g_test_message("The QEMU engine's probe found KVM %s", kvm ? "usable" : "unusable: TCG");
        /* (A type='qemu' VM asking for it: /qemu/host-cpu-under-tcg.) */
        g->path = hv_define(&g->t, xml);
        hv_signal_log_start(&g->log, &g->t, VM_IFACE, g->path);
        uuid = hv_get_property(&g->t, g->path, VM_IFACE, "UUID");
        log_name = g_strconcat(g_variant_get_string(uuid, NULL), ".log", NULL);
        log_path = g_build_filename(g->t.dir, "log", log_name, NULL);

        reply = hv_vm_call(&g->t, g->path, "Boot", g_variant_new("(a{sv})", NULL), NULL, &error);
        g_test_message("Boot: %s", error ? error->message : "(success)");
        if (!kvm) {
                hv_assert_error(error, "org.example.Hypervisor.Error.NotSupported", "<cpu mode='host-passthrough'>");
                g_assert_nonnull(strstr(error->message, "TCG"));
                s = state(g);
                g_assert_cmpstr(s, ==, "shutoff");
                /* Refused before QEMU was started. */
                g_assert_false(g_file_test(log_path, G_FILE_TEST_EXISTS) &&
                               g_file_get_contents(log_path, &log, NULL, NULL) &&
                               strstr(log, "hypervisord: starting"));
                return;
        }
        g_assert_true(g_file_get_contents(log_path, &log, NULL, NULL));
        g_assert_nonnull(strstr(log, "hypervisord: starting"));
        g_assert_nonnull(strstr(log, " '-accel' 'kvm' "));
        g_assert_nonnull(strstr(log, " '-cpu' 'host"));
        if (error) {
                g_autofree char *name = hv_error_name(error);
                g_assert_cmpstr(name, ==, "org.example.Hypervisor.Error.EngineFailed");
                g_assert_null(strstr(error->message, "needs KVM"));
                return;
        }
        open_console(g);
        console_wait(g, "HV-GUEST-READY", 0);
        s = state(g);
        g_assert_cmpstr(s, ==, "running");
}

/* A <domain type='qemu'> runs under TCG, which cannot give the host's CPU: as libvirt, the
 * definition is kept (the document may move to a host with KVM, or be edited), and Boot
 * refuses it before QEMU starts, naming the CPU mode and TCG. */
static void test_host_cpu_under_tcg(GuestTest *g, gconstpointer data) {
        static const char *const modes[] = { "host-passthrough", "host-model" };

        for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
                g_autofree char *cpu = g_strdup_printf("<cpu mode='%s'/>", modes[i]);
                g_autofree char *name = g_strdup_printf("tcgcpu%zu", i);
                g_autofree char *xml = guest_xml(name, NULL, NULL, cpu);
                g_autofree char *path = hv_define(&g->t, xml);
                g_autofree char *mode = g_strdup_printf("<cpu mode='%s'>", modes[i]);
                g_autofree char *s = NULL;
                g_autoptr(GVariant) pid = NULL;
                g_autoptr(GVariant) reply = NULL;
                g_autoptr(GError) error = NULL;

                reply = hv_vm_call(&g->t, path, "Boot", g_variant_new("(a{sv})", NULL), NULL, &error);
                hv_assert_error(error, "org.example.Hypervisor.Error.NotSupported", mode);
                g_assert_nonnull(strstr(error->message, "TCG"));
                s = hv_vm_state(&g->t, path);
                g_assert_cmpstr(s, ==, "shutoff");
                pid = hv_get_property(&g->t, path, VM_IFACE, "PID");
                g_assert_cmpuint(g_variant_get_uint32(pid), ==, 0);
        }
}

/* ---- an emulated TPM ---------------------------------------------------------- */

/* The swtpm processes that hold the folder dir (the daemon holds it too). */
static GArray *swtpm_processes(const char *dir) {
        g_autoptr(GArray) pids = hv_find_processes(dir, 0);
        GArray *swtpms = g_array_new(FALSE, FALSE, sizeof(GPid));

        for (guint i = 0; i < pids->len; i++) {
                GPid pid = g_array_index(pids, GPid, i);
                g_autofree char *path = g_strdup_printf("/proc/%d/status", pid);
                g_autofree char *status = NULL;
                if (g_file_get_contents(path, &status, NULL, NULL) && g_str_has_prefix(status, "Name:\tswtpm\n"))
                        g_array_append_val(swtpms, pid);
        }
        return swtpms;
}

static gboolean no_swtpm(gpointer data) {
        g_autoptr(GArray) pids = swtpm_processes(data);
        return pids->len == 0;
}

/* Gone from the process table: exited and reaped (a zombie has a /proc entry still). */
static gboolean process_gone(gpointer data) {
        g_autofree char *path = g_strdup_printf("/proc/%d", GPOINTER_TO_INT(data));
        return !g_file_test(path, G_FILE_TEST_EXISTS);
}

/* The guest asks its TPM for 8 random bytes (TPM2_GetRandom) through /dev/tpm0: the answer
 * comes from swtpm, through QEMU's data channel. */
static void guest_tpm_get_random(GuestTest *g) {
        gsize mark = g->output->len;

        console_type(g, "exec 3<>/dev/tpm0; printf '\\x80\\x01\\x00\\x00\\x00\\x0c\\x00\\x00\\x01\\x7b"
                        "\\x00\\x08' >&3; head -c 10 <&3 | od -An -tx1; exec 3<&-; echo rnd-$((40+2))");
        console_wait(g, "rnd-42", mark);
        /* TPM_ST_NO_SESSIONS, 20 bytes, TPM_RC_SUCCESS */
        if (!strstr(g->output->str + mark, "80 01 00 00 00 14 00 00 00 00"))
                g_error("The guest's TPM2_GetRandom failed:\n%s", g->output->str + mark);
}

/* As virt-install writes it for a TPM 2.0 guest: UEFI, whose ACPI tables tell the kernel of the
 * CRB interface (the test guest's kernel booted directly by PVH beside a TPM finds QEMU's ACPI
 * tables unreadable). action: hv.action= of the guest, lifecycle: elements after <os>. */
static void define_tpm_device(GuestTest *g, const char *name, const char *action, const char *lifecycle,
                              const char *tpm) {
        g_autofree char *cmdline_path = g_build_filename(guest_dir(), "cmdline", NULL);
        g_autofree char *cmdline = NULL, *xml = NULL;

        g_assert_true(g_file_get_contents(cmdline_path, &cmdline, NULL, NULL));
        g_strstrip(cmdline);
        xml = g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                              "<os firmware='efi'><type arch='x86_64' machine='q35'>hvm</type>"
                              "<kernel>vmlinuz</kernel><initrd>initramfs.cpio.gz</initrd><cmdline>%s%s%s</cmdline>"
                              "</os><features><acpi/></features>%s<devices>%s</devices></domain>",
                              name, cmdline, action ? " hv.action=" : "", action ? action : "",
                              lifecycle ? lifecycle : "", tpm);
        g->path = hv_define(&g->t, xml);
        hv_signal_log_start(&g->log, &g->t, VM_IFACE, g->path);
}

static void define_tpm_with(GuestTest *g, const char *name, const char *action, const char *lifecycle) {
        define_tpm_device(g, name, action, lifecycle,
                          "<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>");
}

static void define_tpm(GuestTest *g, const char *name) {
        define_tpm_with(g, name, NULL, NULL);
}

/* virt-install's <tpm model='tpm-crb'>: a swtpm beside QEMU, as the owner, on a state folder the
 * service made for the VM (0700, the owner's); the guest's kernel finds a TPM 2.0 on the CRB
 * interface; swtpm goes with QEMU, the state stays for the next boot and goes with the VM. */
static void test_tpm(GuestTest *g, gconstpointer data) {
        g_autoptr(GVariant) uuid = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *tpm_dir = NULL, *permall = NULL;
        struct stat st;
        GPid swtpm;
        gsize mark;

        define_tpm(g, "tpm");
        uuid = hv_get_property(&g->t, g->path, VM_IFACE, "UUID");
        tpm_dir = g_strdup_printf("%s/state/tpm/%s", g->t.dir, g_variant_get_string(uuid, NULL));
        permall = g_build_filename(tpm_dir, "tpm2-00.permall", NULL);
        g_assert_false(g_file_test(tpm_dir, G_FILE_TEST_EXISTS)); /* made at the first boot */

        boot_to_marker(g);
        g_assert_cmpint(lstat(tpm_dir, &st), ==, 0);
        g_assert_true(S_ISDIR(st.st_mode));
        g_assert_cmpint(st.st_mode & 07777, ==, 0700);
        g_assert_cmpint(st.st_uid, ==, getuid());
        g_assert_true(g_file_test(permall, G_FILE_TEST_IS_REGULAR));
        {
                g_autoptr(GArray) pids = swtpm_processes(tpm_dir);
                g_autofree char *status = NULL, *status_path = NULL;
                g_autofree char *uid_line = g_strdup_printf("Uid:\t%u\t", (unsigned) getuid());
                g_assert_cmpuint(pids->len, ==, 1);
                swtpm = g_array_index(pids, GPid, 0);
                status_path = g_strdup_printf("/proc/%d/status", swtpm);
                g_assert_true(g_file_get_contents(status_path, &status, NULL, NULL));
                g_assert_nonnull(strstr(status, uid_line));
        }

        mark = g->output->len;
        console_type(g, "ls /sys/class/tpm; cat /sys/class/tpm/tpm0/tpm_version_major; "
                        "ls /sys/bus/acpi/drivers/tpm_crb; echo tpm-$((40+2))");
        console_wait(g, "tpm-42", mark);
        if (!strstr(g->output->str + mark, "tpm0") || !strstr(g->output->str + mark, "\n2\r") ||
            !strstr(g->output->str + mark, "MSFT0101"))
                g_error("The guest does not show a TPM 2.0 on the CRB interface:\n%s", g->output->str + mark);
        guest_tpm_get_random(g);

        call_ok(g, "PowerOff", NULL);
        hv_wait_until("swtpm to go with QEMU", no_swtpm, tpm_dir, BOOT_TIMEOUT_MS);
        /* ... and to be reaped by the daemon, its parent, although its QEMU's engine object is freed */
        hv_wait_until("swtpm to be reaped", process_gone, GINT_TO_POINTER(swtpm), BOOT_TIMEOUT_MS);
        g_assert_true(g_file_test(permall, G_FILE_TEST_IS_REGULAR)); /* kept for the next boot */

        reply = hv_vm_call(&g->t, g->path, "Delete", g_variant_new("(a{sv})", NULL), NULL, &error);
        g_assert_no_error(error);
        g_assert_false(g_file_test(tpm_dir, G_FILE_TEST_EXISTS));
        hv_signal_log_stop(&g->log);
        g_clear_pointer(&g->path, g_free);
}

/* libvirt's tpm-emulator.xml: tpm-tis, TPM 1.2 (its default there): a swtpm without --tpm2; the
 * guest's kernel finds a TPM 1.2 on the TIS interface (QEMU's ACPI names it PNP0C31), and its
 * TPM answers a TPM_GetRandom (TPM 1.2's command) through /dev/tpm0. */
static void test_tpm_1_2(GuestTest *g, gconstpointer data) {
        g_autoptr(GVariant) uuid = NULL;
        g_autofree char *tpm_dir = NULL, *permall = NULL, *permall2 = NULL;
        gsize mark;

        define_tpm_device(g, "tpm12", NULL, NULL, "<tpm model='tpm-tis'><backend type='emulator'/></tpm>");
        uuid = hv_get_property(&g->t, g->path, VM_IFACE, "UUID");
        tpm_dir = g_strdup_printf("%s/state/tpm/%s", g->t.dir, g_variant_get_string(uuid, NULL));
        permall = g_build_filename(tpm_dir, "tpm-00.permall", NULL);
        permall2 = g_build_filename(tpm_dir, "tpm2-00.permall", NULL);

        boot_to_marker(g);
        g_assert_true(g_file_test(permall, G_FILE_TEST_IS_REGULAR));
        g_assert_false(g_file_test(permall2, G_FILE_TEST_EXISTS));
        mark = g->output->len;
        console_type(g, "ls /sys/class/tpm; cat /sys/class/tpm/tpm0/tpm_version_major; "
                        "ls /sys/bus/pnp/drivers/tpm_tis; echo tpm-$((40+2))");
        console_wait(g, "tpm-42", mark);
        if (!strstr(g->output->str + mark, "tpm0") || !strstr(g->output->str + mark, "\n1\r"))
                g_error("The guest does not show a TPM 1.2:\n%s", g->output->str + mark);
        mark = g->output->len;
        console_type(g, "exec 3<>/dev/tpm0; printf '\\x00\\xc1\\x00\\x00\\x00\\x0e\\x00\\x00\\x00\\x46"
                        "\\x00\\x00\\x00\\x08' >&3; head -c 10 <&3 | od -An -tx1; exec 3<&-; echo rnd-$((40+2))");
        console_wait(g, "rnd-42", mark);
        /* TPM_TAG_RSP_COMMAND, 22 bytes, TPM_SUCCESS */
        if (!strstr(g->output->str + mark, "00 c4 00 00 00 16 00 00 00 00"))
                g_error("The guest's TPM_GetRandom failed:\n%s", g->output->str + mark);
}

/* The TPM's state travels in a snapshot (QEMU's tpm-emulator takes it from swtpm and gives it to
 * the new one at Restore): the restored guest's TPM answers, from a new swtpm. */
static void test_tpm_snapshot_restore(GuestTest *g, gconstpointer data) {
        g_autofree char *snapshot = g_build_filename(g->t.dir, "snap-tpm", NULL);
        g_autofree char *s = NULL;
        GVariantBuilder options;

        define_tpm(g, "tpmsnap");
        boot_to_marker(g);
        guest_tpm_get_random(g);
        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        g_variant_builder_add(&options, "{sv}", "stop", g_variant_new_boolean(TRUE));
        call_ok(g, "Snapshot", g_variant_new("(sa{sv})", snapshot, &options));
        s = state(g);
        g_assert_cmpstr(s, ==, "shutoff");
        close_console(g);

        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        call_ok(g, "Restore", g_variant_new("(sa{sv})", snapshot, &options));
        open_console(g);
        call_ok(g, "Resume", NULL);
        guest_tpm_get_random(g);
}

/* The swtpm is QEMU's peer, not the daemon's: a daemon killed and started again leaves it
 * running, the guest's TPM still answers, and when QEMU goes (PowerOff through the new daemon,
 * which never knew this swtpm) it goes too. */
static void test_tpm_daemon_restart(GuestTest *g, gconstpointer data) {
        g_autoptr(GVariant) uuid = NULL;
        g_autofree char *tpm_dir = NULL;
        g_autoptr(GArray) before = NULL, after = NULL;

        define_tpm(g, "tpmrestart");
        uuid = hv_get_property(&g->t, g->path, VM_IFACE, "UUID");
        tpm_dir = g_strdup_printf("%s/state/tpm/%s", g->t.dir, g_variant_get_string(uuid, NULL));
        boot_to_marker(g);
        before = swtpm_processes(tpm_dir);
        g_assert_cmpuint(before->len, ==, 1);

        restart_daemon(g, SIGKILL);
        after = swtpm_processes(tpm_dir);
        g_assert_cmpuint(after->len, ==, 1);
        g_assert_cmpint(g_array_index(after, GPid, 0), ==, g_array_index(before, GPid, 0));
        close_console(g);
        open_console(g);
        guest_tpm_get_random(g);

        call_ok(g, "PowerOff", NULL);
        hv_wait_until("swtpm to go with QEMU", no_swtpm, tpm_dir, BOOT_TIMEOUT_MS);
}

/* A guest that panics at every boot, with <on_crash>restart</on_crash>: each restart starts a new
 * swtpm on the same state at once, while the last one is leaving with its QEMU (it holds the
 * state's lock until it is gone); every restart boots. (The teardown powers it off.) */
static void test_tpm_restart_loop(GuestTest *g, gconstpointer data) {
        unsigned n = 2;

        define_tpm_with(g, "tpmloop", "panic", "<on_crash>restart</on_crash>");
        call_ok(g, "Boot", NULL);
        expect_state_changed(g, 1, "starting", "user");
        expect_state_changed(g, 2, "running", "booted");
        /* Two restarts, below the restart limit: four UEFI boots under TCG would take long. */
        for (unsigned i = 0; i < 2; i++) {
                expect_state_changed(g, ++n, "crashed", "guest-panicked");
                expect_state_changed(g, ++n, "starting", "restart");
                expect_state_changed(g, ++n, "running", "booted");
        }
}

/* A QEMU that ends before it connected to its swtpm (here: not QEMU at all) does not leave the
 * swtpm waiting for it: the start fails and swtpm goes too. */
static void test_tpm_qemu_never_connects(GuestTest *g, gconstpointer data) {
        g_autofree char *xml = guest_xml("tpmnoqemu", NULL,
                                         "<emulator>/bin/false</emulator>"
                                         "<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>",
                                         NULL);
        g_autoptr(GVariant) uuid = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *tpm_dir = NULL;

        g->path = hv_define(&g->t, xml);
        hv_signal_log_start(&g->log, &g->t, VM_IFACE, g->path);
        uuid = hv_get_property(&g->t, g->path, VM_IFACE, "UUID");
        tpm_dir = g_strdup_printf("%s/state/tpm/%s", g->t.dir, g_variant_get_string(uuid, NULL));
        reply = hv_vm_call(&g->t, g->path, "Boot", g_variant_new("(a{sv})", NULL), NULL, &error);
        g_assert_nonnull(error);
        g_test_message("Boot: %s", error->message);
        g_assert_true(g_file_test(tpm_dir, G_FILE_TEST_IS_DIR)); /* swtpm was started on it */
        hv_wait_until("swtpm to go without its QEMU", no_swtpm, tpm_dir, BOOT_TIMEOUT_MS);
}

/* The "Cpus_allowed_list:" of /proc/PID[/task/TID]/status. */
static char *cpus_allowed(const char *status_path) {
        g_autofree char *status = NULL;
        const char *line;

        g_assert_true(g_file_get_contents(status_path, &status, NULL, NULL));
        line = strstr(status, "\nCpus_allowed_list:\t");
        g_assert_nonnull(line);
        line += strlen("\nCpus_allowed_list:\t");
        return g_strndup(line, strcspn(line, "\n"));
}

/* <vcpu cpuset>: QEMU runs on those host CPUs, its vCPU thread too, as libvirt pins the
 * process for a static cpuset without <cputune>; a CPU the host does not have is refused
 * at Boot, before QEMU starts, naming it. */
static void test_vcpu_cpuset(GuestTest *g, gconstpointer data) {
        cpu_set_t ours;
        int cpu = -1;

        /* The last CPU this test may use: not the first, so that a pinning left out shows. */
        g_assert_cmpint(sched_getaffinity(0, sizeof(ours), &ours), ==, 0);
        for (int i = 0; i < CPU_SETSIZE; i++)
                if (CPU_ISSET(i, &ours))
                        cpu = i;
        g_assert_cmpint(cpu, >=, 0);
        g_autofree char *cpu_text = g_strdup_printf("%d", cpu);
        g_autofree char *vcpu = g_strdup_printf("<vcpu cpuset='%d'>1</vcpu>", cpu);
        g_autofree char *plain = guest_xml("pinned", NULL, NULL, NULL);
        g_auto(GStrv) parts = g_strsplit(plain, "<vcpu>1</vcpu>", 2);
        g_assert_nonnull(parts[1]);
        g_autofree char *xml = g_strjoinv(vcpu, parts);

        g->path = hv_define(&g->t, xml);
        hv_signal_log_start(&g->log, &g->t, VM_IFACE, g->path);
        boot_to_marker(g);
        g_autoptr(GVariant) pid = hv_get_property(&g->t, g->path, VM_IFACE, "PID");
        g_autofree char *status_path = g_strdup_printf("/proc/%u/status", g_variant_get_uint32(pid));
        g_autofree char *allowed = cpus_allowed(status_path);
        g_assert_cmpstr(allowed, ==, cpu_text);

        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply =
                hv_vm_call(&g->t, g->path, "GetInfo", g_variant_new("(a{sv})", NULL), "(a{sv})", &error);
        g_assert_no_error(error);
        g_autoptr(GVariant) info = g_variant_get_child_value(reply, 0);
        g_autoptr(GVariant) threads = g_variant_lookup_value(info, "vcpu-threads", G_VARIANT_TYPE("au"));
        g_assert_nonnull(threads);
        g_assert_cmpuint(g_variant_n_children(threads), ==, 1);
        guint32 tid = 0;
        g_variant_get_child(threads, 0, "u", &tid);
        g_autofree char *thread_path = g_strdup_printf("/proc/%u/task/%u/status", g_variant_get_uint32(pid), tid);
        g_autofree char *thread_allowed = cpus_allowed(thread_path);
        g_assert_cmpstr(thread_allowed, ==, cpu_text);

        g_autoptr(GVariant) got = hv_vm_call(&g->t, g->path, "GetXML", g_variant_new("(a{sv})", NULL), "(s)", NULL);
        const char *text = NULL;
        g_variant_get(got, "(&s)", &text);
        g_autofree char *written = g_strdup_printf("<vcpu cpuset='%d'>1</vcpu>", cpu);
        g_assert_nonnull(strstr(text, written));

        /* CPU 1023, which no test host has: kept in the definition, refused at Boot. */
        g_autofree char *missing = g_strjoinv("<vcpu cpuset='1023'>1</vcpu>", parts);
        g_auto(GStrv) renamed = g_strsplit(missing, "<name>pinned</name>", 2);
        g_autofree char *elsewhere = g_strjoinv("<name>nowhere</name>", renamed);
        g_autofree char *path = hv_define(&g->t, elsewhere);
        g_autoptr(GVariant) refused = hv_vm_call(&g->t, path, "Boot", g_variant_new("(a{sv})", NULL), NULL, &error);
        hv_assert_error(error, "org.example.Hypervisor.Error.InvalidArgument", "<vcpu cpuset='1023'>");
        g_assert_nonnull(strstr(error->message, "host CPU 1023"));
        g_autofree char *s = hv_vm_state(&g->t, path);
        g_assert_cmpstr(s, ==, "shutoff");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, GuestTest, NULL, setup, fn, teardown)
        ADD("/qemu/boot-console", test_boot_console);
        ADD("/qemu/host-cpu-under-tcg", test_host_cpu_under_tcg);
        ADD("/qemu/vcpu-cpuset", test_vcpu_cpuset);
        g_test_add("/qemu/emulator-without-default", GuestTest, NULL, setup_no_default_binary,
                   test_emulator_without_default, teardown);
        ADD("/qemu/pause-resume", test_pause_resume);
        ADD("/qemu/shutdown", test_shutdown);
        ADD("/qemu/poweroff-keeps-descriptors", test_poweroff_keeps_descriptors);
        ADD("/qemu/guest-poweroff", test_guest_poweroff);
        ADD("/qemu/guest-panic", test_guest_panic);
        ADD("/qemu/engine-crash", test_engine_crash);
        ADD("/qemu/hotplug-disk", test_hotplug_disk);
        ADD("/qemu/snapshot-restore", test_snapshot_restore);
        ADD("/qemu/on-reboot-destroy", test_on_reboot_destroy);
        ADD("/qemu/on-reboot-restart", test_on_reboot_restart);
        ADD("/qemu/reboot-verb-on-reboot-destroy", test_reboot_verb_on_reboot_destroy);
        ADD("/qemu/uefi-boot", test_uefi_boot);
        ADD("/qemu/on-crash-restart-limit", test_on_crash_restart_limit);
        ADD("/qemu/daemon-restart", test_daemon_restart);
        ADD("/qemu/sigterm-leaves-vms-running", test_sigterm_leaves_vms_running);
        ADD("/qemu/stopped-while-away", test_stopped_while_away);
        ADD("/qemu/autostart", test_autostart);
        ADD("/qemu/sata-scsi-disks", test_sata_scsi_disks);
        ADD("/qemu/filesystem-9p", test_filesystem_9p);
        ADD("/qemu/tpm", test_tpm);
        ADD("/qemu/tpm-1.2", test_tpm_1_2);
        ADD("/qemu/tpm-snapshot-restore", test_tpm_snapshot_restore);
        ADD("/qemu/tpm-daemon-restart", test_tpm_daemon_restart);
        ADD("/qemu/tpm-restart-loop", test_tpm_restart_loop);
        ADD("/qemu/tpm-qemu-never-connects", test_tpm_qemu_never_connects);
        ADD("/qemu/cdrom-media", test_cdrom_media);
        g_test_add("/qemu/boot-tap", GuestTest, NULL, setup_netns, test_boot_tap, teardown);
        g_test_add("/qemu/bridge-ping", GuestTest, NULL, setup_bridge, test_bridge_ping, teardown);
        g_test_add("/qemu/network-bridge-ping", GuestTest, "lan", setup_bridge, test_bridge_ping, teardown);
        ADD("/qemu/default-network", test_default_network);
        g_test_add("/qemu/hotplug-interface", GuestTest, NULL, setup_bridge, test_hotplug_interface, teardown);
        g_test_add("/qemu/kvm-host-cpu-at-boot", GuestTest, NULL, setup_tcg_fallback, test_kvm_host_cpu_at_boot,
                   teardown);
#undef ADD
        return g_test_run();
}
