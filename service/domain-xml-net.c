/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <interface>: read into a VmInterface and written back (GetXML).
 *
 * Types ethernet (a tap the service creates, named or not), bridge (the same tap,
 * joined to a host bridge the administrator allowed), network (a name the
 * service maps to a bridge or to user-mode networking, see vm-net.c) and user.
 * What the names may be used for is not decided here: the parser only checks
 * their form; service/vm-net.c checks them against hypervisord.conf for the
 * VM's owner.
 */

#include <string.h>

#include "domain-xml-devices.h"
#include "domain-xml-net.h"
#include "domain-xml-private.h"
#include "domain-xml-reader.h"
#include "hv-error.h"

#define IFNAME_MAX 15      /* IFNAMSIZ - 1 */
#define NETWORK_NAME_MAX 64

const char *const domain_xml_net_type_names[] = {
        [VM_NET_ETHERNET] = "ethernet",
        [VM_NET_USER] = "user",
        [VM_NET_BRIDGE] = "bridge",
        [VM_NET_NETWORK] = "network",
        NULL,
};

/* As libvirt spells them; it compares what users write case-insensitively. */
const char *const domain_xml_net_model_names[] = {
        [VM_NET_MODEL_VIRTIO] = "virtio",
        [VM_NET_MODEL_E1000] = "e1000",
        [VM_NET_MODEL_E1000E] = "e1000e",
        [VM_NET_MODEL_RTL8139] = "rtl8139",
        NULL,
};

/* libvirt drops target names it generated itself ("vnet0") from a definition: the
 * next boot makes a new one. dumpxml output therefore defines as it is. */
#define GENERATED_TAP_PREFIX "vnet"

/* Interface and network names: they end up in ioctls and in -netdev options. */
static bool name_is_valid(const char *name, size_t max) {
        size_t n = strlen(name);

        if (n < 1 || n > max || !g_ascii_isalnum(name[0]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!g_ascii_isalnum(name[i]) && !strchr("_.-", name[i]))
                        return false;
        return true;
}

/* "52:54:00:12:34:56", any case in, lower case out; a NIC's address is unicast and not zero. */
char *domain_xml_normalize_mac(const char *mac) {
        bool zero = true;

        if (strlen(mac) != 17)
                return NULL;
        for (size_t i = 0; i < 17; i++) {
                if (i % 3 == 2 ? mac[i] != ':' : !g_ascii_isxdigit(mac[i]))
                        return NULL;
                if (i % 3 != 2 && mac[i] != '0')
                        zero = false;
        }
        if (zero || (g_ascii_xdigit_value(mac[1]) & 1))
                return NULL;
        return g_ascii_strdown(mac, -1);
}

static bool parse_target(const xmlNode *node, VmInterface *net, GError **error) {
        static const char *const attributes[] = { "dev", NULL };
        g_autofree char *dev = NULL;

        if (net->type == VM_NET_USER)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "'<target>' is not supported in an '<interface type='user'>'");
        if (!xml_check_empty_element(node, attributes, error))
                return false;
        dev = xml_attr_value(node, "dev");
        if (!dev)
                return xml_fail(error, node, HV_ERROR_INVALID_XML,
                                "'<target>' of an '<interface>' needs the attribute 'dev'");
        if (!name_is_valid(dev, IFNAME_MAX))
                return xml_fail_bad_value(error, node, "tap device name", dev,
                                          "1 to 15 characters from [A-Za-z0-9_.-], starting with a letter or digit");
        if (g_str_has_prefix(dev, GENERATED_TAP_PREFIX))
                return true;
        net->target_dev = g_steal_pointer(&dev);
        return true;
}

static bool parse_source(const xmlNode *node, VmInterface *net, GError **error) {
        static const char *const bridge_attributes[] = { "bridge", NULL };
        /* A running VM's dumpxml adds where libvirt put it (portid, bridge): facts of that
         * run, not of the definition; libvirt ignores them too when it defines. */
        static const char *const network_attributes[] = { "network", "portid", "bridge", NULL };
        const char *attribute = net->type == VM_NET_BRIDGE ? "bridge" : "network";
        g_autofree char *name = NULL;

        if (!node)
                return true;
        if (net->type != VM_NET_BRIDGE && net->type != VM_NET_NETWORK)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "'<source>' is only supported in an '<interface>' of type 'bridge' or 'network'");
        if (!xml_check_empty_element(node,
                                     net->type == VM_NET_BRIDGE ? bridge_attributes : network_attributes, error))
                return false;
        name = xml_attr_value(node, attribute);
        if (!name)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<source>' of an '<interface type='%s'>' needs "
                                "the attribute '%s'", domain_xml_net_type_names[net->type], attribute);
        if (!name_is_valid(name, net->type == VM_NET_BRIDGE ? IFNAME_MAX : NETWORK_NAME_MAX))
                return xml_fail_bad_value(error, node, net->type == VM_NET_BRIDGE ? "bridge name" : "network name",
                                          name,
                                          net->type == VM_NET_BRIDGE
                                                  ? "1 to 15 characters from [A-Za-z0-9_.-], starting with a "
                                                    "letter or digit"
                                                  : "1 to 64 characters from [A-Za-z0-9_.-], starting with a "
                                                    "letter or digit");
        if (net->type == VM_NET_BRIDGE)
                net->bridge = g_strdup(name);
        net->source = g_steal_pointer(&name);
        return true;
}

