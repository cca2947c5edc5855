/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The JSON follows cloud-hypervisor's serde types (vmm/src/vm_config.rs). Only
 * what the VM description says is written; cloud-hypervisor fills in the rest
 * with its defaults (unknown fields would be ignored, missing ones defaulted).
 */

#include <string.h>

#include "ch-config.h"
#include "hv-error.h"

static bool ch_id_is_valid(const char *id) {
        /* Ids starting with "__" are cloud-hypervisor's own (__console, __rng). */
        return id && *id && !g_str_has_prefix(id, "__") && strlen(id) <= 64;
}

/* What it boots: a kernel or a firmware, one of them. */
static void check_boot(const VmConfig *config, VmProblems *problems) {
        unsigned line = config->lines.os;

        /* An <os> the reader refused in part may have had them. */
        if (vm_problems_config_partial(problems))
                return;
        if (!config->kernel && !config->loader)
                vm_problems_add(problems, line, HV_ERROR_INVALID_ARGUMENT,
                                "The cloud-hypervisor engine needs a <kernel> or a <loader>");
        if (config->kernel && config->loader)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "The cloud-hypervisor engine boots either a <kernel> or a <loader>, not both");
        if (config->initrd && !config->kernel)
                vm_problems_add(problems, line, HV_ERROR_INVALID_ARGUMENT, "An <initrd> needs a <kernel>");
}

/* A <serial> or <console>: one of each, with its path; the console not on a socket. */
static void check_char(const VmDevice *device, unsigned *count, VmProblems *problems) {
        const char *kind = vm_device_kind_to_string(device->kind);

        if (++*count == 2)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "cloud-hypervisor has one <%s>, not more", kind);
        /* Its serial port and console have a pty, a file or (serial) a socket it listens on. */
        if (device->chr.type != VM_CHAR_PTY && device->chr.type != VM_CHAR_FILE && device->chr.type != VM_CHAR_UNIX)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "<%s type='%s'> is not supported by the cloud-hypervisor engine", kind,
                                device->chr.type == VM_CHAR_TCP    ? "tcp"
                                : device->chr.type == VM_CHAR_UDP  ? "udp"
                                : device->chr.type == VM_CHAR_DEV  ? "dev"
                                : device->chr.type == VM_CHAR_PIPE ? "pipe"
                                : device->chr.type == VM_CHAR_NULL ? "null"
                                : device->chr.type == VM_CHAR_VC   ? "vc"
                                                                   : "stdio");
        if (device->chr.target.type == VM_CHAR_TARGET_PCI_SERIAL || device->chr.target.type == VM_CHAR_TARGET_ISA_DEBUG)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "<%s><target type='%s'> is not supported by the cloud-hypervisor engine", kind,
                                device->chr.target.type == VM_CHAR_TARGET_PCI_SERIAL ? "pci-serial" : "isa-debug");
        if ((device->chr.type == VM_CHAR_UNIX && device->chr.connect) || device->chr.append || device->chr.log_file)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "<%s>: %s is not supported by the cloud-hypervisor engine", kind,
                                device->chr.log_file ? "<log>"
                                : device->chr.append ? "<source append>"
                                                     : "<source mode='connect'>");
        if (device->kind == VM_DEVICE_CONSOLE && device->chr.type == VM_CHAR_UNIX)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "<console type='unix'> is not supported by the cloud-hypervisor engine; use "
                                "<serial type='unix'>");
}

static void check_vsock(const VmDevice *device, unsigned *count, VmProblems *problems) {
        if (++*count == 2)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "cloud-hypervisor has one <vsock>, not more");
        if (!device->vsock.cid_auto && device->vsock.cid < 3)
                vm_problems_add(problems, device->line, HV_ERROR_INVALID_ARGUMENT,
                                "<vsock> needs a guest cid of 3 or more, not %u", device->vsock.cid);
}

static void check_rng(const VmDevice *device, unsigned *count, VmProblems *problems) {
        if (++*count == 2)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "cloud-hypervisor has one <rng>, not more");
        /* Its virtio-rng reads a file; it has no chardev for an EGD daemon. */
        if (device->rng.egd)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "<rng><backend model='egd'> is not supported by the cloud-hypervisor engine (its "
                                "virtio-rng reads a file only)");
        /* Its virtio-rng has no rate limit. */
        if (device->rng.rate_bytes)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "<rng><rate> is not supported by the cloud-hypervisor engine (its virtio-rng has no "
                                "rate limit)");
        /* off is what cloud-hypervisor's virtio-rng does; on is not asked of it. */
        if (vm_virtio_options_on(&device->rng.virtio))
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "<rng><driver iommu|ats|packed='on'/> is not supported by the cloud-hypervisor "
                                "engine");
}

