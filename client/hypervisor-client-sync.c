/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The blocking variants of the HypervisorClient operations. They call the
 * service directly rather than spinning a private main loop, so nothing else
 * is dispatched while they wait and signals stay in the caller's context.
 */

#include "hypervisor-private.h"

/**
 * hypervisor_client_new_sync:
 * @bus_type: %G_BUS_TYPE_SYSTEM, or %G_BUS_TYPE_SESSION for a service started with `--session`
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Connects to hypervisord on @bus_type and loads its VMs, blocking.
 *
 * Returns: (transfer full) (nullable): the client, %NULL on error
 * (%HYPERVISOR_ERROR_SERVICE_UNAVAILABLE when the service is not running)
 *
 * Since: 0.1
 */
HypervisorClient *hypervisor_client_new_sync(GBusType bus_type, GCancellable *cancellable, GError **error) {
        return g_initable_new(HYPERVISOR_TYPE_CLIENT, cancellable, error, "bus-type", bus_type, NULL);
}

/**
 * hypervisor_client_new_for_connection_sync:
 * @connection: a #GDBusConnection to a message bus, e.g. a private one in tests
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Connects to hypervisord on the bus of @connection and loads its VMs, blocking.
 *
 * Returns: (transfer full) (nullable): the client, %NULL on error
 *
 * Since: 0.1
 */
HypervisorClient *hypervisor_client_new_for_connection_sync(GDBusConnection *connection,
                                                            GCancellable *cancellable, GError **error) {
        g_return_val_if_fail(G_IS_DBUS_CONNECTION(connection), NULL);
        return g_initable_new(HYPERVISOR_TYPE_CLIENT, cancellable, error, "connection", connection, NULL);
}

static GVariant *manager_call_sync(HypervisorClient *self, const char *method, GVariant *args,
                                   HypervisorCallKind kind, const char *reply_type, GCancellable *cancellable,
                                   GError **error) {
        return hypervisor_call_sync(hypervisor_client_get_manager_proxy(self), method, args, kind, reply_type, NULL,
                                    cancellable, error);
}

static HypervisorVm *manager_call_for_vm_sync(HypervisorClient *self, const char *method, GVariant *args,
                                              HypervisorCallKind kind, GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = manager_call_sync(self, method, args, kind, "(o)", cancellable, error);
        const char *path;

        if (!reply)
                return NULL;
        g_variant_get(reply, "(&o)", &path);
        return hypervisor_client_vm_for_path_sync(self, path, cancellable, error);
}

/**
 * hypervisor_client_define_vm_sync:
 * @self: a #HypervisorClient
 * @xml: the VM as libvirt-style domain XML
 * @engine: (nullable): "qemu" or "cloud-hypervisor" to override the engine the XML chooses
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Defines a persistent VM, or updates an existing one; see hypervisor_client_define_vm_async().
 *
 * Returns: (transfer full) (nullable): the defined VM, %NULL on error
 *
 * Since: 0.1
 */
HypervisorVm *hypervisor_client_define_vm_sync(HypervisorClient *self, const char *xml, const char *engine,
                                               GCancellable *cancellable, GError **error) {
        g_return_val_if_fail(HYPERVISOR_IS_CLIENT(self), NULL);
        g_return_val_if_fail(xml != NULL, NULL);
        return manager_call_for_vm_sync(self, "DefineVM", hypervisor_client_define_args(xml, engine),
                                        HYPERVISOR_CALL_MAY_AUTHORIZE, cancellable, error);
}

/**
 * hypervisor_client_create_vm_sync:
 * @self: a #HypervisorClient
 * @xml: the VM as libvirt-style domain XML
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Defines a transient VM and boots it; see hypervisor_client_create_vm_async().
 *
 * Returns: (transfer full) (nullable): the running VM, %NULL on error
 *
 * Since: 0.1
 */
HypervisorVm *hypervisor_client_create_vm_sync(HypervisorClient *self, const char *xml, GCancellable *cancellable,
                                               GError **error) {
        g_return_val_if_fail(HYPERVISOR_IS_CLIENT(self), NULL);
        g_return_val_if_fail(xml != NULL, NULL);
        return manager_call_for_vm_sync(self, "CreateVM", hypervisor_client_define_args(xml, NULL),
                                        HYPERVISOR_CALL_MAY_AUTHORIZE, cancellable, error);
}

/**
 * hypervisor_client_list_vms_sync:
 * @self: a #HypervisorClient
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the service for the VMs visible to the caller, blocking.
 *
 * Returns: (transfer container) (element-type HypervisorVm) (nullable): the VMs, %NULL on error
 *
 * Since: 0.1
 */
GPtrArray *hypervisor_client_list_vms_sync(HypervisorClient *self, GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = NULL;
        g_autofree const char **paths = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_CLIENT(self), NULL);
        reply = manager_call_sync(self, "ListVMs", g_variant_new("(@a{sv})", hypervisor_options_empty()),
                                  HYPERVISOR_CALL_READ, "(ao)", cancellable, error);
        if (!reply)
                return NULL;
        g_variant_get(reply, "(^a&o)", &paths);
        return hypervisor_client_vms_for_paths_sync(self, paths, cancellable, error);
}

/**
 * hypervisor_client_get_vm_by_name_sync:
 * @self: a #HypervisorClient
 * @name: the VM's name
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Looks a VM up by name, blocking.
 *
 * Returns: (transfer full) (nullable): the VM, %NULL on error
 *
 * Since: 0.1
 */
HypervisorVm *hypervisor_client_get_vm_by_name_sync(HypervisorClient *self, const char *name,
                                                    GCancellable *cancellable, GError **error) {
        g_return_val_if_fail(HYPERVISOR_IS_CLIENT(self), NULL);
        g_return_val_if_fail(name != NULL, NULL);
        return manager_call_for_vm_sync(self, "GetVMByName",
                                        g_variant_new("(s@a{sv})", name, hypervisor_options_empty()),
                                        HYPERVISOR_CALL_READ, cancellable, error);
}

/**
 * hypervisor_client_get_vm_by_uuid_sync:
 * @self: a #HypervisorClient
 * @uuid: the VM's UUID
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Looks a VM up by UUID, blocking.
 *
 * Returns: (transfer full) (nullable): the VM, %NULL on error
 *
 * Since: 0.1
 */
HypervisorVm *hypervisor_client_get_vm_by_uuid_sync(HypervisorClient *self, const char *uuid,
                                                    GCancellable *cancellable, GError **error) {
        g_return_val_if_fail(HYPERVISOR_IS_CLIENT(self), NULL);
        g_return_val_if_fail(uuid != NULL, NULL);
        return manager_call_for_vm_sync(self, "GetVMByUUID",
                                        g_variant_new("(s@a{sv})", uuid, hypervisor_options_empty()),
                                        HYPERVISOR_CALL_READ, cancellable, error);
}

/**
 * hypervisor_client_get_capabilities_sync:
 * @self: a #HypervisorClient
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks what the host offers, blocking.
 *
 * Returns: (transfer full) (nullable): an a{sv} dictionary, %NULL on error
 *
 * Since: 0.1
 */
GVariant *hypervisor_client_get_capabilities_sync(HypervisorClient *self, GCancellable *cancellable,
                                                  GError **error) {
        g_autoptr(GVariant) reply = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_CLIENT(self), NULL);
        reply = manager_call_sync(self, "GetCapabilities", g_variant_new("(@a{sv})", hypervisor_options_empty()),
                                  HYPERVISOR_CALL_READ, "(a{sv})", cancellable, error);
        return reply ? g_variant_get_child_value(reply, 0) : NULL;
}
