/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Hostile engine data on the system bus: hvtest1
 * names its own <emulator>, a stand-in QEMU (tests/faults/fake-qemu.c) that
 * runs as hvtest1 and sends JSON nested 200,000 levels deep, or forges a line
 * of the root daemon's log. The daemon lives on and hvtest2 is still served.
 */

#include <string.h>
#include <unistd.h>

#include "pk-test.h"

#define WAIT_USEC (60 * G_USEC_PER_SEC)

static char *fake_qemu_link(PkTest *t, const char *fault) {
        const char *fake = g_getenv("HV_FAKE_QEMU");
        g_autofree char *name = g_strdup_printf("qemu-fake-%s", fault);
        char *link = g_build_filename(t->dir, name, NULL);

        if (!fake || !g_file_test(fake, G_FILE_TEST_IS_EXECUTABLE))
                g_error("HV_FAKE_QEMU does not name the built fake-qemu: run through meson test");
        g_assert_cmpint(symlink(fake, link), ==, 0);
        return link;
}

static char *define_as(PkTest *t, const char *user, const char *name, const char *emulator) {
        const char *guest = g_getenv("HV_TEST_GUEST_DIR");
        g_autofree char *emulator_element = emulator ? g_strdup_printf("<emulator>%s</emulator>", emulator)
                                                     : g_strdup("");
        g_autofree char *xml = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        char *path;

        if (!guest)
                g_error("HV_TEST_GUEST_DIR is not set: run through meson test");
        xml = g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                              "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>%s/vmlinux</kernel>"
                              "<initrd>%s/initramfs.cpio.gz</initrd><cmdline>console=ttyS0</cmdline></os>"
                              "<devices>%s</devices></domain>",
                              name, guest, guest, emulator_element);
        reply = pk_manager_call_as(t, user, PK_CALL_NONE, "DefineVM", g_variant_new("(sa{sv})", xml, NULL), &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(o)", &path);
        return path;
}

/* The victim is served: ListVMs as hvtest2 shows its VM. */
static void assert_victim_served(PkTest *t) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = pk_manager_call_as(t, PK_USER2, PK_CALL_NONE, "ListVMs",
                                                       g_variant_new("(a{sv})", NULL), &error);

        g_assert_no_error(error);
        g_assert_cmpstr(g_variant_get_type_string(reply), ==, "(ao)");
}

static void setup(PkTest *t) {
        pk_test_setup(t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, NULL);
        g_free(define_as(t, PK_USER2, "victim", NULL));
}

static void test_deep_qmp(void) {
        PkTest t;
        g_autofree char *link = NULL;
        g_autofree char *vm = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        setup(&t);
        link = fake_qemu_link(&t, "deep-greeting");
        vm = define_as(&t, PK_USER1, "deep", link);
        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, vm, "Boot", g_variant_new("(a{sv})", NULL), &error);
        g_assert_nonnull(error);
        g_test_message("Boot with a greeting 200,000 levels deep: %s", error->message);
        pk_assert_error(error, "org.example.Hypervisor.Error.EngineFailed", "nested deeper than 64 levels");
        assert_victim_served(&t);
        pk_test_teardown(&t);
}

static void test_forged_log(void) {
        PkTest t;
        g_autofree char *link = NULL;
        g_autofree char *vm = NULL;
        g_autofree char *log = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        gint64 deadline;

        setup(&t);
        link = fake_qemu_link(&t, "forged-crash");
        vm = define_as(&t, PK_USER1, "forger", link);
        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, vm, "Boot", g_variant_new("(a{sv})", NULL), &error);
        g_assert_no_error(error);
        deadline = g_get_monotonic_time() + WAIT_USEC;
        for (;;) {
                g_autoptr(GVariant) state = pk_get_vm_property(&t, vm, "State");
                if (g_str_equal(g_variant_get_string(state, NULL), "crashed"))
                        break;
                if (g_get_monotonic_time() > deadline)
                        g_error("The forging engine did not crash: state %s", g_variant_get_string(state, NULL));
                g_usleep(50 * 1000);
        }
        assert_victim_served(&t);

        g_assert_true(g_file_get_contents(t.daemon_log, &log, NULL, NULL));
        g_auto(GStrv) lines = g_strsplit(log, "\n", -1);
        for (size_t i = 0; lines[i]; i++)
                if (g_str_has_prefix(lines[i], "<2>hypervisord[1]: CRITICAL"))
                        g_error("hvtest1's engine forged a line of the root daemon's log: %s", lines[i]);
        g_assert_null(strchr(log, '\x1b'));
        g_assert_nonnull(strstr(log, "\\n<2>hypervisord[1]: CRITICAL **: forged by the VM owner\\x1b[2J"));
        pk_test_teardown(&t);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/engine-data/deep-qmp", test_deep_qmp);
        g_test_add_func("/engine-data/forged-log", test_forged_log);
        return g_test_run();
}
