/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Fresh properties after a blocking call.
 *
 * A HypervisorVm's properties come from its proxy's cache, which the
 * service's PropertiesChanged signals keep current; but those signals are
 * dispatched by the caller's main context, and a plain blocking script never
 * iterates one. So after every successful `_sync` call the library reads the
 * VM's properties itself with Properties.GetAll. The bus delivers the
 * service's messages in order, so that answer is at least as recent as the
 * reply of the call. The signals still queued in the main context replay
 * the changes in order when a main loop runs (a state-changed handler still
 * reads the state it is told about) and leave the properties where the
 * refresh put them.
 */

#include "hypervisor-private.h"

void hypervisor_vm_refresh_sync(HypervisorVm *self) {
        GDBusProxy *proxy = G_DBUS_PROXY(hypervisor_vm_get_proxy(self));
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GVariant) properties = NULL;

        reply = g_dbus_connection_call_sync(g_dbus_proxy_get_connection(proxy), g_dbus_proxy_get_name(proxy),
                                            g_dbus_proxy_get_object_path(proxy), "org.freedesktop.DBus.Properties",
                                            "GetAll", g_variant_new("(s)", g_dbus_proxy_get_interface_name(proxy)),
                                            G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        if (!reply) {
                /*
                 * The call itself succeeded; the VM may have gone since (Delete
                 * from elsewhere). Its properties stay as they were.
                 */
                g_debug("Could not refresh the properties of %s: %s", g_dbus_proxy_get_object_path(proxy),
                        error->message);
                return;
        }
        properties = g_variant_get_child_value(reply, 0);
        hypervisor_vm_apply_properties(self, properties);
}
