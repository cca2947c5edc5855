/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "vm-config.h"

static const char *const device_kind_names[_VM_DEVICE_KIND_MAX] = {
        [VM_DEVICE_DISK] = "disk",
        [VM_DEVICE_INTERFACE] = "interface",
        [VM_DEVICE_SERIAL] = "serial",
        [VM_DEVICE_CONSOLE] = "console",
        [VM_DEVICE_VSOCK] = "vsock",
        [VM_DEVICE_RNG] = "rng",
        [VM_DEVICE_HOSTDEV] = "hostdev",
        [VM_DEVICE_CONTROLLER] = "controller",
        [VM_DEVICE_CHANNEL] = "channel",
        [VM_DEVICE_WATCHDOG] = "watchdog",
        [VM_DEVICE_TPM] = "tpm",
        [VM_DEVICE_FILESYSTEM] = "filesystem",
        [VM_DEVICE_MEMORY] = "memory",
        [VM_DEVICE_PARALLEL] = "parallel",
};

/* Prefixes of ids the service assigns; short so that they fit QEMU's id rules. */
static const char *const device_id_prefixes[_VM_DEVICE_KIND_MAX] = {
        [VM_DEVICE_DISK] = "disk",
        [VM_DEVICE_INTERFACE] = "net",
        [VM_DEVICE_SERIAL] = "serial",
        [VM_DEVICE_CONSOLE] = "console",
        [VM_DEVICE_VSOCK] = "vsock",
        [VM_DEVICE_RNG] = "rng",
        [VM_DEVICE_HOSTDEV] = "hostdev",
        [VM_DEVICE_CONTROLLER] = "ctrl",
        [VM_DEVICE_CHANNEL] = "channel",
        [VM_DEVICE_WATCHDOG] = "watchdog",
        [VM_DEVICE_TPM] = "tpm",
        [VM_DEVICE_FILESYSTEM] = "fs",
        [VM_DEVICE_MEMORY] = "mem",
        [VM_DEVICE_PARALLEL] = "parallel",
};

void vm_disk_layers_free(VmDiskLayer *layers, unsigned n) {
        for (unsigned i = 0; i < n; i++) {
                g_free(layers[i].path);
                vm_disk_network_free(layers[i].network);
        }
        g_free(layers);
}

VmDiskLayer *vm_disk_layers_copy(const VmDiskLayer *layers, unsigned n) {
        VmDiskLayer *copy;

        if (!layers)
                return NULL;
        copy = g_memdup2(layers, n * sizeof(*layers));
        for (unsigned i = 0; i < n; i++) {
                copy[i].path = g_strdup(layers[i].path);
                copy[i].network = vm_disk_network_copy(layers[i].network);
        }
        return copy;
}

const char *vm_device_kind_to_string(VmDeviceKind kind) {
        g_return_val_if_fail(kind < _VM_DEVICE_KIND_MAX, NULL);
        return device_kind_names[kind];
}

void vm_disk_network_free(VmDiskNetwork *network) {
        if (!network)
                return;
        g_free(network->name);
        g_free(network->query);
        for (unsigned i = 0; i < network->n_hosts; i++) {
                g_free(network->hosts[i].name);
                g_free(network->hosts[i].port);
                g_free(network->hosts[i].socket);
        }
        g_free(network->snapshot);
        g_free(network->config);
        g_free(network->initiator);
        g_free(network);
}

VmDiskNetwork *vm_disk_network_copy(const VmDiskNetwork *network) {
        VmDiskNetwork *copy;

        if (!network)
                return NULL;
        copy = g_memdup2(network, sizeof(*network));
        copy->name = g_strdup(network->name);
        copy->query = g_strdup(network->query);
        for (unsigned i = 0; i < network->n_hosts; i++) {
                copy->hosts[i].name = g_strdup(network->hosts[i].name);
                copy->hosts[i].port = g_strdup(network->hosts[i].port);
                copy->hosts[i].socket = g_strdup(network->hosts[i].socket);
        }
        copy->snapshot = g_strdup(network->snapshot);
        copy->config = g_strdup(network->config);
        copy->initiator = g_strdup(network->initiator);
        return copy;
}

