/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The running service and the files in dbus-interfaces/ must describe the same API:
 * every method, argument, property (type, access, change annotation) and
 * signal, in both directions.
 */

#include <string.h>

#include "hv-test.h"

#define EMITS_CHANGED "org.freedesktop.DBus.Property.EmitsChangedSignal"

static GDBusNodeInfo *load_file(const char *name) {
        const char *dir = g_getenv("HV_INTERFACES_DIR");
        g_autofree char *path = NULL;
        g_autofree char *contents = NULL;
        g_autoptr(GError) error = NULL;
        GDBusNodeInfo *node;

        if (!dir)
                g_error("HV_INTERFACES_DIR is not set");
        path = g_build_filename(dir, name, NULL);
        if (!g_file_get_contents(path, &contents, NULL, &error))
                g_error("Cannot read the contract '%s': %s", path, error->message);
        node = g_dbus_node_info_new_for_xml(contents, &error);
        g_assert_no_error(error);
        return node;
}

static GDBusNodeInfo *introspect(HvTest *t, const char *path) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = hv_call(t, path, "org.freedesktop.DBus.Introspectable", "Introspect", NULL, "(s)",
                                            &error);
        const char *xml;
        GDBusNodeInfo *node;

        g_assert_no_error(error);
        g_variant_get(reply, "(&s)", &xml);
        node = g_dbus_node_info_new_for_xml(xml, &error);
        g_assert_no_error(error);
        return node;
}

static const char *emits_changed(GDBusPropertyInfo *p) {
        const char *value = g_dbus_annotation_info_lookup(p->annotations, EMITS_CHANGED);
        return value ? value : "true";
}

static char *describe_args(GDBusArgInfo **args) {
        GString *s = g_string_new("(");

        for (size_t i = 0; args && args[i]; i++)
                g_string_append_printf(s, "%s%s %s", i ? ", " : "", args[i]->signature, args[i]->name);
        g_string_append(s, ")");
        return g_string_free(s, FALSE);
}

/* One line per member, so that two interfaces compare as two sorted lists of lines. */
static GPtrArray *describe_interface(GDBusInterfaceInfo *iface) {
        GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);

        for (size_t i = 0; iface->methods && iface->methods[i]; i++) {
                g_autofree char *in = describe_args(iface->methods[i]->in_args);
                g_autofree char *out = describe_args(iface->methods[i]->out_args);
                g_ptr_array_add(lines, g_strdup_printf("method %s%s -> %s", iface->methods[i]->name, in, out));
        }
        for (size_t i = 0; iface->properties && iface->properties[i]; i++) {
                GDBusPropertyInfo *p = iface->properties[i];
                const char *access = p->flags == (G_DBUS_PROPERTY_INFO_FLAGS_READABLE | G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE)
                                             ? "readwrite"
                                     : p->flags == G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE ? "write"
                                                                                        : "read";
                g_ptr_array_add(lines, g_strdup_printf("property %s %s %s emits-changed=%s", p->name, p->signature,
                                                       access, emits_changed(p)));
        }
        for (size_t i = 0; iface->signals && iface->signals[i]; i++) {
                g_autofree char *args = describe_args(iface->signals[i]->args);
                g_ptr_array_add(lines, g_strdup_printf("signal %s%s", iface->signals[i]->name, args));
        }
        return lines;
}

static int compare_lines(gconstpointer a, gconstpointer b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static void assert_same_interface(GDBusNodeInfo *contract, GDBusNodeInfo *live, const char *name) {
        GDBusInterfaceInfo *want = g_dbus_node_info_lookup_interface(contract, name);
        GDBusInterfaceInfo *have = g_dbus_node_info_lookup_interface(live, name);
        g_autoptr(GPtrArray) want_lines = NULL;
        g_autoptr(GPtrArray) have_lines = NULL;
        g_autoptr(GString) diff = g_string_new(NULL);

        if (!want)
                g_error("The contract file has no interface %s", name);
        if (!have)
                g_error("The service does not export %s", name);
        want_lines = describe_interface(want);
        have_lines = describe_interface(have);
        g_ptr_array_sort(want_lines, compare_lines);
        g_ptr_array_sort(have_lines, compare_lines);
        for (guint i = 0; i < want_lines->len; i++)
                if (!g_ptr_array_find_with_equal_func(have_lines, want_lines->pdata[i], g_str_equal, NULL))
                        g_string_append_printf(diff, "  missing in the service: %s\n", (char *) want_lines->pdata[i]);
        for (guint i = 0; i < have_lines->len; i++)
                if (!g_ptr_array_find_with_equal_func(want_lines, have_lines->pdata[i], g_str_equal, NULL))
                        g_string_append_printf(diff, "  not in the contract:    %s\n", (char *) have_lines->pdata[i]);
        if (diff->len > 0)
                g_error("%s differs from its contract:\n%s", name, diff->str);
        g_test_message("%s: %u members match", name, want_lines->len);
}

static void test_manager_matches_contract(HvTest *t, gconstpointer data) {
        g_autoptr(GDBusNodeInfo) contract = load_file("org.example.Hypervisor.Manager.xml");
        g_autoptr(GDBusNodeInfo) live = introspect(t, "/org/example/Hypervisor");

        assert_same_interface(contract, live, "org.example.Hypervisor.Manager");
        g_assert_nonnull(g_dbus_node_info_lookup_interface(live, "org.freedesktop.DBus.ObjectManager"));
}

static void test_vm_matches_contract(HvTest *t, gconstpointer data) {
        g_autoptr(GDBusNodeInfo) contract = load_file("org.example.Hypervisor.VM.xml");
        g_autofree char *xml = hv_minimal_xml(t, "contract", NULL);
        g_autofree char *path = hv_define(t, xml);
        g_autoptr(GDBusNodeInfo) live = introspect(t, path);

        assert_same_interface(contract, live, "org.example.Hypervisor.VM");
        g_assert_nonnull(g_dbus_node_info_lookup_interface(live, "org.freedesktop.DBus.Properties"));
        g_assert_nonnull(g_dbus_node_info_lookup_interface(live, "org.freedesktop.DBus.Peer"));
}


int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add("/contract/manager", HvTest, NULL, hv_test_fixture_setup, test_manager_matches_contract, hv_test_fixture_teardown);
        g_test_add("/contract/vm", HvTest, NULL, hv_test_fixture_setup, test_vm_matches_contract, hv_test_fixture_teardown);
        return g_test_run();
}
