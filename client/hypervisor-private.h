/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Internal to libhypervisor: not installed, not exported. */

#include <gio/gio.h>
#include <gio/gunixfdlist.h>

#include "hypervisor-client.h"
#include "hypervisor-error.h"
#include "hypervisor-generated.h"
#include "hypervisor-vm.h"

#define HYPERVISOR_BUS_NAME "org.example.Hypervisor"
#define HYPERVISOR_MANAGER_PATH "/org/example/Hypervisor"

/* Calls that may need a polkit password prompt allow it, and wait as long as a human may need. */
typedef enum {
        HYPERVISOR_CALL_READ,
        HYPERVISOR_CALL_MAY_AUTHORIZE,
} HypervisorCallKind;

void hypervisor_error_convert(GError **error);

/* g_dbus_proxy_call() with the flags and timeout of @kind, errors converted to HYPERVISOR_ERROR. */
void hypervisor_call_async(GDBusProxy *proxy, const char *method, GVariant *parameters, HypervisorCallKind kind,
                           GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GVariant *hypervisor_call_finish(GDBusProxy *proxy, GAsyncResult *result, GUnixFDList **ret_fd_list,
                                 GError **error);
/* Blocking call; a reply not of @reply_type is an error. */
GVariant *hypervisor_call_sync(GDBusProxy *proxy, const char *method, GVariant *parameters, HypervisorCallKind kind,
                               const char *reply_type, GUnixFDList **ret_fd_list, GCancellable *cancellable,
                               GError **error);

/* A floating "a{sv}" with the given boolean/uint keys set only when they differ from the default. */
GVariant *hypervisor_options_empty(void);

/* Async call whose reply is (), (s), (o) or (a{sv}): the GTask in @user_data gets the value. */
void hypervisor_call_to_task(GDBusProxy *proxy, const char *method, GVariant *parameters, HypervisorCallKind kind,
                             const char *reply_type, GTask *task);

HypervisorVm *hypervisor_vm_new(HypervisorDBusVM *proxy);
HypervisorDBusVM *hypervisor_vm_get_proxy(HypervisorVm *self);
/* Puts the a{sv} @properties into the proxy's cache and notifies those that changed. */
void hypervisor_vm_apply_properties(HypervisorVm *self, GVariant *properties);
/* Reads the VM's properties from the service, blocking (hypervisor-vm-refresh.c). */
void hypervisor_vm_refresh_sync(HypervisorVm *self);

/* Argument tuples shared by the async and the sync variants. */
GVariant *hypervisor_vm_shutdown_args(guint timeout_seconds);
GVariant *hypervisor_vm_snapshot_args(const char *directory, gboolean stop);
GVariant *hypervisor_vm_restore_args(const char *directory, gboolean resume);
GVariant *hypervisor_vm_delete_args(gboolean force);
GVariant *hypervisor_vm_get_xml_args(gboolean live);
/* AddDevice and RemoveDevice: (s xml_or_id, a{sv} with 'live' and 'config' as flags asks). */
GVariant *hypervisor_vm_device_args(const char *argument, HypervisorDeviceFlags flags);
int hypervisor_vm_take_console_fd(GVariant *reply, GUnixFDList *fd_list, GError **error);

GVariant *hypervisor_client_define_args(const char *xml, const char *engine);
GDBusProxy *hypervisor_client_get_manager_proxy(HypervisorClient *self);
/* The VM object at @path; creates it synchronously when the object manager has not seen it yet. */
HypervisorVm *hypervisor_client_vm_for_path_sync(HypervisorClient *self, const char *path,
                                                 GCancellable *cancellable, GError **error);
GPtrArray *hypervisor_client_vms_for_paths_sync(HypervisorClient *self, const char *const *paths,
                                                GCancellable *cancellable, GError **error);
