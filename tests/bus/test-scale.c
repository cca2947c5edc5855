/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * What the daemon keeps so that it scales stays true: the list ListVMs answers
 * from, the count of VMs per owner behind MaxVMsPerUser, the uid remembered per
 * caller connection, and the open-files limit raised at start.
 */

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "hv-test.h"

static GPtrArray *list_vms(HvTest *t) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = hv_manager_call(t, "ListVMs", g_variant_new("(a{sv})", NULL), "(ao)", &error);
        g_autoptr(GVariantIter) iter = NULL;
        GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
        const char *path;

        g_assert_no_error(error);
        g_variant_get(reply, "(ao)", &iter);
        while (g_variant_iter_next(iter, "&o", &path))
                g_ptr_array_add(paths, g_strdup(path));
        return paths;
}

static gboolean contains(GPtrArray *paths, const char *path) {
        for (guint i = 0; i < paths->len; i++)
                if (g_str_equal(g_ptr_array_index(paths, i), path))
                        return TRUE;
        return FALSE;
}

static void delete_vm(HvTest *t, const char *path) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = hv_vm_call(t, path, "Delete", g_variant_new("(a{sv})", NULL), NULL, &error);

        g_assert_no_error(error);
}

/* Deleting in the middle, then defining again: the list follows every change. */
static void test_list_after_delete(HvTest *t, gconstpointer data) {
        char *paths[6];

        for (unsigned i = 0; i < G_N_ELEMENTS(paths); i++) {
                g_autofree char *name = g_strdup_printf("scale%u", i);
                g_autofree char *xml = hv_minimal_xml(t, name, NULL);
                g_autoptr(GPtrArray) listed = NULL;

                paths[i] = hv_define(t, xml);
                listed = list_vms(t);
                g_assert_cmpuint(listed->len, ==, i + 1);
                g_assert_true(contains(listed, paths[i]));
        }
        delete_vm(t, paths[2]);
        delete_vm(t, paths[4]);
        {
                g_autoptr(GPtrArray) listed = list_vms(t);
                g_assert_cmpuint(listed->len, ==, 4);
                for (unsigned i = 0; i < G_N_ELEMENTS(paths); i++)
                        g_assert_true(contains(listed, paths[i]) == (i != 2 && i != 4));
        }
        {
                g_autofree char *xml = hv_minimal_xml(t, "scale-again", NULL);
                g_autofree char *again = hv_define(t, xml);
                g_autoptr(GPtrArray) listed = list_vms(t);
                g_assert_cmpuint(listed->len, ==, 5);
                g_assert_true(contains(listed, again));
                g_assert_false(contains(listed, paths[2]));
        }
        /* A restarted daemon lists what it loaded from the store. */
        hv_test_stop_daemon(t, SIGTERM);
        hv_test_start_daemon(t);
        {
                g_autoptr(GPtrArray) listed = list_vms(t);
                g_assert_cmpuint(listed->len, ==, 5);
                g_assert_true(contains(listed, paths[0]));
                g_assert_false(contains(listed, paths[4]));
        }
        for (unsigned i = 0; i < G_N_ELEMENTS(paths); i++)
                g_free(paths[i]);
}

static void test_owner_limit_after_delete(HvTest *t, gconstpointer data) {
        g_autofree char *xml_a = hv_minimal_xml(t, "limit-a", NULL);
        g_autofree char *xml_b = hv_minimal_xml(t, "limit-b", NULL);
        g_autofree char *xml_c = hv_minimal_xml(t, "limit-c", NULL);
        g_autofree char *a = NULL, *b = NULL, *c = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        hv_test_stop_daemon(t, SIGTERM);
        {
                /* The limit applies to what the store held at start, too. */
                FILE *f = fopen(t->config_path, "a");
                g_assert_nonnull(f);
                fputs("MaxVMsPerUser=2\n", f);
                fclose(f);
        }
        hv_test_start_daemon(t);
        a = hv_define(t, xml_a);
        b = hv_define(t, xml_b);
        reply = hv_manager_call(t, "DefineVM", g_variant_new("(sa{sv})", xml_c, NULL), "(o)", &error);
        hv_assert_error(error, "org.freedesktop.DBus.Error.LimitsExceeded", "limit is 2");
        g_clear_error(&error);
        /* Redefining an existing VM is not a new one. */
        g_free(hv_define(t, xml_a));

        delete_vm(t, b);
        c = hv_define(t, xml_c);

        hv_test_stop_daemon(t, SIGTERM);
        hv_test_start_daemon(t);
        g_clear_pointer(&reply, g_variant_unref);
        reply = hv_manager_call(t, "DefineVM", g_variant_new("(sa{sv})", xml_b, NULL), "(o)", &error);
        hv_assert_error(error, "org.freedesktop.DBus.Error.LimitsExceeded", "limit is 2");
}

