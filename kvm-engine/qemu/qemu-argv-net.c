/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * An <interface> on QEMU's command line and in device_add: a backend (-netdev:
 * a tap the service opened and QEMU inherited, or user-mode networking) and a
 * front end (-device) of the model asked for, with its MAC address. The device
 * names are libvirt's for the same models.
 */

#include "hv-error.h"
#include "qemu-argv.h"
#include "tap.h"

static const char *net_driver(QemuMachineKind machine, VmNetModel model) {
        switch (model) {
        case VM_NET_MODEL_VIRTIO:
                /* microvm has no PCI: its virtio devices sit on virtio-mmio. */
                return machine == QEMU_MACHINE_MICROVM ? "virtio-net-device" : "virtio-net-pci";
        case VM_NET_MODEL_E1000:
                return "e1000";
        case VM_NET_MODEL_E1000E:
                return "e1000e";
        case VM_NET_MODEL_RTL8139:
                return "rtl8139";
        }
        g_assert_not_reached();
}

char *qemu_net_netdev_arg(const VmInterface *net, const char *netdev_id, int tap_fd) {
        if (vm_interface_uses_tap(net))
                return g_strdup_printf("tap,id=%s,fd=%d", netdev_id, tap_fd);
        return g_strdup_printf("user,id=%s", netdev_id);
}

JsonNode *qemu_net_device(QemuMachineKind machine, const VmDevice *device, const char *netdev_id) {
        JsonObject *o = json_object_new();
        JsonNode *node = json_node_new(JSON_NODE_OBJECT);

        json_object_set_string_member(o, "driver", net_driver(machine, device->net.model));
        json_object_set_string_member(o, "id", device->id);
        json_object_set_string_member(o, "netdev", netdev_id);
        if (device->net.mac)
                json_object_set_string_member(o, "mac", device->net.mac);
        qemu_virtio_options_props(o, &device->net.virtio);
        json_node_take_object(node, o);
        return node;
}
