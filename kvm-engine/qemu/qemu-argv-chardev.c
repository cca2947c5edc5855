/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The QEMU side of character devices: the -chardev of a backend as libvirt's QEMU driver
 * writes it (qemuBuildChardevStr) with the path, device or address of the document (QEMU,
 * running as the VM's owner, opens it), the <parallel> ports (isa-parallel), the virtio
 * consoles (virtconsole) and the virtio-serial ports of <channel> (virtserialport), with the
 * port numbers libvirt gives them and the virtio-serial controllers it adds.
 */

#include <string.h>

#include "hv-error.h"
#include "qemu-argv.h"
#include "vm-problems.h"

#define VIRTIO_SERIAL_PORTS 31 /* virtio-serial-pci's max_ports default */

static void append_reconnect(GString *s, const VmChar *chr) {
        if (chr->reconnect == VM_SWITCH_ON)
                g_string_append_printf(s, ",reconnect=%u", chr->reconnect_timeout);
        else if (chr->reconnect == VM_SWITCH_OFF)
                g_string_append(s, ",reconnect=0");
}

char *qemu_chardev_arg(const VmChar *chr, const char *id, bool parallel) {
        g_autofree char *path = chr->path ? qemu_escape_opt(chr->path) : NULL;
        GString *s = g_string_new(NULL);

        switch (chr->type) {
        case VM_CHAR_PTY:
                g_string_append_printf(s, "pty,id=%s", id);
                break;
        case VM_CHAR_NULL:
                g_string_append_printf(s, "null,id=%s", id);
                break;
        case VM_CHAR_VC:
                g_string_append_printf(s, "vc,id=%s", id);
                break;
        case VM_CHAR_STDIO:
                g_string_append_printf(s, "stdio,id=%s", id);
                break;
        case VM_CHAR_DEV:
                g_string_append_printf(s, "%s,id=%s,path=%s", parallel ? "parallel" : "serial", id, path);
                break;
        case VM_CHAR_PIPE:
                g_string_append_printf(s, "pipe,id=%s,path=%s", id, path);
                break;
        case VM_CHAR_FILE:
                /* Without append='on' QEMU truncates the file, as libvirt does. */
                g_string_append_printf(s, "file,id=%s,path=%s", id, path);
                if (chr->append)
                        g_string_append_printf(s, ",append=%s", chr->append == VM_SWITCH_ON ? "on" : "off");
                break;
        case VM_CHAR_UNIX:
                g_string_append_printf(s, "socket,id=%s,path=%s", id, path);
                if (!chr->connect)
                        g_string_append(s, ",server=on,wait=off");
                append_reconnect(s, chr);
                break;
        case VM_CHAR_TCP:
                g_string_append_printf(s, "socket,id=%s,host=%s,port=%s", id, chr->host, chr->service);
                if (chr->telnet)
                        g_string_append(s, ",telnet=on");
                if (!chr->connect)
                        g_string_append(s, ",server=on,wait=off");
                append_reconnect(s, chr);
                break;
        case VM_CHAR_UDP:
                g_string_append_printf(s, "udp,id=%s,host=%s,port=%s,localaddr=%s,localport=%s", id,
                                       chr->host ? chr->host : "", chr->service, chr->bind_host ? chr->bind_host : "",
                                       chr->bind_service ? chr->bind_service : "0");
                break;
        case _VM_CHAR_TYPE_MAX:
                g_assert_not_reached();
        }
        if (chr->log_file) {
                g_autofree char *log = qemu_escape_opt(chr->log_file);
                g_string_append_printf(s, ",logfile=%s", log);
                if (chr->log_append)
                        g_string_append_printf(s, ",logappend=%s", chr->log_append == VM_SWITCH_ON ? "on" : "off");
        }
        return g_string_free(s, FALSE);
}

bool qemu_chardev_is_virtio_console(const VmDevice *device) {
        return device->kind == VM_DEVICE_CONSOLE && device->chr.target.type == VM_CHAR_TARGET_VIRTIO;
}

static bool on_virtio_serial(const VmDevice *device) {
        return device->kind == VM_DEVICE_CHANNEL || qemu_chardev_is_virtio_console(device);
}

static uint32_t virtio_serial_index(const VmDevice *device) {
        return device->address.type == VM_ADDRESS_VIRTIO_SERIAL ? device->address.controller : 0;
}

static const VmDevice *find_virtio_serial(const VmConfig *config, uint32_t index) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind == VM_DEVICE_CONTROLLER && device->controller.type == VM_CONTROLLER_VIRTIO_SERIAL &&
                    device->controller.index == index)
                        return device;
        }
        return NULL;
}

/* The port a channel gets, as libvirt numbers them: its own, else the lowest free one from 1
 * on its controller, in the order of the document. 0: none free. */
