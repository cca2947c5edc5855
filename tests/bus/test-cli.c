/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The service as users of busctl and gdbus meet it, from their command lines. */

#include <string.h>

#include "hv-test.h"

/* Run a command line against the private bus; returns its stdout, asserting success. */
static char *run(HvTest *t, const char *const *argv, gboolean expect_success, char **ret_stderr) {
        g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "DBUS_SESSION_BUS_ADDRESS",
                                             g_test_dbus_get_bus_address(t->bus), TRUE);
        g_autoptr(GError) error = NULL;
        g_autofree char *err = NULL;
        char *out = NULL;
        int status;

        g_assert_true(g_spawn_sync(NULL, (char **) argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                                   &error));
        g_assert_no_error(error);
        if (expect_success != g_spawn_check_wait_status(status, NULL))
                g_error("'%s %s' %s: %s%s", argv[0], argv[1], expect_success ? "failed" : "succeeded", out, err);
        if (ret_stderr)
                *ret_stderr = g_steal_pointer(&err);
        return out;
}

static void test_busctl(HvTest *t, gconstpointer data) {
        g_autofree char *xml = hv_minimal_xml(t, "fromcli", NULL);
        const char *define[] = { "busctl", "--user", "call", "org.example.Hypervisor", "/org/example/Hypervisor",
                                 "org.example.Hypervisor.Manager", "DefineVM", "sa{sv}", xml, "0", NULL };
        g_autofree char *defined = run(t, define, TRUE, NULL);
        g_autofree char *path = NULL;
        g_autofree char *state = NULL;
        g_autofree char *tree = NULL;
        g_autofree char *introspection = NULL;
        g_autofree char *err = NULL;
        g_autofree char *missing = NULL;

        /* busctl prints: o "/org/example/Hypervisor/vm/..." */
        g_assert_true(g_str_has_prefix(defined, "o \"/org/example/Hypervisor/vm/"));
        path = g_strndup(defined + 3, strlen(defined) - 5);
        {
                const char *get[] = { "busctl", "--user", "get-property", "org.example.Hypervisor", path,
                                      "org.example.Hypervisor.VM", "State", NULL };
                state = run(t, get, TRUE, NULL);
                g_assert_cmpstr(state, ==, "s \"shutoff\"\n");
        }
        {
                const char *tree_argv[] = { "busctl", "--user", "tree", "--list", "org.example.Hypervisor", NULL };
                tree = run(t, tree_argv, TRUE, NULL);
                g_assert_nonnull(strstr(tree, path));
        }
        {
                const char *intro[] = { "busctl", "--user", "introspect", "org.example.Hypervisor", path, NULL };
                introspection = run(t, intro, TRUE, NULL);
                g_assert_nonnull(strstr(introspection, ".Boot"));
                g_assert_nonnull(strstr(introspection, ".StateChanged"));
        }
        {
                const char *lookup[] = { "busctl", "--user", "call", "org.example.Hypervisor",
                                         "/org/example/Hypervisor", "org.example.Hypervisor.Manager", "GetVMByName",
                                         "sa{sv}", "nosuch", "0", NULL };
                missing = run(t, lookup, FALSE, &err);
                g_assert_nonnull(strstr(err, "'nosuch'"));
        }
}

static void test_gdbus(HvTest *t, gconstpointer data) {
        g_autofree char *xml = hv_minimal_xml(t, "fromgdbus", NULL);
        const char *define[] = { "gdbus", "call", "--session", "--dest", "org.example.Hypervisor", "--object-path",
                                 "/org/example/Hypervisor", "--method", "org.example.Hypervisor.Manager.DefineVM",
                                 xml, "{}", NULL };
        const char *list[] = { "gdbus", "call", "--session", "--dest", "org.example.Hypervisor", "--object-path",
                               "/org/example/Hypervisor", "--method", "org.example.Hypervisor.Manager.ListVMs", "{}",
                               NULL };
        const char *bad[] = { "gdbus", "call", "--session", "--dest", "org.example.Hypervisor", "--object-path",
                              "/org/example/Hypervisor", "--method", "org.example.Hypervisor.Manager.ListVMs",
                              "{'colour': <'red'>}", NULL };
        g_autofree char *defined = run(t, define, TRUE, NULL);
        g_autofree char *listed = run(t, list, TRUE, NULL);
        g_autofree char *err = NULL;
        g_autofree char *ignored = run(t, bad, FALSE, &err);

        g_assert_true(g_str_has_prefix(defined, "(objectpath '/org/example/Hypervisor/vm/"));
        g_assert_nonnull(strstr(listed, "/org/example/Hypervisor/vm/"));
        g_assert_nonnull(strstr(err, "org.example.Hypervisor.Error.InvalidArgument"));
        g_assert_nonnull(strstr(err, "'colour'"));
}


int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add("/cli/busctl", HvTest, NULL, hv_test_fixture_setup, test_busctl, hv_test_fixture_teardown);
        g_test_add("/cli/gdbus", HvTest, NULL, hv_test_fixture_setup, test_gdbus, hv_test_fixture_teardown);
        return g_test_run();
}
