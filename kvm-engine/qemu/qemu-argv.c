/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "hv-error.h"
#include "qemu-argv.h"
#include "tap.h"
#include "vm-problems.h"

void qemu_command_line_free(QemuCommandLine *cmdline) {
        if (!cmdline)
                return;
        g_strfreev(cmdline->argv);
        g_clear_pointer(&cmdline->port_owners, g_ptr_array_unref);
        g_clear_pointer(&cmdline->disk_nodes, g_hash_table_unref);
        g_clear_pointer(&cmdline->net_backends, g_hash_table_unref);
        g_free(cmdline->console_socket);
        g_strfreev(cmdline->extra_env);
        g_free(cmdline);
}

/* QEMU ids: a letter, then letters, digits, '-', '.', '_'. */
bool qemu_id_is_valid(const char *id) {
        if (!id || !g_ascii_isalpha(id[0]) || strlen(id) > 100)
                return false;
        for (const char *p = id; *p; p++)
                if (!g_ascii_isalnum(*p) && !strchr("-._", *p))
                        return false;
        return true;
}

bool qemu_machine_from_config(const VmConfig *config, QemuMachineKind *ret, GError **error) {
        const char *machine = config->machine;

        if (!machine || g_str_equal(machine, "q35") || g_str_has_prefix(machine, "pc-q35-"))
                *ret = QEMU_MACHINE_Q35;
        else if (g_str_equal(machine, "pc") || g_str_has_prefix(machine, "pc-i440fx-"))
                *ret = QEMU_MACHINE_PC;
        else if (g_str_equal(machine, "microvm"))
                *ret = QEMU_MACHINE_MICROVM;
        else {
                g_autofree char *message = g_strdup_printf(
                        "Machine type '%s' is not supported by the QEMU engine (q35, pc, microvm)", machine);
                vm_problem_set_error(error, config->lines.os_type, HV_ERROR_NOT_SUPPORTED, message);
                return false;
        }
        return true;
}

/* <driver iommu ats packed> of a virtio device the QEMU engine places: ats is a property of
 * virtio's PCI transport, which microvm has not; iommu_platform=on QEMU refuses for a device that
 * also speaks legacy virtio, which is what a virtio PCI device is except on a PCIe root port (on
 * q35 the engine puts the virtio disks there, and nothing else). packed and off are taken. */
static void check_virtio_options(const char *element, unsigned line, const VmVirtioOptions *options,
                                 QemuMachineKind machine, bool on_root_port, VmProblems *problems) {
        if (machine == QEMU_MACHINE_MICROVM && options->ats)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<%s><driver ats> needs PCI, which the microvm machine has not", element);
        if (options->iommu == VM_SWITCH_ON && !on_root_port)
                vm_problems_add(
                        problems, line, HV_ERROR_NOT_SUPPORTED,
                        "<%s><driver iommu='on'> is not supported by the QEMU engine: QEMU takes it only for a "
                        "virtio device without legacy support, on a PCIe root port, and the engine puts only "
                        "a q35 machine's virtio disks there",
                        element);
}

static void check_arch(const VmConfig *config, VmProblems *problems) {
        if (config->arch && !g_str_equal(config->arch, "x86_64") && !g_str_equal(config->arch, "i686"))
                vm_problems_add(problems, config->lines.os_type, HV_ERROR_NOT_SUPPORTED,
                                "Architecture '%s' is not supported by the QEMU engine (x86_64)", config->arch);
}

/* qemu-system-<arch> emulates <arch> only; another name (qemu-kvm, a wrapper) says nothing. */
static void check_emulator(const VmConfig *config, VmProblems *problems) {
        /* Without the <type> the reader refused, the guest's architecture is not known. */
        if (!config->emulator || (!config->arch && vm_problems_config_partial(problems)))
                return;
        g_autofree char *base = g_path_get_basename(config->emulator);
        const char *arch = config->arch ? config->arch : "x86_64";
        /* QEMU names i686 guests' binary qemu-system-i386; qemu-system-x86_64 runs them too. */
        const char *binary_arch = g_str_equal(arch, "i686") ? "i386" : arch;
        const char *emulated = base + strlen("qemu-system-");
        if (g_str_has_prefix(base, "qemu-system-") && !g_str_equal(emulated, binary_arch) &&
            !(g_str_equal(arch, "i686") && g_str_equal(emulated, "x86_64")))
                vm_problems_add(problems, config->lines.emulator, HV_ERROR_NOT_SUPPORTED,
                                "<emulator> '%s' emulates %s, not <type arch='%s'>: the QEMU engine runs "
                                "x86_64 guests with qemu-system-x86_64",
                                config->emulator, emulated, arch);
}