static bool parse_mac(const xmlNode *node, VmInterface *net, GError **error) {
        static const char *const attributes[] = { "address", NULL };
        g_autofree char *address = NULL;

        if (!xml_check_empty_element(node, attributes, error))
                return false;
        address = xml_attr_value(node, "address");
        if (!address)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<mac>' needs the attribute 'address'");
        net->mac = domain_xml_normalize_mac(address);
        if (!net->mac)
                return xml_fail_bad_value(error, node, "MAC address", address,
                                          "expected six hex pairs like '52:54:00:12:34:56', unicast and not all zero");
        return true;
}

static bool parse_model(const xmlNode *node, VmInterface *net, GError **error) {
        static const char *const attributes[] = { "type", NULL };
        g_autofree char *type = NULL;

        if (!xml_check_empty_element(node, attributes, error))
                return false;
        type = xml_attr_value(node, "type");
        if (!type)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<model>' needs the attribute 'type'");
        for (int i = 0; domain_xml_net_model_names[i]; i++)
                if (g_ascii_strcasecmp(type, domain_xml_net_model_names[i]) == 0) {
                        net->model = (VmNetModel) i;
                        return true;
                }
        return xml_fail_unsupported_value(error, node, "type", type);
}

/* <driver iommu ats packed>: libvirt's virtio options, for a virtio model only (libvirt
 * refuses them for others). Other attributes of <driver> (name, queues, txmode, the queue
 * sizes) and its <host>/<guest> offloads are refused naming them. */
static bool parse_driver(const xmlNode *node, VmInterface *net, GError **error) {
        static const char *const attributes[] = { "iommu", "ats", "packed", NULL };

        if (!xml_check_empty_element(node, attributes, error) ||
            !domain_xml_parse_virtio_options(node, &net->virtio, error))
                return false;
        if (net->model != VM_NET_MODEL_VIRTIO)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "'<driver>' in an '<interface>' of model '%s' is not supported: iommu, ats and packed "
                                "are virtio options",
                                domain_xml_net_model_names[net->model]);
        return true;
}

enum { NET_SOURCE, NET_TARGET, NET_MAC, NET_MODEL, NET_DRIVER, NET_ADDRESS, NET_ALIAS, _NET_CHILD_MAX };
static const char *const net_children[] = {
        [NET_SOURCE] = "source", [NET_TARGET] = "target",   [NET_MAC] = "mac",     [NET_MODEL] = "model",
        [NET_DRIVER] = "driver", [NET_ADDRESS] = "address", [NET_ALIAS] = "alias", NULL,
};

VmDevice *domain_xml_parse_interface(const xmlNode *node, GError **error) {
        static const char *const attributes[] = { "type", NULL };
        g_autoptr(VmDevice) device = vm_device_new(VM_DEVICE_INTERFACE);
        xmlNode *c[_NET_CHILD_MAX] = {};
        int choice;

        if (!xml_check_attributes(node, attributes, error) ||
            !xml_attr_choice(node, "type", domain_xml_net_type_names, -1, &choice, error) ||
            !xml_collect_children(node, net_children, c, error))
                return NULL;
        device->net.type = choice;
        if (!c[NET_SOURCE] && (device->net.type == VM_NET_BRIDGE || device->net.type == VM_NET_NETWORK)) {
                xml_fail_missing(error, node, "source");
                return NULL;
        }
        if (!parse_source(c[NET_SOURCE], &device->net, error) ||
            (c[NET_TARGET] && !parse_target(c[NET_TARGET], &device->net, error)) ||
            (c[NET_MAC] && !parse_mac(c[NET_MAC], &device->net, error)) ||
            (c[NET_MODEL] && !parse_model(c[NET_MODEL], &device->net, error)) ||
            (c[NET_DRIVER] && !parse_driver(c[NET_DRIVER], &device->net, error)) ||
            (c[NET_ADDRESS] && !domain_xml_parse_address(c[NET_ADDRESS], &device->address, error)) ||
            !domain_xml_parse_alias(c[NET_ALIAS], device, error))
                return NULL;
        /* A NIC is a PCI device; its slot is kept in GetXML, as for disks. */
        if (device->address.type != VM_ADDRESS_NONE && device->address.type != VM_ADDRESS_PCI) {
                xml_fail(error, c[NET_ADDRESS], HV_ERROR_INVALID_ARGUMENT,
                         "an '<interface>' can only have a 'pci' address");
                return NULL;
        }
        return g_steal_pointer(&device);
}

/* The values are checked tokens and hex: nothing to escape. */
void domain_xml_format_interface(GString *out, const char *indent, const VmInterface *net) {
        g_string_append_printf(out, " type='%s'>\n", domain_xml_net_type_names[net->type]);
        if (net->mac)
                g_string_append_printf(out, "%s<mac address='%s'/>\n", indent, net->mac);
        if (net->source)
                g_string_append_printf(out, "%s<source %s='%s'/>\n", indent,
                                       net->type == VM_NET_BRIDGE ? "bridge" : "network", net->source);
        if (net->target_dev)
                g_string_append_printf(out, "%s<target dev='%s'/>\n", indent, net->target_dev);
        g_string_append_printf(out, "%s<model type='%s'/>\n", indent, domain_xml_net_model_names[net->model]);
        if (vm_virtio_options_set(&net->virtio)) {
                g_string_append_printf(out, "%s<driver", indent);
                domain_xml_format_virtio_options(out, &net->virtio);
                g_string_append(out, "/>\n");
        }
}
