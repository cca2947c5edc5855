/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * HypervisorVm's display methods (D-Bus interface version 2): OpenGraphics, Screenshot
 * and SendKey, each as async/finish and sync.
 */

#include "hypervisor-private.h"

static GVariant *number_args(guint number) {
        return g_variant_new("(u@a{sv})", number, hypervisor_options_empty());
}

static GVariant *send_key_args(const guint *keycodes, gsize n_keycodes, guint hold_time_ms) {
        GVariantBuilder keys, options;

        g_variant_builder_init(&keys, G_VARIANT_TYPE("au"));
        for (gsize i = 0; i < n_keycodes; i++)
                g_variant_builder_add(&keys, "u", keycodes[i]);
        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        if (hold_time_ms > 0)
                g_variant_builder_add(&options, "{sv}", "hold-time", g_variant_new_uint32(hold_time_ms));
        return g_variant_new("(aua{sv})", &keys, &options);
}

static void on_fd_reply(GObject *source, GAsyncResult *result, gpointer user_data) {
        g_autoptr(GTask) task = user_data;
        g_autoptr(GUnixFDList) fd_list = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        int fd;

        reply = hypervisor_call_finish(G_DBUS_PROXY(source), result, &fd_list, &error);
        fd = reply ? hypervisor_vm_take_console_fd(reply, fd_list, &error) : -1;
        if (fd < 0) {
                g_task_return_error(task, g_steal_pointer(&error));
                return;
        }
        g_task_return_int(task, fd);
}

static void fd_call(HypervisorVm *self, const char *method, guint number, gpointer source_tag,
                    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data) {
        GTask *task = g_task_new(self, cancellable, callback, user_data);

        g_task_set_source_tag(task, source_tag);
        hypervisor_call_async(G_DBUS_PROXY(hypervisor_vm_get_proxy(self)), method, number_args(number),
                              HYPERVISOR_CALL_MAY_AUTHORIZE, cancellable, on_fd_reply, task);
}

static int fd_finish(HypervisorVm *self, GAsyncResult *result, gpointer source_tag, GError **error) {
        g_autoptr(GError) local_error = NULL;
        gssize fd;

        g_return_val_if_fail(g_task_is_valid(result, self), -1);
        g_return_val_if_fail(g_task_get_source_tag(G_TASK(result)) == source_tag, -1);
        fd = g_task_propagate_int(G_TASK(result), &local_error);
        if (local_error) {
                g_propagate_error(error, g_steal_pointer(&local_error));
                return -1;
        }
        return (int) fd;
}

static int fd_call_sync(HypervisorVm *self, const char *method, guint number, GCancellable *cancellable,
                        GError **error) {
        g_autoptr(GUnixFDList) fd_list = NULL;
        g_autoptr(GVariant) reply = NULL;

        reply = hypervisor_call_sync(G_DBUS_PROXY(hypervisor_vm_get_proxy(self)), method, number_args(number),
                                     HYPERVISOR_CALL_MAY_AUTHORIZE, "(h)", &fd_list, cancellable, error);
        if (!reply)
                return -1;
        return hypervisor_vm_take_console_fd(reply, fd_list, error);
}

/**
 * hypervisor_vm_open_graphics_async:
 * @self: a #HypervisorVm
 * @index: the display: the position of its graphics element (0 for the first)
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the connection
 * @user_data: (closure): data for @callback
 *
 * Opens a new connection to one of the VM's displays (VNC or SPICE, as its
 * "Graphics" property says). gtk-vnc (vnc_display_open_fd()) and spice-gtk
 * (spice_session_open_fd()) take the descriptor.
 *
 * Since: 0.1
 */
void hypervisor_vm_open_graphics_async(HypervisorVm *self, guint index, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        fd_call(self, "OpenGraphics", index, hypervisor_vm_open_graphics_async, cancellable, callback, user_data);
}

/**
 * hypervisor_vm_open_graphics_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: a socket connected to the display server, which the caller owns and
 *   closes, or -1 on error
 *
 * Since: 0.1
 */
int hypervisor_vm_open_graphics_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        return fd_finish(self, result, hypervisor_vm_open_graphics_async, error);
}

/**
 * hypervisor_vm_open_graphics_sync:
 * @self: a #HypervisorVm
 * @index: the display (0 for the first)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * See hypervisor_vm_open_graphics_async().
 *
 * Returns: a socket the caller owns and closes, or -1 on error
 *
 * Since: 0.1
 */
int hypervisor_vm_open_graphics_sync(HypervisorVm *self, guint index, GCancellable *cancellable, GError **error) {
        g_return_val_if_fail(HYPERVISOR_IS_VM(self), -1);
        return fd_call_sync(self, "OpenGraphics", index, cancellable, error);
}