/* A <serial> or <console> (but a virtio console): at most four. */
static void check_char(const VmDevice *device, unsigned *n_consoles, VmProblems *problems) {
        if (qemu_chardev_is_virtio_console(device))
                return;
        if (++*n_consoles == 5)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "At most 4 <serial>/<console> devices are supported");
}

/* Device ids and consoles, whatever the machine. */
static void check_devices(const VmConfig *config, VmProblems *problems) {
        unsigned n_consoles = 0;

        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->id && !qemu_id_is_valid(device->id))
                        vm_problems_add(problems, device->line, HV_ERROR_INVALID_ARGUMENT,
                                        "Device id '%s' is not usable by QEMU (a letter, then letters, digits, "
                                        "'-', '.', '_')",
                                        device->id);
                if (device->kind == VM_DEVICE_SERIAL || device->kind == VM_DEVICE_CONSOLE)
                        check_char(device, &n_consoles, problems);
        }
}

/* What a device needs of the machine: PCI, a virtio transport for its <driver> options. */
static void check_device_on_machine(const VmDevice *device, QemuMachineKind machine, VmProblems *problems) {
        switch (device->kind) {
        case VM_DEVICE_INTERFACE:
                check_virtio_options("interface", device->line, &device->net.virtio, machine, false, problems);
                break;
        case VM_DEVICE_DISK:
                check_virtio_options("disk", device->line, &device->disk.virtio, machine,
                                     machine == QEMU_MACHINE_Q35 && device->disk.bus == VM_DISK_BUS_VIRTIO, problems);
                break;
        case VM_DEVICE_HOSTDEV:
        case VM_DEVICE_VSOCK:
                if (machine == QEMU_MACHINE_MICROVM)
                        vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                        "<%s> needs PCI, which the microvm machine has not",
                                        vm_device_kind_to_string(device->kind));
                break;
        case VM_DEVICE_RNG:
                check_virtio_options("rng", device->line, &device->rng.virtio, machine, false, problems);
                break;
        case VM_DEVICE_CONTROLLER:
                check_virtio_options("controller", device->line, &device->controller.virtio, machine, false,
                                     problems);
                break;
        default:
                break;
        }
}

/* What needs a known machine type. */
static void check_machine(const VmConfig *config, QemuMachineKind machine, VmProblems *problems) {
        if (!config->kernel && !config->loader && machine == QEMU_MACHINE_MICROVM &&
            !vm_problems_config_partial(problems))
                vm_problems_add(problems, config->lines.os_type, HV_ERROR_INVALID_ARGUMENT,
                                "A microvm machine needs a <kernel>");
        check_virtio_options("memballoon", config->lines.memballoon, &config->memballoon.virtio, machine, false,
                             problems);
        for (guint i = 0; i < config->devices->len; i++)
                check_device_on_machine(config->devices->pdata[i], machine, problems);
        qemu_display_check(config, machine, problems);
        qemu_devices_check(config, machine, problems);
        qemu_filesystems_check(config, machine, problems);
        qemu_chardevs_check(config, machine, problems);
}

void qemu_config_problems(const VmConfig *config, VmProblems *problems) {
        QemuMachineKind machine;
        GError *error = NULL;
        bool machine_known = qemu_machine_from_config(config, &machine, &error);

        if (!machine_known)
                vm_problems_add_error(problems, error);
        /* A <type> the reader refused says no machine: the engine does not know it either. */
        if (!config->arch && vm_problems_config_partial(problems))
                machine_known = false;
        check_arch(config, problems);
        check_emulator(config, problems);
        check_devices(config, problems);
        /* What needs KVM (a host CPU model, Hyper-V's KVM-only parts) is checked at Boot, against the
         * accelerator the VM gets there, as libvirt checks the CPU mode when the VM starts: such a
         * definition is kept, and its Boot says why it cannot run under TCG
         * (qemu_platform_check_accelerator()). */
        qemu_platform_check(config, problems);
        qemu_sysinfo_check(config, problems);
        qemu_hostdev_check(config, problems);
        /* The rest depends on the machine: with one the engine does not know, it would only guess. */
        if (machine_known)
                check_machine(config, machine, problems);
}

bool qemu_config_check(const VmConfig *config, GError **error) {
        g_autoptr(VmProblems) problems = vm_problems_new();

        qemu_config_problems(config, problems);
        return vm_problems_report(problems, error);
}

