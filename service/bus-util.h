/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Small glue between sd-bus and GLib: autoptr cleanups and errors. */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "hv-error.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_bus, sd_bus_flush_close_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_bus_message, sd_bus_message_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_bus_slot, sd_bus_slot_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_bus_creds, sd_bus_creds_unref)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(sd_bus_error, sd_bus_error_free)

#define HV_BUS_NAME "org.example.Hypervisor"
#define HV_MANAGER_PATH "/org/example/Hypervisor"
#define HV_VM_PATH_PREFIX "/org/example/Hypervisor/vm"
#define HV_MANAGER_INTERFACE "org.example.Hypervisor.Manager"
#define HV_VM_INTERFACE "org.example.Hypervisor.VM"

#define HV_ERROR_NAME_PREFIX "org.example.Hypervisor.Error."

/* The D-Bus error name of an HV_ERROR code. */
const char *hv_error_code_to_bus_name(HvErrorCode code);

/* Fill a D-Bus error from a GError; returns the negative errno sd-bus expects from handlers. */
int bus_error_set_gerror(sd_bus_error *error, const GError *gerror);

/* Same, from a code and a format, without going through a GError. */
int bus_error_setf(sd_bus_error *error, HvErrorCode code, const char *format, ...) G_GNUC_PRINTF(3, 4);

/* Reply to a parked method call with an error from a GError. */
int bus_reply_gerror(sd_bus_message *call, const GError *gerror);

/*
 * The a{sv} options argument. The caller lists the keys a method accepts with
 * their type ('s', 'u', 'b'); any other key, or a key with another type, is an
 * InvalidArgument error naming it.
 */
typedef struct {
        const char *key;
        char type;
        bool present;
        union {
                const char *s; /* borrowed from the message */
                uint32_t u;
                bool b;
        };
} BusOption;

int bus_message_read_options(sd_bus_message *m, BusOption *options, size_t n_options, sd_bus_error *error);

#define BUS_READ_NO_OPTIONS(m, error) bus_message_read_options((m), NULL, 0, (error))

/* Append a GVariant (any type sd-bus can carry) to a message being built. */
int bus_message_append_gvariant(sd_bus_message *m, GVariant *value);
