/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * An <interface> on QEMU's command line and in device_add: a backend (-netdev:
 * a tap the service opened and QEMU inherited, user-mode networking, or a
 * socket QEMU opens as the VM's owner) and a front end (-device) of the model
 * asked for, with its MAC address and the properties of its <driver>, <rom>,
 * <boot> and <acpi>. The device and property names are libvirt's for the same
 * elements (qemuBuildNicDevProps, qemuBuildHostNetProps).
 */

#include <string.h>

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
        case VM_NET_MODEL_NE2K_PCI:
                return "ne2k_pci";
        case VM_NET_MODEL_PCNET:
                return "pcnet";
        case VM_NET_MODEL_VMXNET3:
                return "vmxnet3";
        case VM_NET_MODEL_I82550:
                return "i82550";
        case VM_NET_MODEL_I82551:
                return "i82551";
        case VM_NET_MODEL_I82557A:
                return "i82557a";
        case VM_NET_MODEL_I82557B:
                return "i82557b";
        case VM_NET_MODEL_I82557C:
                return "i82557c";
        case VM_NET_MODEL_I82558A:
                return "i82558a";
        case VM_NET_MODEL_I82558B:
                return "i82558b";
        case VM_NET_MODEL_I82559A:
                return "i82559a";
        case VM_NET_MODEL_I82559B:
                return "i82559b";
        case VM_NET_MODEL_I82559C:
                return "i82559c";
        case VM_NET_MODEL_I82559ER:
                return "i82559er";
        case VM_NET_MODEL_I82562:
                return "i82562";
        case VM_NET_MODEL_I82801:
                return "i82801";
        case VM_NET_MODEL_TULIP:
                return "tulip";
        }
        g_assert_not_reached();
}

/* "ADDRESS:PORT" for QEMU's socket backend; an IPv6 address in brackets. */
static char *host_port(const char *address, unsigned port) {
        if (address && strchr(address, ':'))
                return g_strdup_printf("[%s]:%u", address, port);
        return g_strdup_printf("%s:%u", address ? address : "", port);
}

/* The backend's options after type and id, as (name, value) pairs: the same for -netdev and
 * netdev_add. The values are checked addresses and numbers: no commas. */
static GPtrArray *netdev_options(const VmInterface *net) {
        const VmInterfaceExtra *extra = net->extra;
        GPtrArray *options = g_ptr_array_new_with_free_func(g_free);

        switch (net->type) {
        case VM_NET_USER:
        case VM_NET_NETWORK:
                if (extra && extra->user_ipv4) {
                        g_ptr_array_add(options, g_strdup("net"));
                        g_ptr_array_add(options, extra->user_ipv4_prefix
                                                         ? g_strdup_printf("%s/%u", extra->user_ipv4,
                                                                           extra->user_ipv4_prefix)
                                                         : g_strdup(extra->user_ipv4));
                }
                if (extra && extra->user_ipv6) {
                        g_ptr_array_add(options, g_strdup("ipv6-prefix"));
                        g_ptr_array_add(options, g_strdup(extra->user_ipv6));
                        if (extra->user_ipv6_prefix) {
                                g_ptr_array_add(options, g_strdup("ipv6-prefixlen"));
                                g_ptr_array_add(options, g_strdup_printf("%u", extra->user_ipv6_prefix));
                        }
                }
                break;
        case VM_NET_SERVER:
        case VM_NET_CLIENT:
        case VM_NET_MCAST:
        case VM_NET_UDP: {
                static const char *const keys[] = {
                        [VM_NET_SERVER] = "listen", [VM_NET_CLIENT] = "connect",
                        [VM_NET_MCAST] = "mcast",   [VM_NET_UDP] = "udp",
                };
                g_ptr_array_add(options, g_strdup(keys[net->type]));
                g_ptr_array_add(options, host_port(extra->socket_address, extra->socket_port));
                if (net->type == VM_NET_UDP) {
                        g_ptr_array_add(options, g_strdup("localaddr"));
                        g_ptr_array_add(options, host_port(extra->local_address, extra->local_port));
                }
                break;
        }
        case VM_NET_ETHERNET:
        case VM_NET_BRIDGE:
                break;
        }
        return options;
}

static const char *netdev_type(const VmInterface *net) {
        if (vm_interface_uses_tap(net))
                return "tap";
        switch (net->type) {
        case VM_NET_SERVER:
        case VM_NET_CLIENT:
        case VM_NET_MCAST:
        case VM_NET_UDP:
                return "socket";
        default:
                return "user";
        }
}

char *qemu_net_netdev_arg(const VmInterface *net, const char *netdev_id, int tap_fd) {
        g_autoptr(GPtrArray) options = netdev_options(net);
        GString *arg = g_string_new(netdev_type(net));

        g_string_append_printf(arg, ",id=%s", netdev_id);
        if (vm_interface_uses_tap(net))
                g_string_append_printf(arg, ",fd=%d", tap_fd);
        for (guint i = 0; i + 1 < options->len; i += 2)
                g_string_append_printf(arg, ",%s=%s", (const char *) options->pdata[i],
                                       (const char *) options->pdata[i + 1]);
        return g_string_free(arg, false);
}

