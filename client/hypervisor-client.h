/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "hypervisor-vm.h"

G_BEGIN_DECLS

#define HYPERVISOR_TYPE_CLIENT (hypervisor_client_get_type())
G_DECLARE_FINAL_TYPE(HypervisorClient, hypervisor_client, HYPERVISOR, CLIENT, GObject)

void hypervisor_client_new_async(GBusType bus_type, GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
HypervisorClient *hypervisor_client_new_finish(GAsyncResult *result, GError **error);
HypervisorClient *hypervisor_client_new_sync(GBusType bus_type, GCancellable *cancellable, GError **error);

void hypervisor_client_new_for_connection_async(GDBusConnection *connection, GCancellable *cancellable,
                                                GAsyncReadyCallback callback, gpointer user_data);
HypervisorClient *hypervisor_client_new_for_connection_finish(GAsyncResult *result, GError **error);
HypervisorClient *hypervisor_client_new_for_connection_sync(GDBusConnection *connection,
                                                            GCancellable *cancellable, GError **error);

GDBusConnection *hypervisor_client_get_connection(HypervisorClient *self);
const char *hypervisor_client_get_version(HypervisorClient *self);
const char *const *hypervisor_client_get_engines(HypervisorClient *self);
const char *hypervisor_client_get_default_engine(HypervisorClient *self);
GPtrArray *hypervisor_client_get_vms(HypervisorClient *self);

void hypervisor_client_define_vm_async(HypervisorClient *self, const char *xml, const char *engine,
                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data);
HypervisorVm *hypervisor_client_define_vm_finish(HypervisorClient *self, GAsyncResult *result, GError **error);
HypervisorVm *hypervisor_client_define_vm_sync(HypervisorClient *self, const char *xml, const char *engine,
                                               GCancellable *cancellable, GError **error);

void hypervisor_client_create_vm_async(HypervisorClient *self, const char *xml, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
HypervisorVm *hypervisor_client_create_vm_finish(HypervisorClient *self, GAsyncResult *result, GError **error);
HypervisorVm *hypervisor_client_create_vm_sync(HypervisorClient *self, const char *xml, GCancellable *cancellable,
                                               GError **error);

void hypervisor_client_list_vms_async(HypervisorClient *self, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
GPtrArray *hypervisor_client_list_vms_finish(HypervisorClient *self, GAsyncResult *result, GError **error);
GPtrArray *hypervisor_client_list_vms_sync(HypervisorClient *self, GCancellable *cancellable, GError **error);

void hypervisor_client_get_vm_by_name_async(HypervisorClient *self, const char *name, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
HypervisorVm *hypervisor_client_get_vm_by_name_finish(HypervisorClient *self, GAsyncResult *result,
                                                      GError **error);
HypervisorVm *hypervisor_client_get_vm_by_name_sync(HypervisorClient *self, const char *name,
                                                    GCancellable *cancellable, GError **error);

void hypervisor_client_get_vm_by_uuid_async(HypervisorClient *self, const char *uuid, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
HypervisorVm *hypervisor_client_get_vm_by_uuid_finish(HypervisorClient *self, GAsyncResult *result,
                                                      GError **error);
HypervisorVm *hypervisor_client_get_vm_by_uuid_sync(HypervisorClient *self, const char *uuid,
                                                    GCancellable *cancellable, GError **error);

void hypervisor_client_get_capabilities_async(HypervisorClient *self, GCancellable *cancellable,
                                              GAsyncReadyCallback callback, gpointer user_data);
GVariant *hypervisor_client_get_capabilities_finish(HypervisorClient *self, GAsyncResult *result,
                                                    GError **error);
GVariant *hypervisor_client_get_capabilities_sync(HypervisorClient *self, GCancellable *cancellable,
                                                  GError **error);

G_END_DECLS
