/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * HYPERVISOR_ERROR:
 *
 * The error domain of libhypervisor. Errors the service returns arrive in this
 * domain with the service's own message (without the D-Bus error name).
 *
 * Since: 0.1
 */
#define HYPERVISOR_ERROR (hypervisor_error_quark())

/**
 * HypervisorError:
 * @HYPERVISOR_ERROR_FAILED: another failure; the message says what happened
 * @HYPERVISOR_ERROR_NOT_FOUND: no such VM or device (org.example.Hypervisor.Error.NotFound), also for any call on a #HypervisorVm whose VM was deleted since
 * @HYPERVISOR_ERROR_ALREADY_EXISTS: the name or UUID is taken by another VM (org.example.Hypervisor.Error.AlreadyExists)
 * @HYPERVISOR_ERROR_INVALID_ARGUMENT: a bad option, name, size or path (org.example.Hypervisor.Error.InvalidArgument)
 * @HYPERVISOR_ERROR_INVALID_XML: XML that does not parse or validate; the message gives line and column (org.example.Hypervisor.Error.InvalidXML)
 * @HYPERVISOR_ERROR_INVALID_STATE: not allowed in the VM's current state (org.example.Hypervisor.Error.InvalidState)
 * @HYPERVISOR_ERROR_NOT_SUPPORTED: the engine cannot do this (org.example.Hypervisor.Error.NotSupported)
 * @HYPERVISOR_ERROR_ENGINE_FAILED: the engine process failed or answered an error (org.example.Hypervisor.Error.EngineFailed)
 * @HYPERVISOR_ERROR_TIMEOUT: the engine did not answer in time (org.example.Hypervisor.Error.Timeout)
 * @HYPERVISOR_ERROR_ACCESS_DENIED: polkit said no (org.freedesktop.DBus.Error.AccessDenied)
 * @HYPERVISOR_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED: polkit would ask for a password but the call did not allow it (org.freedesktop.DBus.Error.InteractiveAuthorizationRequired)
 * @HYPERVISOR_ERROR_LIMITS_EXCEEDED: a per-user limit was reached (org.freedesktop.DBus.Error.LimitsExceeded)
 * @HYPERVISOR_ERROR_SERVICE_UNAVAILABLE: hypervisord is not running on the bus, or the bus cannot be reached
 *
 * Error codes in the %HYPERVISOR_ERROR domain. New codes may be added; treat
 * unknown codes like %HYPERVISOR_ERROR_FAILED.
 *
 * Since: 0.1
 */
typedef enum {
        HYPERVISOR_ERROR_FAILED,
        HYPERVISOR_ERROR_NOT_FOUND,
        HYPERVISOR_ERROR_ALREADY_EXISTS,
        HYPERVISOR_ERROR_INVALID_ARGUMENT,
        HYPERVISOR_ERROR_INVALID_XML,
        HYPERVISOR_ERROR_INVALID_STATE,
        HYPERVISOR_ERROR_NOT_SUPPORTED,
        HYPERVISOR_ERROR_ENGINE_FAILED,
        HYPERVISOR_ERROR_TIMEOUT,
        HYPERVISOR_ERROR_ACCESS_DENIED,
        HYPERVISOR_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
        HYPERVISOR_ERROR_LIMITS_EXCEEDED,
        HYPERVISOR_ERROR_SERVICE_UNAVAILABLE,
} HypervisorError;

GType hypervisor_error_get_type(void) G_GNUC_CONST;
GQuark hypervisor_error_quark(void) G_GNUC_CONST;
const char *hypervisor_error_to_string(HypervisorError code);

G_END_DECLS
