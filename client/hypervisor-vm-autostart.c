/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Autostart of a VM. The service sets it with DefineVM's 'autostart' option
 * (API.md: never by writing the property), so the library reads the VM's
 * stored definition (GetXML) and defines it again with the option: the
 * definition itself does not change, and a running VM keeps running.
 */

#include "hypervisor-private.h"

static GVariant *define_args(const char *xml, gboolean autostart) {
        GVariantBuilder options;

        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        g_variant_builder_add(&options, "{sv}", "autostart", g_variant_new_boolean(autostart));
        return g_variant_new("(sa{sv})", xml, &options);
}

static GDBusConnection *connection_of(HypervisorVm *self) {
        return g_dbus_proxy_get_connection(G_DBUS_PROXY(hypervisor_vm_get_proxy(self)));
}

/**
 * hypervisor_vm_set_autostart_sync:
 * @self: a #HypervisorVm
 * @autostart: boot the VM whenever the service starts
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Marks the VM to boot when the service starts (as `virsh autostart`), or
 * not. Blocks; see hypervisor_vm_set_autostart_async(). On return
 * #HypervisorVm:autostart has the new value.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_set_autostart_sync(HypervisorVm *self, gboolean autostart, GCancellable *cancellable,
                                          GError **error) {
        g_autofree char *xml = NULL;
        g_autoptr(GVariant) reply = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), FALSE);
        xml = hypervisor_vm_get_xml_sync(self, FALSE, cancellable, error);
        if (!xml)
                return FALSE;
        reply = g_dbus_connection_call_sync(connection_of(self), HYPERVISOR_BUS_NAME, HYPERVISOR_MANAGER_PATH,
                                            "org.example.Hypervisor.Manager", "DefineVM", define_args(xml, autostart),
                                            G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
                                            G_MAXINT, cancellable, error);
        if (!reply) {
                hypervisor_error_convert(error);
                return FALSE;
        }
        hypervisor_vm_refresh_sync(self);
        return TRUE;
}

static void on_defined(GObject *source, GAsyncResult *result, gpointer user_data) {
        g_autoptr(GTask) task = user_data;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

        if (!reply) {
                hypervisor_error_convert(&error);
                g_task_return_error(task, g_steal_pointer(&error));
                return;
        }
        /* The PropertiesChanged of Autostart came before this reply: the property is current. */
        g_task_return_boolean(task, TRUE);
}

static void on_definition_read(GObject *source, GAsyncResult *result, gpointer user_data) {
        g_autoptr(GTask) task = user_data;
        HypervisorVm *self = HYPERVISOR_VM(source);
        g_autoptr(GError) error = NULL;
        g_autofree char *xml = hypervisor_vm_get_xml_finish(self, result, &error);
        gboolean autostart = GPOINTER_TO_INT(g_task_get_task_data(task));

        if (!xml) {
                g_task_return_error(task, g_steal_pointer(&error));
                return;
        }
        g_dbus_connection_call(connection_of(self), HYPERVISOR_BUS_NAME, HYPERVISOR_MANAGER_PATH,
                               "org.example.Hypervisor.Manager", "DefineVM", define_args(xml, autostart),
                               G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, G_MAXINT,
                               g_task_get_cancellable(task), on_defined, g_object_ref(task));
}

/**
 * hypervisor_vm_set_autostart_async:
 * @self: a #HypervisorVm
 * @autostart: boot the VM whenever the service starts
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the setting is stored
 * @user_data: (closure): data for @callback
 *
 * Marks the VM to boot when the service starts, or not. The service sets
 * this through DefineVM's 'autostart' option: the library reads the stored
 * definition and defines it again with the option, which leaves the
 * definition as it was (a change made by someone else between the two steps
 * would be undone) and a running VM running. On the system bus this needs
 * the polkit action org.example.hypervisor.create.
 *
 * Since: 0.1
 */
void hypervisor_vm_set_autostart_async(HypervisorVm *self, gboolean autostart, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data) {
        GTask *task;

        g_return_if_fail(HYPERVISOR_IS_VM(self));
        task = g_task_new(self, cancellable, callback, user_data);
        g_task_set_source_tag(task, hypervisor_vm_set_autostart_async);
        g_task_set_task_data(task, GINT_TO_POINTER(autostart ? 1 : 0), NULL);
        hypervisor_vm_get_xml_async(self, FALSE, cancellable, on_definition_read, task);
}

/**
 * hypervisor_vm_set_autostart_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_set_autostart_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
        g_return_val_if_fail(g_task_get_source_tag(G_TASK(result)) == hypervisor_vm_set_autostart_async, FALSE);
        return g_task_propagate_boolean(G_TASK(result), error);
}
