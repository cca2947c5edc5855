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

#include <arpa/inet.h>
#include <string.h>

#include "domain-xml-devices.h"
#include "domain-xml-net.h"
#include "domain-xml-private.h"
#include "domain-xml-reader.h"
#include "domain-xml-writer.h"
#include "hv-error.h"

#define IFNAME_MAX 15      /* IFNAMSIZ - 1 */
#define NETWORK_NAME_MAX 64

const char *const domain_xml_net_type_names[] = {
        [VM_NET_ETHERNET] = "ethernet",
        [VM_NET_USER] = "user",
        [VM_NET_BRIDGE] = "bridge",
        [VM_NET_NETWORK] = "network",
        [VM_NET_SERVER] = "server",
        [VM_NET_CLIENT] = "client",
        [VM_NET_MCAST] = "mcast",
        [VM_NET_UDP] = "udp",
        NULL,
};

/* As libvirt spells them; it compares what users write case-insensitively. */
const char *const domain_xml_net_model_names[] = {
        [VM_NET_MODEL_VIRTIO] = "virtio",
        [VM_NET_MODEL_E1000] = "e1000",
        [VM_NET_MODEL_E1000E] = "e1000e",
        [VM_NET_MODEL_RTL8139] = "rtl8139",
        [VM_NET_MODEL_NE2K_PCI] = "ne2k_pci",
        [VM_NET_MODEL_PCNET] = "pcnet",
        [VM_NET_MODEL_VMXNET3] = "vmxnet3",
        [VM_NET_MODEL_I82550] = "i82550",
        [VM_NET_MODEL_I82551] = "i82551",
        [VM_NET_MODEL_I82557A] = "i82557a",
        [VM_NET_MODEL_I82557B] = "i82557b",
        [VM_NET_MODEL_I82557C] = "i82557c",
        [VM_NET_MODEL_I82558A] = "i82558a",
        [VM_NET_MODEL_I82558B] = "i82558b",
        [VM_NET_MODEL_I82559A] = "i82559a",
        [VM_NET_MODEL_I82559B] = "i82559b",
        [VM_NET_MODEL_I82559C] = "i82559c",
        [VM_NET_MODEL_I82559ER] = "i82559er",
        [VM_NET_MODEL_I82562] = "i82562",
        [VM_NET_MODEL_I82801] = "i82801",
        [VM_NET_MODEL_TULIP] = "tulip",
        NULL,
};

static const char *const txmode_names[] = {
        [VM_NET_TXMODE_DEFAULT] = "default", [VM_NET_TXMODE_IOTHREAD] = "iothread", [VM_NET_TXMODE_TIMER] = "timer",
        NULL,
};

/* <host> and <guest> attributes of a NIC's <driver>, by VmNetOffload. */
static const char *const offload_names[] = {
        [VM_NET_HOST_CSUM] = "csum",   [VM_NET_HOST_GSO] = "gso",   [VM_NET_HOST_TSO4] = "tso4",
        [VM_NET_HOST_TSO6] = "tso6",   [VM_NET_HOST_ECN] = "ecn",   [VM_NET_HOST_UFO] = "ufo",
        [VM_NET_HOST_MRG_RXBUF] = "mrg_rxbuf", [VM_NET_GUEST_CSUM] = "csum", [VM_NET_GUEST_TSO4] = "tso4",
        [VM_NET_GUEST_TSO6] = "tso6",  [VM_NET_GUEST_ECN] = "ecn",  [VM_NET_GUEST_UFO] = "ufo",
};