/* Many short-lived callers, each known by its own connection: every one is answered. */
static void test_many_callers(HvTest *t, gconstpointer data) {
        for (unsigned i = 0; i < 40; i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(GDBusConnection) c = g_dbus_connection_new_for_address_sync(
                        g_test_dbus_get_bus_address(t->bus),
                        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                        NULL, NULL, &error);
                g_autofree char *name = g_strdup_printf("caller%u", i);
                g_autofree char *xml = hv_minimal_xml(t, name, NULL);
                g_autoptr(GVariant) reply = NULL;

                g_assert_no_error(error);
                /* Twice from the same connection: the second answer comes from what was remembered. */
                for (unsigned round = 0; round < 2; round++) {
                        g_clear_pointer(&reply, g_variant_unref);
                        reply = g_dbus_connection_call_sync(c, "org.example.Hypervisor", "/org/example/Hypervisor",
                                                            "org.example.Hypervisor.Manager", "DefineVM",
                                                            g_variant_new("(sa{sv})", xml, NULL), G_VARIANT_TYPE("(o)"),
                                                            G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
                        g_assert_no_error(error);
                }
                g_dbus_connection_close_sync(c, NULL, &error);
                g_assert_no_error(error);
        }
        {
                g_autoptr(GPtrArray) listed = list_vms(t);
                g_assert_cmpuint(listed->len, ==, 40);
        }
}

/* A thousand running VMs need more descriptors than the customary soft limit of 1024. */
static void test_open_files_limit(HvTest *t, gconstpointer data) {
        g_autofree char *path = g_strdup_printf("/proc/%d/limits", (int) t->pid);
        g_autofree char *limits = NULL;
        g_auto(GStrv) lines = NULL;
        gboolean found = FALSE;
        struct rlimit saved, low;

        /* Started with a soft limit below the hard one, as a login session gives. */
        g_assert_cmpint(getrlimit(RLIMIT_NOFILE, &saved), ==, 0);
        low = saved;
        low.rlim_cur = MIN(saved.rlim_max, 256);
        g_assert_cmpuint(low.rlim_cur, <, saved.rlim_max);
        hv_test_stop_daemon(t, SIGTERM);
        g_assert_cmpint(setrlimit(RLIMIT_NOFILE, &low), ==, 0);
        hv_test_start_daemon(t);
        g_assert_cmpint(setrlimit(RLIMIT_NOFILE, &saved), ==, 0);
        g_free(path);
        path = g_strdup_printf("/proc/%d/limits", (int) t->pid);

        g_assert_true(g_file_get_contents(path, &limits, NULL, NULL));
        lines = g_strsplit(limits, "\n", -1);
        for (char **line = lines; *line; line++) {
                char soft[32], hard[32];
                if (!g_str_has_prefix(*line, "Max open files"))
                        continue;
                g_assert_cmpint(sscanf(*line + strlen("Max open files"), "%31s %31s", soft, hard), ==, 2);
                g_assert_cmpstr(soft, ==, hard);
                found = TRUE;
        }
        g_assert_true(found);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add("/scale/list-after-delete", HvTest, NULL, hv_test_fixture_setup, test_list_after_delete,
                   hv_test_fixture_teardown);
        g_test_add("/scale/owner-limit-after-delete", HvTest, NULL, hv_test_fixture_setup,
                   test_owner_limit_after_delete, hv_test_fixture_teardown);
        g_test_add("/scale/many-callers", HvTest, NULL, hv_test_fixture_setup, test_many_callers,
                   hv_test_fixture_teardown);
        g_test_add("/scale/open-files-limit", HvTest, NULL, hv_test_fixture_setup, test_open_files_limit,
                   hv_test_fixture_teardown);
        return g_test_run();
}
