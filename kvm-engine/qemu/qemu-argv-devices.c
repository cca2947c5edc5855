/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The QEMU side of <controller>, of the disks that are not virtio (sata, scsi, usb, ide,
 * cdroms), of a disk's <driver> tuning and <boot order>, and of <memballoon>: what libvirt's
 * QEMU driver puts on the command line for them, and the refusals of what QEMU 7.2 and the
 * machine type cannot do.
 *
 * A controller's QEMU id is its device id, except the ones the machine has built in: q35's
 * SATA controller (index 0) is QEMU's "ide", pc's IDE controller (index 0) too.
 */

#include <string.h>

#include "hv-error.h"
#include "qemu-argv.h"
#include "vm-problems.h"

#define Q35_SATA_PORTS 6 /* the ICH9 AHCI controller's ports */

static const char *bus_name(VmDiskBus bus) {
        static const char *const names[] = {
                [VM_DISK_BUS_VIRTIO] = "virtio", [VM_DISK_BUS_SATA] = "sata", [VM_DISK_BUS_SCSI] = "scsi",
                [VM_DISK_BUS_USB] = "usb",       [VM_DISK_BUS_IDE] = "ide",   [VM_DISK_BUS_FDC] = "fdc"};
        return names[bus];
}

static const VmDevice *find_controller(const VmConfig *config, VmControllerType type, uint32_t index) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind == VM_DEVICE_CONTROLLER && device->controller.type == type &&
                    device->controller.index == index && !device->controller.has_master)
                        return device;
        }
        return NULL;
}

/* The document's first <controller type='usb'> (model='none' included), or NULL. */
static const VmDevice *any_usb_controller(const VmConfig *config) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind == VM_DEVICE_CONTROLLER && device->controller.type == VM_CONTROLLER_USB)
                        return device;
        }
        return NULL;
}

const VmDevice *qemu_usb_controller(const VmConfig *config) {
        const VmDevice *companion = NULL;

        /* The bus of index 0 is its master's: a companion (<master startport>) may come first. */
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind != VM_DEVICE_CONTROLLER || device->controller.type != VM_CONTROLLER_USB ||
                    device->controller.index != 0)
                        continue;
                if (!device->controller.has_master)
                        return device;
                companion = companion ? companion : device;
        }
        return companion;
}

bool qemu_has_usb_disk(const VmConfig *config) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind == VM_DEVICE_DISK && device->disk.bus == VM_DISK_BUS_USB)
                        return true;
        }
        return false;
}

/* A USB disk in a document without <controller type='usb'>: as libvirt adds the machine's
 * default USB controller, the engine adds its qemu-xhci (QEMU_DEFAULT_USB_CONTROLLER_ID), before
 * the disks; the display's USB devices and USB host devices share it. */
bool qemu_usb_disks_need_controller(const VmConfig *config) {
        return qemu_has_usb_disk(config) && !any_usb_controller(config);
}

/* Units per controller when libvirt derives a drive address from the name. */
static uint32_t units_per_controller(VmDiskBus bus) {
        return bus == VM_DISK_BUS_SATA ? 6 : bus == VM_DISK_BUS_SCSI ? 7 : bus == VM_DISK_BUS_FDC ? 2 : 4;
}

/* The controller a disk on a sata, scsi or ide bus sits on: its <address type='drive'
 * controller>, else what libvirt derives from the target name (sda is the first). */
static uint32_t disk_controller_index(const VmDevice *device) {
        if (device->address.type == VM_ADDRESS_DRIVE)
                return device->address.controller;
        return vm_disk_name_index(device->disk.target_dev) / units_per_controller(device->disk.bus);
}

/* The unit on that controller; IDE: 0-3 across its two buses of two units. */
static uint32_t disk_unit(const VmDevice *device) {
        if (device->address.type == VM_ADDRESS_DRIVE)
                return device->disk.bus == VM_DISK_BUS_IDE ? device->address.bus * 2 + device->address.unit
                                                           : device->address.unit;
        return vm_disk_name_index(device->disk.target_dev) % units_per_controller(device->disk.bus);
}

static uint32_t disk_target(const VmDevice *device) {
        return device->address.type == VM_ADDRESS_DRIVE ? device->address.target : 0;
}

/* Two disks at one drive address would be one QEMU error at Boot: refuse at DefineVM, at the second. */
static void check_drive_addresses(const VmConfig *config, VmProblems *problems) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *a = config->devices->pdata[i];
                if (a->kind != VM_DEVICE_DISK || a->disk.bus == VM_DISK_BUS_VIRTIO || a->disk.bus == VM_DISK_BUS_USB)
                        continue;
                for (guint j = i + 1; j < config->devices->len; j++) {
                        const VmDevice *b = config->devices->pdata[j];
                        if (b->kind == VM_DEVICE_DISK && b->disk.bus == a->disk.bus &&
                            disk_controller_index(a) == disk_controller_index(b) && disk_unit(a) == disk_unit(b) &&
                            disk_target(a) == disk_target(b))
                                vm_problems_add(problems, b->line, HV_ERROR_INVALID_ARGUMENT,
                                                "<disk> '%s' and '%s' are at the same address on bus '%s' "
                                                "(controller %u, unit %u)",
                                                a->disk.target_dev, b->disk.target_dev, bus_name(a->disk.bus),
                                                disk_controller_index(a), disk_unit(a));
                }
        }
}

/* The model libvirt gives the SCSI controllers it adds for <hostdev type='scsi'>
 * (virDomainDefMaybeAddHostdevSCSIcontroller): indices 0 to the highest a SCSI hostdev sits on,
 * of the model of the last written controller such a hostdev sits on; for disks' only: the
 * default model. *max_index: that highest index, -1 when no SCSI hostdev. */
static VmControllerModel hostdev_scsi_model(const VmConfig *config, int64_t *max_index) {
        VmControllerModel model = VM_CONTROLLER_MODEL_DEFAULT;

        *max_index = -1;
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                const VmDevice *ctrl;
                if (device->kind != VM_DEVICE_HOSTDEV || device->hostdev.type != VM_HOSTDEV_SCSI ||
                    device->address.type != VM_ADDRESS_DRIVE || (int64_t) device->address.controller <= *max_index)
                        continue;
                *max_index = device->address.controller;
                ctrl = find_controller(config, VM_CONTROLLER_SCSI, device->address.controller);
                if (ctrl && ctrl->controller.model)
                        model = ctrl->controller.model;
        }
        return model;
}

VmControllerModel qemu_scsi_controller_model(const VmConfig *config, uint32_t index) {
        const VmDevice *ctrl = find_controller(config, VM_CONTROLLER_SCSI, index);
        int64_t max_index;
        VmControllerModel model;

        if (ctrl)
                return ctrl->controller.model ? ctrl->controller.model : VM_CONTROLLER_MODEL_LSILOGIC;
        model = hostdev_scsi_model(config, &max_index);
        return (int64_t) index <= max_index && model ? model : VM_CONTROLLER_MODEL_LSILOGIC;
}

