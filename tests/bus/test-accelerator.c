/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * GetInfo says which accelerator runs the guest: a
 * <domain type='qemu'> runs under TCG; a <domain type='kvm'> runs under KVM
 * when /dev/kvm can be opened, and otherwise falls back to TCG
 * (TCGFallback=, on by default) and says so in 'accelerator-fallback'.
 */

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "hv-test.h"

static const char *guest_dir(void) {
        const char *dir = g_getenv("HV_GUEST_DIR");
        g_autofree char *kernel = NULL;

        if (!dir)
                g_error("HV_GUEST_DIR is not set");
        kernel = g_build_filename(dir, "vmlinux", NULL);
        if (!g_file_test(kernel, G_FILE_TEST_EXISTS))
                g_error("The test guest is missing: no '%s'", kernel);
        return dir;
}

static void setup(HvTest *t, gconstpointer data) {
        g_autofree char *config = g_strdup_printf("FirmwareDirectories=%s\n", guest_dir());

        hv_test_setup(t, config);
}

static void teardown(HvTest *t, gconstpointer data) {
        hv_test_teardown(t);
}

/* Boots a VM of the domain type and returns its GetInfo. */
static GVariant *boot_and_info(HvTest *t, const char *type) {
        g_autofree char *cmdline_path = g_build_filename(guest_dir(), "cmdline", NULL);
        g_autofree char *cmdline = NULL;
        g_autofree char *xml = NULL;
        g_autofree char *path = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        GVariant *info;

        g_assert_true(g_file_get_contents(cmdline_path, &cmdline, NULL, NULL));
        g_strstrip(cmdline);
        xml = g_strdup_printf("<domain type='%s'><name>accel</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                              "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>vmlinux</kernel>"
                              "<initrd>initramfs.cpio.gz</initrd><cmdline>%s</cmdline></os></domain>",
                              type, cmdline);
        path = hv_define(t, xml);
        reply = hv_vm_call(t, path, "Boot", g_variant_new("(a{sv})", NULL), NULL, &error);
        g_assert_no_error(error);
        g_clear_pointer(&reply, g_variant_unref);
        reply = hv_vm_call(t, path, "GetInfo", g_variant_new("(a{sv})", NULL), "(a{sv})", &error);
        g_assert_no_error(error);
        info = g_variant_get_child_value(reply, 0);
        {
                g_autofree char *printed = g_variant_print(info, TRUE);
                g_test_message("%s: %s", type, printed);
        }
        g_clear_pointer(&reply, g_variant_unref);
        reply = hv_vm_call(t, path, "PowerOff", g_variant_new("(a{sv})", NULL), NULL, &error);
        g_assert_no_error(error);
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

static void test_kvm_type(HvTest *t, gconstpointer data) {
        int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        bool kvm = fd >= 0;
        g_autoptr(GVariant) info = NULL;
        const char *accelerator = NULL;
        const char *fallback = NULL;

        if (fd >= 0)
                close(fd);
        g_test_message("/dev/kvm %s", kvm ? "opens: KVM" : "does not open: TCG, fallen back");
        info = boot_and_info(t, "kvm");
        g_assert_true(g_variant_lookup(info, "accelerator", "&s", &accelerator));
        g_assert_cmpstr(accelerator, ==, kvm ? "kvm" : "tcg");
        g_assert_true(g_variant_lookup(info, "accelerator-fallback", "&s", &fallback) == !kvm);
        if (!kvm)
                g_assert_nonnull(strstr(fallback, "TCG"));
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add("/accelerator/qemu-type-is-tcg", HvTest, NULL, setup, test_qemu_type_is_tcg, teardown);
        g_test_add("/accelerator/kvm-type", HvTest, NULL, setup, test_kvm_type, teardown);
        return g_test_run();
}
