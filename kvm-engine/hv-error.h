/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The one error domain of the service and the engines. Every code maps to one
 * D-Bus error name of the contract (dbus-interfaces/, service/bus-util.c); the GError message is what
 * the user reads, so it quotes the user's own words.
 */

#include <glib.h>

#define HV_ERROR (hv_error_quark())
GQuark hv_error_quark(void);

typedef enum {
        HV_ERROR_FAILED,           /* org.freedesktop.DBus.Error.Failed */
        HV_ERROR_NOT_FOUND,        /* org.example.Hypervisor.Error.NotFound */
        HV_ERROR_ALREADY_EXISTS,   /* ...AlreadyExists */
        HV_ERROR_INVALID_ARGUMENT, /* ...InvalidArgument */
        HV_ERROR_INVALID_XML,      /* ...InvalidXML */
        HV_ERROR_INVALID_STATE,    /* ...InvalidState */
        HV_ERROR_NOT_SUPPORTED,    /* ...NotSupported */
        HV_ERROR_ENGINE_FAILED,    /* ...EngineFailed */
        HV_ERROR_TIMEOUT,          /* ...Timeout */
        HV_ERROR_ACCESS_DENIED,    /* org.freedesktop.DBus.Error.AccessDenied */
        HV_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
        HV_ERROR_LIMITS_EXCEEDED,  /* org.freedesktop.DBus.Error.LimitsExceeded */
} HvErrorCode;