/* The model of the SCSI controller a disk sits on: its <controller>'s, else the one added for it. */
static VmControllerModel scsi_controller_model(const VmConfig *config, const VmDevice *device) {
        return qemu_scsi_controller_model(config, disk_controller_index(device));
}

/* lsi53c895a has one bus whose SCSI ids are the units; the others have targets and LUNs. */
bool qemu_scsi_model_is_lsi(VmControllerModel model) {
        return model == VM_CONTROLLER_MODEL_LSILOGIC || model == VM_CONTROLLER_MODEL_DEFAULT;
}

const char *qemu_scsi_model_name(VmControllerModel model) {
        switch (model) {
        case VM_CONTROLLER_MODEL_VIRTIO_SCSI:
                return "virtio-scsi";
        case VM_CONTROLLER_MODEL_LSISAS1068:
                return "lsisas1068";
        case VM_CONTROLLER_MODEL_LSISAS1078:
                return "lsisas1078";
        case VM_CONTROLLER_MODEL_VMPVSCSI:
                return "vmpvscsi";
        default:
                return "lsilogic";
        }
}

void qemu_scsi_limits(VmControllerModel model, uint32_t *max_target, uint32_t *max_unit) {
        /* lsi53c895a: ids 0 to 7 (its max_target), LUN 0 only. */
        if (qemu_scsi_model_is_lsi(model)) {
                *max_target = 0;
                *max_unit = 7;
                return;
        }
        *max_target = model == VM_CONTROLLER_MODEL_LSISAS1068 ? 8 : model == VM_CONTROLLER_MODEL_VIRTIO_SCSI ? 255 : 64;
        *max_unit = model == VM_CONTROLLER_MODEL_LSISAS1068   ? 1
                    : model == VM_CONTROLLER_MODEL_LSISAS1078 ? 255
                    : model == VM_CONTROLLER_MODEL_VMPVSCSI   ? 0
                                                              : 16383;
}

static const char *scsi_controller_driver(VmControllerModel model) {
        switch (model) {
        case VM_CONTROLLER_MODEL_VIRTIO_SCSI:
                return "virtio-scsi-pci";
        case VM_CONTROLLER_MODEL_LSISAS1068:
                return "mptsas1068";
        case VM_CONTROLLER_MODEL_LSISAS1078:
                return "megasas";
        case VM_CONTROLLER_MODEL_VMPVSCSI:
                return "pvscsi";
        default:
                return "lsi";
        }
}

char *qemu_scsi_controller_id(const VmConfig *config, uint32_t index) {
        const VmDevice *ctrl = find_controller(config, VM_CONTROLLER_SCSI, index);

        return ctrl ? g_strdup(ctrl->id) : g_strdup_printf("implicit-scsi%u", index);
}

static void add_implicit_scsi_controller(GPtrArray *argv, const VmConfig *config, uint32_t index, guint64 *added) {
        JsonObject *o;
        JsonNode *node;
        g_autofree char *id = NULL;

        if (index > 0xff || find_controller(config, VM_CONTROLLER_SCSI, index) ||
            ((added[index / 64] >> (index % 64)) & 1))
                return;
        added[index / 64] |= G_GUINT64_CONSTANT(1) << (index % 64);
        o = json_object_new();
        id = qemu_scsi_controller_id(config, index);
        json_object_set_string_member(o, "driver", scsi_controller_driver(qemu_scsi_controller_model(config, index)));
        json_object_set_string_member(o, "id", id);
        node = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(node, o);
        g_ptr_array_add(argv, g_strdup("-device"));
        g_ptr_array_add(argv, json_to_string(node, FALSE));
        json_node_unref(node);
}

/* libvirt adds a SCSI controller of the default model for a disk whose controller the document
 * has not, and those up to the highest a SCSI hostdev sits on (hostdev_scsi_model); so does the
 * engine, on the command line, before the disks. */
void qemu_implicit_scsi_controllers(GPtrArray *argv, const VmConfig *config) {
        guint64 added[4] = {};
        int64_t max_index;

        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind == VM_DEVICE_DISK && device->disk.bus == VM_DISK_BUS_SCSI)
                        add_implicit_scsi_controller(argv, config, disk_controller_index(device), added);
        }
        (void) hostdev_scsi_model(config, &max_index);
        for (int64_t index = 0; index <= max_index && index <= 0xff; index++)
                add_implicit_scsi_controller(argv, config, (uint32_t) index, added);
}

static bool iothread_exists(const VmConfig *config, uint32_t id);
static const VmController *nth_root_port(const VmConfig *config, unsigned n);
static void add_device_json(GPtrArray *argv, JsonObject *o);

