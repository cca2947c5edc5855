/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Which bridge and network a user may put a VM on (service/vm-net.c), on the system
 * bus with real users: hvtest1 is allowed bridge hvbr-a by hypervisord.conf, hvtest2
 * is not; neither may use a bridge the administrator did not name. Refused at
 * DefineVM, naming the bridge or network.
 */

#include <string.h>

#include "pk-test.h"

#define HV_ERROR_INVALID_ARGUMENT "org.example.Hypervisor.Error.InvalidArgument"

static const char config[] = "[bridge.hvbr-a]\nUsers=" PK_USER1 "\n"
                             "[network.lan]\nBridge=hvbr-a\nUsers=" PK_USER1 "\n";

static GVariant *define_as(PkTest *t, const char *user, const char *name, const char *interface, GError **error) {
        g_autofree char *xml = g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory>"
                                               "<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type>"
                                               "<kernel>/nonexistent/vmlinux</kernel></os>"
                                               "<devices>%s</devices></domain>",
                                               name, interface);
        return pk_manager_call_as(t, user, PK_CALL_NONE, "DefineVM", g_variant_new("(sa{sv})", xml, NULL), error);
}

static void expect_refused(PkTest *t, const char *user, const char *name, const char *interface,
                           const char *error_name, const char *words) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = define_as(t, user, name, interface, &error);

        g_assert_null(reply);
        pk_assert_error(error, error_name, words);
}

static void test_bridge_allow_list(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) ok = NULL, ok_network = NULL, ok_default = NULL;
        PkTest t;

        pk_test_setup_config(&t, PK_POLKIT_MOCK, NULL, config);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, NULL);

        /* Allowed: the bridge and the network on it for hvtest1, 'default' (user mode) for all. */
        ok = define_as(&t, PK_USER1, "bra1", "<interface type='bridge'><source bridge='hvbr-a'/></interface>", &error);
        g_assert_no_error(error);
        ok_network = define_as(&t, PK_USER1, "bra2", "<interface type='network'><source network='lan'/></interface>",
                               &error);
        g_assert_no_error(error);
        ok_default = define_as(&t, PK_USER2, "brb0",
                               "<interface type='network'><source network='default'/></interface>", &error);
        g_assert_no_error(error);

        /* Not hvtest2's, and no bridge that the administrator did not name. */
        expect_refused(&t, PK_USER2, "brb1", "<interface type='bridge'><source bridge='hvbr-a'/></interface>",
                       PK_ERROR_ACCESS_DENIED, "bridge 'hvbr-a' is not allowed");
        expect_refused(&t, PK_USER2, "brb2", "<interface type='network'><source network='lan'/></interface>",
                       PK_ERROR_ACCESS_DENIED, "network 'lan' is not allowed");
        expect_refused(&t, PK_USER1, "bra3", "<interface type='bridge'><source bridge='virbr0'/></interface>",
                       PK_ERROR_ACCESS_DENIED, "bridge 'virbr0' is not allowed");
        expect_refused(&t, PK_USER1, "bra4", "<interface type='network'><source network='dmz'/></interface>",
                       HV_ERROR_INVALID_ARGUMENT, "no network 'dmz'");
        pk_test_teardown(&t);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/net/bridge-allow-list", test_bridge_allow_list);
        return g_test_run();
}