static void check_config(const VmConfig *config, VmProblems *problems) {
        unsigned n_serial = 0, n_console = 0, n_vsock = 0, n_rng = 0;

        if (config->type == VM_DOMAIN_QEMU)
                vm_problems_add(problems, config->lines.domain, HV_ERROR_NOT_SUPPORTED,
                                "<domain type='qemu'> (software emulation) is not supported by the "
                                "cloud-hypervisor engine; it always uses KVM (<domain type='kvm'>)");
        if (config->arch && !g_str_equal(config->arch, "x86_64"))
                vm_problems_add(problems, config->lines.os_type, HV_ERROR_NOT_SUPPORTED,
                                "Architecture '%s' is not supported by the cloud-hypervisor engine (x86_64)",
                                config->arch);
        if (config->machine)
                vm_problems_add(problems, config->lines.os_type, HV_ERROR_NOT_SUPPORTED,
                                "<type machine='%s'> is not supported by the cloud-hypervisor engine, which has one "
                                "machine type",
                                config->machine);
        check_boot(config, problems);

        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];

                if (device->id && !ch_id_is_valid(device->id))
                        vm_problems_add(problems, device->line, HV_ERROR_INVALID_ARGUMENT,
                                        "Device id '%s' is not usable by cloud-hypervisor (1-64 characters, not "
                                        "starting with '__')",
                                        device->id);
                switch (device->kind) {
                case VM_DEVICE_INTERFACE:
                        ch_check_interface(device, problems);
                        break;
                case VM_DEVICE_SERIAL:
                        check_char(device, &n_serial, problems);
                        break;
                case VM_DEVICE_CONSOLE:
                        check_char(device, &n_console, problems);
                        break;
                case VM_DEVICE_VSOCK:
                        check_vsock(device, &n_vsock, problems);
                        break;
                case VM_DEVICE_RNG:
                        check_rng(device, &n_rng, problems);
                        break;
                default:
                        break;
                }
        }
}

void ch_refuse(VmProblems *problems, unsigned line, const char *what) {
        vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED, "%s is not supported by the cloud-hypervisor engine",
                        what);
}

void ch_config_problems(const VmConfig *config, VmProblems *problems) {
        check_config(config, problems);
        ch_platform_check(config, problems);
        ch_display_check(config, problems);
        ch_devices_check(config, problems);
}

bool ch_config_check(const VmConfig *config, GError **error) {
        g_autoptr(VmProblems) problems = vm_problems_new();

        ch_config_problems(config, problems);
        return vm_problems_report(problems, error);
}

static void add_string(JsonBuilder *b, const char *name, const char *value) {
        if (!value)
                return;
        json_builder_set_member_name(b, name);
        json_builder_add_string_value(b, value);
}

static void add_int(JsonBuilder *b, const char *name, gint64 value) {
        json_builder_set_member_name(b, name);
        json_builder_add_int_value(b, value);
}

static void add_bool(JsonBuilder *b, const char *name, bool value) {
        json_builder_set_member_name(b, name);
        json_builder_add_boolean_value(b, value);
}

static void build_disk(JsonBuilder *b, const VmDevice *device) {
        json_builder_begin_object(b);
        add_string(b, "path", device->disk.path);
        add_bool(b, "readonly", device->disk.readonly);
        add_string(b, "image_type", device->disk.format == VM_DISK_FORMAT_QCOW2 ? "Qcow2" : "Raw");
        add_string(b, "serial", device->disk.serial);
        /* <driver queues queue_size>: its virtio-blk's num_queues and queue_size, as QEMU's. */
        if (device->disk.driver.queues)
                add_int(b, "num_queues", device->disk.driver.queues);
        if (device->disk.driver.queue_size)
                add_int(b, "queue_size", device->disk.driver.queue_size);
        add_string(b, "id", device->id);
        json_builder_end_object(b);
}

/* The tap fds travel separately (SCM_RIGHTS); numbers in the body would be ignored. */
static void build_net(JsonBuilder *b, const VmDevice *device) {
        json_builder_begin_object(b);
        add_string(b, "mac", device->net.mac);
        add_string(b, "id", device->id);
        json_builder_end_object(b);
}