static void char_clear(VmChar *chr) {
        g_free(chr->path);
        g_free(chr->host);
        g_free(chr->service);
        g_free(chr->bind_host);
        g_free(chr->bind_service);
        g_free(chr->log_file);
}

static void char_copy_strings(VmChar *copy, const VmChar *chr) {
        copy->path = g_strdup(chr->path);
        copy->host = g_strdup(chr->host);
        copy->service = g_strdup(chr->service);
        copy->bind_host = g_strdup(chr->bind_host);
        copy->bind_service = g_strdup(chr->bind_service);
        copy->log_file = g_strdup(chr->log_file);
}

VmDevice *vm_device_new(VmDeviceKind kind) {
        VmDevice *device = g_new0(VmDevice, 1);
        device->kind = kind;
        return device;
}

void vm_interface_extra_free(VmInterfaceExtra *extra) {
        if (!extra)
                return;
        g_free(extra->rom_file);
        g_free(extra->user_ipv4);
        g_free(extra->user_ipv6);
        g_free(extra->socket_address);
        g_free(extra->local_address);
        g_free(extra);
}

VmInterfaceExtra *vm_interface_extra_copy(const VmInterfaceExtra *extra) {
        VmInterfaceExtra *copy;

        if (!extra)
                return NULL;
        copy = g_memdup2(extra, sizeof(*extra));
        copy->rom_file = g_strdup(extra->rom_file);
        copy->user_ipv4 = g_strdup(extra->user_ipv4);
        copy->user_ipv6 = g_strdup(extra->user_ipv6);
        copy->socket_address = g_strdup(extra->socket_address);
        copy->local_address = g_strdup(extra->local_address);
        return copy;
}

void vm_device_free(VmDevice *device) {
        if (!device)
                return;
        switch (device->kind) {
        case VM_DEVICE_DISK:
                g_free(device->disk.path);
                g_free(device->disk.target_dev);
                g_free(device->disk.serial);
                vm_disk_network_free(device->disk.network);
                vm_disk_layers_free(device->disk.backing, device->disk.n_backing);
                if (device->disk.iotune)
                        g_free(device->disk.iotune->group_name);
                g_free(device->disk.iotune);
                g_free(device->disk.vendor);
                g_free(device->disk.product);
                break;
        case VM_DEVICE_INTERFACE:
                g_free(device->net.target_dev);
                g_free(device->net.mac);
                g_free(device->net.source);
                g_free(device->net.bridge);
                vm_interface_extra_free(device->net.extra);
                break;
        case VM_DEVICE_SERIAL:
        case VM_DEVICE_CONSOLE:
        case VM_DEVICE_PARALLEL:
                char_clear(&device->chr);
                break;
        case VM_DEVICE_CHANNEL:
                g_free(device->channel.name);
                char_clear(&device->channel.chr);
                break;
        case VM_DEVICE_RNG:
                g_free(device->rng.backend);
                if (device->rng.egd)
                        char_clear(device->rng.egd);
                g_free(device->rng.egd);
                break;
        case VM_DEVICE_FILESYSTEM:
                g_free(device->fs.source);
                g_free(device->fs.target);
                break;
        case VM_DEVICE_MEMORY:
                g_free(device->mem.path);
                break;
        case VM_DEVICE_HOSTDEV:
                vm_disk_network_free(device->hostdev.scsi_iscsi);
                break;
        case VM_DEVICE_VSOCK:
        case VM_DEVICE_CONTROLLER:
        case VM_DEVICE_WATCHDOG:
        case VM_DEVICE_TPM:
        case _VM_DEVICE_KIND_MAX:
                break;
        }
        g_free(device->id);
        g_free(device);
}

