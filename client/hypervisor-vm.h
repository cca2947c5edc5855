/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * HypervisorDeviceFlags:
 * @HYPERVISOR_DEVICE_CURRENT: the running VM when it runs (a hot-plug; its definition does not change), its definition when it is off
 * @HYPERVISOR_DEVICE_LIVE: the running VM; fails with %HYPERVISOR_ERROR_INVALID_STATE when it is off
 * @HYPERVISOR_DEVICE_CONFIG: the definition, which the next boot uses; fails with %HYPERVISOR_ERROR_INVALID_STATE on a transient VM
 * @HYPERVISOR_DEVICE_PERSISTENT: both: the running VM, then the definition
 *
 * Which configurations of a VM hypervisor_vm_add_device_with_flags_async(),
 * hypervisor_vm_remove_device_with_flags_async() and
 * hypervisor_vm_update_device_async() change, as virsh attach-device's
 * `--current`, `--live`, `--config` and `--persistent`.
 *
 * Since: 0.1
 */
typedef enum {
        HYPERVISOR_DEVICE_CURRENT = 0,
        HYPERVISOR_DEVICE_LIVE = 1 << 0,
        HYPERVISOR_DEVICE_CONFIG = 1 << 1,
        HYPERVISOR_DEVICE_PERSISTENT = HYPERVISOR_DEVICE_LIVE | HYPERVISOR_DEVICE_CONFIG,
} HypervisorDeviceFlags;

GType hypervisor_device_flags_get_type(void) G_GNUC_CONST;
#define HYPERVISOR_TYPE_DEVICE_FLAGS (hypervisor_device_flags_get_type())

#define HYPERVISOR_TYPE_VM (hypervisor_vm_get_type())
G_DECLARE_FINAL_TYPE(HypervisorVm, hypervisor_vm, HYPERVISOR, VM, GObject)

const char *hypervisor_vm_get_object_path(HypervisorVm *self);
const char *hypervisor_vm_get_name(HypervisorVm *self);
const char *hypervisor_vm_get_uuid(HypervisorVm *self);
const char *hypervisor_vm_get_engine(HypervisorVm *self);
const char *hypervisor_vm_get_state(HypervisorVm *self);
const char *hypervisor_vm_get_state_reason(HypervisorVm *self);
guint hypervisor_vm_get_vcpus(HypervisorVm *self);
guint64 hypervisor_vm_get_memory(HypervisorVm *self);
gboolean hypervisor_vm_get_persistent(HypervisorVm *self);
gboolean hypervisor_vm_get_autostart(HypervisorVm *self);
guint hypervisor_vm_get_owner(HypervisorVm *self);
guint hypervisor_vm_get_pid(HypervisorVm *self);

void hypervisor_vm_boot_async(HypervisorVm *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data);
gboolean hypervisor_vm_boot_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
gboolean hypervisor_vm_boot_sync(HypervisorVm *self, GCancellable *cancellable, GError **error);