#define HOST_ADDRESS_MAX 253 /* a DNS name's length */

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
        static const char *const attributes[] = { "dev", "managed", NULL };
        static const char *const yes_no[] = { "yes", "no", NULL };
        g_autofree char *dev = NULL;
        int managed;

        if (net->type != VM_NET_ETHERNET && net->type != VM_NET_BRIDGE && net->type != VM_NET_NETWORK)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "'<target>' is not supported in an '<interface type='%s'>'",
                                domain_xml_net_type_names[net->type]);
        if (!xml_check_empty_element(node, attributes, error) ||
            !xml_attr_choice(node, "managed", yes_no, 0, &managed, error))
                return false;
        /* managed='no': a tap of the owner's that exists (checked at Boot, with the owner rule of
         * kvm-engine/tap.c); libvirt takes it for type='ethernet' only. */
        if (managed == 1 && net->type != VM_NET_ETHERNET)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "managed='no' of '<target>' is only supported in an '<interface type='ethernet'>'");
        dev = xml_attr_value(node, "dev");
        if (!dev)
                return xml_fail(error, node, HV_ERROR_INVALID_XML,
                                "'<target>' of an '<interface>' needs the attribute 'dev'");
        if (!name_is_valid(dev, IFNAME_MAX))
                return xml_fail_bad_value(error, node, "tap device name", dev,
                                          "1 to 15 characters from [A-Za-z0-9_.-], starting with a letter or digit");
        net->target_unmanaged = managed == 1;
        if (g_str_has_prefix(dev, GENERATED_TAP_PREFIX) && !net->target_unmanaged)
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

static VmInterfaceExtra *extra_of(VmInterface *net) {
        if (!net->extra)
                net->extra = g_new0(VmInterfaceExtra, 1);
        return net->extra;
}

static bool net_model_is_virtio(VmNetModel model) {
        return model == VM_NET_MODEL_VIRTIO;
}

/* An on/off (names = {"on", "off"}) or yes/no attribute; absent leaves *ret. */
static bool parse_switch(const xmlNode *node, const char *attribute, const char *const *names, VmSwitch *ret,
                         GError **error) {
        g_autofree char *value = xml_attr_value(node, attribute);
        int choice;

        if (!value)
                return true;
        if (!xml_attr_choice(node, attribute, names, -1, &choice, error))
                return false;
        *ret = choice == 0 ? VM_SWITCH_ON : VM_SWITCH_OFF;
        return true;
}

/* A decimal attribute from min to max; absent leaves *ret (or is InvalidXML when required). */
static bool parse_number_attr(const xmlNode *node, const char *attribute, const char *what, unsigned min,
                              unsigned max, bool required, unsigned *ret, GError **error) {
        g_autofree char *value = xml_attr_value(node, attribute);
        unsigned long long number;

        if (!value) {
                if (required)
                        return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<%s>' needs the attribute '%s'",
                                        (const char *) node->name, attribute);
                return true;
        }
        if (!*value || strspn(value, "0123456789") != strlen(value) || strlen(value) > 9 ||
            (number = g_ascii_strtoull(value, NULL, 10)) < min || number > max) {
                g_autofree char *rule = g_strdup_printf("expected a number from %u to %u", min, max);
                return xml_fail_bad_value(error, node, what, value, rule);
        }
        *ret = (unsigned) number;
        return true;
}

/* A virtio queue size: QEMU takes powers of two from 256 to 1024. */
static bool parse_queue_size(const xmlNode *node, const char *attribute, unsigned *ret, GError **error) {
        unsigned size = 0;

        if (!parse_number_attr(node, attribute, "queue size", 256, 1024, false, &size, error))
                return false;
        if (size & (size - 1)) {
                g_autofree char *value = xml_attr_value(node, attribute);
                return xml_fail_bad_value(error, node, "queue size", value, "expected 256, 512 or 1024");
        }
        *ret = size;
        return true;
}

/* <host csum gso tso4 tso6 ecn ufo mrg_rxbuf/> or <guest csum tso4 tso6 ecn ufo/>. */
static bool parse_offloads(const xmlNode *node, bool host, VmNetDriver *driver, GError **error) {
        static const char *const host_attributes[] = { "csum", "gso", "tso4", "tso6", "ecn", "ufo", "mrg_rxbuf", NULL };
        static const char *const guest_attributes[] = { "csum", "tso4", "tso6", "ecn", "ufo", NULL };
        static const char *const switches[] = { "on", "off", NULL };
        int first = host ? VM_NET_HOST_CSUM : VM_NET_GUEST_CSUM;
        int last = host ? VM_NET_HOST_MRG_RXBUF : VM_NET_GUEST_UFO;

        if (!node)
                return true;
        if (!xml_check_empty_element(node, host ? host_attributes : guest_attributes, error))
                return false;
        for (int i = first; i <= last; i++)
                if (!parse_switch(node, offload_names[i], switches, &driver->offloads[i], error))
                        return false;
        return true;
}