VmDevice *vm_device_copy(const VmDevice *device) {
        VmDevice *copy = g_memdup2(device, sizeof(*device));

        copy->id = g_strdup(device->id);
        switch (device->kind) {
        case VM_DEVICE_DISK:
                copy->disk.path = g_strdup(device->disk.path);
                copy->disk.target_dev = g_strdup(device->disk.target_dev);
                copy->disk.serial = g_strdup(device->disk.serial);
                copy->disk.network = vm_disk_network_copy(device->disk.network);
                copy->disk.backing = vm_disk_layers_copy(device->disk.backing, device->disk.n_backing);
                if (device->disk.iotune) {
                        copy->disk.iotune = g_memdup2(device->disk.iotune, sizeof(*device->disk.iotune));
                        copy->disk.iotune->group_name = g_strdup(device->disk.iotune->group_name);
                }
                copy->disk.vendor = g_strdup(device->disk.vendor);
                copy->disk.product = g_strdup(device->disk.product);
                break;
        case VM_DEVICE_INTERFACE:
                copy->net.target_dev = g_strdup(device->net.target_dev);
                copy->net.mac = g_strdup(device->net.mac);
                copy->net.source = g_strdup(device->net.source);
                copy->net.bridge = g_strdup(device->net.bridge);
                copy->net.extra = vm_interface_extra_copy(device->net.extra);
                break;
        case VM_DEVICE_SERIAL:
        case VM_DEVICE_CONSOLE:
        case VM_DEVICE_PARALLEL:
                char_copy_strings(&copy->chr, &device->chr);
                break;
        case VM_DEVICE_CHANNEL:
                copy->channel.name = g_strdup(device->channel.name);
                char_copy_strings(&copy->channel.chr, &device->channel.chr);
                break;
        case VM_DEVICE_RNG:
                copy->rng.backend = g_strdup(device->rng.backend);
                if (device->rng.egd) {
                        copy->rng.egd = g_memdup2(device->rng.egd, sizeof(*device->rng.egd));
                        char_copy_strings(copy->rng.egd, device->rng.egd);
                }
                break;
        case VM_DEVICE_FILESYSTEM:
                copy->fs.source = g_strdup(device->fs.source);
                copy->fs.target = g_strdup(device->fs.target);
                break;
        case VM_DEVICE_MEMORY:
                copy->mem.path = g_strdup(device->mem.path);
                break;
        case VM_DEVICE_HOSTDEV:
                copy->hostdev.scsi_iscsi = vm_disk_network_copy(device->hostdev.scsi_iscsi);
                break;
        case VM_DEVICE_VSOCK:
        case VM_DEVICE_CONTROLLER:
        case VM_DEVICE_WATCHDOG:
        case VM_DEVICE_TPM:
        case _VM_DEVICE_KIND_MAX:
                break;
        }
        return copy;
}

VmConfig *vm_config_new(void) {
        VmConfig *config = g_new0(VmConfig, 1);

        config->type = VM_DOMAIN_KVM;
        config->vcpus = 1;
        config->max_vcpus = 1;
        config->on_poweroff = VM_ACTION_DESTROY;
        config->on_reboot = VM_ACTION_RESTART;
        config->on_crash = VM_ACTION_DESTROY;
        config->devices = g_ptr_array_new_with_free_func((GDestroyNotify) vm_device_free);
        return config;
}

void vm_config_free(VmConfig *config) {
        if (!config)
                return;
        g_free(config->name);
        g_free(config->title);
        g_free(config->description);
        g_free(config->metadata);
        g_free(config->arch);
        g_free(config->machine);
        g_free(config->kernel);
        g_free(config->initrd);
        g_free(config->cmdline);
        g_free(config->loader);
        vm_platform_clear(&config->platform);
        if (config->display)
                vm_display_clear(config->display);
        g_free(config->display);
        vm_sysinfo_free(config->sysinfo);
        g_free(config->emulator);
        g_ptr_array_unref(config->devices);
        g_free(config);
}