/* In QEMU's key=value syntax a comma is written twice. */
char *qemu_escape_opt(const char *value) {
        g_auto(GStrv) parts = g_strsplit(value, ",", -1);
        return g_strjoinv(",,", parts);
}

static char *json_node_to_arg(JsonNode *node) {
        return json_to_string(node, FALSE);
}

static JsonNode *json_object_node(JsonObject *object) {
        JsonNode *node = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(node, object);
        return node;
}

char *qemu_disk_node_name(unsigned index) {
        return g_strdup_printf("disk%u", index);
}

char *qemu_disk_file_node_name(const char *node_name) {
        return g_strconcat(node_name, "-file", NULL);
}

JsonNode *qemu_disk_file_blockdev(const VmDisk *disk, const char *node_name) {
        g_autofree char *file_node = qemu_disk_file_node_name(node_name);
        JsonObject *o;
        if (disk->network) {
                /* The protocol node: QEMU connects, as the owner. */
                o = qemu_disk_network_blockdev(disk->network);
                json_object_set_string_member(o, "node-name", file_node);
                json_object_set_boolean_member(o, "read-only", disk->readonly);
                qemu_disk_tune_blockdev(disk, o, true);
                return json_object_node(o);
        }
        o = json_object_new();
        /* As libvirt: a host's optical drive is host_cdrom, other block devices host_device. */
        json_object_set_string_member(o, "driver", !disk->block ? "file" : disk->cdrom ? "host_cdrom" : "host_device");
        json_object_set_string_member(o, "node-name", file_node);
        json_object_set_string_member(o, "filename", disk->path);
        json_object_set_boolean_member(o, "read-only", disk->readonly);
        qemu_disk_tune_blockdev(disk, o, true);
        return json_object_node(o);
}

JsonNode *qemu_disk_format_blockdev(const VmDisk *disk, const char *node_name) {
        g_autofree char *file_node = qemu_disk_file_node_name(node_name);
        JsonObject *o = json_object_new();
        json_object_set_string_member(o, "driver", disk->format == VM_DISK_FORMAT_QCOW2 ? "qcow2" : "raw");
        json_object_set_string_member(o, "node-name", node_name);
        json_object_set_string_member(o, "file", file_node);
        json_object_set_boolean_member(o, "read-only", disk->readonly);
        qemu_disk_tune_blockdev(disk, o, false);
        qemu_disk_set_metadata_cache(o, disk->metadata_cache);
        qemu_disk_set_backing(disk, node_name, 0, o);
        return json_object_node(o);
}

static const char *qemu_virtio_driver(QemuMachineKind machine, const char *kind) {
        /* microvm has no PCI: its virtio devices sit on virtio-mmio. */
        static const char *const pci[] = { "blk", "virtio-blk-pci", "net", "virtio-net-pci", "rng", "virtio-rng-pci", "balloon", "virtio-balloon-pci", NULL };
        static const char *const mmio[] = { "blk", "virtio-blk-device", "net", "virtio-net-device", "rng", "virtio-rng-device", "balloon", "virtio-balloon-device", NULL };
        const char *const *table = machine == QEMU_MACHINE_MICROVM ? mmio : pci;
        for (size_t i = 0; table[i]; i += 2)
                if (g_str_equal(table[i], kind))
                        return table[i + 1];
        g_assert_not_reached();
}

void qemu_virtio_options_props(JsonObject *o, const VmVirtioOptions *options) {
        if (options->iommu)
                json_object_set_boolean_member(o, "iommu_platform", options->iommu == VM_SWITCH_ON);
        if (options->ats)
                json_object_set_boolean_member(o, "ats", options->ats == VM_SWITCH_ON);
        if (options->packed)
                json_object_set_boolean_member(o, "packed", options->packed == VM_SWITCH_ON);
}

JsonNode *qemu_disk_device(QemuMachineKind machine, const VmDevice *device, const char *node_name,
                           const char *bus) {
        JsonObject *o = json_object_new();
        json_object_set_string_member(o, "driver", qemu_virtio_driver(machine, "blk"));
        json_object_set_string_member(o, "id", device->id);
        json_object_set_string_member(o, "drive", node_name);
        if (bus)
                json_object_set_string_member(o, "bus", bus);
        if (device->disk.serial)
                json_object_set_string_member(o, "serial", device->disk.serial);
        if (device->disk.driver.iothread) {
                g_autofree char *iothread = g_strdup_printf("iothread%" PRIu32, device->disk.driver.iothread);
                json_object_set_string_member(o, "iothread", iothread);
        }
        if (device->disk.driver.queues)
                json_object_set_int_member(o, "num-queues", device->disk.driver.queues);
        if (device->disk.driver.queue_size)
                json_object_set_int_member(o, "queue-size", device->disk.driver.queue_size);
        qemu_virtio_options_props(o, &device->disk.virtio);
        qemu_disk_tune_device(device, o);
        return json_object_node(o);
}