/* <driver>: libvirt's virtio options (iommu ats packed) and virtio-net's own: name='qemu'
 * (QEMU's virtio-net, no vhost: what the service's taps get anyway), txmode, ioeventfd,
 * event_idx, the queue sizes, rss, rss_hash_report and the <host>/<guest> offloads, all
 * virtio-net-pci properties. For a virtio model only (libvirt refuses them for others).
 * name='vhost' and queues are refused: the service opens no /dev/vhost-net and makes
 * single-queue taps. */
enum { DRIVER_HOST, DRIVER_GUEST, _DRIVER_CHILD_MAX };
static bool parse_driver(const xmlNode *node, VmInterface *net, GError **error) {
        static const char *const attributes[] = { "iommu", "ats", "packed", "name", "txmode", "ioeventfd",
                                                  "event_idx", "rx_queue_size", "tx_queue_size", "rss",
                                                  "rss_hash_report", NULL };
        static const char *const children[] = { [DRIVER_HOST] = "host", [DRIVER_GUEST] = "guest", NULL };
        static const char *const switches[] = { "on", "off", NULL };
        static const char *const driver_names[] = { "qemu", NULL };
        xmlNode *c[_DRIVER_CHILD_MAX] = {};
        g_autofree char *name = NULL;
        VmNetDriver driver = {};
        int choice;

        if (!xml_check_attributes(node, attributes, error) || !xml_collect_children(node, children, c, error) ||
            !domain_xml_parse_virtio_options(node, &net->virtio, error))
                return false;
        if (!net_model_is_virtio(net->model))
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "'<driver>' in an '<interface>' of model '%s' is not supported: its attributes "
                                "are virtio-net's",
                                domain_xml_net_model_names[net->model]);
        name = xml_attr_value(node, "name");
        if (name && g_strcmp0(name, "vhost") == 0)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "name='vhost' of '<driver>' in an '<interface>' is not supported: the service "
                                "does not open /dev/vhost-net for a VM; name='qemu' (QEMU's own virtio-net) is");
        if (name) {
                if (!xml_attr_choice(node, "name", driver_names, -1, &choice, error))
                        return false;
                driver.name_qemu = true;
        }
        if (!xml_attr_choice(node, "txmode", txmode_names, VM_NET_TXMODE_DEFAULT, &choice, error))
                return false;
        driver.txmode = choice;
        if (!parse_switch(node, "ioeventfd", switches, &driver.ioeventfd, error) ||
            !parse_switch(node, "event_idx", switches, &driver.event_idx, error) ||
            !parse_queue_size(node, "rx_queue_size", &driver.rx_queue_size, error) ||
            !parse_queue_size(node, "tx_queue_size", &driver.tx_queue_size, error) ||
            !parse_switch(node, "rss", switches, &driver.rss, error) ||
            !parse_switch(node, "rss_hash_report", switches, &driver.rss_hash_report, error) ||
            !parse_offloads(c[DRIVER_HOST], true, &driver, error) ||
            !parse_offloads(c[DRIVER_GUEST], false, &driver, error))
                return false;
        if (memcmp(&driver, &(VmNetDriver) {}, sizeof(driver)) != 0)
                extra_of(net)->driver = driver;
        return true;
}

/* <rom bar='on|off' file='/abs' enabled='yes|no'/>: the NIC's option ROM, QEMU's rombar and
 * romfile (enabled='no': romfile="", no ROM). The file is the owner's: QEMU reads it as the owner. */
static bool parse_rom(const xmlNode *node, VmInterface *net, GError **error) {
        static const char *const attributes[] = { "bar", "file", "enabled", NULL };
        static const char *const switches[] = { "on", "off", NULL };
        static const char *const yes_no[] = { "yes", "no", NULL };
        VmInterfaceExtra *extra = extra_of(net);
        g_autofree char *file = NULL;

        if (!xml_check_empty_element(node, attributes, error) ||
            !parse_switch(node, "bar", switches, &extra->rom_bar, error) ||
            !parse_switch(node, "enabled", yes_no, &extra->rom_enabled, error))
                return false;
        file = xml_attr_value(node, "file");
        if (file && (!g_path_is_absolute(file) || strlen(file) > 4095))
                return xml_fail_bad_value(error, node, "ROM file", file, "expected an absolute path");
        extra->rom_file = g_steal_pointer(&file);
        return true;
}