static void build_vsock(JsonBuilder *b, const VmDevice *device, const char *runtime_dir) {
        g_autofree char *socket = g_build_filename(runtime_dir, CH_VSOCK_SOCKET_NAME, NULL);
        json_builder_begin_object(b);
        add_int(b, "cid", device->vsock.cid);
        add_string(b, "socket", socket);
        add_string(b, "id", device->id);
        json_builder_end_object(b);
}

static void build_hostdev(JsonBuilder *b, const VmDevice *device) {
        g_autofree char *path = g_strdup_printf("/sys/bus/pci/devices/%04x:%02x:%02x.%x/", device->hostdev.domain,
                                                device->hostdev.bus, device->hostdev.slot, device->hostdev.function);
        json_builder_begin_object(b);
        add_string(b, "path", path);
        add_string(b, "id", device->id);
        json_builder_end_object(b);
}

char *ch_config_serial_socket(const VmConfig *config, const char *runtime_dir) {
        const VmDevice *serial = vm_config_find_kind(config, VM_DEVICE_SERIAL);
        if (!serial || serial->chr.type == VM_CHAR_PTY)
                return g_build_filename(runtime_dir, CH_ENGINE_DIR_NAME, CH_SERIAL_SOCKET_NAME, NULL);
        if (serial->chr.type == VM_CHAR_UNIX)
                return g_strdup(serial->chr.path);
        return NULL;
}

/* The serial port is always reachable for OpenConsole: a pty is served as a
 * socket of ours (cloud-hypervisor listens on it), since a socket needs no pty
 * path to be learned afterwards and survives a daemon restart. */
static void build_serial(JsonBuilder *b, const VmConfig *config, const char *runtime_dir) {
        const VmDevice *serial = vm_config_find_kind(config, VM_DEVICE_SERIAL);
        json_builder_set_member_name(b, "serial");
        json_builder_begin_object(b);
        if (serial && serial->chr.type == VM_CHAR_FILE) {
                add_string(b, "mode", "File");
                add_string(b, "file", serial->chr.path);
        } else {
                g_autofree char *socket = ch_config_serial_socket(config, runtime_dir);
                add_string(b, "mode", "Socket");
                add_string(b, "socket", socket);
        }
        json_builder_end_object(b);
}

/* virtio-console: off unless asked for (its default, Tty, would write into our log). */
static void build_console(JsonBuilder *b, const VmConfig *config) {
        const VmDevice *console = vm_config_find_kind(config, VM_DEVICE_CONSOLE);
        json_builder_set_member_name(b, "console");
        json_builder_begin_object(b);
        if (!console)
                add_string(b, "mode", "Off");
        else if (console->chr.type == VM_CHAR_FILE) {
                add_string(b, "mode", "File");
                add_string(b, "file", console->chr.path);
        } else
                add_string(b, "mode", "Pty");
        if (console)
                add_string(b, "id", console->id);
        json_builder_end_object(b);
}

static void build_list(JsonBuilder *b, const VmConfig *config, VmDeviceKind kind, const char *name) {
        if (!vm_config_find_kind(config, kind))
                return;
        json_builder_set_member_name(b, name);
        json_builder_begin_array(b);
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind != kind)
                        continue;
                if (kind == VM_DEVICE_DISK)
                        build_disk(b, device);
                else
                        build_hostdev(b, device);
        }
        json_builder_end_array(b);
}