static void argv_add(GPtrArray *argv, const char *option, const char *value) {
        g_ptr_array_add(argv, g_strdup(option));
        if (value)
                g_ptr_array_add(argv, g_strdup(value));
}

static void argv_add_json(GPtrArray *argv, const char *option, JsonNode *node /* taken */) {
        g_ptr_array_add(argv, g_strdup(option));
        g_ptr_array_add(argv, json_node_to_arg(node));
        json_node_unref(node);
}

static void argv_add_printf(GPtrArray *argv, const char *option, const char *format, ...) G_GNUC_PRINTF(3, 4);
static void argv_add_printf(GPtrArray *argv, const char *option, const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        g_ptr_array_add(argv, g_strdup(option));
        g_ptr_array_add(argv, g_strdup_vprintf(format, ap));
        va_end(ap);
}

/*
 * One serial port's chardev. The first one is what OpenConsole reaches. A pty
 * there is the service's own listening socket instead (params->console_fd, made
 * in the runtime directory the engine cannot write): the service never opens a
 * pty path QEMU reports. A pty on a later port stays a pty nobody opens for you.
 */
static void argv_add_serial(GPtrArray *argv, QemuCommandLine *cmdline, const QemuArgvParams *params,
                            const VmDevice *device, unsigned index, unsigned *n_isa, bool as_devices) {
        const VmChar *chr = &device->chr;
        g_autofree char *id = g_strdup_printf("serial%u", index);

        if (index == 0 && chr->type == VM_CHAR_PTY && params->console_fd >= 0) {
                argv_add_printf(argv, "-chardev", "socket,id=%s,fd=%d,server=on,wait=off", id, params->console_fd);
                cmdline->console_is_ours = true;
        } else {
                g_autofree char *chardev = qemu_chardev_arg(chr, id, false);
                argv_add(argv, "-chardev", chardev);
                if (index == 0 && chr->type == VM_CHAR_UNIX && !chr->connect)
                        cmdline->console_socket = g_strdup(chr->path);
        }
        /* As libvirt: pci-serial and isa-debugcon devices; isa-serial ones where one has an
         * <address type='isa'> (with -serial QEMU numbers them itself, so it is all or none). */
        if (chr->target.type != VM_CHAR_TARGET_PCI_SERIAL && chr->target.type != VM_CHAR_TARGET_ISA_DEBUG &&
            !as_devices) {
                argv_add_printf(argv, "-serial", "chardev:%s", id);
                return;
        }
        JsonObject *o = json_object_new();
        json_object_set_string_member(o, "driver",
                                      chr->target.type == VM_CHAR_TARGET_PCI_SERIAL  ? "pci-serial"
                                      : chr->target.type == VM_CHAR_TARGET_ISA_DEBUG ? "isa-debugcon"
                                                                                     : "isa-serial");
        json_object_set_string_member(o, "chardev", id);
        json_object_set_string_member(o, "id", device->id);
        if (chr->target.type != VM_CHAR_TARGET_PCI_SERIAL && chr->target.type != VM_CHAR_TARGET_ISA_DEBUG)
                json_object_set_int_member(o, "index", (*n_isa)++);
        if (device->address.type == VM_ADDRESS_ISA) {
                json_object_set_int_member(o, "iobase", device->address.iobase);
                if (chr->target.type != VM_CHAR_TARGET_ISA_DEBUG)
                        json_object_set_int_member(o, "irq", device->address.irq);
        }
        argv_add_json(argv, "-device", json_object_node(o));
}

/* isa-serial devices instead of -serial: where a serial port has an ISA address. */
static bool serials_as_devices(const VmConfig *config) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if ((device->kind == VM_DEVICE_SERIAL || device->kind == VM_DEVICE_CONSOLE) &&
                    device->address.type == VM_ADDRESS_ISA)
                        return true;
        }
        return false;
}

static bool config_has_serial(const VmConfig *config) {
        for (guint i = 0; i < config->devices->len; i++)
                if (((const VmDevice *) config->devices->pdata[i])->kind == VM_DEVICE_SERIAL)
                        return true;
        return false;
}