/**
 * hypervisor_vm_screenshot_async:
 * @self: a #HypervisorVm
 * @screen: the screen (0 for the primary video device)
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the picture
 * @user_data: (closure): data for @callback
 *
 * Takes a PNG picture of what the VM's screen shows now.
 *
 * Since: 0.1
 */
void hypervisor_vm_screenshot_async(HypervisorVm *self, guint screen, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        fd_call(self, "Screenshot", screen, hypervisor_vm_screenshot_async, cancellable, callback, user_data);
}

/**
 * hypervisor_vm_screenshot_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: a sealed memfd holding the PNG, to read from offset 0, which the
 *   caller owns and closes, or -1 on error
 *
 * Since: 0.1
 */
int hypervisor_vm_screenshot_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        return fd_finish(self, result, hypervisor_vm_screenshot_async, error);
}

/**
 * hypervisor_vm_screenshot_sync:
 * @self: a #HypervisorVm
 * @screen: the screen (0 for the primary video device)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * See hypervisor_vm_screenshot_async().
 *
 * Returns: a sealed memfd holding the PNG, or -1 on error
 *
 * Since: 0.1
 */
int hypervisor_vm_screenshot_sync(HypervisorVm *self, guint screen, GCancellable *cancellable, GError **error) {
        g_return_val_if_fail(HYPERVISOR_IS_VM(self), -1);
        return fd_call_sync(self, "Screenshot", screen, cancellable, error);
}

/**
 * hypervisor_vm_send_key_async:
 * @self: a #HypervisorVm
 * @keycodes: (array length=n_keycodes): Linux input keycodes, pressed together
 * @n_keycodes: how many (1 to 16)
 * @hold_time_ms: how long they stay pressed, 0 for the engine's default
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called once the keys were sent
 * @user_data: (closure): data for @callback
 *
 * Presses keys on the VM's keyboard: Ctrl+Alt+Del is { 29, 56, 111 }.
 *
 * Since: 0.1
 */
void hypervisor_vm_send_key_async(HypervisorVm *self, const guint *keycodes, gsize n_keycodes, guint hold_time_ms,
                                  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data) {
        GTask *task;

        g_return_if_fail(HYPERVISOR_IS_VM(self));
        task = g_task_new(self, cancellable, callback, user_data);
        g_task_set_source_tag(task, hypervisor_vm_send_key_async);
        hypervisor_call_to_task(G_DBUS_PROXY(hypervisor_vm_get_proxy(self)), "SendKey",
                                send_key_args(keycodes, n_keycodes, hold_time_ms), HYPERVISOR_CALL_MAY_AUTHORIZE, "()",
                                task);
}

/**
 * hypervisor_vm_send_key_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the keys were sent
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_send_key_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
        g_return_val_if_fail(g_task_get_source_tag(G_TASK(result)) == hypervisor_vm_send_key_async, FALSE);
        return g_task_propagate_boolean(G_TASK(result), error);
}

/**
 * hypervisor_vm_send_key_sync:
 * @self: a #HypervisorVm
 * @keycodes: (array length=n_keycodes): Linux input keycodes, pressed together
 * @n_keycodes: how many (1 to 16)
 * @hold_time_ms: how long they stay pressed, 0 for the engine's default
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * See hypervisor_vm_send_key_async().
 *
 * Returns: %TRUE when the keys were sent
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_send_key_sync(HypervisorVm *self, const guint *keycodes, gsize n_keycodes, guint hold_time_ms,
                                     GCancellable *cancellable, GError **error) {
        g_autoptr(GVariant) reply = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), FALSE);
        reply = hypervisor_call_sync(G_DBUS_PROXY(hypervisor_vm_get_proxy(self)), "SendKey",
                                     send_key_args(keycodes, n_keycodes, hold_time_ms), HYPERVISOR_CALL_MAY_AUTHORIZE,
                                     "()", NULL, cancellable, error);
        return reply != NULL;
}

/**
 * hypervisor_vm_dup_graphics:
 * @self: a #HypervisorVm
 *
 * The VM's displays, as its D-Bus property "Graphics": one (type, index,
 * details) each, type "vnc" or "spice", index for
 * hypervisor_vm_open_graphics_async().
 *
 * Returns: (transfer full) (nullable): an a(sua{sv}) array, %NULL when the
 *   service did not say
 *
 * Since: 0.1
 */
GVariant *hypervisor_vm_dup_graphics(HypervisorVm *self) {
        g_autoptr(GVariant) value = NULL;

        g_return_val_if_fail(HYPERVISOR_IS_VM(self), NULL);
        value = g_dbus_proxy_get_cached_property(G_DBUS_PROXY(hypervisor_vm_get_proxy(self)), "Graphics");
        if (!value || !g_variant_is_of_type(value, G_VARIANT_TYPE("a(sua{sv})")))
                return NULL;
        return g_steal_pointer(&value);
}