static void check_controller(const VmConfig *config, const VmDevice *device, QemuMachineKind machine,
                             VmProblems *problems) {
        const VmController *ctrl = &device->controller;
        const char *type = (const char *[]){"usb", "pci", "virtio-serial", "sata", "scsi", "ide", "fdc"}[ctrl->type];
        unsigned line = device->line;

        if (ctrl->iothread && !iothread_exists(config, ctrl->iothread))
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<controller><driver iothread='%" PRIu32 "'> names no thread of <iothreads>",
                                ctrl->iothread);
        /* PIIX4's ACPI hot-plug of the root bus; the engine's root ports are its own (no <target hotplug>). */
        if (ctrl->hotplug && (ctrl->model != VM_CONTROLLER_MODEL_PCI_ROOT || machine != QEMU_MACHINE_PC))
                vm_problems_add(
                        problems, line, HV_ERROR_NOT_SUPPORTED,
                        "<controller type='pci'><target hotplug> is supported on the pc machine's pci-root only (the "
                        "QEMU engine makes its root ports itself)");
        if (ctrl->model == VM_CONTROLLER_MODEL_PCIE_ROOT_PORT && ctrl->has_chassis) {
                const VmController *other;
                for (unsigned i = 0; (other = nth_root_port(config, i)) && other != ctrl; i++)
                        if (other->has_chassis && other->chassis == ctrl->chassis)
                                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                                "<controller model='pcie-root-port'><target chassis='%" PRIu32
                                                "'>: an earlier root port has this chassis (QEMU wants each once)",
                                                ctrl->chassis);
        }
        if (ctrl->has_pcihole64 && ctrl->model == VM_CONTROLLER_MODEL_PCI_ROOT && machine != QEMU_MACHINE_PC)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<pcihole64> of pci-root needs the pc machine");
        if (ctrl->has_pcihole64 && ctrl->model == VM_CONTROLLER_MODEL_PCIE_ROOT && machine != QEMU_MACHINE_Q35)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<pcihole64> of pcie-root needs the q35 machine");

        if (machine == QEMU_MACHINE_MICROVM && ctrl->type != VM_CONTROLLER_PCI &&
            !(ctrl->type == VM_CONTROLLER_USB && ctrl->model == VM_CONTROLLER_MODEL_USB_NONE)) {
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<controller type='%s'> needs PCI, which the microvm machine has not", type);
                return;
        }
        switch (ctrl->type) {
        case VM_CONTROLLER_IDE:
                if (machine == QEMU_MACHINE_Q35)
                        vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                        "<controller type='ide'> is not supported by the q35 machine (it has "
                                        "no IDE controller; use type='sata')");
                else if (ctrl->index > 0)
                        vm_problems_add(
                                problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<controller type='ide' index='%u'>: the pc machine has one IDE controller, index 0",
                                ctrl->index);
                break;
        case VM_CONTROLLER_FDC:
                if (ctrl->index > 0)
                        vm_problems_add(
                                problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<controller type='fdc' index='%u'>: a machine has one floppy controller, index 0",
                                ctrl->index);
                break;
        case VM_CONTROLLER_PCI:
                if (machine == QEMU_MACHINE_Q35 && ctrl->model == VM_CONTROLLER_MODEL_PCI_ROOT)
                        vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                        "<controller type='pci' model='pci-root'> is the pc machine's; q35 "
                                        "has pcie-root");
                if (machine == QEMU_MACHINE_PC && (ctrl->model == VM_CONTROLLER_MODEL_PCIE_ROOT ||
                                                   ctrl->model == VM_CONTROLLER_MODEL_PCIE_ROOT_PORT ||
                                                   ctrl->model == VM_CONTROLLER_MODEL_DMI_TO_PCI_BRIDGE ||
                                                   ctrl->model == VM_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE))
                        vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                        "<controller type='pci' model='%s'> needs PCI Express: the q35 machine",
                                        ctrl->model == VM_CONTROLLER_MODEL_PCIE_ROOT           ? "pcie-root"
                                        : ctrl->model == VM_CONTROLLER_MODEL_PCIE_ROOT_PORT    ? "pcie-root-port"
                                        : ctrl->model == VM_CONTROLLER_MODEL_DMI_TO_PCI_BRIDGE ? "dmi-to-pci-bridge"
                                                                                               : "pcie-to-pci-bridge");
                break;
        default:
                break;
        }
}

static bool iothread_exists(const VmConfig *config, uint32_t id) {
        for (unsigned i = 0; i < config->n_iothreads; i++)
                if (config->iothread_ids[i] == id)
                        return true;
        return false;
}

/* Where a disk that is not on virtio sits: the controller and unit its bus has. */
static void check_disk_bus(const VmConfig *config, const VmDevice *device, QemuMachineKind machine,
                           VmProblems *problems) {
        const VmDisk *disk = &device->disk;
        const char *dev = disk->target_dev;
        unsigned line = device->line;
        /* The controller may be what the reader refused. */
        bool controllers_known = !vm_problems_config_partial(problems);

        switch (disk->bus) {
        case VM_DISK_BUS_VIRTIO:
                break;
        case VM_DISK_BUS_FDC:
                if (disk_controller_index(device) > 0 || disk_unit(device) > 1 ||
                    (device->address.type == VM_ADDRESS_DRIVE &&
                     (device->address.bus > 0 || device->address.target > 0)))
                        vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                        "<disk> '%s': the floppy controller has units 0 and 1 (fda, fdb)", dev);
                if (disk->serial)
                        vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                        "<serial> of floppy '%s' is not supported (QEMU's floppy has none)", dev);
                break;
        case VM_DISK_BUS_IDE:
                if (machine == QEMU_MACHINE_Q35)
                        vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                        "<disk> '%s' on bus 'ide' is not supported by the q35 machine (it has no IDE "
                                        "controller; use bus='sata')",
                                        dev);
                else if (disk_controller_index(device) > 0 || disk_unit(device) > 3 ||
                         (device->address.type == VM_ADDRESS_DRIVE &&
                          (device->address.bus > 1 || device->address.unit > 1)))
                        vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                        "<disk> '%s': the pc machine's IDE controller has buses 0-1, units 0-1", dev);
                break;
        case VM_DISK_BUS_SATA:
                if (disk_unit(device) >= Q35_SATA_PORTS || device->address.bus > 0)
                        vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                        "<disk> '%s': a SATA controller has bus 0 and units 0 to 5", dev);
                if (controllers_known && !(machine == QEMU_MACHINE_Q35 && disk_controller_index(device) == 0) &&
                    !find_controller(config, VM_CONTROLLER_SATA, disk_controller_index(device)))
                        vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                        "<disk> '%s' on bus 'sata' needs <controller type='sata' index='%u'>", dev,
                                        disk_controller_index(device));
                break;
        case VM_DISK_BUS_SCSI:
                /* Without its <controller>, the engine adds one of libvirt's default model, as libvirt does. */
                if (disk_controller_index(device) > 0xff)
                        vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                        "<disk> '%s': SCSI controller %u is beyond index 255", dev,
                                        disk_controller_index(device));
                if (qemu_scsi_model_is_lsi(scsi_controller_model(config, device)) &&
                    (device->address.target > 0 || disk_unit(device) > 6))
                        vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                        "<disk> '%s': an lsilogic SCSI controller has target 0 and units 0 to 6 "
                                        "(its SCSI ids)",
                                        dev);
                if (!qemu_scsi_model_is_lsi(scsi_controller_model(config, device))) {
                        /* QEMU 7.2's limits of each controller's bus (what it refuses at start). */
                        VmControllerModel model = scsi_controller_model(config, device);
                        uint32_t max_target, max_lun;
                        qemu_scsi_limits(model, &max_target, &max_lun);
                        if (disk_target(device) > max_target || disk_unit(device) > max_lun ||
                            (device->address.type == VM_ADDRESS_DRIVE && device->address.bus > 0))
                                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                                "<disk> '%s': a SCSI controller of model '%s' has bus 0, targets 0 "
                                                "to %u and units 0 to %u",
                                                dev, qemu_scsi_model_name(model), max_target, max_lun);
                }
                break;
        case VM_DISK_BUS_USB:
                if (controllers_known && any_usb_controller(config) &&
                    any_usb_controller(config)->controller.model == VM_CONTROLLER_MODEL_USB_NONE)
                        vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                        "<disk> '%s' on bus 'usb' needs a USB controller, and <controller type='usb' "
                                        "model='none'> says there is none",
                                        dev);
                break;
        }
}