/* <acpi index='N'/>: the NIC's name in the guest (acpi-index), 1 to 16383 as libvirt. */
static bool parse_acpi(const xmlNode *node, VmInterface *net, GError **error) {
        static const char *const attributes[] = { "index", NULL };

        return xml_check_empty_element(node, attributes, error) &&
               parse_number_attr(node, "index", "ACPI index", 1, 16383, true, &extra_of(net)->acpi_index, error);
}

/* An IPv4 or IPv6 address or a host name: [A-Za-z0-9.:-], nothing QEMU's options would split. */
static bool host_address_is_valid(const char *address) {
        size_t n = strlen(address);

        if (n < 1 || n > HOST_ADDRESS_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!g_ascii_isalnum(address[i]) && !strchr(".:-", address[i]))
                        return false;
        return true;
}

static bool parse_host_port(const xmlNode *node, bool address_required, char **address, unsigned *port,
                            GError **error) {
        g_autofree char *value = xml_attr_value(node, "address");

        if (!value && address_required)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<%s>' needs the attribute 'address'",
                                (const char *) node->name);
        if (value && !host_address_is_valid(value))
                return xml_fail_bad_value(error, node, "address", value,
                                          "expected an IP address or a host name from [A-Za-z0-9.:-]");
        if (!parse_number_attr(node, "port", "port", 1, 65535, true, port, error))
                return false;
        *address = g_steal_pointer(&value);
        return true;
}

/* <source address port> of type server, client, mcast or udp; udp's has <local address port>. */
static bool parse_socket_source(const xmlNode *interface, const xmlNode *node, VmInterface *net, GError **error) {
        static const char *const attributes[] = { "address", "port", NULL };
        static const char *const udp_children[] = { "local", NULL };
        static const char *const no_children[] = { NULL };
        VmInterfaceExtra *extra = extra_of(net);
        xmlNode *local = NULL;

        if (!node)
                return xml_fail_missing(error, interface, "source");
        if (!xml_check_attributes(node, attributes, error) ||
            !xml_collect_children(node, net->type == VM_NET_UDP ? udp_children : no_children, &local, error) ||
            !parse_host_port(node, net->type != VM_NET_SERVER, &extra->socket_address, &extra->socket_port, error))
                return false;
        if (net->type != VM_NET_UDP)
                return true;
        if (!local)
                return xml_fail_missing(error, node, "local");
        return xml_check_empty_element(local, attributes, error) &&
               parse_host_port(local, true, &extra->local_address, &extra->local_port, error);
}

/* <ip address family prefix> of an <interface type='user'>: the network user mode gives the
 * guest (net=ADDRESS/PREFIX, ipv6-prefix and ipv6-prefixlen), one of each family. */
static bool parse_user_ip(const xmlNode *node, VmInterface *net, GError **error) {
        static const char *const attributes[] = { "address", "family", "prefix", NULL };
        static const char *const families[] = { "ipv4", "ipv6", NULL };
        VmInterfaceExtra *extra = extra_of(net);
        g_autofree char *address = NULL, *family_name = NULL;
        unsigned char binary[16];
        unsigned prefix = 0;
        int family, written;

        if (net->type != VM_NET_USER)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "'<ip>' in an '<interface type='%s'>' is not supported: it sets an address on "
                                "the host's side, which the service does not do for a VM's owner",
                                domain_xml_net_type_names[net->type]);
        if (!xml_check_empty_element(node, attributes, error))
                return false;
        address = xml_attr_value(node, "address");
        if (!address)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<ip>' needs the attribute 'address'");
        if (inet_pton(AF_INET, address, binary) == 1)
                family = 0;
        else if (inet_pton(AF_INET6, address, binary) == 1)
                family = 1;
        else
                return xml_fail_bad_value(error, node, "IP address", address, "expected an IPv4 or IPv6 address");
        family_name = xml_attr_value(node, "family");
        if (family_name && !xml_attr_choice(node, "family", families, family, &written, error))
                return false;
        if (family_name && written != family)
                return xml_fail_bad_value(error, node, "family", family_name, "the address is of the other family");
        if (!parse_number_attr(node, "prefix", "prefix", 1, family ? 128 : 32, false, &prefix, error))
                return false;
        if (family == 0) {
                if (extra->user_ipv4)
                        return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                        "an '<interface type='user'>' has one IPv4 '<ip>', not more");
                extra->user_ipv4 = g_steal_pointer(&address);
                extra->user_ipv4_prefix = prefix;
        } else {
                if (extra->user_ipv6)
                        return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                        "an '<interface type='user'>' has one IPv6 '<ip>', not more");
                extra->user_ipv6 = g_steal_pointer(&address);
                extra->user_ipv6_prefix = prefix;
        }
        return true;
}

