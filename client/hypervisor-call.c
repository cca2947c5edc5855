/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * One way to call the service: every method of libhypervisor goes through
 * here, so that flags, timeouts and error conversion are decided once.
 */

#include "hypervisor-private.h"

static GDBusCallFlags call_flags(HypervisorCallKind kind) {
        /* A polkit prompt is shown only when the caller says it may wait for one. */
        return kind == HYPERVISOR_CALL_MAY_AUTHORIZE ? G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION
                                                     : G_DBUS_CALL_FLAGS_NONE;
}

static int call_timeout(HypervisorCallKind kind) {
        /*
         * Someone may be typing a password, or a guest may take minutes to
         * shut down: such calls wait for the service's answer. Reads get the
         * usual D-Bus timeout.
         */
        return kind == HYPERVISOR_CALL_MAY_AUTHORIZE ? G_MAXINT : -1;
}

void hypervisor_call_async(GDBusProxy *proxy, const char *method, GVariant *parameters, HypervisorCallKind kind,
                           GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data) {
        g_dbus_proxy_call_with_unix_fd_list(proxy, method, parameters, call_flags(kind), call_timeout(kind), NULL,
                                            cancellable, callback, user_data);
}

GVariant *hypervisor_call_finish(GDBusProxy *proxy, GAsyncResult *result, GUnixFDList **ret_fd_list,
                                 GError **error) {
        g_autoptr(GError) local_error = NULL;
        GVariant *reply;

        reply = g_dbus_proxy_call_with_unix_fd_list_finish(proxy, ret_fd_list, result, &local_error);
        if (!reply) {
                hypervisor_error_convert(&local_error);
                g_propagate_error(error, g_steal_pointer(&local_error));
        }
        return reply;
}

/* A reply of another type than the contract's means a service we do not understand. */
static gboolean check_reply_type(GVariant *reply, const char *method, const char *reply_type, GError **error) {
        if (g_variant_is_of_type(reply, G_VARIANT_TYPE(reply_type)))
                return TRUE;
        g_set_error(error, HYPERVISOR_ERROR, HYPERVISOR_ERROR_FAILED,
                    "The service answered %s() with type '%s', expected '%s'", method,
                    g_variant_get_type_string(reply), reply_type);
        return FALSE;
}

GVariant *hypervisor_call_sync(GDBusProxy *proxy, const char *method, GVariant *parameters, HypervisorCallKind kind,
                               const char *reply_type, GUnixFDList **ret_fd_list, GCancellable *cancellable,
                               GError **error) {
        g_autoptr(GError) local_error = NULL;
        g_autoptr(GVariant) reply = NULL;

        reply = g_dbus_proxy_call_with_unix_fd_list_sync(proxy, method, parameters, call_flags(kind),
                                                         call_timeout(kind), NULL, ret_fd_list, cancellable,
                                                         &local_error);
        if (!reply) {
                hypervisor_error_convert(&local_error);
                g_propagate_error(error, g_steal_pointer(&local_error));
                return NULL;
        }
        if (!check_reply_type(reply, method, reply_type, error))
                return NULL;
        return g_steal_pointer(&reply);
}

GVariant *hypervisor_options_empty(void) {
        return g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0);
}

/* What a task-based call expects back; both strings are literals of the caller. */
typedef struct {
        const char *method;
        const char *reply_type;
} ExpectedReply;

static void on_reply_for_task(GObject *source, GAsyncResult *result, gpointer user_data) {
        g_autoptr(GTask) task = user_data;
        const ExpectedReply *expected = g_task_get_task_data(task);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        reply = hypervisor_call_finish(G_DBUS_PROXY(source), result, NULL, &error);
        if (!reply || !check_reply_type(reply, expected->method, expected->reply_type, &error)) {
                g_task_return_error(task, g_steal_pointer(&error));
                return;
        }
        if (g_variant_n_children(reply) == 0) {
                g_task_return_boolean(task, TRUE);
                return;
        }
        /* The single value of the reply: a string, an object path, a dictionary or an array. */
        g_task_return_pointer(task, g_variant_get_child_value(reply, 0), (GDestroyNotify) g_variant_unref);
}

void hypervisor_call_to_task(GDBusProxy *proxy, const char *method, GVariant *parameters, HypervisorCallKind kind,
                             const char *reply_type, GTask *task) {
        ExpectedReply *expected = g_new(ExpectedReply, 1);

        *expected = (ExpectedReply) { .method = method, .reply_type = reply_type };
        g_task_set_task_data(task, expected, g_free);
        hypervisor_call_async(proxy, method, parameters, kind, g_task_get_cancellable(task), on_reply_for_task,
                              task);
}
