/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * A <hostdev> on QEMU's command line, as libvirt writes it (qemuBuildPCIHostdevDevProps,
 * qemuBuildHostdevMediatedDevProps): vfio-pci with host=DDDD:BB:SS.F for a PCI function,
 * with sysfsdev=/sys/bus/mdev/devices/UUID for a mediated device (and its display, ramfb:
 * vfio-pci-nohotplug); bootindex from <boot order>. QEMU opens /dev/vfio/N as the VM's owner: the owner needs the device's group.
 * A SCSI device (qemuBuildHostdevSCSICommandLine): a host_device -blockdev of the /dev/sgN Boot
 * found for it, QEMU opening it as the owner, and a scsi-generic on its controller.
 */

#include <inttypes.h>

#include "hv-error.h"
#include "vm-problems.h"
#include "qemu-argv.h"

JsonNode *qemu_hostdev_device(const VmDevice *device) {
        const VmHostdev *hostdev = &device->hostdev;
        JsonObject *o = json_object_new();
        JsonNode *node = json_node_new(JSON_NODE_OBJECT);

        /* ramfb: QEMU's vfio-pci-nohotplug (a ramfb cannot go away), as libvirt writes it. */
        json_object_set_string_member(o, "driver", hostdev->type == VM_HOSTDEV_MDEV && hostdev->mdev_ramfb == VM_SWITCH_ON
                                                           ? "vfio-pci-nohotplug"
                                                           : "vfio-pci");
        if (hostdev->type == VM_HOSTDEV_MDEV) {
                g_autofree char *sysfsdev = g_strdup_printf("/sys/bus/mdev/devices/%s", hostdev->uuid);
                json_object_set_string_member(o, "id", device->id);
                json_object_set_string_member(o, "sysfsdev", sysfsdev);
                if (hostdev->mdev_display)
                        json_object_set_string_member(o, "display",
                                                      hostdev->mdev_display == VM_SWITCH_ON ? "on" : "off");
                /* As libvirt: ramfb only when on (off is QEMU's default). */
                if (hostdev->mdev_ramfb == VM_SWITCH_ON)
                        json_object_set_boolean_member(o, "ramfb", true);
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

static bool has_usb_hostdev(const VmConfig *config) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind == VM_DEVICE_HOSTDEV && device->hostdev.type == VM_HOSTDEV_USB)
                        return true;
        }
        return false;
}

void qemu_hostdev_add_scsi_args(GPtrArray *argv, const VmConfig *config, const VmDevice *device, const char *node,
                                const char *node_name) {
        const VmAddress *address = &device->address;
        g_autofree char *ctrl_id = qemu_scsi_controller_id(config, address->controller);
        g_autofree char *bus = NULL;
        g_autoptr(JsonGenerator) generator = json_generator_new();
        g_autoptr(JsonNode) blockdev = json_node_new(JSON_NODE_OBJECT);
        g_autoptr(JsonNode) scsi = json_node_new(JSON_NODE_OBJECT);
        JsonObject *o;

        /* As libvirt: no share-rw, <shareable/> only tells libvirt's own bookkeeping. iSCSI: the
         * protocol node a network disk has (qemu-argv-disk-network.c). */
        if (device->hostdev.scsi_iscsi) {
                o = qemu_disk_network_blockdev(device->hostdev.scsi_iscsi);
        } else {
                o = json_object_new();
                json_object_set_string_member(o, "driver", "host_device");
                json_object_set_string_member(o, "filename", node);
        }
        json_object_set_string_member(o, "node-name", node_name);
        json_object_set_boolean_member(o, "read-only", device->hostdev.scsi_readonly);
        json_node_take_object(blockdev, o);
        json_generator_set_root(generator, blockdev);
        g_ptr_array_add(argv, g_strdup("-blockdev"));
        g_ptr_array_add(argv, json_generator_to_data(generator, NULL));

        o = json_object_new();
        json_object_set_string_member(o, "driver", "scsi-generic");
        json_object_set_string_member(o, "drive", node_name);
        json_object_set_string_member(o, "id", device->id);
        if (device->boot_order)
                json_object_set_int_member(o, "bootindex", device->boot_order);
        /* As libvirt's drive address: lsi's SCSI id is the unit; the others address channel, target, LUN. */
        if (qemu_scsi_model_is_lsi(qemu_scsi_controller_model(config, address->controller))) {
                bus = g_strdup_printf("%s.%" PRIu32, ctrl_id, address->bus);
                json_object_set_string_member(o, "bus", bus);
                json_object_set_int_member(o, "scsi-id", address->unit);
        } else {
                bus = g_strdup_printf("%s.0", ctrl_id);
                json_object_set_string_member(o, "bus", bus);
                json_object_set_int_member(o, "channel", address->bus);
                json_object_set_int_member(o, "scsi-id", address->target);
                json_object_set_int_member(o, "lun", address->unit);
        }
        json_node_take_object(scsi, o);
        json_generator_set_root(generator, scsi);
        g_ptr_array_add(argv, g_strdup("-device"));
        g_ptr_array_add(argv, json_generator_to_data(generator, NULL));
}