/* The serial ports: the <serial>s, or a <console> of type serial without them. */
static unsigned n_serial_ports(const VmConfig *config) {
        unsigned n = 0;
        bool console = false;

        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                n += device->kind == VM_DEVICE_SERIAL;
                console |= device->kind == VM_DEVICE_CONSOLE && !qemu_chardev_is_virtio_console(device);
        }
        return n ? n : console;
}

static bool argv_add_devices(GPtrArray *argv, QemuCommandLine *cmdline, const QemuArgvParams *params,
                             const VmConfig *config, GError **error) {
        unsigned n_disks = 0, n_ports = 0, n_serials = 0, n_nets = 0, n_taps = 0, n_isa_serials = 0, n_scsi = 0, n_iscsi = 0;
        bool as_devices = serials_as_devices(config);

        /* Controllers first: the devices on them name them as their bus. */
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                JsonNode *node;
                if (device->kind != VM_DEVICE_CONTROLLER)
                        continue;
                node = qemu_controller_device(config, device, cmdline->machine);
                if (node)
                        argv_add_json(argv, "-device", node);
        }
        qemu_implicit_scsi_controllers(argv, config);
        if (qemu_usb_disks_need_controller(config))
                argv_add(argv, "-device", "qemu-xhci,id=" QEMU_DEFAULT_USB_CONTROLLER_ID);
        qemu_floppy_controller_args(argv, config, cmdline->machine);
        qemu_pci_root_globals(argv, config);
        qemu_argv_add_virtio_serial_controllers(argv, config, params->agent_fd);
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                JsonObject *o;

                switch (device->kind) {
                case VM_DEVICE_DISK: {
                        g_autofree char *node = qemu_disk_node_name(n_disks++);
                        cmdline->next_disk_index = n_disks;
                        g_autofree char *cor_node = g_strconcat(node, "-cor", NULL);
                        /* The node the guest's device reads: the format node, or the copy-on-read filter
                         * libvirt puts on it for <driver copy_on_read='on'>. */
                        const char *front_node = device->disk.driver.copy_on_read ? cor_node : node;
                        /* A cdrom without <source> is an empty tray: a device without a drive. */
                        /* The <backingStore> layers first, the deepest first: a format node names
                         * the one below it, which must be there. */
                        for (unsigned layer = device->disk.n_backing; layer > 0; layer--) {
                                argv_add_json(argv, "-blockdev",
                                              qemu_disk_layer_file_blockdev(&device->disk, node, layer));
                                argv_add_json(argv, "-blockdev",
                                              qemu_disk_layer_format_blockdev(&device->disk, node, layer));
                        }
                        if (vm_disk_has_medium(&device->disk)) {
                                argv_add_json(argv, "-blockdev", qemu_disk_file_blockdev(&device->disk, node));
                                argv_add_json(argv, "-blockdev", qemu_disk_format_blockdev(&device->disk, node));
                        }
                        if (vm_disk_has_medium(&device->disk) && device->disk.driver.copy_on_read) {
                                o = json_object_new();
                                json_object_set_string_member(o, "driver", "copy-on-read");
                                json_object_set_string_member(o, "node-name", cor_node);
                                json_object_set_string_member(o, "file", node);
                                argv_add_json(argv, "-blockdev", json_object_node(o));
                        }
                        if (device->disk.bus != VM_DISK_BUS_VIRTIO) {
                                argv_add_json(
                                        argv, "-device",
                                        qemu_disk_bus_device(config, device,
                                                             vm_disk_has_medium(&device->disk) ? front_node : NULL,
                                                             cmdline->machine));
                        } else {
                                /* On q35 the i-th virtio disk sits on root port i (added before). */
                                g_autofree char *bus = NULL;
                                if (cmdline->machine == QEMU_MACHINE_Q35) {
                                        g_free(cmdline->port_owners->pdata[n_ports]);
                                        cmdline->port_owners->pdata[n_ports] = g_strdup(device->id);
                                        bus = g_strdup_printf("rp%u", n_ports++);
                                }
                                JsonNode *front = qemu_disk_device(cmdline->machine, device, front_node, bus);
                                unsigned bootindex = qemu_disk_bootindex(config, device);
                                if (bootindex && !device->boot_order)
                                        json_object_set_int_member(json_node_get_object(front), "bootindex",
                                                                   bootindex);
                                argv_add_json(argv, "-device", front);
                        }
                        if (vm_disk_has_medium(&device->disk))
                                g_hash_table_insert(cmdline->disk_nodes, g_strdup(device->id), g_steal_pointer(&node));
                        break;
                }
                case VM_DEVICE_INTERFACE: {
                        g_autofree char *netdev = g_strdup_printf("net%u", n_nets++);
                        /* QEMU gets a tap open: it needs no CAP_NET_ADMIN, and never a tap
                         * (or bridge) the VM's owner may not have. */
                        if (vm_interface_uses_tap(&device->net) && n_taps >= params->n_tap_fds) {
                                g_set_error(error, HV_ERROR, HV_ERROR_FAILED,
                                            "No tap device was opened for <interface type='%s'> %u",
                                            device->net.type == VM_NET_BRIDGE ? "bridge" : "ethernet", n_taps + 1);
                                return false;
                        }
                        int tap_fd = vm_interface_uses_tap(&device->net) ? params->tap_fds[n_taps++] : -1;
                        g_autofree char *backend = qemu_net_netdev_arg(&device->net, netdev, tap_fd);
                        argv_add(argv, "-netdev", backend);
                        argv_add_json(argv, "-device", qemu_net_device(cmdline->machine, device, netdev));
                        g_hash_table_insert(cmdline->net_backends, g_strdup(device->id), g_steal_pointer(&netdev));
                        break;
                }
                case VM_DEVICE_CONSOLE:
                        /* As in libvirt: with a <serial>, the <console> is the first serial port;
                         * a virtio one is qemu_argv_add_virtio_serial_ports()'. */
                        if (config_has_serial(config) || qemu_chardev_is_virtio_console(device))
                                break;
                        argv_add_serial(argv, cmdline, params, device, n_serials++, &n_isa_serials, as_devices);
                        break;
                case VM_DEVICE_SERIAL:
                        argv_add_serial(argv, cmdline, params, device, n_serials++, &n_isa_serials, as_devices);
                        break;
                case VM_DEVICE_VSOCK:
                        o = json_object_new();
                        json_object_set_string_member(o, "driver", "vhost-vsock-pci");
                        json_object_set_string_member(o, "id", device->id);
                        json_object_set_int_member(o, "guest-cid", device->vsock.cid);
                        argv_add_json(argv, "-device", json_object_node(o));
                        break;
                case VM_DEVICE_RNG: {
                        g_autofree char *backend = g_strconcat("rng-", device->id, NULL);
                        g_autofree char *chardev = g_strconcat("char", device->id, NULL);
                        o = json_object_new();
                        if (device->rng.egd) {
                                /* As libvirt: rng-egd reading from a -chardev of the backend. */
                                g_autofree char *arg = qemu_chardev_arg(device->rng.egd, chardev, false);
                                argv_add(argv, "-chardev", arg);
                                json_object_set_string_member(o, "qom-type", "rng-egd");
                                json_object_set_string_member(o, "id", backend);
                                json_object_set_string_member(o, "chardev", chardev);
                        } else {
                                json_object_set_string_member(o, "qom-type",
                                                              device->rng.builtin ? "rng-builtin" : "rng-random");
                                json_object_set_string_member(o, "id", backend);
                        }
                        if (!device->rng.builtin && !device->rng.egd)
                                json_object_set_string_member(o, "filename",
                                                              device->rng.backend ? device->rng.backend
                                                                                  : "/dev/urandom");
                        argv_add_json(argv, "-object", json_object_node(o));
                        o = json_object_new();
                        json_object_set_string_member(o, "driver", qemu_virtio_driver(cmdline->machine, "rng"));
                        json_object_set_string_member(o, "id", device->id);
                        json_object_set_string_member(o, "rng", backend);
                        /* As libvirt: max-bytes a period, 1000 ms unless written. */
                        if (device->rng.rate_bytes) {
                                json_object_set_int_member(o, "max-bytes", device->rng.rate_bytes);
                                json_object_set_int_member(o, "period", device->rng.rate_period_ms
                                                                                ? device->rng.rate_period_ms
                                                                                : 1000);
                        }
                        qemu_virtio_options_props(o, &device->rng.virtio);
                        argv_add_json(argv, "-device", json_object_node(o));
                        break;
                }
                case VM_DEVICE_HOSTDEV:
                        /* USB ones after the display's USB devices (qemu_hostdev_add_usb_args). */
                        if (device->hostdev.type == VM_HOSTDEV_SCSI && device->hostdev.scsi_iscsi) {
                                g_autofree char *node_name = g_strdup_printf("hostdev-scsi%u", n_scsi + n_iscsi);
                                qemu_hostdev_add_scsi_args(argv, config, device, NULL, node_name);
                                n_iscsi++;
                        } else if (device->hostdev.type == VM_HOSTDEV_SCSI) {
                                g_autofree char *node_name = g_strdup_printf("hostdev-scsi%u", n_scsi + n_iscsi);
                                if (n_scsi >= params->n_scsi_nodes) {
                                        g_set_error(error, HV_ERROR, HV_ERROR_FAILED,
                                                    "<hostdev type='scsi'> '%s': no /dev/sgN was found for it",
                                                    device->id);
                                        return false;
                                }
                                qemu_hostdev_add_scsi_args(argv, config, device, params->scsi_nodes[n_scsi],
                                                           node_name);
                                n_scsi++;
                        } else if (device->hostdev.type != VM_HOSTDEV_USB) {
                                argv_add_json(argv, "-device", qemu_hostdev_device(device));
                        }
                        break;
                case VM_DEVICE_CONTROLLER:
                case VM_DEVICE_CHANNEL:
                case VM_DEVICE_PARALLEL:
                case VM_DEVICE_WATCHDOG:
                case VM_DEVICE_TPM:
                case VM_DEVICE_FILESYSTEM:
                case VM_DEVICE_MEMORY:
                        break;
                default:
                        g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED, "Device kind '%s' is not supported",
                                    vm_device_kind_to_string(device->kind));
                        return false;
                }
        }
        return true;
}