JsonNode *qemu_net_netdev_add_args(const VmInterface *net, const char *netdev_id) {
        g_autoptr(GPtrArray) options = netdev_options(net);
        JsonObject *o = json_object_new();
        JsonNode *node = json_node_new(JSON_NODE_OBJECT);

        json_object_set_string_member(o, "type", netdev_type(net));
        json_object_set_string_member(o, "id", netdev_id);
        /* A tap's descriptor went to QEMU by getfd, named as the backend. */
        if (vm_interface_uses_tap(net))
                json_object_set_string_member(o, "fd", netdev_id);
        for (guint i = 0; i + 1 < options->len; i += 2) {
                const char *key = options->pdata[i], *value = options->pdata[i + 1];
                if (g_str_equal(key, "ipv6-prefixlen"))
                        json_object_set_int_member(o, key, g_ascii_strtoll(value, NULL, 10));
                else
                        json_object_set_string_member(o, key, value);
        }
        json_node_take_object(node, o);
        return node;
}

static void set_switch(JsonObject *o, const char *property, VmSwitch value) {
        if (value != VM_SWITCH_DEFAULT)
                json_object_set_boolean_member(o, property, value == VM_SWITCH_ON);
}

/* virtio-net's properties of <driver>, <host>, <guest>, in libvirt's order. */
static void virtio_net_props(JsonObject *o, const VmNetDriver *driver) {
        static const char *const offload_properties[] = {
                [VM_NET_HOST_CSUM] = "csum",         [VM_NET_HOST_GSO] = "gso",
                [VM_NET_HOST_TSO4] = "host_tso4",    [VM_NET_HOST_TSO6] = "host_tso6",
                [VM_NET_HOST_ECN] = "host_ecn",      [VM_NET_HOST_UFO] = "host_ufo",
                [VM_NET_HOST_MRG_RXBUF] = "mrg_rxbuf", [VM_NET_GUEST_CSUM] = "guest_csum",
                [VM_NET_GUEST_TSO4] = "guest_tso4",  [VM_NET_GUEST_TSO6] = "guest_tso6",
                [VM_NET_GUEST_ECN] = "guest_ecn",    [VM_NET_GUEST_UFO] = "guest_ufo",
        };

        if (driver->txmode != VM_NET_TXMODE_DEFAULT)
                json_object_set_string_member(o, "tx", driver->txmode == VM_NET_TXMODE_IOTHREAD ? "bh" : "timer");
        set_switch(o, "ioeventfd", driver->ioeventfd);
        set_switch(o, "event_idx", driver->event_idx);
        for (int i = 0; i < _VM_NET_OFFLOAD_MAX; i++)
                set_switch(o, offload_properties[i], driver->offloads[i]);
        if (driver->rx_queue_size)
                json_object_set_int_member(o, "rx_queue_size", driver->rx_queue_size);
        if (driver->tx_queue_size)
                json_object_set_int_member(o, "tx_queue_size", driver->tx_queue_size);
        set_switch(o, "rss", driver->rss);
        set_switch(o, "hash", driver->rss_hash_report);
}

/* <rom>, as libvirt's qemuBuildRomProps: enabled='no' is an empty romfile, else bar and file. */
static void rom_props(JsonObject *o, const VmInterfaceExtra *extra) {
        if (extra->rom_enabled == VM_SWITCH_OFF) {
                json_object_set_string_member(o, "romfile", "");
                return;
        }
        if (extra->rom_bar != VM_SWITCH_DEFAULT)
                json_object_set_int_member(o, "rombar", extra->rom_bar == VM_SWITCH_ON ? 1 : 0);
        if (extra->rom_file)
                json_object_set_string_member(o, "romfile", extra->rom_file);
}

JsonNode *qemu_net_device(QemuMachineKind machine, const VmDevice *device, const char *netdev_id) {
        const VmInterfaceExtra *extra = device->net.extra;
        JsonObject *o = json_object_new();
        JsonNode *node = json_node_new(JSON_NODE_OBJECT);

        json_object_set_string_member(o, "driver", net_driver(machine, device->net.model));
        json_object_set_string_member(o, "id", device->id);
        json_object_set_string_member(o, "netdev", netdev_id);
        if (device->net.mac)
                json_object_set_string_member(o, "mac", device->net.mac);
        qemu_virtio_options_props(o, &device->net.virtio);
        if (extra)
                virtio_net_props(o, &extra->driver);
        if (device->boot_order)
                json_object_set_int_member(o, "bootindex", device->boot_order);
        if (extra && extra->acpi_index)
                json_object_set_int_member(o, "acpi-index", extra->acpi_index);
        if (extra)
                rom_props(o, extra);
        json_node_take_object(node, o);
        return node;
}
