/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Character devices: <serial>, <console>, <parallel> and <channel>, with their backend
 * (libvirt's type attribute, <source>, <protocol>, <log>). Every path, host device and network
 * address of a backend is opened by QEMU, running as the VM's owner; the service opens none.
 * The guest agent's <channel> is the exception: its socket is the service's.
 */

#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "domain-xml-chardev.h"
#include "domain-xml-devices.h"
#include "domain-xml-private.h"
#include "domain-xml-reader.h"
#include "domain-xml-writer.h"
#include "hv-error.h"

#define UNIX_PATH_MAX (sizeof(((struct sockaddr_un *) NULL)->sun_path) - 1)
#define HOST_MAX 253 /* a DNS name */
#define GUEST_AGENT_NAME "org.qemu.guest_agent.0"
#define CHANNEL_NAME_MAX 128

const char *const domain_xml_char_type_names[] = {
        [VM_CHAR_PTY] = "pty",
        [VM_CHAR_FILE] = "file",
        [VM_CHAR_UNIX] = "unix",
        [VM_CHAR_TCP] = "tcp",
        [VM_CHAR_UDP] = "udp",
        [VM_CHAR_DEV] = "dev",
        [VM_CHAR_PIPE] = "pipe",
        [VM_CHAR_NULL] = "null",
        [VM_CHAR_VC] = "vc",
        [VM_CHAR_STDIO] = "stdio",
        NULL,
};

static const char *const switch_names[] = {
        [VM_SWITCH_DEFAULT] = "", [VM_SWITCH_ON] = "on", [VM_SWITCH_OFF] = "off", NULL};
static const char *const mode_names[] = {"connect", "bind", NULL};

enum { CHR_SOURCE, CHR_PROTOCOL, CHR_LOG, CHR_TARGET, CHR_ADDRESS, CHR_ALIAS, _CHR_CHILD_MAX };
static const char *const chr_children[] = {
        [CHR_SOURCE] = "source",
        [CHR_PROTOCOL] = "protocol",
        [CHR_LOG] = "log",
        [CHR_TARGET] = "target",
        [CHR_ADDRESS] = "address",
        [CHR_ALIAS] = "alias",
        NULL,
};

/* on or off, absent: VM_SWITCH_DEFAULT. */
static bool parse_switch(const xmlNode *node, const char *attribute, VmSwitch *ret, GError **error) {
        g_autofree char *value = xml_attr_value(node, attribute);
        int choice;

        if (!value) {
                *ret = VM_SWITCH_DEFAULT;
                return true;
        }
        choice = xml_lookup_name(switch_names, value);
        if (choice <= 0)
                return xml_fail_unsupported_value(error, node, attribute, value);
        *ret = choice;
        return true;
}

static bool parse_path(const xmlNode *source, bool unix_socket, char **ret, GError **error) {
        g_autofree char *path = xml_attr_value(source, "path");

        if (!path)
                return xml_fail(error, source, HV_ERROR_INVALID_XML, "'<source>' needs the attribute 'path'");
        if (!g_path_is_absolute(path))
                return xml_fail_bad_value(error, source, "path", path, "must be absolute");
        if (strlen(path) > (unix_socket ? UNIX_PATH_MAX : 4095))
                return xml_fail_bad_value(error, source, "path", path,
                                          unix_socket ? "too long for a unix socket" : "too long");
        *ret = g_steal_pointer(&path);
        return true;
}

/* <source host service>: a name or address, and a port number. */
static bool parse_host_service(const xmlNode *source, bool needed, char **host, char **service, GError **error) {
        g_autofree char *h = xml_attr_value(source, "host");
        g_autofree char *s = xml_attr_value(source, "service");

        if (h && (!*h || strlen(h) > HOST_MAX ||
                  strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-:_") != strlen(h)))
                return xml_fail_bad_value(error, source, "host", h,
                                          "expected a host name or an IP address (letters, digits, '.', '-', ':')");
        if (s && (!*s || strlen(s) > 5 || strspn(s, "0123456789") != strlen(s) || atoi(s) > 65535))
                return xml_fail_bad_value(error, source, "service", s, "expected a port number from 0 to 65535");
        if (needed && !s)
                return xml_fail(error, source, HV_ERROR_INVALID_XML, "'<source>' needs the attribute 'service'");
        *host = g_steal_pointer(&h);
        *service = g_steal_pointer(&s);
        return true;
}

/* <reconnect enabled timeout/> in the <source> of a unix or tcp backend that connects. */
static bool parse_reconnect(const xmlNode *source, VmChar *chr, GError **error) {
        static const char *const children[] = {"reconnect", NULL};
        static const char *const attributes[] = {"enabled", "timeout", NULL};
        static const char *const yes_no[] = {
                [VM_SWITCH_DEFAULT] = "", [VM_SWITCH_ON] = "yes", [VM_SWITCH_OFF] = "no", NULL};
        xmlNode *reconnect = NULL;
        int choice;

        if (!xml_collect_children(source, children, &reconnect, error))
                return false;
        if (!reconnect)
                return true;
        if (!chr->connect)
                return xml_fail(error, reconnect, HV_ERROR_INVALID_ARGUMENT,
                                "'<reconnect>' needs a '<source mode='connect'>'");
        if (!xml_check_empty_element(reconnect, attributes, error) ||
            !xml_attr_choice(reconnect, "enabled", yes_no, -1, &choice, error) || choice == 0)
                return false;
        chr->reconnect = choice;
        g_autofree char *timeout = xml_attr_value(reconnect, "timeout");
        if (chr->reconnect == VM_SWITCH_ON) {
                if (!timeout || !*timeout || strlen(timeout) > 6 || strspn(timeout, "0123456789") != strlen(timeout) ||
                    atoi(timeout) < 1)
                        return xml_fail_bad_value(error, reconnect, "reconnect timeout", timeout ? timeout : "",
                                                  "expected seconds from 1 to 999999");
                chr->reconnect_timeout = (uint32_t) atoi(timeout);
        } else if (timeout)
                return xml_fail(error, reconnect, HV_ERROR_INVALID_ARGUMENT,
                                "attribute 'timeout' of '<reconnect enabled='no'>' has no use");
        return true;
}

static bool parse_source(const xmlNode *source, VmChar *chr, GError **error) {
        static const char *const path_attributes[] = {"path", NULL};
        static const char *const file_attributes[] = {"path", "append", NULL};
        static const char *const socket_attributes[] = {"mode", "path", NULL};
        static const char *const net_attributes[] = {"mode", "host", "service", NULL};
        int choice;
        static const char *const tcp_attributes[] = {"mode", "host", "service", "tls", NULL};
        static const char *const tls_names[] = {"no", NULL};
        int mode;

        switch (chr->type) {
        case VM_CHAR_FILE:
                return xml_check_empty_element(source, file_attributes, error) &&
                       parse_path(source, false, &chr->path, error) &&
                       parse_switch(source, "append", &chr->append, error);
        case VM_CHAR_DEV:
        case VM_CHAR_PIPE:
                return xml_check_empty_element(source, path_attributes, error) &&
                       parse_path(source, false, &chr->path, error);
        case VM_CHAR_UNIX:
                /* libvirt's default mode is connect. */
                if (!xml_check_attributes(source, socket_attributes, error) ||
                    !xml_attr_choice(source, "mode", mode_names, 0, &mode, error) ||
                    !parse_path(source, true, &chr->path, error))
                        return false;
                chr->connect = mode == 0;
                return parse_reconnect(source, chr, error);
        case VM_CHAR_TCP:
                /* tls='no': without TLS, as libvirt's default (chardev_tls = 0) is. */
                if (!xml_check_attributes(source, tcp_attributes, error) ||
                    !xml_attr_choice(source, "tls", tls_names, 0, &choice, error) ||
                    !xml_attr_choice(source, "mode", mode_names, 0, &mode, error) ||
                    !parse_host_service(source, true, &chr->host, &chr->service, error))
                        return false;
                chr->connect = mode == 0;
                if (!chr->host)
                        return xml_fail(error, source, HV_ERROR_INVALID_XML, "'<source>' needs the attribute 'host'");
                return parse_reconnect(source, chr, error);
        case VM_CHAR_UDP:
                if (!xml_check_empty_element(source, net_attributes, error) ||
                    !xml_attr_choice(source, "mode", mode_names, 0, &mode, error))
                        return false;
                /* As libvirt: the first source of each mode counts. */
                if (mode == 0 && !chr->host && !chr->service)
                        return parse_host_service(source, true, &chr->host, &chr->service, error);
                if (mode == 1 && !chr->bind_host && !chr->bind_service)
                        return parse_host_service(source, false, &chr->bind_host, &chr->bind_service, error);
                return xml_fail(error, source, HV_ERROR_INVALID_XML, "'<source mode='%s'>' appears twice",
                                mode_names[mode]);
        case VM_CHAR_PTY:
                /* The pty a running domain was given, in what `virsh dumpxml` prints of it:
                 * libvirt's define reads past it (each start gives a new one), and so does this. */
                return xml_check_empty_element(source, path_attributes, error);
        case VM_CHAR_NULL:
        case VM_CHAR_VC:
        case VM_CHAR_STDIO:
        case _VM_CHAR_TYPE_MAX:
                break;
        }
        return xml_fail(error, source, HV_ERROR_NOT_SUPPORTED, "'<source>' of a %s '<%s>' is not supported",
                        domain_xml_char_type_names[chr->type], XML_NODE_NAME(source->parent));
}

/* The backend: type, its <source> (two for udp), <protocol>, <log>. */
static bool parse_backend(const xmlNode *node, xmlNode **c, VmChar *chr, GError **error) {
        int choice;

        if (!xml_attr_choice(node, "type", domain_xml_char_type_names, -1, &choice, error))
                return false;
        chr->type = choice;
        for (xmlNode *n = c[CHR_SOURCE]; n; n = n->next) {
                if (!xml_is_element(n, "source"))
                        continue;
                if (n != c[CHR_SOURCE] && chr->type != VM_CHAR_UDP)
                        return xml_fail(error, n, HV_ERROR_INVALID_XML, "'<source>' appears twice");
                if (!parse_source(n, chr, error))
                        return false;
        }
        bool needs_source = chr->type == VM_CHAR_FILE || chr->type == VM_CHAR_UNIX || chr->type == VM_CHAR_TCP ||
                            chr->type == VM_CHAR_UDP || chr->type == VM_CHAR_DEV || chr->type == VM_CHAR_PIPE;
        if (needs_source && !c[CHR_SOURCE])
                return xml_fail_missing(error, node, "source");
        if (chr->type == VM_CHAR_UDP && !chr->service)
                return xml_fail(error, c[CHR_SOURCE], HV_ERROR_INVALID_XML,
                                "a udp '<%s>' needs a '<source mode='connect' service>'", XML_NODE_NAME(node));
        if (c[CHR_PROTOCOL]) {
                static const char *const attributes[] = {"type", NULL};
                static const char *const protocols[] = {"raw", "telnet", NULL};
                if (!xml_check_empty_element(c[CHR_PROTOCOL], attributes, error) ||
                    !xml_attr_choice(c[CHR_PROTOCOL], "type", protocols, 0, &choice, error))
                        return false;
                /* raw is what every backend is; telnet is tcp's. */
                if (choice == 1 && chr->type != VM_CHAR_TCP)
                        return xml_fail(error, c[CHR_PROTOCOL], HV_ERROR_NOT_SUPPORTED,
                                        "type='telnet' of '<protocol>' needs a tcp '<%s>'", XML_NODE_NAME(node));
                chr->telnet = choice == 1;
        }
        if (c[CHR_LOG]) {
                static const char *const attributes[] = {"file", "append", NULL};
                g_autofree char *file = NULL;
                if (!xml_check_empty_element(c[CHR_LOG], attributes, error) ||
                    !parse_switch(c[CHR_LOG], "append", &chr->log_append, error))
                        return false;
                file = xml_attr_value(c[CHR_LOG], "file");
                if (!file)
                        return xml_fail(error, c[CHR_LOG], HV_ERROR_INVALID_XML, "'<log>' needs the attribute 'file'");
                if (!g_path_is_absolute(file) || strlen(file) > 4095)
                        return xml_fail_bad_value(error, c[CHR_LOG], "log file", file, "must be an absolute path");
                chr->log_file = g_steal_pointer(&file);
        }
        return true;
}

VmDevice *domain_xml_parse_char_device(const xmlNode *node, VmDeviceKind kind, GError **error) {
        /* tty: a running domain's pty (output only), read past as its <source path> is. */
        static const char *const attributes[] = {"type", "tty", NULL};
        static const char *const repeatable[] = {"source", NULL};
        g_autoptr(VmDevice) device = vm_device_new(kind);
        xmlNode *c[_CHR_CHILD_MAX] = {};

        if (!xml_check_attributes(node, attributes, error) ||
            !xml_collect_children_repeatable(node, chr_children, c, repeatable, error) ||
            !parse_backend(node, c, &device->chr, error) ||
            !domain_xml_parse_char_target(c[CHR_TARGET], kind, &device->chr.target, error) ||
            !domain_xml_parse_alias(c[CHR_ALIAS], device, error))
                return NULL;
        g_autofree char *tty = xml_attr_value(node, "tty");
        if (tty && device->chr.type != VM_CHAR_PTY) {
                xml_fail(error, node, HV_ERROR_NOT_SUPPORTED, "attribute 'tty' of a %s '<%s>' is not supported",
                         domain_xml_char_type_names[device->chr.type], XML_NODE_NAME(node));
                return NULL;
        }
        /* A serial port's place: isa iobase and irq, or a PCI slot for pci-serial (kept in GetXML,
         * placed by QEMU as other PCI devices). A console of type serial repeats its serial's. */
        if (c[CHR_ADDRESS]) {
                VmCharTargetType target = device->chr.target.type;
                bool pci = target == VM_CHAR_TARGET_PCI_SERIAL;
                if (kind == VM_DEVICE_PARALLEL || target == VM_CHAR_TARGET_VIRTIO) {
                        xml_fail_unsupported_element(error, c[CHR_ADDRESS]);
                        return NULL;
                }
                if (!domain_xml_parse_address(c[CHR_ADDRESS], &device->address, error))
                        return NULL;
                if (device->address.type != (pci ? VM_ADDRESS_PCI : VM_ADDRESS_ISA) &&
                    !(kind == VM_DEVICE_CONSOLE && device->address.type == VM_ADDRESS_PCI)) {
                        g_autofree char *type = xml_attr_value(c[CHR_ADDRESS], "type");
                        xml_fail(error, c[CHR_ADDRESS], HV_ERROR_NOT_SUPPORTED,
                                 "type='%s' of '<address>' is not supported in this '<%s>' (%s)", type ? type : "",
                                 vm_device_kind_to_string(kind), pci ? "pci" : "isa");
                        return NULL;
                }
        }
        return g_steal_pointer(&device);
}

/* ---- writing ---- */

static void format_reconnect(GString *out, unsigned level, const VmChar *chr) {
        if (!chr->reconnect) {
                g_string_append(out, "/>\n");
                return;
        }
        g_string_append(out, ">\n");
        domain_xml_append_indent(out, level + 1);
        if (chr->reconnect == VM_SWITCH_ON)
                g_string_append_printf(out, "<reconnect enabled='yes' timeout='%" PRIu32 "'/>\n",
                                       chr->reconnect_timeout);
        else
                g_string_append(out, "<reconnect enabled='no'/>\n");
        domain_xml_append_indent(out, level);
        g_string_append(out, "</source>\n");
}

/* " type='...'>\n" and the backend's child elements. */
static void format_backend(GString *out, unsigned level, const VmChar *chr) {
        g_string_append_printf(out, " type='%s'>\n", domain_xml_char_type_names[chr->type]);
        switch (chr->type) {
        case VM_CHAR_FILE:
        case VM_CHAR_DEV:
        case VM_CHAR_PIPE:
                domain_xml_append_indent(out, level);
                g_string_append(out, "<source");
                domain_xml_append_attr(out, "path", chr->path ? chr->path : "");
                if (chr->append)
                        domain_xml_append_attr(out, "append", switch_names[chr->append]);
                g_string_append(out, "/>\n");
                break;
        case VM_CHAR_UNIX:
                domain_xml_append_indent(out, level);
                g_string_append_printf(out, "<source mode='%s'", chr->connect ? "connect" : "bind");
                domain_xml_append_attr(out, "path", chr->path ? chr->path : "");
                format_reconnect(out, level, chr);
                break;
        case VM_CHAR_TCP:
                domain_xml_append_indent(out, level);
                g_string_append_printf(out, "<source mode='%s'", chr->connect ? "connect" : "bind");
                domain_xml_append_attr(out, "host", chr->host);
                domain_xml_append_attr(out, "service", chr->service);
                format_reconnect(out, level, chr);
                domain_xml_append_indent(out, level);
                g_string_append_printf(out, "<protocol type='%s'/>\n", chr->telnet ? "telnet" : "raw");
                break;
        case VM_CHAR_UDP:
                if (chr->bind_host || chr->bind_service) {
                        domain_xml_append_indent(out, level);
                        g_string_append(out, "<source mode='bind'");
                        domain_xml_append_attr(out, "host", chr->bind_host);
                        domain_xml_append_attr(out, "service", chr->bind_service);
                        g_string_append(out, "/>\n");
                }
                domain_xml_append_indent(out, level);
                g_string_append(out, "<source mode='connect'");
                domain_xml_append_attr(out, "host", chr->host);
                domain_xml_append_attr(out, "service", chr->service);
                g_string_append(out, "/>\n");
                break;
        case VM_CHAR_PTY:
        case VM_CHAR_NULL:
        case VM_CHAR_VC:
        case VM_CHAR_STDIO:
        case _VM_CHAR_TYPE_MAX:
                break;
        }
        if (chr->log_file) {
                domain_xml_append_indent(out, level);
                g_string_append(out, "<log");
                domain_xml_append_attr(out, "file", chr->log_file);
                if (chr->log_append)
                        domain_xml_append_attr(out, "append", switch_names[chr->log_append]);
                g_string_append(out, "/>\n");
        }
}

void domain_xml_format_char_device(GString *out, unsigned level, const VmChar *chr) {
        format_backend(out, level + 1, chr);
        domain_xml_format_char_target(out, level + 1, &chr->target);
}

/* ---- <channel> ---- */

/* The socket libvirt made for a running domain's guest agent, in what `virsh dumpxml` prints
 * of it: DIR/domain-ID-NAME/org.qemu.guest_agent.0, or the older DIR/NAME.org.qemu.guest_agent.0
 * where DIR ends in channel/target. libvirt's define drops such a path (it makes a new one at
 * each start), and so does this. */
static bool is_libvirt_agent_path(const char *path) {
        g_autofree char *dir = g_path_get_dirname(path);
        g_autofree char *base = g_path_get_basename(path);
        g_autofree char *parent = g_path_get_basename(dir);

        if (!g_path_is_absolute(path))
                return false;
        if (g_str_equal(base, GUEST_AGENT_NAME))
                return g_str_has_prefix(parent, "domain-") && parent[strlen("domain-")] != '\0';
        return g_str_has_suffix(base, "." GUEST_AGENT_NAME) && g_str_has_suffix(dir, "/channel/target");
}

/* The guest agent's channel: <channel type='unix'> with <source mode='bind'/> without a path
 * (the socket is the service's). */
static bool parse_guest_agent(const xmlNode *node, xmlNode **c, GError **error) {
        static const char *const source_attributes[] = {"mode", "path", NULL};
        static const char *const modes[] = {"bind", NULL};
        g_autofree char *type = xml_attr_value(node, "type");
        int choice;

        if (g_strcmp0(type, "unix") != 0)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "type='%s' of the guest agent's '<channel>' is not supported: the service's "
                                "socket is its backend (type='unix')",
                                type ? type : "");
        /* The socket is the service's: a path of the document is refused, not followed. */
        g_autofree char *path = c[CHR_SOURCE] ? xml_attr_value(c[CHR_SOURCE], "path") : NULL;
        if (path && !is_libvirt_agent_path(path))
                return xml_fail(error, c[CHR_SOURCE], HV_ERROR_NOT_SUPPORTED,
                                "attribute 'path' of '<source>' in a '<channel>' is not supported: the service "
                                "places the guest agent's socket in the VM's runtime folder");
        if (c[CHR_SOURCE] && (!xml_check_empty_element(c[CHR_SOURCE], source_attributes, error) ||
                              !xml_attr_choice(c[CHR_SOURCE], "mode", modes, 0, &choice, error)))
                return false;
        if (c[CHR_SOURCE] && c[CHR_SOURCE]->next) {
                for (xmlNode *n = c[CHR_SOURCE]->next; n; n = n->next)
                        if (xml_is_element(n, "source"))
                                return xml_fail(error, n, HV_ERROR_INVALID_XML, "'<source>' appears twice");
        }
        if (c[CHR_PROTOCOL])
                return xml_fail_unsupported_element(error, c[CHR_PROTOCOL]);
        if (c[CHR_LOG])
                return xml_fail_unsupported_element(error, c[CHR_LOG]);
        return true;
}

VmDevice *domain_xml_parse_channel(const xmlNode *node, GError **error) {
        static const char *const attributes[] = {"type", NULL};
        static const char *const repeatable[] = {"source", NULL};
        static const char *const target_attributes[] = {"type", "name", "state", NULL};
        static const char *const target_types[] = {"virtio", NULL};
        static const char *const states[] = {"connected", "disconnected", NULL};
        g_autoptr(VmDevice) device = vm_device_new(VM_DEVICE_CHANNEL);
        xmlNode *c[_CHR_CHILD_MAX] = {};
        g_autofree char *name = NULL;
        int choice;

        if (!xml_check_attributes(node, attributes, error) ||
            !xml_collect_children_repeatable(node, chr_children, c, repeatable, error))
                return NULL;
        if (!c[CHR_TARGET]) {
                xml_fail_missing(error, node, "target");
                return NULL;
        }
        /* state= is what a running guest reported (libvirt writes it back in live XML only). */
        if (!xml_attr_choice(c[CHR_TARGET], "type", target_types, -1, &choice, error) ||
            !xml_check_empty_element(c[CHR_TARGET], target_attributes, error) ||
            !xml_attr_choice(c[CHR_TARGET], "state", states, 0, &choice, error))
                return NULL;
        name = xml_attr_value(c[CHR_TARGET], "name");
        if (g_strcmp0(name, GUEST_AGENT_NAME) == 0) {
                if (!parse_guest_agent(node, c, error))
                        return NULL;
                device->channel.target = VM_CHANNEL_GUEST_AGENT;
        } else {
                if (name && (!*name || strlen(name) > CHANNEL_NAME_MAX ||
                             strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
                                     strlen(name))) {
                        xml_fail_bad_value(error, c[CHR_TARGET], "channel name", name,
                                           "expected 1 to 128 letters, digits, '.', '_' or '-'");
                        return NULL;
                }
                if (!parse_backend(node, c, &device->channel.chr, error))
                        return NULL;
                device->channel.target = VM_CHANNEL_VIRTIO;
                device->channel.name = g_steal_pointer(&name);
        }
        if (c[CHR_ADDRESS]) {
                if (!domain_xml_parse_address(c[CHR_ADDRESS], &device->address, error))
                        return NULL;
                if (device->address.type != VM_ADDRESS_VIRTIO_SERIAL) {
                        g_autofree char *type = xml_attr_value(c[CHR_ADDRESS], "type");
                        xml_fail_unsupported_value(error, c[CHR_ADDRESS], "type", type);
                        return NULL;
                }
                g_autofree char *port = xml_attr_value(c[CHR_ADDRESS], "port");
                if (device->address.port == 0 && port) {
                        xml_fail_bad_value(error, c[CHR_ADDRESS], "port", "0",
                                           "port 0 of a virtio-serial bus is the console's");
                        return NULL;
                }
        }
        if (!domain_xml_parse_alias(c[CHR_ALIAS], device, error))
                return NULL;
        return g_steal_pointer(&device);
}

void domain_xml_format_channel(GString *out, unsigned level, const VmChannel *channel) {
        if (channel->target == VM_CHANNEL_GUEST_AGENT) {
                g_string_append(out, " type='unix'>\n");
                domain_xml_append_indent(out, level + 1);
                g_string_append(out, "<source mode='bind'/>\n");
                domain_xml_append_indent(out, level + 1);
                g_string_append(out, "<target type='virtio' name='" GUEST_AGENT_NAME "'/>\n");
                return;
        }
        format_backend(out, level + 1, &channel->chr);
        domain_xml_append_indent(out, level + 1);
        g_string_append(out, "<target type='virtio'");
        domain_xml_append_attr(out, "name", channel->name);
        g_string_append(out, "/>\n");
}

/* ---- <rng><backend model='egd'> ---- */

bool domain_xml_parse_rng_egd_backend(const xmlNode *node, VmChar *chr, GError **error) {
        static const char *const attributes[] = {"model", "type", NULL};
        static const char *const children[] = {
                [CHR_SOURCE] = "source", [CHR_PROTOCOL] = "protocol", [CHR_LOG] = "log", NULL};
        static const char *const repeatable[] = {"source", NULL};
        xmlNode *c[_CHR_CHILD_MAX] = {};

        if (!xml_check_attributes(node, attributes, error) ||
            !xml_collect_children_repeatable(node, children, c, repeatable, error) ||
            !parse_backend(node, c, chr, error))
                return false;
        /* The sockets QEMU's rng-egd talks to an EGD daemon over. */
        if (chr->type != VM_CHAR_TCP && chr->type != VM_CHAR_UDP && chr->type != VM_CHAR_UNIX)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "type='%s' of '<backend model='egd'>' is not supported (tcp, udp or unix)",
                                domain_xml_char_type_names[chr->type]);
        return true;
}

void domain_xml_format_rng_egd_backend(GString *out, unsigned level, const VmChar *chr) {
        domain_xml_append_indent(out, level);
        g_string_append(out, "<backend model='egd'");
        format_backend(out, level + 1, chr);
        domain_xml_append_indent(out, level);
        g_string_append(out, "</backend>\n");
}
