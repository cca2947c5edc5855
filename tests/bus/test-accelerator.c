/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * GetInfo says which accelerator runs the guest: a <domain type='qemu'> runs
 * under TCG; a <domain type='kvm'> runs under KVM when QEMU may use it, and
 * otherwise falls back to TCG (TCGFallback=, on by default) and says so: in
 * GetInfo's 'accelerator-fallback', in an 'accelerator-fallback' GuestEvent before
 * 'booted', and after a restart of the service. "May use it": /dev/kvm opens and
 * the administrator did not turn KVM off ([qemu] KVM=false), which is how these
 * tests get the fallback on any host. Whether KVM works when /dev/kvm opens is
 * the host's affair (nested hosts often fail): kvm-type accepts QEMU's own error.
 */

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "hv-test.h"

static const char *guest_dir(void) {
        return hv_env_dir("HV_GUEST_DIR", "vmlinux");
}

/* data: more configuration lines, or NULL. */
static void setup(HvTest *t, gconstpointer data) {
        g_autofree char *config =
                g_strdup_printf("FirmwareDirectories=%s\n%s", guest_dir(), data ? (const char *) data : "");

        hv_test_setup(t, config);
}

static void teardown(HvTest *t, gconstpointer data) {
        hv_test_teardown(t);
}

/* Defines the test guest with the domain type; returns its path. */
static char *define_guest(HvTest *t, const char *type) {
        g_autofree char *cmdline_path = g_build_filename(guest_dir(), "cmdline", NULL);
        g_autofree char *cmdline = NULL;
        g_autofree char *xml = NULL;

        g_assert_true(g_file_get_contents(cmdline_path, &cmdline, NULL, NULL));
        g_strstrip(cmdline);
        xml = g_strdup_printf("<domain type='%s'><name>accel</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                              "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>vmlinux</kernel>"
                              "<initrd>initramfs.cpio.gz</initrd><cmdline>%s</cmdline></os></domain>",
                              type, cmdline);
        return hv_define(t, xml);
}

static GVariant *get_info(HvTest *t, const char *path) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = hv_vm_call(t, path, "GetInfo", g_variant_new("(a{sv})", NULL), "(a{sv})", &error);
        GVariant *info;

        g_assert_no_error(error);
        info = g_variant_get_child_value(reply, 0);
        {
                g_autofree char *printed = g_variant_print(info, TRUE);
                g_test_message("GetInfo: %s", printed);
        }
        return info;
}

static void call_ok(HvTest *t, const char *path, const char *method) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = hv_vm_call(t, path, method, g_variant_new("(a{sv})", NULL), NULL, &error);

        g_assert_no_error(error);
}

/* Boots a VM of the domain type and returns its GetInfo. */
static GVariant *boot_and_info(HvTest *t, const char *type) {
        g_autofree char *path = define_guest(t, type);
        GVariant *info;

        call_ok(t, path, "Boot");
        info = get_info(t, path);
        call_ok(t, path, "PowerOff");
        return info;
}

static void test_qemu_type_is_tcg(HvTest *t, gconstpointer data) {
        g_autoptr(GVariant) info = boot_and_info(t, "qemu");
        const char *accelerator = NULL;

        g_assert_true(g_variant_lookup(info, "accelerator", "&s", &accelerator));
        g_assert_cmpstr(accelerator, ==, "tcg");
        /* TCG was asked for: nothing fell back. */
        g_assert_false(g_variant_lookup(info, "accelerator-fallback", "&s", NULL));
}