static bool net_type_is_socket(VmNetType type) {
        return type == VM_NET_SERVER || type == VM_NET_CLIENT || type == VM_NET_MCAST || type == VM_NET_UDP;
}

enum {
        NET_SOURCE,
        NET_TARGET,
        NET_MAC,
        NET_MODEL,
        NET_DRIVER,
        NET_ADDRESS,
        NET_ALIAS,
        NET_BOOT,
        NET_ROM,
        NET_ACPI,
        NET_IP,
        _NET_CHILD_MAX
};
static const char *const net_children[] = {
        [NET_SOURCE] = "source", [NET_TARGET] = "target",   [NET_MAC] = "mac",     [NET_MODEL] = "model",
        [NET_DRIVER] = "driver", [NET_ADDRESS] = "address", [NET_ALIAS] = "alias", [NET_BOOT] = "boot",
        [NET_ROM] = "rom",       [NET_ACPI] = "acpi",       [NET_IP] = "ip",       NULL,
};
static const char *const net_repeatable[] = { "ip", NULL };

/* What libvirt has in an <interface> that the service cannot honour, with the reason. */
static const struct {
        const char *name;
        const char *reason;
} refused_children[] = {
        { "script", "it names a program root would run for the VM's owner" },
        { "downscript", "it names a program root would run for the VM's owner" },
        { "route", "it changes the host's routing for the VM's owner" },
        { "bandwidth", "the service sets no traffic control on the host for a VM" },
        { "virtualport", "Open vSwitch and 802.1Qbh ports are configured by root on the host" },
        { "vlan", "VLAN tags are set by root on the host's switch or bridge" },
        { "filterref", "network filters are host firewall rules, which the service does not set" },
        { "port", "port isolation is a host bridge setting, which the service does not change" },
        { "teaming", "failover pairs a virtio NIC with a host device, which needs <interface type='hostdev'>" },
        { "coalesce", "the service sets no coalescing on its taps yet" },
        { "mtu", "the service does not set the MTU of its taps yet" },
        { "link", "the service does not set a NIC's link state at Boot yet" },
        { "backend", "it names host devices (tap, vhost) that root would open for the VM" },
        { "tune", "the service does not tune taps" },
        { "portForward", "passt is not started by the service" },
};

static bool check_refused_children(const xmlNode *node, GError **error) {
        for (const xmlNode *child = node->children; child; child = child->next) {
                if (child->type != XML_ELEMENT_NODE)
                        continue;
                for (size_t i = 0; i < G_N_ELEMENTS(refused_children); i++)
                        if (xml_is_element(child, refused_children[i].name))
                                return xml_fail(error, child, HV_ERROR_NOT_SUPPORTED,
                                                "'<%s>' in '<interface>' is not supported: %s",
                                                refused_children[i].name, refused_children[i].reason);
        }
        return true;
}

/* Types of <interface> libvirt has and the service refuses, with the reason. */
static bool check_refused_type(const xmlNode *node, GError **error) {
        static const struct {
                const char *type;
                const char *reason;
        } refused[] = {
                { "vdpa", "a vDPA device is a host device root would open for the VM" },
                { "vhostuser", "vhost-user needs shared guest memory and a switch process on the host" },
                { "hostdev", "an SR-IOV function's MAC and VLAN are set by root on the host" },
                { "direct", "macvtap devices are created by root on the host" },
                { "vds", "it is for VMware's switch" },
        };
        g_autofree char *type = xml_attr_value(node, "type");

        for (size_t i = 0; type && i < G_N_ELEMENTS(refused); i++)
                if (g_str_equal(type, refused[i].type))
                        return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                        "type='%s' of '<interface>' is not supported: %s", type, refused[i].reason);
        return true;
}

