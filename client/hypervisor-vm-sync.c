/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The blocking variants of the HypervisorVm operations. They call the service
 * directly (no private main loop), so signals keep arriving in the caller's
 * main context and nothing else is dispatched while they wait. Once they
 * return, the VM's properties are as current as the reply.
 */

#include "hypervisor-private.h"

static GVariant *options_args(void) {
        return g_variant_new("(@a{sv})", hypervisor_options_empty());
}

/*
 * Every successful call but Delete leaves the VM's properties as current as
 * its reply (hypervisor-vm-refresh.c): a blocking script that never iterates a
 * main loop reads `running` after boot_sync().
 */
static GVariant *vm_call_sync(HypervisorVm *self, const char *method, GVariant *args, HypervisorCallKind kind,
                              const char *reply_type, GUnixFDList **ret_fd_list, GCancellable *cancellable,
                              GError **error) {
        GVariant *reply = hypervisor_call_sync(G_DBUS_PROXY(hypervisor_vm_get_proxy(self)), method, args, kind,
                                               reply_type, ret_fd_list, cancellable, error);

        if (reply && !g_str_equal(method, "Delete"))
                hypervisor_vm_refresh_sync(self);
        return reply;
}

/**
 * hypervisor_vm_boot_sync:
 * @self: a #HypervisorVm
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Boots the VM and waits until it runs. Blocks until the service answers; see hypervisor_vm_boot_async().
 * Cancelling @cancellable from another thread returns %G_IO_ERROR_CANCELLED at once, and the VM boots anyway.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_boot_sync(HypervisorVm *self, GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), FALSE);
        reply = vm_call_sync(self, "Boot", options_args(), HYPERVISOR_CALL_MAY_AUTHORIZE, "()", NULL, cancellable, error);
        return reply != NULL;
}

/**
 * hypervisor_vm_shutdown_sync:
 * @self: a #HypervisorVm
 * @timeout_seconds: 0 to return once the request was delivered, otherwise the seconds to wait before forcing the VM off
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the guest to shut down; with @timeout_seconds > 0 waits until it is off, forcing it off after that time. Blocks until the service answers; see hypervisor_vm_shutdown_async().
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_shutdown_sync(HypervisorVm *self, guint timeout_seconds, GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), FALSE);
        reply = vm_call_sync(self, "Shutdown", hypervisor_vm_shutdown_args(timeout_seconds), HYPERVISOR_CALL_MAY_AUTHORIZE, "()", NULL, cancellable, error);
        return reply != NULL;
}

/**
 * hypervisor_vm_poweroff_sync:
 * @self: a #HypervisorVm
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Stops the VM at once. Blocks until the service answers; see hypervisor_vm_poweroff_async().
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_poweroff_sync(HypervisorVm *self, GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), FALSE);
        reply = vm_call_sync(self, "PowerOff", options_args(), HYPERVISOR_CALL_MAY_AUTHORIZE, "()", NULL, cancellable, error);
        return reply != NULL;
}

/**
 * hypervisor_vm_reboot_sync:
 * @self: a #HypervisorVm
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Resets the running guest. Blocks until the service answers; see hypervisor_vm_reboot_async().
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_reboot_sync(HypervisorVm *self, GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), FALSE);
        reply = vm_call_sync(self, "Reboot", options_args(), HYPERVISOR_CALL_MAY_AUTHORIZE, "()", NULL, cancellable, error);
        return reply != NULL;
}

/**
 * hypervisor_vm_pause_sync:
 * @self: a #HypervisorVm
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Stops the guest's vCPUs. Blocks until the service answers; see hypervisor_vm_pause_async().
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_pause_sync(HypervisorVm *self, GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), FALSE);
        reply = vm_call_sync(self, "Pause", options_args(), HYPERVISOR_CALL_MAY_AUTHORIZE, "()", NULL, cancellable, error);
        return reply != NULL;
}

/**
 * hypervisor_vm_resume_sync:
 * @self: a #HypervisorVm
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lets a paused guest run again. Blocks until the service answers; see hypervisor_vm_resume_async().
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_resume_sync(HypervisorVm *self, GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), FALSE);
        reply = vm_call_sync(self, "Resume", options_args(), HYPERVISOR_CALL_MAY_AUTHORIZE, "()", NULL, cancellable, error);
        return reply != NULL;
}

/**
 * hypervisor_vm_snapshot_sync:
 * @self: a #HypervisorVm
 * @directory: absolute path of a directory to create
 * @stop: power the VM off afterwards
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes the VM's state and memory to a new directory. Blocks until the service answers; see hypervisor_vm_snapshot_async().
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_snapshot_sync(HypervisorVm *self, const char *directory, gboolean stop, GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), FALSE);
        reply = vm_call_sync(self, "Snapshot", hypervisor_vm_snapshot_args(directory, stop), HYPERVISOR_CALL_MAY_AUTHORIZE, "()", NULL, cancellable, error);
        return reply != NULL;
}

/**
 * hypervisor_vm_restore_sync:
 * @self: a #HypervisorVm
 * @directory: absolute path of a snapshot directory
 * @resume: let the guest run once restored
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Starts a shut-off VM from a snapshot. Blocks until the service answers; see hypervisor_vm_restore_async().
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_restore_sync(HypervisorVm *self, const char *directory, gboolean resume, GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), FALSE);
        reply = vm_call_sync(self, "Restore", hypervisor_vm_restore_args(directory, resume), HYPERVISOR_CALL_MAY_AUTHORIZE, "()", NULL, cancellable, error);
        return reply != NULL;
}

/**
 * hypervisor_vm_delete_sync:
 * @self: a #HypervisorVm
 * @force: power the VM off first when it runs
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Removes the VM and its definition. Blocks until the service answers; see hypervisor_vm_delete_async().
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_delete_sync(HypervisorVm *self, gboolean force, GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), FALSE);
        reply = vm_call_sync(self, "Delete", hypervisor_vm_delete_args(force), HYPERVISOR_CALL_MAY_AUTHORIZE, "()", NULL, cancellable, error);
        return reply != NULL;
}

/**
 * hypervisor_vm_remove_device_sync:
 * @self: a #HypervisorVm
 * @id: the device id
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Unplugs a device or removes it from the definition. Blocks until the service answers; see hypervisor_vm_remove_device_async().
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_remove_device_sync(HypervisorVm *self, const char *id, GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), FALSE);
        reply = vm_call_sync(self, "RemoveDevice", hypervisor_vm_device_args(id, HYPERVISOR_DEVICE_CURRENT), HYPERVISOR_CALL_MAY_AUTHORIZE, "()", NULL, cancellable, error);
        return reply != NULL;
}

/**
 * hypervisor_vm_remove_device_with_flags_sync:
 * @self: a #HypervisorVm
 * @id: the device id
 * @flags: which configurations lose the device: the running VM, the definition, or both
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Removes a device from the running VM, its definition or both. Blocks until the service answers; see
 * hypervisor_vm_remove_device_with_flags_async().
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_remove_device_with_flags_sync(HypervisorVm *self, const char *id, HypervisorDeviceFlags flags,
                                                     GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), FALSE);
        g_return_val_if_fail(id != NULL, FALSE);
        reply = vm_call_sync(self, "RemoveDevice", hypervisor_vm_device_args(id, flags), HYPERVISOR_CALL_MAY_AUTHORIZE,
                             "()", NULL, cancellable, error);
        return reply != NULL;
}

/**
 * hypervisor_vm_update_device_sync:
 * @self: a #HypervisorVm
 * @xml: one libvirt `<disk device='cdrom'>` element naming a cdrom of the VM by its `<target dev>`
 * @flags: which configurations change: the running VM, the definition, or both
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Changes the medium of a cdrom (inserts, swaps or ejects it). Blocks until the service
 * answers; see hypervisor_vm_update_device_async().
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_update_device_sync(HypervisorVm *self, const char *xml, HypervisorDeviceFlags flags,
                                          GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), FALSE);
        g_return_val_if_fail(xml != NULL, FALSE);
        reply = vm_call_sync(self, "UpdateDevice", hypervisor_vm_device_args(xml, flags),
                             HYPERVISOR_CALL_MAY_AUTHORIZE, "()", NULL, cancellable, error);
        return reply != NULL;
}

/**
 * hypervisor_vm_add_device_sync:
 * @self: a #HypervisorVm
 * @xml: one libvirt device element
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Adds a device; see hypervisor_vm_add_device_async().
 *
 * Returns: (transfer full) (nullable): the id of the new device, %NULL on error
 *
 * Since: 0.1
 */