VmConfig *vm_config_copy(const VmConfig *config) {
        VmConfig *copy = g_memdup2(config, sizeof(*config));

        copy->name = g_strdup(config->name);
        copy->title = g_strdup(config->title);
        copy->description = g_strdup(config->description);
        copy->metadata = g_strdup(config->metadata);
        copy->arch = g_strdup(config->arch);
        copy->machine = g_strdup(config->machine);
        copy->kernel = g_strdup(config->kernel);
        copy->initrd = g_strdup(config->initrd);
        copy->cmdline = g_strdup(config->cmdline);
        copy->loader = g_strdup(config->loader);
        vm_platform_copy(&copy->platform, &config->platform);
        copy->sysinfo = vm_sysinfo_copy(config->sysinfo);
        copy->display = NULL;
        if (config->display) {
                copy->display = g_new(VmDisplay, 1);
                vm_display_copy(copy->display, config->display);
        }
        copy->emulator = g_strdup(config->emulator);
        copy->devices = g_ptr_array_new_full(config->devices->len, (GDestroyNotify) vm_device_free);
        for (guint i = 0; i < config->devices->len; i++)
                g_ptr_array_add(copy->devices, vm_device_copy(g_ptr_array_index(config->devices, i)));
        return copy;
}

const VmDisplay *vm_config_display(const VmConfig *config) {
        static const VmDisplay none;

        return config->display ? config->display : &none;
}

VmDisplay *vm_config_ensure_display(VmConfig *config) {
        if (!config->display)
                config->display = g_new0(VmDisplay, 1);
        return config->display;
}

bool vm_config_machine_is_q35(const VmConfig *config) {
        const char *machine = config->machine;
        return !machine || g_str_equal(machine, "q35") || g_str_has_prefix(machine, "pc-q35-");
}

const VmDevice *vm_config_find_kind(const VmConfig *config, VmDeviceKind kind) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind == kind)
                        return device;
        }
        return NULL;
}

VmDevice *vm_config_find_device(const VmConfig *config, const char *id) {
        for (guint i = 0; i < config->devices->len; i++) {
                VmDevice *device = g_ptr_array_index(config->devices, i);
                if (g_strcmp0(device->id, id) == 0)
                        return device;
        }
        return NULL;
}

/* The ids in config, as a set of strings it owns. */
static GHashTable *device_id_set(const VmConfig *config) {
        GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);

        for (guint i = 0; i < config->devices->len; i++) {
                VmDevice *device = g_ptr_array_index(config->devices, i);
                if (device->id)
                        g_hash_table_add(ids, device->id);
        }
        return ids;
}

/* The first "<prefix><n>" not in ids, trying n from *next on, which moves past it:
 * over all calls for one kind, each n is tried once. */
static char *first_free_device_id(GHashTable *ids, VmDeviceKind kind, unsigned *next) {
        for (;; (*next)++) {
                g_autofree char *id = g_strdup_printf("%s%u", device_id_prefixes[kind], *next);
                if (!g_hash_table_contains(ids, id)) {
                        (*next)++;
                        return g_steal_pointer(&id);
                }
        }
}

char *vm_config_new_device_id(const VmConfig *config, VmDeviceKind kind) {
        g_autoptr(GHashTable) ids = device_id_set(config);
        unsigned next = 0;

        return first_free_device_id(ids, kind, &next);
}

void vm_config_assign_device_ids(VmConfig *config) {
        g_autoptr(GHashTable) ids = device_id_set(config);
        unsigned next[_VM_DEVICE_KIND_MAX] = { 0 };

        for (guint i = 0; i < config->devices->len; i++) {
                VmDevice *device = g_ptr_array_index(config->devices, i);
                if (device->id)
                        continue;
                device->id = first_free_device_id(ids, device->kind, &next[device->kind]);
                g_hash_table_add(ids, device->id);
        }
}