static uint32_t channel_port(const VmConfig *config, const VmDevice *channel) {
        uint32_t index = virtio_serial_index(channel);
        bool used[VIRTIO_SERIAL_PORTS + 1] = {};

        if (channel->address.type == VM_ADDRESS_VIRTIO_SERIAL && channel->address.port)
                return channel->address.port;
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *other = config->devices->pdata[i];
                if (other->kind == VM_DEVICE_CHANNEL && virtio_serial_index(other) == index &&
                    other->address.type == VM_ADDRESS_VIRTIO_SERIAL && other->address.port &&
                    other->address.port <= VIRTIO_SERIAL_PORTS)
                        used[other->address.port] = true;
        }
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *other = config->devices->pdata[i];
                if (other->kind != VM_DEVICE_CHANNEL || virtio_serial_index(other) != index ||
                    (other->address.type == VM_ADDRESS_VIRTIO_SERIAL && other->address.port))
                        continue;
                uint32_t port = 1;
                while (port <= VIRTIO_SERIAL_PORTS && used[port])
                        port++;
                if (port > VIRTIO_SERIAL_PORTS)
                        return 0;
                if (other == channel)
                        return port;
                used[port] = true;
        }
        return 0;
}

void qemu_chardevs_check(const VmConfig *config, QemuMachineKind machine, VmProblems *problems) {
        unsigned n_agents = 0, n_parallel = 0, n_stdio = 0, n_virtio_consoles = 0;

        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                const VmChar *chr = device->kind == VM_DEVICE_CHANNEL ? &device->channel.chr : &device->chr;
                bool is_char = device->kind == VM_DEVICE_SERIAL || device->kind == VM_DEVICE_CONSOLE ||
                               device->kind == VM_DEVICE_PARALLEL ||
                               (device->kind == VM_DEVICE_CHANNEL && device->channel.target == VM_CHANNEL_VIRTIO);

                if (!is_char && device->kind != VM_DEVICE_CHANNEL)
                        continue;
                if (is_char && chr->type == VM_CHAR_STDIO && ++n_stdio == 2)
                        vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                        "<%s type='stdio'>: QEMU has one standard output for one chardev",
                                        vm_device_kind_to_string(device->kind));
                if (device->kind == VM_DEVICE_SERIAL && device->chr.target.type == VM_CHAR_TARGET_PCI_SERIAL &&
                    machine == QEMU_MACHINE_MICROVM)
                        vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                        "<serial><target type='pci-serial'> needs PCI, which the microvm "
                                        "machine has not");
                if (on_virtio_serial(device) && machine == QEMU_MACHINE_MICROVM)
                        vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                        "<%s> on virtio-serial needs PCI, which the microvm machine has not",
                                        vm_device_kind_to_string(device->kind));
                if (qemu_chardev_is_virtio_console(device) && ++n_virtio_consoles == VIRTIO_SERIAL_PORTS + 1)
                        vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                        "more than %u virtio <console>", VIRTIO_SERIAL_PORTS);
                if (device->kind == VM_DEVICE_PARALLEL) {
                        if (machine != QEMU_MACHINE_PC && machine != QEMU_MACHINE_Q35)
                                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                                "<parallel> needs an ISA bus, which this machine has not");
                        if (++n_parallel == 4)
                                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                                "more than 3 <parallel> ports (QEMU's ISA has 3)");
                }
                if (device->kind != VM_DEVICE_CHANNEL)
                        continue;
                if (device->channel.target == VM_CHANNEL_GUEST_AGENT && ++n_agents == 2)
                        vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                        "<channel> of the guest agent appears more than once");
                if (device->address.port > VIRTIO_SERIAL_PORTS || !channel_port(config, device))
                        vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                        "<channel>: no free port on virtio-serial controller %u (it has %u)",
                                        virtio_serial_index(device), VIRTIO_SERIAL_PORTS);
                for (guint j = 0; j < i; j++) {
                        const VmDevice *other = config->devices->pdata[j];
                        if (other->kind == VM_DEVICE_CHANNEL &&
                            virtio_serial_index(other) == virtio_serial_index(device) &&
                            channel_port(config, other) == channel_port(config, device)) {
                                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                                "two <channel> on port %u of virtio-serial controller %u",
                                                channel_port(config, device), virtio_serial_index(device));
                                break;
                        }
                }
        }
}

static void add_device_json(GPtrArray *argv, JsonObject *o) {
        JsonNode *node = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(node, o);
        g_ptr_array_add(argv, g_strdup("-device"));
        g_ptr_array_add(argv, json_to_string(node, FALSE));
        json_node_unref(node);
}

static void add_chardev(GPtrArray *argv, const VmChar *chr, const char *id, bool parallel) {
        g_ptr_array_add(argv, g_strdup("-chardev"));
        g_ptr_array_add(argv, qemu_chardev_arg(chr, id, parallel));
}