QemuCommandLine *qemu_argv_build(const QemuArgvParams *params, GError **error) {
        const VmConfig *config = params->config;
        g_autoptr(QemuCommandLine) cmdline = g_new0(QemuCommandLine, 1);
        g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);

        if (!qemu_config_check(config, error) || !qemu_platform_check_accelerator(config, params->kvm, error))
                return NULL;
        if (!qemu_display_ports_chosen(config, error))
                return NULL;
        if (config->platform.firmware.efi && !config->platform.firmware.nvram && params->nvram_fd <= 0) {
                g_set_error_literal(error, HV_ERROR, HV_ERROR_FAILED,
                                    "<os firmware='efi'> needs a variables file, and the service gave none");
                return NULL;
        }
        if (vm_config_find_kind(config, VM_DEVICE_TPM) && params->tpm_fd <= 0) {
                g_set_error_literal(error, HV_ERROR, HV_ERROR_FAILED,
                                    "<tpm> needs the socket of its TPM emulator, and none was made");
                return NULL;
        }
        (void) qemu_machine_from_config(config, &cmdline->machine, NULL);
        cmdline->port_owners = g_ptr_array_new_with_free_func(g_free);
        cmdline->disk_nodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        cmdline->net_backends = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

        argv_add(argv, params->binary, NULL);
        argv_add_printf(argv, "-name", "guest=%s,debug-threads=on", config->name);
        if (config->uuid[0])
                argv_add(argv, "-uuid", config->uuid);

        const char *machine = config->machine ? config->machine : "q35";
        g_autofree char *machine_escaped = qemu_escape_opt(machine);
        g_autofree char *machine_options =
                qemu_platform_machine_options(config, config->platform.firmware.nvram || params->nvram_fd > 0);
        g_autofree char *display_machine_options = qemu_display_machine_options(config);
        argv_add_printf(argv, "-machine", "%s%s%s", machine_escaped, machine_options, display_machine_options);
        g_autofree char *accel = qemu_platform_accel(config, params->kvm);
        argv_add(argv, "-accel", accel);
        g_autofree char *cpu = qemu_platform_cpu(config, params->kvm);
        argv_add(argv, "-cpu", cpu);

        /* -m counts MiB; a size between two MiB rounds up. */
        g_autofree char *memory_size = qemu_platform_memory_size(config);
        argv_add(argv, "-m", memory_size);
        g_autofree char *smp = qemu_platform_smp(config);
        argv_add(argv, "-smp", smp);
        qemu_platform_add_memory(argv, config);
        qemu_argv_add_memory_devices(argv, config);
        for (unsigned i = 0; i < config->n_iothreads; i++)
                argv_add_printf(argv, "-object", "iothread,id=iothread%" PRIu32, config->iothread_ids[i]);

        argv_add(argv, "-nodefaults", NULL);
        argv_add(argv, "-no-user-config", NULL);
        argv_add(argv, "-display", "none");
        argv_add(argv, "-msg", "timestamp=on");
        /* QEMU never needs to spawn, gain privileges or change its limits here. */
        argv_add(argv, "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
        argv_add(argv, "-S", NULL);

        argv_add_printf(argv, "-chardev", "socket,id=qmp,fd=%d,server=on,wait=off", params->qmp_fd);
        argv_add(argv, "-mon", "chardev=qmp,mode=control");

        /* Guest power-off and panic end the process; reset is in place only when
         * the VM restarts on reboot anyway. */
        argv_add_printf(argv, "-action", "reboot=%s,shutdown=poweroff,panic=shutdown%s",
                        config->on_reboot == VM_ACTION_RESTART ? "reset" : "shutdown", qemu_watchdog_action(config));

        if (config->kernel) {
                argv_add(argv, "-kernel", config->kernel);
                if (config->initrd)
                        argv_add(argv, "-initrd", config->initrd);
                if (config->cmdline)
                        argv_add(argv, "-append", config->cmdline);
        }
        if (config->loader && !vm_firmware_uses_pflash(&config->platform.firmware))
                argv_add(argv, "-bios", config->loader);
        qemu_platform_add_args(argv, config, cmdline->machine, params->nvram_fd, params->incoming != NULL);
        qemu_argv_add_sysinfo(argv, config);

        /* Without pvpanic a guest panic is indistinguishable from a reset; <panic model='isa'>
         * may place it (libvirt's ioport). */
        if (cmdline->machine != QEMU_MACHINE_MICROVM && config->panic.address.type == VM_ADDRESS_ISA)
                argv_add_printf(argv, "-device", "pvpanic,ioport=%" PRIu32, config->panic.address.iobase);
        else if (cmdline->machine != QEMU_MACHINE_MICROVM)
                argv_add(argv, "-device", "pvpanic");

        bool has_console = false;
        for (guint i = 0; i < config->devices->len; i++) {
                VmDeviceKind kind = ((const VmDevice *) config->devices->pdata[i])->kind;
                has_console |= kind == VM_DEVICE_SERIAL || kind == VM_DEVICE_CONSOLE;
        }
        /* Only virtio consoles: the first is OpenConsole's (qemu_argv_add_virtio_serial_ports()). */
        if (!has_console && params->console_fd >= 0) {
                argv_add_printf(argv, "-chardev", "socket,id=console,fd=%d,server=on,wait=off",
                                params->console_fd);
                argv_add(argv, "-serial", "chardev:console");
                cmdline->console_is_ours = true;
        }

        /* A root port per disk, plus spares for hot-plug (and the document's root ports); before
         * the disks that name them as their bus. */
        if (cmdline->machine == QEMU_MACHINE_Q35) {
                unsigned n_ports = QEMU_SPARE_HOTPLUG_PORTS;
                for (guint i = 0; i < config->devices->len; i++) {
                        const VmDevice *device = config->devices->pdata[i];
                        n_ports += device->kind == VM_DEVICE_DISK && device->disk.bus == VM_DISK_BUS_VIRTIO;
                }
                n_ports = qemu_root_ports_add_args(argv, config, n_ports);
                for (unsigned i = 0; i < n_ports; i++)
                        g_ptr_array_add(cmdline->port_owners, NULL);
        }

        /* <currentMemory> below <memory>, or <memballoon model='virtio'>: as libvirt, a balloon, whose
         * target is set once QEMU runs. */
        if (qemu_devices_want_balloon(config)) {
                JsonObject *o = json_object_new();
                json_object_set_string_member(o, "driver", qemu_virtio_driver(cmdline->machine, "balloon"));
                json_object_set_string_member(o, "id", "balloon0");
                if (config->memballoon.autodeflate)
                        json_object_set_boolean_member(o, "deflate-on-oom",
                                                       config->memballoon.autodeflate == VM_SWITCH_ON);
                if (config->memballoon.free_page_reporting)
                        json_object_set_boolean_member(o, "free-page-reporting",
                                                       config->memballoon.free_page_reporting == VM_SWITCH_ON);
                qemu_virtio_options_props(o, &config->memballoon.virtio);
                argv_add_json(argv, "-device", json_object_node(o));
        }

        if (!argv_add_devices(argv, cmdline, params, config, error))
                return NULL;
        qemu_display_add_args(argv, config);
        qemu_hostdev_add_usb_args(argv, config);
        qemu_argv_add_parallels(argv, config);
        qemu_argv_add_virtio_serial_ports(argv, cmdline, params, n_serial_ports(config) > 0);
        qemu_argv_add_watchdogs(argv, config);
        qemu_argv_add_tpm(argv, config, params->tpm_fd);
        qemu_argv_add_filesystems(argv, config);

        if (params->incoming)
                argv_add(argv, "-incoming", params->incoming);

        g_ptr_array_add(argv, NULL);
        cmdline->argv = (char **) g_ptr_array_free(g_steal_pointer(&argv), FALSE);
        cmdline->extra_env = qemu_display_environment(config);
        return g_steal_pointer(&cmdline);
}
