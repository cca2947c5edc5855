/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * A <hostdev> on QEMU's command line, as libvirt writes it (qemuBuildPCIHostdevDevProps,
 * qemuBuildHostdevMediatedDevProps): vfio-pci with host=DDDD:BB:SS.F for a PCI function,
 * with sysfsdev=/sys/bus/mdev/devices/UUID for a mediated device; bootindex from <boot
 * order>. QEMU opens /dev/vfio/N as the VM's owner: the owner needs the device's group.
 */

#include "qemu-argv.h"

JsonNode *qemu_hostdev_device(const VmDevice *device) {
        const VmHostdev *hostdev = &device->hostdev;
        JsonObject *o = json_object_new();
        JsonNode *node = json_node_new(JSON_NODE_OBJECT);

        json_object_set_string_member(o, "driver", "vfio-pci");
        if (hostdev->type == VM_HOSTDEV_MDEV) {
                g_autofree char *sysfsdev = g_strdup_printf("/sys/bus/mdev/devices/%s", hostdev->uuid);
                json_object_set_string_member(o, "id", device->id);
                json_object_set_string_member(o, "sysfsdev", sysfsdev);
        } else {
                g_autofree char *host = g_strdup_printf("%04x:%02x:%02x.%x", hostdev->domain, hostdev->bus,
                                                        hostdev->slot, hostdev->function);
                json_object_set_string_member(o, "id", device->id);
                json_object_set_string_member(o, "host", host);
        }
        if (device->boot_order)
                json_object_set_int_member(o, "bootindex", device->boot_order);
        json_node_take_object(node, o);
        return node;
}
