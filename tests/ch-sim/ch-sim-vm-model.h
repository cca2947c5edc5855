/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The VM model shared by ch-sim-vm.c (state machine) and ch-sim-devices.c
 * (vm.info, counters, hot-plug, removal). Private to those two files.
 */
#pragma once

#include "ch-sim.h"

#define COUNTER_TICK_US (100 * 1000)    /* the guest counter: +1 per 100 ms running */

typedef struct {
        char *id;
        char *list;             /* config member it came from; NULL for built-ins */
        guint slot;
        const char *event_source;       /* "virtio-device", "vdpa" or NULL */
} Device;

typedef struct {
        const char *list;
        const char *prefix;
        const char *event_source;
} DeviceKind;

typedef struct {
        ChVmState state;
        JsonObject *config;
        GPtrArray *devices;             /* Device*, only while a Vm exists */
        GArray *held_fds;               /* tap/VFIO fds received over the socket */
        guint id_counter;
        gint64 guest_us;                /* guest running time before running_since */
        gint64 running_since;           /* 0 while the guest clock is stopped */
        gboolean panicked;
        gboolean power_button_pending;
        guint poweroff_source;
        guint panic_reboot_source;
        GPtrArray *pending_removals;    /* ids the guest has not acknowledged yet */
        guint ack_source;
} ChVmModel;

extern const DeviceKind ch_device_kinds[];
extern const guint ch_n_device_kinds;
extern ChVmModel ch_vm;

gboolean ch_vm_exists(void);
Device *ch_vm_find_device(const char *id);
gboolean ch_vm_id_in_config(const char *id);
char *ch_device_bdf(const Device *device);
void ch_vm_add_entry_device(const DeviceKind *kind, JsonObject *entry);
gboolean ch_vm_check_disk_backend(JsonObject *entry, GError **error);
gboolean ch_vm_check_net_backend(JsonObject *entry, GError **error);
void ch_vm_guest_wakes_up(void);
void ch_vm_fill_entry_defaults(const char *list, JsonObject *entry);
gboolean ch_vm_on_ack_timer(gpointer user_data);
