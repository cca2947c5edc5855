/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * A failed boot names the engine's own error first, then the context: a disk
 * image that is not what its <driver type> says makes QEMU exit at start-up,
 * and Boot's error reads "Cannot boot VM 'x': "<QEMU's message>" (QEMU
 * exited ...)".
 */

#include <string.h>

#include "hv-test.h"

static const char *guest_dir(void) {
        return hv_env_dir("HV_GUEST_DIR", "vmlinux");
}

static void setup(HvTest *t, gconstpointer data) {
        g_autofree char *config = g_strdup_printf("FirmwareDirectories=%s\n", guest_dir());

        hv_test_setup(t, config);
}

static void teardown(HvTest *t, gconstpointer data) {
        hv_test_teardown(t);
}

static void test_qemu_cause_first(HvTest *t, gconstpointer data) {
        g_autofree char *image = g_build_filename(t->dir, "images", "broken.qcow2", NULL);
        g_autofree char *xml = NULL;
        g_autofree char *path = NULL;
        g_autofree char *expected_start = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *message = NULL;

        g_assert_true(g_file_set_contents(image, "not a qcow2 image\n", -1, NULL));
        xml = g_strdup_printf("<domain type='qemu'><name>broken</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                              "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>vmlinux</kernel>"
                              "<initrd>initramfs.cpio.gz</initrd></os><devices><disk type='file' device='disk'>"
                              "<driver name='qemu' type='qcow2'/><source file='broken.qcow2'/>"
                              "<target dev='vda' bus='virtio'/></disk></devices></domain>");
        path = hv_define(t, xml);
        reply = hv_vm_call(t, path, "Boot", g_variant_new("(a{sv})", NULL), NULL, &error);
        g_assert_null(reply);
        g_assert_nonnull(error);
        message = g_dbus_error_get_remote_error(error);
        g_dbus_error_strip_remote_error(error);
        g_test_message("Boot: %s: %s", message, error->message);
        g_assert_cmpstr(message, ==, "org.example.Hypervisor.Error.EngineFailed");
        /* QEMU's words right after what failed; the exit and its log after them. */
        expected_start = g_strdup("Cannot boot VM 'broken': \"");
        g_assert_true(g_str_has_prefix(error->message, expected_start));
        g_assert_nonnull(strstr(error->message, "qcow2"));
        g_assert_true(strstr(error->message, "qcow2") < strstr(error->message, "(QEMU "));
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add("/boot-errors/qemu-cause-first", HvTest, NULL, setup, test_qemu_cause_first, teardown);
        return g_test_run();
}