/* The administrator turned KVM off: a type='kvm' VM falls back to TCG, on every host, and says so. */
static void test_kvm_turned_off(HvTest *t, gconstpointer data) {
        g_autofree char *path = define_guest(t, "kvm");
        g_autoptr(GVariant) caps = NULL;
        g_autoptr(GVariant) info = NULL;
        g_autoptr(GVariant) event = NULL;
        g_autoptr(GVariant) details = NULL;
        g_autoptr(GError) error = NULL;
        HvSignalLog log;
        const char *accelerator = NULL, *fallback = NULL, *reason = NULL, *name = NULL;
        gboolean kvm = TRUE;

        /* GetCapabilities says QEMU has no KVM. */
        caps = hv_manager_call(t, "GetCapabilities", g_variant_new("(a{sv})", NULL), "(a{sv})", &error);
        g_assert_no_error(error);
        {
                g_autoptr(GVariant) all = g_variant_get_child_value(caps, 0);
                g_autoptr(GVariant) engines = g_variant_lookup_value(all, "engines", G_VARIANT_TYPE_VARDICT);
                g_autoptr(GVariant) qemu =
                        engines ? g_variant_lookup_value(engines, "qemu", G_VARIANT_TYPE_VARDICT) : NULL;
                g_assert_nonnull(qemu);
                g_assert_true(g_variant_lookup(qemu, "kvm", "b", &kvm));
                g_assert_false(kvm);
        }

        hv_signal_log_start(&log, t, "org.example.Hypervisor.VM", path);
        call_ok(t, path, "Boot");
        /* The fallback is told first, then the boot. */
        event = hv_signal_log_wait(&log, "GuestEvent", path, 1, 30000);
        g_variant_get(event, "(&s@a{sv})", &name, &details);
        g_assert_cmpstr(name, ==, "accelerator-fallback");
        g_assert_true(g_variant_lookup(details, "accelerator", "&s", &accelerator));
        g_assert_cmpstr(accelerator, ==, "tcg");
        g_assert_true(g_variant_lookup(details, "reason", "&s", &reason));
        g_assert_nonnull(strstr(reason, "KVM=false"));
        hv_expect_guest_event(&log, path, "booted", "RESUME", 30000);

        info = get_info(t, path);
        g_assert_true(g_variant_lookup(info, "accelerator", "&s", &accelerator));
        g_assert_cmpstr(accelerator, ==, "tcg");
        g_assert_true(g_variant_lookup(info, "accelerator-fallback", "&s", &fallback));
        g_assert_nonnull(strstr(fallback, "TCG"));
        g_assert_nonnull(strstr(fallback, "KVM=false"));

        /* A restart of the service still knows it. */
        hv_test_stop_daemon(t, SIGTERM);
        hv_test_start_daemon(t);
        g_clear_pointer(&info, g_variant_unref);
        info = get_info(t, path);
        g_assert_true(g_variant_lookup(info, "accelerator-fallback", "&s", &fallback));
        g_assert_nonnull(strstr(fallback, "KVM=false"));

        call_ok(t, path, "PowerOff");
        hv_signal_log_stop(&log);
}

/*
 * KVM not turned off: under KVM when /dev/kvm opens and QEMU can run the guest on
 * it; an EngineFailed naming QEMU's own words when it cannot (a nested host whose
 * KVM fails); under TCG, said, when /dev/kvm does not open.
 */
static void test_kvm_type(HvTest *t, gconstpointer data) {
        int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        bool kvm = fd >= 0;
        g_autofree char *path = define_guest(t, "kvm");
        g_autoptr(GVariant) info = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        const char *accelerator = NULL;
        const char *fallback = NULL;

        if (fd >= 0)
                close(fd);
        g_test_message("/dev/kvm %s", kvm ? "opens: KVM" : "does not open: TCG, fallen back");
        reply = hv_vm_call(t, path, "Boot", g_variant_new("(a{sv})", NULL), NULL, &error);
        if (kvm && error) {
                /* The host's KVM failed QEMU: its words, not a refusal of ours. */
                g_test_message("Boot under KVM failed: %s", error->message);
                hv_assert_error(error, "org.example.Hypervisor.Error.EngineFailed", "QEMU");
                return;
        }
        g_assert_no_error(error);
        info = get_info(t, path);
        g_assert_true(g_variant_lookup(info, "accelerator", "&s", &accelerator));
        g_assert_cmpstr(accelerator, ==, kvm ? "kvm" : "tcg");
        g_assert_true(g_variant_lookup(info, "accelerator-fallback", "&s", &fallback) == !kvm);
        if (!kvm)
                g_assert_nonnull(strstr(fallback, "TCG"));
        call_ok(t, path, "PowerOff");
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add("/accelerator/qemu-type-is-tcg", HvTest, NULL, setup, test_qemu_type_is_tcg, teardown);
        g_test_add("/accelerator/kvm-type", HvTest, NULL, setup, test_kvm_type, teardown);
        g_test_add("/accelerator/kvm-turned-off", HvTest, "[qemu]\nKVM=false\n", setup, test_kvm_turned_off, teardown);
        return g_test_run();
}
