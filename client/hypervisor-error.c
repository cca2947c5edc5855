/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "hypervisor-error.h"
#include "hypervisor-private.h"

/*
 * AccessDenied and LimitsExceeded are registered by GDBus itself (in
 * G_DBUS_ERROR), and one D-Bus name can belong to one GError code only, so
 * they are not in this table: hypervisor_error_convert() maps them.
 */
static const GDBusErrorEntry error_entries[] = {
        { HYPERVISOR_ERROR_NOT_FOUND, "org.example.Hypervisor.Error.NotFound" },
        { HYPERVISOR_ERROR_ALREADY_EXISTS, "org.example.Hypervisor.Error.AlreadyExists" },
        { HYPERVISOR_ERROR_INVALID_ARGUMENT, "org.example.Hypervisor.Error.InvalidArgument" },
        { HYPERVISOR_ERROR_INVALID_XML, "org.example.Hypervisor.Error.InvalidXML" },
        { HYPERVISOR_ERROR_INVALID_STATE, "org.example.Hypervisor.Error.InvalidState" },
        { HYPERVISOR_ERROR_NOT_SUPPORTED, "org.example.Hypervisor.Error.NotSupported" },
        { HYPERVISOR_ERROR_ENGINE_FAILED, "org.example.Hypervisor.Error.EngineFailed" },
        { HYPERVISOR_ERROR_TIMEOUT, "org.example.Hypervisor.Error.Timeout" },
        { HYPERVISOR_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
          "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired" },
};

/**
 * hypervisor_error_quark:
 *
 * Returns: the #GQuark of the %HYPERVISOR_ERROR domain. Calling it registers
 * the D-Bus error names of hypervisord, so that remote errors arrive with
 * their codes.
 *
 * Since: 0.1
 */
GQuark hypervisor_error_quark(void) {
        static gsize quark = 0;

        g_dbus_error_register_error_domain("hypervisor-error-quark", &quark, error_entries,
                                           G_N_ELEMENTS(error_entries));
        return (GQuark) quark;
}

G_DEFINE_ENUM_TYPE(HypervisorError, hypervisor_error,
        G_DEFINE_ENUM_VALUE(HYPERVISOR_ERROR_FAILED, "failed"),
        G_DEFINE_ENUM_VALUE(HYPERVISOR_ERROR_NOT_FOUND, "not-found"),
        G_DEFINE_ENUM_VALUE(HYPERVISOR_ERROR_ALREADY_EXISTS, "already-exists"),
        G_DEFINE_ENUM_VALUE(HYPERVISOR_ERROR_INVALID_ARGUMENT, "invalid-argument"),
        G_DEFINE_ENUM_VALUE(HYPERVISOR_ERROR_INVALID_XML, "invalid-xml"),
        G_DEFINE_ENUM_VALUE(HYPERVISOR_ERROR_INVALID_STATE, "invalid-state"),
        G_DEFINE_ENUM_VALUE(HYPERVISOR_ERROR_NOT_SUPPORTED, "not-supported"),
        G_DEFINE_ENUM_VALUE(HYPERVISOR_ERROR_ENGINE_FAILED, "engine-failed"),
        G_DEFINE_ENUM_VALUE(HYPERVISOR_ERROR_TIMEOUT, "timeout"),
        G_DEFINE_ENUM_VALUE(HYPERVISOR_ERROR_ACCESS_DENIED, "access-denied"),
        G_DEFINE_ENUM_VALUE(HYPERVISOR_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED, "interactive-authorization-required"),
        G_DEFINE_ENUM_VALUE(HYPERVISOR_ERROR_LIMITS_EXCEEDED, "limits-exceeded"),
        G_DEFINE_ENUM_VALUE(HYPERVISOR_ERROR_SERVICE_UNAVAILABLE, "service-unavailable"))

/**
 * hypervisor_error_to_string:
 * @code: a #HypervisorError
 *
 * Returns: (transfer none): a short name of @code, such as "not-found", or
 * "failed" for an unknown code.
 *
 * Since: 0.1
 */
const char *hypervisor_error_to_string(HypervisorError code) {
        g_autoptr(GEnumClass) klass = g_type_class_ref(hypervisor_error_get_type());
        GEnumValue *value = g_enum_get_value(klass, code);

        return value ? value->value_nick : "failed";
}

/* Every error that leaves the library goes through here. */
void hypervisor_error_convert(GError **error) {
        GError *e;
        g_autofree char *message = NULL;

        if (!error || !*error)
                return;
        e = *error;

        /* Make sure the names are registered before anything is decoded. */
        (void) hypervisor_error_quark();

        if (e->domain == HYPERVISOR_ERROR) {
                g_dbus_error_strip_remote_error(e);
                return;
        }
        if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_DBUS_ERROR)) {
                /* Decoded before our names were registered, or a name we do not know. */
                g_autofree char *name = g_dbus_error_get_remote_error(e);

                g_dbus_error_strip_remote_error(e);
                for (size_t i = 0; name && i < G_N_ELEMENTS(error_entries); i++)
                        if (g_str_equal(name, error_entries[i].dbus_error_name)) {
                                e->domain = HYPERVISOR_ERROR;
                                e->code = error_entries[i].error_code;
                                break;
                        }
                return;
        }
        if (e->domain != G_DBUS_ERROR)
                return;

        g_dbus_error_strip_remote_error(e);
        message = g_strdup(e->message);
        switch (e->code) {
        case G_DBUS_ERROR_ACCESS_DENIED:
        case G_DBUS_ERROR_AUTH_FAILED:
                e->domain = HYPERVISOR_ERROR;
                e->code = HYPERVISOR_ERROR_ACCESS_DENIED;
                break;
        case G_DBUS_ERROR_LIMITS_EXCEEDED:
                e->domain = HYPERVISOR_ERROR;
                e->code = HYPERVISOR_ERROR_LIMITS_EXCEEDED;
                break;
        case G_DBUS_ERROR_UNKNOWN_OBJECT:
                /* A VM object that the service removed (deleted, or a transient VM that stopped). */
                e->domain = HYPERVISOR_ERROR;
                e->code = HYPERVISOR_ERROR_NOT_FOUND;
                g_free(e->message);
                e->message = g_strdup_printf("No such VM (it was deleted): %s", message);
                break;
        case G_DBUS_ERROR_SERVICE_UNKNOWN:
        case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
        case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
        case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
        case G_DBUS_ERROR_DISCONNECTED:
        case G_DBUS_ERROR_NO_SERVER:
                e->domain = HYPERVISOR_ERROR;
                e->code = HYPERVISOR_ERROR_SERVICE_UNAVAILABLE;
                g_free(e->message);
                e->message = g_strdup_printf("The hypervisor service is not available: %s", message);
                break;
        default:
                break;
        }
}
