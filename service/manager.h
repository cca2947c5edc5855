/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The Manager: the registry of VMs, the engines found on this host, the bus
 * connection and the event loop. One per process.
 */

#include <glib.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "engine.h"
#include "launch-queue.h"
#include "read-queue.h"
#include "sender-cache.h"
#include "settings.h"
#include "store-writer.h"

typedef struct Vm Vm;
typedef struct PolkitRegistry PolkitRegistry;

typedef struct {
        const EngineOps *ops;
        EngineProbe probe;
} ManagerEngine;

typedef struct Manager {
        Settings settings;
        sd_event *event;
        sd_bus *bus;

        char *vms_dir;            /* <state>/vms: definitions */
        GHashTable *vms_by_uuid;  /* uuid -> Vm*, owns the VMs */
        GHashTable *vms_by_name;  /* name -> Vm*, borrowed */
        GHashTable *vms_per_owner; /* uid -> how many VMs it owns, for MaxVMsPerUser without a scan */
        GHashTable *vms_defining; /* uuid -> Vm*, owned: new VMs whose definition is being written */
        StoreWriter *store;       /* writes and removes definitions off the loop */

        SenderCache *senders;     /* caller unique name -> uid */
        LaunchQueue *launches;    /* VMs whose engine waits to be spawned (Boot) */
        GString *vm_paths;        /* every VM's object path, each NUL-terminated, for ListVMs; NULL when stale */

        PolkitRegistry *polkit;   /* authorization checks in flight (system bus only) */
        GHashTable *operations;   /* caller uid -> number of its calls in progress */
        ReadQueue *reads;         /* GetXML and GetInfo take turns between users (NULL before the bus) */

        ManagerEngine *engines;   /* every compiled-in engine, probed at start */
        size_t n_engines;
} Manager;

/* Takes the settings over. */
Manager *manager_new(Settings *settings);
void manager_free(Manager *manager);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Manager, manager_free)

/* Create directories, probe engines, load definitions (no bus yet). */
bool manager_load(Manager *manager, GError **error);
/* Connect to the bus, export the objects, take the name. */
bool manager_connect_bus(Manager *manager, GError **error);
int manager_run(Manager *manager);

Vm *manager_find_vm_by_uuid(Manager *manager, const char *uuid);
Vm *manager_find_vm_by_name(Manager *manager, const char *name);
Vm *manager_find_vm_by_path(Manager *manager, const char *path);
unsigned manager_count_vms_of_owner(Manager *manager, uid_t owner);
/* The object paths of all VMs, one after the other, each NUL-terminated (borrowed). */
const GString *manager_get_vm_paths(Manager *manager);

const ManagerEngine *manager_get_engine(Manager *manager, const char *name);

/*
 * Calls of one caller that are in progress (waiting for an engine or for polkit),
 * limited by MaxOperationsInFlight. begin fails with LimitsExceeded at the limit.
 */
bool manager_operation_begin(Manager *manager, uid_t uid, GError **error);
void manager_operation_end(Manager *manager, uid_t uid);
unsigned manager_operations_in_flight(Manager *manager, uid_t uid);

/*
 * Define (or redefine) a VM from domain XML. engine may be NULL (chosen from
 * <emulator>, the VM's current engine, or the default); autostart < 0 leaves
 * the flag as it is (a new VM: off). Checks fail at once (false, error set,
 * nothing changed); otherwise the definition is written off the loop and done
 * is called with the VM once it is on disk, or with an error and nothing
 * changed. A new VM is announced on the bus just before done.
 *
 * When the VM the definition names is being written already, nothing is done:
 * false, no error, and *ret_saving is that VM, for vm_wait_for_save().
 */
typedef void (*ManagerDefineFn)(Vm *vm, const GError *error, void *userdata);
bool manager_define_vm(Manager *manager, const char *xml, const char *engine, uid_t owner, int autostart,
                       ManagerDefineFn done, void *userdata, Vm **ret_saving, GError **error);
/* A transient VM (CreateVM): nothing is written, it is there and announced at once. */
Vm *manager_create_vm(Manager *manager, const char *xml, const char *engine, uid_t owner, GError **error);

/*
 * Delete a VM: remove its definition, announce it gone, free it. A persistent
 * VM's file is removed off the loop, and done is called after; a transient VM
 * goes at once, and done is called before this returns.
 */
typedef void (*ManagerDeleteFn)(const GError *error, void *userdata);
bool manager_delete_vm(Manager *manager, Vm *vm, ManagerDeleteFn done, void *userdata, GError **error);
/* Forget a VM without touching its definition: announce it gone, free it. */
void manager_forget_vm(Manager *manager, Vm *vm);
/* The same, deferred to the event loop: for transient VMs that stopped. */
void manager_delete_vm_later(Manager *manager, Vm *vm);

/* manager-dbus.c */
int manager_dbus_register(Manager *manager);
void manager_dbus_emit_vm_added(Manager *manager, Vm *vm);
void manager_dbus_emit_vm_removed(Manager *manager, const char *path, const char *name);