/* libvirt adds a virtio-serial controller for each index its consoles and channels use. */
void qemu_argv_add_virtio_serial_controllers(GPtrArray *argv, const VmConfig *config, int agent_fd) {
        g_autoptr(GArray) added = g_array_new(FALSE, FALSE, sizeof(uint32_t));

        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                uint32_t index = virtio_serial_index(device);
                bool seen = false;

                if (!on_virtio_serial(device) ||
                    (device->kind == VM_DEVICE_CHANNEL && device->channel.target == VM_CHANNEL_GUEST_AGENT &&
                     agent_fd <= 0) ||
                    find_virtio_serial(config, index))
                        continue;
                for (guint j = 0; j < added->len; j++)
                        seen |= g_array_index(added, uint32_t, j) == index;
                if (seen)
                        continue;
                g_array_append_val(added, index);
                JsonObject *o = json_object_new();
                g_autofree char *id = g_strdup_printf("virtio-serial%u", index);
                json_object_set_string_member(o, "driver", "virtio-serial-pci");
                json_object_set_string_member(o, "id", id);
                add_device_json(argv, o);
        }
}

/*
 * The channels and virtio consoles, each in the document's order. The guest agent's chardev is the
 * service's listening socket in the VM's runtime folder, passed by descriptor; the first virtio
 * console, when the VM has no serial port, is what OpenConsole reaches: a pty there is the
 * service's socket too (params->console_fd).
 */
void qemu_argv_add_virtio_serial_ports(GPtrArray *argv, QemuCommandLine *cmdline, const QemuArgvParams *params,
                                       bool console_taken) {
        const VmConfig *config = params->config;

        /* As libvirt: the channels, then the consoles, which QEMU gives the free ports (port 0
         * to the first). */
        for (guint n = 0; n < 2 * config->devices->len; n++) {
                const VmDevice *device = config->devices->pdata[n % config->devices->len];
                bool consoles = n >= config->devices->len;
                g_autofree char *chardev = NULL;
                JsonObject *o;

                if (!on_virtio_serial(device) || qemu_chardev_is_virtio_console(device) != consoles)
                        continue;
                chardev = g_strconcat("char", device->id, NULL);
                if (consoles) {
                        if (!console_taken && device->chr.type == VM_CHAR_PTY && params->console_fd >= 0) {
                                g_ptr_array_add(argv, g_strdup("-chardev"));
                                g_ptr_array_add(argv, g_strdup_printf("socket,id=%s,fd=%d,server=on,wait=off", chardev,
                                                                      params->console_fd));
                                cmdline->console_is_ours = true;
                        } else {
                                add_chardev(argv, &device->chr, chardev, false);
                                if (!console_taken && device->chr.type == VM_CHAR_UNIX && !device->chr.connect)
                                        cmdline->console_socket = g_strdup(device->chr.path);
                        }
                        console_taken = true;
                        o = json_object_new();
                        json_object_set_string_member(o, "driver", "virtconsole");
                        json_object_set_string_member(o, "chardev", chardev);
                        json_object_set_string_member(o, "id", device->id);
                        add_device_json(argv, o);
                        continue;
                }
                if (device->channel.target == VM_CHANNEL_GUEST_AGENT) {
                        if (params->agent_fd <= 0)
                                continue;
                        g_ptr_array_add(argv, g_strdup("-chardev"));
                        g_ptr_array_add(argv, g_strdup_printf("socket,id=%s,fd=%d,server=on,wait=off", chardev,
                                                              params->agent_fd));
                } else
                        add_chardev(argv, &device->channel.chr, chardev, false);

                uint32_t index = virtio_serial_index(device);
                const VmDevice *ctrl = find_virtio_serial(config, index);
                g_autofree char *own = g_strdup_printf("virtio-serial%u", index);
                g_autofree char *bus = g_strconcat(ctrl ? ctrl->id : own, ".0", NULL);
                o = json_object_new();
                json_object_set_string_member(o, "driver", "virtserialport");
                json_object_set_string_member(o, "bus", bus);
                json_object_set_int_member(o, "nr", channel_port(config, device));
                json_object_set_string_member(o, "chardev", chardev);
                json_object_set_string_member(o, "id", device->id);
                if (device->channel.target == VM_CHANNEL_GUEST_AGENT)
                        json_object_set_string_member(o, "name", "org.qemu.guest_agent.0");
                else if (device->channel.name)
                        json_object_set_string_member(o, "name", device->channel.name);
                add_device_json(argv, o);
        }
}

/* <parallel>: an isa-parallel on its chardev, as libvirt writes it. */
void qemu_argv_add_parallels(GPtrArray *argv, const VmConfig *config) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                g_autofree char *chardev = NULL;

                if (device->kind != VM_DEVICE_PARALLEL)
                        continue;
                chardev = g_strconcat("char", device->id, NULL);
                add_chardev(argv, &device->chr, chardev, true);
                JsonObject *o = json_object_new();
                json_object_set_string_member(o, "driver", "isa-parallel");
                json_object_set_string_member(o, "chardev", chardev);
                json_object_set_string_member(o, "id", device->id);
                add_device_json(argv, o);
        }
}