/* Where a SCSI hostdev sits: a controller the engine can have, an address its bus has
 * (QEMU 7.2's limits), no other SCSI disk or hostdev there. */
static void check_scsi_hostdev(const VmConfig *config, const VmDevice *device, guint position, VmProblems *problems) {
        const VmAddress *address = &device->address;
        const VmDevice *other;
        VmControllerModel model;
        uint32_t max_target, max_unit;

        if (address->type != VM_ADDRESS_DRIVE)
                return;
        /* On microvm: refused by check_device_on_machine (no PCI). */
        if (address->controller > 0xff) {
                vm_problems_add(problems, device->line, HV_ERROR_INVALID_ARGUMENT,
                                "<hostdev type='scsi'>: SCSI controller %" PRIu32 " is beyond index 255",
                                address->controller);
                return;
        }
        model = qemu_scsi_controller_model(config, address->controller);
        qemu_scsi_limits(model, &max_target, &max_unit);
        if (address->bus > 0 || address->target > max_target || address->unit > max_unit)
                vm_problems_add(problems, device->line, HV_ERROR_INVALID_ARGUMENT,
                                "<hostdev type='scsi'> at <address type='drive' bus='%" PRIu32 "' target='%" PRIu32
                                "' unit='%" PRIu32 "'>: a SCSI controller of model '%s' has bus 0, targets 0 to %" PRIu32
                                " and units 0 to %" PRIu32,
                                address->bus, address->target, address->unit, qemu_scsi_model_name(model), max_target,
                                max_unit);
        other = vm_config_scsi_address_user(config, device, address->controller, address->bus, address->target,
                                            address->unit);
        /* Two hostdevs: said once, at the second. */
        if (other && other->kind == VM_DEVICE_HOSTDEV) {
                for (guint j = 0; j < position; j++)
                        if (config->devices->pdata[j] == other)
                                vm_problems_add(problems, device->line, HV_ERROR_INVALID_ARGUMENT,
                                                "<hostdev type='scsi'> at controller %" PRIu32 " bus %" PRIu32
                                                " target %" PRIu32 " unit %" PRIu32 ": an earlier <hostdev> is there",
                                                address->controller, address->bus, address->target, address->unit);
        } else if (other) {
                vm_problems_add(problems, device->line, HV_ERROR_INVALID_ARGUMENT,
                                "<hostdev type='scsi'> at controller %" PRIu32 " bus %" PRIu32 " target %" PRIu32
                                " unit %" PRIu32 ": <disk> '%s' is there",
                                address->controller, address->bus, address->target, address->unit,
                                other->disk.target_dev);
        }
}

