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

/* <backingStore>: cloud-hypervisor opens no backing file (its backing_files option, which the
 * service leaves off, refuses an image that names one), so an empty <backingStore/> (open none)
 * is what it does; a chain of layers it cannot be given. Its qcow2 has no cache-size either. */
static void check_disk_backing(const VmDisk *disk, unsigned line, VmProblems *problems) {
        if (disk->n_backing)
                ch_refuse(problems, line, "<backingStore> with layers of a <disk> (it opens no backing file)");
        if (disk->metadata_cache)
                ch_refuse(problems, line, "<driver><metadata_cache> of a <disk>");
        for (unsigned i = 0; i < disk->n_backing; i++)
                if (disk->backing[i].metadata_cache) {
                        ch_refuse(problems, line, "<format><metadata_cache> in a <backingStore>");
                        break;
                }
}

static void check_disk(const VmDevice *device, VmProblems *problems) {
        const VmDisk *disk = &device->disk;
        unsigned line = device->line;

        if (disk->cdrom)
                ch_refuse(problems, line, "<disk device='cdrom'>");
        /* Its disks are files and block devices it opens itself. */
        if (disk->network)
                ch_refuse(problems, line, "<disk type='network'>");
        if (disk->bus != VM_DISK_BUS_VIRTIO)
                ch_refuse(problems, line, "<disk> on a bus other than 'virtio'");
        if (disk->driver.discard)
                ch_refuse(problems, line, "<driver discard> of a <disk>");
        if (disk->driver.iothread)
                ch_refuse(problems, line, "<driver iothread> of a <disk>");
        if (disk->driver.cache)
                ch_refuse(problems, line, "<driver cache> of a <disk>");
        if (disk->driver.io)
                ch_refuse(problems, line, "<driver io> of a <disk>");
        if (disk->driver.detect_zeroes)
                ch_refuse(problems, line, "<driver detect_zeroes> of a <disk>");
        if (disk->driver.error_policy || disk->driver.rerror_policy)
                ch_refuse(problems, line, "<driver error_policy|rerror_policy> of a <disk>");
        if (disk->driver.copy_on_read)
                ch_refuse(problems, line, "<driver copy_on_read> of a <disk>");
        if (disk->geometry.cyls)
                ch_refuse(problems, line, "<geometry> of a <disk>");
        if (disk->iotune)
                ch_refuse(problems, line, "<iotune> of a <disk>");
        if (disk->shareable)
                ch_refuse(problems, line, "<shareable/> of a <disk> (it locks its images)");
        if (disk->removable)
                ch_refuse(problems, line, "<target removable> of a <disk> (it has no USB disks)");
        if (disk->logical_block_size || disk->physical_block_size)
                ch_refuse(problems, line, "<blockio> of a <disk> (its virtio-blk has no block size settings)");
        check_disk_backing(disk, line, problems);
        /* off is what cloud-hypervisor's virtio-blk does; on is not asked of it. */
        if (vm_virtio_options_on(&disk->virtio))
                ch_refuse(problems, line, "<driver iommu|ats|packed='on'> of a <disk>");
}

static void check_controller(const VmDevice *device, VmProblems *problems) {
        const VmController *controller = &device->controller;

        if (controller->type != VM_CONTROLLER_PCI &&
            !(controller->type == VM_CONTROLLER_USB && controller->model == VM_CONTROLLER_MODEL_USB_NONE))
                ch_refuse(problems, device->line, "<controller> other than type='pci' (or type='usb' model='none')");
        if (controller->type == VM_CONTROLLER_PCI && controller->model != VM_CONTROLLER_MODEL_DEFAULT &&
            controller->model != VM_CONTROLLER_MODEL_PCI_ROOT && controller->model != VM_CONTROLLER_MODEL_PCIE_ROOT)
                ch_refuse(problems, device->line,
                          "<controller type='pci'> other than its root bus (pci-root, pcie-root)");
        if (controller->has_pcihole64 || controller->hotplug)
                ch_refuse(problems, device->line, controller->has_pcihole64 ? "<pcihole64>" : "<target hotplug>");
}

static void check_device(const VmDevice *device, VmProblems *problems) {
        unsigned line = device->line;

        if (device->boot_order)
                ch_refuse(problems, line, "<boot order> in a device");
        if (device->address.type != VM_ADDRESS_NONE && device->address.type != VM_ADDRESS_PCI)
                ch_refuse(problems, line, "an <address> other than type='pci'");
        switch (device->kind) {
        case VM_DEVICE_CHANNEL:
                ch_refuse(problems, line, "<channel> (it has no virtio-serial for a guest agent)");
                break;
        case VM_DEVICE_WATCHDOG:
                ch_refuse(problems, line, "<watchdog>");
                break;
        case VM_DEVICE_MEMORY:
                ch_refuse(problems, line, "<memory> in <devices>");
                break;
        case VM_DEVICE_PARALLEL:
                ch_refuse(problems, line, "<parallel> (it has no ISA bus)");
                break;
        case VM_DEVICE_HOSTDEV:
                if (device->hostdev.type == VM_HOSTDEV_MDEV)
                        ch_refuse(problems, line, "<hostdev type='mdev'>");
                if (device->hostdev.type == VM_HOSTDEV_USB)
                        ch_refuse(problems, line, "<hostdev type='usb'> (it has no USB)");
                if (device->hostdev.type == VM_HOSTDEV_SCSI)
                        ch_refuse(problems, line, "<hostdev type='scsi'> (it has no SCSI controller)");
                if (device->hostdev.managed)
                        ch_refuse(problems, line, "<hostdev managed='yes'>");
                break;
        case VM_DEVICE_TPM:
                /* Its --tpm socket= would need a swtpm of the service's beside it: not yet. */
                ch_refuse(problems, line, "<tpm>");
                break;
        case VM_DEVICE_FILESYSTEM:
                /* Its shared folders are virtiofs only, which needs a virtiofsd per VM. */
                ch_refuse(problems, line, "<filesystem> (its shared folders are virtiofs only)");
                break;
        case VM_DEVICE_DISK:
                check_disk(device, problems);
                break;
        case VM_DEVICE_CONTROLLER:
                check_controller(device, problems);
                break;
        default:
                break;
        }
}

void ch_devices_check(const VmConfig *config, VmProblems *problems) {
        /* off is what cloud-hypervisor's balloon does; on is not asked of it. */
        if (vm_virtio_options_on(&config->memballoon.virtio))
                ch_refuse(problems, config->lines.memballoon, "<memballoon><driver iommu|ats|packed='on'>");
        /* Its balloon keeps no guest statistics to poll. */
        if (config->memballoon.stats_period)
                ch_refuse(problems, config->lines.memballoon, "<memballoon><stats period>");
        for (guint i = 0; i < config->devices->len; i++)
                check_device(config->devices->pdata[i], problems);
}