VmDevice *domain_xml_parse_interface(const xmlNode *node, GError **error) {
        static const char *const attributes[] = { "type", NULL };
        g_autoptr(VmDevice) device = vm_device_new(VM_DEVICE_INTERFACE);
        xmlNode *c[_NET_CHILD_MAX] = {};
        int choice;

        if (!check_refused_type(node, error) || !check_refused_children(node, error) ||
            !xml_check_attributes(node, attributes, error) ||
            !xml_attr_choice(node, "type", domain_xml_net_type_names, -1, &choice, error) ||
            !xml_collect_children_repeatable(node, net_children, c, net_repeatable, error))
                return NULL;
        device->net.type = choice;
        if (!c[NET_SOURCE] && (device->net.type == VM_NET_BRIDGE || device->net.type == VM_NET_NETWORK)) {
                xml_fail_missing(error, node, "source");
                return NULL;
        }
        if (net_type_is_socket(device->net.type)) {
                if (!parse_socket_source(node, c[NET_SOURCE], &device->net, error))
                        return NULL;
        } else if (!parse_source(c[NET_SOURCE], &device->net, error)) {
                return NULL;
        }
        if ((c[NET_TARGET] && !parse_target(c[NET_TARGET], &device->net, error)) ||
            (c[NET_MAC] && !parse_mac(c[NET_MAC], &device->net, error)) ||
            (c[NET_MODEL] && !parse_model(c[NET_MODEL], &device->net, error)) ||
            (c[NET_DRIVER] && !parse_driver(c[NET_DRIVER], &device->net, error)) ||
            (c[NET_ADDRESS] && !domain_xml_parse_address(c[NET_ADDRESS], &device->address, error)) ||
            !domain_xml_parse_alias(c[NET_ALIAS], device, error) ||
            !domain_xml_parse_boot_order(c[NET_BOOT], &device->boot_order, error) ||
            (c[NET_ROM] && !parse_rom(c[NET_ROM], &device->net, error)) ||
            (c[NET_ACPI] && !parse_acpi(c[NET_ACPI], &device->net, error)))
                return NULL;
        for (xmlNode *ip = c[NET_IP]; ip; ip = ip->next)
                if (xml_is_element(ip, "ip") && !parse_user_ip(ip, &device->net, error))
                        return NULL;
        /* A NIC is a PCI device; its slot is kept in GetXML, as for disks. */
        if (device->address.type != VM_ADDRESS_NONE && device->address.type != VM_ADDRESS_PCI) {
                xml_fail(error, c[NET_ADDRESS], HV_ERROR_INVALID_ARGUMENT,
                         "an '<interface>' can only have a 'pci' address");
                return NULL;
        }
        return g_steal_pointer(&device);
}

static void format_switch(GString *out, const char *attribute, VmSwitch value, bool yes_no) {
        if (value != VM_SWITCH_DEFAULT)
                g_string_append_printf(out, " %s='%s'", attribute,
                                       value == VM_SWITCH_ON ? (yes_no ? "yes" : "on") : (yes_no ? "no" : "off"));
}

static void format_offloads(GString *out, const char *indent, const VmNetDriver *driver, bool host) {
        int first = host ? VM_NET_HOST_CSUM : VM_NET_GUEST_CSUM;
        int last = host ? VM_NET_HOST_MRG_RXBUF : VM_NET_GUEST_UFO;
        bool any = false;

        for (int i = first; i <= last; i++)
                any |= driver->offloads[i] != VM_SWITCH_DEFAULT;
        if (!any)
                return;
        g_string_append_printf(out, "%s  <%s", indent, host ? "host" : "guest");
        for (int i = first; i <= last; i++)
                format_switch(out, offload_names[i], driver->offloads[i], false);
        g_string_append(out, "/>\n");
}