uint32_t vm_disk_name_index(const char *dev) {
        uint32_t index = 0;

        if (!dev || strlen(dev) < 3)
                return 0;
        for (const char *p = dev + 2; *p >= 'a' && *p <= 'z' && index < 0xffff; p++)
                index = index * 26 + (uint32_t) (*p - 'a') + (p == dev + 2 ? 0 : 26);
        return index;
}

void vm_scsi_disk_address(const VmDevice *device, VmAddress *ret) {
        if (device->address.type == VM_ADDRESS_DRIVE) {
                *ret = device->address;
                return;
        }
        *ret = (VmAddress) { .type = VM_ADDRESS_DRIVE };
        ret->controller = vm_disk_name_index(device->disk.target_dev) / 7;
        ret->unit = vm_disk_name_index(device->disk.target_dev) % 7;
}

const VmDevice *vm_config_scsi_address_user(const VmConfig *config, const VmDevice *skip, uint32_t controller,
                                            uint32_t bus, uint32_t target, uint32_t unit) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                VmAddress address;

                if (device == skip)
                        continue;
                if (device->kind == VM_DEVICE_DISK && device->disk.bus == VM_DISK_BUS_SCSI)
                        vm_scsi_disk_address(device, &address);
                else if (device->kind == VM_DEVICE_HOSTDEV && device->hostdev.type == VM_HOSTDEV_SCSI &&
                         device->address.type == VM_ADDRESS_DRIVE)
                        address = device->address;
                else
                        continue;
                if (address.controller == controller && address.bus == bus && address.target == target &&
                    address.unit == unit)
                        return device;
        }
        return NULL;
}

/* The model of SCSI controller index, as the document writes it (VM_CONTROLLER_MODEL_DEFAULT: none). */
static VmControllerModel scsi_model_written(const VmConfig *config, uint32_t index) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind == VM_DEVICE_CONTROLLER && device->controller.type == VM_CONTROLLER_SCSI &&
                    device->controller.index == index)
                        return device->controller.model;
        }
        return VM_CONTROLLER_MODEL_DEFAULT;
}

void vm_config_assign_scsi_hostdev_addresses(VmConfig *config) {
        for (guint i = 0; i < config->devices->len; i++) {
                VmDevice *device = config->devices->pdata[i];
                bool found = false;

                if (device->kind != VM_DEVICE_HOSTDEV || device->hostdev.type != VM_HOSTDEV_SCSI ||
                    device->address.type != VM_ADDRESS_NONE)
                        continue;
                /* Every device takes at most one unit: the search ends past as many controllers. */
                for (uint32_t controller = 0; !found; controller++) {
                        /* libvirt's limit of a mptsas1068: units 0 and 1. */
                        uint32_t units = scsi_model_written(config, controller) == VM_CONTROLLER_MODEL_LSISAS1068 ? 2 : 7;
                        for (uint32_t unit = 0; unit < units && !found; unit++) {
                                if (vm_config_scsi_address_user(config, device, controller, 0, 0, unit))
                                        continue;
                                device->address = (VmAddress) { .type = VM_ADDRESS_DRIVE, .controller = controller,
                                                                .unit = unit };
                                found = true;
                        }
                }
        }
}

bool vm_name_is_valid(const char *name) {
        size_t n;

        if (!name)
                return false;
        n = strlen(name);
        if (n < 1 || n > VM_NAME_MAX)
                return false;
        if (name[0] == '.' || name[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!g_ascii_isalnum(name[i]) && !strchr("_.+-", name[i]))
                        return false;
        return true;
}

bool vm_uuid_is_valid(const char *uuid) {
        return uuid && strlen(uuid) == VM_UUID_STRING_LEN && g_uuid_string_is_valid(uuid);
}