char *hypervisor_vm_add_device_sync(HypervisorVm *self, const char *xml, GCancellable *cancellable,
                                    GError **error) {
        g_autoptr(GVariant) reply = NULL;
        char *id = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), NULL);
        g_return_val_if_fail(xml != NULL, NULL);
        reply = vm_call_sync(self, "AddDevice", hypervisor_vm_device_args(xml, HYPERVISOR_DEVICE_CURRENT),
                             HYPERVISOR_CALL_MAY_AUTHORIZE, "(s)", NULL, cancellable, error);
        if (reply)
                g_variant_get(reply, "(s)", &id);
        return id;
}

/**
 * hypervisor_vm_add_device_with_flags_sync:
 * @self: a #HypervisorVm
 * @xml: one libvirt device element
 * @flags: which configurations get the device: the running VM, the definition, or both
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Adds a device to the running VM, its definition or both; see hypervisor_vm_add_device_with_flags_async().
 *
 * Returns: (transfer full) (nullable): the id of the new device, %NULL on error
 *
 * Since: 0.1
 */
char *hypervisor_vm_add_device_with_flags_sync(HypervisorVm *self, const char *xml, HypervisorDeviceFlags flags,
                                               GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = NULL;
        char *id = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), NULL);
        g_return_val_if_fail(xml != NULL, NULL);
        reply = vm_call_sync(self, "AddDevice", hypervisor_vm_device_args(xml, flags), HYPERVISOR_CALL_MAY_AUTHORIZE,
                             "(s)", NULL, cancellable, error);
        if (reply)
                g_variant_get(reply, "(s)", &id);
        return id;
}