static void check_disk(const VmConfig *config, const VmDevice *device, QemuMachineKind machine, VmProblems *problems) {
        const VmDisk *disk = &device->disk;
        const char *dev = disk->target_dev;
        unsigned line = device->line;

        if (disk->bus != VM_DISK_BUS_VIRTIO && machine == QEMU_MACHINE_MICROVM) {
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<disk> '%s' on bus '%s': the microvm machine has virtio disks only", dev,
                                bus_name(disk->bus));
                return;
        }
        if (disk->cdrom && disk->bus == VM_DISK_BUS_VIRTIO)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<disk device='cdrom'> '%s' cannot be on bus 'virtio' (use sata or scsi)", dev);
        if (vm_virtio_options_set(&disk->virtio) && disk->bus != VM_DISK_BUS_VIRTIO)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<driver iommu|ats|packed> of disk '%s' needs bus 'virtio' (they are virtio options)",
                                dev);
        if (disk->driver.iothread && disk->bus != VM_DISK_BUS_VIRTIO)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<driver iothread> of disk '%s' needs bus 'virtio' (QEMU's other disks have none)",
                                dev);
        else if (disk->driver.iothread && !iothread_exists(config, disk->driver.iothread) &&
                 !vm_problems_config_partial(problems))
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<driver iothread='%" PRIu32 "'> of disk '%s' names no thread of <iothreads>",
                                disk->driver.iothread, dev);
        if (disk->driver.io == VM_DISK_IO_NATIVE && disk->driver.cache != VM_DISK_CACHE_NONE &&
            disk->driver.cache != VM_DISK_CACHE_DIRECTSYNC)
                vm_problems_add(
                        problems, line, HV_ERROR_NOT_SUPPORTED,
                        "<driver io='native'> of disk '%s' needs cache='none' or 'directsync' (QEMU needs direct "
                        "I/O for it)",
                        dev);
        if (disk->network && !disk->readonly &&
            (disk->network->protocol == VM_DISK_PROTOCOL_HTTP || disk->network->protocol == VM_DISK_PROTOCOL_HTTPS ||
             disk->network->protocol == VM_DISK_PROTOCOL_FTP || disk->network->protocol == VM_DISK_PROTOCOL_FTPS))
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<disk type='network'> '%s' over http, https, ftp or ftps needs <readonly/> "
                                "(QEMU's curl driver only reads)",
                                dev);
        if (disk->network && disk->network->snapshot && !disk->readonly)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<disk type='network'> '%s' of an rbd <snapshot> needs <readonly/> (a Ceph "
                                "snapshot only reads)",
                                dev);
        /* <blockio>: QEMU 7.2's rules (the physical size is 512 unless written). */
        if (disk->logical_block_size > (disk->physical_block_size ? disk->physical_block_size : 512))
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<blockio logical_block_size='%" PRIu32 "'> of disk '%s' needs a physical_block_size "
                                "at least as large (QEMU's is 512 bytes unless written)",
                                disk->logical_block_size, dev);
        if (disk->logical_block_size && disk->logical_block_size != 512 &&
            (disk->bus == VM_DISK_BUS_IDE || disk->bus == VM_DISK_BUS_SATA || disk->bus == VM_DISK_BUS_FDC))
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<blockio logical_block_size='%" PRIu32
                                "'> of disk '%s': QEMU's %s disks have 512-byte "
                                "logical sectors only",
                                disk->logical_block_size, dev, bus_name(disk->bus));
        if (disk->physical_block_size && disk->physical_block_size != 512 && disk->bus == VM_DISK_BUS_FDC)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<blockio physical_block_size='%" PRIu32
                                "'> of floppy '%s': QEMU's floppy has 512-byte "
                                "sectors only",
                                disk->physical_block_size, dev);
        if (disk->removable && disk->bus != VM_DISK_BUS_USB)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<target removable> of disk '%s' needs bus 'usb' (QEMU's usb-storage has it)", dev);
        if (disk->has_wwn && disk->bus != VM_DISK_BUS_IDE && disk->bus != VM_DISK_BUS_SATA &&
            disk->bus != VM_DISK_BUS_SCSI)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<wwn> of disk '%s' needs bus 'ide', 'sata' or 'scsi'", dev);
        if ((disk->vendor || disk->product) && disk->bus != VM_DISK_BUS_SCSI)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<vendor> and <product> of disk '%s' need bus 'scsi' (a SCSI inquiry's)", dev);
        if (disk->shareable && disk->format == VM_DISK_FORMAT_QCOW2)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<shareable/> of disk '%s' needs format raw (qcow2's metadata cannot be "
                                "written by two VMs)",
                                dev);
        if (disk->shareable && disk->floppy)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<shareable/> of floppy '%s' is not supported by the QEMU engine", dev);
        if (disk->iotune && !vm_disk_has_medium(disk))
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<iotune> of disk '%s' needs a medium (QEMU throttles a drive, and an empty "
                                "one has none)",
                                dev);
        if (disk->iotune && disk->floppy)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<iotune> of floppy '%s' is not supported by the QEMU engine", dev);
        if ((disk->driver.queues || disk->driver.queue_size) && disk->bus != VM_DISK_BUS_VIRTIO)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<driver queues|queue_size> of disk '%s' needs bus 'virtio' (virtio-blk's queues)",
                                dev);
        if ((disk->driver.error_policy || disk->driver.rerror_policy) && disk->floppy)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<driver error_policy|rerror_policy> of floppy '%s' is not supported (QEMU's "
                                "floppy has no werror or rerror)",
                                dev);
        if (disk->rotation_rate && (disk->cdrom || (disk->bus != VM_DISK_BUS_SCSI && disk->bus != VM_DISK_BUS_IDE &&
                                                    disk->bus != VM_DISK_BUS_SATA)))
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<target rotation_rate> of disk '%s' needs a hard disk on bus 'scsi', 'ide' or 'sata'",
                                dev);
        if (disk->geometry.cyls && (disk->cdrom || disk->bus == VM_DISK_BUS_USB || disk->bus == VM_DISK_BUS_FDC))
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<geometry> of disk '%s' needs a hard disk on bus 'virtio', 'scsi', 'ide' or 'sata'",
                                dev);
        if (disk->geometry.trans && disk->bus != VM_DISK_BUS_IDE && disk->bus != VM_DISK_BUS_SATA)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<geometry trans> of disk '%s' needs bus 'ide' or 'sata' (the BIOS's translation "
                                "of an IDE disk)",
                                dev);
        check_disk_bus(config, device, machine, problems);
}