static void format_driver(GString *out, const char *indent, const VmInterface *net) {
        static const VmNetDriver none = {};
        const VmNetDriver *driver = net->extra ? &net->extra->driver : &none;
        bool has_children = false;

        if (!vm_virtio_options_set(&net->virtio) && memcmp(driver, &none, sizeof(none)) == 0)
                return;
        g_string_append_printf(out, "%s<driver", indent);
        if (driver->name_qemu)
                g_string_append(out, " name='qemu'");
        if (driver->txmode != VM_NET_TXMODE_DEFAULT)
                g_string_append_printf(out, " txmode='%s'", txmode_names[driver->txmode]);
        format_switch(out, "ioeventfd", driver->ioeventfd, false);
        format_switch(out, "event_idx", driver->event_idx, false);
        if (driver->rx_queue_size)
                g_string_append_printf(out, " rx_queue_size='%u'", driver->rx_queue_size);
        if (driver->tx_queue_size)
                g_string_append_printf(out, " tx_queue_size='%u'", driver->tx_queue_size);
        format_switch(out, "rss", driver->rss, false);
        format_switch(out, "rss_hash_report", driver->rss_hash_report, false);
        domain_xml_format_virtio_options(out, &net->virtio);
        for (int i = 0; i < _VM_NET_OFFLOAD_MAX; i++)
                has_children |= driver->offloads[i] != VM_SWITCH_DEFAULT;
        if (!has_children) {
                g_string_append(out, "/>\n");
                return;
        }
        g_string_append(out, ">\n");
        format_offloads(out, indent, driver, true);
        format_offloads(out, indent, driver, false);
        g_string_append_printf(out, "%s</driver>\n", indent);
}

/* The values are checked tokens, hex and addresses; the ROM file is escaped. */
void domain_xml_format_interface(GString *out, const char *indent, const VmDevice *device) {
        const VmInterface *net = &device->net;
        const VmInterfaceExtra *extra = net->extra;

        g_string_append_printf(out, " type='%s'>\n", domain_xml_net_type_names[net->type]);
        if (net->mac)
                g_string_append_printf(out, "%s<mac address='%s'/>\n", indent, net->mac);
        if (net->source)
                g_string_append_printf(out, "%s<source %s='%s'/>\n", indent,
                                       net->type == VM_NET_BRIDGE ? "bridge" : "network", net->source);
        if (net_type_is_socket(net->type) && extra) {
                g_string_append_printf(out, "%s<source", indent);
                if (extra->socket_address)
                        g_string_append_printf(out, " address='%s'", extra->socket_address);
                g_string_append_printf(out, " port='%u'", extra->socket_port);
                if (extra->local_address)
                        g_string_append_printf(out, ">\n%s  <local address='%s' port='%u'/>\n%s</source>\n", indent,
                                               extra->local_address, extra->local_port, indent);
                else
                        g_string_append(out, "/>\n");
        }
        if (extra && extra->user_ipv4) {
                g_string_append_printf(out, "%s<ip address='%s' family='ipv4'", indent, extra->user_ipv4);
                if (extra->user_ipv4_prefix)
                        g_string_append_printf(out, " prefix='%u'", extra->user_ipv4_prefix);
                g_string_append(out, "/>\n");
        }
        if (extra && extra->user_ipv6) {
                g_string_append_printf(out, "%s<ip address='%s' family='ipv6'", indent, extra->user_ipv6);
                if (extra->user_ipv6_prefix)
                        g_string_append_printf(out, " prefix='%u'", extra->user_ipv6_prefix);
                g_string_append(out, "/>\n");
        }
        if (net->target_dev)
                g_string_append_printf(out, "%s<target dev='%s'%s/>\n", indent, net->target_dev,
                                       net->target_unmanaged ? " managed='no'" : "");
        g_string_append_printf(out, "%s<model type='%s'/>\n", indent, domain_xml_net_model_names[net->model]);
        format_driver(out, indent, net);
        if (device->boot_order)
                g_string_append_printf(out, "%s<boot order='%u'/>\n", indent, device->boot_order);
        if (extra && (extra->rom_bar || extra->rom_enabled || extra->rom_file)) {
                g_string_append_printf(out, "%s<rom", indent);
                format_switch(out, "bar", extra->rom_bar, false);
                domain_xml_append_attr(out, "file", extra->rom_file);
                format_switch(out, "enabled", extra->rom_enabled, true);
                g_string_append(out, "/>\n");
        }
        if (extra && extra->acpi_index)
                g_string_append_printf(out, "%s<acpi index='%u'/>\n", indent, extra->acpi_index);
}