/**
 * hypervisor_vm_get_xml_sync:
 * @self: a #HypervisorVm
 * @live: the running configuration rather than the definition
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Gets the VM as domain XML; see hypervisor_vm_get_xml_async().
 *
 * Returns: (transfer full) (nullable): the XML, %NULL on error
 *
 * Since: 0.1
 */
char *hypervisor_vm_get_xml_sync(HypervisorVm *self, gboolean live, GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = NULL;
        char *xml = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), NULL);
        reply = vm_call_sync(self, "GetXML", hypervisor_vm_get_xml_args(live), HYPERVISOR_CALL_READ, "(s)", NULL,
                             cancellable, error);
        if (reply)
                g_variant_get(reply, "(s)", &xml);
        return xml;
}

/**
 * hypervisor_vm_get_info_sync:
 * @self: a #HypervisorVm
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Gets live facts from the engine; see hypervisor_vm_get_info_async().
 *
 * Returns: (transfer full) (nullable): an a{sv} dictionary, %NULL on error
 *
 * Since: 0.1
 */
GVariant *hypervisor_vm_get_info_sync(HypervisorVm *self, GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), NULL);
        reply = vm_call_sync(self, "GetInfo", options_args(), HYPERVISOR_CALL_READ, "(a{sv})", NULL, cancellable,
                             error);
        return reply ? g_variant_get_child_value(reply, 0) : NULL;
}

/**
 * hypervisor_vm_get_stats_sync:
 * @self: a #HypervisorVm
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Gets the counters of a running VM; see hypervisor_vm_get_stats_async().
 *
 * Returns: (transfer full) (nullable): an a{sv} dictionary, %NULL on error
 *
 * Since: 0.1
 */
GVariant *hypervisor_vm_get_stats_sync(HypervisorVm *self, GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), NULL);
        reply = vm_call_sync(self, "GetStats", options_args(), HYPERVISOR_CALL_READ, "(a{sv})", NULL, cancellable,
                             error);
        return reply ? g_variant_get_child_value(reply, 0) : NULL;
}

/**
 * hypervisor_vm_open_console_sync:
 * @self: a #HypervisorVm
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Opens the VM's serial console; see hypervisor_vm_open_console_async().
 *
 * Returns: a file descriptor the caller owns and closes, or -1 on error
 *
 * Since: 0.1
 */
int hypervisor_vm_open_console_sync(HypervisorVm *self, GCancellable *cancellable, GError **error) {
        g_autoptr(GUnixFDList) fd_list = NULL;
        g_autoptr(GVariant) reply = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), -1);
        reply = vm_call_sync(self, "OpenConsole", options_args(), HYPERVISOR_CALL_MAY_AUTHORIZE, "(h)", &fd_list,
                             cancellable, error);
        if (!reply)
                return -1;
        return hypervisor_vm_take_console_fd(reply, fd_list, error);
}