static void check_watchdog(const VmDevice *device, QemuMachineKind machine, unsigned *n_watchdogs,
                           VmProblems *problems) {
        const VmWatchdog *watchdog = &device->watchdog;

        /* QEMU's -action watchdog= is one for the VM: one watchdog, as libvirt before 9.1. */
        if (++*n_watchdogs == 2)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "<watchdog> appears more than once (the QEMU engine has one)");
        if (machine == QEMU_MACHINE_MICROVM)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "<watchdog> is not supported by the microvm machine");
        else if (watchdog->model == VM_WATCHDOG_ITCO && machine != QEMU_MACHINE_Q35)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "<watchdog model='itco'> is the q35 machine's (its ICH9 chipset)");
        else if (watchdog->model == VM_WATCHDOG_IB700 && machine == QEMU_MACHINE_Q35)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "<watchdog model='ib700'> needs an ISA bus, which the q35 machine has not");
}


static void check_tpm(const VmDevice *device, QemuMachineKind machine, unsigned *n_tpms, VmProblems *problems) {
        if (machine == QEMU_MACHINE_MICROVM)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "<tpm> is not supported by the microvm machine (it has no ACPI table for it)");
        else if (++*n_tpms == 2)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "<tpm> appears more than once (a VM has one)");
}

/* QEMU refuses one bootindex on two devices; libvirt refuses the document. Named at the second. */
static void check_boot_orders(const VmConfig *config, VmProblems *problems) {
        bool device_boot = false;

        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *a = config->devices->pdata[i];
                device_boot |= a->boot_order > 0;
                for (guint j = i + 1; a->boot_order && j < config->devices->len; j++) {
                        const VmDevice *b = config->devices->pdata[j];
                        if (b->boot_order == a->boot_order)
                                vm_problems_add(problems, b->line, HV_ERROR_INVALID_ARGUMENT,
                                                "<boot order='%u'> is used by two devices", a->boot_order);
                }
        }
        /* libvirt's rule: one way or the other. */
        if (device_boot && config->platform.firmware.n_boot > 0)
                vm_problems_add(problems, config->lines.os, HV_ERROR_INVALID_ARGUMENT,
                                "A device's <boot order> cannot be used together with <os><boot dev>");
}

void qemu_devices_check(const VmConfig *config, QemuMachineKind machine, VmProblems *problems) {
        unsigned n_watchdogs = 0, n_tpms = 0;

        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];

                switch (device->kind) {
                case VM_DEVICE_TPM:
                        check_tpm(device, machine, &n_tpms, problems);
                        break;
                case VM_DEVICE_WATCHDOG:
                        check_watchdog(device, machine, &n_watchdogs, problems);
                        break;
                case VM_DEVICE_CONTROLLER:
                        check_controller(config, device, machine, problems);
                        break;
                case VM_DEVICE_DISK:
                        check_disk(config, device, machine, problems);
                        break;
                default:
                        break;
                }
        }
        check_drive_addresses(config, problems);
        check_boot_orders(config, problems);
}

bool qemu_devices_want_balloon(const VmConfig *config) {
        switch (config->memballoon.model) {
        case VM_MEMBALLOON_VIRTIO:
                return true;
        case VM_MEMBALLOON_NONE:
                return false;
        default:
                return config->current_memory && config->current_memory < config->memory;
        }
}

/* ---- controllers ---- */

static const char *usb_driver(VmControllerModel model, QemuMachineKind machine) {
        switch (model) {
        case VM_CONTROLLER_MODEL_QEMU_XHCI:
                return "qemu-xhci";
        case VM_CONTROLLER_MODEL_NEC_XHCI:
                return "nec-usb-xhci";
        case VM_CONTROLLER_MODEL_PIIX3_UHCI:
                return "piix3-usb-uhci";
        case VM_CONTROLLER_MODEL_PIIX4_UHCI:
                return "piix4-usb-uhci";
        case VM_CONTROLLER_MODEL_ICH9_EHCI1:
                return "ich9-usb-ehci1";
        case VM_CONTROLLER_MODEL_ICH9_UHCI1:
                return "ich9-usb-uhci1";
        case VM_CONTROLLER_MODEL_ICH9_UHCI2:
                return "ich9-usb-uhci2";
        case VM_CONTROLLER_MODEL_ICH9_UHCI3:
                return "ich9-usb-uhci3";
        default:
                /* libvirt's defaults for the machine types. */
                return machine == QEMU_MACHINE_Q35 ? "qemu-xhci" : "piix3-usb-uhci";
        }
}

/* The -device of a controller, or NULL for one the machine has built in or that has no device. */
JsonNode *qemu_controller_device(const VmConfig *config, const VmDevice *device, QemuMachineKind machine) {
        const VmController *ctrl = &device->controller;
        JsonObject *o;

        switch (ctrl->type) {
        case VM_CONTROLLER_USB:
                if (ctrl->model == VM_CONTROLLER_MODEL_USB_NONE)
                        return NULL;
                o = json_object_new();
                json_object_set_string_member(o, "driver", usb_driver(ctrl->model, machine));
                json_object_set_string_member(o, "id", device->id);
                if (ctrl->has_master) {
                        const VmDevice *master = find_controller(config, VM_CONTROLLER_USB, ctrl->index);
                        g_autofree char *bus = g_strconcat(master ? master->id : device->id, ".0", NULL);
                        json_object_set_string_member(o, "masterbus", bus);
                        json_object_set_int_member(o, "firstport", ctrl->master_startport);
                }
                if (ctrl->ports &&
                    (ctrl->model == VM_CONTROLLER_MODEL_QEMU_XHCI || ctrl->model == VM_CONTROLLER_MODEL_NEC_XHCI ||
                     (ctrl->model == VM_CONTROLLER_MODEL_DEFAULT && machine == QEMU_MACHINE_Q35))) {
                        json_object_set_int_member(o, "p2", ctrl->ports);
                        json_object_set_int_member(o, "p3", ctrl->ports);
                }
                break;
        case VM_CONTROLLER_VIRTIO_SERIAL:
                o = json_object_new();
                json_object_set_string_member(o, "driver", "virtio-serial-pci");
                qemu_virtio_options_props(o, &ctrl->virtio);
                json_object_set_string_member(o, "id", device->id);
                if (ctrl->ports)
                        json_object_set_int_member(o, "max_ports", ctrl->ports);
                if (ctrl->vectors)
                        json_object_set_int_member(o, "vectors", ctrl->vectors);
                break;
        case VM_CONTROLLER_SATA:
                if (machine == QEMU_MACHINE_Q35 && ctrl->index == 0)
                        return NULL;
                o = json_object_new();
                json_object_set_string_member(o, "driver", "ahci");
                json_object_set_string_member(o, "id", device->id);
                break;
        case VM_CONTROLLER_SCSI:
                /* libvirt's order of the properties. */
                o = json_object_new();
                json_object_set_string_member(o, "driver", scsi_controller_driver(ctrl->model));
                qemu_virtio_options_props(o, &ctrl->virtio);
                if (ctrl->iothread) {
                        g_autofree char *iothread = g_strdup_printf("iothread%" PRIu32, ctrl->iothread);
                        json_object_set_string_member(o, "iothread", iothread);
                }
                json_object_set_string_member(o, "id", device->id);
                if (ctrl->queues)
                        json_object_set_int_member(o, "num_queues", ctrl->queues);
                if (ctrl->cmd_per_lun)
                        json_object_set_int_member(o, "cmd_per_lun", ctrl->cmd_per_lun);
                if (ctrl->max_sectors)
                        json_object_set_int_member(o, "max_sectors", ctrl->max_sectors);
                if (ctrl->ioeventfd)
                        json_object_set_boolean_member(o, "ioeventfd", ctrl->ioeventfd == VM_SWITCH_ON);
                break;
        default:
                /* pci: QEMU's root bus and the engine's own root ports; ide: pc's built-in one; fdc:
                 * qemu_floppy_controller_args(). */
                return NULL;
        }
        JsonNode *node = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(node, o);
        return node;
}

