/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Who may reach a VM's screen and keyboard: OpenGraphics, Screenshot and
 * SendKey follow the display rule of OpenConsole (service/authorize.c): on one's own VM
 * org.example.hypervisor.console; on another user's VM manage-all as well. Here hvtest2
 * runs a VM with a display on the real QEMU (TCG) and hvtest1, who has `console` but not
 * `manage-all`, is refused each of them; the owner is not.
 */

#include <string.h>

#include "pk-test.h"

#define PK_ACTION_CONSOLE "org.example.hypervisor.console"

static const char *guest_dir(void) {
        const char *dir = g_getenv("HV_TEST_GUEST_DIR");

        if (!dir || !*dir)
                g_error("HV_TEST_GUEST_DIR is not set: run through meson test");
        return dir;
}

/* hvtest2's running VM with a VNC display and a VGA card; its path. */
static char *boot_victim_vm(PkTest *t) {
        g_autofree char *xml = g_strdup_printf(
                "<domain type='qemu'><name>victimscreen</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>%s/vmlinux</kernel>"
                "<initrd>%s/initramfs.cpio.gz</initrd><cmdline>console=ttyS0 quiet</cmdline></os>"
                "<devices><graphics type='vnc'/><video><model type='vga'/></video></devices></domain>",
                guest_dir(), guest_dir());
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = pk_manager_call_as(t, PK_USER2, PK_CALL_NONE, "DefineVM",
                                                       g_variant_new("(sa{sv})", xml, NULL), &error);
        char *path;

        g_assert_no_error(error);
        g_variant_get(reply, "(o)", &path);
        g_clear_pointer(&reply, g_variant_unref);
        reply = pk_vm_call_as(t, PK_USER2, PK_CALL_NONE, path, "Boot", g_variant_new("(a{sv})", NULL), &error);
        g_assert_no_error(error);
        return path;
}

static void refused_to_other_user(const char *method, GVariant *args) {
        g_autoptr(GVariant) owned_args = g_variant_ref_sink(args);
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        PkTest t;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, PK_ACTION_CONSOLE, NULL);
        g_autofree char *vm = boot_victim_vm(&t);

        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, vm, method, owned_args, &error);
        if (!error)
                g_error("%s called %s on %s's VM without %s", PK_USER1, method, PK_USER2, PK_ACTION_MANAGE_ALL);
        pk_assert_error(error, PK_ERROR_ACCESS_DENIED, PK_ACTION_MANAGE_ALL);

        /* The owner may. */
        if (g_str_equal(method, "SendKey")) {
                g_clear_error(&error);
                g_clear_pointer(&reply, g_variant_unref);
                reply = pk_vm_call_as(&t, PK_USER2, PK_CALL_NONE, vm, method, owned_args, &error);
                g_assert_no_error(error);
        }
        g_clear_pointer(&reply, g_variant_unref);
        reply = pk_vm_call_as(&t, PK_USER2, PK_CALL_NONE, vm, "PowerOff", g_variant_new("(a{sv})", NULL), &error);
        pk_test_teardown(&t);
}

static void test_open_graphics(void) {
        refused_to_other_user("OpenGraphics", g_variant_new("(ua{sv})", 0, NULL));
}

static void test_screenshot(void) {
        refused_to_other_user("Screenshot", g_variant_new("(ua{sv})", 0, NULL));
}

static void test_send_key(void) {
        refused_to_other_user("SendKey", g_variant_new_parsed("([@u 29, 56, 111], @a{sv} {})"));
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        g_test_add_func("/display/other-user-open-graphics", test_open_graphics);
        g_test_add_func("/display/other-user-screenshot", test_screenshot);
        g_test_add_func("/display/other-user-send-key", test_send_key);
        return g_test_run();
}
