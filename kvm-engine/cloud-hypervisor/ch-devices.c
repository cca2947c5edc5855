/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * What cloud-hypervisor honours of the device parts virt-install and `virsh dumpxml` write
 * (vm-devices.h), and a refusal naming the element and the engine for the rest. It has
 * virtio devices on one PCI segment that it numbers itself: a PCI <address> and a
 * <controller type='pci'> are accepted and kept (the slot is its choice); it has no USB,
 * SATA, SCSI or IDE, no cdrom, no boot order of devices (it boots its firmware or kernel),
 * and its disks have no cache, discard, I/O mode or zero detection settings.
 */

#include "ch-config.h"
#include "hv-error.h"

static bool refuse(GError **error, const char *what) {
        g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED, "%s is not supported by the cloud-hypervisor engine",
                    what);
        return false;
}

static bool check_disk(const VmDevice *device, GError **error) {
        const VmDisk *disk = &device->disk;

        if (disk->cdrom)
                return refuse(error, "<disk device='cdrom'>");
        /* Its disks are files and block devices it opens itself. */
        if (disk->network)
                return refuse(error, "<disk type='network'>");
        if (disk->bus != VM_DISK_BUS_VIRTIO)
                return refuse(error, "<disk> on a bus other than 'virtio'");
        if (disk->driver.discard)
                return refuse(error, "<driver discard> of a <disk>");
        if (disk->driver.iothread)
                return refuse(error, "<driver iothread> of a <disk>");
        if (disk->driver.cache)
                return refuse(error, "<driver cache> of a <disk>");
        if (disk->driver.io)
                return refuse(error, "<driver io> of a <disk>");
        if (disk->driver.detect_zeroes)
                return refuse(error, "<driver detect_zeroes> of a <disk>");
        if (disk->driver.error_policy || disk->driver.rerror_policy)
                return refuse(error, "<driver error_policy|rerror_policy> of a <disk>");
        if (disk->driver.copy_on_read)
                return refuse(error, "<driver copy_on_read> of a <disk>");
        if (disk->geometry.cyls)
                return refuse(error, "<geometry> of a <disk>");
        if (disk->iotune)
                return refuse(error, "<iotune> of a <disk>");
        if (disk->shareable)
                return refuse(error, "<shareable/> of a <disk> (it locks its images)");
        /* off is what cloud-hypervisor's virtio-blk does; on is not asked of it. */
        if (vm_virtio_options_on(&disk->virtio))
                return refuse(error, "<driver iommu|ats|packed='on'> of a <disk>");
        return true;
}

bool ch_devices_check(const VmConfig *config, GError **error) {
        /* off is what cloud-hypervisor's balloon does; on is not asked of it. */
        if (vm_virtio_options_on(&config->memballoon.virtio))
                return refuse(error, "<memballoon><driver iommu|ats|packed='on'>");
        /* Its balloon keeps no guest statistics to poll. */
        if (config->memballoon.stats_period)
                return refuse(error, "<memballoon><stats period>");
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];

                if (device->boot_order)
                        return refuse(error, "<boot order> in a device");
                if (device->address.type != VM_ADDRESS_NONE && device->address.type != VM_ADDRESS_PCI)
                        return refuse(error, "an <address> other than type='pci'");
                if (device->kind == VM_DEVICE_CHANNEL)
                        return refuse(error, "<channel> (it has no virtio-serial for a guest agent)");
                if (device->kind == VM_DEVICE_HOSTDEV && device->hostdev.type == VM_HOSTDEV_MDEV)
                        return refuse(error, "<hostdev type='mdev'>");
                if (device->kind == VM_DEVICE_HOSTDEV && device->hostdev.type == VM_HOSTDEV_USB)
                        return refuse(error, "<hostdev type='usb'> (it has no USB)");
                if (device->kind == VM_DEVICE_HOSTDEV && device->hostdev.managed)
                        return refuse(error, "<hostdev managed='yes'>");
                if (device->kind == VM_DEVICE_WATCHDOG)
                        return refuse(error, "<watchdog>");
                if (device->kind == VM_DEVICE_PARALLEL)
                        return refuse(error, "<parallel> (it has no ISA bus)");
                /* Its --tpm socket= would need a swtpm of the service's beside it: not yet. */
                if (device->kind == VM_DEVICE_TPM)
                        return refuse(error, "<tpm>");
                /* Its shared folders are virtiofs only, which needs a virtiofsd per VM. */
                if (device->kind == VM_DEVICE_FILESYSTEM)
                        return refuse(error, "<filesystem> (its shared folders are virtiofs only)");
                if (device->kind == VM_DEVICE_MEMORY)
                        return refuse(error, "<memory> in <devices>");
                if (device->kind == VM_DEVICE_DISK && !check_disk(device, error))
                        return false;
                if (device->kind == VM_DEVICE_CONTROLLER && device->controller.type != VM_CONTROLLER_PCI &&
                    !(device->controller.type == VM_CONTROLLER_USB &&
                      device->controller.model == VM_CONTROLLER_MODEL_USB_NONE))
                        return refuse(error, "<controller> other than type='pci' (or type='usb' model='none')");
                if (device->kind == VM_DEVICE_CONTROLLER && device->controller.type == VM_CONTROLLER_PCI &&
                    device->controller.model != VM_CONTROLLER_MODEL_DEFAULT &&
                    device->controller.model != VM_CONTROLLER_MODEL_PCI_ROOT &&
                    device->controller.model != VM_CONTROLLER_MODEL_PCIE_ROOT)
                        return refuse(error, "<controller type='pci'> other than its root bus (pci-root, pcie-root)");
                if (device->kind == VM_DEVICE_CONTROLLER &&
                    (device->controller.has_pcihole64 || device->controller.hotplug))
                        return refuse(error, device->controller.has_pcihole64 ? "<pcihole64>" : "<target hotplug>");
        }
        return true;
}