/* The document's i-th pcie-root-port controller (in document order), or NULL. */
static const VmController *nth_root_port(const VmConfig *config, unsigned n) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind == VM_DEVICE_CONTROLLER && device->controller.type == VM_CONTROLLER_PCI &&
                    device->controller.model == VM_CONTROLLER_MODEL_PCIE_ROOT_PORT && n-- == 0)
                        return &device->controller;
        }
        return NULL;
}

static bool chassis_taken(const VmConfig *config, uint32_t chassis) {
        const VmController *ctrl;
        for (unsigned i = 0; (ctrl = nth_root_port(config, i)); i++)
                if (ctrl->has_chassis && ctrl->chassis == chassis)
                        return true;
        return false;
}

/* q35's root ports, all the engine's own ("rpN", where it puts its virtio disks and hot-plugged
 * devices): at least one per virtio disk plus QEMU_SPARE_HOTPLUG_PORTS, and at least as many as
 * the document's <controller model='pcie-root-port'>s. The i-th of those is rp<i>: its device
 * (<model name>: QEMU's pcie-root-port or ioh3420) and <target chassis port> are the port's.
 * The others take the chassis numbers that no <target chassis> names (QEMU wants each once). */
unsigned qemu_root_ports_add_args(GPtrArray *argv, const VmConfig *config, unsigned wanted) {
        unsigned n_ports = wanted;
        uint32_t next_chassis = 1;

        while (nth_root_port(config, n_ports))
                n_ports++;
        for (unsigned i = 0; i < n_ports; i++) {
                const VmController *ctrl = nth_root_port(config, i);
                JsonObject *o = json_object_new();
                g_autofree char *id = g_strdup_printf("rp%u", i);
                uint32_t chassis;

                if (ctrl && ctrl->has_chassis)
                        chassis = ctrl->chassis;
                else {
                        while (chassis_taken(config, next_chassis))
                                next_chassis++;
                        chassis = next_chassis++;
                }
                json_object_set_string_member(o, "driver", ctrl && ctrl->ioh3420 ? "ioh3420" : "pcie-root-port");
                json_object_set_string_member(o, "id", id);
                json_object_set_string_member(o, "bus", "pcie.0");
                json_object_set_int_member(o, "chassis", chassis);
                if (ctrl && ctrl->has_port)
                        json_object_set_int_member(o, "port", ctrl->port);
                add_device_json(argv, o);
        }
        return n_ports;
}

/* The root bus's <pcihole64> and <target hotplug>: properties of the machine's host bridge
 * and PIIX4's ACPI, set with -global as libvirt does. */
void qemu_pci_root_globals(GPtrArray *argv, const VmConfig *config) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                const VmController *ctrl = &device->controller;

                if (device->kind != VM_DEVICE_CONTROLLER || ctrl->type != VM_CONTROLLER_PCI)
                        continue;
                if (ctrl->has_pcihole64) {
                        g_ptr_array_add(argv, g_strdup("-global"));
                        g_ptr_array_add(argv, g_strdup_printf("%s.pci-hole64-size=%" PRIu64 "K",
                                                              ctrl->model == VM_CONTROLLER_MODEL_PCIE_ROOT
                                                                      ? "q35-pcihost"
                                                                      : "i440FX-pcihost",
                                                              ctrl->pcihole64_kib));
                }
                if (ctrl->hotplug) {
                        g_ptr_array_add(argv, g_strdup("-global"));
                        g_ptr_array_add(argv, g_strdup_printf("PIIX4_PM.acpi-root-pci-hotplug=%s",
                                                              ctrl->hotplug == VM_SWITCH_ON ? "on" : "off"));
                }
        }
}

/* ---- the floppy controller ---- */

/* pc has an ISA floppy controller; q35 gets one (isa-fdc) when a floppy is there. A floppy's
 * boot index is the controller's bootindexA (unit 0) or bootindexB (unit 1), as libvirt
 * writes it: QEMU's floppy device has none. */
void qemu_floppy_controller_args(GPtrArray *argv, const VmConfig *config, QemuMachineKind machine) {
        unsigned bootindex[2] = { 0, 0 };
        bool any = false;
        GString *fdc;

        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind != VM_DEVICE_DISK || !device->disk.floppy)
                        continue;
                any = true;
                bootindex[disk_unit(device) & 1] = qemu_disk_bootindex(config, device);
        }
        if (!any)
                return;
        if (machine == QEMU_MACHINE_Q35) {
                fdc = g_string_new("isa-fdc");
                for (unsigned unit = 0; unit < 2; unit++)
                        if (bootindex[unit])
                                g_string_append_printf(fdc, ",bootindex%c=%u", 'A' + unit, bootindex[unit]);
                g_ptr_array_add(argv, g_strdup("-device"));
                g_ptr_array_add(argv, g_string_free(fdc, FALSE));
                return;
        }
        for (unsigned unit = 0; unit < 2; unit++)
                if (bootindex[unit]) {
                        g_ptr_array_add(argv, g_strdup("-global"));
                        g_ptr_array_add(argv, g_strdup_printf("isa-fdc.bootindex%c=%u", 'A' + unit, bootindex[unit]));
                }
}

/* ---- disks ---- */

static void set_cache(JsonObject *o, VmDiskCache cache) {
        JsonObject *c;

        if (cache == VM_DISK_CACHE_DEFAULT)
                return;
        c = json_object_new();
        json_object_set_boolean_member(c, "direct", cache == VM_DISK_CACHE_NONE || cache == VM_DISK_CACHE_DIRECTSYNC);
        json_object_set_boolean_member(c, "no-flush", cache == VM_DISK_CACHE_UNSAFE);
        json_object_set_object_member(o, "cache", c);
}