JsonNode *ch_config_build_vm(const VmConfig *config, const char *runtime_dir, GError **error) {
        if (!ch_config_check(config, error))
                return NULL;

        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);

        json_builder_set_member_name(b, "cpus");
        json_builder_begin_object(b);
        unsigned boot = MAX(config->vcpus, 1u);
        add_int(b, "boot_vcpus", boot);
        add_int(b, "max_vcpus", MAX(config->max_vcpus, boot));
        json_builder_end_object(b);

        /* memory.size is what the guest boots with; the rest up to <memory> can be
         * hot-plugged (ACPI), which is what <currentMemory> below <memory> means. */
        uint64_t current = config->current_memory ? MIN(config->current_memory, config->memory) : config->memory;
        json_builder_set_member_name(b, "memory");
        json_builder_begin_object(b);
        add_int(b, "size", (gint64) current);
        if (config->memory > current)
                add_int(b, "hotplug_size", (gint64) (config->memory - current));
        json_builder_end_object(b);

        json_builder_set_member_name(b, "payload");
        json_builder_begin_object(b);
        add_string(b, "kernel", config->kernel);
        add_string(b, "firmware", config->loader);
        add_string(b, "initramfs", config->initrd);
        add_string(b, "cmdline", config->cmdline);
        json_builder_end_object(b);

        build_list(b, config, VM_DEVICE_DISK, "disks");

        const VmDevice *rng = vm_config_find_kind(config, VM_DEVICE_RNG);
        json_builder_set_member_name(b, "rng");
        json_builder_begin_object(b);
        add_string(b, "src", rng && rng->rng.backend ? rng->rng.backend : "/dev/urandom");
        json_builder_end_object(b);

        build_serial(b, config, runtime_dir);
        build_console(b, config);

        const VmDevice *vsock = vm_config_find_kind(config, VM_DEVICE_VSOCK);
        if (vsock) {
                json_builder_set_member_name(b, "vsock");
                build_vsock(b, vsock, runtime_dir);
        }
        build_list(b, config, VM_DEVICE_HOSTDEV, "devices");

        /* <memballoon model='virtio'>: its balloon, empty at boot (<currentMemory> is hot-plug here). */
        if (config->memballoon.model == VM_MEMBALLOON_VIRTIO) {
                json_builder_set_member_name(b, "balloon");
                json_builder_begin_object(b);
                add_int(b, "size", 0);
                /* autodeflate and freePageReporting: its deflate_on_oom and free_page_reporting (off
                 * by default there, as in QEMU). */
                if (config->memballoon.autodeflate == VM_SWITCH_ON)
                        add_bool(b, "deflate_on_oom", true);
                if (config->memballoon.free_page_reporting == VM_SWITCH_ON)
                        add_bool(b, "free_page_reporting", true);
                json_builder_end_object(b);
        }

        ch_sysinfo_build(b, config);

        /* Without it a guest panic goes unnoticed: the pvpanic device reports it. */
        add_bool(b, "pvpanic", true);

        json_builder_end_object(b);
        return json_builder_get_root(b);
}

const char *ch_config_add_endpoint(VmDeviceKind kind) {
        switch (kind) {
        case VM_DEVICE_DISK:
                return "vm.add-disk";
        case VM_DEVICE_INTERFACE:
                return "vm.add-net";
        case VM_DEVICE_VSOCK:
                return "vm.add-vsock";
        case VM_DEVICE_HOSTDEV:
                return "vm.add-device";
        default:
                return NULL;
        }
}

JsonNode *ch_config_build_device(const VmDevice *device, const char *runtime_dir, GError **error) {
        if (!ch_config_add_endpoint(device->kind)) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                            "cloud-hypervisor cannot hot-plug a <%s>", vm_device_kind_to_string(device->kind));
                return NULL;
        }
        if (!ch_id_is_valid(device->id)) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                            "Device id '%s' is not usable by cloud-hypervisor", device->id ? device->id : "");
                return NULL;
        }
        /* Its add-device takes a PCI function's sysfs path only. */
        if (device->kind == VM_DEVICE_HOSTDEV && device->hostdev.type == VM_HOSTDEV_SCSI) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                            "<hostdev type='scsi'> (it has no SCSI controller) is not supported by the "
                            "cloud-hypervisor engine");
                return NULL;
        }
        if (device->kind == VM_DEVICE_INTERFACE) {
                g_autoptr(VmProblems) problems = vm_problems_new();
                ch_check_interface(device, problems);
                if (!vm_problems_report(problems, error))
                        return NULL;
        }

        g_autoptr(JsonBuilder) b = json_builder_new();
        switch (device->kind) {
        case VM_DEVICE_DISK:
                build_disk(b, device);
                break;
        case VM_DEVICE_INTERFACE:
                build_net(b, device);
                break;
        case VM_DEVICE_VSOCK:
                build_vsock(b, device, runtime_dir);
                break;
        default:
                build_hostdev(b, device);
                break;
        }
        return json_builder_get_root(b);
}

char *ch_json_to_string(JsonNode *node, bool pretty) {
        g_autoptr(JsonGenerator) generator = json_generator_new();
        json_generator_set_root(generator, node);
        json_generator_set_pretty(generator, pretty);
        return json_generator_to_data(generator, NULL);
}