void hypervisor_vm_shutdown_async(HypervisorVm *self, guint timeout_seconds, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
gboolean hypervisor_vm_shutdown_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
gboolean hypervisor_vm_shutdown_sync(HypervisorVm *self, guint timeout_seconds, GCancellable *cancellable,
                                     GError **error);

void hypervisor_vm_poweroff_async(HypervisorVm *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean hypervisor_vm_poweroff_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
gboolean hypervisor_vm_poweroff_sync(HypervisorVm *self, GCancellable *cancellable, GError **error);

void hypervisor_vm_reboot_async(HypervisorVm *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data);
gboolean hypervisor_vm_reboot_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
gboolean hypervisor_vm_reboot_sync(HypervisorVm *self, GCancellable *cancellable, GError **error);

void hypervisor_vm_pause_async(HypervisorVm *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean hypervisor_vm_pause_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
gboolean hypervisor_vm_pause_sync(HypervisorVm *self, GCancellable *cancellable, GError **error);

void hypervisor_vm_resume_async(HypervisorVm *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data);
gboolean hypervisor_vm_resume_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
gboolean hypervisor_vm_resume_sync(HypervisorVm *self, GCancellable *cancellable, GError **error);

void hypervisor_vm_snapshot_async(HypervisorVm *self, const char *directory, gboolean stop,
                                  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean hypervisor_vm_snapshot_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
gboolean hypervisor_vm_snapshot_sync(HypervisorVm *self, const char *directory, gboolean stop,
                                     GCancellable *cancellable, GError **error);

void hypervisor_vm_restore_async(HypervisorVm *self, const char *directory, gboolean resume,
                                 GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean hypervisor_vm_restore_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
gboolean hypervisor_vm_restore_sync(HypervisorVm *self, const char *directory, gboolean resume,
                                    GCancellable *cancellable, GError **error);

void hypervisor_vm_delete_async(HypervisorVm *self, gboolean force, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
gboolean hypervisor_vm_delete_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
gboolean hypervisor_vm_delete_sync(HypervisorVm *self, gboolean force, GCancellable *cancellable, GError **error);

void hypervisor_vm_add_device_async(HypervisorVm *self, const char *xml, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);
char *hypervisor_vm_add_device_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
char *hypervisor_vm_add_device_sync(HypervisorVm *self, const char *xml, GCancellable *cancellable,
                                    GError **error);

void hypervisor_vm_add_device_with_flags_async(HypervisorVm *self, const char *xml, HypervisorDeviceFlags flags,
                                               GCancellable *cancellable, GAsyncReadyCallback callback,
                                               gpointer user_data);
char *hypervisor_vm_add_device_with_flags_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
char *hypervisor_vm_add_device_with_flags_sync(HypervisorVm *self, const char *xml, HypervisorDeviceFlags flags,
                                               GCancellable *cancellable, GError **error);

void hypervisor_vm_remove_device_async(HypervisorVm *self, const char *id, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
gboolean hypervisor_vm_remove_device_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
gboolean hypervisor_vm_remove_device_sync(HypervisorVm *self, const char *id, GCancellable *cancellable,
                                          GError **error);

void hypervisor_vm_remove_device_with_flags_async(HypervisorVm *self, const char *id, HypervisorDeviceFlags flags,
                                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                                  gpointer user_data);
gboolean hypervisor_vm_remove_device_with_flags_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
gboolean hypervisor_vm_remove_device_with_flags_sync(HypervisorVm *self, const char *id, HypervisorDeviceFlags flags,
                                                     GCancellable *cancellable, GError **error);

void hypervisor_vm_update_device_async(HypervisorVm *self, const char *xml, HypervisorDeviceFlags flags,
                                       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean hypervisor_vm_update_device_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
gboolean hypervisor_vm_update_device_sync(HypervisorVm *self, const char *xml, HypervisorDeviceFlags flags,
                                          GCancellable *cancellable, GError **error);

void hypervisor_vm_get_xml_async(HypervisorVm *self, gboolean live, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
char *hypervisor_vm_get_xml_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
char *hypervisor_vm_get_xml_sync(HypervisorVm *self, gboolean live, GCancellable *cancellable, GError **error);

void hypervisor_vm_get_info_async(HypervisorVm *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
GVariant *hypervisor_vm_get_info_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
GVariant *hypervisor_vm_get_info_sync(HypervisorVm *self, GCancellable *cancellable, GError **error);

void hypervisor_vm_get_stats_async(HypervisorVm *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
GVariant *hypervisor_vm_get_stats_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
GVariant *hypervisor_vm_get_stats_sync(HypervisorVm *self, GCancellable *cancellable, GError **error);

void hypervisor_vm_set_autostart_async(HypervisorVm *self, gboolean autostart, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
gboolean hypervisor_vm_set_autostart_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
gboolean hypervisor_vm_set_autostart_sync(HypervisorVm *self, gboolean autostart, GCancellable *cancellable,
                                          GError **error);

void hypervisor_vm_open_console_async(HypervisorVm *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data);
int hypervisor_vm_open_console_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
int hypervisor_vm_open_console_sync(HypervisorVm *self, GCancellable *cancellable, GError **error);

void hypervisor_vm_open_graphics_async(HypervisorVm *self, guint index, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
int hypervisor_vm_open_graphics_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
int hypervisor_vm_open_graphics_sync(HypervisorVm *self, guint index, GCancellable *cancellable, GError **error);

void hypervisor_vm_screenshot_async(HypervisorVm *self, guint screen, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);
int hypervisor_vm_screenshot_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
int hypervisor_vm_screenshot_sync(HypervisorVm *self, guint screen, GCancellable *cancellable, GError **error);

void hypervisor_vm_send_key_async(HypervisorVm *self, const guint *keycodes, gsize n_keycodes, guint hold_time_ms,
                                  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean hypervisor_vm_send_key_finish(HypervisorVm *self, GAsyncResult *result, GError **error);
GVariant *hypervisor_vm_dup_graphics(HypervisorVm *self);
gboolean hypervisor_vm_send_key_sync(HypervisorVm *self, const guint *keycodes, gsize n_keycodes, guint hold_time_ms,
                                     GCancellable *cancellable, GError **error);

G_END_DECLS