/* The <driver> tuning of a disk on its two block nodes, as libvirt sets it. */
void qemu_disk_tune_blockdev(const VmDisk *disk, JsonObject *o, bool file_node) {
        static const char *const io[] = {
                [VM_DISK_IO_THREADS] = "threads", [VM_DISK_IO_NATIVE] = "native", [VM_DISK_IO_URING] = "io_uring"};
        static const char *const zeroes[] = {
                [VM_DISK_ZEROES_OFF] = "off", [VM_DISK_ZEROES_ON] = "on", [VM_DISK_ZEROES_UNMAP] = "unmap"};

        if (disk->driver.discard)
                json_object_set_string_member(o, "discard",
                                              disk->driver.discard == VM_DISK_DISCARD_UNMAP ? "unmap" : "ignore");
        set_cache(o, disk->driver.cache);
        if (file_node && disk->driver.io)
                json_object_set_string_member(o, "aio", io[disk->driver.io]);
        if (!file_node && disk->driver.detect_zeroes)
                json_object_set_string_member(o, "detect-zeroes", zeroes[disk->driver.detect_zeroes]);
}

/*
 * A disk's bootindex: its own <boot order>, else what <os><boot dev> says, as libvirt turns
 * it into bootindex: dev='hd' is the first <disk device='disk'>, dev='cdrom' the first
 * cdrom, dev='fd' the first floppy, at the position of that <boot> (OVMF reads bootindex only;
 * -boot order stays for SeaBIOS and the network). 0: none.
 */
static guint device_index(const VmConfig *config, const VmDevice *device) {
        guint index = 0;

        g_ptr_array_find(config->devices, device, &index);
        return index;
}

unsigned qemu_disk_bootindex(const VmConfig *config, const VmDevice *device) {
        const VmFirmware *firmware = &config->platform.firmware;
        VmBootDev wanted = device->disk.cdrom ? VM_BOOT_CDROM : device->disk.floppy ? VM_BOOT_FD : VM_BOOT_HD;

        if (device->boot_order)
                return device->boot_order;
        guint own = device_index(config, device);

        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *other = config->devices->pdata[i];
                if (other == device || other->kind != VM_DEVICE_DISK)
                        continue;
                /* Floppies: fda (unit 0) is the one booted, as in libvirt, wherever it is written. */
                if (device->disk.floppy && other->disk.floppy && disk_unit(other) < disk_unit(device))
                        return 0;
                /* Otherwise an earlier disk of the same kind is the one booted. */
                if (!device->disk.floppy && i < own && other->disk.cdrom == device->disk.cdrom && !other->disk.floppy)
                        return 0;
        }
        for (unsigned i = 0; i < firmware->n_boot; i++)
                if (firmware->boot[i] == wanted)
                        return i + 1;
        return 0;
}

/* The properties every disk front-end shares: id, its node, serial, write cache, boot order. */
void qemu_disk_tune_device(const VmDevice *device, JsonObject *o) {
        VmDiskCache cache = device->disk.driver.cache;

        if (cache != VM_DISK_CACHE_DEFAULT)
                json_object_set_string_member(
                        o, "write-cache",
                        cache == VM_DISK_CACHE_WRITETHROUGH || cache == VM_DISK_CACHE_DIRECTSYNC ? "off" : "on");
        /* A floppy's boot index is its controller's (qemu_floppy_controller_args()). */
        if (device->boot_order && !device->disk.floppy)
                json_object_set_int_member(o, "bootindex", device->boot_order);
        qemu_disk_tune_guest_view(&device->disk, o);
}

/* What the guest sees of the disk besides its data, and what QEMU does when the image fails
 * (checked by check_disk() for the front-ends that have them), as libvirt writes them. */
void qemu_disk_tune_guest_view(const VmDisk *disk, JsonObject *o) {
        static const char *const policies[] = {[VM_DISK_ERROR_STOP] = "stop",
                                               [VM_DISK_ERROR_REPORT] = "report",
                                               [VM_DISK_ERROR_IGNORE] = "ignore",
                                               [VM_DISK_ERROR_ENOSPACE] = "enospc"};
        static const char *const trans[] = {
                [VM_DISK_TRANS_NONE] = "none", [VM_DISK_TRANS_LBA] = "lba", [VM_DISK_TRANS_AUTO] = "auto"};
        VmDiskErrorPolicy werror = disk->driver.error_policy, rerror = disk->driver.rerror_policy;

        /* libvirt: rerror follows error_policy unless written, but for enospace, which is werror's only. */
        if (!rerror && werror != VM_DISK_ERROR_ENOSPACE)
                rerror = werror;
        if (werror)
                json_object_set_string_member(o, "werror", policies[werror]);
        if (rerror)
                json_object_set_string_member(o, "rerror", policies[rerror]);
        if (disk->shareable)
                json_object_set_boolean_member(o, "share-rw", true);
        /* QEMU's wwn is a uint64; JSON's integer is signed, as libvirt writes it too. */
        if (disk->has_wwn)
                json_object_set_int_member(o, "wwn", (gint64) disk->wwn);
        if (disk->vendor)
                json_object_set_string_member(o, "vendor", disk->vendor);
        if (disk->product)
                json_object_set_string_member(o, "product", disk->product);
        if (disk->rotation_rate)
                json_object_set_int_member(o, "rotation_rate", disk->rotation_rate);
        if (disk->geometry.cyls) {
                json_object_set_int_member(o, "cyls", disk->geometry.cyls);
                json_object_set_int_member(o, "heads", disk->geometry.heads);
                json_object_set_int_member(o, "secs", disk->geometry.secs);
                if (disk->geometry.trans)
                        json_object_set_string_member(o, "bios-chs-trans", trans[disk->geometry.trans]);
        }
        if (disk->logical_block_size)
                json_object_set_int_member(o, "logical_block_size", disk->logical_block_size);
        if (disk->physical_block_size)
                json_object_set_int_member(o, "physical_block_size", disk->physical_block_size);
}