void qemu_hostdev_check(const VmConfig *config, VmProblems *problems) {
        const VmDevice *usb = qemu_usb_controller(config);

        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind == VM_DEVICE_HOSTDEV && device->hostdev.type == VM_HOSTDEV_SCSI)
                        check_scsi_hostdev(config, device, i, problems);
        }

        /* A vGPU's display (vfio-pci display=on) shows on the VM's <graphics>, as libvirt's
         * qemuValidateDomainMdevDefVFIOPCI requires; its ramfb needs that display (QEMU refuses
         * ramfb=on without display=on). One ramfb per VM: qemu_display_check counts them. */
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                const VmHostdev *hostdev = &device->hostdev;

                if (device->kind != VM_DEVICE_HOSTDEV || hostdev->type != VM_HOSTDEV_MDEV)
                        continue;
                /* Not when the reader refused some elements: the <graphics> may be one of them. */
                if (hostdev->mdev_display == VM_SWITCH_ON && vm_config_display(config)->n_graphics == 0 &&
                    !vm_problems_config_partial(problems))
                        vm_problems_add(problems, device->line, HV_ERROR_INVALID_ARGUMENT,
                                        "<hostdev type='mdev' display='on'> needs a <graphics> to show the display on");
                if (hostdev->mdev_ramfb == VM_SWITCH_ON && hostdev->mdev_display != VM_SWITCH_ON)
                        vm_problems_add(problems, device->line, HV_ERROR_INVALID_ARGUMENT,
                                        "<hostdev type='mdev' ramfb='on'> needs display='on' (QEMU's vfio-pci "
                                        "shows its ramfb through that display)");
        }

        if (has_usb_hostdev(config) && usb && usb->controller.model == VM_CONTROLLER_MODEL_USB_NONE)
                vm_problems_add(problems, usb->line, HV_ERROR_INVALID_ARGUMENT,
                                "<hostdev type='usb'> needs a USB controller, and <controller type='usb' "
                                "model='none'> says there is none");
}

/* After the display's USB devices (qemu_display_add_args), which name their ports: QEMU gives
 * these the free ports left. On the document's USB controller, or on the qemu-xhci libvirt
 * adds by default (the display's, when it made one). */
void qemu_hostdev_add_usb_args(GPtrArray *argv, const VmConfig *config) {
        const VmDevice *usb = qemu_usb_controller(config);
        g_autofree char *bus = g_strdup_printf("%s.0", usb ? usb->id : QEMU_DEFAULT_USB_CONTROLLER_ID);

        if (!has_usb_hostdev(config))
                return;
        if (!usb && !vm_display_needs_usb(vm_config_display(config)) && !qemu_usb_disks_need_controller(config)) {
                g_ptr_array_add(argv, g_strdup("-device"));
                g_ptr_array_add(argv, g_strdup("qemu-xhci,id=" QEMU_DEFAULT_USB_CONTROLLER_ID));
        }
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                const VmHostdev *hostdev = &device->hostdev;
                g_autoptr(JsonGenerator) generator = json_generator_new();
                g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
                g_autofree char *path = NULL;
                JsonObject *o;

                if (device->kind != VM_DEVICE_HOSTDEV || hostdev->type != VM_HOSTDEV_USB)
                        continue;
                o = json_object_new();
                path = g_strdup_printf("/dev/bus/usb/%03" PRIu32 "/%03" PRIu32, hostdev->usb_bus, hostdev->usb_device);
                json_object_set_string_member(o, "driver", "usb-host");
                json_object_set_string_member(o, "hostdevice", path);
                json_object_set_string_member(o, "id", device->id);
                if (device->boot_order)
                        json_object_set_int_member(o, "bootindex", device->boot_order);
                if (hostdev->usb_guest_reset != VM_USB_GUEST_RESET_DEFAULT)
                        json_object_set_boolean_member(o, "guest-reset",
                                                       hostdev->usb_guest_reset != VM_USB_GUEST_RESET_OFF);
                if (hostdev->usb_guest_reset == VM_USB_GUEST_RESET_UNINITIALIZED ||
                    hostdev->usb_guest_reset == VM_USB_GUEST_RESET_ON)
                        json_object_set_boolean_member(o, "guest-resets-all",
                                                       hostdev->usb_guest_reset == VM_USB_GUEST_RESET_ON);
                json_object_set_string_member(o, "bus", bus);
                json_node_take_object(node, o);
                json_generator_set_root(generator, node);
                g_ptr_array_add(argv, g_strdup("-device"));
                g_ptr_array_add(argv, json_generator_to_data(generator, NULL));
        }
}