/* The -device of a disk that is not on virtio (checked by qemu_devices_check()). */
JsonNode *qemu_disk_bus_device(const VmConfig *config, const VmDevice *device, const char *node_name,
                               QemuMachineKind machine) {
        const VmDisk *disk = &device->disk;
        JsonObject *o = json_object_new();
        uint32_t index = disk_controller_index(device);
        g_autofree char *bus = NULL;

        switch (disk->bus) {
        case VM_DISK_BUS_SATA: {
                const VmDevice *ctrl = find_controller(config, VM_CONTROLLER_SATA, index);
                const char *ctrl_id = machine == QEMU_MACHINE_Q35 && index == 0 ? "ide" : ctrl ? ctrl->id : "ide";
                json_object_set_string_member(o, "driver", disk->cdrom ? "ide-cd" : "ide-hd");
                bus = g_strdup_printf("%s.%u", ctrl_id, disk_unit(device));
                json_object_set_string_member(o, "bus", bus);
                break;
        }
        case VM_DISK_BUS_IDE: {
                uint32_t unit = disk_unit(device);
                json_object_set_string_member(o, "driver", disk->cdrom ? "ide-cd" : "ide-hd");
                bus = g_strdup_printf("ide.%u", unit / 2);
                json_object_set_string_member(o, "bus", bus);
                json_object_set_int_member(o, "unit", unit % 2);
                break;
        }
        case VM_DISK_BUS_SCSI: {
                g_autofree char *ctrl_id = qemu_scsi_controller_id(config, index);
                json_object_set_string_member(o, "driver", disk->cdrom ? "scsi-cd" : "scsi-hd");
                /* As libvirt: lsi's SCSI id is the unit; the others address target and LUN. */
                if (qemu_scsi_model_is_lsi(scsi_controller_model(config, device))) {
                        bus = g_strdup_printf("%s.%u", ctrl_id,
                                              device->address.type == VM_ADDRESS_DRIVE ? device->address.bus : 0);
                        json_object_set_string_member(o, "bus", bus);
                        json_object_set_int_member(o, "scsi-id", disk_unit(device));
                        break;
                }
                bus = g_strdup_printf("%s.0", ctrl_id);
                json_object_set_string_member(o, "bus", bus);
                json_object_set_int_member(o, "channel",
                                           device->address.type == VM_ADDRESS_DRIVE ? device->address.bus : 0);
                json_object_set_int_member(o, "scsi-id", disk_target(device));
                json_object_set_int_member(o, "lun", disk_unit(device));
                break;
        }
        case VM_DISK_BUS_USB:
                json_object_set_string_member(o, "driver", "usb-storage");
                /* <target removable>: whether the guest may eject it, as libvirt passes it. */
                if (disk->cdrom || disk->removable == VM_SWITCH_ON)
                        json_object_set_boolean_member(o, "removable", true);
                else if (disk->removable == VM_SWITCH_OFF)
                        json_object_set_boolean_member(o, "removable", false);
                break;
        case VM_DISK_BUS_FDC:
                json_object_set_string_member(o, "driver", "floppy");
                json_object_set_int_member(o, "unit", disk_unit(device));
                break;
        case VM_DISK_BUS_VIRTIO:
                g_assert_not_reached();
        }
        json_object_set_string_member(o, "id", device->id);
        if (node_name)
                json_object_set_string_member(o, "drive", node_name);
        if (disk->serial)
                json_object_set_string_member(o, "serial", disk->serial);
        qemu_disk_tune_device(device, o);
        if (!device->boot_order && !disk->floppy && qemu_disk_bootindex(config, device))
                json_object_set_int_member(o, "bootindex", qemu_disk_bootindex(config, device));
        JsonNode *node = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(node, o);
        return node;
}

/* ---- the watchdog ---- */

const char *qemu_watchdog_action(const VmConfig *config) {
        static const char *const actions[] = {
                [VM_WATCHDOG_ACTION_RESET] = ",watchdog=reset",
                [VM_WATCHDOG_ACTION_SHUTDOWN] = ",watchdog=shutdown",
                [VM_WATCHDOG_ACTION_POWEROFF] = ",watchdog=poweroff",
                [VM_WATCHDOG_ACTION_PAUSE] = ",watchdog=pause",
                [VM_WATCHDOG_ACTION_NONE] = ",watchdog=none",
                [VM_WATCHDOG_ACTION_INJECT_NMI] = ",watchdog=inject-nmi",
        };
        const VmDevice *watchdog = vm_config_find_kind(config, VM_DEVICE_WATCHDOG);

        return watchdog ? actions[watchdog->watchdog.action] : "";
}

static void add_device_json(GPtrArray *argv, JsonObject *o) {
        JsonNode *node = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(node, o);
        g_ptr_array_add(argv, g_strdup("-device"));
        g_ptr_array_add(argv, json_to_string(node, FALSE));
        json_node_unref(node);
}

/* The watchdog: its device (q35's iTCO is built in: libvirt lets it reboot the guest), its
 * action on -action. The channels are in qemu-argv-chardev.c. */
void qemu_argv_add_watchdogs(GPtrArray *argv, const VmConfig *config) {
        const VmDevice *watchdog = vm_config_find_kind(config, VM_DEVICE_WATCHDOG);
        JsonObject *o;

        if (!watchdog)
                return;
        switch (watchdog->watchdog.model) {
        case VM_WATCHDOG_ITCO:
                /* Built into q35's ICH9: QEMU keeps it from rebooting unless told. */
                g_ptr_array_add(argv, g_strdup("-global"));
                g_ptr_array_add(argv, g_strdup("ICH9-LPC.noreboot=off"));
                break;
        case VM_WATCHDOG_I6300ESB:
        case VM_WATCHDOG_IB700:
                o = json_object_new();
                json_object_set_string_member(o, "driver",
                                              watchdog->watchdog.model == VM_WATCHDOG_I6300ESB ? "i6300esb" : "ib700");
                json_object_set_string_member(o, "id", watchdog->id);
                add_device_json(argv, o);
                break;
        }
}

/*
 * The TPM, as libvirt's QEMU driver writes it: a chardev to the swtpm's control socket, the
 * emulator backend on it, the front end. The socket is the service's (kvm-engine/qemu/qemu-tpm.c):
 * QEMU gets an O_PATH descriptor of it and connects through /proc/self/fd, since QEMU 7.2 passes
 * the TPM's data channel over the control channel only on a chardev with a path.
 */
void qemu_argv_add_tpm(GPtrArray *argv, const VmConfig *config, int tpm_fd) {
        const VmDevice *tpm = vm_config_find_kind(config, VM_DEVICE_TPM);
        g_autofree char *chardev = NULL, *backend = NULL;
        JsonObject *o;

        if (!tpm || tpm_fd <= 0)
                return;
        chardev = g_strconcat("char", tpm->id, NULL);
        backend = g_strconcat("tpm-", tpm->id, NULL);
        g_ptr_array_add(argv, g_strdup("-chardev"));
        g_ptr_array_add(argv, g_strdup_printf("socket,id=%s,path=/proc/self/fd/%d", chardev, tpm_fd));
        g_ptr_array_add(argv, g_strdup("-tpmdev"));
        g_ptr_array_add(argv, g_strdup_printf("emulator,id=%s,chardev=%s", backend, chardev));
        o = json_object_new();
        json_object_set_string_member(o, "driver", tpm->tpm.model == VM_TPM_CRB ? "tpm-crb" : "tpm-tis");
        json_object_set_string_member(o, "tpmdev", backend);
        json_object_set_string_member(o, "id", tpm->id);
        add_device_json(argv, o);
}
